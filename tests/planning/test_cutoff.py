"""Cut-off grades: break-even and marginal by hand, Lane's optimum in closed form on a
uniform grade distribution (each limit and each balance optimal in turn), checked against a
brute-force maximum of Lane's profit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.planning.cutoff import (
    GradeTonnage,
    LaneEconomics,
    breakeven_cutoff,
    lane_cutoffs,
    lane_profit,
    marginal_cutoff,
)
from aurum.planning.economics import Market, MiningCost, Process, block_values


def test_breakeven_and_marginal_by_hand() -> None:
    # (25 + 100) / ((450 − 5) × 0.9) and 100 / ((450 − 5) × 0.9).
    assert breakeven_cutoff(450.0, 0.9, 100.0, 25.0, 5.0) == pytest.approx(125.0 / 400.5)
    assert breakeven_cutoff(450.0, 0.9, 100.0, 25.0, 5.0) == pytest.approx(0.312110, abs=1e-6)
    assert marginal_cutoff(450.0, 0.9, 100.0, 5.0) == pytest.approx(0.249688, abs=1e-6)
    assert breakeven_cutoff(400.0, 1.0, 30.0, 10.0) == pytest.approx(0.1)


def test_cutoffs_agree_with_block_economics() -> None:
    # At the break-even grade the mill pays 0 for the block; at the marginal grade the mill
    # pays the same as the waste dump.
    market, mining = Market(450.0, 5.0), MiningCost(25.0)
    mill = Process("mill", 0.9, 100.0)
    grades = np.array([breakeven_cutoff(450.0, 0.9, 100.0, 25.0, 5.0),
                       marginal_cutoff(450.0, 0.9, 100.0, 5.0)])
    v = block_values(np.full(2, 1000.0), grades, 0.0, market, mining, [mill])
    assert v.values[0, 1] == pytest.approx(0.0, abs=1e-9)
    assert v.values[1, 1] == pytest.approx(v.values[1, 0])


UNIFORM = GradeTonnage(np.array([0.0, 10.0]), np.array([1e8]))  # grades uniform on 0–10 g/t


def test_uniform_distribution_closed_forms() -> None:
    # x(g) = 1 − g/10, mean grade above g = (10 + g)/2.
    t, metal = UNIFORM.above(np.array([0.0, 4.0, 10.0]))
    assert t.tolist() == pytest.approx([1e8, 6e7, 0.0])
    assert metal.tolist() == pytest.approx([5e8, 6e7 * 7.0, 0.0])


def _lane(fixed: float, mine: float, mill: float, market: float) -> LaneEconomics:
    # p − r = 100 CNY/g, y = 0.9, h = 30 CNY/t: (p − r) y = 90 CNY per g/t.
    return LaneEconomics(price_cny_per_g=102.0, recovery=0.9, mining_cny_per_t=5.0,
                         processing_cny_per_t=30.0, fixed_cny_per_year=fixed,
                         mine_t_per_year=mine, mill_t_per_year=mill,
                         market_g_per_year=market, selling_cny_per_g=2.0)


LANE_CASES = {
    # name: (economics, expected optimum by hand)
    "mine": (_lane(1e8, 1e6, 1e8, 1e12), 30.0 / 90.0),
    "mill": (_lane(2e8, 1e9, 2e6, 1e12), (30.0 + 100.0) / 90.0),
    "market": (_lane(5e7, 1e9, 1e9, 1e6), 30.0 / ((100.0 - 50.0) * 0.9)),
    # x(g) = H/M = 0.5: g = 5, between g_m = 1/3 and g_h = (30 + 500)/90.
    "mine-mill": (_lane(2.5e9, 1e7, 5e6, math.inf), 5.0),
    # 0.9 (10 + g)/2 = K/H = 7.2: g = 6, between g_k = 30/(16.67·0.9) = 2 and g_h = 7.
    "mill-market": (_lane(6e8, math.inf, 1e6, 7.2e6), 6.0),
    # 0.9 (100 − g²)/20 = K/M = 3.78: g = 4, between g_m = 1/3 and g_k = 7.
    "mine-market": (_lane(3.6e9, 1e7, math.inf, 3.78e7), 4.0),
}


@pytest.mark.parametrize("case", list(LANE_CASES))
def test_each_lane_limit_is_the_optimum_in_turn(case: str) -> None:
    economics, expected = LANE_CASES[case]
    result = lane_cutoffs(UNIFORM, economics)
    assert result.optimum == pytest.approx(expected, rel=1e-9)
    assert result.limited_by == case
    # The limiting cut-offs by their formulas.
    assert result.mine == pytest.approx(30.0 / 90.0)
    assert result.mill == pytest.approx((30.0 + economics.fixed_cny_per_year
                                         / economics.mill_t_per_year) / 90.0)
    # The optimum maximises Lane's profit per tonne of material.
    grid = np.linspace(0.0, 10.0, 100_001)
    profit = lane_profit(UNIFORM, economics, grid)
    assert grid[np.argmax(profit)] == pytest.approx(expected, abs=2e-4)
    assert float(lane_profit(UNIFORM, economics, result.optimum)) >= profit.max() - 1e-6


def test_balancing_cutoffs_in_closed_form() -> None:
    economics, _ = LANE_CASES["mine-mill"]
    assert lane_cutoffs(UNIFORM, economics).mine_mill == pytest.approx(5.0)
    economics, _ = LANE_CASES["mill-market"]
    assert lane_cutoffs(UNIFORM, economics).mill_market == pytest.approx(6.0)
    economics, _ = LANE_CASES["mine-market"]
    result = lane_cutoffs(UNIFORM, economics)
    assert result.mine_market == pytest.approx(4.0)
    assert result.market == pytest.approx(30.0 / ((100.0 - 3.6e9 / 3.78e7) * 0.9))
    # No grade balances a mill that can take all the material: NaN, and the mine binds.
    economics, _ = LANE_CASES["mine"]
    assert math.isnan(lane_cutoffs(UNIFORM, economics).mine_mill)


def test_lane_optimum_on_lognormal_blocks_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    grades = rng.lognormal(0.0, 1.0, 5000)
    dist = GradeTonnage.from_blocks(np.full(5000, 2000.0), grades, bins=100)
    assert dist.total_tonnes == pytest.approx(1e7)
    for _ in range(20):
        economics = LaneEconomics(
            price_cny_per_g=rng.uniform(200, 600), recovery=rng.uniform(0.6, 0.95),
            mining_cny_per_t=rng.uniform(5, 40), processing_cny_per_t=rng.uniform(30, 200),
            fixed_cny_per_year=rng.uniform(1e7, 5e8), mine_t_per_year=rng.uniform(5e6, 5e7),
            mill_t_per_year=rng.uniform(5e5, 1e7), market_g_per_year=rng.uniform(1e6, 3e7))
        best = lane_cutoffs(dist, economics).optimum
        grid = np.linspace(0.0, dist.edges_gpt[-1], 20_001)
        profit = lane_profit(dist, economics, grid)
        assert float(lane_profit(dist, economics, best)) >= profit.max() - 1e-4 * max(
            1.0, abs(profit.max()))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"fraction in \(0, 1\]"):
        breakeven_cutoff(450.0, 90.0, 100.0, 25.0)
    with pytest.raises(ValidationError, match="not below the price"):
        marginal_cutoff(450.0, 0.9, 100.0, 450.0)
    with pytest.raises(ValidationError, match="processing_cny_per_t"):
        marginal_cutoff(450.0, 0.9, -1.0)
    with pytest.raises(ValidationError, match="increasing"):
        GradeTonnage(np.array([0.0, 2.0, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValidationError, match="mill_t_per_year"):
        _lane(1e8, 1e6, 0.0, 1e6)
