"""Supply–demand matching (供需对接, issue 22): downstream users' needs and their ranked
matches; JSON under ``/api/v1/materials/needs`` and the pages under ``/materials/matching``
and ``/materials/needs``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.matching import gaps_chart, ranges_chart, score_chart
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.matching import (
    GapOut,
    NeedDetailOut,
    NeedFieldsIn,
    NeedIn,
    NeedOut,
    RematchOut,
    StatusIn,
)
from aurum.api.templating import render
from aurum.core.checks import DbId
from aurum.core.errors import ValidationError
from aurum.services import matching as service
from aurum.services.auth import Actor

router = APIRouter(tags=["matching"])
API = "/api/v1/materials/needs"
Kind = Annotated[str | None, Query(max_length=32)]
RANGE_ROWS = 5
"""Property rows the page's need form offers."""
NEED_FIELDS = ("kind", "title", "quantity", "quantity_unit", "needed_by", "lat", "lon",
               "org_code")
RANGE_FIELDS = tuple(f"{name}_{k}" for k in range(1, RANGE_ROWS + 1)
                     for name in ("property", "min", "max"))
STATUS_FIELDS = ("status", "reason")


@router.get(API, response_model=list[NeedOut])
def list_needs(session: DB, actor: ApiActor,
               status: Literal["open", "closed", "withdrawn"] = "open",
               kind: Kind = None) -> list[dict[str, Any]]:
    """The needs the caller reads (its own, those its products match, or all for admin,
    regulators and auditors), the soonest needed first."""
    return service.list_needs(session, actor, status, kind)


def _poster(session: DB, actor: ApiActor) -> None:
    """Refuse a caller who may not post needs before its body is validated."""
    service.require_poster(session, actor)


@router.post(API, status_code=201, response_model=NeedDetailOut,
             dependencies=[Depends(_poster)])
def post_need(body: NeedIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Post a need (a downstream user; an administrator names the buyer in ``org_code``): it
    is matched now and the matching stored."""
    need = service.post_need(
        session, actor, kind=body.kind, title=body.title,
        ranges=[r.model_dump() for r in body.ranges], quantity=body.quantity,
        quantity_unit=body.quantity_unit, needed_by=body.needed_by, lat=body.lat,
        lon=body.lon, org_code=body.org_code)
    return service.need_detail(session, actor, need.id)


@router.get(API + "/gaps", response_model=list[GapOut])
def list_gaps(session: DB, actor: ApiActor) -> Any:
    """Open needs per material kind: with a qualified product, and the supply gaps."""
    return service.board(session, actor).by_kind.to_dict("records")


@router.post(API + "/rematch", response_model=RematchOut)
def rematch(session: DB, actor: ApiActor, kind: Kind = None) -> dict[str, int]:
    """Match again the open needs (of a kind) whose products changed since their matching."""
    return {"rematched": service.refresh(session, actor, kind)}


@router.get(API + "/{need_id}", response_model=NeedDetailOut)
def get_need(need_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A need with its ranked qualified products, the unproven ones and (for its buyer and
    those who read everything) the rejected ones, each with the facts that explain it."""
    return service.need_detail(session, actor, need_id)


@router.post(API + "/{need_id}/status", response_model=NeedDetailOut)
def post_status(need_id: DbId, body: StatusIn, session: DB, actor: ApiActor
                ) -> dict[str, Any]:
    """Close (fulfilled) or withdraw an open need: a new status entry (its buyer)."""
    service.set_status(session, actor, need_id, body.status, body.reason)
    return service.need_detail(session, actor, need_id)


# --- the pages ------------------------------------------------------------------------------


def _board(request: Request, session: DB, actor: Actor, form: forms.FormState | None = None,
           status_code: int = 200) -> HTMLResponse:
    view = service.board(session, actor)
    return render(request, "matching_board.html", status_code=status_code, actor=actor,
                  view=view, figure=gaps_chart(view.by_kind),
                  choices=service.form_choices(session, actor), rows=RANGE_ROWS,
                  stale=any(n["matching"] and not n["matching"]["up_to_date"]
                            for n in view.needs),
                  form=form or forms.FormState({"quantity_unit": "kg"}))


@router.get("/materials/matching", response_class=HTMLResponse, include_in_schema=False)
def board_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _board(request, session, actor)


def _number(text: str) -> float | str | None:
    """A limit as typed: blank is none, a number is a number, anything else is passed on for
    the service to refuse by its field."""
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return text


@router.post("/materials/matching/needs", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def need_form(request: Request, session: DB, actor: PageActor) -> Any:
    """A need from the board's form: its fields and up to :data:`RANGE_ROWS` property rows
    (a row without a property is left out)."""
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:200] for k in NEED_FIELDS + RANGE_FIELDS}
    service.require_poster(session, actor)  # who may post, before what was typed
    ranges = [{"property": typed[f"property_{k}"].strip(),
               "min": _number(typed[f"min_{k}"]), "max": _number(typed[f"max_{k}"])}
              for k in range(1, RANGE_ROWS + 1) if typed[f"property_{k}"].strip()]
    try:
        body = forms.parse(NeedFieldsIn, {k: typed[k] for k in NEED_FIELDS})
        need = service.post_need(
            session, actor, kind=body.kind, title=body.title, ranges=ranges,
            quantity=body.quantity, quantity_unit=body.quantity_unit,
            needed_by=body.needed_by, lat=body.lat, lon=body.lon, org_code=body.org_code)
    except ValidationError as exc:
        return _board(request, session, actor, forms.refused(typed, exc.problems), 422)
    return RedirectResponse(f"/materials/needs/{need.id}", status_code=303)


@router.post("/materials/matching/rematch", include_in_schema=False, dependencies=[CSRF])
def rematch_page(session: DB, actor: PageActor) -> RedirectResponse:
    """Match again the open needs whose products changed (the board's button)."""
    service.refresh(session, actor)
    return RedirectResponse("/materials/matching", status_code=303)


def _need_page(request: Request, session: DB, actor: Actor, need_id: int,
               form: forms.FormState | None = None, status_code: int = 200) -> HTMLResponse:
    view = service.need_view(session, actor, need_id)
    shown = view.qualified + view.unproven + (view.rejected or [])
    matching = view.need["matching"]
    figures = {"score": score_chart(view.qualified, matching["weights"]) if matching else None,
               "ranges": [ranges_chart(r, shown) for r in view.need["ranges"]]}
    return render(request, "matching_need.html", status_code=status_code, actor=actor,
                  view=view, figures=figures, form=form or forms.FormState({}))


@router.get("/materials/needs/{need_id}", response_class=HTMLResponse, include_in_schema=False)
def need_page(need_id: DbId, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _need_page(request, session, actor, need_id)


@router.post("/materials/needs/{need_id}/status", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def status_form(need_id: DbId, request: Request, session: DB, actor: PageActor) -> Any:
    """Close or withdraw the need from its page's form."""
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:600] for k in STATUS_FIELDS}
    try:
        service.set_status(session, actor, need_id, typed["status"], typed["reason"])
    except ValidationError as exc:
        return _need_page(request, session, actor, need_id,
                          forms.refused(typed, exc.problems), 422)
    return RedirectResponse(f"/materials/needs/{need_id}", status_code=303)
