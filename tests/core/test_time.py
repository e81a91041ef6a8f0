"""China Standard Time: Beijing days from UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from aurum.core.time import CHINA_STANDARD_TIME, in_cst, today_cst


def test_china_standard_time_is_utc_plus_eight_named_cst() -> None:
    assert CHINA_STANDARD_TIME.utcoffset(None) == timedelta(hours=8)
    assert CHINA_STANDARD_TIME.tzname(None) == "CST"


def test_the_beijing_day_starts_at_sixteen_hundred_utc() -> None:
    assert today_cst(datetime(2025, 3, 31, 15, 59, tzinfo=UTC)) == date(2025, 3, 31)
    assert today_cst(datetime(2025, 3, 31, 16, 0, tzinfo=UTC)) == date(2025, 4, 1)


def test_a_naive_instant_is_taken_as_utc_as_the_store_keeps_it() -> None:
    assert in_cst(datetime(2025, 12, 31, 20, 30)) == datetime(
        2026, 1, 1, 4, 30, tzinfo=CHINA_STANDARD_TIME)


def test_an_instant_in_another_zone_keeps_its_moment() -> None:
    new_york = timezone(timedelta(hours=-5))
    assert in_cst(datetime(2025, 6, 1, 12, 0, tzinfo=new_york)).hour == 1
    assert today_cst(datetime(2025, 6, 1, 12, 0, tzinfo=new_york)) == date(2025, 6, 2)


def test_now_by_default_is_the_current_beijing_day() -> None:
    before = datetime.now(UTC).astimezone(CHINA_STANDARD_TIME).date()
    day = today_cst()
    after = datetime.now(UTC).astimezone(CHINA_STANDARD_TIME).date()
    assert day in (before, after)
    assert in_cst().tzinfo is CHINA_STANDARD_TIME
