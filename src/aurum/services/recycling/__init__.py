"""The gold recycling ledger: purchases and custody events in an append-only Merkle log,
signed tree heads, a verifier, regulatory reports, custody chains and statistics.

The service mirrors the domain (:mod:`aurum.recycling`), one module per concern:

- :mod:`.participants`: recyclers and refiners, their shops, and who reads and writes for them;
- :mod:`.ledger`: appends, signed tree heads and checkpoints, proofs, the witness;
- :mod:`.purchases`: purchases and their corrections;
- :mod:`.intake`: purchases and corrections as they arrive (file, objects, form), validated,
  appended and signed in one transaction;
- :mod:`.sellers`: sellers' sealed personal data, the watch list, photos;
- :mod:`.custody`: lots, assays, bars and the chain of custody;
- :mod:`.verify`: the verifier;
- :mod:`.reports`: screening, reports due, submission and the regulator's inbox;
- :mod:`.statistics`: recycled gold for statistics;
- :mod:`.views`: what the pages and the API's table formats show.

Every name callers use is re-exported here: ``from aurum.services import recycling`` then
``recycling.append_purchases(...)``.

Who reads and writes what: :mod:`.participants`, by the rule of
:class:`~aurum.services.auth.Actor` for anything an organisation holds.
"""

from aurum.recycling.checkpoint import MAX_NOTE_CHARS
from aurum.services.recycling import views
from aurum.services.recycling.custody import (
    custody_chain,
    dispatch_lot,
    mass_balances,
    record_assay,
    record_bar,
)
from aurum.services.recycling.intake import (
    Appended,
    Corrected,
    PurchaseFile,
    record_correction,
    record_intake_form,
    record_purchases,
)
from aurum.services.recycling.ledger import (
    AppendResult,
    LedgerKeys,
    checked_tree_head,
    checkpoint_for_witness,
    consistency_proof,
    entry_proof,
    get_entry,
    inclusion_proof,
    latest_checked_tree_head,
    latest_checkpoint,
    ledger_status,
    list_entries,
    list_tree_heads,
    sign_tree_head,
    witness_checkpoint,
    witnessed_checkpoints,
)
from aurum.services.recycling.participants import register_participant, update_participant
from aurum.services.recycling.purchases import (
    append_purchases,
    correct_purchase,
    purchases_in_force,
)
from aurum.services.recycling.reports import (
    acknowledge_submission,
    get_report,
    list_reports,
    regulator_inbox,
    report_document,
    screen_reports,
    submit_report,
)
from aurum.services.recycling.sellers import (
    change_watch_list,
    load_photo,
    reveal_seller,
    seller_view,
    store_photo,
    watched_sellers,
)
from aurum.services.recycling.statistics import recycled_totals, statistics_link
from aurum.services.recycling.verify import Verification, verify_for, verify_ledger

__all__ = [
    "MAX_NOTE_CHARS",
    "AppendResult",
    "Appended",
    "Corrected",
    "LedgerKeys",
    "PurchaseFile",
    "Verification",
    "acknowledge_submission",
    "append_purchases",
    "change_watch_list",
    "checked_tree_head",
    "checkpoint_for_witness",
    "consistency_proof",
    "correct_purchase",
    "custody_chain",
    "dispatch_lot",
    "entry_proof",
    "get_entry",
    "get_report",
    "inclusion_proof",
    "latest_checked_tree_head",
    "latest_checkpoint",
    "ledger_status",
    "list_entries",
    "list_reports",
    "list_tree_heads",
    "load_photo",
    "mass_balances",
    "purchases_in_force",
    "record_assay",
    "record_bar",
    "record_correction",
    "record_intake_form",
    "record_purchases",
    "recycled_totals",
    "register_participant",
    "regulator_inbox",
    "report_document",
    "reveal_seller",
    "screen_reports",
    "seller_view",
    "sign_tree_head",
    "statistics_link",
    "store_photo",
    "submit_report",
    "update_participant",
    "verify_for",
    "verify_ledger",
    "views",
    "watched_sellers",
    "witness_checkpoint",
    "witnessed_checkpoints",
]
