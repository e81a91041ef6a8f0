"""Prospectivity prediction over a large raster stack: chunked (ours) against a naive predict.

A stack of four evidence GeoTIFFs (two float32 fields, one uint8 class map, one int16 field;
tiled 256 × 256, uncompressed) is generated on disk in a temporary directory, window by
window, from analytic functions of the map coordinates: ``--cells`` cells (10^8 by default,
10,000 × 10,000 at 25 m; 1.1 GB) and a smaller stack of ``--naive-cells`` cells (2 × 10^7)
from the same functions. A scikit-learn classifier is trained on 5,000 points drawn from the
same functions (labels from a logistic of a known combination of the layers), so no file is
read for training.

OURS: ``aurum.prospect.predict.predict_raster(EstimatorModel(model), files, out)``, windows
of ``--chunk-cells`` cells read with rasterio, predicted and written one at a time, on both
stacks. NAIVE: what a scikit-learn user writes first — read every layer whole, stack the
features into one (cells × 4) float64 array, ``predict_proba`` on all of it, write the band
whole — on the small stack only (on the big one it holds 3.2 GB of features plus copies).
Every run happens in a fresh spawned process, so that its peak RSS is its own (the growth
column subtracts the RSS the child had after its imports, before the run). The two
outputs on the small stack are compared cell by cell. Run from the repository root::

    .venv/bin/python benchmarks/bench_prospect.py
    .venv/bin/python benchmarks/bench_prospect.py --model random_forest --cells 20000000
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from _common import emit, note
from affine import Affine
from rasterio.windows import Window
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from aurum.prospect.ml import EstimatorModel
from aurum.prospect.predict import predict_raster

SEED = 20261121
CELL_M = 25.0
LAYERS = (("dist_fault", "float32"), ("fault_density", "float32"), ("lithology", "uint8"),
          ("magnetics", "int16"))
TRAINING_POINTS = 5_000
GENERATION_ROWS = 256
PROFILE = {"driver": "GTiff", "count": 1, "crs": "EPSG:7845", "tiled": True,
           "blockxsize": 256, "blockysize": 256, "BIGTIFF": "IF_SAFER"}


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB.

    Linux's ``VmHWM``, which starts afresh at ``exec``: ``getrusage``'s ``ru_maxrss``
    carries over the parent's peak into a spawned child. Elsewhere, ``ru_maxrss``.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    scale = 2**20 if platform.system() == "Darwin" else 2**10
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def fields(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The four evidence layers at map coordinates (m): distance-like (m), density-like
    (km per km²), lithology class (1–12) and a magnetic-like field (nT)."""
    u, v = x / 7_000.0, y / 5_000.0
    dist = 3_000.0 * np.abs(np.sin(u) * np.cos(v)) + 200.0 * np.sin(x / 900.0)
    density = 0.6 + 0.4 * np.sin(u * 0.7 + v * 1.3) * np.cos(x / 11_000.0)
    lithology = 1 + (np.floor((x + 0.6 * y) / 9_000.0) % 12)
    magnetics = 300.0 * np.sin(x / 3_000.0 + np.cos(y / 4_000.0))
    return [dist, density, lithology, magnetics]


