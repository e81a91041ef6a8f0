"""Stope sequencing and scheduling: in which month each stope is mined, for the greatest net
present value its levels' development, the mining direction, the fill-and-cure cycle and the
capacities allow.

The model, stated once (the MIP, the greedy rule and the check all read it so):

- **Periods** are months 1 … T. A stope is mined whole in one period t (its ore counts against
  that period's ore capacity), its void is filled in period t + 1 (against that period's fill
  capacity; for t = T the fill falls in T + 1, after the horizon, and is still bounded and
  reported), and the fill then cures for ``cure_periods`` = c periods, t + 2 … t + 1 + c.
- **Neighbours**: two stopes of one level whose plans face each other across at most
  ``pillar`` blocks (i-ranges at most ``pillar`` blocks apart with overlapping j-ranges, or
  the same across j), and two stopes of consecutive levels (level numbers L and L + 1; a level
  is k up, so L + 1 lies above) whose plans (i and j ranges) overlap. A neighbour is not
  mined while a stope's walls stand unfilled or its fill cures: of two neighbours the later
  starts at least 2 + c periods after the earlier (the fill period and c cure periods lie
  between them).
- **Direction**, stope by stope: top-down, a stope is mined only after every stope of the level
  above overlapping it in plan has been mined, filled and cured (t ≥ t_above + 2 + c), so a
  stope under one that is never mined is never mined either; bottom-up the same with the level
  below. Stopes of a level that no stope of the next level covers start freely.
- **Levels**: a stope of level L is mined in a period ≥ ``level_ready[L]``, the first month the
  level's development allows.
- **Value**: a stope's value (CNY, undiscounted) comes at the end of its mining month,
  discounted at the annual rate r by (1 + r)^(−t/12); unscheduled stopes count nothing.

:func:`schedule_stopes` solves a time-indexed MIP (binaries "mined by month t") with HiGHS
through :func:`scipy.optimize.milp` under a time limit and reports its dual bound and gap;
:func:`greedy_schedule` fills month after month by value density; :func:`check_schedule`
re-derives every constraint from the tasks (its own code) and says what a schedule breaks.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from aurum.core.checks import (
    DISCOUNT_RATES,
    MAX_SCHEDULE_CELLS,
    MAX_SCHEDULE_PERIODS,
    MAX_SCHEDULE_STOPES,
    Interval,
)
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

DIRECTIONS = ("top_down", "bottom_up")
"""Mining directions: from the top level down, or from the bottom level up."""

TASK_COLUMNS = ("id", "level", "i0", "i1", "j0", "j1", "k0", "k1", "ore_t", "value_cny",
                "void_m3")
"""Columns of a stope task table (indices inclusive, in blocks)."""

REL_GAPS = Interval(0.0, 1.0)
"""Relative MIP gaps at which HiGHS may stop, fraction."""

_INDEX_COLUMNS = ("level", "i0", "i1", "j0", "j1", "k0", "k1")
_VALUE_TOLERANCE = 1e-6
"""Relative tolerance of the check's sums (capacities, NPV): HiGHS's feasibility tolerance."""


@dataclass(frozen=True)
class StopeTask:
    """One stope to schedule.

    Parameters
    ----------
    id : int or str
        The stope's name, unique among the tasks.
    level : int
        Level number (k up: level L + 1 lies above level L).
    i0, i1, j0, j1, k0, k1 : int
        Inclusive block index ranges along strike (i), across (j) and up (k).
    ore_t : float
        Ore mined from the stope, t (above 0).
    value_cny : float
        Value of the stope when mined, CNY, undiscounted.
    void_m3 : float
        Void left to fill, m³ (0 or more).
    """

    id: int | str
    level: int
    i0: int
    i1: int
    j0: int
    j1: int
    k0: int
    k1: int
    ore_t: float
    value_cny: float
    void_m3: float


@dataclass(frozen=True)
class ScheduleParams:
    """What bounds a stope schedule; checked when made (one problem per field).

    Parameters
    ----------
    periods : int
        Months scheduled, 1 … :data:`~aurum.core.checks.MAX_SCHEDULE_PERIODS`.
    ore_capacity_t : float
        Ore mined per month at most, t (above 0).
    fill_capacity_m3 : float
        Void filled per month at most, m³ (above 0).
    cure_periods : int
        Months the fill cures after its fill month before a neighbour may be mined (0 or more).
    direction : {"top_down", "bottom_up"}
        Mining direction between levels.
    level_ready : mapping of int to int
        Level number to the first month (1-based) its development allows mining.
    discount_rate : float
        Annual discount rate, fraction (0.08 for 8 per cent).
    pillar : int
        Widest pillar, in blocks, across which two stopes of one level are neighbours.
    """

    periods: int
    ore_capacity_t: float
    fill_capacity_m3: float
    cure_periods: int
    direction: Literal["top_down", "bottom_up"]
    level_ready: Mapping[int, int]
    discount_rate: float
    pillar: int = 0

    def __post_init__(self) -> None:
        problems = _param_problems(self)
        if problems:
            raise ValidationError(problems)

    @classmethod
    def from_mapping(cls, data: Any, source: str | None = None) -> ScheduleParams:
        """Parameters from a parsed YAML or JSON document (level keys may be text).

        Parameters
        ----------
        data : mapping
            The fields of :class:`ScheduleParams` by name.
        source : str, optional
            File or request part the mapping came from, named in every problem.

        Returns
        -------
        ScheduleParams

        Raises
        ------
        ValidationError
            Every missing, unknown or invalid field, one problem each.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(Problem(_("expected a mapping of keys"), source=source))
        names = [f.name for f in fields(cls)]
        problems = [Problem(_("unknown key %(key)r; expected %(keys)s", key=str(key),
                              keys=", ".join(names)), column=str(key), source=source)
                    for key in data if key not in names]
        problems += [Problem(_("missing key %(key)r", key=f.name), column=f.name,
                             source=source)
                     for f in fields(cls) if f.name not in data and f.name != "pillar"]
        values = {k: v for k, v in data.items() if k in names}
        ready = values.get("level_ready")
        if isinstance(ready, Mapping):
            values["level_ready"] = {_as_int(k): v for k, v in ready.items()}
        if problems:
            raise ValidationError(problems)
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ValidationError([replace(p, source=source) for p in exc.problems]) from None


