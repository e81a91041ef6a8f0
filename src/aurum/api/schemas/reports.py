"""Request and response models of the statistical report routes (``/api/v1/reports``).

The report's fields (:data:`aurum.services.reporting.FIELDS`, each in its unit) are the
contract of the report form, the upload template and these answers alike, so the models that
carry them are built from that list rather than spelt out a second time. Times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from aurum.api.schemas import Row, Schema
from aurum.core import checks
from aurum.services.reporting import FIELDS

# --- requests ------------------------------------------------------------------------------------


class ReportIn(BaseModel):
    """A report of one site and period (or, with a reason, an amendment of the stored one)."""

    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    values: dict[str, Any] = Field(description="Field name to value in the field's unit")
    reason: str | None = Field(None, description="Only for an amendment: why it changes")


class AmendmentIn(BaseModel):
    """New values of a report and why they change."""

    values: dict[str, Any]
    reason: str = Field(min_length=checks.MIN_REVIEW_REASON_CHARS,
                        max_length=checks.MAX_REVIEW_REASON_CHARS)


class ReturnIn(BaseModel):
    """Why a regulator returns a report: what the enterprise must correct."""

    reason: str = Field(min_length=checks.MIN_REVIEW_REASON_CHARS,
                        max_length=checks.MAX_REVIEW_REASON_CHARS,
                        description="What to correct, shown to the enterprise")


class DraftIn(BaseModel):
    """A report form saved before it is submitted: cells as typed, complete or not."""

    site: str = Field(max_length=64, description="Site code")
    period: str = Field(max_length=8, description="YYYY, YYYY-Qn or YYYY-MM")
    values: dict[str, float | Annotated[str, Field(max_length=64)]] = Field(
        max_length=len(FIELDS), description="Field name to value (or text typed so far)")


# --- answers -------------------------------------------------------------------------------------


def _report_fields() -> dict[str, Any]:
    """Every report field as a model field: a number in its unit, null when not reported.

    In the order the service gives them (the waste fields, stored apart, last), so that an
    answer keeps its keys in the order it had."""
    return {f.name: (float | None, Field(description=f"{f.label}, {f.unit}; null when not "
                                         "reported"))
            for f in sorted(FIELDS, key=lambda f: f.group == "waste")}


ReportValues = create_model("ReportValues", __base__=Schema, __module__=__name__,
                            __doc__="Every field of a report version.", **_report_fields())


class VersionOut(Schema):
    """A report version just stored."""

    report_id: int = Field(description="The report (one per site and period)")
    version: int = Field(description="Version number, 1 for the first submission")
    submitted_at: datetime = Field(description="When it was stored, UTC")
    reason: str | None = Field(description="Why it amends the version before (null for the "
                                           "first)")


class UploadOut(Schema):
    """An accepted upload of reports."""

    upload_id: int = Field(description="Id of the upload")
    created: int = Field(description="Reports created")
    amended: int = Field(description="Reports amended")


class HistoryVersionOut(Schema):
    """One version of a report with who submitted it, when, why, and its values."""

    version: int = Field(description="Version number, from 1")
    submitted_at: datetime = Field(description="When, UTC")
    submitted_by: int | None = Field(description="User id of the submitter")
    reason: str | None = Field(description="Why it amends the version before (null for the "
                                           "first)")
    upload_id: int | None = Field(description="The upload it came in (null for a form or "
                                  "API submission)")
    # A model built at import time is not a type to mypy; pydantic resolves it as one.
    values: ReportValues = Field(  # type: ignore[valid-type]
        description="Every field of the version")


class ReportOut(Schema):
    """A report with every version, oldest first."""

    id: int = Field(description="Report id")
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    due_on: date = Field(description="Day the report is due (Beijing calendar)")
    versions: list[HistoryVersionOut] = Field(description="Every version, oldest first")


class ReportHead(Row):
    """Which report a row of the reports table is, and its version in force."""

    report_id: int = Field(description="Report id")
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    version: int = Field(description="The version in force")
    submitted_at: datetime = Field(description="When that version was stored, UTC")
    reason: str | None = Field(description="Why it amended the version before")


ReportRow = create_model("ReportRow", __base__=ReportHead, __module__=__name__,
                         __doc__="The version in force of one report, with every field.",
                         **_report_fields())


class HistoryRow(Row):
    """One field of a report across its versions: ``field``, then ``v1``, ``v2``, ... with
    the field's value in each version (in its unit; null when not reported)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, float | None] = Field(init=False)

    field: str = Field(description="Report field")


class ReviewStepOut(Schema):
    """One step of a report's review."""

    version: int = Field(description="The version the step concerns")
    state: str = Field(description="submitted, accepted, returned or amended")
    reason: str | None = Field(description="Why it was returned or amended (null otherwise)")
    actor: str | None = Field(description="Who took the step (null for the platform)")
    at: datetime = Field(description="When, UTC")


class ReviewOut(Schema):
    """Where a report stands in its review, its steps and what the caller may do now."""

    report_id: int = Field(description="Report id")
    state: str | None = Field(description="State now (null: not in review)")
    version: int = Field(description="The version the state concerns")
    counts: bool = Field(description="Whether a version of it counts in the national "
                                     "figures now")
    steps: list[ReviewStepOut] = Field(description="Every step, oldest first")
    actions: list[str] = Field(description="Steps the caller may take now: accept, return, "
                                           "amend")


class DraftOut(Schema):
    """A draft just saved."""

    draft_id: int = Field(description="Draft id (one per site and period)")
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    values: dict[str, Any] = Field(description="Cells as saved")
    updated_at: datetime = Field(description="When saved, UTC")


class PendingRow(Row):
    """A report that waits for the caller's review."""

    report_id: int = Field(description="Report id")
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    version: int = Field(description="The version to review")
    submitted_at: datetime = Field(description="When that version was stored, UTC")


class ReturnedRow(Row):
    """A report of the caller's organisations returned and not yet amended."""

    report_id: int = Field(description="Report id")
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    reason: str | None = Field(description="What the reviewer asks to correct")
    returned_at: datetime = Field(description="When it was returned, UTC")
