"""Supply security (issue 23): import sources from customs statistics, the supply-risk
indicator, long-term agreements, overseas projects and their social-responsibility records;
API and pages. Everything is read from the stored analysis (computed on each write)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.maps import kept_outlines
from aurum.api.charts.trade import WORLD_PATH, overseas_figures, trade_figures
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.labels.trade import country
from aurum.api.schemas.trade import (
    AgreementIn,
    AgreementOut,
    BatchOut,
    ConcentrationOut,
    CsrIn,
    CsrOut,
    ProjectIn,
    ProjectOut,
    RiskOut,
)
from aurum.api.tables import display_records, records
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import Year
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.services import trade as service
from aurum.services.auth import Actor
from aurum.services.maps import world_outlines_file

router = APIRouter(tags=["trade"])
API = "/api/v1/trade"
AGREEMENT_FIELDS = tuple(AgreementIn.model_fields)
PROJECT_FIELDS = tuple(ProjectIn.model_fields)
CSR_FIELDS = tuple(CsrIn.model_fields)


@router.get(WORLD_PATH, include_in_schema=False)
def world_outlines(request: Request) -> Response:
    return kept_outlines(world_outlines_file(request.app.state.platform.settings.home))


# --- the API ---------------------------------------------------------------------------------


@router.post(API + "/customs", status_code=201, response_model=BatchOut)
async def post_customs(file: UploadFile, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Store a customs statistics file (CSV or xlsx: ``hs_code, partner, customs_district,
    month, quantity_kg, value_usd|value_cny[, gold_kg]``), whole or not at all."""
    name, data = await received(file, "customs.csv")
    return _batch(session, service.import_customs(session, actor, data, name))


def _batch(session: DB, batch: Any) -> dict[str, Any]:
    first, last = service.batch_months(session, batch.id)
    return {"id": batch.id, "filename": batch.filename, "rows": batch.rows,
            "currency": batch.currency, "first_month": first, "last_month": last}


@router.get(API + "/concentration", response_model=list[ConcentrationOut])
def get_concentration(session: DB, actor: ApiActor,
                      kind: Literal["year", "month"] = "year",
                      year: Year | None = None) -> list[dict[str, Any]]:
    """HHI (shares in %, 0–10,000) and top-3 share of the partners per period and commodity,
    from the stored analysis: every year, or the months (``kind=month``) of one year or
    all."""
    return records(service.concentration_table(session, actor, kind, year))


@router.get(API + "/risk", response_model=RiskOut | None)
def get_risk(session: DB, actor: ApiActor) -> dict[str, Any] | None:
    """The supply-risk indicator of the latest complete year (null before any import)."""
    service.latest_analysis(session, actor)  # readers only, whatever the data
    return service.supply_risk_card(session, actor)


