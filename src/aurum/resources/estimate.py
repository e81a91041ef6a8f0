"""Block estimation: ordinary kriging, simple kriging and inverse distance.

The kriging follows GSLIB ``kt3d`` so that its parameter files and results carry over: the
search ellipsoid keeps the closest samples by anisotropic distance (up to ``max_samples``,
optionally ``max_per_octant`` in the ellipsoid's own octants and ``max_per_hole``); the
data-to-block covariance is averaged over the block's discretisation points, leaving out the
nugget where a sample coincides with a point; the block variance leaves the nugget out of its
diagonal; the kriging variance is ``C_bb - sum(lambda_i C_ib) - mu``. Per block we also
report the slope of regression ``(C_bb - KV + |mu|) / (C_bb - KV + 2|mu|)`` and the kriging
efficiency ``(C_bb - KV) / C_bb``.

A grid too large for memory (10^8 blocks: 4 GB of results) is written in parts instead
(``estimate(..., out=directory)``): each range of blocks goes to its own Parquet file where it
is estimated, on the workers when a Dask client is given, and :class:`BlockModelParts` opens
them as one table.

Why our own solver rather than PyKrige or GSTools: neither reproduces ``kt3d``'s search,
octants, samples per hole and block discretisation, and their per-block Python overhead is
large; here the neighbour search is one scipy KD-tree query per chunk and each chunk's systems
are built and solved in one compiled numba loop (``benchmarks/bench_kriging.py`` compares
them on the same data and neighbourhood).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from numba import njit, prange
from scipy.spatial import cKDTree

from aurum.core.grid import BlockGrid
from aurum.core.i18n import _
from aurum.resources.variogram import (
    ZERO_DISTANCE,
    VariogramModel,
    cova,
    rotation_matrix,
    structure_covariance,
)

if TYPE_CHECKING:
    import pyarrow.dataset

DEFAULT_CHUNK = 32_768
CHUNKS_PER_PART = 16
"""Chunks per cluster task and per Parquet part: the neighbour tree is built once per task."""
BLOCK_COLUMN = "block"
"""Column of a part that holds the block index (GSLIB order, x fastest)."""
RESULT_COLUMNS = ("estimate", "variance", "n_samples", "slope", "efficiency")


class Method(StrEnum):
    """Estimator: ordinary or simple kriging, or inverse distance weighting."""

    ORDINARY = "ordinary"
    SIMPLE = "simple"
    IDW = "idw"


@dataclass(frozen=True)
class SearchNeighbourhood:
    """Which samples inform a block.

    Parameters
    ----------
    radii : tuple of 3 float
        Search radii along the major, minor and vertical axes of the ellipsoid, m.
    angles : tuple of 3 float
        Ellipsoid orientation, GSLIB convention (azimuth, dip, plunge), degrees.
    min_samples : int
        Fewer samples than this leave the block unestimated.
    max_samples : int
        The closest samples kept (anisotropic distance of the ellipsoid).
    max_per_octant : int
        At most this many per octant of the ellipsoid (0: no limit).
    max_per_hole : int
        At most this many per drillhole (0: no limit; needs hole ids).
    """

    radii: tuple[float, float, float]
    angles: tuple[float, float, float] = (0.0, 0.0, 0.0)
    min_samples: int = 1
    max_samples: int = 32
    max_per_octant: int = 0
    max_per_hole: int = 0

    def __post_init__(self) -> None:
        if any(r <= 0 for r in self.radii):
            raise ValueError(_("search radii must be > 0 m, got %(radii)s", radii=self.radii))
        if not 1 <= self.min_samples <= self.max_samples:
            raise ValueError(_("expected 1 <= min_samples <= max_samples, got %(least)s and "
                               "%(most)s", least=self.min_samples, most=self.max_samples))
        if self.max_per_octant < 0 or self.max_per_hole < 0:
            raise ValueError(_("max_per_octant and max_per_hole must be >= 0"))

    def to_search_space(self, xyz: np.ndarray) -> np.ndarray:
        """Coordinates in which the ellipsoid is a sphere of radius ``radii[0]``, m."""
        return np.asarray(xyz, dtype=np.float64) @ rotation_matrix(self.angles, self.radii).T

    @property
    def constrained(self) -> bool:
        return self.max_per_octant > 0 or self.max_per_hole > 0


@dataclass(frozen=True)
class EstimationResult:
    """Per-block results in GSLIB order (x fastest); NaN where a block was not estimated.

    Attributes
    ----------
    estimate : numpy.ndarray
        Estimated grade, in the samples' unit.
    variance : numpy.ndarray
        Kriging variance (NaN for inverse distance).
    n_samples : numpy.ndarray
        Samples used.
    slope : numpy.ndarray
        Slope of regression of true on estimated block grade (kriging only).
    efficiency : numpy.ndarray
        Kriging efficiency (kriging only).
    """

    estimate: np.ndarray
    variance: np.ndarray
    n_samples: np.ndarray
    slope: np.ndarray
    efficiency: np.ndarray

    @property
    def estimated(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.estimate)))

    @classmethod
    def empty(cls, n: int) -> EstimationResult:
        """n blocks, none estimated yet."""
        return cls(np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, dtype=np.int64),
                   np.full(n, np.nan), np.full(n, np.nan))


@dataclass(frozen=True)
class BlockModelParts:
    """A block model written in parts: one Parquet file ``part-<start>.parquet`` per range of
    blocks, with the columns :data:`BLOCK_COLUMN` and :data:`RESULT_COLUMNS`.

    Attributes
    ----------
    directory : pathlib.Path
        Where the parts are.
    n_blocks : int
        Blocks of the grid.
    parts : tuple of (int, int)
        Block range (start, stop) of each part, in block order.
    estimated : int
        Blocks estimated (the others hold NaN).
    """

    directory: Path
    n_blocks: int
    parts: tuple[tuple[int, int], ...]
    estimated: int

    @classmethod
    def written(cls, directory: Path, n_blocks: int,
                parts: list[tuple[int, int, int]]) -> BlockModelParts:
        """The model from its parts' (start, stop, blocks estimated), in any order."""
        ordered = sorted(parts)
        return cls(directory, n_blocks, tuple((a, b) for a, b, _e in ordered),
                   sum(e for _a, _b, e in ordered))

    @classmethod
    def read(cls, directory: str | os.PathLike[str], n_blocks: int) -> BlockModelParts:
        """Open the parts found in a directory (written by an earlier run).

        Reads the parts' footers for their ranges and the estimate column, one part at a time,
        for the count estimated; :meth:`check` then tells whether they cover the grid.

        Parameters
        ----------
        directory : str or os.PathLike
            Where the parts are.
        n_blocks : int
            Blocks of the grid that was estimated.
        """
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        written = []
        for path in sorted(Path(directory).glob("part-*.parquet")):
            start = int(path.stem.removeprefix("part-"))
            estimate = pq.read_table(path, columns=["estimate"])["estimate"]
            written.append((start, start + len(estimate),
                            len(estimate) - pc.sum(pc.is_nan(estimate)).as_py()))
        return cls.written(Path(directory), n_blocks, written)

    def dataset(self) -> pyarrow.dataset.Dataset:
        """The parts as one table, read lazily (``to_batches``, filters, ``to_table``)."""
        import pyarrow.dataset as ds

        return ds.dataset([str(part_path(self.directory, start)) for start, _end in self.parts],
                          format="parquet")

    def check(self) -> None:
        """Check that the parts hold every block of the grid once, in block order.

        Reads the block column one part at a time, so memory stays bounded by a part.

        Raises
        ------
        ValueError
            A block missing, repeated or out of place.
        """
        import pyarrow.parquet as pq

        expected = 0
        for start, stop in self.parts:
            if start != expected:
                raise ValueError(f"blocks {expected} to {start - 1} are in no part"
                                 if start > expected else f"block {start} is in two parts")
            blocks = pq.read_table(part_path(self.directory, start),
                                   columns=[BLOCK_COLUMN])[BLOCK_COLUMN].to_numpy()
            if not np.array_equal(blocks, np.arange(start, stop)):
                raise ValueError(f"part {part_path(self.directory, start).name} does not hold "
                                 f"blocks {start} to {stop - 1} once each, in order")
            expected = stop
        if expected != self.n_blocks:
            raise ValueError(f"blocks {expected} to {self.n_blocks - 1} are in no part")

    def to_result(self) -> EstimationResult:
        """Every block in memory (for grids that fit in it)."""
        table = self.dataset().to_table()
        order = np.argsort(table[BLOCK_COLUMN].to_numpy(), kind="stable")
        return EstimationResult(*(table[name].to_numpy()[order] for name in RESULT_COLUMNS))


