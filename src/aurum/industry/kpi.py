"""The plan's 2027 indicators, computed from annual site rows.

Input
-----
One row per site and year with the columns :data:`KPI_COLUMNS` (and optionally ``group``, the
enterprise group, which defaults to ``enterprise``). Masses are in t, gold and silver in kg,
capacities in t/d. NaN means *not reported*: it is left out of every sum, and a sum with no
reported value is NaN, never 0. Files are checked by :func:`validate_kpi_frame`; the functions
below trust their input.

Indicators (``as_of`` year *y*, baseline year *b* = 2024)
-------------------------------------------------------
*y* lies between *b* and the latest year of the data (at most
:data:`aurum.core.checks.LAST_YEAR`): the engine builds one column per year from *b* to *y*, so
a year the data cannot support is refused with a :class:`ValidationError`, not computed.

``gold_resources_growth_pct``, ``gold_output_growth_pct``, ``silver_output_growth_pct``
    100 x (Q_y - Q_b) / Q_b, Q the national sum of ``gold_resources_t``, ``gold_kg`` or
    ``silver_kg`` over every row of the year, whatever the site type. A site first reported
    after *b* adds to Q_y (a new mine is growth); a site missing from year *y* is missing from
    Q_y. ``baseline`` and ``current`` are Q_b and Q_y in the column's unit.
``large_mine_output_share_pct``
    100 x gold of mines (``site_type == 'mine'``) with ``daily_capacity_t`` >= 500 / gold of
    all mines. A mine whose capacity is not reported counts in the total but not as large, so
    the share is never overstated.
``solid_waste_utilisation_pct``
    100 x utilised / generated, over the rows that report both: a row reporting only one of the
    two would otherwise count as utilising nothing, or as utilising waste it did not generate.
For the two shares ``baseline`` and ``current`` are the shares themselves, in %.

Projection, gap and status (a product decision: the plan sets targets, not these rules)
--------------------------------------------------------------------------------------
- ``trajectory``: the indicator in every year from *b* to *y* where it can be computed.
- ``projection_2027``: the ordinary least-squares line through the trajectory, at the target
  year; with a single point, that value; once the target year is in the trajectory, its
  actual value.
- ``gap``: (target - projection) / 100 x a reference quantity, in t: for a growth indicator
  the baseline quantity (so the gap is the shortfall of the projected 2027 quantity against
  Q_b x (1 + target / 100)); for the large-mine share the national mine gold of year *y* (gold
  that would have to come from large mines instead); for waste the waste generated in year *y*
  (waste that would have to be utilised in addition). Positive is a shortfall, <= 0 is met.
- ``status``: ``on_track`` if the projection reaches the target; ``at_risk`` if it covers at
  least ``at_risk_fraction`` (0.75) of the way from the baseline value (0 for growth
  indicators, the 2024 share for shares) to the target; ``off_track`` otherwise; ``no_data``
  when the indicator or its baseline cannot be computed. ``target_max`` (resources: 10 %) is
  informative: exceeding it is still on track.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from aurum.core.checks import LAST_YEAR
from aurum.core.concentration import hhi, shares_pct, top_share
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, read_table, require_rows, with_columns
from aurum.core.units import KG_PER_T
from aurum.industry.registry import SITE_TYPES, SiteKind
from aurum.industry.targets import IndicatorTarget, PlanTargets, load_targets

KPI_COLUMNS: tuple[str, ...] = (
    "year", "enterprise", "province", "site", "site_type", "daily_capacity_t", "ore_treated_t",
    "gold_kg", "silver_kg", "gold_resources_t", "solid_waste_generated_t",
    "solid_waste_utilised_t",
)
GROUP_COLUMN = "group"
ROLLUP_KEYS: tuple[str, ...] = ("province", "enterprise", GROUP_COLUMN)
PLANT_COLUMNS: tuple[str, ...] = (
    "site", "enterprise", "province", "site_type", "daily_capacity_t", "commissioned_on",
)

COMPLIANT = "compliant"
BELOW_FLOOR = "below_floor"
CAPACITY_NOT_REPORTED = "capacity_not_reported"

_TEXT_COLUMNS: tuple[str, ...] = ("enterprise", "province", "site", "site_type")
_NUMBER_UNITS: Mapping[str, str] = MappingProxyType({
    "daily_capacity_t": "t/d", "ore_treated_t": "t", "gold_kg": "kg", "silver_kg": "kg",
    "gold_resources_t": "t", "solid_waste_generated_t": "t", "solid_waste_utilised_t": "t",
})
_NATIONAL = "national"
# Reported figures carry a few decimals; a projection this close to a threshold is on it.
_TOLERANCE_PCT = 1e-9


class Status(StrEnum):
    """Where an indicator stands against its 2027 target (rules in the module docstring)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class _Spec:
    """How one indicator is computed from the summed quantities of :func:`_sums`."""

    numerator: str
    denominator: str | None  # None: growth of the numerator against the baseline year
    quantity_unit: str  # unit of ``baseline`` and ``current``
    gap_unit: str
    tonnes_per_unit: float  # converts the reference quantity of the gap to t


