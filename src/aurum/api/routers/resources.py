"""Resource models and statements: API and pages."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from aurum.api import charts, forms
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.labels import label
from aurum.api.routers.briefings import PDF, Lang
from aurum.api.schemas.resources import StatementOut, StatementRow
from aurum.api.tables import XLSX, TableFormat, display_records, table_responses, tabular
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import MAX_COMPOSITE_M, MAX_GRADE_COLUMN_CHARS, DbId, Year
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import cache, drillholes, jobs, reserve_report
from aurum.services import resources as service
from aurum.services.auth import Actor

router = APIRouter(tags=["resources"])


@router.get("/api/v1/resources/statements",
            responses=table_responses(StatementRow, "The site's statements"))
def list_statements(session: DB, actor: ApiActor, site: str,
                    format: TableFormat = "json") -> Response:
    """Every resource statement of a site, versions included."""
    return tabular(service.statement_frame(service.statements(session, actor, site)), format,
                   f"statements-{site}")


@router.get("/api/v1/resources/statements/{statement_id}/workbook", response_class=Response,
            responses={200: {"description": "The workbook", "content": {XLSX: {}}}})
def statement_workbook(statement_id: DbId, request: Request, session: DB,
                       actor: ApiActor) -> Response:
    """A statement as an Excel workbook (statement with its notes, grade-tonnage table)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"statement-{statement_id}.xlsx"
        service.statement_workbook(session, actor, request.app.state.platform.settings.home,
                                   statement_id, path)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="statement-{statement_id}.xlsx"'})


def _reserve_report(request: Request, session: DB, actor: ApiActor, code: str, year: int,
                    kind: str, media_type: str) -> Response:
    data, name = reserve_report.document(session, actor, request.app.state.platform.settings.home,
                                         code, year, kind)
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/v1/sites/{code}/reserve-report/{year}.xlsx", response_class=Response,
            responses={200: {"description": "The workbook", "content": {XLSX: {}}}})
def reserve_report_workbook(code: str, year: Year, request: Request, session: DB,
                            actor: ApiActor, lang: Lang = None) -> Response:
    """A mine's annual reserve report (矿山储量年报) of ``year`` as an Excel workbook: opening,
    mined, lost, exploration, re-estimation and closing by GB/T 17766-2020 category (ore t,
    gold kg, grade g/t), in the reader's language."""
    return _reserve_report(request, session, actor, code, year, "xlsx", XLSX)


@router.get("/api/v1/sites/{code}/reserve-report/{year}.pdf", response_class=Response,
            responses={200: {"description": "The report (PDF)", "content": {PDF: {}}}})
def reserve_report_pdf(code: str, year: Year, request: Request, session: DB,
                       actor: ApiActor, lang: Lang = None) -> Response:
    """A mine's annual reserve report of ``year`` as a PDF (A4 landscape), in the reader's
    language."""
    return _reserve_report(request, session, actor, code, year, "pdf", PDF)


@router.get("/api/v1/resources/models/{model_id}/blocks", response_class=Response,
            responses={200: {"description": "One row per block: x, y, z (block centres, m), "
                             "i, j, k (indices), estimate (g/t), estimate_variance, "
                             "estimate_n_samples, estimate_slope, estimate_efficiency, "
                             "resource_class and tonnes (t); CSV, or Parquet with "
                             "format=parquet; an OMF file with format=omf",
                             "content": {"text/csv": {}, "application/vnd.apache.parquet": {},
                                         "application/octet-stream": {}}}})
def model_blocks(model_id: DbId, request: Request, session: DB, actor: ApiActor,
                 format: str = "csv") -> Response:
    """The blocks of a model as CSV, Parquet or OMF."""
    home = request.app.state.platform.settings.home
    if format == "omf":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"model-{model_id}.omf"
            service.model_omf(session, actor, home, model_id, path)
            return Response(path.read_bytes(), media_type="application/octet-stream",
                            headers={"Content-Disposition":
                                     f'attachment; filename="model-{model_id}.omf"'})
    blocks = service.load_blocks(session, actor, home, model_id)
    if format == "parquet":
        buf = io.BytesIO()
        blocks.to_parquet(buf, index=False)
        return Response(buf.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition":
                                 f'attachment; filename="model-{model_id}.parquet"'})
    return tabular(blocks, "csv", f"model-{model_id}")


@router.post("/api/v1/resources/estimate", status_code=201, response_model=StatementOut)
async def run_estimate(request: Request, session: DB, actor: ApiActor, samples: UploadFile,
                       spec: UploadFile) -> dict[str, Any]:
    """Estimate a mine's model from composites (CSV: x, y, z, value[, hole]) and a spec
    (YAML: the run-file keys without paths, plus ``site``, ``year``, ``density``
    (t/m³), ``cutoff`` (g/t) and ``classification``) and publish its statement."""
    spec_name, text = await received(spec, "spec.yaml")
    samples_name, content = await received(samples, "samples.csv")
    statement = service.estimate_from_files(
        session, actor, request.app.state.platform.settings.home, spec_name, text,
        samples_name, content)
    return {c: getattr(statement, c) for c in service.STATEMENT_COLUMNS[1:]} | {
        "id": statement.id}


@router.get("/resources", response_class=HTMLResponse, include_in_schema=False)
def resources_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    latest = service.latest_statements(session, actor)
    figure = {}
    if not latest.empty:
        figure = charts.latest_by_category(
            latest["site"].tolist(), {c: latest[f"{c}_gold_t"].tolist() for c in service.CLASSES})
    return render(request, "resources.html", actor=actor, rows=display_records(latest),
                  figure=figure)


