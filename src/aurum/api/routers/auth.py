"""Login, logout and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from aurum.api.deps import CSRF, DB, ApiActor, ApiCredential, client_address, csrf_token
from aurum.api.forms import FormState
from aurum.api.language import cookie_header
from aurum.api.schemas.auth import (
    MAX_PASSWORD_CHARS,
    IssuedTokenOut,
    MeOut,
    TokenOut,
    TokenRequest,
)
from aurum.api.templating import render
from aurum.core.checks import DbId
from aurum.core.errors import ValidationError
from aurum.core.i18n import _, lazy_gettext
from aurum.services import auth

router = APIRouter()

WRONG_LOGIN = lazy_gettext("wrong username or password")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request) -> HTMLResponse:
    return _login_page(request, FormState())


def _login_page(request: Request, form: FormState, status_code: int = 200) -> HTMLResponse:
    # The password is never sent back: a refused login keeps the user name only.
    return render(request, "login.html", status_code, actor=None, form=form,
                  csrf=csrf_token(request))


@router.post("/login", include_in_schema=False, dependencies=[CSRF])
def login(request: Request, session: DB, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARS)]) -> Response:
    try:
        actor = auth.login(session, username.strip(), password, client_address(request))
    except auth.LoginThrottled as exc:
        page = _login_page(request, FormState({"username": username}, general=[str(exc)]), 429)
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    if actor is None:
        return _login_page(request, FormState({"username": username}, general=[
            _("Wrong username or password.")]), 401)
    session.info["user_id"] = actor.user_id
    # A new id at every login: an id planted in the browser before it never becomes a login.
    request.session.clear()
    request.session["sid"] = auth.open_session(session, actor)
    home = RedirectResponse("/", status_code=303)
    if actor.locale:  # the user's language follows them to any browser
        home.headers.append("Set-Cookie", cookie_header(
            actor.locale, request.app.state.platform.settings.cookie_secure))
    return home


@router.post("/logout", include_in_schema=False, dependencies=[CSRF])
def logout(request: Request, session: DB) -> RedirectResponse:
    session_id = request.session.get("sid")
    if session_id:
        auth.end_session(session, str(session_id))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _refused(status: int, message: str, headers: dict[str, str] | None = None
             ) -> JSONResponse:
    # Returned, not raised: the failure just recorded by auth.login must be committed.
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


@router.post("/api/v1/tokens", status_code=201, tags=["auth"], response_model=IssuedTokenOut,
             responses={401: {"description": "wrong username or password"},
                        429: {"description": "too many failed logins; see Retry-After"}})
def create_token(body: TokenRequest, request: Request, session: DB
                 ) -> IssuedTokenOut | JSONResponse:
    """Exchange a username and password for a bearer token (shown once, stored hashed) that
    stops working after ``expires_in_days``. Failed attempts are throttled per account and
    per address (429 with ``Retry-After``)."""
    try:
        actor = auth.login(session, body.username, body.password, client_address(request))
    except auth.LoginThrottled as exc:
        return _refused(429, str(exc), {"Retry-After": str(exc.retry_after_s)})
    if actor is None:
        return _refused(401, str(WRONG_LOGIN), {"WWW-Authenticate": "Bearer"})
    session.info["user_id"] = actor.user_id
    issued = auth.issue_token(session, actor.user_id, body.name, body.expires_in_days)
    return IssuedTokenOut(token=issued.token, id=issued.info.id, name=issued.info.name,
                          expires_at=issued.info.expires_at)


def _out(info: auth.TokenInfo, credential: auth.Credential) -> TokenOut:
    return TokenOut(id=info.id, name=info.name, created_at=info.created_at,
                    expires_at=info.expires_at, last_used_at=info.last_used_at,
                    revoked_at=info.revoked_at, status=info.status,
                    current=info.id == credential.token_id)


@router.get("/api/v1/tokens", tags=["auth"])
def list_tokens(credential: ApiCredential, session: DB) -> list[TokenOut]:
    """The caller's API tokens, newest first, with their expiry and last use."""
    return [_out(info, credential) for info in auth.list_tokens(session, credential.actor)]


@router.delete("/api/v1/tokens/current", tags=["auth"])
def revoke_current_token(credential: ApiCredential, session: DB) -> TokenOut:
    """Revoke the token this call is made with (log a script out)."""
    if credential.token_id is None:
        raise ValidationError("this call was made with a browser session, not a token; "
                              "log out instead, or name the token: DELETE /api/v1/tokens/{id}")
    return _out(auth.revoke_token(session, credential.actor, credential.token_id), credential)


@router.delete("/api/v1/tokens/{token_id}", tags=["auth"])
def revoke_token(token_id: DbId, credential: ApiCredential, session: DB) -> TokenOut:
    """Revoke one of the caller's tokens (an admin may revoke anyone's)."""
    return _out(auth.revoke_token(session, credential.actor, token_id), credential)


@router.get("/api/v1/me", tags=["auth"])
def me(actor: ApiActor) -> MeOut:
    """Who the caller is and what it may read."""
    return MeOut(user_id=actor.user_id, username=actor.username, role=actor.role.value,
                 province=actor.province,
                 organisations=None if actor.org_ids is None else sorted(actor.org_ids))
