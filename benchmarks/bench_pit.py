"""Ultimate pit: Aurum's maximum closure against Hochbaum's pseudoflow, OR-Tools and networkx.

Every solver gets the same blocks and precedences and returns the source side of a minimum cut
of Picard's network (source → positive block, negative block → sink, precedence arcs of
infinite capacity); the pit's value is summed from the block values in this script, the same
way for everyone, and checked against ours (1e-6 relative) and, for MineLib, against the
published optimum (to the unit).

Cases: the MineLib instances newman1, zuck_small and kd (``--minelib DIR``) and generated
block models of 46 × 46 × 47 (about 10^5) and 100 × 100 × 100 blocks (10^6) with 45° slopes
(the 1:9 pattern: a block needs the 3 × 3 blocks above it); ``--big`` adds 220 × 220 × 200
blocks (9.68 × 10^6). Printed too: each solver's exponent x of solve time ~ blocks^x on the
generated models, in wall and in CPU seconds, and which solvers found the very pit ours found
(block for block; only its value must agree, since another optimal pit may hold blocks worth 0
together more).

Solvers, each in a forked child process bounded in time (``--peer-seconds``) and in resident
memory (``--peer-gib``; ours: :data:`OURS_SECONDS`, :data:`OURS_GIB`):

- OURS: ``aurum.planning.maxclosure.maximum_closure`` (everything it does from the caller's
  arrays is in its solve time: no build time), after one warm-up call on kd in the parent
  (numba compilation or cache load, reported, not timed; the children inherit the compiled
  code, which the solver then uses on every size, newman1 included, rather than running its
  kernels as plain Python as a fresh process does on small problems);
- HPF: the C core of the ``pseudoflow`` package (``hpf_solve`` in its ``libhpf.so``, through
  ctypes with the argument types that ``pseudoflow.hpf`` declares), fed a numpy arc matrix;
  build = that matrix, solve = the call, reading of the cut included;
- HPF (networkx): the package's documented API, ``pseudoflow.hpf(G, source, sink,
  const_cap="const")`` on a ``networkx.DiGraph``; build = the graph, solve = the call (the
  wrapper's conversion of the graph to an arc list in Python included) and the reading of the
  cut;
- OR-Tools: ``SimpleMaxFlow`` with integer capacities (values × 10^6, rounded, as ours),
  build = ``add_arcs_with_capacity``, solve = ``solve`` + ``get_source_side_min_cut``;
- networkx: ``minimum_cut`` (preflow-push), precedence arcs without a capacity attribute
  (infinite), only up to :data:`NETWORKX_MAX_BLOCKS` blocks.

``pseudoflow`` carries a non-commercial licence: it is a benchmark-only peer, never a
dependency. Run from the repository root::

    .venv/bin/python benchmarks/bench_pit.py
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import multiprocessing as mp
import os
import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from itertools import chain
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pseudoflow
from _common import emit, note
from ortools.graph.python import max_flow

from aurum.planning.maxclosure import maximum_closure
from aurum.planning.minelib import PitInstance, is_closed, read_instance

REPO = Path(__file__).resolve().parents[1]
MINELIB_OPTIMA = {"newman1": 26_086_899, "zuck_small": 1_422_726_898, "kd": 652_195_037}
"""Published ultimate-pit values of the MineLib instances (rounded to the unit)."""
SEED = 20261121
SMALL_GRID = (46, 46, 47)
GRID = (100, 100, 100)
BIG_GRID = (220, 220, 200)
ORE_BODIES = np.array([
    # centre x, y, z (fractions of the grid; z = 0 is the surface), sigma (fraction)
    [0.30, 0.40, 0.30, 0.10],
    [0.65, 0.60, 0.45, 0.12],
    [0.50, 0.25, 0.65, 0.08],
    [0.40, 0.75, 0.20, 0.07],
])
PRICE_USD = 10_000.0
"""Value of a block of grade 1 (the peak of an ore body, before the noise)."""
MINING_COST_USD = 1_000.0
DEPTH_COST_USD = 500.0
"""Extra cost per block at the bottom of the model (linear in depth)."""
DECIMALS = 6
"""Decimal places of ours and of OR-Tools' integer capacities."""
NETWORKX_MAX_BLOCKS = 20_000
"""networkx's preflow-push takes about a minute at 10^4 blocks here: MineLib only."""
HPF_NETWORKX_MAX_BLOCKS = 2_000_000
"""Above it, the networkx graph alone would not fit in memory (about 1 KiB per arc)."""
OURS_SECONDS = 1_800.0
OURS_GIB = 24.0
"""Ours is stopped beyond it: the target for the 10^7-block model."""
POLL_S = 0.05
REPEATS = 5
REPEAT_SECONDS = 5.0
"""A solver is run again (up to REPEATS times in all) while its runs of the case have taken
less than this together; the run with the median solve time is reported."""


