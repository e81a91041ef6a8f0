"""The reporting calendar file: due dates and reminder days from it, and its validation."""

from __future__ import annotations

import copy
from datetime import date
from importlib import resources
from typing import Any

import pytest
import yaml

from aurum.core.errors import ValidationError
from aurum.core.periods import Period, PeriodKind
from aurum.industry.calendar import CALENDAR_FILE, load_calendar, parse_calendar
from aurum.industry.reporting import due_date
from aurum.recycling.rules import load_rules


def shipped_document() -> dict[str, Any]:
    text = (resources.files("aurum.industry") / "data" / CALENDAR_FILE).read_text("utf-8")
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def problems_of(document: Any) -> tuple[dict[str | None, str], str]:
    """The problems of a document by the entry they name, and the error as a person reads it."""
    with pytest.raises(ValidationError) as caught:
        parse_calendar(document, source=CALENDAR_FILE)
    assert all(p.source == CALENDAR_FILE for p in caught.value.problems)
    return {p.column: p.message for p in caught.value.problems}, str(caught.value)


@pytest.mark.parametrize(("label", "due"), [
    ("2026-01", date(2026, 3, 2)),    # 31 January + 30 days
    ("2026-02", date(2026, 3, 30)),   # 28 February + 30 days
    ("2026-Q3", date(2026, 10, 30)),  # 30 September + 30 days
    ("2025-Q4", date(2026, 1, 30)),
    ("2025", date(2026, 3, 31)),      # 31 December + 90 days
])
def test_due_dates_come_from_the_file(label: str, due: date) -> None:
    calendar = load_calendar()
    assert calendar.version == "2026.1"
    assert calendar.default_period_kind is PeriodKind.QUARTER
    assert calendar.due_date(Period.parse(label)) == due
    assert due_date(Period.parse(label)) == due  # the statistics' calendar is the file's


def test_a_changed_file_changes_the_due_dates() -> None:
    document = shipped_document()
    document["statistics"]["quarter"]["due_days"] = 15
    calendar = parse_calendar(document)
    assert calendar.due_date(Period.parse("2026-Q3")) == date(2026, 10, 15)
    assert calendar.due_date(Period.parse("2026-09")) == date(2026, 10, 30)


def test_reminders_fall_on_their_days() -> None:
    calendar = load_calendar()
    q3 = Period.parse("2026-Q3")  # due 30 October 2026
    on = {day: calendar.reminder_on(q3, date(2026, 10, day)) for day in range(20, 32)}
    assert {d: o for d, o in on.items() if o is not None} == {23: -7, 29: -1, 31: 1}
    assert calendar.reminder_on(q3, date(2026, 11, 6)) == 7
    assert calendar.reminder_on(q3, date(2026, 10, 30)) is None  # the due day itself
    year = Period.parse("2025")  # due 31 March 2026
    assert calendar.reminder_on(year, date(2026, 3, 17)) == -14
    reminders = calendar.recycling["large_cash"]
    assert reminders.offset_on(date(2026, 12, 10), date(2026, 12, 7)) == -3
    assert reminders.offset_on(date(2026, 12, 10), date(2026, 12, 8)) is None


def test_open_periods_are_those_due_soon_or_overdue() -> None:
    calendar = load_calendar()
    # 24 October 2026: Q3 due on the 30th (within the 7 days' notice), Q2 to 2025-Q4 overdue
    # (due 30 July, 30 April, 30 January); 2025-Q3 was due on 30 October 2025, 359 days ago.
    quarters = calendar.periods_open(PeriodKind.QUARTER, date(2026, 10, 24))
    assert [p.label for p in quarters] == ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4",
                                           "2025-Q3"]
    # 22 October: Q3 is due in 8 days, not yet within notice.
    assert calendar.periods_open(PeriodKind.QUARTER, date(2026, 10, 22))[0].label == "2026-Q2"
    months = calendar.periods_open(PeriodKind.MONTH, date(2026, 12, 7))
    assert months[0].label == "2026-10"  # November's report is due on 30 December
    # 2025-11 was due on 30 December 2025, 342 days before; 2025-10 on 30 November, 372.
    assert [months[-1].label, len(months)] == ["2025-11", 12]


def test_every_recycling_report_kind_has_reminders() -> None:
    kinds = {rule.kind for rule in load_rules().rules.values()}
    assert kinds == set(load_calendar().recycling)


@pytest.mark.parametrize(("change", "column", "expected"), [
    (lambda d: d["statistics"]["quarter"].pop("due_days"), "statistics.quarter.due_days",
     "expected an integer, got nothing"),
    (lambda d: d["statistics"]["month"].update(due_days="thirty"), "statistics.month.due_days",
     "expected an integer, got 'thirty'"),
    (lambda d: d["statistics"]["year"].update(due_days=0), "statistics.year.due_days",
     "expected a number of days from 1 to 3660, got 0"),
    (lambda d: d["statistics"].pop("month"), "statistics.month",
     "expected a mapping, got nothing"),
    (lambda d: d["statistics"].update(week={}), "statistics.week", "unknown period kind"),
    (lambda d: d["statistics"]["quarter"].update(remind_before_days=[7, -1]),
     "statistics.quarter.remind_before_days[1]", "expected a number of days from 1"),
    (lambda d: d["statistics"]["quarter"].update(remind_before_days=[7, 7]),
     "statistics.quarter.remind_before_days", "expected each day once"),
    (lambda d: d["statistics"]["quarter"].update(remind_before_days=[30]),
     "statistics.quarter.remind_before_days", "fewer than due_days (30), got 30"),
    (lambda d: d["recycling"]["large_cash"].update(remind_after_days="1, 3"),
     "recycling.large_cash.remind_after_days", "expected a list, got '1, 3'"),
    (lambda d: d["statistics"]["month"].update(remind_after_days=[400]),
     "statistics.month.remind_after_days", "up to overdue_shown_days (366), got 400"),
    (lambda d: d.pop("version"), "version", "expected text, got nothing"),
    (lambda d: d.update(default_period_kind="week"), "default_period_kind",
     "expected one of year, quarter, month, got 'week'"),
])
def test_a_malformed_file_names_the_entry(change: Any, column: str, expected: str) -> None:
    document = copy.deepcopy(shipped_document())
    change(document)
    problems, text = problems_of(document)
    assert column in problems, problems
    assert expected in problems[column]
    assert f"column {column}" in text


def test_not_a_mapping_is_refused() -> None:
    problems, _text = problems_of(["month", 30])
    assert problems[None].startswith("expected a mapping")