_SPECS: Mapping[str, _Spec] = MappingProxyType({
    "gold_resources_growth_pct": _Spec("gold_resources_t", None, "t", "t of gold", 1.0),
    "gold_output_growth_pct": _Spec("gold_kg", None, "kg", "t of gold", 1 / KG_PER_T),
    "silver_output_growth_pct": _Spec("silver_kg", None, "kg", "t of silver", 1 / KG_PER_T),
    "large_mine_output_share_pct": _Spec("large_mine_gold_kg", "mine_gold_kg", "%", "t of gold",
                                         1 / KG_PER_T),
    "solid_waste_utilisation_pct": _Spec("waste_utilised_t", "waste_generated_t", "%",
                                         "t of waste", 1.0),
})
INDICATOR_IDS: tuple[str, ...] = tuple(_SPECS)


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator for one year, against its 2027 target.

    Parameters
    ----------
    id, label : str
        Indicator id and label (from the targets file).
    unit : str
        Unit of ``value``, ``target`` and ``projection_2027`` (%).
    quantity_unit : str
        Unit of ``baseline`` and ``current``: t or kg for growth indicators, % for shares.
    baseline, current : float or None
        National quantity (growth) or share (shares) in the baseline year and the as-of year.
    value : float or None
        The indicator in the as-of year, %.
    target : float
        The plan's 2027 target, %.
    target_max : float or None
        Upper end of the target range, % (gold resources only).
    status : Status
        See the module docstring.
    trajectory : tuple of (int, float)
        (year, value in %) for every year from the baseline to the as-of year with a value.
    projection_2027 : float or None
        Value projected to the target year, %.
    gap : float or None
        Shortfall at the target year in ``gap_unit`` (t); <= 0 when the target is met.
    gap_unit : str
        ``t of gold``, ``t of silver`` or ``t of waste``.
    """

    id: str
    label: str
    unit: str
    quantity_unit: str
    baseline: float | None
    current: float | None
    value: float | None
    target: float
    target_max: float | None
    status: Status
    trajectory: tuple[tuple[int, float], ...]
    projection_2027: float | None
    gap: float | None
    gap_unit: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (no-data figures are None)."""
        return {
            "id": self.id, "label": self.label, "unit": self.unit,
            "quantity_unit": self.quantity_unit, "baseline": self.baseline,
            "current": self.current, "value": self.value, "target": self.target,
            "target_max": self.target_max, "status": self.status.value,
            "trajectory": [{"year": year, "value": value} for year, value in self.trajectory],
            "projection_2027": self.projection_2027, "gap": self.gap, "gap_unit": self.gap_unit,
        }


@dataclass(frozen=True)
class IndicatorReport:
    """The plan's indicators for one year.

    Parameters
    ----------
    as_of : int
        Year reported.
    baseline_year : int
        Year growth is measured from.
    indicators : tuple of IndicatorResult
        In the order of the targets file.
    """

    as_of: int
    baseline_year: int
    indicators: tuple[IndicatorResult, ...]

    def indicator(self, indicator_id: str) -> IndicatorResult:
        """The result of one indicator; ``KeyError`` when the report has none."""
        for result in self.indicators:
            if result.id == indicator_id:
                return result
        raise KeyError(f"no indicator {indicator_id!r} in the report")

    def as_dict(self) -> dict[str, object]:
        """``{"as_of", "baseline_year", "indicators"}``: the contract of ``aurum kpi``."""
        return {"as_of": self.as_of, "baseline_year": self.baseline_year,
                "indicators": [r.as_dict() for r in self.indicators]}


