"""Tailings facilities (尾矿库): design tables, derived quantities and online-monitoring alarms.

The grade table, the minimum freeboard and dry-beach length by dam class, the alarm
thresholds and the roll-up of point alarms to the facility's state are data
(``aurum/safety/data/tailings_monitoring.yaml``, citing GB 39496-2020, GB 51108-2015 and
GB 50863-2013). Thresholds are either figures of a standard or multiples of a design quantity
of the facility (:class:`TailingsDesign`), so a facility's designer can set its own.

From the readings of its monitoring points (piezometers, pond-level gauge, beach gauges,
displacement prisms and inclinometers, rain gauge) a facility's alarm level follows in three
steps: each point's series gives its item's quantity (phreatic depth = surface elevation -
water level; freeboard = beach crest - pond level; beach length = freeboard / beach slope),
the generic rules of :mod:`aurum.safety.sensors` give a level per sample, and the latest
levels roll up per GB 39496-2020 5.5.4 (N points at a level raise their item one level). The
:class:`FacilityAlarm` says whether the state should open a hazard in the register, and under
which item of 矿安〔2022〕88号 when it is major.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, is_chinese
from aurum.safety.register import HazardLevel
from aurum.safety.sensors import (
    ONE_DAY,
    AccumulationRule,
    AlarmLevel,
    Direction,
    LevelThresholds,
    RateRule,
    Rule,
    ThresholdRule,
    TrendRule,
    evaluate_rules,
)

TABLES_FILE = "tailings_monitoring.yaml"


class DamType(StrEnum):
    """How the dam is raised (堆坝方式)."""

    UPSTREAM = "upstream"
    CENTERLINE = "centerline"
    DOWNSTREAM = "downstream"


class PointKind(StrEnum):
    """What a monitoring point measures."""

    PHREATIC_LINE = "phreatic_line"
    """Piezometer in the dam: water-level elevation, m."""
    POND_LEVEL = "pond_level"
    """Pond-level gauge: water elevation, m."""
    FREEBOARD = "freeboard"
    """Freeboard measured directly, m."""
    DRY_BEACH = "dry_beach"
    """Dry-beach length measured directly (laser, camera), m."""
    SURFACE_DISPLACEMENT = "surface_displacement"
    """Cumulative surface displacement (GNSS, prism), mm."""
    INTERNAL_DISPLACEMENT = "internal_displacement"
    """Cumulative internal displacement (inclinometer), mm."""
    RAINFALL = "rainfall"
    """Rain gauge: rainfall in the reading's interval, mm."""


# --- the tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdSpec:
    """One level's threshold: ``value`` (item unit) or ``factor`` x the design field ``of``."""

    basis: str
    value: float | None = None
    factor: float | None = None
    of: str | None = None


@dataclass(frozen=True)
class WindowSpec:
    """A rate, trend or accumulation rule: window (h) and thresholds (item unit per day, or
    item unit summed over the window)."""

    window: pd.Timedelta
    unit: str
    basis: str
    thresholds: Mapping[AlarmLevel, float]


@dataclass(frozen=True)
class ItemSpec:
    """A monitoring item (监测项目) and its alarm rules."""

    name: str
    label_zh: str
    label_en: str
    unit: str
    direction: Direction
    criterion: str | None
    opens_hazard: bool
    thresholds: Mapping[AlarmLevel, ThresholdSpec]
    rate: WindowSpec | None = None
    trend: WindowSpec | None = None
    accumulation: WindowSpec | None = None


@dataclass(frozen=True)
class TailingsTables:
    """The tables of the data file, validated.

    ``grades`` holds (grade, minimum total storage m3, minimum dam height m) from grade 1 to
    5; ``minimums`` maps a dam type and grade to (minimum freeboard m, minimum beach length
    m); ``points_to_item`` and ``items_to_facility`` give how many alarms at a level raise
    the next level up; ``major_at``/``general_at`` are the levels that open hazards.
    """

    version: str
    grades: tuple[tuple[int, float, float], ...]
    minimums: Mapping[DamType, Mapping[int, tuple[float, float]]]
    points_to_item: Mapping[AlarmLevel, int]
    items_to_facility: Mapping[AlarmLevel, int]
    major_at: AlarmLevel
    general_at: AlarmLevel
    items: Mapping[str, ItemSpec]
    point_items: Mapping[PointKind, tuple[str, ...]]


