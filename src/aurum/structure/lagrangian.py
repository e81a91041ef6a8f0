"""Lagrangian relaxation of the single-source capacitated facility-location problem.

Relaxing the assignment rows Σ_j x_ij = 1 with multipliers λ_i (CNY/d per customer) splits
the problem by facility: facility j, if open, serves the customers of a 0-1 knapsack of
capacity Q_j, item i of weight d_i and profit λ_i − c_ij (only positive profits enter), and
opens when f_j less that knapsack's value is negative. The dual bound is::

    L(λ) = Σ_i λ_i + Σ_j min(0, f_j − knap_j(λ))

(a facility forced open adds f_j − knap_j whatever its sign; a closed one adds nothing). The
subproblem keeps the aggregate capacity row Σ_j Q_j y_j ≥ Σ_i d_i (a valid inequality of every
plan), so the facilities it opens are those of a covering knapsack over r_j = f_j − knap_j
(:func:`cover`, exact by DP) rather than just those of r_j < 0:

    L(λ) = Σ_i λ_i + min { Σ_j r_j y_j : Σ_j Q_j y_j ≥ Σ_i d_i, y binary }

which is never below the bound without the row at the same λ and, optimised, much higher
where the open facilities are few and nearly full (p25–p36: 4–11 of 100 must open; p26 after
the benchmark's 21 s: 3.0 % under the optimum without the row, 0.05 % with it). Every L(λ) is
a lower bound of the optimum; subgradient optimisation (Held and Karp's step with the best
plan's cost as target, the step halved when the bound stalls) raises it. Each few iterations a
plan is repaired from the subproblem's open facilities: customers by regret (the difference
between their two cheapest facilities with room) to the cheapest open facility with room, then
shift and swap moves (:func:`improve`). At the best λ, :func:`penalty_tests` fix the
facilities and pairs no plan cheaper than the best one can use, and :func:`swap_facilities`
exchanges open and shut facilities. Beasley (1993), *Lagrangean heuristics for location
problems*, EJOR 65, 383–399, is the classic account of the subgradient and the repair; the
penalty tests are those of Beasley (1988), EJOR 33, 314–325, on these very instances; the
aggregate capacity row in the subproblem is the standard strengthening compared by
Cornuéjols, Sridharan and Thizy (1991), EJOR 50, 280–297. The bound reached is that of the LP
over the facilities' knapsack hulls and the cover row's, at least the LP relaxation of the
disaggregated formulation with its cover row.

The knapsacks are solved exactly by dynamic programming over integer capacity (numba). Data
that are not integers are rounded the safe way: weights down and capacities up (a relaxation of
each knapsack, so L stays a lower bound) after scaling so the largest capacity is at most
:data:`KNAPSACK_CAPACITY_UNITS` units.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

KNAPSACK_CAPACITY_UNITS = 20_000
"""Largest knapsack capacity in DP units: capacities beyond it are scaled down (a relaxation,
see the module docstring). The OR-Library sets have capacities of 5,000–58,268."""

COVER_CAPACITY_UNITS = 10_000
"""Largest total capacity of the cover row's knapsack (:func:`cover`) in DP units: beyond, the
capacities are scaled down (rounded up, the shortfall down: a relaxation), so that the DP
costs at most J × this per call (:func:`penalty_tests` makes 2J calls). The OR-Library
p25–p36 hold 500,000–1,400,000 units in 100 facilities of equal size: 100 units each, exact
but for the shortfall's rounding."""


@dataclass(frozen=True)
class Dual:
    """The outcome of the subgradient optimisation.

    Parameters
    ----------
    bound : float
        Best Lagrangian lower bound L(λ), in the instance's money unit.
    assignment : ndarray of int, shape (I,) or None
        Best repaired plan found (facility of each customer), None if no repair succeeded.
    cost : float
        Its cost (inf without a plan).
    multipliers : ndarray, shape (I,)
        λ of the best bound.
    open_in_relaxation : ndarray of bool, shape (J,)
        Facilities open in the subproblem at the best bound.
    iterations : int
        Subgradient iterations done.
    """

    bound: float
    assignment: np.ndarray | None
    cost: float
    multipliers: np.ndarray
    open_in_relaxation: np.ndarray
    iterations: int


