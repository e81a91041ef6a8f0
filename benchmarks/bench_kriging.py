"""Kriging throughput: Aurum's block estimator against PyKrige and GSTools on the same data.

Every library gets the same samples, the same variogram model and, for each block, the same
``k`` closest samples (16 and 32): ordinary point kriging (discretisation 1 × 1 × 1) of the
block centres, with a search radius that never binds.

OURS: ``aurum.resources.estimate.estimate`` on the whole grid of 10^6 blocks, after one small
warm-up call so that numba's compilation (or the load of its cache) is reported on its own.
PYKRIGE: ``OrdinaryKriging3D(...).execute("points", ..., n_closest_points=k, backend="loop")``.
GSTOOLS, which has no moving neighbourhood: per block, ``gstools.krige.Ordinary`` on the
block's ``k`` closest samples (found with one ``cKDTree`` query), called at the block centre —
what a GSTools user has to write. Both peers are timed on the blocks of a sub-box of the grid,
bounded in count and in time, and their estimates are compared with ours on those blocks.

With ``--big``, ours also runs on 10^7 blocks (16 samples) and the peak RSS is printed: the
estimator works chunk by chunk, so only its five output arrays grow with the grid.
``--threads 1`` gives ours one numba thread: its blocks/s is then a per-core figure. Run from
the repository root::

    .venv/bin/python benchmarks/bench_kriging.py
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import gstools as gs
import numba
import numpy as np
from _common import emit, note
from pykrige.ok3d import OrdinaryKriging3D
from pykrige.variogram_models import spherical_variogram_model
from scipy.spatial import cKDTree

from aurum.core.grid import BlockGrid
from aurum.resources.estimate import SearchNeighbourhood, estimate
from aurum.resources.variogram import Structure, VariogramModel

SEED = 20261121
N_SAMPLES = 20_000
CUBE_M = 1_000.0
NUGGET = 0.2
PARTIAL_SILL = 0.8
RANGE_M = 150.0
SEARCH_RADIUS_M = 2_000.0  # longer than the cube's diagonal (1,732 m): it never binds
NEIGHBOURS = (16, 32)
GRID = BlockGrid((5.0, 5.0, 5.0), (10.0, 10.0, 10.0), (100, 100, 100))
BIG_GRID = BlockGrid((2.5, 2.5, 2.0), (5.0, 5.0, 4.0), (200, 200, 250))
WARM_UP_GRID = BlockGrid((5.0, 5.0, 5.0), (10.0, 10.0, 10.0), (10, 10, 10))
PEER_BOX = ((40, 60), (40, 60), (45, 55))
"""Block index ranges (x, y, z) of the peers' sub-box of :data:`GRID`: 4,000 blocks."""
PYKRIGE_BATCH = 250
"""Blocks per ``execute`` call, so that the time bound is checked between calls."""


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def samples() -> tuple[np.ndarray, np.ndarray]:
    """The samples that every library kriges from.

    Returns
    -------
    xyz : numpy.ndarray
        :data:`N_SAMPLES` uniform positions in the cube, shape (n, 3), m.
    grade : numpy.ndarray
        Lognormal grade (median 1 g/t, log standard deviation 1), independent draws: the
        model is given, not fitted, so neither the timing nor the comparison depends on it.
    """
    rng = np.random.default_rng(SEED)
    return rng.uniform(0.0, CUBE_M, (N_SAMPLES, 3)), rng.lognormal(0.0, 1.0, N_SAMPLES)


def models() -> tuple[VariogramModel, dict[str, float], gs.CovModel]:
    """One isotropic spherical model plus nugget, expressed in each library's terms.

    Ours: GSLIB convention, the spherical structure reaches its sill at the range. PyKrige
    1.7: ``spherical_variogram_model`` takes ``[psill, range, nugget]`` and reaches
    ``psill + nugget`` at ``range``; its parameter dictionary takes ``psill`` (partial sill)
    or ``sill`` (total sill, nugget included) — we pass ``psill``. GSTools: ``var`` is the
    partial sill, ``nugget`` the nugget, and the spherical ``len_scale`` is the range where the
    sill is reached (its rescale factor is 1).

    Returns
    -------
    tuple
        Our model, PyKrige's ``variogram_parameters``, the GSTools model.
    """
    ours = VariogramModel(NUGGET, (Structure("spherical", PARTIAL_SILL, (RANGE_M,) * 3),))
    pykrige = {"psill": PARTIAL_SILL, "range": RANGE_M, "nugget": NUGGET}
    gstools = gs.Spherical(dim=3, var=PARTIAL_SILL, len_scale=RANGE_M, nugget=NUGGET)
    return ours, pykrige, gstools


