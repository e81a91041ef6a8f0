"""Changing stored rows behind the application's back, as someone with the database password
could: the append-only triggers (revisions 0003, 0007, 0008) have to be dropped first."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, text


def drop_append_only_triggers(conn: Connection, tables: Iterable[str]) -> None:
    """Drop the triggers that refuse UPDATE and DELETE on ``tables`` (those without any are
    left as they are)."""
    for table in tables:
        if conn.dialect.name == "sqlite":
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