@dataclass(frozen=True)
class Case(PitInstance):
    """One ultimate-pit instance (name, block values in USD, precedences in compressed rows)
    with its published optimum (MineLib), None for generated models."""

    published: int | None


def minelib_cases(directory: Path) -> list[Case]:
    """The three MineLib instances with their published optima.

    Parameters
    ----------
    directory : Path
        Holds ``NAME/NAME.upit`` and ``NAME/NAME.prec`` for every name of
        :data:`MINELIB_OPTIMA`.

    Returns
    -------
    list of Case
    """
    cases = []
    for name, optimum in MINELIB_OPTIMA.items():
        inst = read_instance(directory / name / f"{name}.upit", directory / name / f"{name}.prec")
        cases.append(Case(name, inst.values, inst.pred_ptr, inst.pred_idx, optimum))
    return cases


def block_values(shape: tuple[int, int, int]) -> np.ndarray:
    """Values of a generated block model: a few Gaussian ore bodies minus a mining cost.

    Parameters
    ----------
    shape : tuple of int
        Blocks along x, y and z (z = 0 is the surface layer).

    Returns
    -------
    numpy.ndarray
        Per block (x fastest, then y, then z), USD rounded to the cent:
        ``PRICE_USD × grade − MINING_COST_USD − DEPTH_COST_USD × depth`` with depth the
        block's z centre as a fraction of the model's height, and grade the sum of the
        :data:`ORE_BODIES` (peak 1 each) times lognormal noise (log-sd 0.5, seed
        :data:`SEED`). The body centres are fractions of the grid, so every size has the same
        geometry.
    """
    nx_, ny, nz = shape
    x, y, z = ((np.arange(k) + 0.5) / k for k in (nx_, ny, nz))
    grade = np.zeros((nz, ny, nx_))
    for cx, cy, cz, s in ORE_BODIES:
        grade += (np.exp(-(z - cz) ** 2 / (2 * s * s))[:, None, None]
                  * np.exp(-(y - cy) ** 2 / (2 * s * s))[None, :, None]
                  * np.exp(-(x - cx) ** 2 / (2 * s * s))[None, None, :])
    grade *= np.random.default_rng(SEED).lognormal(0.0, 0.5, grade.shape)
    values = PRICE_USD * grade - MINING_COST_USD - DEPTH_COST_USD * z[:, None, None]
    return np.round(values, 2).ravel()


