"""Implementation effect: relative change per indicator and the summary by standard, against
closed forms worked by hand."""

from __future__ import annotations

import math

import pytest

from aurum.core.errors import ValidationError
from aurum.standards.effect import Direction, Indicator, indicators_of, summarise

RECOVERY = {"name": "gold recovery", "unit": "%", "before": 88.0, "after": 92.4,
            "better": "higher"}
ENERGY = {"name": "energy per tonne", "unit": "kWh/t", "before": 40.0, "after": 34.0,
          "better": "lower"}


def test_relative_change_and_improvement_closed_forms() -> None:
    recovery, energy = indicators_of([RECOVERY, ENERGY])
    # (92.4 − 88) / 88 = 0.05; (34 − 40) / 40 = −0.15, an improvement of 0.15.
    assert recovery.relative_change == pytest.approx(0.05, rel=1e-12)
    assert recovery.improvement == pytest.approx(0.05, rel=1e-12) and recovery.improved
    assert energy.relative_change == pytest.approx(-0.15, rel=1e-12)
    assert energy.improvement == pytest.approx(0.15, rel=1e-12) and energy.improved
    assert energy.change == pytest.approx(-6.0)


def test_a_zero_before_has_no_relative_change() -> None:
    x = Indicator("lost-time injuries", "count", 0.0, 2.0, Direction.LOWER)
    assert x.relative_change is None and x.improvement is None and not x.improved
    negative = Indicator("net balance", "t", -10.0, -5.0, Direction.HIGHER)
    assert negative.relative_change == pytest.approx(0.5)  # divided by |before|


def test_summary_by_standard() -> None:
    a = indicators_of([RECOVERY, ENERGY])
    b = indicators_of([RECOVERY | {"before": 90.0, "after": 89.1},
                       ENERGY | {"before": 50.0, "after": 45.0}])
    c = indicators_of([RECOVERY | {"before": 80.0, "after": 84.0}])
    summary = summarise([("ORG-1", a), ("ORG-2", b), ("ORG-1", c)])
    assert (summary.records, summary.organisations) == (3, 2)
    recovery, energy = summary.indicators
    # Recovery: +0.05, −0.01, +0.05 → mean 0.03; two of three improved.
    assert recovery.records == 3 and recovery.mean_improvement == pytest.approx(0.03)
    assert recovery.improved_share == pytest.approx(2 / 3)
    # Energy: 0.15 and 0.10 → mean 0.125; both improved.
    assert energy.mean_improvement == pytest.approx(0.125) and energy.improved_share == 1.0
    # Four of the five (record, indicator) pairs improved.
    assert summary.improved_share == pytest.approx(4 / 5)
    empty = summarise([])
    assert empty.records == 0 and empty.improved_share is None


@pytest.mark.parametrize(("items", "column", "words"), [
    ([], "indicators", "a list of 1 to 20"),
    ([RECOVERY] * 21, "indicators", "at most 20"),
    ([RECOVERY | {"before": "high"}], "indicators[1].before", "a finite number"),
    ([RECOVERY | {"after": math.inf}], "indicators[1].after", "a finite number"),
    ([RECOVERY | {"after": True}], "indicators[1].after", "a finite number"),
    ([RECOVERY | {"unit": ""}], "indicators[1].unit", "1 to 30"),
    ([RECOVERY | {"better": "more"}], "indicators[1].better", "'higher' or 'lower'"),
    ([RECOVERY, RECOVERY], "indicators", "given twice"),
])
def test_bad_indicators_are_refused(items: list[object], column: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        indicators_of(items)
    assert [(p.column, words in p.message) for p in refused.value.problems] == [(column, True)]
