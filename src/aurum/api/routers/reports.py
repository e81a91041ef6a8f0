"""Statistical reports: submit, amend, upload, read with history, templates and export, and
their review: drafts, the queue of reports to review, accept, return with a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, UploadFile

from aurum.api.deps import DB, ApiActor
from aurum.api.schemas.reports import (
    AmendmentIn,
    DraftIn,
    DraftOut,
    HistoryRow,
    PendingRow,
    ReportIn,
    ReportOut,
    ReportRow,
    ReturnedRow,
    ReturnIn,
    ReviewOut,
    UploadOut,
    VersionOut,
)
from aurum.api.tables import XLSX, TableFormat, table_responses, tabular
from aurum.api.uploads import received
from aurum.core.checks import DbId, Year
from aurum.core.periods import Period
from aurum.services import reporting, review

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def _version_out(report_id: int, version: Any) -> VersionOut:
    return VersionOut(report_id=report_id, version=version.version,
                      submitted_at=version.submitted_at, reason=version.reason)


@router.get("", responses=table_responses(ReportRow, "Current reports"))
def list_reports(session: DB, actor: ApiActor, site: str | None = None,
                 year: Year | None = None, format: TableFormat = "json") -> Response:
    """Current version of every report the caller may read."""
    return tabular(reporting.reports_table(session, actor, site, year), format, "reports")


@router.post("", status_code=201)
def submit(body: ReportIn, session: DB, actor: ApiActor) -> VersionOut:
    """Submit a report (or, with ``reason``, amend the stored one); it waits for review, and
    its draft, if any, is dropped."""
    version = review.submit(session, actor, body.site, body.period, body.values, body.reason)
    return _version_out(version.report_id, version)


@router.post("/upload", status_code=201)
async def upload(file: UploadFile, session: DB, actor: ApiActor) -> UploadOut:
    """Upload a CSV or Excel file of reports: stored whole, or refused whole with every
    problem named by row and column (422)."""
    name, data = await received(file, "upload.csv")
    result = reporting.import_file(session, actor, data, name)
    return UploadOut(upload_id=result.upload_id, created=result.created,
                     amended=result.amended)


@router.get("/template.{fmt}", response_class=Response, responses={200: {
    "description": "The template file", "content": {"text/csv": {}, XLSX: {}}}})
def template(fmt: str) -> Response:
    """The upload template (header row; the Excel file has a second sheet of units)."""
    media = {"csv": "text/csv", "xlsx": XLSX}
    if fmt not in media:
        raise HTTPException(404, "templates exist as .csv and .xlsx")
    return Response(reporting.upload_template(fmt), media_type=media[fmt], headers={
        "Content-Disposition": f'attachment; filename="aurum-report-template.{fmt}"'})


@router.post("/drafts", status_code=201)
def save_draft(body: DraftIn, session: DB, actor: ApiActor) -> DraftOut:
    """Save the draft of a report not yet submitted (saved again: replaced)."""
    draft = review.save_draft(session, actor, body.site, body.period, body.values)
    return DraftOut(draft_id=draft.id, site=body.site, period=draft.period,
                    values=draft.values, updated_at=draft.updated_at)


@router.get("/pending", responses=table_responses(PendingRow, "Reports waiting for review"))
def pending(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Reports the caller may review that wait for review, oldest first (none for a caller
    who reviews none)."""
    return tabular(review.pending_review(session, actor), format, "reports-pending")


@router.get("/returned", responses=table_responses(ReturnedRow, "Reports returned"))
def returned(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Reports of the caller's organisations returned and not yet amended."""
    return tabular(review.returned_reports(session, actor), format, "reports-returned")


@router.get("/{report_id}")
def get_report(report_id: DbId, session: DB, actor: ApiActor) -> ReportOut:
    """A report with every version (amendments keep the history)."""
    report = reporting.get_report(session, actor, report_id)
    return ReportOut.model_validate({
        "id": report.id, "site": report.site.code, "period": report.period,
        "due_on": reporting.due_date(Period.parse(report.period)),
        "versions": reporting.history(session, actor, report_id)})


@router.get("/{report_id}/history", responses=table_responses(
    HistoryRow, "Every field of the report by version"))
def history_table(report_id: DbId, session: DB, actor: ApiActor,
                  format: TableFormat = "csv") -> Response:
    """Every version of a report as a table: one row per field, one column per version."""
    return tabular(reporting.history_table(session, actor, report_id), format,
                   f"report-{report_id}-history")


@router.post("/{report_id}/amendments", status_code=201)
def amend(report_id: DbId, body: AmendmentIn, session: DB, actor: ApiActor) -> VersionOut:
    """Amend a report: a new version with a reason, which waits for review again."""
    version = review.amend(session, actor, report_id, body.values, body.reason)
    return _version_out(report_id, version)


def _review_out(session: DB, actor: ApiActor, report_id: int) -> ReviewOut:
    view = review.review_view(session, actor, report_id)
    return ReviewOut.model_validate({"report_id": report_id, **view.as_dict()})


@router.get("/{report_id}/review")
def get_review(report_id: DbId, session: DB, actor: ApiActor) -> ReviewOut:
    """Where a report stands in its review, every step, and what the caller may do now."""
    return _review_out(session, actor, report_id)


@router.post("/{report_id}/accept")
def accept(report_id: DbId, session: DB, actor: ApiActor) -> ReviewOut:
    """Accept the version waiting for review (the provincial regulator of the site, a national
    regulator or an administrator): it counts in the national figures from now on. 409 when
    nothing waits."""
    review.accept(session, actor, report_id)
    return _review_out(session, actor, report_id)


@router.post("/{report_id}/return")
def return_report(report_id: DbId, body: ReturnIn, session: DB, actor: ApiActor
                  ) -> ReviewOut:
    """Return the version waiting for review to its enterprise with what to correct. 409
    when nothing waits."""
    review.return_report(session, actor, report_id, body.reason)
    return _review_out(session, actor, report_id)
