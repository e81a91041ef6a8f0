"""The geoscience routes (seismic, prospect, resources, pit) declare what they answer: their
tables' JSON rows are what the declared row models say, the models name the columns of the
CSV form, and no JSON answer of theirs is left without a model in ``/docs``."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from aurum.api.app import create_app
from aurum.api.schemas.resources import StatementRow
from aurum.api.schemas.seismic import EventRow
from aurum.services import seismic
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.api.test_resources_api import SPEC, _samples_csv
from tests.api.test_seismic_api import quakeml_bytes  # noqa: F401 (a fixture)
from tests.factories import Registry
from tests.services.test_seismic import STATIONS, TRUE_POSITION, VP, VS, synthetic_picks

PREFIXES = ("/api/v1/seismic", "/api/v1/prospect", "/api/v1/resources", "/api/v1/pit")
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


def test_event_table_and_relocation(app_client: TestClient, platform: Platform, reg: Registry,
                                    quakeml_bytes: tuple[bytes, pd.DataFrame]  # noqa: F811
                                    ) -> None:
    data, cat = quakeml_bytes
    a = bearer(app_client, "alpha")
    url = "/api/v1/seismic/SD-A-01"
    r = app_client.post(f"{url}/import", headers=a,
                        files={"file": ("events.xml", data, "application/xml")})
    assert r.status_code == 201, r.text
    _check_table(app_client, a, f"{url}/events", EventRow)
    sites = app_client.get("/api/v1/seismic/sites", headers=a).json()
    assert [(s["site"], s["events"]) for s in sites] == [("SD-A-01", len(cat))]
    # Relocation from exact picks, through the API: the event moves back to its source.
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        seismic.configure(s, reg.ent_a, "SD-A-01", vp_m_s=VP, vs_m_s=VS)
        seismic.set_stations(s, reg.ent_a, "SD-A-01", STATIONS)
    event = app_client.get(f"{url}/events", headers=a).json()[10]
    t0 = pd.Timestamp(event["time"]).timestamp() + 0.25
    picks = synthetic_picks(event["resource_id"], t0).drop(columns="event")
    moved = app_client.post(f"{url}/events/{event['id']}/relocate", headers=a,
                            json={"picks": picks.to_dict("records")})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert set(body) == {"id", "x", "y", "z", "time", "status"}
    assert (body["id"], body["status"]) == (event["id"], "reviewed")
    assert [body[k] for k in "xyz"] == pytest.approx(list(TRUE_POSITION), abs=0.5)
    assert body["time"].endswith("+00:00")
    assert pd.Timestamp(body["time"]).timestamp() == pytest.approx(t0, abs=1e-4)


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
