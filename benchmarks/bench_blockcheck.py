"""Kriging check of a geological-block estimate: 2,000 pierce points, ours against GSTools.

The orebody: a vertical vein striking north (u = y along the strike, v = z the elevation)
cut by 2,000 horizontal holes drilled east on a jittered 40 m grid, 50 along the strike and
40 down the dip (2 km × 1.6 km), its outline drawn half a spacing beyond the outer pierce
points by :func:`aurum.resources.geoblocks.geological_blocks` (set-up, timed on its own).
Thickness and grade follow smooth trends with lognormal noise, from a fixed seed.

OURS: :func:`aurum.resources.blockcheck.kriging_check` with a given spherical model (the same
as the peer's) after one small warm-up call, so that numba's compilation (or the load of its
cache) is reported on its own; then with the model fitted by the project's variography.
GSTOOLS, which has no moving neighbourhood: per cell, ``gstools.krige.Ordinary`` on the
cell's 24 closest pierce points (the same as ours), the same model in 2-D, for the
accumulation and the thickness, at our cells' centroids drawn at random until
``--peer-seconds``; its rate beside ours and the largest difference of the estimates on the
cells it reached (the same systems: rounding only).

GSTools is in the ``bench`` extra; without it only ours runs. Run from the repository root::

    .venv/bin/python benchmarks/bench_blockcheck.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd
from _common import emit, note
from scipy.spatial import cKDTree

from aurum.resources.blockcheck import NEIGHBOURS, KrigingCheck, kriging_check
from aurum.resources.geoblocks import GeoBlocks, geological_blocks
from aurum.resources.variogram import Structure, VariogramModel

SEED = 20261207
ALONG, DOWN = 50, 40
"""Pierce points along the strike and down the dip: 2,000."""
SPACING_M = 40.0
JITTER_M = 8.0
DENSITY = 2.7
NUGGET = 0.2
PARTIAL_SILL = 0.8
RANGE_M = 300.0


def intercepts() -> pd.DataFrame:
    """The intercept table: one industrial intercept per hole, length = horizontal thickness
    (horizontal holes drilled east through a vertical vein striking north)."""
    rng = np.random.default_rng(SEED)
    iu, iv = np.meshgrid(np.arange(ALONG), np.arange(DOWN), indexing="xy")
    u = (iu.ravel() + 0.5) * SPACING_M + rng.uniform(-JITTER_M, JITTER_M, iu.size)
    v = -(iv.ravel() + 0.5) * SPACING_M + rng.uniform(-JITTER_M, JITTER_M, iv.size)
    thickness = (1.5 + 0.6 * np.sin(u / 400.0)) * rng.lognormal(0.0, 0.3, u.size)
    grade = (4.0 + 2.0 * np.cos(v / 500.0)) * rng.lognormal(0.0, 0.6, u.size)
    return pd.DataFrame({
        "hole": [f"ZK{i:04d}" for i in range(u.size)], "from_m": 50.0,
        "to_m": 50.0 + thickness, "length_m": thickness, "grade": grade,
        "metre_grade": thickness * grade, "true_thickness_m": thickness,
        "category": "industrial", "x": 0.0, "y": u, "z": v, "azimuth": 90.0, "dip": 0.0})


def model(accumulation: np.ndarray) -> VariogramModel:
    """Spherical model of the accumulation: nugget and partial sill as fractions of its
    variance, GSLIB practical range (the sill reached at the range)."""
    variance = float(np.var(accumulation))
    return VariogramModel(NUGGET * variance, (Structure("spherical", PARTIAL_SILL * variance,
                                                        (RANGE_M,) * 3),))


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """Call ``fn``; its result, wall-clock seconds and process CPU seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0, time.process_time() - c0


