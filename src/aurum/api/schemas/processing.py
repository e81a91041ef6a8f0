"""Request and response models of the processing-plant routes (``/api/v1/processing``):
circuits and their reconciliation, metal accounts and their closings, the solid-waste ledger
and its utilisation, and the figures carried into the statistical report.

Units: masses t (t/d for a survey's flows), assays and grades g/t, gold in accounts g, gold in
reports kg, waste t; recoveries, rates and shares are fractions. A figure that is not a
finite number is null. Times written by the service as text (``created_at`` of a circuit,
``closed_at`` of a closing) are ISO 8601 as it wrote them; times in tables are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from aurum.api.schemas import Row, Schema

# --- requests ------------------------------------------------------------------------------------


class CircuitIn(BaseModel):
    """A new version of a plant circuit, with or without a survey."""

    name: str = Field(description="Name of the circuit (CIL, flotation); versions count per name")
    period: str | None = Field(None, description="Month of the survey, YYYY-MM")
    note: str | None = Field(None, description="What changed")
    definition: dict[str, Any] = Field(description=(
        "nodes, streams and measurements as in `aurum processing reconcile` (masses in t or "
        "t/d, assays in g/t, each measurement [value, sd])"))


class AccountsIn(BaseModel):
    """Metal accounts of one plant (the plant of the path)."""

    reason: str | None = Field(None, description="Why; needed to amend a closed month")
    accounts: list[dict[str, Any]] = Field(description=(
        "One object per month: period (YYYY-MM), ore_treated_t (t), head_grade_gpt (g/t), "
        "check_in_g, products_g, tailings_g, opening_g, closing_g (g) and their <term>_sd_g "
        "(g), share_own_mine, share_associated, share_imported (fractions)"))


class CloseIn(BaseModel):
    """Months of a plant to close."""

    periods: list[str] = Field(description="Months to close, YYYY-MM")


# --- circuits ------------------------------------------------------------------------------------


class CircuitOut(Schema):
    """A circuit version; a reconciled one with its global test and the streams found to
    carry gross errors (those four keys are absent when it was saved without a survey)."""

    id: int = Field(description="Circuit version id")
    site: str = Field(description="Site code of the plant")
    name: str = Field(description="Name of the circuit; versions count per name")
    version: int = Field(description="Version number, from 1")
    period: str | None = Field(description="Month of the survey, YYYY-MM")
    note: str | None = Field(description="What changed")
    created_at: str = Field(description="When it was saved, ISO 8601 (UTC)")
    chi2: float | None = Field(None, description="Global test statistic of the adjustment")
    dof: int | None = Field(None, description="Degrees of freedom of the global test")
    p_value: float | None = Field(None, description="p-value of the global test")
    gross_errors: list[str] | None = Field(None, description="Streams found to carry a gross "
                                           "error")


class StreamEstimate(Schema):
    """The reconciled mass and assays of one stream."""

    mass: float | None = Field(description="Mass, t (or t/d)")
    mass_sd: float | None = Field(description="Its standard deviation, t (or t/d)")
    assays: dict[str, float | None] = Field(description="Assay by component, g/t")
    assays_sd: dict[str, float | None] = Field(description="Their standard deviations, g/t")


class Suspect(Schema):
    """A measurement removed as a gross error."""

    stream: str = Field(description="Stream name")
    field: str = Field(description="mass or a component")
    measured: float | None = Field(description="The measurement (t or g/t)")
    sd: float | None = Field(description="Its standard deviation (t or g/t)")
    estimate: float | None = Field(description="The reconciled value (t or g/t)")
    statistic: float | None = Field(description="Its test statistic")
    chi2_before: float | None = Field(description="Global statistic with the measurement")
    chi2_after: float | None = Field(description="Global statistic without it")


class ReconciliationSummary(Schema):
    """A reconciliation as ``aurum processing reconcile --format json`` gives it."""

    streams: dict[str, StreamEstimate] = Field(description="Reconciled streams by name")
    chi2: float | None = Field(description="Global test statistic")
    dof: int = Field(description="Degrees of freedom of the global test")
    p_value: float | None = Field(description="p-value of the global test")
    gross_errors: list[str] = Field(description="Streams found to carry a gross error")
    suspects: list[Suspect] = Field(description="Each gross error found")
    max_relative_imbalance: float | None = Field(description="Largest balance residual, "
                                                 "relative to the node's flow")
    iterations: int = Field(description="Iterations of the adjustment")
    method: str = Field(description="How it was adjusted")


class Variable(Schema):
    """One measured or estimated variable of a reconciliation."""

    stream: str = Field(description="Stream name")
    field: str = Field(description="mass or a component")
    measured: float | None = Field(description="Measurement, t or g/t (null: not measured)")
    measured_sd: float | None = Field(description="Its standard deviation, t or g/t")
    estimate: float | None = Field(description="Reconciled value, t or g/t")
    estimate_sd: float | None = Field(description="Its standard deviation, t or g/t")
    adjustment: float | None = Field(description="Estimate - measurement, t or g/t")
    adjustment_sd: float | None = Field(description="Its standard deviation, t or g/t")
    redundant: bool = Field(description="Whether the measurement is redundant (testable)")
    measurement_test: float | None = Field(description="Measurement-test statistic")
    gross_error: bool = Field(description="Whether it was found to be a gross error")


class StoredReconciliation(Schema):
    """The reconciliation stored with a circuit version."""

    summary: ReconciliationSummary = Field(description="As ``aurum processing reconcile "
                                           "--format json`` gives it")
    variables: list[Variable] = Field(description="Every measured or estimated variable")


class SavedCircuitOut(CircuitOut):
    """A circuit version just saved."""

    reconciliation: ReconciliationSummary | None = Field(description="The reconciliation "
                                                         "(null when saved without a survey)")


class Node(Schema):
    """A node of a circuit."""

    name: str = Field(description="Node name")
    kind: str = Field(description="feed, mill, cyclone, cil, ..., or other")


class Stream(Schema):
    """A stream between two nodes."""

    name: str = Field(description="Stream name")
    from_: str = Field(alias="from", description="Node it leaves")
    to: str = Field(description="Node it enters")


class Measurement(Schema):
    """What a survey measured of one stream, each as ``[value, sd]``."""

    mass: tuple[float, float] | None = Field(None, description="Mass, t or t/d (absent when "
                                             "not measured)")
    assays: dict[str, tuple[float, float]] | None = Field(
        None, description="Assay by component, g/t (absent when none was measured)")


class CircuitDefinition(Schema):
    """A circuit as ``aurum processing reconcile`` reads it."""

    nodes: list[Node] = Field(description="Nodes (process units, sources and sinks)")
    streams: list[Stream] = Field(description="Streams between the nodes")
    measurements: dict[str, Measurement] = Field(description="By stream name")


class CircuitDocumentOut(CircuitOut):
    """A circuit version with its definition and the reconciliation stored with it."""

    definition: CircuitDefinition = Field(description="The circuit as saved")
    reconciliation: StoredReconciliation | None = Field(description="Null when saved without "
                                                        "a survey")


# --- metal accounts ------------------------------------------------------------------------------


class AccountsRecordedOut(Schema):
    """Metal accounts just recorded."""

    site: str = Field(description="Site code of the plant")
    ids: list[int] = Field(description="Ids of the new account versions")


class ClosingOut(Schema):
    """A month just closed."""

    period: str = Field(description="The month, YYYY-MM")
    account_id: int = Field(description="The account version locked")
    sha256: str = Field(description="SHA-256 over the account and the closing before, hex")
    previous_sha256: str | None = Field(description="SHA-256 of the closing before (null for "
                                        "the first)")
    closed_at: str = Field(description="When, ISO 8601 (UTC)")


class VerifyOut(Schema):
    """The hash chain of a plant's closed months, recomputed."""

    ok: bool = Field(description="Whether every closing matches")
    broken: list[str] = Field(description="One line per closing that does not")


