"""A generated region (40 small and mid-sized mines, 4 existing plants, 3 candidates): the
plan re-costed independently of the solver and checked for feasibility; scenarios and the
regional-mine rule; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.structure.consolidation import Mine, Plant, consolidate
from aurum.structure.scenarios import (
    central_mill_site,
    proposals,
    run_scenario,
    standard_scenarios,
)

FLOORS = {"processing_plant": 500.0, "heap_leach": 2000.0, "concentrate_smelter": 200.0}
C = 2.1
PRICE = 600.0


@pytest.fixture(scope="module")
def region() -> tuple[list[Mine], list[Plant]]:
    rng = np.random.default_rng(23)
    mines = [Mine(f"M{i:02d}", float(x), float(y), float(ore), float(g))
             for i, (x, y, ore, g) in enumerate(zip(
                 rng.uniform(0, 80, 40), rng.uniform(0, 60, 40),
                 rng.choice([40, 60, 90, 120, 150, 200, 650], 40), rng.uniform(1, 6, 40),
                 strict=True))]
    plants = [Plant("E1", 10, 10, 2500, 15000, 70, True, 0.88),
              Plant("E2", 70, 50, 2000, 12000, 75, True, 0.86),
              Plant("E3", 40, 5, 300, 6000, 95, True, 0.80),   # backward: below 500 t/d
              Plant("E4", 60, 15, 3500, 18000, 65, True, 0.90),
              Plant("N1", 40, 30, 2500, 30000, 45, False, 0.93),
              Plant("N2", 20, 45, 400, 1000, 40, False, 0.93),  # below the floor
              Plant("H1", 75, 5, 2500, 20000, 30, False, 0.65, "heap_leach")]
    return mines, plants


def test_plan_is_feasible_and_costs_what_it_says(region: tuple[list[Mine], list[Plant]]
                                                 ) -> None:
    mines, plants = region
    plan = consolidate(mines, plants, C, road_factor=1.3, floors_tpd=FLOORS)
    assert plan.optimal and plan.below_floor == ("N2",)
    by_id = {p.id: p for p in plants}
    load: dict[str, float] = {}
    cost = sum(by_id[p].fixed_cny_per_day for p in plan.open)
    for m in mines:
        p = by_id[plan.assignment[m.id]]
        assert p.id in plan.open
        load[p.id] = load.get(p.id, 0.0) + m.ore_tpd
        km = 1.3 * math.hypot(m.x_km - p.x_km, m.y_km - p.y_km)
        cost += m.ore_tpd * (C * km + p.processing_cny_per_t)
    assert all(load[p] <= by_id[p].capacity_tpd for p in load)
    assert plan.cost_cny_per_day == pytest.approx(cost, rel=1e-12)
    assert plan.loads_tpd == pytest.approx(load)


def test_no_cheaper_plan_moves_one_mine(region: tuple[list[Mine], list[Plant]]) -> None:
    """A local check of optimality independent of HiGHS: moving any one mine to another open
    plant with room does not lower the cost."""
    mines, plants = region
    plan = consolidate(mines, plants, C, floors_tpd=FLOORS)
    by_id = {p.id: p for p in plants}
    for m in mines:
        here = by_id[plan.assignment[m.id]]
        for other in plan.open:
            p = by_id[other]
            if p is here or plan.loads_tpd[other] + m.ore_tpd > p.capacity_tpd:
                continue
            delta = m.ore_tpd * (C * (math.hypot(m.x_km - p.x_km, m.y_km - p.y_km)
                                      - math.hypot(m.x_km - here.x_km, m.y_km - here.y_km))
                                 + p.processing_cny_per_t - here.processing_cny_per_t)
            assert delta >= -1e-6


def test_scenarios_and_regional_mines(region: tuple[list[Mine], list[Plant]]) -> None:
    mines, plants = region
    x, y = central_mill_site(mines, 500)
    mill = Plant("CENTRAL", x, y, 3000, 25000, 42, False, 0.93)
    scenarios = standard_scenarios(plants, PRICE, FLOORS, mill)
    assert [s.key for s in scenarios] == ["status_quo", "close_backward", "central_mill",
                                          "price"]
    assert scenarios[1].closed == ("E3",)
    results = [run_scenario(s, mines, plants, C, threshold_tpd=500, radius_km=40,
                            floors_tpd=FLOORS) for s in scenarios]
    status_quo, closed, central, price = results
    assert set(status_quo.plan.open) <= {"E1", "E2", "E3", "E4"}
    assert "E3" not in closed.plan.open
    assert status_quo.regional_mines == ()
    assert status_quo.counted_capacity_tpd == {m.id: m.ore_tpd for m in mines}
    assert central.regional_mines, "the central mill gathers small mines"
    for group in central.regional_mines:
        assert group.ore_tpd >= 500 and len(group.mines) > 1
        assert all(central.counted_capacity_tpd[m] == group.ore_tpd for m in group.mines)
        assert all(central.plan.road_km[m] <= 40 for m in group.mines)
    gains = [p["gain_gold_g_per_day"] for p in proposals(central)]
    assert gains == sorted(gains, reverse=True)
    assert price.plan.margin_cny_per_day is not None
    assert price.plan.margin_cny_per_day >= central.plan.margin_cny_per_day


def test_a_mine_larger_than_every_plant(region: tuple[list[Mine], list[Plant]]) -> None:
    mines, plants = region
    with pytest.raises(ValidationError, match="mine BIG sends 5000 t/d"):
        consolidate([*mines, Mine("BIG", 0, 0, 5000)], plants, C)


def test_negative_costs_and_duplicates(region: tuple[list[Mine], list[Plant]]) -> None:
    mines, plants = region
    bad = Plant("E1", 0, 0, 100, -1, 10, True)
    with pytest.raises(ValidationError) as caught:
        consolidate(mines, [*plants, bad], -2.0)
    text = str(caught.value)
    assert "duplicate plant id 'E1'" in text
    assert "costs must not be negative" in text
    assert "transport cost must not be negative" in text
