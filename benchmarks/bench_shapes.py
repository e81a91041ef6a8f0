"""Vein shapes against box stopes on a dipping vein: value and seconds.

The model: 100 × 40 × 25 blocks (10^5; ``--big``: 200 × 100 × 50, 10^6), ``i`` along strike,
``j`` across, ``k`` up. A vein 4 blocks thick whose footwall moves 0.9 block across per block
up (a dip of about 48° with cubic blocks) is worth 3,000 CNY a block, the country rock
−800 CNY, both with noise of 500 CNY (seeded). Stopes 3 … 10 blocks long, 2 … 8 wide, levels
5 blocks high, a pillar of one block.

Compared on the same values and parameters:

- the box stopes of :func:`aurum.underground.stopes.optimise_stopes` (default fast method,
  its value and its bound; ``--exact`` adds the exact set packing);
- the vein shapes of :func:`aurum.underground.shapes.vein_stopes` with walls stepping at most
  0, 1 and 2 blocks from slice to slice (0 is a box per strike range; 1 follows this vein).

Printed: each method's value (CNY), its ratio to the boxes' value and to the boxes' upper
bound, the stope count and the seconds. Run from the repository root::

    .venv/bin/python benchmarks/bench_shapes.py [--big] [--exact] [--format json]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from _common import emit, note

from aurum.underground.shapes import vein_stopes
from aurum.underground.stopes import StopeParams, optimise_stopes

SEED = 20261207
GRID = (100, 40, 25)
BIG_GRID = (200, 100, 50)
PARAMS = StopeParams(length=(3, 10), width=(2, 8), level_height=5, pillar=1)
STEPS = (0, 1, 2)


def dipping_vein(shape: tuple[int, int, int], seed: int = SEED) -> np.ndarray:
    """Block values (CNY) of a vein 4 blocks thick dipping across ``j``, with noise."""
    ni, nj, nk = shape
    rng = np.random.default_rng(seed)
    j = np.arange(nj)[None, :, None]
    foot = 3 + 0.9 * np.arange(nk)[None, None, :]
    ore = (j >= foot) & (j < foot + 4)
    return np.where(ore, 3000.0, -800.0) + rng.normal(0.0, 500.0, (ni, nj, nk))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", action="store_true", help="10^6 blocks instead of 10^5")
    parser.add_argument("--exact", action="store_true",
                        help="also the exact box set packing (HiGHS, 600 s limit)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    shape = BIG_GRID if args.big else GRID
    values = dipping_vein(shape)
    runs: dict[str, dict[str, Any]] = {}
    note(f"{np.prod(shape):,} blocks {shape}: box stopes")
    modes = [("boxes", False)] + ([("boxes exact", True)] if args.exact else [])
    for name, exact in modes:
        started = time.perf_counter()
        boxes = optimise_stopes(values, PARAMS, exact=exact, time_limit_s=600.0)
        runs[name] = {"value": boxes.value, "upper_bound": boxes.upper_bound,
                      "stopes": len(boxes.frame), "candidates": boxes.candidates,
                      "seconds": time.perf_counter() - started}
    for step in STEPS:
        note(f"vein shapes, wall step {step}")
        started = time.perf_counter()
        shapes = vein_stopes(values, PARAMS, max_wall_step=step)
        runs[f"shapes step {step}"] = {
            "value": shapes.value, "upper_bound": shapes.upper_bound,
            "stopes": len(shapes.frame), "candidates": shapes.candidates,
            "seconds": time.perf_counter() - started}
    base = runs["boxes"]
    bound = min(run["upper_bound"] for name, run in runs.items() if name.startswith("boxes"))
    lines = [f"dipping vein, {np.prod(shape):,} blocks {shape}",
             f"{'method':<16}{'value CNY':>16}{'/ boxes':>9}{'/ box bound':>12}"
             f"{'stopes':>8}{'seconds':>9}"]
    for name, run in runs.items():
        run["to_boxes"] = run["value"] / base["value"]
        run["to_box_bound"] = run["value"] / bound
        lines.append(f"{name:<16}{run['value']:>16,.0f}{run['to_boxes']:>9.3f}"
                     f"{run['to_box_bound']:>12.3f}{run['stopes']:>8}{run['seconds']:>9.2f}")
    emit({"blocks": int(np.prod(shape)), "grid": list(shape), "runs": runs}, args.format, lines)


if __name__ == "__main__":
    main()
