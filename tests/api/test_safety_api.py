"""The hazard workflow, the tailings monitoring and the safety pages through the API, with
the roles and organisation scopes of the small registry."""

from __future__ import annotations

import ast
import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import aurum.api.routers.safety
from aurum.core.time import today_cst
from aurum.safety.register import HazardState
from aurum.safety.tailings import SimulatedStream, simulate_stream
from aurum.services.auth import Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import AuditRecord, SafetyHazardEvent
from tests.api.conftest import bearer
from tests.factories import PASSWORD, Registry

HAZARDS = "/api/v1/safety/hazards"


def _hazard(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = {"site": "SD-A-01", "title": "Loose rock on the drift roof",
            "description": "Roof of the 450 m drift not scaled after the blast",
            "area": "450 m level"} | fields
    r = client.post(HAZARDS, headers=headers, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _deadline(days: int) -> str:
    return (today_cst() + timedelta(days=days)).isoformat()


def test_workflow_end_to_end_with_roles(app_client: TestClient, platform: Platform,
                                        reg: Registry) -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        create_user(s, "alpha2", PASSWORD, Role.ENTERPRISE, org_code="ENT-A")
    alpha, alpha2, beta = (bearer(app_client, u) for u in ("alpha", "alpha2", "beta"))
    miit, sd_miit, auditor = (bearer(app_client, u) for u in ("miit", "sd-miit", "audit"))
    hazard = _hazard(app_client, alpha, level="general")
    hid = hazard["id"]
    assert (hazard["state"], hazard["level"], hazard["facility"]) == (
        "classified", "general", "underground")
    # Another enterprise neither sees nor touches it; regulators see it.
    assert app_client.get(f"{HAZARDS}/{hid}", headers=beta).status_code == 404
    assert app_client.get(HAZARDS, headers=beta).json() == []
    assert app_client.post(f"{HAZARDS}/{hid}/assign", headers=beta, json={
        "owner": "beta", "deadline": _deadline(10)}).status_code == 404
    assert [h["id"] for h in app_client.get(HAZARDS, headers=miit).json()] == [hid]
    assert [h["id"] for h in app_client.get(HAZARDS, headers=sd_miit).json()] == [hid]
    # A regulator does not assign the enterprise's work; the enterprise does.
    assert app_client.post(f"{HAZARDS}/{hid}/assign", headers=miit, json={
        "owner": "alpha", "deadline": _deadline(10)}).status_code == 403
    r = app_client.post(f"{HAZARDS}/{hid}/assign", headers=alpha, json={
        "owner": "alpha", "deadline": _deadline(10), "note": "scale and bolt"})
    assert r.status_code == 200 and r.json()["state"] == "assigned"
    photo = b"\x89PNG roof after scaling and bolting"
    r = app_client.post(f"{HAZARDS}/{hid}/files", headers=alpha,
                        files={"file": ("roof.png", photo, "image/png")})
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(photo).hexdigest()
    digest = r.json()["sha256"]
    r = app_client.post(f"{HAZARDS}/{hid}/rectify", headers=alpha, json={"evidence": [digest]})
    assert r.status_code == 200 and r.json()["evidence"] == [digest]
    # The rectifier cannot verify its own rectification; a colleague can.
    r = app_client.post(f"{HAZARDS}/{hid}/verify", headers=alpha)
    assert r.status_code == 403 and "alpha owns or rectified it" in r.json()["detail"]
    assert app_client.get(f"{HAZARDS}/{hid}", headers=alpha).json()["actions"] == []
    assert app_client.get(f"{HAZARDS}/{hid}", headers=alpha2).json()["actions"] == [
        "verify", "reject"]
    assert app_client.post(f"{HAZARDS}/{hid}/verify", headers=alpha2).status_code == 200
    assert app_client.post(f"{HAZARDS}/{hid}/close", headers=auditor).status_code == 403
    r = app_client.post(f"{HAZARDS}/{hid}/close", headers=alpha, json={"note": "done"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    detail = app_client.get(f"{HAZARDS}/{hid}", headers=miit).json()
    assert [(e["action"], e["by"]) for e in detail["timeline"]] == [
        ("report", "alpha"), ("classify", "alpha"), ("assign", "alpha"), ("rectify", "alpha"),
        ("verify", "alpha2"), ("close", "alpha")]
    assert detail["verified_by"] == "alpha2" and detail["closed_on"] == _deadline(0)
    # The evidence is served to those who may read the hazard.
    assert app_client.get(f"{HAZARDS}/{hid}/files/{digest}", headers=miit).content == photo
    assert app_client.get(f"{HAZARDS}/{hid}/files/{digest}", headers=beta).status_code == 404
    timeline = pd.read_csv(io.StringIO(app_client.get(
        f"{HAZARDS}/{hid}/timeline?format=csv", headers=miit).text))
    assert timeline["to_state"].tolist()[-1] == "closed" and len(timeline) == 6
    book = pd.read_excel(io.BytesIO(app_client.get(f"{HAZARDS}?format=xlsx",
                                                   headers=miit).content))
    assert book["Id"].tolist() == [hid] and book["State"].tolist() == ["closed"]
    summary = app_client.get("/api/v1/safety/clearing/summary", headers=miit).json()
    assert summary["indicator"] == {"id": "open_major_past_deadline", "value": 0,
                                    "target": 0, "met": True}
    assert summary["median_days_to_close"] == 0.0


def test_bad_inputs_change_nothing(app_client: TestClient, platform: Platform,
                                   reg: Registry) -> None:
    alpha = bearer(app_client, "alpha")
    hid = _hazard(app_client, alpha, level="general")["id"]

    def counts() -> tuple[int, int]:
        with platform.sessions() as s:
            return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                         for m in (SafetyHazardEvent, AuditRecord))

    before = counts()
    r = app_client.post(f"{HAZARDS}/{hid}/assign", headers=alpha,
                        json={"owner": "alpha", "deadline": _deadline(-1)})
    assert r.status_code == 422
    assert r.json()["problems"][0]["column"] == "deadline"
    assert "is before the report date" in r.json()["detail"]
    r = app_client.post(f"{HAZARDS}/{hid}/close", headers=alpha)
    assert r.status_code == 422 and "cannot close" in r.json()["detail"]
    assert app_client.post(f"{HAZARDS}/{hid}/approve", headers=alpha).status_code == 422
    assert app_client.post(HAZARDS, headers=alpha, json={
        "site": "NO-SUCH", "title": "x", "description": "y"}).status_code == 404
    r = app_client.post(HAZARDS, headers=alpha, json={
        "site": "SD-A-01", "title": "x", "description": "y", "level": "major"})
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "criterion"
    app_client.post(f"{HAZARDS}/{hid}/assign", headers=alpha,
                    json={"owner": "alpha", "deadline": _deadline(5)})
    before = counts()
    r = app_client.post(f"{HAZARDS}/{hid}/rectify", headers=alpha, json={"evidence": []})
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "evidence"
    r = app_client.post(f"{HAZARDS}/{hid}/rectify", headers=alpha,
                        json={"evidence": ["0" * 64]})
    assert r.status_code == 422 and "upload the file" in r.json()["detail"]
    assert counts() == before
    assert app_client.get(f"{HAZARDS}/{hid}", headers=alpha).json()["state"] == "assigned"


def _readings(days: int = 6) -> tuple[pd.DataFrame, SimulatedStream]:
    stream = simulate_stream(start="2025-07-01", days=days, storm_day=2.0)
    frame = stream.readings.rename(columns={"point": "sensor"})
    frame["time"] = frame["time"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return frame, stream


def test_facility_name_defaults_to_its_code(app_client: TestClient, reg: Registry) -> None:
    alpha = bearer(app_client, "alpha")
    body = {"site": "SD-A-01", "code": "TF9", "dam_type": "upstream",
            "crest_elevation_m": 120.0, "beach_slope": 0.01, "control_phreatic_depth_m": 6.0}
    missing = app_client.post("/api/v1/safety/tailings", headers=alpha,
                              json={k: v for k, v in body.items() if k != "dam_type"})
    assert missing.status_code == 422
    assert [e["loc"][-1] for e in missing.json()["detail"]] == ["dam_type"]
    r = app_client.post("/api/v1/safety/tailings", headers=alpha, json=body | {"grade": 3})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "TF9"


def test_monitoring_through_the_api(app_client: TestClient, reg: Registry) -> None:
    alpha, beta, miit = (bearer(app_client, u) for u in ("alpha", "beta", "miit"))
    frame, stream = _readings()
    design = stream.design
    r = app_client.post("/api/v1/safety/tailings", headers=alpha, json={
        "site": "SD-A-01", "code": "TF1", "name": "Alpha tailings", "dam_type": "upstream",
        "crest_elevation_m": design.crest_elevation_m, "beach_slope": design.beach_slope,
        "control_phreatic_depth_m": design.control_phreatic_depth_m, "grade": 3,
        "design_flood_level_m": 119.3, "flood_control_level_m": 118.9,
        "operating_control_level_m": 118.6})
    assert r.status_code == 201 and r.json()["min_beach_length_m"] == 70.0
    for point in stream.points:
        r = app_client.post("/api/v1/sensors", headers=alpha, json={
            "site": "SD-A-01", "code": point.id, "kind": point.kind.value, "facility": "TF1",
            "surface_elevation_m": point.surface_elevation_m})
        assert r.status_code == 201, r.text
    assert app_client.post("/api/v1/sensors", headers=beta, json={
        "site": "SD-A-01", "code": "X1", "kind": "pressure_cell", "unit": "MPa"}
    ).status_code == 404
    body = {"readings": frame[["sensor", "time", "value"]].to_dict("records")}
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["inserted"], result["duplicates"]) == (len(frame), 0)
    assert result["alerts"][-1]["level"] == "red" and len(result["hazards"]) == 2
    again = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json=body)
    assert (again.json()["inserted"], again.json()["alerts"]) == (0, [])
    assert app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json={
        "readings": [{"sensor": "PL9", "time": "2025-07-09T00:00:00Z", "value": 1}]}
    ).status_code == 422
    listed = pd.read_csv(io.StringIO(app_client.get("/api/v1/safety/tailings?format=csv",
                                                    headers=miit).text))
    assert listed[["code", "grade", "min_freeboard_m"]].values.tolist() == [["TF1", 3, 0.7]]
    state = app_client.get("/api/v1/safety/tailings/TF1", headers=miit).json()
    assert state["sensors"] == ["PL1", "PZ1", "PZ2", "PZ3", "RG1", "SD1", "SD2"]
    assert state["state"]["level"] in {"none", "blue", "yellow", "orange", "red"}
    alerts = app_client.get("/api/v1/sensors/alerts?min_level=red", headers=miit).json()
    red = alerts[0]
    assert red["facility"] == "TF1" and red["hazard_id"] in result["hazards"]
    assert app_client.get("/api/v1/sensors/alerts", headers=beta).json() == []
    ack = f"/api/v1/sensors/alerts/{red['id']}/acknowledge"
    assert app_client.post(ack, headers=miit).status_code == 403
    r = app_client.post(ack, headers=alpha, json={"note": "pond lowered"})
    assert r.status_code == 200 and r.json()["acknowledged_by"] == "alpha"
    assert app_client.post(ack, headers=alpha).status_code == 422
    readings = pd.read_csv(io.StringIO(app_client.get(
        "/api/v1/sensors/SD-A-01/PL1/readings?format=csv", headers=miit).text))
    assert len(readings) == len(frame[frame["sensor"] == "PL1"])
    # Generic rules are data: a bad rule is refused with its place named.
    r = app_client.post("/api/v1/sensors", headers=alpha, json={
        "site": "SD-A-01", "code": "BP1", "kind": "pressure_cell", "unit": "MPa",
        "rules": [{"kind": "threshold", "levels": {"amber": 2}}]})
    assert r.status_code == 422 and "rules[1]" in r.json()["problems"][0]["column"]


def _login(client: TestClient, user: str) -> None:
    html = client.get("/login").text
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_pages_and_forms(app_client: TestClient, reg: Registry) -> None:
    _login(app_client, "alpha")
    page = app_client.get("/safety")
    assert page.status_code == 200 and 'data-testid="report-hazard"' in page.text
    r = app_client.post("/safety/hazards", data={
        "csrf": _csrf(page.text), "site": "SD-A-01", "title": "Guard missing",
        "description": "Tail pulley guard missing", "level": "general"},
        files={"photo": ("guard.jpg", b"jpeg bytes", "image/jpeg")}, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    page = app_client.get(url)
    assert 'data-testid="step-assign"' in page.text
    bad = app_client.post(f"{url}/assign", data={
        "csrf": _csrf(page.text), "owner": "alpha", "deadline": _deadline(-3)})
    assert bad.status_code == 422 and "before the report date" in bad.text
    assert app_client.post(f"{url}/assign", data={"owner": "alpha",
                                                   "deadline": _deadline(3)}).status_code == 403
    ok = app_client.post(f"{url}/assign", data={"csrf": _csrf(page.text), "owner": "alpha",
                                                "deadline": _deadline(3)})
    assert ok.status_code == 200 and 'data-testid="hazard-state">assigned' in ok.text
    _login(app_client, "miit")
    for path in ("/safety", "/safety?level=general&state=open&overdue=no",
                 "/safety/dashboard", "/safety/tailings", "/safety/alerts", url):
        r = app_client.get(path)
        assert r.status_code == 200, path
        assert 'class="chart"' in r.text, path
    assert app_client.get("/safety/tailings/NOPE").status_code == 404


def test_register_page_filters_by_the_domains_states_and_levels(app_client: TestClient,
                                                                reg: Registry) -> None:
    # The states come from the register's state machine, not from a list of the router's.
    _login(app_client, "alpha")
    page = app_client.get("/safety").text
    state_select = page.split('name="state"')[1].split("</select>")[0]
    level_select = page.split('name="level"')[1].split("</select>")[0]
    offered = re.findall(r"<option[^>]*>([a-z]+)</option>", state_select)
    assert offered == ["any", "open", "reported", "classified", "assigned", "rectified", "verified",
                       "closed"]
    assert offered[2:] == [s.value for s in HazardState]
    assert re.findall(r"<option[^>]*>([a-z]+)</option>", level_select) == [
        "any", "general", "major", "unclassified"]


def test_safety_router_imports_services_core_and_api_only() -> None:
    source = Path(aurum.api.routers.safety.__file__).read_text(encoding="utf-8")
    modules = {node.module or "" for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import)
        for alias in node.names}
    aurum_modules = sorted(m for m in modules if m.startswith("aurum"))
    assert aurum_modules and all(m.split(".")[1] in {"api", "core", "services"}
                                 for m in aurum_modules), aurum_modules
    assert not modules & {"pandas", "numpy", "scipy", "numba"}
