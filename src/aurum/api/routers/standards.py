"""The gold field's standards registry (issue 22): the standards map and a standard's page,
and the JSON API of the registry, its status changes, counterparts and implementation
records."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.standards import effect_chart, standards_map, status_history
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.standards import (
    CounterpartIn,
    CounterpartOut,
    DirectionKey,
    ImplementationFields,
    ImplementationIn,
    ImplementationOut,
    IndicatorIn,
    LevelKey,
    StandardDetailOut,
    StandardIn,
    StandardOut,
    StatusChangeIn,
    StatusKey,
    TagKey,
)
from aurum.api.tables import Col, Spec, table_page
from aurum.api.templating import render
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.i18n import lazy_gettext as lazy
from aurum.services import standards as service
from aurum.services.auth import Actor

router = APIRouter(tags=["standards"])
API = "/api/v1/standards"

TABLE = Spec("standards", (
    Col("number"), Col("title"), Col("level", "label:level_", choices=True),
    Col("status", "label", choices=True), Col("committee"), Col("published_on"),
    Col("areas"), Col("confirmed")))
"""The registry's table: every standard, filtered by level and status, searched by number,
title, committee and area."""
HEADERS = {"number": lazy("Number"), "title": lazy("Title"), "level": lazy("Level"),
           "status": lazy("Status"), "committee": lazy("Technical committee"),
           "published_on": lazy("Published on"), "areas": lazy("Priority areas"),
           "confirmed": lazy("Confirmed")}
"""The table's headers (the registry's own words for its columns)."""


@router.get(API, response_model=list[StandardOut])
def list_standards(session: DB, actor: ApiActor, status: StatusKey | None = None,
                   tag: TagKey | None = None, level: LevelKey | None = None
                   ) -> list[dict[str, Any]]:
    """The registry by number, narrowed to a status, a priority-area tag and a level."""
    return [service.standard_record(s) for s in service.list_standards(
        session, actor, status and status.value, tag and tag.value, level and level.value)]


@router.post(API, status_code=201, response_model=StandardOut)
def post_standard(body: StandardIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Add a standard (administrators and national regulators): its number is parsed and
    checked, its first status recorded in its history."""
    service.require_editor(actor)
    return service.standard_record(service.create_standard(
        session, actor, body.model_dump(mode="json")))


