"""Statistical reports: submit, amend, upload, read with history, templates and export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response, UploadFile

from aurum.api.deps import DB, ApiActor
from aurum.api.schemas.reports import (
    AmendmentIn,
    HistoryRow,
    ReportIn,
    ReportOut,
    ReportRow,
    UploadOut,
    VersionOut,
)
from aurum.api.tables import XLSX, TableFormat, table_responses, tabular
from aurum.api.uploads import received
from aurum.core.checks import DbId, Year
from aurum.core.periods import Period
from aurum.services import reporting

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
    """Submit a report (or, with ``reason``, amend the stored one)."""
    version = reporting.submit(session, actor, body.site, body.period, body.values, body.reason)
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
    """Amend a report: a new version with a reason."""
    report = reporting.get_report(session, actor, report_id)
    version = reporting.submit(session, actor, report.site.code, report.period, body.values,
                               body.reason)
    return _version_out(report_id, version)
