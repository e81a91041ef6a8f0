"""A deep mine's stope plans (issue 20): stopes, schedule and backfill; API and pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.underground import fill_balance_chart, stope_gantt, stopes_3d
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.underground import (
    StopePlanDetailOut,
    StopePlanIn,
    StopePlanOut,
    StopeRow,
)
from aurum.api.tables import TableFormat, display_records, table_responses, tabular
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import jobs
from aurum.services import underground as service
from aurum.services import underground_views as views
from aurum.services.auth import Actor

router = APIRouter(tags=["underground"])
API = "/api/v1/sites/{code}/stope-plans"
OMF = "application/octet-stream"


def _home(request: Request) -> Any:
    return request.app.state.platform.settings.home


def _queue(request: Request) -> jobs.JobQueue:
    queue: jobs.JobQueue = request.app.state.jobs
    return queue


@router.get(API, response_model=list[StopePlanOut])
def list_plans(code: str, session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """A mine's stope plans, newest first."""
    return [service.plan_record(p) for p in service.plans(session, actor, code)]


def _writer(code: str, session: DB, actor: ApiActor) -> None:
    """Refuse a caller who may not plan the mine before its body is validated (a reader who
    may not write is told so, whatever it sent)."""
    service.writable_site(session, actor, code)


@router.post(API, status_code=201, response_model=StopePlanOut,
             dependencies=[Depends(_writer)])
def post_plan(code: str, body: StopePlanIn, request: Request, session: DB,
              actor: ApiActor) -> dict[str, Any]:
    """Plan a mine's stopes on one of its resource models (``model_id``, with the economics
    that price its blocks): the stopes, their schedule with the fill cycle and the monthly
    backfill balance, stored as its next plan. A model of more than 50,000 blocks is
    planned as a job (``POST /api/v1/jobs``, kind ``stope_plan``), as is an uploaded
    ``BLOCKS.csv``."""
    plan = service.plan_inline(session, actor, _home(request), code, body.model_dump())
    return service.plan_record(plan)


@router.get(API + "/{plan_id}", response_model=StopePlanDetailOut)
def get_plan(code: str, plan_id: DbId, request: Request, session: DB,
             actor: ApiActor) -> dict[str, Any]:
    """A plan with its schedule (per stope) and its fill balance (per month)."""
    return service.plan_detail(session, actor, _home(request), code, plan_id)


@router.get(API + "/{plan_id}/stopes", responses=table_responses(StopeRow, "The stopes"))
def plan_stopes(code: str, plan_id: DbId, request: Request, session: DB, actor: ApiActor,
                format: TableFormat = "json") -> Response:
    """A plan's stopes: block indices, box (m), ore (t), value (CNY), void (m³) and the
    months mined and filled."""
    return tabular(service.stope_table(session, actor, _home(request), code, plan_id), format,
                   f"stopes-{code}-{plan_id}")


@router.get(API + "/{plan_id}/stopes.omf", response_class=Response,
            responses={200: {"description": "The stope solids (OMF v1)",
                             "content": {OMF: {}}}})
def plan_stopes_omf(code: str, plan_id: DbId, request: Request, session: DB,
                    actor: ApiActor) -> Response:
    """A plan's stope solids as an OMF file (a surface of boxes with each stope's id,
    month mined and value)."""
    data = views.stopes_omf(session, actor, _home(request), code, plan_id)
    return Response(data, media_type=OMF, headers={
        "Content-Disposition": f'attachment; filename="stopes-{code}-{plan_id}.omf"'})


# --- the pages ------------------------------------------------------------------------------


@router.get("/underground", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    mines = display_records(views.deep_mines_frame(session, actor))
    # The mines with a plan, with their figures; the others (each reachable to plan) apart.
    return render(request, "underground_index.html", actor=actor,
                  mines=[m for m in mines if m["version"] is not None],
                  unplanned=[m for m in mines if m["version"] is None])


def _page(request: Request, session: DB, actor: Actor, code: str,
          form: forms.FormState | None = None, status_code: int = 200) -> HTMLResponse:
    view = views.site_plan_view(session, actor, _home(request), code)
    figures: dict[str, Any] = {}
    if view.latest is not None and view.frames is not None and view.boxes is not None:
        plan = view.latest
        stopes = display_records(view.boxes)
        figures = {
            "stopes": stopes_3d(display_records(view.drawn), [] if view.blocks is None else
                                display_records(view.blocks),
                                _("Stopes of plan %(version)s by month mined",
                                  version=plan.version), view.months, view.model_box),
            "gantt": stope_gantt(stopes, view.months, _("Schedule and fill cycle")),
            "balance": fill_balance_chart(display_records(view.frames.balance),
                                          _("Tailings to backfill and to the facility"))}
    return render(request, "underground_site.html", status_code=status_code, actor=actor,
                  view=view, figures=figures,
                  form=form or forms.FormState(views.form_defaults(view)),
                  directions=["bottom_up", "top_down"],
                  shapes=[("box", _("box stopes")),
                          ("vein", _("vein shapes (walls following the vein)"))],
                  recipes=["cemented_paste", "cemented_hydraulic", "hydraulic"])


@router.get("/underground/{code}", response_class=HTMLResponse, include_in_schema=False)
def site_page(code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _page(request, session, actor, code)


FORM_FIELDS = tuple(StopePlanIn.model_fields)


@router.post("/underground/{code}/plans", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def plan_page(code: str, request: Request, session: DB, actor: PageActor,
                    blocks: UploadFile | None = None) -> Any:
    """A plan from the page's form: made at once, or queued as a job for a large model."""
    service.writable_site(session, actor, code)  # who may write, before what was typed
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in FORM_FIELDS}
    typed["exact"] = "true" if sent.get("exact") else ""
    try:
        given = forms.parse(StopePlanIn, typed)
        upload = await received(blocks, "blocks.csv") if blocks is not None else None
        done = service.plan_or_submit(session, actor, _home(request), _queue(request), code,
                                      given.model_dump(),
                                      upload if upload and upload[1] else None)
    except ValidationError as exc:
        return _page(request, session, actor, code, forms.refused(typed, exc.problems), 422)
    if isinstance(done, jobs.JobView):
        return RedirectResponse("/jobs", status_code=303)
    return RedirectResponse(f"/underground/{code}#latest", status_code=303)

