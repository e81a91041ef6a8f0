"""Login, logout and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from aurum.api.deps import CSRF, DB, ApiActor, csrf_token
from aurum.api.templating import render
from aurum.services import auth

router = APIRouter()


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, error: str | None = None) -> HTMLResponse:
    return render(request, "login.html", actor=None, error=error, csrf=csrf_token(request))


@router.post("/login", include_in_schema=False, dependencies=[CSRF])
def login(request: Request, session: DB, username: Annotated[str, Form()],
          password: Annotated[str, Form()]) -> RedirectResponse:
    actor = auth.authenticate(session, username.strip(), password)
    if actor is None:
        return RedirectResponse("/login?error=1", status_code=303)
    request.session.clear()
    request.session["uid"] = actor.user_id
    return RedirectResponse("/", status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[CSRF])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = Field("api", max_length=100)


@router.post("/api/v1/tokens", status_code=201, tags=["auth"])
def create_token(body: TokenRequest, session: DB) -> dict[str, str]:
    """Exchange a username and password for a bearer token (shown once, stored hashed)."""
    actor = auth.authenticate(session, body.username, body.password)
    if actor is None:
        raise HTTPException(401, "wrong username or password")
    session.info["user_id"] = actor.user_id
    return {"token": auth.issue_token(session, actor.user_id, body.name),
            "token_type": "bearer"}


@router.get("/api/v1/me", tags=["auth"])
def me(actor: ApiActor) -> dict[str, object]:
    """Who the caller is and what it may read."""
    return {"user_id": actor.user_id, "username": actor.username, "role": actor.role.value,
            "province": actor.province,
            "organisations": None if actor.org_ids is None else sorted(actor.org_ids)}
