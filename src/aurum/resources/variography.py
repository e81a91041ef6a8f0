"""Variography: experimental variograms and variogram maps with the semantics of GSLIB's
``gamv`` and ``varmap``, and weighted least-squares fitting of nested variogram models.

Conventions
-----------
* Coordinates are in metres: x east, y north, z elevation (positive up). Two-column
  coordinates are taken as (x, y) with z = 0.
* A direction is given by its azimuth, degrees clockwise from north, and its dip, degrees from
  the horizontal; its unit vector is ``(sin az cos dip, cos az cos dip, sin dip)``. As in GSLIB
  ``gamv``, a downward direction has a negative dip. A separation and its opposite are the same
  direction (variograms are symmetric).
* The semivariogram of a lag class is ``γ = 1 / (2 N) Σ (z(x) − z(x + h))²`` over the N
  distinct pairs of the class. Each unordered pair is counted once (GSLIB's ``gamv`` counts
  every pair twice in an omnidirectional run; γ is the same).
* Model structures use GSLIB's *practical range*: with ``h`` the distance divided by the range
  (anisotropic distance, see below), spherical ``1.5 h − 0.5 h³`` for h < 1 else 1,
  exponential ``1 − exp(−3 h)``, Gaussian ``1 − exp(−3 h²)``; the exponential and Gaussian
  structures reach 95 % of their sill at the range.
* Anisotropy follows GSLIB ``setrot``: angles ``(ang1, ang2, ang3)`` = azimuth of the major
  axis (degrees clockwise from north), its dip (same sign convention as a direction's dip:
  the major axis is the direction ``(ang1, ang2)``), and the plunge, a rotation about the
  major axis (degrees); ranges ``(a_hmax, a_hmin, a_vert)`` in metres along the major, minor
  and third axes.

The fitted parameters are plain dataclasses (:class:`FittedStructure`, :class:`VariogramFit`);
:meth:`VariogramFit.to_dict` gives ``{nugget, structures: [{type, sill, ranges, angles}]}``,
the specification a variogram model is built from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import least_squares
from scipy.spatial import cKDTree

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.resources.gslib import read_gslib

__all__ = [
    "STRUCTURE_TYPES",
    "ExperimentalVariogram",
    "FittedStructure",
    "VariogramFit",
    "VariogramMap",
    "experimental_variogram",
    "fit_variogram",
    "omnidirectional_variogram",
    "read_gslib",
    "variogram_map",
]

Weighting = Literal["npairs_over_h2", "npairs", "equal"]
Anisotropy = Literal["auto", "isotropic", "horizontal", "full"]

STRUCTURE_TYPES: tuple[str, ...] = ("spherical", "exponential", "gaussian")
"""Structure types understood by :func:`fit_variogram` (GSLIB practical-range formulas)."""

_EPS = 1.0e-20
"""Separations at or below this distance (m) are coincident points and enter no lag class
(GSLIB ``gamv`` puts them in a separate class of their own)."""

_CHUNK = 4096
"""Number of points per k-d tree query; bounds the memory of the pair search."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _samples(coords: ArrayLike, values: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Coordinates as (n, 3) and values as (n,), or a ValidationError listing every problem."""
    xyz = np.asarray(coords, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    problems: list[Problem] = []
    if xyz.ndim != 2 or xyz.shape[1] not in (2, 3):
        raise ValidationError(Problem(
            _("expected coordinates of shape (n, 2) or (n, 3) in metres, got shape %(shape)s",
              shape=xyz.shape), column="coords"))
    if v.ndim != 1 or len(v) != len(xyz):
        raise ValidationError(Problem(
            _("expected one value per sample (%(n)s), got shape %(shape)s", n=len(xyz),
              shape=v.shape), column="values"))
    if len(v) < 2:
        problems.append(Problem(
            _("a variogram needs at least 2 samples, got %(n)s", n=len(v)), column="values"))
    bad_v = np.flatnonzero(~np.isfinite(v))
    if len(bad_v):
        problems.append(Problem(
            _("%(n)s values are NaN or infinite (sample indices %(indices)s); drop or fill "
              "them before computing a variogram", n=len(bad_v), indices=_head(bad_v)),
            column="values"))
    bad_c = np.flatnonzero(~np.isfinite(xyz).all(axis=1))
    if len(bad_c):
        problems.append(Problem(
            _("%(n)s samples have NaN or infinite coordinates (sample indices %(indices)s)",
              n=len(bad_c), indices=_head(bad_c)), column="coords"))
    if problems:
        raise ValidationError(problems)
    if xyz.shape[1] == 2:
        xyz = np.column_stack([xyz, np.zeros(len(xyz))])
    return xyz, v


def _head(idx: NDArray[Any], n: int = 5) -> str:
    text = ", ".join(str(int(i)) for i in idx[:n])
    return text + (", ..." if len(idx) > n else "")


def _positive(name: str, value: float, problems: list[Problem], unit: Literal["m", "degrees"],
              allow_inf: bool = False) -> None:
    ok = value > 0 and (math.isfinite(value) or (allow_inf and value == math.inf))
    if not ok:
        shown = _("m") if unit == "m" else _("degrees")
        problems.append(Problem(_("expected a number > 0 (%(unit)s), got %(value)r",
                                  unit=shown, value=value), column=name))


def _unit(v: float) -> float:
    """Snap a sine or cosine within 1e-15 of -1, 0 or 1 to it (cos 90° is 0, not 6e-17)."""
    for target in (-1.0, 0.0, 1.0):
        if abs(v - target) < 1e-15:
            return target
    return v


def _direction(azimuth: float, dip: float) -> FloatArray:
    """Unit vector (east, north, up) of a direction (azimuth, dip in degrees)."""
    az, dp = math.radians(azimuth), math.radians(dip)
    return np.array([_unit(math.sin(az)) * _unit(math.cos(dp)),
                     _unit(math.cos(az)) * _unit(math.cos(dp)),
                     _unit(math.sin(dp))])


# --------------------------------------------------------------------------------------------
# Pairs
# --------------------------------------------------------------------------------------------


def _pairs(points: FloatArray, rmax: float) -> Iterator[tuple[IntArray, IntArray]]:
    """Index pairs (i < j) of points at most ``rmax`` apart, each pair once, in chunks.

    Up to ``2·_CHUNK`` points all pairs come at once (no more than a chunk of ``_CHUNK``
    points against all); beyond, each chunk yields its own pairs, then its pairs with the
    points after it (a search against all points would find each pair twice)."""
    n = len(points)
    if n <= 2 * _CHUNK:
        p = cKDTree(points).query_pairs(rmax, output_type="ndarray").astype(np.int64)
        yield p[:, 0], p[:, 1]
        return
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        sub = cKDTree(points[start:stop])
        p = sub.query_pairs(rmax, output_type="ndarray").astype(np.int64) + start
        yield p[:, 0], p[:, 1]
        if stop < n:
            m = sub.sparse_distance_matrix(cKDTree(points[stop:]), rmax, output_type="ndarray")
            yield m["i"].astype(np.int64) + start, m["j"].astype(np.int64) + stop


# --------------------------------------------------------------------------------------------
# Experimental variograms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExperimentalVariogram:
    """An experimental semivariogram along one direction (or omnidirectional).

    Lag class ``k`` (k = 0 … n_lags) holds the pairs whose distance h satisfies
    ``|h − k·lag| ≤ lag_tolerance``; class 0 thus holds the pairs closer than the tolerance
    (coincident points excluded).

    Parameters
    ----------
    distance : numpy.ndarray
        Mean pair distance of each lag class, m (NaN for an empty class).
    gamma : numpy.ndarray
        Semivariogram of each class, squared units of the variable (NaN for an empty class).
    n_pairs : numpy.ndarray
        Number of distinct pairs in each class.
    azimuth : float
        Direction azimuth, degrees clockwise from north.
    dip : float
        Direction dip, degrees from horizontal (negative down).
    omnidirectional : bool
        True when every direction was accepted (no azimuth, dip or bandwidth restriction).
    lag : float
        Unit lag distance, m.
    lag_tolerance : float
        Distance tolerance of a lag class, m.
    angle_tolerance : float
        Azimuth half-window, degrees (90 accepts every azimuth).
    dip_tolerance : float
        Dip half-window, degrees (90 accepts every dip).
    bandwidth_h : float
        Horizontal bandwidth, m: largest horizontal offset of a pair from the direction line.
    bandwidth_v : float
        Vertical bandwidth, m: largest offset from the direction line in the vertical plane.
    """

    distance: FloatArray
    gamma: FloatArray
    n_pairs: IntArray
    azimuth: float = 0.0
    dip: float = 0.0
    omnidirectional: bool = False
    lag: float = math.nan
    lag_tolerance: float = math.nan
    angle_tolerance: float = 90.0
    dip_tolerance: float = 90.0
    bandwidth_h: float = math.inf
    bandwidth_v: float = math.inf

    @property
    def lag_centers(self) -> FloatArray:
        """Nominal distance ``k·lag`` of each lag class, m."""
        return np.arange(len(self.gamma), dtype=np.float64) * self.lag

    def to_frame(self) -> pd.DataFrame:
        """Lag classes as a frame: ``lag`` (m), ``distance`` (m), ``gamma``, ``n_pairs``."""
        return pd.DataFrame({"lag": self.lag_centers, "distance": self.distance,
                             "gamma": self.gamma, "n_pairs": self.n_pairs})


def experimental_variogram(
    coords: ArrayLike,
    values: ArrayLike,
    azimuth: float,
    dip: float,
    lag: float,
    n_lags: int,
    lag_tolerance: float | None = None,
    angle_tolerance: float = 22.5,
    bandwidth_h: float = math.inf,
    bandwidth_v: float = math.inf,
    *,
    dip_tolerance: float | None = None,
) -> ExperimentalVariogram:
    """Experimental semivariogram along a direction, with GSLIB ``gamv``'s pair selection.

    A pair of samples with separation (dx, dy, dz), m, and distance h is accepted when
    (GSLIB ``gamv``):

    * azimuth: the cosine of the angle between its horizontal projection and the direction's
      azimuth is at least ``cos(angle_tolerance)`` in absolute value (a vertical pair passes);
    * horizontal bandwidth: its horizontal offset from the direction line is at most
      ``bandwidth_h``;
    * dip: once oriented along the direction's azimuth, the angle between its plunge and the
      direction's dip is within ``dip_tolerance``;
    * vertical bandwidth: its offset from the direction line within its vertical plane is at
      most ``bandwidth_v``.

    A pair enters every lag class k with ``|h − k·lag| ≤ lag_tolerance`` (overlapping
    classes when the tolerance exceeds half the lag, as in GSLIB). Pairs are found with a k-d
    tree up to ``n_lags·lag + lag_tolerance`` and tested with vectorised numpy. (GSLIB stops
    at ``(n_lags + 0.5)·lag``, which truncates the last class when the tolerance exceeds half
    the lag; otherwise the two agree.) Coincident points enter no class.

    Parameters
    ----------
    coords : array_like, shape (n, 2) or (n, 3)
        Sample coordinates (x east, y north, z up), m.
    values : array_like, shape (n,)
        Sample values; must be finite.
    azimuth : float
        Direction azimuth, degrees clockwise from north.
    dip : float
        Direction dip, degrees from horizontal, negative down.
    lag : float
        Unit lag distance, m (> 0).
    n_lags : int
        Number of lags; classes k = 0 … n_lags are returned.
    lag_tolerance : float, optional
        Distance tolerance, m (> 0); default half the lag.
    angle_tolerance : float, default 22.5
        Azimuth half-window, degrees; 90 or more accepts every azimuth.
    bandwidth_h : float, default inf
        Horizontal bandwidth, m.
    bandwidth_v : float, default inf
        Vertical bandwidth, m.
    dip_tolerance : float, optional
        Dip half-window, degrees; default ``angle_tolerance``; 90 or more accepts every dip.

    Returns
    -------
    ExperimentalVariogram
        Mean distance (m), γ and number of pairs of each lag class.

    Raises
    ------
    ValidationError
        On NaN or infinite values or coordinates, fewer than 2 samples, a lag, tolerance or
        bandwidth that is not > 0, or fewer than 1 lag.
    """
    xyz, v = _samples(coords, values)
    tol = 0.5 * lag if lag_tolerance is None else lag_tolerance
    dtol = angle_tolerance if dip_tolerance is None else dip_tolerance
    problems: list[Problem] = []
    _positive("lag", lag, problems, "m")
    _positive("lag_tolerance", tol, problems, "m")
    _positive("angle_tolerance", angle_tolerance, problems, "degrees")
    _positive("dip_tolerance", dtol, problems, "degrees")
    _positive("bandwidth_h", bandwidth_h, problems, "m", allow_inf=True)
    _positive("bandwidth_v", bandwidth_v, problems, "m", allow_inf=True)
    if not (isinstance(n_lags, int | np.integer) and n_lags >= 1):
        problems.append(Problem(_("expected an integer >= 1, got %(value)r", value=n_lags),
                                column="n_lags"))
    for name, ang in (("azimuth", azimuth), ("dip", dip)):
        if not math.isfinite(ang):
            problems.append(Problem(_("expected an angle in degrees, got %(value)r", value=ang),
                                    column=name))
    if problems:
        raise ValidationError(problems)
    n_lags = int(n_lags)

    all_az, all_dip = angle_tolerance >= 90.0, dtol >= 90.0
    ux, uy, _uz = _direction(azimuth, 0.0)
    cos_dip, sin_dip = _unit(math.cos(math.radians(dip))), _unit(math.sin(math.radians(dip)))
    cs_atol = math.cos(math.radians(angle_tolerance))
    cs_dtol = math.cos(math.radians(dtol))
    span = math.ceil(2.0 * tol / lag) + 2
    rmax = (n_lags * lag + tol) * (1.0 + 1e-12)

    size = n_lags + 1
    npairs = np.zeros(size)
    sum_h = np.zeros(size)
    sum_sq = np.zeros(size)
    # Coordinates as contiguous columns, and the pairs narrowed by the horizontal tests before
    # the rest is computed: a directional variogram keeps a few pairs in ten, and each test
    # is elementwise, so the kept pairs, their order and their sums are those of testing all.
    x, y, z = (np.ascontiguousarray(xyz[:, c]) for c in range(3))
    for i, j in _pairs(xyz, rmax):
        dx, dy = x[j] - x[i], y[j] - y[i]
        dxy = np.hypot(dx, dy)
        with np.errstate(invalid="ignore", divide="ignore"):
            dcazm = np.where(dxy < _EPS, 1.0, (dx * ux + dy * uy) / dxy)
        if not all_az or bandwidth_h < math.inf:
            ok = np.abs(dcazm) >= cs_atol if not all_az else np.ones(len(dx), dtype=bool)
            if bandwidth_h < math.inf:
                ok &= np.abs(ux * dy - uy * dx) <= bandwidth_h
            keep = np.flatnonzero(ok)
            i, j = i[keep], j[keep]
            dx, dy, dxy, dcazm = dx[keep], dy[keep], dxy[keep], dcazm[keep]
        dz = z[j] - z[i]
        h = np.sqrt(dx * dx + dy * dy + dz * dz)
        ok = h > _EPS
        dxy_s = np.where(dcazm < 0.0, -dxy, dxy)
        if not all_dip:
            with np.errstate(invalid="ignore", divide="ignore"):
                dcdec = (dxy_s * cos_dip + dz * sin_dip) / h
            ok &= np.abs(dcdec) >= cs_dtol
        if bandwidth_v < math.inf:
            ok &= np.abs(cos_dip * dz - sin_dip * dxy_s) <= bandwidth_v
        h, sq = h[ok], (v[j[ok]] - v[i[ok]]) ** 2
        k0 = np.floor((h - tol) / lag).astype(np.int64)
        for off in range(span):
            k = k0 + off
            inside = (k >= 0) & (k <= n_lags)
            kf = k.astype(np.float64) * lag
            inside &= (h >= kf - tol) & (h <= kf + tol)
            kk = k[inside]
            npairs += np.bincount(kk, minlength=size)
            sum_h += np.bincount(kk, weights=h[inside], minlength=size)
            sum_sq += np.bincount(kk, weights=sq[inside], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.where(npairs > 0, sum_h / npairs, np.nan)
        gamma = np.where(npairs > 0, sum_sq / (2.0 * npairs), np.nan)
    return ExperimentalVariogram(
        distance=distance, gamma=gamma, n_pairs=npairs.astype(np.int64),
        azimuth=float(azimuth), dip=float(dip),
        omnidirectional=all_az and all_dip and bandwidth_h == math.inf
        and bandwidth_v == math.inf,
        lag=float(lag), lag_tolerance=float(tol), angle_tolerance=float(angle_tolerance),
        dip_tolerance=float(dtol), bandwidth_h=float(bandwidth_h),
        bandwidth_v=float(bandwidth_v))


def omnidirectional_variogram(
    coords: ArrayLike,
    values: ArrayLike,
    lag: float,
    n_lags: int,
    lag_tolerance: float | None = None,
) -> ExperimentalVariogram:
    """Omnidirectional experimental semivariogram (every pair, binned by distance only).

    ``coords``, ``values``, ``lag``, ``n_lags`` and ``lag_tolerance`` (m) are as in
    :func:`experimental_variogram`.

    Returns
    -------
    ExperimentalVariogram
        With ``omnidirectional`` True.

    Raises
    ------
    ValidationError
        As :func:`experimental_variogram`.
    """
    return experimental_variogram(coords, values, 0.0, 0.0, lag, n_lags, lag_tolerance,
                                  angle_tolerance=90.0, dip_tolerance=90.0)


# --------------------------------------------------------------------------------------------
# Variogram map
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VariogramMap:
    """Semivariogram over a grid of horizontal lag vectors (GSLIB ``varmap``).

    Cell (iy, ix) covers lag vectors within half a cell of ``(x_lags[ix], y_lags[iy])``; the
    map is symmetric about its centre (a pair's separation h and −h fall in opposite cells).

    Parameters
    ----------
    x_lags : numpy.ndarray
        Centres of the cell columns, east component of the lag, m.
    y_lags : numpy.ndarray
        Centres of the cell rows, north component of the lag, m.
    gamma : numpy.ndarray, shape (len(y_lags), len(x_lags))
        Semivariogram per cell (NaN for an empty cell).
    n_pairs : numpy.ndarray, shape (len(y_lags), len(x_lags))
        Number of distinct pairs whose separation h or −h falls in the cell.
    """

    x_lags: FloatArray
    y_lags: FloatArray
    gamma: FloatArray
    n_pairs: IntArray

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``dx`` (m), ``dy`` (m), ``gamma``, ``n_pairs``, one row per cell."""
        gx, gy = np.meshgrid(self.x_lags, self.y_lags)
        return pd.DataFrame({"dx": gx.ravel(), "dy": gy.ravel(), "gamma": self.gamma.ravel(),
                             "n_pairs": self.n_pairs.ravel()})


def variogram_map(
    coords: ArrayLike,
    values: ArrayLike,
    dx: float,
    dy: float,
    nx_lags: int,
    ny_lags: int,
    *,
    max_dz: float = math.inf,
) -> VariogramMap:
    """Variogram map: γ and pair counts on a grid of horizontal lag vectors.

    The grid has ``2·nx_lags + 1`` columns and ``2·ny_lags + 1`` rows of cells of size
    ``dx × dy`` centred on the zero lag. A pair with horizontal separation (sx, sy) falls in
    column ``round(sx / dx)`` and row ``round(sy / dy)`` (halves rounded away from zero, so the
    map is exactly symmetric) and in the opposite cell.

    ``coords`` and ``values`` are as in :func:`experimental_variogram`.

    Parameters
    ----------
    dx, dy : float
        Cell size along east and north, m (> 0).
    nx_lags, ny_lags : int
        Number of cells on each side of the centre along east and north (>= 1).
    max_dz : float, default inf
        Largest vertical separation of a pair, m (3D data: keeps the map horizontal).

    Returns
    -------
    VariogramMap

    Raises
    ------
    ValidationError
        On bad samples (as :func:`experimental_variogram`), cell sizes not > 0 or counts < 1.
    """
    xyz, v = _samples(coords, values)
    problems: list[Problem] = []
    _positive("dx", dx, problems, "m")
    _positive("dy", dy, problems, "m")
    _positive("max_dz", max_dz, problems, "m", allow_inf=True)
    for name, n in (("nx_lags", nx_lags), ("ny_lags", ny_lags)):
        if not (isinstance(n, int | np.integer) and n >= 1):
            problems.append(Problem(_("expected an integer >= 1, got %(value)r", value=n),
                                    column=name))
    if problems:
        raise ValidationError(problems)
    nx, ny = int(nx_lags), int(ny_lags)
    width, height = 2 * nx + 1, 2 * ny + 1
    size = width * height
    rmax = math.hypot((nx + 0.5) * dx, (ny + 0.5) * dy)
    if max_dz < math.inf:  # search in 3D: far fewer candidate pairs
        points, rmax = xyz, math.hypot(rmax, max_dz)
    else:
        points = np.ascontiguousarray(xyz[:, :2])
    npairs = np.zeros(size)
    sum_sq = np.zeros(size)
    for i, j in _pairs(points, rmax * (1.0 + 1e-12)):
        d = xyz[j] - xyz[i]
        ok = (np.abs(d[:, 2]) <= max_dz) & (np.sqrt((d * d).sum(axis=1)) > _EPS)
        sx, sy = d[ok, 0] / dx, d[ok, 1] / dy
        ix = (np.sign(sx) * np.floor(np.abs(sx) + 0.5)).astype(np.int64)
        iy = (np.sign(sy) * np.floor(np.abs(sy) + 0.5)).astype(np.int64)
        sq = (v[j[ok]] - v[i[ok]]) ** 2
        inside = (np.abs(ix) <= nx) & (np.abs(iy) <= ny)
        ix, iy, sq = ix[inside], iy[inside], sq[inside]
        cell = (iy + ny) * width + (ix + nx)
        mirror = (-iy + ny) * width + (-ix + nx)
        other = cell != mirror
        for c, w in ((cell, sq), (mirror[other], sq[other])):
            npairs += np.bincount(c, minlength=size)
            sum_sq += np.bincount(c, weights=w, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(npairs > 0, sum_sq / (2.0 * npairs), np.nan)
    return VariogramMap(
        x_lags=np.arange(-nx, nx + 1, dtype=np.float64) * dx,
        y_lags=np.arange(-ny, ny + 1, dtype=np.float64) * dy,
        gamma=gamma.reshape(height, width),
        n_pairs=npairs.astype(np.int64).reshape(height, width))


# --------------------------------------------------------------------------------------------
# Model structures (fitting only; GSLIB practical range)
# --------------------------------------------------------------------------------------------


def _structure(kind: str, hr: FloatArray) -> FloatArray:
    """Unit-sill structure at reduced distance ``hr`` = distance / range (practical range)."""
    if kind == "spherical":
        return np.where(hr < 1.0, 1.5 * hr - 0.5 * hr**3, 1.0)
    if kind == "exponential":
        return 1.0 - np.exp(-3.0 * hr)
    return 1.0 - np.exp(-3.0 * hr * hr)


def _canonical(u: FloatArray) -> tuple[float, ...]:
    """A direction up to its sign: first non-zero component made positive, rounded."""
    first = u[np.flatnonzero(np.abs(u) > 1e-12)[0]]
    return tuple(float(c) for c in np.round(u * np.sign(first), 9))


def _axes(angles: Sequence[float]) -> FloatArray:
    """Unit vectors (rows) of the major, minor and third axes for GSLIB angles (degrees).

    Same matrix as GSLIB ``setrot`` before the anisotropy factors are applied.
    """
    ang1, ang2, ang3 = angles
    alpha = math.radians(90.0 - ang1 if 0.0 <= ang1 < 270.0 else 450.0 - ang1)
    beta, theta = -math.radians(ang2), math.radians(ang3)
    sa, ca, sb, cb = math.sin(alpha), math.cos(alpha), math.sin(beta), math.cos(beta)
    st, ct = math.sin(theta), math.cos(theta)
    return np.array([
        [cb * ca, cb * sa, -sb],
        [-ct * sa + st * sb * ca, ct * ca + st * sb * sa, st * cb],
        [st * sa + ct * sb * ca, -st * ca + ct * sb * sa, ct * cb],
    ])


@dataclass(frozen=True)
class FittedStructure:
    """One fitted nested structure.

    Parameters
    ----------
    type : str
        ``spherical``, ``exponential`` or ``gaussian`` (GSLIB practical range).
    sill : float
        Contribution to the sill, squared units of the variable.
    ranges : tuple of 3 float
        ``(a_hmax, a_hmin, a_vert)``, m.
    angles : tuple of 3 float
        ``(ang1, ang2, ang3)``: azimuth, dip and plunge of the major axis, degrees (GSLIB).
    """

    type: str
    sill: float
    ranges: tuple[float, float, float]
    angles: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True, eq=False)
class VariogramFit:
    """Result of :func:`fit_variogram`.

    Parameters
    ----------
    nugget : float
        Nugget effect, squared units of the variable.
    structures : tuple of FittedStructure
        The nested structures, in the order requested.
    residual : float
        Weighted mean squared residual ``Σ w (γ_model − γ)² / Σ w`` at the fitted points,
        squared units of γ.
    rmse : float
        Unweighted root mean squared residual, units of γ.
    n_points : int
        Number of experimental points fitted.
    weighting : str
        The weights used (see :func:`fit_variogram`).
    anisotropy : str
        ``isotropic``, ``horizontal`` or ``full``: which ranges were free.
    success : bool
        Whether the optimiser reported convergence.
    message : str
        The optimiser's message.
    """

    nugget: float
    structures: tuple[FittedStructure, ...]
    residual: float
    rmse: float
    n_points: int
    weighting: str
    anisotropy: str
    success: bool
    message: str

    @property
    def sill(self) -> float:
        """Total sill: nugget plus the structures' contributions."""
        return self.nugget + sum(s.sill for s in self.structures)

    def gamma(self, distance: ArrayLike, azimuth: float = 0.0, dip: float = 0.0) -> FloatArray:
        """Model semivariogram along a direction.

        Parameters
        ----------
        distance : array_like
            Distances, m (γ is 0 at distance 0).
        azimuth : float, default 0
            Direction azimuth, degrees clockwise from north.
        dip : float, default 0
            Direction dip, degrees from horizontal, negative down.

        Returns
        -------
        numpy.ndarray
            γ at each distance.
        """
        h = np.asarray(distance, dtype=np.float64)
        u = _direction(azimuth, dip)
        out = np.full(h.shape, self.nugget)
        for s in self.structures:
            c = _axes(s.angles) @ u
            inv = math.sqrt(sum((c[k] / s.ranges[k]) ** 2 for k in range(3)))
            out = out + s.sill * _structure(s.type, h * inv)
        return np.where(h > 0.0, out, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """``{nugget, structures: [{type, sill, ranges, angles}]}`` with plain floats."""
        return {"nugget": self.nugget,
                "structures": [{"type": s.type, "sill": s.sill, "ranges": list(s.ranges),
                                "angles": list(s.angles)} for s in self.structures]}


def fit_variogram(
    experimental: ExperimentalVariogram | Sequence[ExperimentalVariogram],
    structures: Sequence[str] = ("spherical",),
    *,
    angles: Sequence[float] | None = None,
    anisotropy: Anisotropy = "auto",
    nugget_bounds: tuple[float, float] = (0.0, math.inf),
    range_bounds: tuple[float, float] | None = None,
    weighting: Weighting = "npairs_over_h2",
    min_pairs: int = 1,
) -> VariogramFit:
    """Fit a nugget and nested structures to experimental variograms by weighted least squares.

    The model ``γ(h) = nugget + Σ sill_s · f_s(h_s)`` (``h_s`` the anisotropic reduced distance
    of structure s, GSLIB practical range) is fitted with
    :func:`scipy.optimize.least_squares` (trust-region reflective, with bounds) to every lag
    class with at least ``min_pairs`` pairs and a mean distance > 0, all directions together.
    Each direction's points are modelled along its own (azimuth, dip), so the major, minor and
    vertical ranges are shared across directions. Several starting ranges are tried and the
    lowest-cost solution kept.

    Parameters
    ----------
    experimental : ExperimentalVariogram or sequence of them
        One or several directions (or one omnidirectional variogram).
    structures : sequence of str, default ("spherical",)
        Types of the nested structures: ``spherical``, ``exponential``, ``gaussian``.
    angles : sequence of 3 float, optional
        Fixed orientation ``(ang1, ang2, ang3)``, degrees, shared by every structure. Default:
        the major axis along the first directional variogram, ``(azimuth, dip, 0)``, or
        ``(0, 0, 0)`` when all are omnidirectional.
    anisotropy : {"auto", "isotropic", "horizontal", "full"}, default "auto"
        Which ranges are free: ``isotropic`` one range per structure; ``horizontal``
        ``a_hmax`` and ``a_hmin`` (``a_vert`` is tied to ``a_hmin``: horizontal directions
        carry no information on it); ``full`` all three. ``auto`` picks ``isotropic`` for a
        single direction or when any variogram is omnidirectional, ``horizontal`` when no
        direction has a component along the third axis, ``full`` otherwise.
    nugget_bounds : tuple of 2 float, default (0, inf)
        Bounds on the nugget (equal bounds fix it).
    range_bounds : tuple of 2 float, optional
        Bounds on every range, m; default ``(1e-3·d, 10·d)`` with d the largest fitted lag
        distance. Ranges must be > 0.
    weighting : {"npairs_over_h2", "npairs", "equal"}, default "npairs_over_h2"
        Weight of a lag class: ``N / h²`` (number of pairs over squared mean distance, the
        default of gstat's ``fit.variogram`` and common practice: short lags, which matter
        most to kriging, weigh most), ``N``, or 1.
    min_pairs : int, default 1
        Lag classes with fewer pairs are left out.

    Returns
    -------
    VariogramFit
        Nugget, structures (sills ≥ 0, ranges in m, the fixed angles) and residuals.

    Raises
    ------
    ValidationError
        On an unknown structure type, inconsistent bounds, too few points, or directions that
        cannot constrain the requested anisotropy.
    """
    exps = [experimental] if isinstance(experimental, ExperimentalVariogram) else list(experimental)
    kinds = [str(s).lower() for s in structures]
    problems: list[Problem] = []
    if not exps:
        problems.append(Problem(_("expected at least one experimental variogram"),
                                column="experimental"))
    if not kinds:
        problems.append(Problem(_("expected at least one structure"), column="structures"))
    for k in kinds:
        if k not in STRUCTURE_TYPES:
            problems.append(Problem(_("unknown structure type %(kind)r; expected one of "
                                      "%(kinds)s", kind=k, kinds=", ".join(STRUCTURE_TYPES)),
                                    column="structures"))
    if weighting not in ("npairs_over_h2", "npairs", "equal"):
        problems.append(Problem(_("unknown weighting %(weighting)r; expected npairs_over_h2, "
                                  "npairs or equal", weighting=weighting), column="weighting"))
    if anisotropy not in ("auto", "isotropic", "horizontal", "full"):
        problems.append(Problem(_("unknown anisotropy %(anisotropy)r; expected auto, "
                                  "isotropic, horizontal or full", anisotropy=anisotropy),
                                column="anisotropy"))
    nlo, nhi = nugget_bounds
    if not (0.0 <= nlo <= nhi):
        problems.append(Problem(_("expected 0 <= lower <= upper, got %(bounds)r",
                                  bounds=nugget_bounds), column="nugget_bounds"))
    if problems:
        raise ValidationError(problems)

    # Points: distance, gamma, pairs, direction.
    hs, gs, ns, us = [], [], [], []
    for e in exps:
        keep = (np.asarray(e.n_pairs) >= min_pairs) & (np.asarray(e.distance) > 0.0) \
            & np.isfinite(e.gamma)
        hs.append(np.asarray(e.distance, dtype=np.float64)[keep])
        gs.append(np.asarray(e.gamma, dtype=np.float64)[keep])
        ns.append(np.asarray(e.n_pairs, dtype=np.float64)[keep])
        us.append(np.repeat(_direction(e.azimuth, e.dip)[None, :], keep.sum(), axis=0))
    h, g, npairs, u = (np.concatenate(hs), np.concatenate(gs), np.concatenate(ns),
                       np.concatenate(us))
    directional = [e for e in exps if not e.omnidirectional]
    if angles is None:
        angles = (directional[0].azimuth, directional[0].dip, 0.0) if directional \
            else (0.0, 0.0, 0.0)
    ang = (float(angles[0]), float(angles[1]), float(angles[2]))
    comp = np.abs(u @ _axes(ang).T)  # |component| of each point's direction on each axis

    distinct = {_canonical(_direction(e.azimuth, e.dip)) for e in directional}
    mode: str = anisotropy
    if mode == "auto":
        if len(distinct) <= 1 or len(directional) < len(exps):
            mode = "isotropic"
        elif np.all(comp[:, 2] < 1e-9):
            mode = "horizontal"
        else:
            mode = "full"
    if mode != "isotropic" and len(directional) < len(exps):
        problems.append(Problem(_("an omnidirectional variogram cannot constrain anisotropic "
                                  "ranges; fit it with anisotropy='isotropic'"),
                                column="anisotropy"))
    n_free = {"isotropic": 1, "horizontal": 2, "full": 3}[mode]
    for axis in range(n_free if mode != "isotropic" else 0):
        if len(comp) and np.all(comp[:, axis] < 1e-9):
            name = ("a_hmax", "a_hmin", "a_vert")[axis]
            problems.append(Problem(_("no direction has a component along the axis of "
                                      "%(axis)s (angles %(angles)s); add such a direction or "
                                      "choose anisotropy='horizontal' or 'isotropic'",
                                      axis=name, angles=ang), column="anisotropy"))
    n_struct = len(kinds)
    n_params = n_struct * (1 + n_free) + (0 if nlo == nhi else 1)
    if len(h) < n_params:
        problems.append(Problem(_("%(n)s experimental points with at least %(pairs)s pairs, "
                                  "fewer than the %(params)s parameters to fit", n=len(h),
                                  pairs=min_pairs, params=n_params), column="experimental"))
    hmax = float(h.max()) if len(h) else 0.0
    rlo, rhi = range_bounds if range_bounds is not None else (1e-3 * hmax, 10.0 * hmax)
    if not (0.0 < rlo < rhi):
        problems.append(Problem(_("expected 0 < lower < upper (m), got %(bounds)r",
                                  bounds=(rlo, rhi)), column="range_bounds"))
    if problems:
        raise ValidationError(problems)

    if weighting == "npairs_over_h2":
        w = npairs / (h * h)
    elif weighting == "npairs":
        w = npairs.copy()
    else:
        w = np.ones_like(h)
    w = w / w.sum()
    sw = np.sqrt(w)
    # Squared direction components per point for the anisotropic reduced distance.
    if mode == "isotropic":
        c2 = np.ones((len(h), 1))
    elif mode == "horizontal":
        c2 = np.column_stack([comp[:, 0] ** 2, comp[:, 1] ** 2 + comp[:, 2] ** 2])
    else:
        c2 = comp**2
    fit_nugget = nlo != nhi

    def unpack(x: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        nug = float(x[0]) if fit_nugget else nlo
        rest = x[1:] if fit_nugget else x
        block = rest.reshape(n_struct, 1 + n_free)
        return nug, block[:, 0], block[:, 1:]

    def model(x: FloatArray) -> FloatArray:
        nug, sills, ranges = unpack(x)
        out = np.full(len(h), nug)
        for s, kind in enumerate(kinds):
            hr = h * np.sqrt((c2 / ranges[s] ** 2).sum(axis=1))
            out += sills[s] * _structure(kind, hr)
        return out

    def residuals(x: FloatArray) -> FloatArray:
        return sw * (model(x) - g)

    far = h >= np.median(h)
    plateau = float(np.average(g[far], weights=npairs[far])) if far.any() else float(g.max())
    first = float(g[np.argmin(h)])
    nug0 = min(max(0.5 * first, nlo), nhi) if math.isfinite(nhi) else max(0.5 * first, nlo)
    sill0 = max(plateau - nug0, 1e-6 * max(plateau, 1e-12)) / n_struct
    lower = ([nlo] if fit_nugget else []) + [0.0, *[rlo] * n_free] * n_struct
    upper = ([nhi] if fit_nugget else []) + [np.inf, *[rhi] * n_free] * n_struct
    lo_a, hi_a = np.array(lower), np.array(upper)

    best = None
    for frac in (0.15, 0.35, 0.6, 0.9):
        x0: list[float] = [nug0] if fit_nugget else []
        for s in range(n_struct):
            r0 = hmax * frac * (s + 1) / n_struct
            x0 += [sill0, *[r0] * n_free]
        x0_a = np.clip(np.array(x0), lo_a + 1e-12 * np.abs(lo_a), hi_a * (1 - 1e-12))
        scale = np.maximum(np.abs(x0_a), 1e-12)
        res = least_squares(residuals, x0_a, bounds=(lo_a, hi_a), x_scale=scale,
                            method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12,
                            max_nfev=2000)
        if best is None or res.cost < best.cost:
            best = res
    assert best is not None
    nug, sills, ranges = unpack(best.x)
    fitted = []
    for s, kind in enumerate(kinds):
        r = ranges[s]
        trio = ((r[0], r[0], r[0]) if mode == "isotropic"
                else (r[0], r[1], r[1]) if mode == "horizontal" else (r[0], r[1], r[2]))
        fitted.append(FittedStructure(kind, float(sills[s]),
                                      (float(trio[0]), float(trio[1]), float(trio[2])), ang))
    err = model(best.x) - g
    return VariogramFit(
        nugget=float(nug), structures=tuple(fitted),
        residual=float(np.sum(w * err * err)), rmse=float(np.sqrt(np.mean(err * err))),
        n_points=len(h), weighting=weighting, anisotropy=mode,
        success=bool(best.success), message=str(best.message))
