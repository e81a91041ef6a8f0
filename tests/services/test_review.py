"""The review of statistical reports: the declared transitions, who may take each step, drafts,
and the national figures counting only accepted reports when the review is on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import checks
from aurum.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from aurum.industry import review as states
from aurum.industry.review import Action, Party, State
from aurum.services import cache, monitor, reporting, review
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store import migrate
from aurum.store.db import make_engine, transaction
from aurum.store.models import (
    AuditRecord,
    Organisation,
    Report,
    ReportDraft,
    ReportReview,
    ReportVersion,
    Site,
)
from tests.factories import GOOD_ROW, PASSWORD, Registry, report_csv

VALUES = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
"""A consistent 2024-Q1 report of SD-A-01 (Shandong): 260.5 kg of gold."""


def _as(platform: Platform, actor: Actor, step: Callable[..., Any], *args: Any) -> Any:
    """Run one service step as ``actor`` in its own transaction."""
    with transaction(platform.sessions, actor.user_id) as s:
        out = step(s, actor, *args)
        return getattr(out, "report_id", out)


def _submitted(platform: Platform, reg: Registry, site: str = "SD-A-01",
               actor: Actor | None = None) -> int:
    return int(_as(platform, actor or reg.ent_a, review.submit, site, "2024-Q1", VALUES))


def _state(platform: Platform, report_id: int) -> State | None:
    with platform.sessions() as s:
        return review.state_of(s, report_id)[0]


def _gold_kg(platform: Platform, actor: Actor) -> float:
    """The gold of 2024 the national figures count, kg (0 when no report counts)."""
    with platform.sessions() as s:
        annual = monitor.kpi_frame(s, actor)
    return float(annual.loc[annual["year"] == 2024, "gold_kg"].sum()) if len(annual) else 0.0


@pytest.fixture
def review_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_REPORT_REVIEW", "on")


@pytest.fixture
def gansu_regulator(platform: Platform, admin: Actor, reg: Registry) -> Actor:
    with transaction(platform.sessions, admin.user_id) as s:
        return actor_for(s, create_user(s, "gs-miit", PASSWORD, Role.REGULATOR,
                                        province="Gansu"))


# --- the declared transitions ----------------------------------------------------------------


def test_the_transitions_are_declared_once() -> None:
    assert states.advance(None, Action.SUBMIT) is State.SUBMITTED
    assert states.advance(State.SUBMITTED, Action.RETURN) is State.RETURNED
    assert states.advance(State.RETURNED, Action.AMEND) is State.AMENDED
    assert states.advance(State.AMENDED, Action.ACCEPT) is State.ACCEPTED
    for state, action in [(State.ACCEPTED, Action.ACCEPT), (State.RETURNED, Action.ACCEPT),
                          (State.RETURNED, Action.RETURN), (None, Action.ACCEPT),
                          (State.SUBMITTED, Action.SUBMIT), (State.DRAFT, Action.AMEND)]:
        with pytest.raises(states.TransitionRefused):
            states.advance(state, action)
    assert states.allowed(State.SUBMITTED, Party.REVIEWER) == [Action.ACCEPT, Action.RETURN]
    assert states.allowed(State.RETURNED, Party.REVIEWER) == []
    assert states.allowed(State.RETURNED, Party.OWNER) == [Action.AMEND]
    assert states.version_state(1) is State.SUBMITTED
    assert states.version_state(3) is State.AMENDED


# --- the steps and who takes them ------------------------------------------------------------


def test_submitted_returned_amended_accepted(platform: Platform, reg: Registry) -> None:
    rid = _submitted(platform, reg)
    assert _state(platform, rid) is State.SUBMITTED
    with platform.sessions() as s:
        for reviewer in (reg.regulator_sd, reg.regulator, reg.admin):
            pending = review.pending_review(s, reviewer)
            assert pending.columns.tolist() == review.PENDING_COLUMNS
            assert pending[["report_id", "site", "period", "version"]].values.tolist() == [
                [rid, "SD-A-01", "2024-Q1", 1]]
        assert review.pending_review(s, reg.ent_a).empty
        assert review.returned_reports(s, reg.ent_a).empty

    with pytest.raises(ValidationError, match="reason"):
        _as(platform, reg.regulator_sd, review.return_report, rid, "  ")
    with pytest.raises(ValidationError, match="reason"):
        _as(platform, reg.regulator_sd, review.return_report, rid,
            "x" * (checks.MAX_REVIEW_REASON_CHARS + 1))
    _as(platform, reg.regulator_sd, review.return_report, rid, "head grade looks like %")
    assert _state(platform, rid) is State.RETURNED
    with platform.sessions() as s:
        assert review.pending_review(s, reg.regulator_sd).empty
        returned = review.returned_reports(s, reg.ent_a)
        assert returned.columns.tolist() == review.RETURNED_COLUMNS
        assert returned[["report_id", "reason"]].values.tolist() == [
            [rid, "head grade looks like %"]]
        assert review.returned_reports(s, reg.ent_b).empty
        view = review.review_view(s, reg.ent_a, rid)
        assert view.actions == [Action.AMEND]
        assert review.review_view(s, reg.regulator_sd, rid).actions == []
    with pytest.raises(ConflictError):
        _as(platform, reg.regulator_sd, review.accept, rid)

    with pytest.raises(ValidationError, match="reason"):
        _as(platform, reg.ent_a, review.amend, rid, {**VALUES, "head_grade_gpt": 4.3}, "")
    _as(platform, reg.ent_a, review.amend, rid, {**VALUES, "head_grade_gpt": 4.3},
        "grade corrected")
    assert _state(platform, rid) is State.AMENDED
    with platform.sessions() as s:
        assert review.returned_reports(s, reg.ent_a).empty
        assert review.pending_review(s, reg.regulator_sd)["version"].tolist() == [2]

    _as(platform, reg.regulator_sd, review.accept, rid)
    with pytest.raises(ConflictError):
        _as(platform, reg.regulator_sd, review.accept, rid)
    with platform.sessions() as s:
        view = review.review_view(s, reg.regulator, rid)
        assert [(st.version, st.state) for st in view.steps] == [
            (1, State.SUBMITTED), (1, State.RETURNED), (2, State.AMENDED), (2, State.ACCEPTED)]
        assert [st.actor for st in view.steps] == ["alpha", "sd-miit", "alpha", "sd-miit"]
        assert view.state is State.ACCEPTED and view.counted == 2
        audits = s.scalars(select(AuditRecord).where(AuditRecord.entity == "report_reviews",
                                                     AuditRecord.action == "create")).all()
    # The two reviewer's steps through the ORM (the versions' steps are written with them).
    assert [a.user_id for a in audits] == [reg.regulator_sd.user_id] * 2


def test_who_may_take_each_step(platform: Platform, reg: Registry,
                                gansu_regulator: Actor) -> None:
    rid = _submitted(platform, reg)
    # Out of scope reads as missing.
    for outsider in (gansu_regulator, reg.ent_b):
        with pytest.raises(NotFoundError):
            _as(platform, outsider, review.accept, rid)
        with pytest.raises(NotFoundError):
            _as(platform, outsider, review.return_report, rid, "not yours to return")
        with pytest.raises(NotFoundError):
            _as(platform, outsider, review.amend, rid, VALUES, "not yours to amend")
    # Readers who may not take the step.
    with pytest.raises(PermissionDenied):
        _as(platform, reg.ent_a, review.accept, rid)
    with pytest.raises(PermissionDenied):
        _as(platform, reg.ent_a, review.return_report, rid, "my own report")
    steps: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
        (review.accept, (rid,)), (review.return_report, (rid, "an auditor's note")),
        (review.amend, (rid, VALUES, "an auditor's fix")),
        (review.save_draft, ("SD-A-01", "2024-Q2", {"silver_kg": 1})),
        (review.submit, ("SD-A-01", "2024-Q2", VALUES))]
    for step, args in steps:
        with pytest.raises(PermissionDenied):
            _as(platform, reg.auditor, step, *args)
    with pytest.raises(PermissionDenied):
        _as(platform, reg.regulator, review.save_draft, "SD-A-01", "2024-Q2", {})
    with platform.sessions() as s:
        assert review.pending_review(s, gansu_regulator).empty
        assert review.pending_review(s, reg.auditor).empty
        with pytest.raises(PermissionDenied):
            review.review_queue(s, reg.ent_a)
    assert _state(platform, rid) is State.SUBMITTED
    # The Gansu regulator reviews Gansu.
    gs = _submitted(platform, reg, "GS-B-01", reg.ent_b)
    _as(platform, gansu_regulator, review.accept, gs)
    assert _state(platform, gs) is State.ACCEPTED


def test_drafts_are_kept_until_submitted(platform: Platform, reg: Registry) -> None:
    draft = _as(platform, reg.ent_a, review.save_draft, "SD-A-01", "2024-Q1",
                {"gold_own_mine_kg": "260", "silver_kg": ""})
    again = _as(platform, reg.ent_a, review.save_draft, "SD-A-01", "2024-Q1",
                {"gold_own_mine_kg": "260.5", "silver_kg": "12 (to check)"})
    assert again.id == draft.id
    with platform.sessions() as s:
        kept = review.get_draft(s, reg.ent_a, draft.id)
        assert kept.values == {"gold_own_mine_kg": "260.5", "silver_kg": "12 (to check)"}
        assert review.drafts(s, reg.ent_a)["period"].tolist() == ["2024-Q1"]
        assert review.drafts(s, reg.regulator).empty
        with pytest.raises(NotFoundError):
            review.get_draft(s, reg.ent_b, draft.id)
        with pytest.raises(NotFoundError):
            review.get_draft(s, reg.regulator, draft.id)
    for bad in ({"gold_kg": "1"}, {"silver_kg": "9" * 65}):
        with pytest.raises(ValidationError):
            _as(platform, reg.ent_a, review.save_draft, "SD-A-01", "2024-Q1", bad)
    with pytest.raises(ValidationError, match="period"):
        _as(platform, reg.ent_a, review.save_draft, "SD-A-01", "2024-Q5", {})
    with pytest.raises(NotFoundError):
        _as(platform, reg.ent_a, review.save_draft, "GS-B-01", "2024-Q1", {})

    rid = _submitted(platform, reg)  # the submission is the record: the draft goes
    with platform.sessions() as s:
        assert s.scalar(select(ReportDraft).where(ReportDraft.id == draft.id)) is None
    with pytest.raises(ConflictError):
        _as(platform, reg.ent_a, review.save_draft, "SD-A-01", "2024-Q1", {})
    assert _state(platform, rid) is State.SUBMITTED


def test_uploaded_versions_enter_the_review(platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.import_file(s, reg.ent_a, report_csv(
            [GOOD_ROW, {**GOOD_ROW, "period": "2024-Q2"}]), "q.csv")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.import_file(s, reg.ent_a, report_csv(
            [{**GOOD_ROW, "silver_kg": 121, "amendment_reason": "silver reweighed"}]), "a.csv")
    with platform.sessions() as s:
        steps = s.execute(select(ReportReview.version, ReportReview.state, ReportReview.actor_id)
                          .order_by(ReportReview.id)).all()
        assert [(v, st) for v, st, _ in steps] == [(1, "submitted"), (1, "submitted"),
                                                    (2, "amended")]
        assert {a for _, _, a in steps} == {reg.ent_a.user_id}
    with pytest.raises(PermissionDenied):
        _as(platform, reg.ent_a, review.accept_all_waiting)
    assert _as(platform, reg.regulator_sd, review.accept_all_waiting) == 2
    assert _as(platform, reg.regulator_sd, review.accept_all_waiting) == 0


# --- the national figures --------------------------------------------------------------------


@pytest.mark.usefixtures("review_on", "empty_cache")
def test_with_review_the_figures_count_only_accepted_versions(platform: Platform,
                                                              reg: Registry) -> None:
    rid = _submitted(platform, reg)
    assert _gold_kg(platform, reg.regulator) == 0.0
    with platform.sessions() as s:  # the dashboard's kept view, before
        kept_before = monitor.scope_data(s, reg.regulator).reports
    _as(platform, reg.regulator_sd, review.accept, rid)
    assert _gold_kg(platform, reg.regulator) == pytest.approx(260.5)
    with platform.sessions() as s:  # the review step made the kept view out of date
        kept_after = monitor.scope_data(s, reg.regulator).reports
    assert kept_before.empty and kept_after["gold_own_mine_kg"].tolist() == [
        pytest.approx(260.5)]

    _as(platform, reg.ent_a, review.amend, rid, {**VALUES, "gold_own_mine_kg": 250.0},
        "refinery settlement")
    assert _gold_kg(platform, reg.regulator) == pytest.approx(260.5)  # v1 still counts
    _as(platform, reg.regulator_sd, review.return_report, rid, "settlement note missing")
    assert _gold_kg(platform, reg.regulator) == pytest.approx(260.5)
    _as(platform, reg.ent_a, review.amend, rid, {**VALUES, "gold_own_mine_kg": 250.0},
        "settlement note attached")
    _as(platform, reg.regulator, review.accept, rid)  # a national regulator may accept
    assert _gold_kg(platform, reg.regulator) == pytest.approx(250.0)
    with platform.sessions() as s:
        # The reports page lists the latest version, accepted or not.
        assert reporting.current_reports(s, reg.ent_a)["version"].tolist() == [3]
        assert review.review_view(s, reg.ent_a, rid).counted == 3


@pytest.mark.usefixtures("empty_cache")
def test_without_review_the_figures_count_at_submission(platform: Platform,
                                                         reg: Registry) -> None:
    rid = _submitted(platform, reg)
    assert _gold_kg(platform, reg.regulator) == pytest.approx(260.5)
    _as(platform, reg.regulator_sd, review.return_report, rid, "grade to check")
    assert _gold_kg(platform, reg.regulator) == pytest.approx(260.5)
    _as(platform, reg.ent_a, review.amend, rid, {**VALUES, "gold_own_mine_kg": 250.0},
        "grade checked")
    assert _gold_kg(platform, reg.regulator) == pytest.approx(250.0)
    with platform.sessions() as s:
        assert review.review_view(s, reg.ent_a, rid).counted == 2
    cache.clear()


@pytest.mark.usefixtures("review_on")
def test_upgrading_keeps_the_stored_versions_counted(database_url: str) -> None:
    """Versions stored before the review existed counted at submission: the migration records
    each as accepted, so an upgraded database shows the figures it showed."""
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0011")
    with Session(engine) as s, s.begin():  # the tables of 0011 only (no review rows)
        org = Organisation(code="E", name="E", org_type="mining", province="Shandong")
        s.add(org)
        s.flush()
        site = Site(code="S-01", name="S", org_id=org.id, kind="mine", province="Shandong",
                    status="operating")
        s.add(site)
        s.flush()
        report = Report(site_id=site.id, period="2024-Q1", period_kind="quarter", year=2024,
                        period_index=1)
        s.add(report)
        s.flush()
        s.add_all([ReportVersion(report_id=report.id, version=v, gold_own_mine_kg=kg)
                   for v, kg in ((1, 10.0), (2, 12.5))])
    migrate.upgrade(engine)
    with Session(engine) as s:
        steps = s.execute(select(ReportReview.version, ReportReview.state, ReportReview.actor_id)
                          .order_by(ReportReview.id)).all()
        assert [tuple(r) for r in steps] == [(1, "accepted", None), (2, "accepted", None)]
        frame = reporting.current_reports(s, counted=True)
    assert frame["gold_own_mine_kg"].tolist() == [pytest.approx(12.5)]
    engine.dispose()
