"""Validation of a block model: declustered statistics, swath plots and cross-validation.

* :func:`cell_declustering` follows GSLIB ``declus``: for each cell size, the origin is moved
  ``n_offsets`` times (by size / n_offsets, towards negative coordinates, from 0.01 below the
  data minimum), each sample weighs 1 / (samples in its cell) normalised per offset, and the
  weights are averaged over the offsets and scaled to sum to the number of samples.
* :func:`swath` compares, slice by slice along an axis, the mean of the estimated blocks with
  the (declustered) mean of the samples: the model should follow the data's trend.
* :func:`cross_validation` estimates every sample from the others, leaving out its whole
  drillhole by default (leave-one-hole-out: neighbours on the same hole flatter a model),
  with the same search and method as the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.resources.estimate import Method, SearchNeighbourhood, estimate_points
from aurum.resources.variogram import VariogramModel

DECLUS_ORIGIN_SHIFT = 0.01
"""GSLIB ``declus`` starts its first grid 0.01 (coordinate units) below the data minimum."""


@dataclass(frozen=True)
class Declustering:
    """Declustering weights (summing to the number of samples) and the table of cell sizes.

    Attributes
    ----------
    weights : numpy.ndarray
        Weight of each sample at the chosen cell size.
    cell_size : float
        Chosen cell size, m.
    mean : float
        Declustered mean at that size, in the samples' unit.
    table : pandas.DataFrame
        ``cell_size`` (m) and ``mean`` for every size tried.
    """

    weights: np.ndarray
    cell_size: float
    mean: float
    table: pd.DataFrame


def declustering_weights(xyz: np.ndarray, cell_size: float, n_offsets: int = 5,
                         anisotropy: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """Cell-declustering weights for one cell size (GSLIB ``declus``).

    Parameters
    ----------
    xyz : numpy.ndarray
        Sample coordinates, shape (n, 2) or (n, 3), m.
    cell_size : float
        Cell size along x, m.
    n_offsets : int
        Origin offsets averaged over.
    anisotropy : tuple of 2 float
        Cell size along y and z as multiples of the x size.

    Returns
    -------
    numpy.ndarray
        Weights summing to the number of samples.
    """
    pts = np.asarray(xyz, dtype=np.float64)
    n, dim = pts.shape
    sizes = cell_size * np.array([1.0, *anisotropy][:dim])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    step = np.minimum(sizes / n_offsets, 0.5 * (hi - lo))
    weights = np.zeros(n)
    for k in range(n_offsets):
        origin = lo - DECLUS_ORIGIN_SHIFT - k * step
        cells = ((pts - origin) / sizes).astype(np.int64)
        _, inverse, counts = np.unique(cells, axis=0, return_inverse=True,
                                       return_counts=True)
        w = 1.0 / counts[inverse.ravel()]
        weights += w / w.sum()
    return weights / weights.sum() * n


def cell_declustering(xyz: np.ndarray, values: np.ndarray, cell_sizes: np.ndarray,
                      n_offsets: int = 5, anisotropy: tuple[float, float] = (1.0, 1.0),
                      minimise: bool = True) -> Declustering:
    """Declustered mean over a range of cell sizes; keep the size giving the smallest mean
    (data clustered in high grades) or the largest (``minimise=False``).

    Parameters
    ----------
    xyz : numpy.ndarray
        Sample coordinates, m.
    values : numpy.ndarray
        Sample values (g/t, %...).
    cell_sizes : numpy.ndarray
        Cell sizes to try, m.
    n_offsets, anisotropy
        As in :func:`declustering_weights`.
    minimise : bool
        Choose the size of the minimum (True) or maximum declustered mean.
    """
    values = np.asarray(values, dtype=np.float64)
    means, all_weights = [], []
    for size in cell_sizes:
        w = declustering_weights(xyz, float(size), n_offsets, anisotropy)
        all_weights.append(w)
        means.append(float((w * values).sum() / w.sum()))
    pick = int(np.argmin(means) if minimise else np.argmax(means))
    table = pd.DataFrame({"cell_size": np.asarray(cell_sizes, dtype=float), "mean": means})
    return Declustering(all_weights[pick], float(cell_sizes[pick]), means[pick], table)


def swath(block_xyz: np.ndarray, block_values: np.ndarray, sample_xyz: np.ndarray,
          sample_values: np.ndarray, axis: int, width: float,
          sample_weights: np.ndarray | None = None) -> pd.DataFrame:
    """Mean of estimated blocks and of samples in slices along one axis.

    Parameters
    ----------
    block_xyz, sample_xyz : numpy.ndarray
        Coordinates, shape (n, 3), m.
    block_values, sample_values : numpy.ndarray
        Estimates (NaN = not estimated) and sample values, same unit.
    axis : int
        0 = x (easting), 1 = y (northing), 2 = z (elevation).
    width : float
        Slice width, m.
    sample_weights : numpy.ndarray, optional
        Declustering weights of the samples.

    Returns
    -------
    pandas.DataFrame
        ``centre`` (m), ``blocks``, ``block_mean``, ``samples``, ``sample_mean`` per slice.
    """
    keep = ~np.isnan(block_values)
    bx, bv = np.asarray(block_xyz)[keep, axis], np.asarray(block_values)[keep]
    sx, sv = np.asarray(sample_xyz)[:, axis], np.asarray(sample_values, dtype=float)
    sw = np.ones_like(sv) if sample_weights is None else np.asarray(sample_weights, float)
    lo = min(bx.min(initial=np.inf), sx.min(initial=np.inf))
    bi = np.floor((bx - lo) / width).astype(np.int64)
    si = np.floor((sx - lo) / width).astype(np.int64)
    n = int(max(bi.max(initial=-1), si.max(initial=-1))) + 1
    nb = np.bincount(bi, minlength=n)
    ns = np.bincount(si, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        block_mean = np.bincount(bi, weights=bv, minlength=n) / nb
        sample_mean = (np.bincount(si, weights=sv * sw, minlength=n)
                       / np.bincount(si, weights=sw, minlength=n))
    return pd.DataFrame({"centre": lo + (np.arange(n) + 0.5) * width, "blocks": nb,
                         "block_mean": block_mean, "samples": ns,
                         "sample_mean": sample_mean})


@dataclass(frozen=True)
class CrossValidation:
    """Cross-validation results.

    Attributes
    ----------
    table : pandas.DataFrame
        ``x, y, z, true, estimate, error`` (estimate − true), ``variance``,
        ``standardised_error`` per sample estimated.
    stats : dict
        ``n``, ``mean_error``, ``mean_squared_error``, ``correlation``, ``slope`` (of the
        regression of true on estimate; 1 = conditionally unbiased), ``mean_standardised_
        squared_error`` (about 1 when the kriging variance is right).
    """

    table: pd.DataFrame
    stats: dict[str, float]


def cross_validation(xyz: np.ndarray, values: np.ndarray, search: SearchNeighbourhood,
                     method: Method | str = Method.ORDINARY,
                     model: VariogramModel | None = None, mean: float | None = None,
                     power: float = 2.0, holes: np.ndarray | None = None) -> CrossValidation:
    """Leave-one-hole-out cross-validation (leave-one-out when ``holes`` is None).

    Parameters
    ----------
    xyz : numpy.ndarray
        Sample coordinates, shape (n, 3), m.
    values : numpy.ndarray
        Sample values.
    search, method, model, mean, power
        As for the block model (:func:`aurum.resources.estimate.estimate`).
    holes : numpy.ndarray, optional
        Integer hole id per sample.
    """
    xyz = np.asarray(xyz, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    ids = (np.asarray(holes, dtype=np.int64) if holes is not None
           else np.arange(len(values), dtype=np.int64))
    res = estimate_points(xyz, values, xyz, search, method, model, mean, power, ids, ids)
    ok = ~np.isnan(res.estimate)
    true, est, var = values[ok], res.estimate[ok], res.variance[ok]
    error = est - true
    # A zero kriging variance (a sample on top of another hole's) has no standardised error.
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(var > 0, error / np.sqrt(var), np.nan)
    table = pd.DataFrame({"x": xyz[ok, 0], "y": xyz[ok, 1], "z": xyz[ok, 2], "true": true,
                          "estimate": est, "error": error, "variance": var,
                          "standardised_error": std})
    varest = float(np.var(est))
    stats = {"n": int(ok.sum()), "mean_error": float(error.mean()),
             "mean_squared_error": float((error ** 2).mean()),
             "correlation": float(np.corrcoef(true, est)[0, 1]),
             "slope": float(np.cov(true, est, bias=True)[0, 1] / varest) if varest else np.nan,
             "mean_standardised_squared_error": (float(np.nanmean(std ** 2))
                                                 if np.isfinite(std).any() else np.nan)}
    return CrossValidation(table, stats)
