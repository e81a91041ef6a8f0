"""Generic alarm rules on sensor time series, and the import of borehole pressure-cell workbooks.

Four kinds of rule compare a derived quantity of one series with ordered alarm thresholds:

- :class:`ThresholdRule`: the reading itself;
- :class:`RateRule`: the change over a trailing time window divided by the time it took;
- :class:`TrendRule`: the slope of a least-squares line over a trailing time window (steadier
  than a two-point rate on noisy gauges);
- :class:`AccumulationRule`: the sum over a trailing time window (rainfall).

Levels follow the national four-colour warning scale (blue < yellow < orange < red). A level
is reached when the quantity *reaches* its threshold going up (``>=``), or *falls short* of it
going down (``<``), the wording of the standards ("达到", "小于").

Everything is vectorised: windows are found with :func:`numpy.searchsorted` (rates) or pandas'
time-based rolling windows (trend, accumulation); no Python loop runs over samples.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, lazy_gettext
from aurum.core.tables import read_excel

PSI_TO_MPA = 0.006894757293168361
INCH_TO_MM = 25.4
FOOT_TO_M = 0.3048
ONE_DAY = pd.Timedelta(days=1)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system (with its leap bug)


class AlarmLevel(IntEnum):
    """The four-colour warning scale, NONE below blue."""

    NONE = 0
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> AlarmLevel:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValidationError(_("unknown alarm level %(name)r: expected one of %(known)s",
                                    name=name, known=", ".join(level.label for level in cls))
                                  ) from None


LEVEL_NAMES: Mapping[str, Any] = {
    "none": lazy_gettext("none"),
    "blue": lazy_gettext("blue"),
    "yellow": lazy_gettext("yellow"),
    "orange": lazy_gettext("orange"),
    "red": lazy_gettext("red"),
}
"""What a person reads for each alarm level (:attr:`AlarmLevel.label`), in the current
language."""
RULE_NAMES: Mapping[str, Any] = {
    "value": lazy_gettext("value"),
    "rate": lazy_gettext("rate"),
    "trend": lazy_gettext("trend"),
    "accumulation": lazy_gettext("accumulation"),
}
"""What a person reads for the name of each kind of rule (``name`` of :class:`ThresholdRule`,
:class:`RateRule`, :class:`TrendRule`, :class:`AccumulationRule`), in the current language."""


class Direction(StrEnum):
    """Which way a quantity is dangerous."""

    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True)
class LevelThresholds:
    """Thresholds of some alarm levels, in the unit of the quantity they judge.

    Parameters
    ----------
    direction : Direction
        ``above``: a level is reached when the quantity is >= its threshold; ``below``: when it
        is < its threshold.
    values : Mapping[AlarmLevel, float]
        Threshold per level (any subset of blue..red), in the quantity's unit (m, mm, mm/d,
        MPa...). More severe levels must lie further in the dangerous direction.
    """

    direction: Direction
    values: Mapping[AlarmLevel, float]

    def __post_init__(self) -> None:
        levels = sorted(self.values)
        if not levels or AlarmLevel.NONE in levels:
            raise ValidationError(_("thresholds need at least one of blue, yellow, orange, "
                                    "red"))
        ordered = np.array([self.values[level] for level in levels], dtype=float)
        if not np.isfinite(ordered).all():
            raise ValidationError(_("thresholds must be finite numbers"))
        steps = np.diff(ordered) if self.direction is Direction.ABOVE else -np.diff(ordered)
        if (steps <= 0).any():
            given = ", ".join(f"{lv.label} {v:g}" for lv, v in
                              zip(levels, ordered, strict=True))
            raise ValidationError(
                _("thresholds must increase from blue to red, got %(given)s", given=given)
                if self.direction is Direction.ABOVE else
                _("thresholds must decrease from blue to red, got %(given)s", given=given))

    def levels(self, quantity: np.ndarray) -> np.ndarray:
        """Alarm level (int8, 0 = none) of each value; NaN never alarms."""
        quantity = np.asarray(quantity, dtype=float)
        out = np.zeros(quantity.shape, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            for level in sorted(self.values):  # at most four levels, not a loop over samples
                limit = self.values[level]
                hit = quantity >= limit if self.direction is Direction.ABOVE else quantity < limit
                out[hit] = int(level)
        return out

    def describe(self) -> str:
        word = ">=" if self.direction is Direction.ABOVE else "<"
        return ", ".join(f"{LEVEL_NAMES[lv.label]} {word} {self.values[lv]:g}"
                         for lv in sorted(self.values))


def _elapsed(times: Any, per: pd.Timedelta) -> np.ndarray:
    """Times as float multiples of ``per`` since the first, checked to be non-decreasing."""
    index = pd.DatetimeIndex(times)
    if len(index) == 0:
        return np.zeros(0)
    if index.hasnans:
        raise ValidationError(_("sensor times contain missing values"))
    elapsed = np.asarray((index - index[0]) / per, dtype=float)
    if (np.diff(elapsed) < 0).any():
        raise ValidationError(_("sensor times must be in increasing order"))
    return elapsed


def _window_start(elapsed: np.ndarray, window: float) -> np.ndarray:
    """Index of the first sample inside the closed trailing window [t - window, t]."""
    slack = 1e-9 * max(1.0, window)  # a grid sample exactly one window back belongs to it
    return np.searchsorted(elapsed, elapsed - window - slack, side="left")


def rate_of_change(times: Any, values: Any, window: pd.Timedelta,
                   per: pd.Timedelta = ONE_DAY) -> np.ndarray:
    """Change of a series over a trailing time window, per unit time.

    Parameters
    ----------
    times : array-like of datetime
        Sample times, non-decreasing.
    values : array-like of float
        Readings, in the sensor's unit (m, mm, MPa...).
    window : pandas.Timedelta
        Length of the trailing window (s, h, d); the earliest sample inside it is the base.
    per : pandas.Timedelta
        Time unit of the rate (default one day: mm/d, MPa/d).

    Returns
    -------
    numpy.ndarray
        (value - value at the window's first sample) / elapsed time, in unit per ``per``;
        NaN for a sample alone in its window.
    """
    values = np.asarray(values, dtype=float)
    elapsed = _elapsed(times, per)
    start = _window_start(elapsed, window / per)
    span = elapsed - elapsed[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = (values - values[start]) / span
    rate[span <= 0] = np.nan
    return rate


def _rolling(times: Any, values: Any, window: pd.Timedelta,
             closed: Literal["right", "both"]) -> Any:
    series = pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(times))
    _elapsed(series.index, pd.Timedelta(seconds=1))  # order check with a clear message
    return series, series.rolling(window, closed=closed)


def trend_slope(times: Any, values: Any, window: pd.Timedelta,
                per: pd.Timedelta = ONE_DAY, min_points: int = 3) -> np.ndarray:
    """Slope of the least-squares line through the samples of a trailing time window.

    ``times``, ``values`` and ``per`` are as in :func:`rate_of_change`; the window (s, h, d)
    is closed at both ends here.

    Parameters
    ----------
    min_points : int
        Fewest samples (count) a window needs for a slope; fewer gives NaN.

    Returns
    -------
    numpy.ndarray
        cov(t, value) / var(t) over each window, in unit per ``per``.
    """
    series, rolling = _rolling(times, values, window, "both")
    elapsed = pd.Series(_elapsed(series.index, per), index=series.index)
    cov = rolling.cov(elapsed)
    var = elapsed.rolling(window, closed="both").var()
    count = rolling.count()
    slope = np.array(cov / var, dtype=float)
    slope[np.asarray(count < min_points) | ~np.isfinite(slope)] = np.nan
    return slope


def rolling_sum(times: Any, values: Any, window: pd.Timedelta) -> np.ndarray:
    """Sum of the samples in the trailing window (t - window, t], e.g. 24 h rainfall in mm
    from gauge readings of the rain (mm) fallen since the previous reading (open at the left
    end, so 24 hourly readings make a day)."""
    _windows, rolling = _rolling(times, values, window, "right")
    return np.asarray(rolling.sum(), dtype=float)


@dataclass(frozen=True)
class ThresholdRule:
    """Alarm on the reading itself (thresholds in the sensor's unit)."""

    thresholds: LevelThresholds
    name: str = "value"

    def quantity(self, times: Any, values: Any) -> np.ndarray:
        return np.asarray(values, dtype=float)


@dataclass(frozen=True)
class RateRule:
    """Alarm on :func:`rate_of_change` (thresholds in unit per ``per``)."""

    thresholds: LevelThresholds
    window: pd.Timedelta
    per: pd.Timedelta = ONE_DAY
    name: str = "rate"

    def quantity(self, times: Any, values: Any) -> np.ndarray:
        return rate_of_change(times, values, self.window, self.per)


@dataclass(frozen=True)
class TrendRule:
    """Alarm on :func:`trend_slope` (thresholds in unit per ``per``)."""

    thresholds: LevelThresholds
    window: pd.Timedelta
    per: pd.Timedelta = ONE_DAY
    min_points: int = 3
    name: str = "trend"

    def quantity(self, times: Any, values: Any) -> np.ndarray:
        return trend_slope(times, values, self.window, self.per, self.min_points)


@dataclass(frozen=True)
class AccumulationRule:
    """Alarm on :func:`rolling_sum` (thresholds in the sensor's unit, summed)."""

    thresholds: LevelThresholds
    window: pd.Timedelta
    name: str = "accumulation"

    def quantity(self, times: Any, values: Any) -> np.ndarray:
        return rolling_sum(times, values, self.window)


Rule = ThresholdRule | RateRule | TrendRule | AccumulationRule


@dataclass(frozen=True)
class RuleEvaluation:
    """Per-sample outcome of a set of rules on one series.

    ``level`` is the highest level any rule gives (int8, 0 = none); ``rule`` is the index in
    the rule list of the rule that gave it (-1 where no rule alarms); ``quantity`` holds that
    rule's quantity (NaN where none alarms).
    """

    level: np.ndarray
    rule: np.ndarray
    quantity: np.ndarray


def evaluate_rules(rules: Sequence[Rule], times: Any, values: Any) -> RuleEvaluation:
    """Apply every rule to one series and keep, per sample, the most severe outcome.

    Parameters
    ----------
    rules : sequence of rules
        Threshold, rate, trend and accumulation rules; ties go to the earlier rule.
    times : array-like of datetime
        Sample times, non-decreasing.
    values : array-like of float
        Readings, in the unit the rules expect.
    """
    n = len(np.asarray(values))
    if not rules:
        return RuleEvaluation(np.zeros(n, np.int8), np.full(n, -1), np.full(n, np.nan))
    quantities = np.vstack([rule.quantity(times, values) for rule in rules])
    levels = np.vstack([rule.thresholds.levels(q) for rule, q in
                        zip(rules, quantities, strict=True)])
    best = np.argmax(levels, axis=0)
    level = levels[best, np.arange(n)]
    quantity = quantities[best, np.arange(n)]
    return RuleEvaluation(level.astype(np.int8), np.where(level > 0, best, -1),
                          np.where(level > 0, quantity, np.nan))


def sensor_alarms(readings: pd.DataFrame, rules: Mapping[str, Sequence[Rule]]) -> pd.DataFrame:
    """Alarm level of every reading of a tidy frame, sensor by sensor.

    Parameters
    ----------
    readings : pandas.DataFrame
        Columns ``sensor``, ``time``, ``value`` (as :func:`read_pressure_cells` returns).
    rules : Mapping[str, sequence of rules]
        Rules per sensor name; sensors without an entry are left out.

    Returns
    -------
    pandas.DataFrame
        ``sensor``, ``time``, ``value``, ``level`` (AlarmLevel as int), ``rule`` (the
        alarming rule's name, '' when none), ``quantity`` (what that rule compared).
    """
    parts = []
    for sensor, group in readings[readings["sensor"].isin(list(rules))].groupby("sensor",
                                                                               sort=True):
        group = group.sort_values("time", kind="stable")
        sensor_rules = list(rules[str(sensor)])
        result = evaluate_rules(sensor_rules, group["time"], group["value"])
        names = np.array([r.name for r in sensor_rules] + [""], dtype=object)
        parts.append(pd.DataFrame({"sensor": sensor, "time": group["time"].to_numpy(),
                                   "value": group["value"].to_numpy(dtype=float),
                                   "level": result.level, "rule": names[result.rule],
                                   "quantity": result.quantity}))
    columns = ["sensor", "time", "value", "level", "rule", "quantity"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


# --- borehole pressure-cell workbooks -------------------------------------------------------

_HEADER_MARK = "serial date"
_HEADER_SEARCH_ROWS = 60  # the header sits under a short title block
_SENSOR_PATTERNS = (
    # (header pattern naming the file's unit, factor to the unit returned, unit returned)
    (re.compile(r"^(?P<code>[A-Z]{1,3}\d+) cell pressure \(psi\)$", re.I), PSI_TO_MPA, "MPa"),
    (re.compile(r"string pot\.? (?P<code>M\d+-\d+) \(in\)$", re.I), INCH_TO_MM, "mm"),
)
_ANCHOR = re.compile(r"(\d+(?:\.\d+)?)-ft anchor", re.I)
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NUM!", "#NAME?", "#NULL!"}


@dataclass(frozen=True)
class BoreholeWorkbook:
    """Readings of one instrument-site workbook.

    Parameters
    ----------
    readings : pandas.DataFrame
        Tidy: ``site``, ``sensor``, ``time`` (datetime64), ``value`` (float), ``unit``
        (``MPa`` for cell pressure, ``mm`` for string-potentiometer displacement), sorted by
        sensor then time. Empty cells are left out.
    sensors : pandas.DataFrame
        One row per sensor: ``site``, ``sensor``, ``unit``, ``depth_m`` (depth in the
        borehole, or a string pot's anchor depth, m), ``set_pressure_mpa`` (installation
        pressure, MPa; NaN for displacement), ``n_readings``.
    title : str
        The sheet's title line.
    source : str
        File name.
    """

    readings: pd.DataFrame
    sensors: pd.DataFrame
    title: str
    source: str


def read_pressure_cells(path: str | Path, sheet: str | int = 0,
                        site: str | None = None) -> BoreholeWorkbook:
    """Read a borehole pressure-cell workbook (NIOSH Elk Creek layout) into a tidy frame.

    The sheet holds a title, rows labelled ``Depth in Borehole (ft) =`` and ``Set Pressure
    (psi) =`` above the sensor columns, a header row starting with ``Serial Date``, then one
    row per reading time. Times come from the Excel serial date (1900 system) rounded to the
    second; pressures are converted from psi to MPa and string-pot displacements from inches
    to mm. Excel error values (``#N/A``...) count as empty cells.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` workbook.
    sheet : str or int
        Sheet name or 0-based position (default the first).
    site : str, optional
        Site label for the rows (default the file name without extension).

    Returns
    -------
    BoreholeWorkbook

    Raises
    ------
    ValidationError
        When the file cannot be read, the header row or any sensor column is missing, or a cell
        holds text instead of a number or a reading has no time (row and column named as in the
        spreadsheet, header row included).
    """
    path = Path(path)
    source = path.name
    raw = read_excel(path, source, sheet_name=sheet, header=None, dtype=object)
    site = site or path.stem
    header_row = _find_header(raw, source)
    header = [str(c).strip() if _present(c) else "" for c in raw.iloc[header_row]]
    columns = _sensor_columns(header, source, header_row)
    time_col = next(i for i, h in enumerate(header) if h.lower() == _HEADER_MARK)

    body = raw.iloc[header_row + 1:]
    excel_rows = np.asarray(body.index) + 1  # spreadsheet numbering (1-based)
    values = np.full((len(body), len(columns)), np.nan)
    problems: list[Problem] = []
    for j, (col, code, *_rest) in enumerate(columns):
        values[:, j] = _numeric(body.iloc[:, col], excel_rows, code, source, problems)
    serial = _numeric(body.iloc[:, time_col], excel_rows, header[time_col], source, problems)
    has_reading = ~np.isnan(values).all(axis=1)
    for row in excel_rows[has_reading & np.isnan(serial)].tolist():
        problems.append(Problem(_("a reading without a time: expected an Excel serial date"),
                                row=int(row), column=header[time_col], source=source))
    if problems:
        raise ValidationError(problems)

    keep = has_reading
    times = (_EXCEL_EPOCH + pd.to_timedelta(serial[keep], unit="D")).round("s")
    block = values[keep]
    meta = _sensor_metadata(raw, header_row, columns)
    frames = []
    for j, (_col, code, factor, unit) in enumerate(columns):
        present = ~np.isnan(block[:, j])
        frames.append(pd.DataFrame({"site": site, "sensor": code, "time": times[present],
                                    "value": block[present, j] * factor, "unit": unit}))
    readings = (pd.concat(frames, ignore_index=True)
                .sort_values(["sensor", "time"], kind="stable", ignore_index=True))
    counts = readings.groupby("sensor").size()
    sensors = pd.DataFrame({
        "site": site, "sensor": [c[1] for c in columns], "unit": [c[3] for c in columns],
        "depth_m": [m[0] for m in meta], "set_pressure_mpa": [m[1] for m in meta]})
    sensors["n_readings"] = sensors["sensor"].map(counts).fillna(0).astype(int)
    title = next((str(v) for v in raw.iloc[0] if _present(v)), "") if len(raw) else ""
    return BoreholeWorkbook(readings, sensors, title, source)


def _present(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, float) and np.isnan(cell)) \
        and not (isinstance(cell, str) and not cell.strip())


def _find_header(raw: pd.DataFrame, source: str) -> int:
    first = [str(c).strip().lower() for c in raw.iloc[:_HEADER_SEARCH_ROWS, 0]]
    hits = np.flatnonzero(np.asarray(first) == _HEADER_MARK)
    if len(hits) == 0:
        raise ValidationError(Problem(_("no header row: expected a row whose first cell is "
                                        "'Serial Date'"), source=source))
    return int(hits[0])


def _sensor_columns(header: list[str], source: str,
                    header_row: int) -> list[tuple[int, str, float, str]]:
    columns = []
    for i, name in enumerate(header):
        for pattern, factor, unit in _SENSOR_PATTERNS:
            match = pattern.search(name)
            if match:
                columns.append((i, match.group("code").upper(), factor, unit))
                break
    if not columns:
        raise ValidationError(Problem(_("no sensor columns: expected headers such as "
                                        "'BP1 cell pressure (psi)'"), row=header_row + 1,
                                      source=source))
    codes = [c[1] for c in columns]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ValidationError(Problem(_("sensor columns repeated: %(codes)s",
                                        codes=", ".join(duplicated)),
                                      row=header_row + 1, source=source))
    return columns


def _numeric(cells: pd.Series, rows: np.ndarray, column: str, source: str,
             problems: list[Problem]) -> np.ndarray:
    """Numbers of a column; empty cells and Excel errors are NaN, other text is a problem."""
    numbers = pd.to_numeric(cells, errors="coerce")
    suspect = np.flatnonzero(np.asarray(numbers.isna() & cells.notna()))
    # Only the few cells that did not parse are looked at one by one.
    for i in suspect.tolist():
        cell = cells.iloc[i]
        if isinstance(cell, str) and (not cell.strip() or cell.strip() in _EXCEL_ERRORS):
            continue
        if len(problems) < 50:
            problems.append(Problem(_("expected a number, got %(cell)r", cell=cell),
                                    row=int(rows[i]),
                                    column=column, source=source))
    return np.asarray(numbers, dtype=float)


def _sensor_metadata(raw: pd.DataFrame, header_row: int,
                     columns: list[tuple[int, str, float, str]]) -> list[tuple[float, float]]:
    """(depth m, set pressure MPa) per sensor from the labelled rows above the header."""
    labels = raw.iloc[:header_row].apply(
        lambda row: " ".join(str(c).lower() for c in row if isinstance(c, str)), axis=1)

    def row_of(word: str) -> pd.Series | None:
        hits = np.flatnonzero(np.asarray(labels.str.contains(word, regex=False)))
        return raw.iloc[int(hits[0])] if len(hits) else None

    depth, pressure = row_of("depth in borehole"), row_of("set pressure")

    def number(row: pd.Series | None, col: int) -> float:
        if row is None:
            return float("nan")
        value = pd.to_numeric(pd.Series([row.iloc[col]]), errors="coerce").iloc[0]
        return float(value)

    header = raw.iloc[header_row]

    def anchor_ft(col: int) -> float:
        # String pots name their anchor in the header ("roof and 20-ft anchor").
        match = _ANCHOR.search(str(header.iloc[col]))
        return float(match.group(1)) if match else float("nan")

    return [(number(depth, col) * FOOT_TO_M if unit == "MPa" else anchor_ft(col) * FOOT_TO_M,
             number(pressure, col) * PSI_TO_MPA if unit == "MPa" else float("nan"))
            for col, _code, _factor, unit in columns]
