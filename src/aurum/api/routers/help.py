"""Help where it is needed: the glossary of terms and the history of an object (its page and
its JSON form). The help text of each page is shown by ``base.html`` itself
(:mod:`aurum.api.labels.help`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.help import ChangeOut, HistoryEntryOut, HistoryOut
from aurum.api.templating import render
from aurum.services import glossary, history

router = APIRouter(tags=["audit"])

Entity = Annotated[str, Path(max_length=64, description=(
    "Kind of object: sites, reports, organisations, safety_hazards or "
    "recycling_participants"))]
EntityId = Annotated[str, Path(max_length=64, description=(
    "The object's code (a site, an enterprise, a participant) or number (a report, a "
    "hazard)"))]
HistoryPage = Annotated[int, Query(ge=1, le=1_000_000, description="Page, from 1 (100 changes "
                                                                   "a page)")]


@router.get("/glossary", response_class=HTMLResponse, include_in_schema=False)
def glossary_page(request: Request, actor: PageActor,
                  q: Annotated[str | None, Query(max_length=glossary.MAX_QUERY)] = None
                  ) -> HTMLResponse:
    return render(request, "glossary.html", actor=actor, glossary=glossary.search(q))


@router.get("/audit/{entity}/{entity_id}", response_class=HTMLResponse,
            include_in_schema=False)
def history_page(entity: Entity, entity_id: EntityId, request: Request, session: DB,
                 actor: PageActor, page: HistoryPage = 1) -> HTMLResponse:
    return render(request, "audit.html", actor=actor,
                  history=history.history(session, actor, entity, entity_id, page))


@router.get("/api/v1/audit/{entity}/{entity_id}", response_model=HistoryOut)
def history_json(entity: Entity, entity_id: EntityId, session: DB, actor: ApiActor,
                 page: HistoryPage = 1) -> HistoryOut:
    """The history of one object, newest first: who changed it, when, which fields (before
    and after) and why; the object's own records and those that belong to it (a site's report
    versions, a hazard's timeline steps). Any reader of the object; 404 for an unknown kind or
    an object outside the caller's scope."""
    h = history.history(session, actor, entity, entity_id, page)
    return HistoryOut(
        entity=h.entity, entity_id=h.subject.key, name=h.subject.name, page=h.page,
        pages=h.pages, total=h.total, entries=[HistoryEntryOut(
            at=e.at, actor=e.actor, action=e.action, entity=e.entity, entity_id=e.entity_id,
            reason=e.reason, changes=[ChangeOut(field=c.field, before=c.before, after=c.after)
                                      for c in e.changes]) for e in h.entries])
