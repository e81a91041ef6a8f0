"""Request and response models of the recycling ledger's routes (``/api/v1/recycling``).

Hashes, roots and signatures are lowercase hex; times are ISO 8601 text as the service writes
them: ``...Z`` inside entries, and as the database returns them for the times it stored
(:data:`STORED_TIME`). Quantities inside a ledger entry are
decimal text (g and ‰ to 3 places, CNY to 2), as they were hashed; outside entries they are
numbers. A table and the object answer of the same thing share their fields through a
``...Fields`` class, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from aurum.api.schemas import Row, Schema
from aurum.services.recycling import MAX_NOTE_CHARS

HEX = "lowercase hex"
STORED_TIME = ("ISO 8601 (with the offset PostgreSQL gives it; on SQLite UTC without an "
               "offset)")

# --- requests ------------------------------------------------------------------------------------


class CorrectionIn(BaseModel):
    """A correction of a purchase in the ledger."""

    reason: str = Field(min_length=1, max_length=500, description="Why (kept in the ledger)")
    replacement: dict[str, Any] | None = Field(
        default=None, description="The purchase that replaces it, with the purchase file's "
        "columns, of the same recycler; none to reverse the purchase")


class WitnessIn(BaseModel):
    """A checkpoint a recycler publishes of its own ledger."""

    recycler: str = Field(max_length=64, description="Code of the recycler whose log it is")
    checkpoint: str = Field(max_length=MAX_NOTE_CHARS, description="The signed note")
    verifier_key: str = Field(max_length=400,
                              description="<name>+<key hash>+<base64 key> of the log's key")
    proof: list[Annotated[str, Field(pattern="^[0-9a-f]{64}$")]] = Field(
        default=[], max_length=128,
        description="Consistency proof (hex) from the largest size witnessed before")


# --- signed tree heads ---------------------------------------------------------------------------


class TreeHeadFields(BaseModel):
    """A signed tree head: RFC 6962 fields, Ed25519 signature, and the C2SP checkpoint."""

    id: int = Field(description="Tree head id (in the order they were signed)")
    tree_size: int = Field(description="Entries the head covers")
    root: str = Field(description=f"Merkle tree hash of those entries, {HEX}")
    timestamp: str = Field(description="When it was signed, ISO 8601 with its +00:00 offset")
    timestamp_ms: int = Field(description="When it was signed, ms since 1970-01-01 UTC")
    key_id: str = Field(description="Id of the signing key")
    signature: str = Field(description=f"Ed25519 signature over size, root and time, {HEX}")
    checkpoint: str | None = Field(description="The same head as a C2SP signed note (null on "
                                   "heads signed before checkpoints existed)")


class TreeHeadRow(TreeHeadFields, Row):
    """One signed tree head (``/tree-heads``)."""


class TreeHeadOut(TreeHeadFields, Schema):
    """A signed tree head."""


class CheckedTreeHeadOut(TreeHeadOut):
    """A signed tree head with the signer's key and whether the signature holds."""

    public_key: str = Field(description=f"The signer's Ed25519 public key, {HEX}")
    verifier_key: str = Field(description="<name>+<key hash>+<base64 key>: the key witnesses "
                              "check the checkpoints with")
    signature_valid: bool = Field(description="Whether the signature holds under that key")


class LedgerStatusOut(Schema):
    """Size and root of the log and its latest signed tree head."""

    size: int = Field(description="Entries in the log")
    root: str = Field(description=f"Merkle tree hash of the log, {HEX}")
    signed_tree_head: TreeHeadOut | None = Field(description="The latest signed tree head "
                                                 "(null before the first append)")


# --- appending -----------------------------------------------------------------------------------


class AppendedFields(BaseModel):
    """Entries appended from one batch, and the signed tree head that covers them."""

    source: str = Field(description="The file name, or what the purchases came in "
                        "(``request body``)")
    appended: int = Field(description="Entries written")
    duplicates: int = Field(description="Entries not written: already in the ledger or "
                            "repeated in the batch")
    size: int = Field(description="Entries in the log afterwards")
    root: str = Field(description=f"Merkle tree hash of the log afterwards, {HEX}")
    seqs: list[int] = Field(description="For each purchase sent, the sequence number of the "
                            "entry holding it")
    first_seq: int = Field(description="Smallest of ``seqs``")
    last_seq: int = Field(description="Largest of ``seqs``")
    signed_tree_head: TreeHeadOut = Field(description="The signed tree head of the new size")


