"""REST API: authentication, roles and organisation scope, uploads, amendments, exports, and
indicators equal to the offline ``aurum kpi`` on the exported rows."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from aurum.cli import cli
from aurum.services.platform import Platform
from aurum.store.models import ApiToken, ReportVersion
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD, report_csv


def _upload(client: TestClient, headers: dict[str, str], rows: list[dict[str, object]],
            name: str = "r.csv") -> dict[str, object]:
    r = client.post("/api/v1/reports/upload", headers=headers,
                    files={"file": (name, report_csv(rows), "text/csv")})
    return {"status": r.status_code, **r.json()}


def test_unauthenticated_requests_are_refused(app_client: TestClient) -> None:
    assert app_client.get("/api/v1/indicators").status_code == 401
    assert app_client.get("/api/v1/reports").status_code == 401
    bad = {"Authorization": "Bearer aur_not-a-token"}
    assert app_client.get("/api/v1/me", headers=bad).status_code == 401
    page = app_client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"


def test_tokens_are_stored_hashed(app_client: TestClient, platform: Platform) -> None:
    headers = bearer(app_client, "alpha")
    token = headers["Authorization"].split()[1]
    with platform.sessions() as s:
        stored = s.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert app_client.get("/api/v1/me", headers=headers).json()["role"] == "enterprise"
    wrong = app_client.post("/api/v1/tokens", json={"username": "alpha", "password": "nope"})
    assert wrong.status_code == 401


def test_enterprise_cannot_read_another_organisations_report(app_client: TestClient) -> None:
    a, b = bearer(app_client, "alpha"), bearer(app_client, "beta")
    assert _upload(app_client, b, [{**GOOD_ROW, "site": "GS-B-01"}])["status"] == 201
    b_reports = app_client.get("/api/v1/reports", headers=b).json()
    report_id = b_reports[0]["report_id"]
    assert app_client.get(f"/api/v1/reports/{report_id}", headers=b).status_code == 200
    assert app_client.get(f"/api/v1/reports/{report_id}", headers=a).status_code in (403, 404)
    assert app_client.get("/api/v1/reports", headers=a).json() == []
    assert app_client.get("/api/v1/sites/GS-B-01", headers=a).status_code == 404
    amend = app_client.post(f"/api/v1/reports/{report_id}/amendments", headers=a,
                            json={"values": {"silver_kg": 1}, "reason": "not mine to fix"})
    assert amend.status_code == 404
    # The regulator reads it; the Shandong regulator does not (Gansu site).
    assert app_client.get(f"/api/v1/reports/{report_id}",
                          headers=bearer(app_client, "miit")).status_code == 200
    assert app_client.get(f"/api/v1/reports/{report_id}",
                          headers=bearer(app_client, "sd-miit")).status_code == 404


def test_readers_cannot_write(app_client: TestClient) -> None:
    for user in ("miit", "audit"):
        r = app_client.post("/api/v1/reports", headers=bearer(app_client, user),
                            json={"site": "SD-A-01", "period": "2024-Q1", "values": {}})
        # A refusal of the caller's role (403), not a problem of the report's cells (422).
        assert r.status_code == 403 and "may not report" in r.text


def test_bad_upload_names_row_and_column_and_writes_nothing(app_client: TestClient,
                                                             platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    rows = [{**GOOD_ROW, "period": "2024-Q2"}, {**GOOD_ROW, "ore_treated_t": "lots"}]
    out = _upload(app_client, a, rows)
    assert out["status"] == 422
    assert {"row": 3, "column": "ore_treated_t"}.items() <= out["problems"][0].items()  # type: ignore[index]
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReportVersion)) == 0


def test_submit_amend_history(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    r = app_client.post("/api/v1/reports", headers=a,
                        json={"site": "SD-A-01", "period": "2025-Q1", "values": values})
    assert r.status_code == 201
    rid = r.json()["report_id"]
    dup = app_client.post("/api/v1/reports", headers=a,
                          json={"site": "SD-A-01", "period": "2025-Q1", "values": values})
    assert dup.status_code == 409
    r2 = app_client.post(f"/api/v1/reports/{rid}/amendments", headers=a,
                         json={"values": {**values, "silver_kg": 130},
                               "reason": "silver re-assayed"})
    assert r2.status_code == 201 and r2.json()["version"] == 2
    detail = app_client.get(f"/api/v1/reports/{rid}", headers=a).json()
    assert [v["values"]["silver_kg"] for v in detail["versions"]] == [120, 130]
    assert detail["due_on"] == "2025-04-30"


def test_exports_and_templates(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    _upload(app_client, a, [GOOD_ROW])
    csv = app_client.get("/api/v1/reports?format=csv", headers=a)
    assert csv.headers["content-type"].startswith("text/csv")
    assert pd.read_csv(io.StringIO(csv.text))["gold_own_mine_kg"].tolist() == [260.5]
    xlsx = app_client.get("/api/v1/sites?format=xlsx", headers=a)
    # Excel sheets are for people: readable headers; CSV and JSON keep the machine keys.
    assert pd.read_excel(io.BytesIO(xlsx.content))["Site"].tolist() == ["SD-A-01", "SD-A-02"]
    tpl = app_client.get("/api/v1/reports/template.xlsx")
    sheets = pd.read_excel(io.BytesIO(tpl.content), sheet_name=None)
    assert list(sheets) == ["reports", "fields"] and "head_grade_gpt" in sheets["reports"]


def _annual_rows(site: str, year: int, gold_kg: float, resources_t: float) -> list[dict]:
    """Four quarters whose sums give ``gold_kg`` and whose Q4 holds ``resources_t``."""
    rows = []
    for q in range(1, 5):
        rows.append({"site": site, "period": f"{year}-Q{q}", "ore_treated_t": 100000,
                     "head_grade_gpt": 5.0, "gold_own_mine_kg": gold_kg / 4,
                     "silver_kg": gold_kg / 10, "resources_measured_t": resources_t,
                     "waste_tailings_generated_t": 100000,
                     "waste_tailings_used_backfill_t": 30000 + 1000 * (year - 2024)})
    return rows


def test_indicators_equal_the_offline_kpi_command(app_client: TestClient, tmp_path) -> None:
    a, b = bearer(app_client, "alpha"), bearer(app_client, "beta")
    _upload(app_client, a, _annual_rows("SD-A-01", 2024, 400, 50)
            + _annual_rows("SD-A-01", 2025, 420, 52))
    _upload(app_client, b, _annual_rows("GS-B-01", 2024, 100, 10)
            + _annual_rows("GS-B-01", 2025, 110, 11))
    miit = bearer(app_client, "miit")
    online = app_client.get("/api/v1/indicators?as_of=2025", headers=miit).json()
    by_id = {i["id"]: i for i in online["indicators"]}
    # Closed form: gold 500 -> 530 kg is +6 %; resources 60 -> 63 t is +5 %; the 800 t/d mine
    # gives 420 of 530 kg in 2025 (79.245 %); waste used 62,000 of 200,000 t per quarter x 4.
    assert by_id["gold_output_growth_pct"]["value"] == pytest.approx(6.0)
    assert by_id["gold_resources_growth_pct"]["value"] == pytest.approx(5.0)
    assert by_id["large_mine_output_share_pct"]["value"] == pytest.approx(100 * 420 / 530)
    assert by_id["solid_waste_utilisation_pct"]["value"] == pytest.approx(31.0)
    rows = app_client.get("/api/v1/indicators/rows?format=csv", headers=miit)
    path = tmp_path / "rows.csv"
    path.write_text(rows.text)
    result = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2025",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    offline = json.loads(result.output)
    assert offline["indicators"] == online["indicators"]
    # The enterprise sees its own organisation's figures only.
    own = app_client.get("/api/v1/indicators?as_of=2025", headers=a).json()
    assert own["scope"] == "Alpha Gold Co."
    own_gold = {i["id"]: i for i in own["indicators"]}["gold_output_growth_pct"]
    assert own_gold["value"] == pytest.approx(5.0)


def test_compliance_lists_the_small_new_plant(app_client: TestClient) -> None:
    rows = app_client.get("/api/v1/compliance", headers=bearer(app_client, "miit")).json()
    assert [(r["site"], r["status"], r["shortfall_t_per_day"]) for r in rows] == [
        ("SD-A-02", "below_floor", 100.0)]


def test_openapi_is_served(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    assert "/api/v1/reports/upload" in spec["paths"]


def test_every_page_table_exports(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    _upload(app_client, a, [GOOD_ROW])
    rid = app_client.get("/api/v1/reports", headers=a).json()[0]["report_id"]
    hist = app_client.get(f"/api/v1/reports/{rid}/history?format=csv", headers=a)
    table = pd.read_csv(io.StringIO(hist.text)).set_index("field")
    assert table.loc["gold_own_mine_kg", "v1"] == pytest.approx(260.5)
    orgs = app_client.get("/api/v1/organisations?format=csv", headers=a)
    assert pd.read_csv(io.StringIO(orgs.text))["code"].tolist() == ["ENT-A"]
    group_sites = app_client.get("/api/v1/sites?enterprise=GRP",
                                 headers=bearer(app_client, "miit")).json()
    assert sorted(s["site"] for s in group_sites) == ["SD-A-01", "SD-A-02"]


def test_registry_writes_and_the_audit_trail(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    site = {"code": "SD-A-03", "org_code": "ENT-A", "name": "Alpha North", "kind": "mine",
            "province": "Shandong", "mine_method": "underground", "design_capacity_tpd": 650}
    assert app_client.post("/api/v1/sites", headers=a, json=site).status_code == 201
    foreign = {**site, "code": "GS-X-01", "org_code": "ENT-B"}
    assert app_client.post("/api/v1/sites", headers=a, json=foreign).status_code == 404
    bad = app_client.post("/api/v1/sites", headers=a,
                          json={**site, "code": "SD-A-04", "design_capacity_tpd": -5,
                                "province": "Atlantis"})
    assert bad.status_code == 422
    assert {p["column"] for p in bad.json()["problems"]} == {"design_capacity_tpd",
                                                             "province"}
    org = {"code": "ENT-C", "name": "Gamma", "org_type": "mining", "province": "Henan"}
    assert app_client.post("/api/v1/organisations", headers=a, json=org).status_code == 403
    assert app_client.get("/api/v1/audit", headers=a).status_code == 403
    trail = app_client.get("/api/v1/audit?entity=sites",
                           headers=bearer(app_client, "audit")).json()
    assert trail[0]["action"] == "create" and trail[0]["after"]["code"] == "SD-A-03"
    me = app_client.get("/api/v1/me", headers=a).json()
    assert trail[0]["user_id"] == me["user_id"]


@pytest.mark.parametrize(("username", "offered"), [("alpha", True), ("miit", False),
                                                    ("audit", False)])
def test_the_reports_page_offers_the_upload_to_those_who_file(
        app_client: TestClient, username: str, offered: bool) -> None:
    page = app_client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    app_client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf": csrf})
    assert ("Upload a file" in app_client.get("/reports").text) is offered
