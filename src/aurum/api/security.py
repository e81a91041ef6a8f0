"""Security headers on every response: what the browser may load, frame and send along.

The pages load scripts and styles only from Aurum itself (``/static``, Plotly and Swagger UI
from the installed packages); inline ``<script>``, event handlers and ``eval`` are refused, so
an injected script does not run (Plotly's WebGL traces, the 3D block models and pit shells,
draw without ``eval``: the browser tests load them under this policy). Styles may be inline:
Plotly and Swagger UI set ``style`` attributes. ReDoc searches in a worker made from a blob.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
"""Sent over TLS only: a browser that saw it refuses plain HTTP to the host for a year."""


def headers_for(scheme: str | None, tls: bool) -> tuple[tuple[str, str], ...]:
    """The headers of a response to a request of ``scheme`` (HSTS over TLS).

    Also called for the one-line 500, which Starlette sends from its outermost error
    middleware, past :class:`SecurityHeaders`.
    """
    return (*HEADERS, HSTS) if tls or scheme == "https" else HEADERS


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` (and :data:`HSTS` over TLS) to every response
    that does not set them itself.

    Parameters
    ----------
    app : ASGIApp
        The application.
    tls : bool
        Whether the site is served over TLS behind a proxy that does not say so
        (``AURUM_COOKIE_SECURE``); requests whose scheme is ``https`` get HSTS anyway.
    """

    def __init__(self, app: ASGIApp, tls: bool = False):
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("scheme"), self.tls)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