@dataclass(frozen=True)
class Concentration:
    """Concentration of gold output among producers in one year.

    Parameters
    ----------
    year : int
        Year.
    by : str
        What a producer is: ``group``, ``enterprise`` or ``province``.
    producers : int
        Producers with gold output > 0.
    gold_output_t : float or None
        Their total gold output, t.
    top10_share_pct : float or None
        Share of the ten largest producers in that output, %.
    hhi : float or None
        Herfindahl-Hirschman index: sum of the squared percentage shares, 0-10,000.
    """

    year: int
    by: str
    producers: int
    gold_output_t: float | None
    top10_share_pct: float | None
    hhi: float | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"year": self.year, "by": self.by, "producers": self.producers,
                "gold_output_t": self.gold_output_t, "top10_share_pct": self.top10_share_pct,
                "hhi": self.hhi}


# ---------------------------------------------------------------------------------------------
# Reading and validation


def read_kpi_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a file of annual site rows (CSV, or Excel ``.xlsx``).

    Parameters
    ----------
    path : str or Path
        The file; its header holds :data:`KPI_COLUMNS` (and optionally ``group``).

    Returns
    -------
    pandas.DataFrame
        As :func:`validate_kpi_frame` returns it.

    Raises
    ------
    ValidationError
        With every problem of the file (see :func:`validate_kpi_frame`), or when it has no rows.
    """
    path = Path(path)
    return require_rows(validate_kpi_frame(read_table(path, path.name), source=path.name),
                        path.name)


def validate_kpi_frame(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check annual site rows and return them typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with the columns :data:`KPI_COLUMNS`, as text (read from a file) or already typed.
        Empty cells mean *not reported*. Other columns are dropped.
    source : str, optional
        File name for the messages.

    Returns
    -------
    pandas.DataFrame
        :data:`KPI_COLUMNS` plus ``group`` (empty groups filled with the enterprise): ``year``
        as int64, text columns stripped, numbers as float64 (t, kg, t/d; NaN = not reported).

    Raises
    ------
    ValidationError
        One :class:`~aurum.core.errors.Problem` per missing column (row 1), empty or unknown
        ``site_type``, empty identity cell, year that is not a whole number, text or negative
        number in a number column, and duplicate (site, year); rows are numbered as in a
        spreadsheet (header = row 1).
    """
    frame = with_columns(frame, KPI_COLUMNS, source)
    problems = RowProblems(source)
    flag = problems.flag
    text = {c: _text(frame[c]) for c in _TEXT_COLUMNS}
    for column, cells in text.items():
        flag(cells.isna(), column, _("expected %(column)s", column=column))
    site_type = text["site_type"]
    flag(site_type.notna() & ~site_type.isin(SITE_TYPES), "site_type",
         _("unknown site type {value!r}: expected one of %(types)s",
           types=", ".join(SITE_TYPES)),
         value=site_type)

    year, year_cells, year_bad = _numbers(frame["year"])
    year_bad |= year.notna() & (year.ne(year.round()) | ~year.between(1900, 2100))
    flag(year.isna() & ~year_bad, "year", _("expected a year"))
    flag(year_bad, "year", _("expected a year as a whole number (1900-2100), got {value!r}"),
         value=year_cells)
    year = year.where(~year_bad)

    numbers: dict[str, pd.Series] = {}
    for column, unit in _NUMBER_UNITS.items():
        values, cells, bad = _numbers(frame[column])
        flag(bad, column, _("expected a number in %(unit)s (leave the cell empty when not "
                            "reported), got {value!r}", unit=unit), value=cells)
        flag(values.lt(0), column, _("expected a value >= 0 %(unit)s, got {value:g}", unit=unit),
             value=values)
        numbers[column] = values

    site = text["site"]
    position = np.arange(len(frame))
    first = (pd.Series(position, dtype="float64").where(site.notna() & year.notna())
             .groupby([site, year]).transform("min").to_numpy())
    flag(first < position, "site", _("site {site} appears twice for {year:.0f}: already on row "
                                     "{row:.0f}"), site=site, year=year, row=first + 2)
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.row or 0))

    enterprise = text["enterprise"].astype(str)
    group = (_text(frame[GROUP_COLUMN]).fillna(enterprise).astype(str)
             if GROUP_COLUMN in frame.columns else enterprise)
    return pd.DataFrame({
        "year": year.astype("int64"),
        **{c: text[c].astype(str) for c in _TEXT_COLUMNS},
        **numbers,
        GROUP_COLUMN: group,
    })[[*KPI_COLUMNS, GROUP_COLUMN]]