@dataclass(frozen=True)
class Schedule:
    """A stope schedule and what it is worth.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per task, in the tasks' order: ``id``, ``level``, ``period`` (month mined,
        1-based; <NA> when not scheduled), ``fill_period`` (``period`` + 1),
        ``cure_end_period`` (last month the fill cures; neighbours start after it),
        ``ore_t``, ``void_m3``, ``value_cny`` (undiscounted) and ``npv_cny`` (discounted;
        0 when not scheduled).
    npv : float
        Net present value of the schedule, CNY.
    bound : float
        Upper bound on the NPV of any feasible schedule, CNY (the MIP's dual bound; NaN for
        the greedy schedule).
    gap : float
        ``(bound − npv) / |npv|``, HiGHS's relative gap (0 when proved optimal within the
        tolerance; NaN for the greedy schedule).
    status : str
        ``"optimal"``, ``"time_limit"`` (the best schedule found when time ran out) or
        ``"heuristic"`` (greedy).
    method : str
        ``"mip"``, or ``"greedy"`` for :func:`greedy_schedule` and when the MIP's best
        schedule was worse than the greedy one (time ran out), which is then kept with the
        MIP's bound.
    seconds : float
        Wall time of the computation, s.
    meta : dict
        The MIP's size and search: ``variables`` (free binaries), ``rows``, ``nodes``.
    """

    frame: pd.DataFrame
    npv: float
    bound: float
    gap: float
    status: str
    method: str
    seconds: float
    meta: dict[str, Any] = field(default_factory=dict)


