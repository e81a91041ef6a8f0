"""Geological blocks: ours against a straightforward shapely Voronoi and clip, 5,000 pierce points.

The vein: a plane striking 62° and dipping 55°, 5,000 pierce points drawn uniformly over
3,000 m along the strike and 1,500 m down the dip (seeded), each with a true thickness of
0.8–6 m, a lognormal grade and a hole direction of ±20° around the normal; the outline is the
pierce points' bounding box in the projection pushed out by 20 m (the same for both).

OURS: :func:`aurum.resources.geoblocks.geological_blocks` with that outline — the whole
estimate (checks, projection, natural neighbours, Voronoi cells by scipy's Qhull clipped with
shapely, the extrapolated part, thickness, tonnes, categories) — and, apart, its cell step
alone (``_clipped_cells``). PEER: ``shapely.voronoi_polygons(points, extend_to=outline,
ordered=True)`` (GEOS, cells in the points' order), ``shapely.intersection`` with the outline,
``shapely.area``. Median of ``--repeats`` runs after one warm-up, interleaved. Check, same run:
the block areas of ours and the peer's equal to 1e-9 relative. Nothing is written. Run from the
repository root::

    .venv/bin/python benchmarks/bench_geoblocks.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd
import shapely
from _common import emit, note

from aurum.resources.geoblocks import _clipped_cells, geological_blocks

SEED = 20261207
STRIKE, DIP = 62.0, 55.0
PAD_M = 20.0


def vein(n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The intercepts, their pierce points ``(n, 2)`` and the outline ``(4, 2)``."""
    rng = np.random.default_rng(SEED)
    s, d = np.radians(STRIKE), np.radians(DIP)
    along = np.array([np.sin(s), np.cos(s), 0.0])
    down = np.array([np.cos(d) * np.cos(s), -np.cos(d) * np.sin(s), -np.sin(d)])
    mid = (rng.uniform(0, 3000, n)[:, None] * along + rng.uniform(0, 1500, n)[:, None] * down
           + np.array([4.5e5, 4.1e6, 200.0]))
    frame = pd.DataFrame({
        "hole": [f"ZK{i:05d}" for i in range(n)], "length_m": rng.uniform(0.8, 6.0, n),
        "grade": rng.lognormal(1.0, 0.8, n), "category": "industrial",
        "x": mid[:, 0], "y": mid[:, 1], "z": mid[:, 2],
        "azimuth": (STRIKE + 270.0 + rng.uniform(-20, 20, n)) % 360.0,
        "dip": 90.0 - DIP + rng.uniform(-20, 20, n)})
    points = np.column_stack([mid[:, 0] * np.sin(s) + mid[:, 1] * np.cos(s), mid[:, 2]])
    lo, hi = points.min(axis=0) - PAD_M, points.max(axis=0) + PAD_M
    outline = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
    return frame, points, outline


def peer(points: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """Block areas by GEOS Voronoi cells clipped to the outline, in the points' order."""
    shape = shapely.Polygon(outline)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(points), extend_to=shape, ordered=True))
    return np.asarray(shapely.area(shapely.intersection(cells, shape)))


def run(n: int, repeats: int) -> dict[str, Any]:
    frame, points, outline = vein(n)
    shape = shapely.Polygon(outline)
    steps = {
        "ours": lambda: geological_blocks(frame, STRIKE, DIP, 2.7, outline=outline),
        "ours_cells": lambda: _clipped_cells(points, shape),
        "peer": lambda: peer(points, outline),
    }
    results = {name: step() for name, step in steps.items()}  # warm-up, and the check
    ours_area = results["ours"].blocks["area_m2"].to_numpy()
    mismatch = float(np.max(np.abs(ours_area - results["peer"]) / results["peer"]))
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(repeats):
        note(f"repeat {i + 1}/{repeats}")
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    median = {name: float(np.median(t)) for name, t in times.items()}
    return {"points": n, "repeats": repeats, "seconds": median,
            "ratio_ours_peer": median["ours"] / median["peer"],
            "ratio_cells_peer": median["ours_cells"] / median["peer"],
            "max_rel_area_diff": mismatch,
            "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
                        "python": platform.python_version(),
                        "shapely": version("shapely"), "geos": ".".join(
                            map(str, shapely.geos_version)), "scipy": version("scipy")}}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--points", type=int, default=5000, help="pierce points (default 5000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (default 5)")
    args = parser.parse_args()
    if not 3 <= args.points <= 100_000:
        parser.error("--points must be between 3 and 100000")
    if not 1 <= args.repeats <= 50:
        parser.error("--repeats must be between 1 and 50")
    r = run(args.points, args.repeats)
    m, s = r["machine"], r["seconds"]
    lines = [
        f"geological blocks, {r['points']:,} pierce points, median of {r['repeats']} runs; "
        f"{m['cpus']} CPUs (load {m['load_1m']}), shapely {m['shapely']} (GEOS {m['geos']}), "
        f"scipy {m['scipy']}",
        f"ours, whole estimate      {s['ours']:8.3f} s",
        f"ours, cells only          {s['ours_cells']:8.3f} s",
        f"shapely Voronoi + clip    {s['peer']:8.3f} s",
        f"ours / peer: whole {r['ratio_ours_peer']:.2f}x, cells {r['ratio_cells_peer']:.2f}x; "
        f"max relative area difference {r['max_rel_area_diff']:.1e}",
    ]
    emit(r, args.format, lines)


if __name__ == "__main__":
    main()