def slope_precedences(shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """45° slopes as the 1:9 pattern: block (i, j, k) needs (i ± 1, j ± 1, k − 1).

    Parameters
    ----------
    shape : tuple of int
        Blocks along x, y and z; block id ``i + nx (j + ny k)``, k = 0 the surface.

    Returns
    -------
    pred_ptr, pred_idx : numpy.ndarray
        Compressed rows (int64): surface blocks need nothing, the others the 3 × 3 blocks
        above them clipped at the model's sides (4, 6 or 9).
    """
    nx_, ny, nz = shape
    layer = nx_ * ny
    below = np.arange(layer, layer * nz, dtype=np.int64)  # every block under the surface
    i, j = below % nx_, below // nx_ % ny
    pred = np.full((len(below), 9), -1, dtype=np.int64)
    offsets = [(di, dj) for dj in (-1, 0, 1) for di in (-1, 0, 1)]
    for c, (di, dj) in enumerate(offsets):
        inside = (i + di >= 0) & (i + di < nx_) & (j + dj >= 0) & (j + dj < ny)
        pred[inside, c] = below[inside] - layer + dj * nx_ + di
    keep = pred >= 0
    ptr = np.zeros(layer * nz + 1, dtype=np.int64)
    np.cumsum(keep.sum(axis=1), out=ptr[layer + 1:])
    return ptr, pred[keep]


def generated_case(shape: tuple[int, int, int]) -> Case:
    """A generated block model (see :func:`block_values` and :func:`slope_precedences`)."""
    t0 = time.perf_counter()
    ptr, idx = slope_precedences(shape)
    case = Case("×".join(map(str, shape)), block_values(shape), ptr, idx, None)
    note(f"generated {case.name}: {case.n_blocks:,} blocks, {case.n_arcs:,} arcs in "
         f"{time.perf_counter() - t0:.1f} s")
    return case


def picard_arcs(values: np.ndarray, case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         int, int]:
    """Picard's network as arc arrays: precedences, source → positive, negative → sink.

    Parameters
    ----------
    values : numpy.ndarray
        The capacities' version of the block values (float or scaled int64).
    case : Case
        Gives the precedences.

    Returns
    -------
    tails, heads, caps, source, sink
        Precedence arcs have capacity (sum of the positive values) + 1, more than any cut;
        nodes 0..n-1 are the blocks, n the source and n + 1 the sink.
    """
    n = case.n_blocks
    source, sink = n, n + 1
    pos, neg = np.flatnonzero(values > 0), np.flatnonzero(values < 0)
    infinite = values[pos].sum() + 1
    tails = np.concatenate([np.repeat(np.arange(n), np.diff(case.pred_ptr)),
                            np.full(len(pos), source), neg])
    heads = np.concatenate([case.pred_idx, pos, np.full(len(neg), sink)])
    caps = np.concatenate([np.full(case.n_arcs, infinite), values[pos], -values[neg]])
    return tails, heads, caps, source, sink


Solver = Callable[[Case, Callable[[], None]], tuple[np.ndarray, dict[str, Any]]]
"""``solver(case, built) -> (in_pit, extra)``; calls ``built()`` when its input is ready."""


def solve_ours(case: Case, built: Callable[[], None]) -> tuple[np.ndarray, dict[str, Any]]:
    """Ours from the precedence arrays (its checks and state are set up inside, in the solve
    time)."""
    return maximum_closure(case.values, case.pred_ptr, case.pred_idx, DECIMALS).in_pit, {}


def _libhpf() -> ctypes.CDLL:
    """The C library inside the ``pseudoflow`` package, ``hpf_solve`` typed as it types it."""
    lib = ctypes.CDLL(str(Path(pseudoflow.__file__).parent / "libhpf.so"))
    c_int, c_double, ptr = ctypes.c_int, ctypes.c_double, ctypes.POINTER
    lib.hpf_solve.argtypes = [c_int, c_int, c_int, c_int, ptr(c_double), c_double * 2, c_int,
                              ptr(c_int), ptr(ptr(c_int)), ptr(ptr(c_double)), c_int * 5,
                              c_double * 3]
    lib.hpf_solve.restype = None
    return lib


def solve_hpf(case: Case, built: Callable[[], None]) -> tuple[np.ndarray, dict[str, Any]]:
    """Hochbaum's HPF (the package's C core) on a numpy arc matrix of the float values.

    The matrix has one row per arc: tail, head, constant capacity, multiplier (0: not
    parametric). ``lambdaRange`` [0, 0] makes it one minimum cut, as ``pseudoflow.hpf`` does
    without ``mult_cap``.
    """
    tails, heads, caps, source, sink = picard_arcs(case.values, case)
    arcs = np.zeros((len(tails), 4))
    arcs[:, 0], arcs[:, 1], arcs[:, 2] = tails, heads, caps
    del tails, heads, caps
    lib = _libhpf()
    n_nodes = case.n_blocks + 2
    n_cuts = ctypes.c_int(0)
    cuts = ctypes.POINTER(ctypes.c_int)()
    breakpoints = ctypes.POINTER(ctypes.c_double)()
    stats, times = (ctypes.c_int * 5)(), (ctypes.c_double * 3)()
    built()
    lib.hpf_solve(n_nodes, len(arcs), source, sink,
                  arcs.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                  (ctypes.c_double * 2)(0.0, 0.0), 0, ctypes.byref(n_cuts),
                  ctypes.byref(cuts), ctypes.byref(breakpoints), stats, times)
    in_pit = np.ctypeslib.as_array(cuts, shape=(n_cuts.value * n_nodes,))[:case.n_blocks] > 0
    lib.libfree(cuts)
    lib.libfree(breakpoints)
    return in_pit, {"hpf_cpu_s": dict(zip(("read", "init", "solve"), times, strict=True)),
                    "pushes": stats[2], "relabels": stats[3]}


def solve_hpf_networkx(case: Case, built: Callable[[], None]
                       ) -> tuple[np.ndarray, dict[str, Any]]:
    """``pseudoflow.hpf`` on a ``networkx.DiGraph`` whose arcs carry ``const``."""
    tails, heads, caps, source, sink = picard_arcs(case.values, case)
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), caps.tolist(),
                                      strict=True), weight="const")
    del tails, heads, caps
    built()
    _, cuts, info = pseudoflow.hpf(graph, source, sink, const_cap="const")
    in_pit = np.array([cuts[b][0] for b in range(case.n_blocks)], dtype=bool)
    return in_pit, {"hpf_cpu_s": {"read": info["readDataTime"],
                                  "init": info["intializationTime"],
                                  "solve": info["solveTime"]},
                    "pushes": info["numPushes"], "relabels": info["numRelabels"]}


