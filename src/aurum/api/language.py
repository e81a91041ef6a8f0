"""The language of each request: ``?lang=``, then the ``aurum_lang`` cookie, then
``Accept-Language``, then the default (:func:`aurum.core.i18n.default_locale`).

A ``?lang=`` that names a language Aurum speaks is remembered in the cookie (a year), so the
switch on every page holds for the next pages; a signed-in user's choice is also kept as their
preference (:func:`aurum.services.auth.set_locale`) and put back in the cookie at sign-in.
The language is set for the whole request (:func:`aurum.core.i18n.using`), so pages, charts,
error messages and documents made during it are in it; JSON keys and CSV headers are not
translated.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurum.core import i18n

COOKIE = "aurum_lang"
COOKIE_SECONDS = 365 * 86400


def choose(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The locale of a request from what it carries, in order of precedence."""
    return (i18n.parse_tag(query_lang) or i18n.parse_tag(cookie)
            or i18n.negotiate(accept_language) or i18n.default_locale())


def cookie_header(locale: str, secure: bool) -> str:
    """The ``Set-Cookie`` value that remembers ``locale``."""
    return (f"{COOKIE}={i18n.tag(locale)}; Max-Age={COOKIE_SECONDS}; Path=/; SameSite=Lax"
            + ("; Secure" if secure else ""))


class Language:
    """ASGI middleware that runs each HTTP request in its language (see the module).

    Parameters
    ----------
    app : ASGIApp
        The application.
    secure : bool
        Mark the language cookie HTTPS-only (``AURUM_COOKIE_SECURE``).
    """

    def __init__(self, app: ASGIApp, secure: bool = False):
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")[:4096])
        asked = i18n.parse_tag((query.get("lang") or [None])[0])
        remembered = cookie_parser(headers.get("cookie", "")[:8192]).get(COOKIE)
        locale = choose(asked, remembered, headers.get("accept-language"))
        scope.setdefault("state", {})["locale"] = locale

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("Content-Language", i18n.tag(locale))
                out.append("Vary", "Accept-Language, Cookie")
                if asked and i18n.parse_tag(remembered) != asked:
                    out.append("Set-Cookie", cookie_header(asked, self.secure))
            await send(message)

        with i18n.using(locale):
            await self.app(scope, receive, send_with_language)
