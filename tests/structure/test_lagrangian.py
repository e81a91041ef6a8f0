"""The Lagrangian relaxation of :mod:`aurum.structure.lagrangian` against outside references:
its knapsack against brute force, its bound on p1–p8 between the LP relaxation (HiGHS on the
disaggregated formulation) and the published optimum, its plans feasible and re-costed here
independently; and the large-instance path of :func:`solve` on a small instance."""

from __future__ import annotations

import itertools
from pathlib import Path

import highspy
import numpy as np
import pytest

from aurum.structure import consolidation
from aurum.structure.lagrangian import knapsack, optimise
from aurum.structure.orlib import read_optima, read_orlib

LP_MARGIN = 0.005
"""How far below the LP bound the subgradient's best bound may stop (relative): the
subgradient approaches the Lagrangian dual, whose value is at least that LP's without its
cover row, and may stop short of it."""


@pytest.fixture(scope="module")
def sscflp(shared_data: Path) -> Path:
    path = shared_data / "facility" / "sscflp_or"
    if not (path / "os").exists():
        pytest.skip("facility/sscflp_or is not in the shared data")
    return path


def test_knapsack_matches_brute_force() -> None:
    rng = np.random.default_rng(23)
    for _case in range(200):
        n = int(rng.integers(1, 11))
        profit = rng.uniform(0.1, 10.0, n)
        weight = rng.integers(0, 20, n).astype(np.int64)
        capacity = int(rng.integers(0, 60))
        value, chosen = knapsack(profit, weight, capacity)
        best = max(profit[list(subset)].sum()
                   for r in range(n + 1) for subset in itertools.combinations(range(n), r)
                   if weight[list(subset)].sum() <= capacity)
        assert value == pytest.approx(best, rel=1e-12, abs=1e-12)
        assert weight[chosen].sum() <= capacity
        assert profit[chosen].sum() == pytest.approx(value, rel=1e-12)


def _lp_bound(instance: consolidation.Instance) -> float:
    """The LP relaxation of the disaggregated formulation, solved by HiGHS."""
    lp = consolidation._model(instance)
    lp.integrality_ = []
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(highs.getInfo().objective_function_value)


@pytest.mark.parametrize("number", range(1, 9))
def test_bound_between_lp_and_optimum_and_plans_feasible(sscflp: Path, number: int) -> None:
    instance = read_orlib(sscflp / f"p{number}")
    optimum = read_optima(sscflp / "os")[number - 1]
    dual = optimise(instance.assignment_cost, instance.demand, instance.capacity,
                    instance.fixed_cost, time_limit_s=60.0)  # stops on its step
    assert dual.bound <= optimum + 0.005  # the optima are published to the cent
    assert dual.bound >= _lp_bound(instance) * (1 - LP_MARGIN)
    # The repaired plan: every customer once, within the capacities, costed here anew.
    plan = dual.assignment
    assert plan is not None and plan.shape == instance.demand.shape
    loads = np.zeros(instance.capacity.size)
    np.add.at(loads, plan, instance.demand)
    assert (loads <= instance.capacity).all()
    opened = sorted(set(plan.tolist()))
    recosted = (sum(instance.fixed_cost[j] for j in opened)
                + sum(instance.assignment_cost[j, i] for i, j in enumerate(plan.tolist())))
    assert dual.cost == pytest.approx(recosted, rel=1e-12)
    assert dual.cost >= optimum - 0.005


def test_large_path_on_a_small_instance(sscflp: Path) -> None:
    """The Lagrangian then restricted-MIP path (used beyond DISAGGREGATE_PAIRS) run on p12: a
    feasible plan, the bound below the optimum, the gap against that bound."""
    instance = read_orlib(sscflp / "p12")
    optimum = read_optima(sscflp / "os")[11]
    solution = consolidation._solve_large(instance, time_limit_s=1.5, relative_gap=1e-9,
                                          progress=None, cancelled=None)
    assert solution.bound <= optimum * (1 + 1e-9) <= solution.cost * (1 + 1e-9) + 1e-9
    assert (consolidation.plan_loads(instance, solution.assignment)
            <= instance.capacity).all()
    assert consolidation.plan_cost(instance, solution.open, solution.assignment) \
        == solution.cost
    assert solution.gap == pytest.approx(
        0.0 if solution.optimal else (solution.cost - solution.bound) / solution.cost)
