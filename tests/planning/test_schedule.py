"""Pit-by-pit table and discounted values against hand calculations."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from aurum.planning.maxclosure import NestedPits
from aurum.planning.schedule import pit_by_pit


def test_best_and_worst_case_by_hand() -> None:
    # Four blocks of 100 t: pit 1 = the inner block 0 (bench 1); pit 2 adds blocks 1-3.
    # Benches: block 2 on top (0), blocks 0 and 1 on bench 1, block 3 on bench 2.
    nested = NestedPits(np.array([0.5, 1.0]), np.array([0, 1, 1, 1]), np.zeros(2))
    tonnes = np.full(4, 100.0)
    value = np.array([500.0, 100.0, -50.0, 200.0])
    grade = np.array([5.0, 2.0, 0.0, 3.0])
    ore = np.array([True, True, False, True])
    bench = np.array([1, 1, 0, 2])
    table = pit_by_pit(nested, tonnes, grade, ore, value, bench, rate_t_per_year=100.0,
                       discount_rate=0.1).set_index("factor")
    one, two = table.loc[0.5], table.loc[1.0]
    assert one["best_npv"] == pytest.approx(500 / 1.1)
    assert (two["ore_t"], two["waste_t"], two["gold_kg"]) == (300.0, 100.0, 1.0)
    assert two["grade_gpt"] == pytest.approx(1000 / 300)
    # Best: block 0 (year 1), then the increment top-down: 2, 1, 3 (years 2, 3, 4).
    best = 500 / 1.1 - 50 / 1.1**2 + 100 / 1.1**3 + 200 / 1.1**4
    # Worst: the pit top-down by bench: 2, then 0 and 1 (stable order), then 3.
    worst = -50 / 1.1 + 500 / 1.1**2 + 100 / 1.1**3 + 200 / 1.1**4
    assert two["best_npv"] == pytest.approx(best)
    assert two["worst_npv"] == pytest.approx(worst)
    assert two["best_npv"] >= two["worst_npv"]
    assert two["value"] == pytest.approx(750.0) and two["life_years"] == pytest.approx(4.0)


def test_a_life_of_billions_of_years_takes_memory_by_block_not_by_year() -> None:
    # Issue 14: a pit scheduled at 1 t/year (an empty final pit's Taylor rate) lasted 2.2e9
    # years and the schedule allocated a cash flow per year (16.7 GiB). Three blocks of 100 t
    # at 20 t/year are mined in years 0, 5 and 10; at 1e-10 t/year in years 0, 1e12, 2e12.
    nested = NestedPits(np.array([1.0]), np.zeros(3, dtype=np.int64), np.zeros(1))
    tonnes = np.full(3, 100.0)
    value = np.array([100.0, 200.0, 300.0])
    args = (np.full(3, 2.0), np.ones(3, dtype=bool), value, np.array([0, 1, 2]))
    gaps = pit_by_pit(nested, tonnes, *args, rate_t_per_year=20.0, discount_rate=0.1)
    assert gaps.loc[0, "best_npv"] == pytest.approx(100 / 1.1 + 200 / 1.1**6 + 300 / 1.1**11)
    assert gaps.loc[0, "life_years"] == pytest.approx(15.0)
    tracemalloc.start()
    try:
        table = pit_by_pit(nested, tonnes, *args, rate_t_per_year=1e-10, discount_rate=0.1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    row = table.iloc[0]
    assert row["best_npv"] == pytest.approx(100 / 1.1) == row["worst_npv"]
    assert row["life_years"] == pytest.approx(3e12)
    assert peak < 2**20
