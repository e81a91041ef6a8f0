"""Sensors and their readings: the monitoring shared by the tailings facilities (issue 9)
and the ground-stress early warning (issue 5).

A sensor belongs to a site. Its alarm rules are either its own, kept as data (see
:func:`aurum.services.safety.rules.parse_rules`), or, for a monitoring point of a tailings
facility, those the facility's design gives (:mod:`aurum.safety.tailings`). A frame of
readings is ingested in one transaction: readings already stored (same sensor, same time) are
skipped, so a gateway may deliver twice; the new readings are judged on a trailing window; a
sensor or a facility whose level rises raises an alert; a facility whose state calls for a
hazard (:func:`aurum.safety.tailings.facility_alarm` decides) opens one in the register.

Alerts are not repeated while they stand: a rise raises an alert only above the highest
level among the source's unacknowledged alerts (and the alerts this frame already raised),
so readings flickering about a threshold raise one alert, and a new one after the operator
acknowledged it.

Who may write: see :mod:`aurum.services.safety.permissions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.sensors import (
    LEVEL_NAMES,
    RULE_NAMES,
    AlarmLevel,
    Rule,
    evaluate_rules,
    read_pressure_cells,
)
from aurum.safety.tailings import PointKind, alarm_history, facility_alarm, load_tables, roll_up
from aurum.services.auth import Actor
from aurum.services.registry import get_site
from aurum.services.safety import readings as reading_store
from aurum.services.safety.alerts import SOURCES, alarm_label, record_alert, standing_level
from aurum.services.safety.common import iso_utc, utc_times
from aurum.services.safety.facilities import (
    design_of,
    monitoring_points,
    point_frame,
    refresh_series,
)
from aurum.services.safety.permissions import require_monitoring_write
from aurum.services.safety.readings import (
    READING_COLUMNS,
    ReadingWindow,
    load_readings,
    validate_readings,
)
from aurum.services.safety.register import (
    open_monitoring_hazard,
    open_monitoring_severity,
    severity,
)
from aurum.services.safety.rules import (
    facility_window,
    parse_rules,
    rules_to_data,
    rules_window,
)
from aurum.store import audit
from aurum.store.models import Alert, SafetyHazard, Sensor, SensorReading, Site, TailingsFacility

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_INSERT_CHUNK = 5_000


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
    require_monitoring_write(actor, site)
    problems: list[Problem] = []
    if not _CODE.match(spec.code or ""):
        problems.append(Problem(_("expected a code of letters, digits and _.:- (at most 64, "
                                  "no '/')"), column="code"))
    elif session.scalar(select(Sensor).where(Sensor.site_id == site.id,
                                             Sensor.code == spec.code)) is not None:
        problems.append(Problem(_("sensor %(sensor)r exists already on %(site)s",
                                  sensor=spec.code, site=site.code), column="code"))
    facility = None
    unit = (spec.unit or "").strip()
    rules: list[Rule] = []
    if spec.facility:
        facility = session.scalar(select(TailingsFacility)
                                  .where(TailingsFacility.code == spec.facility))
        if facility is None or facility.site_id != site.id:
            problems.append(Problem(_("no tailings facility %(facility)r on %(site)s",
                                      facility=spec.facility, site=site.code),
                                    column="facility"))
        elif spec.kind not in PointKind.__members__.values():
            problems.append(Problem(_("a point of a tailings facility measures one of "
                                      "%(known)s, not %(kind)r",
                                      known=", ".join(k.value for k in PointKind),
                                      kind=spec.kind), column="kind"))
        else:
            unit = _point_unit(PointKind(spec.kind))
            if spec.unit and spec.unit.strip() != unit:
                problems.append(Problem(_("a %(kind)s point reads in %(unit)s, not %(given)r",
                                          kind=spec.kind, unit=unit, given=spec.unit),
                                        column="unit"))
            if spec.kind == PointKind.PHREATIC_LINE and spec.surface_elevation_m is None:
                problems.append(Problem(_("a piezometer needs the dam surface elevation above "
                                          "it (m)"), column="surface_elevation_m"))
            if spec.rules:
                problems.append(Problem(_("a facility point's rules come from the facility's "
                                          "design"), column="rules"))
    else:
        if not (spec.kind or "").strip():
            problems.append(Problem(_("expected the kind of sensor"), column="kind"))
        if not unit:
            problems.append(Problem(_("expected the unit of its readings"), column="unit"))
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
    if facility is not None:  # a new point of its page
        session.expire(facility, ["sensors"])
        refresh_series(session, facility)
    return sensor


def sensor_dict(sensor: Sensor) -> dict[str, Any]:
    """A sensor as JSON-ready data: its site, code, kind, unit, facility, position (m),
    rules and current alarm level (its name)."""
    return {"site": sensor.site.code, "code": sensor.code, "kind": sensor.kind,
            "unit": sensor.unit, "facility": sensor.facility.code if sensor.facility else None,
            "x": sensor.x, "y": sensor.y, "z": sensor.z, "depth_m": sensor.depth_m,
            "surface_elevation_m": sensor.surface_elevation_m, "rules": sensor.rules,
            "alarm_level": alarm_label(sensor.alarm_level)}


def get_sensor(session: Session, actor: Actor, site_code: str, code: str) -> Sensor:
    """A sensor the actor may read."""
    site = get_site(session, actor, site_code)
    sensor = session.scalar(select(Sensor).where(Sensor.site_id == site.id,
                                                 Sensor.code == code))
    if sensor is None:
        raise NotFoundError(_("no sensor %(sensor)r on %(site)s", sensor=code, site=site.code))
    return sensor


def set_rules(session: Session, actor: Actor, site_code: str, code: str,
              rules: Sequence[Mapping[str, Any]]) -> Sensor:
    """Replace a sensor's own alarm rules (new readings are judged by them)."""
    sensor = get_sensor(session, actor, site_code, code)
    require_monitoring_write(actor, sensor.site)
    if sensor.facility_id is not None:
        raise ValidationError(Problem(_("a facility point's rules come from the facility's "
                                        "design"), column="rules"))
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
    require_monitoring_write(actor, site)
    frame = validate_readings(readings, source, window)
    sensors = {s.code: s for s in session.scalars(select(Sensor).where(Sensor.site_id == site.id))}
    unknown = sorted(set(frame["sensor"]) - set(sensors))
    if unknown:
        listed = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise ValidationError(Problem(_(
            "unknown sensor(s) of %(site)s: %(sensors)s; register them first", site=site.code,
            sensors=listed), column="sensor", source=source))
    result = IngestResult(site.code, len(frame))
    if frame.empty:
        return result
    frame["sensor_id"] = frame["sensor"].map({c: s.id for c, s in sensors.items()}).astype(int)
    ids = sorted(set(frame["sensor_id"].tolist()))
    stored = reading_store.stored_readings(session, ids, frame["time"].min().to_pydatetime(),
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
        chunk = rows[start:start + _INSERT_CHUNK]
        inserted += reading_store.insert_ignoring_duplicates(session, chunk)
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
        # Its page's series, once per hour of readings or change of level.
        refresh_series(session, facility)
    session.flush()
    return result


def ingest_records(session: Session, actor: Actor, site_code: str,
                   records: Sequence[Mapping[str, Any]], source: str = "api") -> IngestResult:
    """:func:`ingest` readings given as records of ``sensor``, ``time`` and ``value`` (other
    fields are ignored, missing ones are refused)."""
    frame = pd.DataFrame(list(records), columns=list(READING_COLUMNS))
    return ingest(session, actor, site_code, frame, source=source)


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
    data = load_readings(session, [sensor.id], since, 2 * rules_window(rules))
    evaluation = evaluate_rules(rules, data["time"], data["value"])
    levels = evaluation.level.astype(int)
    previous = np.r_[0, levels[:-1]]
    alerts = []
    for i in _alerting(levels, previous, np.asarray(data["time"] >= since),
                       standing_level(session, sensor_id=sensor.id)).tolist():
        rule = rules[int(evaluation.rule[i])]
        level = AlarmLevel(int(levels[i]))
        compared = format(float(evaluation.quantity[i]), ".4g")
        # Stored and sent once for every reader: in the platform's language.
        with i18n.using(i18n.default_locale()):
            message = _("%(sensor)s %(level)s: %(rule)s %(value)s (%(thresholds)s; readings "
                        "in %(unit)s)", sensor=sensor.code, level=LEVEL_NAMES[level.label],
                        rule=RULE_NAMES.get(rule.name, rule.name), value=compared,
                        thresholds=rule.thresholds.describe(),
                        unit=sensor.unit)
        alert = Alert(site_id=sensor.site_id, source="sensor", sensor_id=sensor.id,
                      rule=rule.name, level=int(level),
                      time=data["time"].iloc[i].to_pydatetime(),
                      value=float(data["value"].iloc[i]), message=message)
        alerts.append(record_alert(session, alert, sensor.site.code, sensor=sensor.code))
    latest = int(levels[-1]) if len(levels) else 0
    if latest != sensor.alarm_level:
        sensor.alarm_level = latest
    return alerts


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
    design = design_of(facility)
    points = monitoring_points(facility)
    look_back = 2 * facility_window()
    data = point_frame(facility, load_readings(session, [s.id for s in facility.sensors], since,
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
    reached = standing_level(session, facility_id=facility.id, source="tailings")
    open_severity = open_monitoring_severity(session, facility)
    alerts, hazards = [], []
    after = changes[changes.index >= since]
    for k, t in enumerate(pd.DatetimeIndex(after.index)):  # level changes, not samples
        row = after.iloc[k]
        level, items = _roll_up(row, tables)
        hazard = None
        if _possible_severity(row, items, tables) > open_severity:
            window = data[(data["time"] > t - look_back) & (data["time"] <= t)]
            proposal = facility_alarm(design, points, window, as_of=t).hazard
            if proposal is not None and severity(proposal.level.value) > open_severity:
                hazard = open_monitoring_hazard(session, facility, proposal,
                                                       t.to_pydatetime())
                open_severity = severity(proposal.level.value)
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
    """The most severe hazard (see :func:`aurum.services.safety.register.severity`) these
    levels could call for: major when a point of an item with a criterion is at the major
    level, general when an item that opens hazards is at the general level (an upper bound:
    which rule alarmed is left to the domain)."""
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
    tables = load_tables()
    spec = tables.items[str(worst["item"])]
    value = worst["compared"] if np.isfinite(worst["compared"]) else worst["quantity"]
    rule = str(worst["rule"] or "")
    # Stored and sent once for every reader: in the platform's language.
    with i18n.using(i18n.default_locale()):
        judged = f"{RULE_NAMES.get(rule, rule)} " if rule and rule != "value" else ""
        chinese = i18n.is_chinese()
        listed = ", ".join(
            f"{tables.items[i].label_zh if chinese else i} {LEVEL_NAMES[AlarmLevel(lv).label]}"
            for i, lv in sorted(items.items(), key=lambda kv: -kv[1]) if lv > 0)
        message = _("Tailings facility %(facility)s %(level)s: %(items)s (worst: point "
                    "%(point)s, %(item)s %(judged)s%(value)s)", facility=facility.code,
                    level=LEVEL_NAMES[AlarmLevel(level).label], items=listed,
                    point=worst["point"], item=spec.label_zh if chinese else spec.label_en,
                    judged=judged, value=format(value, ".3g"))
    alert = Alert(site_id=facility.site_id, source="tailings", facility_id=facility.id,
                  rule=str(worst["item"]), level=level, time=at.to_pydatetime(),
                  value=float(value), message=message,
                  hazard_id=None if hazard is None else hazard.id)
    return record_alert(session, alert, facility.site.code, facility=facility.code)


def sensor_readings(session: Session, actor: Actor, site_code: str, code: str,
                    start: datetime | None = None, end: datetime | None = None
                    ) -> pd.DataFrame:
    """A sensor's readings (``time`` UTC, ``value`` in its unit), oldest first."""
    sensor = get_sensor(session, actor, site_code, code)
    stmt = select(SensorReading.time, SensorReading.value).where(
        SensorReading.sensor_id == sensor.id)
    if start is not None:
        stmt = stmt.where(SensorReading.time >= utc_times([start])[0].to_pydatetime())
    if end is not None:
        stmt = stmt.where(SensorReading.time <= utc_times([end])[0].to_pydatetime())
    rows = session.execute(stmt.order_by(SensorReading.time)).all()
    return pd.DataFrame({"time": utc_times([r[0] for r in rows]),
                         "value": np.array([r[1] for r in rows], dtype=float)})


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
    require_monitoring_write(actor, site)
    problems = []
    if source not in SOURCES:
        problems.append(Problem(_("unknown source %(source)r: expected one of %(known)s",
                                  source=source, known=", ".join(SOURCES)), column="source"))
    if level not in (1, 2, 3, 4):
        problems.append(Problem(_("expected a level 1 (blue) to 4 (red), got %(level)r",
                                  level=level), column="level"))
    if not rule or len(rule) > 32:
        problems.append(Problem(_("expected the rule's name (at most 32 characters)"),
                                column="rule"))
    if problems:
        raise ValidationError(problems)
    sensor_id = None if sensor is None else get_sensor(session, actor, site_code, sensor).id
    scope: dict[str, Any] = {"site_id": site.id, "source": source}
    if sensor_id is not None:
        scope["sensor_id"] = sensor_id
    if standing_level(session, **scope) >= level:
        return None
    alert = Alert(site_id=site.id, source=source, sensor_id=sensor_id, rule=rule, level=level,
                  time=utc_times([time])[0].to_pydatetime(), value=value, message=message)
    return record_alert(session, alert, site.code, sensor)


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
    require_monitoring_write(actor, site)

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
                problems.append(Problem(_("sensor %(sensor)s exists in %(unit)s, the workbook "
                                          "reads it in %(given)s", sensor=name,
                                          unit=existing[name].unit, given=unit),
                                        column="sensor",
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
            "first": iso_utc(book.readings["time"].min().to_pydatetime()),
            "last": iso_utc(book.readings["time"].max().to_pydatetime()),
            "alerts": len(result.alerts)}
