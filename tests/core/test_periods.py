"""Reporting periods."""

from __future__ import annotations

from datetime import date

import pytest

from aurum.core.periods import Period, PeriodKind


@pytest.mark.parametrize(("text", "kind", "months", "end"), [
    ("2024", PeriodKind.YEAR, range(1, 13), date(2024, 12, 31)),
    ("2024-Q1", PeriodKind.QUARTER, range(1, 4), date(2024, 3, 31)),
    ("2024-02", PeriodKind.MONTH, range(2, 3), date(2024, 2, 29)),
    ("2025-02", PeriodKind.MONTH, range(2, 3), date(2025, 2, 28)),
])
def test_parse(text: str, kind: PeriodKind, months: range, end: date) -> None:
    p = Period.parse(text)
    assert (p.kind, p.months, p.end, p.label) == (kind, months, end, text)


@pytest.mark.parametrize("text", ["2024-Q5", "2024-13", "24", "2024-1", "Q1-2024", "1800"])
def test_refuse(text: str) -> None:
    with pytest.raises(ValueError, match="expected a period"):
        Period.parse(text)
