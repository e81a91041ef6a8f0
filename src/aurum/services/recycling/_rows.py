"""Rows out of the ledger's tables: query results to frames, key lists in batches, and the
small conversions every module of the service needs (rows go in through
:mod:`aurum.store.bulk`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import pandas as pd
from sqlalchemy import Executable, Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.services.auth import Actor
from aurum.store.models import (
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    RecyclingPurchase,
    RecyclingSeller,
)

BATCH = 1000
"""Keys per ``IN (...)`` list."""
E = cast(Table, LedgerEntry.__table__)
P = cast(Table, RecyclingPurchase.__table__)
HEADS = cast(Table, LedgerHead.__table__)
NODES = cast(Table, LedgerNode.__table__)
SELLERS = cast(Table, RecyclingSeller.__table__)


def _user(actor: Actor) -> int | None:
    return actor.user_id or None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame(session: Session, stmt: Executable) -> pd.DataFrame:
    """A query's rows as a frame, built column by column (pandas inspects each row object
    when handed the rows)."""
    result = session.execute(stmt)
    columns = list(result.keys())
    rows = result.all()
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True))
                        if rows else {c: [] for c in columns})


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationError(_("%(moment)s has no UTC offset", moment=moment.isoformat()))
    return moment.astimezone(UTC)


def _in_batches(values: Sequence[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), BATCH):
        yield list(values[i:i + BATCH])


def _add_once(session: Session, row: Any, conflict: str) -> None:
    """Add a row that a unique key allows once; a racing writer that stored it first makes
    this a conflict (409), not a database error (the transaction is then rolled back)."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(conflict) from exc
