"""Pit what-ifs stay within a stated memory bound (issue 14, finding 2).

The demo's SD-SSD-01 2024 model (``/pit/1``) at 36° and 38° grew memory without end: nothing
pays at factor 1 there, so the final pit is empty, Taylor's rule fell back to 1 t/year, and
the pits of the higher revenue factors were scheduled over 2.2 × 10⁹ years, one cash flow
allocated per year. The model is rebuilt here exactly as the demo seeds it.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest

from aurum.core.checks import MAX_PIT_STUDY_BYTES
from aurum.core.errors import ValidationError
from aurum.core.grid import BlockGrid
from aurum.demo.seed import showcase_drilling
from aurum.planning.maxclosure import maximum_closure
from aurum.planning.precedence import slope_precedence
from aurum.planning.study import (
    PitEconomics,
    PitStudy,
    economics_from_dict,
    pit_study,
    study_footprint,
    taylor_rate,
)
from aurum.services import resources
from aurum.services.planning import merged_economics

# SD-SSD-01, the first showcase mine (seed 7919 × 1), with the figures of the demo district's
# 2024-Q4 report (generate_district(2025)): resources 51.46 + 90.818 + 140.871 t of gold,
# reserves 37.242 + 56.966 t.
SEED, RESOURCES_T, RESERVES_T = 7919, 51.46 + 90.818 + 140.871, 37.242 + 56.966


@pytest.fixture(scope="module")
def demo_model() -> tuple[BlockGrid, dict[str, np.ndarray]]:
    """The grid and columns of the demo's SD-SSD-01 2024 block model."""
    comp, spec = showcase_drilling(SEED, 0, RESOURCES_T, RESERVES_T)
    made = resources.model_statement(comp.xyz, comp.grade, spec, 2024, comp.holes)
    return spec.grid, {"estimate": made.result.estimate, "tonnes": made.tonnes}


def economics(**changes: Any) -> PitEconomics:
    """The what-if form's economics: the service's defaults with the given changes."""
    return economics_from_dict(merged_economics(changes))


def traced_study(grid: BlockGrid, columns: dict[str, np.ndarray], econ: PitEconomics
                 ) -> tuple[PitStudy, int]:
    """The study and the peak of the memory numpy allocated for it, bytes."""
    tracemalloc.start()
    try:
        study = pit_study(grid, columns, econ)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return study, peak


@pytest.mark.parametrize(("slope", "pattern", "arcs"), [(36.0, 77, 592_256),
                                                        (38.0, 73, 558_048)])
def test_the_slopes_that_took_the_server_down_finish_within_the_bound(
        demo_model: tuple[BlockGrid, dict[str, np.ndarray]], slope: float, pattern: int,
        arcs: int) -> None:
    grid, columns = demo_model
    econ = economics(slopes=slope)
    footprint = study_footprint(grid, econ)
    study, peak = traced_study(grid, columns, econ)
    # Nothing pays at factor 1 (the failing what-if's situation) but the larger factors do.
    assert study.value == 0.0 and not study.in_pit.any()
    largest = study.nested.pit(len(study.nested.factors) - 1)
    assert largest.sum() > 7000
    # Taylor's rule is applied to the largest pit: its life is 0.2 × (ore t)^0.25 years.
    table = study.pit_by_pit
    ore_t = table["ore_t"].iloc[-1]
    assert study.rate_t_per_year == pytest.approx(
        taylor_rate(columns["tonnes"], study.values.best > 0, largest))
    assert table["life_years"].iloc[-1] == pytest.approx(0.2 * ore_t ** 0.25)
    assert table["life_years"].max() < 30
    assert study.pushbacks.table.empty and (study.pushbacks.of_block == -1).all()
    # 20 × 20 × 30 blocks of 61 × 61 × 30 m: every block carries the cone's pattern, clipped
    # at the model's sides and top.
    assert {k: len(p) for k, p in study.precedence.patterns.items()} == {0: pattern}
    assert study.precedence.n_arcs == arcs <= footprint.arcs == 12_000 * pattern
    assert peak <= footprint.bytes <= MAX_PIT_STUDY_BYTES


