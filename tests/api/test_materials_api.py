"""Shelf products through the JSON API and the pages (issue 22)."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser, _csrf
from tests.factories import Registry
from tests.services.test_materials import SPEC, parties  # noqa: F401 (a fixture)

API = "/api/v1/materials"
CODE = "NMA-BW-01"


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


def _product(client: TestClient, headers: dict[str, str]) -> None:
    r = client.post(f"{API}/products", headers=headers, json={
        "code": CODE, "kind": "bonding_wire", "grade": "AuW-25", "name_en": "Gold bonding wire",
        "name_zh": "键合金丝", "specification": SPEC})
    assert r.status_code == 201, r.text


def test_json_routes(app_client: TestClient, platform: Platform, reg: Registry,
                     parties: dict[str, object]) -> None:  # noqa: F811
    maker = bearer(app_client, "maker-a")
    _product(app_client, maker)
    for k, load in enumerate([6.1, 6.6, 6.3, 6.8, 6.4]):
        r = app_client.post(f"{API}/products/{CODE}/batches", headers=maker, json={
            "batch_no": f"B{k}", "produced_on": f"2026-01-0{k + 1}",
            "values": {"breaking_load": load, "purity": 99.995, "elongation": [3.5]}})
        assert r.status_code == 201, r.text
    assert r.json()["data_version"] == 5
    buyer = bearer(app_client, "buyer-a")
    r = app_client.post(f"{API}/products/{CODE}/evaluations", headers=buyer, json={
        "sector": "electronics", "evaluated_on": "2026-02-01", "conditions": "QFN-48",
        "properties_checked": ["breaking_load"], "result": "held", "verdict": "pass",
        "raw_data": {"breaking_load": [6.2, 6.4]}})
    assert r.status_code == 201, r.text
    rows = app_client.get(f"{API}/products", headers=bearer(app_client, "audit")).json()
    assert [(p["code"], p["batches"], p["evaluations"]) for p in rows] == [(CODE, 5, 1)]
    detail = app_client.get(f"{API}/products/{CODE}", headers=bearer(app_client, "alpha"))
    load = {s["property"]: s for s in detail.json()["specification"]}["breaking_load"]
    assert load["cpk"] is not None and load["chart"]["kind"] == "i_mr"
    [ev] = detail.json()["evaluations"]
    assert ev["verdict"] == "pass" and ev["raw_data"] is None  # alpha is no party
    [ev] = app_client.get(f"{API}/products/{CODE}", headers=maker).json()["evaluations"]
    assert ev["raw_data"] == {"breaking_load": [6.2, 6.4]}
    # Bad input: one clear message each, nothing stored; scope of writes.
    r = app_client.post(f"{API}/products/{CODE}/batches", headers=maker, json={
        "batch_no": "B9", "produced_on": "2026-01-09", "values": {"hue": 1.0}})
    assert r.status_code == 422 and "'hue' is not a property" in r.text
    r = app_client.post(f"{API}/products", headers=maker, json={
        "code": "NMA-X", "kind": "solder", "grade": "g", "name_en": "n", "name_zh": "n",
        "specification": {"au_content": {"min": 82, "max": 78}}})
    assert r.status_code == 422 and "greater than the maximum" in r.text
    assert app_client.post(f"{API}/products/{CODE}/batches", headers=buyer, json={
        "batch_no": "B9", "produced_on": "2026-01-09",
        "values": {"purity": 99.995}}).status_code == 403
    assert len(app_client.get(f"{API}/products/{CODE}/batches", headers=maker).json()) == 5
    assert app_client.get(f"{API}/kinds", headers=buyer).json()[0]["key"] == "solder"


def test_pages_and_forms(app_client: TestClient, platform: Platform, reg: Registry,
                         parties: dict[str, object]) -> None:  # noqa: F811
    maker = _browser(app_client, "maker-a")
    page = f"/materials/products/{CODE}"
    r = maker.post("/materials/products", data={
        "csrf": _csrf(maker, "/materials"), "code": CODE, "kind": "bonding_wire",
        "grade": "AuW-25", "name_en": "Gold bonding wire", "name_zh": "键合金丝",
        "specification": "breaking_load: {min: 4, max: 9}\npurity: {min: 99.99}"})
    assert r.status_code == 303, r.text
    for k, load in enumerate(["6.1", "6.6", "6.2, 6.3"][:2]):
        r = maker.post(f"{page}/batches", data={
            "csrf": _csrf(maker, page), "batch_no": f"B{k}", "produced_on": f"2026-01-0{k + 1}",
            "values.breaking_load": load, "values.purity": "99.995"})
        assert r.status_code == 303, r.text
    r = maker.post(f"{page}/batches", data={
        "csrf": _csrf(maker, page), "batch_no": "B7", "produced_on": "2026-01-07",
        "values.breaking_load": "six"})
    assert r.status_code == 422 and 'data-testid="error-values.breaking_load"' in r.text
    r = maker.post(f"{page}/documents", data={"csrf": _csrf(maker, page), "kind": "datasheet",
                                              "title": "Data sheet"},
                   files={"file": ("sheet.pdf", b"%PDF-1.4", "application/pdf")})
    assert r.status_code == 303, r.text
    text = maker.get(page).text
    figure = _figure(text, "spc-breaking_load")
    names = {t["name"] for t in figure["data"]}  # type: ignore[index]
    assert {"Control limits (3σ)", "Specification limits", "Moving range"} <= names
    digest = re.search(r"/documents/([0-9a-f]{64})", text).group(1)  # type: ignore[union-attr]
    r = maker.get(f"{page}/documents/{digest}")
    assert r.content == b"%PDF-1.4" and r.headers["content-type"] == "application/octet-stream"
    buyer = _browser(app_client, "buyer-a")
    r = buyer.post(f"{page}/evaluations", data={
        "csrf": _csrf(buyer, page), "sector": "pv", "evaluated_on": "2026-03-01",
        "properties_checked": "breaking_load", "conditions": "c", "result": "r",
        "verdict": "conditional", "raw_data": "breaking_load: [6.0, 6.2]"})
    assert r.status_code == 303, r.text
    index = buyer.get("/materials").text
    assert CODE in index and _figure(index, "catalogue")["data"]
    assert 'data-testid="product-form"' not in index and 'data-testid="batch-form"' not in (
        buyer.get(page).text)