def _text(column: pd.Series) -> pd.Series:
    """Stripped text; NA where the cell is empty."""
    cells = column.astype("string").str.strip()
    return cells.mask(cells.eq(""))


def _numbers(column: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column: (values as float64, cells as text, mask of cells that are no number)."""
    cells = _text(column)
    values = pd.to_numeric(cells, errors="coerce").astype("float64")
    bad = cells.notna() & ~np.isfinite(values)
    return values.where(~bad), cells, bad


# ---------------------------------------------------------------------------------------------
# Indicators


def compute_indicators(frame: pd.DataFrame, as_of: int,
                       targets: PlanTargets | None = None) -> IndicatorReport:
    """The plan's five indicators for one year, against their 2027 targets.

    Parameters
    ----------
    frame : pandas.DataFrame
        Annual site rows as :func:`validate_kpi_frame` returns them (t, kg, t/d).
    as_of : int
        Year to report: from the baseline year 2024 to the latest year of ``frame``.
    targets : PlanTargets, optional
        Targets to use; the shipped ones by default.

    Returns
    -------
    IndicatorReport
        Rules in the module docstring.

    Raises
    ------
    ValidationError
        When ``as_of`` is before the baseline year or after the latest year of ``frame``.
    """
    plan = targets or load_targets()
    sums = _sums(frame, None, plan, as_of)
    return IndicatorReport(as_of, plan.baseline_year, tuple(
        _result(plan.indicator(indicator_id), spec, sums, plan, as_of)
        for indicator_id, spec in _SPECS.items()))


def rollup(frame: pd.DataFrame, as_of: int, by: str,
           targets: PlanTargets | None = None) -> pd.DataFrame:
    """The indicators per province, enterprise or group (the province table).

    ``frame``, ``as_of`` and ``targets`` are as in :func:`compute_indicators`, which raises
    the same errors.

    Parameters
    ----------
    by : {"province", "enterprise", "group"}
        Grouping column.

    Returns
    -------
    pandas.DataFrame
        One row per group, largest gold output first: ``by``, ``gold_output_baseline_t`` and
        ``gold_output_t`` (gold output in the baseline and as-of year, t) and one column per
        indicator id with its value in the as-of year (%; NaN when it cannot be computed, e.g.
        growth of a group with no baseline output).
    """
    plan = targets or load_targets()
    sums = _sums(frame, by, plan, as_of)
    gold_t = sums["gold_kg"] / KG_PER_T
    table = pd.DataFrame({
        "gold_output_baseline_t": gold_t[plan.baseline_year],
        "gold_output_t": gold_t[as_of],
        **{i: _values(sums, spec, plan.baseline_year)[as_of] for i, spec in _SPECS.items()},
    })
    return (table.rename_axis(by)
            .sort_values("gold_output_t", ascending=False, kind="stable", na_position="last")
            .reset_index())


def concentration(frame: pd.DataFrame, year: int, by: str = GROUP_COLUMN) -> Concentration:
    """Top-10 share and Herfindahl-Hirschman index of gold output in one year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Annual site rows as :func:`validate_kpi_frame` returns them (gold in kg).
    year : int
        Calendar year.
    by : {"group", "enterprise", "province"}
        What counts as one producer; enterprise groups by default.

    Returns
    -------
    Concentration
        Producers are those with gold output > 0 (shares in %, HHI 0-10,000); figures are None
        when there is none.
    """
    rows = frame[frame["year"] == year]
    gold = rows["gold_kg"].groupby(_key(rows, by)).sum()
    gold = gold[gold > 0]
    if gold.empty:
        return Concentration(year, by, 0, None, None, None)
    shares = shares_pct(gold.to_numpy())
    return Concentration(year=year, by=by, producers=len(gold),
                         gold_output_t=float(gold.sum() / KG_PER_T),
                         top10_share_pct=top_share(shares, 10), hhi=hhi(shares))


def plant_scale_compliance(plants: pd.DataFrame, targets: PlanTargets | None = None, *,
                           include_compliant: bool = False) -> pd.DataFrame:
    """New plants against the plan's minimum daily processing capacity.

    Parameters
    ----------
    plants : pandas.DataFrame
        One row per plant with :data:`PLANT_COLUMNS`: ``site_type`` a plant type,
        ``daily_capacity_t`` in t/d (NaN = not reported), ``commissioned_on`` a date (or ISO
        text; empty when unknown). Other columns are kept.
    targets : PlanTargets, optional
        Floors and their effective date; the shipped ones by default.
    include_compliant : bool
        False (default): only the plants below their floor. True: every new plant.

    Returns
    -------
    pandas.DataFrame
        The plants of a type with a floor commissioned on or after the floors' effective date
        (2025-01-01), largest shortfall first, with ``floor_t_per_day`` (t/d),
        ``shortfall_t_per_day`` (floor - capacity, >= 0, t/d; NaN when the capacity is not
        reported) and ``status``: :data:`COMPLIANT`, :data:`BELOW_FLOOR` or
        :data:`CAPACITY_NOT_REPORTED`. Plants without a commissioning date are not assessed.
    """
    plan = targets or load_targets()
    floor = plants["site_type"].map(plan.plant_floors_t_per_day).astype("float64")
    capacity = plants["daily_capacity_t"].astype("float64")
    commissioned = pd.to_datetime(plants["commissioned_on"], format="ISO8601")
    new = commissioned.ge(pd.Timestamp(plan.plant_floors_effective_from)) & floor.notna()
    status = np.select([capacity.isna(), capacity.lt(floor)], [CAPACITY_NOT_REPORTED, BELOW_FLOOR],
                       COMPLIANT)
    assessed = plants.assign(floor_t_per_day=floor,
                             shortfall_t_per_day=(floor - capacity).clip(lower=0),
                             status=pd.Series(status, index=plants.index, dtype="str"))[new]
    if not include_compliant:
        assessed = assessed[assessed["status"].eq(BELOW_FLOOR)]
    return assessed.sort_values("shortfall_t_per_day", ascending=False, kind="stable",
                                na_position="last").reset_index(drop=True)


def _years(frame: pd.DataFrame, plan: PlanTargets, as_of: int) -> list[int]:
    """The years from the baseline to ``as_of``, once ``as_of`` is a year the data supports.

    From the plan's baseline year to the latest year of ``frame`` (the baseline year when the
    frame holds no later one), never beyond :data:`aurum.core.checks.LAST_YEAR`.
    """
    first = plan.baseline_year
    latest = int(frame["year"].max()) if len(frame) else first
    last = min(max(latest, first), LAST_YEAR)
    if not first <= as_of <= last:
        values = {"as_of": as_of, "first": first, "last": last}
        if as_of < first:
            message = _("as-of year %(as_of)s is before the baseline year %(first)s: expected "
                        "a year from %(first)s to %(last)s", **values)
        elif last == LAST_YEAR:
            message = _("as-of year %(as_of)s is after %(last)s, the last year Aurum accepts: "
                        "expected a year from %(first)s to %(last)s", **values)
        else:
            message = _("as-of year %(as_of)s is after %(last)s, the latest year the data "
                        "reports: expected a year from %(first)s to %(last)s", **values)
        raise ValidationError(Problem(message, column="as_of"))
    return list(range(first, as_of + 1))


def _key(frame: pd.DataFrame, by: str) -> pd.Series:
    if by not in ROLLUP_KEYS:
        raise ValueError(f"by must be one of {', '.join(ROLLUP_KEYS)}, got {by!r}")
    if by != GROUP_COLUMN:
        return frame[by]
    # A site with no enterprise group counts its enterprise as its group.
    enterprise = frame["enterprise"]
    return frame[GROUP_COLUMN].fillna(enterprise) if GROUP_COLUMN in frame.columns else enterprise


def _sums(frame: pd.DataFrame, by: str | None, plan: PlanTargets, as_of: int
          ) -> dict[str, pd.DataFrame]:
    """Summed quantities per group (``by``; None = national) and year.

    One frame per quantity, indexed by group with one column per year from the baseline to
    ``as_of`` (:func:`_years`); NaN where nothing was reported.
    """
    years = _years(frame, plan, as_of)
    large_mine_t_per_day = plan.large_mine_capacity_t_per_day
    rows = frame[frame["year"].isin(years)]
    mine_gold = rows["gold_kg"].where(rows["site_type"].eq(SiteKind.MINE.value))
    generated, utilised = rows["solid_waste_generated_t"], rows["solid_waste_utilised_t"]
    paired = generated.notna() & utilised.notna()
    parts = pd.DataFrame({
        "gold_kg": rows["gold_kg"],
        "silver_kg": rows["silver_kg"],
        "gold_resources_t": rows["gold_resources_t"],
        "mine_gold_kg": mine_gold,
        # An unreported capacity compares False, so it never makes a mine large.
        "large_mine_gold_kg": mine_gold * rows["daily_capacity_t"].ge(large_mine_t_per_day),
        "waste_generated_t": generated.where(paired),
        "waste_utilised_t": utilised.where(paired),
    })
    key = (pd.Series(_NATIONAL, index=rows.index) if by is None else _key(rows, by)).rename("key")
    summed = parts.groupby([key, rows["year"]]).sum(min_count=1)
    index = [_NATIONAL] if by is None else None
    return {name: summed[name].unstack("year").reindex(index=index, columns=years)
            for name in parts.columns}


def _values(sums: Mapping[str, pd.DataFrame], spec: _Spec, baseline_year: int) -> pd.DataFrame:
    """The indicator (%) per group and year; NaN where it cannot be computed."""
    numerator = sums[spec.numerator]
    if spec.denominator is None:
        base = numerator[baseline_year].where(numerator[baseline_year] > 0)
        return 100 * numerator.sub(base, axis=0).div(base, axis=0)
    denominator = sums[spec.denominator]
    return 100 * numerator / denominator.where(denominator > 0)


def _result(target: IndicatorTarget, spec: _Spec, sums: Mapping[str, pd.DataFrame],
            plan: PlanTargets, as_of: int) -> IndicatorResult:
    """One national indicator from the national sums (a single row per quantity)."""
    b = plan.baseline_year
    values = _values(sums, spec, b).iloc[0]
    trajectory = values.dropna()
    if spec.denominator is None:
        quantity = sums[spec.numerator].iloc[0]
        start: float | None = 0.0
        baseline, current = _opt(quantity[b]), _opt(quantity[as_of])
        reference = quantity[b]
    else:
        baseline, current = _opt(values[b]), _opt(values[as_of])
        start = baseline
        reference = sums[spec.denominator].iloc[0][as_of]
    value = _opt(values[as_of])
    projection = None if value is None else _project(trajectory, plan.target_year)
    gap = None if projection is None else _opt(
        (target.target - projection) / 100 * reference * spec.tonnes_per_unit)
    return IndicatorResult(
        id=target.id, label=target.label, unit=target.unit, quantity_unit=spec.quantity_unit,
        baseline=baseline, current=current, value=value, target=target.target,
        target_max=target.target_max,
        status=_status(projection, start, target.target, plan.at_risk_fraction),
        trajectory=tuple(zip(trajectory.index.tolist(), trajectory.tolist(), strict=True)),
        projection_2027=projection, gap=gap, gap_unit=spec.gap_unit,
    )


def _project(points: pd.Series, year: int) -> float:
    """Least-squares line through (year, value) points, at ``year``; flat through one point."""
    if year in points.index:
        return float(points[year])
    x = points.index.to_numpy(dtype="float64")
    y = points.to_numpy(dtype="float64")
    dx = x - x.mean()
    spread = float(dx @ dx)
    slope = float(dx @ (y - y.mean())) / spread if spread > 0 else 0.0
    return float(y.mean() + slope * (year - x.mean()))


def _status(projection: float | None, start: float | None, target: float,
            fraction: float) -> Status:
    if projection is None or start is None:
        return Status.NO_DATA
    if projection >= target - _TOLERANCE_PCT:
        return Status.ON_TRACK
    if projection >= start + fraction * (target - start) - _TOLERANCE_PCT:
        return Status.AT_RISK
    return Status.OFF_TRACK


def _opt(value: float) -> float | None:
    """A figure or None when it is not a finite number."""
    return float(value) if np.isfinite(value) else None