class AppendedOut(AppendedFields, Schema):
    """Purchases appended."""


class CorrectionFields(BaseModel):
    """What a correction did (its own fields, before those of the append)."""

    target: int = Field(description="Sequence number of the purchase corrected")
    action: Literal["reverse", "amend"] = Field(description="``reverse`` (no replacement) or "
                                                "``amend``")
    correction_seq: int = Field(description="Sequence number of the correction entry")
    replacement_seq: int | None = Field(description="Sequence number of the replacement "
                                        "purchase (null for a reversal)")


# Fields come from the bases last to first: ``target``... first, as the service lists them.
class CorrectedOut(AppendedFields, CorrectionFields, Schema):
    """A correction appended: the correction entry, then the replacement purchase if any."""


# --- entries -------------------------------------------------------------------------------------

_V = Field(description="Entry schema version")


class PurchaseEntry(Schema):
    """A purchase at a recycler's counter; the seller by keyed hash only."""

    amends: int | None = Field(description="Sequence number of the purchase this one "
                               "replaces, or null")
    amount_cny: str = Field(description="Amount paid, CNY (2 decimals)")
    assay_method: str = Field(description="How the fineness was measured at the counter")
    fine_gold_g: str = Field(description="Fine gold, g (3 decimals)")
    fineness_permille: str = Field(description="Fineness, ‰ (3 decimals)")
    gross_weight_g: str = Field(description="Gross weight, g (3 decimals)")
    item_type: str = Field(description="What was bought")
    kind: Literal["purchase"] = Field(description="Entry kind")
    occurred_at: str = Field(description="When, ISO 8601 UTC (``...Z``)")
    origin: str = Field(description="The seller's statement of origin (category)")
    origin_statement_hmac: str | None = Field(description=f"Keyed hash of the seller's "
                                              f"statement, {HEX}, or null")
    payment_method: str = Field(description="How the seller was paid")
    photos: list[str] = Field(description=f"SHA-256 of the purchase's photos, {HEX}")
    price_per_g_cny: str = Field(description="Price, CNY/g (2 decimals)")
    recycler: str = Field(description="Recycler code")
    seller: str = Field(description=f"Keyed hash of the seller's document number, {HEX}")
    seller_id_type: str = Field(description="Kind of the seller's identity document")
    shop: str = Field(description="Shop code")
    v: int = _V


class CorrectionEntry(Schema):
    """A correction of a purchase: its reversal, followed by a replacement when amended."""

    action: Literal["reverse", "amend"] = Field(description="``reverse`` or ``amend``")
    kind: Literal["correction"] = Field(description="Entry kind")
    reason: str = Field(description="Why")
    target: int = Field(description="Sequence number of the purchase corrected")
    v: int = _V


class LotEntry(Schema):
    """Purchases of a recycler sent to a refiner as one lot."""

    fine_gold_g: str = Field(description="Fine gold declared (the purchases' sum), g "
                             "(3 decimals)")
    kind: Literal["lot"] = Field(description="Entry kind")
    lot: str = Field(description="Lot code")
    purchases: list[int] = Field(description="Sequence numbers of its purchases")
    recycler: str = Field(description="Recycler code")
    refiner: str = Field(description="Refiner code")
    sent_at: str = Field(description="When the lot left, ISO 8601 UTC (``...Z``)")
    v: int = _V


class AssayEntry(Schema):
    """The refiner's melt and assay of a lot, and its mass balance."""

    assayed_at: str = Field(description="When, ISO 8601 UTC (``...Z``)")
    declared_g: str = Field(description="Fine gold declared, g (3 decimals)")
    fine_gold_g: str = Field(description="Fine gold assayed, g (3 decimals)")
    fineness_permille: str = Field(description="Fineness found, ‰ (3 decimals)")
    kind: Literal["assay"] = Field(description="Entry kind")
    lot: str = Field(description="Lot code")
    melted_weight_g: str = Field(description="Weight of the melted lot, g (3 decimals)")
    method: str = Field(description="Assay method")
    tolerance_g: str = Field(description="Largest accepted difference, g (3 decimals)")
    v: int = _V
    within_tolerance: bool = Field(description="Whether assayed and declared agree within it")