def task_frame(tasks: pd.DataFrame | Iterable[StopeTask], params: ScheduleParams,
               source: str | None = None) -> pd.DataFrame:
    """The tasks as a checked table with the columns of :data:`TASK_COLUMNS`.

    Parameters
    ----------
    tasks : pandas.DataFrame or iterable of StopeTask
        Stopes: id, level, i0 … k1 (blocks), ore_t (t), value_cny (CNY), void_m3 (m³); other
        columns are dropped.
    params : ScheduleParams
        The schedule's parameters (levels known, capacities, periods).
    source : str, optional
        File or request part the tasks came from, named in every problem.

    Returns
    -------
    pandas.DataFrame
        The tasks, index 0 … n − 1, integer indices as int64 and quantities as float64.

    Raises
    ------
    ValidationError
        Every problem, one per row and field (rows counted as a spreadsheet shows them: the
        header is row 1): no stope, a missing column, a non-integer index, a range with start
        > end, a level not in ``level_ready``, a duplicate id, ore not above 0 or more than a
        month's capacity, a void below 0 or more than a month's fill capacity, a non-finite
        value; and a problem too large to build (stopes × periods).
    """
    if isinstance(tasks, pd.DataFrame):
        missing = [c for c in TASK_COLUMNS if c not in tasks.columns]
        if missing:
            raise ValidationError([Problem(_("missing column %(column)r", column=c),
                                           column=c, source=source) for c in missing])
        check_size(len(tasks), params.periods)
        cells = {c: tasks[c].tolist() for c in TASK_COLUMNS}
    else:
        records = list(tasks)
        check_size(len(records), params.periods)
        cells = {c: [getattr(t, c) for t in records] for c in TASK_COLUMNS}
    if not cells["id"]:
        raise ValidationError(Problem(_("expected at least one stope"), column="id",
                                      source=source))
    # Columns as numpy arrays, checked by masks, the frame made once: a schedule's check runs
    # this on every call, and column-by-column pandas costs tens of ms even on four stopes.
    problems: list[Problem] = []

    def bad(rows: np.ndarray, column: str, message: Any) -> None:
        problems.extend(Problem(message(row), row=row + 2, column=column, source=source)
                        for row in np.flatnonzero(rows).tolist())

    columns: dict[str, Any] = {"id": cells["id"]}
    for column in _INDEX_COLUMNS:
        numbers = _numbers(cells[column])
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        bad(~whole, column, lambda row, c=column: _("expected an integer, got %(value)r",
                                                     value=cells[c][row]))
        columns[column] = np.where(whole, numbers, 0).astype(np.int64)
    for low, high in (("i0", "i1"), ("j0", "j1"), ("k0", "k1")):
        bad(columns[low] > columns[high], high,
            lambda row, lo=low, hi=high: _("expected %(high)s >= %(low)s, got %(high)s = "
                                           "%(value)s", high=hi, low=lo,
                                           value=int(columns[hi][row])))
    known = ", ".join(map(str, sorted(params.level_ready)))
    bad(~np.isin(columns["level"], list(params.level_ready)), "level",
        lambda row: _("unknown level %(level)s: level_ready names %(known)s",
                      level=int(columns["level"][row]), known=known))
    bad(pd.Series(cells["id"], dtype=object).duplicated().to_numpy(), "id",
        lambda row: _("duplicate stope id %(id)r", id=cells["id"][row]))
    for column, unit, capacity in (("ore_t", "t", params.ore_capacity_t),
                                   ("value_cny", "CNY", None),
                                   ("void_m3", "m³", params.fill_capacity_m3)):
        values = columns[column] = _numbers(cells[column])
        finite = np.isfinite(values)
        bad(~finite, column, lambda row, c=column: _("expected a finite number, got %(cell)r",
                                                      cell=cells[c][row]))
        if column == "ore_t":  # a stope holds ore
            bad(finite & (values <= 0), column,
                lambda row, v=values, u=unit: _("expected a number > 0 (%(unit)s), got "
                                                "%(value)r", unit=u, value=float(v[row])))
        if column == "void_m3":
            bad(finite & (values < 0), column,
                lambda row, v=values: _("expected a number >= 0, got %(value)r",
                                        value=float(v[row])))
        if capacity is not None:
            bad(finite & (values > capacity), column,
                lambda row, v=values, u=unit, cap=capacity: _(
                    "%(value)s %(unit)s is more than one month's capacity of %(capacity)s "
                    "%(unit)s: the stope could never be scheduled", value=float(v[row]),
                    unit=u, capacity=cap))
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(columns, columns=list(TASK_COLUMNS))


def _numbers(cells: list[Any]) -> np.ndarray:
    """Cells as float64, NaN where a cell is not a number."""
    try:
        return np.asarray(cells, dtype=np.float64)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(cells, dtype=object),
                             errors="coerce").to_numpy(dtype=np.float64)


def check_size(stopes: int, periods: int) -> None:
    """Refuse a schedule too large to build, before anything is built.

    Parameters
    ----------
    stopes : int
        Number of stopes (count).
    periods : int
        Number of months (count).

    Raises
    ------
    ValidationError
        More than :data:`~aurum.core.checks.MAX_SCHEDULE_STOPES` stopes, or more than
        :data:`~aurum.core.checks.MAX_SCHEDULE_CELLS` stope × month pairs.
    """
    if stopes > MAX_SCHEDULE_STOPES:
        raise ValidationError(Problem(
            _("%(stopes)s stopes are more than one schedule takes (%(limit)s)", stopes=stopes,
              limit=MAX_SCHEDULE_STOPES), column="id"))
    if stopes * periods > MAX_SCHEDULE_CELLS:
        raise ValidationError(Problem(
            _("%(stopes)s stopes × %(periods)s months are %(cells)s stope-months, more than "
              "one schedule takes (%(limit)s): schedule fewer stopes or fewer months",
              stopes=stopes, periods=periods, cells=stopes * periods,
              limit=MAX_SCHEDULE_CELLS), column="periods"))


