"""Times as the safety services store and show them: UTC throughout (SQLite gives stored
times back naive, PostgreSQL in the session's zone)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd


def utc_times(values: Any) -> pd.DatetimeIndex:
    """Times (naive = UTC, or aware) as a UTC index."""
    return pd.DatetimeIndex(pd.to_datetime(values, utc=True))


def iso_utc(at: datetime | None) -> str | None:
    """An instant (naive = UTC) as ISO 8601 text in UTC, or None."""
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
