"""Jinja2 templates with the helpers every page uses."""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError

from aurum.api.deps import csrf_token, get_platform
from aurum.api.labels import column, label
from aurum.api.labels.help import HELP
from aurum.api.labels.regulator import province
from aurum.api.labels.trade import country
from aurum.api.navigation import navigation
from aurum.core import i18n
from aurum.core.jsonsafe import finite
from aurum.services import notifications
from aurum.services.auth import Actor

TEMPLATES = Jinja2Templates(env=jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
    extensions=["jinja2.ext.i18n"]))
# Translated at render time in the request's language (aurum.api.language); "newstyle"
# lets templates write _("%(n)s sites", n=...) with escaping done by Jinja.
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: i18n.translations(i18n.current()).gettext(message),
    lambda singular, plural, n: i18n.translations(i18n.current()).ngettext(singular, plural, n),
    newstyle=True)


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return i18n.format_number(value, digits)


def _languages(request: Request) -> list[dict[str, Any]]:
    """The language switch: each language's name and the current page in it."""
    return [{"tag": i18n.TAGS[code], "name": i18n.NAMES[code], "current": code == i18n.current(),
             "url": str(request.url.include_query_params(lang=i18n.TAGS[code]))}
            for code in i18n.LOCALES]


def _js_messages() -> dict[str, str]:
    """The texts ``aurum.js`` writes into pages, by their English, in the request's language
    (base.html puts them in ``#aurum-messages``; the script looks its strings up there)."""
    return {
        "sending": i18n.gettext("sending"),
        "result": i18n.gettext("result"),
        "See the result": i18n.gettext("See the result"),
        # job states, as the jobs page's table and the job panels show them
        "queued": i18n.gettext("queued"),
        "running": i18n.gettext("running"),
        "done": i18n.gettext("done"),
        "failed": i18n.gettext("failed"),
        "cancelled": i18n.gettext("cancelled"),
    }


BELL_ITEMS = 8
"""Notifications the page header's bell lists (the rest are on ``/notifications``), count."""

_log = logging.getLogger("aurum.api")


def _notification_bell(request: Request, actor: Actor | None
                       ) -> notifications.Notifications | None:
    """What waits for the signed-in ``actor``, for the page header (notifications_bell.html):
    the count and the :data:`BELL_ITEMS` most pressing; None without an actor.

    Read in a session of its own (the template has none). When the database fails the header
    goes without its bell: an error page, whose database may be what failed, still renders.
    """
    if actor is None:
        return None
    try:
        with get_platform(request).sessions() as session:
            return notifications.notifications(session, actor, limit=BELL_ITEMS)
    except SQLAlchemyError as exc:
        _log.warning("no notifications on %s: %s", request.url.path, type(exc).__name__)
        return None


def _page_help(request: Request) -> str | None:
    """The help of the page (:data:`aurum.api.labels.help.HELP`), found by the path template
    of the route that answered; None for a page without one (and an unmatched address)."""
    route = request.scope.get("route")
    text = HELP.get(getattr(route, "path", ""))
    return None if text is None else str(text)


def _figure(fig: dict[str, Any]) -> str:
    return json.dumps(finite(fig), allow_nan=False, default=str).replace("</", "<\\/")




def _in_reader_language(function: Callable[..., str]) -> Callable[..., str]:
    """``function`` as a filter Jinja never evaluates when it compiles a template: Jinja folds
    a filter of a constant (``'report_id' | column``) into the compiled template, which would
    keep the language of whoever was served first. A filter that takes the render context is
    left to render time."""
    @jinja2.pass_context
    @functools.wraps(function)
    def at_render(_context: jinja2.runtime.Context, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)
    return at_render


TEMPLATES.env.filters["figure"] = _figure
for _name, _filter in (("num", _num), ("date", i18n.format_date), ("label", label),
                       ("column", column), ("province", province), ("country", country)):
    TEMPLATES.env.filters[_name] = _in_reader_language(_filter)
TEMPLATES.env.globals["lang_tag"] = i18n.tag
TEMPLATES.env.globals["languages"] = _languages
TEMPLATES.env.globals["js_messages"] = _js_messages
TEMPLATES.env.globals["page_help"] = _page_help
TEMPLATES.env.globals["navigation"] = navigation
TEMPLATES.env.globals["notification_bell"] = _notification_bell


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    """Render a page; ``actor`` and the CSRF token are always available to the template."""
    context.setdefault("csrf", csrf_token(request))
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
