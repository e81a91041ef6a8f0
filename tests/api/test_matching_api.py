"""Supply–demand matching through the API and its pages (issue 22): a need posted, its
ranked matches with their facts, the scope of every route, bounded bodies, the board with
its chart and the need's page with the explanation in sentences, the forms with CSRF."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser, _csrf
from tests.services.test_matching import NEED, parties  # noqa: F401  (the fixture)

API = "/api/v1/materials/needs"
BODY = NEED | {"needed_by": NEED["needed_by"].isoformat()}


def _figure(text: str, name: str) -> dict[str, object]:
    found = re.search(rf"""id="chart-{name}" data-figure='([^']*)'""", text)
    assert found is not None, name
    figure: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return figure


@pytest.mark.usefixtures("parties")
def test_json_routes(app_client: TestClient, platform: Platform) -> None:
    buyer = bearer(app_client, "buyer")
    r = app_client.post(API, headers=buyer, json=BODY)
    assert r.status_code == 201, r.text
    made = r.json()
    assert [m["product"] for m in made["qualified"]] == ["W-IN"]
    assert [m["product"] for m in made["unproven"]] == ["W-NEW"]
    assert [m["product"] for m in made["rejected"]] == ["W-OUT", "W-LOW"]
    assert made["qualified"][0]["properties"][0]["verdict"] == "inside"
    assert made["matching"]["up_to_date"] is True
    url = f"{API}/{made['id']}"
    # The maker of a qualified product reads it without the rejected ones; a maker whose
    # product was rejected, a mining enterprise and another province's regulator do not find it.
    maker = app_client.get(url, headers=bearer(app_client, "maker-a")).json()
    assert maker["rejected"] is None and maker["qualified"][0]["rank"] == 1
    for stranger in ("maker-c", "alpha", "sd-miit"):
        assert app_client.get(url, headers=bearer(app_client, stranger)).status_code == 404
    assert [n["id"] for n in app_client.get(API, headers=bearer(app_client, "miit")).json()
            ] == [made["id"]]
    gaps = app_client.get(f"{API}/gaps", headers=bearer(app_client, "miit")).json()
    assert gaps == [{"kind": "bonding_wire", "kind_name": "Gold (silver) bonding wires",
                     "needs": 1, "matched": 1, "gaps": 0, "unproven_only": 0}]
    # Bodies are bounded; a maker may not post; min > max is one message naming the field.
    assert app_client.post(API, headers=buyer, json=BODY | {"title": "x" * 201}
                           ).status_code == 422
    assert app_client.post(API, headers=buyer, json=BODY | {"ranges": []}).status_code == 422
    assert app_client.post(API, headers=buyer, json=BODY | {"quantity": "1e400"}
                           ).status_code == 422
    assert app_client.post(API, headers=bearer(app_client, "maker-a"), json=BODY
                           ).status_code == 403
    r = app_client.post(API, headers=buyer, json=BODY | {"ranges": [
        {"property": "wire_diameter", "min": 30, "max": 20}]})
    assert r.status_code == 422 and "greater than the maximum" in r.text
    # Closing: the buyer only, then it leaves the open list.
    assert app_client.post(f"{url}/status", headers=bearer(app_client, "maker-a"), json={
        "status": "closed", "reason": "x"}).status_code == 403
    r = app_client.post(f"{url}/status", headers=buyer, json={"status": "closed",
                                                              "reason": "ordered"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert app_client.get(API, headers=buyer).json() == []
    assert app_client.post(f"{API}/rematch", headers=buyer).json() == {"rematched": 0}
    assert app_client.post(f"{API}/rematch", headers=bearer(app_client, "audit")
                           ).status_code == 403


@pytest.mark.usefixtures("parties")
def test_the_pages(app_client: TestClient, platform: Platform) -> None:
    client = _browser(app_client, "buyer")
    token = _csrf(client, "/materials/matching")
    form = {"csrf": token, "kind": "bonding_wire", "title": "Wire for LEDs", "quantity": "50",
            "quantity_unit": "km", "needed_by": "2027-03-01", "property_1": "wire_diameter",
            "min_1": "20", "max_1": "30", "property_2": "pull_strength", "min_2": "5"}
    # Refused: min > max comes back with what was typed; without CSRF it is refused.
    r = client.post("/materials/matching/needs", data=form | {"min_1": "31"})
    assert r.status_code == 422 and "greater than the maximum" in html.unescape(r.text)
    assert 'value="Wire for LEDs"' in r.text
    assert client.post("/materials/matching/needs", data=form | {"csrf": "x"}
                       ).status_code == 403
    r = client.post("/materials/matching/needs", data=form)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert ("Wire diameter: the product guarantees 20.01–29.99 µm, inside the need's 20–30 µm "
            "with a margin of 0.00") in text
    assert "not inside the need's 20–30 µm" in text  # W-OUT, shown to its buyer
    assert _figure(page.text, "score")["data"]
    ranges = _figure(page.text, "ranges-1")
    assert ranges["layout"]["shapes"][0]["x0"] == 20.0  # type: ignore[index]
    board = client.get("/materials/matching")
    assert board.status_code == 200 and "W-IN" in board.text
    gaps = _figure(board.text, "gaps")
    assert [t["y"] for t in gaps["data"]] == [[1], [0], [0]]  # type: ignore[index]
    # The maker of a rejected product sees neither the need nor its page.
    other = _browser(app_client, "maker-c")
    assert "W-IN" not in other.get("/materials/matching").text
    assert other.get(r.headers["location"]).status_code == 404
    # In Chinese the page renders too.
    assert client.get(r.headers["location"] + "?lang=zh-CN").status_code == 200
