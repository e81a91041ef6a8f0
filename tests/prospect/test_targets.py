"""Drilling targets from the published posterior: polygons, statistics, ranking, GeoPackage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from affine import Affine

from aurum.prospect.layers import RasterGrid, read_layer
from aurum.prospect.targets import (
    TARGET_COLUMNS,
    cutoff_for_area,
    extract_targets,
    write_targets,
)
from tests.prospect.conftest import Reference


def test_targets_of_the_published_posterior(response: Reference, mpm: Path,
                                            tmp_path: Path) -> None:
    layer = read_layer(mpm / "CalculateAUC" / "PosteriorProbability.tif")
    score = np.where(layer.valid, layer.values, np.nan)
    std = read_layer(response.folder / "PosteriorProbability_StdDev.tif").values
    found = extract_targets(score, layer.grid, threshold=0.1, std=std,
                            deposits=response.deposits)
    chosen = score >= 0.1
    assert found["cells"].sum() == chosen.sum()
    assert found["area_km2"].sum() == pytest.approx(chosen.sum() * 0.01)
    # the published AUC table: 33 deposits score at least 0.1
    table = pd.read_csv(mpm / "CalculateAUC" / "IOCG_PostProb_AUC.csv")
    assert found["known_deposits"].sum() == 33 == int(
        table.loc[np.isclose(table["thresholds.thresholds"], 0.1),
                  "thresholds.true.positives"].iloc[0])
    np.testing.assert_allclose(found.geometry.area / 1e6, found["area_km2"], rtol=1e-9)
    assert list(found["rank"]) == list(range(1, len(found) + 1))
    assert found["expected_deposits"].is_monotonic_decreasing
    np.testing.assert_allclose(found["expected_deposits"],
                               found["mean_prospectivity"] * found["area_km2"], rtol=1e-9)
    assert (found["max_prospectivity"] >= 0.1).all() and (found["mean_std"] > 0).all()
    centroids = gpd.GeoSeries(gpd.points_from_xy(found["centroid_x"], found["centroid_y"]),
                              crs=found.crs)
    # the centroid of a union of equal squares is the mean of their centres
    np.testing.assert_allclose(centroids.x, found.geometry.centroid.x, atol=1e-3)
    np.testing.assert_allclose(centroids.y, found.geometry.centroid.y, atol=1e-3)
    write_targets(found, tmp_path / "targets.gpkg")
    again = gpd.read_file(tmp_path / "targets.gpkg", layer="targets")
    assert list(again.columns) == [*TARGET_COLUMNS, "geometry"]
    assert len(again) == len(found) and again.crs == found.crs
    assert cutoff_for_area(score, layer.valid, 0.0142) == pytest.approx(0.1211810, rel=1e-6)


def test_corner_neighbours_form_one_target() -> None:
    grid = RasterGrid(None, Affine(100, 0, 0, 0, -100, 1000), 10, 10)
    score = np.zeros((10, 10))
    score[1:3, 1:3] = 0.8  # a 2 × 2 block ...
    score[3, 3] = 0.9  # ... touching this cell at a corner
    score[7:9, 6:9] = 0.5  # apart: 6 cells
    found = extract_targets(score, grid, threshold=0.5, unit_cell_km2=0.01)
    assert list(found["cells"]) == [5, 6]
    assert list(found["expected_deposits"]) == pytest.approx([4.1, 3.0])
    assert list(found["max_prospectivity"]) == [0.9, 0.5]
    assert extract_targets(score, grid, threshold=0.5, min_cells=6)["cells"].tolist() == [6]
    assert extract_targets(score, grid, threshold=0.95).empty
