"""Variogram models: a nugget and nested spherical, exponential or Gaussian structures with
geometric anisotropy, in the GSLIB conventions so that parameter files carry over.

Rotation (GSLIB ``setrot``): ``ang1`` is the azimuth of the major axis, degrees clockwise
from north; ``ang2`` the dip of the major axis from horizontal, degrees, negative downward
(z is elevation); ``ang3`` the plunge, a rotation about the major axis, degrees. Ranges
are ``a_hmax`` (major), ``a_hmin`` (minor, horizontal-ish) and ``a_vert``. Structures use
the practical range: spherical reaches its sill at the range, exponential and Gaussian reach
95 % of it.

Covariances follow GSLIB ``cova3``: at an (anisotropic) distance below 1e-5 the covariance is
the total sill (nugget included); elsewhere the nugget contributes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

STRUCTURE_CODES = {"spherical": 1, "exponential": 2, "gaussian": 3}
ZERO_DISTANCE = 1e-5
"""Squared anisotropic distance (m²) below which two points count as one (GSLIB EPSLON)."""


def rotation_matrix(angles: Sequence[float], ranges: Sequence[float]) -> np.ndarray:
    """GSLIB's rotation and anisotropy matrix.

    Parameters
    ----------
    angles : sequence of 3 float
        ang1 (azimuth), ang2 (dip), ang3 (plunge), degrees.
    ranges : sequence of 3 float
        a_hmax, a_hmin, a_vert, m.

    Returns
    -------
    numpy.ndarray
        (3, 3) matrix M such that |M d| is the anisotropic distance of a separation d (m),
        in units of the major range's metres.
    """
    ang1, ang2, ang3 = angles
    a_max, a_min, a_vert = ranges
    alpha = np.radians(90.0 - ang1 if 0.0 <= ang1 < 270.0 else 450.0 - ang1)
    beta = -np.radians(ang2)
    theta = np.radians(ang3)
    sa, ca, sb, cb, st, ct = (np.sin(alpha), np.cos(alpha), np.sin(beta), np.cos(beta),
                              np.sin(theta), np.cos(theta))
    f1 = 1.0 / max(a_min / a_max, 1e-20)
    f2 = 1.0 / max(a_vert / a_max, 1e-20)
    return np.array([
        [cb * ca, cb * sa, -sb],
        [f1 * (-ct * sa + st * sb * ca), f1 * (ct * ca + st * sb * sa), f1 * (st * cb)],
        [f2 * (st * sa + ct * sb * ca), f2 * (-st * ca + ct * sb * sa), f2 * (ct * cb)],
    ])


@dataclass(frozen=True)
class Structure:
    """One nested structure.

    Parameters
    ----------
    type : str
        spherical, exponential or gaussian.
    sill : float
        Contribution to the sill (variance units).
    ranges : tuple of 3 float
        a_hmax, a_hmin, a_vert, m.
    angles : tuple of 3 float
        ang1, ang2, ang3, degrees (GSLIB convention, see module docstring).
    """

    type: str
    sill: float
    ranges: tuple[float, float, float]
    angles: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def rotation(self) -> np.ndarray:
        return rotation_matrix(self.angles, self.ranges)


@dataclass(frozen=True)
class VariogramModel:
    """A nugget plus nested structures.

    Parameters
    ----------
    nugget : float
        Nugget effect (variance units).
    structures : tuple of Structure
        Nested structures.
    """

    nugget: float
    structures: tuple[Structure, ...] = field(default_factory=tuple)

    @property
    def sill(self) -> float:
        """Total sill: nugget plus every structure's contribution."""
        return self.nugget + sum(s.sill for s in self.structures)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(codes, sills, major ranges, rotation matrices) for the compiled kernels."""
        codes = np.array([STRUCTURE_CODES[s.type] for s in self.structures], dtype=np.int64)
        sills = np.array([s.sill for s in self.structures], dtype=np.float64)
        ranges = np.array([s.ranges[0] for s in self.structures], dtype=np.float64)
        rot = (np.stack([s.rotation for s in self.structures]) if self.structures
               else np.zeros((0, 3, 3)))
        return codes, sills, ranges, rot

    def covariance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Covariance between points ``a`` and ``b`` (arrays of shape (n, 3), m)."""
        codes, sills, ranges, rot = self.arrays()
        a = np.atleast_2d(np.asarray(a, dtype=np.float64))
        b = np.atleast_2d(np.asarray(b, dtype=np.float64))
        a, b = np.broadcast_arrays(a, b)
        out = np.empty(len(a))
        for i in range(len(a)):
            out[i] = cova(a[i, 0] - b[i, 0], a[i, 1] - b[i, 1], a[i, 2] - b[i, 2],
                          self.nugget, codes, sills, ranges, rot)
        return out

    def gamma(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Semivariogram between points ``a`` and ``b``: total sill minus covariance."""
        return self.sill - self.covariance(a, b)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], source: str | None = None) -> VariogramModel:
        """Build from ``{nugget, structures: [{type, sill, ranges, angles}]}`` (a run file).

        Raises
        ------
        ValidationError
            With every problem found (unknown type, negative sill, ranges not > 0...).
        """
        problems: list[Problem] = []

        def bad(column: str, message: str) -> None:
            problems.append(Problem(message, column=column, source=source))

        nugget = spec.get("nugget", 0.0)
        if not isinstance(nugget, int | float) or nugget < 0:
            bad("variogram.nugget", _("expected a number >= 0, got %(value)r", value=nugget))
            nugget = 0.0
        structures = []
        raw = spec.get("structures") or []
        if not isinstance(raw, list):
            bad("variogram.structures", _("expected a list of structures"))
            raw = []
        for i, st in enumerate(raw):
            where = f"variogram.structures[{i}]"
            kind = str(st.get("type", "")).lower()
            if kind not in STRUCTURE_CODES:
                bad(f"{where}.type", _("expected one of %(names)s, got %(value)r",
                                       names=", ".join(STRUCTURE_CODES), value=st.get("type")))
            sill = st.get("sill")
            if not isinstance(sill, int | float) or sill < 0:
                bad(f"{where}.sill", _("expected a number >= 0, got %(value)r", value=sill))
            ranges = _triple(st.get("ranges"), f"{where}.ranges", bad, positive=True)
            angles = _triple(st.get("angles", [0, 0, 0]), f"{where}.angles", bad)
            if not problems:
                structures.append(Structure(kind, float(sill), ranges, angles))
        if not raw and not problems and nugget == 0:
            bad("variogram", _("a model needs a nugget or at least one structure"))
        if problems:
            raise ValidationError(problems)
        return cls(float(nugget), tuple(structures))


def _triple(value: Any, column: str, bad: Any, positive: bool = False
            ) -> tuple[float, float, float]:
    ok = (isinstance(value, list | tuple) and len(value) == 3
          and all(isinstance(v, int | float) for v in value))
    if not ok:
        bad(column, _("expected three numbers, got %(value)r", value=value))
        return (1.0, 1.0, 1.0)
    if positive and any(v <= 0 for v in value):
        bad(column, _("expected ranges > 0 m, got %(value)r", value=value))
    return (float(value[0]), float(value[1]), float(value[2]))


@njit(cache=True, inline="always")
def structure_covariance(code: int, sill: float, hr: float) -> float:
    """Covariance of one structure at a reduced distance ``hr`` = distance / range."""
    if code == 1:
        return sill * (1.0 - hr * (1.5 - 0.5 * hr * hr)) if hr < 1.0 else 0.0
    if code == 2:
        return sill * np.exp(-3.0 * hr)
    return sill * np.exp(-3.0 * hr * hr)


@njit(cache=True, fastmath=False)
def cova(dx: float, dy: float, dz: float, nugget: float, codes: np.ndarray,
         sills: np.ndarray, ranges: np.ndarray, rot: np.ndarray) -> float:
    """Covariance of a separation (dx, dy, dz), m (GSLIB ``cova3``)."""
    cmax = nugget
    for s in range(codes.shape[0]):
        cmax += sills[s]
    if codes.shape[0] == 0:
        return cmax if dx * dx + dy * dy + dz * dz < ZERO_DISTANCE else 0.0
    total = 0.0
    for s in range(codes.shape[0]):
        h2 = 0.0
        for r in range(3):
            v = rot[s, r, 0] * dx + rot[s, r, 1] * dy + rot[s, r, 2] * dz
            h2 += v * v
        if s == 0 and h2 < ZERO_DISTANCE:
            return cmax
        total += structure_covariance(codes[s], sills[s], np.sqrt(h2) / ranges[s])
    return total