@router.get("/resources/drillholes", response_class=HTMLResponse, include_in_schema=False)
def drillholes_form(request: Request, session: DB, actor: PageActor,
                    job: DbId | None = None) -> HTMLResponse:
    """The drillhole check's form, with the check a job of the caller's stored when ``job``
    names one."""
    if job is None:
        return render(request, "drillholes.html", actor=actor, result=None,
                      jobs=jobs.may_submit(actor), form=forms.FormState(_DRILLHOLE_FORM))
    check = drillholes.stored_check(session, actor, request.app.state.platform.settings.home, job)
    return _drillhole_check_page(request, actor, check)


class DrillholeForm(BaseModel):
    """The drillhole page's typed fields, with the bounds of the drillhole job's."""

    model_config = ConfigDict(extra="forbid")

    grade: str = Field(min_length=1, max_length=MAX_GRADE_COLUMN_CHARS)
    composite: float = Field(2.0, gt=0.0, le=MAX_COMPOSITE_M)


_DRILLHOLE_FORM = {"grade": "AU", "composite": "2"}
"""The drillhole form's first values."""


@router.post("/resources/drillholes", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def drillholes_page(request: Request, actor: PageActor, collar: UploadFile,
                          survey: UploadFile, assay: UploadFile,
                          grade: Annotated[str, Form(max_length=256)] = "",
                          composite: Annotated[str, Form(max_length=64)] = ""
                          ) -> HTMLResponse:
    """Validate uploaded drillholes, composite one grade and show the result (nothing is
    stored: this is the geologist's check before a model). Pages with JavaScript run it as a
    ``drillhole_check`` job instead; this is their fallback."""
    typed = {"grade": grade, "composite": composite}
    try:
        given = forms.parse(DrillholeForm, typed)
        files = {default: await received(upload, f"{default}.csv") for default, upload in (
            ("collar", collar), ("survey", survey), ("assay", assay))}
        check = drillholes.check_drillholes(files["collar"], files["survey"], files["assay"],
                                         given.grade, given.composite)
    except ValidationError as exc:
        # The files' problems (a row, a column of a CSV) in their table, the fields' at them.
        form = forms.refused(typed, exc.problems)
        return render(request, "drillholes.html", actor=actor, result=None, form=form,
                      problems=[p for p in exc.problems if p.column not in form.errors],
                      jobs=jobs.may_submit(actor), status_code=422)
    return _drillhole_check_page(request, actor, check, typed)


def _drillhole_check_page(request: Request, actor: Actor, check: drillholes.DrillholeCheck,
                          typed: dict[str, str] | None = None) -> HTMLResponse:
    grade = check.summary["grade"]
    figures = {"holes": charts.drillholes_3d(check.samples),
               "logprob": charts.log_probability_chart(check.log_probability, grade)}
    return render(request, "drillholes.html", actor=actor, figures=figures,
                  result=check.summary, problems=check.problems,
                  topcut=display_records(check.top_cut), jobs=jobs.may_submit(actor),
                  form=forms.FormState(typed or _DRILLHOLE_FORM | {"grade": grade}))


@router.get("/resources/{site_code}", response_class=HTMLResponse, include_in_schema=False)
def site_resources(site_code: str, request: Request, session: DB, actor: PageActor,
                   z: float | None = None, y: float | None = None) -> HTMLResponse:
    view = service.site_view(session, actor, request.app.state.platform.settings.home,
                             request.app.state.jobs, site_code)
    latest, model = view.latest, view.model
    checks = model.checks if model is not None else None
    reserve = reserve_report.site_section(session, actor, request.app.state.platform.settings.home,
                                          site_code)

    def build() -> dict[str, Any]:
        figures: dict[str, Any] = {}
        if latest is not None and latest.waterfall:
            figures["waterfall"] = charts.waterfall_chart(
                list(latest.waterfall.items()),
                _("%(resources)s: from %(previous)s to %(year)s",
                  resources=label("resources_total"), previous=latest.year - 1,
                  year=latest.year))
        if latest is not None and model is not None:
            # By default show the bench and the section where the gold is richest.
            figures |= {"plan": charts.plan_view(model.blocks,
                                                 model.richest_z if z is None else z),
                        "section": charts.section_view(model.blocks,
                                                       model.richest_y if y is None else y),
                        "blocks3d": charts.blocks_3d(model.blocks, model.samples,
                                                     latest.cutoff_gpt)}
        if checks is not None:
            if checks.experimental:
                figures["variogram"] = charts.variogram_chart(checks.experimental,
                                                              checks.model_curves)
                figures["swath"] = charts.swath_chart(checks.swaths)
            figures["gt"] = charts.grade_tonnage_chart(checks.grade_tonnage)
        if reserve is not None:
            figures["reserve"] = charts.reserve_movements_chart(
                reserve.rows, reserve.headings["items"], reserve.year)
        return figures

    # Thousands of blocks per chart: built once per data version (and once more when the
    # model's checks are stored, which writes no audited data), like the view.
    figures = cache.cached(cache.scope_key(session, actor, "resource-site-figures", site_code,
                                           z, y, checks is not None), build)
    return render(request, "resource_site.html", actor=actor, site=view.site,
                  statements=display_records(view.statements), figures=figures,
                  latest=latest, gt=display_records(checks.grade_tonnage) if checks else [],
                  checks=checks.stats if checks else {}, reserve=reserve,
                  pending=model.pending if model is not None else None)
