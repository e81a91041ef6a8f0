"""Ventilation network: a generated 5,000-branch mine solved by Newton and by Hardy Cross.

The mine: ``--levels`` levels off a downcast and an upcast shaft, each level a drive of
``--stopes`` stopes from its intake crosscut to its return, each stope joined to the one above
by a raise, leakage through each level's doors, a main fan at the top of the upcast, a booster
on the bottom level's intake, natural ventilation from the shafts' column densities and a
regulator on the top level's return; resistances drawn from a fixed seed. 25 levels of 100
stopes make 5,001 branches and 2,450 meshes (a ladder: the raises make every level
a mesh with the next, the hard case for mesh-by-mesh corrections).

Both methods run on the same spanning tree and meshes (:func:`aurum.ventilation.network.solve`)
to the same closure, 1e-6 Pa by default, after a small warm-up solve (numba's compilation of
the Hardy Cross sweep, timed on neither); reported: iterations (Newton steps, Hardy Cross
sweeps), seconds, the ratio of seconds, and the largest difference of their flows. Run from
the repository root::

    .venv/bin/python benchmarks/bench_ventilation.py
"""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

import numpy as np
from _common import emit, note

from aurum.ventilation.examples import ladder_mine
from aurum.ventilation.network import Network, solve


def mine(levels: int, stopes: int, seed: int = 7) -> dict[str, Any]:
    """The generated network document (the CLI's NETWORK.yaml) of the module's mine
    (:func:`aurum.ventilation.examples.ladder_mine`, drives and raises drawn from ``seed``)."""
    rng = np.random.default_rng(seed)
    return ladder_mine(levels, stopes, 60.0, {
        "main_fan": {"resistance": 0.0002, "fan": {"coefficients": [4000.0, -0.5, -0.02]}},
        "intake": {"resistance": 0.001, "column_density": 1.25},
        "return": {"resistance": 0.0015, "column_density": 1.15},
        "leak": {"resistance": 20.0}, "in": {"resistance": 0.05}, "out": {"resistance": 0.05}},
        drive=lambda _s: float(rng.uniform(0.002, 0.01)),
        raise_=lambda _s: float(rng.uniform(2.0, 20.0)),
        booster={"coefficients": [300.0, 0.0, -0.05]}, regulated_m3s=5.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", type=int, default=25)
    parser.add_argument("--stopes", type=int, default=100)
    parser.add_argument("--tolerance", type=float, default=1e-6, help="Pa")
    parser.add_argument("--max-sweeps", type=int, default=10_000,
                        help="Hardy Cross sweeps at most")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    network = Network.from_mapping(mine(args.levels, args.stopes))
    result: dict[str, Any] = {"branches": len(network.branches), "nodes": len(network.nodes),
                              "meshes": len(network.branches) - len(network.nodes) + 1,
                              "tolerance_pa": args.tolerance, "machine": platform.machine()}
    # A small solve first: numba compiles (or loads from its cache) the Hardy Cross sweep.
    note("warm-up ...")
    solve(Network.from_mapping(mine(2, 3)), "hardy_cross")
    runs = {}
    for method, limit in (("newton", 200), ("hardy_cross", args.max_sweeps)):
        note(f"{method} ...")
        start = time.perf_counter()
        solution = solve(network, method, tol_pa=args.tolerance, max_iterations=limit)
        seconds = time.perf_counter() - start
        runs[method] = solution
        result[method] = {"iterations": solution.iterations, "seconds": seconds,
                          "max_residual_pa": solution.max_residual_pa}
    newton, cross = runs["newton"], runs["hardy_cross"]
    result["seconds_ratio_hardy_cross_to_newton"] = (result["hardy_cross"]["seconds"]
                                                     / result["newton"]["seconds"])
    result["largest_flow_difference_m3s"] = max(abs(newton.flows[k] - cross.flows[k])
                                                for k in newton.flows)
    lines = [f"Ventilation network: {result['branches']:,} branches, {result['nodes']:,} "
             f"junctions, {result['meshes']:,} meshes, closure {args.tolerance:g} Pa"]
    for method in ("newton", "hardy_cross"):
        r = result[method]
        lines.append(f"  {method:11s}: {r['iterations']:6d} iterations, {r['seconds']:8.3f} s, "
                     f"largest closure {r['max_residual_pa']:.2e} Pa")
    ratio = result["seconds_ratio_hardy_cross_to_newton"]
    lines.append(f"  Hardy Cross / Newton time: {ratio:.1f}; largest flow difference"
                 f" {result['largest_flow_difference_m3s']:.2e} m3/s")
    emit(result, args.format, lines)


if __name__ == "__main__":
    main()
