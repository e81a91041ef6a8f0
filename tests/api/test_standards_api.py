"""The standards registry through the API and its pages (issue 22)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser
from tests.factories import Registry
from tests.services.test_standards import INDICATORS, shipped

API = "/api/v1/standards"


def _figure(text: str, name: str) -> dict[str, Any]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return figure


def test_json_routes(app_client: TestClient, platform: Platform, reg: Registry) -> None:
    miit, alpha, audit = (bearer(app_client, u) for u in ("miit", "alpha", "audit"))
    body = {"number": "T/CGA 901-2026", "title_zh": "深部金矿开采 示例", "status": "drafting",
            "tags": ["deep_mining"], "counterparts": [
                {"body": "ISO", "reference": "ISO 19434:2017", "relation": "non_equivalent"}]}
    assert app_client.post(API, headers=alpha, json=body).status_code == 403
    assert app_client.post(API, headers=audit, json=body).status_code == 403
    r = app_client.post(API, headers=miit, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["level"] == "group" and r.json()["slug"] == "t-cga-901-2026"
    # Bounded: an unknown field, a bad status, a too long number; a bad number named.
    for bad in (body | {"extra": 1}, body | {"status": "valid"}, body | {"number": "G" * 41}):
        assert app_client.post(API, headers=miit, json=bad).status_code == 422
    r = app_client.post(API, headers=miit, json=body | {"number": "XX 1-2020"})
    assert r.status_code == 422 and "unknown prefix" in r.text
    # The lifecycle: drafting → published; a forbidden move says which are allowed.
    url = f"{API}/t-cga-901-2026"
    r = app_client.post(url + "/status", headers=miit, json={"status": "under_revision",
                                                              "reason": "x"})
    assert r.status_code == 422 and "allowed from drafting" in r.text
    r = app_client.post(url + "/status", headers=miit, json={
        "status": "published", "on": "2026-10-01", "reason": "approved"})
    assert r.status_code == 200 and r.json()["published_on"] == "2026-10-01"
    assert app_client.post(url + "/status", headers=alpha, json={
        "status": "withdrawn", "reason": "x"}).status_code == 403
    # Implementation: the enterprise's own organisation only.
    impl = {"organisation": "ENT-A", "started_on": "2026-11-01", "summary": "trial",
            "indicators": INDICATORS}
    r = app_client.post(url + "/implementations", headers=alpha, json=impl)
    assert r.status_code == 201, r.text
    assert r.json()["indicators"][0]["improvement"] == 0.8
    assert app_client.post(url + "/implementations", headers=alpha, json=impl | {
        "organisation": "ENT-B"}).status_code == 404
    assert app_client.post(url + "/implementations", headers=alpha, json=impl | {
        "indicators": []}).status_code == 422
    r = app_client.post(url + "/counterparts", headers=miit, json={
        "body": "ISO", "reference": "ISO 19434:2017", "relation": "non_equivalent",
        "recognition": "in_negotiation"})
    assert r.status_code == 201
    detail = app_client.get(url, headers=bearer(app_client, "beta")).json()
    assert [e["to_status"] for e in detail["history"]] == ["drafting", "published"]
    assert [c["recognition"] for c in detail["counterparts"]] == ["in_negotiation"]
    assert detail["implementations"] == [] and detail["effect"]["records"] == 0
    mine = app_client.get(url, headers=alpha).json()
    assert mine["effect"]["records"] == 1 and mine["effect"]["improved_share"] == 1.0
    listed = app_client.get(API, headers=audit, params={"tag": "deep_mining"}).json()
    assert [s["number"] for s in listed] == ["T/CGA 901-2026"]
    assert app_client.get(API, headers=audit, params={"status": "valid"}).status_code == 422
    assert app_client.get(f"{API}/SD-A-01", headers=audit).status_code == 404


def test_the_pages_show_the_map_and_a_standard(app_client: TestClient, platform: Platform,
                                               reg: Registry) -> None:
    total = shipped(platform, reg.admin)
    app_client.post(f"{API}/hj-943-2018/implementations", headers=bearer(app_client, "alpha"),
                    json={"organisation": "ENT-A", "started_on": "2025-01-01",
                          "summary": "detoxification", "indicators": INDICATORS})
    browser = _browser(app_client, "alpha")
    page = browser.get("/standards")
    assert page.status_code == 200
    assert f">{total}<" in page.text or str(total) in page.text
    figure = _figure(page.text, "standards-map")
    assert figure["data"][0]["type"] == "heatmap"
    assert sum(sum(row) for row in figure["data"][0]["z"]) >= total
    assert 'href="/standards/gb-t-4134-2021"' in page.text
    narrowed = browser.get("/standards", params={"status": "withdrawn"})
    assert "GB/T 4134-2015" in narrowed.text and "GB/T 4134-2021<" not in narrowed.text
    csv = browser.get("/standards", params={"format": "csv"})
    assert csv.status_code == 200 and "GB/T 4134-2021" in csv.text
    detail = browser.get("/standards/hj-943-2018")
    assert detail.status_code == 200 and "黄金行业氰渣污染控制技术规范" in detail.text
    assert _figure(detail.text, "status-history")["data"][0]["y"]
    effect = _figure(detail.text, "effect")
    assert [round(y, 6) for y in effect["data"][0]["y"]] == [80.0, 200.0]
    assert 'data-testid="implementations"' in detail.text
    unconfirmed = browser.get("/standards/gb-t-25933-2010")
    assert 'data-testid="unconfirmed"' in unconfirmed.text
    assert browser.get("/standards/nothing-here").status_code == 404
