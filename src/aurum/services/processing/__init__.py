"""Processing plants in the store: circuits by version, monthly metal accounts with a locked
month closing, the solid-waste ledger, and their figures carried into the statistical reports.

* A circuit is saved per site and name; a change is a new version. A circuit saved with a
  survey (measurements) is reconciled on saving and the result kept with it, so the page shows
  what was reconciled then, whatever the code does later.
* A metal account is one month of one plant (AMIRA P754 check-in / check-out). Every save is a
  new version; closing a month locks its current version: a closed month changes only by an
  amendment with a reason, closed again in its turn. Each closing carries a SHA-256 over the
  account's figures and the previous closing of the site, so the closed months form a hash
  chain (:func:`verify_closings`).
* The waste ledger is append-only: a correction is a new entry that supersedes the old one
  and says why. The opening stock of a month must be the closing stock of the month before.
* :func:`report_figures` sums the months of a reporting period into the fields of the
  statistical report (ore, head grade and gold from the accounts; waste by type and route from
  the ledger) and :func:`carry_into_report` submits them, so the plan's output and 35 %
  waste indicators come from the plant's own records rather than from retyped figures.

Units: t (ore, waste), g/t (grades), g (gold in accounts), kg (gold in reports).

Modules mirror the domain :mod:`aurum.processing`: :mod:`.circuit`, :mod:`.accounting`,
:mod:`.waste`, :mod:`.report`; :mod:`.records` keeps what the pages show of each plant,
computed when its records are written and stored (:mod:`aurum.services.derived`), and
:mod:`.views` reads it for the pages; the public names are re-exported here.
"""

from aurum.services.processing.accounting import (
    accounts,
    close_months,
    record_accounts,
    record_site_accounts,
    verify_closings,
)
from aurum.services.processing.circuit import (
    circuits,
    get_circuit,
    reconciliation_document,
    save_circuit,
)
from aurum.services.processing.common import (
    ACCOUNT_COLUMNS,
    ACCOUNT_GOLD_TERMS,
    SHARE_FIELDS,
    read_records,
)
from aurum.services.processing.report import (
    ReportFigures,
    carry_into_report,
    compare_with_report,
    report_figures,
)
from aurum.services.processing.waste import record_waste, waste_ledger, waste_utilisation

__all__ = ["ACCOUNT_COLUMNS", "ACCOUNT_GOLD_TERMS", "SHARE_FIELDS", "ReportFigures", "accounts",
           "carry_into_report", "circuits", "close_months", "compare_with_report",
           "get_circuit", "read_records", "reconciliation_document", "record_accounts",
           "record_site_accounts", "record_waste", "report_figures", "save_circuit",
           "verify_closings", "waste_ledger", "waste_utilisation"]