def schedule_stopes(tasks: pd.DataFrame | Iterable[StopeTask], params: ScheduleParams,
                    time_limit_s: float = 30.0, rel_gap: float = 1e-4) -> Schedule:
    """The NPV-maximising schedule by a time-indexed MIP solved with HiGHS.

    Binaries y[s, t] say stope s is mined by month t (the "by" form of open-pit scheduling;
    x[s, t] = y[s, t] − y[s, t − 1] is mined in month t): y never falls back to 0; per month
    the ore and the void (filled the month after) within capacity; y[s, t] = 0 before the
    stope's level is ready or before its precedences can be met; of two neighbours of one
    level at most one start in any window of 2 + c consecutive months; the precedences of the
    direction y[s, t] ≤ y[above (or below), t − 2 − c]. Objective: the sum of value ×
    discount factor of the month mined. On 200 stopes × 36 months this form, two entries a
    precedence row instead of a month's sums, closed HiGHS's gap at 60 s from 6.2 to 2.4
    per cent (benchmarks/bench_schedule.py).

    Parameters
    ----------
    tasks : pandas.DataFrame or iterable of StopeTask
        The stopes (see :func:`task_frame`; t, CNY, m³).
    params : ScheduleParams
        Periods, capacities, cure, direction, levels, discount rate.
    time_limit_s : float
        Wall time HiGHS may take, s (above 0).
    rel_gap : float
        Relative gap at which HiGHS stops as optimal (fraction, 0 … 1).

    Returns
    -------
    Schedule
        ``method="mip"`` with HiGHS's bound and gap; when HiGHS's schedule is worse than
        :func:`greedy_schedule`'s (time ran out), the greedy one with the MIP's bound.

    Raises
    ------
    ValidationError
        Invalid tasks or solver settings, one problem each; a problem too large to build.
    """
    problems = []
    if not isinstance(time_limit_s, Real) or not 0 < time_limit_s < float("inf"):
        problems.append(Problem(_("expected a number > 0 (%(unit)s), got %(value)r", unit="s",
                                  value=time_limit_s), column="time_limit_s"))
    if not isinstance(rel_gap, Real) or not REL_GAPS.contains(rel_gap):
        problems.append(Problem(_("expected %(expected)s, got %(value)s",
                                  expected=REL_GAPS.describe(), value=repr(rel_gap)),
                                column="rel_gap"))
    if problems:
        raise ValidationError(problems)
    started = time.perf_counter()
    frame = task_frame(tasks, params)
    n, periods = len(frame), params.periods
    same_a, same_b = _neighbour_pairs(frame, params.pillar)
    first, then = _precedence_arcs(frame, params.direction)
    earliest = _earliest_periods(frame, params, first, then)
    month = np.arange(1, periods + 1)
    allowed = month[None, :] >= earliest[:, None]
    factor = _discount(month, params.discount_rate)
    # Value at the month mined, Σ v·d[t]·(y[t] − y[t − 1]) = Σ v·(d[t] − d[t + 1])·y[t].
    weight = factor - np.append(factor[1:], 0.0)
    cost = -(frame["value_cny"].to_numpy()[:, None] * weight[None, :]).ravel()
    # HiGHS works best with costs near 1 (it warns of "excessively large costs" in CNY).
    scale = float(np.abs(cost).max(initial=0.0)) or 1.0
    matrix, upper = _constraints(frame, params, same_a, same_b, first, then)
    result = milp(cost / scale, integrality=np.ones(n * periods),
                  bounds=Bounds(0.0, allowed.ravel().astype(np.float64)),
                  constraints=LinearConstraint(matrix, -np.inf, upper),
                  options={"time_limit": float(time_limit_s), "mip_rel_gap": float(rel_gap),
                           "disp": False})
    if result.status not in (0, 1):
        raise RuntimeError(f"HiGHS ended with status {result.status}: {result.message}")
    period = np.zeros(n, dtype=np.int64)
    if result.x is not None:
        by = result.x.reshape(n, periods) > 0.5
        period = np.where(by[:, -1], by.argmax(axis=1) + 1, 0)
    dual = result.mip_dual_bound
    bound = -float(dual) * scale if dual is not None and not np.isnan(dual) else np.inf
    npv, method = _npv(frame, period, params.discount_rate), "mip"
    # The greedy rule costs little beside the MIP; when time runs out first its schedule
    # may be the better one, and a plan should never be worse than the rule of thumb.
    greedy = _greedy_periods(frame, params, same_a, same_b, first, then)
    if _npv(frame, greedy, params.discount_rate) > npv:
        period, method = greedy, "greedy"
        npv = _npv(frame, period, params.discount_rate)
    bound = max(npv, bound)
    return _schedule(frame, params, period, bound, _gap(npv, bound),
                     "optimal" if result.status == 0 else "time_limit", method,
                     time.perf_counter() - started,
                     {"variables": int(allowed.sum()), "rows": int(matrix.shape[0]),
                      "nodes": int(getattr(result, "mip_node_count", 0) or 0)})


def greedy_schedule(tasks: pd.DataFrame | Iterable[StopeTask],
                    params: ScheduleParams) -> Schedule:
    """A schedule by a priority rule, for comparison with the MIP's.

    Month after month, the stopes not yet mined are taken in order of value density (CNY per
    t of ore, highest first; ties in the tasks' order) and each is mined in the month when
    its value is above 0, its level is ready, its precedences are mined and cured, no
    neighbour's walls are open or curing, and the month's ore and fill capacities still hold
    it. No look-ahead: a stope of negative value is never mined, even to open richer ones.

    Parameters
    ----------
    tasks : pandas.DataFrame or iterable of StopeTask
        The stopes (see :func:`task_frame`; t, CNY, m³).
    params : ScheduleParams
        Periods, capacities, cure, direction, levels, discount rate.

    Returns
    -------
    Schedule
        ``method="greedy"``, ``status="heuristic"``, bound and gap NaN.
    """
    started = time.perf_counter()
    frame = task_frame(tasks, params)
    same_a, same_b = _neighbour_pairs(frame, params.pillar)
    first, then = _precedence_arcs(frame, params.direction)
    period = _greedy_periods(frame, params, same_a, same_b, first, then)
    return _schedule(frame, params, period, np.nan, np.nan, "heuristic", "greedy",
                     time.perf_counter() - started, {})