class AccountRow(Row):
    """A plant's metal account of one month (one version)."""

    id: int = Field(description="Account version id")
    period: str = Field(description="Month, YYYY-MM")
    version: int = Field(description="Version of the month's account, from 1")
    ore_treated_t: float = Field(description="Ore treated, t")
    head_grade_gpt: float | None = Field(description="Head grade, g/t")
    check_in_g: float = Field(description="Gold checked in, g")
    check_in_sd_g: float = Field(description="Its standard deviation, g")
    products_g: float = Field(description="Gold in products, g")
    products_sd_g: float = Field(description="Its standard deviation, g")
    tailings_g: float = Field(description="Gold in tailings, g")
    tailings_sd_g: float = Field(description="Its standard deviation, g")
    opening_g: float = Field(description="Gold in process at the start of the month, g")
    opening_sd_g: float = Field(description="Its standard deviation, g")
    closing_g: float = Field(description="Gold in process at the end of the month, g")
    closing_sd_g: float = Field(description="Its standard deviation, g")
    share_own_mine: float = Field(description="Share of the gold in products reported as "
                                  "own-mine gold")
    share_associated: float = Field(description="Share reported as associated gold")
    share_imported: float = Field(description="Share reported as imported gold")
    unaccounted_g: float = Field(description="Check-in - products - tailings - inventory "
                                 "change, g")
    unaccounted_sd_g: float = Field(description="Its standard deviation, g")
    recovery: float | None = Field(description="Recovery (fraction)")
    recovery_sd: float | None = Field(description="Its standard deviation (fraction)")
    circuit_id: int | None = Field(description="The reconciled circuit the figures come from")
    reason: str | None = Field(description="Why the version changes the one before")
    created_at: datetime = Field(description="When it was recorded, UTC")
    closed_at: datetime | None = Field(description="When the month was closed on this "
                                       "version, UTC (null: open)")
    sha256: str | None = Field(description="SHA-256 of the closing, hex (null: open)")


