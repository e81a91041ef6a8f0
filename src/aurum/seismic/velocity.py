"""Velocity models of the mine and first-arrival travel times through them.

Two models: homogeneous (straight rays), and flat layers of constant velocity (1D, depth
along the grid's ``z``, up). Layered first arrivals are computed exactly, by ray theory,
not on a finite-difference grid: in flat constant-velocity layers a first arrival is either
the direct ray (its ray parameter found by a safeguarded Newton iteration on the offset
equation) or a head wave along an interface whose lower (or upper) layer is faster than every
layer the legs cross, so the minimum over those few candidates is the first arrival, to
round-off. ObsPy's TauP works on a spherical Earth with surface receivers and is far too slow
for grid search, hence this kernel (numba, a few hundred nanoseconds per ray).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic._tables import read_table

PHASES = ("P", "S")


@dataclass(frozen=True)
class HomogeneousModel:
    """One P and one S velocity everywhere.

    Parameters
    ----------
    vp : float
        P-wave velocity, m/s.
    vs : float
        S-wave velocity, m/s.
    """

    vp: float
    vs: float

    def __post_init__(self) -> None:
        _check_velocities(np.array([self.vp]), np.array([self.vs]))

    def velocity(self, phase: str) -> float:
        """Velocity of a phase (``P`` or ``S``), m/s."""
        return self.vp if _phase(phase) == "P" else self.vs


@dataclass(frozen=True)
class LayeredModel:
    """Flat layers of constant velocity, from the top down.

    Parameters
    ----------
    interfaces : tuple of float
        Elevations of the boundaries between layers, strictly decreasing, m (grid ``z``).
        Layer 0 lies above ``interfaces[0]`` (up to any height), layer ``i`` between
        ``interfaces[i-1]`` and ``interfaces[i]``, the last one below the last boundary.
    vp : tuple of float
        P velocity of each layer (one more than the interfaces), m/s.
    vs : tuple of float
        S velocity of each layer, m/s.
    """

    interfaces: tuple[float, ...]
    vp: tuple[float, ...]
    vs: tuple[float, ...]

    def __post_init__(self) -> None:
        z = np.asarray(self.interfaces, float)
        if len(self.vp) != len(z) + 1 or len(self.vs) != len(z) + 1:
            raise ValidationError(Problem(_(
                "a layered model with %(n)s interfaces needs %(layers)s P and S velocities, "
                "got %(vp)s and %(vs)s", n=len(z), layers=len(z) + 1, vp=len(self.vp),
                vs=len(self.vs))))
        if np.any(np.diff(z) >= 0) or not np.all(np.isfinite(z)):
            raise ValidationError(Problem(_("layer interfaces must be finite elevations in "
                                            "strictly decreasing order (m), got %(z)s",
                                            z=list(z))))
        _check_velocities(np.asarray(self.vp, float), np.asarray(self.vs, float))

    def velocity(self, phase: str) -> np.ndarray:
        """Layer velocities of a phase, m/s."""
        return np.asarray(self.vp if _phase(phase) == "P" else self.vs, float)


VelocityModel = HomogeneousModel | LayeredModel


def _phase(phase: str) -> str:
    p = str(phase).strip().upper()
    if p not in PHASES:
        raise ValidationError(Problem(_("phase must be P or S, got %(phase)r", phase=phase),
                                      column="phase"))
    return p


def _check_velocities(vp: np.ndarray, vs: np.ndarray) -> None:
    if not (np.all(np.isfinite(vp)) and np.all(np.isfinite(vs)) and np.all(vs > 0)):
        raise ValidationError(Problem(_("velocities must be finite and > 0 m/s")))
    if np.any(vp <= vs):
        raise ValidationError(Problem(_("P velocity must exceed S velocity (m/s), got vp "
                                        "%(vp)s and vs %(vs)s", vp=list(vp), vs=list(vs))))


def travel_times(model: VelocityModel, phase: str, sources: np.ndarray,
                 receivers: np.ndarray) -> np.ndarray:
    """First-arrival travel times from every source to every receiver.

    Parameters
    ----------
    model : HomogeneousModel or LayeredModel
        Velocities, m/s.
    phase : {"P", "S"}
        Phase.
    sources : numpy.ndarray
        Source positions, shape (n, 3), m.
    receivers : numpy.ndarray
        Receiver positions, shape (m, 3), m.

    Returns
    -------
    numpy.ndarray
        Travel times, shape (n, m), s.
    """
    src = np.ascontiguousarray(np.asarray(sources, float).reshape(-1, 3))
    rcv = np.ascontiguousarray(np.asarray(receivers, float).reshape(-1, 3))
    if isinstance(model, HomogeneousModel):
        return _homogeneous_times(src, rcv, 1.0 / model.velocity(phase))
    return _layered_times(src, rcv, np.asarray(model.interfaces, float), model.velocity(phase))


@numba.njit(cache=True)
def _homogeneous_times(src: np.ndarray, rcv: np.ndarray, slowness: float) -> np.ndarray:
    out = np.empty((src.shape[0], rcv.shape[0]))
    for i in range(src.shape[0]):
        for j in range(rcv.shape[0]):
            dx = src[i, 0] - rcv[j, 0]
            dy = src[i, 1] - rcv[j, 1]
            dz = src[i, 2] - rcv[j, 2]
            out[i, j] = math.sqrt(dx * dx + dy * dy + dz * dz) * slowness
    return out


@numba.njit(cache=True)
def _layered_times(src: np.ndarray, rcv: np.ndarray, interfaces: np.ndarray,
                   v: np.ndarray) -> np.ndarray:
    out = np.empty((src.shape[0], rcv.shape[0]))
    for i in range(src.shape[0]):
        for j in range(rcv.shape[0]):
            r = math.hypot(src[i, 0] - rcv[j, 0], src[i, 1] - rcv[j, 1])
            out[i, j] = layered_time(r, src[i, 2], rcv[j, 2], interfaces, v)
    return out


@numba.njit(cache=True)
def _layer_of(z: float, interfaces: np.ndarray) -> int:
    k = 0
    while k < interfaces.size and interfaces[k] > z:
        k += 1
    return k


@numba.njit(cache=True)
def _thickness(layer: int, lo: float, hi: float, interfaces: np.ndarray) -> float:
    """Length of [lo, hi] (elevations, m) inside a layer, m."""
    top = math.inf if layer == 0 else interfaces[layer - 1]
    bottom = -math.inf if layer == interfaces.size else interfaces[layer]
    return max(0.0, min(hi, top) - max(lo, bottom))


@numba.njit(cache=True)
def _direct_time(r: float, lo: float, hi: float, interfaces: np.ndarray,
                 v: np.ndarray) -> float:
    top_layer = _layer_of(hi, interfaces)
    bottom_layer = _layer_of(lo, interfaces)
    if top_layer == bottom_layer:
        return math.hypot(r, hi - lo) / v[top_layer]
    vmax = 0.0
    for k in range(top_layer, bottom_layer + 1):
        if _thickness(k, lo, hi, interfaces) > 0.0:
            vmax = max(vmax, v[k])
    p_hi = 1.0 / vmax
    p_lo = 0.0
    p = 0.0
    if r > 0.0:
        # Offset X(p) grows from 0 to infinity on [0, 1/vmax): Newton from the straight-line
        # guess, falling back to bisection whenever a step leaves the bracket.
        p = r / math.hypot(r, hi - lo) / vmax
        for _step in range(100):
            x = 0.0
            dx = 0.0
            for k in range(top_layer, bottom_layer + 1):
                h = _thickness(k, lo, hi, interfaces)
                if h > 0.0:
                    c = 1.0 - p * p * v[k] * v[k]
                    x += h * p * v[k] / math.sqrt(c)
                    dx += h * v[k] / (c * math.sqrt(c))
            f = x - r
            if abs(f) <= 1e-9 * (1.0 + r):
                break
            if f > 0.0:
                p_hi = p
            else:
                p_lo = p
            step = p - f / dx
            p = step if p_lo < step < p_hi else 0.5 * (p_lo + p_hi)
    t = p * r
    for k in range(top_layer, bottom_layer + 1):
        h = _thickness(k, lo, hi, interfaces)
        if h > 0.0:
            t += h * math.sqrt(max(1.0 / (v[k] * v[k]) - p * p, 0.0))
    return t


@numba.njit(cache=True)
def _leg(z: float, boundary: float, refractor_slowness: float, interfaces: np.ndarray,
         v: np.ndarray) -> tuple[float, float, bool]:
    """Delay time (vertical slowness × thickness, s) and offset (m) of a critically refracted
    leg from elevation z to a boundary; False when a crossed layer is not slower."""
    lo = min(z, boundary)
    hi = max(z, boundary)
    t = 0.0
    x = 0.0
    for k in range(_layer_of(hi, interfaces), _layer_of(lo, interfaces) + 1):
        h = _thickness(k, lo, hi, interfaces)
        if h > 0.0:
            s = 1.0 / v[k]
            if s <= refractor_slowness:
                return 0.0, 0.0, False
            eta = math.sqrt(s * s - refractor_slowness * refractor_slowness)
            t += h * eta
            x += h * refractor_slowness / eta
    return t, x, True


@numba.njit(cache=True)
def layered_time(r: float, z_source: float, z_receiver: float, interfaces: np.ndarray,
                 v: np.ndarray) -> float:
    """First-arrival time between two points of a flat-layered model, s.

    Parameters
    ----------
    r : float
        Horizontal distance, m.
    z_source, z_receiver : float
        Elevations, m.
    interfaces : numpy.ndarray
        Layer boundaries, decreasing elevations, m.
    v : numpy.ndarray
        Layer velocities (one more than the boundaries), m/s.
    """
    lo = min(z_source, z_receiver)
    hi = max(z_source, z_receiver)
    best = _direct_time(r, lo, hi, interfaces, v)
    for k in range(interfaces.size):
        zb = interfaces[k]
        if zb <= lo:
            refractor = v[k + 1]
        elif zb >= hi:
            refractor = v[k]
        else:
            continue
        u = 1.0 / refractor
        ts, xs, ok_s = _leg(z_source, zb, u, interfaces, v)
        tr, xr, ok_r = _leg(z_receiver, zb, u, interfaces, v)
        if ok_s and ok_r and xs + xr <= r:
            best = min(best, ts + tr + r * u)  # tau-p: delay times + p r
    return best


def read_velocity_csv(path: str | Path) -> VelocityModel:
    """A velocity model from a CSV of layers (the Elk Creek ``homogeneous_velocity.csv`` form).

    Columns: ``top_elevation_km_asl``, ``bottom_elevation_km_asl``, ``p_velocity_km_s``,
    ``s_velocity_km_s`` (one row per layer, top down). Velocities above 20 are taken as m/s —
    the Elk Creek file writes m/s under a km/s header, and no rock is slower than 20 m/s or
    faster than 20 km/s, so the magnitude tells the unit.

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    HomogeneousModel or LayeredModel
        Velocities in m/s, interface elevations in m.
    """
    columns = ["top_elevation_km_asl", "bottom_elevation_km_asl", "p_velocity_km_s",
               "s_velocity_km_s"]
    frame, _source = read_table(path, columns, columns, what=_("velocity model"))
    vp = np.array(frame["p_velocity_km_s"], float)
    vs = np.array(frame["s_velocity_km_s"], float)
    vp, vs = (np.where(a > 20.0, a, a * 1000.0) for a in (vp, vs))
    if len(frame) == 1:
        return HomogeneousModel(float(vp[0]), float(vs[0]))
    interfaces = tuple(float(z) * 1000.0 for z in frame["bottom_elevation_km_asl"].iloc[:-1])
    return LayeredModel(interfaces, tuple(map(float, vp)), tuple(map(float, vs)))