def model_mismatch(ours: VariogramModel, pykrige: dict[str, float],
                   gstools: gs.CovModel) -> float:
    """Largest difference between the three semivariograms at lags from 1 m to 2 × range.

    Parameters
    ----------
    ours : VariogramModel
        Our form of the model.
    pykrige : dict
        PyKrige's ``variogram_parameters``.
    gstools : gstools.CovModel
        GSTools' form of the model.

    Returns
    -------
    float
        Max |Δγ| of PyKrige and GSTools against ours (variance units).
    """
    if gstools.rescale != 1.0:
        raise SystemExit(f"GSTools spherical rescale is {gstools.rescale}, expected 1")
    lags = np.linspace(1.0, 2 * RANGE_M, 300)
    gamma = ours.gamma(np.zeros((len(lags), 3)), np.column_stack((lags, 0 * lags, 0 * lags)))
    pk = spherical_variogram_model([pykrige["psill"], pykrige["range"], pykrige["nugget"]],
                                   lags)
    return float(max(np.abs(pk - gamma).max(), np.abs(gstools.variogram(lags) - gamma).max()))


def peer_blocks() -> np.ndarray:
    """GSLIB indices of the blocks of :data:`PEER_BOX`, in GSLIB order."""
    (x0, x1), (y0, y1), (z0, z1) = PEER_BOX
    nx, ny, _ = GRID.count
    iz, iy, ix = np.meshgrid(np.arange(z0, z1), np.arange(y0, y1), np.arange(x0, x1),
                             indexing="ij")
    return (ix + nx * (iy + ny * iz)).ravel()


