"""Drilling targets: high-prospectivity areas as ranked polygons with their statistics.

Cells at or above a prospectivity threshold (or in the best fraction of the study area) are
grouped into connected areas (8-connectivity: cells touching at a corner belong together),
each becomes a polygon (``rasterio.features.shapes``) carrying its statistics, computed in one
pass over the labelled cells with ``numpy.bincount``. Targets are ranked by the number of
deposits they are expected to hold, Σ P × cell area / unit cell, which weighs both how
prospective and how large a target is; ties go to the higher peak prospectivity.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from rasterio.features import shapes
from scipy.ndimage import label
from shapely.geometry import shape

from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.prospect.layers import Deposits, RasterGrid

EIGHT_NEIGHBOURS = np.ones((3, 3), int)
TARGET_COLUMNS = ("rank", "cells", "area_km2", "max_prospectivity", "mean_prospectivity",
                  "expected_deposits", "mean_std", "known_deposits", "centroid_x",
                  "centroid_y")


def cutoff_for_area(score: np.ndarray, area: np.ndarray, fraction: float) -> float:
    """The score above which lies a given fraction of the study area.

    Parameters
    ----------
    score : numpy.ndarray
        Prospectivity map.
    area : numpy.ndarray
        Study area (boolean).
    fraction : float
        Fraction of the study area (0–1, dimensionless).

    Returns
    -------
    float
        Score threshold (ties at it may take a little more area).
    """
    if not 0.0 < fraction <= 1.0:
        raise ValidationError(_("target area fraction must be in (0, 1], got %(fraction)s",
                                fraction=fraction))
    return float(np.quantile(np.ravel(score)[np.ravel(area)], 1.0 - fraction))


def extract_targets(score: np.ndarray, grid: RasterGrid, *, threshold: float,
                    area: np.ndarray | None = None, std: np.ndarray | None = None,
                    deposits: Deposits | None = None, unit_cell_km2: float = 1.0,
                    min_cells: int = 1) -> gpd.GeoDataFrame:
    """Connected areas of high prospectivity as ranked polygons.

    Parameters
    ----------
    score : numpy.ndarray
        Prospectivity (posterior probability per unit cell or a model score), grid shape.
    grid : RasterGrid
        Its grid.
    threshold : float
        Cells with score ≥ threshold are target cells (score units).
    area : numpy.ndarray, optional
        Study area (boolean); default the cells where the score is finite.
    std : numpy.ndarray, optional
        Standard deviation of the score (posterior std or ensemble spread); its mean per
        target is reported.
    deposits : Deposits, optional
        Known deposits, counted per target.
    unit_cell_km2 : float
        Unit cell for ``expected_deposits``, km².
    min_cells : int
        Smaller targets are dropped (raster cells).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per target, best first: :data:`TARGET_COLUMNS` and the polygon, in the
        grid's CRS. ``expected_deposits`` is meaningful for probabilities per unit cell.
    """
    score = np.asarray(score, float)
    inside = np.isfinite(score) if area is None else np.asarray(area, bool) & np.isfinite(score)
    chosen = inside & (score >= threshold)
    labels, n = label(chosen, structure=EIGHT_NEIGHBOURS)
    if n == 0:
        return _frame(pd.DataFrame(columns=list(TARGET_COLUMNS)), [], grid)
    ids = labels.ravel()
    keep = ids > 0
    ids_in, score_in = ids[keep], score.ravel()[keep]
    cells = np.bincount(ids_in, minlength=n + 1)
    peak = np.full(n + 1, -np.inf)
    np.maximum.at(peak, ids_in, score_in)
    total = np.bincount(ids_in, weights=score_in, minlength=n + 1)
    rows, cols = np.divmod(np.flatnonzero(keep), grid.width)
    x, y = grid.centres(rows, cols)
    stats = pd.DataFrame({
        "cells": cells, "area_km2": cells * grid.cell_area_km2, "max_prospectivity": peak,
        "mean_prospectivity": total / np.maximum(cells, 1),
        "expected_deposits": total * grid.cell_area_km2 / unit_cell_km2,
        "mean_std": (np.bincount(ids_in, weights=np.asarray(std, float).ravel()[keep],
                                 minlength=n + 1) / np.maximum(cells, 1)
                     if std is not None else np.full(n + 1, np.nan)),
        "known_deposits": (np.bincount(ids[deposits.cells], minlength=n + 1)
                           if deposits is not None else np.zeros(n + 1, np.int64)),
        "centroid_x": np.bincount(ids_in, weights=x, minlength=n + 1) / np.maximum(cells, 1),
        "centroid_y": np.bincount(ids_in, weights=y, minlength=n + 1) / np.maximum(cells, 1),
    }).iloc[1:]
    stats = stats[stats["cells"] >= min_cells]
    stats = stats.sort_values(["expected_deposits", "max_prospectivity"],
                              ascending=False, kind="stable")
    stats.insert(0, "rank", np.arange(1, len(stats) + 1))
    polygons: dict[int, list] = {}
    for geometry, value in shapes(labels.astype(np.int32), mask=chosen, connectivity=8,
                                  transform=grid.transform):
        polygons.setdefault(int(value), []).append(shape(geometry))
    geometries = [_merge(polygons[int(i)]) for i in stats.index]
    return _frame(stats.reset_index(drop=True)[list(TARGET_COLUMNS)], geometries, grid)


def _merge(parts: list) -> object:
    return parts[0] if len(parts) == 1 else gpd.GeoSeries(parts).union_all()


def _frame(stats: pd.DataFrame, geometries: list, grid: RasterGrid) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(stats, geometry=gpd.GeoSeries(geometries, index=stats.index),
                            crs=grid.crs)


def write_targets(targets: gpd.GeoDataFrame, path: str | Path, layer: str = "targets") -> None:
    """Write targets to a GeoPackage layer (replaced if it exists).

    Parameters
    ----------
    targets : geopandas.GeoDataFrame
        From :func:`extract_targets`.
    path : str or Path
        ``.gpkg`` file.
    layer : str
        Layer name.
    """
    targets.to_file(path, layer=layer, driver="GPKG")
