"""Query results as pandas frames, built from row tuples (several times faster than from
mappings) and typed by the column names of the statement."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.store.models import AuditRecord


def frame_of(session: Session, stmt: Any) -> pd.DataFrame:
    """Execute a Core/ORM select and return its rows as a frame (columns even when empty)."""
    result = session.execute(stmt)
    return pd.DataFrame.from_records(result.all(), columns=list(result.keys()))


def data_version(session: Session) -> int:
    """A number that grows with every write: the newest audit record.

    Every write leaves an audit record (ORM hook or explicit import record), so a result
    computed at one data version stays valid until this number changes.
    """
    return int(session.scalar(select(func.max(AuditRecord.id))) or 0)