def cpu_timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float, float]:
    """Call ``fn`` and return its result, the wall-clock seconds and the process CPU seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0, time.process_time() - c0


def run_ours(xyz: np.ndarray, grade: np.ndarray, model: VariogramModel,
             subset: np.ndarray, big: bool) -> dict[str, Any]:
    """Warm up, then time our estimator on the whole grid for each neighbourhood size.

    Parameters
    ----------
    xyz, grade : numpy.ndarray
        Samples.
    model : VariogramModel
        Our form of the model.
    subset : numpy.ndarray
        Block indices whose estimates and variances are kept for the comparison.
    big : bool
        Also run 16 samples on :data:`BIG_GRID` (10^7 blocks).

    Returns
    -------
    dict
        ``warm_up_s``, the peak RSS after set-up, per ``k`` the timing and the kept results,
        and ``big`` (None when not run).
    """
    def krige(grid: BlockGrid, k: int) -> Any:
        return estimate(xyz, grade, grid, SearchNeighbourhood((SEARCH_RADIUS_M,) * 3,
                                                              max_samples=k),
                        method="ordinary", model=model, discretisation=(1, 1, 1))

    _, warm_up_s, _ = cpu_timed(krige, WARM_UP_GRID, max(NEIGHBOURS))
    result: dict[str, Any] = {"warm_up_s": warm_up_s, "rss_before_mib": peak_rss_mib(),
                              "threads": numba.get_num_threads(), "runs": {}, "big": None}
    for k in NEIGHBOURS:
        note(f"ours: {GRID.n_blocks:,} blocks, {k} samples ...")
        out, wall, cpu = cpu_timed(krige, GRID, k)
        if out.estimated != GRID.n_blocks:
            raise SystemExit(f"ours left {GRID.n_blocks - out.estimated} blocks unestimated")
        result["runs"][k] = {"blocks": GRID.n_blocks, "seconds": wall, "cpu_s": cpu,
                             "estimate": out.estimate[subset], "variance": out.variance[subset],
                             "peak_rss_mib": peak_rss_mib()}
        del out
    if big:
        k = min(NEIGHBOURS)
        note(f"ours: {BIG_GRID.n_blocks:,} blocks, {k} samples (--big) ...")
        before = peak_rss_mib()
        out, wall, cpu = cpu_timed(krige, BIG_GRID, k)
        result["big"] = {"blocks": BIG_GRID.n_blocks, "k": k, "seconds": wall, "cpu_s": cpu,
                         "estimated": out.estimated, "peak_rss_before_mib": before,
                         "peak_rss_mib": peak_rss_mib(),
                         "output_mib": sum(a.nbytes for a in (out.estimate, out.variance,
                                                              out.n_samples, out.slope,
                                                              out.efficiency)) / 2**20}
    return result


def run_pykrige(xyz: np.ndarray, grade: np.ndarray, params: dict[str, float],
                centres: np.ndarray, max_seconds: float) -> dict[str, Any]:
    """Time PyKrige's moving-neighbourhood ordinary kriging on the peers' blocks.

    PyKrige's constructor computes cross-validation statistics by kriging every sample from
    all the samples before it (``pykrige.core._find_statistics``: O(n^4)) and ``execute``
    assembles the dense (n + 1)² kriging matrix before taking each point's k × k part, so it
    cannot be built on all 20,000 samples. It gets the samples that are among the
    ``max(NEIGHBOURS)`` closest of at least one of these blocks: each block's k closest
    samples are then the same as among all samples (checked), and the smaller matrix only
    helps PyKrige. The constructor is timed apart, as set-up.

    Parameters
    ----------
    xyz, grade : numpy.ndarray
        All samples.
    params : dict
        PyKrige's ``variogram_parameters``.
    centres : numpy.ndarray
        Block centres, shape (m, 3), m.
    max_seconds : float
        Per neighbourhood size: no new batch of :data:`PYKRIGE_BATCH` blocks starts after it.

    Returns
    -------
    dict
        ``samples`` and ``setup_s``, and per ``k`` the blocks, seconds, CPU seconds,
        estimates and variances.
    """
    full = cKDTree(xyz)
    near = np.unique(full.query(centres, k=max(NEIGHBOURS))[1])
    sub = cKDTree(xyz[near])
    for k in NEIGHBOURS:
        if not np.array_equal(full.query(centres, k=k)[0], sub.query(centres, k=k)[0]):
            raise SystemExit("PyKrige's sample subset changes some block's neighbours")
    ok, setup_s, _ = cpu_timed(OrdinaryKriging3D, *xyz[near].T, grade[near],
                               variogram_model="spherical", variogram_parameters=params)
    expected = [params["psill"], params["range"], params["nugget"]]
    if not np.allclose(ok.variogram_model_parameters, expected):
        raise SystemExit(f"PyKrige took {ok.variogram_model_parameters}, expected {expected}")
    result: dict[str, Any] = {"samples": len(near), "setup_s": setup_s, "runs": {}}
    for k in NEIGHBOURS:
        note(f"pykrige: up to {len(centres):,} blocks, {k} samples, {max_seconds:.0f} s ...")
        est, var = [], []
        t0, c0 = time.perf_counter(), time.process_time()
        for start in range(0, len(centres), PYKRIGE_BATCH):
            if time.perf_counter() - t0 > max_seconds:
                break
            part = centres[start:start + PYKRIGE_BATCH]
            kv, ss = ok.execute("points", *part.T, n_closest_points=k, backend="loop")
            est.append(kv)
            var.append(ss)
        result["runs"][k] = {"blocks": sum(map(len, est)),
                             "seconds": time.perf_counter() - t0,
                             "cpu_s": time.process_time() - c0,
                             "estimate": np.concatenate(est), "variance": np.concatenate(var)}
    return result


def run_gstools(xyz: np.ndarray, grade: np.ndarray, model: gs.CovModel,
                centres: np.ndarray, max_seconds: float) -> dict[str, Any]:
    """Time GSTools ordinary kriging block by block, each on its k closest samples.

    GSTools kriges with every conditioning point it is given (no moving neighbourhood); the
    same-neighbourhood comparison is one ``gstools.krige.Ordinary`` per block on the block's
    k closest samples. The ``cKDTree`` (built and queried once for all the blocks) is timed
    too. GSTools' defaults are kept: pseudo-inverse of the kriging matrix, ``exact=False``
    with the nugget as measurement error, which equals kt3d's system away from the samples
    (no block centre coincides with a sample here).

    Parameters
    ----------
    xyz, grade : numpy.ndarray
        All samples.
    model : gstools.CovModel
        GSTools' form of the model.
    centres : numpy.ndarray
        Block centres, shape (m, 3), m.
    max_seconds : float
        Per neighbourhood size: no new block starts after it.

    Returns
    -------
    dict
        Per ``k`` the blocks, seconds, CPU seconds, estimates and variances.
    """
    result: dict[str, Any] = {"runs": {}}
    for k in NEIGHBOURS:
        note(f"gstools: up to {len(centres):,} blocks, {k} samples, {max_seconds:.0f} s ...")
        est, var = [], []
        t0, c0 = time.perf_counter(), time.process_time()
        idx = cKDTree(xyz).query(centres, k=k)[1]
        for c, near in zip(centres, idx, strict=True):
            if time.perf_counter() - t0 > max_seconds:
                break
            krig = gs.krige.Ordinary(model, cond_pos=xyz[near].T, cond_val=grade[near])
            field, kv = krig(c[:, None])
            est.append(field[0])
            var.append(kv[0])
        result["runs"][k] = {"blocks": len(est), "seconds": time.perf_counter() - t0,
                             "cpu_s": time.process_time() - c0,
                             "estimate": np.array(est), "variance": np.array(var)}
    return result


def rows(ours: dict[str, Any], peers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per library and neighbourhood size: throughput, ratio and agreement.

    Ours runs on ``threads`` numba threads; the peers' kriging loops are Python loops, one
    thread (their CPU seconds are kept to show it). ``max_abs_diff`` and ``max_rel_diff``
    compare the estimates with ours on the blocks the peer did, ``max_var_diff`` the kriging
    variances.

    Parameters
    ----------
    ours : dict
        What :func:`run_ours` returned.
    peers : dict
        Peer name to what :func:`run_pykrige` or :func:`run_gstools` returned.

    Returns
    -------
    list of dict
        Ours then each peer, for k = 16, then for k = 32.
    """
    table = []
    for k in NEIGHBOURS:
        mine = ours["runs"][k]
        mine_rate = mine["blocks"] / mine["seconds"]
        table.append({"library": "aurum", "k": k, "blocks": mine["blocks"],
                      "seconds": mine["seconds"], "cpu_s": mine["cpu_s"],
                      "blocks_per_s": mine_rate, "threads": ours["threads"],
                      "blocks_per_s_per_core": mine_rate / ours["threads"]})
        for name, peer in peers.items():
            run = peer["runs"][k]
            n = run["blocks"]
            rate = n / run["seconds"]
            diff = np.abs(run["estimate"] - mine["estimate"][:n])
            table.append({"library": name, "k": k, "blocks": n, "seconds": run["seconds"],
                          "cpu_s": run["cpu_s"], "blocks_per_s": rate, "threads": 1,
                          "blocks_per_s_per_core": rate, "ratio_ours_peer": mine_rate / rate,
                          "ratio_ours_peer_per_core": mine_rate / ours["threads"] / rate,
                          "max_abs_diff": float(diff.max()),
                          "max_rel_diff": float((diff / np.abs(mine["estimate"][:n])).max()),
                          "max_var_diff": float(np.abs(run["variance"]
                                                       - mine["variance"][:n]).max())})
    return table


