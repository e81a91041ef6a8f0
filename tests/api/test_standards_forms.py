"""A standard's page forms (issue 22): the registry's keepers move a standard along its
lifecycle, offered only the moves it allows; an enterprise records its own organisation's
implementation with indicators before and after; refusals come back in place, in the reader's
language; nobody else writes through the pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aurum.services.platform import Platform
from aurum.store.models import Standard, StandardImplementation, StandardStatusEvent
from tests.api.conftest import bearer
from tests.api.language import ZH
from tests.api.test_underground_api import _browser, _csrf
from tests.factories import Registry
from tests.services.test_standards import count

PAGE = "/standards/t-cga-901-2026"


def _drafting(app_client: TestClient) -> None:
    r = app_client.post("/api/v1/standards", headers=bearer(app_client, "miit"), json={
        "number": "T/CGA 901-2026", "title_zh": "深部金矿开采 示例", "status": "drafting",
        "tags": ["deep_mining"]})
    assert r.status_code == 201, r.text


def _form(text: str, name: str) -> str:
    found = re.search(rf'<form[^>]*data-testid="{name}".*?</form>', text, re.S)
    assert found is not None, name
    return found.group(0)


def _status(platform: Platform) -> tuple[str, list[str]]:
    with platform.sessions() as s:
        row = s.scalar(select(Standard).where(Standard.slug == "t-cga-901-2026"))
        assert row is not None
        events = s.scalars(select(StandardStatusEvent.to_status).where(
            StandardStatusEvent.standard_id == row.id).order_by(StandardStatusEvent.id))
        return row.status, list(events)


def test_keepers_change_the_status_on_the_page(app_client: TestClient, platform: Platform,
                                               reg: Registry) -> None:
    _drafting(app_client)
    keeper = _browser(app_client, "miit")
    form = _form(keeper.get(PAGE).text, "status-form")
    # Only the lifecycle's next statuses from drafting are offered.
    assert re.findall(r'<option value="(\w+)"', form) == ["published", "withdrawn"]
    # A reason missing: the form comes back with the problem at its field, in Chinese.
    r = keeper.post(f"{PAGE}/status", headers=ZH, data={
        "csrf": _csrf(keeper, PAGE), "status": "published", "on": "2026-10-01"})
    assert r.status_code == 422 and 'data-testid="error-reason"' in r.text
    assert "必须填写" in r.text and "a value is required" not in r.text
    assert 'value="2026-10-01"' in _form(r.text, "status-form")  # what was typed is kept
    # A move the lifecycle forbids (not offered, but sent) is refused at the status field.
    r = keeper.post(f"{PAGE}/status", data={
        "csrf": _csrf(keeper, PAGE), "status": "under_revision", "reason": "x"})
    assert r.status_code == 422 and 'data-testid="error-status"' in r.text
    # A replacement that is not in the registry is named at its field, the page kept.
    r = keeper.post(f"{PAGE}/status", data={
        "csrf": _csrf(keeper, PAGE), "status": "withdrawn", "reason": "replaced",
        "superseded_by": "T/CGA 901-2027"})
    assert r.status_code == 422 and 'data-testid="error-superseded_by"' in r.text
    assert _status(platform) == ("drafting", ["drafting"])
    # Without the form's token nothing changes.
    r = keeper.post(f"{PAGE}/status", data={"status": "published", "reason": "approved"})
    assert r.status_code == 403 and _status(platform) == ("drafting", ["drafting"])
    r = keeper.post(f"{PAGE}/status", data={
        "csrf": _csrf(keeper, PAGE), "status": "published", "on": "2026-10-01",
        "reason": "approved by the committee"})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#history"
    page = keeper.get(PAGE).text
    assert _status(platform) == ("published", ["drafting", "published"])
    assert "approved by the committee" in page
    assert re.findall(r'<option value="(\w+)"', _form(page, "status-form")) == [
        "under_revision", "withdrawn"]


def test_an_enterprise_cannot_change_the_status(app_client: TestClient, platform: Platform,
                                                reg: Registry) -> None:
    _drafting(app_client)
    for name in ("alpha", "sd-miit", "audit"):
        reader = _browser(app_client, name)
        assert 'data-testid="status-form"' not in reader.get(PAGE).text
        r = reader.post(f"{PAGE}/status", data={
            "csrf": _csrf(reader, PAGE), "status": "published", "reason": "mine"})
        assert r.status_code == 403, name
    assert _status(platform) == ("drafting", ["drafting"])


def _indicator(i: int, name: str, unit: str, before: str, after: str, better: str
               ) -> dict[str, str]:
    return {f"indicators[{i}].{k}": v for k, v in (
        ("name", name), ("unit", unit), ("before", before), ("after", after),
        ("better", better))}


def test_an_enterprise_records_its_own_implementation(app_client: TestClient,
                                                      platform: Platform,
                                                      reg: Registry) -> None:
    _drafting(app_client)
    alpha = _browser(app_client, "alpha")
    # A draft is not implemented: no form yet.
    assert 'data-testid="implementation-form"' not in alpha.get(PAGE).text
    app_client.post("/api/v1/standards/t-cga-901-2026/status",
                    headers=bearer(app_client, "miit"),
                    json={"status": "published", "on": "2026-10-01", "reason": "approved"})
    form = _form(alpha.get(PAGE).text, "implementation-form")
    assert re.findall(r'<option value="(ENT-\w)"', form) == ["ENT-A"]  # its own only
    base = {"organisation": "ENT-A", "started_on": "2026-11-01",
            "summary": "deep-level cooling to the standard"}
    good = (_indicator(1, "heat-stress hours", "h/month", "120", "30", "lower")
            | _indicator(2, "gold recovery", "%", "90", "91.8", "higher"))
    # A value that is not a number comes back at its field, in Chinese, the rest kept.
    r = alpha.post(f"{PAGE}/implementations", headers=ZH, data={
        "csrf": _csrf(alpha, PAGE), **base, **good, "indicators[2].after": "much"})
    assert r.status_code == 422 and 'data-testid="error-indicators[2].after"' in r.text
    assert re.findall(r'data-testid="error-([^"]+)"', r.text) == ["indicators[2].after"]
    assert "expected a finite number" not in r.text and 'value="heat-stress hours"' in r.text
    # A blank row between two typed ones is refused at its place, not skipped.
    r = alpha.post(f"{PAGE}/implementations", data={
        "csrf": _csrf(alpha, PAGE), **base, **_indicator(1, "", "", "", "", "higher"),
        **_indicator(2, "gold recovery", "%", "90", "91.8", "higher")})
    assert r.status_code == 422 and 'data-testid="error-indicators[1].name"' in r.text
    r = alpha.post(f"{PAGE}/implementations", data={
        "csrf": _csrf(alpha, PAGE), **base, "started_on": "1-11-2026", **good})
    assert r.status_code == 422 and 'data-testid="error-started_on"' in r.text
    assert count(platform, StandardImplementation) == 0
    # Another enterprise's organisation is refused whole, through the page route too.
    r = alpha.post(f"{PAGE}/implementations", data={
        "csrf": _csrf(alpha, PAGE), **base, "organisation": "ENT-B", **good})
    assert r.status_code == 404 and count(platform, StandardImplementation) == 0
    r = alpha.post(f"{PAGE}/implementations", data={"csrf": _csrf(alpha, PAGE), **base,
                                                     **good})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#implementations"
    page = alpha.get(PAGE).text
    assert "deep-level cooling to the standard" in page and "h/month" in page
    assert 'id="chart-effect"' in page
    with platform.sessions() as s:
        stored = s.scalars(select(StandardImplementation)).one()
        # (30 - 120) / 120 lower-is-better and (91.8 - 90) / 90 higher-is-better.
        assert [x["improvement"] for x in stored.indicators] == pytest.approx([0.75, 0.02])
        first = stored.id
    # A correction is a new record; the corrected one leaves the page.
    form = _form(page, "implementation-form")
    assert f'<option value="{first}"' in form
    r = alpha.post(f"{PAGE}/implementations", data={
        "csrf": _csrf(alpha, PAGE), **base, "summary": "cooling, corrected", **good,
        "corrects": str(first)})
    assert r.status_code == 303
    page = alpha.get(PAGE).text
    assert "cooling, corrected" in page and "deep-level cooling to the standard" not in page
    assert count(platform, StandardImplementation) == 2
    # Another enterprise does not read ENT-A's record; readers who record nothing may not post.
    beta = _browser(app_client, "beta")
    assert "cooling, corrected" not in beta.get(PAGE).text
    for name in ("miit", "audit"):
        reader = _browser(app_client, name)
        assert 'data-testid="implementation-form"' not in reader.get(PAGE).text
        r = reader.post(f"{PAGE}/implementations", data={
            "csrf": _csrf(reader, PAGE), **base, **good})
        assert r.status_code == 403, name
    assert count(platform, StandardImplementation) == 2


def test_the_page_help_tells_of_its_forms(app_client: TestClient, platform: Platform,
                                          reg: Registry) -> None:
    _drafting(app_client)
    help_panel = _browser(app_client, "alpha").get(f"{PAGE}?lang=en").text \
        .split('data-testid="help"')[1].split("</details>")[0]
    assert "changes the status" in help_panel
    assert "records its own implementation" in help_panel
    assert "effect evaluation" in help_panel