def check_schedule(tasks: pd.DataFrame | Iterable[StopeTask], params: ScheduleParams,
                   schedule: Schedule) -> list[str]:
    """Every constraint a schedule breaks, in words; empty when it is feasible.

    The constraints are derived again from the tasks, stope by stope, by code of its own (none
    of the MIP's matrices or the greedy rule's neighbour lists), so a mistake in either shows.

    Parameters
    ----------
    tasks : pandas.DataFrame or iterable of StopeTask
        The stopes scheduled (t, CNY, m³).
    params : ScheduleParams
        The parameters the schedule claims to respect.
    schedule : Schedule
        The schedule; its ``frame`` columns ``id``, ``period`` and ``fill_period`` and its
        ``npv`` (CNY) are checked.

    Returns
    -------
    list of str
        One sentence per violation: a stope missing, unknown or listed twice; a month outside
        1 … periods; a fill month other than the month after mining; a level not ready; a
        month's ore or fill over capacity; two neighbours too close in time; a precedence of
        the direction broken; an NPV that is not the schedule's.
    """
    frame = task_frame(tasks, params)
    got = schedule.frame
    out: list[str] = []
    known = set(frame["id"])
    for sid in got["id"][got["id"].duplicated()]:
        out.append(_("stope %(id)s is scheduled more than once", id=sid))
    for sid in got["id"]:
        if sid not in known:
            out.append(_("the schedule names stope %(id)s, which is not among the tasks",
                         id=sid))
    names = [c for c in ("period", "fill_period") if c in got.columns]
    rows = {sid: dict(zip(names, values, strict=True))
            for sid, *values in zip(got["id"], *(got[c].tolist() for c in names), strict=True)}
    mined: dict[Any, int] = {}
    for sid in frame["id"]:
        if sid not in rows:
            out.append(_("stope %(id)s is missing from the schedule", id=sid))
            continue
        when, fill = rows[sid].get("period"), rows[sid].get("fill_period")
        if pd.isna(when):
            if "fill_period" in rows[sid] and not pd.isna(fill):
                out.append(_("stope %(id)s is not mined but filled in month %(fill)s", id=sid,
                             fill=fill))
            continue
        if not _is_month(when, params.periods):
            out.append(_("stope %(id)s: month %(period)r is not a month from 1 to "
                         "%(periods)s", id=sid, period=when, periods=params.periods))
            continue
        when = mined[sid] = int(when)
        if "fill_period" in rows[sid] and (pd.isna(fill) or fill != when + 1):
            out.append(_("stope %(id)s is mined in month %(period)s but filled in month "
                         "%(fill)s, not the month after", id=sid, period=when, fill=fill))
    lists = {c: frame[c].tolist() for c in TASK_COLUMNS}
    tasks_by_id = {sid: {c: lists[c][n] for c in TASK_COLUMNS}
                   for n, sid in enumerate(lists["id"])}
    for sid, when in mined.items():
        level = tasks_by_id[sid]["level"]
        if when < params.level_ready[level]:
            out.append(_("stope %(id)s is mined in month %(period)s, before its level "
                         "%(level)s is ready in month %(ready)s", id=sid, period=when,
                         level=level, ready=params.level_ready[level]))
    out += _capacity_violations(
        tasks_by_id, mined, "ore_t", params.ore_capacity_t, 0,
        _("month %(month)s: ore of %(total)s t is over the capacity of %(capacity)s t"))
    out += _capacity_violations(
        tasks_by_id, mined, "void_m3", params.fill_capacity_m3, 1,
        _("month %(month)s: fill of %(total)s m³ is over the capacity of %(capacity)s m³"))
    out += _timing_violations(tasks_by_id, mined, params)
    npv = sum(tasks_by_id[sid]["value_cny"] * (1.0 + params.discount_rate) ** (-when / 12.0)
              for sid, when in mined.items())
    if not abs(schedule.npv - npv) <= _VALUE_TOLERANCE * max(1.0, abs(npv)):
        out.append(_("the schedule reports an NPV of %(reported)s CNY; its stopes are worth "
                     "%(npv)s CNY", reported=schedule.npv, npv=round(npv, 2)))
    return out


# Validation of the parameters.