@functools.cache
def load_tables() -> TailingsTables:
    """The shipped tailings tables (read and validated once per process)."""
    text = resources.files("aurum.safety").joinpath("data", TABLES_FILE).read_text("utf-8")
    return parse_tables(yaml.safe_load(text))


def _levels(block: Mapping[str, Any]) -> dict[AlarmLevel, Any]:
    return {AlarmLevel.parse(k): v for k, v in (block or {}).items()}


def _window(block: Mapping[str, Any] | None) -> WindowSpec | None:
    if not block:
        return None
    return WindowSpec(pd.Timedelta(hours=float(block["window_h"])), str(block["unit"]),
                      str(block.get("basis", "")),
                      {k: float(v) for k, v in _levels(block["thresholds"]).items()})


def parse_tables(document: Mapping[str, Any]) -> TailingsTables:
    """Validate the tailings data document (the YAML's structure) and build the tables."""
    try:
        grades = tuple(sorted((int(r["grade"]), float(r["min_total_storage_m3"]),
                               float(r["min_dam_height_m"]))
                              for r in document["grades"]["table"]))
        minimums = {DamType(dam): {int(g): (float(v["min_freeboard_m"]),
                                            float(v["min_beach_length_m"]))
                                   for g, v in rows.items()}
                    for dam, rows in document["freeboard_and_beach"].items() if dam != "basis"}
        items = {}
        for name, block in document["items"].items():
            items[name] = ItemSpec(
                name, str(block["label_zh"]), str(block["label_en"]), str(block["unit"]),
                Direction(block["direction"]), block.get("criterion"),
                bool(block["opens_hazard"]),
                {lv: ThresholdSpec(str(t.get("basis", "")), t.get("value"), t.get("factor"),
                                   t.get("of"))
                 for lv, t in _levels(block.get("thresholds") or {}).items()},
                _window(block.get("rate")), _window(block.get("trend")),
                _window(block.get("accumulation")))
        point_items = {PointKind(kind): tuple(spec["items"])
                       for kind, spec in document["point_kinds"].items()}
        roll_up, hazards = document["roll_up"], document["hazards"]
        tables = TailingsTables(
            str(document["version"]), grades, MappingProxyType(minimums),
            MappingProxyType({k: int(v) for k, v in _levels(roll_up["points_to_item"]).items()}),
            MappingProxyType({k: int(v) for k, v in
                              _levels(roll_up["items_to_facility"]).items()}),
            AlarmLevel.parse(hazards["major_at"]), AlarmLevel.parse(hazards["general_at"]),
            MappingProxyType(items), MappingProxyType(point_items))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(Problem(_("malformed tailings tables: %(error)r", error=exc),
                                      source=TABLES_FILE)) from exc
    unknown = sorted({i for names in tables.point_items.values() for i in names} - set(items))
    design_fields = {f.name for f in dataclasses.fields(TailingsDesign)} | {
        "min_freeboard_m", "min_beach_length_m"}
    unknown += sorted({t.of for spec in items.values() for t in spec.thresholds.values()
                       if t.of is not None} - design_fields)
    if [g for g, *_limits in grades] != [1, 2, 3, 4, 5] or unknown:
        raise ValidationError(Problem(_("tailings tables need grades 1-5, known items and "
                                        "design fields (unknown: %(unknown)s)",
                                        unknown=", ".join(unknown)), source=TABLES_FILE))
    return tables


# --- design data and derived quantities ----------------------------------------------------------


def facility_grade(total_storage_m3: float, dam_height_m: float,
                   tables: TailingsTables | None = None) -> int:
    """Grade (等别, 1 = highest) of a facility from its total storage and dam height.

    Parameters
    ----------
    total_storage_m3 : float
        Total storage at the final design crest, m3.
    dam_height_m : float
        Total dam height, m.

    Returns
    -------
    int
        The higher grade when storage and height give grades one apart, one grade below the
        higher when they are further apart (GB 50863-2013 3.2.1).
    """
    if not (total_storage_m3 >= 0 and dam_height_m >= 0):
        raise ValidationError(_("total storage (m3) and dam height (m) must be >= 0"))
    table = (tables or load_tables()).grades
    by_storage = next(g for g, v, _h in table if total_storage_m3 >= v)
    by_height = next(g for g, _v, h in table if dam_height_m >= h)
    high, low = min(by_storage, by_height), max(by_storage, by_height)
    return high if low - high <= 1 else high + 1


