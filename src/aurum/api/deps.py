"""Request dependencies: a database session per request, the caller, CSRF for forms and for
cookie-authenticated API writes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.i18n import _
from aurum.services import auth
from aurum.services.auth import Actor, Credential
from aurum.services.platform import Platform

CSRF_HEADER = "X-CSRF-Token"
"""Header that carries the page's CSRF token on an API write made with the session cookie."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing, so need no CSRF token."""
_log = logging.getLogger("aurum.api")


class LoginRequired(Exception):
    """A page was asked for without a login: the handler redirects to the login page."""


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def get_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with platform.sessions() as session, session.begin():
        yield session


# Committed before the response is sent (FastAPI would otherwise close a yield dependency
# after the response): a browser following a redirect, or a client sending its next request
# at once, must read what the previous request wrote.
DB = Annotated[Session, Depends(get_session, scope="function")]


def _credential(request: Request, session: Session) -> Credential | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.token_credential(session, header[7:].strip())
    session_id = request.session.get("sid")
    return auth.session_credential(session, str(session_id)) if session_id else None


def api_credential(request: Request, session: DB) -> Credential:
    """The caller of an API route (bearer token or session cookie), else 401.

    A write (any method but GET, HEAD, OPTIONS) authenticated by the session cookie must
    carry the page's CSRF token in :data:`CSRF_HEADER`, else 403: the browser sends the
    cookie with any site's request, but only Aurum's own pages know the token.
    """
    credential = _credential(request, session)
    if credential is None:
        raise HTTPException(401, _("log in or send 'Authorization: Bearer <token>'"),
                            headers={"WWW-Authenticate": "Bearer"})
    if (credential.session_id is not None and request.method not in SAFE_METHODS
            and not _same(request.headers.get(CSRF_HEADER, ""), csrf_token(request))):
        raise HTTPException(403, _("a write with the session cookie needs the %(header)s header "
                                   "(the csrf-token meta tag of any Aurum page); scripts use "
                                   "'Authorization: Bearer <token>' instead", header=CSRF_HEADER))
    session.info["user_id"] = credential.actor.user_id
    return credential


def api_actor(credential: Annotated[Credential, Depends(api_credential)]) -> Actor:
    """The user calling an API route (see :func:`api_credential`)."""
    return credential.actor


def page_actor(request: Request, session: DB) -> Actor:
    """The caller of a page, else a redirect to the login page."""
    credential = _credential(request, session)
    if credential is None:
        raise LoginRequired()
    session.info["user_id"] = credential.actor.user_id
    # The language switch (?lang=) of a signed-in user is kept as their preference.
    asked = i18n.parse_tag(request.query_params.get("lang"))
    if asked and asked != credential.actor.locale:
        auth.set_locale(session, credential.actor, asked)
    return credential.actor


def signed_in(request: Request) -> Actor | None:
    """The signed-in user of a page request, for a page that must render whatever went wrong
    (an error page shows them their navigation).

    Never raises: None without a session cookie, for an ended session, or when the lookup
    itself fails (the database may be the very thing that failed). Nothing is written: the
    session's last use is recorded by the requests that succeed.
    """
    session_id = request.scope.get("session", {}).get("sid")
    if not session_id:
        return None
    try:
        with get_platform(request).sessions() as session:
            credential = auth.session_credential(session, str(session_id))
    except Exception as exc:  # the error page renders, without navigation
        _log.warning("no navigation on the error page of %s: %s", request.url.path,
                     type(exc).__name__)
        return None
    return None if credential is None else credential.actor


ApiCredential = Annotated[Credential, Depends(api_credential)]
ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]


def client_address(request: Request) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def csrf_key(secret_key: str) -> bytes:
    """The key CSRF tokens are derived with, from the cookie-signing key."""
    return hashlib.sha256(b"aurum csrf token\0" + secret_key.encode()).digest()


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser: an HMAC of the random id its cookie carries.

    The cookie holds only that id: a server-side session's id once logged in (a new one at
    each login), a throwaway one before, so the login form has a token too.
    """
    browser_id = request.session.get("sid")
    if not browser_id:
        browser_id = secrets.token_urlsafe(32)
        request.session["sid"] = browser_id
    key: bytes = request.app.state.csrf_key
    return hmac.new(key, str(browser_id).encode(), hashlib.sha256).hexdigest()


def _same(sent: str, expected: str) -> bool:
    # Bytes: compare_digest refuses str with non-ASCII characters, which a client may send.
    return secrets.compare_digest(sent.encode(), expected.encode())


def check_csrf(request: Request, csrf: Annotated[str, Form(max_length=128)] = "") -> None:
    """Refuse a form post whose token does not match the browser's."""
    if not _same(csrf, csrf_token(request)):
        raise HTTPException(403, _("the form has expired; reload the page and submit again"))


CSRF = Depends(check_csrf)
