"""The hazard register's state machine: every legal path, every illegal transition, the
independence of verification, re-opening, escalation; the criteria table it classifies by."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from aurum.core.errors import PermissionDenied, ValidationError
from aurum.safety import register as reg
from aurum.safety.criteria import Facility, load_criteria
from aurum.safety.register import Action, Hazard, HazardLevel, HazardState, Transition

T0 = datetime(2025, 3, 1, 9, 0)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


def reported() -> Hazard:
    return reg.report("H-1", site="S1", description="piping on the dam face", by="inspector",
                      at=T0, facility="tailings", enterprise="E1", province="Shandong").hazard


def classified() -> Hazard:
    return reg.classify(reported(), level="major", criterion="TF-02", by="engineer",
                        at=at(1)).hazard


def assigned() -> Hazard:
    return reg.assign(classified(), owner="owner", deadline=date(2025, 3, 20), by="manager",
                      at=at(1)).hazard


def rectified() -> Hazard:
    return reg.rectify(assigned(), evidence=["sha256:abc", "photo-17"], by="owner",
                       at=at(10)).hazard


def verified() -> Hazard:
    return reg.verify(rectified(), by="auditor", at=at(12)).hazard


def closed() -> Hazard:
    return reg.close(verified(), by="manager", at=at(13)).hazard


IN_STATE: dict[HazardState, Callable[[], Hazard]] = {
    HazardState.REPORTED: reported, HazardState.CLASSIFIED: classified,
    HazardState.ASSIGNED: assigned, HazardState.RECTIFIED: rectified,
    HazardState.VERIFIED: verified, HazardState.CLOSED: closed}

# A well-formed call of each action (its own arguments valid), to try from every state.
ACTIONS: dict[Action, Callable[[Hazard], Transition | None]] = {
    Action.CLASSIFY: lambda h: reg.classify(h, level="general", by="engineer", at=at(20)),
    Action.ASSIGN: lambda h: reg.assign(h, owner="owner", deadline=date(2025, 4, 1),
                                        by="manager", at=at(20)),
    Action.RECTIFY: lambda h: reg.rectify(h, evidence=["doc"], by="owner", at=at(20)),
    Action.VERIFY: lambda h: reg.verify(h, by="auditor", at=at(20)),
    Action.REJECT: lambda h: reg.reject(h, by="auditor", at=at(20), note="crack still open"),
    Action.CLOSE: lambda h: reg.close(h, by="manager", at=at(20)),
    Action.REOPEN: lambda h: reg.reopen(h, by="inspector", at=at(20), note="piping again",
                                        deadline=date(2025, 4, 15)),
}


def test_report_starts_the_trail() -> None:
    step = reg.report("H-1", site="S1", description="piping", by="inspector", at=T0)
    assert step.hazard.state is HazardState.REPORTED and step.hazard.reported_on == T0.date()
    event = step.event
    assert (event.action, event.by, event.at, event.from_state, event.to_state) == (
        Action.REPORT, "inspector", T0, None, HazardState.REPORTED)


def test_the_main_path_and_its_events() -> None:
    steps = [reg.report("H-1", site="S1", description="piping", by="inspector", at=T0,
                        facility=Facility.TAILINGS)]
    steps.append(reg.classify(steps[-1].hazard, level=HazardLevel.MAJOR, criterion="TF-02",
                              by="engineer", at=at(1), note="matches 三（二）"))
    steps.append(reg.assign(steps[-1].hazard, owner="owner", deadline=date(2025, 3, 20),
                            by="manager", at=at(1)))
    steps.append(reg.rectify(steps[-1].hazard, evidence=["sha256:abc"], by="owner", at=at(10)))
    steps.append(reg.verify(steps[-1].hazard, by="auditor", at=at(12)))
    steps.append(reg.close(steps[-1].hazard, by="manager", at=at(13)))
    trail = [(s.event.from_state, s.event.to_state) for s in steps]
    S = HazardState
    assert trail == [(None, S.REPORTED), (S.REPORTED, S.CLASSIFIED), (S.CLASSIFIED, S.ASSIGNED),
                     (S.ASSIGNED, S.RECTIFIED), (S.RECTIFIED, S.VERIFIED),
                     (S.VERIFIED, S.CLOSED)]
    final = steps[-1].hazard
    assert (final.level, final.criterion, final.owner, final.deadline) == (
        HazardLevel.MAJOR, "TF-02", "owner", date(2025, 3, 20))
    assert (final.evidence, final.rectified_by, final.verified_by, final.closed_on) == (
        ("sha256:abc",), "owner", "auditor", date(2025, 3, 14))
    assert not final.is_open
    assert steps[1].event.details["clause"] == "矿安〔2022〕88号 三（二）"
    assert steps[1].event.as_dict() == {
        "hazard_id": "H-1", "action": "classify", "by": "engineer", "at": "2025-03-02T09:00:00",
        "from": "reported", "to": "classified", "note": "matches 三（二）",
        "details": {"level": "major", "criterion": "TF-02",
                    "clause": "矿安〔2022〕88号 三（二）"}}
    # The old objects are never changed.
    assert steps[0].hazard.state is HazardState.REPORTED


def test_general_hazard_path_reassignment_and_rejection() -> None:
    h = reg.classify(reported(), level="general", by="engineer", at=at(1)).hazard
    assert (h.level, h.criterion) == (HazardLevel.GENERAL, None)
    h = reg.assign(h, owner="a", deadline=date(2025, 3, 10), by="manager", at=at(1)).hazard
    h = reg.assign(h, owner="b", deadline=date(2025, 3, 31), by="manager", at=at(2)).hazard
    assert (h.state, h.owner, h.deadline) == (HazardState.ASSIGNED, "b", date(2025, 3, 31))
    h = reg.rectify(h, evidence=["photo-1"], by="b", at=at(5)).hazard
    back = reg.reject(h, by="auditor", at=at(6), note="still leaking")
    assert (back.event.from_state, back.event.to_state) == (HazardState.RECTIFIED,
                                                           HazardState.ASSIGNED)
    assert back.hazard.evidence == () and back.hazard.rectified_by is None
    h = reg.rectify(back.hazard, evidence=["photo-2"], by="b", at=at(8)).hazard
    h = reg.close(reg.verify(h, by="auditor", at=at(9)).hazard, by="auditor", at=at(9)).hazard
    assert h.state is HazardState.CLOSED and h.evidence == ("photo-2",)


def test_reopen_goes_back_to_assigned_with_a_new_deadline() -> None:
    step = reg.reopen(closed(), by="inspector", at=at(30), note="piping again",
                      deadline=date(2025, 4, 15))
    h = step.hazard
    assert (step.event.from_state, step.event.to_state) == (HazardState.CLOSED,
                                                           HazardState.ASSIGNED)
    assert (h.owner, h.deadline, h.reopened, h.is_open) == ("owner", date(2025, 4, 15), 1, True)
    assert (h.evidence, h.verified_by, h.closed_on) == ((), None, None)
    assert (h.level, h.criterion) == (HazardLevel.MAJOR, "TF-02")
    other = reg.reopen(closed(), by="inspector", at=at(30), note="again", owner="new owner",
                       deadline=date(2025, 4, 15)).hazard
    assert other.owner == "new owner"
    # and it runs the whole cycle again
    h = reg.rectify(h, evidence=["doc-2"], by="owner", at=at(31)).hazard
    h = reg.close(reg.verify(h, by="auditor", at=at(32)).hazard, by="m", at=at(32)).hazard
    assert h.state is HazardState.CLOSED and h.reopened == 1


@pytest.mark.parametrize("state", list(HazardState))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_is_legal_exactly_when_the_table_says(state: HazardState,
                                                                action: Action) -> None:
    hazard = IN_STATE[state]()
    sources, target = reg.TRANSITIONS[action]
    if state in sources:
        step = ACTIONS[action](hazard)
        assert step is not None
        assert step.event.from_state is state
        assert step.hazard.state is (target or state) and step.event.action is action
    else:
        with pytest.raises(ValidationError, match=f"cannot {action.value} hazard H-1: it is "
                                                  f"{state.value}"):
            ACTIONS[action](hazard)


def test_the_table_covers_every_action_but_report() -> None:
    assert set(reg.TRANSITIONS) == set(Action) - {Action.REPORT}
    assert set(ACTIONS) == set(Action) - {Action.REPORT, Action.ESCALATE}


@pytest.mark.parametrize("who", ["owner", "rectifier"])
def test_verifying_ones_own_rectification_is_refused(who: str) -> None:
    h = reg.rectify(assigned(), evidence=["doc"], by="rectifier", at=at(5)).hazard
    with pytest.raises(PermissionDenied, match=f"{who} owns or rectified it"):
        reg.verify(h, by=who, at=at(6))
    with pytest.raises(PermissionDenied):
        reg.reject(h, by=who, at=at(6), note="no")
    assert reg.verify(h, by="auditor", at=at(6)).hazard.verified_by == "auditor"


def test_illegal_state_is_reported_before_permission() -> None:
    with pytest.raises(ValidationError, match="it is assigned"):
        reg.verify(assigned(), by="owner", at=at(5))


def test_deadline_before_the_report_date_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        reg.assign(classified(), owner="owner", deadline=date(2025, 2, 28), by="m", at=at(1))
    problem = err.value.problems[0]
    assert problem.column == "deadline"
    assert "2025-02-28 is before the report date 2025-03-01" in problem.message
    with pytest.raises(ValidationError, match="deadline"):
        reg.reopen(closed(), by="i", at=at(30), note="x", deadline=date(2025, 2, 1))
    # the report day itself is a valid deadline
    ok = reg.assign(classified(), owner="o", deadline=date(2025, 3, 1), by="m", at=at(1))
    assert ok.hazard.deadline == date(2025, 3, 1)


def test_actions_dated_before_the_report_are_refused() -> None:
    with pytest.raises(ValidationError, match="before the report date"):
        reg.classify(reported(), level="general", by="e", at=T0 - timedelta(days=1))


def test_closing_and_rectifying_without_evidence_are_refused() -> None:
    with pytest.raises(ValidationError, match="needs evidence"):
        reg.rectify(assigned(), evidence=["", "  "], by="owner", at=at(5))
    stripped = dataclasses.replace(verified(), evidence=())  # e.g. a corrupted stored row
    with pytest.raises(ValidationError, match="without evidence"):
        reg.close(stripped, by="manager", at=at(14))
    unverified = dataclasses.replace(verified(), verified_by=None)
    with pytest.raises(ValidationError, match="not verified"):
        reg.close(unverified, by="manager", at=at(14))


def test_classification_checks_the_criteria() -> None:
    with pytest.raises(ValidationError, match="must name the item of 矿安〔2022〕88号"):
        reg.classify(reported(), level="major", by="e", at=at(1))
    with pytest.raises(ValidationError, match="unknown criterion 'TF-99'"):
        reg.classify(reported(), level="major", criterion="TF-99", by="e", at=at(1))
    with pytest.raises(ValidationError, match=r"UG-01 .* is for underground facilities"):
        reg.classify(reported(), level="major", criterion="UG-01", by="e", at=at(1))
    with pytest.raises(ValidationError, match="defines a major hazard"):
        reg.classify(reported(), level="general", criterion="TF-07", by="e", at=at(1))
    with pytest.raises(ValidationError, match="unknown level 'severe'"):
        reg.classify(reported(), level="severe", by="e", at=at(1))
    # a hazard without a facility may be major under any part
    free = reg.report("H-2", site="S", description="d", by="i", at=T0).hazard
    assert reg.classify(free, level="major", criterion="UG-01", by="e",
                        at=at(1)).hazard.criterion == "UG-01"


def test_report_needs_its_fields() -> None:
    with pytest.raises(ValidationError, match="expected a site"):
        reg.report("H-3", site=" ", description="d", by="i", at=T0)
    with pytest.raises(ValidationError, match="unknown facility 'quarry'"):
        reg.report("H-3", site="S", description="d", by="i", at=T0, facility="quarry")
    with pytest.raises(ValidationError, match="reason for re-opening"):
        reg.reopen(closed(), by="i", at=at(30), note=" ", deadline=date(2025, 4, 1))


def test_overdue_escalation_by_tiers() -> None:
    h = assigned()  # deadline 2025-03-20
    assert reg.escalate_overdue(h, as_of=date(2025, 3, 20), at=at(19)) is None  # due, not late
    first = reg.escalate_overdue(h, as_of=date(2025, 3, 21), at=at(20))
    assert first is not None
    assert (first.hazard.escalation, first.event.details["days_overdue"]) == (1, "1")
    assert first.event.from_state is first.event.to_state is HazardState.ASSIGNED
    assert first.event.by == "system"
    assert reg.escalate_overdue(first.hazard, as_of=date(2025, 3, 27), at=at(26)) is None
    second = reg.escalate_overdue(first.hazard, as_of=date(2025, 3, 28), at=at(27))
    assert second is not None and second.hazard.escalation == 2
    third = reg.escalate_overdue(h, as_of=date(2025, 4, 20), at=at(50))  # 31 days: straight to 3
    assert third is not None and third.hazard.escalation == 3
    assert reg.escalate_overdue(closed(), as_of=date(2025, 5, 1), at=at(60)) is None
    assert reg.escalate_overdue(classified(), as_of=date(2025, 5, 1), at=at(60)) is None
    assert [reg.escalation_tier(d) for d in (0, 1, 7, 8, 30, 31, 400)] == [0, 1, 1, 2, 2, 3, 3]
    reopened = reg.reopen(dataclasses.replace(closed(), escalation=3), by="i", at=at(30),
                          note="again", deadline=date(2025, 4, 15)).hazard
    assert reopened.escalation == 0


def test_days_overdue() -> None:
    h = assigned()
    assert [h.days_overdue(date(2025, 3, d)) for d in (19, 20, 21, 31)] == [0, 0, 1, 11]
    assert closed().days_overdue(date(2025, 12, 31)) == 0


def test_criteria_table() -> None:
    table = load_criteria()
    assert table.document == "矿安〔2022〕88号"
    assert table.title_zh == "金属非金属矿山重大事故隐患判定标准"
    counts = {f: len(table.for_facility(f)) for f in Facility}
    assert counts == {Facility.UNDERGROUND: 27, Facility.OPEN_PIT: 11, Facility.TAILINGS: 14}
    phreatic = table.get("TF-07")
    assert (phreatic.clause, phreatic.facility) == ("三（七）", Facility.TAILINGS)
    assert "浸润线埋深小于控制浸润线埋深" in phreatic.zh
    assert table.get("UG-08").clause == "一（八）" and "1米" in table.get("UG-08").zh
    assert table.get("OP-07").clause == "二（七）" and "200米" in table.get("OP-07").zh
    # clause numbers run in order within each part
    numerals = "一二三四五六七八九十"
    for facility in Facility:
        items = table.for_facility(facility)
        assert [int(c.id[3:]) for c in items] == list(range(1, len(items) + 1))
        assert all(c.clause[0] in numerals for c in items)
