"""Standard numbers: prefix, serial, part and year, their level, one clear refusal each."""

from __future__ import annotations

import pytest

from aurum.core.errors import ValidationError
from aurum.standards.numbering import Level, StandardNumber, parse_number


@pytest.mark.parametrize(("text", "prefix", "serial", "part", "year", "level"), [
    ("GB/T 4134-2021", "GB/T", "4134", None, 2021, Level.NATIONAL),
    ("GB 16423-2020", "GB", "16423", None, 2020, Level.NATIONAL),
    ("GB/T 7739.1—2019", "GB/T", "7739", 1, 2019, Level.NATIONAL),  # the printed em dash
    ("gb/t20899.15-2023", "GB/T", "20899", 15, 2023, Level.NATIONAL),
    ("DZ/T 0205-2020", "DZ/T", "0205", None, 2020, Level.INDUSTRY),
    ("YS/T 3041.2-2021", "YS/T", "3041", 2, 2021, Level.INDUSTRY),
    ("HJ 943-2018", "HJ", "943", None, 2018, Level.INDUSTRY),
    ("AQ 2031-2011", "AQ", "2031", None, 2011, Level.INDUSTRY),
    ("DB36/T 1275.3-2020", "DB36/T", "1275", 3, 2020, Level.LOCAL),
    ("T/CGA 001-2026", "T/CGA", "001", None, 2026, Level.GROUP),
    ("Q/ZJKY 12-2025", "Q/ZJKY", "12", None, 2025, Level.ENTERPRISE),
])
def test_numbers_parse_into_their_parts(text: str, prefix: str, serial: str,
                                        part: int | None, year: int, level: Level) -> None:
    n = parse_number(text)
    assert (n.prefix, n.serial, n.part, n.year, n.level) == (prefix, serial, part, year, level)


def test_canonical_text_slug_series_and_mandatory() -> None:
    n = parse_number("GB/T4134 — 2021")
    assert n.text == "GB/T 4134-2021" and str(n) == n.text
    assert n.slug == "gb-t-4134-2021" and n.series == "GB/T 4134"
    assert not n.mandatory and parse_number("GB 11887-2012").mandatory
    assert parse_number("GB/T 7739.1-2019").slug == "gb-t-7739.1-2019"
    assert parse_number("T/CGA 001", require_year=False) == StandardNumber(
        "T/CGA", "001", None, None)


@pytest.mark.parametrize(("text", "words"), [
    ("XX 12-2020", "unknown prefix 'XX'"),
    ("GB/T 4134-21", "is not a standard number"),
    ("GB/T -2021", "is not a standard number"),
    ("GB/T 4134-1900", "is not from 1949 to 2100"),
    ("GB/T 4134", "gives no year"),
    ("GB/T 7739.0-2019", "a part number starts at 1"),
    ("", "expected a standard number"),
    (None, "expected a standard number"),
    ("GB/T " + "1" * 60, "at most 40 characters"),
])
def test_a_bad_number_is_one_clear_problem(text: object, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_number(text, source="s.csv", row=3)
    (problem,) = refused.value.problems
    assert words in problem.message
    assert (problem.source, problem.row, problem.column) == ("s.csv", 3, "number")
