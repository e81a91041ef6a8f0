"""The FastAPI application: REST API under ``/api/v1``, pages under ``/``, OpenAPI at ``/docs``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from aurum import __version__
from aurum.api import forms
from aurum.api.deps import LoginRequired, csrf_key, signed_in
from aurum.api.language import Language
from aurum.api.routers import (
    auth,
    briefings,
    docs,
    gbt,
    help,
    home,
    indicators,
    jobs,
    matching,
    materials,
    metrology,
    notifications,
    pages,
    planning,
    processing,
    prospect,
    provinces,
    recycling,
    registry,
    report_pages,
    reports,
    resources,
    safety,
    seismic,
    standards,
    structure,
    trade,
    underground,
    ventilation,
)
from aurum.api.security import SecurityHeaders, headers_for
from aurum.api.templating import render
from aurum.core import i18n, tables
from aurum.core.errors import (
    AurumError,
    Busy,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.services.auth import SESSION_LIFETIME
from aurum.services.jobs import JobQueue
from aurum.services.maps import start_province_outlines, start_world_outlines
from aurum.services.platform import Platform

STATIC = Path(__file__).with_name("static")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SESSION_SECONDS = int(SESSION_LIFETIME.total_seconds())
_log = logging.getLogger("aurum.api")
_STATUS = {ValidationError: 422, NotFoundError: 404, PermissionDenied: 403, ConflictError: 409}


def create_app(platform: Platform | None = None) -> FastAPI:
    """Build the application over a platform (default: the configured database)."""
    platform = platform or Platform.open()
    queue = JobQueue(platform)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The maps' outlines take seconds to build: in the background, never on a GET.
        start_province_outlines(platform.settings.home)
        start_world_outlines(platform.settings.home)
        # The server runs the job queue itself unless AURUM_JOBS_WORKERS=0 (when `aurum jobs
        # worker` processes do).
        if platform.settings.jobs_workers:
            with queue.running(platform.settings.jobs_workers):
                yield
        else:
            yield

    app = FastAPI(lifespan=lifespan, title="Aurum", version=__version__, description=(
        "The gold industry's enterprise tools and the regulator's monitor of the 2027 targets "
        "of the Implementation Plan for the High-Quality Development of the Gold Industry. "
        "Authenticate with `POST /api/v1/tokens` and send `Authorization: Bearer <token>`."),
        docs_url=None, redoc_url=None,  # served by routers/docs.py, from the installed package
        max_body_size=tables.MAX_REQUEST_BYTES)  # 413 before a larger body is read
    app.state.platform = platform
    app.state.jobs = queue
    secret_key = platform.settings.secret_key()
    app.state.csrf_key = csrf_key(secret_key)
    # The signed cookie carries only a random id; the user_sessions row decides validity.
    app.add_middleware(SessionMiddleware, secret_key=secret_key,
                       session_cookie="aurum_session", max_age=SESSION_SECONDS,
                       same_site="lax", https_only=platform.settings.cookie_secure)
    app.add_middleware(SecurityHeaders, tls=platform.settings.cookie_secure)
    app.add_middleware(Language, secure=platform.settings.cookie_secure)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        # Served from the plotly package: pages work with no network access at all.
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (auth.router, docs.router, jobs.router, registry.router, reports.router,
                   indicators.router, resources.router, gbt.router, planning.router,
                   prospect.router, safety.router, seismic.router, recycling.router,
                   processing.router, provinces.router, report_pages.router, home.router,
                   briefings.router, underground.router, ventilation.router, standards.router,
                   help.router, metrology.router, materials.router, matching.router,
                   structure.router, trade.router,
                   pages.router):
        app.include_router(router)
    app.include_router(notifications.router)

    @app.exception_handler(LoginRequired)
    def _login(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(AurumError)
    def _aurum(request: Request, exc: AurumError) -> Response:
        if isinstance(exc, Busy):
            response = _refusal(request, 503, str(exc))
            response.headers["Retry-After"] = str(exc.retry_after_s)
            return response
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        if isinstance(exc, ValidationError):
            return _refusal(request, status, str(exc), [p.as_dict() for p in exc.problems],
                            exc.omitted)
        return _refusal(request, status, str(exc))

    @app.exception_handler(DBAPIError)
    def _database(request: Request, exc: DBAPIError) -> Response:
        if isinstance(exc, IntegrityError):
            # A unique key taken by a concurrent request (two uploads of one report racing).
            return _refusal(request, 409, _("the request conflicts with data stored meanwhile "
                                            "(a record with the same key exists); reload and "
                                            "try again"))
        if isinstance(exc, DataError):
            # A value the declared types let through but a column cannot hold (a text longer
            # than its column on PostgreSQL): the sender's to fix, not the server's.
            return _refusal(request, 422, _("a value does not fit the stored field (too long or "
                                            "out of range); shorten or correct it"))
        if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
            return _unavailable(request, exc)
        return _server_error(request, exc)

    @app.exception_handler(PoolTimeout)
    def _pool(request: Request, exc: PoolTimeout) -> Response:
        return _unavailable(request, exc)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        # Starlette runs this handler outside every middleware, the language's too: the
        # language that middleware chose for the request is put back for the error page.
        with i18n.using(getattr(request.state, "locale", None) or i18n.default_locale()):
            response = _server_error(request, exc)
        response.headers.update(dict(headers_for(request.url.scheme,
                                                 platform.settings.cookie_secure)))
        return response

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path == "/docs":
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # A page's form or link with a value its route's types refuse: the error page names
        # each problem (forms that can show their page again do so themselves, see
        # api/forms.py); the API keeps FastAPI's answer, which its clients parse.
        if request.url.path.startswith("/api/") or request.url.path == "/docs":
            return await request_validation_exception_handler(request, exc)
        problems = forms.request_problems(exc)
        return _error_page(request, 422, _("the request was refused:"),
                           [str(p) for p in problems])

    return app


def _refusal(request: Request, status: int, message: str,
             problems: list[dict[str, object]] | None = None, omitted: int = 0) -> Response:
    """One refusal: JSON under ``/api/`` (``detail``, ``problems``, and ``problems_omitted``
    when a long list was cut), the error page elsewhere."""
    if request.url.path.startswith("/api/"):
        body: dict[str, object] = {"detail": message,
                                   "problems": problems or [{"message": message}]}
        if omitted:
            body["problems_omitted"] = omitted
        return JSONResponse(body, status_code=status)
    return _error_page(request, status, message)


def _error_page(request: Request, status: int, message: str, problems: list[str] | None = None
                ) -> Response:
    """The error page, in the page frame with the signed-in user's navigation (none when the
    database cannot tell who they are: a 503 does not ask it again)."""
    actor = None if status == 503 else signed_in(request)
    return render(request, "error.html", status_code=status, actor=actor, status=status,
                  message=message, problems=problems or [])


def _unavailable(request: Request, exc: Exception) -> Response:
    # One line in the log: the driver's message may quote a whole statement and its rows.
    _log.error("database unavailable on %s %s: %s", request.method, request.url.path,
               type(exc).__name__)
    return _refusal(request, 503, _("the database is unavailable; try again in a moment"))


def _server_error(request: Request, exc: Exception) -> Response:
    # The traceback stays in the server's log; the client learns only that it failed.
    _log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _refusal(request, 500, _("internal error: the failure is logged on the server"))
