"""The JSON API is typed: ``/docs`` (the OpenAPI document) is the real contract.

Every operation answering JSON declares the model of its answer: an object answer its
response model, a table (``?format=json|csv|xlsx``) the model of its rows
(:func:`aurum.api.tables.table_responses`). Whether the answers match their models is checked
where they are produced: FastAPI validates every object answer against its model (a model
that refuses undeclared keys, :class:`aurum.api.schemas.Schema`), and the table contract test
validates the rows of every table route.
"""

from __future__ import annotations

from typing import Any

import pytest

from aurum.api.app import create_app

UNTYPED_ALLOWED: frozenset[tuple[str, str]] = frozenset()
"""(method, path) of JSON operations that may stay untyped, each with its reason."""


def _declares_schema(schema: dict[str, Any]) -> bool:
    # ``{}``, a bare ``{"type": "object"}`` or a list of those says nothing about the answer.
    if not schema:
        return False
    if "items" in schema:
        return _declares_schema(schema["items"])
    if "anyOf" in schema:
        return all(_declares_schema(s) or s.get("type") == "null" for s in schema["anyOf"])
    return ("$ref" in schema or "properties" in schema
            or schema.get("type") in {"string", "integer", "number", "boolean"})


@pytest.fixture(scope="module")
def operations() -> list[tuple[str, str, dict[str, Any]]]:
    spec = create_app().openapi()
    found = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            answers = op.get("responses", {})
            ok = next((answers[c] for c in ("200", "201", "202") if c in answers), {})
            json_answer = ok.get("content", {}).get("application/json")
            if json_answer is not None:
                found.append((method.upper(), path, json_answer.get("schema", {})))
    return found


def test_every_json_operation_declares_its_answer(
        operations: list[tuple[str, str, dict[str, Any]]]) -> None:
    untyped = sorted((m, p) for m, p, schema in operations
                     if not _declares_schema(schema) and (m, p) not in UNTYPED_ALLOWED)
    assert len(operations) > 90
    assert untyped == [], f"{len(untyped)} JSON operations declare no answer model"
