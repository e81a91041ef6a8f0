"""A pit study: from a block model and its economics to the ultimate pit, the nested pits,
pushbacks and cut-off grades, in one call (what a planner runs in Whittle).

The economics come from a YAML file (:func:`read_economics`), units in the key names::

    market: {price_cny_per_g: 650, selling_cny_per_g: 5}    # or price_usd_per_oz + cny_per_usd
    mining: {base_cny_per_t: 25, increment_cny_per_t: 1, interval_m: 10,
             reference_elevation_m: 0}
    processes: [{name: mill, recovery: 0.9, cost_cny_per_t: 120}]
    waste_cny_per_t: 0
    grade: estimate             # the block model's grade column, g/t (missing grades: 0)
    density_t_m3: 2.7           # or density: a column of t/m³, or tonnes: a column of t
    slopes: 45                  # one angle, sector angles, or {region code: angles}
    regions: rock               # the column of region codes (only with slopes per region)
    n_benches: 8
    revenue_factors: {start: 0.3, stop: 1.5, step: 0.05}   # or a list
    schedule: {rate_t_per_year: 5.0e6, discount_rate: 0.08}   # no rate: Taylor's rule
    pushbacks: {count: 4, min_mining_width_m: 40, max_narrow_fraction: 0.1}
    lane: {fixed_cny_per_year: 8.0e7, mine_t_per_year: 1.2e7, mill_t_per_year: 3.0e6,
           market_g_per_year: .inf}                          # optional

Nested pits come from one parametric solve (:func:`aurum.planning.maxclosure.nested_pits`),
which needs the value of a block at factor f to be ``f × revenue − cost``. Each block's
destination is therefore the best one at factor 1 (the final pit's): a block that would rather
go to the dump at a low factor is then valued, at that factor, below what dumping it would
give, so the smallest pits are slightly conservative. At factor 1 the values are exact.

Pushbacks are chosen among the nested pits: about equal tonnages, and each increment wide
enough to mine. Width is measured bench by bench as a morphological opening by a square of
the minimum mining width (a block is minable when some such square inside the increment
covers it); an increment whose narrow part exceeds the stated fraction is merged into the
next one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import ndimage

from aurum.core.checks import (
    DISCOUNT_RATES,
    GOLD_PRICES,
    MAX_PIT_STUDY_BYTES,
    MAX_PROCESSES,
    MAX_REVENUE_FACTORS,
    MINING_WIDTHS,
    RECOVERIES,
    SLOPE_ANGLES,
    UNIT_COSTS,
)
from aurum.core.errors import Problem, ValidationError
from aurum.core.grid import BlockGrid
from aurum.core.i18n import _
from aurum.planning.cutoff import (
    GradeTonnage,
    LaneCutoffs,
    LaneEconomics,
    breakeven_cutoff,
    lane_cutoffs,
    marginal_cutoff,
)
from aurum.planning.economics import BlockValues, Market, MiningCost, Process, block_values
from aurum.planning.maxclosure import (
    SOLVER_BYTES_PER_ARC,
    SOLVER_BYTES_PER_BLOCK,
    NestedPits,
    nested_pits,
)
from aurum.planning.precedence import (
    BYTES_PER_ARC,
    Precedence,
    precedence_footprint,
    slope_precedence,
    window_footprint,
)
from aurum.planning.schedule import pit_by_pit

Progress = Callable[[int, int], None]
STAGES = ("block values", "slope precedences", "nested pits", "pit by pit", "pushbacks")


@dataclass(frozen=True)
class PushbackRule:
    """How pushbacks are chosen.

    Parameters
    ----------
    count : int
        Pushbacks wanted (the last is the final pit); fewer come out when the nested pits or
        the width do not allow them.
    min_mining_width_m : float
        Minimum mining width, m: the side of the square the equipment needs on a bench.
    max_narrow_fraction : float
        Largest share of an increment's tonnes (0–1) allowed outside every such square.
    """

    count: int = 4
    min_mining_width_m: float = 40.0
    max_narrow_fraction: float = 0.1


@dataclass(frozen=True)
class PitEconomics:
    """Everything a pit study needs besides the blocks (see the module's YAML keys)."""

    market: Market
    mining: MiningCost
    processes: tuple[Process, ...]
    waste_cny_per_t: float = 0.0
    grade: str = "estimate"
    density_t_m3: float | None = 2.7
    density: str | None = None
    tonnes: str | None = None
    slopes: Any = 45.0
    regions: str | None = None
    n_benches: int = 8
    revenue_factors: tuple[float, ...] = tuple(np.round(np.arange(0.3, 1.5001, 0.05), 4))
    rate_t_per_year: float | None = None
    discount_rate: float = 0.08
    pushbacks: PushbackRule = field(default_factory=PushbackRule)
    lane: Mapping[str, float] | None = None
    source: Mapping[str, Any] = field(default_factory=dict)


def _section(doc: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping):
        raise ValidationError(Problem(_("'%(key)s': expected a mapping of settings", key=key),
                                      column=key,
                                      source=source))
    return value


def _number(section: Mapping[str, Any], key: str, where: str, source: str,
            default: float | None = None) -> float:
    value = section.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number):
        raise ValidationError(Problem(_("expected a number, got %(value)r", value=value),
                                      column=f"{where}{key}", source=source))
    return number


