"""Supply security through the API and its pages (issue 23): customs files, the risk
indicator on the dashboard, agreements, overseas projects; forms with CSRF; the world map
drawn from outlines the site serves (no CDN)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from aurum.api.charts.trade import WORLD_PATH
from aurum.demo.seed.trade import customs_rows
from aurum.services import maps
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser, _csrf
from tests.factories import Registry

API = "/api/v1/trade"


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


def _upload(client: TestClient, headers: dict[str, str], year: int | None = None
            ) -> httpx.Response:
    rows = customs_rows()
    if year is not None:
        rows = rows[rows["month"].str.startswith(str(year))]
    return client.post(f"{API}/customs", headers=headers, files={
        "file": ("customs.csv", rows.to_csv(index=False).encode(), "text/csv")})


def test_json_routes(app_client: TestClient, platform: Platform, reg: Registry) -> None:
    miit = bearer(app_client, "miit")
    r = _upload(app_client, miit)
    assert r.status_code == 201, r.text
    assert (r.json()["first_month"], r.json()["last_month"]) == ("2024-01", "2026-10")
    auditor = bearer(app_client, "audit")
    years = app_client.get(f"{API}/concentration", headers=auditor).json()
    assert {y["period"] for y in years} == {"2024", "2025", "2026"}
    months = app_client.get(f"{API}/concentration?kind=month&year=2026", headers=auditor)
    assert {m["period"] for m in months.json()} == {f"2026-{m:02d}" for m in range(1, 11)}
    assert app_client.get(f"{API}/concentration?year=1800", headers=auditor).status_code == 422
    risk = app_client.get(f"{API}/risk", headers=auditor).json()
    assert risk["year"] == 2025 and risk["bands"] == {"low_below": 1500, "high_above": 2500}
    # An enterprise reads no national statistics and writes none.
    alpha = bearer(app_client, "alpha")
    assert app_client.get(f"{API}/risk", headers=alpha).status_code == 403
    assert _upload(app_client, alpha, 2024).status_code == 403
    # A bad partner: 422 naming it; a repeated file: 422, nothing stored twice.
    r = app_client.post(f"{API}/agreements", headers=miit, json={
        "partner": "XK", "counterparty": "K", "commodity": "ore", "tonnes_per_year": 1,
        "start_year": 2025, "end_year": 2026, "price_basis": "lbma_pm"})
    assert r.status_code == 422 and "ISO 3166-1" in r.text
    assert _upload(app_client, miit, 2024).status_code == 422
    r = app_client.post(f"{API}/agreements", headers=miit, json={
        "partner": "pe", "counterparty": "Andes", "commodity": "ore",
        "tonnes_per_year": 100000, "start_year": 2024, "end_year": 2028,
        "price_basis": "lbma_pm", "premium_usd_per_oz": -3})
    assert r.status_code == 201 and r.json()["partner"] == "PE"
    assert len(app_client.get(f"{API}/agreements", headers=auditor).json()) == 1
    # Overseas: the enterprise's own, others see nothing of it.
    project = {"org": "ENT-A", "code": "A-KZ1", "name": "Steppe", "country": "KZ",
               "stage": "production", "ownership_pct": 60, "annual_output_kg": 2000,
               "belt_and_road": True, "year": 2025, "lon": 69.1, "lat": 49.8}
    r = app_client.post(f"{API}/overseas/projects", headers=alpha, json=project)
    assert r.status_code == 201, r.text
    assert app_client.post(f"{API}/overseas/projects", headers=bearer(app_client, "beta"),
                           json=project).status_code == 404
    assert app_client.get(f"{API}/overseas/projects",
                          headers=bearer(app_client, "beta")).json() == []
    r = app_client.post(f"{API}/overseas/csr", headers=alpha, json={
        "org": "ENT-A", "code": "A-KZ1", "year": 2025, "community_investment_cny": 1e6,
        "local_employees": 80, "total_employees": 100, "environmental_incidents": 0,
        "grievances_raised": 4, "grievances_resolved": 3})
    assert r.status_code == 201 and r.json()["resolution_rate_pct"] == 75.0


@pytest.fixture
def small_world(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Four countries' outlines stand for the world's (the whole takes seconds), built into
    the data directory as the demo seed and the server's start build them."""
    files = maps._world_files()
    monkeypatch.setattr(maps, "_world_files",
                        lambda: {k: files[k] for k in ("PER", "CHE", "ZAF", "RUS")})
    # world_codes() keeps what it first read: the four must not outlive the test.
    maps.world_codes.cache_clear()
    maps.ensure_world_outlines(platform.settings.home)
    yield
    maps.world_codes.cache_clear()