def freeboard_m(crest_elevation_m: Any, pond_level_m: Any) -> np.ndarray:
    """Freeboard (安全超高): beach crest elevation (m) minus pond level (m), in m."""
    return np.asarray(crest_elevation_m, dtype=float) - np.asarray(pond_level_m, dtype=float)


def beach_length_m(crest_elevation_m: Any, pond_level_m: Any, beach_slope: float) -> np.ndarray:
    """Dry-beach length (干滩长度) from the pond level on a beach of uniform slope.

    Parameters
    ----------
    crest_elevation_m : float or array
        Beach crest elevation, m.
    pond_level_m : float or array
        Pond level, m.
    beach_slope : float
        Average gradient of the dry beach (m/m, e.g. 0.01 for 1 %).

    Returns
    -------
    numpy.ndarray
        Horizontal distance from the crest to the water's edge, m (0 when the pond reaches the
        crest).
    """
    if not beach_slope > 0:
        raise ValidationError(_("the beach slope must be > 0 (m/m)"))
    return np.maximum(freeboard_m(crest_elevation_m, pond_level_m), 0.0) / beach_slope


def phreatic_depth_m(surface_elevation_m: Any, water_level_m: Any) -> np.ndarray:
    """Depth of the phreatic surface (浸润线埋深): dam surface elevation at the piezometer (m)
    minus the water-level elevation it reads (m), in m."""
    return np.asarray(surface_elevation_m, dtype=float) - np.asarray(water_level_m, dtype=float)


@dataclass(frozen=True)
class TailingsDesign:
    """Design data of a facility that the monitoring rules refer to.

    Parameters
    ----------
    name : str
        Facility name.
    grade : int
        Grade 1-5 (等别); the main dam's class equals it.
    dam_type : DamType
        Upstream, centreline or downstream.
    crest_elevation_m : float
        Beach crest (upstream dams) or dam crest elevation, m.
    beach_slope : float
        Average dry-beach gradient, m/m.
    control_phreatic_depth_m : float
        Control depth of the phreatic surface (控制浸润线埋深), m.
    design_flood_level_m, flood_control_level_m, operating_control_level_m : float, optional
        Design flood level, pre-flood-season control level and operating control level of the
        pond, m (the red, orange and yellow pond-level thresholds).
    design_freeboard_m, design_beach_length_m : float, optional
        The design's own minimum freeboard and beach length, m, when stricter than the code's
        table (never looser).
    displacement_limits_mm : Mapping[str, float], optional
        Cumulative displacement thresholds by level name (``blue``...``red``), mm, from the
        design's stability analysis.
    """

    name: str
    grade: int
    dam_type: DamType
    crest_elevation_m: float
    beach_slope: float
    control_phreatic_depth_m: float
    design_flood_level_m: float | None = None
    flood_control_level_m: float | None = None
    operating_control_level_m: float | None = None
    design_freeboard_m: float | None = None
    design_beach_length_m: float | None = None
    displacement_limits_mm: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "dam_type", DamType(self.dam_type))
        except ValueError:
            raise ValidationError(Problem(_(
                "unknown dam type %(value)r: expected one of %(known)s", value=self.dam_type,
                known=", ".join(d.value for d in DamType)), column="dam_type")) from None
        problems = []
        if self.grade not in (1, 2, 3, 4, 5):
            problems.append(Problem(_("expected a grade 1-5, got %(grade)r", grade=self.grade),
                                    column="grade"))
        if not self.beach_slope > 0:
            problems.append(Problem(_("expected a beach slope > 0 (m/m)"), column="beach_slope"))
        if not self.control_phreatic_depth_m > 0:
            problems.append(Problem(_("expected a control phreatic depth > 0 (m)"),
                                    column="control_phreatic_depth_m"))
        for column in ("design_flood_level_m", "flood_control_level_m",
                       "operating_control_level_m"):
            level = getattr(self, column)
            if level is not None and level >= self.crest_elevation_m:
                problems.append(Problem(_("%(level)s m is not below the crest %(crest)s m",
                                          level=level, crest=self.crest_elevation_m),
                                        column=column))
        if problems:
            raise ValidationError(problems)
        table_fb, table_beach = self.table_minimums
        for column, own, table in (("design_freeboard_m", self.design_freeboard_m, table_fb),
                                   ("design_beach_length_m", self.design_beach_length_m,
                                    table_beach)):
            if own is not None and own < table:
                problems.append(Problem(_(
                    "%(own)s m is below the code's minimum %(minimum)s m for a grade %(grade)s "
                    "%(dam)s dam", own=own, minimum=table, grade=self.grade,
                    dam=self.dam_type.value), column=column))
        if problems:
            raise ValidationError(problems)

    @property
    def table_minimums(self) -> tuple[float, float]:
        """(minimum freeboard m, minimum beach length m) of the code's table."""
        return load_tables().minimums[self.dam_type][self.grade]

    @property
    def min_freeboard_m(self) -> float:
        return self.design_freeboard_m or self.table_minimums[0]

    @property
    def min_beach_length_m(self) -> float:
        return self.design_beach_length_m or self.table_minimums[1]


