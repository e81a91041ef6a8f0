"""Prediction over rasters too large for memory: window by window, locally or on Dask.

The evidence GeoTIFFs are read through rasterio one window (a strip of whole rows, a multiple
of the 256-row tiles when it can) at a time; a file on another grid is warped onto the model
grid window by window (``WarpedVRT``) with the resampling method the caller chose. The model
maps the window's layers to output bands, which are written into a tiled float32 GeoTIFF.
Memory holds one window of evidence and output per window in flight, whatever the raster
size.

With a ``dask.distributed`` client, windows become tasks: each task opens the files itself
(datasets are not picklable), reads its window and applies the model, which is scattered to
the workers once; at most ``max_in_flight`` windows are pending at a time and the client
writes results as they complete, so memory stays bounded on both sides (the client holds at
most ``max_in_flight`` windows of bands, whatever the raster size). The workers do not write
the GeoTIFF themselves: GDAL does not support writes to one file from several processes. A
run that stops (the progress callback raises, a job is cancelled) cancels its windows on the
cluster.

A model is any picklable callable ``model(layers, valid) -> bands`` with a ``band_names``
attribute: :class:`aurum.prospect.ml.EstimatorModel`, :class:`aurum.prospect.ml.Ensemble`,
:class:`aurum.prospect.wofe.PosteriorModel`.

Why not ``dask.array`` over ``rioxarray``: neither is a dependency of the project, and the
window loop above is short; it runs the same function with or without a cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.prospect.layers import RasterGrid, check_grids, grid_of, raster_profile

TILE = 256
DEFAULT_CHUNK_CELLS = 1 << 21
"""Cells per window by default (2 Mi: 16 MiB per float64 layer)."""
DEFAULT_CACHE_MIB = 64
"""GDAL block cache during a prediction, MiB."""


class WindowModel(Protocol):
    """What :func:`predict_raster` applies to each window."""

    band_names: tuple[str, ...]

    def __call__(self, layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Source:
    """One raster to read on the model grid.

    Parameters
    ----------
    path : str
        File.
    resampling : str or None
        Method to warp it onto the grid, None when it is on the grid already.
    """

    path: str
    resampling: str | None


@dataclass(frozen=True)
class PredictionRun:
    """What a prediction did.

    Parameters
    ----------
    path : str
        Output GeoTIFF.
    band_names : tuple of str
        Its bands.
    cells : int
        Cells of the grid.
    valid_cells : int
        Cells predicted (inside the mask, data in every layer).
    windows : int
        Windows processed.
    seconds : float
        Wall-clock time, s.
    """

    path: str
    band_names: tuple[str, ...]
    cells: int
    valid_cells: int
    windows: int
    seconds: float


def windows(grid: RasterGrid, chunk_cells: int = DEFAULT_CHUNK_CELLS) -> list[Window]:
    """Strips of whole rows covering the grid, at most about ``chunk_cells`` cells each.

    Parameters
    ----------
    grid : RasterGrid
        The grid.
    chunk_cells : int
        Target cells per window. Strips are a multiple of 256 rows, or a power of two below
        that, so that they never split a 256-row tile of the inputs between two windows.
    """
    rows = max(1, chunk_cells // grid.width)
    rows = rows - rows % TILE if rows >= TILE else 1 << (rows.bit_length() - 1)
    return [Window(0, r, grid.width, min(rows, grid.height - r))
            for r in range(0, grid.height, rows)]


def predict_raster(model: WindowModel, evidence: Sequence[str | Path], out_path: str | Path,
                   *, grid: RasterGrid | None = None, resampling: str | None = None,
                   mask: str | Path | None = None, chunk_cells: int = DEFAULT_CHUNK_CELLS,
                   client: Any = None, max_in_flight: int | None = None,
                   cache_mib: int = DEFAULT_CACHE_MIB,
                   progress: Callable[[int, int], None] | None = None) -> PredictionRun:
    """Apply a model to evidence rasters window by window and write its bands.

    Parameters
    ----------
    model : WindowModel
        ``model(layers, valid) -> bands`` (float, shape (n_bands, rows, cols)).
    evidence : sequence of str or Path
        GeoTIFFs, in the model's layer order.
    out_path : str or Path
        Output GeoTIFF (float32, NaN outside the study area), one band per model band.
    grid : RasterGrid, optional
        Model grid; default the grid of the first file.
    resampling : str, optional
        Method for files (and the mask) on another grid; without it they are refused.
    mask : str or Path, optional
        Study-area raster: its valid non-zero cells. Default: cells with data in every
        layer.
    chunk_cells : int
        Cells per window.
    client : dask.distributed.Client, optional
        Run the windows on this cluster.
    max_in_flight : int, optional
        Windows pending on the cluster at once (default twice its threads).
    cache_mib : int
        GDAL block cache of the process (and of each worker) during the run, MiB. GDAL's
        default is 5 % of the RAM, so the bound would depend on the machine; the windows are
        aligned on the tiles, so a small cache costs nothing (the same run took the same
        time with 64 MiB and 1,178 MiB here).
    progress : callable, optional
        ``progress(done, total)`` after each window.

    Returns
    -------
    PredictionRun

    Raises
    ------
    ValidationError
        Rasters on another grid without a resampling method, unreadable files.
    """
    if not evidence:
        raise ValidationError(_("no evidence raster given"))
    reference = Path(evidence[0]).name if grid is None else _("the given grid")
    grid = grid or grid_of(evidence[0])
    paths = [str(p) for p in evidence] + ([str(mask)] if mask is not None else [])
    off = check_grids(paths, grid, resampling, reference)
    sources = tuple(Source(p, resampling if o else None) for p, o in zip(paths, off,
                                                                         strict=True))
    layer_sources, mask_source = (sources[:-1], sources[-1]) if mask is not None else (
        sources, None)
    plan = windows(grid, chunk_cells)
    bands = tuple(model.band_names)
    t0 = time.perf_counter()
    valid_cells = 0
    # closing(): a run stopped by an exception ends its windows at once, not when the
    # traceback that holds this frame is freed.
    with rasterio.Env(GDAL_CACHEMAX=cache_mib), ExitStack() as stack, \
            rasterio.open(out_path, "w", **raster_profile(grid, len(bands))) as dst:
        for i, name in enumerate(bands, start=1):
            dst.set_band_description(i, name)
        results = stack.enter_context(closing(
            _run_local(model, layer_sources, mask_source, grid, plan) if client is None
            else _run_dask(client, model, layer_sources, mask_source, grid, plan,
                           max_in_flight, cache_mib)))
        for done, (window, out, n_valid) in enumerate(results, start=1):
            dst.write(out, window=window)
            valid_cells += n_valid
            if progress is not None:
                progress(done, len(plan))
    return PredictionRun(str(out_path), bands, grid.n_cells, valid_cells, len(plan),
                         time.perf_counter() - t0)


def _run_local(model: WindowModel, layers: Sequence[Source], mask: Source | None,
               grid: RasterGrid, plan: Sequence[Window],
               ) -> Generator[tuple[Window, np.ndarray, int], None, None]:
    with ExitStack() as stack:
        readers = [_reader(stack, s, grid) for s in layers]
        mask_reader = _reader(stack, mask, grid) if mask is not None else None
        for window in plan:
            yield (window, *_apply(model, readers, mask_reader, window))


def _run_dask(client: Any, model: WindowModel, layers: Sequence[Source], mask: Source | None,
              grid: RasterGrid, plan: Sequence[Window], max_in_flight: int | None,
              cache_mib: int) -> Generator[tuple[Window, np.ndarray, int], None, None]:
    from distributed import as_completed

    limit = max_in_flight or 2 * max(1, sum(client.nthreads().values()))
    # A key of this call's own (hash=False): a content-hashed key would be shared with a
    # previous call's model, released meanwhile (see aurum.resources.estimate).
    shared = client.scatter(model, broadcast=True, hash=False)
    pending = iter(plan)

    def submit(window: Window) -> Any:
        return client.submit(_predict_window, shared, layers, mask, grid, window, cache_mib,
                             pure=False)

    flow = as_completed([submit(w) for _, w in zip(range(limit), pending, strict=False)])
    try:
        for future in flow:
            yield future.result()
            future.release()
            following = next(pending, None)
            if following is not None:
                flow.add(submit(following))
    finally:
        # A stopped run (the progress callback raised, a cancelled job) leaves no window
        # running on the cluster, and the model's copies go with it.
        client.cancel([*flow.futures, shared])


def _predict_window(model: WindowModel, layers: Sequence[Source], mask: Source | None,
                    grid: RasterGrid, window: Window, cache_mib: int,
                    ) -> tuple[Window, np.ndarray, int]:
    """One window on a worker: open, read, apply."""
    with rasterio.Env(GDAL_CACHEMAX=cache_mib), ExitStack() as stack:
        readers = [_reader(stack, s, grid) for s in layers]
        mask_reader = _reader(stack, mask, grid) if mask is not None else None
        return (window, *_apply(model, readers, mask_reader, window))


def _apply(model: WindowModel, readers: Sequence[Any], mask_reader: Any | None,
           window: Window) -> tuple[np.ndarray, int]:
    values, valid = [], np.ones((int(window.height), int(window.width)), bool)
    for reader in readers:
        band = reader.read(1, window=window, masked=True)
        values.append(np.asarray(band.data))
        valid &= ~np.ma.getmaskarray(band)
        if band.dtype.kind == "f":
            valid &= ~np.isnan(band.data)
    if mask_reader is not None:
        band = mask_reader.read(1, window=window, masked=True)
        valid &= ~np.ma.getmaskarray(band) & (np.asarray(band.data) != 0)
    out = np.asarray(model(values, valid), np.float32)
    return out, int(valid.sum())


def _reader(stack: ExitStack, source: Source, grid: RasterGrid) -> Any:
    dataset = stack.enter_context(rasterio.open(source.path))
    if source.resampling is None:
        return dataset
    # without a nodata value only an alpha band marks the cells the source does not cover
    return stack.enter_context(WarpedVRT(dataset, crs=grid.crs, transform=grid.transform,
                                         width=grid.width, height=grid.height,
                                         resampling=Resampling[source.resampling],
                                         add_alpha=dataset.nodata is None))
