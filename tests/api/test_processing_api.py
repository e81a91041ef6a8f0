"""Processing plants through the API and the pages: circuit versions reconciled on saving,
metal accounts (JSON and files) with locked closings, the waste ledger and its rates, and the
figures carried into the statistical report; scopes and refusals."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aurum.processing.circuit import circuit_from_mapping
from aurum.processing.examples import gold_plant
from aurum.processing.reconcile import reconcile
from aurum.services.platform import Platform
from aurum.store.models import MetalAccount, PlantCircuit, WasteEntry
from tests.api.conftest import bearer
from tests.api.test_resources_api import _csrf
from tests.services.test_processing import MONTHS, PLANT, _accounts, _waste

API = "/api/v1/processing"
SITE = f"{API}/sites/{PLANT}"
ERROR = {("cil_tails", "Au"): 3.0}


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _count(platform: Platform, model: type) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _records(client: TestClient, headers: dict[str, str]) -> None:
    """Three months of accounts (JSON) and of the waste ledger (a file) of the plant."""
    rows = _accounts().drop(columns=["site"]).to_dict(orient="records")
    r = client.post(f"{SITE}/accounts", headers=headers, json={"accounts": rows})
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/waste", headers=headers,
                    files={"file": ("waste.csv", _csv(_waste()), "text/csv")})
    assert r.status_code == 201, r.text


def test_circuits_are_versioned_reconciled_and_scoped(app_client: TestClient,
                                                      platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    first = app_client.post(f"{SITE}/circuits", headers=a, json={
        "name": "CIL", "period": "2025-07", "definition": gold_plant(seed=3)})
    assert first.status_code == 201, first.text
    expected = reconcile(circuit_from_mapping(gold_plant(seed=3)))
    body = first.json()
    assert (body["name"], body["version"], body["period"]) == ("CIL", 1, "2025-07")
    assert body["chi2"] == pytest.approx(expected.chi2, rel=1e-9)
    assert body["dof"] == expected.dof
    assert body["gross_errors"] == expected.as_dict()["gross_errors"]
    ore = body["reconciliation"]["streams"]["ore"]
    assert ore["mass"] == pytest.approx(expected.as_dict()["streams"]["ore"]["mass"], rel=1e-9)
    second = app_client.post(f"{SITE}/circuits", headers=a, json={
        "name": "CIL", "period": "2025-08", "note": "tails assay suspect",
        "definition": gold_plant(seed=4, errors=ERROR)})
    assert second.status_code == 201 and second.json()["gross_errors"] == ["cil_tails"]
    listed = app_client.get(f"{SITE}/circuits", headers=a).json()
    assert [(c["version"], c["gross_errors"]) for c in listed] == [
        (1, body["gross_errors"]), (2, ["cil_tails"])]
    doc = app_client.get(f"{API}/circuits/{second.json()['id']}", headers=a).json()
    assert {s["name"] for s in doc["definition"]["streams"]} >= {"ore", "cil_tails"}
    flagged = [(v["stream"], v["field"]) for v in doc["reconciliation"]["variables"]
               if v["gross_error"]]
    assert flagged == [("cil_tails", "Au")]
    # A bad circuit: 422 naming the problem, nothing saved.
    bad = gold_plant(seed=3)
    bad["streams"] = [*bad["streams"], {"name": "leak", "from": "cil", "to": "nowhere"}]
    r = app_client.post(f"{SITE}/circuits", headers=a, json={"name": "CIL", "definition": bad})
    assert r.status_code == 422 and "nowhere" in r.text
    assert _count(platform, PlantCircuit) == 2
    # Another enterprise sees nothing; the regulator reads and cannot write.
    b = bearer(app_client, "beta")
    assert app_client.get(f"{SITE}/circuits", headers=b).status_code == 404
    assert app_client.get(f"{API}/circuits/{second.json()['id']}", headers=b).status_code == 404
    miit = bearer(app_client, "miit")
    assert len(app_client.get(f"{SITE}/circuits", headers=miit).json()) == 2
    r = app_client.post(f"{SITE}/circuits", headers=miit,
                        json={"name": "CIL", "definition": gold_plant(seed=5)})
    assert r.status_code == 403
    assert _count(platform, PlantCircuit) == 2


def test_accounts_from_json_and_files_close_into_a_chain(app_client: TestClient,
                                                         platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    rows = _accounts().drop(columns=["site"]).to_dict(orient="records")
    r = app_client.post(f"{SITE}/accounts", headers=a, json={"accounts": rows})
    assert r.status_code == 201, r.text
    assert len(r.json()["ids"]) == 3
    frame = pd.DataFrame(app_client.get(f"{SITE}/accounts", headers=a).json())
    # Closed form: unaccounted = in - products - tailings - (closing - opening) = 30 g.
    assert frame["unaccounted_g"].tolist() == pytest.approx([30.0] * 3)
    assert frame["recovery"].iloc[0] == pytest.approx((27_000 + 20) / 30_000)
    sd = ((0.0125 * 30_000) ** 2 + 1 + 50 ** 2 + 2 * 25 ** 2) ** 0.5
    assert frame["unaccounted_sd_g"].iloc[0] == pytest.approx(sd)
    # A file of the next quarter with a bad cell: the row and column named, nothing stored.
    autumn = _accounts(("2025-10", "2025-11", "2025-12")).drop(columns=["site"])
    bad = autumn.astype(object)
    bad.loc[1, "tailings_g"] = -5.0
    r = app_client.post(f"{SITE}/accounts", headers=a,
                        files={"file": ("q4.csv", _csv(bad), "text/csv")})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {"source": "q4.csv", "row": 3, "column": "tailings_g"} in [
        {k: p[k] for k in ("source", "row", "column")} for p in problems]
    assert _count(platform, MetalAccount) == 3
    other = autumn.assign(site=[PLANT, "GS-B-01", PLANT])
    r = app_client.post(f"{SITE}/accounts", headers=a,
                        files={"file": ("q4.csv", _csv(other), "text/csv")})
    assert r.status_code == 422 and r.json()["problems"][0]["row"] == 3
    assert r.json()["problems"][0]["column"] == "site"
    r = app_client.post(f"{SITE}/accounts", headers=a,
                        files={"file": ("q4.csv", _csv(autumn.assign(site=PLANT)), "text/csv")})
    assert r.status_code == 201 and len(r.json()["ids"]) == 3
    # Closing: each closing chained to the one before; twice is a conflict.
    r = app_client.post(f"{SITE}/accounts/close", headers=a, json={"periods": MONTHS[:2]})
    assert r.status_code == 201, r.text
    july, august = r.json()
    assert (july["period"], august["period"]) == MONTHS[:2]
    assert july["previous_sha256"] is None and august["previous_sha256"] == july["sha256"]
    assert len(july["sha256"]) == 64
    r = app_client.post(f"{SITE}/accounts/close", headers=a, json={"periods": ["2025-07"]})
    assert r.status_code == 409
    assert app_client.get(f"{SITE}/accounts/verify", headers=a).json() == {"ok": True,
                                                                          "broken": []}
    # A closed month changes only with a reason; the history keeps both versions.
    amended = _accounts().iloc[:1].drop(columns=["site"]).assign(products_g=27_010.0,
                                                                 tailings_g=2_940.0)
    r = app_client.post(f"{SITE}/accounts", headers=a,
                        json={"accounts": amended.to_dict(orient="records")})
    assert r.status_code == 422 and "amendment needs a reason" in r.text
    r = app_client.post(f"{SITE}/accounts", headers=a, json={
        "reason": "bullion re-assayed", "accounts": amended.to_dict(orient="records")})
    assert r.status_code == 201
    history = pd.DataFrame(app_client.get(f"{SITE}/accounts?history=true", headers=a).json())
    assert history[history["period"] == "2025-07"]["version"].tolist() == [1, 2]
    csv = pd.read_csv(io.StringIO(app_client.get(f"{SITE}/accounts?format=csv",
                                                 headers=a).text))
    assert len(csv) == 6 and csv.loc[0, "unaccounted_g"] == pytest.approx(30.0)
    assert csv.loc[0, "recovery"] == pytest.approx((27_010 + 20) / 30_000)
    # Scope: another enterprise gets 404, the regulator reads and cannot write.
    b = bearer(app_client, "beta")
    for url in ("/accounts", "/accounts/verify"):
        assert app_client.get(SITE + url, headers=b).status_code == 404
    assert app_client.post(f"{SITE}/accounts/close", headers=b,
                           json={"periods": ["2025-09"]}).status_code == 404
    miit = bearer(app_client, "miit")
    assert len(app_client.get(f"{SITE}/accounts", headers=miit).json()) == 6
    assert app_client.post(f"{SITE}/accounts/close", headers=miit,
                           json={"periods": ["2025-09"]}).status_code == 403
    assert app_client.post(f"{SITE}/accounts", headers=miit,
                           json={"accounts": rows}).status_code == 403
    assert app_client.post(f"{SITE}/accounts", headers=miit, files={
        "file": ("q4.csv", _csv(autumn), "text/csv")}).status_code == 403
    assert _count(platform, MetalAccount) == 7


def test_waste_ledger_and_its_rates(app_client: TestClient, platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    wrong = _waste().astype(object)
    wrong.loc[2, "generated_t"] = "ten"
    r = app_client.post(f"{API}/waste", headers=a,
                        files={"file": ("waste.csv", _csv(wrong), "text/csv")})
    assert r.status_code == 422
    assert {(p["row"], p["column"]) for p in r.json()["problems"]} == {(4, "generated_t")}
    assert _count(platform, WasteEntry) == 0
    r = app_client.post(f"{API}/waste", headers=a,
                        files={"file": ("waste.csv", _csv(_waste()), "text/csv")})
    assert r.status_code == 201 and len(r.json()["ids"]) == 4
    ledger = pd.DataFrame(app_client.get(f"{API}/waste?site={PLANT}", headers=a).json())
    tails = ledger[ledger["waste_type"] == "tailings"]
    assert tails["closing_stock_t"].tolist() == [10_800.0, 18_300.0, 24_000.0]
    # A correction needs a reason; with one it supersedes the line.
    fix = _waste().iloc[[3]].assign(utilised_metal_recovery_t=150.0)
    r = app_client.post(f"{API}/waste", headers=a,
                        files={"file": ("fix.csv", _csv(fix), "text/csv")})
    assert r.status_code == 422 and "correction needs a reason" in r.text
    r = app_client.post(f"{API}/waste", headers=a, data={"reason": "weighbridge ticket"},
                        files={"file": ("fix.csv", _csv(fix), "text/csv")})
    assert r.status_code == 201
    utilised = 3_200 + 3_500 + 4_300 + 150
    nation = app_client.get(f"{API}/waste/utilisation?level=nation&by=year", headers=a).json()
    assert nation[0]["year"] == "2025"
    assert nation[0]["utilisation_rate"] == pytest.approx(utilised / 30_400)
    assert nation[0]["comprehensive_utilisation_rate"] == pytest.approx(utilised / 30_400)
    by_type = {r["waste_type"]: r for r in app_client.get(
        f"{API}/waste/utilisation?level=plant&by=waste_type", headers=a).json()}
    assert by_type["cyanide_residue"]["utilisation_rate"] == pytest.approx(150 / 400)
    assert by_type["tailings"]["share_backfill"] == pytest.approx(10_500 / 11_000)
    assert app_client.get(f"{API}/waste/utilisation?level=province",
                          headers=a).status_code == 422
    # Another enterprise neither sees nor writes the plant's ledger; the regulator reads only.
    b = bearer(app_client, "beta")
    assert app_client.get(f"{API}/waste", headers=b).json() == []
    r = app_client.post(f"{API}/waste", headers=b,
                        files={"file": ("waste.csv", _csv(_waste()), "text/csv")})
    assert r.status_code == 422 and r.json()["problems"][0]["row"] == 2
    assert "unknown site" in r.json()["problems"][0]["message"]
    miit = bearer(app_client, "miit")
    assert len(app_client.get(f"{API}/waste", headers=miit).json()) == 4
    r = app_client.post(f"{API}/waste", headers=miit, data={"reason": "x"},
                        files={"file": ("waste.csv", _csv(fix), "text/csv")})
    assert r.status_code == 403
    assert _count(platform, WasteEntry) == 5


def test_records_carry_into_the_report(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    _records(app_client, a)
    url = f"{SITE}/report-figures/2025-Q3"
    body = app_client.get(url, headers=a).json()
    assert body["complete"] and body["missing_accounts"] == body["missing_ledger"] == []
    values = body["values"]
    assert values["ore_treated_t"] == 33_000.0
    assert values["head_grade_gpt"] == pytest.approx(90_800 / 33_000)
    gold_kg = 0.9 * 90_800 / 1000
    assert values["gold_own_mine_kg"] == pytest.approx(0.8 * gold_kg)
    assert values["waste_tailings_used_backfill_t"] == 10_500.0
    compared = {r["field"]: r for r in body["comparison"]}
    assert compared["ore_treated_t"]["report"] is None
    assert not any(r["matches"] for r in body["comparison"])
    miit = bearer(app_client, "miit")
    assert app_client.post(f"{url}/carry", headers=miit).status_code == 403
    assert app_client.get(url, headers=bearer(app_client, "beta")).status_code == 404
    r = app_client.post(f"{url}/carry", headers=a)
    assert r.status_code == 201, r.text
    version_id = r.json()["report_version_id"]
    assert isinstance(version_id, int)
    assert app_client.post(f"{url}/carry", headers=a).status_code == 409
    after = app_client.get(url, headers=miit).json()
    assert all(r["matches"] for r in after["comparison"])
    report = app_client.get(f"/api/v1/reports?site={PLANT}", headers=miit).json()
    assert [(x["period"], x["ore_treated_t"]) for x in report] == [("2025-Q3", 33_000.0)]
    r = app_client.post(f"{SITE}/report-figures/2025-Q4/carry", headers=a)
    assert r.status_code == 422 and "no metal account for 2025-10" in r.text


def test_pages_show_the_plant_and_close_and_carry(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    _records(app_client, a)
    for seed, errors in ((3, None), (4, ERROR)):
        r = app_client.post(f"{SITE}/circuits", headers=a, json={
            "name": "CIL", "definition": gold_plant(seed=seed, errors=errors)})
        assert r.status_code == 201
    app_client.post("/login", data={"username": "alpha", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    index = app_client.get("/processing")
    assert index.status_code == 200
    assert 'id="chart-rate"' in index.text and 'id="chart-routes"' in index.text
    assert f'href="/processing/{PLANT}"' in index.text
    assert 'data-testid="enterprise-rollup"' not in index.text
    page = app_client.get(f"/processing/{PLANT}")
    assert page.status_code == 200, page.text
    for chart_id in ("recovery", "unaccounted", "sankey", "routes", "rate"):
        assert f'id="chart-{chart_id}"' in page.text
    assert page.text.count('data-flag="gross-error"') == 1
    assert page.text.count("Close month") == 3
    r = app_client.post(f"/processing/{PLANT}/close", follow_redirects=False,
                        data={"period": "2025-08", "csrf": _csrf(app_client)})
    assert r.status_code == 303
    page = app_client.get(f"/processing/{PLANT}")
    assert page.text.count('data-testid="locked"') == 1 and page.text.count("Close month") == 2
    again = app_client.post(f"/processing/{PLANT}/close",
                            data={"period": "2025-08", "csrf": _csrf(app_client)})
    assert again.status_code == 409 and "closed already" in again.text
    assert 'data-testid="carry"' in page.text  # 2025-Q3 is complete and not reported yet
    r = app_client.post(f"/processing/{PLANT}/carry", follow_redirects=False,
                        data={"quarter": "2025-Q3", "csrf": _csrf(app_client)})
    assert r.status_code == 303
    page = app_client.get(r.headers["location"])
    assert 'data-testid="carried"' in page.text and 'data-testid="in-step"' in page.text
    assert 'data-testid="carry"' not in page.text
    assert app_client.get(f"/processing/{PLANT}?circuit=999999").status_code == 404
    # The regulator sees the enterprise roll-up and no form.
    app_client.post("/logout", data={"csrf": _csrf(app_client)})
    app_client.post("/login", data={"username": "miit", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    assert 'data-testid="enterprise-rollup"' in app_client.get("/processing").text
    page = app_client.get(f"/processing/{PLANT}")
    assert "Close month" not in page.text and 'data-testid="carry"' not in page.text


def test_every_route_needs_a_login_and_is_documented(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    routes = [(path, method) for path, item in spec["paths"].items()
              if path.startswith(API) for method in item]
    assert len(routes) == 12
    body = spec["paths"][f"{API}/sites/{{code}}/accounts"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    for path, method in routes:
        url = path.format(code=PLANT, circuit_id=1, period="2025-Q3")
        assert app_client.request(method.upper(), url).status_code == 401, url
    assert app_client.get("/processing", follow_redirects=False).status_code == 303


def test_pages_before_any_record(app_client: TestClient) -> None:
    app_client.post("/login", data={"username": "miit", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    index = app_client.get("/processing")
    assert index.status_code == 200, index.text
    assert 'data-testid="plants"' in index.text and "nothing to show" in index.text
    page = app_client.get(f"/processing/{PLANT}")
    assert page.status_code == 200, page.text
    assert 'data-testid="no-circuit"' in page.text and 'id="chart-' not in page.text
