"""A deep mine's stope plans through the JSON API and the pages: a plan made on a stored model,
listed, read back, its stopes exported (CSV, Excel, OMF); the mine's page with the 3D stopes,
the Gantt chart and the fill balance; the index of deep mines; another enterprise's plans not
found; a refused form comes back with what was typed."""

from __future__ import annotations

import html
import io
import json
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.factories import PASSWORD, Registry
from tests.services.test_underground import FIELDS, SITE, store_model

API = f"/api/v1/sites/{SITE}/stope-plans"
DATA = frozenset({"English", "Alpha", "Mine", "rich", "box", "OMF", "CSV", "Excel", "SD", "A"})
"""Latin-letter tokens that are data on the page (the language switch, the mine's and the
model's names, file formats), not words to translate."""


def _browser(app_client: TestClient, username: str) -> TestClient:
    client = TestClient(app_client.app, follow_redirects=False)
    csrf = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf": csrf})
    assert r.status_code == 303
    return client


def _csrf(client: TestClient, page: str) -> str:
    return client.get(page).text.split('name="csrf" value="')[1].split('"')[0]


def _planned(app_client: TestClient, platform: Platform, reg: Registry) -> dict[str, object]:
    body = FIELDS | {"model_id": store_model(platform, reg)}
    r = app_client.post(API, headers=bearer(app_client, "alpha"), json=body)
    assert r.status_code == 201, r.text
    made: dict[str, object] = r.json()
    return made


def test_a_plan_through_the_api(app_client: TestClient, platform: Platform,
                                reg: Registry) -> None:
    made = _planned(app_client, platform, reg)
    assert made["version"] == 1 and made["stopes"] == 3 and made["method"] == "exact"
    auditor = bearer(app_client, "audit")
    listed = app_client.get(API, headers=auditor).json()
    assert [p["id"] for p in listed] == [made["id"]]
    detail = app_client.get(f"{API}/{made['id']}", headers=auditor).json()
    assert len(detail["schedule"]) == 3 and len(detail["balance"]) == FIELDS["periods"]
    rows = app_client.get(f"{API}/{made['id']}/stopes", headers=auditor).json()
    assert [r["id"] for r in rows] == [1, 2, 3] and rows[0]["x_min"] == 20.0
    csv = app_client.get(f"{API}/{made['id']}/stopes?format=csv", headers=auditor)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    exported = pd.read_csv(io.StringIO(csv.text))
    assert len(exported) == 3
    # Walls to the centimetre, values to the yuan.
    for column in ("x_min", "y_max", "z_min"):
        assert (exported[column] == exported[column].round(2)).all()
    assert (exported["value_cny"] == exported["value_cny"].round(0)).all()
    xlsx = app_client.get(f"{API}/{made['id']}/stopes?format=xlsx", headers=auditor)
    assert xlsx.status_code == 200
    sheet = pd.read_excel(io.BytesIO(xlsx.content))
    assert len(sheet) == 3 and "Ore (t)" in sheet.columns
    solids = app_client.get(f"{API}/{made['id']}/stopes.omf", headers=auditor)
    assert solids.status_code == 200 and len(solids.content) > 1000
    # Bad fields are refused by the schema, each by name.
    r = app_client.post(API, headers=bearer(app_client, "alpha"),
                        json=FIELDS | {"model_id": made["model_id"], "periods": 0})
    assert r.status_code == 422


def test_another_enterprise_finds_nothing(app_client: TestClient, platform: Platform,
                                          reg: Registry) -> None:
    made = _planned(app_client, platform, reg)
    beta = bearer(app_client, "beta")
    for url in (API, f"{API}/{made['id']}", f"{API}/{made['id']}/stopes",
                f"{API}/{made['id']}/stopes.omf"):
        assert app_client.get(url, headers=beta).status_code == 404, url
    assert app_client.post(API, headers=beta, json=FIELDS | {
        "model_id": made["model_id"]}).status_code == 404
    assert app_client.post(API, headers=bearer(app_client, "audit"), json=FIELDS | {
        "model_id": made["model_id"]}).status_code == 403
    browser = _browser(app_client, "beta")
    assert browser.get(f"/underground/{SITE}").status_code == 404
    assert SITE not in browser.get("/underground").text


