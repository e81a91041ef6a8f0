"""Every string a person reads on the safety and seismic pages goes through the catalogue
(issue 17): with a catalogue that turns every message into 中, the pages requested in
Chinese, charts included, show almost no English word; what is left is data (codes, names
of the test's registry) and a handful of words of shared templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.api.test_safety_api import _csrf, _deadline, _login, _readings
from tests.services.test_seismic import GRID, synthetic_catalogue

DATA = frozenset({
    # codes and symbols of the field, as written in Chinese text too
    "Mw", "ML", "Mc", "IMS", "UTC", "MPa", "kV", "Shi", "Bolt", "mw-high",
    # data of the test's registry and uploads (names, codes, users)
    "English",  # the language switch names each language in itself
    "Alpha", "alpha", "Mine", "Plant", "Gold", "Co", "Shandong",
})
"""Latin-letter tokens that are data or codes on these pages, not words to translate."""


@pytest.fixture
def safety_pages(app_client: TestClient, tmp_path: Path) -> list[str]:
    """A hazard, a stress sensor with alerts, a tailings facility whose storm readings opened
    hazards, and a seismic catalogue of Alpha's SD-A-01; the pages that show them."""
    alpha = bearer(app_client, "alpha")
    frame, stream = _readings(days=4)
    design = stream.design
    r = app_client.post("/api/v1/safety/tailings", headers=alpha, json={
        "site": "SD-A-01", "code": "TF1", "name": "一号尾矿库", "dam_type": "upstream",
        "crest_elevation_m": design.crest_elevation_m, "beach_slope": design.beach_slope,
        "control_phreatic_depth_m": design.control_phreatic_depth_m, "grade": 3})
    assert r.status_code == 201, r.text
    for point in stream.points:
        r = app_client.post("/api/v1/sensors", headers=alpha, json={
            "site": "SD-A-01", "code": point.id, "kind": point.kind.value, "facility": "TF1",
            "surface_elevation_m": point.surface_elevation_m})
        assert r.status_code == 201, r.text
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json={
        "readings": frame[["sensor", "time", "value"]].to_dict("records")})
    assert r.status_code == 200 and r.json()["hazards"], r.text
    r = app_client.post("/api/v1/safety/hazards", headers=alpha, json={
        "site": "SD-A-01", "title": "巷道顶板浮石", "description": "爆破后未敲帮问顶",
        "area": "450 中段", "level": "general"})
    assert r.status_code == 201, r.text
    hazard = r.json()["id"]
    r = app_client.post("/api/v1/sensors", headers=alpha, json={
        "site": "SD-A-01", "code": "BPC.1", "kind": "pressure_cell", "unit": "MPa",
        "depth_m": 15.0, "rules": [{"kind": "threshold",
                                    "levels": {"yellow": 12.0, "orange": 15.0, "red": 20.0}}]})
    assert r.status_code == 201, r.text
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json={"readings": [
        {"sensor": "BPC.1", "time": f"2009-11-11T{h:02d}:00:00Z", "value": v}
        for h, v in enumerate([10.0, 13.0, 16.0, 21.0])]})
    assert r.status_code == 200, r.text
    from aurum.seismic.catalog import write_quakeml
    path = tmp_path / "events.xml"
    write_quakeml(synthetic_catalogue(n=200), path, GRID)
    r = app_client.post("/api/v1/seismic/SD-A-01/import", headers=alpha,
                        files={"file": ("events.xml", path.read_bytes(), "application/xml")})
    assert r.status_code == 201, r.text
    _login(app_client, "alpha")
    return ["/safety", "/safety/dashboard", "/safety/alerts", f"/safety/hazards/{hazard}",
            "/safety/tailings", "/safety/tailings/TF1", "/seismic",
            "/seismic/SD-A-01?window_events=100", "/seismic/SD-A-01/stress"]


def test_safety_and_seismic_pages_say_nothing_outside_the_catalogue(
        everything_chinese: None, app_client: TestClient, safety_pages: list[str]) -> None:
    for url in safety_pages:
        page = app_client.get(url, headers=ZH)
        assert page.status_code == 200, (url, page.text[:500])
        assert '<html lang="zh-CN">' in page.text and "中" in page.text
        words = english_words(page.text, DATA)
        assert len(words) <= HANDFUL, f"{url} shows {words[:40]}"


def test_a_refused_step_is_explained_in_the_readers_language(
        everything_chinese: None, app_client: TestClient, safety_pages: list[str]) -> None:
    hazard = safety_pages[3]
    page = app_client.get(hazard, headers=ZH)
    refused = app_client.post(f"{hazard}/assign", headers=ZH, data={
        "csrf": _csrf(page.text), "owner": "alpha", "deadline": _deadline(-3)})
    assert refused.status_code == 422
    problems = refused.text.split('data-testid="problems"')[1].split("</div>")[0]
    assert "中" in problems and not english_words(problems, DATA)


def test_the_check_counts_english_in_text_attributes_and_charts() -> None:
    figure = json.dumps({"data": [{"name": "major open", "x": [1]}],
                         "layout": {"title": {"text": "Alerts per day"}}})
    html = (f"<h1>中 SD-A-01</h1><input placeholder='site code'>"
            f"<div data-figure='{figure}'></div><script>let words = 'not seen';</script>")
    assert english_words(html, DATA) == ["site", "code", "Alerts", "per", "day", "major", "open"]
