"""Indicators over HTTP: an as-of year beyond the platform's years or the data is a 422 that
names the limit, and a report for a period still running is refused."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aurum.industry.reporting import reporting_day
from tests.api.conftest import bearer
from tests.api.test_auth_hardening import _login
from tests.factories import GOOD_ROW, report_csv


def _two_years(client: TestClient, headers: dict[str, str]) -> None:
    rows = [{**GOOD_ROW, "period": f"{year}-Q{q}"} for year in (2024, 2025) for q in range(1, 5)]
    r = client.post("/api/v1/reports/upload", headers=headers,
                    files={"file": ("r.csv", report_csv(rows), "text/csv")})
    assert r.status_code == 201, r.text


def test_an_as_of_year_out_of_bounds_is_a_422_and_the_server_lives_on(
        app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")  # any logged-in role, an enterprise included
    _two_years(app_client, alpha)
    for path in ("/api/v1/indicators?as_of=20000000", "/api/v1/indicators/groups?as_of=28937",
                 "/api/v1/indicators/provinces?as_of=1999"):
        r = app_client.get(path, headers=alpha)
        assert r.status_code == 422, path
        assert "as_of" in r.text and ("2035" in r.text or "2000" in r.text)
    # Within the platform's years but after the data: refused by the service, limit named.
    r = app_client.get("/api/v1/indicators/groups?as_of=2030", headers=alpha)
    assert r.status_code == 422
    assert r.json()["problems"] == [{
        "source": None, "row": None, "column": "as_of",
        "message": "as-of year 2030 is after 2025, the latest year the data reports: expected "
                   "a year from 2024 to 2025"}]
    served = app_client.get("/api/v1/indicators", headers=alpha)
    assert served.status_code == 200 and served.json()["as_of"] == 2025
    groups = app_client.get("/api/v1/indicators/groups?as_of=2025", headers=alpha).json()
    assert [g["group"] for g in groups] == ["Test Gold Group"]


def test_pages_refuse_an_as_of_year_out_of_bounds(app_client: TestClient) -> None:
    _two_years(app_client, bearer(app_client, "alpha"))
    assert _login(app_client, "alpha") == 303
    assert app_client.get("/?as_of=20000000").status_code == 422
    later = app_client.get("/provinces?as_of=2030")
    assert later.status_code == 422 and "the latest year the data reports" in later.text
    assert app_client.get("/?as_of=2024").status_code == 200
    assert app_client.get("/").status_code == 200


def test_a_report_for_the_running_quarter_is_refused(app_client: TestClient) -> None:
    today = reporting_day()
    running = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    alpha = bearer(app_client, "alpha")
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    r = app_client.post("/api/v1/reports", headers=alpha,
                        json={"site": "SD-A-01", "period": running, "values": values})
    assert r.status_code == 422
    (problem,) = r.json()["problems"]
    assert problem["column"] == "period"
    assert problem["message"].startswith(f"period {running} has not ended")
    upload = app_client.post("/api/v1/reports/upload", headers=alpha, files={
        "file": ("now.csv", report_csv([{**GOOD_ROW, "period": running}]), "text/csv")})
    assert upload.status_code == 422
    assert [(p["row"], p["column"]) for p in upload.json()["problems"]] == [(2, "period")]
    assert app_client.get("/api/v1/reports", headers=alpha).json() == []