@njit(cache=True)
def knapsack(profit: np.ndarray, weight: np.ndarray, capacity: int,
             enough: float = -np.inf) -> tuple[float, np.ndarray]:  # pragma: no cover - numba
    """Exact 0-1 knapsack by dynamic programming over capacity.

    Parameters
    ----------
    profit : ndarray of float, shape (n,)
        Profit of each item (> 0).
    weight : ndarray of int, shape (n,)
        Weight of each item (≥ 0, integer units).
    capacity : int
        Capacity, same units.
    enough : float
        When Dantzig's LP bound is at most this, that bound is returned with nothing chosen
        (the caller only needs to know the value does not exceed it: a facility whose fixed
        cost the knapsack cannot pay stays shut).

    Returns
    -------
    value : float
        Greatest total profit within the capacity (or the LP bound, see ``enough``).
    chosen : ndarray of bool, shape (n,)
        The items taken.
    """
    n = profit.size
    chosen = np.zeros(n, dtype=np.bool_)
    total = 0
    for k in range(n):
        total += weight[k]
    if total <= capacity:
        chosen[:] = True
        return profit.sum(), chosen
    # Martello and Toth's reduction: with the items by decreasing profit per unit weight, the
    # greedy prefix is a lower bound and Dantzig's LP an upper one; an item whose forced
    # exclusion (or inclusion) brings that LP bound below the greedy value is fixed, and only
    # the items near the critical ratio go through the DP.
    order = np.argsort(-profit / np.maximum(weight, 1e-12))
    room, value, critical = capacity, 0.0, n
    for position in range(n):
        k = order[position]
        if weight[k] > room:
            critical = position
            break
        room -= weight[k]
        value += profit[k]
    k = order[critical]
    ratio = profit[k] / weight[k]
    upper = value + room * ratio
    if upper <= enough:
        return upper, chosen
    margin = 1e-9 * max(1.0, abs(value))
    free = np.zeros(n, dtype=np.bool_)
    cap = capacity
    for position in range(n):
        k = order[position]
        if position < critical:
            if upper - profit[k] + ratio * weight[k] < value - margin:
                chosen[k] = True
                cap -= weight[k]
            else:
                free[k] = True
        elif not upper + profit[k] - ratio * weight[k] < value - margin:
            free[k] = True
    items = np.flatnonzero(free)
    base = 0.0
    for k in range(n):
        if chosen[k]:
            base += profit[k]
    best = np.zeros(cap + 1)
    take = np.zeros((items.size, cap + 1), dtype=np.bool_)
    for position in range(items.size):
        k = items[position]
        w, p = weight[k], profit[k]
        for c in range(cap, w - 1, -1):
            candidate = best[c - w] + p
            if candidate > best[c]:
                best[c] = candidate
                take[position, c] = True
    c = cap
    for position in range(items.size - 1, -1, -1):
        if take[position, c]:
            chosen[items[position]] = True
            c -= weight[items[position]]
    return base + best[cap], chosen


@njit(cache=True)
def _subproblem(multipliers: np.ndarray, cost: np.ndarray, weight: np.ndarray,
                capacity: np.ndarray, fits: np.ndarray, enough: np.ndarray, which: np.ndarray,
                value: np.ndarray, take: np.ndarray) -> None:  # pragma: no cover - numba
    """The knapsacks of the facilities in ``which``: their values and the customers they would
    take, written into ``value`` and ``take``."""
    j_count, i_count = cost.shape
    for j in range(j_count):
        if not which[j]:
            continue
        value[j] = 0.0
        take[j, :] = False
        items = np.empty(i_count, dtype=np.int64)
        n = 0
        for i in range(i_count):
            if fits[j, i] and multipliers[i] - cost[j, i] > 0:
                items[n] = i
                n += 1
        if n == 0:
            continue
        items = items[:n]
        v, chosen = knapsack(multipliers[items] - cost[j, items], weight[items], capacity[j],
                             enough[j])
        value[j] = v
        for k in range(n):
            if chosen[k]:
                take[j, items[k]] = True


