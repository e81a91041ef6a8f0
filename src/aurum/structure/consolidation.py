"""Regional consolidation as a single-source capacitated facility-location MIP (HiGHS).

The problem
-----------
Plants j (capacity Q_j t/d, fixed cost f_j CNY/d when open) and mines i (ore d_i t/d). Every
mine sends all its ore to exactly one open plant; an open plant's load stays within its
capacity; the plan minimises Σ_j f_j y_j + Σ_ij c_ij x_ij, where c_ij is the daily cost of
sending mine i's ore to plant j (haulage and processing; less the gold's value when the
margin is maximised).

Formulation (binary x_ij: mine i to plant j; binary y_j: plant j open)::

    Σ_j x_ij = 1                      every mine to exactly one plant
    Σ_i d_i x_ij ≤ Q_j y_j            capacity of an open plant
    x_ij ≤ y_j                        disaggregated linking
    Σ_j Q_j y_j ≥ Σ_i d_i             enough capacity open (a valid cut)

The disaggregated rows x_ij ≤ y_j are implied by the capacity rows for integers but not for
the LP relaxation, where they close most of the gap (an LP plant cannot be "a bit open" for
a mine it serves whole); x_ij is fixed to 0 where d_i > Q_j. They are written up to
:data:`DISAGGREGATE_PAIRS` pairs (every regional study); beyond, the root LP of J·I extra
rows costs more than the bound it buys within a time limit. The search starts from a greedy
plan improved by local search (shift and close moves), so that a plan and its gap exist
from the first second. HiGHS (through ``highspy``, its
official Python API) solves it with a time limit; past the limit the best plan found is
returned with its relative gap (cost − bound) / cost.

Beyond :data:`DISAGGREGATE_PAIRS` the plan and the bound come from a Lagrangian relaxation
(:mod:`aurum.structure.lagrangian`: the assignment rows relaxed, a knapsack per facility and
the cover row over the facilities, subgradient optimisation, plans repaired from each
subproblem), then penalty tests fix what no better plan uses, facility swaps improve the plan
and HiGHS improves it further on the MIP left by the fixings, restricted to each customer's
cheapest facilities when still large (see :func:`_solve_large`); the gap reported is against
the Lagrangian bound, or the MIP's when only the fixings restrict it.

Field layer
-----------
:class:`Mine` and :class:`Plant` in the words of the field; :func:`consolidate` builds the
instance (straight-line distance × a road factor, or a given road-distance matrix) and returns
a :class:`Consolidation`. ``Plant.existing`` means *already built*: no construction is
planned for it and no plan floor applies to it, but it still pays its fixed cost per day when
it runs, and the plan may idle it (closing backward capacity is one of the levers). A plant
that must run is named in ``must_open``. Candidate plants (``existing`` false) are held to the
plan's floor for their kind (500 t/d new mills, 2,000 t/d heap-leach sites, 200 t/d
concentrate smelters — the floors of :mod:`aurum.industry.targets`, passed in by the caller):
a candidate below its floor is not offered to the optimiser and is listed in
``Consolidation.below_floor``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
from scipy import sparse

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.structure import lagrangian

MAX_MINES = 5_000
MAX_PLANTS = 500
MAX_TIME_LIMIT_S = 3_600.0
"""Bounds of one solve: instance size and the time limit a caller may ask for."""

DISAGGREGATE_PAIRS = 20_000
"""Largest instance (facilities × customers) given the J·I linking rows. Measured on the
OR-Library sets: with them p1–p24 (≤ 2,500 pairs) are proven in 0.02–1.1 s each; on p25–p36
(100,000 pairs, 101,101 rows) HiGHS's root LP alone outlasts a 120 s limit (no bound at
all), while without them it has a bound within seconds and separates what it needs; beyond
it :func:`solve` takes the Lagrangian path (:func:`_solve_large`)."""

LAGRANGIAN_SHARE = 0.7
"""Share of the time limit the Lagrangian relaxation gets beyond :data:`DISAGGREGATE_PAIRS`
(the rest goes to the restricted MIP)."""

SWAP_SHARE = 0.5
"""Share of the time left after the relaxation that facility swaps
(:func:`aurum.structure.lagrangian.swap_facilities`) may take before the MIP."""

RESTRICTED_NEAREST = 8
"""Cheapest facilities of each customer kept in the restricted MIP."""

RESTRICTED_LINK_PAIRS = 40_000
"""Most pairs of the restricted MIP given linking rows x_ij ≤ y_j."""

PLANT_KINDS: tuple[str, ...] = ("processing_plant", "heap_leach", "concentrate_smelter")
"""Plant kinds with a floor in the plan (the keys of ``plant_floors_t_per_day``)."""


@dataclass(frozen=True)
class Instance:
    """A single-source capacitated facility-location instance.

    Parameters
    ----------
    capacity : ndarray, shape (J,)
        Capacity of each facility (t/d, or the instance's unit).
    fixed_cost : ndarray, shape (J,)
        Cost of an open facility (CNY/d, or the instance's money unit).
    demand : ndarray, shape (I,)
        Demand of each customer (mine ore, t/d).
    assignment_cost : ndarray, shape (J, I)
        Cost of serving all of customer i from facility j.
    must_open, closed : ndarray of bool, shape (J,), optional
        Facilities forced open, or forced shut.
    """

    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    assignment_cost: np.ndarray
    must_open: np.ndarray | None = None
    closed: np.ndarray | None = None


@dataclass(frozen=True)
class Solution:
    """The best plan of a solve.

    Parameters
    ----------
    open : ndarray of bool, shape (J,)
        Facilities open (serving at least one customer, or forced open).
    assignment : ndarray of int, shape (I,)
        Facility of each customer.
    cost : float
        Objective of the plan, re-costed from ``open`` and ``assignment``.
    bound : float
        Best lower bound: HiGHS's, or beyond :data:`DISAGGREGATE_PAIRS` the Lagrangian one
        (a bound of the whole problem in both cases).
    gap : float
        Relative gap (cost − bound) / |cost|, 0 when proven optimal, inf when the limit fell
        before HiGHS proved any bound.
    optimal : bool
        True when HiGHS proved the plan optimal (within its gap tolerance).
    seconds : float
        Wall-clock time of the solve, s.
    """

    open: np.ndarray
    assignment: np.ndarray
    cost: float
    bound: float
    gap: float
    optimal: bool
    seconds: float


def plan_cost(instance: Instance, open_: np.ndarray, assignment: np.ndarray) -> float:
    """Cost of a plan: fixed costs of the open facilities plus the assignment costs.

    Parameters
    ----------
    instance : Instance
        The instance.
    open_ : ndarray of bool, shape (J,)
        Open facilities.
    assignment : ndarray of int, shape (I,)
        Facility of each customer.

    Returns
    -------
    float
        Σ f_j over open j + Σ_i c_{a(i), i}, in the instance's money unit.
    """
    customers = np.arange(instance.demand.size)
    return float(instance.fixed_cost[open_].sum()
                 + instance.assignment_cost[assignment, customers].sum())


def plan_loads(instance: Instance, assignment: np.ndarray) -> np.ndarray:
    """Load of each facility under an assignment (the demand unit)."""
    return np.bincount(assignment, weights=instance.demand, minlength=instance.capacity.size)


def solve(instance: Instance, *, time_limit_s: float = 60.0, relative_gap: float = 1e-9,
          progress: Callable[[float, float], None] | None = None,
          cancelled: Callable[[], bool] | None = None) -> Solution:
    """Solve a single-source capacitated facility-location instance with HiGHS.

    Parameters
    ----------
    instance : Instance
        The instance (formulation in the module docstring).
    time_limit_s : float
        Wall-clock limit, s (0 < limit ≤ :data:`MAX_TIME_LIMIT_S`); past it the best plan is
        returned with its gap.
    relative_gap : float
        Relative gap at which HiGHS stops as optimal (1e-9: the published optima to 1e-6).
    progress : callable, optional
        Called with (best cost, best bound) each time HiGHS finds a better plan.
    cancelled : callable, optional
        Polled during the search; when it returns True HiGHS stops and the best plan so far is
        returned (or :class:`ValidationError` if there is none yet).

    Returns
    -------
    Solution
        The best plan, its cost, bound and gap.

    Raises
    ------
    ValidationError
        When no plan serves every customer within the capacities, or none was found in time.
    """
    started = time.perf_counter()
    j_count, i_count = instance.assignment_cost.shape
    if j_count * i_count > DISAGGREGATE_PAIRS:
        return _solve_large(instance, time_limit_s=time_limit_s, relative_gap=relative_gap,
                            progress=progress, cancelled=cancelled)
    highs = _highs()
    highs.setOptionValue("time_limit", float(time_limit_s))
    highs.setOptionValue("mip_rel_gap", float(relative_gap))
    highs.passModel(_model(instance))
    start = _first_plan(instance)
    if start is not None:
        highs.setSolution(_as_start(instance, start))
    if progress is not None:
        highs.cbMipImprovingSolution.subscribe(
            lambda event: progress(event.data_out.objective_function_value,
                                   event.data_out.mip_dual_bound))
    if cancelled is not None:
        def _poll(event: highspy.highs.HighsCallbackEvent) -> None:
            if cancelled():
                event.interrupt()
        highs.cbMipInterrupt.subscribe(_poll)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        raise ValidationError(_("no plan sends every mine to a plant within the plants' "
                                "capacities: add capacity or a candidate plant"))
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise ValidationError(_("no feasible plan was found within %(seconds)s s",
                                seconds=time_limit_s))
    values = np.asarray(highs.getSolution().col_value)
    x = values[:j_count * i_count].reshape(j_count, i_count)
    assignment = np.argmax(x, axis=0)
    open_ = np.zeros(j_count, dtype=bool)
    open_[assignment] = True
    if instance.must_open is not None:
        open_ |= instance.must_open
    cost = plan_cost(instance, open_, assignment)
    optimal = status == highspy.HighsModelStatus.kOptimal
    bound = cost if optimal else min(float(info.mip_dual_bound), cost)
    gap = 0.0 if optimal else (cost - bound) / max(abs(cost), 1e-12)
    return Solution(open=open_, assignment=assignment, cost=cost, bound=bound, gap=gap,
                    optimal=optimal, seconds=time.perf_counter() - started)


def _solve_large(instance: Instance, *, time_limit_s: float, relative_gap: float,
                 progress: Callable[[float, float], None] | None,
                 cancelled: Callable[[], bool] | None) -> Solution:
    """The path beyond :data:`DISAGGREGATE_PAIRS`: Lagrangian relaxation, then a reduced MIP.

    :func:`aurum.structure.lagrangian.optimise` spends :data:`LAGRANGIAN_SHARE` of the limit
    raising its bound and repairing plans from the greedy start. At its best multipliers the
    penalty tests (:func:`aurum.structure.lagrangian.penalty_tests`) fix the facilities open or
    shut and the pairs unused in every plan cheaper than the best one; facility swaps
    (:func:`aurum.structure.lagrangian.swap_facilities`, at most :data:`SWAP_SHARE` of the time
    left) improve the plan, and the tests are run again against its cost. The rest goes to
    HiGHS, warm-started from the best plan, on the MIP less those fixings, with the
    disaggregated rows on the pairs kept. When at most :data:`RESTRICTED_LINK_PAIRS` pairs are
    left that MIP holds every better plan, so its bound is one of the whole problem and raises
    the reported one; beyond, each customer keeps its :data:`RESTRICTED_NEAREST` cheapest
    facilities left plus the facilities open in the best plan, in the relaxation or by the
    tests, and that MIP's bound is not used: the reported bound (and the gap) is the Lagrangian
    one — unless the plan found meets it.
    """
    started = time.perf_counter()
    cost = instance.assignment_cost
    j_count, i_count = cost.shape
    must = np.zeros(j_count, bool) if instance.must_open is None else instance.must_open
    closed = np.zeros(j_count, bool) if instance.closed is None else instance.closed
    start = _first_plan(instance)
    dual = lagrangian.optimise(
        cost, instance.demand, instance.capacity, instance.fixed_cost, must=must,
        closed=closed, time_limit_s=LAGRANGIAN_SHARE * time_limit_s, start=start,
        polish=lambda plan: _local_search(instance, plan), cancelled=cancelled)
    if dual.assignment is None:
        raise ValidationError(_("no feasible plan was found within %(seconds)s s",
                                seconds=time_limit_s))
    best, bound = dual.assignment, dual.bound
    if progress is not None:
        progress(dual.cost, bound)
    remaining = time_limit_s - (time.perf_counter() - started)
    stopped = cancelled is not None and cancelled()
    if remaining > 1.0 and not stopped and dual.cost - bound > relative_gap * abs(dual.cost):
        # What the penalty tests settle (facilities open or shut, pairs unused) holds in every
        # plan cheaper than the best one: fixing it loses no better plan.
        def settle(ceiling: float) -> lagrangian.Fixings:
            return lagrangian.penalty_tests(
                dual.multipliers, cost, instance.demand, instance.capacity,
                instance.fixed_cost, must, closed, ceiling=ceiling * (1 + 1e-9))

        fixings = settle(dual.cost)
        best = lagrangian.swap_facilities(
            cost, instance.demand, instance.capacity, instance.fixed_cost, must,
            closed | fixings.shut, best, fixings.forced_open,
            time_limit_s=SWAP_SHARE * remaining)
        ceiling = _plan_cost(instance, best)
        if ceiling < dual.cost:
            fixings = settle(ceiling)
            if progress is not None:
                progress(ceiling, bound)
        remaining = time_limit_s - (time.perf_counter() - started)
        reduced = replace(instance, must_open=must | fixings.open,
                          closed=closed | fixings.shut)
        # With few enough pairs left the MIP is the whole problem less what no better plan
        # uses; otherwise each customer keeps its cheapest facilities among them.
        kept = ~fixings.excluded
        whole = int(kept.sum()) <= RESTRICTED_LINK_PAIRS
        if not whole:
            usable = np.where(kept, cost, np.inf)
            nearest = np.argsort(usable, axis=0)[:RESTRICTED_NEAREST]
            kept = np.zeros_like(kept)
            kept[nearest, np.arange(i_count)[None, :]] = True
            kept[dual.open_in_relaxation | must | fixings.open, :] = True
            kept[np.unique(best), :] = True
            kept &= np.isfinite(usable)
        highs = _highs()
        highs.setOptionValue("time_limit", float(max(remaining, 0.1)))
        highs.setOptionValue("mip_rel_gap", float(relative_gap))
        highs.passModel(_model(reduced, kept=kept))
        highs.setSolution(_as_start(reduced, best))
        if cancelled is not None:
            def _poll(event: highspy.highs.HighsCallbackEvent) -> None:
                if cancelled():
                    event.interrupt()
            highs.cbMipInterrupt.subscribe(_poll)
        highs.run()
        info = highs.getInfo()
        if info.primal_solution_status == 2:  # kSolutionStatusFeasible
            x = np.asarray(highs.getSolution().col_value)[:j_count * i_count]
            found = np.argmax(x.reshape(j_count, i_count), axis=0)
            if _plan_cost(instance, found) < _plan_cost(instance, best):
                best = found
            if whole and np.isfinite(info.mip_dual_bound):
                # Every plan cheaper than the best one is a plan of the reduced MIP (its own
                # cost there), so that MIP's bound, capped by the best cost, is a bound of the
                # whole problem.
                bound = max(bound, min(float(info.mip_dual_bound), ceiling))
    open_ = must.copy()
    open_[best] = True
    cost_best = plan_cost(instance, open_, best)
    bound = min(bound, cost_best)
    gap = (cost_best - bound) / max(abs(cost_best), 1e-12)
    optimal = gap <= relative_gap
    return Solution(open=open_, assignment=best, cost=cost_best, bound=bound,
                    gap=0.0 if optimal else gap, optimal=optimal,
                    seconds=time.perf_counter() - started)


def _plan_cost(instance: Instance, assignment: np.ndarray) -> float:
    """Cost of an assignment, its facilities (and those forced open) open."""
    open_ = np.zeros(instance.capacity.size, bool)
    if instance.must_open is not None:
        open_ |= instance.must_open
    open_[assignment] = True
    return plan_cost(instance, open_, assignment)


def _as_start(instance: Instance, assignment: np.ndarray) -> highspy.HighsSolution:
    """An assignment as a HiGHS start (x and y columns)."""
    j_count, i_count = instance.assignment_cost.shape
    is_open = np.zeros(j_count, bool) if instance.must_open is None else instance.must_open.copy()
    is_open[assignment] = True
    values = np.zeros(j_count * i_count + j_count)
    values[assignment * i_count + np.arange(i_count)] = 1.0
    values[j_count * i_count:] = is_open
    start = highspy.HighsSolution()
    start.col_value = values.tolist()
    return start


def _first_plan(instance: Instance) -> np.ndarray | None:
    """A first plan (facility of each customer) for HiGHS to improve: customers by decreasing
    demand, each to the facility of least cost plus its fixed cost prorated by the share of
    capacity it would take (once open, a facility's fixed cost is sunk), then
    :func:`_local_search`. None when a customer finds no room. Gives a plan and a gap even
    when the limit falls before HiGHS's own heuristics."""
    cost = instance.assignment_cost
    j_count, i_count = cost.shape
    closed = np.zeros(j_count, bool) if instance.closed is None else instance.closed
    is_open = np.zeros(j_count, bool) if instance.must_open is None else instance.must_open.copy()
    room = np.where(closed, -1.0, instance.capacity.astype(float))
    assignment = np.empty(i_count, dtype=np.int64)
    for i in np.argsort(-instance.demand, kind="stable"):
        d = instance.demand[i]
        score = cost[:, i] + np.where(is_open, 0.0, instance.fixed_cost * d / instance.capacity)
        score = np.where(room >= d, score, np.inf)
        j = int(np.argmin(score))
        if not np.isfinite(score[j]):
            return None
        assignment[i] = j
        room[j] -= d
        is_open[j] = True
    return _local_search(instance, assignment)


def _local_search(instance: Instance, assignment: np.ndarray, rounds: int = 20) -> np.ndarray:
    """Improve a feasible assignment by two moves until neither helps (at most ``rounds``
    passes): *shift* one customer to another open facility with room (closing its old one
    if it empties, saving its fixed cost), and *close* an open facility, its customers
    (largest first) to the cheapest open facilities with room, when the fixed cost saved
    exceeds the added assignment costs."""
    cost, demand = instance.assignment_cost, instance.demand
    capacity, fixed = instance.capacity, instance.fixed_cost
    j_count, i_count = cost.shape
    must = np.zeros(j_count, bool) if instance.must_open is None else instance.must_open
    assignment = assignment.copy()
    load = np.bincount(assignment, weights=demand, minlength=j_count)
    for _round in range(rounds):
        improved = False
        for i in range(i_count):
            here, d = assignment[i], demand[i]
            delta = cost[:, i] - cost[here, i]
            if load[here] - d <= 1e-9 and not must[here]:
                delta = delta - fixed[here]
            usable = ((load > 0) | must) & (load + d <= capacity)
            usable[here] = False
            delta = np.where(usable, delta, np.inf)
            to = int(np.argmin(delta))
            if delta[to] < -1e-9:
                assignment[i], improved = to, True
                load[here] -= d
                load[to] += d
        for shut in np.argsort(-fixed):
            if load[shut] <= 0 or must[shut]:
                continue
            members = np.flatnonzero(assignment == shut)
            trial = load.copy()
            trial[shut] = 0.0
            moves, change = [], -fixed[shut]
            for i in members[np.argsort(-demand[members], kind="stable")]:
                usable = (trial > 0) & (trial + demand[i] <= capacity)
                usable[shut] = False
                if not usable.any():
                    break
                to = int(np.argmin(np.where(usable, cost[:, i], np.inf)))
                change += cost[to, i] - cost[shut, i]
                trial[to] += demand[i]
                moves.append((i, to))
            else:
                if change < -1e-9:
                    for i, to in moves:
                        assignment[i] = to
                    load, improved = trial, True
        if not improved:
            break
    return assignment


_BANNER_SHOWN = False


def _highs() -> highspy.Highs:
    """A silent HiGHS. Its first construction in a process prints a banner from C++ onto file
    descriptor 1, which would corrupt the command line's JSON: that once, fd 1 points at the
    null device."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        highs = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 1)
                highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    highs.setOptionValue("output_flag", False)
    return highs


def _model(instance: Instance, kept: np.ndarray | None = None) -> highspy.HighsLp:
    """The MIP of the module docstring as HiGHS's column-wise LP with integrality; with
    ``kept`` (bool, J × I) only those pairs may be used, and their linking rows are written
    when there are at most :data:`RESTRICTED_LINK_PAIRS` of them."""
    cost = np.asarray(instance.assignment_cost, dtype=float)
    j_count, i_count = cost.shape
    demand = np.asarray(instance.demand, dtype=float)
    capacity = np.asarray(instance.capacity, dtype=float)
    n_x = j_count * i_count
    jj, ii = np.divmod(np.arange(n_x), i_count)
    # Rows: assignment (I), capacity (J), linking (J·I, when disaggregated), cover (1).
    if kept is None:
        linked = np.arange(n_x) if n_x <= DISAGGREGATE_PAIRS else np.arange(0)
    else:
        linked = np.flatnonzero(kept.ravel())
        linked = linked if linked.size <= RESTRICTED_LINK_PAIRS else np.arange(0)
    n_link = linked.size
    link_row = i_count + j_count + np.arange(n_link)
    cover_row = i_count + j_count + n_link
    rows = np.concatenate([ii, i_count + jj, i_count + np.arange(j_count), link_row, link_row,
                           np.full(j_count, cover_row)])
    cols = np.concatenate([np.arange(n_x), np.arange(n_x), n_x + np.arange(j_count),
                           linked, n_x + jj[linked], n_x + np.arange(j_count)])
    vals = np.concatenate([np.ones(n_x), demand[ii], -capacity, np.ones(n_link),
                           -np.ones(n_link), capacity])
    n_rows = cover_row + 1
    matrix = sparse.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_x + j_count))
    row_lower = np.concatenate([np.ones(i_count), np.full(j_count + n_link, -highspy.kHighsInf),
                                [demand.sum()]])
    row_upper = np.concatenate([np.ones(i_count), np.zeros(j_count + n_link),
                                [highspy.kHighsInf]])
    x_upper = (demand[None, :] <= capacity[:, None]).astype(float)
    if kept is not None:
        x_upper[~kept] = 0.0
    y_lower = np.zeros(j_count)
    y_upper = np.ones(j_count)
    if instance.closed is not None:
        x_upper[instance.closed, :] = 0.0
        y_upper[instance.closed] = 0.0
    if instance.must_open is not None:
        y_lower[instance.must_open] = 1.0
    lp = highspy.HighsLp()
    lp.num_col_ = n_x + j_count
    lp.num_row_ = n_rows
    lp.col_cost_ = np.concatenate([cost.ravel(), np.asarray(instance.fixed_cost, dtype=float)])
    lp.col_lower_ = np.concatenate([np.zeros(n_x), y_lower])
    lp.col_upper_ = np.concatenate([x_upper.ravel(), y_upper])
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_col_ = n_x + j_count
    lp.a_matrix_.num_row_ = n_rows
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (n_x + j_count)
    return lp


# ---------------------------------------------------------------------------------------------
# The field's words: mines, plants, road distance, the plan


@dataclass(frozen=True)
class Mine:
    """A mine sending its ore to one plant.

    Parameters
    ----------
    id : str
        Mine name or code.
    x_km, y_km : float
        Position on a plane, km (east, north).
    ore_tpd : float
        Ore sent a day, t/d (its daily capacity).
    grade_g_per_t : float
        Head grade, g/t (0 when unknown: no gold value, no indicator weight).
    """

    id: str
    x_km: float
    y_km: float
    ore_tpd: float
    grade_g_per_t: float = 0.0


@dataclass(frozen=True)
class Plant:
    """A processing plant, existing or candidate.

    Parameters
    ----------
    id : str
        Plant name or code.
    x_km, y_km : float
        Position, km.
    capacity_tpd : float
        Ore it can treat, t/d.
    fixed_cny_per_day : float
        Fixed cost while it runs, CNY/d (for a candidate: running cost plus its construction
        annualised per day, as the caller prices it).
    processing_cny_per_t : float
        Variable processing cost, CNY/t.
    existing : bool
        Already built (see the module docstring: not forced open, no floor).
    recovery : float
        Gold recovery, fraction 0–1.
    kind : str
        One of :data:`PLANT_KINDS` (which floor applies to a candidate).
    """

    id: str
    x_km: float
    y_km: float
    capacity_tpd: float
    fixed_cny_per_day: float
    processing_cny_per_t: float
    existing: bool
    recovery: float = 1.0
    kind: str = "processing_plant"


@dataclass(frozen=True)
class Consolidation:
    """The chosen plan, in CNY per day.

    Parameters
    ----------
    cost_cny_per_day : float
        Fixed costs of the open plants + Σ ore × (transport × road km + processing cost).
    fixed_cny_per_day, haulage_cny_per_day, processing_cny_per_day : float
        The three parts of the cost.
    gold_g_per_day : float
        Gold recovered, g/d (ore × grade × the plant's recovery).
    margin_cny_per_day : float or None
        Gold value at the price given less the cost; None without a price.
    open : tuple of str
        Plants that run, in input order.
    assignment : dict of str to str
        Plant of each mine.
    loads_tpd : dict of str to float
        Ore treated by each open plant, t/d.
    road_km : dict of str to float
        Road distance of each mine to its plant, km.
    gap : float
        Relative gap of the plan (0: proven optimal).
    optimal : bool
        True when proven optimal.
    seconds : float
        Solve time, s.
    below_floor : tuple of str
        Candidate plants left out because their capacity is under the plan's floor.
    """

    cost_cny_per_day: float
    fixed_cny_per_day: float
    haulage_cny_per_day: float
    processing_cny_per_day: float
    gold_g_per_day: float
    margin_cny_per_day: float | None
    open: tuple[str, ...]
    assignment: dict[str, str]
    loads_tpd: dict[str, float]
    road_km: dict[str, float]
    gap: float
    optimal: bool
    seconds: float
    below_floor: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        """The command line's answer: ``cost_cny_per_day``, ``open``, ``assignment``, ``gap``."""
        return {"cost_cny_per_day": self.cost_cny_per_day, "open": list(self.open),
                "assignment": dict(self.assignment), "gap": self.gap}


def road_distance_km(mines: Sequence[Mine], plants: Sequence[Plant],
                     road_factor: float = 1.0) -> np.ndarray:
    """Road distance from each mine to each plant: straight line × ``road_factor``.

    Parameters
    ----------
    mines, plants : sequence
        Positions in km.
    road_factor : float
        Ratio of road to straight-line distance (1 = straight line; hill country 1.3–1.6).

    Returns
    -------
    ndarray, shape (mines, plants)
        km.
    """
    m = np.array([[mine.x_km, mine.y_km] for mine in mines], dtype=float).reshape(-1, 2)
    p = np.array([[plant.x_km, plant.y_km] for plant in plants], dtype=float).reshape(-1, 2)
    return road_factor * np.hypot(m[:, None, 0] - p[None, :, 0], m[:, None, 1] - p[None, :, 1])


def consolidate(mines: Sequence[Mine], plants: Sequence[Plant], transport_cny_per_tkm: float,
                *, road_factor: float = 1.0, distance_km: np.ndarray | None = None,
                floors_tpd: Mapping[str, float] | None = None,
                must_open: Sequence[str] = (), closed: Sequence[str] = (),
                gold_price_cny_per_g: float | None = None, maximise_margin: bool = False,
                time_limit_s: float = 60.0,
                progress: Callable[[float, float], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Consolidation:
    """The plan of least daily cost (or greatest margin) sending every mine to one open plant.

    Parameters
    ----------
    mines, plants : sequence of Mine, Plant
        The region (ids unique; see :func:`check_region`).
    transport_cny_per_tkm : float
        Haulage cost, CNY per tonne-kilometre (≥ 0).
    road_factor : float
        Road / straight-line distance ratio (1–5), when ``distance_km`` is not given.
    distance_km : ndarray, shape (mines, plants), optional
        Road distances, km, used as given.
    floors_tpd : mapping of str to float, optional
        The plan's floor per plant kind, t/d (``plant_floors_t_per_day`` of the plan
        targets); candidates below theirs are left out. None: no floor.
    must_open, closed : sequence of str
        Plants forced to run, or shut (closing backward capacity).
    gold_price_cny_per_g : float, optional
        Gold price, CNY/g: the margin is reported, and maximised if ``maximise_margin``.
    maximise_margin : bool
        Maximise gold value − cost instead of minimising cost (plants' recoveries matter).
    time_limit_s : float
        Solver time limit, s.
    progress, cancelled : callable, optional
        As in :func:`solve`.

    Returns
    -------
    Consolidation
        The plan and its gap.

    Raises
    ------
    ValidationError
        Bad input (:func:`check_region`), a mine larger than every plant that may run, or no
        plan within the capacities.
    """
    check_region(mines, plants, transport_cny_per_tkm, road_factor)
    if maximise_margin and gold_price_cny_per_g is None:
        raise ValidationError(_("maximising the margin needs a gold price"))
    ids = [p.id for p in plants]
    for name in (*must_open, *closed):
        if name not in ids:
            raise ValidationError(_("no plant %(plant)s", plant=repr(name)))
    floors = floors_tpd or {}
    below = tuple(p.id for p in plants
                  if not p.existing and p.capacity_tpd < floors.get(p.kind, 0.0))
    shut = np.array([p.id in closed or p.id in below for p in plants])
    ore = np.array([m.ore_tpd for m in mines], dtype=float)
    capacity = np.array([p.capacity_tpd for p in plants], dtype=float)
    largest = capacity[~shut].max(initial=0.0)
    too_large = [m for m in mines if m.ore_tpd > largest]
    if too_large:
        raise ValidationError([Problem(
            _("mine %(mine)s sends %(ore)s t/d, more than any plant that may run can treat "
              "(largest %(largest)s t/d)", mine=m.id, ore=m.ore_tpd, largest=largest),
            column="ore_tpd") for m in too_large])
    road = (road_distance_km(mines, plants, road_factor) if distance_km is None
            else np.asarray(distance_km, dtype=float))
    if road.shape != (len(mines), len(plants)) or not (np.isfinite(road) & (road >= 0)).all():
        raise ValidationError(_("expected a road distance ≥ 0 km for each of %(m)s mines × "
                                "%(p)s plants", m=len(mines), p=len(plants)))
    processing = np.array([p.processing_cny_per_t for p in plants], dtype=float)
    recovery = np.array([p.recovery for p in plants], dtype=float)
    grade = np.array([m.grade_g_per_t for m in mines], dtype=float)
    haul = ore[:, None] * transport_cny_per_tkm * road          # (mines, plants) CNY/d
    treat = ore[:, None] * processing[None, :]
    gold = (ore * grade)[:, None] * recovery[None, :]             # g/d
    assignment_cost = haul + treat
    if maximise_margin:
        assignment_cost = assignment_cost - gold * float(gold_price_cny_per_g or 0.0)
    instance = Instance(capacity=capacity,
                        fixed_cost=np.array([p.fixed_cny_per_day for p in plants], dtype=float),
                        demand=ore, assignment_cost=assignment_cost.T,
                        must_open=np.array([p.id in must_open for p in plants]), closed=shut)
    solution = solve(instance, time_limit_s=time_limit_s, progress=progress,
                     cancelled=cancelled)
    rows = np.arange(len(mines))
    to = solution.assignment
    fixed = float(instance.fixed_cost[solution.open].sum())
    hauled, treated = float(haul[rows, to].sum()), float(treat[rows, to].sum())
    gold_total = float(gold[rows, to].sum())
    cost = fixed + hauled + treated
    loads = plan_loads(instance, to)
    return Consolidation(
        cost_cny_per_day=cost, fixed_cny_per_day=fixed, haulage_cny_per_day=hauled,
        processing_cny_per_day=treated, gold_g_per_day=gold_total,
        margin_cny_per_day=(None if gold_price_cny_per_g is None
                            else gold_total * gold_price_cny_per_g - cost),
        open=tuple(p.id for p, o in zip(plants, solution.open, strict=True) if o),
        assignment={m.id: plants[j].id for m, j in zip(mines, to.tolist(), strict=True)},
        loads_tpd={p.id: float(loads[j]) for j, p in enumerate(plants) if solution.open[j]},
        road_km={m.id: float(road[i, j]) for i, (m, j) in enumerate(zip(mines, to.tolist(),
                                                                          strict=True))},
        gap=solution.gap, optimal=solution.optimal, seconds=solution.seconds, below_floor=below)


def check_region(mines: Sequence[Mine], plants: Sequence[Plant], transport_cny_per_tkm: float,
                 road_factor: float = 1.0) -> None:
    """Refuse a region the planner cannot take, one clear problem per fault.

    Parameters
    ----------
    mines, plants : sequence of Mine, Plant
        At least one of each, at most :data:`MAX_MINES` and :data:`MAX_PLANTS`; ids unique;
        ore > 0 t/d; capacity > 0 t/d; costs ≥ 0 CNY; recovery 0–1; kind in
        :data:`PLANT_KINDS`.
    transport_cny_per_tkm : float
        ≥ 0 CNY/t·km.
    road_factor : float
        1–5.

    Raises
    ------
    ValidationError
        Listing every problem found.
    """
    problems: list[Problem] = []
    if not 0 < len(mines) <= MAX_MINES:
        problems.append(Problem(_("expected 1 to %(n)s mines, got %(got)s", n=MAX_MINES,
                                  got=len(mines))))
    if not 0 < len(plants) <= MAX_PLANTS:
        problems.append(Problem(_("expected 1 to %(n)s plants, got %(got)s", n=MAX_PLANTS,
                                  got=len(plants))))
    if not (np.isfinite(transport_cny_per_tkm) and transport_cny_per_tkm >= 0):
        problems.append(Problem(_("the transport cost must not be negative (CNY per t·km), "
                                  "got %(value)s", value=transport_cny_per_tkm),
                                column="transport_cny_per_tkm"))
    if not 1.0 <= road_factor <= 5.0:
        problems.append(Problem(_("expected a road factor from 1 to 5, got %(value)s",
                                  value=road_factor), column="road_factor"))
    for kind, ids in (("mine", [m.id for m in mines]), ("plant", [p.id for p in plants])):
        seen: set[str] = set()
        for name in ids:
            if name in seen:
                problems.append(Problem(_("duplicate %(kind)s id %(id)s", kind=kind,
                                          id=repr(name)), column=kind))
            seen.add(name)
    for m in mines:
        if not (np.isfinite(m.ore_tpd) and m.ore_tpd > 0):
            problems.append(Problem(_("mine %(id)s: expected ore above 0 t/d, got %(value)s",
                                      id=m.id, value=m.ore_tpd), column="ore_tpd"))
        if not (np.isfinite(m.grade_g_per_t) and m.grade_g_per_t >= 0):
            problems.append(Problem(_("mine %(id)s: expected a grade of at least 0 g/t, got "
                                      "%(value)s", id=m.id, value=m.grade_g_per_t),
                                    column="grade_g_per_t"))
    for p in plants:
        if not (np.isfinite(p.capacity_tpd) and p.capacity_tpd > 0):
            problems.append(Problem(_("plant %(id)s: expected a capacity above 0 t/d, got "
                                      "%(value)s", id=p.id, value=p.capacity_tpd),
                                    column="capacity_tpd"))
        for column, value in (("fixed_cny_per_day", p.fixed_cny_per_day),
                              ("processing_cny_per_t", p.processing_cny_per_t)):
            if not (np.isfinite(value) and value >= 0):
                problems.append(Problem(_("plant %(id)s: costs must not be negative, got "
                                          "%(value)s", id=p.id, value=value), column=column))
        if not 0 <= p.recovery <= 1:
            problems.append(Problem(_("plant %(id)s: expected a recovery from 0 to 1, got "
                                      "%(value)s", id=p.id, value=p.recovery),
                                    column="recovery"))
        if p.kind not in PLANT_KINDS:
            problems.append(Problem(_("plant %(id)s: expected a kind among %(kinds)s, got "
                                      "%(value)s", id=p.id, kinds=", ".join(PLANT_KINDS),
                                      value=repr(p.kind)), column="kind"))
    if problems:
        raise ValidationError(problems)
