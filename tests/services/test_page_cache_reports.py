"""The pages of reports and indicators (dashboard, reports, an enterprise, a site, data
quality) read and aggregate the stored reports once per data version: a repeat view of
unchanged data reads no report and aggregates nothing, and a new report is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from aurum.industry import aggregate
from aurum.services import auth, cache, monitor, reporting
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import Registry, report_csv
from tests.services.test_page_views import counted

TODAY = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """No view model of another test's data is kept (autouse: before the registry)."""
    cache.clear()
    yield
    cache.clear()


def _upload(platform: Platform, reg: Registry, year: int) -> None:
    """Four quarters of SD-A-01 in ``year``, 100 kg of mine gold each."""
    rows = [{"site": "SD-A-01", "period": f"{year}-Q{q}", "ore_treated_t": 100_000,
             "head_grade_gpt": 5.0, "gold_own_mine_kg": 100} for q in range(1, 5)]
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.import_file(s, reg.ent_a, report_csv(rows), "reports.csv", today=TODAY)


def _view_every_page(platform: Platform, reg: Registry) -> tuple[int, int, int]:
    """Every report page's view as the national regulator: (reports on the reports page,
    reports of SD-A-01, report rows aggregated into the enterprise's annual rows)."""
    with platform.sessions() as s:
        actor = reg.regulator
        monitor.build(s, actor)
        received = monitor.received_reports(s, actor)
        series = monitor.site_series(s, actor, "SD-A-01")
        enterprise = monitor.enterprise_view(s, actor, "ENT-A")
        monitor.quality_view(s, actor)
        return len(received.latest), len(series), len(enterprise.annual)


def test_a_repeat_view_reads_and_aggregates_nothing(monkeypatch: pytest.MonkeyPatch,
                                                    platform: Platform, reg: Registry) -> None:
    _upload(platform, reg, 2024)
    reads = counted(monkeypatch, reporting, "current_reports")
    sums = counted(monkeypatch, aggregate, "annual_site_rows")
    quality = counted(monkeypatch, monitor, "data_quality")
    first = _view_every_page(platform, reg)
    assert first == (4, 4, 1)
    # The reports page reads them for itself; the other pages share one read and one sum.
    assert (len(reads), len(sums), len(quality)) == (2, 1, 1)
    assert _view_every_page(platform, reg) == first
    assert (len(reads), len(sums), len(quality)) == (2, 1, 1)


def test_a_new_report_is_seen_at_once(platform: Platform, reg: Registry) -> None:
    _upload(platform, reg, 2024)
    assert _view_every_page(platform, reg) == (4, 4, 1)
    _upload(platform, reg, 2025)
    assert _view_every_page(platform, reg) == (8, 8, 2)


def test_a_login_keeps_the_kept_views(monkeypatch: pytest.MonkeyPatch, platform: Platform,
                                      reg: Registry) -> None:
    _upload(platform, reg, 2024)
    _view_every_page(platform, reg)
    with transaction(platform.sessions) as s:
        auth.open_session(s, reg.regulator)
        auth.issue_token(s, reg.regulator.user_id, "a script")
    reads = counted(monkeypatch, reporting, "current_reports")
    assert _view_every_page(platform, reg) == (4, 4, 1)
    assert reads == []


def test_scopes_are_kept_apart(platform: Platform, reg: Registry) -> None:
    _upload(platform, reg, 2024)
    with platform.sessions() as s:
        assert len(monitor.received_reports(s, reg.regulator).latest) == 4
        assert len(monitor.received_reports(s, reg.ent_b).latest) == 0
        assert monitor.received_reports(s, reg.regulator).can_submit is False
        assert monitor.received_reports(s, reg.admin).can_submit is True
        assert len(monitor.site_series(s, reg.ent_b, "SD-A-01")) == 0