def part_path(directory: str | os.PathLike[str], start: int) -> Path:
    """File of the part of a :class:`BlockModelParts` that starts at block ``start``."""
    # Zero-padded, so that the files sort in block order.
    return Path(directory) / f"part-{start:012d}.parquet"


def _write_part(directory: Path, start: int, result: EstimationResult) -> tuple[int, int, int]:
    """Write the blocks from ``start`` as a part; returns (start, stop, blocks estimated)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stop = start + len(result.estimate)
    table = pa.table({BLOCK_COLUMN: np.arange(start, stop, dtype=np.int64),
                      **{name: getattr(result, name) for name in RESULT_COLUMNS}})
    path = part_path(directory, start)
    # Written aside and renamed: a task stopped half-way leaves no part that looks whole.
    partial = path.with_suffix(".partial")
    pq.write_table(table, partial)
    partial.replace(path)
    return start, stop, result.estimated


def _parts_directory(out: str | os.PathLike[str]) -> Path:
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.glob("part-*.parquet")):
        # Parts of another run, on other block ranges, would make the model ambiguous.
        raise ValueError(f"{directory} already holds parts of a block model")
    return directory


@overload
def estimate(xyz: np.ndarray, values: np.ndarray, grid: BlockGrid,
             search: SearchNeighbourhood, method: Method | str = Method.ORDINARY,
             model: VariogramModel | None = None, mean: float | None = None,
             power: float = 2.0, discretisation: tuple[int, int, int] = (1, 1, 1),
             holes: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK,
             progress: Callable[[int, int], None] | None = None,
             client: Any = None,
             out: None = None) -> EstimationResult: ...


@overload
def estimate(xyz: np.ndarray, values: np.ndarray, grid: BlockGrid,
             search: SearchNeighbourhood, method: Method | str = Method.ORDINARY,
             model: VariogramModel | None = None, mean: float | None = None,
             power: float = 2.0, discretisation: tuple[int, int, int] = (1, 1, 1),
             holes: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK,
             progress: Callable[[int, int], None] | None = None,
             client: Any = None,
             *, out: str | os.PathLike[str]) -> BlockModelParts: ...


def estimate(xyz: np.ndarray, values: np.ndarray, grid: BlockGrid,
             search: SearchNeighbourhood, method: Method | str = Method.ORDINARY,
             model: VariogramModel | None = None, mean: float | None = None,
             power: float = 2.0, discretisation: tuple[int, int, int] = (1, 1, 1),
             holes: np.ndarray | None = None, chunk: int = DEFAULT_CHUNK,
             progress: Callable[[int, int], None] | None = None,
             client: Any = None,
             out: str | os.PathLike[str] | None = None
             ) -> EstimationResult | BlockModelParts:
    """Estimate every block of a grid.

    Parameters
    ----------
    xyz : numpy.ndarray
        Sample coordinates, shape (n, 3), m.
    values : numpy.ndarray
        Sample values, shape (n,), e.g. g/t.
    grid : BlockGrid
        Blocks to estimate.
    search : SearchNeighbourhood
        Search ellipsoid and sample limits.
    method : {"ordinary", "simple", "idw"}
        Ordinary kriging, simple kriging (needs ``mean``) or inverse distance (``power``).
    model : VariogramModel, optional
        Needed for kriging.
    mean : float, optional
        Stationary mean for simple kriging, in the samples' unit.
    power : float
        Inverse-distance power.
    discretisation : tuple of 3 int
        Points per block along x, y, z for block kriging; (1, 1, 1) is point kriging.
    holes : numpy.ndarray, optional
        Integer hole id per sample, for ``max_per_hole``.
    chunk : int
        Blocks per chunk: memory stays bounded by the chunk, whatever the grid size.
    progress : callable, optional
        Called with (blocks done, blocks in all) after each chunk.
    client : dask.distributed.Client, optional
        Run the chunks as tasks on this cluster (the samples are scattered once; each worker
        builds its own neighbour tree); by default they run here, one after another.
    out : str or os.PathLike, optional
        Write the block model in parts to this directory (created if need be; it may not
        hold parts already; on a cluster, storage that every worker shares) instead of
        returning it: each range of ``16 * chunk`` blocks is
        estimated and written as ``part-<start>.parquet`` where it runs (on the workers with
        a client), so neither side ever holds the whole model.

    Returns
    -------
    EstimationResult or BlockModelParts
        The parts when ``out`` is given.
    """
    directory = None if out is None else _parts_directory(out)
    if client is not None:
        return _estimate_on_cluster(client, xyz, values, grid, search, method, model, mean,
                                    power, discretisation, holes, chunk, progress, directory)
    estimator = _Estimator(xyz, values, search, method, model, mean, power, holes)
    disc = grid.discretisation(discretisation)
    n = grid.n_blocks
    report = None if progress is None else (lambda done: progress(done, n))
    if directory is None:
        return _estimate_range(estimator, disc, grid, 0, n, chunk, report)
    written = [_write_part(directory, start, _estimate_range(
        estimator, disc, grid, start, min(start + chunk * CHUNKS_PER_PART, n), chunk, report))
        for start in range(0, n, chunk * CHUNKS_PER_PART)]
    return BlockModelParts.written(directory, n, written)


def _estimate_range(estimator: _Estimator, disc: np.ndarray, grid: BlockGrid, start: int,
                    stop: int, chunk: int, report: Callable[[int], None] | None = None
                    ) -> EstimationResult:
    """Blocks ``start`` to ``stop`` of a grid, chunk by chunk; ``report(stop of the chunk)``
    after each."""
    out = EstimationResult.empty(stop - start)
    for s0 in range(start, stop, chunk):
        s1 = min(s0 + chunk, stop)
        estimator.run(grid.centres(s0, s1), disc, out, slice(s0 - start, s1 - start))
        if report is not None:
            report(s1)
    return out


def _estimate_task(start: int, stop: int, xyz: np.ndarray, values: np.ndarray,
                   grid: BlockGrid, search: SearchNeighbourhood, method: Method | str,
                   model: VariogramModel | None, mean: float | None, power: float,
                   discretisation: tuple[int, int, int], holes: np.ndarray | None,
                   chunk: int, directory: Path | None
                   ) -> EstimationResult | tuple[int, int, int]:
    """One cluster task: blocks ``start`` to ``stop``, returned, or written as a part when
    ``directory`` is given (then only the range and the count estimated come back)."""
    estimator = _Estimator(xyz, values, search, method, model, mean, power, holes)
    result = _estimate_range(estimator, grid.discretisation(discretisation), grid, start,
                             stop, chunk)
    return result if directory is None else _write_part(directory, start, result)


def _estimate_on_cluster(client: Any, xyz: np.ndarray, values: np.ndarray, grid: BlockGrid,
                         search: SearchNeighbourhood, method: Method | str,
                         model: VariogramModel | None, mean: float | None, power: float,
                         discretisation: tuple[int, int, int], holes: np.ndarray | None,
                         chunk: int, progress: Callable[[int, int], None] | None,
                         directory: Path | None) -> EstimationResult | BlockModelParts:
    from distributed import as_completed

    n = grid.n_blocks
    span = chunk * CHUNKS_PER_PART
    # Keys of this call's own (hash=False): content-hashed keys would name the same data as a
    # previous call on the client, whose futures are being released meanwhile, and its tasks
    # would lose their inputs ("lost dependencies") or wait for them for ever.
    arrays = [np.asarray(xyz, dtype=np.float64), np.asarray(values, dtype=np.float64)]
    if holes is not None:
        arrays.append(np.asarray(holes))
    data = client.scatter(arrays, broadcast=True, hash=False)
    shared_holes = data[2] if holes is not None else None
    futures = {client.submit(_estimate_task, start, min(start + span, n), data[0], data[1],
                             grid, search, method, model, mean, power, discretisation,
                             shared_holes, chunk, directory, pure=False): start
               for start in range(0, n, span)}
    out = EstimationResult.empty(n) if directory is None else None
    written: list[tuple[int, int, int]] = []
    done = 0
    try:
        for future in as_completed(futures):
            start = futures[future]
            if out is not None:
                part = future.result()
                stop = start + len(part.estimate)
                for name in RESULT_COLUMNS:
                    getattr(out, name)[start:stop] = getattr(part, name)
            else:
                written.append(future.result())
                stop = written[-1][1]
            done += stop - start
            if progress is not None:
                progress(done, n)
    finally:
        # A stopped run (a cancelled job) leaves no task running on the cluster.
        client.cancel([*futures, *data])
    if out is not None:
        return out
    assert directory is not None
    return BlockModelParts.written(directory, n, written)


def estimate_points(xyz: np.ndarray, values: np.ndarray, points: np.ndarray,
                    search: SearchNeighbourhood, method: Method | str = Method.ORDINARY,
                    model: VariogramModel | None = None, mean: float | None = None,
                    power: float = 2.0, holes: np.ndarray | None = None,
                    exclude_holes: np.ndarray | None = None) -> EstimationResult:
    """Point estimates at arbitrary locations (cross-validation, checks at drillholes).

    Parameters
    ----------
    points : numpy.ndarray
        Locations, shape (m, 3), m.
    exclude_holes : numpy.ndarray, optional
        Per point, a hole id whose samples may not inform it (-1: none): leave-one-hole-out
        in one pass.

    Other parameters are those of :func:`estimate`.
    """
    estimator = _Estimator(xyz, values, search, method, model, mean, power, holes,
                           exclude_holes is not None)
    m = len(points)
    out = EstimationResult.empty(m)
    for start in range(0, m, DEFAULT_CHUNK):
        part = slice(start, min(start + DEFAULT_CHUNK, m))
        estimator.run(np.asarray(points[part], dtype=np.float64), np.zeros((1, 3)), out, part,
                      None if exclude_holes is None else exclude_holes[part])
    return out


class _Estimator:
    """Checked inputs, the KD-tree and the compiled kernels' arrays, shared by every chunk."""

    def __init__(self, xyz: np.ndarray, values: np.ndarray, search: SearchNeighbourhood,
                 method: Method | str, model: VariogramModel | None, mean: float | None,
                 power: float, holes: np.ndarray | None, excluding: bool = False) -> None:
        self.method = Method(method)
        if self.method is not Method.IDW and model is None:
            raise ValueError("kriging needs a variogram model")
        if self.method is Method.SIMPLE and mean is None:
            raise ValueError("simple kriging needs the mean")
        if (search.max_per_hole or excluding) and holes is None:
            raise ValueError("max_per_hole and excluded holes need a hole id per sample")
        self.xyz = np.ascontiguousarray(xyz, dtype=np.float64)
        self.values = np.ascontiguousarray(values, dtype=np.float64)
        self.search = search
        self.model = model or VariogramModel(0.0, ())
        self.arrays = self.model.arrays()
        self.mean = 0.0 if mean is None else float(mean)
        self.power = float(power)
        self.holes = (np.ascontiguousarray(holes, dtype=np.int64) if holes is not None
                      else np.full(len(self.values), -1, dtype=np.int64))
        self.tree = cKDTree(search.to_search_space(self.xyz))
        self.srot = rotation_matrix(search.angles, search.radii)
        # Enough candidates that octant, hole and exclusion limits can still fill the quota.
        extra = int(np.bincount(self.holes[self.holes >= 0]).max()) if excluding else 0
        self.k = min(search.max_samples * (8 if search.constrained else 1) + extra,
                     len(self.values))
        self.kind = {Method.SIMPLE: 0, Method.ORDINARY: 1, Method.IDW: 2}[self.method]

    def run(self, centres: np.ndarray, disc: np.ndarray, out: EstimationResult, part: slice,
            exclude: np.ndarray | None = None) -> None:
        # workers=-1: the neighbour query runs on every core, like the kriging kernel.
        dist, idx = self.tree.query(centres @ self.srot.T, k=self.k, workers=-1,
                                    distance_upper_bound=self.search.radii[0] * (1 + 1e-12))
        idx = np.asarray(idx, dtype=np.int64).reshape(len(centres), self.k)
        dist = np.asarray(dist).reshape(len(centres), self.k)
        idx[~np.isfinite(dist)] = -1
        skip = (np.full(len(centres), -1, dtype=np.int64) if exclude is None
                else np.ascontiguousarray(exclude, dtype=np.int64))
        s = self.search
        chosen = _select(idx, self.xyz, centres, self.srot, self.holes, s.max_samples,
                         s.max_per_octant, s.max_per_hole, skip)
        codes, sills, ranges, rot = self.arrays
        _estimate_chunk(centres, disc, self.xyz, self.values, chosen, s.min_samples,
                        self.kind, self.mean, self.power, self.model.nugget, codes, sills,
                        ranges, rot, out.estimate[part], out.variance[part],
                        out.n_samples[part], out.slope[part], out.efficiency[part])