def shape_for(cells: int) -> tuple[int, int]:
    """Rows and columns of a near-square grid of about ``cells`` cells (columns a multiple
    of 256)."""
    cols = max(256, round(float(np.sqrt(cells)) / 256) * 256)
    return max(1, cells // cols), cols


def generate(folder: Path, cells: int) -> list[Path]:
    """Write the stack's four GeoTIFFs, window by window.

    Parameters
    ----------
    folder : Path
        Where to write them.
    cells : int
        About how many cells.

    Returns
    -------
    list of Path
        The files, in :data:`LAYERS` order.
    """
    rows, cols = shape_for(cells)
    folder.mkdir(parents=True, exist_ok=True)
    transform = Affine(CELL_M, 0, 500_000.0, 0, -CELL_M, 7_500_000.0)
    paths = [folder / f"{name}.tif" for name, _ in LAYERS]
    outs = [rasterio.open(p, "w", width=cols, height=rows, dtype=dtype, transform=transform,
                          **PROFILE) for p, (_, dtype) in zip(paths, LAYERS, strict=True)]
    try:
        for r in range(0, rows, GENERATION_ROWS):
            h = min(GENERATION_ROWS, rows - r)
            rr, cc = np.mgrid[r:r + h, 0:cols]
            x, y = transform @ (cc + 0.5, rr + 0.5)
            for dst, values, (_, dtype) in zip(outs, fields(x, y), LAYERS, strict=True):
                dst.write(values.astype(dtype), 1, window=Window(0, r, cols, h))
    finally:
        for dst in outs:
            dst.close()
    return paths


def train(model_name: str) -> Any:
    """The classifier, fitted on points drawn from the same fields."""
    rng = np.random.default_rng(SEED)
    x = rng.uniform(500_000, 750_000, TRAINING_POINTS)
    y = rng.uniform(7_250_000, 7_500_000, TRAINING_POINTS)
    features = np.column_stack([f.astype(np.dtype(d)).astype(float)
                                for f, (_, d) in zip(fields(x, y), LAYERS, strict=True)])
    latent = (-features[:, 0] / 800.0 + 3.0 * features[:, 1] + 0.4 * (features[:, 2] == 7)
              + features[:, 3] / 300.0)
    labels = (rng.random(TRAINING_POINTS) < 1 / (1 + np.exp(-(latent - 1.0)))).astype(int)
    if model_name == "random_forest":
        model = RandomForestClassifier(n_estimators=50, max_depth=10, n_jobs=-1,
                                       random_state=SEED)
    else:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return model.fit(features, labels)


def run_ours(model: Any, paths: list[str], out: str, chunk_cells: int) -> dict[str, Any]:
    """Chunked prediction (in a spawned child)."""
    rss_before = peak_rss_mib()
    run = predict_raster(EstimatorModel(model), paths, out, chunk_cells=chunk_cells)
    return {"cells": run.cells, "seconds": run.seconds, "windows": run.windows,
            "rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib()}


def run_naive(model: Any, paths: list[str], out: str) -> dict[str, Any]:
    """Whole-array prediction (in a spawned child): read all, stack, predict, write."""
    rss_before = peak_rss_mib()
    t0 = time.perf_counter()
    arrays = []
    for path in paths:
        with rasterio.open(path) as src:
            arrays.append(src.read(1))
            profile = src.profile | {"dtype": "float32", "nodata": None}
    features = np.column_stack([a.ravel().astype(float) for a in arrays])
    t1 = time.perf_counter()
    score = model.predict_proba(features)[:, 1].reshape(arrays[0].shape).astype(np.float32)
    t2 = time.perf_counter()
    with rasterio.open(out, "w", **profile) as dst:
        dst.write(score, 1)
    t3 = time.perf_counter()
    return {"cells": int(score.size), "seconds": t3 - t0, "read_s": t1 - t0,
            "predict_s": t2 - t1, "write_s": t3 - t2, "rss_before_mib": rss_before,
            "peak_rss_mib": peak_rss_mib()}


def _child(conn: Any, job: str, args: tuple[Any, ...]) -> None:
    conn.send(run_ours(*args) if job == "ours" else run_naive(*args))
    conn.close()


def in_child(job: str, *args: Any, timeout: float) -> dict[str, Any]:
    """Run a job in a fresh spawned process and return what it reports.

    Parameters
    ----------
    job : {"ours", "naive"}
        Which run.
    *args
        The run's arguments.
    timeout : float
        Seconds before the child is stopped, s.
    """
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, job, args))
    child.start()
    send.close()
    if not receive.poll(timeout):
        child.kill()
        child.join()
        raise SystemExit(f"{job} did not finish within {timeout:.0f} s")
    result: dict[str, Any] = receive.recv()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000_000,
                        help="cells of the big stack (ours only)")
    parser.add_argument("--naive-cells", type=int, default=20_000_000,
                        help="cells of the stack both run on")
    parser.add_argument("--chunk-cells", type=int, default=1 << 21,
                        help="cells per window of ours")
    parser.add_argument("--model", choices=("logistic_regression", "random_forest"),
                        default="logistic_regression")
    parser.add_argument("--max-seconds", type=float, default=1_800.0,
                        help="time bound of each run, s")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()

    model = train(args.model)
    with tempfile.TemporaryDirectory(prefix="bench_prospect_") as tmp:
        work = Path(tmp)
        note(f"generating {args.cells:,} cells × {len(LAYERS)} layers ...")
        t0 = time.perf_counter()
        big = [str(p) for p in generate(work / "big", args.cells)]
        generation_s = time.perf_counter() - t0
        small = [str(p) for p in generate(work / "small", args.naive_cells)]
        disk_mib = sum(os.path.getsize(p) for p in big) / 2**20
        note("ours on the big stack ...")
        ours_big = in_child("ours", model, big, str(work / "big.tif"), args.chunk_cells,
                            timeout=args.max_seconds)
        note("ours on the small stack ...")
        ours_small = in_child("ours", model, small, str(work / "ours_small.tif"),
                              args.chunk_cells, timeout=args.max_seconds)
        note("naive on the small stack ...")
        naive = in_child("naive", model, small, str(work / "naive_small.tif"),
                         timeout=args.max_seconds)
        with rasterio.open(work / "ours_small.tif") as a, \
                rasterio.open(work / "naive_small.tif") as b:
            max_diff = float(np.nanmax(np.abs(a.read(1) - b.read(1))))
    rows = {"ours_big": ours_big, "ours_small": ours_small, "naive_small": naive}
    for run in rows.values():
        run["cells_per_s"] = run["cells"] / run["seconds"]
    result = {
        "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
                    "python": platform.python_version(),
                    "versions": {p: version(p) for p in ("numpy", "scikit-learn", "rasterio")}},
        "model": args.model, "chunk_cells": args.chunk_cells, "layers": len(LAYERS),
        "big_shape": shape_for(args.cells), "small_shape": shape_for(args.naive_cells),
        "generation_s": generation_s, "big_stack_mib": disk_mib, "runs": rows,
        "ratio_cells_per_s": ours_small["cells_per_s"] / naive["cells_per_s"],
        "max_abs_diff": max_diff,
    }
    lines = [f"model {args.model}; big stack {ours_big['cells']:,} cells × {len(LAYERS)} "
             f"layers ({disk_mib:,.0f} MiB, generated in {generation_s:.1f} s); windows of "
             f"{args.chunk_cells:,} cells",
             f"{'run':<14} {'cells':>12} {'s':>8} {'cells/s':>12} {'peak RSS MiB':>13} "
             f"{'growth MiB':>11}"]
    for name, run in rows.items():
        lines.append(f"{name:<14} {run['cells']:>12,} {run['seconds']:>8.2f} "
                     f"{run['cells_per_s']:>12,.0f} {run['peak_rss_mib']:>13,.0f} "
                     f"{run['peak_rss_mib'] - run['rss_before_mib']:>11,.0f}")
    lines.append(f"ours / naive on {naive['cells']:,} cells: "
                 f"{result['ratio_cells_per_s']:.2f}× the cells/s, "
                 f"{ours_small['peak_rss_mib'] / naive['peak_rss_mib']:.2f}× the peak RSS; "
                 f"naive split: read {naive['read_s']:.2f} s, predict {naive['predict_s']:.2f} "
                 f"s, write {naive['write_s']:.2f} s; max |Δ| of the outputs {max_diff:.2e}")
    emit(result, args.format, lines)


if __name__ == "__main__":
    main()
