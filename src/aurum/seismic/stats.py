"""Frequency–magnitude statistics and catalogue trends.

- b-value by maximum likelihood on binned magnitudes. Default: the exact estimator for
  magnitudes rounded to bins of width Δm (Tinti & Mulargia 1987, the form of Bender 1983),
  b = ln(1 + Δm / (M̄ − Mc)) / (Δm ln 10); alternatively Aki (1965) with Utsu's binning
  correction, b = log10(e) / (M̄ − (Mc − Δm / 2)). The two agree as Δm → 0.
- Uncertainty: Shi & Bolt (1982), σb = 2.30 b² √(Σ(Mi − M̄)² / (n (n − 1))).
- a-value: a = log10 N(M ≥ Mc) + b Mc.
- Magnitude of completeness: maximum curvature (the most populated bin) plus a correction
  (+0.2, Woessner & Wiemer 2005), or b-value stability (Cao & Gao 2002, as Woessner &
  Wiemer 2005 define it: the smallest Mc whose b differs from the mean b of the five
  cut-offs Mc … Mc + 0.4 by less than its Shi & Bolt uncertainty).
- Moving windows over the events above Mc: b-value, its uncertainty and the activity rate,
  from cumulative sums (no loop over windows); cumulative apparent volume; energy-index
  trend.

These few closed forms are written here rather than taken from a package: the seismology
libraries installed (ObsPy) have no frequency–magnitude statistics, and the estimators must
match the published reference exactly (Tinti–Mulargia on the binned magnitudes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic.source import energy_index, fit_energy_moment

METHODS = ("tinti_mulargia", "utsu")
MC_METHODS = ("maxc", "mbs")
_LOG10_E = np.log10(np.e)


def bin_magnitudes(magnitudes: np.ndarray, delta_m: float) -> np.ndarray:
    """Magnitudes rounded to the nearest multiple of the bin width ``delta_m`` (numpy's
    rounding, halves to even), cleaned of floating-point noise in the tenth decimal."""
    m = np.asarray(magnitudes, float)
    return np.round(np.round(m / delta_m) * delta_m, 10)


def _b_from_mean(mean_excess: np.ndarray, delta_m: float, method: str) -> np.ndarray:
    """b from M̄ − Mc (binned magnitudes)."""
    if method == "tinti_mulargia":
        if delta_m == 0:
            return _LOG10_E / mean_excess
        return np.log1p(delta_m / mean_excess) / (delta_m * np.log(10.0))
    if method == "utsu":
        return _LOG10_E / (mean_excess + delta_m / 2.0)
    raise ValidationError(Problem(_("b-value method must be one of %(known)s, got %(method)r",
                                    known=METHODS, method=method)))


@dataclass(frozen=True)
class BValue:
    """A Gutenberg–Richter fit.

    Parameters
    ----------
    b : float
        b-value.
    b_std : float
        Shi & Bolt standard error.
    mc : float
        Magnitude of completeness used.
    n : int
        Events at or above Mc.
    a : float
        a-value, log10 N(M ≥ Mc) + b Mc.
    method : str
        Estimator.
    """

    b: float
    b_std: float
    mc: float
    n: int
    a: float
    method: str

    def as_dict(self) -> dict[str, float | int]:
        """``b, b_std, mc, n, a``."""
        return {"b": self.b, "b_std": self.b_std, "mc": self.mc, "n": self.n, "a": self.a}


def _clean(magnitudes: np.ndarray | pd.Series) -> np.ndarray:
    m = np.asarray(magnitudes, float)
    return m[np.isfinite(m)]


def b_value(magnitudes: np.ndarray | pd.Series, mc: float, delta_m: float,
            method: str = "tinti_mulargia") -> BValue:
    """Maximum-likelihood b-value of the magnitudes at or above Mc.

    Parameters
    ----------
    magnitudes : array_like
        Magnitudes (NaN ignored); binned to ``delta_m`` here.
    mc : float
        Magnitude of completeness (a bin value).
    delta_m : float
        Bin width (0 for continuous magnitudes).
    method : {"tinti_mulargia", "utsu"}
        Estimator.

    Returns
    -------
    BValue

    Raises
    ------
    ValidationError
        Fewer than two magnitudes at or above Mc, or all equal to Mc.
    """
    m = bin_magnitudes(_clean(magnitudes), delta_m) if delta_m > 0 else _clean(magnitudes)
    above = m[m >= mc - 1e-9]
    if above.size < 2 or above.mean() - mc <= 0:
        raise ValidationError(Problem(_("%(n)s magnitude(s) at or above Mc = %(mc)s: too few "
                                        "to estimate a b-value (need two, not all at Mc)",
                                        n=above.size, mc=mc)))
    b = float(_b_from_mean(np.array(above.mean() - mc), delta_m, method))
    std = float(2.30 * b ** 2 * np.sqrt(np.sum((above - above.mean()) ** 2)
                                       / (above.size * (above.size - 1))))
    return BValue(b, std, float(mc), int(above.size), float(np.log10(above.size) + b * mc),
                  method)


def mc_maximum_curvature(magnitudes: np.ndarray | pd.Series, delta_m: float,
                         correction: float = 0.2) -> float:
    """Magnitude of completeness by maximum curvature plus a correction.

    Parameters
    ----------
    magnitudes : array_like
        Magnitudes.
    delta_m : float
        Bin width, magnitude units.
    correction : float
        Added to the most populated bin (0.2 after Woessner & Wiemer 2005).

    Returns
    -------
    float
        Mc, on the bin grid.
    """
    m = bin_magnitudes(_clean(magnitudes), delta_m)
    if m.size == 0:
        raise ValidationError(Problem(_("no magnitude to estimate Mc from")))
    values, counts = np.unique(m, return_counts=True)
    return float(np.round(values[int(np.argmax(counts))] + correction, 10))


def mc_b_stability(magnitudes: np.ndarray | pd.Series, delta_m: float,
                   method: str = "tinti_mulargia", span: float = 0.5,
                   min_events: int = 50) -> float:
    """Magnitude of completeness by b-value stability (Cao & Gao 2002).

    ``magnitudes`` and ``delta_m`` are as in :func:`mc_maximum_curvature`.

    Parameters
    ----------
    method : str
        b-value estimator.
    span : float
        Width of the cut-off range averaged (0.5: Mc … Mc + 0.4 for Δm = 0.1).
    min_events : int
        Fewest events above a trial Mc.

    Returns
    -------
    float
        The smallest stable Mc (the maximum-curvature value when none is stable).
    """
    m = np.sort(bin_magnitudes(_clean(magnitudes), delta_m))
    trials = np.round(np.arange(m.min(), m.max() + delta_m / 2, delta_m), 10)
    # n and mean of the magnitudes above each trial from suffix sums (one pass)
    first = np.searchsorted(m, trials - 1e-9)
    suffix = np.concatenate((np.cumsum(m[::-1])[::-1], [0.0]))
    suffix2 = np.concatenate((np.cumsum((m ** 2)[::-1])[::-1], [0.0]))
    n = (m.size - first).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = suffix[first] / n
        b = _b_from_mean(mean - trials, delta_m, method)
        variance = (suffix2[first] - n * mean ** 2) / (n * (n - 1))
        std = 2.30 * b ** 2 * np.sqrt(np.maximum(variance, 0.0))
    k = max(round(span / delta_m), 1)
    for i in np.flatnonzero(n >= min_events):
        window = b[i:i + k]
        if window.size == k and np.all(np.isfinite(window)) \
                and abs(window.mean() - b[i]) <= std[i]:
            return float(trials[i])
    return mc_maximum_curvature(m, delta_m)


def magnitude_of_completeness(magnitudes: np.ndarray | pd.Series, delta_m: float,
                              method: str = "maxc") -> float:
    """Mc by ``maxc`` (maximum curvature + 0.2) or ``mbs`` (b-value stability)."""
    if method == "maxc":
        return mc_maximum_curvature(magnitudes, delta_m)
    if method == "mbs":
        return mc_b_stability(magnitudes, delta_m)
    raise ValidationError(Problem(_("Mc method must be one of %(known)s, got %(method)r",
                                    known=MC_METHODS, method=method)))


def moving_b_value(catalogue: pd.DataFrame, magnitude: str, mc: float, delta_m: float,
                   window_events: int, step_events: int = 1,
                   method: str = "tinti_mulargia") -> pd.DataFrame:
    """b-value and activity rate over moving windows of events at or above Mc.

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Events with ``time`` and the magnitude column.
    magnitude : str
        Magnitude column (``ml``, ``mw``).
    mc : float
        Magnitude of completeness.
    delta_m : float
        Bin width.
    window_events : int
        Events per window.
    step_events : int
        Events between window ends.
    method : str
        b-value estimator.

    Returns
    -------
    pandas.DataFrame
        One row per window: ``time`` (of its last event), ``start`` (of its first),
        ``b``, ``b_std``, ``n``, ``rate_per_day`` (events ≥ Mc per day).
    """
    frame = catalogue[["time", magnitude]].dropna().sort_values("time", kind="stable")
    m = bin_magnitudes(np.array(frame[magnitude], float), delta_m)
    keep = m >= mc - 1e-9
    m = m[keep]
    t = pd.to_datetime(frame["time"], utc=True).to_numpy()[keep]
    if m.size < window_events:
        return pd.DataFrame(columns=["time", "start", "b", "b_std", "n", "rate_per_day"])
    c1 = np.concatenate(([0.0], np.cumsum(m)))
    c2 = np.concatenate(([0.0], np.cumsum(m ** 2)))
    ends = np.arange(window_events, m.size + 1, step_events)
    starts = ends - window_events
    mean = (c1[ends] - c1[starts]) / window_events
    b = _b_from_mean(mean - mc, delta_m, method)
    variance = ((c2[ends] - c2[starts]) - window_events * mean ** 2) \
        / (window_events * (window_events - 1))
    days = (t[ends - 1] - t[starts]) / np.timedelta64(1, "D")
    with np.errstate(divide="ignore"):
        rate = np.where(days > 0, window_events / days, np.inf)
    return pd.DataFrame({"time": pd.to_datetime(t[ends - 1], utc=True),
                         "start": pd.to_datetime(t[starts], utc=True), "b": b,
                         "b_std": 2.30 * b ** 2 * np.sqrt(np.maximum(variance, 0.0)),
                         "n": window_events, "rate_per_day": rate})


def activity_rate(catalogue: pd.DataFrame, period: str = "1D", magnitude: str | None = None,
                  mc: float | None = None) -> pd.Series:
    """Events per period (at or above Mc when given).

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Events with ``time``.
    period : str
        pandas frequency (``1D``, ``1W``...).
    magnitude : str, optional
        Magnitude column for the Mc cut.
    mc : float, optional
        Magnitude of completeness.

    Returns
    -------
    pandas.Series
        Count per period, indexed by the period start.
    """
    frame = catalogue
    if magnitude is not None and mc is not None:
        frame = frame[frame[magnitude] >= mc - 1e-9]
    times = pd.to_datetime(frame["time"], utc=True)
    return pd.Series(1, index=times).resample(period).sum().rename("events")


def cumulative_apparent_volume(catalogue: pd.DataFrame) -> pd.Series:
    """Running sum of the apparent volume in time order, m³ (events without one add 0)."""
    frame = catalogue.sort_values("time", kind="stable")
    return pd.Series(np.nancumsum(np.array(frame["apparent_volume"], float)),
                     index=pd.to_datetime(frame["time"], utc=True),
                     name="cumulative_apparent_volume")


def energy_index_trend(catalogue: pd.DataFrame, window_events: int) -> pd.DataFrame:
    """Energy index of every event and its moving mean of log10 over ``window_events``.

    The E–M0 line is fitted on the whole catalogue (:func:`fit_energy_moment`).

    Parameters
    ----------
    catalogue : pandas.DataFrame
        Events with ``time``, ``energy`` (J) and ``moment`` (N·m).
    window_events : int
        Events per moving window.

    Returns
    -------
    pandas.DataFrame
        ``time``, ``energy_index``, ``log_ei_mean`` (NaN until a window is full).
    """
    frame = catalogue[["time", "energy", "moment"]].dropna()
    frame = frame[(frame["energy"] > 0) & (frame["moment"] > 0)].sort_values("time",
                                                                            kind="stable")
    fit = fit_energy_moment(np.array(frame["energy"]), np.array(frame["moment"]))
    ei = energy_index(np.array(frame["energy"]), np.array(frame["moment"]), fit)
    log_mean = pd.Series(np.log10(ei)).rolling(window_events).mean().to_numpy()
    return pd.DataFrame({"time": pd.to_datetime(frame["time"], utc=True).to_numpy(),
                         "energy_index": ei, "log_ei_mean": log_mean})
