"""The database's own guard on append-only tables, created and dropped by the migrations.

Revision 0008 gave every append-only table (models marked ``AppendOnly``) triggers that refuse
UPDATE and DELETE, so that a statement outside the ORM cannot change a record either; later
revisions guard their new tables the same way. The SQL is stated once here: on PostgreSQL one
trigger per table calling 0003's ``aurum_append_only()``, on SQLite one per event raising
ABORT. Revisions that have run call it, so it must keep doing exactly this (a different guard
is a new function and a new revision).
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic import op

EVENTS = ("UPDATE", "DELETE")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def guard_append_only(tables: Iterable[str]) -> None:
    """Create the triggers that refuse UPDATE and DELETE on ``tables``."""
    for table in tables:
        if _postgresql():
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION aurum_append_only()")
            continue
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only'); END")


def unguard_append_only(tables: Iterable[str]) -> None:
    """Drop the triggers :func:`guard_append_only` created on ``tables``."""
    for table in tables:
        if _postgresql():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            continue
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event.lower()}")