def run_gstools(blocks: GeoBlocks, ours: KrigingCheck, given: VariogramModel,
                max_seconds: float) -> dict[str, Any] | None:
    """Time GSTools' ordinary kriging cell by cell, each cell from its :data:`NEIGHBOURS`
    closest pierce points, on cells drawn at random until ``max_seconds``; None when GSTools
    is not installed.

    GSTools kriges with every conditioning point it is given (no moving neighbourhood); its
    global system on 2,000 points took minutes here to build and evaluate, so the
    same-neighbourhood comparison is one ``gstools.krige.Ordinary`` per cell and variable
    (accumulation, thickness). GSTools' defaults are kept: pseudo-inverse, ``exact=False``
    with the nugget as measurement error, which equals kt3d's system away from the samples.
    """
    try:
        import gstools as gs
    except ImportError:
        return None
    points = blocks.blocks
    uv = points[["u", "v"]].to_numpy()
    thickness = points["thickness_h_m"].to_numpy()
    accumulation = thickness * points["grade"].to_numpy()
    structure = given.structures[0]
    covariance = gs.Spherical(dim=2, var=structure.sill, len_scale=structure.ranges[0],
                              nugget=given.nugget)
    if covariance.rescale != 1.0:
        raise SystemExit(f"GSTools spherical rescale is {covariance.rescale}, expected 1")
    order = np.random.default_rng(SEED).permutation(len(ours.cells))
    at = ours.cells[["u", "v"]].to_numpy()[order]
    acc, thk = [], []
    t0, c0 = time.perf_counter(), time.process_time()
    near = cKDTree(uv).query(at, k=NEIGHBOURS)[1]
    for cell, index in zip(at, near, strict=True):
        if time.perf_counter() - t0 > max_seconds:
            break
        for values, out in ((accumulation, acc), (thickness, thk)):
            field, _variance = gs.krige.Ordinary(covariance, uv[index].T, values[index])(
                cell[:, None])
            out.append(field[0])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    done = order[:len(thk)]
    theirs_thk, theirs_acc = np.array(thk), np.array(acc)
    ours_thk = ours.cells["thickness_h_m"].to_numpy()[done]
    ours_acc = ours_thk * ours.cells["grade"].to_numpy()[done]
    return {"version": version("gstools"), "cells": len(thk), "seconds": seconds,
            "cpu_s": cpu, "cells_per_s": len(thk) / seconds,
            "max_abs_diff_thickness_m": float(np.max(np.abs(theirs_thk - ours_thk))),
            "max_abs_diff_accumulation": float(np.nanmax(np.abs(theirs_acc - ours_acc)))}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--peer-seconds", type=float, default=30.0,
                        help="time bound of GSTools, seconds (default 30)")
    args = parser.parse_args()

    table = intercepts()
    note(f"geological blocks of {len(table):,} pierce points ...")
    blocks, blocks_s, _ = timed(geological_blocks, table, 0.0, 90.0, DENSITY)
    points = blocks.blocks
    given = model((points["thickness_h_m"] * points["grade"]).to_numpy())
    note("warm-up (numba's compilation or its cache) ...")
    small = table.iloc[:60]
    _, warm_up_s, _ = timed(kriging_check, small, geological_blocks(small, 0.0, 90.0, DENSITY),
                            DENSITY, model=given)
    note("ours, model given ...")
    ours, ours_s, ours_cpu = timed(kriging_check, table, blocks, DENSITY, model=given)
    note("ours, model fitted ...")
    fitted, fitted_s, _ = timed(kriging_check, table, blocks, DENSITY)
    note(f"GSTools, cell by cell, {args.peer_seconds:.0f} s ...")
    peer = run_gstools(blocks, ours, given, args.peer_seconds)

    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
                    "python": platform.python_version()},
        "pierce_points": len(points), "cells": len(ours.cells), "cell_m": ours.cell_m,
        "blocks": {"seconds": blocks_s, "tonnes": blocks.tonnes, "grade": blocks.grade,
                   "metal_kg": blocks.metal_kg},
        "warm_up_s": warm_up_s,
        "ours": {"seconds": ours_s, "cpu_s": ours_cpu, "tonnes": ours.tonnes,
                 "grade": ours.grade, "metal_kg": ours.metal_kg,
                 "differences": ours.differences},
        "ours_fitted": {"seconds": fitted_s, "metal_kg": fitted.metal_kg,
                        "nugget": fitted.model.nugget, "sill": fitted.model.sill,
                        "range_m": max((s.ranges[0] for s in fitted.model.structures),
                                       default=0.0)},
        "gstools": peer,
    }
    lines = [
        f"{len(points):,} pierce points, {len(ours.cells):,} cells of {ours.cell_m:.2f} m "
        f"(load {result['machine']['load_1m']}, {os.cpu_count()} CPUs)",
        f"geological blocks: {blocks_s:.2f} s; {blocks.tonnes:,.0f} t at {blocks.grade:.3f} g/t,"
        f" {blocks.metal_kg:,.1f} kg",
        f"ours, warm-up: {warm_up_s:.2f} s",
        f"ours, model given: {ours_s:.2f} s (CPU {ours_cpu:.2f} s); {ours.tonnes:,.0f} t at "
        f"{ours.grade:.3f} g/t, {ours.metal_kg:,.1f} kg "
        f"(metal {ours.differences['metal_pct']:+.2f} per cent against the blocks)",
        f"ours, model fitted: {fitted_s:.2f} s; {fitted.metal_kg:,.1f} kg",
    ]
    if peer is None:
        lines.append("GSTools: not installed (the bench extra), skipped")
    else:
        rate = len(ours.cells) / ours_s
        lines.append(
            f"GSTools {peer['version']}, same neighbours: {peer['cells']:,} cells in "
            f"{peer['seconds']:.1f} s ({peer['cells_per_s']:,.0f} cells/s; ours "
            f"{rate:,.0f} cells/s, {rate / peer['cells_per_s']:,.0f}x); largest difference "
            f"on those cells: thickness {peer['max_abs_diff_thickness_m']:.2e} m, "
            f"accumulation {peer['max_abs_diff_accumulation']:.2e} m·g/t")
    emit(result, args.format, lines)


if __name__ == "__main__":
    main()
