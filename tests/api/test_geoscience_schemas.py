"""The geoscience routes (seismic, prospect, resources, pit) declare what they answer: their
tables' JSON rows are what the declared row models say, the models name the columns of the
CSV form, and no JSON answer of theirs is left without a model in ``/docs``."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from aurum.api.app import create_app
from aurum.api.schemas.resources import StatementRow
from tests.api.conftest import bearer
from tests.api.test_resources_api import SPEC, _samples_csv

PREFIXES = ("/api/v1/resources", "/api/v1/pit")
"""Paths of the routers whose JSON answers are all typed."""


def _both(client: TestClient, headers: dict[str, str], path: str
          ) -> tuple[list[dict[str, Any]], list[str]]:
    """A table's JSON rows and its CSV header."""
    rows = client.get(path, headers=headers)
    table = client.get(path + ("&" if "?" in path else "?") + "format=csv", headers=headers)
    assert rows.status_code == table.status_code == 200, (rows.text, table.text)
    assert rows.json(), f"{path}: nothing to check"
    return rows.json(), next(csv.reader(io.StringIO(table.text)))


def _check_table(client: TestClient, headers: dict[str, str], path: str,
                 row: type[BaseModel]) -> None:
    rows, header = _both(client, headers, path)
    TypeAdapter(list[row]).validate_python(rows)  # type: ignore[valid-type]
    assert sorted(header) == sorted(row.model_fields)


def test_statement_table(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/resources/estimate", headers=a,
                        files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                               "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                        "application/yaml")})
    assert r.status_code == 201, r.text
    _check_table(app_client, a, "/api/v1/resources/statements?site=SD-A-01", StatementRow)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_json_answer_has_a_model(prefix: str) -> None:
    untyped = []
    for path, operations in create_app().openapi()["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and schema is not None and "$ref" not in (
                        schema.get("items", schema)):
                    untyped.append(f"{method.upper()} {path}")
    assert not untyped
