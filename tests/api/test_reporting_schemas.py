"""The declared rows of the reporting tables (registry, reports, indicators, data quality)
are the tables served: each route names its row model, its JSON rows validate against it,
and the model has exactly the columns of the CSV form."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from aurum.api.schemas.indicators import (
    ComplianceRow,
    DataQualityRow,
    GroupRow,
    KpiRow,
    LateReportRow,
    MissingReportRow,
    ProvinceRow,
)
from aurum.api.schemas.registry import AuditRow, OrganisationRow, SiteRow
from aurum.api.schemas.reports import HistoryRow, ReportRow
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, report_csv


def declared_row(client: TestClient, path: str) -> str:
    """Name of the row model the OpenAPI document gives the GET route ``path``."""
    spec = client.get("/openapi.json").json()
    answer = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return str(answer["schema"]["items"]["$ref"].rsplit("/", 1)[1])


def check_table(client: TestClient, url: str, headers: dict[str, str],
                row: type[BaseModel]) -> list[dict[str, object]]:
    """Assert that the table at ``url`` (query string included, no ``format``) has JSON rows
    of model ``row`` and a CSV header of exactly its fields; return the JSON rows."""
    sep = "&" if "?" in url else "?"
    answer = client.get(f"{url}{sep}format=json", headers=headers)
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    assert rows, f"{url}: no rows to check"
    TypeAdapter(list[row]).validate_python(rows)  # type: ignore[valid-type]
    text = client.get(f"{url}{sep}format=csv", headers=headers).text
    header = next(csv.reader(io.StringIO(text)))
    assert set(header) == set(row.model_fields), url
    return list(rows)


def test_reporting_tables_serve_their_declared_rows(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    rows = [{**GOOD_ROW, "period": f"{year}-Q{q}"} for year in (2024, 2025) for q in (1, 2, 3, 4)]
    r = app_client.post("/api/v1/reports/upload", headers=alpha,
                        files={"file": ("r.csv", report_csv(rows), "text/csv")})
    assert r.status_code == 201, r.text
    miit, auditor = bearer(app_client, "miit"), bearer(app_client, "audit")
    tables = [
        ("/api/v1/organisations", "", miit, OrganisationRow),
        ("/api/v1/sites", "", miit, SiteRow),
        ("/api/v1/audit", "", auditor, AuditRow),
        ("/api/v1/reports", "", miit, ReportRow),
        ("/api/v1/indicators/provinces", "", miit, ProvinceRow),
        ("/api/v1/indicators/groups", "", miit, GroupRow),
        ("/api/v1/indicators/rows", "", miit, KpiRow),
        ("/api/v1/compliance", "", miit, ComplianceRow),
    ]
    for path, query, headers, row in tables:
        assert declared_row(app_client, path) == row.__name__, path
        check_table(app_client, path + query, headers, row)
    # Two tables behind one route: each kind has its own row.
    path = "/api/v1/data-quality/{kind}"
    assert declared_row(app_client, path) == DataQualityRow.__name__
    for kind, row in (("late", LateReportRow), ("missing", MissingReportRow)):
        served = check_table(app_client, path.format(kind=kind), miit, row)
        TypeAdapter(list[DataQualityRow]).validate_python(served)


def test_a_report_history_has_a_column_per_version(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/reports", headers=alpha, json={
        "site": "SD-A-01", "period": "2024-Q1",
        "values": {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}})
    assert r.status_code == 201, r.text
    rid = r.json()["report_id"]
    r = app_client.post(f"/api/v1/reports/{rid}/amendments", headers=alpha,
                        json={"values": {"ore_treated_t": 68_500}, "reason": "re-weighed"})
    assert r.status_code == 201, r.text
    path = "/api/v1/reports/{report_id}/history"
    assert declared_row(app_client, path) == HistoryRow.__name__
    url = path.format(report_id=rid)
    rows = TypeAdapter(list[HistoryRow]).validate_python(
        app_client.get(f"{url}?format=json", headers=alpha).json())
    assert {r.field: r.model_extra for r in rows}["ore_treated_t"] == {
        "v1": 68_000.0, "v2": 68_500.0}
    header = next(csv.reader(io.StringIO(app_client.get(url, headers=alpha).text)))
    assert header[0] == "field" and all(re.fullmatch(r"v\d+", c) for c in header[1:])