@dataclass(frozen=True)
class MonitoringPoint:
    """A monitoring point.

    Parameters
    ----------
    id : str
        Point code, as in the readings.
    kind : PointKind
        What it measures (and in which unit, see :class:`PointKind`).
    surface_elevation_m : float, optional
        Dam surface elevation above a piezometer, m (phreatic points only).
    """

    id: str
    kind: PointKind
    surface_elevation_m: float | None = None

    def __post_init__(self) -> None:
        if self.kind is PointKind.PHREATIC_LINE and self.surface_elevation_m is None:
            raise ValidationError(Problem(_("piezometer %(point)s needs its surface elevation "
                                            "(m)", point=self.id), column="surface_elevation_m"))


def item_quantities(design: TailingsDesign, point: MonitoringPoint,
                    values: Any) -> dict[str, np.ndarray]:
    """The quantity of each item a point's readings feed (m or mm, see :class:`PointKind`)."""
    values = np.asarray(values, dtype=float)
    if point.kind is PointKind.PHREATIC_LINE:
        return {"phreatic_depth": phreatic_depth_m(point.surface_elevation_m, values)}
    if point.kind is PointKind.POND_LEVEL:
        return {"pond_level": values,
                "freeboard": freeboard_m(design.crest_elevation_m, values),
                "beach_length": beach_length_m(design.crest_elevation_m, values,
                                               design.beach_slope)}
    item = load_tables().point_items[point.kind][0]
    return {item: values}


def item_rules(design: TailingsDesign, spec: ItemSpec) -> list[Rule]:
    """The alarm rules of one item for this facility (levels whose design quantity is not
    given are left out)."""
    rules: list[Rule] = []
    values: dict[AlarmLevel, float] = {}
    for level, t in spec.thresholds.items():
        if t.of is None:
            value = t.value
        else:
            design_value = getattr(design, t.of)
            value = None if design_value is None else design_value * (t.factor or 1.0)
        if value is not None:
            # 1.1 x 6 m must be 6.6 m, not 6.6000000000000005, for the boundary to sit where
            # the standard puts it; nanometres do not matter to a dam.
            values[level] = round(float(value), 9)
    if spec.name.endswith("_displacement") and design.displacement_limits_mm:
        values |= {AlarmLevel.parse(k): float(v)
                   for k, v in design.displacement_limits_mm.items()}
    if values:
        rules.append(ThresholdRule(LevelThresholds(spec.direction, values)))
    if spec.rate:
        rules.append(RateRule(LevelThresholds(Direction.ABOVE, spec.rate.thresholds),
                              spec.rate.window, ONE_DAY))
    if spec.trend:
        rules.append(TrendRule(LevelThresholds(Direction.ABOVE, spec.trend.thresholds),
                               spec.trend.window, ONE_DAY))
    if spec.accumulation:
        rules.append(AccumulationRule(LevelThresholds(Direction.ABOVE,
                                                      spec.accumulation.thresholds),
                                      spec.accumulation.window))
    return rules


# --- alarms ------------------------------------------------------------------------------------