def solve_ortools(case: Case, built: Callable[[], None]) -> tuple[np.ndarray, dict[str, Any]]:
    """OR-Tools ``SimpleMaxFlow`` on the values × 10^DECIMALS, rounded (int64)."""
    scaled = np.rint(case.values * 10.0**DECIMALS).astype(np.int64)
    tails, heads, caps, source, sink = picard_arcs(scaled, case)
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32),
                                caps.astype(np.int64))
    del tails, heads, caps
    built()
    status = flow.solve(source, sink)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"SimpleMaxFlow.solve returned {status!r}")
    in_pit = np.zeros(case.n_blocks + 2, dtype=bool)
    in_pit[np.asarray(flow.get_source_side_min_cut(), dtype=np.int64)] = True
    return in_pit[:case.n_blocks], {}


def solve_networkx(case: Case, built: Callable[[], None]) -> tuple[np.ndarray, dict[str, Any]]:
    """``networkx.minimum_cut`` (preflow-push) on integer capacities; precedences without a
    ``capacity`` attribute, which networkx takes as infinite."""
    scaled = np.rint(case.values * 10.0**DECIMALS).astype(np.int64)
    tails, heads, caps, source, sink = picard_arcs(scaled, case)
    graph = nx.DiGraph()
    graph.add_edges_from(zip(tails[:case.n_arcs].tolist(), heads[:case.n_arcs].tolist(),
                             strict=True))
    graph.add_weighted_edges_from(zip(tails[case.n_arcs:].tolist(),
                                      heads[case.n_arcs:].tolist(),
                                      caps[case.n_arcs:].tolist(), strict=True),
                                  weight="capacity")
    built()
    _, (source_side, _) = nx.minimum_cut(graph, source, sink)
    in_pit = np.zeros(case.n_blocks + 2, dtype=bool)
    in_pit[np.fromiter(source_side, dtype=np.int64)] = True
    return in_pit[:case.n_blocks], {}


