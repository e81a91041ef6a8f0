"""The reporting calendar, read from versioned data: when a report is due and when its
reminders fall.

The days live in ``aurum/industry/data/reporting_calendar.yaml`` (shipped as package data), like
the plan's targets (:mod:`aurum.industry.targets`): per period kind of the statistics report the
days from the period's end to its due date, and per report the reminder offsets before and after
that date; the recycling reports take their due dates from their reporting rules (working days),
so the calendar holds only their reminders. :func:`load_calendar` reads and checks the file once
per process. Days are Beijing days (:func:`aurum.industry.reporting.reporting_day`); the day is
always passed in, so a test chooses its own "today".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from aurum.core.errors import ValidationError
from aurum.core.periods import Period, PeriodKind
from aurum.industry.targets import _Reader

CALENDAR_FILE = "reporting_calendar.yaml"

MAX_DAYS = 3660
"""Longest offset the calendar accepts (about ten years), d: a larger one is a typing slip."""


@dataclass(frozen=True)
class Reminders:
    """When the reminders of a report fall, around its due date.

    Parameters
    ----------
    before_days : tuple of int
        Days before the due date on which a reminder goes out (e.g. 7 and 1), d.
    after_days : tuple of int
        Days after the due date on which a reminder of the overdue report goes out, d.
    """

    before_days: tuple[int, ...]
    after_days: tuple[int, ...]

    @property
    def notice_days(self) -> int:
        """How long before its due date a report counts as due soon: the first reminder, d."""
        return max(self.before_days, default=0)

    def offset_on(self, due: date, day: date) -> int | None:
        """The reminder falling on ``day`` for a report due on ``due``, as signed days from
        the due date (-7: seven days before, 1: one day after); None when none falls."""
        offset = (day - due).days
        if (offset < 0 and -offset in self.before_days) or (offset > 0
                                                            and offset in self.after_days):
            return offset
        return None


@dataclass(frozen=True)
class Schedule:
    """The statistics report of one period kind: its due day and its reminders.

    Parameters
    ----------
    kind : PeriodKind
        Month, quarter or year.
    due_days : int
        Days after the last day of the period on which its report is due, d.
    reminders : Reminders
        Its reminders.
    """

    kind: PeriodKind
    due_days: int
    reminders: Reminders


@dataclass(frozen=True)
class ReportingCalendar:
    """The reporting calendar, as one validated document.

    Parameters
    ----------
    version : str
        Version of the calendar file.
    title, issued_by, note : str
        What the calendar is, who set it, and how to read it.
    overdue_shown_days : int
        How long after its due date an unsent statistics report is still shown as overdue, d.
    default_period_kind : PeriodKind
        The period kind a site that never reported is expected to report at (one that did is
        expected at the kind of its latest report).
    statistics : Mapping[str, Schedule]
        Per period kind (``month``, ``quarter``, ``year``).
    recycling : Mapping[str, Reminders]
        Per kind of recycling report (``large_cash``, ``suspicious``).
    """

    version: str
    title: str
    issued_by: str
    note: str
    overdue_shown_days: int
    default_period_kind: PeriodKind
    statistics: Mapping[str, Schedule]
    recycling: Mapping[str, Reminders]

    def schedule(self, kind: PeriodKind) -> Schedule:
        """The schedule of the statistics report of one period kind."""
        return self.statistics[kind.value]

    def due_date(self, period: Period) -> date:
        """The last day on which the statistics report of ``period`` is on time."""
        return period.end + timedelta(days=self.schedule(period.kind).due_days)

    def reminder_on(self, period: Period, day: date) -> int | None:
        """The reminder of the statistics report of ``period`` falling on ``day`` (signed
        days from its due date, :meth:`Reminders.offset_on`), None when none falls."""
        return self.schedule(period.kind).reminders.offset_on(self.due_date(period), day)

    def periods_open(self, kind: PeriodKind, day: date) -> list[Period]:
        """The periods of ``kind`` whose report ``day`` can show: ended by ``day``, and due
        within its notice (:attr:`Reminders.notice_days`) or overdue by at most
        :attr:`overdue_shown_days`; newest first.

        Every reminder of the day falls on one of them (the file is checked for it).
        """
        notice = self.schedule(kind).reminders.notice_days
        oldest_due = day - timedelta(days=self.overdue_shown_days)
        out = []
        period = _containing(kind, day)
        while (due := self.due_date(period)) >= oldest_due:
            if period.end < day and (due - day).days <= notice:
                out.append(period)
            period = _previous(period)
        return out


def _containing(kind: PeriodKind, day: date) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    index = {PeriodKind.YEAR: 1, PeriodKind.QUARTER: (day.month - 1) // 3 + 1,
             PeriodKind.MONTH: day.month}[kind]
    return Period(day.year, kind, index)


def _previous(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    if period.index > 1:
        return Period(period.year, period.kind, period.index - 1)
    last = {PeriodKind.YEAR: 1, PeriodKind.QUARTER: 4, PeriodKind.MONTH: 12}[period.kind]
    return Period(period.year - 1, period.kind, last)


@functools.cache
def load_calendar() -> ReportingCalendar:
    """The reporting calendar shipped with Aurum (read and validated once per process).

    Raises
    ------
    ValidationError
        When the shipped file is malformed (one problem per bad entry).
    """
    text = (resources.files("aurum.industry") / "data" / CALENDAR_FILE).read_text(
        encoding="utf-8")
    return parse_calendar(yaml.safe_load(text), source=CALENDAR_FILE)


def parse_calendar(document: Any, source: str | None = None) -> ReportingCalendar:
    """Validate a calendar document (the YAML file, parsed) into :class:`ReportingCalendar`.

    Parameters
    ----------
    document : Any
        The parsed YAML: a mapping laid out as ``reporting_calendar.yaml``.
    source : str, optional
        File name for the messages.

    Raises
    ------
    ValidationError
        With one problem per missing or malformed entry; the problem's ``column`` is the path
        of the entry, e.g. ``statistics.quarter.due_days``.
    """
    r = _CalendarReader(source)
    doc = r.mapping(document, "")
    src = r.mapping(doc.get("source"), "source")
    shown = r.days(doc, "overdue_shown_days")
    stats = r.mapping(doc.get("statistics"), "statistics")
    kinds = [k.value for k in PeriodKind]
    for key in stats:
        if key not in kinds:
            r.problem(f"statistics.{key}", f"unknown period kind; expected one of "
                      f"{', '.join(kinds)}")
    schedules = {}
    for kind in PeriodKind:
        path = f"statistics.{kind.value}"
        entry = r.mapping(stats.get(kind.value), path)
        schedule = Schedule(kind, r.days(entry, "due_days", f"{path}."),
                            r.reminders(entry, path, shown))
        # A report cannot be sent before its period ends: nor can a reminder ask for it.
        if schedule.reminders.notice_days >= schedule.due_days > 0:
            r.problem(f"{path}.remind_before_days", f"expected days before the due day, fewer "
                      f"than due_days ({schedule.due_days}), got {schedule.reminders.notice_days}")
        schedules[kind.value] = schedule
    recycling = r.mapping(doc.get("recycling"), "recycling")
    default_kind = r.text(doc, "default_period_kind")
    if default_kind not in kinds:
        r.problem("default_period_kind", f"expected one of {', '.join(kinds)}, got "
                  f"{default_kind!r}")
        default_kind = PeriodKind.QUARTER.value
    calendar = ReportingCalendar(
        version=r.text(doc, "version"),
        title=r.text(src, "title", "source."),
        issued_by=r.text(src, "issued_by", "source."),
        note=r.text(src, "note", "source."),
        overdue_shown_days=shown,
        default_period_kind=PeriodKind(default_kind),
        statistics=MappingProxyType(schedules),
        recycling=MappingProxyType({str(k): r.reminders(r.mapping(v, f"recycling.{k}"),
                                                        f"recycling.{k}", None)
                                    for k, v in recycling.items()}),
    )
    if r.problems:
        raise ValidationError(r.problems)
    return calendar


class _CalendarReader(_Reader):
    """The targets file's reader (every problem of the file at once), with day counts and
    reminder lists."""

    def days(self, data: Mapping[str, Any], key: str, prefix: str = "") -> int:
        value = self.take(data, key, int, prefix)
        if key in data and type(data[key]) is int and not 1 <= value <= MAX_DAYS:
            self.problem(prefix + key, f"expected a number of days from 1 to {MAX_DAYS}, "
                         f"got {value}")
        return value

    def offsets(self, data: Mapping[str, Any], key: str, path: str) -> tuple[int, ...]:
        items = self.take(data, key, list, f"{path}.")
        out = []
        for i, item in enumerate(items):
            if type(item) is not int or not 1 <= item <= MAX_DAYS:
                self.problem(f"{path}.{key}[{i}]", f"expected a number of days from 1 to "
                             f"{MAX_DAYS}, got {item!r}")
            else:
                out.append(item)
        if len(set(out)) < len(out):
            self.problem(f"{path}.{key}", "expected each day once")
        return tuple(sorted(set(out), reverse=True))

    def reminders(self, data: Mapping[str, Any], path: str, shown: int | None) -> Reminders:
        after = self.offsets(data, "remind_after_days", path)
        # A reminder of an overdue report is about a report the pages still show as overdue.
        if shown is not None and after and after[0] > shown:
            self.problem(f"{path}.remind_after_days", f"expected days up to overdue_shown_days "
                         f"({shown}), got {after[0]}")
        return Reminders(self.offsets(data, "remind_before_days", path), after)
