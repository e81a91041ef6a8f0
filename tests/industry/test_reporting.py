"""The reporting calendar: when a period can be reported, when its report is due, which year
is complete on a given day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aurum.core.periods import Period
from aurum.industry.reporting import (
    check_period_ended,
    due_date,
    last_complete_year,
    months_due,
    reporting_day,
)


@pytest.mark.parametrize(("label", "due"), [
    ("2026-Q4", date(2027, 1, 30)),  # 31 December + 30 days
    ("2026-Q3", date(2026, 10, 30)),
    ("2026-02", date(2026, 3, 30)),  # 28 February + 30 days
    ("2026", date(2027, 3, 31)),  # a year: 31 December + 90 days
])
def test_due_dates(label: str, due: date) -> None:
    assert due_date(Period.parse(label)) == due


def test_a_period_can_be_reported_from_the_day_after_it_ends() -> None:
    q4 = Period.parse("2026-Q4")
    (problem,) = check_period_ended(q4, date(2026, 12, 6), row=3, source="q4.csv")
    assert (problem.row, problem.column, problem.source) == (3, "period", "q4.csv")
    assert problem.message == ("period 2026-Q4 has not ended: it ends on 2026-12-31, so its "
                               "report can be submitted from 2027-01-01 (due by 2027-01-30)")
    assert len(check_period_ended(q4, date(2026, 12, 31))) == 1  # its last day is not over
    assert check_period_ended(q4, date(2027, 1, 1)) == []
    assert check_period_ended(Period.parse("2026-Q3"), date(2026, 12, 6)) == []


def test_the_reporting_day_is_the_beijing_day() -> None:
    # 16:30 UTC on 31 December is 00:30 on 1 January in Beijing: the fourth quarter has ended.
    assert reporting_day(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert reporting_day(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)) == date(2026, 12, 31)


def test_months_due_and_the_last_complete_year() -> None:
    # On 6 December 2026, October's reports fell due on 30 November, November's fall due on
    # 30 December: ten months of 2026 are due, and 2026 is not complete.
    assert months_due(2026, date(2026, 12, 6)) == 10
    assert months_due(2026, date(2026, 10, 30)) == 8  # September's are due that very day
    assert months_due(2027, date(2026, 12, 6)) == 0
    assert last_complete_year(date(2026, 12, 6)) == 2025
    assert last_complete_year(date(2027, 1, 30)) == 2025  # the fourth quarter's due day
    assert last_complete_year(date(2027, 1, 31)) == 2026
