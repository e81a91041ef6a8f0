"""Bulk inserts (COPY on PostgreSQL, executemany on SQLite) store the rows the ORM stores, in the
caller's transaction, with ids that never collide with the ORM's; the ledger's appends store
through them the rows the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum.services import recycling
from aurum.services.auth import SYSTEM, Actor
from aurum.services.platform import Platform
from aurum.services.recycling import ledger, sellers
from aurum.store import bulk
from aurum.store.db import transaction
from aurum.store.models import (
    Base,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerTreeHead,
    RecyclingPurchase,
    RecyclingSeller,
    Upload,
)
from tests.conftest import empty_database
from tests.recycling.helpers import purchase, seller_id, validated

UPLOADS = cast(Table, Upload.__table__)
ENTRIES = cast(Table, LedgerEntry.__table__)
NODES = cast(Table, LedgerNode.__table__)
HEADS = cast(Table, LedgerHead.__table__)
SELLERS = cast(Table, RecyclingSeller.__table__)
PURCHASES = cast(Table, RecyclingPurchase.__table__)
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


def _orm_insert(session: Session, table: Table, columns: dict[str, Any], n: int) -> None:
    """What :func:`bulk.insert_columns` is handed, written as ORM objects instead (by a plain
    session on the same connection: the audit hook's JSON snapshot has no bytes)."""
    model = next(m.class_ for m in Base.registry.mappers if m.local_table is table)
    values = {name: bulk._values(column, None, n) for name, column in columns.items()}
    with Session(bind=session.connection()) as orm:
        orm.add_all(model(**dict(zip(values, row, strict=True)))
                    for row in zip(*values.values(), strict=True))
        orm.flush()


def _append_some(platform: Platform, keys: recycling.LedgerKeys) -> None:
    """Two appends (the second half new, half sent again, with sellers met before), one
    with statements of origin, and an amendment (a purchase row that amends another)."""
    rows = [purchase(recycler=f"RC-{n % 3}", shop=f"S-{n % 2}",
                     seller_id_number=seller_id(n % 40), amount_cny=str(100 + n),
                     occurred_at=f"2025-09-{1 + n // 1440:02d}T{n // 60 % 24:02d}:"
                                 f"{n % 60:02d}:00+08:00",
                     **({"origin": "inherited", "origin_statement": f"祖传\t{n}\n金镯"}
                        if n % 7 == 0 else {}))
            for n in range(400)]
    for batch in (rows[:300], rows[150:]):
        with transaction(platform.sessions) as s:
            recycling.append_purchases(s, SYSTEM, keys, validated(batch),
                                       create_missing=True)
    with transaction(platform.sessions) as s:
        recycling.correct_purchase(s, SYSTEM, keys, 7, "weighed again",
                                   validated([{**rows[7], "gross_weight_g": "10.5"}]))


def _ledger_rows(platform: Platform, keys: recycling.LedgerKeys) -> dict[str, list[Any]]:
    """The rows an append writes, sealed values opened (their nonces are random) and the
    tree heads without their time stamps; checked to verify."""
    opened = keys.personal.open
    with platform.sessions() as s:
        assert recycling.verify_ledger(s, keys).ok
        tables = {t.name: [dict(r._mapping) for r in s.execute(select(t).order_by(
            *t.primary_key.columns))] for t in (ENTRIES, NODES, HEADS, SELLERS, PURCHASES)}
        heads = s.execute(select(LedgerTreeHead.tree_size, LedgerTreeHead.root,
                                 LedgerTreeHead.checkpoint).order_by(LedgerTreeHead.id))
        tables["ledger_tree_heads"] = [tuple(h) for h in heads]
    for r in tables["recycling_sellers"]:
        for field in ("name", "id_number"):
            r[f"{field}_sealed"] = opened(bytes(r[f"{field}_sealed"]),
                                          f"seller:{r['id_hash']}:{field}")
    for r in tables["recycling_purchases"]:
        if r["origin_statement_sealed"] is not None:
            r["origin_statement_sealed"] = opened(bytes(r["origin_statement_sealed"]),
                                                  f"purchase:{r['entry_seq']}:origin_statement")
    return tables


def test_ledger_appends_same_rows_as_the_orm(platform: Platform, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries, nodes, sellers and purchase rows appended in bulk equal those the ORM writes
    for the same appends on a second database of the same backend (the same keys, the same
    clock), and both logs verify."""
    keys = recycling.LedgerKeys.load(platform.settings)
    for module in (ledger, sellers):
        monkeypatch.setattr(module, "utcnow", lambda: WHEN)
    _append_some(platform, keys)
    in_bulk = _ledger_rows(platform, keys)
    assert len(in_bulk["ledger_entries"]) == 402 and in_bulk["ledger_nodes"]
    assert any(r["amends_seq"] is not None for r in in_bulk["recycling_purchases"])
    assert any(r["origin_statement_sealed"] for r in in_bulk["recycling_purchases"])
    with empty_database(platform.engine.dialect.name, tmp_path / "orm") as url:
        monkeypatch.setattr(bulk, "insert_columns", _orm_insert)
        orm_platform = Platform.open(url, migrate_to_head=True)
        _append_some(orm_platform, keys)
        by_orm = _ledger_rows(orm_platform, keys)
    assert in_bulk == by_orm
