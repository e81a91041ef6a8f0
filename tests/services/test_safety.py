"""The hazard register over the store: roles and scopes, every step audited, refusals that
change nothing, escalation, the clearing statistics and tailings facilities."""

from __future__ import annotations

import hashlib
import stat
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import safety
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import AuditRecord, SafetyHazard, SafetyHazardEvent
from tests.conftest import fast_password_hashing  # noqa: F401 (tests/api/test_recycling_api.py imports it from here)
from tests.factories import PASSWORD, Registry

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, 3 March 2025


def _colleague(platform: Platform, admin: Actor) -> Actor:
    """A second user of Alpha Gold Co."""
    with transaction(platform.sessions, admin.user_id) as s:
        return actor_for(s, create_user(s, "alpha2", PASSWORD, Role.ENTERPRISE,
                                        org_code="ENT-A"))


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.sessions() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (SafetyHazard, SafetyHazardEvent, AuditRecord))


def _report(platform: Platform, actor: Actor, site: str = "SD-A-01", level: str | None = None,
            criterion: str | None = None, at: datetime = T0) -> int:
    with transaction(platform.sessions, actor.user_id) as s:
        row = safety.report_hazard(s, actor, platform.settings.home, safety.HazardReport(
            site, "Loose rock on the drift roof", "Roof of the 450 m drift not scaled",
            area="450 m level", level=level, criterion=criterion), at=at)
        return row.id


def _step(platform: Platform, actor: Actor, hazard_id: int, action: str,
          at: datetime = T0, **fields: Any) -> SafetyHazard:
    with transaction(platform.sessions, actor.user_id) as s:
        return safety.act(s, actor, platform.settings.home, hazard_id, action, at=at,
                          **fields)


def _evidence(platform: Platform) -> str:
    return safety.put_file(platform.settings.home, b"photo of the scaled and bolted roof")


def test_workflow_with_roles_and_audit(platform: Platform, reg: Registry,
                                       admin: Actor) -> None:
    alpha2 = _colleague(platform, admin)
    hid = _report(platform, reg.ent_a, level="general")
    # Beta Gold Co. neither sees nor acts on Alpha's hazard; the auditor reads only.
    with platform.sessions() as s:
        with pytest.raises(NotFoundError):
            safety.get_hazard(s, reg.ent_b, hid)
        assert safety.list_hazards(s, reg.ent_b).empty
        assert safety.list_hazards(s, reg.regulator)["id"].tolist() == [hid]
        assert safety.list_hazards(s, reg.regulator_sd)["id"].tolist() == [hid]
    with pytest.raises(NotFoundError):
        _step(platform, reg.ent_b, hid, "assign", owner="beta", deadline=date(2025, 3, 20))
    with pytest.raises(PermissionDenied, match="auditor users cannot assign"):
        _step(platform, reg.auditor, hid, "assign", owner="x", deadline=date(2025, 3, 20))
    # The enterprise bears the rectification: a regulator does not assign it.
    with pytest.raises(PermissionDenied, match="regulator users cannot assign"):
        _step(platform, reg.regulator, hid, "assign", owner="x", deadline=date(2025, 3, 20))
    _step(platform, reg.ent_a, hid, "assign", owner="alpha", deadline=date(2025, 3, 20),
          at=T0 + timedelta(hours=2))
    _step(platform, reg.ent_a, hid, "rectify", evidence=[_evidence(platform)],
          at=T0 + timedelta(days=5))
    with pytest.raises(PermissionDenied, match="alpha owns or rectified it"):
        _step(platform, reg.ent_a, hid, "verify", at=T0 + timedelta(days=6))
    with platform.sessions() as s:
        assert safety.available_actions(reg.ent_a, safety.get_hazard(s, reg.ent_a, hid)) == []
        assert safety.available_actions(alpha2, safety.get_hazard(s, alpha2, hid)) == [
            "verify", "reject"]
    _step(platform, alpha2, hid, "verify", at=T0 + timedelta(days=6))
    row = _step(platform, reg.ent_a, hid, "close", at=T0 + timedelta(days=7))
    assert (row.state, row.closed_on, row.verified_by) == ("closed", date(2025, 3, 10),
                                                           "alpha2")
    with platform.sessions() as s:
        steps = safety.timeline(s, reg.regulator, hid)
        assert steps["action"].tolist() == ["report", "classify", "assign", "rectify",
                                            "verify", "close"]
        assert steps["by"].tolist() == ["alpha"] * 4 + ["alpha2", "alpha"]
        # Every write left an audit record naming its user.
        audited = s.scalars(select(AuditRecord).where(
            AuditRecord.entity == "safety_hazard_events")).all()
        assert len(audited) == 6
        assert {a.user_id for a in audited} == {reg.ent_a.user_id, alpha2.user_id}
        updates = s.scalars(select(AuditRecord).where(
            AuditRecord.entity == "safety_hazards", AuditRecord.action == "update")).all()
        assert [u.after["state"] for u in updates if u.after] == [
            "classified", "assigned", "rectified", "verified", "closed"]