def _as_int(value: Any) -> Any:
    """``value`` as an int when it is a whole number or its text, else unchanged."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else value


def _is_month(value: Any, periods: int) -> bool:
    """Whether ``value`` is a whole month 1 … ``periods`` (an integer or a whole float)."""
    return (isinstance(value, Real) and not isinstance(value, bool)
            and float(value).is_integer() and 1 <= float(value) <= periods)


def _is_whole(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, Real) and not isinstance(value, bool)
            and bool(np.isfinite(float(value))))


def _param_problems(p: ScheduleParams) -> list[Problem]:
    problems: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(message, column=column))

    if not _is_whole(p.periods) or not 1 <= p.periods <= MAX_SCHEDULE_PERIODS:
        bad("periods", _("expected a whole number of months from 1 to %(limit)s, got "
                         "%(value)r", limit=MAX_SCHEDULE_PERIODS, value=p.periods))
    for name, unit in (("ore_capacity_t", "t"), ("fill_capacity_m3", "m³")):
        value = getattr(p, name)
        if not _is_number(value) or value <= 0:
            bad(name, _("expected a number > 0 (%(unit)s), got %(value)r", unit=unit,
                        value=value))
    if not _is_whole(p.cure_periods) or p.cure_periods < 0:
        bad("cure_periods", _("expected a whole number >= 0, got %(value)r",
                              value=p.cure_periods))
    if p.direction not in DIRECTIONS:
        bad("direction", _("expected one of %(allowed)s, got %(value)s",
                           allowed=", ".join(DIRECTIONS), value=repr(p.direction)))
    if not isinstance(p.level_ready, Mapping) or not p.level_ready:
        bad("level_ready", _("expected a mapping of level number to the first month it is "
                             "ready"))
    else:
        for level, ready in p.level_ready.items():
            if not _is_whole(level):
                bad("level_ready", _("level %(level)r: expected a whole level number",
                                     level=level))
            elif not _is_whole(ready) or ready < 1:
                bad(f"level_ready.{level}", _("expected an integer >= 1, got %(value)r",
                                              value=ready))
    if not _is_number(p.discount_rate) or not DISCOUNT_RATES.contains(p.discount_rate):
        bad("discount_rate", _("expected %(expected)s, got %(value)s",
                               expected=DISCOUNT_RATES.describe(), value=repr(p.discount_rate)))
    if not _is_whole(p.pillar) or p.pillar < 0:
        bad("pillar", _("expected a whole number >= 0, got %(value)r", value=p.pillar))
    return problems


# The model's relations, for the MIP and the greedy rule.

def _neighbour_pairs(frame: pd.DataFrame, pillar: int) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours of one level, as index pairs (a < b)."""
    level = frame["level"].to_numpy()
    gap_i = _gaps(frame["i0"].to_numpy(), frame["i1"].to_numpy())
    gap_j = _gaps(frame["j0"].to_numpy(), frame["j1"].to_numpy())
    faces = ((gap_i <= pillar) & (gap_j < 0)) | ((gap_j <= pillar) & (gap_i < 0))
    a, b = np.nonzero(np.triu(faces & (level[:, None] == level[None, :]), k=1))
    return a, b


def _precedence_arcs(frame: pd.DataFrame, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first, then): ``then`` waits for ``first`` to be mined, filled and cured."""
    level = frame["level"].to_numpy()
    overlap = ((_gaps(frame["i0"].to_numpy(), frame["i1"].to_numpy()) < 0)
               & (_gaps(frame["j0"].to_numpy(), frame["j1"].to_numpy()) < 0))
    step = 1 if direction == "top_down" else -1
    first, then = np.nonzero(overlap & (level[:, None] == level[None, :] + step))
    return first, then


def _gaps(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whole blocks between each two ranges (negative when they overlap); int32 keeps the
    n × n tables of the largest schedule (2,000 stopes) at 16 MB each."""
    low, high = low.astype(np.int32), high.astype(np.int32)
    return (np.maximum(low[:, None], low[None, :])
            - np.minimum(high[:, None], high[None, :]) - 1)


def _earliest_periods(frame: pd.DataFrame, params: ScheduleParams, first: np.ndarray,
                      then: np.ndarray) -> np.ndarray:
    """First month each stope could be mined: its level ready and its precedences met.

    The arcs join consecutive levels, so one sweep over the levels in the mining direction
    settles every chain."""
    earliest = frame["level"].map(params.level_ready).to_numpy(dtype=np.int64)
    wait = params.cure_periods + 2
    levels = np.unique(frame["level"].to_numpy())
    level = frame["level"].to_numpy()
    for lv in levels[::-1] if params.direction == "top_down" else levels:
        arcs = level[then] == lv
        np.maximum.at(earliest, then[arcs], earliest[first[arcs]] + wait)
    return earliest


def _discount(month: np.ndarray, rate: float) -> np.ndarray:
    """Discount factor of a value at the end of each month at an annual rate."""
    return np.asarray((1.0 + rate) ** (-month / 12.0), dtype=np.float64)


