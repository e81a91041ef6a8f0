"""The main paths in a real headless browser (Debian chromium, no browser download)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from aurum.industry.kpi import INDICATOR_IDS
from aurum.store.models import Organisation, Report, Site, User
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser


def _login(browser: Any, server: Server, user: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # Generous: CI shares two cores between the server, the browser and the other tests.
    page.set_default_timeout(60_000)
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", server.password(user))
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def _number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text.split()[0]))


def test_regulator_sees_every_indicator_with_its_chart(browser: Any, server: Server) -> None:
    page = _login(browser, server, "miit")
    assert "regulator" in page.get_by_test_id("who").inner_text()
    for indicator in INDICATOR_IDS:
        card = page.get_by_test_id(f"indicator-{indicator}")
        value = _number(card.locator(".big").inner_text())
        assert -50 < value < 100, (indicator, value)
        assert card.locator(".status").inner_text() in {"on track", "at risk", "off track"}
        card.locator(".chart[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    gold = page.get_by_test_id("indicator-gold_output_growth_pct").inner_text()
    # The demo district is calibrated to the plan's 2024 figure: 377 t of mine gold.
    baseline_kg = _number(gold.split("Baseline 2024")[1])
    assert baseline_kg == pytest.approx(377_000, rel=0.005)
    page.screenshot(path=str(server.home / "dashboard.png"))
    page.close()


@pytest.mark.parametrize("path", ["/provinces", "/enterprises", "/sites", "/reports",
                                  "/resources", "/resources/SD-SSD-01",
                                  "/compliance", "/data-quality"])
def test_every_page_draws_its_chart(browser: Any, server: Server, path: str) -> None:
    page = _login(browser, server, "miit")
    page.goto(server.url + path)
    page.locator(".chart[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    assert page.locator("table tbody tr").count() > 0
    page.close()


def _foreign_report(server: Server, username: str) -> int:
    engine = create_engine(f"sqlite:///{server.home / 'aurum.db'}")
    with Session(engine) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        own = {user.org_id, *s.scalars(select(Organisation.id)
                                       .where(Organisation.parent_id == user.org_id))}
        rid = s.scalars(select(Report.id).join(Site).where(Site.org_id.not_in(own))).first()
    engine.dispose()
    assert rid is not None
    return rid


def test_enterprise_cannot_read_another_organisations_report(browser: Any,
                                                             server: Server) -> None:
    page = _login(browser, server, "mine")
    foreign = _foreign_report(server, "mine")
    response = page.goto(f"{server.url}/reports/{foreign}")
    assert response is not None and response.status == 404
    api = page.request.get(f"{server.url}/api/v1/reports/{foreign}")
    assert api.status in (403, 404)
    own = page.request.get(f"{server.url}/api/v1/reports").json()
    assert own and all(r["report_id"] != foreign for r in own)
    page.close()


def test_bad_upload_is_refused_with_row_and_column(browser: Any, server: Server,
                                                   tmp_path: Path) -> None:
    page = _login(browser, server, "mine")
    page.goto(server.url + "/reports")
    bad = tmp_path / "bad.csv"
    bad.write_text("site,period,ore_treated_t\nNOPE-01,2026-Q4,-5\n")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form[action='/reports/upload'] button")
    rows = page.get_by_test_id("upload-problems").locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("2\tsite" in t and "unknown site" in t for t in texts) or any(
        "2\tore_treated_t" in t for t in texts), texts
    page.close()


def test_drillhole_check_page_with_babbitt(browser: Any, server: Server,
                                           shared_data: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    page = _login(browser, server, "mine")
    page.goto(server.url + "/resources/drillholes")
    page.set_input_files("input[name=collar]", str(folder / "collar_BABBITT.csv"))
    page.set_input_files("input[name=survey]", str(folder / "survey_BABBITT.csv"))
    page.set_input_files("input[name=assay]", str(folder / "assay_BABBITT.csv"))
    page.fill("input[name=grade]", "CU")
    page.fill("input[name=composite]", "20")
    # Run as a job: the files sent first, the progress shown, then the check's own page.
    page.click("form[data-job-kind='drillhole_check'] button[type=submit]")
    page.wait_for_url("**/resources/drillholes?job=*", timeout=120_000)
    summary = page.get_by_test_id("drillhole-summary").inner_text()
    assert "399 holes" in summary and "Beyond the hole's length 70" in summary
    page.locator(".chart[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    first = page.get_by_test_id("drillhole-problems").locator("tbody tr").first.inner_text()
    assert "survey_BABBITT.csv" in first
    page.close()


def test_pit_study_from_a_resource_model(browser: Any, server: Server) -> None:
    page = _login(browser, server, "miit")
    page.goto(server.url + "/pit")
    page.get_by_test_id("pit-models").locator("tbody tr a").first.click()
    page.locator("#chart-shell[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    page.locator("#chart-pitbypit[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    facts = page.get_by_test_id("pit-facts").inner_text()
    assert "M CNY" in facts and "arcs" in facts
    assert page.get_by_test_id("pushbacks").locator("tbody tr").count() >= 1
    # The what-if runs as a job and is kept as a saved scenario, whose page the job opens.
    shown = page.url
    page.fill("input[name=slope_deg]", "38")
    page.click("form[data-testid=pit-form] button")
    page.wait_for_url(lambda url: url != shown and re.search(r"/scenarios/[0-9a-f]{32}$", url)
                      is not None, timeout=120_000)
    page.locator("#chart-shell[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    assert "slope 38°" in page.get_by_test_id("pit-scenario").inner_text()
    # The default study saved by name, then the two side by side.
    page.click("[data-testid=pit-scenario] a")
    page.fill("form[data-testid=pit-save] input[name=name]", "base case")
    page.click("form[data-testid=pit-save] button")
    page.wait_for_url(re.compile(r".*/scenarios/[0-9a-f]{32}$"))
    assert "base case" in page.get_by_test_id("pit-scenario").inner_text()
    assert page.get_by_test_id("pit-scenarios").locator("tbody tr").count() == 2
    page.click("form[data-testid=pit-compare] button")
    page.locator("#chart-compare[data-rendered='1'] .main-svg").first.wait_for(timeout=60_000)
    assert "base case" in page.get_by_test_id("pit-compared").inner_text()
    page.close()