# --- waste ledger --------------------------------------------------------------------------------


class WasteRecordedOut(Schema):
    """Ledger lines just appended."""

    source: str = Field(description="Name of the file they came from")
    ids: list[int] = Field(description="Ids of the new entries")


class WasteTonnes(BaseModel):
    """The tonnages of a ledger line or of a sum of lines."""

    generated_t: float = Field(description="Generated, t")
    opening_stock_t: float = Field(description="In storage at the start, t")
    utilised_backfill_t: float = Field(description="Utilised as backfill, t")
    utilised_building_materials_t: float = Field(description="Utilised in building "
                                                 "materials, t")
    utilised_metal_recovery_t: float = Field(description="Utilised for metal recovery, t")
    utilised_other_t: float = Field(description="Utilised otherwise, t")
    utilised_from_stock_t: float = Field(description="Of the utilised, taken from storage, t")
    disposed_t: float = Field(description="Placed for good (not utilised), t")
    utilised_t: float = Field(description="Utilised by every route, t")
    closing_stock_t: float = Field(description="In storage at the end, t")


class LedgerRow(WasteTonnes, Row):
    """A line in force of the solid-waste ledger: one plant, month and waste type."""

    id: int = Field(description="Ledger entry id")
    enterprise: str = Field(description="Code of the plant's organisation")
    plant: str = Field(description="Site code of the plant")
    period: str = Field(description="Month, YYYY-MM")
    waste_type: str = Field(description="tailings, cyanide_residue, waste_rock or other")
    detox_status: str = Field(description="Of cyanide residue: untreated or detoxified "
                              "(empty when not given)")
    reason: str | None = Field(description="Why it corrects the line before")
    created_at: datetime = Field(description="When it was recorded, UTC")


class UtilisationRow(WasteTonnes, Row):
    """Tonnes and utilisation of a plant, enterprise or the nation; the grouping columns are
    those of the level and of ``by`` (absent otherwise)."""

    enterprise: str | None = Field(None, description="Organisation code (levels plant and "
                                   "enterprise)")
    plant: str | None = Field(None, description="Site code (level plant)")
    year: str | None = Field(None, description="Year, YYYY (by year)")
    period: str | None = Field(None, description="Month, YYYY-MM (by period)")
    waste_type: str | None = Field(None, description="Waste type (by waste_type)")
    utilisation_rate: float | None = Field(description="Utilised / generated (the plan's "
                                           "indicator; null when nothing was generated)")
    comprehensive_utilisation_rate: float | None = Field(
        description="Utilised / (generated + utilised from stock)")
    share_backfill: float | None = Field(description="Share of the utilised tonnes used as "
                                         "backfill")
    share_building_materials: float | None = Field(description="Share used in building "
                                                   "materials")
    share_metal_recovery: float | None = Field(description="Share used for metal recovery")
    share_other: float | None = Field(description="Share used otherwise")


# --- into the statistical report -----------------------------------------------------------------


class FieldComparison(Schema):
    """One report field from the plant's records beside the report in force."""

    field: str = Field(description="Report field")
    unit: str = Field(description="Its unit: t, g/t or kg")
    records: float = Field(description="The value from the records, in the unit")
    report: float | None = Field(description="The value in the report in force (null: not "
                                 "reported, or no report)")
    matches: bool = Field(description="Whether they agree within the report's rounding")


class ReportFiguresOut(Schema):
    """What a plant's accounts and ledger give for a reporting period."""

    site: str = Field(description="Site code of the plant")
    period: str = Field(description="Reporting period, YYYY, YYYY-Qn or YYYY-MM")
    values: dict[str, float] = Field(description="Report field to value in its unit (t, "
                                     "g/t, kg)")
    missing_accounts: list[str] = Field(description="Months with no metal account")
    missing_ledger: list[str] = Field(description="Months with no waste ledger line")
    complete: bool = Field(description="Whether every month has its records")
    comparison: list[FieldComparison] = Field(description="Each field beside the report in "
                                              "force")


class CarriedOut(Schema):
    """The report version that now carries the plant's figures."""

    site: str = Field(description="Site code of the plant")
    period: str = Field(description="Reporting period")
    report_version_id: int = Field(description="Id of the new report version")
