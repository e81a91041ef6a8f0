"""Bulk inserts (COPY on PostgreSQL, executemany on SQLite) store the rows the ORM stores, in the
caller's transaction, with ids that never collide with the ORM's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store import bulk
from aurum.store.db import transaction
from aurum.store.models import LedgerEntry, Upload

UPLOADS = cast(Table, Upload.__table__)
ENTRIES = cast(Table, LedgerEntry.__table__)
WHEN = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _rows(platform: Platform, table: Table, key: str) -> list[dict[str, Any]]:
    with platform.sessions() as s:
        return [dict(r._mapping) for r in s.execute(select(table).order_by(table.c[key]))]


def test_same_rows_as_the_orm(platform: Platform, admin: Actor) -> None:
    """JSON, time stamps, text with tabs and line breaks, bytes, NULLs: each column as the ORM
    writes it."""
    uploads = [{"user_id": admin.user_id, "org_id": None, "filename": "a\tb\nc \\ 'd'.csv",
                "received_at": WHEN, "status": "rejected", "n_rows": 3,
                "problems": [{"row": 2, "message": "数值 \"bad\"", "column": None}]},
               {"user_id": None, "org_id": None, "filename": "e.csv", "received_at": WHEN,
                "status": "accepted", "n_rows": 0, "problems": []}]
    entries = [{"kind": "purchase", "body": '{"a":"\\u00e9\\t"}', "leaf_hash": bytes(range(32)),
                "idempotency_key": f"k{i}", "recorded_at": WHEN, "recorded_by": None}
               for i in range(2)]
    with transaction(platform.sessions, admin.user_id) as s:
        s.add_all(Upload(**u) for u in uploads)
    # The audit hook's snapshot is JSON, which has no bytes: the ledger writes its entries
    # through Core; a plain ORM session stands for "the ORM" here.
    with Session(platform.engine) as s, s.begin():
        s.add_all(LedgerEntry(seq=i, **e) for i, e in enumerate(entries))
    with transaction(platform.sessions, admin.user_id) as s:
        ids = bulk.new_ids(s, UPLOADS, len(uploads))
        bulk.insert_columns(s, UPLOADS, {"id": ids, **{c: [u[c] for u in uploads]
                                                       for c in uploads[0]}}, len(uploads))
        bulk.insert_columns(s, ENTRIES, {
            "seq": np.arange(2, 4), "idempotency_key": pd.Series(["k2", "k3"]),
            **{c: entries[0][c] for c in entries[0] if c != "idempotency_key"}}, 2)
    stored = _rows(platform, UPLOADS, "id")
    assert [r.pop("id") for r in stored] == [1, 2, *ids]
    assert stored[2:] == stored[:2]
    logged = _rows(platform, ENTRIES, "seq")
    assert [(r.pop("seq"), r.pop("idempotency_key")) for r in logged] == [
        (i, f"k{i}") for i in range(4)]
    assert logged[2:] == logged[:2]
    assert logged[0]["recorded_at"].replace(tzinfo=UTC) == WHEN


def test_missing_values_are_null_and_ids_follow(platform: Platform, admin: Actor) -> None:
    """NA in arrays and series is NULL, numpy numbers are Python's; the ORM's next id comes
    after the drawn ones."""
    with transaction(platform.sessions) as s:
        ids = bulk.new_ids(s, UPLOADS, 3)
        bulk.insert_columns(s, UPLOADS, {
            "id": ids, "user_id": pd.Series([admin.user_id, pd.NA, None], dtype="Int64"),
            "filename": np.array(["a", "b", "c"], dtype=object), "received_at": WHEN,
            "status": "accepted", "n_rows": np.array([1, 2, 3]), "problems": [[]] * 3},
            3)
    with transaction(platform.sessions) as s:
        later = Upload(filename="d", status="accepted", n_rows=0, problems=[])
        s.add(later)
    stored = _rows(platform, UPLOADS, "id")
    assert ids == sorted(set(ids)) and later.id > ids[-1]
    assert [(r["user_id"], r["n_rows"]) for r in stored] == [
        (admin.user_id, 1), (None, 2), (None, 3), (None, 0)]


def test_in_the_callers_transaction(platform: Platform) -> None:
    """A failing transaction takes its bulk rows with it; a duplicate key is SQLAlchemy's
    IntegrityError, as for any statement."""
    row = {"kind": "purchase", "body": "{}", "leaf_hash": b"\0" * 32, "recorded_at": WHEN}
    with pytest.raises(RuntimeError), transaction(platform.sessions) as s:
        bulk.insert_columns(s, ENTRIES, {"seq": [0], "idempotency_key": ["a"], **row}, 1)
        raise RuntimeError("the caller fails after the write")
    assert _rows(platform, ENTRIES, "seq") == []
    with pytest.raises(IntegrityError), transaction(platform.sessions) as s:
        bulk.insert_columns(s, ENTRIES, {"seq": [0, 0], "idempotency_key": ["a", "b"], **row},
                            2)
    assert _rows(platform, ENTRIES, "seq") == []
    with transaction(platform.sessions) as s:
        bulk.insert_columns(s, ENTRIES, {"seq": [], "idempotency_key": [], **row}, 0)
        assert bulk.new_ids(s, UPLOADS, 0) == []