def test_major_hazards_are_signed_off_by_a_regulator(platform: Platform,
                                                     reg: Registry, admin: Actor) -> None:
    alpha2 = _colleague(platform, admin)
    hid = _report(platform, reg.ent_a, level="major", criterion="UG-19")
    _step(platform, reg.ent_a, hid, "assign", owner="Mine safety department",
          deadline=date(2025, 3, 10))
    _step(platform, reg.ent_a, hid, "rectify", evidence=[_evidence(platform)],
          at=T0 + timedelta(days=3))
    with pytest.raises(PermissionDenied, match="signed off by a regulator"):
        _step(platform, alpha2, hid, "verify", at=T0 + timedelta(days=4))
    # The Shandong regulator acts in Shandong; it does not see Gansu.
    _step(platform, reg.regulator_sd, hid, "verify", at=T0 + timedelta(days=4))
    row = _step(platform, reg.regulator_sd, hid, "close", at=T0 + timedelta(days=4))
    assert (row.state, row.clause) == ("closed", "矿安〔2022〕88号 一（十九）")
    gansu = _report(platform, reg.ent_b, site="GS-B-01")
    with pytest.raises(NotFoundError):
        _step(platform, reg.regulator_sd, gansu, "classify", level="general")
    # An open-pit mine's hazard cannot name an underground item.
    with pytest.raises(ValidationError, match="for underground facilities"):
        _step(platform, reg.regulator, gansu, "classify", level="major", criterion="UG-19")


def test_refusals_change_nothing(platform: Platform, reg: Registry) -> None:
    hid = _report(platform, reg.ent_a, level="general")
    before = _counts(platform)
    with pytest.raises(ValidationError) as err:
        _step(platform, reg.ent_a, hid, "assign", owner="alpha", deadline=date(2025, 3, 2))
    assert err.value.problems[0].column == "deadline"
    assert "before the report date 2025-03-03" in str(err.value)
    _step(platform, reg.ent_a, hid, "assign", owner="alpha", deadline=date(2025, 3, 20))
    before = _counts(platform)
    with pytest.raises(ValidationError, match=r"cannot close hazard .*: it is assigned"):
        _step(platform, reg.ent_a, hid, "close")
    with pytest.raises(ValidationError, match="needs evidence"):
        _step(platform, reg.ent_a, hid, "rectify", evidence=[])
    with pytest.raises(ValidationError, match="not the SHA-256 of a stored file"):
        _step(platform, reg.ent_a, hid, "rectify", evidence=["ab" * 32])
    with pytest.raises(ValidationError, match="unknown action 'approve'"):
        _step(platform, reg.ent_a, hid, "approve")
    with pytest.raises(NotFoundError, match="no site 'XX-0'"):
        _report(platform, reg.ent_a, site="XX-0")
    with pytest.raises(ValidationError, match="must name the item"):
        _report(platform, reg.ent_a, level="major")
    assert _counts(platform) == before
    with platform.sessions() as s:
        assert safety.get_hazard(s, reg.ent_a, hid).state == "assigned"


