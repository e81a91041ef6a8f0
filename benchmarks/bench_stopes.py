"""Stope optimisation on vein models of 10^5 and 10^6 blocks: ours (fast and exact) against the
LP bound, the floating-stope envelope and OR-Tools' CP-SAT.

The models: two dipping veins (a main vein 2-6 blocks thick and a thinner footwall splay)
across a strike of 200 or 500 blocks, grades lognormal about ore-shoot trends plunging along
the strike, block values in CNY for 5 m cubes of 337.5 t at 585 CNY/g recovered and 400 CNY/t
mined and processed, from a fixed seed. Stopes 4-10 blocks along the strike, 1-6 across, one
level of 10 blocks (5 on the small model), a 2-block pillar and a 1-block sill pillar.

OURS: :func:`aurum.underground.stopes.optimise_stopes`, fast (LP bound, heuristics) on both
models, exact (the LP, then the set-packing MIP with HiGHS where the LP is fractional) on the
10^5 one beside HiGHS's MIP alone on the same candidates (its defaults, presolve on), after a
small warm-up call that loads numba's kernels (compiled or from their cache). Reported:
candidates, seconds, the value against the bound (LP, or MIP where one ran), the fast value
against the exact one, and the value against the floating-stope envelope's (every block of a
positive box, overlaps and no pillars: the classic baseline, optimistic in geometry but
carrying every waste block a positive box takes in).

CP-SAT (the ``bench`` extra; skipped when not installed): the same candidates and clique rows
(``AddAtMostOne``), values rounded to whole CNY, on the 10^5 model within ``--time-limit``;
its objective, status and seconds beside ours.

Run from the repository root::

    .venv/bin/python benchmarks/bench_stopes.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any

import numpy as np
from _common import emit, note
from scipy.optimize import Bounds, LinearConstraint, milp

from aurum.underground import stopes
from aurum.underground.stopes import StopeParams, floating_stope_envelope, optimise_stopes

SEED = 20261207
MODELS = {"1e5": (200, 50, 10), "1e6": (500, 40, 50)}
"""Blocks along i (strike), j (across) and k (up) of each model."""
BLOCK_T = 337.5
PRICE_CNY_G = 585.0
COST_CNY_T = 400.0


def params(nk: int) -> StopeParams:
    return StopeParams(length=(4, 10), width=(1, 6), level_height=5 if nk <= 10 else 10,
                       pillar=2, sill_pillar=1)


def veins(ni: int, nj: int, nk: int) -> np.ndarray:
    """Block values (CNY) of the two-vein model."""
    rng = np.random.default_rng(SEED)
    i, j, k = np.meshgrid(np.arange(ni), np.arange(nj), np.arange(nk), indexing="ij")
    main = nj * 0.55 + 0.3 * (k - nk / 2) + 2.0 * np.sin(i / 17.0)
    splay = main - 6.0 - 0.1 * (k - nk / 2)
    thick = 4.0 + 2.0 * np.sin(i / 23.0 + k / 11.0)
    in_main = np.abs(j - main) < thick / 2
    in_splay = np.abs(j - splay) < 0.75
    shoots = np.maximum(1.0 + 4.0 * np.sin((i + 0.6 * k) / 19.0) ** 2, 0.3)
    grade = np.where(in_main, shoots, np.where(in_splay, 0.6 * shoots, 0.1))
    grade = grade * rng.lognormal(-0.18, 0.6, grade.shape)
    return BLOCK_T * (grade * PRICE_CNY_G - COST_CNY_T)


def cp_sat(values: np.ndarray, geometry: StopeParams, seconds: float) -> dict[str, Any] | None:
    """OR-Tools' CP-SAT on our candidates and clique rows; None without OR-Tools."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    from importlib.metadata import version

    ni, nj, nk = values.shape
    t0 = time.perf_counter()
    model = cp_model.CpModel()
    objective, weights = [], []
    for level in range(nk // geometry.level_height):
        cand = stopes._level_candidates(stopes._level_columns(values, geometry, level), geometry)
        if not len(cand):
            continue
        matrix = stopes._clique_matrix(cand.zones(geometry.pillar, ni, nj), ni, nj).tocsr()
        x = [model.NewBoolVar("") for _ in range(len(cand))]
        for r in range(matrix.shape[0]):
            row = matrix.indices[matrix.indptr[r]:matrix.indptr[r + 1]]
            model.AddAtMostOne([x[c] for c in row])
        objective += x
        weights += np.round(cand.value).astype(np.int64).tolist()
    model.Maximize(sum(w * v for w, v in zip(weights, objective, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = os.cpu_count() or 1
    status = solver.Solve(model)
    return {"version": version("ortools"), "status": solver.StatusName(status),
            "objective": solver.ObjectiveValue(), "bound": solver.BestObjectiveBound(),
            "seconds": time.perf_counter() - t0}


def highs_mip(values: np.ndarray, geometry: StopeParams, seconds: float) -> dict[str, Any]:
    """HiGHS's MIP with its defaults (presolve on) on our candidates and clique rows, every
    level, without our LP first: what a plain set-packing model costs."""
    ni, nj, nk = values.shape
    t0 = time.perf_counter()
    value = bound = 0.0
    optimal = True
    for level in range(nk // geometry.level_height):
        cand = stopes._level_candidates(stopes._level_columns(values, geometry, level), geometry)
        if not len(cand):
            continue
        matrix = stopes._clique_matrix(cand.zones(geometry.pillar, ni, nj), ni, nj)
        solved = milp(-cand.value, integrality=np.ones(len(cand)), bounds=Bounds(0.0, 1.0),
                      constraints=LinearConstraint(matrix, -np.inf, 1.0),
                      options={"time_limit": seconds, "mip_rel_gap": 0.0})
        optimal &= solved.status == 0
        value += float(cand.value @ np.round(solved.x)) if solved.x is not None else 0.0
        bound += -float(solved.mip_dual_bound)
    return {"value": value, "bound": bound, "optimal": optimal,
            "seconds": time.perf_counter() - t0}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--time-limit", type=float, default=600.0,
                        help="time limit of each solve, seconds (default 600)")
    args = parser.parse_args()

    note("warm-up (numba's kernels) ...")
    small = veins(30, 20, 10)
    optimise_stopes(small, params(10))
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count(),
                                          "load_1m": round(os.getloadavg()[0], 2),
                                          "python": platform.python_version()}}
    lines = [f"load {result['machine']['load_1m']}, {os.cpu_count()} CPUs"]
    for name, shape in MODELS.items():
        values = veins(*shape)
        geometry = params(shape[2])
        note(f"{name}: fast ...")
        fast = optimise_stopes(values, geometry, time_limit_s=args.time_limit)
        t0 = time.perf_counter()
        envelope = floating_stope_envelope(values, geometry)
        envelope_s = time.perf_counter() - t0
        envelope_value = float(values[envelope].sum())
        entry: dict[str, Any] = {
            "blocks": values.size, "shape": shape, "candidates": fast.candidates,
            "fast": {"seconds": fast.seconds, "stopes": len(fast.frame), "value": fast.value,
                     "upper_bound": fast.upper_bound,
                     "value_over_bound": fast.value / fast.upper_bound},
            "envelope": {"seconds": envelope_s, "blocks": int(envelope.sum()),
                         "value": envelope_value,
                         "fast_over_envelope": fast.value / envelope_value}}
        lines += [
            f"{name} ({values.size:,} blocks, {shape[0]}×{shape[1]}×{shape[2]}): "
            f"{fast.candidates:,} candidates",
            f"  fast: {len(fast.frame):,} stopes, {fast.value / 1e6:,.2f} M CNY in "
            f"{fast.seconds:.2f} s; LP bound {fast.upper_bound / 1e6:,.2f} M CNY "
            f"(value/bound {fast.value / fast.upper_bound:.6f})",
            f"  floating-stope envelope: {int(envelope.sum()):,} blocks, "
            f"{envelope_value / 1e6:,.2f} M CNY in {envelope_s:.2f} s "
            f"(fast/envelope {fast.value / envelope_value:.3f})"]
        if name == "1e5":
            note(f"{name}: exact ...")
            exact = optimise_stopes(values, geometry, exact=True, time_limit_s=args.time_limit)
            entry["exact"] = {"seconds": exact.seconds, "stopes": len(exact.frame),
                              "value": exact.value, "upper_bound": exact.upper_bound,
                              "fast_over_exact": fast.value / exact.value}
            lines.append(
                f"  exact: {len(exact.frame):,} stopes, {exact.value / 1e6:,.2f} M CNY in "
                f"{exact.seconds:.2f} s; bound {exact.upper_bound / 1e6:,.2f} M CNY; "
                f"fast/exact value {fast.value / exact.value:.6f}, time "
                f"{fast.seconds / exact.seconds:.2f}")
            note(f"{name}: HiGHS MIP alone ...")
            plain = highs_mip(values, geometry, args.time_limit)
            entry["highs_mip"] = plain
            lines.append(
                f"  HiGHS MIP alone (presolve on, no LP first): {plain['value'] / 1e6:,.2f} M "
                f"CNY, bound {plain['bound'] / 1e6:,.2f} M CNY, "
                f"{'optimal' if plain['optimal'] else 'time limit'} in {plain['seconds']:.2f} s "
                f"(exact {plain['seconds'] / exact.seconds:.1f}× quicker)")
            note(f"{name}: CP-SAT ...")
            peer = cp_sat(values, geometry, args.time_limit)
            entry["cp_sat"] = peer
            if peer is None:
                lines.append("  CP-SAT: OR-Tools not installed (the bench extra), skipped")
            else:
                lines.append(
                    f"  CP-SAT {peer['version']}: {peer['status']}, "
                    f"{peer['objective'] / 1e6:,.2f} M CNY (whole CNY) in "
                    f"{peer['seconds']:.2f} s; exact/CP-SAT time "
                    f"{exact.seconds / peer['seconds']:.2f}, value "
                    f"{exact.value / peer['objective']:.6f}")
        result[name] = entry
    emit(result, args.format, lines)


if __name__ == "__main__":
    main()