class BarInputEntry(Schema):
    """Fine gold a lot gave to a bar."""

    fine_gold_g: str = Field(description="Fine gold, g (3 decimals)")
    lot: str = Field(description="Lot code")


class BarEntry(Schema):
    """A refined bar and the lots its fine gold came from."""

    fine_gold_g: str = Field(description="Fine gold, g (3 decimals)")
    fineness_permille: str = Field(description="Fineness, ‰ (3 decimals)")
    gross_weight_g: str = Field(description="Weight, g (3 decimals)")
    inputs: list[BarInputEntry] = Field(description="Fine gold taken from each lot")
    kind: Literal["bar"] = Field(description="Entry kind")
    produced_at: str = Field(description="When it was cast, ISO 8601 UTC (``...Z``)")
    refiner: str = Field(description="Refiner code")
    serial: str = Field(description="Bar serial number")
    v: int = _V


EntryBody = Annotated[PurchaseEntry | CorrectionEntry | LotEntry | AssayEntry | BarEntry,
                      Field(discriminator="kind")]
"""An entry's canonical JSON, by its ``kind``."""


class LedgerEntryOut(Schema):
    """An entry of the log (CSV and Excel flatten ``entry`` to ``entry.*`` columns, lists
    as JSON text)."""

    seq: int = Field(description="Sequence number (0-based position in the log)")
    kind: Literal["purchase", "correction", "lot", "assay", "bar"] = Field(
        description="The entry's kind")
    recorded_at: str = Field(description=f"When it was appended, {STORED_TIME}")
    leaf_hash: str = Field(description=f"RFC 6962 leaf hash of the entry, {HEX}")
    entry: EntryBody = Field(description="The entry (its canonical JSON, parsed)")


# --- proofs and verification ---------------------------------------------------------------------


class InclusionProofOut(Schema):
    """Audit path (RFC 6962) of an entry, and whether it reaches the root."""

    seq: int = Field(description="Sequence number of the entry")
    tree_size: int = Field(description="Entries in the tree the proof is for")
    leaf_hash: str = Field(description=f"Leaf hash of the entry, {HEX}")
    root: str = Field(description=f"Merkle tree hash of that tree, {HEX}")
    proof: list[str] = Field(description=f"The audit path, {HEX}")
    signed_tree_head: TreeHeadOut | None = Field(description="The latest signed head of that "
                                                 "size (null when it was never signed)")
    verified: bool = Field(description="Whether the path reaches the root")


class ConsistencyProofOut(Schema):
    """Proof (RFC 6962) that a tree is a prefix of a larger one."""

    size1: int = Field(description="Entries in the smaller tree")
    size2: int = Field(description="Entries in the larger tree")
    root1: str = Field(description=f"Root of the smaller tree, {HEX}")
    root2: str = Field(description=f"Root of the larger tree, {HEX}")
    proof: list[str] = Field(description=f"The consistency proof, {HEX}")


class CheckpointCheckOut(Schema):
    """A checkpoint kept outside the database, checked against the stored log."""

    source: str = Field(description="Where it comes from")
    origin: str | None = Field(description="The log it names (null when it does not open)")
    tree_size: int | None = Field(description="Entries it covers (null when it does not open)")
    consistent: bool = Field(description="Signed by the ledger's key and consistent with the "
                             "stored log")


class LedgerVerificationOut(Schema):
    """What the verifier found, recomputing the whole log."""

    ok: bool = Field(description="Nothing wrong")
    size: int = Field(description="Entries stored")
    root: str = Field(description=f"Root recomputed from the stored entries, {HEX}")
    problems: list[str] = Field(description="Each thing found wrong, in words")
    tree_heads: int = Field(description="Signed tree heads checked")
    covered: int = Field(description="Entries covered by the largest signed tree head")
    checkpoints: list[CheckpointCheckOut] = Field(description="Checkpoints given from outside "
                                                  "(none through the API)")


# --- checkpoints and the witness -----------------------------------------------------------------