def _factors(spec: Any, source: str) -> tuple[float, ...]:
    if isinstance(spec, Mapping):
        start, stop, step = (_number(spec, k, "revenue_factors.", source)
                             for k in ("start", "stop", "step"))
        if step <= 0 or stop < start:
            raise ValidationError(Problem(_("expected start <= stop and step > 0"),
                                          column="revenue_factors", source=source))
        if (stop + step / 2 - start) / step > MAX_REVENUE_FACTORS:
            raise ValidationError(Problem(
                _("from %(start)s to %(stop)s by %(step)s gives more than %(most)s revenue "
                  "factors, the most one study solves; use a larger step",
                  start=format(start, "g"), stop=format(stop, "g"), step=format(step, "g"),
                  most=MAX_REVENUE_FACTORS), column="revenue_factors", source=source))
        values = np.round(np.arange(start, stop + step / 2, step), 6)
    else:
        try:
            values = np.asarray([float(v) for v in spec])
        except (TypeError, ValueError) as exc:
            raise ValidationError(Problem(_("expected a list of numbers, got %(value)r",
                                            value=spec),
                                          column="revenue_factors", source=source)) from exc
    if values.size == 0 or (values <= 0).any() or not np.isfinite(values).all():
        raise ValidationError(Problem(_("expected positive revenue factors"),
                                      column="revenue_factors", source=source))
    if values.size > MAX_REVENUE_FACTORS:
        raise ValidationError(Problem(
            _("%(n)s revenue factors: expected at most %(most)s, the most one study solves",
              n=values.size, most=MAX_REVENUE_FACTORS), column="revenue_factors",
            source=source))
    # The final pit is the pit at factor 1: it is always among the factors.
    return tuple(float(v) for v in np.unique(np.append(values, 1.0)))


def _check_slopes(spec: Any, source: str) -> None:
    """Every angle of the ``slopes`` setting (one angle, sector angles, or either per region
    code) within :data:`aurum.core.checks.SLOPE_ANGLES`, degrees."""
    tables = spec.items() if isinstance(spec, Mapping) else [(None, spec)]
    for code, table in tables:
        where = "slopes" if code is None else f"slopes.{code}"
        if code is not None and (isinstance(code, bool) or not isinstance(code, int | str)
                                 or not str(code).lstrip("-").isdigit()):
            raise ValidationError(Problem(_("region code %(code)r: expected a whole number",
                                            code=code),
                                          column="slopes", source=source))
        if isinstance(table, list | tuple):
            for sector, angle in enumerate(table):
                SLOPE_ANGLES.check(f"{where}[{sector}]", angle, source)
        else:
            SLOPE_ANGLES.check(where, table, source)


