"""Sensors, their readings and the alerts they raise: the monitoring shared by the tailings
facilities (issue 9) and the ground-stress early warning (issue 5).

A sensor belongs to a site. Its alarm rules are either its own, kept as data (see
:func:`parse_rules`), or, for a monitoring point of a tailings facility, those the
facility's design gives (:mod:`aurum.safety.tailings`). A frame of readings is ingested in
one transaction: readings already stored (same sensor, same time) are skipped, so a
gateway may deliver twice; the new readings are judged on a trailing window; a sensor or a
facility whose level rises raises an alert; a facility whose state calls for a hazard
(:func:`aurum.safety.tailings.facility_alarm` decides) opens one in the register.

Alerts are not repeated while they stand: a rise raises an alert only above the highest
level among the source's unacknowledged alerts (and the alerts this frame already raised),
so readings flickering about a threshold raise one alert, and a new one after the operator
acknowledged it.

Who may write: an admin, an enterprise user on its own sites, and the platform's own
processes (:data:`SYSTEM`: the MQTT listener, the command line). Regulators and auditors
read; acknowledging an alert is the operator's (the enterprise's) or an admin's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.safety.sensors import (
    AccumulationRule,
    AlarmLevel,
    Direction,
    LevelThresholds,
    RateRule,
    Rule,
    ThresholdRule,
    TrendRule,
    evaluate_rules,
    read_pressure_cells,
    rolling_sum,
)
from aurum.safety.tailings import (
    DamType,
    FacilityAlarm,
    MonitoringPoint,
    PointKind,
    TailingsDesign,
    alarm_history,
    demo_design,
    facility_alarm,
    item_rules,
    load_tables,
    roll_up,
    simulate_stream,
)
from aurum.services import delivery, safety
from aurum.services.auth import SYSTEM, Actor, Role, actor_for
from aurum.services.platform import Platform
from aurum.services.registry import get_site
from aurum.store import audit
from aurum.store.db import transaction
from aurum.store.models import (
    Alert,
    SafetyHazard,
    Sensor,
    SensorReading,
    Site,
    TailingsFacility,
    User,
    utcnow,
)

READING_COLUMNS = ("sensor", "time", "value")
RULE_KINDS = ("threshold", "rate", "trend", "accumulation")
SOURCES = ("sensor", "tailings", "seismic")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_INSERT_CHUNK = 5_000
_MAX_PROBLEMS = 50

EARLIEST_READING = pd.Timestamp("2000-01-01", tz="UTC")
"""No reading the platform stores is older (the digital monitoring records worth loading
start after it; the Elk Creek pressure cells are of 2009). A year-1 time is a device's unset
clock."""
MAX_AHEAD = pd.Timedelta(hours=1)
"""How far ahead of the receiving clock a reading's time may lie: a gateway's clock drift.
Further ahead is a wrong clock or a local time sent without its offset (taken as UTC)."""


# --- rules as data ------------------------------------------------------------------------------


def parse_rules(document: Any, source: str | None = None) -> list[Rule]:
    """Alarm rules from their data form (JSON or YAML), validated.

    Each rule is a mapping: ``kind`` (``threshold``: the reading; ``rate``: change over a
    trailing window per ``per_h``; ``trend``: least-squares slope over the window per
    ``per_h``; ``accumulation``: sum over the window), ``levels`` (threshold per level name,
    ``blue``..``red``, in the sensor's unit, per ``per_h`` hours for rates and trends),
    ``direction`` (``above``, the default, or ``below``), ``window_h`` (window, h; rates,
    trends and sums), ``per_h`` (time unit of a rate, h; default 24) and ``min_points``
    (fewest samples of a trend; default 3).

    Raises
    ------
    ValidationError
        One problem per bad field, naming the rule (``rules[2].levels``...).
    """
    if not isinstance(document, list):
        raise ValidationError(Problem("expected a list of rules", column="rules",
                                      source=source))
    rules: list[Rule] = []
    problems: list[Problem] = []
    for n, entry in enumerate(document, start=1):
        where = f"rules[{n}]"
        try:
            rules.append(_rule(entry, where))
        except ValidationError as exc:
            problems += [Problem(p.message, column=p.column or where, source=source)
                         for p in exc.problems]
    if problems:
        raise ValidationError(problems)
    return rules


def _rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, Mapping):
        raise ValidationError(Problem("expected a mapping with kind and levels", column=where))
    kind = entry.get("kind")
    if kind not in RULE_KINDS:
        raise ValidationError(Problem(f"unknown kind {kind!r}: expected one of "
                                      f"{', '.join(RULE_KINDS)}", column=f"{where}.kind"))
    try:
        direction = Direction(entry.get("direction", "above"))
    except ValueError:
        raise ValidationError(Problem("expected direction above or below",
                                      column=f"{where}.direction")) from None
    levels = entry.get("levels")
    if not isinstance(levels, Mapping) or not levels:
        raise ValidationError(Problem("expected levels such as {yellow: 1.0, red: 2.0}",
                                      column=f"{where}.levels"))
    try:
        values = {AlarmLevel.parse(str(k)): _number(v, f"{where}.levels.{k}")
                  for k, v in levels.items()}
        thresholds = LevelThresholds(direction, values)
    except ValidationError as exc:
        raise ValidationError([Problem(p.message, column=p.column or f"{where}.levels")
                               for p in exc.problems]) from None
    if kind == "threshold":
        return ThresholdRule(thresholds)
    window = pd.Timedelta(hours=_positive(entry.get("window_h"), f"{where}.window_h"))
    if kind == "accumulation":
        return AccumulationRule(thresholds, window)
    per = pd.Timedelta(hours=_positive(entry.get("per_h", 24), f"{where}.per_h"))
    if kind == "rate":
        return RateRule(thresholds, window, per)
    min_points = entry.get("min_points", 3)
    if not isinstance(min_points, int) or min_points < 2:
        raise ValidationError(Problem("expected an integer >= 2",
                                      column=f"{where}.min_points"))
    return TrendRule(thresholds, window, per, min_points)


def _number(value: Any, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        raise ValidationError(Problem(f"expected a number, got {value!r}", column=column))
    return float(value)


def _positive(value: Any, column: str) -> float:
    number = _number(value, column)
    if number <= 0:
        raise ValidationError(Problem(f"expected hours > 0, got {value!r}", column=column))
    return number


def rules_to_data(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    """The data form of rules (what :func:`parse_rules` reads)."""
    out = []
    for rule in rules:
        entry: dict[str, Any] = {
            "kind": {"value": "threshold"}.get(rule.name, rule.name),
            "direction": rule.thresholds.direction.value,
            "levels": {lv.label: v for lv, v in sorted(rule.thresholds.values.items())}}
        if not isinstance(rule, ThresholdRule):
            entry["window_h"] = rule.window / pd.Timedelta(hours=1)
        if isinstance(rule, RateRule | TrendRule):
            entry["per_h"] = rule.per / pd.Timedelta(hours=1)
        if isinstance(rule, TrendRule):
            entry["min_points"] = rule.min_points
        out.append(entry)
    return out


def _window(rules: Sequence[Rule]) -> pd.Timedelta:
    """The longest trailing window the rules look back over (0 for thresholds only)."""
    return max((getattr(r, "window", pd.Timedelta(0)) for r in rules), default=pd.Timedelta(0))


def facility_window() -> pd.Timedelta:
    """The longest trailing window of the tailings items' rules (72 h in the shipped
    tables)."""
    specs = load_tables().items.values()
    windows = [w.window for s in specs for w in (s.rate, s.trend, s.accumulation) if w]
    return max(windows, default=pd.Timedelta(0))


# --- sensors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensorSpec:
    """What a new sensor needs.

    Parameters
    ----------
    site, code : str
        Site code and the sensor's code (letters, digits, ``_.:-``; it names the MQTT topic
        ``aurum/sensors/<site>/<code>``).
    kind : str
        What it measures: for a point of a tailings facility one of
        :class:`aurum.safety.tailings.PointKind`; otherwise free (``pressure_cell``,
        ``displacement``...).
    unit : str, optional
        Unit of its readings (required unless a facility point, whose unit is its item's).
    facility : str, optional
        Code of the tailings facility it monitors.
    x, y, z : float, optional
        Mine-grid position, m.
    depth_m : float, optional
        Depth in its borehole, m.
    surface_elevation_m : float, optional
        Dam surface elevation above a piezometer, m (phreatic points).
    rules : list, optional
        Its own alarm rules as data (:func:`parse_rules`); not for facility points.
    """

    site: str
    code: str
    kind: str
    unit: str | None = None
    facility: str | None = None
    x: float | None = None
    y: float | None = None
    z: float | None = None
    depth_m: float | None = None
    surface_elevation_m: float | None = None
    rules: Sequence[Mapping[str, Any]] = ()


def _require_write(actor: Actor, site: Site) -> None:
    actor.require_read_site(site)
    if not actor.can_write_site(site):
        raise PermissionDenied(f"{actor.role.value} users cannot write the monitoring of "
                               f"{site.code}")


def _point_unit(kind: PointKind) -> str:
    tables = load_tables()
    return tables.items[tables.point_items[kind][0]].unit


def register_sensor(session: Session, actor: Actor, spec: SensorSpec) -> Sensor:
    """Register a sensor on a site (an admin, or the site's enterprise).

    Raises
    ------
    ValidationError
        A bad or repeated code, a facility of another site, a kind that is no monitoring
        point of a facility, a missing unit, bad rules.
    """
    site = get_site(session, actor, spec.site)
    _require_write(actor, site)
    problems: list[Problem] = []
    if not _CODE.match(spec.code or ""):
        problems.append(Problem("expected a code of letters, digits and _.:- (at most 64, "
                                "no '/')", column="code"))
    elif session.scalar(select(Sensor).where(Sensor.site_id == site.id,
                                             Sensor.code == spec.code)) is not None:
        problems.append(Problem(f"sensor {spec.code!r} exists already on {site.code}",
                                column="code"))
    facility = None
    unit = (spec.unit or "").strip()
    rules: list[Rule] = []
    if spec.facility:
        facility = session.scalar(select(TailingsFacility)
                                  .where(TailingsFacility.code == spec.facility))
        if facility is None or facility.site_id != site.id:
            problems.append(Problem(f"no tailings facility {spec.facility!r} on {site.code}",
                                    column="facility"))
        elif spec.kind not in PointKind.__members__.values():
            problems.append(Problem(f"a point of a tailings facility measures one of "
                                    f"{', '.join(k.value for k in PointKind)}, not "
                                    f"{spec.kind!r}", column="kind"))
        else:
            unit = _point_unit(PointKind(spec.kind))
            if spec.unit and spec.unit.strip() != unit:
                problems.append(Problem(f"a {spec.kind} point reads in {unit}, not "
                                        f"{spec.unit!r}", column="unit"))
            if spec.kind == PointKind.PHREATIC_LINE and spec.surface_elevation_m is None:
                problems.append(Problem("a piezometer needs the dam surface elevation above "
                                        "it (m)", column="surface_elevation_m"))
            if spec.rules:
                problems.append(Problem("a facility point's rules come from the facility's "
                                        "design", column="rules"))
    else:
        if not (spec.kind or "").strip():
            problems.append(Problem("expected the kind of sensor", column="kind"))
        if not unit:
            problems.append(Problem("expected the unit of its readings", column="unit"))
        try:
            rules = parse_rules(list(spec.rules))
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        raise ValidationError(problems)
    sensor = Sensor(site_id=site.id, code=spec.code, kind=spec.kind.strip(), unit=unit,
                    facility_id=None if facility is None else facility.id, x=spec.x, y=spec.y,
                    z=spec.z, depth_m=spec.depth_m, surface_elevation_m=spec.surface_elevation_m,
                    rules=rules_to_data(rules), alarm_level=0,
                    created_by=actor.user_id or None)
    sensor.site = site
    session.add(sensor)
    session.flush()
    return sensor


def get_sensor(session: Session, actor: Actor, site_code: str, code: str) -> Sensor:
    """A sensor the actor may read."""
    site = get_site(session, actor, site_code)
    sensor = session.scalar(select(Sensor).where(Sensor.site_id == site.id,
                                                 Sensor.code == code))
    if sensor is None:
        raise NotFoundError(f"no sensor {code!r} on {site.code}")
    return sensor


def set_rules(session: Session, actor: Actor, site_code: str, code: str,
              rules: Sequence[Mapping[str, Any]]) -> Sensor:
    """Replace a sensor's own alarm rules (new readings are judged by them)."""
    sensor = get_sensor(session, actor, site_code, code)
    _require_write(actor, sensor.site)
    if sensor.facility_id is not None:
        raise ValidationError(Problem("a facility point's rules come from the facility's "
                                      "design", column="rules"))
    sensor.rules = rules_to_data(parse_rules(list(rules)))
    return sensor


def list_sensors(session: Session, actor: Actor, site: str | None = None) -> pd.DataFrame:
    """Sensors the actor may read: ``site``, ``code``, ``kind``, ``unit``, ``facility``,
    ``x``, ``y``, ``z``, ``depth_m``, ``alarm_level``, ``n_rules``."""
    stmt = select(Sensor, Site.code).join(Site, Sensor.site_id == Site.id)
    stmt = actor.where_visible(stmt)
    if site:
        stmt = stmt.where(Site.id == get_site(session, actor, site).id)
    rows = session.execute(stmt.order_by(Site.code, Sensor.code)).all()
    return pd.DataFrame([{
        "site": code, "code": s.code, "kind": s.kind, "unit": s.unit,
        "facility": s.facility.code if s.facility else None, "x": s.x, "y": s.y, "z": s.z,
        "depth_m": s.depth_m, "alarm_level": AlarmLevel(s.alarm_level).label,
        "n_rules": len(s.rules or [])} for s, code in rows],
        columns=["site", "code", "kind", "unit", "facility", "x", "y", "z", "depth_m",
                 "alarm_level", "n_rules"])


def sensor_codes(session: Session, site_code: str) -> set[str] | None:
    """Codes of a site's sensors, or None for an unknown site (for the MQTT listener)."""
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        return None
    return set(session.scalars(select(Sensor.code).where(Sensor.site_id == site.id)))


# --- readings -----------------------------------------------------------------------------------


def _utc(values: Any) -> pd.DatetimeIndex:
    """Times as UTC (SQLite gives them back naive, PostgreSQL in the session's zone)."""
    return pd.DatetimeIndex(pd.to_datetime(values, utc=True))


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
        stamps = _utc(times)
        return np.asarray((stamps >= self.earliest) & (stamps <= self.latest(now)), dtype=bool)

    def describe(self, now: datetime | None = None) -> str:
        """The window in words, for messages."""
        hours = self.ahead / pd.Timedelta(hours=1)
        return (f"a time from {self.earliest.isoformat()} to {hours:g} h after the receiving "
                f"clock ({self.latest(now).isoformat(timespec='seconds')})")


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
        raise ValidationError([Problem(f"missing field {c!r} in the readings", column=c,
                                       source=source) for c in missing])
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
    for mask, column, what in ((sensor.eq(""), "sensor", "expected a sensor code"),
                               (time.isna(), "time", "expected an ISO 8601 time"),
                               (implausible, "time", f"expected {window.describe()}"),
                               (~np.isfinite(numbers), "value", "expected a finite number")):
        for i in np.flatnonzero(np.asarray(mask, dtype=bool))[:_MAX_PROBLEMS].tolist():
            problems.append(Problem(f"reading {i + 1}: {what}, got {frame[column].iloc[i]!r}",
                                    column=column, source=source))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame({"sensor": sensor.astype(str), "time": time,
                         "value": numbers.to_numpy()})


@dataclass
class IngestResult:
    """What a frame of readings did: counts, the alerts raised and hazards opened.

    ``duplicates`` counts the readings skipped because their sensor and time were stored
    already or came earlier in the frame; ``conflicts`` those of them whose value differs
    from the one kept (the first stored wins).
    """

    site: str
    received: int
    inserted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    hazards: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "received": self.received, "inserted": self.inserted,
                "duplicates": self.duplicates, "conflicts": self.conflicts,
                "alerts": self.alerts, "hazards": self.hazards}


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
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


def _readings_frame(rows: Sequence[Any]) -> pd.DataFrame:
    """Rows of (sensor id, time, value) as a frame, times in UTC."""
    return pd.DataFrame({"sensor_id": np.array([r[0] for r in rows], dtype=int),
                         "time": _utc([r[1] for r in rows]),
                         "value": np.array([r[2] for r in rows], dtype=float)})


def _stored(session: Session, sensor_ids: list[int], start: datetime, end: datetime
            ) -> pd.DataFrame:
    rows = session.execute(select(SensorReading.sensor_id, SensorReading.time,
                                  SensorReading.value).where(
        SensorReading.sensor_id.in_(sensor_ids), SensorReading.time >= start,
        SensorReading.time <= end)).all()
    return _readings_frame(rows)


def ingest(session: Session, actor: Actor, site_code: str, readings: pd.DataFrame, *,
           source: str = "api", progress: Callable[[int, int], None] | None = None,
           window: ReadingWindow = ReadingWindow()) -> IngestResult:
    """Store a frame of readings of one site, judge them and raise alerts.

    Parameters
    ----------
    session : Session
        Open transaction: the frame is stored whole or not at all.
    actor : Actor
        An admin, the site's enterprise, or :data:`SYSTEM`.
    site_code : str
    readings : pandas.DataFrame
        ``sensor``, ``time``, ``value`` (see :func:`validate_readings`).
    source : str
        Where they come from (``api``, ``mqtt``, a file name), for messages and the audit.
    progress : callable, optional
        Called with (readings stored, readings to store).
    window : ReadingWindow
        The plausible times of a reading (:func:`validate_readings`).

    Returns
    -------
    IngestResult
        ``inserted`` counts the rows the database inserted: a reading another writer stored
        between this one's look-up and its insert counts as a duplicate.

    Raises
    ------
    NotFoundError
        Unknown site (or outside the actor's scope).
    ValidationError
        Bad readings (a time outside the window among them) or unknown sensors; nothing is
        stored.
    """
    site = get_site(session, actor, site_code)
    _require_write(actor, site)
    frame = validate_readings(readings, source, window)
    sensors = {s.code: s for s in session.scalars(select(Sensor).where(Sensor.site_id == site.id))}
    unknown = sorted(set(frame["sensor"]) - set(sensors))
    if unknown:
        raise ValidationError(Problem(
            f"unknown sensor(s) of {site.code}: {', '.join(unknown[:10])}"
            f"{' ...' if len(unknown) > 10 else ''}; register them first", column="sensor",
            source=source))
    result = IngestResult(site.code, len(frame))
    if frame.empty:
        return result
    frame["sensor_id"] = frame["sensor"].map({c: s.id for c, s in sensors.items()}).astype(int)
    ids = sorted(set(frame["sensor_id"].tolist()))
    stored = _stored(session, ids, frame["time"].min().to_pydatetime(),
                     frame["time"].max().to_pydatetime())
    # What is stored comes first and wins; then the frame's first reading of a sensor and time.
    key = ["sensor_id", "time"]
    combined = pd.concat([stored.assign(new=False),
                          frame[[*key, "value"]].assign(new=True)], ignore_index=True)
    repeated = combined.duplicated(key, keep="first")
    kept = combined[~repeated]
    new = frame.loc[kept.index[kept["new"].to_numpy()] - len(stored)]
    new = new.sort_values(key, kind="stable")
    skipped = combined[repeated]
    kept_value = kept.set_index(key)["value"].reindex(pd.MultiIndex.from_frame(skipped[key]))
    result.inserted = len(new)
    result.duplicates = len(skipped)
    result.conflicts = int((skipped["value"].to_numpy() != kept_value.to_numpy()).sum())
    rows = [{"sensor_id": int(i), "time": t, "value": float(v)} for i, t, v in
            zip(new["sensor_id"].tolist(), new["time"].dt.to_pydatetime(),
                new["value"].tolist(), strict=True)]
    inserted = 0
    for start in range(0, len(rows), _INSERT_CHUNK):
        inserted += _insert_ignoring_duplicates(session, rows[start:start + _INSERT_CHUNK])
        if progress is not None:
            progress(min(start + _INSERT_CHUNK, len(rows)), len(rows))
    # Another writer's rows, stored meanwhile, are duplicates, not insertions.
    result.duplicates += result.inserted - inserted
    result.inserted = inserted
    if new.empty:
        return result
    audit.record(session, "ingest", "sensor_readings", site.code, after={
        "source": source, "inserted": result.inserted, "duplicates": result.duplicates,
        "conflicts": result.conflicts, "sensors": sorted(set(new["sensor"])),
        "first": new["time"].min().isoformat(), "last": new["time"].max().isoformat()})
    first_new = new.groupby("sensor_id")["time"].min()
    by_id = {s.id: s for s in sensors.values()}
    for sensor_id, since in zip(first_new.index.tolist(), first_new.tolist(), strict=True):
        sensor = by_id[int(sensor_id)]
        if sensor.facility_id is None and sensor.rules:
            result.alerts += _judge_sensor(session, sensor, since)
    facilities = {by_id[int(i)].facility_id for i in first_new.index} - {None}
    for facility_id in sorted(f for f in facilities if f is not None):
        facility = session.get(TailingsFacility, facility_id)
        assert facility is not None
        points = {s.id for s in facility.sensors}
        since = first_new[first_new.index.isin(points)].min()
        alerts, hazards = _judge_facility(session, facility, since)
        result.alerts += alerts
        result.hazards += hazards
    session.flush()
    return result


def _load(session: Session, sensor_ids: Sequence[int], since: pd.Timestamp,
          look_back: pd.Timedelta) -> pd.DataFrame:
    """Readings of the sensors from ``look_back`` before ``since`` (and at least the last one
    before ``since``) to the latest: ``sensor_id``, ``time`` (UTC), ``value``."""
    lower = (since - look_back).to_pydatetime()
    previous = session.scalar(select(func.max(SensorReading.time)).where(
        SensorReading.sensor_id.in_(sensor_ids), SensorReading.time < since.to_pydatetime()))
    if previous is not None:
        lower = min(lower, _utc([previous])[0].to_pydatetime())
    rows = session.execute(select(SensorReading.sensor_id, SensorReading.time,
                                  SensorReading.value)
                           .where(SensorReading.sensor_id.in_(sensor_ids),
                                  SensorReading.time >= lower)
                           .order_by(SensorReading.sensor_id, SensorReading.time)).all()
    return _readings_frame(rows)


def _standing(session: Session, **source: Any) -> int:
    """Highest level among the unacknowledged alerts of a source (a sensor, a facility...;
    the keywords are columns of :class:`~aurum.store.models.Alert`)."""
    stmt = select(func.max(Alert.level)).where(Alert.acknowledged_at.is_(None))
    for column, value in source.items():
        stmt = stmt.where(getattr(Alert, column) == value)
    return int(session.scalar(stmt) or 0)


def _alerting(levels: np.ndarray, previous: np.ndarray, is_new: np.ndarray,
              standing: int) -> np.ndarray:
    """Indices of the new samples whose level rises above the previous sample's and above
    every level alerted so far (the standing alerts', and the earlier rises of this
    frame)."""
    rises = np.flatnonzero(is_new & (levels > previous))
    if rises.size == 0:
        return rises
    reached = np.maximum.accumulate(np.r_[standing, levels[rises]])[:-1]
    return rises[levels[rises] > reached]


def _judge_sensor(session: Session, sensor: Sensor, since: pd.Timestamp
                  ) -> list[dict[str, Any]]:
    """Judge a sensor's new readings (from ``since``) by its own rules."""
    rules = parse_rules(sensor.rules)
    # Twice the window: the first new sample's predecessor needs a full window of its own.
    data = _load(session, [sensor.id], since, 2 * _window(rules))
    evaluation = evaluate_rules(rules, data["time"], data["value"])
    levels = evaluation.level.astype(int)
    previous = np.r_[0, levels[:-1]]
    alerts = []
    for i in _alerting(levels, previous, np.asarray(data["time"] >= since),
                       _standing(session, sensor_id=sensor.id)).tolist():
        rule = rules[int(evaluation.rule[i])]
        level = AlarmLevel(int(levels[i]))
        compared = float(evaluation.quantity[i])
        alert = Alert(site_id=sensor.site_id, source="sensor", sensor_id=sensor.id,
                      rule=rule.name, level=int(level),
                      time=data["time"].iloc[i].to_pydatetime(),
                      value=float(data["value"].iloc[i]),
                      message=f"{sensor.code} {level.label}: {rule.name} {compared:.4g} "
                              f"({rule.thresholds.describe()}; readings in {sensor.unit})")
        session.add(alert)
        session.flush()
        raised = alert_dict(alert, site=sensor.site.code, sensor=sensor.code)
        delivery.deliver_on_commit(session, raised)
        alerts.append(raised)
    latest = int(levels[-1]) if len(levels) else 0
    if latest != sensor.alarm_level:
        sensor.alarm_level = latest
    return alerts


def monitoring_points(facility: TailingsFacility) -> list[MonitoringPoint]:
    """The facility's sensors as the tailings rules see them."""
    return [MonitoringPoint(s.code, PointKind(s.kind), s.surface_elevation_m)
            for s in facility.sensors]


def _point_frame(facility: TailingsFacility, data: pd.DataFrame) -> pd.DataFrame:
    codes = {s.id: s.code for s in facility.sensors}
    return pd.DataFrame({"point": data["sensor_id"].map(codes).astype(str),
                         "time": data["time"], "value": data["value"]})


def _judge_facility(session: Session, facility: TailingsFacility, since: pd.Timestamp
                    ) -> tuple[list[dict[str, Any]], list[int]]:
    """Judge a facility after new readings (from ``since``): its level at each time a point's
    level changed, alerts on rises, and the hazard its state calls for.

    The levels of every reading come from :func:`aurum.safety.tailings.alarm_history` on the
    readings of twice the longest rule window before ``since``, and roll up to the facility
    with :func:`aurum.safety.tailings.roll_up`, as :func:`~aurum.safety.tailings.facility_alarm`
    does. That function itself, which decides the hazard, runs only at the changes where the
    levels could call for a hazard more severe than the one open (it recomputes the history:
    once per change would cost a tenth of a second each).
    """
    design = safety.design_of(facility)
    points = monitoring_points(facility)
    look_back = 2 * facility_window()
    data = _point_frame(facility, _load(session, [s.id for s in facility.sensors], since,
                                        look_back))
    history = alarm_history(design, points, data)
    if history.empty:
        return [], []
    tables = load_tables()
    levels = (history.pivot_table(index="time", columns=["item", "point"], values="level",
                                  aggfunc="max").sort_index().ffill().fillna(0).astype(int))
    changes = levels[levels.ne(levels.shift()).any(axis=1).to_numpy()]
    earlier = changes[changes.index < since]
    previous = _roll_up(earlier.iloc[-1], tables)[0] if len(earlier) else 0
    reached = _standing(session, facility_id=facility.id, source="tailings")
    open_severity = safety.open_monitoring_severity(session, facility)
    alerts, hazards = [], []
    after = changes[changes.index >= since]
    for k, t in enumerate(pd.DatetimeIndex(after.index)):  # level changes, not samples
        row = after.iloc[k]
        level, items = _roll_up(row, tables)
        hazard = None
        if _possible_severity(row, items, tables) > open_severity:
            window = data[(data["time"] > t - look_back) & (data["time"] <= t)]
            proposal = facility_alarm(design, points, window, as_of=t).hazard
            if proposal is not None and safety.severity(proposal.level.value) > open_severity:
                hazard = safety.open_monitoring_hazard(session, facility, proposal,
                                                       t.to_pydatetime())
                open_severity = safety.severity(proposal.level.value)
                hazards.append(hazard.id)
        if (level > previous and level > reached) or hazard is not None:
            alerts.append(_facility_alert(session, facility, history, t, level, items, hazard))
            reached = max(reached, level)
        previous = level
    if int(previous) != facility.alarm_level or facility.alarm_at is None:
        facility.alarm_level = int(previous)
        facility.alarm_at = levels.index[-1].to_pydatetime()
    # history is sorted by item, point and time: the last row is the latest reading
    latest = history.groupby(["point", "item"])["level"].last().groupby(level="point").max()
    for sensor in facility.sensors:
        if sensor.code in latest.index and int(latest[sensor.code]) != sensor.alarm_level:
            sensor.alarm_level = int(latest[sensor.code])
    return alerts, hazards


def _roll_up(row: pd.Series, tables: Any) -> tuple[int, dict[str, int]]:
    """The facility's level and its items' from the latest level of each (item, point)."""
    items = {str(item): int(roll_up(row[item].to_numpy(), tables.points_to_item))
             for item in row.index.unique(level="item")}
    return int(roll_up(list(items.values()), tables.items_to_facility)), items


def _possible_severity(row: pd.Series, items: Mapping[str, int], tables: Any) -> int:
    """The most severe hazard (see :func:`aurum.services.safety.severity`) these levels could
    call for: major when a point of an item with a criterion is at the major level, general
    when an item that opens hazards is at the general level (an upper bound: which rule
    alarmed is left to the domain)."""
    opening = [i for i, lv in items.items()
               if tables.items[i].opens_hazard and lv >= tables.general_at]
    if any(tables.items[i].criterion and (row[i].to_numpy() >= tables.major_at).any()
           for i in opening):
        return 2
    return 1 if opening else 0


def _facility_alert(session: Session, facility: TailingsFacility, history: pd.DataFrame,
                    at: pd.Timestamp, level: int, items: Mapping[str, int],
                    hazard: SafetyHazard | None) -> dict[str, Any]:
    latest = history[history["time"] <= at].groupby(["item", "point"]).tail(1)
    worst = latest.sort_values(["level", "time"], ascending=False, kind="stable").iloc[0]
    spec = load_tables().items[str(worst["item"])]
    value = worst["compared"] if np.isfinite(worst["compared"]) else worst["quantity"]
    judged = f"{worst['rule']} " if worst["rule"] and worst["rule"] != "value" else ""
    listed = ", ".join(f"{i} {AlarmLevel(lv).label}" for i, lv in
                       sorted(items.items(), key=lambda kv: -kv[1]) if lv > 0)
    alert = Alert(site_id=facility.site_id, source="tailings", facility_id=facility.id,
                  rule=str(worst["item"]), level=level, time=at.to_pydatetime(),
                  value=float(value),
                  message=f"Tailings facility {facility.code} {AlarmLevel(level).label}: "
                          f"{listed} (worst: point {worst['point']}, {spec.label_en} "
                          f"{judged}{value:.3g})",
                  hazard_id=None if hazard is None else hazard.id)
    session.add(alert)
    session.flush()
    raised = alert_dict(alert, site=facility.site.code, facility=facility.code)
    delivery.deliver_on_commit(session, raised)
    return raised


def sensor_readings(session: Session, actor: Actor, site_code: str, code: str,
                    start: datetime | None = None, end: datetime | None = None
                    ) -> pd.DataFrame:
    """A sensor's readings (``time`` UTC, ``value`` in its unit), oldest first."""
    sensor = get_sensor(session, actor, site_code, code)
    stmt = select(SensorReading.time, SensorReading.value).where(
        SensorReading.sensor_id == sensor.id)
    if start is not None:
        stmt = stmt.where(SensorReading.time >= _utc([start])[0].to_pydatetime())
    if end is not None:
        stmt = stmt.where(SensorReading.time <= _utc([end])[0].to_pydatetime())
    rows = session.execute(stmt.order_by(SensorReading.time)).all()
    return pd.DataFrame({"time": _utc([r[0] for r in rows]),
                         "value": np.array([r[1] for r in rows], dtype=float)})


# --- tailings facilities: readings and state -----------------------------------------------------


@dataclass(frozen=True)
class FacilityView:
    """A facility's readings and what the tailings rules make of them."""

    facility: TailingsFacility
    points: list[MonitoringPoint]
    readings: pd.DataFrame
    history: pd.DataFrame
    state: FacilityAlarm | None


def facility_view(session: Session, actor: Actor, code: str, days: float | None = 30.0
                  ) -> FacilityView:
    """A facility's readings, the alarm level of every reading
    (:func:`aurum.safety.tailings.alarm_history`) and its state at the latest reading.

    Parameters
    ----------
    code : str
        The facility's code.
    days : float or None
        Length of the history up to the latest reading, d (None: all of it).
    """
    facility = safety.get_facility(session, actor, code)
    points = monitoring_points(facility)
    ids = [s.id for s in facility.sensors]
    stmt = select(SensorReading.sensor_id, SensorReading.time, SensorReading.value).where(
        SensorReading.sensor_id.in_(ids))
    if days is not None and ids:
        last = session.scalar(select(func.max(SensorReading.time))
                              .where(SensorReading.sensor_id.in_(ids)))
        if last is not None:
            first = _utc([last])[0] - pd.Timedelta(days=days)
            stmt = stmt.where(SensorReading.time >= first.to_pydatetime())
    rows = session.execute(stmt.order_by(SensorReading.sensor_id, SensorReading.time)).all()
    readings = _point_frame(facility, _readings_frame(rows))
    design = safety.design_of(facility)
    history = alarm_history(design, points, readings)
    state = facility_alarm(design, points, readings) if not history.empty else None
    return FacilityView(facility, points, readings, history, state)


@dataclass(frozen=True)
class ItemSeries:
    """One monitoring item of a facility for a chart: the quantity its rules judge per point
    (``time``, ``point``, ``quantity``), its unit, the alarm thresholds on that quantity by
    level name, and the item's other rules described."""

    item: str
    label: str
    unit: str
    series: pd.DataFrame
    thresholds: dict[str, float]
    other_rules: str


def item_series(view: FacilityView) -> list[ItemSeries]:
    """The facility's items in the order of the tailings tables, each with what its
    threshold rule judges (the reading's quantity), or for an item judged on a sum (rain)
    the sum over the rule's window."""
    tables = load_tables()
    design = safety.design_of(view.facility)
    out = []
    for item, spec in tables.items.items():
        part = view.history[view.history["item"] == item]
        if part.empty:
            continue
        rules = item_rules(design, spec)
        judged: Rule | None = next((r for r in rules if isinstance(r, ThresholdRule)), None)
        series = part[["time", "point", "quantity"]].reset_index(drop=True)
        label = f"{spec.label_en} ({spec.label_zh})"
        if judged is None:
            summed = next((r for r in rules if isinstance(r, AccumulationRule)), None)
            if summed is not None:
                judged = summed
                series = series.assign(quantity=np.concatenate([
                    rolling_sum(g["time"], g["quantity"], summed.window)
                    for _, g in series.groupby("point", sort=False)]))
                label += f", sum over {summed.window / pd.Timedelta(hours=1):g} h"
        others = "; ".join(f"{r.name} over {_window([r]) / pd.Timedelta(hours=1):g} h: "
                           f"{r.thresholds.describe()}" for r in rules if r is not judged)
        thresholds = {} if judged is None else {
            lv.label: v for lv, v in sorted(judged.thresholds.values.items())}
        out.append(ItemSeries(item, label, spec.unit, series, thresholds, others))
    return out


def writable_sites(session: Session, actor: Actor) -> set[str] | None:
    """Codes of the sites whose monitoring the actor may write (None: every site)."""
    if actor.role is Role.ADMIN:
        return None
    if actor.role is not Role.ENTERPRISE or actor.org_ids is None:
        return set()
    return set(session.scalars(select(Site.code).where(Site.org_id.in_(actor.org_ids))))


# --- alerts -------------------------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    return _utc([at])[0].isoformat()


def alert_dict(alert: Alert, site: str, sensor: str | None = None, facility: str | None = None,
               acknowledged_by: str | None = None) -> dict[str, Any]:
    """An alert as JSON-ready data (``level`` as its name, ``level_value`` 1-4)."""
    return {"id": alert.id, "time": _iso(alert.time), "site": site, "source": alert.source,
            "sensor": sensor, "facility": facility, "rule": alert.rule,
            "level": AlarmLevel(alert.level).label, "level_value": alert.level,
            "value": alert.value, "message": alert.message,
            "acknowledged": alert.acknowledged_at is not None,
            "acknowledged_by": acknowledged_by, "acknowledged_at": _iso(alert.acknowledged_at),
            "ack_note": alert.ack_note, "hazard_id": alert.hazard_id}


ALERT_COLUMNS = ["id", "time", "site", "source", "sensor", "facility", "rule", "level",
                 "level_value", "value", "message", "acknowledged", "acknowledged_by",
                 "acknowledged_at", "ack_note", "hazard_id"]


def list_alerts(session: Session, actor: Actor, *, site: str | None = None,
                facility: str | None = None, acknowledged: bool | None = None,
                min_level: str | None = None, limit: int = 2000) -> pd.DataFrame:
    """Alerts the actor may read, newest first (columns :data:`ALERT_COLUMNS`).

    Parameters
    ----------
    site, facility : str, optional
        Only those of a site or a tailings facility (codes).
    acknowledged : bool, optional
        Only acknowledged (True) or standing (False) alerts.
    min_level : str, optional
        Only alerts at this level (``blue``..``red``) or above.
    limit : int
        At most this many (count).
    """
    stmt = (select(Alert, Site.code).join(Site, Alert.site_id == Site.id)
            .order_by(Alert.time.desc(), Alert.id.desc()).limit(limit))
    stmt = actor.where_visible(stmt)
    if site:
        stmt = stmt.where(Site.id == get_site(session, actor, site).id)
    if facility:
        stmt = stmt.where(Alert.facility_id == safety.get_facility(session, actor, facility).id)
    if acknowledged is not None:
        stmt = stmt.where(Alert.acknowledged_at.is_not(None) if acknowledged
                          else Alert.acknowledged_at.is_(None))
    if min_level:
        stmt = stmt.where(Alert.level >= int(AlarmLevel.parse(min_level)))
    rows = session.execute(stmt).all()
    users = dict(session.execute(select(User.id, User.username).where(User.id.in_(
        {a.acknowledged_by for a, _ in rows if a.acknowledged_by is not None}))).all())
    frame = pd.DataFrame([alert_dict(a, code, a.sensor.code if a.sensor else None,
                                     a.facility.code if a.facility else None,
                                     users.get(a.acknowledged_by) if a.acknowledged_by
                                     else None) for a, code in rows], columns=ALERT_COLUMNS)
    for column in ("time", "acknowledged_at"):
        # Seismic alerts carry fractional seconds, readings' alerts often none: a format
        # inferred from the first row would reject the others.
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def acknowledge(session: Session, actor: Actor, alert_id: int, note: str = "") -> Alert:
    """Acknowledge an alert (its site's enterprise or an admin): who, when and a note.

    Parameters
    ----------
    alert_id : int
    note : str
        What was done (free text).

    Raises
    ------
    NotFoundError
        Unknown alert, or outside the actor's scope.
    ValidationError
        The alert was acknowledged already.
    """
    alert = session.get(Alert, alert_id)
    if alert is None or not actor.can_read_site(alert.site):
        raise NotFoundError(f"no alert {alert_id}")
    if not actor.can_write_site(alert.site):
        raise PermissionDenied(f"{actor.role.value} users cannot acknowledge alerts of "
                               f"{alert.site.code}")
    if alert.acknowledged_at is not None:
        raise ValidationError(Problem(f"alert {alert_id} was acknowledged already, at "
                                      f"{_iso(alert.acknowledged_at)}", column="alert"))
    alert.acknowledged_by = actor.user_id or None
    alert.acknowledged_at = utcnow()
    alert.ack_note = note.strip() or None
    return alert


def raise_alert(session: Session, actor: Actor, site_code: str, *, source: str, rule: str,
                level: int, time: datetime, message: str, value: float | None = None,
                sensor: str | None = None) -> dict[str, Any] | None:
    """Raise an alert from a monitoring that judges its own data (the seismic monitoring's
    event rates, energy, b-value...), under the same rule as the sensors' alerts: nothing
    while an unacknowledged alert of the same source, site (and sensor) at this level or
    above stands. Once the transaction commits, the alert is sent to the webhook and e-mail
    recipients configured (:mod:`aurum.services.delivery`).

    Parameters
    ----------
    site_code : str
    source : str
        One of :data:`SOURCES`.
    rule : str
        Name of the rule that alarmed (at most 32 characters).
    level : int
        1 (blue) to 4 (red).
    time : datetime
        When the condition was met (UTC when naive).
    message : str
        What happened, with the figures and their units.
    value : float, optional
        The figure the rule judged, in its own unit.
    sensor : str, optional
        Code of the site's sensor concerned.

    Returns
    -------
    dict or None
        The alert (:func:`alert_dict`), or None when a standing alert covers it.
    """
    site = get_site(session, actor, site_code)
    _require_write(actor, site)
    problems = []
    if source not in SOURCES:
        problems.append(Problem(f"unknown source {source!r}: expected one of "
                                f"{', '.join(SOURCES)}", column="source"))
    if level not in (1, 2, 3, 4):
        problems.append(Problem(f"expected a level 1 (blue) to 4 (red), got {level!r}",
                                column="level"))
    if not rule or len(rule) > 32:
        problems.append(Problem("expected the rule's name (at most 32 characters)",
                                column="rule"))
    if problems:
        raise ValidationError(problems)
    sensor_id = None if sensor is None else get_sensor(session, actor, site_code, sensor).id
    scope: dict[str, Any] = {"site_id": site.id, "source": source}
    if sensor_id is not None:
        scope["sensor_id"] = sensor_id
    if _standing(session, **scope) >= level:
        return None
    alert = Alert(site_id=site.id, source=source, sensor_id=sensor_id, rule=rule, level=level,
                  time=_utc([time])[0].to_pydatetime(), value=value, message=message)
    session.add(alert)
    session.flush()
    raised = alert_dict(alert, site.code, sensor)
    delivery.deliver_on_commit(session, raised)
    return raised


# --- borehole pressure cells --------------------------------------------------------------------


def import_pressure_cells(session: Session, actor: Actor, path: Path, site_code: str,
                          prefix: str | None = None,
                          progress: Callable[[int, int], None] | None = None
                          ) -> dict[str, Any]:
    """Register the sensors of a borehole pressure-cell workbook (NIOSH Elk Creek layout,
    :func:`aurum.safety.sensors.read_pressure_cells`) on a site and ingest its readings.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` workbook.
    site_code : str
    prefix : str, optional
        Prefix of the sensor codes, ``<prefix>.<cell>`` (default the file's stem, so that two
        workbooks' ``BP1`` stay apart; ``""`` for none).
    progress : callable, optional
        Called with (readings stored, readings to store).

    Returns
    -------
    dict
        ``file``, ``site``, ``sensors_registered``, ``sensors_existing``, ``readings``,
        ``inserted``, ``duplicates``, ``first``, ``last`` (ISO times).
    """
    book = read_pressure_cells(path, site=site_code)
    stem = path.stem if prefix is None else prefix
    site = get_site(session, actor, site_code)
    _require_write(actor, site)

    def code(cell: str) -> str:
        return f"{stem}.{cell}" if stem else cell

    existing = {s.code: s for s in session.scalars(select(Sensor)
                                                   .where(Sensor.site_id == site.id))}
    registered, problems = 0, []
    table = book.sensors
    for cell, unit, depth in zip(table["sensor"].astype(str), table["unit"].astype(str),
                                 table["depth_m"].to_numpy(dtype=float), strict=True):
        name = code(cell)  # a few dozen sensors per workbook
        if name in existing:
            if existing[name].unit != unit:
                problems.append(Problem(f"sensor {name} exists in {existing[name].unit}, the "
                                        f"workbook reads it in {unit}", column="sensor",
                                        source=book.source))
            continue
        register_sensor(session, actor, SensorSpec(
            site.code, name, "pressure_cell" if unit == "MPa" else "displacement", unit,
            depth_m=None if np.isnan(depth) else float(depth)))
        registered += 1
    if problems:
        raise ValidationError(problems)
    readings = pd.DataFrame({"sensor": book.readings["sensor"].map(code),
                             "time": book.readings["time"], "value": book.readings["value"]})
    result = ingest(session, actor, site.code, readings, source=book.source, progress=progress)
    return {"file": book.source, "site": site.code, "sensors_registered": registered,
            "sensors_existing": len(book.sensors) - registered, "readings": len(readings),
            "inserted": result.inserted, "duplicates": result.duplicates,
            "conflicts": result.conflicts,
            "first": _iso(book.readings["time"].min().to_pydatetime()),
            "last": _iso(book.readings["time"].max().to_pydatetime()),
            "alerts": len(result.alerts)}


def last_reading_time(session: Session, facility: TailingsFacility) -> datetime | None:
    """Time of the facility's latest reading (UTC, any of its points), or None."""
    ids = [s.id for s in facility.sensors]
    if not ids:
        return None
    last = session.scalar(select(func.max(SensorReading.time))
                          .where(SensorReading.sensor_id.in_(ids)))
    return None if last is None else _utc([last])[0].to_pydatetime()


@dataclass(frozen=True)
class FacilitySimulation:
    """A tailings facility whose readings are simulated (``aurum sensors simulate``, the
    live demo source of ``aurum serve``).

    Parameters
    ----------
    facility, site : str
        Codes of the facility and of its site.
    design : TailingsDesign
        The facility's design (elevations in m).
    sensors : frozenset of str
        Codes of its sensors: only the simulated points among them are played.
    first : datetime
        Time of the first reading, UTC (an hour after its latest stored one).
    """

    facility: str
    site: str
    design: TailingsDesign
    sensors: frozenset[str]
    first: datetime

    def readings(self, start: datetime, days: int, seed: int, storm_day: float = 10.0,
                 rain_mm: float = 260.0) -> pd.DataFrame:
        """Hourly readings (``sensor``, ``time``, ``value``) through a storm.

        Parameters
        ----------
        start : datetime
            First reading, UTC.
        days : int
            Length, d.
        seed : int
            Seed of the noise.
        storm_day : float
            Day of the storm after ``start``, d.
        rain_mm : float
            Rain of the storm, mm.

        Raises
        ------
        ValidationError
            When the facility has none of the simulated points.
        """
        stream = simulate_stream(start=start, days=days, storm_day=storm_day,
                                 storm_rain_mm=rain_mm, seed=seed, design=self.design)
        readings = stream.readings[stream.readings["point"].isin(list(self.sensors))]
        if readings.empty:
            raise ValidationError(f"facility {self.facility} has none of the simulated points "
                                  f"({', '.join(p.id for p in stream.points)})")
        return readings.rename(columns={"point": "sensor"})


def facility_simulation(session: Session, code: str | None = None) -> FacilitySimulation:
    """The facility to simulate: ``code``, or the first registered one.

    Raises
    ------
    ValidationError
        When no tailings facility is registered.
    """
    facilities = safety.list_facilities(session, SYSTEM)
    if not facilities:
        raise ValidationError("no tailings facility is registered: seed the demo (aurum demo "
                              "seed) or register one first")
    facility = safety.get_facility(session, SYSTEM, code) if code else facilities[0]
    last = last_reading_time(session, facility)
    first = (last + timedelta(hours=1) if last is not None else
             datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    return FacilitySimulation(facility.code, facility.site.code, safety.design_of(facility),
                              frozenset(sensor.code for sensor in facility.sensors), first)


# --- the demo -----------------------------------------------------------------------------------

DEMO_DAYS = 20
"""Days of simulated readings the demo stores for each monitored facility."""


def _demo_actors(session: Session, admin: Actor) -> safety.DemoActors:
    users = list(session.scalars(select(User).where(User.is_active).order_by(User.id)))
    regulator = next((actor_for(session, u) for u in users
                      if u.role == Role.REGULATOR.value and u.province is None), admin)
    enterprise = {u.org_id: actor_for(session, u) for u in users
                  if u.role == Role.ENTERPRISE.value and u.org_id is not None}
    return safety.DemoActors(admin, regulator, enterprise)


def _demo_sites(session: Session, actors: safety.DemoActors, kind: str, count: int
                ) -> list[Site]:
    """Operating sites of a kind, one per organisation: a site of each demo user's first,
    then one of each province, then by code."""
    stmt = select(Site).where(Site.kind == kind, Site.status == "operating")
    if kind == "mine":
        stmt = stmt.where(Site.mine_method == "underground")
    sites = list(session.scalars(stmt.order_by(Site.code)))
    users = [a.org_ids or frozenset() for a in actors.enterprise.values()]
    first = [next(s for s in sites if s.org_id in ids) for ids in users
             if any(s.org_id in ids for s in sites)]
    provinces: dict[str, Site] = {}
    for site in sites:
        provinces.setdefault(site.province, site)
    picked: dict[int, Site] = {}
    for site in [*first, *provinces.values(), *sites]:
        picked.setdefault(site.org_id, site)
    return list(picked.values())[:count]


def _demo_design(quiet: bool) -> TailingsDesign:
    if not quiet:
        return demo_design()
    return TailingsDesign(name="quiet", grade=4, dam_type=DamType.DOWNSTREAM,
                          crest_elevation_m=85.0, beach_slope=0.008,
                          control_phreatic_depth_m=5.0, design_flood_level_m=84.4,
                          flood_control_level_m=84.0, operating_control_level_m=83.6)


def _monitor_demo_facility(platform: Platform, site: Site, quiet: bool, now: datetime,
                           seed: int) -> IngestResult:
    """Register a facility on a tailings site with the points of the simulated stream and
    store its last :data:`DEMO_DAYS` days: through a storm six days ago (red for a day, now
    easing off) or a shower (quiet)."""
    design = _demo_design(quiet)
    stream = simulate_stream(start=now - timedelta(days=DEMO_DAYS), days=DEMO_DAYS,
                             storm_day=DEMO_DAYS - 6, storm_rain_mm=60.0 if quiet else 260.0,
                             seed=seed, design=design)
    with transaction(platform.sessions) as s:
        safety.register_facility(s, SYSTEM, safety.FacilitySpec(
            site.code, site.code, site.name, design.dam_type.value, design.crest_elevation_m,
            design.beach_slope, design.control_phreatic_depth_m, grade=design.grade,
            design_flood_level_m=design.design_flood_level_m,
            flood_control_level_m=design.flood_control_level_m,
            operating_control_level_m=design.operating_control_level_m))
        for point in stream.points:
            register_sensor(s, SYSTEM, SensorSpec(site.code, point.id, point.kind.value,
                                                  facility=site.code,
                                                  surface_elevation_m=point.surface_elevation_m))
    readings = stream.readings.rename(columns={"point": "sensor"})
    with transaction(platform.sessions) as s:
        return ingest(s, SYSTEM, site.code, readings, source="demo simulator")


def seed_demo(platform: Platform, admin: Actor, seed: int = 2025,
              now: datetime | None = None) -> dict[str, int]:
    """The work-safety demo over a seeded registry.

    A year of hazards on underground mines of eight enterprises
    (:func:`aurum.services.safety.seed_demo_hazards`); two tailings facilities with their
    monitoring points and :data:`DEMO_DAYS` days of simulated readings up to ``now``: one
    through a storm that takes it to red (the alerts, a general and a major hazard opened
    by the monitoring, which its enterprise then works on), one through a shower.

    Returns
    -------
    dict
        ``hazards``, ``facilities``, ``readings``, ``alerts`` (counts).
    """
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    home = platform.settings.home
    with transaction(platform.sessions, admin.user_id) as s:
        actors = _demo_actors(s, admin)
        mines = _demo_sites(s, actors, "mine", 8)
        n_hazards = safety.seed_demo_hazards(s, home, actors, mines, now, seed) if mines else 0
        tailings = _demo_sites(s, actors, "tailings", 2)
    readings = alerts = opened = 0
    for n, site in enumerate(tailings):
        result = _monitor_demo_facility(platform, site, quiet=n > 0, now=now, seed=seed + n)
        readings += result.inserted
        alerts += len(result.alerts)
        opened += len(result.hazards)
        worker = actors.of(site)
        with transaction(platform.sessions, worker.user_id or None) as s:
            _work_on_monitoring(s, home, worker, result, now)
    return {"hazards": n_hazards + opened, "facilities": len(tailings), "readings": readings,
            "alerts": alerts}


def _work_on_monitoring(session: Session, home: Path, worker: Actor, result: IngestResult,
                        now: datetime) -> None:
    """What the facility's enterprise did since the storm: the lesser alerts acknowledged,
    the major hazard assigned (its deadline now passed), the general one rectified."""
    for alert in result.alerts:
        if alert["level_value"] <= int(AlarmLevel.YELLOW):
            acknowledge(session, worker, alert["id"], "Inspected on site; operation normal")
    for hazard_id in result.hazards:
        row = safety.get_hazard(session, worker, hazard_id)
        opened = row.reported_at if row.reported_at.tzinfo else row.reported_at.replace(
            tzinfo=UTC)
        major = row.level == "major"
        safety.act(session, worker, home, hazard_id, "assign",
                   owner="Tailings facility manager",
                   deadline=row.reported_on + timedelta(days=3 if major else 10),
                   at=opened + timedelta(hours=3),
                   note="Lower the pond through the decant tower; restore the beach")
        if not major:
            record = safety.put_file(home, f"Flood routing record of {row.area}\n".encode())
            safety.act(session, worker, home, hazard_id, "rectify", evidence=[record],
                       at=min(opened + timedelta(days=3), now - timedelta(hours=1)),
                       note="Pond lowered below the operating control level")
