"""Reconciliation time: Aurum's SQP against scipy's SLSQP and trust-constr on the same circuits.

Circuits of about 5, 10, 20, 50, 100 and 1,000 streams with 3 components (Au, Ag, S),
generated with a fixed seed: parallel trains of up to 10 units fed by one distributor, each
unit with a side stream to a product, a later unit or an earlier one (a recycle); true flows
and assays that close every balance; measured masses on about 70 % of the streams and assays
on about 80 % (2 % and 5 % relative standard deviations, normal errors), plus whatever the
balances need to be observable.

OURS: ``aurum.processing.reconcile.reconcile(circuit, detect_gross_errors=False)`` — the
starting point, the observability check, the SQP iterations and the covariance of every
estimate; median of ``--repeats`` runs after one warm-up, three ways interleaved so that they
see the same load: as shipped (the path chosen by size), the direct (dense) path forced, and
the sparse path forced (``DIRECT_MAX_SIZE`` set; the direct path only up to
``--direct-max-rows`` KKT rows, its dense matrices growing as the square). The break-even is
printed: the KKT sizes between which the sparse path overtakes the direct one. PEERS:
``scipy.optimize.minimize`` on the same objective and balances, from the same starting point
(``BalanceProblem.start``), in the same unit-free variables (measured ones in standard
deviations: unscaled, SLSQP needs far more iterations), with the analytic gradient and
constraint Jacobian: ``SLSQP`` (dense Jacobian, as it requires; ``ftol=1e-8``: 1e-10 runs to
the iteration limit on the small circuit without a better objective) and ``trust-constr``
(sparse Jacobian, and the exact Hessians: the weights and
``BalanceProblem.lagrangian_hessian`` — more than a user would usually give it; ``gtol=1e-8``,
``xtol=1e-12``). Each peer runs in a forked child stopped after ``--peer-seconds`` (an
iteration cannot be interrupted from inside); an unfinished run reports its last iterate; a
peer that finishes within a second is run ``--repeats`` times (median). Checks: our largest
relative imbalance < 1e-9, our objective no larger than a converged peer's (to 1e-9 relative),
and the direct and sparse paths' estimates and χ² equal to 1e-10 relative. BLAS runs on
``--blas-threads`` threads (default 1: on a shared machine OpenBLAS threads waiting for a busy
core made a 418 × 250 SVD take 0.3–3.5 s instead of 0.05 s). Nothing is written.
Run from the repository root::

    .venv/bin/python benchmarks/bench_reconcile.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import time
from importlib.metadata import version
from typing import Any

import numpy as np
from _common import emit, note
from scipy import sparse
from scipy.optimize import NonlinearConstraint, minimize
from threadpoolctl import threadpool_limits

import aurum.processing.reconcile as reconcile_module
from aurum.processing.circuit import Circuit, Measurement, Node, Stream, StreamMeasurements
from aurum.processing.reconcile import BalanceProblem, observability, reconcile

SEED = 20261121
PEERS = ("SLSQP", "trust-constr")
SIZES = (5, 10, 20, 50, 100, 1000)
PATHS = {"direct": 10**9, "sparse": 0}
"""Values of ``DIRECT_MAX_SIZE`` that force one path."""
COMPONENTS = ("Au", "Ag", "S")
MASS_RSD, ASSAY_RSD = 0.02, 0.05
TRAIN = 10
"""Units per train at most."""
REACH = 5
"""A side stream goes at most this many units forward or back."""


def true_circuit(n_streams: int, rng: np.random.Generator,
                 ) -> tuple[list[Node], list[Stream], np.ndarray, np.ndarray]:
    """Parallel trains fed by one distributor: in each train, units in a line (the last to
    the train's tailings), each with one side stream to a product boundary (half), a later
    unit (a quarter) or an earlier one (a recycle), at most :data:`REACH` units away.

    Returns
    -------
    nodes, streams : list
        The circuit, about ``n_streams`` streams (trains of up to :data:`TRAIN` units:
        2 × units + 1 streams each, plus the feed).
    mass : numpy.ndarray
        True mass per stream, t/h.
    assays : numpy.ndarray
        True assays, g/t, shape (n_streams, 3).
    """
    length = min(TRAIN, max(2, (n_streams - 2) // 2))
    trains = max(1, round((n_streams - 1) / (2 * length + 1)))
    k = trains * length
    unit = [f"t{t + 1}u{i + 1}" for t in range(trains) for i in range(length)]
    nodes = [Node("feed"), Node("distributor"), *(Node(u) for u in unit)]
    streams = [Stream("feed", "feed", "distributor")]
    inflow = []  # (from unit index or -1 = distributor, to unit index, stream kind)
    for t in range(trains):
        first = t * length
        nodes.append(Node(f"tails{t + 1}"))
        streams.append(Stream(f"t{t + 1}feed", "distributor", unit[first]))
        inflow.append((-1, first, "feed"))
        for i in range(first, first + length - 1):
            streams.append(Stream(f"{unit[i]}main", unit[i], unit[i + 1]))
            inflow.append((i, i + 1, "main"))
        streams.append(Stream(f"t{t + 1}tails", unit[first + length - 1], f"tails{t + 1}"))
        inflow.append((first + length - 1, -1, "main"))
        for i in range(first, first + length):
            r = rng.random()
            last = first + length - 1
            if r < 0.5 or i in (first, last):
                target = -1
                nodes.append(Node(f"{unit[i]}product"))
            elif r < 0.75:
                target = int(rng.integers(i + 1, min(i + 1 + REACH, last + 1)))
            else:
                target = int(rng.integers(max(i - REACH, first), i))
            streams.append(Stream(f"{unit[i]}side", unit[i],
                                  f"{unit[i]}product" if target < 0 else unit[target]))
            inflow.append((i, target, "side"))
    share = rng.uniform(0.5, 1.5, trains)
    share /= share.sum()
    feed_t = 100.0 * trains

    def stream_flows(fraction: np.ndarray, feed: float) -> np.ndarray:
        # Throughput T of every unit: T = b + M T with the main / side split fractions.
        M = np.zeros((k, k))
        b = np.zeros(k)
        for src, dst, kind in inflow:
            if dst < 0:
                continue
            if src < 0:
                b[dst] += feed * share[dst // length]
            else:
                M[dst, src] += fraction[src] if kind == "main" else 1.0 - fraction[src]
        T = np.linalg.solve(np.eye(k) - M, b)
        out = [feed]
        for src, dst, kind in inflow:
            if src < 0:
                out.append(feed * share[dst // length])
            else:
                out.append(T[src] * (fraction[src] if kind == "main" else 1 - fraction[src]))
        return np.array(out)

    main_fraction = rng.uniform(0.6, 0.95, k)
    mass = stream_flows(main_fraction, feed_t)
    feed_assays = np.array([3.0, 15.0, 20_000.0])  # Au, Ag g/t; S 2 %
    metal = np.column_stack([
        stream_flows(np.clip(main_fraction * rng.uniform(0.7, 1.2, k), 0.05, 0.99),
                     feed_t * a) for a in feed_assays])
    return nodes, streams, mass, metal / mass[:, None]


def measured_circuit(n_streams: int, seed: int) -> Circuit:
    """The generated circuit with noisy measurements, observable."""
    rng = np.random.default_rng(seed)
    nodes, streams, mass, assays = true_circuit(n_streams, rng)
    has_mass = rng.random(len(streams)) < 0.7
    has_assay = rng.random((len(streams), len(COMPONENTS))) < 0.8
    has_mass[0] = True  # the feed is weighed

    def build() -> Circuit:
        meas = {}
        for j, s in enumerate(streams):
            m = None
            if has_mass[j]:
                m = Measurement(float(mass[j] * (1 + MASS_RSD * noise[j, 0])),
                                float(MASS_RSD * mass[j]))
            a = {c: Measurement(float(assays[j, k] * (1 + ASSAY_RSD * noise[j, 1 + k])),
                                float(ASSAY_RSD * assays[j, k]))
                 for k, c in enumerate(COMPONENTS) if has_assay[j, k]}
            meas[s.name] = StreamMeasurements(m, a)
        return Circuit(tuple(nodes), tuple(streams), meas)

    noise = rng.standard_normal((len(streams), 1 + len(COMPONENTS)))
    circuit = build()
    index = {s.name: j for j, s in enumerate(streams)}
    for _ in range(10):
        table = observability(circuit)
        missing = table[table.status == "unobservable"]
        if missing.empty:
            return circuit
        for stream, field in zip(missing.stream, missing.field, strict=True):
            if field == "mass":
                has_mass[index[stream]] = True
            else:
                has_assay[index[stream], COMPONENTS.index(field)] = True
        circuit = build()
    raise SystemExit("could not make the generated circuit observable")


def kkt_rows(problem: BalanceProblem) -> int:
    """Rows of the SQP's KKT system (variables + balances), what the path is chosen by."""
    return len(problem.values) + problem.incidence.shape[0] * (1 + problem.n_components)


def run_ours(circuit: Circuit, repeats: int, direct_max_rows: int) -> dict[str, Any]:
    """Median of ``repeats`` timed reconciliations (after one warm-up) as shipped and by each
    path forced, interleaved; the paths' results compared."""
    shipped = reconcile_module.DIRECT_MAX_SIZE
    problem = BalanceProblem.from_circuit(circuit)
    size = kkt_rows(problem)
    limits = {"shipped": shipped, **PATHS}
    if size > direct_max_rows:
        del limits["direct"]
    times: dict[str, list[float]] = {name: [] for name in limits}
    results = {}
    try:
        for run in range(repeats + 1):
            for name, limit in limits.items():
                reconcile_module.DIRECT_MAX_SIZE = limit
                t0 = time.perf_counter()
                results[name] = reconcile(circuit, detect_gross_errors=False)
                if run:
                    times[name].append(time.perf_counter() - t0)
    finally:
        reconcile_module.DIRECT_MAX_SIZE = shipped
    result = results["shipped"]
    z = np.concatenate([result.mass, result.assays.T.ravel()])
    same = True
    if "direct" in results:
        a, b = results["direct"].adjustment, results["sparse"].adjustment
        same = bool(np.allclose(a.estimate, b.estimate, rtol=1e-10, atol=0)
                    and abs(a.chi2 - b.chi2) <= 1e-10 * b.chi2)
    return {"seconds": float(np.median(times["shipped"])),
            "path": "direct" if size <= shipped else "sparse", "kkt_rows": size,
            **{f"{name}_seconds": float(np.median(times[name])) for name in PATHS
               if name in times},
            "paths_agree": same, "objective": problem.objective(z),
            "imbalance": float(problem.relative_imbalance(z).max()),
            "iterations": result.adjustment.iterations, "chi2": result.chi2,
            "dof": result.dof}


def break_even(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The largest KKT size at which the direct path was faster and the smallest above it
    at which the sparse one was (None when not reached)."""
    timed = sorted((r["ours"] for r in rows if "direct_seconds" in r["ours"]),
                   key=lambda o: o["kkt_rows"])
    faster = [o["kkt_rows"] for o in timed if o["direct_seconds"] < o["sparse_seconds"]]
    last = max(faster, default=None)
    above = [o["kkt_rows"] for o in timed
             if o["direct_seconds"] >= o["sparse_seconds"] and (last is None or
                                                                o["kkt_rows"] > last)]
    return {"direct_faster_up_to": last, "sparse_faster_from": min(above, default=None),
            "direct_max_size": reconcile_module.DIRECT_MAX_SIZE}


def peer_problem(circuit: Circuit, method: str) -> tuple[BalanceProblem, dict[str, Any],
                                                         np.ndarray]:
    """The arguments of ``scipy.optimize.minimize`` for a peer, in unit-free variables."""
    problem = BalanceProblem.from_circuit(circuit)
    z0 = problem.start()
    scale = np.where(problem.measured, problem.sd, np.abs(z0))
    S = sparse.diags_array(scale)
    kwargs: dict[str, Any] = {
        "fun": lambda x: problem.objective(x * scale), "x0": z0 / scale,
        "jac": lambda x: problem.gradient(x * scale) * scale, "method": method}
    if method == "SLSQP":
        kwargs["constraints"] = [{
            "type": "eq", "fun": lambda x: problem.constraints(x * scale),
            "jac": lambda x: (problem.jacobian(x * scale) @ S).toarray()}]
        kwargs["options"] = {"maxiter": 1000, "ftol": 1e-8}
    else:
        weights = sparse.diags_array(problem.measured.astype(float))
        kwargs["hess"] = lambda x: weights
        kwargs["constraints"] = [NonlinearConstraint(
            lambda x: problem.constraints(x * scale), 0.0, 0.0,
            jac=lambda x: problem.jacobian(x * scale) @ S,
            hess=lambda x, v: S @ problem.lagrangian_hessian(x * scale, v) @ S)]
        kwargs["options"] = {"maxiter": 5000, "gtol": 1e-8, "xtol": 1e-12}
    return problem, kwargs, scale


def _peer_child(circuit: Circuit, method: str, conn: Any) -> None:
    """Run one peer and send its progress after every iteration, then its result."""
    problem, kwargs, scale = peer_problem(circuit, method)
    t0 = time.perf_counter()
    iterations = 0

    def progress(xk: np.ndarray, *_: Any) -> None:
        nonlocal iterations
        iterations += 1
        z = np.asarray(xk) * scale
        conn.send({"seconds": time.perf_counter() - t0, "iterations": iterations,
                   "objective": problem.objective(z),
                   "imbalance": float(problem.relative_imbalance(z).max()),
                   "finished": False, "message": "stopped by the time bound"})

    res = minimize(**kwargs, callback=progress)
    z = res.x * scale
    conn.send({"seconds": time.perf_counter() - t0, "iterations": int(res.nit),
               "objective": problem.objective(z),
               "imbalance": float(problem.relative_imbalance(z).max()),
               "finished": bool(res.success), "message": str(res.message), "done": True})
    conn.close()


def run_peer(circuit: Circuit, method: str, max_seconds: float,
             repeats: int) -> dict[str, Any]:
    """:func:`run_peer_once`, ``repeats`` times (median) when it finishes within a second."""
    first = run_peer_once(circuit, method, max_seconds)
    if not first["finished"] or first["seconds"] > 1.0 or repeats <= 1:
        return first
    seconds = [first["seconds"]] + [run_peer_once(circuit, method, max_seconds)["seconds"]
                                    for _ in range(repeats - 1)]
    return {**first, "seconds": float(np.median(seconds))}


def run_peer_once(circuit: Circuit, method: str, max_seconds: float) -> dict[str, Any]:
    """A peer in a forked child (an iteration cannot be interrupted from inside), stopped
    after ``max_seconds``; the last progress report stands for an unfinished run."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_peer_child, args=(circuit, method, sender), daemon=True)
    deadline = time.perf_counter() + max_seconds
    child.start()
    sender.close()
    last: dict[str, Any] = {"seconds": max_seconds, "iterations": 0, "objective": float("nan"),
                            "imbalance": float("nan"), "finished": False,
                            "message": "stopped by the time bound before an iteration"}
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or not receiver.poll(remaining):
            last["seconds"] = max_seconds
            break
        try:
            last = receiver.recv()
        except EOFError:
            break
        if last.get("done"):
            break
    child.terminate()
    child.join(10)
    if child.is_alive():
        child.kill()
        child.join()
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="approximate stream counts")
    parser.add_argument("--peer-seconds", type=float, default=600.0,
                        help="bound of each SLSQP run, s")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed runs of ours, and of a peer that takes under 1 s (median)")
    parser.add_argument("--direct-max-rows", type=int, default=2000,
                        help="time the forced direct path up to this many KKT rows")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="BLAS threads for both (0: the library's default)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    if args.blas_threads:
        threadpool_limits(limits=args.blas_threads, user_api="blas")
    rows = []
    failed = False
    for size in args.sizes:
        circuit = measured_circuit(size, SEED + size)
        n_vars = len(circuit.streams) * (1 + len(COMPONENTS))
        measured = int(BalanceProblem.from_circuit(circuit).measured.sum())
        note(f"{len(circuit.streams)} streams, {n_vars} variables ({measured} measured): ours")
        row: dict[str, Any] = {"streams": len(circuit.streams),
                               "nodes": len(circuit.balance_nodes), "variables": n_vars,
                               "measured": measured,
                               "ours": run_ours(circuit, args.repeats, args.direct_max_rows)}
        ok = row["ours"]["imbalance"] < 1e-9 and row["ours"]["paths_agree"]
        for method in PEERS:
            note(f"  {method} (up to {args.peer_seconds:.0f} s)")
            peer = run_peer(circuit, method, args.peer_seconds, args.repeats)
            peer["ratio"] = peer["seconds"] / row["ours"]["seconds"]
            if peer["finished"]:
                ok &= row["ours"]["objective"] <= peer["objective"] * (1 + 1e-9)
            row[method] = peer
        row["checks_ok"] = bool(ok)
        failed |= not ok
        rows.append(row)
    result = {"machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
                          "python": platform.python_version(), "numpy": version("numpy"),
                          "scipy": version("scipy"), "numba": version("numba"),
                          "blas_threads": args.blas_threads},
              "rows": rows, "break_even": break_even(rows)}
    lines = [f"{'streams':>8}{'vars':>6}  {'solver':<13}{'seconds':>10}{'iters':>7}"
             f"{'peer/ours':>11}{'objective':>15}{'imbalance':>11}  status"]
    for r in rows:
        o = r["ours"]
        lines.append(f"{r['streams']:>8}{r['variables']:>6}  {'aurum':<13}{o['seconds']:>10.4f}"
                     f"{o['iterations']:>7}{'':>11}{o['objective']:>15.6f}"
                     f"{o['imbalance']:>11.1e}  {'ok' if r['checks_ok'] else '!!! check failed'}"
                     f" ({o['path']} path, {o['kkt_rows']} KKT rows)")
        for name in PATHS:
            if f"{name}_seconds" in o:
                lines.append(f"{'':>14}  {'  ' + name:<13}{o[f'{name}_seconds']:>10.4f}"
                             f"{'':>7}{o[f'{name}_seconds'] / o['seconds']:>10.2f}×")
        for method in PEERS:
            p = r[method]
            status = "converged" if p["finished"] else f"not finished: {p['message']}"
            lines.append(f"{'':>14}  {method:<13}{p['seconds']:>10.3f}{p['iterations']:>7}"
                         f"{p['ratio']:>10.1f}×{p['objective']:>15.6f}"
                         f"{p['imbalance']:>11.1e}  {status}")
    even = result["break_even"]
    lines.append(f"break-even: direct path faster up to {even['direct_faster_up_to']} KKT rows, "
                 f"sparse from {even['sparse_faster_from']} (DIRECT_MAX_SIZE = "
                 f"{even['direct_max_size']}); load {result['machine']['load_1m']}")
    emit(result, args.format, lines)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