class WitnessRequestOut(Schema):
    """What a witness needs to take the latest checkpoint."""

    checkpoint: str = Field(description="The latest checkpoint (C2SP signed note)")
    verifier_key: str = Field(description="<name>+<key hash>+<base64 key> to check it with")
    tree_size: int = Field(description="Entries the checkpoint covers")
    witnessed_size: int = Field(description="The size the witness holds (0: none)")
    proof: list[str] = Field(description=f"Consistency proof from ``witnessed_size``, {HEX} "
                             "(empty from 0 or the same size)")


class WitnessedOut(Schema):
    """A checkpoint of a recycler's log kept as witness."""

    id: int = Field(description="Witnessed checkpoint id")
    origin: str = Field(description="The log's name (the note's origin line)")
    recycler: str = Field(description="Code of the recycler whose log it is")
    tree_size: int = Field(description="Entries the checkpoint covers")
    root: str = Field(description=f"Root it states, {HEX}")
    verifier_key: str = Field(description="The log's verifier key")
    witnessed_at: str = Field(description=f"When it was kept, {STORED_TIME}")
    checkpoint: str = Field(description="The signed note")


# --- reports -------------------------------------------------------------------------------------


class ScreenedOut(Schema):
    """Reports (or revisions) a screening created."""

    created: list[int] = Field(description="Their ids")


class RecyclingReportOut(Schema):
    """A report the rules call for (PBoC 银发〔2025〕124号), machine-readable (the CSV and
    Excel forms put ``entries`` in one space-separated cell)."""

    id: int = Field(description="Report id")
    kind: Literal["large_cash", "suspicious"] = Field(description="Kind of report")
    rule: str = Field(description="Id of the rule that found it")
    rules_version: str = Field(description="Version of the rules")
    revision: int = Field(description="Revision (1, then one more each time its purchases "
                          "change)")
    recycler: str | None = Field(description="Reporting recycler's code (null: found over "
                                 "several recyclers, by the regulator's screening)")
    seller_id_number_hash: str = Field(description=f"Keyed hash of the seller's document "
                                       f"number, {HEX}")
    seller_id_masked: str = Field(description="The seller's document number, masked")
    seller_id_type: str = Field(description="Kind of the seller's identity document")
    date: str = Field(description="Business day of the finding (= ``period_end``), "
                      "YYYY-MM-DD, Beijing time")
    period_start: str = Field(description="First business day, YYYY-MM-DD, Beijing time")
    period_end: str = Field(description="Last business day, YYYY-MM-DD, Beijing time")
    amount_cny: float = Field(description="Amount of its purchases, CNY")
    entries: list[int] = Field(description="Sequence numbers of its purchases")
    due_on: str = Field(description="Due date (working days, Beijing time), YYYY-MM-DD")
    due_estimated: bool = Field(description="Whether the due date is estimated (holidays of "
                                "that year not in the calendar)")
    status: Literal["due", "overdue", "submitted", "superseded"] = Field(
        description="Its state")
    reason: str = Field(description="The finding, in words")
    citation: str | None = Field(description="The rule's legal basis (null for a rule no "
                                 "longer in the rules)")
    report_to: str | None = Field(description="Whom it is filed with")


class ReportSubmittedOut(Schema):
    """A report submitted to the regulator's inbox."""

    submission_id: int = Field(description="Submission id")
    report_id: int = Field(description="Report id")
    document_sha256: str = Field(description=f"SHA-256 of the document filed, {HEX}")


class InboxItemOut(Schema):
    """A submitted report in the regulator's inbox (CSV and Excel flatten ``report`` to
    ``report_*`` columns, its entries in one space-separated cell)."""

    submission_id: int = Field(description="Submission id")
    submitted_at: str = Field(description=f"When, {STORED_TIME}")
    document_sha256: str = Field(description=f"SHA-256 of the document filed, {HEX}")
    report: RecyclingReportOut = Field(description="The report as submitted (frozen then)")
    acknowledged_at: str | None = Field(description="When the regulator acknowledged it, "
                                        f"{STORED_TIME} (null: not yet)")


# --- custody and statistics ----------------------------------------------------------------------


