"""Block kriging on a Dask ``LocalCluster`` written in parts, against the local path.

``--cluster-blocks N`` blocks (a multiple of 10^6: 1,000 × 1,000 blocks of 1 m in plan, N/10^6
levels in the 1,000 m cube of ``bench_kriging.py``) are estimated from its 20,000 samples with
its model, ordinary point kriging with the 16 closest samples (a search that never binds;
``--method idw``: inverse distance on the same neighbours, to reach 10^8 blocks sooner):

- CLUSTER: ``estimate(..., client=, out=)`` on a ``LocalCluster`` of 2 worker processes, one
  thread and one numba thread each; every task writes its range of blocks as a Parquet part
  on the worker, the client receives only ranges and counts. Printed: blocks/s, the client's
  peak RSS before and after, each worker's peak RSS, the parts' size and the time to check that
  they hold every block once.
- LOCAL: ``estimate(..., out=)`` in this process, numba on every core, the same parts, on the
  same samples and the first ``--local-blocks`` blocks of the same grid (default all N):
  blocks/s and the ratio CLUSTER / LOCAL.

Both paths load numba's cache in an untimed warm-up first. The parts go to a temporary
directory, deleted at the end. Run from the repository root::

    .venv/bin/python benchmarks/bench_cluster.py --cluster-blocks 10000000
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import emit, note
from bench_kriging import SEARCH_RADIUS_M, WARM_UP_GRID, models, samples

from aurum.core.grid import BlockGrid
from aurum.resources.estimate import BlockModelParts, SearchNeighbourhood, estimate

K = 16
WORKERS = 2
PLAN = 1_000
"""Blocks along x and along y: 1 m blocks over the 1,000 m cube."""


def peak_rss_mib() -> float:
    """Peak resident set size of the calling process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grid_of(blocks: int) -> BlockGrid:
    """:data:`PLAN` × :data:`PLAN` blocks of 1 m in plan, ``blocks / PLAN²`` levels over 1,000 m."""
    levels, rest = divmod(blocks, PLAN * PLAN)
    if rest or not levels:
        raise SystemExit(f"blocks must be a multiple of {PLAN * PLAN:,}, got {blocks:,}")
    height = 1_000.0 / levels
    return BlockGrid((0.5, 0.5, height / 2), (1.0, 1.0, height), (PLAN, PLAN, levels))


def every_tenth(label: str) -> Callable[[int, int], None]:
    """A progress callback that notes every tenth of the run."""
    seen = [0]

    def progress(done: int, total: int) -> None:
        tenth = 10 * done // total
        if tenth > seen[0]:
            seen[0] = tenth
            note(f"  {label}: {done:,} / {total:,} blocks")
    return progress


def timed_parts(grid: BlockGrid, directory: Path, label: str, method: str, **kwargs: Any
                ) -> tuple[BlockModelParts, float]:
    """Estimate ``grid`` into parts in ``directory``; the parts and the wall-clock seconds."""
    xyz, grade = samples()
    search = SearchNeighbourhood((SEARCH_RADIUS_M,) * 3, max_samples=K)
    t0 = time.perf_counter()
    parts = estimate(xyz, grade, grid, search, method, models()[0], out=directory,
                     progress=every_tenth(label), **kwargs)
    return parts, time.perf_counter() - t0


def size_mib(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.iterdir()) / 2**20


