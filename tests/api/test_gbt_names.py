"""GB/T 17766-2020 names on the pages (issue 19): a Chinese reader reads 探明 / 控制 / 推断 with
Measured / Indicated / Inferred beside them, and the resources indicator's breakdown by
category on the dashboard adds up to the indicator's national quantity of each year."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aurum.services import resources
from aurum.services.platform import Platform
from aurum.services.resources import ClassFigures
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.api.language import ZH
from tests.api.test_auth_hardening import _login
from tests.factories import GOOD_ROW, Registry, report_csv

FIGURE = re.compile(r"""id="chart-resources-by-category" data-figure='([^']*)'""")

# Contained gold, t, of each mine's last report of the year by category (measured,
# indicated, inferred); the earlier quarters carry other figures, which must not count.
YEAR_END = {("SD-A-01", 2024): (20.0, 30.0, 25.0), ("SD-A-01", 2025): (22.5, 31.0, 24.0),
            ("GS-B-01", 2024): (5.0, 7.5, 12.0), ("GS-B-01", 2025): (6.0, 9.0, 10.25)}


def _rows(site: str) -> list[dict[str, object]]:
    rows = []
    for year in (2024, 2025):
        for q in range(1, 5):
            m, i, inf = YEAR_END[site, year] if q == 4 else (1.0, 2.0, 3.0)
            rows.append({**GOOD_ROW, "site": site, "period": f"{year}-Q{q}",
                         "resources_measured_t": m, "resources_indicated_t": i,
                         "resources_inferred_t": inf, "reserves_proved_t": 0.5 * m,
                         "reserves_probable_t": 0.5 * i})
    return rows


@pytest.fixture
def client(app_client: TestClient) -> TestClient:
    for user, site in (("alpha", "SD-A-01"), ("beta", "GS-B-01")):
        r = app_client.post("/api/v1/reports/upload", headers=bearer(app_client, user),
                            files={"file": ("r.csv", report_csv(_rows(site)), "text/csv")})
        assert r.status_code == 201, r.text
    assert _login(app_client, "miit") == 303
    return app_client


def _breakdown(page: str) -> dict[str, Any]:
    found = FIGURE.search(page)
    assert found, "no resources-by-category chart on the dashboard"
    return json.loads(html.unescape(found.group(1)))


def test_the_resources_indicator_by_gbt_category_adds_up_to_the_indicator(
        client: TestClient) -> None:
    page = client.get("/dashboard", headers=ZH)
    assert page.status_code == 200, page.text[:500]
    figure = _breakdown(page.text)
    names = [trace["name"] for trace in figure["data"]]
    for zh, crirsco, name in zip(("探明资源量", "控制资源量", "推断资源量"),
                                 ("Measured", "Indicated", "Inferred"), names, strict=True):
        assert name.startswith(zh) and crirsco in name, names
    assert all(trace["type"] == "bar" for trace in figure["data"])
    assert figure["layout"]["barmode"] == "stack"
    stacked = {int(x): 0.0 for x in figure["data"][0]["x"]}
    for trace in figure["data"]:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            stacked[int(x)] += y
    # The indicator's own quantities: Q_2024 (baseline) and Q_2025 (current), national t.
    indicators = client.get("/api/v1/indicators?as_of=2025",
                            headers=bearer(client, "miit")).json()
    resources = next(i for i in indicators["indicators"]
                     if i["id"] == "gold_resources_growth_pct")
    assert stacked[2024] == pytest.approx(resources["baseline"], rel=1e-9)
    assert stacked[2025] == pytest.approx(resources["current"], rel=1e-9)
    # ... which are the year-end reports' figures, computed here by hand.
    for year in (2024, 2025):
        expected = sum(sum(v) for (_site, y), v in YEAR_END.items() if y == year)
        assert stacked[year] == pytest.approx(expected, rel=1e-12)
    measured = dict(zip(figure["data"][0]["x"], figure["data"][0]["y"], strict=True))
    assert measured[next(x for x in measured if int(x) == 2025)] == pytest.approx(28.5)


def test_an_english_reader_reads_the_crirsco_name_with_the_chinese_term_beside(
        client: TestClient) -> None:
    page = client.get("/dashboard?lang=en")
    names = [trace["name"] for trace in _breakdown(page.text)["data"]]
    assert names == ["Measured resources (探明)", "Indicated resources (控制)",
                     "Inferred resources (推断)"]


def test_a_chinese_reader_reads_the_gbt_name_with_the_crirsco_name_beside(
        client: TestClient) -> None:
    """The report form, a site's resources chart and the report page name each category by
    its GB/T 17766-2020 term with its CRIRSCO name beside."""
    pairs = (("探明资源量", "Measured"), ("控制资源量", "Indicated"), ("推断资源量", "Inferred"),
             ("证实储量", "Proved"), ("可信储量", "Probable"))
    site = client.get("/sites/SD-A-01", headers=ZH)
    assert site.status_code == 200, site.text[:500]
    found = re.search(r"""id="chart-resources" data-figure='([^']*)'""", site.text)
    assert found, "no resources chart on the site page"
    names = [t["name"] for t in json.loads(html.unescape(found.group(1)))["data"]]
    assert [(zh in n and crirsco in n) for n, (zh, crirsco) in zip(names, pairs, strict=False)
            ] == [True] * 3, names
    assert _login(client, "alpha") == 303
    form = html.unescape(client.get("/reports/new", headers=ZH).text)
    reports = client.get("/api/v1/reports", headers=bearer(client, "alpha")).json()
    report_id = reports[0]["report_id"]
    page = html.unescape(client.get(f"/reports/{report_id}", headers=ZH).text)
    for text in (form, page):
        for zh, crirsco in pairs:
            assert re.search(rf"{zh}\s*[（(]{crirsco}[）)]", text), (zh, crirsco)


def test_resource_statements_and_their_waterfall_carry_the_gbt_names(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    figures = {c: ClassFigures(1000.0 * (i + 1), 2.0, 0.002 * (i + 1))
               for i, c in enumerate(("measured", "indicated", "inferred"))}
    steps = {"opening": 0.01, "depletion": -0.001, "exploration": 0.002, "economic": 0.0,
             "re_estimation": 0.001, "closing": 0.012}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        resources.publish_statement(s, reg.ent_a, "SD-A-01", 2025, figures, 1.0,
                                    waterfall=steps)
    assert _login(app_client, "alpha") == 303
    index = html.unescape(app_client.get("/resources", headers=ZH).text)
    site = app_client.get("/resources/SD-A-01", headers=ZH)
    assert site.status_code == 200, site.text[:500]
    for zh, crirsco in (("探明资源量", "Measured"), ("控制资源量", "Indicated"),
                        ("推断资源量", "Inferred")):
        for text in (index, html.unescape(site.text)):
            assert re.search(rf"{zh}\s*[（(]{crirsco}[）)]", text), (zh, crirsco)
    # The waterfall counts resources only, and says so (never reserves, GB/T 17766-2020 5.2).
    found = re.search(r"""id="chart-waterfall" data-figure='([^']*)'""", site.text)
    assert found
    title = json.loads(html.unescape(found.group(1)))["layout"]["title"]["text"]
    assert "探明资源量+控制资源量+推断资源量" in title and "储量" not in title.replace(
        "资源量", ""), title
