"""Compositing by length within domains, and top-cut (capping) analysis.

Compositing rule
----------------
Intervals are grouped into *runs*: consecutive intervals of one hole, in one domain, with no
gap between them (a gap or a domain change ends a run; composites never straddle either).
Composites of the chosen length start at the top of each run. The residual at the bottom of a
run (shorter than the composite length) is kept as a composite of its own when it is at least
``min_residual × length`` (half the composite length by default); a shorter residual is, with
``residual="merge"`` (the default, the usual practice), added to the composite above it, or,
with ``residual="drop"``, discarded. A run shorter than the threshold forms one composite
under ``merge`` and none under ``drop``.

Each grade is the length-weighted mean of the parts of intervals inside the composite that have
a value; ``<grade>_sampled`` gives the length those parts cover, m. With ``merge``, metal
(grade × sampled length) is conserved exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import ndtri

from aurum.core.i18n import _

DEPTH_TOLERANCE = 1e-6
"""Depths closer than this are equal, m."""


def composite_by_length(intervals: pd.DataFrame, length: float, *, domain: str | None = None,
                        grades: Sequence[str] | None = None,
                        residual: Literal["merge", "drop"] = "merge",
                        min_residual: float = 0.5) -> pd.DataFrame:
    """Length composites within runs of one hole and one domain (see the module docstring).

    Parameters
    ----------
    intervals : pandas.DataFrame
        ``hole, from, to`` (m) and grade columns (g/t or %, NaN = not assayed), intervals of a
        hole not overlapping (as :func:`~aurum.resources.drillholes.read_drillholes` gives).
    length : float
        Composite length, m.
    domain : str, optional
        Column whose changes end a run (a lithology or domain code).
    grades : sequence of str, optional
        Grade columns; by default every numeric column besides ``from`` and ``to``.
    residual : {"merge", "drop"}
        Fate of a residual shorter than ``min_residual × length``: added to the composite above,
        or discarded.
    min_residual : float
        Shortest residual kept as a composite of its own, as a fraction of ``length``.

    Returns
    -------
    pandas.DataFrame
        ``hole, from, to, length`` (m), the domain column if given, then for each grade the
        composite grade and ``<grade>_sampled`` (m); holes in order of first appearance,
        composites by depth.
    """
    if not length > 0:
        raise ValueError(_("composite length must be > 0 m, got %(length)s", length=length))
    if residual not in ("merge", "drop"):
        raise ValueError(f"residual must be 'merge' or 'drop', got {residual!r}")
    if not 0.0 <= min_residual <= 1.0:
        raise ValueError(f"min_residual must be within 0…1, got {min_residual}")
    if grades is None:
        grades = [c for c in intervals.columns if c not in ("from", "to", domain)
                  and pd.api.types.is_numeric_dtype(intervals[c])]
    hole_code = pd.factorize(intervals["hole"])[0]
    order = np.lexsort((intervals["from"].to_numpy(dtype=float), hole_code))
    frame = intervals.iloc[order].reset_index(drop=True)
    hole_code = hole_code[order]
    top = frame["from"].to_numpy(dtype=float)
    bottom = frame["to"].to_numpy(dtype=float)
    brk = hole_code[1:] != hole_code[:-1]
    brk |= top[1:] > bottom[:-1] + DEPTH_TOLERANCE
    if domain is not None:
        code = pd.factorize(frame[domain], use_na_sentinel=False)[0]
        brk |= code[1:] != code[:-1]
    first = np.flatnonzero(np.r_[True, brk])
    last = np.r_[first[1:] - 1, len(frame) - 1]
    run = np.cumsum(np.r_[True, brk]) - 1

    run_top, run_bottom = top[first], bottom[last]
    span = run_bottom - run_top
    n_full = np.floor((span + DEPTH_TOLERANCE) / length).astype(np.int64)
    rest = span - n_full * length
    has_rest = rest > DEPTH_TOLERANCE
    short = has_rest & (rest < min_residual * length - DEPTH_TOLERANCE)
    if residual == "merge":
        n_comp = np.where(short, np.maximum(n_full, 1), n_full + has_rest)
    else:
        n_comp = n_full + (has_rest & ~short)
    to_end = ~(short & (residual == "drop"))

    which = np.repeat(np.arange(first.size), n_comp)
    offset = np.cumsum(n_comp) - n_comp
    k = np.arange(which.size) - offset[which]
    c_top = run_top[which] + k * length
    c_bottom = c_top + length
    tail = k == n_comp[which] - 1
    c_bottom = np.where(tail & to_end[which], run_bottom[which], c_bottom)

    # Cumulative metal along a coordinate u in which runs follow each other 1 m apart.
    origin = np.cumsum(span + 1.0) - (span + 1.0)
    shift = origin - run_top
    knots = np.empty(len(frame) + first.size)
    at_start = first + np.arange(first.size)
    at_end = np.arange(len(frame)) + run + 1
    knots[at_start] = origin
    knots[at_end] = bottom + shift[run]
    u_top, u_bottom = c_top + shift[which], c_bottom + shift[which]

    out = pd.DataFrame({"hole": frame["hole"].to_numpy(dtype=object)[first][which],
                        "from": c_top, "to": c_bottom, "length": c_bottom - c_top})
    if domain is not None:
        out[domain] = frame[domain].to_numpy(dtype=object)[first][which]
    for g in grades:
        value = frame[g].to_numpy(dtype=float)
        sampled = np.where(np.isnan(value), 0.0, bottom - top)
        metal = np.where(np.isnan(value), 0.0, value * (bottom - top))
        got_len = _between(knots, at_start, at_end, first, sampled, u_top, u_bottom)
        got_metal = _between(knots, at_start, at_end, first, metal, u_top, u_bottom)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[g] = np.where(got_len > DEPTH_TOLERANCE, got_metal / got_len, np.nan)
        out[f"{g}_sampled"] = got_len
    return out


def _between(knots: np.ndarray, at_start: np.ndarray, at_end: np.ndarray, first: np.ndarray,
             amount: np.ndarray, u_top: np.ndarray, u_bottom: np.ndarray) -> np.ndarray:
    """Amount accumulated between ``u_top`` and ``u_bottom``, linear within each interval."""
    total = np.cumsum(amount)
    level = np.empty(knots.size)
    level[at_end] = total
    level[at_start] = total[first] - amount[first]
    return np.interp(u_bottom, knots, level) - np.interp(u_top, knots, level)


def _weighted(values: Sequence[float] | np.ndarray,
              weights: Sequence[float] | np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != v.shape:
        raise ValueError(f"{w.size} weights for {v.size} values; expected one weight each")
    keep = ~np.isnan(v)
    if (w[keep] < 0).any():
        raise ValueError("weights must be ≥ 0 (lengths, m)")
    order = np.argsort(v[keep], kind="stable")
    return v[keep][order], w[keep][order]


def log_probability(values: Sequence[float] | np.ndarray,
                    weights: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Points of a log-probability plot (grade on a log axis against normal scores).

    Parameters
    ----------
    values : array_like
        Grades (g/t or %); NaN values are left out.
    weights : array_like, optional
        Sample lengths, m; equal weights by default.

    Returns
    -------
    pandas.DataFrame
        ``value, weight, cumulative, normal_score`` in increasing value: ``cumulative`` is the
        weighted plotting position (Hazen: (W below + w/2) / W total), ``normal_score`` the
        standard normal quantile of it. Values ≤ 0 are kept; a log axis cannot show them.
    """
    v, w = _weighted(values, weights)
    cumulative = (np.cumsum(w) - 0.5 * w) / w.sum()
    return pd.DataFrame({"value": v, "weight": w, "cumulative": cumulative,
                         "normal_score": ndtri(cumulative)})


