"""The notification centre: its page and its API (:mod:`aurum.services.notifications`)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.notifications import NotificationsOut
from aurum.api.templating import render
from aurum.services import notifications

router = APIRouter(tags=["notifications"])


@router.get("/api/v1/notifications", response_model=NotificationsOut)
def api_notifications(session: DB, actor: ApiActor,
                      limit: Annotated[int, Query(ge=1, le=notifications.LIST_LIMIT)]
                      = notifications.LIST_LIMIT) -> dict[str, Any]:
    """What waits for the caller, in its scope: reports due soon and overdue (an enterprise's
    sites, a recycler's reports), reports returned by the reviewer, reports to review (a
    regulator) and standing alerts of the last days; the most pressing first."""
    found = notifications.notifications(session, actor, limit=limit)
    return {"count": found.count, "counts": dict(found.counts),
            "items": [dataclasses.asdict(item) for item in found.items]}


@router.get("/notifications", response_class=HTMLResponse, include_in_schema=False)
def notifications_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return render(request, "notifications.html", actor=actor,
                  found=notifications.notifications(session, actor))
