"""Tailings facilities: their registration and design data, and their state: the readings
of their monitoring points and what the tailings rules (:mod:`aurum.safety.tailings`) make of
them, for the pages, the API and the simulated live source."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.sensors import (
    RULE_NAMES,
    AccumulationRule,
    Rule,
    ThresholdRule,
    rolling_sum,
)
from aurum.safety.tailings import (
    DamType,
    FacilityAlarm,
    MonitoringPoint,
    PointKind,
    TailingsDesign,
    alarm_history,
    facility_alarm,
    facility_grade,
    item_rules,
    load_tables,
    simulate_stream,
)
from aurum.services import derived, jobs
from aurum.services.auth import SYSTEM, Actor
from aurum.services.registry import get_site
from aurum.services.safety.common import iso_utc, utc_times
from aurum.services.safety.permissions import user_id
from aurum.services.safety.readings import readings_frame
from aurum.services.safety.rules import rules_window
from aurum.store.models import DerivedResult, SensorReading, Site, TailingsFacility


@dataclass(frozen=True)
class FacilitySpec:
    """What a tailings facility needs: a code and the fields of
    :class:`aurum.safety.tailings.TailingsDesign` (elevations and lengths in m, slope m/m,
    displacement limits mm by level name). ``grade`` may be left out when the total
    storage (m³) and dam height (m) are given: it follows from them (GB 50863-2013 3.2.1)."""

    site: str
    code: str
    name: str
    dam_type: str
    crest_elevation_m: float
    beach_slope: float
    control_phreatic_depth_m: float
    grade: int | None = None
    total_storage_m3: float | None = None
    dam_height_m: float | None = None
    design_flood_level_m: float | None = None
    flood_control_level_m: float | None = None
    operating_control_level_m: float | None = None
    design_freeboard_m: float | None = None
    design_beach_length_m: float | None = None
    displacement_limits_mm: dict[str, float] | None = None


_DESIGN_FIELDS = ("crest_elevation_m", "beach_slope", "control_phreatic_depth_m",
                  "design_flood_level_m", "flood_control_level_m", "operating_control_level_m",
                  "design_freeboard_m", "design_beach_length_m", "displacement_limits_mm")


def design_of(row: TailingsFacility) -> TailingsDesign:
    """The design data of a stored facility, as the tailings rules read it."""
    return TailingsDesign(name=row.code, grade=row.grade, dam_type=DamType(row.dam_type),
                          **{f: getattr(row, f) for f in _DESIGN_FIELDS})


def register_facility(session: Session, actor: Actor, spec: FacilitySpec) -> TailingsFacility:
    """Register a tailings facility of a site (an admin, or the site's enterprise).

    Raises
    ------
    ValidationError
        A code in use, no grade and no storage and height to derive it, design data the
        tailings rules refuse (crest below a flood level, a freeboard below the code's...).
    """
    site = get_site(session, actor, spec.site)
    if not actor.can_write_site(site):
        raise PermissionDenied(_("%(role)s users cannot register facilities of %(site)s",
                                 role=actor.role.value, site=site.code))
    problems = []
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", spec.code or ""):
        problems.append(Problem(_("expected a code of letters, digits, '_', '.', '-' (at "
                                  "most 32)"), column="code"))
    elif session.scalar(select(TailingsFacility).where(TailingsFacility.code == spec.code)):
        problems.append(Problem(_("facility %(code)r exists already", code=spec.code),
                                column="code"))
    grade = spec.grade
    if grade is None:
        if spec.total_storage_m3 is None or spec.dam_height_m is None:
            problems.append(Problem(_("expected a grade, or the total storage (m3) and dam "
                                      "height (m) it follows from"), column="grade"))
        else:
            grade = facility_grade(spec.total_storage_m3, spec.dam_height_m)
    if problems:
        raise ValidationError(problems)
    assert grade is not None
    design = TailingsDesign(name=spec.code, grade=grade, dam_type=spec.dam_type,  # type: ignore[arg-type]
                            **{f: getattr(spec, f) for f in _DESIGN_FIELDS})
    row = TailingsFacility(site_id=site.id, code=spec.code, name=spec.name or spec.code,
                           grade=design.grade, dam_type=design.dam_type.value,
                           total_storage_m3=spec.total_storage_m3,
                           dam_height_m=spec.dam_height_m, alarm_level=0,
                           created_by=user_id(actor),
                           **{f: getattr(spec, f) for f in _DESIGN_FIELDS})
    row.site = site
    session.add(row)
    session.flush()
    refresh_series(session, row)
    return row


def get_facility(session: Session, actor: Actor, code: str) -> TailingsFacility:
    """A facility the actor may read."""
    row = session.scalar(select(TailingsFacility).where(TailingsFacility.code == code))
    if row is None or not actor.can_read_site(row.site):
        raise NotFoundError(_("no tailings facility %(code)r", code=code))
    return row


def list_facilities(session: Session, actor: Actor) -> list[TailingsFacility]:
    """The facilities the actor may read, by code."""
    stmt = actor.where_visible(
        select(TailingsFacility).join(Site, TailingsFacility.site_id == Site.id)
        .order_by(TailingsFacility.code))
    return list(session.scalars(stmt))


def facility_dict(row: TailingsFacility) -> dict[str, Any]:
    """A facility's registry and design data as JSON-ready data."""
    design = design_of(row)
    return {"code": row.code, "name": row.name, "site": row.site.code,
            "grade": row.grade, "dam_type": row.dam_type,
            "total_storage_m3": row.total_storage_m3, "dam_height_m": row.dam_height_m,
            **{f: getattr(row, f) for f in _DESIGN_FIELDS},
            "min_freeboard_m": design.min_freeboard_m,
            "min_beach_length_m": design.min_beach_length_m,
            "alarm_level": row.alarm_level, "alarm_at": iso_utc(row.alarm_at),
            "sensors": [s.code for s in row.sensors]}


def monitoring_points(facility: TailingsFacility) -> list[MonitoringPoint]:
    """The facility's sensors as the tailings rules see them."""
    return [MonitoringPoint(s.code, PointKind(s.kind), s.surface_elevation_m)
            for s in facility.sensors]


def point_frame(facility: TailingsFacility, data: pd.DataFrame) -> pd.DataFrame:
    codes = {s.id: s.code for s in facility.sensors}
    return pd.DataFrame({"point": data["sensor_id"].map(codes).astype(str),
                         "time": data["time"], "value": data["value"]})


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
    facility = get_facility(session, actor, code)
    points = monitoring_points(facility)
    ids = [s.id for s in facility.sensors]
    stmt = select(SensorReading.sensor_id, SensorReading.time, SensorReading.value).where(
        SensorReading.sensor_id.in_(ids))
    if days is not None and ids:
        last = session.scalar(select(func.max(SensorReading.time))
                              .where(SensorReading.sensor_id.in_(ids)))
        if last is not None:
            first = utc_times([last])[0] - pd.Timedelta(days=days)
            stmt = stmt.where(SensorReading.time >= first.to_pydatetime())
    rows = session.execute(stmt.order_by(SensorReading.sensor_id, SensorReading.time)).all()
    readings = point_frame(facility, readings_frame(rows))
    design = design_of(facility)
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

    @property
    def title(self) -> str:
        """The item's name in the current language: the tables' Chinese name in Chinese, else
        :attr:`label` (stored with the series, whoever computed them, in English with the
        Chinese name)."""
        return load_tables().items[self.item].label_zh if i18n.is_chinese() else self.label


def item_series(view: FacilityView) -> list[ItemSeries]:
    """The facility's items in the order of the tailings tables, each with what its
    threshold rule judges (the reading's quantity), or for an item judged on a sum (rain)
    the sum over the rule's window."""
    tables = load_tables()
    design = design_of(view.facility)
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
        # Stored with the series for every reader: in the platform's language.
        with i18n.using(i18n.default_locale()):
            others = "; ".join(_("%(rule)s over %(hours)s h: %(thresholds)s",
                                 rule=RULE_NAMES.get(r.name, r.name),
                                 hours=format(rules_window([r]) / pd.Timedelta(hours=1), "g"),
                                 thresholds=r.thresholds.describe())
                               for r in rules if r is not judged)
        thresholds = {} if judged is None else {
            lv.label: v for lv, v in sorted(judged.thresholds.values.items())}
        out.append(ItemSeries(item, label, spec.unit, series, thresholds, others))
    return out


SERIES_DAYS = 30.0
"""Readings a facility's page shows by default, and its stored series hold: the last 30 d."""


@dataclass(frozen=True)
class FacilitySeries:
    """What a facility's page shows of its last :data:`SERIES_DAYS` of readings, stored
    (:data:`FACILITY_SERIES`): the series of its items (:func:`item_series`) and its state at
    the latest reading (:meth:`aurum.safety.tailings.FacilityAlarm.as_dict`; None without
    readings)."""

    items: list[ItemSeries]
    state: dict[str, Any] | None


def series_version(session: Session, facility: TailingsFacility) -> str:
    """The version of a facility's stored series: the hour of its latest reading (UTC), its
    alarm level and the time it was reached, and its sensors (count and newest id).

    Coarse on purpose: readings arrive in floods (MQTT), and the series are computed again
    once per hour of readings, not per message; a change of alarm level is a new version at
    once.
    """
    last = last_reading_time(session, facility)
    hour = "" if last is None else last.replace(minute=0, second=0, microsecond=0).isoformat()
    ids = [s.id for s in facility.sensors]
    return (f"{hour} level {facility.alarm_level} at {iso_utc(facility.alarm_at)} "
            f"sensors {len(ids)}:{max(ids, default=0)}")


def _series_payload(session: Session, code: str) -> tuple[str, Any]:
    """The version of a facility's series and their stored form."""
    version = series_version(session, get_facility(session, SYSTEM, code))
    view = facility_view(session, SYSTEM, code, days=SERIES_DAYS)
    return version, {
        "items": [{"item": s.item, "label": s.label, "unit": s.unit,
                   "series": derived.encode_frame(s.series), "thresholds": s.thresholds,
                   "other_rules": s.other_rules} for s in item_series(view)],
        "state": None if view.state is None else view.state.as_dict()}


def _compute_series(session: Session, _home: Path, code: str, report: derived.Progress
                    ) -> tuple[str, Any]:
    report(0.0, f"series of {code}")
    return _series_payload(session, code)


def _series_of(payload: dict[str, Any]) -> FacilitySeries:
    return FacilitySeries(
        [ItemSeries(i["item"], i["label"], i["unit"], derived.decode_frame(i["series"]),
                    dict(i["thresholds"]), i["other_rules"]) for i in payload["items"]],
        payload["state"])


def _series_owner(session: Session, actor: Actor, code: str) -> jobs.Owner:
    site = get_facility(session, actor, code).site
    return site.org_id, site.province


FACILITY_SERIES = derived.register(derived.Derivation(
    "tailings-facility-series",
    lambda session, code: series_version(session, get_facility(session, SYSTEM, code)),
    _compute_series, _series_of, _series_owner))
"""A facility's series and state over its last :data:`SERIES_DAYS` (:class:`FacilitySeries`):
subject the facility's code, version :func:`series_version`."""


def refresh_series(session: Session, facility: TailingsFacility) -> None:
    """Compute and store a facility's series (:data:`FACILITY_SERIES`) unless those of its
    current version are stored: after its readings are judged (a flood of readings within
    the hour of the stored ones costs one indexed look-up)."""
    version = series_version(session, facility)
    if session.scalar(select(DerivedResult.id).where(
            DerivedResult.kind == FACILITY_SERIES.kind, DerivedResult.subject == facility.code,
            DerivedResult.version == version)) is None:
        derived.store(session, FACILITY_SERIES, facility.code,
                      *_series_payload(session, facility.code))


def last_reading_time(session: Session, facility: TailingsFacility) -> datetime | None:
    """Time of the facility's latest reading (UTC, any of its points), or None."""
    ids = [s.id for s in facility.sensors]
    if not ids:
        return None
    last = session.scalar(select(func.max(SensorReading.time))
                          .where(SensorReading.sensor_id.in_(ids)))
    return None if last is None else utc_times([last])[0].to_pydatetime()


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
            raise ValidationError(_("facility %(facility)s has none of the simulated points "
                                    "(%(points)s)", facility=self.facility,
                                    points=", ".join(p.id for p in stream.points)))
        return readings.rename(columns={"point": "sensor"})


def facility_simulation(session: Session, code: str | None = None) -> FacilitySimulation:
    """The facility to simulate: ``code``, or the first registered one.

    Raises
    ------
    ValidationError
        When no tailings facility is registered.
    """
    facilities = list_facilities(session, SYSTEM)
    if not facilities:
        raise ValidationError(_("no tailings facility is registered: seed the demo (aurum "
                                "demo seed) or register one first"))
    facility = get_facility(session, SYSTEM, code) if code else facilities[0]
    last = last_reading_time(session, facility)
    first = (last + timedelta(hours=1) if last is not None else
             datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    return FacilitySimulation(facility.code, facility.site.code, design_of(facility),
                              frozenset(sensor.code for sensor in facility.sensors), first)
