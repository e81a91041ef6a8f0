"""Proficiency testing through the API and its pages (issue 22)."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from aurum.services.auth import Actor
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser, _csrf
from tests.factories import Registry
from tests.services.test_metrology import VALUES, labs  # noqa: F401  (the fixture)

API = "/api/v1/metrology"
ROUND = {"code": "PT-1", "name": "Fire assay of a gold ore", "analyte": "Au", "unit": "g/t",
         "method": "fire_assay", "matrix": "gold ore", "reference_material": "RM-AU-5",
         "sigma_pt_rule": "percent", "sigma_pt_value": 5.0, "opens_on": "2026-03-01",
         "closes_on": "2026-04-30"}
MATERIAL = {"code": "RM-AU-5", "name": "Gold ore RM", "matrix": "gold ore", "analyte": "Au",
            "unit": "g/t", "certified_value": 5.0, "expanded_uncertainty": 0.08,
            "coverage_factor": 2, "producer": "demo", "note": "demo values"}


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


def _open_round(app_client: TestClient) -> None:
    """Round PT-1 on RM-AU-5 with the seven laboratories' results (LAB-1's superseded
    once), open."""
    miit = bearer(app_client, "miit")
    assert app_client.post(f"{API}/reference-materials", headers=miit,
                           json=MATERIAL).status_code == 201
    r = app_client.post(f"{API}/rounds", headers=miit, json=ROUND)
    assert r.status_code == 201, r.text
    lab1 = bearer(app_client, "lab1")
    r = app_client.post(f"{API}/rounds/PT-1/results", headers=lab1,
                        json={"value": 5.5, "uncertainty": 0.05})
    assert r.status_code == 201, r.text
    r = app_client.post(f"{API}/rounds/PT-1/results", headers=lab1,
                        json={"value": VALUES[0], "uncertainty": 0.05})
    assert r.json()["supersedes"] is not None
    token = app_client.post("/api/v1/tokens", json={"username": "root-admin",
                                                    "password": "correct horse battery"})
    root = {"Authorization": f"Bearer {token.json()['token']}"}
    for k, v in enumerate(VALUES[1:], start=2):
        r = app_client.post(f"{API}/rounds/PT-1/results", headers=root,
                            json={"value": v, "uncertainty": 0.05, "lab": f"LAB-{k}"})
        assert r.status_code == 201, r.text


def _closed_round(app_client: TestClient) -> None:
    _open_round(app_client)
    r = app_client.post(f"{API}/rounds/PT-1/close", headers=bearer(app_client, "miit"))
    assert r.status_code == 200, r.text


def test_json_routes(app_client: TestClient, platform: Platform, reg: Registry,
                     labs: dict[str, Actor]) -> None:  # noqa: F811
    _closed_round(app_client)
    lab1 = bearer(app_client, "lab1")
    detail = app_client.get(f"{API}/rounds/PT-1", headers=lab1).json()
    stats = detail["statistics"]
    assert stats["assigned_value"] == 5.0 and stats["sigma_pt"] == 0.25
    assert [x["lab"] for x in stats["labs"]][:2] == ["LAB-1", "P02"]
    assert detail["flags"] == {"satisfactory": 6, "questionable": 1, "unsatisfactory": 0}
    named = app_client.get(f"{API}/rounds/PT-1", headers=bearer(app_client, "audit")).json()
    assert named["statistics"]["labs"][1]["lab"] == "LAB-2"
    history = app_client.get(f"{API}/labs/LAB-1", headers=lab1).json()
    assert [h["round"] for h in history["rounds"]] == ["PT-1"]
    assert app_client.get(f"{API}/labs/LAB-2", headers=lab1).status_code == 404
    # A closed round takes no more results; a laboratory opens no round.
    assert app_client.post(f"{API}/rounds/PT-1/results", headers=lab1,
                           json={"value": 5.0}).status_code == 409
    assert app_client.post(f"{API}/rounds", headers=lab1,
                           json=ROUND | {"code": "PT-2"}).status_code == 403
    bad = app_client.post(f"{API}/rounds", headers=bearer(app_client, "miit"),
                          json=ROUND | {"code": "PT-3", "closes_on": "2026-01-01"})
    assert bad.status_code == 422 and "closes_on" in bad.text


def test_pages(app_client: TestClient, platform: Platform, reg: Registry,
               labs: dict[str, Actor]) -> None:  # noqa: F811
    _closed_round(app_client)
    browser = _browser(app_client, "lab1")
    index = browser.get("/metrology")
    assert index.status_code == 200 and "PT-1" in index.text and "RM-AU-5" in index.text
    flags = _figure(index.text, "flags")
    assert [t["y"] for t in flags["data"]] == [[6], [1], [0]]  # type: ignore[index]
    page = browser.get("/metrology/rounds/PT-1")
    assert page.status_code == 200
    chart = _figure(page.text, "z-scores")
    names = [x for t in chart["data"] for x in (t.get("x") or []) if x]  # type: ignore[union-attr]
    assert "Lab 1" in names and "Lab 2" not in names and "P02" in names
    lab_page = browser.get("/metrology/labs/LAB-1")
    assert lab_page.status_code == 200 and _figure(lab_page.text, "history")
    assert browser.get("/metrology/labs/LAB-2").status_code == 404


def test_an_open_round_draws_the_results_received_so_far(
        app_client: TestClient, platform: Platform, reg: Registry,
        labs: dict[str, Actor]) -> None:  # noqa: F811
    _open_round(app_client)
    page = _browser(app_client, "audit").get("/metrology/rounds/PT-1?lang=en")
    assert page.status_code == 200
    assert 'id="chart-z-scores"' not in page.text and 'data-testid="scores"' not in page.text
    assert "the scores come when it closes" in page.text
    chart = _figure(page.text, "received")
    dots = chart["data"][0]  # type: ignore[index]
    # One dot per laboratory (LAB-1's superseded entry is not one), its current value, in the
    # order the laboratories first submitted.
    assert dots["x"] == [f"Lab {k}" for k in range(1, 8)]
    assert dots["y"] == VALUES
    # RM-AU-5: 5.0 ± 0.08 g/t (k = 2), the line in its band.
    band, line = chart["layout"]["shapes"]  # type: ignore[index]
    assert band["y0"] == pytest.approx(4.92) and band["y1"] == pytest.approx(5.08)
    assert line["y0"] == line["y1"] == 5.0
    assert chart["data"][1]["name"] == "certified value ± U (k = 2)"  # type: ignore[index]
    # A laboratory may still submit: it sees its own result only, by name.
    own = _figure(_browser(app_client, "lab1").get("/metrology/rounds/PT-1?lang=en").text,
                  "received")
    assert own["data"][0]["x"] == ["Lab 1"] and own["data"][0]["y"] == [VALUES[0]]  # type: ignore[index]
    # Its dot inside the band, the band's edges still inside the plot.
    low, high = own["layout"]["yaxis"]["range"]  # type: ignore[index]
    assert low < 4.92 and high > 5.08 and low <= VALUES[0] <= high


def test_result_form(app_client: TestClient, platform: Platform, reg: Registry,
                     labs: dict[str, Actor]) -> None:  # noqa: F811
    r = app_client.post(f"{API}/rounds", headers=bearer(app_client, "miit"),
                        json=ROUND | {"reference_material": None, "sigma_pt_rule": "robust_sd",
                                      "sigma_pt_value": None})
    assert r.status_code == 201, r.text
    browser = _browser(app_client, "lab2")
    csrf = _csrf(browser, "/metrology/rounds/PT-1")
    r = browser.post("/metrology/rounds/PT-1/results",
                     data={"csrf": csrf, "value": "abc", "uncertainty": ""})
    assert r.status_code == 422 and 'value="abc"' in r.text
    r = browser.post("/metrology/rounds/PT-1/results",
                     data={"csrf": csrf, "value": "4.97", "uncertainty": "0.04"})
    assert r.status_code == 303
    assert "4.970" in browser.get("/metrology/rounds/PT-1").text
