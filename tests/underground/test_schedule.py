"""Stope scheduling (aurum.underground.schedule): optima worked by hand and by enumeration,
the MIP against the greedy rule, the check against planted violations, bad input."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.underground.schedule import (
    Schedule,
    ScheduleParams,
    StopeTask,
    check_schedule,
    check_size,
    greedy_schedule,
    schedule_stopes,
    task_frame,
)

RATE = 0.10


def factor(month: int, rate: float = RATE) -> float:
    """End-of-month discount factor at an annual rate, written out."""
    return float((1.0 + rate) ** (-month / 12.0))


def stope(sid: str, level: int, i0: int, i1: int, value: float, *, ore: float = 100.0,
          void: float = 40.0, j0: int = 0, j1: int = 2) -> StopeTask:
    return StopeTask(sid, level, i0, i1, j0, j1, 5 * level, 5 * level + 4, ore, value, void)


def params(**changes: object) -> ScheduleParams:
    base = {"periods": 12, "ore_capacity_t": 1000.0, "fill_capacity_m3": 1000.0,
            "cure_periods": 2, "direction": "top_down", "level_ready": {0: 1, 1: 1, 2: 1},
            "discount_rate": RATE, "pillar": 1}
    return ScheduleParams(**{**base, **changes})  # type: ignore[arg-type]


def months(result: Schedule) -> dict[str, int | None]:
    return {sid: (None if pd.isna(p) else int(p))
            for sid, p in zip(result.frame["id"], result.frame["period"], strict=True)}


def solved(tasks: list[StopeTask], p: ScheduleParams) -> Schedule:
    result = schedule_stopes(tasks, p, time_limit_s=10.0, rel_gap=0.0)
    assert result.status == "optimal" and result.gap == 0.0
    assert result.bound == pytest.approx(result.npv, rel=1e-9, abs=1e-5)
    assert check_schedule(tasks, p, result) == []
    return result


@pytest.mark.parametrize("cure", [0, 3])
def test_neighbour_waits_for_fill_and_cure(cure: int) -> None:
    # A and B face each other across a one-block pillar: B waits for A's fill month and
    # `cure` months of cure, so it starts 2 + cure months after A, and A, richer, goes first.
    tasks = [stope("B", 0, 6, 10, 90.0), stope("A", 0, 0, 4, 100.0)]
    p = params(cure_periods=cure)
    result = solved(tasks, p)
    assert months(result) == {"A": 1, "B": 3 + cure}
    assert result.npv == pytest.approx(100.0 * factor(1) + 90.0 * factor(3 + cure), rel=1e-12)
    frame = result.frame.set_index("id")
    assert frame.loc["A", "fill_period"] == 2 and frame.loc["A", "cure_end_period"] == 2 + cure
    assert frame.loc["B", "period"] == frame.loc["A", "cure_end_period"] + 1


def test_stopes_beyond_the_pillar_are_not_neighbours() -> None:
    # Two blocks apart with a one-block pillar: both in month 1.
    tasks = [stope("A", 0, 0, 4, 100.0), stope("B", 0, 7, 10, 90.0)]
    assert months(solved(tasks, params())) == {"A": 1, "B": 1}


def test_ore_capacity_splits_the_stopes_richest_first() -> None:
    # 3 × 400 t against 1,000 t a month: two in month 1, the poorest in month 2.
    tasks = [stope("C", 0, 20, 24, 100.0, ore=400.0), stope("A", 0, 0, 4, 300.0, ore=400.0),
             stope("B", 0, 10, 14, 200.0, ore=400.0)]
    result = solved(tasks, params())
    assert months(result) == {"A": 1, "B": 1, "C": 2}
    assert result.npv == pytest.approx(500.0 * factor(1) + 100.0 * factor(2), rel=1e-12)
    greedy = greedy_schedule(tasks, params())  # by value density: the same here
    assert months(greedy) == months(result) and greedy.npv == pytest.approx(result.npv)
    assert (greedy.status, greedy.method) == ("heuristic", "greedy") and np.isnan(greedy.gap)


def test_fill_capacity_splits_the_stopes() -> None:
    # Voids of 600 m³ against 1,000 m³ of fill a month: one stope a month, richest first.
    tasks = [stope("B", 0, 10, 14, 200.0, void=600.0), stope("A", 0, 0, 4, 300.0, void=600.0)]
    result = solved(tasks, params())
    assert months(result) == {"A": 1, "B": 2}
    assert result.frame.set_index("id").loc["A", "fill_period"] == 2


@pytest.mark.parametrize("order", [("poor", "rich"), ("rich", "poor")])
def test_discounting_mines_the_richer_stope_first(order: tuple[str, str]) -> None:
    values = {"poor": 100.0, "rich": 101.0}
    tasks = [stope(sid, 0, 10 * n, 10 * n + 4, values[sid], ore=600.0)
             for n, sid in enumerate(order)]
    result = solved(tasks, params())
    assert months(result) == {"rich": 1, "poor": 2}
    assert result.npv == pytest.approx(101.0 * factor(1) + 100.0 * factor(2), rel=1e-12)


def test_level_not_ready_until_month_3() -> None:
    tasks = [stope("late", 1, 0, 4, 100.0), stope("early", 0, 20, 24, 100.0)]
    result = solved(tasks, params(level_ready={0: 1, 1: 3}))
    assert months(result) == {"late": 3, "early": 1}


def test_top_down_waits_for_the_stope_above() -> None:
    # "under" lies below "over" (level 1, ready in month 3): mined once "over" is filled (4)
    # and cured (5); "free" has nothing above it and starts at once.
    tasks = [stope("under", 0, 2, 6, 500.0), stope("over", 1, 0, 4, 100.0),
             stope("free", 0, 20, 24, 50.0)]
    result = solved(tasks, params(level_ready={0: 1, 1: 3}, cure_periods=1))
    assert months(result) == {"over": 3, "under": 6, "free": 1}


def test_bottom_up_waits_for_the_stope_below() -> None:
    tasks = [stope("under", 0, 2, 6, 100.0), stope("over", 1, 0, 4, 500.0)]
    result = solved(tasks, params(direction="bottom_up", cure_periods=0))
    assert months(result) == {"under": 1, "over": 3}


def test_mip_mines_a_loss_to_open_a_rich_stope_below() -> None:
    tasks = [stope("cap", 1, 0, 4, -10.0), stope("rich", 0, 0, 4, 1000.0)]
    p = params(cure_periods=0)
    best = solved(tasks, p)
    assert months(best) == {"cap": 1, "rich": 3}
    greedy = greedy_schedule(tasks, p)
    assert months(greedy) == {"cap": None, "rich": None} and greedy.npv == 0.0
    assert check_schedule(tasks, p, greedy) == []
    assert best.npv == pytest.approx(-10.0 * factor(1) + 1000.0 * factor(3), rel=1e-12)


def enumerate_best(tasks: list[StopeTask], p: ScheduleParams) -> float:
    """Best NPV over every assignment of months (or none) that check_schedule accepts."""
    ids = task_frame(tasks, p)["id"]
    choices = [(sum(t.value_cny * factor(c, p.discount_rate)
                    for t, c in zip(tasks, choice, strict=True) if c), choice)
               for choice in itertools.product(range(p.periods + 1), repeat=len(tasks))]
    for npv, choice in sorted(choices, reverse=True):
        period = pd.array([c or None for c in choice], dtype="Int64")
        candidate = Schedule(pd.DataFrame({"id": ids, "period": period,
                                           "fill_period": period + 1}),
                             npv, np.nan, np.nan, "heuristic", "greedy", 0.0)
        if not check_schedule(tasks, p, candidate):
            return npv
    raise AssertionError("not even the empty schedule passes")


@pytest.mark.parametrize("seed", [1, 2])
def test_mip_matches_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tasks = [stope("a", 0, 0, 3, float(rng.uniform(-20, 100)), ore=float(rng.uniform(100, 700))),
             stope("b", 0, 5, 8, float(rng.uniform(-20, 100)), ore=float(rng.uniform(100, 700))),
             stope("c", 1, 2, 6, float(rng.uniform(-20, 100)), void=float(rng.uniform(50, 900))),
             stope("d", 1, 8, 12, float(rng.uniform(-20, 100)),
                   void=float(rng.uniform(50, 900)))]
    p = params(periods=4, cure_periods=0, level_ready={0: 1, 1: 2},
               direction="bottom_up" if seed == 2 else "top_down")
    result = solved(tasks, p)
    assert result.npv == pytest.approx(enumerate_best(tasks, p), rel=1e-9, abs=1e-9)


def random_tasks(rng: np.random.Generator, levels: int, per_level: int) -> list[StopeTask]:
    """Stopes of random lengths along i, one-block pillars, rich and poor zones."""
    tasks = []
    for level in range(levels):
        i = int(rng.integers(0, 3))
        for n in range(per_level):
            length = int(rng.integers(3, 7))
            ore = 40.0 * length * float(rng.uniform(4, 8))
            grade = float(rng.lognormal(0.0, 0.8))
            tasks.append(stope(f"L{level}S{n}", level, i, i + length - 1,
                               ore * (600.0 * grade - 500.0), ore=ore, void=ore / 2.7))
            i += length + 1
    return tasks


def test_medium_instance_within_the_time_limit() -> None:
    rng = np.random.default_rng(20)
    tasks = random_tasks(rng, levels=4, per_level=15)
    p = params(periods=24, ore_capacity_t=4000.0, fill_capacity_m3=1400.0, cure_periods=2,
               level_ready={3: 1, 2: 1, 1: 4, 0: 7})
    assert len(tasks) * p.periods == 60 * 24
    result = schedule_stopes(tasks, p, time_limit_s=8.0)
    assert result.status in ("optimal", "time_limit")
    assert np.isfinite(result.gap) and result.gap >= 0.0
    assert result.bound >= result.npv > 0.0
    assert check_schedule(tasks, p, result) == []
    greedy = greedy_schedule(tasks, p)
    assert check_schedule(tasks, p, greedy) == []
    assert result.npv >= greedy.npv
    assert result.frame["period"].notna().sum() > 10


@pytest.fixture
def planted() -> tuple[list[StopeTask], ScheduleParams, Schedule]:
    tasks = [stope("A", 0, 0, 4, 100.0, ore=300.0, void=300.0),
             stope("B", 0, 6, 10, 90.0, ore=300.0, void=300.0),
             stope("C", 1, 0, 4, 80.0, ore=300.0, void=100.0),
             stope("D", 0, 30, 34, 70.0, ore=300.0, void=100.0)]
    p = params(ore_capacity_t=700.0, fill_capacity_m3=700.0, cure_periods=1,
               level_ready={0: 1, 1: 2})
    result = solved(tasks, p)
    assert months(result) == {"C": 2, "A": 5, "B": 1, "D": 1}
    return tasks, p, result


def planting(result: Schedule, tasks: list[StopeTask], p: ScheduleParams,
             **periods: int | None) -> Schedule:
    """The schedule with some months moved, its fill months and NPV kept consistent."""
    frame = result.frame.copy()
    for sid, month in periods.items():
        frame.loc[frame["id"] == sid, "period"] = month
    frame["fill_period"] = frame["period"] + 1
    value = {t.id: t.value_cny for t in tasks}
    npv = sum(value[s] * factor(int(m)) for s, m in zip(frame["id"], frame["period"],
                                                         strict=True)
              if not pd.isna(m) and 1 <= m <= p.periods)
    return replace(result, frame=frame, npv=npv)


@pytest.mark.parametrize(("moves", "words"), [
    ({"C": 1, "D": 2}, "stope C is mined in month 1, before its level 1 is ready in month 2"),
    ({"B": 2, "D": 2}, "month 2: ore of 900.0 t is over the capacity of 700.0 t"),
    ({"B": 3}, "neighbours A (month 5) and B (month 3) are mined 2 months apart; the fill and "
               "its cure need 3"),
    ({"A": 4}, "stope A is mined in month 4, but stope C above it is mined in month 2: it must "
               "be mined, filled and cured by month 1"),
    ({"C": None}, "stope A is mined in month 5, but stope C above it is not mined: it must be "
                  "mined, filled and cured by month 2"),
    ({"A": 13}, "month 13 is not a month from 1 to 12"),
])
def test_check_catches_planted_violations(planted: tuple[list[StopeTask], ScheduleParams,
                                                         Schedule],
                                          moves: dict[str, int | None], words: str) -> None:
    tasks, p, result = planted
    messages = check_schedule(tasks, p, planting(result, tasks, p, **moves))
    assert len(messages) == 1 and words in messages[0], messages


def test_check_catches_fill_over_capacity(planted: tuple[list[StopeTask], ScheduleParams,
                                                         Schedule]) -> None:
    tasks, p, result = planted
    # B and D, mined in month 1, leave 300 + 250 m³ to fill in month 2: over 500 m³, while
    # their 600 t of ore fit the month's 700 t.
    tight = replace(p, fill_capacity_m3=500.0)
    tasks = [replace(t, void_m3=250.0) if t.id == "D" else t for t in tasks]
    assert check_schedule(tasks, tight, result) == [
        "month 2: fill of 550.0 m³ is over the capacity of 500.0 m³"]


def test_check_catches_bookkeeping(planted: tuple[list[StopeTask], ScheduleParams,
                                                  Schedule]) -> None:
    tasks, p, result = planted
    frame = result.frame
    late_fill = frame.assign(fill_period=frame["period"] + 2)
    assert check_schedule(tasks, p, replace(result, frame=late_fill)) == [
        f"stope {sid} is mined in month {m} but filled in month {m + 2}, not the month after"
        for sid, m in zip(frame["id"], frame["period"], strict=True)]
    assert check_schedule(tasks, p, replace(result, npv=result.npv + 1.0)) == [
        f"the schedule reports an NPV of {result.npv + 1.0} CNY; its stopes are worth "
        f"{round(result.npv, 2)} CNY"]
    without = frame[frame["id"] != "D"]
    assert check_schedule(tasks, p, replace(result, frame=without,
                                            npv=without["npv_cny"].sum())) == [
        "stope D is missing from the schedule"]
    stranger = pd.concat([frame, frame.iloc[[0]].assign(id="Z")], ignore_index=True)
    assert check_schedule(tasks, p, replace(result, frame=stranger)) == [
        "the schedule names stope Z, which is not among the tasks"]
    twice = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    assert check_schedule(tasks, p, replace(result, frame=twice)) == [
        f"stope {frame['id'].iloc[3]} is scheduled more than once"]


@pytest.mark.parametrize(("change", "column", "words"), [
    ({"periods": 0}, "periods", "expected a whole number of months from 1 to 600, got 0"),
    ({"ore_capacity_t": 0.0}, "ore_capacity_t", "expected a number > 0 (t), got 0.0"),
    ({"fill_capacity_m3": -5.0}, "fill_capacity_m3", "expected a number > 0 (m³), got -5.0"),
    ({"cure_periods": -1}, "cure_periods", "expected a whole number >= 0, got -1"),
    ({"direction": "sideways"}, "direction", "expected one of top_down, bottom_up, got "
                                             "'sideways'"),
    ({"discount_rate": 1.5}, "discount_rate", "expected a number from 0.0 to 1.0, got 1.5"),
    ({"level_ready": {0: 0}}, "level_ready.0", "expected an integer >= 1, got 0"),
    ({"pillar": -1}, "pillar", "expected a whole number >= 0, got -1"),
])
def test_bad_parameters_one_message_each(change: dict[str, object], column: str,
                                         words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        params(**change)
    assert len(refused.value.problems) == 1
    problem = refused.value.problems[0]
    assert problem.column == column and problem.message == words


def test_parameters_from_a_mapping() -> None:
    data = {"periods": 6, "ore_capacity_t": 100, "fill_capacity_m3": 50, "cure_periods": 1,
            "direction": "bottom_up", "level_ready": {"0": 1, "1": 3}, "discount_rate": 0.08}
    assert ScheduleParams.from_mapping(data).level_ready == {0: 1, 1: 3}
    with pytest.raises(ValidationError) as refused:
        ScheduleParams.from_mapping({**data, "cure": 1, "cure_periods": -2}, source="s.yaml")
    assert [(p.source, p.column) for p in refused.value.problems] == [("s.yaml", "cure")]
    with pytest.raises(ValidationError) as refused:
        ScheduleParams.from_mapping({**data, "cure_periods": -2}, source="s.yaml")
    assert [(p.source, p.column) for p in refused.value.problems] == [
        ("s.yaml", "cure_periods")]


def test_bad_tasks_one_message_each() -> None:
    p = params(level_ready={0: 1})
    good = stope("A", 0, 0, 4, 100.0)
    bad = [replace(good, id="B", level=7), replace(good, id="C", i0=5, i1=4),
           replace(good, id="A"), replace(good, id="E", ore_t=1500.0),
           replace(good, id="F", void_m3=-1.0), replace(good, id="G", value_cny=float("nan"))]
    with pytest.raises(ValidationError) as refused:
        schedule_stopes([good, *bad], p)
    found = {(x.row, x.column): x.message for x in refused.value.problems}
    assert found == {
        (3, "level"): "unknown level 7: level_ready names 0",
        (4, "i1"): "expected i1 >= i0, got i1 = 4",
        (5, "id"): "duplicate stope id 'A'",
        (6, "ore_t"): "1500.0 t is more than one month's capacity of 1000.0 t: the stope "
                      "could never be scheduled",
        (7, "void_m3"): "expected a number >= 0, got -1.0",
        (8, "value_cny"): "expected a finite number, got nan"}
    with pytest.raises(ValidationError, match="column id: expected at least one stope"):
        check_schedule([], p, greedy_schedule([good], p))
    frame = pd.DataFrame([good]).drop(columns="void_m3").assign(i0="x")
    with pytest.raises(ValidationError, match="missing column 'void_m3'"):
        greedy_schedule(frame, p)
    with pytest.raises(ValidationError, match="column i0: expected an integer, got 'x'"):
        greedy_schedule(frame.assign(void_m3=1.0), p)


def test_size_is_bounded_before_building() -> None:
    check_size(200, 36)
    with pytest.raises(ValidationError, match="more than one schedule takes"):
        check_size(2001, 1)
    with pytest.raises(ValidationError) as refused:
        check_size(100, 600)
    assert refused.value.problems[0].column == "periods"
    with pytest.raises(ValidationError) as refused:
        schedule_stopes([stope("A", 0, 0, 4, 1.0)], params(), time_limit_s=0.0, rel_gap=2.0)
    assert [x.column for x in refused.value.problems] == ["time_limit_s", "rel_gap"]
