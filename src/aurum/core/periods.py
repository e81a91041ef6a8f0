"""Reporting periods: a year (``2025``), a quarter (``2025-Q3``) or a month (``2025-07``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from aurum.core.i18n import _


class PeriodKind(StrEnum):
    """Length of a reporting period."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


_PATTERNS = {
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period.

    Parameters
    ----------
    year : int
        Calendar year.
    kind : PeriodKind
        Year, quarter or month.
    index : int
        1 for a year, 1-4 for a quarter, 1-12 for a month.
    """

    year: int
    kind: PeriodKind
    index: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; raise ``ValueError`` otherwise."""
        text = str(text).strip()
        for kind, pattern in _PATTERNS.items():
            m = pattern.match(text)
            if m:
                year = int(m.group(1))
                index = 1 if kind is PeriodKind.YEAR else int(m.group(2))
                if not 1900 <= year <= 2100:
                    break
                return cls(year, kind, index)
        raise ValueError(_("expected a period as YYYY, YYYY-Qn or YYYY-MM, got %(text)r",
                           text=text))

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def months(self) -> range:
        """Months of the year (1-12) the period covers."""
        if self.kind is PeriodKind.YEAR:
            return range(1, 13)
        if self.kind is PeriodKind.QUARTER:
            return range(3 * self.index - 2, 3 * self.index + 1)
        return range(self.index, self.index + 1)

    @property
    def start(self) -> date:
        return date(self.year, self.months[0], 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        last = self.months[-1]
        if last == 12:
            return date(self.year, 12, 31)
        return date.fromordinal(date(self.year, last + 1, 1).toordinal() - 1)

    def __str__(self) -> str:
        return self.label
