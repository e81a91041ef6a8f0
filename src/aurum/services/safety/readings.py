"""Readings of sensors: their plausible times, their validation and their storage (a reading
is stored once per sensor and time, whoever writes it first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.services.safety.common import utc_times
from aurum.store.models import SensorReading

READING_COLUMNS = ("sensor", "time", "value")
_MAX_PROBLEMS = 50

EARLIEST_READING = pd.Timestamp("2000-01-01", tz="UTC")
"""No reading the platform stores is older (the digital monitoring records worth loading
start after it; the Elk Creek pressure cells are of 2009). A year-1 time is a device's unset
clock."""
MAX_AHEAD = pd.Timedelta(hours=1)
"""How far ahead of the receiving clock a reading's time may lie: a gateway's clock drift.
Further ahead is a wrong clock or a local time sent without its offset (taken as UTC)."""


@dataclass(frozen=True)
class ReadingWindow:
    """The times a reading may plausibly carry: from :attr:`earliest` to :attr:`ahead` after
    the receiving clock.

    Parameters
    ----------
    earliest : pandas.Timestamp
        First plausible time, UTC (default :data:`EARLIEST_READING`).
    ahead : pandas.Timedelta
        How far ahead of the clock a time may lie (default :data:`MAX_AHEAD`; the time-lapse
        demo source plays readings days ahead and widens it).
    """

    earliest: pd.Timestamp = EARLIEST_READING
    ahead: pd.Timedelta = MAX_AHEAD

    def latest(self, now: datetime | None = None) -> pd.Timestamp:
        """Last plausible time, UTC, for a clock reading ``now`` (default: the clock)."""
        return pd.Timestamp(now or datetime.now(UTC)).tz_convert("UTC") + self.ahead

    def contains(self, times: Any, now: datetime | None = None) -> np.ndarray:
        """Which of ``times`` (aware datetimes) lie in the window (bool array)."""
        stamps = utc_times(times)
        return np.asarray((stamps >= self.earliest) & (stamps <= self.latest(now)), dtype=bool)

    def describe(self, now: datetime | None = None) -> str:
        """The window in words, for messages."""
        hours = self.ahead / pd.Timedelta(hours=1)
        return _("a time from %(earliest)s to %(hours)s h after the receiving clock "
                 "(%(latest)s)", earliest=self.earliest.isoformat(), hours=format(hours, "g"),
                 latest=self.latest(now).isoformat(timespec="seconds"))


def validate_readings(frame: pd.DataFrame, source: str | None = None,
                      window: ReadingWindow = ReadingWindow()) -> pd.DataFrame:
    """Check a frame of readings and return it typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``sensor`` (code), ``time`` (ISO 8601 text or datetimes; without an offset it is
        taken as UTC), ``value`` (number, in the sensor's unit).
    source : str, optional
        Where the readings come from, for the messages.
    window : ReadingWindow
        The plausible times (by default from 2000 to an hour after the clock).

    Returns
    -------
    pandas.DataFrame
        ``sensor`` (str), ``time`` (datetime64, UTC), ``value`` (float).

    Raises
    ------
    ValidationError
        Missing columns, or readings without a sensor, with a time that is not ISO 8601 or
        outside the window, or a value that is not a finite number (``reading N`` counts
        from 1).
    """
    missing = [c for c in READING_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_("missing field %(field)r in the readings", field=c),
                                       column=c, source=source) for c in missing])
    frame = frame.reset_index(drop=True)
    sensor = frame["sensor"].astype("string").str.strip().fillna("")
    raw_time = frame["time"]
    if pd.api.types.is_datetime64_any_dtype(raw_time):
        time = pd.to_datetime(raw_time, utc=True)
    else:
        time = pd.to_datetime(raw_time.astype("string"), utc=True, format="ISO8601",
                              errors="coerce")
    numbers = pd.to_numeric(frame["value"].where(~frame["value"].map(
        lambda v: isinstance(v, bool))), errors="coerce").astype(float)
    implausible = time.notna().to_numpy() & ~window.contains(time.fillna(window.earliest))
    problems: list[Problem] = []
    for mask, column, what in ((sensor.eq(""), "sensor", _("expected a sensor code")),
                               (time.isna(), "time", _("expected an ISO 8601 time")),
                               (implausible, "time",
                                _("expected %(window)s", window=window.describe())),
                               (~np.isfinite(numbers), "value", _("expected a finite number"))):
        for i in np.flatnonzero(np.asarray(mask, dtype=bool))[:_MAX_PROBLEMS].tolist():
            problems.append(Problem(_("reading %(n)s: %(problem)s, got %(value)r", n=i + 1,
                                      problem=what, value=frame[column].iloc[i]),
                                    column=column, source=source))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame({"sensor": sensor.astype(str), "time": time,
                         "value": numbers.to_numpy()})


def insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert readings; a row another writer stored meanwhile is skipped, not an error.
    Returns how many rows the database inserted (counted from what it returns, so that a
    reading another writer stored first is not counted here)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(SensorReading).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(SensorReading).on_conflict_do_nothing()
    else:
        stmt = insert(SensorReading)
    returned = session.connection().execute(stmt.returning(SensorReading.sensor_id), rows)
    return len(returned.all())


def readings_frame(rows: Sequence[Any]) -> pd.DataFrame:
    """Rows of (sensor id, time, value) as a frame, times in UTC."""
    return pd.DataFrame({"sensor_id": np.array([r[0] for r in rows], dtype=int),
                         "time": utc_times([r[1] for r in rows]),
                         "value": np.array([r[2] for r in rows], dtype=float)})


def stored_readings(session: Session, sensor_ids: list[int], start: datetime, end: datetime
            ) -> pd.DataFrame:
    rows = session.execute(select(SensorReading.sensor_id, SensorReading.time,
                                  SensorReading.value).where(
        SensorReading.sensor_id.in_(sensor_ids), SensorReading.time >= start,
        SensorReading.time <= end)).all()
    return readings_frame(rows)


def load_readings(session: Session, sensor_ids: Sequence[int], since: pd.Timestamp,
          look_back: pd.Timedelta) -> pd.DataFrame:
    """Readings of the sensors from ``look_back`` before ``since`` (and at least the last one
    before ``since``) to the latest: ``sensor_id``, ``time`` (UTC), ``value``."""
    lower = (since - look_back).to_pydatetime()
    previous = session.scalar(select(func.max(SensorReading.time)).where(
        SensorReading.sensor_id.in_(sensor_ids), SensorReading.time < since.to_pydatetime()))
    if previous is not None:
        lower = min(lower, utc_times([previous])[0].to_pydatetime())
    rows = session.execute(select(SensorReading.sensor_id, SensorReading.time,
                                  SensorReading.value)
                           .where(SensorReading.sensor_id.in_(sensor_ids),
                                  SensorReading.time >= lower)
                           .order_by(SensorReading.sensor_id, SensorReading.time)).all()
    return readings_frame(rows)