@njit(cache=True)
def _select(idx: np.ndarray, xyz: np.ndarray, centres: np.ndarray, srot: np.ndarray,
            holes: np.ndarray, max_samples: int, per_octant: int, per_hole: int,
            skip_hole: np.ndarray) -> np.ndarray:
    """The kept neighbours of each block, closest first; -1 pads."""
    m, k = idx.shape
    chosen = np.full((m, max_samples), -1, dtype=np.int64)
    for b in range(m):
        octant = np.zeros(8, dtype=np.int64)
        taken = 0
        for c in range(k):
            i = idx[b, c]
            if i < 0 or taken == max_samples:
                break
            if skip_hole[b] >= 0 and holes[i] == skip_hole[b]:
                continue
            if per_octant > 0:
                o = 0
                for r in range(3):
                    v = (srot[r, 0] * (xyz[i, 0] - centres[b, 0])
                         + srot[r, 1] * (xyz[i, 1] - centres[b, 1])
                         + srot[r, 2] * (xyz[i, 2] - centres[b, 2]))
                    if v > 0:
                        o += 1 << r
                if octant[o] >= per_octant:
                    continue
                octant[o] += 1
            if per_hole > 0 and holes[i] >= 0:
                same = 0
                for t in range(taken):
                    if holes[chosen[b, t]] == holes[i]:
                        same += 1
                if same >= per_hole:
                    if per_octant > 0:
                        octant[o] -= 1
                    continue
            chosen[b, taken] = i
            taken += 1
    return chosen


