"""Revision 0007 gives the API tokens issued before it an expiry, instead of leaving them valid
for ever or locking every API client out (issue 14, finding 5)."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select, text

from aurum.store import migrate
from aurum.store.db import make_engine
from aurum.store.models import ApiToken, utcnow


def test_tokens_issued_before_0007_expire_after_the_default_lifetime(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, username, display_name, password_hash, role, is_active, "
            "created_at) VALUES (1, 'old', 'old', 'x', 'auditor', true, :t)"), {"t": utcnow()})
        conn.execute(text(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
            "VALUES (1, 'old script', :h, :t)"), {"h": "0" * 64, "t": utcnow()})
    before = utcnow()
    migrate.upgrade(engine)
    with engine.connect() as conn:
        expires_at, last_used_at = conn.execute(
            select(ApiToken.expires_at, ApiToken.last_used_at)).one()
    engine.dispose()
    # SQLite gives the timestamp back without its zone (UTC).
    expires_at = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    assert last_used_at is None
    assert before + timedelta(days=90) <= expires_at <= utcnow() + timedelta(days=90)