def _constraints(frame: pd.DataFrame, params: ScheduleParams, same_a: np.ndarray,
                 same_b: np.ndarray, first: np.ndarray, then: np.ndarray
                 ) -> tuple[sparse.csr_array, np.ndarray]:
    """The MIP's rows ``A y ≤ upper`` over y[s, t] at column s·T + t (t from 0).

    y[s, t] = 1 when stope s is mined by month t + 1, so x[s, t] = y[s, t] − y[s, t − 1]
    (y[s, −1] = 0): every sum of x over a run of months is two entries of y, and a
    precedence is one row of two entries a month."""
    n, periods, wait = len(frame), params.periods, params.cure_periods + 2
    rows = _Rows()
    stope, month = np.meshgrid(np.arange(n), np.arange(periods), indexing="ij")
    column = stope * periods + month
    # Mined by month t stays mined: y[s, t − 1] − y[s, t] ≤ 0.
    rows.add(stope[:, 1:] * (periods - 1) + month[:, 1:] - 1, column[:, 1:] - 1,
             np.ones((n, periods - 1)))
    rows.add(stope[:, 1:] * (periods - 1) + month[:, 1:] - 1, column[:, 1:],
             -np.ones((n, periods - 1)))
    rows.close(np.zeros(n * (periods - 1)))
    # Ore mined in month t; void filled in month t + 1, so bounded through the mining month.
    for amount, capacity in ((frame["ore_t"], params.ore_capacity_t),
                             (frame["void_m3"], params.fill_capacity_m3)):
        per = np.broadcast_to(amount.to_numpy()[:, None], column.shape)
        rows.add(month, column, per)
        rows.add(month[:, 1:], column[:, :-1], -per[:, 1:])
        rows.close(np.full(periods, capacity))
    # Neighbours of one level: at most one start in every window of `wait` months.
    start = np.arange(max(1, periods - wait + 1))
    end = np.minimum(start + wait, periods) - 1
    pair_row = np.arange(len(same_a))[:, None] * len(start) + start[None, :]
    before = np.broadcast_to(start > 0, pair_row.shape)
    for side in (same_a, same_b):
        rows.add(pair_row, side[:, None] * periods + end[None, :], np.ones(pair_row.shape))
        rows.add(pair_row[before], (side[:, None] * periods + start[None, :] - 1)[before],
                 -np.ones(int(before.sum())))
    rows.close(np.ones(pair_row.size))
    # Precedences: y[then, t] ≤ y[first, t − wait] (earlier months are fixed at 0 by the
    # earliest months, which count the wait).
    cured = np.arange(wait, periods)
    arc_row = np.arange(len(first))[:, None] * len(cured) + (cured - wait)[None, :]
    rows.add(arc_row, then[:, None] * periods + cured[None, :], np.ones(arc_row.shape))
    rows.add(arc_row, first[:, None] * periods + cured[None, :] - wait, -np.ones(arc_row.shape))
    rows.close(np.zeros(arc_row.size))
    return rows.matrix(n * periods)


class _Rows:
    """Rows of a sparse matrix built block by block; a block's row numbers start at 0."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def add(self, row: np.ndarray, col: np.ndarray, val: np.ndarray) -> None:
        self.parts.append((row.ravel() + self.count, col.ravel(), val.ravel()))

    def close(self, upper: np.ndarray) -> None:
        self.upper.append(np.asarray(upper, dtype=np.float64))
        self.count += len(upper)

    def matrix(self, columns: int) -> tuple[sparse.csr_array, np.ndarray]:
        row, col, val = (np.concatenate(part) for part in zip(*self.parts, strict=True))
        return (sparse.coo_array((val.astype(np.float64), (row, col)),
                                 shape=(self.count, columns)).tocsr(),
                np.concatenate(self.upper))


def _greedy_periods(frame: pd.DataFrame, params: ScheduleParams, same_a: np.ndarray,
                    same_b: np.ndarray, first: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Month of each stope by the value-density rule (0: not mined)."""
    n, wait = len(frame), params.cure_periods + 2
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(same_a.tolist(), same_b.tolist(), strict=True):
        neighbours[a].append(b)
        neighbours[b].append(a)
    before: list[list[int]] = [[] for _ in range(n)]
    for f, t in zip(first.tolist(), then.tolist(), strict=True):
        before[t].append(f)
    value = frame["value_cny"].to_numpy()
    ore = frame["ore_t"].to_numpy()
    void = frame["void_m3"].to_numpy()
    ready = frame["level"].map(params.level_ready).to_numpy()
    order = [int(s) for s in np.argsort(-value / ore, kind="stable") if value[s] > 0]
    period = np.zeros(n, dtype=np.int64)
    for month in range(1, params.periods + 1):
        ore_left, fill_left = params.ore_capacity_t, params.fill_capacity_m3
        waiting = []
        for s in order:
            if (ready[s] > month or ore[s] > ore_left or void[s] > fill_left
                    or any(period[u] == 0 or period[u] > month - wait for u in before[s])
                    or any(period[b] and month - period[b] < wait for b in neighbours[s])):
                waiting.append(s)
                continue
            period[s] = month
            ore_left -= ore[s]
            fill_left -= void[s]
        order = waiting
    return period


