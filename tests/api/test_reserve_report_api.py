"""The annual reserve report's downloads (Excel and PDF in the asked language) and its section
on the mine's resource page; another enterprise's mine is missing."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.factories import Registry
from tests.services.test_reserve_report import HEADINGS, _history

URL = "/api/v1/sites/SD-A-01/reserve-report/2025"


def _sheet_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row
                    if c.value is not None)


def test_downloads_in_the_asked_language(app_client: TestClient, platform: Platform,
                                         reg: Registry) -> None:
    _history(platform, reg)
    a = bearer(app_client, "alpha")
    zh = app_client.get(f"{URL}.xlsx?lang=zh-CN", headers=a)
    assert zh.status_code == 200, zh.text
    assert 'filename="reserve-report-SD-A-01-2025-zh_CN.xlsx"' in zh.headers[
        "content-disposition"]
    text = _sheet_text(zh.content)
    assert all(h in text for h in HEADINGS) and "探明" in text
    en = _sheet_text(app_client.get(f"{URL}.xlsx?lang=en", headers=a).content)
    assert "Opening (期初保有)" in en and "Re-estimation (重算增减)" in en
    pdf = app_client.get(f"{URL}.pdf?lang=zh-CN", headers=a)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_scope_and_bad_years(app_client: TestClient, platform: Platform,
                             reg: Registry) -> None:
    _history(platform, reg)
    b = bearer(app_client, "beta")
    assert app_client.get(f"{URL}.xlsx", headers=b).status_code == 404
    assert app_client.get(f"{URL}.pdf", headers=b).status_code == 404
    a = bearer(app_client, "alpha")
    assert app_client.get("/api/v1/sites/SD-A-01/reserve-report/2023.xlsx",
                          headers=a).status_code == 404
    assert app_client.get("/api/v1/sites/SD-A-01/reserve-report/1800.xlsx",
                          headers=a).status_code == 422
    assert app_client.get(f"{URL}.xlsx").status_code == 401


def test_resource_page_shows_the_latest_year(app_client: TestClient, platform: Platform,
                                             reg: Registry) -> None:
    _history(platform, reg)
    html = app_client.get("/login").text
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    app_client.post("/login", data={"username": "alpha", "password": "test-password-123",
                                    "csrf": csrf})
    page = app_client.get("/resources/SD-A-01?lang=zh-CN")
    assert page.status_code == 200
    assert 'data-testid="reserve-section"' in page.text
    assert f'href="{URL}.xlsx?lang=zh-CN"' in page.text and f'{URL}.pdf' in page.text
    assert all(h in page.text for h in HEADINGS)
    assert 'data-category="resources_total"' in page.text
    assert 'id="chart-reserve"' in page.text and "relative" in page.text
