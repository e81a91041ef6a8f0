"""Evidence layers: grids, resampling, deposits, study area, vector-derived rasters."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from shapely.geometry import LineString, Point, box

from aurum.core.errors import ValidationError
from aurum.prospect.layers import (
    RasterGrid,
    deposits_from_xy,
    distance_to_features,
    feature_density,
    mask_from_polygons,
    read_deposits,
    read_layer,
    read_layers,
    study_area,
)
from tests.prospect.conftest import Reference

GDA2020_LAMBERT = CRS.from_epsg(7845)


def _write(path: Path, values: np.ndarray, transform: Affine, crs: CRS = GDA2020_LAMBERT,
           nodata: float | None = None) -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1],
                       height=values.shape[0], count=1, dtype=values.dtype, crs=crs,
                       transform=transform, nodata=nodata) as dst:
        dst.write(values, 1)
    return path


def _coarse_copy(ref: Reference, name: str, path: Path) -> tuple[Path, np.ndarray]:
    """The layer on a 200 m grid (every other cell), same origin."""
    layer = ref.layer(name)
    coarse = np.ascontiguousarray(layer.values[::2, ::2])
    t = layer.grid.transform
    return _write(path, coarse, Affine(200, 0, t.c, 0, -200, t.f)), coarse


def test_rasters_on_other_grids_need_a_resampling_method(response: Reference,
                                                         tmp_path: Path) -> None:
    coarse_path, coarse = _coarse_copy(response, "StratNo", tmp_path / "StratNo200.tif")
    fine = response.folder / "Dist2Breccia.tif"
    with pytest.raises(ValidationError) as refused:
        read_layers([fine, coarse_path])
    message = str(refused.value)
    assert "StratNo200.tif" in message and "different grid" in message
    assert "200 × 200 m cells" in message and "resampling" in message
    layers = read_layers([fine, coarse_path], resampling="nearest")
    grid = layers[0].grid
    # nearest: every 100 m cell takes the value of the 200 m cell holding its centre
    rows, cols = np.indices(grid.shape)
    inside = (rows // 2 < coarse.shape[0]) & (cols // 2 < coarse.shape[1])
    expected = coarse[np.minimum(rows // 2, coarse.shape[0] - 1),
                      np.minimum(cols // 2, coarse.shape[1] - 1)]
    np.testing.assert_array_equal(layers[1].values[inside], expected[inside])
    assert layers[1].values.dtype == coarse.dtype
    assert layers[1].valid[inside].all()
    with pytest.raises(ValidationError, match="unknown resampling method 'closest'"):
        read_layers([fine, coarse_path], resampling="closest")


def test_another_crs_is_another_grid(response: Reference, tmp_path: Path) -> None:
    layer = response.layer("FaultDensity")
    other = _write(tmp_path / "utm.tif", layer.values, layer.grid.transform,
                   crs=CRS.from_epsg(28354))
    with pytest.raises(ValidationError, match="EPSG:28354"):
        read_layer(other, layer.grid)


def test_bilinear_resampling_of_a_linear_field(tmp_path: Path) -> None:
    """A plane sampled on a 200 m grid and put on a 100 m grid with bilinear interpolation
    is the plane again (away from the edges)."""
    def plane(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return 3.0 * x - 2.0 * y + 7.0

    coarse_t = Affine(200, 0, 0, 0, -200, 4000)
    rows, cols = np.indices((20, 20))
    cx, cy = coarse_t @ (cols + 0.5, rows + 0.5)
    path = _write(tmp_path / "plane.tif", plane(cx, cy).astype(np.float64), coarse_t)
    grid = RasterGrid(GDA2020_LAMBERT, Affine(100, 0, 0, 0, -100, 4000), 40, 40)
    layer = read_layer(path, grid, resampling="bilinear")
    fine_rows, fine_cols = np.indices(grid.shape)
    fx, fy = grid.centres(fine_rows, fine_cols)
    core = (slice(2, -2), slice(2, -2))
    np.testing.assert_allclose(layer.values[core], plane(fx, fy)[core], rtol=1e-9)


def test_deposits_in_another_crs_land_in_the_same_cells(response: Reference,
                                                        tmp_path: Path) -> None:
    frame = gpd.read_file(response.folder / "IOCG_Deposits.shp").to_crs(4326)
    frame.to_file(tmp_path / "deposits.gpkg", driver="GPKG")
    again = read_deposits(tmp_path / "deposits.gpkg", response.layers[0].grid, response.area)
    np.testing.assert_array_equal(again.cells, response.deposits.cells)


def test_deposits_outside_the_study_area_are_refused(response: Reference,
                                                     tmp_path: Path) -> None:
    grid = response.layers[0].grid
    frame = gpd.read_file(response.folder / "IOCG_Deposits.shp")
    frame.loc[[4, 9], "geometry"] = [Point(100_000.0, -2_300_000.0),
                                     Point(650_000.0, -2_000_000.0)]
    frame.to_file(tmp_path / "moved.gpkg", driver="GPKG")
    with pytest.raises(ValidationError) as refused:
        read_deposits(tmp_path / "moved.gpkg", grid, response.area)
    problems = refused.value.problems
    assert [p.message.split(" at ")[0] for p in problems] == ["feature 5", "feature 10"]
    assert all("outside the study area (off the grid)" in p.message for p in problems)
    assert problems[0].source == str(tmp_path / "moved.gpkg")
    # masked out: a study area without the first deposit's cell
    area = response.area.copy()
    area[response.deposits.rows[0], response.deposits.cols[0]] = False
    with pytest.raises(ValidationError, match=r"feature 1 at .*masked out"):
        deposits_from_xy(response.deposits.x, response.deposits.y, grid, area)


def test_deposits_must_be_points(tmp_path: Path) -> None:
    grid = RasterGrid(GDA2020_LAMBERT, Affine(100, 0, 0, 0, -100, 1000), 10, 10)
    gpd.GeoDataFrame(geometry=[LineString([(0, 0), (500, 500)])],
                     crs=GDA2020_LAMBERT).to_file(tmp_path / "lines.gpkg", driver="GPKG")
    with pytest.raises(ValidationError, match="feature 1 is a LineString; deposits must be"):
        read_deposits(tmp_path / "lines.gpkg", grid, np.ones(grid.shape, bool))


def test_study_area_from_mask_and_nodata(tmp_path: Path) -> None:
    t = Affine(100, 0, 0, 0, -100, 1000)
    values = np.arange(100, dtype=np.int32).reshape(10, 10)
    values[0, 0] = -1
    layer = read_layer(_write(tmp_path / "a.tif", values, t, nodata=-1))
    polygon = gpd.GeoDataFrame(geometry=[box(0, 500, 500, 1000)], crs=GDA2020_LAMBERT)
    mask = mask_from_polygons(polygon, layer.grid)
    assert mask.sum() == 25
    area = study_area([layer], mask)
    assert area.sum() == 24 and not area[0, 0]
    with pytest.raises(ValidationError, match="study area is empty"):
        study_area([layer], np.zeros((10, 10), bool))


def test_distance_to_a_line(tmp_path: Path) -> None:
    grid = RasterGrid(GDA2020_LAMBERT, Affine(100, 0, 0, 0, -100, 3000), 30, 30)
    fault = gpd.GeoDataFrame(geometry=[LineString([(1050, 0), (1050, 3000)])],
                             crs=GDA2020_LAMBERT)
    distance = distance_to_features(fault, grid)
    # the line runs through column 10: distance between cell centres to that column
    expected = np.abs(np.arange(30) - 10) * 100.0
    np.testing.assert_array_equal(distance, np.broadcast_to(expected, (30, 30)))


def test_density_of_points_and_lines() -> None:
    grid = RasterGrid(GDA2020_LAMBERT, Affine(100, 0, 0, 0, -100, 20_000), 200, 200)
    # one point per 1 km² (a point at every km node): 1 per km² away from the edges
    xs, ys = np.meshgrid(np.arange(500, 20_000, 1000.0), np.arange(500, 20_000, 1000.0))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()),
                              crs=GDA2020_LAMBERT)
    density = feature_density(points, grid, radius_m=5_000)
    assert density[100, 100] == pytest.approx(1.0, rel=0.05)
    # a straight line: 2 r of line in a disc of radius r centred on it
    line = gpd.GeoDataFrame(geometry=[LineString([(10_050, 0), (10_050, 20_000)])],
                            crs=GDA2020_LAMBERT)
    radius = 3_000.0
    lines = feature_density(line, grid, radius_m=radius)
    expected = (2 * radius / 1e3) / (math.pi * (radius / 1e3) ** 2)
    assert lines[100, 100] == pytest.approx(expected, rel=0.02)
    assert lines[100, 190] == 0.0
    with pytest.raises(ValidationError, match="radius must be > 0"):
        feature_density(line, grid, radius_m=0)
