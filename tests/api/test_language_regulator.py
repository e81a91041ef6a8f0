"""Every string a person reads on the regulator's pages goes through the catalogue (issue 17):
with a catalogue that turns every message into 中, the dashboard, provinces, enterprises,
sites, plant scale, data quality and a report's page requested in Chinese, charts included,
show almost no English word; what is left is data (the test registry's names and codes).
Provinces are shown by their Chinese names; their English names stay the stored keys."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aurum.api.labels.regulator import province
from aurum.core import i18n
from aurum.industry.registry import PROVINCE_CENTRES, PROVINCE_NAMES_ZH, PROVINCES
from tests.api.conftest import bearer
from tests.api.language import ZH, english_words
from tests.api.test_language import _login
from tests.factories import GOOD_ROW

REGISTRY = frozenset({"Alpha", "Beta", "Gold", "Co", "Mine", "Plant", "Test", "Group", "miit"})
"""Names of the test registry's organisations, sites and users: data, not words to translate."""
HANDFUL = 3
"""English words a page may keep (none expected; a margin for a word of a shared template)."""


@pytest.fixture
def reported(app_client: TestClient) -> int:
    """Two full years of quarterly reports of SD-A-01 and GS-B-01, one of them amended; the
    id of the amended report."""
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    ids = {}
    for user, site in (("alpha", "SD-A-01"), ("beta", "GS-B-01")):
        headers = bearer(app_client, user)
        for year in (2024, 2025):
            for quarter in range(1, 5):
                r = app_client.post("/api/v1/reports", headers=headers, json={
                    "site": site, "period": f"{year}-Q{quarter}",
                    "values": {**values, "gold_own_mine_kg": 250 + 5 * quarter + year % 10}})
                assert r.status_code == 201, r.text
                ids[site, year, quarter] = r.json()["report_id"]
    amended = ids["SD-A-01", 2025, 1]
    r = app_client.post(f"/api/v1/reports/{amended}/amendments",
                        headers=bearer(app_client, "alpha"),
                        json={"values": {**values, "silver_kg": 130}, "reason": "白银重新化验"})
    assert r.status_code == 201, r.text
    return amended


def _words(client: TestClient, path: str) -> list[str]:
    page = client.get(path, headers=ZH)
    assert page.status_code == 200, (path, page.text[:500])
    assert '<html lang="zh-CN">' in page.text and "中" in page.text
    return english_words(page.text, REGISTRY)


def test_the_regulators_pages_are_all_in_the_catalogue(
        everything_chinese: None, app_client: TestClient, reported: int) -> None:
    _login(app_client, "miit")
    for path in ("/", "/provinces", "/enterprises", "/enterprises/ENT-A", "/sites",
                 "/sites/SD-A-01", "/compliance", "/data-quality", f"/reports/{reported}"):
        words = _words(app_client, path)
        assert len(words) <= HANDFUL, f"{path} shows {words[:40]}"


def test_the_enterprises_form_and_refusal_are_all_in_the_catalogue(
        everything_chinese: None, app_client: TestClient) -> None:
    _login(app_client, "alpha")
    form = app_client.get("/reports/new?site=SD-A-01", headers=ZH).text
    assert len(english_words(form, REGISTRY)) <= HANDFUL
    csrf = form.split('name="csrf" value="')[1].split('"')[0]
    refused = app_client.post("/reports/new", headers=ZH, data={
        "csrf": csrf, "site": "SD-A-01", "period": "2024-Q1", "ore_treated_t": "lots"})
    assert refused.status_code == 422
    problems = refused.text.split('data-testid="problems"')[1].split("</div>")[0]
    assert "中" in problems and not english_words(problems)


def test_provinces_are_shown_in_the_readers_language_and_stored_in_english(
        app_client: TestClient, reported: int) -> None:
    assert set(PROVINCE_NAMES_ZH) == set(PROVINCES) == set(PROVINCE_CENTRES)
    with i18n.using("zh_CN"):
        assert province("Inner Mongolia") == "内蒙古" and province("SD-A-01") == "SD-A-01"
    with i18n.using("en"):
        assert province("Shandong") == "Shandong"
    _login(app_client, "miit")
    zh = app_client.get("/provinces?lang=zh-CN").text
    assert "山东" in zh and "甘肃" in zh
    en = app_client.get("/provinces?lang=en").text
    assert "Shandong" in en and "山东" not in en
    rows = app_client.get("/api/v1/indicators/provinces", headers={
        **bearer(app_client, "miit"), "Accept-Language": "zh-CN"}).json()
    assert {"Shandong", "Gansu"} <= {r["province"] for r in rows}


def test_a_refused_submission_keeps_its_http_code_in_chinese(
        everything_chinese: None, app_client: TestClient) -> None:
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    body = {"site": "SD-A-01", "period": "2024-Q1", "values": values}
    alpha = {**bearer(app_client, "alpha"), **ZH}
    assert app_client.post("/api/v1/reports", headers=alpha, json=body).status_code == 201
    duplicate = app_client.post("/api/v1/reports", headers=alpha, json=body)
    assert duplicate.status_code == 409 and duplicate.json()["detail"] == "中"
    reader = app_client.post("/api/v1/reports", headers={**bearer(app_client, "miit"), **ZH},
                             json=body)
    assert reader.status_code == 403
    unknown = app_client.post("/api/v1/reports", headers=alpha, json={**body, "site": "NOPE-1"})
    assert unknown.status_code == 404
