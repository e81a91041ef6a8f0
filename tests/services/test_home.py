"""Each role's home on the small registry: its rows kept to the actor's scope, the reports due
leaving the list once received."""

from __future__ import annotations

from datetime import date

import pytest

from aurum.services import home, reporting
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import GOOD_ROW, Registry

TODAY = date(2026, 10, 24)
"""2026-Q3 is due on 30 October (within the 7 days' notice); 2025-Q3 to 2026-Q2 are overdue."""
OPEN_QUARTERS = ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
VALUES = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}

pytestmark = pytest.mark.usefixtures("empty_cache")


def _due(platform: Platform, actor: Actor) -> list[tuple[str, str, str]]:
    with transaction(platform.sessions) as s:
        frame = home.reports_due(s, actor, TODAY)
    assert list(frame.columns) == home.DUE_COLUMNS
    return list(zip(frame["site"], frame["period"], frame["state"], strict=True))


def test_an_enterprise_sees_its_own_reports_due_until_it_files_them(
        platform: Platform, reg: Registry) -> None:
    due = _due(platform, reg.ent_a)
    assert {site for site, _p, _s in due} == {"SD-A-01", "SD-A-02"}
    assert [p for site, p, _s in due if site == "SD-A-01"] == OPEN_QUARTERS
    states = {p: state for _site, p, state in due}
    assert states["2026-Q3"] == "due" and {states[p] for p in OPEN_QUARTERS[:-1]} == {"overdue"}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2026-Q2", VALUES)
    after = _due(platform, reg.ent_a)
    assert ("SD-A-01", "2026-Q2", "overdue") not in after and len(after) == len(due) - 1
    # the other enterprise sees only its own mine
    assert {site for site, _p, _s in _due(platform, reg.ent_b)} == {"GS-B-01"}


def test_each_role_gets_the_home_of_its_work(platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions) as s:
        views = {name: home.home_view(s, getattr(reg, name)) for name in (
            "admin", "regulator", "regulator_sd", "ent_a", "auditor")}
    assert isinstance(views["admin"], home.AdminHome)
    assert views["admin"].organisations == 3 and views["admin"].sites == 3
    assert isinstance(views["regulator"], home.RegulatorHome)
    provincial = views["regulator_sd"]
    assert isinstance(provincial, home.RegulatorHome) and provincial.monitor.scope == "Shandong"
    enterprise = views["ent_a"]
    assert isinstance(enterprise, home.EnterpriseHome)
    assert set(enterprise.sites["site"]) == {"SD-A-01", "SD-A-02"}
    assert enterprise.open_hazards == 0 and enterprise.alerts.empty
    auditor = views["auditor"]
    assert isinstance(auditor, home.AuditorHome)
    assert auditor.ledger["size"] == 0 and auditor.corrected.empty
    assert len(auditor.changes) == home.ROWS_SHOWN  # the registry's creation, newest first
