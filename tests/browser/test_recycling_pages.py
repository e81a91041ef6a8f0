"""The recycler's counter in a real headless browser, on the seeded demo district: a
purchase refused field by field, then stored; its inclusion proof against the latest signed
tree head; the ledger page showing both, with its chart drawn."""

from __future__ import annotations

from typing import Any

import pytest

from aurum.recycling.identity import resident_id_check
from tests.browser.conftest import Server
from tests.browser.test_pages import _login

pytestmark = pytest.mark.browser
CHART = ".chart[data-rendered='1'] .main-svg"


def test_intake_to_ledger_to_tree_head(browser: Any, server: Server) -> None:
    page = _login(browser, server, "recycler")
    page.goto(server.url + "/recycling")
    page.locator(CHART).first.wait_for(timeout=60_000)
    form = page.get_by_test_id("intake")
    seller = "37060219850412031"
    values = {"shop": "S-2", "seller_id_number": seller + resident_id_check(seller),
              "seller_name": "赵敏", "gross_weight_g": "8.5", "fineness_permille": "1200",
              "price_per_g_cny": "700", "amount_cny": "5950", "occurred_at": "2025-10-01T10:30"}
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("select[name=payment_method]").select_option("bank_transfer")
    form.locator("button[type=submit]").click()
    error = page.get_by_test_id("error-fineness_permille")
    error.wait_for(timeout=60_000)
    assert "at most 1,000 ‰" in error.inner_text()
    # Nothing stored; the ID number is not sent back to the browser: typed again.
    form = page.get_by_test_id("intake")
    assert form.locator("[name=seller_id_number]").input_value() == ""
    form.locator("[name=seller_id_number]").fill(values["seller_id_number"])
    form.locator("[name=fineness_permille]").fill("916")
    form.locator("button[type=submit]").click()
    page.get_by_test_id("appended").wait_for(timeout=60_000)
    seq = int(page.get_by_test_id("appended-seq").inner_text())
    assert page.get_by_test_id("proof-verified").inner_text() == "proof verified"
    assert int(page.get_by_test_id("tree-head-size").inner_text()) == seq + 1
    assert page.get_by_test_id("signature-valid").inner_text() == "valid"
    entry = page.get_by_test_id("entry").inner_text()
    assert "7.786" in entry and seller not in entry  # 8.5 g × 916 ‰; the seller by key only
    root = page.get_by_test_id("tree-head-root").inner_text()

    page.get_by_role("link", name="See it in the ledger").click()
    page.wait_for_url(f"**/recycling/ledger?proof={seq}")
    page.locator(CHART).first.wait_for(timeout=60_000)
    assert page.get_by_test_id("tree-head-root").inner_text() == root
    assert page.get_by_test_id("proof-verified").inner_text() == "proof verified"
    first = page.get_by_test_id("entries").locator("tbody tr").first
    assert first.locator("td").first.inner_text() == str(seq)
    assert "*" in first.locator("td").nth(4).inner_text()  # the masked document number
    page.close()