def top_cut_analysis(values: Sequence[float] | np.ndarray,
                     weights: Sequence[float] | np.ndarray | None,
                     caps: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Effect of capping grades at each candidate top cut.

    Parameters
    ----------
    values : array_like
        Grades (g/t or %); NaN values are left out.
    weights : array_like or None
        Sample lengths, m (None: equal weights).
    caps : array_like
        Candidate top cuts, in the unit of ``values``.

    Returns
    -------
    pandas.DataFrame
        One row per cap: ``cap``, ``n_capped`` (samples above the cap), ``mean_before``,
        ``mean_after`` (weighted means without and with the cap), ``cv_before``, ``cv_after``
        (weighted standard deviation / mean) and ``metal_removed_pct`` (100 × (1 − mean_after /
        mean_before), %).
    """
    v, w = _weighted(values, weights)
    cap = np.asarray(caps, dtype=float)
    total = w.sum()
    mean = float(np.dot(w, v) / total)
    d = v - mean                                  # moments about the uncapped mean
    cw, cd, cd2 = (np.r_[0.0, np.cumsum(x)] for x in (w, w * d, w * d * d))
    below = np.searchsorted(v, cap, side="right")
    above_w = total - cw[below]
    dc = cap - mean
    m1 = (cd[below] + above_w * dc) / total
    m2 = (cd2[below] + above_w * dc * dc) / total
    mean_after = mean + m1
    cv_before = np.sqrt(cd2[-1] / total) / mean
    return pd.DataFrame({
        "cap": cap,
        "n_capped": v.size - below,
        "mean_before": mean,
        "mean_after": mean_after,
        "cv_before": cv_before,
        "cv_after": np.sqrt(np.maximum(m2 - m1 * m1, 0.0)) / mean_after,
        "metal_removed_pct": 100.0 * (1.0 - mean_after / mean),
    })