def test_escalation_and_clearing_statistics(platform: Platform, reg: Registry) -> None:
    """Three hazards reported on 3 March 2025, judged on 1 April 2025 (29 days later):
    a major one due 10 March (22 days late), a major one due 30 April, a general one closed
    on 13 March (10 days to close); Beta's general one due 31 March (1 day late)."""
    late = _report(platform, reg.ent_a, level="major", criterion="UG-07")
    _step(platform, reg.ent_a, late, "assign", owner="pumps crew", deadline=date(2025, 3, 10))
    in_time = _report(platform, reg.ent_a, site="SD-A-02", level="major",
                      criterion="UG-20")
    _step(platform, reg.ent_a, in_time, "assign", owner="fans", deadline=date(2025, 4, 30))
    done = _report(platform, reg.ent_a, level="general")
    _step(platform, reg.ent_a, done, "assign", owner="crew", deadline=date(2025, 3, 20))
    _step(platform, reg.ent_a, done, "rectify", evidence=[_evidence(platform)],
          at=T0 + timedelta(days=8))
    _step(platform, reg.regulator, done, "verify", at=T0 + timedelta(days=9))
    _step(platform, reg.regulator, done, "close", at=T0 + timedelta(days=10))
    beta = _report(platform, reg.ent_b, site="GS-B-01", level="general")
    _step(platform, reg.ent_b, beta, "assign", owner="crew", deadline=date(2025, 3, 31))
    _report(platform, reg.ent_b, site="GS-B-01")  # unclassified: not counted yet
    day = date(2025, 4, 1)
    with platform.sessions() as s:
        summary = safety.clearing_summary(s, reg.regulator, day)
        assert {k: summary[k] for k in ("open_major", "overdue_major", "open_general",
                                        "overdue_general", "median_days_to_close")} == {
            "open_major": 2, "overdue_major": 1, "open_general": 1, "overdue_general": 1,
            "median_days_to_close": 10.0}
        assert summary["indicator"] == {"id": "open_major_past_deadline", "value": 1,
                                        "target": 0, "met": False}
        assert summary["by_province"]["Gansu"]["overdue_general"] == 1
        # Beta sees its own figures only.
        assert safety.clearing_summary(s, reg.ent_b, day)["open_major"] == 0
        by_site = safety.clearing(s, reg.regulator, day, "site").set_index("site")
        assert by_site.loc["SD-A-01", "overdue_major"] == 1
        assert by_site.loc["SD-A-01", "age_0_30d"] == 1  # 29 days old
        assert bool(by_site.loc["SD-A-02", "target_met"])
        history = safety.indicator_history(s, reg.regulator, day, months=3)
        # Month ends 31 Jan, 28 Feb (before the reports), 31 Mar, and the day itself.
        assert history["overdue_major"].tolist() == [0, 0, 1, 1]
        overdue = safety.list_hazards(s, reg.regulator, overdue=True, as_of=day)
        assert sorted(overdue["id"]) == sorted([late, beta])
        assert overdue.set_index("id").loc[late, "days_overdue"] == 22
    with pytest.raises(PermissionDenied), transaction(platform.sessions) as s:
        safety.escalate_overdue(s, reg.ent_a, day)
    at = datetime(2025, 4, 1, 1, tzinfo=UTC)
    with transaction(platform.sessions, reg.regulator.user_id) as s:
        done_now = safety.escalate_overdue(s, reg.regulator, day, at)
    # 22 days late reaches tier 2 (1 and 8 days); 1 day late tier 1 (ESCALATION_TIERS_DAYS).
    assert {(e["hazard"], e["tier"], e["days_overdue"]) for e in done_now} == {
        (late, 2, 22), (beta, 1, 1)}
    with transaction(platform.sessions, reg.regulator.user_id) as s:
        assert safety.escalate_overdue(s, reg.regulator, day, at) == []


def test_tailings_facilities(platform: Platform, reg: Registry) -> None:
    spec = safety.FacilitySpec("SD-A-01", "SD-A-TF1", "Alpha tailings", "upstream", 120.0,
                               0.01, 6.0, total_storage_m3=2.0e8, dam_height_m=70.0,
                               design_flood_level_m=119.3)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        row = safety.register_facility(s, reg.ent_a, spec)
        # GB 50863-2013 3.2.1: storage of grade 2 and height of grade 3 give grade 2.
        assert row.grade == 2
        assert safety.facility_dict(row)["min_freeboard_m"] == 1.0
    with transaction(platform.sessions) as s, pytest.raises(PermissionDenied):
        safety.register_facility(s, reg.regulator, spec)
    bad = safety.FacilitySpec("SD-A-01", "SD-A-TF1", "", "sideways", 120.0, 0.01, 6.0)
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as err:
        safety.register_facility(s, reg.ent_a, bad)
    assert {p.column for p in err.value.problems} == {"code", "grade"}
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                            match="not below the crest"):
        safety.register_facility(s, reg.ent_a, safety.FacilitySpec(
            "SD-A-01", "SD-A-TF2", "", "upstream", 120.0, 0.01, 6.0, grade=3,
            design_flood_level_m=121.0))
    with platform.sessions() as s:
        assert [f.code for f in safety.list_facilities(s, reg.regulator)] == ["SD-A-TF1"]
        assert safety.list_facilities(s, reg.ent_b) == []


def test_evidence_is_stored_once_under_its_sha256_readable_by_the_server_only(
        platform: Platform) -> None:
    home = platform.settings.home
    data = b"rectification record: roof scaled and bolted"
    first, second = safety.put_file(home, data), safety.put_file(home, data)
    assert first == second == hashlib.sha256(data).hexdigest()
    stored = safety.files_dir(home) / first
    assert stored.read_bytes() == data
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert [p.name for p in safety.files_dir(home).iterdir()] == [first]


def test_hazard_states_and_levels_are_the_registers(platform: Platform, reg: Registry) -> None:
    assert safety.HAZARD_STATES == ("reported", "classified", "assigned", "rectified",
                                    "verified", "closed")
    assert safety.HAZARD_LEVELS == ("general", "major", "unclassified")
    with transaction(platform.sessions) as s:
        view = safety.register_view(s, reg.admin)
    assert (view.states, view.levels, view.can_report) == (
        safety.HAZARD_STATES, safety.HAZARD_LEVELS, True)
