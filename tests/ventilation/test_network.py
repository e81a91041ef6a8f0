"""The airway network solver against closed forms and an independent solve of Kirchhoff's laws.

McPherson's own Hardy Cross example (*Subsurface Ventilation Engineering*, ch. 7) could not be
checked figure by figure: only the chapter's table of contents reached the reference search.
In its place: the Wheatstone-bridge network of the worked Hardy Cross case of
blog.aannaque.org (2019-12, "Mine ventilation case calculation": R = 0.4, 0.6, 0.1, 0.5,
0.7 N s²/m⁸, 47 m³/s entering), which prints only its first corrections, so its converged
flows are checked here against scipy's ``fsolve`` on the network's Kirchhoff equations;
a second published worked case with its converged flows, the two-loop Hardy Cross example of
"Lesson #11: Pipe Networks" (vdoc.tips/hardy-cross-example.html: r = 1, 2, 3, 3, 10, 5, 3,
square law, converged to two decimals after three iterations), its inflow and outflows held by
regulated branches; and the closed forms of series, parallel, a fan on one airway
(polynomial and tabulated), natural ventilation from column densities and a regulator.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.optimize import fsolve

from aurum.core.errors import ValidationError
from aurum.ventilation.examples import ladder_mine
from aurum.ventilation.network import (
    G,
    Network,
    Solution,
    atkinson_resistance,
    shock_resistance,
    solve,
)

REL = 1e-4


def net(branches: list[dict[str, Any]], nodes: list[Any] | None = None) -> Network:
    if nodes is None:
        nodes = sorted({b[e] for b in branches for e in ("from", "to")})
    return Network.from_mapping({"nodes": nodes, "branches": branches}, source="net.yaml")


def both(network: Network) -> tuple[Solution, Solution]:
    return solve(network, "newton"), solve(network, "hardy_cross")


def bridge(inflow: float | None = 47.0) -> list[dict[str, Any]]:
    """The bridge A→B (2), A→C (3), B→C (4), B→D (5), C→D (6); a fan D→A returns the air."""
    fan: dict[str, Any] = {"name": "fan", "from": "D", "to": "A", "resistance": 0.0,
                           "fan": {"coefficients": [5000.0, 0.0, 0.0]}}
    if inflow is not None:
        fan["fixed_flow"] = inflow
    return [fan,
            {"name": "2", "from": "A", "to": "B", "resistance": 0.4},
            {"name": "3", "from": "A", "to": "C", "resistance": 0.6},
            {"name": "4", "from": "B", "to": "C", "resistance": 0.1},
            {"name": "5", "from": "B", "to": "D", "resistance": 0.5},
            {"name": "6", "from": "C", "to": "D", "resistance": 0.7}]


def test_bridge_matches_an_independent_kirchhoff_solve() -> None:
    def kirchhoff(x: np.ndarray) -> np.ndarray:
        q2, q4 = x
        q3, q5 = 47.0 - q2, q2 - q4
        q6 = q3 + q4
        return np.array([0.4 * q2 * abs(q2) + 0.1 * q4 * abs(q4) - 0.6 * q3 * abs(q3),
                         0.5 * q5 * abs(q5) - 0.7 * q6 * abs(q6) - 0.1 * q4 * abs(q4)])

    q2, q4 = fsolve(kirchhoff, [30.0, 3.0], xtol=1e-13)
    expected = {"2": q2, "3": 47.0 - q2, "4": q4, "5": q2 - q4, "6": 47.0 - q2 + q4}
    for solution in both(net(bridge())):
        for name, q in expected.items():
            assert solution.flows[name] == pytest.approx(q, rel=REL)
        # The regulator on the fan branch takes what the 5 kPa fan gives beyond the mine's drop.
        mine = 0.4 * q2**2 + 0.5 * (q2 - q4) ** 2
        assert solution.regulators["fan"] == pytest.approx(5000.0 - mine, rel=REL)


def test_lesson_two_loop_example_converges_to_its_published_flows() -> None:
    # The lesson's network: 10 enters at A and leaves as 4 at C, 4 at E and 2 at F (read off
    # its first guesses, which balance every junction). Here a 5 kPa fan S→A feeds it and three
    # regulated branches take the outflows back to S; the regulators absorb what the fan gives
    # beyond each path's drop, so the flows inside are the lesson's.
    fan = {"coefficients": [5000.0, 0.0, 0.0]}
    pipes = [("AB", "A", "B", 1.0), ("BE", "B", "E", 2.0), ("ED", "E", "D", 3.0),
             ("DA", "D", "A", 3.0), ("BC", "B", "C", 10.0), ("CF", "C", "F", 5.0),
             ("FE", "F", "E", 3.0)]
    branches: list[dict[str, Any]] = [
        {"name": "in", "from": "S", "to": "A", "resistance": 0.0, "fan": fan},
        *({"name": n, "from": a, "to": b, "resistance": r} for n, a, b, r in pipes),
        *({"name": f"out{node}", "from": node, "to": "S", "resistance": 0.0, "fixed_flow": q}
          for node, q in (("C", 4.0), ("E", 4.0), ("F", 2.0)))]
    # The lesson's table after its third iteration (its loop-1 ED and DA run E→D and D→A).
    published = {"AB": 6.53, "BE": 3.85, "ED": -3.47, "DA": -3.47, "BC": 2.68, "CF": -1.32,
                 "FE": -3.32}
    for solution in both(net(branches)):
        assert solution.flows["in"] == pytest.approx(10.0, rel=REL)
        for name, q in published.items():
            assert solution.flows[name] == pytest.approx(q, abs=0.006)  # its two decimals
        assert solution.max_residual_pa < 0.01
        assert min(solution.regulators.values()) > 0


def test_series_and_parallel_resistances() -> None:
    fan = {"coefficients": [1000.0, 0.0, 0.0]}
    series = net([{"name": "f", "from": "a", "to": "b", "resistance": 0.1, "fan": fan},
                  {"name": "s", "from": "b", "to": "c", "resistance": 0.3},
                  {"name": "t", "from": "c", "to": "a", "resistance": 0.6}])
    for solution in both(series):
        assert solution.flows["t"] == pytest.approx(math.sqrt(1000.0 / 1.0), rel=REL)
    rs = [0.2, 0.5, 1.3]
    r_eq = sum(r**-0.5 for r in rs) ** -2
    parallel = net([{"name": "f", "from": "b", "to": "a", "resistance": 0.0, "fan": fan}]
                   + [{"name": f"p{k}", "from": "a", "to": "b", "resistance": r}
                      for k, r in enumerate(rs)])
    total = math.sqrt(1000.0 / r_eq)
    for solution in both(parallel):
        assert solution.flows["f"] == pytest.approx(total, rel=REL)
        for k, r in enumerate(rs):
            assert solution.flows[f"p{k}"] == pytest.approx(total * math.sqrt(r_eq / r),
                                                            rel=REL)


def test_fan_on_one_airway_meets_its_closed_form() -> None:
    c0, c1, c2, r = 2800.0, -4.0, -0.08, 0.35
    q = (c1 + math.sqrt(c1**2 + 4 * (r - c2) * c0)) / (2 * (r - c2))
    network = net([{"name": "fan", "from": "a", "to": "b", "resistance": 0.0,
                    "fan": {"coefficients": [c0, c1, c2], "efficiency": 0.75}},
                   {"name": "mine", "from": "b", "to": "a", "resistance": r}])
    for solution in both(network):
        assert solution.flows["mine"] == pytest.approx(q, rel=REL)
        assert solution.fans["fan"][1] == pytest.approx(r * q * q, rel=REL)
        air, shaft = solution.fan_power_kw()["fan"]
        assert air == pytest.approx(q * r * q * q / 1000, rel=REL)
        assert shaft == pytest.approx(air / 0.75, rel=REL)
        cost = solution.annual_energy_cost(0.6)["fan"]
        assert cost == pytest.approx(air / 0.75 * 8760 * 0.6, rel=REL)
        assert not solution.fan_warnings
    # Tabulated: on the segment (40, 1200)–(60, 800), R Q² = 1200 − 20 (Q − 40).
    table = {"table": [[0, 1500], [40, 1200], [60, 800], [80, 0]]}
    r = 0.5
    q = (-20 + math.sqrt(400 + 4 * r * 2000)) / (2 * r)
    tabulated = net([{"name": "fan", "from": "a", "to": "b", "resistance": 0.0, "fan": table},
                     {"name": "mine", "from": "b", "to": "a", "resistance": r}])
    assert solve(tabulated).flows["mine"] == pytest.approx(q, rel=REL)


def test_fan_beyond_its_curve_and_in_stall_is_flagged() -> None:
    # Peak of 1000 + 20 Q − 0.5 Q² at Q = 20: a steep system holds the fan left of it.
    stalled = net([{"name": "fan", "from": "a", "to": "b", "resistance": 0.0,
                    "fan": {"coefficients": [1000.0, 20.0, -0.5]}},
                   {"name": "mine", "from": "b", "to": "a", "resistance": 10.0}])
    assert "stall" in solve(stalled).fan_warnings["fan"]
    beyond = net([{"name": "fan", "from": "a", "to": "b", "resistance": 0.0,
                   "fan": {"table": [[10, 900], [30, 500]]}},
                  {"name": "mine", "from": "b", "to": "a", "resistance": 0.05}])
    assert solve(beyond).fan_warnings["fan"] == ["beyond_curve"]


def test_atkinson_shock_and_natural_ventilation() -> None:
    # McPherson's square law with k = 0.012 kg/m³, 1,000 m of 3.5 × 3.5 m airway, X = 1.2.
    assert atkinson_resistance(1000, 14, 12.25, 0.012) == pytest.approx(
        0.012 * 1000 * 14 / 12.25**3)
    assert shock_resistance(1.2, 12.25, 1.2) == pytest.approx(1.2 * 1.2 / (2 * 12.25**2))
    nodes = [{"name": "top", "z": 0}, {"name": "bottom", "z": -1000},
             {"name": "bottom2", "z": -1000}]
    network = net([{"name": "down", "from": "top", "to": "bottom", "length": 1000,
                    "perimeter": 14, "area": 12.25, "friction_factor": 0.012,
                    "shock_factor": 1.2, "column_density": 1.25},
                   {"name": "across", "from": "bottom", "to": "bottom2", "resistance": 0.2},
                   {"name": "up", "from": "bottom2", "to": "top", "resistance": 0.05,
                    "column_density": 1.10}], nodes=nodes)
    r = atkinson_resistance(1000, 14, 12.25, 0.012) + shock_resistance(1.2, 12.25)
    # No fan: the loop's natural ventilating pressure (ρ_down − ρ_up) g Δz drives it alone.
    nvp = (1.25 - 1.10) * G * 1000
    for solution in both(network):
        assert solution.flows["up"] == pytest.approx(math.sqrt(nvp / (r + 0.25)), rel=REL)


def test_regulator_drop_is_the_parallel_path_difference() -> None:
    fan = {"coefficients": [1500.0, 0.0, 0.0]}
    network = net([{"name": "fan", "from": "b", "to": "a", "resistance": 0.0, "fan": fan},
                   {"name": "open", "from": "a", "to": "b", "resistance": 0.5},
                   {"name": "reg", "from": "a", "to": "b", "resistance": 0.8,
                    "fixed_flow": 20.0}])
    for solution in both(network):
        assert solution.flows["open"] == pytest.approx(math.sqrt(1500 / 0.5), rel=REL)
        assert solution.regulators["reg"] == pytest.approx(1500 - 0.8 * 400, rel=REL)


def mine(levels: int = 4, stopes: int = 3) -> dict[str, Any]:
    """Four levels off a downcast and an upcast shaft, stopes joined by raises, a main fan on
    the upcast, a booster on the bottom level's intake, natural ventilation from the shafts'
    column densities, a regulator on level 1's return and leakage through each level's doors
    (:func:`aurum.ventilation.examples.ladder_mine`)."""
    return ladder_mine(levels, stopes, 250.0, {
        "main_fan": {"resistance": 0.0004, "fan": {"coefficients": [3000.0, -2.0, -0.15],
                                                   "efficiency": 0.8}},
        "intake": {"resistance": 0.01, "column_density": 1.25},
        "return": {"resistance": 0.015, "column_density": 1.15},
        "leak": {"resistance": 8.0}, "in": {"resistance": 0.1}, "out": {"resistance": 0.15}},
        drive=lambda s: 0.3 + 0.05 * s, raise_=lambda s: 6.0 + s,
        booster={"coefficients": [400.0, 0.0, -0.1]}, regulated_m3s=20.0)


def test_four_level_mine_methods_agree_and_kirchhoff_holds() -> None:
    doc = mine()
    network = Network.from_mapping(doc)
    newton, cross = both(network)
    assert newton.iterations < cross.iterations
    for name, q in newton.flows.items():
        assert cross.flows[name] == pytest.approx(q, rel=REL, abs=1e-6)
    assert cross.regulators["x1_out"] == pytest.approx(newton.regulators["x1_out"], rel=REL)
    assert newton.regulators["x1_out"] > 0 and newton.flows["x1_out"] == 20.0
    assert set(newton.fans) == {"main_fan", "x4_in"}
    # Every junction balances, and the drops derive from junction pressures: every loop closes.
    for solution in (newton, cross):
        balance = dict.fromkeys(network.nodes, 0.0)
        for branch in network.branches:
            balance[branch.from_node] -= solution.flows[branch.name]
            balance[branch.to_node] += solution.flows[branch.name]
        assert max(abs(v) for v in balance.values()) < 1e-9
        p = solution.node_pressures
        for branch in network.branches:
            q = solution.flows[branch.name]
            fan = solution.fans.get(branch.name, (q, 0.0))[1]
            loss = (branch.resistance * q * abs(q) - fan - branch.nvp
                    + solution.regulators.get(branch.name, 0.0))
            assert p[branch.from_node] - p[branch.to_node] == pytest.approx(loss, abs=0.01)
        assert solution.max_residual_pa < 0.01
    # Natural ventilation from the columns: ρ g Δz of each shaft leg.
    assert network.branches[1].nvp == pytest.approx(1.25 * G * 250)
    assert set(newton.reversals) == set(cross.reversals)


BAD: list[tuple[str, list[dict[str, Any]], list[Any] | None, str]] = [
    ("unknown node", [{"name": "a", "from": "x", "to": "nowhere", "resistance": 1}], ["x"],
     "unknown node 'nowhere'"),
    ("negative resistance", [{"name": "a", "from": "x", "to": "y", "resistance": -0.1}],
     None, "resistance of at least 0"),
    ("duplicate", [{"name": "a", "from": "x", "to": "y", "resistance": 1},
                   {"name": "a", "from": "y", "to": "x", "resistance": 1}], None,
     "duplicate branch name"),
    ("duplicate node", [{"name": "a", "from": "x", "to": "y", "resistance": 1}],
     ["x", "y", "x"], "x: duplicate node name"),
    ("disconnected", [{"name": "a", "from": "x", "to": "y", "resistance": 1},
                      {"name": "b", "from": "u", "to": "v", "resistance": 1}],
     ["x", "y", "u", "v", "w"], "nodes u, v, w are not connected to x"),
]


@pytest.mark.parametrize(("branches", "nodes", "message"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_networks_are_refused_with_one_message(branches: list[dict[str, Any]],
                                                   nodes: list[Any] | None,
                                                   message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        net(branches, nodes)
    assert len(caught.value.problems) == 1
    assert "net.yaml" in str(caught.value)


def test_fan_that_never_meets_the_system() -> None:
    # A curve rising faster than the system: 500 + 0.5 Q² > 0.1 Q² for every Q.
    network = net([{"name": "fan", "from": "a", "to": "b", "resistance": 0.0,
                    "fan": {"coefficients": [500.0, 0.0, 0.5]}},
                   {"name": "mine", "from": "b", "to": "a", "resistance": 0.1}])
    for method in ("newton", "hardy_cross"):
        with pytest.raises(ValidationError, match="no operating point: the curve of fan fan"):
            solve(network, method)


def test_fixed_flows_that_contradict_each_other() -> None:
    fan = {"name": "fan", "from": "c", "to": "a", "resistance": 0.1,
           "fan": {"coefficients": [2000.0, 0.0, 0.0]}}
    series = net([fan, {"name": "r1", "from": "a", "to": "b", "resistance": 0.5,
                        "fixed_flow": 20},
                  {"name": "r2", "from": "b", "to": "c", "resistance": 0.5, "fixed_flow": 25}])
    with pytest.raises(ValidationError, match="contradict each other: r1, r2 are every path"):
        solve(series)
    # Every branch of junction b fixed, unbalanced.
    node = net([fan, {"name": "in1", "from": "a", "to": "b", "resistance": 0.5,
                      "fixed_flow": 10},
                {"name": "in2", "from": "a", "to": "b", "resistance": 0.5, "fixed_flow": 10},
                {"name": "out", "from": "b", "to": "c", "resistance": 0.5, "fixed_flow": 30},
                {"name": "by", "from": "a", "to": "c", "resistance": 0.5}])
    with pytest.raises(ValidationError, match="do not balance"):
        solve(node)
    same = net([fan, {"name": "r1", "from": "a", "to": "b", "resistance": 0.5,
                      "fixed_flow": 20},
                {"name": "r2", "from": "b", "to": "c", "resistance": 0.5, "fixed_flow": 20}])
    with pytest.raises(ValidationError, match="fix the same airflow twice"):
        solve(same)


def test_regulator_that_would_push_air_needs_a_booster() -> None:
    network = net([{"name": "fan", "from": "b", "to": "a", "resistance": 0.0,
                    "fan": {"coefficients": [100.0, 0.0, 0.0]}},
                   {"name": "open", "from": "a", "to": "b", "resistance": 0.5},
                   {"name": "reg", "from": "a", "to": "b", "resistance": 0.8,
                    "fixed_flow": 30.0}])
    with pytest.raises(ValidationError, match="regulator reg would have to push air"):
        solve(network)


def test_a_solve_stopped_before_it_settles_says_so() -> None:
    with pytest.raises(ValidationError, match="did not converge to 1e-06 Pa in 2 iterations"):
        solve(Network.from_mapping(mine()), "hardy_cross", max_iterations=2)
