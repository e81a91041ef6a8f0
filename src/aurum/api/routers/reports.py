"""Statistical reports: submit, amend, upload, read with history, templates and export."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Response, UploadFile
from pydantic import BaseModel, Field

from aurum.api.deps import DB, ApiActor
from aurum.api.tables import XLSX, TableFormat, tabular
from aurum.api.uploads import received
from aurum.core.checks import DbId, Year
from aurum.core.periods import Period
from aurum.industry import reporting as rp
from aurum.services import reporting

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


class ReportIn(BaseModel):
    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    values: dict[str, Any] = Field(description="Field name to value in the field's unit")
    reason: str | None = Field(None, description="Only for an amendment: why it changes")


class AmendmentIn(BaseModel):
    values: dict[str, Any]
    reason: str = Field(min_length=3)


def _version_out(report_id: int, version: Any) -> dict[str, Any]:
    return {"report_id": report_id, "version": version.version,
            "submitted_at": version.submitted_at, "reason": version.reason}


@router.get("")
def list_reports(session: DB, actor: ApiActor, site: str | None = None,
                 year: Year | None = None, format: TableFormat = "json") -> Response:
    """Current version of every report the caller may read."""
    frame = reporting.current_reports(session, actor, [site] if site else None)
    if year is not None:
        frame = frame[frame["period"].str.startswith(str(year))]
    return tabular(frame.drop(columns=["version_id"]), format, "reports")


@router.post("", status_code=201)
def submit(body: ReportIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Submit a report (or, with ``reason``, amend the stored one)."""
    version = reporting.submit(session, actor, body.site, body.period, body.values, body.reason)
    return _version_out(version.report_id, version)


@router.post("/upload", status_code=201)
async def upload(file: UploadFile, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Upload a CSV or Excel file of reports: stored whole, or refused whole with every
    problem named by row and column (422)."""
    name, data = await received(file, "upload.csv")
    result = reporting.import_file(session, actor, data, name)
    return {"upload_id": result.upload_id, "created": result.created,
            "amended": result.amended}


@router.get("/template.{fmt}")
def template(fmt: str) -> Response:
    """The upload template (header row; the Excel file has a second sheet of units)."""
    if fmt == "csv":
        return Response(rp.template_frame().to_csv(index=False), media_type="text/csv",
                        headers={"Content-Disposition":
                                 'attachment; filename="aurum-report-template.csv"'})
    if fmt == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf) as writer:
            rp.template_frame().to_excel(writer, index=False, sheet_name="reports")
            rp.field_guide().to_excel(writer, index=False, sheet_name="fields")
        return Response(buf.getvalue(), media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="aurum-report-template.xlsx"'})
    raise HTTPException(404, "templates exist as .csv and .xlsx")


@router.get("/{report_id}")
def get_report(report_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A report with every version (amendments keep the history)."""
    report = reporting.get_report(session, actor, report_id)
    return {"id": report.id, "site": report.site.code, "period": report.period,
            "due_on": reporting.due_date(Period.parse(report.period)),
            "versions": reporting.history(session, actor, report_id)}


@router.get("/{report_id}/history")
def history_table(report_id: DbId, session: DB, actor: ApiActor,
                  format: TableFormat = "csv") -> Response:
    """Every version of a report as a table: one row per field, one column per version."""
    versions = reporting.history(session, actor, report_id)
    table = pd.DataFrame({f"v{v['version']}": v["values"] for v in versions})
    table.index.name = "field"
    return tabular(table.reset_index(), format, f"report-{report_id}-history")


@router.post("/{report_id}/amendments", status_code=201)
def amend(report_id: DbId, body: AmendmentIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Amend a report: a new version with a reason."""
    report = reporting.get_report(session, actor, report_id)
    version = reporting.submit(session, actor, report.site.code, report.period, body.values,
                               body.reason)
    return _version_out(report_id, version)
