"""Request dependencies: a database session per request, the caller, CSRF for forms."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from sqlalchemy.orm import Session

from aurum.services import auth
from aurum.services.auth import Actor
from aurum.services.platform import Platform


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


def _resolve(request: Request, session: Session) -> Actor | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return auth.actor_for_token(session, header[7:].strip())
    uid = request.session.get("uid")
    return auth.actor_by_id(session, int(uid)) if uid is not None else None


def api_actor(request: Request, session: DB) -> Actor:
    """The caller of an API route (bearer token or session cookie), else 401."""
    actor = _resolve(request, session)
    if actor is None:
        raise HTTPException(401, "log in or send 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    session.info["user_id"] = actor.user_id
    return actor


def page_actor(request: Request, session: DB) -> Actor:
    """The caller of a page, else a redirect to the login page."""
    actor = _resolve(request, session)
    if actor is None:
        raise LoginRequired()
    session.info["user_id"] = actor.user_id
    return actor


ApiActor = Annotated[Actor, Depends(api_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]


def csrf_token(request: Request) -> str:
    """The form token of this browser session (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Refuse a form post whose token does not match the session's."""
    expected = request.session.get("csrf")
    if not expected or not secrets.compare_digest(str(expected), csrf):
        raise HTTPException(403, "the form has expired; reload the page and submit again")


CSRF = Depends(check_csrf)
