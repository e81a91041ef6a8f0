"""China Standard Time: the calendar every day of Aurum is counted in.

Reports fall due, purchases cumulate per day and hazards run overdue at midnight in Beijing,
whatever the time zone of the server. Instants are stored in UTC (naive ``datetime`` values in
the store are UTC); this module turns them into Beijing days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["CHINA_STANDARD_TIME", "in_cst", "today_cst"]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
"""China Standard Time, UTC+8 all year (China keeps no daylight saving time)."""


def in_cst(at: datetime | None = None) -> datetime:
    """An instant as a China Standard Time clock reading.

    Parameters
    ----------
    at : datetime, optional
        The instant; a naive value is taken as UTC (as the store keeps it). Now by default.

    Returns
    -------
    datetime
        The same instant with :data:`CHINA_STANDARD_TIME` as its time zone.
    """
    at = at or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA_STANDARD_TIME)


def today_cst(at: datetime | None = None) -> date:
    """The calendar day in Beijing at an instant.

    Parameters
    ----------
    at : datetime, optional
        The instant; a naive value is taken as UTC. Now by default.

    Returns
    -------
    date
        The China Standard Time date: 2025-03-31T16:00Z is already 2025-04-01.
    """
    return in_cst(at).date()
