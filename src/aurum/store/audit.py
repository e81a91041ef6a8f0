"""The audit trail: every ORM write leaves a record of who, when, what (before and after).

A session-level hook reads the unit of work at flush time, so no service can forget it. Bulk
writes that bypass the ORM (report imports) call :func:`record` themselves. The hook also
enforces append-only tables (models marked :class:`~aurum.store.models.base.AppendOnly`): a
flush that updates or deletes one of their rows fails.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from aurum.core.errors import AurumError
from aurum.store.models.base import AppendOnly


class AppendOnlyViolation(AurumError):
    """An append-only row (report version, audit record, upload) was to be changed."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _snapshot(obj: Any, skip: frozenset[str] = frozenset({"password_hash", "token_hash"})
              ) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.columns[0].name: ("***" if c.key in skip else _jsonable(getattr(obj, c.key)))
            for c in mapper.column_attrs}


def _before_snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        # Keyed by the column, as the table has it (an attribute may be named otherwise).
        column = attr.columns[0].name
        if hist.deleted:
            out[column] = _jsonable(hist.deleted[0])
        else:
            out[column] = _jsonable(getattr(obj, attr.key))
    return out


def record(session: Session, action: str, entity: str, entity_id: str | None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Write one audit record in the session's transaction (for writes outside the ORM)."""
    from aurum.store.models import AuditRecord

    session.execute(insert(AuditRecord), [{
        "user_id": session.info.get("user_id"), "action": action, "entity": entity,
        "entity_id": entity_id, "before": before, "after": after}])


def install(factory: sessionmaker[Session]) -> None:
    """Attach the audit hooks to every session the factory makes."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)]
    for obj in [*changed, *session.deleted]:
        if isinstance(obj, AppendOnly):
            raise AppendOnlyViolation(
                f"{type(obj).__name__} rows are append-only; write a new version instead")


def _after_flush(session: Session, _ctx: Any) -> None:
    # The session still shows its pre-flush new/dirty/deleted sets and attribute history here,
    # while new rows already have their primary keys.
    from aurum.store.models import AuditRecord

    rows = [_row(session, "create", obj, None, _snapshot(obj))
            for obj in session.new if not isinstance(obj, AuditRecord)]
    for obj in session.dirty:
        if session.is_modified(obj):
            rows.append(_row(session, "update", obj, _before_snapshot(obj), _snapshot(obj)))
    for obj in session.deleted:
        rows.append(_row(session, "delete", obj, _snapshot(obj), None))
    if rows:
        session.execute(insert(AuditRecord), rows)


def _row(session: Session, action: str, obj: Any, before: dict[str, Any] | None,
         after: dict[str, Any] | None) -> dict[str, Any]:
    identity = inspect(obj).identity
    return {"user_id": session.info.get("user_id"), "action": action,
            "entity": type(obj).__tablename__,
            "entity_id": None if identity is None else ":".join(map(str, identity)),
            "before": before, "after": after}
