"""Every table route answers JSON, CSV and Excel: each GET route with a ``format`` query
parameter, called on the world of :mod:`tests.contracts.scope_world` by a user who may read
what it names, answers 200 in each format with its media type, the CSV's header and the JSON
rows' keys are the same columns, and where the route declares its row model
(:func:`aurum.api.tables.table_responses`) the JSON rows validate against it.

The routes come from the application's route table: a new table route is covered as soon as it
exists.
"""

from __future__ import annotations

import csv
import io
import typing
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from aurum.api.tables import XLSX
from tests.contracts.scope_world import World
from tests.contracts.test_scope import Caller, Operation, fill, operations, request_kwargs
from tests.factories import PASSWORD

READERS = (Caller("miit", "A", "RC-1", reads_all=True), Caller("root", "A", "RC-1"),
           Caller("alpha", "A", "RC-1"), Caller("rc1", "A", "RC-1"))
"""Who reads a table of the objects of enterprise A and recycler RC-1, tried in turn: the
national regulator, the administrator, then the owners themselves (for what only they read)."""
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX}


QUERY_KINDS = {"site": "site"}
"""Query parameters that name an object of the world, with its kind."""


def table_routes(app: FastAPI) -> list[Operation]:
    """The GET operations whose route takes a ``format`` query parameter of the table
    formats (a model's blocks, in CSV, Parquet or OMF, are no table of rows)."""
    return [op for op in operations(app) if op.method == "GET" and any(
        q.alias == "format" and set(MEDIA_TYPES) <= set(typing.get_args(q.field_info.annotation))
        for q in op.route.dependant.query_params)]


@pytest.fixture(scope="module")
def clients(app: FastAPI) -> dict[str, TestClient]:
    """A client with each reader's bearer token."""
    out = {}
    for reader in READERS:
        client = TestClient(app, raise_server_exceptions=False)
        r = client.post("/api/v1/tokens", json={"username": reader.username,
                                                "password": PASSWORD})
        assert r.status_code == 201, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['token']}"
        out[reader.username] = client
    return out


def _same_columns(rows: list[dict[str, Any]], header: list[str]) -> str | None:
    """Whether the JSON rows' keys are the CSV header's columns (None) or how not.

    A key whose value is an object is one CSV column (an audit record's ``before``, as JSON
    text) or spread over columns named after it and each of its keys (a ledger entry's
    ``entry.serial``, a submission's ``report_id``).
    """
    if not rows:
        return None
    objects = {k for k in rows[0] if any(isinstance(row.get(k), dict) for row in rows)}

    def key_of(column: str) -> str:
        return next((k for k in objects if column.startswith((f"{k}.", f"{k}_"))), column)

    if {key_of(c) for c in header} != set(rows[0]):
        return f"JSON keys {list(rows[0])} but CSV header {header}"
    return None


def test_table_routes_are_found(app: FastAPI) -> None:
    assert len(table_routes(app)) >= 10, [str(op) for op in table_routes(app)]


def test_every_table_answers_json_csv_and_xlsx(app: FastAPI, world: World,
                                               clients: dict[str, TestClient]) -> None:
    problems = []
    for op in table_routes(app):
        problem = _check(op, world, clients)
        if problem:
            problems.append(f"{op}: {problem}")
    assert not problems, "\n".join(problems)


def _check(op: Operation, world: World, clients: dict[str, TestClient]) -> str | None:
    """What is wrong with the table route ``op`` (None when nothing)."""
    tried = []
    for reader in READERS:
        call = fill(op, world, reader)
        named = {q.alias: world.objects[QUERY_KINDS[q.alias]][reader.mining_owner]
                 for q in op.route.dependant.query_params if q.alias in QUERY_KINDS}
        kwargs = request_kwargs(op, "", {**call.sent, **named})
        client = clients[reader.username]
        answers = {fmt: client.get(call.url, params={**kwargs["params"], "format": fmt})
                   for fmt in MEDIA_TYPES}
        if answers["json"].status_code != 200:
            tried.append(f"{reader.username} {answers['json'].status_code}")
            continue
        for fmt, response in answers.items():
            media = response.headers.get("content-type", "").split(";")[0]
            if response.status_code != 200 or media != MEDIA_TYPES[fmt]:
                return (f"{reader.username}, format={fmt}: {response.status_code} {media} "
                        f"{response.text[:200]!r}")
        differ = _same_columns(answers["json"].json(),
                               next(csv.reader(io.StringIO(answers["csv"].text)), []))
        if differ:
            return differ
        model = (op.route.responses or {}).get(200, {}).get("model")
        if model is not None:
            try:
                TypeAdapter(model).validate_python(answers["json"].json())
            except ValueError as exc:
                return f"JSON rows do not match {model}: {str(exc)[:500]}"
        return None
    return f"no reader answered 200 in JSON ({', '.join(tried)})"
