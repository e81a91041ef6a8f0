"""The cluster path at scale: block models written in parts by the workers, prospectivity
windows with bounded memory, and runs stopped by their progress callback."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine

from aurum.core.grid import BlockGrid
from aurum.prospect.layers import RasterGrid, raster_profile
from aurum.prospect.predict import predict_raster
from aurum.resources.estimate import (
    BLOCK_COLUMN,
    RESULT_COLUMNS,
    BlockModelParts,
    SearchNeighbourhood,
    estimate,
    part_path,
)
from aurum.resources.variogram import Structure, VariogramModel

distributed = pytest.importorskip("distributed")

MODEL = VariogramModel(0.1, (Structure("spherical", 0.9, (100, 100, 100)),))
GRID = BlockGrid((5.0, 5.0, 5.0), (10, 10, 10), (20, 20, 10))
SEARCH = SearchNeighbourhood((80, 80, 80), min_samples=4, max_samples=16, max_per_hole=4)
CHUNK = 100  # 4,000 blocks: parts of 1,600 blocks, the last one short


class Stop(Exception):
    """Raised by a progress callback to stop a run."""


def _stop(done: int, total: int) -> None:
    raise Stop


@pytest.fixture(scope="module")
def samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return rng.uniform(0, 200, (2000, 3)), rng.lognormal(size=2000), rng.integers(0, 50, 2000)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as c:
        yield c


def _nothing_left(client: Any) -> bool:
    """Whether the cluster holds no data of the runs, once the releases sent by the client
    (asynchronous) have reached the scheduler."""
    deadline = time.monotonic() + 10
    while client.who_has() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not client.who_has() and not client.futures


def _assert_same(ours: object, local: object) -> None:
    for name in RESULT_COLUMNS:
        np.testing.assert_array_equal(getattr(ours, name), getattr(local, name), err_msg=name)


def test_parts_on_the_cluster_equal_the_local_run(samples, client, tmp_path: Path) -> None:
    xyz, z, holes = samples
    local = estimate(xyz, z, GRID, SEARCH, "ordinary", MODEL, holes=holes, chunk=CHUNK)
    calls: list[tuple[int, int]] = []
    for run in range(3):  # repeated runs on one client
        calls.clear()
        parts = estimate(xyz, z, GRID, SEARCH, "ordinary", MODEL, holes=holes, chunk=CHUNK,
                         client=client, out=tmp_path / f"run{run}",
                         progress=lambda done, total: calls.append((done, total)))
        assert parts.parts == ((0, 1600), (1600, 3200), (3200, 4000))
        assert sorted(p.name for p in (tmp_path / f"run{run}").iterdir()) == [
            part_path(tmp_path, start).name for start, _ in parts.parts]
        assert calls[-1] == (4000, 4000) and len(calls) == 3
        parts.check()
        assert parts.estimated == local.estimated
        assert parts.dataset().schema.names == [BLOCK_COLUMN, *RESULT_COLUMNS]
        _assert_same(parts.to_result(), local)
        assert BlockModelParts.read(tmp_path / f"run{run}", GRID.n_blocks) == parts
    assert _nothing_left(client)


def test_local_parts_equal_the_cluster_parts(samples, client, tmp_path: Path) -> None:
    xyz, z, holes = samples
    here = estimate(xyz, z, GRID, SEARCH, "ordinary", MODEL, holes=holes, chunk=CHUNK,
                    out=tmp_path / "here")
    there = estimate(xyz, z, GRID, SEARCH, "ordinary", MODEL, holes=holes, chunk=CHUNK,
                     client=client, out=tmp_path / "there")
    assert here.parts == there.parts and here.estimated == there.estimated
    here.check()
    for start, _ in here.parts:
        assert (part_path(here.directory, start).read_bytes()
                == part_path(there.directory, start).read_bytes())


def test_a_directory_with_parts_is_refused(samples, tmp_path: Path) -> None:
    xyz, z, holes = samples
    estimate(xyz, z, GRID, SEARCH, "idw", holes=holes, chunk=CHUNK, out=tmp_path)
    with pytest.raises(ValueError, match="already holds parts"):
        estimate(xyz, z, GRID, SEARCH, "idw", holes=holes, chunk=CHUNK, out=tmp_path)


def test_the_check_finds_missing_and_repeated_blocks(samples, tmp_path: Path) -> None:
    xyz, z, holes = samples
    parts = estimate(xyz, z, GRID, SEARCH, "idw", holes=holes, chunk=CHUNK, out=tmp_path)
    gap = BlockModelParts(parts.directory, parts.n_blocks, (parts.parts[0], parts.parts[2]),
                          parts.estimated)
    with pytest.raises(ValueError, match="1600 to 3199 are in no part"):
        gap.check()
    short = BlockModelParts(parts.directory, parts.n_blocks + 1, parts.parts, parts.estimated)
    with pytest.raises(ValueError, match="4000 to 4000 are in no part"):
        short.check()
    overlap = BlockModelParts(parts.directory, parts.n_blocks,
                              (parts.parts[0], *parts.parts), parts.estimated)
    with pytest.raises(ValueError, match="block 0 is in two parts"):
        overlap.check()
    # A part copied onto another's range: its block column gives it away.
    shutil.copy(part_path(tmp_path, 0), part_path(tmp_path, 1600))
    with pytest.raises(ValueError, match="does not hold blocks 1600 to 3199 once each"):
        parts.check()


def test_a_stopped_run_leaves_no_task_on_the_cluster(samples, client, tmp_path: Path) -> None:
    xyz, z, holes = samples
    with pytest.raises(Stop):
        estimate(xyz, z, GRID, SEARCH, "ordinary", MODEL, holes=holes, chunk=CHUNK,
                 client=client, out=tmp_path, progress=_stop)
    assert _nothing_left(client)


class Ratio:
    """A picklable window model: the first layer over the second, NaN outside ``valid``."""

    band_names: tuple[str, ...] = ("ratio",)

    def __call__(self, layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray:
        out = np.where(valid, layers[0] / layers[1], np.nan)
        return out[None]


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("evidence")
    grid = RasterGrid("EPSG:32650", Affine(100, 0, 500_000, 0, -100, 4_000_000), 300, 520)
    rng = np.random.default_rng(3)
    paths = []
    for name in ("magnetics", "distance_to_fault"):
        values = rng.uniform(1, 10, (grid.height, grid.width)).astype(np.float32)
        values[rng.random(values.shape) < 0.05] = np.nan
        path = folder / f"{name}.tif"
        with rasterio.open(path, "w", **{**raster_profile(grid, 1), "nodata": np.nan}) as dst:
            dst.write(values, 1)
        paths.append(path)
    return paths


def test_prospect_windows_on_the_cluster_equal_the_local_prediction(
        evidence: list[Path], client, tmp_path: Path) -> None:
    local = predict_raster(Ratio(), evidence, tmp_path / "local.tif", chunk_cells=20_000)
    for run in range(2):
        remote = predict_raster(Ratio(), evidence, tmp_path / f"dask{run}.tif",
                                chunk_cells=20_000, client=client, max_in_flight=2)
        assert remote.windows == local.windows == 9
        assert remote.valid_cells == local.valid_cells
        with rasterio.open(tmp_path / "local.tif") as a, \
                rasterio.open(tmp_path / f"dask{run}.tif") as b:
            np.testing.assert_array_equal(a.read(), b.read())
    assert _nothing_left(client)


def test_a_stopped_prediction_leaves_no_window_on_the_cluster(
        evidence: list[Path], client, tmp_path: Path) -> None:
    with pytest.raises(Stop):
        predict_raster(Ratio(), evidence, tmp_path / "stopped.tif", chunk_cells=20_000,
                       client=client, max_in_flight=2, progress=_stop)
    assert _nothing_left(client)