def _no_build() -> bytes:
    raise AssertionError("a request built the world outlines")


def test_the_outlines_are_only_read_never_built(app_client: TestClient, platform: Platform,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(maps, "build_world_outlines", _no_build)
    assert app_client.get(WORLD_PATH).status_code == 200  # the app's first request warms it
    r = app_client.get(WORLD_PATH)
    assert r.status_code == 200 and r.json() == {"type": "FeatureCollection", "features": []}
    assert r.headers["cache-control"] == "no-store"  # not kept: the real file comes later
    assert not maps.world_outlines_file(platform.settings.home).exists()
    kept = maps.world_outlines_file(platform.settings.home)
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b'{"type":"FeatureCollection","features":[{"type":"Feature","id":"PER",'
                     b'"geometry":{"type":"Point","coordinates":[-75,-10]}}]}')
    r = app_client.get(WORLD_PATH)
    assert r.status_code == 200 and [f["id"] for f in r.json()["features"]] == ["PER"]
    assert r.headers["content-type"] == "application/geo+json"
    assert "immutable" in r.headers["cache-control"]


def test_pages_forms_and_the_dashboard(app_client: TestClient, platform: Platform,
                                       reg: Registry, small_world: None) -> None:
    assert _upload(app_client, bearer(app_client, "miit")).status_code == 201
    browser = _browser(app_client, "miit")
    page = browser.get("/trade")
    assert page.status_code == 200 and 'data-testid="supply-risk"' in page.text
    world = _figure(page.text, "partners-map")
    assert world["data"][0]["type"] == "scattergeo"  # no base map fetched from a CDN
    assert any(t.get("geojson") == WORLD_PATH for t in world["data"])
    hhi = _figure(page.text, "hhi")
    assert [s["y0"] for s in hhi["layout"]["shapes"] if s["type"] == "line"] == [1500, 2500]
    outlines = browser.get(WORLD_PATH)
    assert outlines.status_code == 200
    assert {f["id"] for f in outlines.json()["features"]} == {"PER", "CHE", "ZAF", "RUS"}
    # The agreement form: refused with the field marked, then recorded.
    token = _csrf(browser, "/trade")
    form = {"csrf": token, "partner": "ZZ", "counterparty": "X", "commodity": "ore",
            "tonnes_per_year": "10", "start_year": "2025", "end_year": "2026",
            "price_basis": "lbma_pm"}
    r = browser.post("/trade/agreements", data=form)
    assert r.status_code == 422 and 'data-testid="error-partner"' in r.text
    r = browser.post("/trade/agreements", data=form | {"partner": "PE"})
    assert r.status_code == 303
    assert browser.post("/trade/agreements", data=form | {"csrf": "x"}).status_code == 403
    # The dashboard shows the indicator beside the plan's.
    board = browser.get("/")
    assert 'data-testid="indicator-supply-risk"' in board.text
    # The overseas register: an enterprise records its project through the form.
    alpha = _browser(app_client, "alpha")
    token = _csrf(alpha, "/trade/overseas")
    r = alpha.post("/trade/overseas/projects", data={
        "csrf": token, "org": "ENT-A", "code": "A-ER1", "name": "Red Sea", "country": "ER",
        "kind": "mine", "stage": "production", "year": "2025", "ownership_pct": "50",
        "annual_output_kg": "1000", "belt_and_road": "true", "lon": "38.5", "lat": "15.6"})
    assert r.status_code == 303, r.text
    page = alpha.get("/trade/overseas")
    assert "A-ER1" in page.text and _figure(page.text, "projects-map")["data"]
    assert alpha.get("/trade").status_code == 403