@router.get(API + "/agreements", response_model=list[AgreementOut])
def get_agreements(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The long-term supply agreements in force."""
    return records(service.agreements_frame(session, actor))


@router.post(API + "/agreements", status_code=201, response_model=AgreementOut)
def post_agreement(body: AgreementIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record an agreement (or, with ``supersedes``, the correction of one in force)."""
    row = service.add_agreement_in(session, actor, body.model_dump())
    frame = service.agreements_frame(session, actor)
    return records(frame[frame["id"] == row.id])[0]


@router.get(API + "/overseas/projects", response_model=list[ProjectOut])
def get_projects(session: DB, actor: ApiActor, history: bool = False) -> list[dict[str, Any]]:
    """Overseas project entries in the caller's scope: the current version of each project
    and year, or every version with ``history``."""
    return records(service.projects_frame(session, actor, history))


@router.post(API + "/overseas/projects", status_code=201, response_model=ProjectOut)
def post_project(body: ProjectIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record a project's entry for a year (a second one is its correction, with a reason)."""
    row = service.record_project_in(session, actor, body.model_dump())
    frame = service.projects_frame(session, actor, history=True)
    return records(frame[(frame["code"] == row.code) & (frame["year"] == row.year)
                         & (frame["version"] == row.version)])[0]


@router.get(API + "/overseas/csr", response_model=list[CsrOut])
def get_csr(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """Current social-responsibility records in the caller's scope."""
    return records(service.csr_frame(session, actor))


@router.post(API + "/overseas/csr", status_code=201, response_model=CsrOut)
def post_csr(body: CsrIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record a project's social-responsibility record of a year."""
    row = service.record_csr_in(session, actor, body.model_dump())
    frame = service.csr_frame(session, actor)
    return records(frame[(frame["code"] == row.code) & (frame["year"] == row.year)])[0]


# --- the pages -------------------------------------------------------------------------------


def _trade_page(request: Request, session: DB, actor: Actor,
                customs_form: forms.FormState | None = None,
                agreement_form: forms.FormState | None = None,
                status_code: int = 200) -> HTMLResponse:
    view = service.trade_view(session, actor)
    analysis = view.analysis
    risk = service.supply_risk_card(session, actor)
    year = risk["year"] if risk else None
    figures = trade_figures(analysis.concentration, analysis.dependence, analysis.coverage,
                            year) if analysis else {}
    dependence = [] if analysis is None else [
        {**d, "country": country(d["partner"])} for d in analysis.dependence
        if d["year"] == year and d["commodity"] == "all"][:15]
    agreements = [{**a, "country": country(a["partner"])}
                  for a in display_records(view.agreements)]
    coverage = [] if analysis is None else analysis.coverage
    return render(request, "trade_index.html", status_code=status_code, actor=actor,
                  risk=risk, figures=figures, dependence=dependence, agreements=agreements,
                  coverage=coverage, batches=display_records(view.batches),
                  trends=[] if analysis is None else analysis.trends,
                  can_write=service.can_record_national(actor),
                  customs_form=customs_form or forms.FormState({}),
                  agreement_form=agreement_form or forms.FormState(
                      {"price_basis": "lbma_pm", "commodity": "ore"}))


@router.get("/trade", response_class=HTMLResponse, include_in_schema=False)
def trade_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _trade_page(request, session, actor)


@router.post("/trade/customs", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def customs_page(request: Request, session: DB, actor: PageActor,
                       customs: UploadFile | None = None) -> Any:
    """A customs file from the page's form."""
    service.require_national_writer(actor)  # who may write, before what was sent
    try:
        if customs is None:
            raise ValidationError(Problem(_("choose a customs statistics file"),
                                                column="customs"))
        name, data = await received(customs, "customs.csv")
        service.import_customs(session, actor, data, name)
    except ValidationError as exc:
        return _trade_page(request, session, actor,
                           customs_form=forms.refused({}, exc.problems), status_code=422)
    return RedirectResponse("/trade#customs", status_code=303)


@router.post("/trade/agreements", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def agreement_page(request: Request, session: DB, actor: PageActor) -> Any:
    """An agreement from the page's form."""
    service.require_national_writer(actor)
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in AGREEMENT_FIELDS}
    try:
        service.add_agreement_in(session, actor, forms.parse(AgreementIn, typed).model_dump())
    except (ValidationError, NotFoundError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [
            Problem(str(exc), column="org")]
        return _trade_page(request, session, actor, agreement_form=forms.refused(
            typed, problems), status_code=422)
    return RedirectResponse("/trade#agreements", status_code=303)


def _overseas_page(request: Request, session: DB, actor: Actor,
                   project_form: forms.FormState | None = None,
                   csr_form: forms.FormState | None = None,
                   status_code: int = 200) -> HTMLResponse:
    projects = service.projects_frame(session, actor)
    csr = service.csr_frame(session, actor)
    orgs = service.writable_orgs(session, actor)
    rows = [{**p, "country_name": country(p["country"])} for p in display_records(projects)]
    defaults = {"org": orgs[0] if orgs else "", "kind": "mine", "stage": "production"}
    return render(request, "trade_overseas.html", status_code=status_code, actor=actor,
                  projects=rows, csr=display_records(csr), orgs=orgs,
                  figures=overseas_figures(projects, csr),
                  project_form=project_form or forms.FormState(defaults),
                  csr_form=csr_form or forms.FormState({"org": defaults["org"]}))


@router.get("/trade/overseas", response_class=HTMLResponse, include_in_schema=False)
def overseas_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _overseas_page(request, session, actor)


@router.post("/trade/overseas/projects", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def project_page(request: Request, session: DB, actor: PageActor) -> Any:
    """A project's entry from the page's form."""
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in PROJECT_FIELDS}
    typed["belt_and_road"] = "true" if sent.get("belt_and_road") else "false"
    try:
        service.record_project_in(session, actor, forms.parse(ProjectIn, typed).model_dump())
    except ValidationError as exc:
        return _overseas_page(request, session, actor, project_form=forms.refused(
            typed, exc.problems), status_code=422)
    return RedirectResponse("/trade/overseas#projects", status_code=303)


@router.post("/trade/overseas/csr", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def csr_page(request: Request, session: DB, actor: PageActor) -> Any:
    """A social-responsibility record from the page's form."""
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in CSR_FIELDS}
    try:
        service.record_csr_in(session, actor, forms.parse(CsrIn, typed).model_dump())
    except ValidationError as exc:
        return _overseas_page(request, session, actor, csr_form=forms.refused(
            typed, exc.problems), status_code=422)
    return RedirectResponse("/trade/overseas#csr", status_code=303)