def run(blocks: int, local_blocks: int, method: str) -> dict[str, Any]:
    """Time the cluster and the local path; see the module docstring."""
    from distributed import Client, LocalCluster

    grid, local_grid = grid_of(blocks), grid_of(local_blocks)
    result: dict[str, Any] = {"cpus": os.cpu_count(), "load_1m": os.getloadavg()[0],
                              "method": method, "k": K, "workers": WORKERS}
    with tempfile.TemporaryDirectory(prefix="aurum-bench-cluster-") as tmp:
        scratch = Path(tmp)
        # One numba thread per worker process: the two workers share the cores, as the
        # local path's numba threads do.
        with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                          dashboard_address=None,
                          env={"NUMBA_NUM_THREADS": "1"}) as cluster, Client(cluster) as client:
            timed_parts(WARM_UP_GRID, scratch / "warm-cluster", "warm-up", method,
                        client=client)
            before = peak_rss_mib()
            note(f"cluster: {blocks:,} blocks ...")
            parts, seconds = timed_parts(grid, scratch / "cluster", "cluster", method,
                                         client=client)
            workers = client.run(peak_rss_mib)
        # The scheduler of a LocalCluster runs in this process: its memory counts here.
        after = peak_rss_mib()
        t0 = time.perf_counter()
        parts.check()
        result["cluster"] = {
            "blocks": blocks, "seconds": seconds, "blocks_per_s": blocks / seconds,
            "estimated": parts.estimated, "parts": len(parts.parts),
            "parts_mib": size_mib(parts.directory), "check_s": time.perf_counter() - t0,
            "client_peak_rss_before_mib": before, "client_peak_rss_mib": after,
            "peak_rss_after_check_mib": peak_rss_mib(),
            "worker_peak_rss_mib": sorted(workers.values())}
        result["load_1m_after_cluster"] = os.getloadavg()[0]
        timed_parts(WARM_UP_GRID, scratch / "warm-local", "warm-up", method)
        note(f"local: {local_blocks:,} blocks ...")
        local, seconds = timed_parts(local_grid, scratch / "local", "local", method)
        result["local"] = {"blocks": local_blocks, "seconds": seconds,
                           "blocks_per_s": local_blocks / seconds,
                           "estimated": local.estimated, "peak_rss_mib": peak_rss_mib()}
    result["ratio"] = result["cluster"]["blocks_per_s"] / result["local"]["blocks_per_s"]
    result["load_1m_after"] = os.getloadavg()[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cluster-blocks", type=int, default=10_000_000,
                        help="blocks on the cluster, a multiple of 10^6 (default 10^7)")
    parser.add_argument("--local-blocks", type=int, default=None,
                        help="blocks of the local path, the first of the same grid (default: "
                             "as many as on the cluster)")
    parser.add_argument("--method", choices=("ordinary", "idw"), default="ordinary",
                        help="estimator (default ordinary kriging)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    r = run(args.cluster_blocks, args.local_blocks or args.cluster_blocks, args.method)
    c, loc = r["cluster"], r["local"]
    emit(r, args.format, [
        f"{r['cpus']} CPUs, load {r['load_1m']:.2f} at the start, "
        f"{r['load_1m_after_cluster']:.2f} after the cluster run, {r['load_1m_after']:.2f} "
        f"at the end; {r['method']}, {r['k']} samples",
        f"cluster ({r['workers']} worker processes, parts): {c['blocks']:,} blocks in "
        f"{c['seconds']:.1f} s = {c['blocks_per_s']:,.0f} blocks/s; {c['parts']} parts, "
        f"{c['parts_mib']:,.0f} MiB, checked in {c['check_s']:.1f} s (peak RSS then "
        f"{c['peak_rss_after_check_mib']:,.0f} MiB)",
        f"  client peak RSS {c['client_peak_rss_before_mib']:,.0f} MiB before, "
        f"{c['client_peak_rss_mib']:,.0f} MiB after; workers' peak RSS "
        + ", ".join(f"{m:,.0f}" for m in c["worker_peak_rss_mib"]) + " MiB",
        f"local (this process, parts): {loc['blocks']:,} blocks in {loc['seconds']:.1f} s = "
        f"{loc['blocks_per_s']:,.0f} blocks/s; peak RSS {loc['peak_rss_mib']:,.0f} MiB",
        f"cluster / local: {r['ratio']:.2f}"])


if __name__ == "__main__":
    main()