@router.get(API + "/{code}", response_model=StandardDetailOut)
def get_standard(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A standard (by its web address, ``gb-t-4134-2021``) with its status history,
    counterparts, the implementation records the caller may read and their effect."""
    return service.standard_detail(service.standard_view(session, actor, code))


@router.post(API + "/{code}/status", response_model=StandardOut)
def post_status(code: str, body: StatusChangeIn, session: DB, actor: ApiActor
                ) -> dict[str, Any]:
    """Move a standard along its lifecycle (planned → drafting → published → under
    revision → withdrawn; a forbidden move is refused with the moves allowed)."""
    return service.standard_record(service.change_status(
        session, actor, code, body.status.value, body.on, body.reason, body.superseded_by))


@router.post(API + "/{code}/counterparts", status_code=201, response_model=CounterpartOut)
def post_counterpart(code: str, body: CounterpartIn, session: DB, actor: ApiActor
                     ) -> dict[str, Any]:
    """Record an international counterpart or its new recognition status."""
    return service.counterpart_record(service.add_counterpart(
        session, actor, code, body.body.value, body.reference, body.relation.value,
        body.recognition.value, body.note))


@router.post(API + "/{code}/implementations", status_code=201,
             response_model=ImplementationOut)
def post_implementation(code: str, body: ImplementationIn, session: DB, actor: ApiActor
                        ) -> dict[str, Any]:
    """Record that the caller's organisation applies the standard, with indicators before
    and after (their change is computed and stored now)."""
    return service.implementation_record(service.record_implementation(
        session, actor, code, body.organisation, body.started_on, body.summary,
        [i.model_dump(mode="json") for i in body.indicators], body.corrects))


# --- the pages ------------------------------------------------------------------------------


@router.get("/standards", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> Any:
    rows = service.list_standards(session, actor)
    table = table_page(request, service.table_rows(rows), TABLE)
    if table.query.format:
        return table.download()
    table.headers = [replace(h, title=str(HEADERS.get(h.key, h.title))) for h in table.headers]
    table.filters = [replace(f, title=str(HEADERS.get(f.param, f.title)))
                     for f in table.filters]
    figure = standards_map(service.map_counts(rows), _(
        "The standards map: standards by status and priority area"))
    return render(request, "standards_index.html", actor=actor, table=table, figure=figure,
                  total=len(rows), can_edit=service.can_edit(actor))


STATUS_FIELDS = tuple(StatusChangeIn.model_fields)
IMPLEMENTATION_FIELDS = tuple(ImplementationFields.model_fields)
INDICATOR_ROWS = 5
"""Indicators the page's implementation form offers (a record may carry more through the
API)."""
INDICATOR_KEYS = tuple(IndicatorIn.model_fields)
INDICATOR_FIELDS = tuple(f"indicators[{i}].{k}" for i in range(1, INDICATOR_ROWS + 1)
                         for k in INDICATOR_KEYS)
"""The form's indicator fields, named as the service names an indicator's problems
(``indicators[2].before``) so that each problem comes back next to its field."""


def _page(request: Request, session: DB, actor: Actor, code: str,
          state: dict[str, forms.FormState] | None = None,
          status_code: int = 200) -> HTMLResponse:
    view = service.standard_view(session, actor, code)
    detail = service.standard_detail(view)
    figures = {
        "history": status_history(detail["history"], _("Status history")),
        "effect": effect_chart(detail["implementations"], _(
            "Change with the standard applied, per indicator")) if view.implementations
        else None}
    writable = {o.id for o in view.writable_orgs}
    # A record is corrected by its organisation: the form offers the reader's own records.
    correctable = [(r.id, f"{r.organisation.code} · {r.started_on.isoformat()} · "
                          f"{r.summary[:60]}")
                   for r in view.implementations if r.org_id in writable]
    return render(request, "standards_detail.html", status_code=status_code, actor=actor,
                  view=view, detail=detail, figures=figures,
                  forms={"status": forms.FormState({}), "implementation": forms.FormState({}),
                         **(state or {})},
                  indicator_rows=range(1, INDICATOR_ROWS + 1),
                  directions=[d.value for d in DirectionKey],
                  implemented=view.standard.status in service.IMPLEMENTED,
                  organisations=[(o.code, f"{o.code} {o.name}") for o in view.writable_orgs],
                  correctable=correctable)


@router.get("/standards/{code}", response_class=HTMLResponse, include_in_schema=False)
def standard_page(code: str, request: Request, session: DB, actor: PageActor
                  ) -> HTMLResponse:
    return _page(request, session, actor, code)


@router.post("/standards/{code}/status", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def status_form(code: str, request: Request, session: DB, actor: PageActor) -> Any:
    """A move along the lifecycle from the standard's page (the registry's keepers)."""
    service.require_editor(actor)  # who may, before what was typed
    slug = service.get_standard(session, actor, code).slug
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:1000] for k in STATUS_FIELDS}
    try:
        given = forms.parse(StatusChangeIn, typed)
        try:
            service.change_status(session, actor, slug, given.status.value, given.on,
                                  given.reason, given.superseded_by)
        except NotFoundError as exc:  # the standard was read above: the later edition is not
            raise ValidationError(Problem(str(exc), column="superseded_by")) from None
    except ValidationError as exc:
        return _page(request, session, actor, slug,
                     {"status": forms.refused(typed, exc.problems)}, 422)
    return RedirectResponse(f"/standards/{slug}#history", status_code=303)


def _indicators(typed: dict[str, str]) -> list[dict[str, object]]:
    """The form's indicator rows up to the last one typed in (a blank row between two is
    refused at its place); a value that is not a number is passed on as typed, for the
    service to refuse by its field."""
    rows = [{k: typed[f"indicators[{i}].{k}"].strip() for k in INDICATOR_KEYS}
            for i in range(1, INDICATOR_ROWS + 1)]
    filled = [i for i, r in enumerate(rows)
              if any(r[k] for k in ("name", "unit", "before", "after"))]
    return [r | {k: _number(r[k]) for k in ("before", "after")}
            for r in rows[:filled[-1] + 1]] if filled else []


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


@router.post("/standards/{code}/implementations", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def implementation_form(code: str, request: Request, session: DB, actor: PageActor
                              ) -> Any:
    """An implementation record from the standard's page: the reader's organisation, what was
    done and up to :data:`INDICATOR_ROWS` indicators before and after, in their units."""
    service.require_recorder(actor)  # who may, before what was typed
    slug = service.get_standard(session, actor, code).slug
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:600] for k in (*IMPLEMENTATION_FIELDS,
                                                     *INDICATOR_FIELDS)}
    try:
        given = forms.parse(ImplementationFields,
                            {k: typed[k] for k in IMPLEMENTATION_FIELDS})
        service.record_implementation(session, actor, slug, given.organisation,
                                      given.started_on, given.summary, _indicators(typed),
                                      given.corrects)
    except ValidationError as exc:
        return _page(request, session, actor, slug,
                     {"implementation": forms.refused(typed, exc.problems)}, 422)
    return RedirectResponse(f"/standards/{slug}#implementations", status_code=303)
