"""Window-by-window prediction, locally and on Dask, against the published posterior."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from aurum.core.errors import ValidationError
from aurum.prospect.layers import RasterGrid, read_layers, study_area
from aurum.prospect.predict import predict_raster, windows
from aurum.prospect.wofe import PosteriorModel, posterior_model, weights_table
from tests.prospect.conftest import RESPONSE_LAYERS, Reference

CHUNK = 1 << 18  # 128 rows of 1,259 cells: 20 windows over the reference grid


@pytest.fixture(scope="module")
def model(response: Reference) -> PosteriorModel:
    return posterior_model([
        weights_table(layer.values, response.area, response.deposits.cells, layer=layer.name,
                      cell_area_km2=layer.grid.cell_area_km2) for layer in response.layers])


def _paths(response: Reference) -> list[Path]:
    return [response.folder / f"{name}.tif" for name in RESPONSE_LAYERS]


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read()


def test_windows_cover_the_grid_once() -> None:
    grid = RasterGrid(None, Affine(100, 0, 0, 0, -100, 0), 1000, 1234)
    plan = windows(grid, chunk_cells=300_000)
    assert [w.height for w in plan] == [256] * 4 + [210]
    assert sum(w.height for w in plan) == 1234 and all(w.width == 1000 for w in plan)
    assert [w.height for w in windows(grid, chunk_cells=50_000)][:2] == [32, 32]


def test_posterior_by_windows_is_the_published_one(model: PosteriorModel, response: Reference,
                                                   tmp_path: Path) -> None:
    calls = []
    run = predict_raster(model, _paths(response), tmp_path / "post.tif", chunk_cells=CHUNK,
                         progress=lambda done, total: calls.append((done, total)))
    assert run.windows == 20 == len(calls) and calls[-1] == (20, 20)
    assert run.valid_cells == run.cells == 3_131_133
    assert run.band_names == ("posterior_probability", "posterior_std",
                              "posterior_confidence")
    ours = _read(tmp_path / "post.tif")
    for band, name in enumerate(("PosteriorProbability", "PosteriorProbability_StdDev",
                                 "PosteriorProbability_Conf")):
        np.testing.assert_allclose(ours[band], _read(response.folder / f"{name}.tif")[0],
                                   rtol=2e-7)


def test_dask_gives_the_same_raster(model: PosteriorModel, response: Reference,
                                    tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    predict_raster(model, _paths(response), tmp_path / "local.tif", chunk_cells=CHUNK)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        run = predict_raster(model, _paths(response), tmp_path / "dask.tif", chunk_cells=CHUNK,
                             client=client, max_in_flight=3)
    assert run.windows == 20
    np.testing.assert_array_equal(_read(tmp_path / "dask.tif"), _read(tmp_path / "local.tif"))


def test_other_grids_are_warped_by_window_only_when_asked(model: PosteriorModel,
                                                          response: Reference,
                                                          tmp_path: Path) -> None:
    layer = response.layer("StratNo")
    t = layer.grid.transform
    coarse = tmp_path / "StratNo.tif"
    with rasterio.open(coarse, "w", driver="GTiff", width=630, height=1244, count=1,
                       dtype="uint8", crs=layer.grid.crs, nodata=3,
                       transform=Affine(200, 0, t.c, 0, -200, t.f)) as dst:
        dst.write(np.ascontiguousarray(layer.values[::2, ::2]), 1)
    paths = [*_paths(response)[:3], coarse]
    with pytest.raises(ValidationError, match=r"StratNo\.tif: raster is on a different grid"):
        predict_raster(model, paths, tmp_path / "refused.tif")
    predict_raster(model, paths, tmp_path / "warped.tif", resampling="nearest",
                   chunk_cells=CHUNK)
    layers = read_layers(paths, resampling="nearest")
    area = study_area(layers)
    expected = np.where(area, model.components([v.values for v in layers])[0], np.nan)
    np.testing.assert_allclose(_read(tmp_path / "warped.tif")[0], expected, rtol=1e-6)


def test_mask_limits_the_prediction(model: PosteriorModel, response: Reference,
                                    tmp_path: Path) -> None:
    grid = response.layers[0].grid
    mask = np.zeros(grid.shape, np.uint8)
    mask[:, : grid.width // 2] = 1
    with rasterio.open(tmp_path / "mask.tif", "w", driver="GTiff", width=grid.width,
                       height=grid.height, count=1, dtype="uint8", crs=grid.crs,
                       transform=grid.transform) as dst:
        dst.write(mask, 1)
    run = predict_raster(model, _paths(response), tmp_path / "half.tif",
                         mask=tmp_path / "mask.tif", chunk_cells=CHUNK)
    assert run.valid_cells == int(mask.sum())
    half = _read(tmp_path / "half.tif")[0]
    assert np.isnan(half[:, grid.width // 2:]).all()
    assert np.isfinite(half[:, : grid.width // 2]).all()