def test_the_page_shows_the_plan(app_client: TestClient, platform: Platform,
                                 reg: Registry) -> None:
    browser = _browser(app_client, "alpha")
    # Before its plan the mine is listed apart from the planned ones, still reachable.
    _, _, unplanned = browser.get("/underground").text.partition(
        'data-testid="unplanned-mines"')
    assert f'href="/underground/{SITE}"' in unplanned
    _planned(app_client, platform, reg)
    page = browser.get(f"/underground/{SITE}")
    assert page.status_code == 200
    text = page.text
    for chart in ("chart-stopes-3d", "chart-gantt", "chart-balance"):
        assert f'id="{chart}"' in text, chart
    figures = {name: json.loads(html.unescape(re.search(
        rf"""id="chart-{name}" data-figure='([^']*)'""", text).group(1)))  # type: ignore[union-attr]
        for name in ("stopes-3d", "gantt", "balance")}
    assert {t["type"] for t in figures["stopes-3d"]["data"]} >= {"mesh3d", "scatter3d"}
    mesh = next(t for t in figures["stopes-3d"]["data"] if t["type"] == "mesh3d")
    assert len(mesh["i"]) == 12 * 3 and len(mesh["intensity"]) == 12 * 3
    assert [t["name"] for t in figures["gantt"]["data"]] == ["mining", "filling", "curing"]
    assert len(figures["gantt"]["data"][0]["y"]) == 3
    lines = [t for t in figures["balance"]["data"] if t["type"] == "scatter"]
    assert any(set(t["y"]) == {35.0} for t in lines)
    # The share's axis holds a point at 100 % whole; a month without tailings breaks its line.
    share_axis = figures["balance"]["layout"]["yaxis2"]
    assert share_axis["range"][1] > 100 and 100 in share_axis["tickvals"]
    assert all(t.get("connectgaps") is False for t in lines if t["y"] and t["y"][0] != 35.0)
    # The 3D view's axes hold the whole model and every stope; the colour bar reads months.
    scene = figures["stopes-3d"]["layout"]["scene"]
    for a, (low, high) in zip("xyz", ((0.0, 120.0), (0.0, 80.0), (-1000.0, -910.0)),
                              strict=True):
        assert scene[f"{a}axis"]["range"][0] < low and scene[f"{a}axis"]["range"][1] > high
    ticks = mesh["colorbar"]["ticktext"]
    assert ticks and all(re.fullmatch(r"\d{4}-\d{2}", t) for t in ticks)
    assert 'data-testid="stopes"' in text and 'data-testid="plan-form"' in text
    assert "/stopes?format=csv" in text and "stopes.omf" in text
    index = browser.get("/underground")
    assert index.status_code == 200 and f"/underground/{SITE}" in index.text
    # Planned, it moves to the table with its figures.
    table, _, unplanned = index.text.partition('data-testid="unplanned-mines"')
    assert f"/underground/{SITE}" in table and f"/underground/{SITE}" not in unplanned
    # The auditor reads the page without the form.
    auditor = _browser(app_client, "audit").get(f"/underground/{SITE}")
    assert auditor.status_code == 200 and 'data-testid="plan-form"' not in auditor.text


def test_the_form_plans_and_a_refused_one_keeps_what_was_typed(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    model_id = store_model(platform, reg)
    browser = _browser(app_client, "alpha")
    page = f"/underground/{SITE}"
    typed = {k: ("true" if v is True else str(v)) for k, v in FIELDS.items() if v is not False}
    typed |= {"model_id": str(model_id), "csrf": _csrf(browser, page)}
    r = browser.post(f"{page}/plans", data=typed)
    assert r.status_code == 303 and r.headers["location"] == f"{page}#latest"
    assert 'data-testid="plan-figures"' in browser.get(page).text
    refused = browser.post(f"{page}/plans", data=typed | {"start_period": "2027-13",
                                                          "length_min": "4",
                                                          "length_max": "2"})
    assert refused.status_code == 422
    assert 'value="2027-13"' in refused.text and 'data-testid="error-start_period"' in (
        refused.text)
    # The length range the schema accepts field by field is refused by the stopes' rule.
    refused = browser.post(f"{page}/plans", data=typed | {"length_min": "4",
                                                          "length_max": "2"})
    assert refused.status_code == 422 and 'value="4"' in refused.text
    assert 'data-testid="problems"' in refused.text


def test_the_form_plans_vein_shapes_drawn_slice_by_slice(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    """The form's vein shapes: the rich box's three stopes, each drawn as its three slices
    (12 triangles a slice) from the plan's walls file."""
    model_id = store_model(platform, reg)
    browser = _browser(app_client, "alpha")
    page = f"/underground/{SITE}"
    assert 'name="shape"' in browser.get(page).text
    typed = {k: ("true" if v is True else str(v)) for k, v in FIELDS.items() if v is not False}
    typed |= {"model_id": str(model_id), "csrf": _csrf(browser, page), "shape": "vein",
              "max_wall_step": "1"}
    assert browser.post(f"{page}/plans", data=typed).status_code == 303
    text = browser.get(page).text
    figure = json.loads(html.unescape(re.search(
        r"""id="chart-stopes-3d" data-figure='([^']*)'""", text).group(1)))  # type: ignore[union-attr]
    mesh = next(t for t in figure["data"] if t["type"] == "mesh3d")
    assert len(mesh["i"]) == 12 * 3 * 3 and len(mesh["x"]) == 8 * 3 * 3
    assert 'value="vein" selected' in text


@pytest.mark.usefixtures("everything_chinese")
def test_the_page_says_nothing_outside_the_catalogue(app_client: TestClient,
                                                     platform: Platform,
                                                     reg: Registry) -> None:
    _planned(app_client, platform, reg)
    browser = _browser(app_client, "alpha")
    for url in (f"/underground/{SITE}", "/underground"):
        page = browser.get(url, headers=ZH)
        assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
        words = english_words(page.text, DATA)
        assert len(words) <= HANDFUL, (url, words[:40])


def test_the_form_plans_an_uploaded_blocks_file(app_client: TestClient, reg: Registry) -> None:
    browser = _browser(app_client, "alpha")
    page = f"/underground/{SITE}"
    values = "\n".join(f"{i},{j},{k},{1000.0 if 1 <= i <= 3 and 1 <= j <= 2 else -100.0}"
                       for i in range(6) for j in range(4) for k in range(3))
    typed = {k: str(v) for k, v in FIELDS.items() if not isinstance(v, bool)}
    typed |= {"block_i_m": "5", "block_j_m": "5", "block_k_m": "5", "length_max": "3",
              "csrf": _csrf(browser, page)}
    r = browser.post(f"{page}/plans", data=typed, files={
        "blocks": ("BLOCKS.csv", f"i,j,k,value\n{values}\n".encode(), "text/csv")})
    assert r.status_code == 303, r.text[:500]
    plan = app_client.get(API, headers=bearer(app_client, "alpha")).json()[0]
    assert plan["model_id"] is None and plan["stopes"] == 1
    assert plan["value_cny"] == 3 * 2 * 3 * 1000.0
    assert plan["parameters"]["file"] == "BLOCKS.csv"