def roll_up(levels: Sequence[int], counts: Mapping[AlarmLevel, int]) -> AlarmLevel:
    """Level of a group of alarms (GB 39496-2020 5.5.4): the highest of them, raised one level
    when ``counts[L]`` or more of them are at level ``L`` or above.

    Parameters
    ----------
    levels : sequence of int
        Alarm levels of the points of one item (or of the items of a facility).
    counts : Mapping[AlarmLevel, int]
        How many alarms at a level raise the group to the next level.
    """
    array = np.asarray(levels, dtype=int)
    if array.size == 0:
        return AlarmLevel.NONE
    level = int(array.max())
    for at, needed in counts.items():
        if int((array >= at).sum()) >= needed:
            level = max(level, min(int(at) + 1, int(AlarmLevel.RED)))
    return AlarmLevel(level)


@dataclass(frozen=True)
class PointAlarm:
    """A point's state on one item at the latest reading.

    ``quantity`` is the item's quantity then (m, mm); ``rule`` names the alarming rule
    (``value``, ``rate``, ``trend``, ``accumulation``; '' when none) and ``compared`` the
    figure it judged (m, mm, m/d, mm/d, mm/24 h).
    """

    point: str
    item: str
    level: AlarmLevel
    time: pd.Timestamp
    quantity: float
    rule: str
    compared: float | None


@dataclass(frozen=True)
class ItemAlarm:
    """An item's state: its level after the roll-up of its points' levels."""

    item: str
    level: AlarmLevel
    points: tuple[PointAlarm, ...]
    criterion: str | None


@dataclass(frozen=True)
class HazardProposal:
    """The hazard an alarm should open in the register."""

    level: HazardLevel
    criterion: str | None
    description: str


@dataclass(frozen=True)
class FacilityAlarm:
    """A facility's monitoring state at a time and the hazard it calls for (if any)."""

    facility: str
    as_of: pd.Timestamp
    level: AlarmLevel
    items: tuple[ItemAlarm, ...]
    hazard: HazardProposal | None

    @property
    def opens_hazard(self) -> bool:
        return self.hazard is not None

    def item(self, name: str) -> ItemAlarm:
        return next(i for i in self.items if i.item == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "facility": self.facility, "as_of": self.as_of.isoformat(),
            "level": self.level.label, "opens_hazard": self.opens_hazard,
            "hazard": None if self.hazard is None else {
                "level": self.hazard.level.value, "criterion": self.hazard.criterion,
                "description": self.hazard.description},
            "items": [{"item": i.item, "level": i.level.label, "criterion": i.criterion,
                       "points": [{"point": p.point, "level": p.level.label,
                                   "time": p.time.isoformat(), "quantity": p.quantity,
                                   "rule": p.rule, "compared": p.compared}
                                  for p in i.points]} for i in self.items]}


def _points_by_id(points: Sequence[MonitoringPoint]) -> dict[str, MonitoringPoint]:
    ids = [p.id for p in points]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError(Problem(_("monitoring points repeated: %(points)s",
                                        points=", ".join(repeated)),
                                      column="point"))
    return {p.id: p for p in points}


