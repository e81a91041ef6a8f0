"""Desurvey by minimum curvature: 3D positions of drillhole stations, depths and intervals.

Conventions
-----------
- Coordinates: x east, y north, z up (elevation), m; depths along the hole in the same unit.
- Azimuth: degrees clockwise from north. Dip: degrees below the horizontal, positive downward
  (90 = vertical down), as :func:`aurum.resources.drillholes.read_drillholes` delivers it. The
  unit tangent is ``(cos dip · sin az, cos dip · cos az, −sin dip)``.
- Between two stations the hole follows the circular arc tangent to both station directions
  (minimum curvature): with the dogleg β between the unit tangents t₁ and t₂ and the ratio
  factor RF = 2/β · tan(β/2), the displacement over a course length L is L/2 · RF · (t₁ + t₂).
  A depth inside the course lies on the same arc: at arc length s the tangent is the spherical
  interpolation of t₁ and t₂ at angle α = β · s/L, and the displacement s/2 · RF(α) · (t₁ + t).
- Above the first station the hole runs straight from the collar in the first station's
  direction; below the last station, straight in the last station's direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numba import njit

from aurum.core.errors import NotFoundError
from aurum.core.i18n import _

STRAIGHT = 1e-12
"""Dogleg below which a course counts as straight, radians."""


def tangents(azimuth: np.ndarray, dip: np.ndarray) -> np.ndarray:
    """Unit direction vectors of survey stations.

    Parameters
    ----------
    azimuth : array_like
        Degrees clockwise from north.
    dip : array_like
        Degrees below the horizontal, positive downward.

    Returns
    -------
    numpy.ndarray
        ``(n, 3)`` east, north, up components.
    """
    az, dp = np.radians(np.asarray(azimuth, float)), np.radians(np.asarray(dip, float))
    return np.column_stack([np.cos(dp) * np.sin(az), np.cos(dp) * np.cos(az), -np.sin(dp)])


@njit(cache=True)
def _along(p: np.ndarray, t1: np.ndarray, t2: np.ndarray, length: float,
           frac: float) -> np.ndarray:
    """Position at fraction ``frac`` of a minimum-curvature course from ``p``."""
    s = frac * length
    d = t2 - t1
    beta = 2.0 * np.arcsin(min(1.0, 0.5 * np.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])))
    if beta < STRAIGHT:
        return p + s * t1
    a = frac * beta
    t = (np.sin(beta - a) * t1 + np.sin(a) * t2) / np.sin(beta)
    rf = 2.0 / a * np.tan(0.5 * a) if a > STRAIGHT else 1.0
    return p + 0.5 * s * rf * (t1 + t)


@njit(cache=True)
def _station_xyz(start: np.ndarray, at: np.ndarray, tangent: np.ndarray,
                 collar: np.ndarray) -> np.ndarray:
    xyz = np.empty((at.size, 3))
    for h in range(start.size - 1):
        lo, hi = start[h], start[h + 1]
        xyz[lo] = collar[h] + at[lo] * tangent[lo]
        for k in range(lo + 1, hi):
            xyz[k] = _along(xyz[k - 1], tangent[k - 1], tangent[k], at[k] - at[k - 1], 1.0)
    return xyz


@njit(cache=True)
def _positions(start: np.ndarray, at: np.ndarray, tangent: np.ndarray, xyz: np.ndarray,
               collar: np.ndarray, hole: np.ndarray, depth: np.ndarray) -> np.ndarray:
    out = np.empty((depth.size, 3))
    for i in range(depth.size):
        h, d = hole[i], depth[i]
        lo, hi = start[h], start[h + 1]
        if d <= at[lo]:
            out[i] = collar[h] + d * tangent[lo]
            continue
        k = lo + np.searchsorted(at[lo:hi], d, side="right") - 1
        if k == hi - 1:
            out[i] = xyz[k] + (d - at[k]) * tangent[k]
        else:
            course = at[k + 1] - at[k]
            out[i] = _along(xyz[k], tangent[k], tangent[k + 1], course, (d - at[k]) / course)
    return out


@dataclass(frozen=True)
class Trajectories:
    """Desurveyed holes: station positions, ready to position any depth.

    Attributes
    ----------
    holes : pandas.Index
        Hole identifiers, in collar order (holes with at least one station).
    collar : numpy.ndarray
        ``(n_holes, 3)`` collar x, y, z, m.
    start : numpy.ndarray
        ``(n_holes + 1,)`` offsets of each hole's stations in the station arrays.
    at : numpy.ndarray
        Station depths along the hole, m, increasing within a hole.
    tangent : numpy.ndarray
        ``(n_stations, 3)`` unit direction at each station.
    xyz : numpy.ndarray
        ``(n_stations, 3)`` station positions, m.
    """

    holes: pd.Index
    collar: np.ndarray
    start: np.ndarray
    at: np.ndarray
    tangent: np.ndarray
    xyz: np.ndarray

    def positions(self, holes: Sequence[str] | np.ndarray | pd.Series,
                  depths: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
        """Positions at depths along holes.

        Parameters
        ----------
        holes : sequence of str
            Hole of each depth.
        depths : sequence of float
            Depth along the hole, m.

        Returns
        -------
        numpy.ndarray
            ``(n, 3)`` x, y, z, m.

        Raises
        ------
        NotFoundError
            A hole has no collar or no survey station.
        """
        index = self.holes.get_indexer(pd.Index(np.asarray(holes, dtype=object)))
        if (index < 0).any():
            missing = pd.unique(np.asarray(holes, dtype=object)[index < 0])
            shown = ", ".join(map(str, missing[:10])) + (" …" if missing.size > 10 else "")
            raise NotFoundError(_("%(n)s hole(s) not desurveyed: %(holes)s; expected holes "
                                  "with a collar and at least one survey station",
                                  n=missing.size, holes=shown))
        return _positions(self.start, self.at, self.tangent, self.xyz, self.collar,
                          index.astype(np.int64), np.asarray(depths, dtype=float))

    def stations(self) -> pd.DataFrame:
        """Station positions: ``hole, at, x, y, z`` (m)."""
        hole = np.repeat(self.holes.to_numpy(dtype=object), np.diff(self.start))
        return pd.DataFrame({"hole": hole, "at": self.at, "x": self.xyz[:, 0],
                             "y": self.xyz[:, 1], "z": self.xyz[:, 2]})

    def locate(self, intervals: pd.DataFrame) -> pd.DataFrame:
        """Positions of intervals (assays or composites).

        Parameters
        ----------
        intervals : pandas.DataFrame
            With ``hole, from, to`` (m).

        Returns
        -------
        pandas.DataFrame
            A copy with ``x, y, z`` at mid-depth and ``x_from, y_from, z_from, x_to, y_to,
            z_to`` at the ends, m.
        """
        n = len(intervals)
        hole = np.tile(intervals["hole"].to_numpy(dtype=object), 3)
        top = intervals["from"].to_numpy(dtype=float)
        bottom = intervals["to"].to_numpy(dtype=float)
        p = self.positions(hole, np.concatenate([0.5 * (top + bottom), top, bottom]))
        out = intervals.copy()
        for j, suffix in enumerate(("", "_from", "_to")):
            for a, axis in enumerate("xyz"):
                out[axis + suffix] = p[j * n:(j + 1) * n, a]
        return out


def desurvey(collars: pd.DataFrame, surveys: pd.DataFrame) -> Trajectories:
    """Minimum-curvature trajectories of every hole.

    Parameters
    ----------
    collars : pandas.DataFrame
        ``hole, x, y, z`` (m), one row per hole.
    surveys : pandas.DataFrame
        ``hole, at, az, dip``: depth (m), azimuth (degrees clockwise from north), dip (degrees
        below horizontal, positive down); one station depth per hole at most once.

    Returns
    -------
    Trajectories
        Holes with a collar and at least one station; survey rows of other holes are ignored.
    """
    ids = pd.Index(collars["hole"].to_numpy(dtype=object))
    code = ids.get_indexer(surveys["hole"].to_numpy(dtype=object))
    rows = np.flatnonzero(code >= 0)
    at_all = surveys["at"].to_numpy(dtype=float)
    rows = rows[np.lexsort((at_all[rows], code[rows]))]
    code = code[rows]
    present = np.unique(code)
    counts = np.bincount(np.searchsorted(present, code), minlength=present.size)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    at = np.ascontiguousarray(at_all[rows])
    tangent = tangents(surveys["az"].to_numpy(dtype=float)[rows],
                       surveys["dip"].to_numpy(dtype=float)[rows])
    collar = collars[["x", "y", "z"]].to_numpy(dtype=float)[present]
    xyz = _station_xyz(start, at, tangent, collar)
    return Trajectories(pd.Index(ids[present]), collar, start, at, tangent, xyz)
