"""Synthetic drillholes through a gold orebody, for the demo mines' block models.

A mine's deposit is one or two plunging lenses in a 400 x 400 x 300 m local grid (origin at
the south-west corner of the licence, z = 0 at the collar level): the grade decays as a
Gaussian of the anisotropic distance to each lens axis, times lognormal noise (sd 0.35 of its
log), so that drillhole composites have the nugget-plus-range behaviour of a real vein field.
Holes are vertical, on a jittered grid about 70 m apart; the first year drills the western
part of the licence, the next steps out to the east (so the second model has exploration
additions as well as re-estimation from the re-drilled collars).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXTENT_M = (400.0, 400.0, 300.0)
COMPOSITE_M = 5.0


@dataclass(frozen=True)
class Composites:
    """Composite centres (m, local grid), grades (g/t) and hole ids."""

    xyz: np.ndarray
    grade: np.ndarray
    holes: np.ndarray


def _lenses(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.integers(1, 3))
    centres = np.column_stack([rng.uniform(120, 280, n), rng.uniform(120, 280, n),
                               rng.uniform(-220, -80, n)])
    scales = np.column_stack([rng.uniform(50, 80, n), rng.uniform(25, 45, n),
                              rng.uniform(20, 35, n)])
    peak = rng.uniform(3.0, 7.0, n)
    return np.column_stack([centres, scales, peak])


def drillholes(seed: int, year_index: int, scale: float = 1.0) -> Composites:
    """Composites of a mine's drilling up to a year.

    Parameters
    ----------
    seed : int
        The mine's seed: the same seed gives the same deposit.
    year_index : int
        0 for the first statement year; each later year adds infill and step-out holes.
    scale : float
        Linear size of the licence relative to 400 x 400 x 300 m (lenses, spacing and depth
        scale with it; composites stay 5 m long), so that a large mine holds more gold at the
        same grades rather than higher grades in the same volume.
    """
    rng = np.random.default_rng(seed)
    lenses = _lenses(rng)
    east = 250.0 if year_index == 0 else 370.0
    xs = np.arange(30.0, east + 1, 70.0)
    ys = np.arange(30.0, 371.0, 70.0)
    gx, gy = np.meshgrid(xs, ys)
    jitter = np.random.default_rng(seed + 1000 * (year_index + 1)).uniform(-8, 8,
                                                                         (2, gx.size))
    cx, cy = gx.ravel() + jitter[0], gy.ravel() + jitter[1]
    z = -np.arange(COMPOSITE_M / 2, EXTENT_M[2] * scale, COMPOSITE_M) / scale
    xyz = np.column_stack([np.repeat(cx, z.size), np.repeat(cy, z.size), np.tile(z, cx.size)])
    grade = np.zeros(len(xyz))
    for cx0, cy0, cz0, sx, sy, sz, peak in lenses:
        r2 = (((xyz[:, 0] - cx0) / sx) ** 2 + ((xyz[:, 1] - cy0) / sy) ** 2
              + ((xyz[:, 2] - cz0) / sz) ** 2)
        grade += peak * np.exp(-0.5 * r2)
    noise = np.random.default_rng(seed + 7).lognormal(0.0, 0.35, len(xyz))
    return Composites(xyz * scale, grade * noise, np.repeat(np.arange(cx.size), z.size))