@njit(cache=True)
def _cholesky(a: np.ndarray, n: int) -> bool:
    """In-place lower Cholesky factor of a[:n, :n]; False when not positive definite
    (coincident samples, for instance)."""
    for j in range(n):
        d = a[j, j]
        for k in range(j):
            d -= a[j, k] * a[j, k]
        if d <= 1e-12 * max(a[j, j], 1e-300):
            return False
        d = np.sqrt(d)
        a[j, j] = d
        for i in range(j + 1, n):
            v = a[i, j]
            for k in range(j):
                v -= a[i, k] * a[j, k]
            a[i, j] = v / d
    return True


@njit(cache=True)
def _cho_solve(lower: np.ndarray, b: np.ndarray, n: int) -> None:
    """Solve (L L^T) x = b in place."""
    for i in range(n):
        v = b[i]
        for k in range(i):
            v -= lower[i, k] * b[k]
        b[i] = v / lower[i, i]
    for i in range(n - 1, -1, -1):
        v = b[i]
        for k in range(i + 1, n):
            v -= lower[k, i] * b[k]
        b[i] = v / lower[i, i]


@njit(cache=True, inline="always")
def _cov_rotated(rx: np.ndarray, i: int, px: np.ndarray, p: int, cmax: float,
                 codes: np.ndarray, sills: np.ndarray, ranges: np.ndarray) -> float:
    """GSLIB cova3 between point i of ``rx`` and point p of ``px``, both already rotated
    into each structure's anisotropic frame (shape (structures, n, 3))."""
    total = 0.0
    for s in range(codes.shape[0]):
        dx = rx[s, i, 0] - px[s, p, 0]
        dy = rx[s, i, 1] - px[s, p, 1]
        dz = rx[s, i, 2] - px[s, p, 2]
        h2 = dx * dx + dy * dy + dz * dz
        if s == 0 and h2 < ZERO_DISTANCE:
            return cmax
        total += structure_covariance(codes[s], sills[s], np.sqrt(h2) / ranges[s])
    return total