def run(peer_seconds: float, big: bool) -> dict[str, Any]:
    """Build the data, time ours and both peers, compare.

    Parameters
    ----------
    peer_seconds : float
        Time bound of each peer per neighbourhood size.
    big : bool
        Also run ours on 10^7 blocks.

    Returns
    -------
    dict
        The measurements (see :func:`main` for the text form).
    """
    env = {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
           "python": platform.python_version(), "system": platform.platform(terse=True),
           **{p: version(p) for p in ("numpy", "scipy", "numba", "pykrige", "gstools")}}
    xyz, grade = samples()
    ours_model, pk_params, gs_model = models()
    subset = peer_blocks()
    centres = GRID.centres()[subset]
    ours = run_ours(xyz, grade, ours_model, subset, big)
    peers = {"pykrige": run_pykrige(xyz, grade, pk_params, centres, peer_seconds),
             "gstools": run_gstools(xyz, grade, gs_model, centres, peer_seconds)}
    return {"benchmark": "kriging", "machine": env, "samples": N_SAMPLES,
            "grid": {"count": GRID.count, "size_m": GRID.size, "blocks": GRID.n_blocks},
            "model": {"nugget": NUGGET, "partial_sill": PARTIAL_SILL, "range_m": RANGE_M,
                      "max_gamma_mismatch": model_mismatch(ours_model, pk_params, gs_model)},
            "peer_box_blocks": len(subset), "warm_up_s": ours["warm_up_s"],
            "pykrige_setup": {"samples": peers["pykrige"]["samples"],
                              "seconds": peers["pykrige"]["setup_s"]},
            "threads": ours["threads"], "rss_before_mib": ours["rss_before_mib"],
            "rss_after_mib": {k: r["peak_rss_mib"] for k, r in ours["runs"].items()},
            "big": ours["big"], "table": rows(ours, peers)}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--peer-seconds", type=float, default=30.0,
                        help="time bound of each peer per neighbourhood size (default 30)")
    parser.add_argument("--threads", type=int, default=numba.get_num_threads(),
                        help="numba threads of our estimator (default: every core, "
                             f"{numba.get_num_threads()})")
    parser.add_argument("--big", action="store_true",
                        help="also run ours on 10^7 blocks with 16 samples (peak RSS)")
    args = parser.parse_args()
    if not 1 <= args.peer_seconds <= 600:
        parser.error("--peer-seconds must be between 1 and 600")
    if not 1 <= args.threads <= numba.config.NUMBA_NUM_THREADS:
        parser.error(f"--threads must be between 1 and {numba.config.NUMBA_NUM_THREADS}")
    numba.set_num_threads(args.threads)
    r = run(args.peer_seconds, args.big)
    m = r["machine"]
    lines = [
        f"ordinary point kriging, {r['samples']:,} samples, {r['grid']['blocks']:,} blocks of "
        f"{r['grid']['size_m'][0]:.0f} m, spherical nugget {NUGGET} + {PARTIAL_SILL}, range "
        f"{RANGE_M:.0f} m (max |Δγ| between the libraries' models "
        f"{r['model']['max_gamma_mismatch']:.1e}); {m['cpus']} CPUs (load {m['load_1m']})",
        f"ours on the whole grid; peers on up to {r['peer_box_blocks']:,} blocks of a sub-box "
        f"(PyKrige built on the {r['pykrige_setup']['samples']} samples that neighbour them, "
        f"set-up {r['pykrige_setup']['seconds']:.1f} s; GSTools: one Ordinary per block on "
        f"its k closest samples)",
        f"per core: blocks/s over the threads (aurum {r['threads']} numba threads, the peers "
        f"1); CPU use: process CPU s / wall s (cores actually used; the machine may be shared)",
        f"{'library':<8} {'k':>3} {'blocks':>10} {'s':>7} {'blocks/s':>9} {'per core':>9} "
        f"{'CPU use':>7} {'ours/peer':>9}  max |Δ| vs ours (relative)",
    ]
    for row in r["table"]:
        ratio = f"{row['ratio_ours_peer']:.1f}x" if "ratio_ours_peer" in row else ""
        delta = (f"{row['max_abs_diff']:.1e} ({row['max_rel_diff']:.0e})"
                 if "max_abs_diff" in row else "")
        lines.append(f"{row['library']:<8} {row['k']:>3} {row['blocks']:>10,} "
                     f"{row['seconds']:>7.2f} {row['blocks_per_s']:>9,.0f} "
                     f"{row['blocks_per_s_per_core']:>9,.0f} "
                     f"{row['cpu_s'] / row['seconds']:>7.2f} {ratio:>9}  {delta}")
    lines.append("kriging variance, max |Δ| vs ours: " + ", ".join(
        f"{row['library']} k={row['k']} {row['max_var_diff']:.1e}"
        for row in r["table"] if "max_var_diff" in row))
    lines.append(f"warm-up (numba compile or cache load, not timed above): "
                 f"{r['warm_up_s']:.1f} s; peak RSS {r['rss_before_mib']:.0f} MiB after "
                 f"set-up, " + ", ".join(f"{v:.0f} MiB after k={k}"
                                         for k, v in r["rss_after_mib"].items()))
    if r["big"]:
        b = r["big"]
        lines.append(f"--big: {b['blocks']:,} blocks, k={b['k']}: {b['seconds']:.1f} s, "
                     f"{b['blocks'] / b['seconds']:,.0f} blocks/s; peak RSS "
                     f"{b['peak_rss_before_mib']:.0f} -> {b['peak_rss_mib']:.0f} MiB "
                     f"(output arrays {b['output_mib']:.0f} MiB)")
    emit(r, args.format, lines)


if __name__ == "__main__":
    main()
