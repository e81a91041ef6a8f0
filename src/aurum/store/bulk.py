"""Bulk inserts inside the session's transaction: ``COPY`` on PostgreSQL, one ``executemany``
on SQLite; and lookups of many keys in one bound parameter.

Writers of many rows at once (report imports, ledger appends) hand their rows here column by
column, and ask which of many keys are stored with :func:`one_of`. The values go through each
column type's bind processor, so the stored rows are the ones a Core ``INSERT`` would write;
what the helper skips is SQLAlchemy's per-row parameter handling and, on PostgreSQL, the
parsing of long multi-row statements. Nothing here bypasses the transaction: the rows are
written on the session's own connection and committed or rolled back with everything else.
Rows written this way leave no ORM audit record; the caller writes its own
(:func:`aurum.store.audit.record`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    any_,
    bindparam,
    exc,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def _values(column: Any, process: Any, n: int) -> list[Any]:
    """``n`` bound values of one column: a sequence as given (arrays and series with missing
    values as None, what the drivers bind), or one value repeated; through ``process``, the
    column type's bind processor (if any)."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.DatetimeTZDtype):
        values = list(column.array.to_pydatetime())  # type: ignore[attr-defined]
    elif isinstance(column, pd.Series | np.ndarray):
        array = np.asarray(column, dtype=object)
        missing = pd.isna(array)
        values = array.tolist()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing, strict=True)]
    elif isinstance(column, list | tuple):
        values = list(column)
    else:
        return [column if process is None else process(column)] * n
    return values if process is None else list(map(process, values))


def insert_columns(session: Session, table: Table, columns: Mapping[str, Any], n: int) -> None:
    """Insert ``n`` rows given column by column, in the session's transaction.

    Columns left out get the database's default (a serial id, a server default), not the
    model's Python default: give those explicitly.

    Parameters
    ----------
    session : Session
        Session inside a transaction.
    table : Table
        Target table.
    columns : mapping
        Column name to ``n`` values (list, tuple, numpy array or pandas series; NaN and NA in
        arrays and series are written as NULL) or to one value for every row (any other
        object: a JSON list the same for every row is given as ``n`` lists).
    n : int
        Number of rows.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        The driver's error, wrapped as SQLAlchemy wraps it for any statement (an
        :class:`~sqlalchemy.exc.IntegrityError` for a duplicate key, say).
    """
    if n == 0:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = list(columns)
    rows = list(zip(*(_values(columns[name],
                                table.c[name].type.dialect_impl(dialect).bind_processor(dialect),
                                n) for name in names), strict=True))
    preparer = dialect.identifier_preparer
    target = (f"{preparer.format_table(table)} "
              f"({', '.join(preparer.quote(name) for name in names)})")
    if dialect.name == "postgresql":
        _copy(conn, f"COPY {target} FROM STDIN", rows)
    else:
        # The driver's own executemany: one prepared statement, every row bound in C.
        marks = ", ".join(["?"] * len(names))
        conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({marks})", rows)


def _copy(conn: Connection, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """``COPY ... FROM STDIN`` through psycopg on the connection's own driver connection."""
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(statement, None, error,
                                      conn.dialect.loaded_dbapi.Error) from error


def new_ids(session: Session, table: Table, n: int) -> list[int]:
    """``n`` unused values of the table's integer primary key, increasing, for rows about to
    be written with :func:`insert_columns` (which then need no ``RETURNING``).

    On PostgreSQL they are drawn from the column's sequence (concurrent writers draw distinct
    ones). On SQLite they follow the largest stored id, read under the database's write lock
    (taken here if the transaction has not written yet): SQLite has one writer at a time, so
    no other transaction can take them before this one commits.

    Parameters
    ----------
    session : Session
        Session inside a transaction.
    table : Table
        Table with a single integer primary key.
    n : int
        Number of ids.
    """
    (key,) = table.primary_key.columns
    if n == 0:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # One array in one row: fetching n rows through the result machinery costs more
        # than drawing them.
        drawn = conn.execute(text("SELECT array_agg(nextval(pg_get_serial_sequence(:t, :c))) "
                                  "FROM generate_series(1, :n)"),
                             {"t": table.fullname, "c": key.name, "n": n}).scalar_one()
        return sorted(drawn)
    driver = conn.connection.driver_connection
    assert driver is not None
    if not driver.in_transaction:
        # The driver begins a transaction at the first write only; before it, another writer
        # could take the ids between this read and our insert.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    last = conn.execute(select(func.max(key))).scalar()
    first = (last or 0) + 1
    return list(range(first, first + n))


def one_of(session: Session, column: ColumnElement[Any], values: Sequence[Any]
           ) -> ColumnElement[bool]:
    """``column`` is one of ``values``, with all of them in one bound parameter.

    An ``IN`` list binds each value apart: SQLAlchemy renders and processes one parameter per
    value and the driver sends them one by one, which costs more than the lookup itself at
    10^4 keys. Here PostgreSQL gets ``= ANY(:array)`` (one array) and SQLite
    ``IN (SELECT value FROM json_each(:json))`` (one JSON text), whatever the count.

    Parameters
    ----------
    session : Session
        Session whose database decides the form.
    column : ColumnElement
        Column of strings or integers.
    values : sequence
        Python strings or integers (JSON and the drivers take them as they are).
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    listed = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
    return column.in_(select(listed.c.value))