SOLVERS: dict[str, tuple[Solver, int | None]] = {
    "aurum": (solve_ours, None),
    "hpf": (solve_hpf, None),
    "hpf-networkx": (solve_hpf_networkx, HPF_NETWORKX_MAX_BLOCKS),
    "ortools": (solve_ortools, None),
    "networkx": (solve_networkx, NETWORKX_MAX_BLOCKS),
}
"""Solver name to (function, most blocks it is tried on; None: every case)."""


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_bytes(pid: int) -> int:
    """Current resident set size of a process (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(solver: Solver, case: Case, conn: Connection) -> None:
    """Run one solver in the forked child and send its timings, pit and peak RSS."""
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        marks: list[tuple[float, float]] = []

        def built() -> None:
            marks.append((time.perf_counter(), time.process_time()))
            conn.send(("built", marks[0][0] - t0))

        in_pit, extra = solver(case, built)
        t1, c1 = time.perf_counter(), time.process_time()
        peak = peak_rss_mib()
        t_solve, c_solve = marks[0] if marks else (t0, c0)
        conn.send(("done", {"build_s": t_solve - t0 if marks else None,
                            "solve_s": t1 - t_solve, "solve_cpu_s": c1 - c_solve,
                            "peak_rss_mib": peak, "value": float(case.values[in_pit].sum()),
                            "pit_blocks": int(in_pit.sum()),
                            "pit_digest": hashlib.blake2b(np.packbits(in_pit)).hexdigest(),
                            "closed": is_closed(in_pit, case.pred_ptr, case.pred_idx),
                            **extra}))
    except Exception as exc:  # reported in the table; the run goes on with the next solver
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_bounded(solver: Solver, case: Case, seconds: float, gib: float) -> dict[str, Any]:
    """Run a solver in a forked child, stopped beyond ``seconds`` or ``gib`` of RSS.

    Parameters
    ----------
    solver : Solver
        One of :data:`SOLVERS`.
    case : Case
        Inherited by the child through ``fork`` (not copied).
    seconds : float
        Wall-clock bound, build and solve together.
    gib : float
        Bound on the child's resident set (polled every :data:`POLL_S`; the inherited pages
        of this process count).

    Returns
    -------
    dict
        ``status`` ("ok", "not finished: ...", "error: ..."), ``build_s``, ``solve_s``,
        ``solve_cpu_s`` (the child's CPU seconds in the solve), ``value``, ``pit_blocks``,
        ``pit_digest`` (a hash of the pit, block by block), ``closed``, ``peak_rss_mib`` (the
        child's ``ru_maxrss``, or the largest polled RSS when it was stopped) and the
        solver's extras.
    """
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(solver, case, send), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    assert proc.pid is not None  # set by start()
    send.close()
    result: dict[str, Any] = {"status": "not finished", "build_s": None, "solve_s": None}
    polled = 0
    try:
        while True:
            if recv.poll(POLL_S):
                try:
                    kind, payload = recv.recv()
                except EOFError:
                    result["status"] = f"error: child exited with code {proc.exitcode}"
                    break
                if kind == "built":
                    result["build_s"] = payload
                elif kind == "done":
                    result.update(payload, status="ok")
                    break
                else:
                    result["status"] = f"error: {payload}"
                    break
            polled = max(polled, _rss_bytes(proc.pid))
            elapsed = time.perf_counter() - t0
            if elapsed > seconds or polled > gib * 2**30:
                why = f"{seconds:.0f} s" if elapsed > seconds else f"{gib:.0f} GiB"
                stage = "solve" if result["build_s"] is not None else "build"
                result["status"] = f"not finished: stopped at {why} in {stage}"
                result["peak_rss_mib"] = polled / 2**20
                break
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    return result


def run_repeated(solver: Solver, case: Case, seconds: float, gib: float) -> dict[str, Any]:
    """:func:`run_bounded` up to :data:`REPEATS` times while the runs take less than
    :data:`REPEAT_SECONDS` together (small cases: the machine may be shared).

    Parameters
    ----------
    solver, case, seconds, gib
        As for :func:`run_bounded`.

    Returns
    -------
    dict
        The run with the median solve time (or the first that did not finish), with ``runs``.
    """
    runs: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    while len(runs) < REPEATS:
        runs.append(run_bounded(solver, case, seconds, gib))
        if runs[-1]["status"] != "ok":
            return {**runs[-1], "runs": len(runs)}
        if time.perf_counter() - t0 > REPEAT_SECONDS:
            break
    runs.sort(key=lambda r: r["solve_s"])
    return {**runs[len(runs) // 2], "runs": len(runs)}


def check(row: dict[str, Any], ours: dict[str, Any], published: int | None) -> list[str]:
    """Disagreements of one finished solver: with ours, with the published optimum, closure.

    Parameters
    ----------
    row : dict
        What :func:`run_bounded` returned, with ``solver`` and ``case``.
    ours : dict
        Our row of the same case.
    published : int or None
        MineLib's optimum.

    Returns
    -------
    list of str
        Empty when the pit is closed, its value equals ours to 1e-6 (relative) and rounds to
        the published optimum.
    """
    where = f"{row['case']}, {row['solver']}"
    problems = []
    if not row["closed"]:
        problems.append(f"{where}: the pit is not closed (a block without a block above it)")
    if (ours.get("status") == "ok" and row is not ours
            and abs(row["value"] - ours["value"]) > 1e-6 * max(1.0, abs(ours["value"]))):
        problems.append(f"{where}: value {row['value']:,.6f} differs from ours "
                        f"{ours['value']:,.6f}")
    if published is not None and round(row["value"]) != published:
        problems.append(f"{where}: value {row['value']:,.6f} is not the published optimum "
                        f"{published:,}")
    return problems


def run(minelib: Path, big: bool, peer_seconds: float, peer_gib: float,
        solvers: list[str]) -> dict[str, Any]:
    """Build the cases, warm ours up, run the solvers on every case, check.

    Parameters
    ----------
    minelib : Path
        MineLib directory.
    big : bool
        Add the 220 × 220 × 200 model.
    peer_seconds, peer_gib : float
        Bounds of each peer run.
    solvers : list of str
        Names of :data:`SOLVERS` to run besides ours.

    Returns
    -------
    dict
        Machine, versions, warm-up, one row per case and solver, disagreements.
    """
    env = {"cpus": os.cpu_count(), "load_1m_start": round(os.getloadavg()[0], 2),
           "python": platform.python_version(), "system": platform.platform(terse=True),
           **{p: version(p) for p in ("numpy", "numba", "pseudoflow", "ortools", "networkx")}}
    cases = minelib_cases(minelib)
    t0 = time.perf_counter()
    warm = maximum_closure(cases[-1].values, cases[-1].pred_ptr, cases[-1].pred_idx, DECIMALS)
    warm_up_s = time.perf_counter() - t0
    if round(warm.value) != cases[-1].published:
        raise SystemExit(f"warm-up on {cases[-1].name} gave {warm.value}")
    shapes = [SMALL_GRID, GRID, BIG_GRID] if big else [SMALL_GRID, GRID]
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for case in chain(cases, (generated_case(shape) for shape in shapes)):
        ours: dict[str, Any] = {}
        for name in ["aurum", *(s for s in solvers if s != "aurum")]:
            solver, max_blocks = SOLVERS[name]
            row: dict[str, Any] = {"case": case.name, "blocks": case.n_blocks,
                                   "arcs": case.n_arcs, "solver": name}
            if max_blocks is not None and case.n_blocks > max_blocks:
                rows.append({**row, "status": f"skipped (> {max_blocks:,} blocks)"})
                continue
            note(f"{case.name}: {name} ...")
            bound_s, bound_gib = ((OURS_SECONDS, OURS_GIB) if solver is solve_ours
                                  else (peer_seconds, peer_gib))
            row.update(run_repeated(solver, case, bound_s, bound_gib))
            if solver is solve_ours:
                ours = row
            if row["status"] == "ok":
                if ours.get("status") == "ok" and row is not ours:
                    row["ratio"] = row["solve_s"] / ours["solve_s"]
                    row["ratio_total"] = (row["solve_s"] + row["build_s"]) / ours["solve_s"]
                    row["same_pit"] = row["pit_digest"] == ours["pit_digest"]
                found = check(row, ours, case.published)
                for problem in found:
                    note(f"!!! DISAGREEMENT: {problem}")
                problems += found
            note(f"  {row['status']}" + (f", solve {row['solve_s']:.2f} s"
                                          if row["status"] == "ok" else ""))
            rows.append(row)
    env["load_1m_end"] = round(os.getloadavg()[0], 2)
    return {"benchmark": "ultimate pit", "machine": env, "warm_up_s": warm_up_s,
            "scaling": scaling(rows), "scaling_cpu": scaling(rows, "solve_cpu_s"),
            "parent_rss_mib": peak_rss_mib(),
            "peer_seconds": peer_seconds, "peer_gib": peer_gib, "rows": rows,
            "disagreements": problems}


def scaling(rows: list[dict[str, Any]], key: str = "solve_s") -> dict[str, float]:
    """Per solver, the exponent x of solve time ~ blocks^x fitted (least squares, log-log) on
    the generated models it finished, when it finished at least two.

    Parameters
    ----------
    rows : list of dict
        The rows of :func:`run`.
    key : str
        ``solve_s`` (wall seconds) or ``solve_cpu_s`` (CPU seconds, less bent by the load of
        a shared machine).
    """
    exponents = {}
    for solver in dict.fromkeys(row["solver"] for row in rows):
        done = [(row["blocks"], row[key]) for row in rows if row["solver"] == solver
                and row["status"] == "ok" and row["case"].count("×") == 2]
        if len(done) >= 2:
            blocks, seconds = np.log(np.array(done, dtype=float)).T
            exponents[solver] = float(np.polyfit(blocks, seconds, 1)[0])
    return exponents


def text_lines(r: dict[str, Any]) -> list[str]:
    """The human-readable report.

    Parameters
    ----------
    r : dict
        What :func:`run` returned.

    Returns
    -------
    list of str
        Header, the table (one line per case and solver), warm-up, HPF's own clock, checks.
    """
    m = r["machine"]
    lines = [
        f"ultimate pit (maximum closure); {m['cpus']} CPUs, load {m['load_1m_start']} at the "
        f"start, {m['load_1m_end']} at the end; numpy {m['numpy']}, numba {m['numba']}, "
        f"pseudoflow {m['pseudoflow']}, ortools {m['ortools']}, networkx {m['networkx']}",
        "build: the peer's input (arc matrix, graph); ours sets up its state inside its solve. "
        "ratio = peer solve / ours solve (> 1: ours faster); total = (peer build + solve) / "
        "ours solve. CPU: CPU s / wall s of the solve (the machine may be shared). RSS: peak "
        "of the solver's forked child (inherited pages included). runs: small cases are run "
        f"up to {REPEATS} times within {REPEAT_SECONDS:.0f} s, the median solve is shown.",
        f"{'case':<13} {'blocks':>9} {'arcs':>10} {'solver':<12} {'build s':>8} "
        f"{'solve s':>8} {'CPU':>4} {'value':>19} {'ratio':>7} {'total':>7} {'RSS MiB':>8} "
        f"{'runs':>4}  status",
    ]
    for row in r["rows"]:
        def num(key: str, fmt: str, row: dict[str, Any] = row) -> str:
            return format(row[key], fmt) if row.get(key) is not None else "—"
        cpu = (f"{row['solve_cpu_s'] / row['solve_s']:.2f}" if row.get("solve_s") else "—")
        lines.append(
            f"{row['case']:<13} {row['blocks']:>9,} {row['arcs']:>10,} {row['solver']:<12} "
            f"{num('build_s', '.3f'):>8} {num('solve_s', '.3f'):>8} {cpu:>4} "
            f"{num('value', ',.2f'):>19} {num('ratio', '.2f'):>7} "
            f"{num('ratio_total', '.2f'):>7} {num('peak_rss_mib', ',.0f'):>8} "
            f"{num('runs', 'd'):>4}  "
            f"{row['status']}")
    lines.append(f"warm-up of ours on kd (numba compilation or cache load, not timed "
                 f"above): {r['warm_up_s']:.2f} s; peers bounded at {r['peer_seconds']:.0f} s "
                 f"and {r['peer_gib']:.0f} GiB RSS")
    lines.append("peak RSS of ours (resource.getrusage in its child; this process: "
                 f"{r['parent_rss_mib']:,.0f} MiB): " + ", ".join(
                     f"{row['case']} {row['peak_rss_mib'] / 1024:.2f} GiB" for row in r["rows"]
                     if row["solver"] == "aurum" and row.get("peak_rss_mib") is not None)
                 + f" (target for 10^7 blocks: {OURS_GIB:.0f} GiB)")
    ours_over_hpf = [f"{row['case']} {1 / row['ratio']:.2f}" for row in r["rows"]
                     if row["solver"] == "hpf" and row.get("ratio")]
    if ours_over_hpf:
        lines.append("ours / HPF (solve time; < 1: ours faster): " + ", ".join(ours_over_hpf))
    exponents = [f"{solver} n^{exponent:.2f} (CPU s: n^{r['scaling_cpu'][solver]:.2f})"
                 for solver, exponent in r["scaling"].items()]
    if exponents:
        lines.append("solve time against blocks on the generated models (least squares on "
                     "log-log): " + ", ".join(exponents))
    other = [f"{row['case']} {row['solver']}" for row in r["rows"]
             if row.get("same_pit") is False]
    lines.append("pits equal to ours block for block: every finished solver"
                 + (f" except {', '.join(other)} (same value)" if other else ""))
    for row in r["rows"]:
        if "hpf_cpu_s" in row:
            t = row["hpf_cpu_s"]
            lines.append(f"{row['case']}, {row['solver']}: HPF's own CPU clock: read "
                         f"{t['read']:.2f} s, init {t['init']:.2f} s, solve {t['solve']:.2f} s; "
                         f"{row['pushes']:,} pushes, {row['relabels']:,} relabels")
    if r["disagreements"]:
        lines += ["!!! DISAGREEMENTS !!!", *(f"!!! {p}" for p in r["disagreements"])]
    else:
        lines.append("every finished solver: closed pit, value = ours (1e-6 relative), "
                     "MineLib optima to the unit")
    return lines


def main() -> None:
    """Parse the options, run, print; exit status 1 on any disagreement."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--minelib", type=Path, default=REPO.parent / "shared" / "data"
                        / "minelib", help="MineLib directory (default ../shared/data/minelib "
                                          "from the repository root)")
    parser.add_argument("--big", action="store_true",
                        help="also the 220 × 220 × 200 model (9.68 million blocks)")
    parser.add_argument("--peer-seconds", type=float, default=120.0,
                        help="wall-clock bound of each peer run, build included (default 120)")
    parser.add_argument("--peer-gib", type=float, default=12.0,
                        help="resident-memory bound of each peer run (default 12)")
    parser.add_argument("--solvers", default=",".join(SOLVERS),
                        help=f"solvers to run, comma-separated (default {','.join(SOLVERS)}; "
                             f"ours always runs)")
    args = parser.parse_args()
    solvers = args.solvers.split(",")
    if unknown := set(solvers) - set(SOLVERS):
        parser.error(f"--solvers: unknown {', '.join(sorted(unknown))}")
    if not 1 <= args.peer_seconds <= 3_600:
        parser.error("--peer-seconds must be between 1 and 3600")
    if not 0.5 <= args.peer_gib <= 64:
        parser.error("--peer-gib must be between 0.5 and 64")
    r = run(args.minelib, args.big, args.peer_seconds, args.peer_gib, solvers)
    emit(r, args.format, text_lines(r))
    if r["disagreements"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