@njit(cache=True)
def cover(reduced: np.ndarray, capacity: np.ndarray, need: float, must: np.ndarray,
          closed: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    """The facility subproblem with the aggregate capacity row: which facilities to open.

    Solves min Σ_j r_j y_j subject to Σ_j Q_j y_j ≥ D (the open capacity holds the total
    demand), y binary, forced-open facilities at 1 and shut ones at 0. Every facility of
    r_j < 0 opens (it lowers the objective and adds capacity); the capacity still short is a
    covering knapsack over the others, solved exactly as the 0-1 knapsack of the facilities
    left *shut* (profit r_j, capacity Σ Q_j − short) by :func:`knapsack`. Capacities are scaled
    to at most :data:`COVER_CAPACITY_UNITS` integer units rounded up and the shortfall rounded
    down, so the scaled problem is a relaxation (its minimum is a lower bound of the true one).

    Parameters
    ----------
    reduced : ndarray, shape (J,)
        r_j = f_j − knap_j: what opening each facility adds to the bound (money unit).
    capacity : ndarray, shape (J,)
        Q_j, the demand unit.
    need : float
        D, the total demand, same unit.
    must, closed : ndarray of bool, shape (J,)
        Facilities forced open, or shut.

    Returns
    -------
    ndarray of bool, shape (J,)
        The facilities open at the subproblem's minimum. When even every facility that may
        open is short of D (no plan exists) the row is dropped: those of r_j < 0 or forced.
    """
    is_open = (must | (reduced < 0)) & ~closed
    short = need - capacity[is_open].sum()
    if short <= 0:
        return is_open
    candidates = np.flatnonzero(~is_open & ~closed)
    total = capacity[candidates].sum()
    if total < short:
        return is_open
    scale = max(1.0, total / COVER_CAPACITY_UNITS)
    weight = np.empty(candidates.size, dtype=np.int64)
    for k in range(candidates.size):
        weight[k] = np.int64(np.ceil(capacity[candidates[k]] / scale - 1e-9))
    room = weight.sum() - np.int64(np.floor(short / scale + 1e-9))
    _value, shut = knapsack(reduced[candidates], weight, room)
    for k in range(candidates.size):
        if not shut[k]:
            is_open[candidates[k]] = True
    return is_open


@njit(cache=True)
def _regret_assign(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray,
                   is_open: np.ndarray) -> np.ndarray:  # pragma: no cover - numba
    """Customers to the cheapest open facility with room, in decreasing order of regret (the
    gap between their two cheapest open facilities), larger demands first on ties; -1 for a
    customer no open facility fits."""
    j_count, i_count = cost.shape
    room = np.where(is_open, capacity, -1.0)
    regret = np.zeros(i_count)
    for i in range(i_count):
        first, second = np.inf, np.inf
        for j in range(j_count):
            if is_open[j]:
                c = cost[j, i]
                if c < first:
                    second, first = first, c
                elif c < second:
                    second = c
        regret[i] = (second - first if second < np.inf else 1e300) + 1e-9 * demand[i]
    assignment = np.full(i_count, -1, dtype=np.int64)
    for i in np.argsort(-regret):
        best_j, best_c = -1, np.inf
        for j in range(j_count):
            if room[j] >= demand[i] and cost[j, i] < best_c:
                best_j, best_c = j, cost[j, i]
        if best_j >= 0:
            assignment[i] = best_j
            room[best_j] -= demand[i]
    return assignment


@njit(cache=True)
def improve(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray, fixed: np.ndarray,
            must: np.ndarray, assignment: np.ndarray,
            rounds: int = 50) -> np.ndarray:  # pragma: no cover - numba
    """Shift and swap moves until neither helps (at most ``rounds`` passes).

    *Shift*: one customer to another open facility with room (its old facility closes if it
    empties, saving its fixed cost). *Swap*: two customers of different facilities exchange
    facilities, when both loads stay within capacity and the assignment cost falls.

    Parameters
    ----------
    cost : ndarray, shape (J, I)
        Assignment costs.
    demand, capacity, fixed : ndarray
        Customer demands, facility capacities, fixed costs.
    must : ndarray of bool, shape (J,)
        Facilities forced open (never closed by a shift).
    assignment : ndarray of int, shape (I,)
        A feasible assignment (not modified).

    Returns
    -------
    ndarray of int, shape (I,)
        The improved assignment.
    """
    j_count, i_count = cost.shape
    a = assignment.copy()
    load = np.zeros(j_count)
    count = np.zeros(j_count, dtype=np.int64)
    for i in range(i_count):
        load[a[i]] += demand[i]
        count[a[i]] += 1
    for _round in range(rounds):
        improved = False
        for i in range(i_count):
            here, d = a[i], demand[i]
            saving = fixed[here] if count[here] == 1 and not must[here] else 0.0
            best_j, best_delta = -1, -1e-9
            for j in range(j_count):
                if j == here or load[j] + d > capacity[j] + 1e-9:
                    continue
                if count[j] == 0 and not must[j]:
                    continue
                delta = cost[j, i] - cost[here, i] - saving
                if delta < best_delta:
                    best_j, best_delta = j, delta
            if best_j >= 0:
                a[i] = best_j
                load[here] -= d
                count[here] -= 1
                load[best_j] += d
                count[best_j] += 1
                improved = True
        for i in range(i_count):
            for k in range(i + 1, i_count):
                p, q = a[i], a[k]
                if p == q:
                    continue
                delta = cost[q, i] + cost[p, k] - cost[p, i] - cost[q, k]
                if delta >= -1e-9:
                    continue
                shift = demand[i] - demand[k]
                if load[q] + shift > capacity[q] + 1e-9 or load[p] - shift > capacity[p] + 1e-9:
                    continue
                a[i], a[k] = q, p
                load[q] += shift
                load[p] -= shift
                improved = True
        if not improved:
            break
    return a


def _integer_data(demand: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (rounded down) and capacities (rounded up) in integer DP units."""
    scale = max(1.0, float(capacity.max()) / KNAPSACK_CAPACITY_UNITS)
    weight = np.floor(demand / scale + 1e-9).astype(np.int64)
    room = np.ceil(capacity / scale - 1e-9).astype(np.int64)
    return weight, room


def bound_at(multipliers: np.ndarray, cost: np.ndarray, demand: np.ndarray,
             capacity: np.ndarray, fixed: np.ndarray, must: np.ndarray, closed: np.ndarray,
             *, cover_row: bool = True) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """The Lagrangian bound L(λ) at given multipliers.

    Parameters
    ----------
    multipliers : ndarray, shape (I,)
        λ, money unit per customer.
    cost : ndarray, shape (J, I)
        Assignment costs.
    demand, capacity, fixed : ndarray
        Customer demands, facility capacities and fixed costs.
    must, closed : ndarray of bool, shape (J,)
        Facilities forced open, or shut.
    cover_row : bool
        Keep the aggregate capacity row Σ_j Q_j y_j ≥ Σ_i d_i in the subproblem
        (:func:`cover`); False gives the classic bound without it (never higher at the same λ).

    Returns
    -------
    bound : float
        L(λ), the money unit.
    open_ : ndarray of bool, shape (J,)
        Facilities open in the subproblem.
    take : ndarray of bool, shape (J, I)
        Customers each open facility takes in the subproblem.
    reduced : ndarray, shape (J,)
        f_j − knap_j: what opening each facility adds to the bound (for a facility whose
        knapsack stopped at its LP bound, a value at most that).
    """
    weight, room = _integer_data(demand, capacity)
    fits = (demand[None, :] <= capacity[:, None]) & ~closed[:, None]
    j_count, i_count = cost.shape
    value = np.zeros(j_count)
    take = np.zeros((j_count, i_count), dtype=bool)
    # A facility that may stay shut only needs its exact knapsack when the LP bound could pay
    # its fixed cost; below that its r_j is under-stated, which keeps L a lower bound.
    enough = np.where(must, -1.0, fixed)
    _subproblem(multipliers, cost, weight, room, fits, enough, np.ones(j_count, bool), value,
                take)
    exact = value > enough
    while True:
        reduced = fixed - value
        if cover_row:
            open_ = cover(reduced, capacity, float(demand.sum()), must, closed)
        else:
            open_ = ((reduced < 0) | must) & ~closed
        # A facility the cover row opens at an under-stated r_j gets its exact knapsack: its
        # value tightens the bound and its customers drive the subgradient.
        redo = open_ & ~exact
        if not redo.any():
            break
        _subproblem(multipliers, cost, weight, room, fits, np.full(j_count, -np.inf), redo,
                    value, take)
        exact |= redo
    take &= open_[:, None]
    return float(multipliers.sum() + reduced[open_].sum()), open_, take, reduced


@dataclass(frozen=True)
class Fixings:
    """What every plan cheaper than a given cost does (:func:`penalty_tests`).

    Parameters
    ----------
    open : ndarray of bool, shape (J,)
        Facilities open in every such plan.
    shut : ndarray of bool, shape (J,)
        Facilities shut in every such plan.
    excluded : ndarray of bool, shape (J, I)
        Pairs (facility, customer) no such plan uses (every pair of a shut facility among them).
    forced_open : ndarray, shape (J,)
        The bound with each facility forced open (inf for a closed one), money unit: the
        lower, the more promising the facility (:func:`swap_facilities` tries those first).
    """

    open: np.ndarray
    shut: np.ndarray
    excluded: np.ndarray
    forced_open: np.ndarray


def penalty_tests(multipliers: np.ndarray, cost: np.ndarray, demand: np.ndarray,
                  capacity: np.ndarray, fixed: np.ndarray, must: np.ndarray, closed: np.ndarray,
                  ceiling: float) -> Fixings:
    """Lagrangian penalty tests: the facilities and pairs every plan cheaper than ``ceiling``
    opens, shuts or leaves unused.

    At multipliers λ the bound with y_j forced to 1 (or to 0) is Σ_i λ_i plus the minimum of
    :func:`cover` with facility j forced open (or shut), each r_j from an exact knapsack. When
    it exceeds ``ceiling`` (the best plan's cost), no plan cheaper than that has y_j at that
    value (Beasley 1988; the cover row makes the tests bite where the number of open facilities
    is tight). Forcing x_ij = 1 forces y_j = 1 and, when customer i is not
    profitable to j (λ_i < c_ij), costs j's knapsack at least c_ij − λ_i more, since
    knap_j with i ≤ (λ_i − c_ij) + knap_j: the pair is excluded when the forced-open bound
    plus max(0, c_ij − λ_i) exceeds the ceiling.

    Parameters
    ----------
    multipliers : ndarray, shape (I,)
        λ (any: the best bound's give the strongest tests), money unit per customer.
    cost : ndarray, shape (J, I)
        Assignment costs.
    demand, capacity, fixed : ndarray
        Customer demands, facility capacities and fixed costs.
    must, closed : ndarray of bool, shape (J,)
        Facilities forced open, or shut (not tested; a shut one's pairs are excluded).
    ceiling : float
        Cost a plan must beat (the best plan's, with a rounding margin), money unit.

    Returns
    -------
    Fixings
        The facilities open or shut and the pairs excluded in every plan cheaper than
        ``ceiling``.
    """
    j_count, i_count = cost.shape
    weight, room = _integer_data(demand, capacity)
    fits = (demand[None, :] <= capacity[:, None]) & ~closed[:, None]
    value = np.zeros(j_count)
    _subproblem(multipliers, cost, weight, room, fits, np.full(j_count, -np.inf),
                np.ones(j_count, bool), value, np.zeros((j_count, i_count), dtype=bool))
    reduced = fixed - value
    need, base = float(demand.sum()), float(multipliers.sum())
    forced_open = np.full(j_count, np.inf)
    open_ = np.zeros(j_count, bool)
    for j in np.flatnonzero(~closed):
        one = np.zeros(j_count, bool)
        one[j] = True
        forced_open[j] = base + reduced[cover(reduced, capacity, need, must | one, closed)].sum()
        if not must[j] and forced_open[j] <= ceiling:
            forced_shut = base + reduced[cover(reduced, capacity, need, must, closed | one)].sum()
            open_[j] = forced_shut > ceiling
    shut = (forced_open > ceiling) & ~must
    excluded = ~fits | (forced_open[:, None]
                        + np.maximum(cost - multipliers[None, :], 0.0) > ceiling)
    return Fixings(open=open_, shut=shut, excluded=excluded | shut[:, None],
                   forced_open=forced_open)


@njit(cache=True)
def _plan_value(cost: np.ndarray, fixed: np.ndarray, must: np.ndarray,
                assignment: np.ndarray) -> float:  # pragma: no cover - numba
    """Cost of a plan: its facilities' and the forced ones' fixed costs plus its assignments."""
    opened = must.copy()
    value = 0.0
    for i in range(assignment.size):
        opened[assignment[i]] = True
        value += cost[assignment[i], i]
    for j in range(fixed.size):
        if opened[j]:
            value += fixed[j]
    return value


@njit(cache=True)
def _swap_out(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray, fixed: np.ndarray,
              must: np.ndarray, assignment: np.ndarray, shut: int,
              candidates: np.ndarray) -> tuple[np.ndarray, float]:  # pragma: no cover - numba
    """Facility ``shut`` swapped for each candidate in turn (customers by regret, then
    :func:`improve`): the first plan cheaper than ``assignment``, or it, with its cost."""
    value = _plan_value(cost, fixed, must, assignment)
    is_open = must.copy()
    for i in range(assignment.size):
        is_open[assignment[i]] = True
    is_open[shut] = False
    for k in candidates:
        if is_open[k]:
            continue
        is_open[k] = True
        trial = _regret_assign(cost, demand, capacity, is_open)
        is_open[k] = False
        if trial.min() < 0:
            continue
        trial = improve(cost, demand, capacity, fixed, must, trial, 5)
        trial_value = _plan_value(cost, fixed, must, trial)
        if trial_value < value - 1e-9 * max(1.0, abs(value)):
            return trial, trial_value
    return assignment, value


def swap_facilities(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray,
                    fixed: np.ndarray, must: np.ndarray, shut: np.ndarray,
                    assignment: np.ndarray, promise: np.ndarray, *, breadth: int = 15,
                    time_limit_s: float = 5.0) -> np.ndarray:
    """Facility swaps: shut one open facility and open another, until no swap helps.

    The customer-level moves of :func:`improve` keep the set of open facilities; when the
    capacity is tight (p25–p36: the fewest facilities that hold the demand are 85–98 % full)
    the plan's cost is mostly the choice of that set. Each pass tries every open facility
    against the ``breadth`` shut ones of least ``promise`` (the Lagrangian bound with that
    facility forced open), reassigns the customers by regret and improves them, and takes the
    first swap that lowers the cost.

    Parameters
    ----------
    cost : ndarray, shape (J, I)
        Assignment costs.
    demand, capacity, fixed : ndarray
        Customer demands, facility capacities and fixed costs.
    must : ndarray of bool, shape (J,)
        Facilities forced open (never shut).
    shut : ndarray of bool, shape (J,)
        Facilities never opened (closed, or shut by :func:`penalty_tests`).
    assignment : ndarray of int, shape (I,)
        A feasible plan (not modified).
    promise : ndarray, shape (J,)
        Lower is tried first (money unit).
    breadth : int
        Candidates to open tried per pass.
    time_limit_s : float
        Wall-clock budget, s (checked before each open facility's swaps).

    Returns
    -------
    ndarray of int, shape (I,)
        The improved plan.
    """
    started = time.perf_counter()
    cost = np.ascontiguousarray(cost, dtype=float)
    demand = np.asarray(demand, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    fixed = np.asarray(fixed, dtype=float)
    plan = np.asarray(assignment, dtype=np.int64)
    value = _plan_value(cost, fixed, must, plan)
    order = np.argsort(promise, kind="stable")
    better = True
    while better:
        better = False
        in_use = np.zeros(cost.shape[0], bool)
        in_use[plan] = True
        candidates = order[~(in_use | shut)[order]][:breadth].astype(np.int64)
        for j in np.flatnonzero(in_use & ~must):
            if time.perf_counter() - started > time_limit_s:
                return plan
            trial, trial_value = _swap_out(cost, demand, capacity, fixed, must, plan, int(j),
                                           candidates)
            if trial_value < value:
                plan, value, better = trial, trial_value, True
                break
    return plan


def optimise(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray, fixed: np.ndarray,
             *, must: np.ndarray | None = None, closed: np.ndarray | None = None,
             time_limit_s: float = 30.0, max_iterations: int = 3_000, repair_every: int = 3,
             start: np.ndarray | None = None,
             polish: Callable[[np.ndarray], np.ndarray] | None = None,
             cancelled: Callable[[], bool] | None = None, cover_row: bool = True) -> Dual:
    """Subgradient optimisation of the Lagrangian bound, with repaired plans.

    Parameters
    ----------
    cost : ndarray, shape (J, I)
        Assignment costs (money unit per day).
    demand, capacity, fixed : ndarray
        Customer demands (t/d), facility capacities (t/d), fixed costs.
    must, closed : ndarray of bool, shape (J,), optional
        Facilities forced open, or shut.
    time_limit_s : float
        Wall-clock budget, s.
    max_iterations : int
        Iteration cap; the search also stops when the step has been halved 30 times or the
        bound meets the best plan.
    repair_every : int
        Repair a plan from the subproblem every this many iterations.
    start : ndarray of int, shape (I,), optional
        A feasible plan to start from (its cost is the first target).
    polish : callable, optional
        Applied to each repaired plan that beats the best (e.g. a further local search);
        returns a feasible assignment.
    cancelled : callable, optional
        Polled each iteration; True stops the search.
    cover_row : bool
        Keep the aggregate capacity row in the subproblem (see :func:`bound_at`).

    Returns
    -------
    Dual
        The best bound and plan.
    """
    started = time.perf_counter()
    cost = np.ascontiguousarray(cost, dtype=float)
    demand = np.asarray(demand, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    fixed = np.asarray(fixed, dtype=float)
    j_count = cost.shape[0]
    must = np.zeros(j_count, bool) if must is None else np.asarray(must, bool)
    closed = np.zeros(j_count, bool) if closed is None else np.asarray(closed, bool)
    usable_cost = np.where(closed[:, None] | (demand[None, :] > capacity[:, None]), np.inf, cost)

    def plan_value(assignment: np.ndarray) -> float:
        return float(_plan_value(cost, fixed, must, assignment))

    best_plan = None if start is None else np.asarray(start, dtype=np.int64)
    best_cost = np.inf if best_plan is None else plan_value(best_plan)
    # λ starts at each customer's cheapest cost with its share of the fixed cost: a plant
    # open in the subproblem then roughly pays for itself when full.
    multipliers = np.min(usable_cost + (fixed * 1.0 / capacity)[:, None] * demand[None, :],
                         axis=0)
    best_bound, best_lambda = -np.inf, multipliers.copy()
    best_open = np.zeros(j_count, bool)
    theta, stall, halvings, iteration = 2.0, 0, 0, 0
    for iteration in range(1, max_iterations + 1):
        bound, open_, take, reduced = bound_at(multipliers, cost, demand, capacity, fixed, must,
                                               closed, cover_row=cover_row)
        if bound > best_bound + 1e-9 * abs(bound):
            best_bound, best_lambda, best_open, stall = bound, multipliers.copy(), open_, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall, halvings = theta / 2, 0, halvings + 1
        if iteration % repair_every == 1 or repair_every == 1:
            plan = _repair(cost, usable_cost, demand, capacity, fixed, must, closed, open_,
                           reduced)
            if plan is not None:
                value = plan_value(plan)
                if value < best_cost - 1e-9:
                    if polish is not None:
                        plan = improve(cost, demand, capacity, fixed, must, polish(plan))
                        value = plan_value(plan)
                    best_plan, best_cost = plan, value
        if (best_bound >= best_cost - 1e-9 * max(1.0, abs(best_cost)) or halvings >= 30
                or time.perf_counter() - started > time_limit_s
                or (cancelled is not None and cancelled())):
            break
        gradient = 1.0 - take.sum(axis=0)
        norm = float(gradient @ gradient)
        if norm == 0:  # the subproblem's plan is feasible for the assignment rows
            break
        target = best_cost if np.isfinite(best_cost) else bound + abs(bound) * 0.1 + 1.0
        multipliers = multipliers + theta * max(target - bound, 1e-9 * abs(bound)) / norm * gradient
    return Dual(bound=best_bound, assignment=best_plan, cost=best_cost, multipliers=best_lambda,
                open_in_relaxation=best_open, iterations=iteration)


def _repair(cost: np.ndarray, usable_cost: np.ndarray, demand: np.ndarray,
            capacity: np.ndarray, fixed: np.ndarray, must: np.ndarray, closed: np.ndarray,
            open_: np.ndarray, reduced: np.ndarray) -> np.ndarray | None:
    """A plan from the subproblem's open facilities: more facilities opened (least reduced
    cost f_j − knap_j first) until they hold the demand with a 5 % margin, customers by
    regret, a facility opened for any customer left without room, then :func:`improve`. None
    when no plan fits."""
    is_open = (open_ | must) & ~closed
    order = np.argsort(reduced, kind="stable")
    need = demand.sum() * 1.05
    for j in order:
        if capacity[is_open].sum() >= need:
            break
        if not closed[j]:
            is_open[j] = True
    for _attempt in range(cost.shape[0]):
        assignment = _regret_assign(cost, demand, capacity, is_open)
        missing = np.flatnonzero(assignment < 0)
        if missing.size == 0:
            return improve(cost, demand, capacity, fixed, must, assignment)
        i = missing[np.argmax(demand[missing])]
        candidates = np.where(is_open, np.inf, usable_cost[:, i] + fixed)
        j = int(np.argmin(candidates))
        if not np.isfinite(candidates[j]):
            return None
        is_open[j] = True
    return None
