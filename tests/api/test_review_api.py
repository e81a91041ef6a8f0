"""The review of reports through the API (``/api/v1/reports/...``) and the pages: drafts,
submission, return with a reason, amendment, acceptance, who may take each step, and the
national indicators counting a report once accepted when the review is on."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aurum.core import checks
from aurum.services import cache
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD

VALUES = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}


@pytest.fixture
def review_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_REPORT_REVIEW", "on")
    cache.clear()


def _submit(client: TestClient, headers: dict[str, str]) -> int:
    r = client.post("/api/v1/reports", headers=headers,
                    json={"site": "SD-A-01", "period": "2024-Q1", "values": VALUES})
    assert r.status_code == 201, r.text
    return int(r.json()["report_id"])


def _gold_t(client: TestClient, headers: dict[str, str]) -> float | None:
    """The national gold output of 2024 the indicators count, kg (None: nothing counts)."""
    r = client.get("/api/v1/indicators?as_of=2024", headers=headers)
    if r.status_code != 200:
        return None
    gold = next(i for i in r.json()["indicators"] if i["id"] == "gold_output_growth_pct")
    return gold["current"]


@pytest.mark.usefixtures("review_on")
def test_the_review_through_the_api(app_client: TestClient) -> None:
    alpha, sd, miit = (bearer(app_client, u) for u in ("alpha", "sd-miit", "miit"))
    r = app_client.post("/api/v1/reports/drafts", headers=alpha, json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"gold_own_mine_kg": "260.5"}})
    assert r.status_code == 201 and r.json()["values"] == {"gold_own_mine_kg": "260.5"}
    rid = _submit(app_client, alpha)
    assert app_client.get(f"/api/v1/reports/{rid}/review", headers=alpha).json()["state"] == \
        "submitted"
    pending = app_client.get("/api/v1/reports/pending", headers=sd).json()
    assert [(p["report_id"], p["version"]) for p in pending] == [(rid, 1)]
    assert app_client.get("/api/v1/reports/pending", headers=alpha).json() == []
    assert _gold_t(app_client, miit) is None  # not counted yet

    for body in ({}, {"reason": "no"}, {"reason": "x" * (checks.MAX_REVIEW_REASON_CHARS + 1)}):
        assert app_client.post(f"/api/v1/reports/{rid}/return", headers=sd,
                               json=body).status_code == 422
    r = app_client.post(f"/api/v1/reports/{rid}/return", headers=sd,
                        json={"reason": "silver missing"})
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert r.json()["actions"] == []
    returned = app_client.get("/api/v1/reports/returned", headers=alpha).json()
    assert [(x["report_id"], x["reason"]) for x in returned] == [(rid, "silver missing")]
    assert app_client.post(f"/api/v1/reports/{rid}/accept", headers=sd).status_code == 409

    r = app_client.post(f"/api/v1/reports/{rid}/amendments", headers=alpha,
                        json={"values": {**VALUES, "silver_kg": 125}, "reason": "silver added"})
    assert r.status_code == 201 and r.json()["version"] == 2
    assert app_client.get("/api/v1/reports/returned", headers=alpha).json() == []
    r = app_client.post(f"/api/v1/reports/{rid}/accept", headers=miit)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["state"], out["version"], out["counts"]) == ("accepted", 2, True)
    assert [s["state"] for s in out["steps"]] == ["submitted", "returned", "amended",
                                                   "accepted"]
    assert _gold_t(app_client, miit) == pytest.approx(260.5, abs=1e-3)


def test_who_may_take_each_step_through_the_api(app_client: TestClient) -> None:
    alpha, beta, sd, audit = (bearer(app_client, u) for u in ("alpha", "beta", "sd-miit",
                                                              "audit"))
    rid = _submit(app_client, alpha)
    assert app_client.post(f"/api/v1/reports/{rid}/accept", headers=alpha).status_code == 403
    assert app_client.post(f"/api/v1/reports/{rid}/accept", headers=audit).status_code == 403
    assert app_client.post(f"/api/v1/reports/{rid}/return", headers=audit,
                           json={"reason": "an auditor's note"}).status_code == 403
    assert app_client.post(f"/api/v1/reports/{rid}/accept", headers=beta).status_code == 404
    assert app_client.get(f"/api/v1/reports/{rid}/review", headers=beta).status_code == 404
    assert app_client.post("/api/v1/reports/drafts", headers=audit, json={
        "site": "SD-A-01", "period": "2024-Q2", "values": {}}).status_code == 403
    assert app_client.post("/api/v1/reports/drafts", headers=alpha, json={
        "site": "SD-A-01", "period": "2024-Q2",
        "values": {"silver_kg": "about " * 12}}).status_code == 422
    assert app_client.post(f"/api/v1/reports/{rid}/accept", headers=sd).status_code == 200
    assert app_client.get("/api/v1/reports/pending", headers=sd).json() == []


def test_the_routes_are_in_the_contract(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/reports/drafts", "/api/v1/reports/pending",
                 "/api/v1/reports/returned", "/api/v1/reports/{report_id}/review",
                 "/api/v1/reports/{report_id}/accept", "/api/v1/reports/{report_id}/return"):
        assert path in paths
    body = paths["/api/v1/reports/{report_id}/return"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("ReturnIn")


def _login(client: TestClient, username: str) -> str:
    """Log in through the page; the CSRF token of the next form."""
    client.cookies.clear()
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf": token.group(1) if token else ""},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return _csrf(client, "/reports/new")


def _csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


@pytest.mark.usefixtures("review_on")
def test_the_review_through_the_pages(app_client: TestClient) -> None:
    csrf = _login(app_client, "alpha")
    form = {"csrf": csrf, "site": "SD-A-01", "period": "2024-Q1",
            **{k: str(v) for k, v in VALUES.items()}}
    r = app_client.post("/reports/new", data={**form, "action": "draft"},
                        follow_redirects=False)
    assert r.status_code == 303 and "draft=" in r.headers["location"]
    page = app_client.get(r.headers["location"])
    assert 'data-testid="draft-saved"' in page.text and 'value="260.5"' in page.text
    bad = app_client.post("/reports/new", data={**form, "head_grade_gpt": "4200",
                                                "action": "submit"})
    assert bad.status_code == 422 and 'value="4200"' in bad.text  # the input is kept
    r = app_client.post("/reports/new", data={**form, "action": "submit"},
                        follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    assert 'data-state="submitted"' in app_client.get(url).text
    assert 'data-testid="accept"' not in app_client.get(url).text

    csrf = _login(app_client, "sd-miit")
    queue = app_client.get("/reports/review")
    assert queue.status_code == 200 and f'href="{url}"' in queue.text
    page = app_client.get(url)
    assert 'data-testid="accept"' in page.text and 'data-testid="return"' in page.text
    refused = app_client.post(f"{url}/review", data={"csrf": csrf, "action": "return",
                                                     "reason": ""})
    assert refused.status_code == 422 and 'data-testid="problems"' in refused.text
    r = app_client.post(f"{url}/review", data={"csrf": csrf, "action": "return",
                                               "reason": "grade looks high"},
                        follow_redirects=False)
    assert r.status_code == 303
    page = app_client.get(url)
    assert 'data-state="returned"' in page.text and "grade looks high" in page.text
    twice = app_client.post(f"{url}/review", data={"csrf": csrf, "action": "accept"})
    assert twice.status_code == 409

    csrf = _login(app_client, "alpha")
    rid = url.rsplit("/", 1)[1]
    amend = app_client.get(f"/reports/new?report={rid}")
    assert 'name="report"' in amend.text and 'value="4.2"' in amend.text
    r = app_client.post("/reports/new", data={**form, "csrf": csrf, "report": rid,
                                              "head_grade_gpt": "4.1", "action": "submit",
                                              "reason": "grade re-assayed"},
                        follow_redirects=False)
    assert r.status_code == 303, r.text
    assert 'data-state="amended"' in app_client.get(url).text
    assert app_client.get("/reports/review").status_code == 403

    csrf = _login(app_client, "sd-miit")
    r = app_client.post(f"{url}/review", data={"csrf": csrf, "action": "accept"},
                        follow_redirects=False)
    assert r.status_code == 303
    assert 'data-state="accepted"' in app_client.get(url).text
    assert 'data-testid="review-queue-empty"' in app_client.get("/reports/review").text
