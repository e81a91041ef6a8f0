"""Every append-only table refuses to change a stored row: an ORM update or delete is refused by
the flush hook (:class:`~aurum.store.audit.AppendOnlyViolation`), an UPDATE or DELETE
statement by the database trigger, on each backend under test.

The tables are the models marked :class:`~aurum.store.models.AppendOnly`, found in the mapper
registry: a table marked tomorrow is covered without touching this file. Its row is built from
its columns (nullable columns and those with a default left out, parents of foreign keys
inserted first), so a marked table whose columns this builder cannot fill fails here.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Double,
    Integer,
    LargeBinary,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from aurum.services.platform import Platform
from aurum.store import models
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import AppendOnly, Base
from tests.conftest import BACKENDS, empty_database

MARKED = sorted((m.class_ for m in Base.registry.mappers if issubclass(m.class_, AppendOnly)),
                key=lambda cls: cls.__tablename__)


def _value(column: Column[Any], serial: Iterator[int]) -> Any:
    """A value of the column's type, distinct for each call (unique columns)."""
    n = next(serial)
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):  # BigInteger too
        return n
    if isinstance(kind, Double):
        return float(n)
    if isinstance(kind, String):  # Text too
        return f"v{n}"[:kind.length]
    if isinstance(kind, LargeBinary):
        return n.to_bytes(kind.length or 8, "big")
    if isinstance(kind, DateTime):
        return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    if isinstance(kind, Date):
        return date(2025, 1, 1) + timedelta(days=n)
    if isinstance(kind, JSON):
        return {}
    raise AssertionError(f"{column.table.name}.{column.name}: no value for type {kind!r}")


def _insert(conn: Connection, table: Table, serial: Iterator[int]) -> dict[str, Any]:
    """Insert a minimal valid row of ``table`` (and its parents); its values by column."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column is table.autoincrement_column or column.default is not None or (
                column.nullable and not column.primary_key):
            continue
        foreign = next(iter(column.foreign_keys), None)
        if foreign is None:
            row[column.name] = _value(column, serial)
        else:
            parent = _insert(conn, foreign.column.table, serial)
            row[column.name] = parent[foreign.column.name]
    result = conn.execute(insert(table).values(row))
    key = result.inserted_primary_key
    assert key is not None
    row.update(zip((c.name for c in table.primary_key), key, strict=True))
    return row


def _changed(value: Any) -> Any:
    """A value that differs from ``value``, of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float | datetime | date):
        return value + (timedelta(days=1) if isinstance(value, date) else 1)
    if isinstance(value, dict):
        return {**value, "changed": 1}
    return value + value[:1]  # str, bytes


@pytest.fixture(scope="module", params=BACKENDS)
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Platform]:
    """One migrated database per backend for every table (migrating takes longer than all the
    checks): each table's row is its own, the serial keeps unique columns apart."""
    with empty_database(request.param, tmp_path_factory.mktemp("append-only")) as url:
        yield Platform.open(url, migrate_to_head=True)


SERIAL = itertools.count(1)


@pytest.fixture(params=MARKED, ids=lambda cls: cls.__tablename__)
def stored(request: pytest.FixtureRequest, platform: Platform) -> tuple[type[Any], dict[str, Any]]:
    """An append-only model and the values of one row of it in the database."""
    model = request.param
    with platform.engine.begin() as conn:
        return model, _insert(conn, model.__table__, SERIAL)


def test_every_marked_model_of_the_models_package_is_covered() -> None:
    # Each module of the package imported, so that a model the package's __init__ forgets to
    # import is found too (the mapper registry knows only the imported ones).
    for module in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"{models.__name__}.{module.name}")
    marked: set[type[Any]] = set()
    pending = list(AppendOnly.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if hasattr(cls, "__tablename__"):
            marked.add(cls)
    assert marked == set(MARKED)


def test_the_ledgers_once_left_out_are_marked() -> None:
    assert {"metal_accounts", "metal_account_closings", "waste_entries", "plant_circuits",
            "ledger_witnessed_checkpoints"} <= {cls.__tablename__ for cls in MARKED}


def test_a_stored_row_refuses_every_change(platform: Platform,
                                           stored: tuple[type[Any], dict[str, Any]]) -> None:
    model, row = stored
    table: Table = model.__table__
    key = tuple(row[c.name] for c in table.primary_key)
    # A column the ORM would update: the first that is filled and not the key (a link table
    # has none).
    column = next((c for c in table.columns if not (c.primary_key or c.nullable)),
                  table.primary_key.columns[0])
    attribute = model.__mapper__.get_property_by_column(column).key

    with pytest.raises(AppendOnlyViolation, match=f"{model.__name__} rows are append-only"), \
            transaction(platform.sessions) as s:
        obj = s.get(model, key)
        setattr(obj, attribute, _changed(getattr(obj, attribute)))
    with pytest.raises(AppendOnlyViolation, match=f"{model.__name__} rows are append-only"), \
            transaction(platform.sessions) as s:
        s.delete(s.get(model, key))

    where = [c == row[c.name] for c in table.primary_key]
    with platform.engine.connect() as conn:
        before = conn.execute(select(table).where(*where)).one()
    for statement in (update(table).where(*where).values({column.name: column}),
                      delete(table).where(*where)):
        with pytest.raises(DBAPIError, match=f"rows of {table.name} are append-only"), \
                platform.engine.begin() as conn:
            conn.execute(statement)

    with platform.engine.connect() as conn:
        assert conn.execute(select(table).where(*where)).all() == [before]