def alarm_history(design: TailingsDesign, points: Sequence[MonitoringPoint],
                  readings: pd.DataFrame) -> pd.DataFrame:
    """Alarm level of every reading, per point and item.

    Parameters
    ----------
    design : TailingsDesign
    points : sequence of MonitoringPoint
    readings : pandas.DataFrame
        Tidy readings: ``point``, ``time``, ``value`` (in the point kind's unit).

    Returns
    -------
    pandas.DataFrame
        ``point``, ``item``, ``time``, ``quantity`` (the item's quantity, m or mm), ``level``
        (int), ``rule`` (name of the alarming rule, '' when none), ``compared`` (what it
        judged), sorted by item, point and time.

    Raises
    ------
    ValidationError
        When readings name a point that is not in ``points``.
    """
    by_id = _points_by_id(points)
    unknown = sorted(set(readings["point"].astype(str)) - set(by_id))
    if unknown:
        raise ValidationError(Problem(_("readings of unknown points: %(points)s",
                                        points=", ".join(unknown)),
                                      column="point"))
    tables = load_tables()
    parts = []
    for point_id, group in readings.groupby("point", sort=True):
        group = group.sort_values("time", kind="stable")
        times = pd.DatetimeIndex(group["time"])
        point = by_id[str(point_id)]
        for item, quantity in item_quantities(design, point, group["value"]).items():
            rules = item_rules(design, tables.items[item])
            result = evaluate_rules(rules, times, quantity)
            names = np.array([r.name for r in rules] + [""], dtype=object)
            parts.append(pd.DataFrame({"point": point.id, "item": item, "time": times,
                                       "quantity": quantity, "level": result.level,
                                       "rule": names[result.rule],
                                       "compared": result.quantity}))
    columns = ["point", "item", "time", "quantity", "level", "rule", "compared"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return (pd.concat(parts, ignore_index=True)
            .sort_values(["item", "point", "time"], kind="stable", ignore_index=True))


def facility_alarm(design: TailingsDesign, points: Sequence[MonitoringPoint],
                   readings: pd.DataFrame, as_of: Any = None) -> FacilityAlarm:
    """The facility's alarm state from its readings up to ``as_of``.

    Parameters
    ----------
    design : TailingsDesign
    points : sequence of MonitoringPoint
    readings : pandas.DataFrame
        Tidy readings ``point``, ``time``, ``value``.
    as_of : datetime-like, optional
        Judge the latest reading of each point at or before this time (default: the latest
        reading overall).

    Returns
    -------
    FacilityAlarm
        Levels per point, item and facility, and the hazard to open: a major one under the
        item's criterion when a point's own reading of an item with a criterion is at the
        tables' ``major_at`` level, else a general one when an item that opens hazards is at
        ``general_at`` or above.
    """
    tables = load_tables()
    history = alarm_history(design, points, readings)
    if history.empty:
        raise ValidationError(Problem(_("no readings to judge"), column="value"))
    cutoff = pd.Timestamp(history["time"].max() if as_of is None else as_of)
    latest = (history[history["time"] <= cutoff]
              .groupby(["item", "point"], sort=True).tail(1))
    items = []
    for item, group in latest.groupby("item", sort=False):
        columns = [group[c].tolist() for c in ("point", "level", "time", "quantity", "rule",
                                                "compared")]
        point_alarms = tuple(
            PointAlarm(str(point), str(item), AlarmLevel(int(level)), pd.Timestamp(time),
                       float(quantity), str(rule), None if np.isnan(compared) else compared)
            for point, level, time, quantity, rule, compared in zip(*columns, strict=True))
        items.append(ItemAlarm(str(item), roll_up([p.level for p in point_alarms],
                                                  tables.points_to_item),
                               point_alarms, tables.items[str(item)].criterion))
    level = roll_up([i.level for i in items], tables.items_to_facility)
    return FacilityAlarm(design.name, cutoff, level, tuple(items),
                         _hazard_for(items, tables))


def _meets_criterion(item: ItemAlarm, tables: TailingsTables) -> PointAlarm | None:
    """A point whose own reading crossed the item's red threshold, which for these items is
    the criterion itself (depth below the control depth, freeboard or beach below the
    minimum); a red reached by the roll-up of lesser alarms is not that condition."""
    if not item.criterion:
        return None
    return next((p for p in item.points if p.level >= tables.major_at and p.rule == "value"),
                None)


def _hazard_for(items: Sequence[ItemAlarm], tables: TailingsTables) -> HazardProposal | None:
    opening = sorted((i for i in items if tables.items[i.item].opens_hazard
                      and i.level >= tables.general_at), key=lambda i: -i.level)
    if not opening:
        return None
    for item in opening:
        point = _meets_criterion(item, tables)
        if point is not None:
            return HazardProposal(HazardLevel.MAJOR, item.criterion,
                                  _describe(item, point, tables))
    worst = opening[0]
    point = max(worst.points, key=lambda p: p.level)
    return HazardProposal(HazardLevel.GENERAL, None, _describe(worst, point, tables))


def _describe(item: ItemAlarm, point: PointAlarm, tables: TailingsTables) -> str:
    spec = tables.items[item.item]
    name = spec.label_zh if is_chinese() else f"{spec.label_en} ({spec.label_zh})"
    return _("Online monitoring: %(item)s %(level)s; point %(point)s %(point_level)s at "
             "%(quantity)s %(unit)s", item=name,
             level=item.level.label, point=point.point, point_level=point.level.label,
             quantity=format(point.quantity, ".3g"), unit=spec.unit)


# --- demo stream -------------------------------------------------------------------------------


def demo_design() -> TailingsDesign:
    """A grade-3 upstream facility for demonstrations (crest 120 m, 1 % beach: the code's
    0.7 m freeboard and 70 m beach coincide at a pond level of 119.3 m)."""
    return TailingsDesign(name="Demo tailings facility", grade=3, dam_type=DamType.UPSTREAM,
                          crest_elevation_m=120.0, beach_slope=0.01,
                          control_phreatic_depth_m=6.0, design_flood_level_m=119.3,
                          flood_control_level_m=118.9, operating_control_level_m=118.6)


@dataclass(frozen=True)
class SimulatedStream:
    """Simulated readings of a facility: its design, points and readings (``point``, ``time``,
    ``value``, ``unit``, in time order as a gateway would publish them)."""

    design: TailingsDesign
    points: tuple[MonitoringPoint, ...]
    readings: pd.DataFrame


def simulate_stream(*, start: Any = "2025-07-01", days: int = 20, storm_day: float = 10.0,
                    storm_rain_mm: float = 260.0, seed: int = 0,
                    design: TailingsDesign | None = None) -> SimulatedStream:
    """Hourly readings of a facility through a two-day storm that drives it into red.

    The storm's rain (a 48 h bell) fills the pond through an exponential catchment response
    (0.006 m of pond per mm of rain, 96 h recession); the phreatic surface follows the pond
    with a 48 h lag; the dam creeps at 0.3 mm/d plus 4 mm/d per metre of pond rise. Gauge noise
    is Gaussian (pond 5 mm, piezometers 10 mm, displacement 0.2 mm). With the defaults the
    freeboard and beach length fall below the code's minimums (red, a major hazard under
    矿安〔2022〕88号 三（八）) about a day after the storm's peak.

    Parameters
    ----------
    start : datetime-like
        Time of the first reading.
    days : int
        Length of the stream, d.
    storm_day : float
        Day of the storm's start, d after ``start``.
    storm_rain_mm : float
        Total rain of the storm, mm.
    seed : int
        Seed of the noise (the same seed gives the same readings).
    design : TailingsDesign, optional
        Facility (default :func:`demo_design`).
    """
    design = design or demo_design()
    rng = np.random.default_rng(seed)
    hours = np.arange(int(days * 24), dtype=float)
    times = pd.Timestamp(start) + pd.to_timedelta(hours, unit="h")
    storm = np.exp(-0.5 * ((hours - (storm_day * 24 + 24)) / 8.0) ** 2)
    storm[(hours < storm_day * 24) | (hours >= storm_day * 24 + 48)] = 0.0
    rain = storm_rain_mm * storm / storm.sum() if storm.sum() > 0 else storm

    def respond(signal: np.ndarray, tau_h: float) -> np.ndarray:
        kernel = np.exp(-hours / tau_h)
        return np.convolve(signal, kernel)[: len(hours)]

    pond_rise = 0.006 * respond(rain, 96.0)
    pond = design.crest_elevation_m - 1.8 + pond_rise
    lagged = respond(pond_rise, 48.0) / np.exp(-hours / 48.0).sum()  # weighted mean: unit gain
    creep = np.cumsum(0.3 + 4.0 * pond_rise) / 24.0

    points = [MonitoringPoint("PL1", PointKind.POND_LEVEL), MonitoringPoint("RG1",
                                                                           PointKind.RAINFALL)]
    series = {"PL1": (pond + rng.normal(0, 0.005, hours.size), "m"), "RG1": (rain, "mm")}
    for n, surface in enumerate((108.0, 104.0, 100.0), start=1):
        points.append(MonitoringPoint(f"PZ{n}", PointKind.PHREATIC_LINE, surface))
        series[f"PZ{n}"] = (surface - 8.5 + 1.5 * lagged + rng.normal(0, 0.01, hours.size), "m")
    for n in (1, 2):
        points.append(MonitoringPoint(f"SD{n}", PointKind.SURFACE_DISPLACEMENT))
        series[f"SD{n}"] = (n * 0.5 * creep + rng.normal(0, 0.2, hours.size), "mm")
    readings = pd.concat([pd.DataFrame({"point": pid, "time": times, "value": values,
                                        "unit": unit})
                          for pid, (values, unit) in series.items()], ignore_index=True)
    readings = readings.sort_values(["time", "point"], kind="stable", ignore_index=True)
    return SimulatedStream(design, tuple(points), readings)
