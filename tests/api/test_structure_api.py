"""``/api/v1/structure/studies`` and the ``/structure`` pages: a study posted, solved now and
read back; the pages draw the stored result (map, scenario chart); scope and bad input."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser
from tests.factories import Registry
from tests.services.test_structure import small_study

API = "/api/v1/structure/studies"


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


def test_post_read_and_pages(app_client: TestClient, reg: Registry) -> None:
    regulator = bearer(app_client, "sd-miit")
    body = {"province": "Shandong", "name": "Jiaodong small mines", **small_study()}
    r = app_client.post(API, headers=regulator, json=body)
    assert r.status_code == 201, r.text
    study = r.json()["study"]
    assert r.json()["job"] is None and study["solved"]
    assert [s["key"] for s in study["scenarios"]] == ["status_quo", "close_backward",
                                                      "central_mill", "price"]
    auditor = bearer(app_client, "audit")
    got = app_client.get(f"{API}/{study['id']}", headers=auditor).json()
    assert got["scenarios"] == study["scenarios"]
    assert [s["id"] for s in app_client.get(API, headers=auditor).json()] == [study["id"]]
    # Out of scope: an enterprise is refused the area, Shandong's regulator cannot write Gansu.
    alpha = bearer(app_client, "alpha")
    assert app_client.get(f"{API}/{study['id']}", headers=alpha).status_code == 403
    assert app_client.get(API, headers=alpha).status_code == 403
    assert app_client.post(API, headers=regulator, json=dict(
        body, province="Gansu")).status_code == 403
    bad = dict(body, plants=[dict(body["plants"][0], fixed_cny_per_day=-1)])
    r = app_client.post(API, headers=regulator, json=bad)
    assert r.status_code == 422 and "fixed_cny_per_day" in r.text

    browser = _browser(app_client, "audit")
    page = browser.get(f"/structure/{study['id']}?scenario=central_mill")
    assert page.status_code == 200
    flows = _figure(page.text, "map")
    assert any(t.get("name") == "ore flows" for t in flows["data"])  # type: ignore[union-attr]
    chart = _figure(page.text, "scenarios")
    assert len(chart["data"][0]["x"]) == 4  # type: ignore[index]
    index = browser.get("/structure")
    assert index.status_code == 200 and "Jiaodong small mines" in index.text
