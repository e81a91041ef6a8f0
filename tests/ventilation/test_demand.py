"""Ventilation on demand against closed forms: the fan affinity laws on one airway (the speed
meeting a flow solves ``n² p(Q/n) = R Q²`` exactly, the power goes as n³), the two-fan
optimum against a brute-force grid of speeds, the dilution formula worked by hand, alarms."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.ventilation.airflow import load_limits
from aurum.ventilation.demand import (
    Machine,
    Place,
    PlaceReading,
    alarms,
    dilution_flow,
    fan_speeds_for,
    required_flows,
    scaled_fan,
    scaled_network,
)
from aurum.ventilation.network import Fan, Network, solve

C0, C1, C2 = 3000.0, -5.0, -0.2
R = 0.5


def net(branches: list[dict[str, Any]]) -> Network:
    nodes = sorted({b[e] for b in branches for e in ("from", "to")})
    return Network.from_mapping({"nodes": nodes, "branches": branches}, source="net.yaml")


def one_airway(coefficients: list[float] | None = None, table: list[list[float]] | None = None
               ) -> Network:
    fan: dict[str, Any] = ({"coefficients": coefficients} if coefficients is not None
                           else {"table": table})
    return net([{"name": "airway", "from": "a", "to": "b", "resistance": R},
                {"name": "fan", "from": "b", "to": "a", "resistance": 0.0, "fan": fan}])


def test_scaled_polynomial_is_n2_p_of_q_over_n() -> None:
    fan = Fan(coefficients=(C0, C1, C2))
    q = np.linspace(0.0, 100.0, 7)
    for n in (0.5, 0.8, 1.2):
        assert np.allclose(scaled_fan(fan, n).pressure(q), n * n * fan.pressure(q / n))


def test_scaled_table_is_n2_p_of_q_over_n() -> None:
    fan = Fan(table=((0.0, 3000.0), (40.0, 2500.0), (80.0, 1000.0)))
    q = np.linspace(0.0, 90.0, 10)
    for n in (0.6, 1.1):
        assert np.allclose(scaled_fan(fan, n).pressure(q), n * n * fan.pressure(q / n))


def test_speed_meeting_a_flow_on_one_airway_is_the_closed_form() -> None:
    # n² c0 + n c1 Q + c2 Q² = R Q²  ⇒  n = Q (−c1 + √(c1² + 4 c0 (R − c2))) / (2 c0)
    network = one_airway([C0, C1, C2])
    q = 55.0
    exact = q * (-C1 + math.sqrt(C1 * C1 + 4 * C0 * (R - C2))) / (2 * C0)
    result = fan_speeds_for(network, {"airway": q}, (0.3, 1.5))
    assert result.method == "brentq" and result.feasible
    assert result.speeds["fan"] == pytest.approx(exact, rel=1e-8)
    assert abs(result.flows["airway"]) == pytest.approx(q, rel=1e-8)
    assert result.evaluations <= 100


def test_power_goes_as_the_cube_of_speed_on_a_square_law_system() -> None:
    network = one_airway([C0, C1, C2])
    rated = solve(network).fan_power_kw()["fan"][0]
    for n in (0.6, 0.9, 1.15):
        scaled = solve(scaled_network(network, {"fan": n}))
        assert scaled.flows["fan"] == pytest.approx(n * solve(network).flows["fan"], rel=1e-6)
        assert scaled.fan_power_kw()["fan"][0] == pytest.approx(n ** 3 * rated, rel=1e-6)


def test_energy_saved_is_the_power_difference_over_the_period() -> None:
    network = one_airway([C0, 0.0, C2])
    # Flow at speed 1: √(c0 / (R − c2)); a requirement of 70 per cent of it needs n = 0.7.
    q1 = math.sqrt(C0 / (R - C2))
    result = fan_speeds_for(network, {"airway": 0.7 * q1}, period_hours=24.0,
                            price_cny_per_kwh=0.6)
    assert result.speeds["fan"] == pytest.approx(0.7, rel=1e-8)
    p1 = q1 * R * q1 * q1 / 1000.0
    assert result.fixed_total_power_kw == pytest.approx(p1, rel=1e-6)
    assert result.saved_kwh == pytest.approx(p1 * (1 - 0.7 ** 3) * 24.0, rel=1e-6)
    assert result.saved_cny == pytest.approx(result.saved_kwh * 0.6, rel=1e-12)


def two_fans() -> Network:
    fan = {"coefficients": [2500.0, 0.0, -0.3], "efficiency": 0.8}
    return net([{"name": "intake", "from": "s", "to": "j", "resistance": 0.02},
                {"name": "east", "from": "j", "to": "a", "resistance": 0.6},
                {"name": "west", "from": "j", "to": "b", "resistance": 0.9},
                {"name": "cross", "from": "a", "to": "b", "resistance": 2.0},
                {"name": "fan_e", "from": "a", "to": "s", "resistance": 0.05, "fan": fan},
                {"name": "fan_w", "from": "b", "to": "s", "resistance": 0.05, "fan": fan}])


def test_two_fans_meet_every_requirement_with_no_more_power_than_fixed() -> None:
    need = {"east": 38.0, "west": 30.0}
    result = fan_speeds_for(two_fans(), need, (0.5, 1.2))
    assert result.method == "slsqp" and result.feasible
    for b, q in need.items():
        assert abs(result.flows[b]) >= q - 1e-6
    assert result.total_power_kw <= result.fixed_total_power_kw
    assert result.saved_kwh >= 0
    # No point of a 0.02-step grid of speeds meeting the requirements uses less power.
    grid = np.arange(0.5, 1.2001, 0.02)
    best = math.inf
    for e, w in itertools.product(grid, grid):
        s = solve(scaled_network(two_fans(), {"fan_e": float(e), "fan_w": float(w)}))
        if all(abs(s.flows[b]) >= q for b, q in need.items()):
            best = min(best, sum(v[1] or 0.0 for v in s.fan_power_kw().values()))
    assert result.total_power_kw <= best + 1e-6


def test_requirement_beyond_the_fans_is_infeasible_at_top_speed() -> None:
    result = fan_speeds_for(two_fans(), {"east": 500.0}, (0.5, 1.2))
    assert not result.feasible
    assert result.speeds == {"fan_e": 1.2, "fan_w": 1.2}
    assert result.shortfalls["east"] > 0


def test_unknown_branch_and_bad_bounds() -> None:
    with pytest.raises(ValidationError, match="no such branch"):
        fan_speeds_for(two_fans(), {"nowhere": 1.0})
    with pytest.raises(ValidationError, match="lowest speed first"):
        fan_speeds_for(two_fans(), {"east": 1.0}, (1.2, 0.5))


def test_dilution_by_hand() -> None:
    # 20 m³/s carrying 36 ppm CO: 720e-6 m³/s of CO; 24 ppm needs 720e-6 / 24e-6 = 30 m³/s.
    assert dilution_flow(20.0, 36.0, 24.0) == pytest.approx(30.0)
    # With 4 ppm in the intake: 20 (36 − 4) / (24 − 4) = 32 m³/s.
    assert dilution_flow(20.0, 36.0, 24.0, intake_ppm=4.0) == pytest.approx(32.0)
    assert dilution_flow(20.0, 0.0, 24.0) == 0.0
    with pytest.raises(ValidationError):
        dilution_flow(20.0, 10.0, 24.0, intake_ppm=24.0)


def test_required_flows_take_the_largest_rule() -> None:
    limits = load_limits()
    places = {"stope1": Place("east", 12.0), "dev2": Place("west", 16.0)}
    readings = {"stope1": PlaceReading(20.0, people=6, co_ppm=36.0, no2_ppm=1.0),
                "dev2": PlaceReading(25.0, people=2, co_ppm=5.0)}
    machines = [Machine("LHD1", "dev2", 220.0), Machine("truck", "dev2", 150.0)]
    out = required_flows(readings, places, machines)
    assert out["stope1"].required_m3s == pytest.approx(30.0)
    assert out["stope1"].governing == "co"
    diesel = 370.0 * limits.per_diesel_kw_m3_min / 60.0
    assert out["dev2"].required_m3s == pytest.approx(diesel)
    assert out["dev2"].governing == "diesel"
    with pytest.raises(ValidationError, match="no such working place"):
        required_flows(readings, places, [Machine("x", "nowhere", 1.0)])


def test_alarms_under_ventilated_and_too_hot() -> None:
    places = {"stope1": Place("east", 12.0), "dev2": Place("west", 16.0)}
    readings = {"stope1": PlaceReading(20.0, co_ppm=36.0, dry_bulb_c=29.5, rel_humidity=0.9),
                "dev2": PlaceReading(25.0, dry_bulb_c=26.0, wet_bulb_c=25.5)}
    need = required_flows(readings, places)
    found = alarms(need, {"east": -28.0, "west": 25.0}, readings, max_wet_bulb_c=25.0)
    kinds = {(a.place, a.kind) for a in found}
    assert kinds == {("stope1", "under_ventilated"), ("stope1", "too_hot_dry_bulb"),
                     ("stope1", "too_hot_wet_bulb"), ("dev2", "too_hot_wet_bulb")}
    under = next(a for a in found if a.kind == "under_ventilated")
    assert (under.value, under.limit) == (28.0, pytest.approx(30.0))
    assert alarms(need, {"east": 31.0, "west": 25.0}, readings) == [
        a for a in found if a.kind == "too_hot_dry_bulb"]


def test_a_fan_is_not_slowed_past_its_free_delivery() -> None:
    # Natural ventilation of 800 Pa alone drives √(800 / R) = 40 m³/s, more than the 10
    # required: slowed further, the fan would be driven past its free delivery (its Q·p
    # negative). The least speed allowed puts it at free delivery, n² c0 + c2 Q² = 0 with
    # R Q² = 800 Pa: n = Q √(−c2 / c0).
    network = net([{"name": "airway", "from": "a", "to": "b", "resistance": R, "nvp": 800.0},
                   {"name": "fan", "from": "b", "to": "a", "resistance": 0.0,
                    "fan": {"coefficients": [C0, 0.0, C2]}}])
    q = math.sqrt(800.0 / R)
    result = fan_speeds_for(network, {"airway": 10.0}, (0.1, 1.2))
    assert result.feasible
    assert result.speeds["fan"] == pytest.approx(q * math.sqrt(-C2 / C0), rel=1e-6)
    assert result.power_kw["fan"] >= -1e-6
