"""Processing plants in a real headless browser, on the seeded demo district: the regulator
reads the showcase CIL plant (Sankey of the reconciled circuit, the planted gross error
flagged, the records differing from the report after the recount); an enterprise closes its
open month and sees the lock."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aurum.demo.district import generate_district
from aurum.demo.plants import PLANTED_GROSS_ERROR, showcase_plant
from tests.browser.conftest import Server
from tests.browser.test_pages import _login

pytestmark = pytest.mark.browser
RENDERED = ".chart[data-rendered='1']"
SITE_CHARTS = ("recovery", "unaccounted", "routes", "rate")


@pytest.fixture(scope="module")
def showcase() -> str:
    """The plant the demo surveys monthly (the demo seeds with 2025)."""
    return showcase_plant(generate_district(2025))


def _charts_drawn(page: Any, ids: tuple[str, ...]) -> None:
    """Every chart drawn by Plotly, with data in it."""
    for chart_id in ids:
        page.locator(f"#chart-{chart_id}[data-rendered='1'] .main-svg").first.wait_for(
            timeout=60_000)
        traces = page.evaluate(f"document.getElementById('chart-{chart_id}').data.length")
        assert traces >= 1, chart_id


def test_regulator_reads_the_showcase_plant(browser: Any, server: Server,
                                           showcase: str) -> None:
    page = _login(browser, server, "miit")
    page.goto(server.url + "/processing")
    _charts_drawn(page, ("rate", "routes"))
    target = page.evaluate("document.getElementById('chart-rate').data[2].y[0]")
    assert target == pytest.approx(35.0)
    assert page.get_by_test_id("enterprise-rollup").locator("tbody tr").count() >= 2
    page.get_by_test_id("plants").locator(f"a[href='/processing/{showcase}']").click()
    page.wait_for_url(re.compile(rf".*/processing/{showcase}$"))
    _charts_drawn(page, (*SITE_CHARTS, "sankey"))
    # Every month closed but the latest, the chain intact.
    accounts = page.get_by_test_id("accounts").locator("tbody tr")
    assert page.get_by_test_id("locked").count() == accounts.count() - 1
    assert "verified" in page.get_by_test_id("chain-status").inner_text()
    assert page.locator("[data-testid^=close-]").count() == 0  # the regulator cannot close
    # The survey with the planted gross error: chosen from the versions, flagged, in red.
    stream, field, _ = PLANTED_GROSS_ERROR
    choice = page.get_by_test_id("circuit-choice").locator("select[name=circuit]")
    option = choice.locator("option", has_text="gross error").first
    choice.select_option(option.get_attribute("value"))
    page.wait_for_url(re.compile(r".*[?&]circuit=\d+"))
    _charts_drawn(page, ("sankey",))
    flagged = page.get_by_test_id("variables").locator("tr[data-flag=gross-error]")
    assert flagged.count() == 1
    cells = flagged.first.locator("td")
    assert (cells.nth(0).inner_text(), cells.nth(1).inner_text()) == (stream, field)
    assert stream in page.get_by_test_id("gross-errors").inner_text()
    link = page.evaluate("""(name) => {
        const d = document.getElementById('chart-sankey').data[0];
        const i = d.link.label.indexOf(name);
        return {n: d.link.label.length, colour: d.link.color[i], hover: d.link.customdata[i],
                links: document.querySelectorAll('#chart-sankey .sankey-link').length};
    }""", stream)
    assert link["links"] == link["n"] >= 10
    assert link["colour"].startswith("rgba(207,34,46") and "gross error" in link["hover"]
    assert "measured" in link["hover"] and "adjusted" in link["hover"]
    # The recount of the last tailings line: the records differ from the report in force.
    compare = page.get_by_test_id("report-compare")
    assert compare.locator("tr.changed", has_text="differ").count() >= 1
    assert page.get_by_test_id("carry").count() == 0  # readers do not carry
    page.close()


def test_enterprise_closes_its_open_month(browser: Any, server: Server) -> None:
    page = _login(browser, server, "mine")
    page.goto(server.url + "/processing")
    _charts_drawn(page, ("rate", "routes"))
    assert page.get_by_test_id("enterprise-rollup").count() == 0
    page.get_by_test_id("plants").locator("tbody a").first.click()
    page.wait_for_url(re.compile(r".*/processing/[\w-]+$"))
    _charts_drawn(page, SITE_CHARTS)
    locked = page.get_by_test_id("locked").count()
    open_month = page.locator("form[data-testid^=close-]")
    assert open_month.count() == 1
    period = open_month.get_attribute("data-testid").removeprefix("close-")
    open_month.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/processing/[\w-]+#accounts$"))
    page.get_by_test_id("locked").nth(locked).wait_for(timeout=60_000)
    assert page.get_by_test_id("locked").count() == locked + 1
    row = page.get_by_test_id("accounts").locator(f"tr[data-period='{period}']")
    assert re.search(r"closed [0-9a-f]{12}$", row.locator("td").last.inner_text().strip())
    assert page.locator("form[data-testid^=close-]").count() == 0
    assert "verified" in page.get_by_test_id("chain-status").inner_text()
    page.close()


def test_a_plant_in_chinese_draws_its_charts_in_plotlys_chinese(
        browser: Any, server: Server, showcase: str) -> None:
    """Plotly's own texts follow the page: the zh-CN locale aurum.js registers (modebar
    tooltips, month names), with no script error."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "miit")
    page.fill("input[name=password]", server.password("miit"))
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.goto(f"{server.url}/processing/{showcase}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    _charts_drawn(page, SITE_CHARTS)
    assert page.evaluate("document.getElementById('chart-recovery')._context.locale") == "zh-CN"
    titles = page.eval_on_selector_all("#chart-recovery .modebar-btn",
                                       "buttons => buttons.map(b => b.dataset.title)")
    assert "下载图片（PNG）" in titles and "重置坐标轴" in titles
    assert not errors, errors
    context.close()