def _npv(frame: pd.DataFrame, period: np.ndarray, rate: float) -> float:
    """NPV of mining each stope in its month (0: not mined), CNY."""
    mined = period > 0
    return float((frame["value_cny"].to_numpy()[mined] * _discount(period[mined], rate)).sum())


def _gap(npv: float, bound: float) -> float:
    """HiGHS's relative gap: (bound − npv) / |npv| (0 when they meet, inf without a value)."""
    if bound - npv <= _VALUE_TOLERANCE * max(1.0, abs(npv)):
        return 0.0
    return (bound - npv) / abs(npv) if npv else float("inf")


def _schedule(frame: pd.DataFrame, params: ScheduleParams, period: np.ndarray, bound: float,
              gap: float, status: str, method: str, seconds: float,
              meta: dict[str, Any]) -> Schedule:
    month = pd.Series(period).where(period > 0).astype("Int64")
    factor = np.where(period > 0, _discount(np.maximum(period, 1), params.discount_rate), 0.0)
    value = frame["value_cny"].to_numpy()
    out = pd.DataFrame({
        "id": frame["id"], "level": frame["level"], "period": month,
        "fill_period": month + 1, "cure_end_period": month + 1 + params.cure_periods,
        "ore_t": frame["ore_t"], "void_m3": frame["void_m3"], "value_cny": value,
        "npv_cny": value * factor})
    return Schedule(out, _npv(frame, period, params.discount_rate), bound, gap, status, method,
                    seconds, meta)


# The check's own reading of the constraints, stope by stope.

def _apart(a0: int, a1: int, b0: int, b1: int) -> int:
    """Whole blocks between the ranges a0…a1 and b0…b1 (−1 when they share a block)."""
    if b0 > a1:
        return b0 - a1 - 1
    if a0 > b1:
        return a0 - b1 - 1
    return -1


def _capacity_violations(tasks_by_id: Mapping[Any, Mapping[Any, Any]], mined: Mapping[Any, int],
                         column: str, capacity: float, lag: int, message: str) -> list[str]:
    """Months whose ore (lag 0) or fill (lag 1: the month after mining) exceeds capacity."""
    total: dict[int, float] = defaultdict(float)
    for sid, when in mined.items():
        total[when + lag] += float(tasks_by_id[sid][column])
    return [message % {"month": month, "total": round(amount, 3), "capacity": capacity}
            for month, amount in sorted(total.items())
            if amount > capacity * (1.0 + _VALUE_TOLERANCE)]


def _timing_violations(tasks_by_id: Mapping[Any, Mapping[Any, Any]], mined: Mapping[Any, int],
                       params: ScheduleParams) -> list[str]:
    """Neighbours of one level too close in time, and the direction's precedences broken."""
    wait = params.cure_periods + 2
    levels: dict[int, list[Any]] = defaultdict(list)
    for sid, row in tasks_by_id.items():
        levels[int(row["level"])].append(sid)
    out = []
    for ids in levels.values():
        open_ = [sid for sid in ids if sid in mined]
        for x, a in enumerate(open_):
            ta = tasks_by_id[a]
            for b in open_[x + 1:]:
                tb = tasks_by_id[b]
                di = _apart(ta["i0"], ta["i1"], tb["i0"], tb["i1"])
                dj = _apart(ta["j0"], ta["j1"], tb["j0"], tb["j1"])
                touching = (di < 0 and dj <= params.pillar) or (dj < 0 and di <= params.pillar)
                if touching and abs(mined[a] - mined[b]) < wait:
                    out.append(_(
                        "neighbours %(a)s (month %(ta)s) and %(b)s (month %(tb)s) are mined "
                        "%(apart)s months apart; the fill and its cure need %(wait)s",
                        a=a, ta=mined[a], b=b, tb=mined[b], apart=abs(mined[a] - mined[b]),
                        wait=wait))
    step = 1 if params.direction == "top_down" else -1
    for sid, when in mined.items():
        row = tasks_by_id[sid]
        for other in levels.get(int(row["level"]) + step, []):
            up = tasks_by_id[other]
            if (_apart(row["i0"], row["i1"], up["i0"], up["i1"]) >= 0
                    or _apart(row["j0"], row["j1"], up["j0"], up["j1"]) >= 0):
                continue
            if other not in mined or mined[other] > when - wait:
                state = (_("is mined in month %(month)s", month=mined[other])
                         if other in mined else _("is not mined"))
                message = (_("stope %(id)s is mined in month %(period)s, but stope %(first)s "
                             "above it %(state)s: it must be mined, filled and cured by month "
                             "%(by)s") if step == 1 else
                           _("stope %(id)s is mined in month %(period)s, but stope %(first)s "
                             "below it %(state)s: it must be mined, filled and cured by month "
                             "%(by)s"))
                out.append(message % {"id": sid, "period": when, "first": other,
                                      "state": state, "by": when - wait})
    return out
