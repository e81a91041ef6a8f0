"""Lagrangian relaxation of the single-source capacitated facility-location problem.

Relaxing the assignment rows Σ_j x_ij = 1 with multipliers λ_i (CNY/d per customer) splits
the problem by facility: facility j, if open, serves the customers of a 0-1 knapsack of
capacity Q_j, item i of weight d_i and profit λ_i − c_ij (only positive profits enter), and
opens when f_j less that knapsack's value is negative. The dual bound is::

    L(λ) = Σ_i λ_i + Σ_j min(0, f_j − knap_j(λ))

(a facility forced open adds f_j − knap_j whatever its sign; a closed one adds nothing). Every
L(λ) is a lower bound of the optimum; subgradient optimisation (Held and Karp's step with the
best plan's cost as target, the step halved when the bound stalls) raises it. Each few
iterations a plan is repaired from the subproblem's open facilities: customers by regret (the
difference between their two cheapest facilities with room) to the cheapest open facility with
room, then shift and swap moves (:func:`improve`). Beasley (1993), *Lagrangean heuristics for
location problems*, EJOR 65, 383–399, is the classic account; the bound it reaches is that of
the LP over the facilities' knapsack hulls, at least the LP relaxation of the disaggregated
formulation without its cover row.

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
                capacity: np.ndarray, fits: np.ndarray,
                enough: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - numba
    """Each facility's knapsack: its value and the customers it would take."""
    j_count, i_count = cost.shape
    value = np.zeros(j_count)
    take = np.zeros((j_count, i_count), dtype=np.bool_)
    for j in range(j_count):
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
    return value, take


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
             capacity: np.ndarray, fixed: np.ndarray, must: np.ndarray,
             closed: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
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

    Returns
    -------
    bound : float
        L(λ), the money unit.
    open_ : ndarray of bool, shape (J,)
        Facilities open in the subproblem.
    take : ndarray of bool, shape (J, I)
        Customers each open facility takes in the subproblem.
    reduced : ndarray, shape (J,)
        f_j − knap_j: what opening each facility adds to the bound.
    """
    weight, room = _integer_data(demand, capacity)
    fits = (demand[None, :] <= capacity[:, None]) & ~closed[:, None]
    # A facility that may stay shut only needs its exact knapsack when the LP bound could pay
    # its fixed cost.
    value, take = _subproblem(multipliers, cost, weight, room, fits, np.where(must, -1.0, fixed))
    reduced = fixed - value
    open_ = ((reduced < 0) | must) & ~closed
    take &= open_[:, None]
    return float(multipliers.sum() + reduced[open_].sum()), open_, take, reduced


def optimise(cost: np.ndarray, demand: np.ndarray, capacity: np.ndarray, fixed: np.ndarray,
             *, must: np.ndarray | None = None, closed: np.ndarray | None = None,
             time_limit_s: float = 30.0, max_iterations: int = 3_000, repair_every: int = 3,
             start: np.ndarray | None = None,
             polish: Callable[[np.ndarray], np.ndarray] | None = None,
             cancelled: Callable[[], bool] | None = None) -> Dual:
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
    j_count, i_count = cost.shape
    must = np.zeros(j_count, bool) if must is None else np.asarray(must, bool)
    closed = np.zeros(j_count, bool) if closed is None else np.asarray(closed, bool)
    usable_cost = np.where(closed[:, None] | (demand[None, :] > capacity[:, None]), np.inf, cost)

    def plan_value(assignment: np.ndarray) -> float:
        opened = must.copy()
        opened[assignment] = True
        return float(fixed[opened].sum() + cost[assignment, np.arange(i_count)].sum())

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
                                               closed)
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