class MassBalanceFields(BaseModel):
    """The fine-gold balance of a lot."""

    lot: str = Field(description="Lot code")
    declared_g: float = Field(description="Fine gold declared (its purchases' sum), g")
    assayed_g: float | None = Field(description="Fine gold the refiner's assay found, g "
                                    "(null: awaiting assay)")
    difference_g: float | None = Field(description="Assayed minus declared, g")
    tolerance_g: float | None = Field(description="Largest accepted difference, g")
    status: Literal["awaiting assay", "balanced", "exception"] = Field(
        description="``awaiting assay``, ``balanced`` or ``exception``")


class MassBalanceRow(MassBalanceFields, Row):
    """The fine-gold balance of one lot (``/mass-balances``)."""


class BarNode(Schema):
    """The bar of a custody chain."""

    id: str = Field(description="``bar:<serial>``")
    kind: Literal["bar"] = Field(description="Node kind")
    serial: str = Field(description="Bar serial number")
    refiner: str = Field(description="Refiner code")
    fine_gold_g: float = Field(description="Fine gold, g")
    seq: int = Field(description="Sequence number of its entry")


class LotNode(MassBalanceFields, Schema):
    """A lot in the bar, with its mass balance."""

    id: str = Field(description="``lot:<code>``")
    kind: Literal["lot"] = Field(description="Node kind")
    recycler: str = Field(description="Recycler code")


class ParticipantNode(Schema):
    """A recycler, or one of its shops."""

    id: str = Field(description="``recycler:<code>`` or ``shop:<recycler>/<code>``")
    kind: Literal["recycler", "shop"] = Field(description="Node kind")
    code: str = Field(description="Recycler or shop code")


class PurchaseNode(Schema):
    """A purchase in a lot of the bar; the seller masked."""

    id: str = Field(description="``purchase:<seq>``")
    kind: Literal["purchase"] = Field(description="Node kind")
    seq: int = Field(description="Sequence number of its entry")
    lot: str = Field(description="Lot code")
    recycler: str = Field(description="Recycler code")
    shop: str = Field(description="Shop code")
    seller_id_masked: str = Field(description="The seller's document number, masked")
    item_type: str = Field(description="What was bought")
    fine_gold_g: float = Field(description="Fine gold, g")
    business_date: str = Field(description="Business day, YYYY-MM-DD, Beijing time")


CustodyNode = Annotated[BarNode | LotNode | ParticipantNode | PurchaseNode,
                        Field(discriminator="kind")]
"""A node of a custody chain, by its ``kind``."""


class CustodyEdge(Schema):
    """Gold flowing from one node to the next (towards the bar)."""

    source: str = Field(description="Node id it comes from")
    target: str = Field(description="Node id it goes to")
    fine_gold_g: float | None = Field(description="Fine gold, g (null from a recycler to its "
                                      "shop and from a shop to its purchase)")


class CustodyChainOut(Schema):
    """The chain of custody of a refined bar back to every purchase in it."""

    nodes: list[CustodyNode] = Field(description="The bar, its lots, their recyclers, shops "
                                     "and purchases")
    edges: list[CustodyEdge] = Field(description="How the fine gold flowed")


class RecycledGoldRow(Row):
    """Recycled gold of one group (the grouping columns present are those of ``by``)."""

    recycler: str | None = Field(None, description="Recycler code (with ``by=recycler``)")
    province: str | None = Field(None, description="Province, ``unknown`` when not "
                                 "registered (with ``by=province``)")
    month: str | None = Field(None, description="YYYY-MM, Beijing time (with ``by=month``)")
    purchases: int = Field(description="Purchases in force")
    fine_gold_g: float = Field(description="Fine gold bought, g")
    amount_cny: float = Field(description="Amount paid, CNY")
    fine_gold_kg: float = Field(description="Fine gold bought, kg")


class RecycledGoldStatisticsRow(Row):
    """The ledger beside the statistical reports, for one province and quarter (a side
    missing where it has nothing)."""

    province: str = Field(description="Province")
    period: str = Field(description="Quarter, YYYY-Qn")
    ledger_purchases: int | None = Field(description="Purchases in the ledger")
    ledger_fine_gold_kg: float | None = Field(description="Fine gold recyclers bought, kg")
    ledger_amount_cny: float | None = Field(description="Amount they paid, CNY")
    reported_gold_recycled_kg: float | None = Field(
        description="Gold produced from recycled material in the statistical reports, kg")
    ledger_share_pct: float | None = Field(description="The ledger's fine gold as a share of "
                                           "the reported gold, %")
