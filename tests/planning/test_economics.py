"""Block economics worked by hand: prices, depth-dependent mining cost, destinations."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.planning.economics import (
    Market,
    MiningCost,
    Process,
    block_values,
    price_cny_per_g,
)

MILL = Process("mill", recovery=0.9, cost_cny_per_t=100.0)
LEACH = Process("heap_leach", recovery=0.6, cost_cny_per_t=30.0)
MARKET = Market(450.0, selling_cny_per_g=5.0)  # 445 CNY/g net
MINING = MiningCost(20.0, increment_cny_per_t=1.0, interval_m=10.0, reference_elevation_m=100.0)


def test_price_from_usd_per_troy_ounce() -> None:
    assert price_cny_per_g(2000.0, 7.2) == pytest.approx(14_400.0 / 31.1034768)
    assert price_cny_per_g(2000.0, 7.2) == pytest.approx(462.971, abs=1e-3)
    market = Market.from_usd_per_oz(2000.0, 7.2, selling_cny_per_g=3.0)
    assert market.net_cny_per_g == pytest.approx(462.971 - 3.0, abs=1e-3)


def test_mining_cost_grows_below_the_reference() -> None:
    cost = MINING.per_tonne(np.array([130.0, 100.0, 80.0, 45.0]))
    assert cost.tolist() == pytest.approx([20.0, 20.0, 22.0, 25.5])


def test_three_blocks_by_hand() -> None:
    tonnes = np.full(3, 1000.0)
    grade = np.array([0.2, 1.0, 0.05])
    z = np.array([100.0, 80.0, 45.0])  # mining 20, 22, 25.5 CNY/t
    v = block_values(tonnes, grade, z, MARKET, MINING, [MILL, LEACH])
    assert v.destinations == ("waste", "mill", "heap_leach")
    # Block A, 0.2 g/t: mill 1000 (0.2·0.9·445 − 100) − 20 000 = −39 900;
    # leach 1000 (0.2·0.6·445 − 30) − 20 000 = 3 400; waste −20 000.
    # Block B, 1.0 g/t: mill 1000 (400.5 − 100) − 22 000 = 278 500; leach 215 000.
    # Block C, 0.05 g/t: mill −79 975 − 25 500; leach −16 650 − 25 500; waste −25 500.
    assert v.values.tolist() == [pytest.approx(row) for row in [
        [-20_000.0, -39_900.0, 3_400.0],
        [-22_000.0, 278_500.0, 215_000.0],
        [-25_500.0, -105_475.0, -42_150.0]]]
    assert v.best_names().tolist() == ["heap_leach", "mill", "waste"]
    assert v.value.tolist() == pytest.approx([3_400.0, 278_500.0, -25_500.0])
    assert v.mining_cost.tolist() == pytest.approx([20_000.0, 22_000.0, 25_500.0])
    assert v.sent_to("mill").tolist() == [False, True, False]


def test_leach_to_mill_switch_grade() -> None:
    # Mill beats leach above g where g·445·(0.9 − 0.6) = 100 − 30: g = 0.5243 g/t.
    switch = 70.0 / (445.0 * 0.3)
    grades = np.array([switch - 1e-6, switch + 1e-6])
    v = block_values(np.ones(2), grades, 200.0, MARKET, MINING, [MILL, LEACH])
    assert v.best_names().tolist() == ["heap_leach", "mill"]


def test_waste_costs_and_ties_go_to_waste() -> None:
    v = block_values(np.array([500.0]), np.array([0.0]), 90.0, MARKET, MINING, [MILL],
                     waste_cny_per_t=2.0)
    assert v.value[0] == pytest.approx(-500.0 * (21.0 + 2.0))
    # A process that only breaks even against the dump is not chosen.
    g = 100.0 / (0.9 * 445.0)  # mill margin 0 per tonne, same as dumping at no extra cost
    tie = block_values(np.array([1.0]), np.array([g]), 100.0, MARKET, MINING, [MILL])
    assert tie.values[0, 0] == pytest.approx(tie.values[0, 1])
    assert tie.best_names().tolist() == ["waste"]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"fraction in \(0, 1\]"):
        Process("mill", 92.0, 100.0)
    with pytest.raises(ValidationError, match="not below the price"):
        Market(400.0, selling_cny_per_g=400.0)
    with pytest.raises(ValidationError, match="> 0"):
        price_cny_per_g(-1.0, 7.2)
    with pytest.raises(ValidationError, match="interval_m"):
        MiningCost(20.0, 1.0, interval_m=0.0)
    with pytest.raises(ValidationError, match="first block 1"):
        block_values(np.array([1.0, -5.0]), np.array([1.0, 1.0]), 0.0, MARKET, MINING, [MILL])
    with pytest.raises(ValidationError, match="same length"):
        block_values(np.ones(3), np.ones(2), 0.0, MARKET, MINING, [MILL])
    with pytest.raises(ValidationError, match="repeat"):
        block_values(np.ones(1), np.ones(1), 0.0, MARKET, MINING, [MILL, MILL])
    with pytest.raises(ValidationError, match="waste dump"):
        Process("waste", 0.5, 1.0)
