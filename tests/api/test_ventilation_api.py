"""A mine's ventilation network through the API and its page (issue 21)."""

from __future__ import annotations

import html
import json
import re

import yaml
from fastapi.testclient import TestClient

from aurum.demo.seed.ventilation import deep_mine_network
from aurum.services import vod
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser, _csrf
from tests.factories import Registry
from tests.services.test_ventilation import SITE, small_network

API = f"/api/v1/sites/{SITE}/vent-networks"


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


def test_json_routes(app_client: TestClient, platform: Platform, reg: Registry) -> None:
    alpha = bearer(app_client, "alpha")
    r = app_client.post(API, headers=alpha, json={"document": small_network(),
                                                  "reason": "as designed"})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["version"] == 1 and made["max_residual_pa"] < 0.01
    auditor = bearer(app_client, "audit")
    assert [n["id"] for n in app_client.get(API, headers=auditor).json()] == [made["id"]]
    detail = app_client.get(f"{API}/{made['id']}", headers=auditor).json()
    assert detail["solution"]["flows"]["shaft"] > 0 and detail["document"]["routes"]
    # A bad network: 422 naming the branch and field, nothing stored.
    bad = small_network()
    bad["branches"][0] = bad["branches"][0] | {"resistance": -1}
    r = app_client.post(API, headers=alpha, json={"document": bad, "reason": "bad"})
    assert r.status_code == 422 and "shaft" in r.text
    assert len(app_client.get(API, headers=auditor).json()) == 1
    # Scope: a reader may not write, another enterprise sees nothing.
    assert app_client.post(API, headers=auditor, json={"document": small_network(),
                                                       "reason": "x"}).status_code == 403
    beta = bearer(app_client, "beta")
    assert app_client.get(API, headers=beta).status_code == 404
    assert app_client.get(f"{API}/{made['id']}", headers=beta).status_code == 404
    assert app_client.get(f"/api/v1/sites/GS-B-01/vent-networks/{made['id']}",
                          headers=bearer(app_client, "miit")).status_code == 404


def test_the_page_shows_the_network(app_client: TestClient, platform: Platform,
                                    reg: Registry) -> None:
    r = app_client.post(API, headers=bearer(app_client, "alpha"), json={
        "document": deep_mine_network(900.0), "reason": "as designed"})
    assert r.status_code == 201, r.text
    browser = _browser(app_client, "alpha")
    page = browser.get(f"/ventilation/{SITE}")
    assert page.status_code == 200
    text = page.text
    schematic = _figure(text, "schematic")
    lines = [t for t in schematic["data"] if t["mode"] == "lines"]  # type: ignore[attr-defined]
    assert len({t["line"]["width"] for t in lines}) > 1  # widths by flow
    assert {t["name"] for t in schematic["data"]} >= {"fans", "regulators"}  # type: ignore[attr-defined]
    assert schematic["layout"]["annotations"]  # type: ignore[index]
    assert {t["type"] for t in _figure(text, "network-3d")["data"]} == {  # type: ignore[attr-defined]
        "scatter3d"}
    fans = _figure(text, "fans")
    # The fans by their names (the demo names every airway in both languages).
    assert {t["name"] for t in fans["data"]} >= {"main fan", "drive, level -900 m"}  # type: ignore[attr-defined]
    climate = _figure(text, "climate")
    limit = next(t for t in climate["data"] if "16423" in t["name"])  # type: ignore[attr-defined]
    assert limit["x"] == [28.0, 28.0]
    assert 'data-testid="airflow"' in text and "stope_900" in text
    assert 'data-testid="network-form"' in text
    # Ventilation on demand: once its decision is stored, the page draws it (read, not made).
    assert 'data-testid="vod-figures"' not in text
    with platform.sessions() as s:
        decision = vod.refresh(s, platform.settings.home, SITE)
        s.commit()
    text = browser.get(f"/ventilation/{SITE}").text
    assert 'data-testid="vod-figures"' in text and 'data-testid="vod-alarms"' in text
    flows = _figure(text, "vod-flows")
    fan_names = _figure(text, "vod-fans")["data"][0]["x"]  # type: ignore[index]
    # One bar per fan set, each by its name (the ids stay in the hovers).
    assert flows["data"] and len(set(fan_names)) == len(decision.speeds)
    assert not set(fan_names) & set(decision.speeds)
    index = browser.get("/ventilation")
    assert index.status_code == 200 and f"/ventilation/{SITE}" in index.text
    auditor = _browser(app_client, "audit").get(f"/ventilation/{SITE}")
    assert auditor.status_code == 200 and 'data-testid="network-form"' not in auditor.text
    assert _browser(app_client, "beta").get(f"/ventilation/{SITE}").status_code == 404


def test_the_form_stores_a_version_and_a_refused_one_keeps_what_was_typed(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    browser = _browser(app_client, "alpha")
    page = f"/ventilation/{SITE}"
    assert 'data-testid="no-network"' in browser.get(page).text
    typed = {"document": yaml.safe_dump(small_network()), "reason": "pasted",
             "csrf": _csrf(browser, page)}
    r = browser.post(f"{page}/networks", data=typed)
    assert r.status_code == 303 and r.headers["location"] == f"{page}#latest"
    assert 'data-testid="network-figures"' in browser.get(page).text
    upload = {"network": ("NETWORK.yaml", yaml.safe_dump(small_network()).encode(), "text/yaml")}
    r = browser.post(f"{page}/networks", data={"reason": "uploaded", "csrf": typed["csrf"]},
                     files=upload)
    assert r.status_code == 303
    refused = browser.post(f"{page}/networks", data=typed | {"document": "nodes: [a\n",
                                                             "reason": "kept reason"})
    assert refused.status_code == 422
    assert 'value="kept reason"' in refused.text and "nodes: [a" in refused.text
    assert 'data-testid="error-document"' in refused.text
    refused = browser.post(f"{page}/networks", data=typed | {"reason": ""})
    assert refused.status_code == 422 and 'data-testid="error-reason"' in refused.text


def test_in_chinese_the_page_names_branches_not_ids(app_client: TestClient, platform: Platform,
                                                   reg: Registry) -> None:
    doc = deep_mine_network(900.0)
    ids = {b["name"] for b in doc["branches"]}
    for k, branch in enumerate(doc["branches"]):
        if not branch["name"].startswith("stope_"):  # a stope is named as its working place
            branch |= {"label": f"airway {k}", "label_zh": f"巷道{k}"}
    r = app_client.post(API, headers=bearer(app_client, "alpha"), json={
        "document": doc, "reason": "named"})
    assert r.status_code == 201, r.text
    with platform.sessions() as s:
        vod.refresh(s, platform.settings.home, SITE)
        s.commit()
    text = _browser(app_client, "alpha").get(f"/ventilation/{SITE}?lang=zh-CN").text
    assert '<html lang="zh-CN">' in text
    labels = [t["name"] for t in _figure(text, "fans")["data"]]  # type: ignore[attr-defined]
    for chart in ("vod-flows", "vod-fans"):
        labels += [x for t in _figure(text, chart)["data"] for x in t["x"]]  # type: ignore[attr-defined]
    assert labels and not ids & set(labels), labels
    assert "巷道0" in labels and "-900 米中段房式采场" in labels
    summary = text.split('data-testid="network-figures"')[1].split("</dl>")[0]
    summary = re.sub(r'title="[^"]*"', "", summary)  # the ids an engineer hovers for
    assert not {i for i in ids if re.search(rf"\b{i}\b", summary)}, summary
    assert 'title="main_fan"' in text  # the id kept where an engineer needs it