@njit(cache=True, parallel=True)
def _estimate_chunk(centres: np.ndarray, disc: np.ndarray, xyz: np.ndarray,
                    values: np.ndarray, chosen: np.ndarray, min_samples: int, kind: int,
                    mean: float, power: float, nugget: float, codes: np.ndarray,
                    sills: np.ndarray, ranges: np.ndarray, rot: np.ndarray,
                    est: np.ndarray, var: np.ndarray, count: np.ndarray, slope: np.ndarray,
                    eff: np.ndarray) -> None:
    nd = disc.shape[0]
    ns = codes.shape[0]
    cmax = cova(0.0, 0.0, 0.0, nugget, codes, sills, ranges, rot)
    cbb = cmax
    if nd > 1:
        cbb = 0.0
        for i in range(nd):
            for j in range(nd):
                c = cova(disc[i, 0] - disc[j, 0], disc[i, 1] - disc[j, 1],
                         disc[i, 2] - disc[j, 2], nugget, codes, sills, ranges, rot)
                if i == j:
                    c -= nugget
                cbb += c
        cbb /= nd * nd
    # Samples rotated once into every structure's frame: a pair's distance is then a plain
    # Euclidean one, with no 3x3 product per pair.
    rx = np.empty((max(ns, 1), xyz.shape[0], 3))
    for s in range(ns):
        for i in range(xyz.shape[0]):
            for r in range(3):
                rx[s, i, r] = (rot[s, r, 0] * xyz[i, 0] + rot[s, r, 1] * xyz[i, 1]
                               + rot[s, r, 2] * xyz[i, 2])
    maxn = chosen.shape[1]
    for b in prange(centres.shape[0]):
        na = 0
        while na < maxn and chosen[b, na] >= 0:
            na += 1
        count[b] = na
        if na < min_samples or na == 0:
            continue
        bx, by, bz = centres[b, 0], centres[b, 1], centres[b, 2]
        if kind == 2:
            wsum = 0.0
            vsum = 0.0
            exact = -1
            for t in range(na):
                i = chosen[b, t]
                d2 = (xyz[i, 0] - bx) ** 2 + (xyz[i, 1] - by) ** 2 + (xyz[i, 2] - bz) ** 2
                if d2 < ZERO_DISTANCE:
                    exact = i
                    break
                w = d2 ** (-0.5 * power)
                wsum += w
                vsum += w * values[i]
            est[b] = values[exact] if exact >= 0 else vsum / wsum
            continue
        px = np.empty((max(ns, 1), nd, 3))
        for s in range(ns):
            for p in range(nd):
                qx, qy, qz = bx + disc[p, 0], by + disc[p, 1], bz + disc[p, 2]
                for r in range(3):
                    px[s, p, r] = rot[s, r, 0] * qx + rot[s, r, 1] * qy + rot[s, r, 2] * qz
        a = np.empty((na, na))
        rhs = np.empty(na)
        for t in range(na):
            i = chosen[b, t]
            for u in range(t + 1):
                a[t, u] = _cov_rotated(rx, i, rx, chosen[b, u], cmax, codes, sills, ranges)
            cb = 0.0
            for p in range(nd):
                cb += _cov_rotated(rx, i, px, p, cmax, codes, sills, ranges)
                if nd > 1:
                    dx = xyz[i, 0] - (bx + disc[p, 0])
                    dy = xyz[i, 1] - (by + disc[p, 1])
                    dz = xyz[i, 2] - (bz + disc[p, 2])
                    if dx * dx + dy * dy + dz * dz < ZERO_DISTANCE:
                        cb -= nugget
            rhs[t] = cb / nd
        if ns == 0:
            for t in range(na):
                for u in range(t):
                    a[t, u] = 0.0
                a[t, t] = cmax
        if not _cholesky(a, na):
            continue
        lam = rhs.copy()
        _cho_solve(a, lam, na)
        mu = 0.0
        if kind == 1:
            # Bordered system: C lam + mu 1 = c, sum(lam) = 1, from C x = c and C y = 1.
            ones = np.ones(na)
            _cho_solve(a, ones, na)
            sx = 0.0
            sy = 0.0
            for t in range(na):
                sx += lam[t]
                sy += ones[t]
            mu = (sx - 1.0) / sy
            for t in range(na):
                lam[t] -= mu * ones[t]
        e = 0.0
        kv = cbb
        for t in range(na):
            i = chosen[b, t]
            e += lam[t] * (values[i] - mean if kind == 0 else values[i])
            kv -= lam[t] * rhs[t]
        kv -= mu
        est[b] = e + mean if kind == 0 else e
        var[b] = kv
        gain = cbb - kv
        eff[b] = gain / cbb if cbb > 0 else np.nan
        slope[b] = (gain + abs(mu)) / (gain + 2 * abs(mu)) if gain + 2 * abs(mu) > 0 else np.nan
