"""A large report file through the reports page: imported as a job that the page follows with
its progress and a cancel button, and ends showing the file's problems, row by row."""

from __future__ import annotations

from typing import Any

import pytest

from aurum.core.checks import INLINE_REPORT_IMPORT_BYTES
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser


def test_a_large_refused_file_is_followed_and_its_problems_shown(
        browser: Any, server: Server) -> None:
    rows = ["site,period,ore_mined_t"]
    while sum(len(r) + 1 for r in rows) <= INLINE_REPORT_IMPORT_BYTES:
        rows.append(f"XX-NOPE-{len(rows) % 97:02d},2025-Q1,1000")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "mine")
    page.fill("input[name=password]", server.password("mine"))
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/reports")
    page.set_input_files("input[name=file]", files=[{
        "name": "large.csv", "mimeType": "text/csv",
        "buffer": ("\n".join(rows) + "\n").encode()}])
    page.click("form[action='/reports/upload'] button[type=submit]")
    panel = page.get_by_test_id("upload-job")
    panel.wait_for()
    problems = panel.locator("[data-job-problems]")
    problems.locator("tbody tr").first.wait_for()
    assert panel.get_attribute("data-state") == "failed"
    assert panel.locator("button[data-job-cancel]").is_hidden()
    assert problems.locator("tbody tr").count() >= 1
    assert "XX-NOPE" in problems.inner_text() or "site" in problems.inner_text()
    page.close()
