"""Proficiency testing of laboratories (issue 22): reference materials, rounds, results,
a round's statistics and a laboratory's history; API and pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.metrology import flags_chart, history_chart, received_chart, z_chart
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.metrology import (
    LabHistoryOut,
    LabOut,
    MaterialIn,
    MaterialOut,
    ResultIn,
    ResultOut,
    RoundDetailOut,
    RoundIn,
    RoundOut,
)
from aurum.api.templating import render
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import metrology as service
from aurum.services.auth import Actor

router = APIRouter(tags=["metrology"])
API = "/api/v1/metrology"
RESULT_FIELDS = ("value", "uncertainty")


@router.get(API + "/reference-materials", response_model=list[MaterialOut])
def list_materials(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The reference materials of the metrology centre, by code."""
    return [service.material_record(m) for m in service.reference_materials(session, actor)]


@router.post(API + "/reference-materials", status_code=201, response_model=MaterialOut)
def post_material(body: MaterialIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Register a reference material (an administrator or a national regulator)."""
    return service.material_record(service.create_reference_material(
        session, actor, service.MaterialSpec(**body.model_dump())))


@router.get(API + "/rounds", response_model=list[RoundOut])
def list_rounds(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The proficiency-test rounds, the latest to close first."""
    return [service.round_record(r) for r in service.rounds(session, actor)]


@router.post(API + "/rounds", status_code=201, response_model=RoundOut)
def post_round(body: RoundIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Open a round (an administrator or a national regulator)."""
    return service.round_record(service.create_round(session, actor,
                                                     service.RoundSpec(**body.model_dump())))


@router.get(API + "/rounds/{code}", response_model=RoundDetailOut)
def get_round(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A round with its statistics, stored when it was closed (laboratories by name to
    the readers, by participant code to the other laboratories)."""
    return service.round_detail(session, actor, code)


@router.post(API + "/rounds/{code}/results", status_code=201, response_model=ResultOut)
def post_result(code: str, body: ResultIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Submit a laboratory's result (its own users); a later one supersedes it."""
    return service.result_record(service.submit_result(session, actor, code, body.value,
                                                       body.uncertainty, body.lab))


@router.post(API + "/rounds/{code}/close", response_model=RoundDetailOut)
def post_close(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Close a round: its statistics are computed now and stored."""
    service.close_round(session, actor, code)
    return service.round_detail(session, actor, code)


@router.get(API + "/labs", response_model=list[LabOut])
def list_labs(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The laboratories whose history the caller may read."""
    return service.laboratories(session, actor)


@router.get(API + "/labs/{code}", response_model=LabHistoryOut)
def get_lab(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A laboratory's scores across the closed rounds, oldest first."""
    org, history = service.lab_history(session, actor, code)
    return {"code": org.code, "name": org.name, "province": org.province, "rounds": history}


# --- the pages ------------------------------------------------------------------------------


@router.get("/metrology", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    rounds = [service.round_record(r) for r in service.rounds(session, actor)]
    return render(request, "metrology_index.html", actor=actor, rounds=rounds,
                  materials=[service.material_record(m)
                             for m in service.reference_materials(session, actor)],
                  labs=service.laboratories(session, actor),
                  figure=flags_chart(rounds, _("Laboratories by performance flag in each "
                                               "closed round")))


def _round_page(request: Request, session: DB, actor: Actor, code: str,
                form: forms.FormState | None = None, status_code: int = 200) -> HTMLResponse:
    view = service.round_view(session, actor, code)
    figure = None
    m = view.material
    if view.statistics is not None:
        figure = z_chart(view.scores, _("z-scores of round %(code)s", code=view.round.code))
    elif view.received:  # open: the results so far, scored when it closes
        figure = received_chart(
            view.received, view.round.unit,
            _("Results received so far in round %(code)s", code=view.round.code),
            None if m is None else (m.certified_value, m.expanded_uncertainty,
                                    m.coverage_factor))
    return render(request, "metrology_round.html", status_code=status_code, actor=actor,
                  view=view, figure=figure, form=form or forms.FormState({}))


@router.get("/metrology/rounds/{code}", response_class=HTMLResponse, include_in_schema=False)
def round_page(code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _round_page(request, session, actor, code)


@router.post("/metrology/rounds/{code}/results", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def result_page(code: str, request: Request, session: DB, actor: PageActor) -> Any:
    """A laboratory's result from the round page's form."""
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in RESULT_FIELDS}
    try:
        body = forms.parse(ResultIn, typed)
        service.submit_result(session, actor, code, body.value, body.uncertainty)
    except ValidationError as exc:
        return _round_page(request, session, actor, code, forms.refused(typed, exc.problems),
                           422)
    return RedirectResponse(f"/metrology/rounds/{code}#results", status_code=303)


@router.post("/metrology/rounds/{code}/close", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
def close_page(code: str, request: Request, session: DB, actor: PageActor) -> Any:
    """Close the round from its page."""
    try:
        service.close_round(session, actor, code)
    except ValidationError as exc:
        return _round_page(request, session, actor, code, forms.refused({}, exc.problems), 422)
    return RedirectResponse(f"/metrology/rounds/{code}", status_code=303)


@router.get("/metrology/labs/{code}", response_class=HTMLResponse, include_in_schema=False)
def lab_page(code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    org, history = service.lab_history(session, actor, code)
    figure = history_chart(history, _("z-scores of %(lab)s across rounds", lab=org.name)) \
        if history else None
    return render(request, "metrology_lab.html", actor=actor, lab=org, history=history,
                  figure=figure)
