"""The safety dashboard and the recycling regulator's page compute their figures once per data
version: a repeat view of unchanged data recomputes nothing, and a write is seen at once. A
tailings facility's page reads its stored series (computed when the facility, its sensors or
its readings are written: tests/services/test_derived_views.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from aurum.core.errors import NotFoundError
from aurum.services import cache, jobs, safety
from aurum.services.platform import Platform
from aurum.services.recycling import views as recycling_views
from aurum.services.safety import facilities
from aurum.services.safety import views as safety_views
from aurum.store.db import transaction
from tests.factories import Registry
from tests.services.test_page_views import counted

DAY = date(2026, 3, 2)
FACILITY = safety.FacilitySpec("SD-A-01", "SD-A-TF1", "Alpha tailings", "upstream", 120.0,
                               0.01, 6.0, total_storage_m3=2.0e8, dam_height_m=70.0,
                               design_flood_level_m=119.3)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """No view model of another test's data is kept (autouse: before the registry)."""
    cache.clear()
    yield
    cache.clear()


def _report_hazard(platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        safety.report_hazard(s, reg.ent_a, platform.settings.home, safety.HazardReport(
            "SD-A-01", "Loose rock on the drift roof", "Roof of the 450 m drift not scaled",
            area="450 m level", level="general"), at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))


def _open_hazards(platform: Platform, reg: Registry) -> int:
    with platform.sessions() as s:
        return int(safety.dashboard_view(s, reg.regulator, DAY).summary["open_general"])


def test_the_safety_dashboard_is_computed_once_per_data_version(
        monkeypatch: pytest.MonkeyPatch, platform: Platform, reg: Registry) -> None:
    _report_hazard(platform, reg)
    calls = counted(monkeypatch, safety_views, "clearing")
    assert _open_hazards(platform, reg) == 1
    computed = len(calls)
    assert computed > 0
    assert _open_hazards(platform, reg) == 1
    assert len(calls) == computed
    _report_hazard(platform, reg)
    assert _open_hazards(platform, reg) == 2
    assert len(calls) == 2 * computed


def test_a_facility_page_reads_its_stored_series(
        monkeypatch: pytest.MonkeyPatch, platform: Platform, reg: Registry) -> None:
    calls = counted(monkeypatch, facilities, "facility_view")  # stored series
    windows = counted(monkeypatch, safety_views, "facility_view")  # another window
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        safety.register_facility(s, reg.ent_a, FACILITY)
    assert len(calls) == 1  # its (empty) series, stored when it is registered
    home, queue = platform.settings.home, jobs.JobQueue(platform)  # nothing is queued
    for _ in range(2):
        with platform.sessions() as s:
            page = safety.facility_page(s, reg.regulator, home, queue, "SD-A-TF1")
            assert (page.facility["code"], page.facility["site"]) == ("SD-A-TF1", "SD-A-01")
            assert page.pending is None and page.state is None
    with platform.sessions() as s:
        # Another scope reads the same, and one that may not read the facility is refused.
        safety.facility_page(s, reg.ent_a, home, queue, "SD-A-TF1")
        with pytest.raises(NotFoundError):
            safety.facility_page(s, reg.ent_b, home, queue, "SD-A-TF1")
        # Another window is computed for the asking caller, once per data version.
        for _ in range(2):
            safety.facility_page(s, reg.ent_a, home, queue, "SD-A-TF1", days=7.0)
    assert (len(calls), len(windows)) == (1, 1)


def test_the_recycling_regulator_page_is_computed_once_per_data_version(
        monkeypatch: pytest.MonkeyPatch, platform: Platform, reg: Registry) -> None:
    calls = counted(monkeypatch, recycling_views, "statistics_link")
    for _ in range(2):
        with platform.sessions() as s:
            view = recycling_views.regulator_view(s, reg.regulator)
            assert view["inbox"] == []
    assert len(calls) == 1
    _report_hazard(platform, reg)  # any write is a new data version
    with platform.sessions() as s:
        recycling_views.regulator_view(s, reg.regulator)
    assert len(calls) == 2
