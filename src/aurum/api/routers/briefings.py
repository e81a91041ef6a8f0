"""Briefings as PDF (:mod:`aurum.services.briefings`): made now for the nation, a province or
an enterprise, or kept from the month's run; and the page that lists them.

The language is the request's (``?lang=en`` or ``?lang=zh-CN``, read by
:mod:`aurum.api.language` before the route runs).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.templating import render
from aurum.core import i18n
from aurum.services import briefings
from aurum.services.briefings import Subject

router = APIRouter(tags=["briefings"])
PDF = "application/pdf"
Lang = Annotated[Literal["en", "zh-CN"] | None, Query(
    description="Language of the briefing (default: the reader's, as for pages).")]
_PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PDF: {}}, "description": "The briefing (PDF)."}}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _briefing(session: DB, actor: ApiActor, subject: Subject) -> Response:
    document = briefings.pdf(session, actor, subject)
    return Response(document, media_type=PDF,
                    headers=_attachment(briefings.filename(subject, i18n.current())))


@router.get("/api/v1/briefings/national.pdf", response_class=Response, responses=_PDF_RESPONSE)
def national(session: DB, actor: ApiActor, lang: Lang = None) -> Response:
    """The national briefing (national regulators, administrators, auditors): the plan's five
    indicators with charts, the plant-scale list, hazard clearing, recycling reports and data
    quality."""
    return _briefing(session, actor, Subject("national"))


@router.get("/api/v1/briefings/province/{code}.pdf", response_class=Response,
            responses=_PDF_RESPONSE)
def province(code: str, session: DB, actor: ApiActor, lang: Lang = None) -> Response:
    """A province's briefing (``code``: its English name, e.g. ``Shandong``); a provincial
    regulator reads its own province's only."""
    return _briefing(session, actor, Subject("province", code))


@router.get("/api/v1/briefings/enterprise/{code}.pdf", response_class=Response,
            responses=_PDF_RESPONSE)
def enterprise(code: str, session: DB, actor: ApiActor, lang: Lang = None) -> Response:
    """An enterprise's briefing (with its members' sites for a group), for whoever may read
    the enterprise."""
    return _briefing(session, actor, briefings.enterprise(session, actor, code))


@router.get("/api/v1/briefings/kept", response_class=FileResponse, responses=_PDF_RESPONSE)
def kept(request: Request, actor: ApiActor,
         name: Annotated[str, Query(max_length=120, description="A kept briefing's file name, "
                                    "as the briefings page lists it.")]) -> FileResponse:
    """A briefing kept from a month's run (``aurum briefings make``)."""
    path = briefings.kept_file(request.app.state.platform.settings.home, actor, name)
    return FileResponse(path, media_type=PDF, headers=_attachment(path.name))


@router.get("/briefings", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    live = briefings.offered(session, actor, request.app.state.platform.settings.home)
    return render(request, "briefings.html", actor=actor, live=live)
