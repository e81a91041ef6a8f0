"""The declared contracts of the safety and sensors routes: every table's JSON rows validate
against its row model, which names exactly the columns of its CSV form; object answers keep
the keys and value formats the services give."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from aurum.api.schemas import Row
from aurum.api.schemas.safety import (
    AlertRow,
    ClearingRow,
    CriterionRow,
    FacilityRow,
    HazardRow,
    ReadingRow,
    SensorRow,
    TimelineRow,
)
from aurum.core.time import today_cst
from aurum.safety.tailings import simulate_stream
from tests.api.conftest import bearer
from tests.factories import Registry

GROUPINGS = ("scope", "site", "enterprise", "province")
"""The columns a clearing row names its group by (one of them per table)."""


def _monitored_facility(client: TestClient, alpha: dict[str, str]) -> None:
    """Facility TF1 of SD-A-01 with its points and six days of readings through a storm
    (alerts, and the hazards its monitoring opens)."""
    stream = simulate_stream(start="2025-07-01", days=6, storm_day=2.0)
    design = stream.design
    r = client.post("/api/v1/safety/tailings", headers=alpha, json={
        "site": "SD-A-01", "code": "TF1", "dam_type": "upstream", "grade": 3,
        "crest_elevation_m": design.crest_elevation_m, "beach_slope": design.beach_slope,
        "control_phreatic_depth_m": design.control_phreatic_depth_m,
        "design_flood_level_m": 119.3, "displacement_limits_mm": {"yellow": 30.0}})
    assert r.status_code == 201, r.text
    for point in stream.points:
        r = client.post("/api/v1/sensors", headers=alpha, json={
            "site": "SD-A-01", "code": point.id, "kind": point.kind.value, "facility": "TF1",
            "surface_elevation_m": point.surface_elevation_m})
        assert r.status_code == 201, r.text
    frame = stream.readings.rename(columns={"point": "sensor"})
    frame["time"] = frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    r = client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha,
                    json={"readings": frame[["sensor", "time", "value"]].to_dict("records")})
    assert r.status_code == 200 and r.json()["alerts"], r.text


def _hazard_worked_on(client: TestClient, alpha: dict[str, str]) -> int:
    """A general hazard, assigned, then escalated once past its deadline."""
    r = client.post("/api/v1/safety/hazards", headers=alpha, json={
        "site": "SD-A-01", "title": "Loose rock", "description": "Roof not scaled",
        "level": "general", "lon": 120.1, "lat": 37.2})
    assert r.status_code == 201, r.text
    hid = int(r.json()["id"])
    deadline = today_cst() + timedelta(days=2)
    r = client.post(f"/api/v1/safety/hazards/{hid}/assign", headers=alpha,
                    json={"owner": "alpha", "deadline": deadline.isoformat()})
    assert r.status_code == 200, r.text
    return hid


def _check_table(client: TestClient, headers: dict[str, str], url: str, row: type[Row],
                 **params: Any) -> list[dict[str, Any]]:
    """Check a table route's JSON rows against ``row`` and its CSV header against the
    columns ``row`` declares; return the rows."""
    r = client.get(url, headers=headers, params=params)
    assert r.status_code == 200, r.text
    rows = TypeAdapter(list[row]).validate_json(r.content)  # type: ignore[valid-type]
    assert rows, f"{url} {params}: no rows to check"
    csv = client.get(url, headers=headers, params=params | {"format": "csv"})
    header = set(pd.read_csv(io.StringIO(csv.text)).columns)
    declared = set(row.model_fields)
    if row is ClearingRow:  # one grouping column per table
        declared -= set(GROUPINGS) - header
    assert header == declared, f"{url} {params}: CSV {sorted(header)} != {sorted(declared)}"
    return list(r.json())


def test_tables_match_their_row_models(app_client: TestClient, reg: Registry) -> None:
    alpha, miit = bearer(app_client, "alpha"), bearer(app_client, "miit")
    _monitored_facility(app_client, alpha)
    hid = _hazard_worked_on(app_client, alpha)
    late = (today_cst() + timedelta(days=12)).isoformat()
    r = app_client.post("/api/v1/safety/escalate", headers=miit, params={"as_of": late})
    assert r.status_code == 200 and [e["hazard"] for e in r.json()] == [hid], r.text

    _check_table(app_client, miit, "/api/v1/safety/criteria", CriterionRow)
    hazards = _check_table(app_client, miit, "/api/v1/safety/hazards", HazardRow, as_of=late)
    assert {h["monitoring"] for h in hazards} == {None, "TF1"}
    _check_table(app_client, miit, f"/api/v1/safety/hazards/{hid}/timeline", TimelineRow)
    for by in (None, "site", "enterprise", "province"):
        params = {"as_of": late} | ({"by": by} if by else {})
        _check_table(app_client, miit, "/api/v1/safety/clearing", ClearingRow, **params)
    _check_table(app_client, miit, "/api/v1/safety/tailings", FacilityRow)
    _check_table(app_client, miit, "/api/v1/sensors", SensorRow)
    alerts = _check_table(app_client, miit, "/api/v1/sensors/alerts", AlertRow)
    assert any(a["hazard_id"] is not None for a in alerts)
    _check_table(app_client, miit, "/api/v1/sensors/SD-A-01/PL1/readings", ReadingRow)


def test_object_answers_keep_the_services_keys_and_formats(app_client: TestClient,
                                                            reg: Registry) -> None:
    alpha = bearer(app_client, "alpha")
    hid = _hazard_worked_on(app_client, alpha)
    detail = app_client.get(f"/api/v1/safety/hazards/{hid}", headers=alpha).json()
    # Times stay as the service writes them (+00:00), days as YYYY-MM-DD.
    assert detail["reported_at"].endswith("+00:00")
    assert detail["reported_on"] == today_cst().isoformat()
    assert detail["timeline"][0]["at"].endswith("Z") and "rectify" in detail["actions"]
    # A rule's answer has the keys of its kind only: no null window for a threshold.
    rules = [{"kind": "threshold", "levels": {"yellow": 20.0, "red": 30.0}},
             {"kind": "rate", "levels": {"red": 5.0}, "window_h": 12.0},
             {"kind": "trend", "levels": {"orange": 2.0}, "window_h": 48.0, "min_points": 4},
             {"kind": "accumulation", "levels": {"blue": 50.0}, "window_h": 24.0}]
    r = app_client.post("/api/v1/sensors", headers=alpha, json={
        "site": "SD-A-01", "code": "BP1", "kind": "pressure_cell", "unit": "MPa",
        "rules": rules[:1]})
    assert r.status_code == 201, r.text
    assert r.json()["rules"] == [{"kind": "threshold", "direction": "above",
                                  "levels": {"yellow": 20.0, "red": 30.0}}]
    r = app_client.put("/api/v1/sensors/SD-A-01/BP1/rules", headers=alpha, json=rules)
    assert r.status_code == 200, r.text
    assert [sorted(rule) for rule in r.json()["rules"]] == [
        ["direction", "kind", "levels"], ["direction", "kind", "levels", "per_h", "window_h"],
        ["direction", "kind", "levels", "min_points", "per_h", "window_h"],
        ["direction", "kind", "levels", "window_h"]]
    assert app_client.get("/api/v1/sensors/SD-A-01/BP1", headers=alpha).json()["rules"] == \
        r.json()["rules"]