def economics_from_dict(doc: Mapping[str, Any], source: str = "economics") -> PitEconomics:
    """Pit economics from a parsed YAML document.

    Parameters
    ----------
    doc : mapping
        The settings, keys as in the module docstring (prices CNY/g or USD/oz, costs CNY/t,
        angles degrees, widths m, rates t/year).
    source : str
        File name for the messages.

    Raises
    ------
    ValidationError
        A missing or malformed setting, or one outside the bounds of
        :mod:`aurum.core.checks` (slope angles, prices, costs, recoveries, widths, discount
        rate, counts of processes and revenue factors), named by its key.
    """
    if not isinstance(doc, Mapping):
        raise ValidationError(Problem(_("expected a YAML mapping of settings"), source=source))
    known = {"market", "mining", "processes", "waste_cny_per_t", "grade", "density_t_m3",
             "density", "tonnes", "slopes", "regions", "n_benches", "revenue_factors",
             "schedule", "pushbacks", "lane"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ValidationError(Problem(_("unknown settings %(unknown)s; expected some of "
                                        "%(known)s", unknown=", ".join(map(str, unknown)),
                                        known=", ".join(sorted(known))), source=source))
    m = _section(doc, "market", source)
    selling = _number(m, "selling_cny_per_g", "market.", source, 0.0)
    if "price_usd_per_oz" in m:
        market = Market.from_usd_per_oz(_number(m, "price_usd_per_oz", "market.", source),
                                        _number(m, "cny_per_usd", "market.", source), selling)
    else:
        market = Market(_number(m, "price_cny_per_g", "market.", source), selling)
    GOLD_PRICES.check("market.price_cny_per_g" if "price_usd_per_oz" not in m
                      else "market (price converted to CNY/g)", market.price_cny_per_g, source)
    c = _section(doc, "mining", source)
    mining = MiningCost(_number(c, "base_cny_per_t", "mining.", source),
                        _number(c, "increment_cny_per_t", "mining.", source, 0.0),
                        _number(c, "interval_m", "mining.", source, 10.0),
                        _number(c, "reference_elevation_m", "mining.", source, 0.0))
    UNIT_COSTS.check("mining.base_cny_per_t", mining.base_cny_per_t, source)
    UNIT_COSTS.check("mining.increment_cny_per_t", mining.increment_cny_per_t, source)
    specs = doc.get("processes")
    if not isinstance(specs, list) or not specs:
        raise ValidationError(Problem(_("expected a list of processes, each with name, "
                                        "recovery and cost_cny_per_t"), column="processes",
                                      source=source))
    if len(specs) > MAX_PROCESSES:
        raise ValidationError(Problem(_("%(n)s processes: expected at most %(most)s",
                                        n=len(specs), most=MAX_PROCESSES),
                                      column="processes", source=source))
    processes = tuple(Process(str(p.get("name", "")) if isinstance(p, Mapping) else "",
                              _number(p, "recovery", f"processes[{k}].", source),
                              _number(p, "cost_cny_per_t", f"processes[{k}].", source))
                      for k, p in enumerate(specs) if isinstance(p, Mapping))
    if len(processes) != len(specs):
        raise ValidationError(Problem(_("each process is a mapping"), column="processes",
                                      source=source))
    for k, process in enumerate(processes):
        RECOVERIES.check(f"processes[{k}].recovery", process.recovery, source)
        UNIT_COSTS.check(f"processes[{k}].cost_cny_per_t", process.cost_cny_per_t, source)
    schedule = _section(doc, "schedule", source)
    push = _section(doc, "pushbacks", source)
    count = _number(push, "count", "pushbacks.", source, 4)
    if count > MAX_REVENUE_FACTORS:
        raise ValidationError(Problem(
            _("%(n)s pushbacks: expected at most %(most)s (each ends at a nested pit)",
              n=format(count, "g"), most=MAX_REVENUE_FACTORS), column="pushbacks.count",
            source=source))
    rule = PushbackRule(int(count),
                        _number(push, "min_mining_width_m", "pushbacks.", source, 40.0),
                        _number(push, "max_narrow_fraction", "pushbacks.", source, 0.1))
    if rule.count < 1 or rule.min_mining_width_m < 0 or not 0 <= rule.max_narrow_fraction <= 1:
        raise ValidationError(Problem(_("expected count >= 1, min_mining_width_m >= 0 and "
                                        "max_narrow_fraction in [0, 1]"), column="pushbacks",
                                      source=source))
    MINING_WIDTHS.check("pushbacks.min_mining_width_m", rule.min_mining_width_m, source)
    lane = doc.get("lane")
    if lane is not None:
        lane_section = _section(doc, "lane", source)
        lane = {k: _number(lane_section, k, "lane.", source, math.inf if k != "fixed_cny_per_year"
                           else 0.0)
                for k in ("fixed_cny_per_year", "mine_t_per_year", "mill_t_per_year",
                          "market_g_per_year")}
    density_t_m3 = doc.get("density_t_m3", None if ("density" in doc or "tonnes" in doc)
                           else 2.7)
    if density_t_m3 is not None:
        density_t_m3 = _number({"density_t_m3": density_t_m3}, "density_t_m3", "", source)
        if density_t_m3 <= 0:
            raise ValidationError(Problem(_("expected a density > 0 t/m³"),
                                          column="density_t_m3",
                                          source=source))
    n_benches = doc.get("n_benches", 8)
    if not isinstance(n_benches, int) or n_benches < 1:
        raise ValidationError(Problem(_("expected a whole number of benches >= 1, got "
                                        "%(value)r", value=n_benches), column="n_benches",
                                      source=source))
    rate = (None if schedule.get("rate_t_per_year") is None
            else _number(schedule, "rate_t_per_year", "schedule.", source))
    if rate is not None and rate <= 0:
        raise ValidationError(Problem(_("expected a mining rate > 0 t/year"),
                                      column="schedule.rate_t_per_year", source=source))
    discount_rate = _number(schedule, "discount_rate", "schedule.", source, 0.08)
    DISCOUNT_RATES.check("schedule.discount_rate", discount_rate, source)
    waste_cny_per_t = _number(doc, "waste_cny_per_t", "", source, 0.0)
    UNIT_COSTS.check("waste_cny_per_t", waste_cny_per_t, source)
    _check_slopes(doc.get("slopes", 45.0), source)
    return PitEconomics(
        market=market, mining=mining, processes=processes,
        waste_cny_per_t=waste_cny_per_t,
        grade=str(doc.get("grade", "estimate")), density_t_m3=density_t_m3,
        density=doc.get("density"), tonnes=doc.get("tonnes"),
        slopes=doc.get("slopes", 45.0), regions=doc.get("regions"), n_benches=n_benches,
        revenue_factors=_factors(doc.get("revenue_factors",
                                         {"start": 0.3, "stop": 1.5, "step": 0.05}), source),
        rate_t_per_year=rate, discount_rate=discount_rate,
        pushbacks=rule, lane=lane, source=dict(doc))


def read_economics(path: str | Path) -> PitEconomics:
    """Pit economics from a YAML file (see the module docstring for the keys and units)."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationError(Problem(_("cannot read the economics file: %(error)s", error=exc),
                                      source=str(path))) from exc
    return economics_from_dict(doc, str(path))


@dataclass(frozen=True)
class Pushbacks:
    """Pushbacks chosen among the nested pits.

    Attributes
    ----------
    of_block : numpy.ndarray
        Pushback number per block (0 first), -1 outside the final pit.
    table : pandas.DataFrame
        One row per pushback (none when the final pit is empty): ``pushback``,
        ``factor`` (of the nested pit it ends at), ``tonnes_t``, ``ore_t``, ``grade_gpt``,
        ``gold_kg``, ``value``, ``narrow_pct`` (share of its tonnes narrower than the minimum
        width).
    min_mining_width_m : float
        The width the increments were checked against, m.
    """

    of_block: np.ndarray
    table: pd.DataFrame
    min_mining_width_m: float


def narrow_blocks(grid: BlockGrid, region: np.ndarray, width_m: float) -> np.ndarray:
    """Blocks of a region that no square of the given width, inside the region on the same
    bench, covers.

    Parameters
    ----------
    grid : BlockGrid
        The block grid (GSLIB order).
    region : numpy.ndarray
        Boolean per block.
    width_m : float
        Minimum mining width, m (rounded up to whole blocks along x and y).

    Returns
    -------
    numpy.ndarray
        Boolean per block: in the region and too narrow to mine.
    """
    nx, ny, nz = grid.count
    # A square wider than the model fits nowhere: one block wider than the model gives the
    # same opening, at a cost no width can inflate.
    wx = min(max(1, math.ceil(width_m / grid.size[0] - 1e-9)), nx + 1)
    wy = min(max(1, math.ceil(width_m / grid.size[1] - 1e-9)), ny + 1)
    cube = region.reshape(nz, ny, nx)
    wide = ndimage.binary_opening(cube, structure=np.ones((1, wy, wx), dtype=bool))
    return (cube & ~wide).reshape(-1)


def select_pushbacks(grid: BlockGrid, nested: NestedPits, final_index: int,
                     tonnes: np.ndarray, grade: np.ndarray, ore: np.ndarray,
                     value: np.ndarray, rule: PushbackRule) -> Pushbacks:
    """Pushbacks of about equal tonnage whose increments respect a minimum mining width.

    Parameters
    ----------
    grid : BlockGrid
        The block grid.
    nested : NestedPits
        The nested pits.
    final_index : int
        Index of the final pit's factor in ``nested.factors``.
    tonnes, grade : numpy.ndarray
        Tonnes (t) and gold grade (g/t) per block.
    ore : numpy.ndarray
        Boolean per block: sent to a process.
    value : numpy.ndarray
        Value per block at factor 1, CNY.
    rule : PushbackRule
        Count, minimum width (m) and tolerated narrow fraction.
    """
    final = nested.pit(final_index)
    total = float(tonnes[final].sum())
    target = total / rule.count

    def increment(before: int, k: int) -> np.ndarray:
        pit = nested.pit(k)
        return pit if before < 0 else pit & ~nested.pit(before)

    def narrow_t(before: int, k: int) -> tuple[float, float]:
        inc = increment(before, k)
        return (float(tonnes[narrow_blocks(grid, inc, rule.min_mining_width_m)].sum()),
                float(tonnes[inc].sum()))

    ends: list[int] = []
    # An empty final pit (nothing pays at factor 1) has no pushbacks.
    for k in range(final_index if total > 0 else 0):
        before = ends[-1] if ends else -1
        inc_t = float(tonnes[increment(before, k)].sum())
        if inc_t < target or float(tonnes[nested.pit(k)].sum()) > total - target / 2:
            continue
        narrow, _narrow_area = narrow_t(before, k)
        if narrow <= rule.max_narrow_fraction * inc_t:
            ends.append(k)
    if total > 0:
        ends.append(final_index)
    # The last increment is what is left of the final pit: when it is too narrow to mine
    # on its own it joins the pushback before it.
    while len(ends) > 1:
        narrow, inc_t = narrow_t(ends[-2], ends[-1])
        if narrow <= rule.max_narrow_fraction * inc_t:
            break
        del ends[-2]
    of_block = np.full(len(tonnes), -1, dtype=np.int64)
    rows: list[dict[str, float]] = []
    for number, k in enumerate(ends):
        before = ends[number - 1] if number else -1
        inc = increment(before, k)
        narrow, inc_t = narrow_t(before, k)
        of_block[inc] = number
        is_ore = inc & ore
        ore_t = float(tonnes[is_ore].sum())
        gold_kg = float((tonnes[is_ore] * grade[is_ore]).sum() / 1000.0)
        rows.append({"pushback": number + 1, "factor": float(nested.factors[k]),
                     "tonnes_t": inc_t, "ore_t": ore_t,
                     "grade_gpt": gold_kg * 1000.0 / ore_t if ore_t else math.nan,
                     "gold_kg": gold_kg, "value": float(value[inc].sum()),
                     "narrow_pct": 100.0 * narrow / inc_t if inc_t else 0.0})
    return Pushbacks(of_block, pd.DataFrame(rows, columns=[
        "pushback", "factor", "tonnes_t", "ore_t", "grade_gpt", "gold_kg", "value",
        "narrow_pct"]), rule.min_mining_width_m)


@dataclass(frozen=True)
class PitStudy:
    """The result of :func:`pit_study`.

    Attributes
    ----------
    values : BlockValues
        Value per destination and the best destination of each block (CNY).
    precedence : Precedence
        The slope precedences used.
    nested : NestedPits
        Pits by revenue factor.
    final_index : int
        Index of factor 1 (the ultimate pit) in ``nested.factors``.
    pit_by_pit : pandas.DataFrame
        The pit-by-pit table (see :func:`aurum.planning.schedule.pit_by_pit`).
    pushbacks : Pushbacks
        The chosen pushbacks.
    cutoffs : pandas.DataFrame
        Break-even and marginal cut-offs per process, g/t.
    lane : LaneCutoffs or None
        Lane's cut-offs for the first process, when capacities were given.
    rate_t_per_year : float
        Material mined a year in the schedules, t/year (given, or by Taylor's rule on the
        final pit; on the largest nested pit when the final pit is empty).
    """

    values: BlockValues
    precedence: Precedence
    nested: NestedPits
    final_index: int
    pit_by_pit: pd.DataFrame
    pushbacks: Pushbacks
    cutoffs: pd.DataFrame
    lane: LaneCutoffs | None
    rate_t_per_year: float

    @property
    def in_pit(self) -> np.ndarray:
        """Boolean per block: in the ultimate pit (factor 1)."""
        return self.nested.pit(self.final_index)

    @property
    def value(self) -> float:
        """Undiscounted value of the ultimate pit, CNY."""
        return float(self.values.value[self.in_pit].sum())

    def summary(self) -> dict[str, Any]:
        """The study's figures, JSON-ready (CNY, t, g/t, kg, m)."""
        return {"value": self.value, "n_blocks": int(self.in_pit.sum()),
                "precedences": self.precedence.n_arcs,
                "pit_by_pit": self.pit_by_pit.to_dict(orient="records"),
                "pushbacks": self.pushbacks.table.to_dict(orient="records"),
                "min_mining_width_m": self.pushbacks.min_mining_width_m,
                "rate_t_per_year": self.rate_t_per_year,
                "cutoffs": self.cutoffs.to_dict(orient="records"),
                "lane": None if self.lane is None else asdict(self.lane)}


def block_tonnes(grid: BlockGrid, columns: Mapping[str, np.ndarray], economics: PitEconomics
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Tonnes (t) and grade (g/t) of each block from the model's columns and the economics.

    A missing grade (an unestimated block) or a negative one (kriging) counts as 0 g/t.
    """
    n = grid.n_blocks
    problems = []
    wanted = [c for c in (economics.grade, economics.density, economics.tonnes,
                          economics.regions) if c is not None]
    for name in wanted:
        if name not in columns:
            problems.append(Problem(_("the block model has no column %(name)r; it has "
                                      "%(columns)s", name=name,
                                      columns=", ".join(sorted(columns))), column=name))
    if problems:
        raise ValidationError(problems)
    # Kriging's negative weights can leave small negative grades: they are worth nothing.
    grade = np.maximum(np.nan_to_num(np.asarray(columns[economics.grade], dtype=np.float64),
                                     nan=0.0), 0.0)
    volume = grid.size[0] * grid.size[1] * grid.size[2]
    if economics.tonnes is not None:
        tonnes = np.asarray(columns[economics.tonnes], dtype=np.float64)
    elif economics.density is not None:
        tonnes = volume * np.asarray(columns[economics.density], dtype=np.float64)
    else:
        tonnes = np.full(n, volume * float(economics.density_t_m3 or 0.0))
    bad = np.flatnonzero(~np.isfinite(tonnes) | (tonnes < 0))
    if bad.size:
        raise ValidationError(Problem(
            _("%(n)s blocks have no or a negative mass (first block %(block)s); expected "
              "tonnes or a density >= 0 for every block", n=bad.size, block=int(bad[0]))))
    return tonnes, grade


STUDY_FIXED_BYTES = 32 * 2**20
"""Bytes a study takes whatever its size: the allocator's arenas and the small tables (the
demo's 12,000-block studies grow a process by 21–27 MiB)."""
STUDY_BYTES_PER_BLOCK = 320
"""Bytes per block of a study's own tables (tonnes, grades, revenue and cost, the nested
pits, the pit-by-pit orders), beside its precedences and solver."""
STUDY_BYTES_PER_DESTINATION = 24
"""Bytes per block and destination (the waste dump and each process): the values by
destination and their temporaries."""


@dataclass(frozen=True)
class StudyFootprint:
    """What a pit study will take, known before it starts.

    Attributes
    ----------
    n_blocks : int
        Blocks of the model.
    arcs : int
        Slope precedences expected (see
        :func:`aurum.planning.precedence.precedence_footprint`).
    bytes : int
        Working memory, bytes: precedences, the nested-pits solve and the per-block tables.
    max_bytes : int
        The memory the study may take, bytes.
    """

    n_blocks: int
    arcs: int
    bytes: int
    max_bytes: int

    @property
    def max_arcs(self) -> int:
        """Most arcs the study can hold within ``max_bytes``: the precedence build stops
        beyond them (the sides of the model and region contacts can add arcs to the
        estimate)."""
        per_arc = BYTES_PER_ARC + SOLVER_BYTES_PER_ARC
        return self.arcs + (self.max_bytes - self.bytes) // per_arc


def study_footprint(grid: BlockGrid, economics: PitEconomics,
                    regions: np.ndarray | None = None,
                    max_bytes: int = MAX_PIT_STUDY_BYTES) -> StudyFootprint:
    """The memory of :func:`pit_study`, estimated from the grid and the economics before
    anything is built, and refused above ``max_bytes``.

    Parameters
    ----------
    grid : BlockGrid
        The block model's grid.
    economics : PitEconomics
        The economics (slopes in degrees, benches, processes).
    regions : numpy.ndarray, optional
        Region code per block, when the slopes are given per region.
    max_bytes : int
        The memory the study may take, bytes (default
        :data:`aurum.core.checks.MAX_PIT_STUDY_BYTES`).

    Raises
    ------
    ValidationError
        The study would take more than ``max_bytes``: the message names the estimate, the
        limit and what to change.
    """
    per_block = (STUDY_BYTES_PER_BLOCK + SOLVER_BYTES_PER_BLOCK
                 + STUDY_BYTES_PER_DESTINATION * (1 + len(economics.processes)))
    slopes = _slope_tables(economics)
    # The window is checked before the patterns are searched in it.
    cells, window = window_footprint(grid, slopes, economics.n_benches, regions)
    fixed = STUDY_FIXED_BYTES + grid.n_blocks * per_block
    if fixed + window > max_bytes:
        raise _study_too_large(_("a pit study of %(blocks)s blocks (a slope search window of "
                                 "%(cells)s cells)", blocks=format(grid.n_blocks, ","),
                                 cells=format(cells, ",")), fixed + window, max_bytes)
    precedence = precedence_footprint(grid, slopes, economics.n_benches, regions)
    total = fixed + precedence.bytes + precedence.arcs * SOLVER_BYTES_PER_ARC
    if total > max_bytes:
        raise _study_too_large(_("a pit study of %(blocks)s blocks with %(arcs)s slope "
                                 "precedences", blocks=format(grid.n_blocks, ","),
                                 arcs=format(precedence.arcs, ",")), total, max_bytes)
    return StudyFootprint(grid.n_blocks, precedence.arcs, total, max_bytes)


def _study_too_large(what: str, need: int, limit: int) -> ValidationError:
    return ValidationError(Problem(
        _("%(what)s would take about %(need)s MiB, more than the %(limit)s MiB one study may "
          "take (MAX_PIT_STUDY_BYTES); use fewer benches (n_benches), steeper slopes or a "
          "coarser block model", what=what, need=format(need / 2**20, ",.0f"),
          limit=format(limit / 2**20, ",.0f"))))


def _slope_tables(economics: PitEconomics) -> Any:
    """The ``slopes`` setting as :func:`slope_precedence` takes it (region codes as int)."""
    if isinstance(economics.slopes, Mapping):
        return {int(k): v for k, v in economics.slopes.items()}
    return economics.slopes


def pit_study(grid: BlockGrid, columns: Mapping[str, np.ndarray], economics: PitEconomics,
              progress: Progress | None = None,
              max_bytes: int = MAX_PIT_STUDY_BYTES) -> PitStudy:
    """Ultimate pit, nested pits, pit-by-pit values, pushbacks and cut-offs of a block model.

    Parameters
    ----------
    grid : BlockGrid
        The full regular grid (every block present, GSLIB order; air and unestimated blocks
        included with 0 t or 0 g/t).
    columns : mapping of str to numpy.ndarray
        Per-block columns: the grade (g/t), and density (t/m³), tonnes (t) or region codes
        when the economics name them.
    economics : PitEconomics
        Prices (CNY/g), costs (CNY/t), slopes (degrees), factors, schedule and pushback rule.
    progress : callable, optional
        Called as ``progress(stage_done, n_stages)``.
    max_bytes : int
        The memory the study may take, bytes: estimated before it starts
        (:func:`study_footprint`), refused above.

    Returns
    -------
    PitStudy

    Raises
    ------
    ValidationError
        A column the economics name is missing, a bad slope table, or a study larger than
        ``max_bytes``.
    """
    step = progress or (lambda done, total: None)
    tonnes, grade = block_tonnes(grid, columns, economics)
    regions = (np.asarray(columns[economics.regions]).astype(np.int64)
               if economics.regions is not None else None)
    footprint = study_footprint(grid, economics, regions, max_bytes)
    z = grid.centres()[:, 2]
    values = block_values(tonnes, grade, z, economics.market, economics.mining,
                          economics.processes, economics.waste_cny_per_t)
    step(1, len(STAGES))
    precedence = slope_precedence(grid, _slope_tables(economics), economics.n_benches,
                                  regions, footprint.max_arcs)
    step(2, len(STAGES))
    ore = values.best > 0
    # Revenue is what scales with the price; cost is all the rest of the best destination.
    revenue = np.zeros(len(tonnes))
    process_recovery = np.array([0.0, *(p.recovery for p in economics.processes)])
    revenue[ore] = (tonnes * grade * process_recovery[values.best]
                    * economics.market.net_cny_per_g)[ore]
    cost = np.maximum(revenue - values.value, 0.0)
    factors = np.asarray(economics.revenue_factors)
    # Values in CNY are exact to the fen: two decimals keep int64 capacities far from overflow.
    nested = nested_pits(revenue, cost, precedence.ptr, precedence.idx, factors, decimals=2)
    final_index = int(np.flatnonzero(np.isclose(factors, 1.0))[0])
    step(3, len(STAGES))
    nx, ny, nz = grid.count
    bench = (nz - 1) - np.arange(grid.n_blocks) // (nx * ny)
    # Taylor's rule sizes the mine on the final pit's ore. When nothing pays at factor 1 the
    # pits of the higher factors are still scheduled: at the rate the largest of them gives.
    sized = nested.pit(final_index)
    if not (sized & ore).any():
        sized = nested.pit(len(factors) - 1)
    rate = economics.rate_t_per_year or taylor_rate(tonnes, ore, sized)
    table = pit_by_pit(nested, tonnes, grade, ore, values.value, bench, rate,
                       economics.discount_rate)
    step(4, len(STAGES))
    pushbacks = select_pushbacks(grid, nested, final_index, tonnes, grade, ore, values.value,
                                 economics.pushbacks)
    step(5, len(STAGES))
    return PitStudy(values, precedence, nested, final_index, table, pushbacks,
                    _cutoffs(economics), _lane(economics, tonnes, grade, nested.pit(final_index)),
                    rate)


def taylor_rate(tonnes: np.ndarray, ore: np.ndarray, pit: np.ndarray) -> float:
    """Mining rate by Taylor's rule (Taylor 1977): a mine life of ``0.2 × T^0.25`` years for
    T tonnes of ore, at a constant material rate over the pit.

    Parameters
    ----------
    tonnes : numpy.ndarray
        Tonnes per block, t.
    ore : numpy.ndarray
        Boolean per block: sent to a process.
    pit : numpy.ndarray
        Boolean per block: in the pit.

    Returns
    -------
    float
        Material mined per year, t/year (1 t/year for an empty pit).
    """
    ore_t = float(tonnes[pit & ore].sum())
    total = float(tonnes[pit].sum())
    if ore_t <= 0 or total <= 0:
        return 1.0
    return total / (0.2 * ore_t ** 0.25)


def _cutoffs(e: PitEconomics) -> pd.DataFrame:
    mining = float(e.mining.per_tonne(e.mining.reference_elevation_m))
    price, selling = e.market.price_cny_per_g, e.market.selling_cny_per_g
    return pd.DataFrame([{
        "process": p.name, "recovery": p.recovery, "processing_cny_per_t": p.cost_cny_per_t,
        "breakeven_gpt": breakeven_cutoff(price, p.recovery, p.cost_cny_per_t, mining,
                                          selling),
        "marginal_gpt": marginal_cutoff(price, p.recovery, p.cost_cny_per_t, selling)}
        for p in e.processes])


def _lane(e: PitEconomics, tonnes: np.ndarray, grade: np.ndarray, pit: np.ndarray
          ) -> LaneCutoffs | None:
    if e.lane is None or not pit.any() or tonnes[pit].sum() <= 0:
        return None
    first = e.processes[0]
    return lane_cutoffs(
        GradeTonnage.from_blocks(tonnes[pit], grade[pit]),
        LaneEconomics(e.market.price_cny_per_g, first.recovery,
                      float(e.mining.per_tonne(e.mining.reference_elevation_m)),
                      first.cost_cny_per_t, e.lane["fixed_cny_per_year"],
                      e.lane["mine_t_per_year"], e.lane["mill_t_per_year"],
                      e.lane["market_g_per_year"], e.market.selling_cny_per_g))


def study_blocks(grid: BlockGrid, columns: Mapping[str, np.ndarray], economics: PitEconomics,
                 study: PitStudy) -> pd.DataFrame:
    """One row per block of the ultimate pit's model: x, y, z (m), tonnes_t, grade_gpt,
    destination, value (CNY), first_pit (factor index, -1 never mined) and pushback."""
    tonnes, grade = block_tonnes(grid, columns, economics)
    xyz = grid.centres()
    return pd.DataFrame({"x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2], "tonnes_t": tonnes,
                         "grade_gpt": grade, "destination": study.values.best_names(),
                         "value": study.values.value, "first_pit": study.nested.first_pit,
                         "pushback": study.pushbacks.of_block})


__all__ = ["STAGES", "PitEconomics", "PitStudy", "PushbackRule", "Pushbacks",
           "block_tonnes", "economics_from_dict", "narrow_blocks", "pit_study",
           "read_economics", "select_pushbacks", "study_blocks", "taylor_rate"]
