"""Sessions that logout ends, expiring and revocable tokens, login throttling, the password
policy, CSRF on cookie-authenticated API writes, security headers and a local Swagger UI
(issue 14, finding 5)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from base64 import b64decode
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from aurum.api.app import create_app
from aurum.core.errors import ValidationError
from aurum.services import auth
from aurum.services.platform import Platform
from aurum.store.models import ApiToken, UserSession, utcnow
from tests.api.conftest import bearer
from tests.factories import PASSWORD


def _csrf(html: str, attribute: str = 'name="csrf" value="') -> str:
    return html.split(attribute)[1].split('"')[0]


def _login(client: TestClient, user: str, password: str = PASSWORD) -> int:
    """Log in through the login form; the status of the answer (303 when logged in)."""
    form = {"username": user, "password": password, "csrf": _csrf(client.get("/login").text)}
    return client.post("/login", data=form, follow_redirects=False).status_code


def _wrong_token_request(client: TestClient, user: str) -> int:
    return client.post("/api/v1/tokens", json={"username": user,
                                               "password": "not-the-password"}).status_code


def test_logout_ends_the_session_on_the_server(app_client: TestClient,
                                               platform: Platform) -> None:
    assert _login(app_client, "alpha") == 303
    cookie = app_client.cookies["aurum_session"]
    assert app_client.get("/api/v1/me").json()["username"] == "alpha"
    page = app_client.get("/sites")
    out = app_client.post("/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    # The cookie captured before the logout is still correctly signed and within its max-age:
    # only the server-side row says it has ended.
    replay = TestClient(app_client.app, cookies={"aurum_session": cookie})
    assert replay.get("/api/v1/me").status_code == 401
    assert replay.get("/sites", follow_redirects=False).headers["location"] == "/login"
    with platform.sessions() as s:
        rows = s.scalars(select(UserSession)).all()
    assert len(rows) == 1 and rows[0].revoked_at is not None
    # The signed cookie holds the random id alone; the database only its SHA-256.
    payload = json.loads(b64decode(cookie.split(".")[0] + "=="))
    assert list(payload) == ["sid"]
    assert hashlib.sha256(payload["sid"].encode()).hexdigest() == rows[0].token_hash


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
def test_sessions_time_out(app_client: TestClient, platform: Platform, column: str) -> None:
    assert _login(app_client, "alpha") == 303
    assert app_client.get("/api/v1/me").status_code == 200
    # Idle for the timeout, or past the absolute lifetime: moved back in the database, not
    # waited for.
    back = {"last_seen_at": auth.SESSION_IDLE_TIMEOUT, "expires_at": timedelta(0)}[column]
    with platform.sessions.begin() as s:
        s.execute(update(UserSession).values({column: utcnow() - back - timedelta(seconds=1)}))
    assert app_client.get("/api/v1/me").status_code == 401


def test_long_ended_sessions_are_cleared_at_login(app_client: TestClient,
                                                  platform: Platform) -> None:
    assert _login(app_client, "alpha") == 303
    assert _login(app_client, "beta") == 303
    with platform.sessions.begin() as s:
        s.execute(update(UserSession).where(UserSession.id == 1).values(
            expires_at=utcnow() - auth.SESSION_RETENTION - timedelta(seconds=1)))
    assert _login(app_client, "miit") == 303
    with platform.sessions() as s:
        assert s.scalars(select(UserSession.id).order_by(UserSession.id)).all() == [2, 3]


def test_login_changes_the_browser_id(app_client: TestClient) -> None:
    before = app_client.get("/login")
    assert _login(app_client, "alpha") == 303
    after = app_client.get("/sites")
    # A new id at login: a CSRF token (and so an id) known before the login is worthless.
    assert _csrf(before.text) != _csrf(after.text)
    assert _csrf(after.text) == _csrf(after.text, '<meta name="csrf-token" content="')


def test_tokens_expire_are_listed_and_revoked(app_client: TestClient,
                                              platform: Platform) -> None:
    too_long = app_client.post("/api/v1/tokens", json={
        "username": "alpha", "password": PASSWORD, "expires_in_days": 366})
    assert too_long.status_code == 422 and "365" in too_long.text
    first = app_client.post("/api/v1/tokens", json={"username": "alpha", "password": PASSWORD,
                                                    "name": "nightly", "expires_in_days": 7})
    assert first.status_code == 201
    issued = first.json()
    assert set(issued) == {"token", "token_type", "id", "name", "expires_at"}
    a1 = {"Authorization": f"Bearer {issued['token']}"}
    a2 = bearer(app_client, "alpha")
    listed = app_client.get("/api/v1/tokens", headers=a2).json()
    assert [(t["name"], t["status"], t["current"]) for t in listed] == [
        ("api", "active", True), ("nightly", "active", False)]
    with platform.sessions() as s:
        rows = {r.name: r for r in s.scalars(select(ApiToken))}
    assert rows["nightly"].expires_at - rows["nightly"].created_at == timedelta(days=7)
    assert rows["api"].expires_at - rows["api"].created_at == timedelta(days=90)

    # Someone else's token is not found; the owner revokes it by id.
    beta = bearer(app_client, "beta")
    assert app_client.delete(f"/api/v1/tokens/{issued['id']}", headers=beta).status_code == 404
    gone = app_client.delete(f"/api/v1/tokens/{issued['id']}", headers=a2)
    assert gone.status_code == 200 and gone.json()["status"] == "revoked"
    assert app_client.get("/api/v1/me", headers=a1).status_code == 401

    # The token of the call revokes itself; then it is refused.
    me = app_client.delete("/api/v1/tokens/current", headers=a2)
    assert me.status_code == 200 and me.json()["current"] is True
    assert app_client.get("/api/v1/me", headers=a2).status_code == 401

    # Past its expiry a token is refused (moved back in the database, not waited for).
    a3 = bearer(app_client, "alpha")
    with platform.sessions.begin() as s:
        s.execute(update(ApiToken).where(ApiToken.revoked_at.is_(None))
                  .where(ApiToken.user_id == rows["api"].user_id)
                  .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert app_client.get("/api/v1/me", headers=a3).status_code == 401


def test_revoking_current_needs_a_token(app_client: TestClient) -> None:
    assert _login(app_client, "alpha") == 303
    csrf = _csrf(app_client.get("/sites").text)
    r = app_client.delete("/api/v1/tokens/current", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "browser session" in r.json()["detail"]


def test_failed_logins_are_throttled_per_account(app_client: TestClient,
                                                 platform: Platform) -> None:
    # A second application over the same database: another worker sees the same failures.
    other_worker = TestClient(create_app(platform))
    for attempt in range(auth.ACCOUNT_FAILURE_LIMIT):
        client = app_client if attempt % 2 else other_worker
        assert _wrong_token_request(client, "alpha") == 401
    refused = app_client.post("/api/v1/tokens", json={"username": "alpha",
                                                      "password": PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "too many failed logins for this account" in refused.json()["detail"]
    page = other_worker.post("/login", data={"username": "alpha", "password": PASSWORD,
                                             "csrf": _csrf(other_worker.get("/login").text)})
    assert page.status_code == 429 and "too many failed logins" in page.text
    # Another account is not locked by alpha's failures.
    assert _login(app_client, "beta") == 303


def test_a_successful_login_resets_the_account_count(app_client: TestClient) -> None:
    for _ in range(auth.ACCOUNT_FAILURE_LIMIT - 1):
        assert _wrong_token_request(app_client, "alpha") == 401
    bearer(app_client, "alpha")
    for _ in range(auth.ACCOUNT_FAILURE_LIMIT - 1):
        assert _wrong_token_request(app_client, "alpha") == 401
    assert _login(app_client, "alpha") == 303


def test_failed_logins_are_throttled_per_address(app_client: TestClient) -> None:
    # Many account names from one address: no account reaches its own limit.
    for attempt in range(auth.ADDRESS_FAILURE_LIMIT):
        assert _wrong_token_request(app_client, f"guess-{attempt}") == 401
    refused = app_client.post("/api/v1/tokens", json={"username": "beta", "password": PASSWORD})
    assert refused.status_code == 429 and "from this address" in refused.json()["detail"]


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "at least 5 different characters; this one has 1"),
    ("abcdeabcde", "repeats 'abcde'"),
    ("0123456789", "run of consecutive characters or keys"),
    ("9876543210", "run of consecutive characters or keys"),
    ("qwertyuiop", "run of consecutive characters or keys"),
    ("Password2024!", "one of the most common passwords"),
    ("1qaz2wsx3edc", "one of the most common passwords"),
    ("my-name-is-alpha", "contains the username"),
    ("short", "at least 10 characters"),
])
def test_password_policy_refuses_with_the_reason(password: str, reason: str) -> None:
    problems = auth.password_problems(password, "alpha")
    assert reason in " ".join(p.message for p in problems)
    with pytest.raises(ValidationError, match=reason):
        auth.hash_password(password, "alpha")


@pytest.mark.parametrize("password", ["correct horse battery", PASSWORD, "a-long-password-1",
                                      "Kj8#mQ2$vX9p"])
def test_password_policy_accepts_ordinary_passwords(password: str) -> None:
    assert auth.password_problems(password, "alpha") == []


def test_cookie_authenticated_api_writes_need_the_csrf_header(app_client: TestClient) -> None:
    token_id = app_client.post("/api/v1/tokens", json={"username": "alpha",
                                                       "password": PASSWORD}).json()["id"]
    assert _login(app_client, "alpha") == 303
    csrf = _csrf(app_client.get("/sites").text, '<meta name="csrf-token" content="')
    # Reads need no token; a write with the cookie alone is what a cross-site form would send.
    assert app_client.get("/api/v1/tokens").status_code == 200
    forged = app_client.delete(f"/api/v1/tokens/{token_id}")
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    wrong = app_client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRF-Token": "x" * 64})
    assert wrong.status_code == 403
    ok = app_client.delete(f"/api/v1/tokens/{token_id}", headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"


def test_security_headers_on_every_response(app_client: TestClient,
                                            platform: Platform) -> None:
    for response in (app_client.get("/login"), app_client.get("/api/v1/me"),
                     app_client.get("/static/aurum.css"), app_client.get("/openapi.json")):
        h = response.headers
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        csp = dict(d.strip().split(" ", 1) for d in h["Content-Security-Policy"].split(";"))
        assert csp["script-src"] == "'self'"
        assert csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'self'"
        assert "Strict-Transport-Security" not in h
    over_tls = TestClient(app_client.app, base_url="https://testserver")
    assert over_tls.get("/login").headers["Strict-Transport-Security"].startswith(
        "max-age=31536000")
    behind_proxy = dataclasses.replace(platform, settings=dataclasses.replace(
        platform.settings, cookie_secure=True))
    assert "Strict-Transport-Security" in TestClient(create_app(behind_proxy)).get(
        "/login").headers


def test_api_docs_load_nothing_from_outside(app_client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = app_client.get(path).text
        assert "cdn" not in html and "https://" not in html and "<script>" not in html
    docs = app_client.get("/docs").text
    assert 'src="/docs/assets/swagger-ui-bundle.js"' in docs
    bundle = app_client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert app_client.get("/docs/assets/swagger-ui.css").headers["content-type"].startswith(
        "text/css")
    assert app_client.get("/docs/assets/..%2Fcore.py").status_code == 404