def test_every_slope_from_30_to_60_degrees_stays_under_the_bound(
        demo_model: tuple[BlockGrid, dict[str, np.ndarray]]) -> None:
    grid, columns = demo_model
    arcs = []
    for slope in range(30, 61, 3):
        econ = economics(slopes=float(slope))
        footprint = study_footprint(grid, econ)
        study, peak = traced_study(grid, columns, econ)
        arcs.append(study.precedence.n_arcs)
        assert study.precedence.n_arcs <= footprint.arcs
        assert peak <= footprint.bytes <= MAX_PIT_STUDY_BYTES
        assert np.isfinite(study.pit_by_pit["best_npv"]).all()
        assert study.pit_by_pit["life_years"].max() < 50
        # Exact: the final pit is the maximum closure of the block values.
        closure = maximum_closure(study.values.value, study.precedence.ptr,
                                  study.precedence.idx, decimals=2)
        np.testing.assert_array_equal(study.in_pit, closure.in_pit)
    # Pattern sizes follow the cone's discretisation, not the angle alone; the 30° cone
    # needs the most.
    assert arcs[0] == max(arcs) == 681_900


def test_a_study_too_large_is_refused_before_it_starts() -> None:
    # 400 × 400 × 40 cubes: 6.4 million blocks take more than 1 GiB in per-block tables alone.
    big = BlockGrid((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (400, 400, 40))
    with pytest.raises(ValidationError, match="MAX_PIT_STUDY_BYTES"):
        study_footprint(big, economics())
    # A 15° slope searched 60 benches up: the window alone (447 × 447 × 61 cells) is too big,
    # refused before a pattern is searched in it.
    with pytest.raises(ValidationError, match="12,188,349 cells"):
        study_footprint(BlockGrid((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (50, 50, 70)),
                        economics(slopes=15.0, n_benches=60))
    # 100 × 100 × 40 cubes at 20°: 400,000 blocks fit in 512 MiB, but not with the pattern's
    # 209 arcs each.
    with pytest.raises(ValidationError) as info:
        study_footprint(BlockGrid((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (100, 100, 40)),
                        economics(slopes=20.0), max_bytes=2**29)
    assert "with 83,600,000 slope precedences" in str(info.value)
    assert "more than the 512 MiB" in str(info.value)


def test_the_arc_limit_stops_the_build() -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (12, 12, 10))
    exact = slope_precedence(grid, 45.0, 4)
    same = slope_precedence(grid, 45.0, 4, max_arcs=exact.n_arcs)
    np.testing.assert_array_equal(same.idx, exact.idx)
    with pytest.raises(ValidationError, match=f"more than {exact.n_arcs - 1:,} arcs"):
        slope_precedence(grid, 45.0, 4, max_arcs=exact.n_arcs - 1)


@pytest.mark.parametrize(("changes", "column"), [
    ({"slopes": 10.0}, "slopes"),
    ({"slopes": float("nan")}, "slopes"),
    ({"slopes": [45.0, 45.0, 85.0, 45.0]}, "slopes[2]"),
    ({"slopes": {"1": 45.0, "2": [40.0, 5.0]}}, "slopes.2[1]"),
    ({"slopes": {"rock": 45.0}}, "slopes"),
    ({"pushbacks": {"min_mining_width_m": 5000.0}}, "pushbacks.min_mining_width_m"),
    ({"pushbacks": {"count": float("inf")}}, "pushbacks.count"),
    ({"market": {"price_cny_per_g": 1.0e6}}, "market.price_cny_per_g"),
    ({"processes": [{"name": "mill", "recovery": 0.9, "cost_cny_per_t": 1.0e9}]},
     "processes[0].cost_cny_per_t"),
    ({"processes": [{"name": f"p{k}", "recovery": 0.9, "cost_cny_per_t": 1.0}
                    for k in range(11)]}, "processes"),
    ({"revenue_factors": {"start": 0.1, "stop": 1.0e9, "step": 1.0e-9}}, "revenue_factors"),
    ({"revenue_factors": [0.5 + k / 1000 for k in range(201)]}, "revenue_factors"),
    ({"schedule": {"discount_rate": -1.0}}, "schedule.discount_rate"),
])
def test_what_if_inputs_outside_their_bounds_are_named(changes: dict[str, Any],
                                                        column: str) -> None:
    with pytest.raises(ValidationError) as info:
        economics_from_dict(merged_economics(changes), "what-if")
    problem = info.value.problems[0]
    assert (problem.source, problem.column) == ("what-if", column)
