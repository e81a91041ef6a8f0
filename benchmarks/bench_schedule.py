"""Stope scheduling: the MIP (HiGHS through scipy) against the greedy rule and OR-Tools CP-SAT.

Instance: 200 stopes on 10 levels (20 a level along strike, one-block pillars, so each stope
has up to two neighbours in its level and one or two stopes above and below it) over 36
months, top-down, two months of cure, levels ready one after another, ore and fill capacity
for about four stopes a month, 8 per cent a year; values from a log-normal grade, about a
fifth of the stopes below cost. The same seed gives the same instance.

Solvers, on the same tasks and parameters:

- MIP: :func:`aurum.underground.schedule.schedule_stopes` (time-indexed binaries y[s, t],
  HiGHS through ``scipy.optimize.milp``) with ``--seconds`` of time limit; NPV, HiGHS's dual
  bound and gap, seconds;
- greedy: :func:`~aurum.underground.schedule.greedy_schedule` (value density month by month);
- CP-SAT: the same time-indexed model in OR-Tools' CP-SAT (the ``bench`` extra), objective in
  whole CNY, the same time limit and two workers; skipped when ``ortools`` is not importable.

Every schedule is re-checked by :func:`~aurum.underground.schedule.check_schedule` and its
NPV recomputed in this script from its months, the same way for everyone. Run from the
repository root::

    .venv/bin/python benchmarks/bench_schedule.py [--seconds 60] [--format json]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd
from _common import emit, note

from aurum.underground.schedule import (
    Schedule,
    ScheduleParams,
    StopeTask,
    check_schedule,
    greedy_schedule,
    schedule_stopes,
)

SEED = 20261207
LEVELS, PER_LEVEL, PERIODS = 10, 20, 36


def instance(seed: int = SEED) -> tuple[list[StopeTask], ScheduleParams]:
    """The benchmark's 200 stopes and their parameters."""
    rng = np.random.default_rng(seed)
    tasks = []
    for level in range(LEVELS):
        i = int(rng.integers(0, 4))
        for n in range(PER_LEVEL):
            length = int(rng.integers(3, 8))
            ore = 375.0 * length * float(rng.uniform(6, 12))  # t: 5 m blocks, 2.7 t/m³
            grade = float(rng.lognormal(0.9, 0.7))  # g/t
            value = ore * (grade * 0.9 * 560.0 - 900.0)  # CNY: recovery, price, cost
            tasks.append(StopeTask(f"L{level:02d}S{n:02d}", level, i, i + length - 1, 0, 2,
                                   10 * level, 10 * level + 9, ore, value, ore / 2.7))
            i += length + 1
    mean_ore = float(np.mean([t.ore_t for t in tasks]))
    params = ScheduleParams(
        periods=PERIODS, ore_capacity_t=4.0 * mean_ore, fill_capacity_m3=4.0 * mean_ore / 2.7,
        cure_periods=2, direction="top_down",
        level_ready={level: 1 + 2 * (LEVELS - 1 - level) for level in range(LEVELS)},
        discount_rate=0.08, pillar=1)
    return tasks, params


def npv_of(tasks: list[StopeTask], params: ScheduleParams, months: dict[str, int]) -> float:
    """NPV of mining each stope in its month, written out."""
    return sum(t.value_cny * (1.0 + params.discount_rate) ** (-months[t.id] / 12.0)
               for t in tasks if t.id in months)


def cp_sat(tasks: list[StopeTask], params: ScheduleParams, seconds: float
           ) -> dict[str, Any] | None:
    """The time-indexed model in CP-SAT; None when OR-Tools is not installed."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    started = time.perf_counter()
    model = cp_model.CpModel()
    n, T, wait = len(tasks), params.periods, params.cure_periods + 2
    x = [[model.NewBoolVar(f"x{s}_{t}") for t in range(T)] for s in range(n)]
    for s, task in enumerate(tasks):
        model.Add(sum(x[s]) <= 1)
        for t in range(min(params.level_ready[task.level] - 1, T)):
            model.Add(x[s][t] == 0)
    for t in range(T):  # capacities in whole t and m³, rounded down
        model.Add(sum(round(task.ore_t) * x[s][t] for s, task in enumerate(tasks))
                  <= int(params.ore_capacity_t))
        model.Add(sum(round(task.void_m3) * x[s][t] for s, task in enumerate(tasks))
                  <= int(params.fill_capacity_m3))
    for a, ta in enumerate(tasks):
        for b, tb in enumerate(tasks):
            gap_i = max(ta.i0, tb.i0) - min(ta.i1, tb.i1) - 1
            gap_j = max(ta.j0, tb.j0) - min(ta.j1, tb.j1) - 1
            if a < b and ta.level == tb.level and (
                    (gap_i <= params.pillar and gap_j < 0)
                    or (gap_j <= params.pillar and gap_i < 0)):
                for w in range(max(1, T - wait + 1)):
                    window = range(w, min(w + wait, T))
                    model.Add(sum(x[a][t] for t in window) + sum(x[b][t] for t in window) <= 1)
            if tb.level == ta.level + 1 and gap_i < 0 and gap_j < 0:  # b above a
                for t in range(T):
                    model.Add(sum(x[a][: t + 1]) <= sum(x[b][: max(0, t - wait + 1)]))
    model.Maximize(sum(round(task.value_cny * (1.0 + params.discount_rate) ** (-(t + 1) / 12))
                       * x[s][t] for s, task in enumerate(tasks) for t in range(T)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    months = {task.id: t + 1 for s, task in enumerate(tasks) for t in range(T)
              if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.Value(x[s][t])}
    return {"months": months, "bound": solver.BestObjectiveBound(),
            "status": solver.StatusName(status), "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per solver, s")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    tasks, params = instance()
    note(f"{len(tasks)} stopes x {params.periods} months")
    runs: dict[str, dict[str, Any]] = {}
    for name, solve in (("greedy", lambda: greedy_schedule(tasks, params)),
                        ("mip", lambda: schedule_stopes(tasks, params,
                                                        time_limit_s=args.seconds))):
        note(f"{name} ...")
        result = solve()
        months = {sid: int(p) for sid, p in zip(result.frame["id"], result.frame["period"],
                                                 strict=True) if not pd.isna(p)}
        runs[name] = {"npv": npv_of(tasks, params, months), "bound": result.bound,
                      "gap": result.gap, "status": result.status, "method": result.method,
                      "seconds": result.seconds, "mined": len(months),
                      "violations": check_schedule(tasks, params, result), **result.meta}
    note("cp-sat ...")
    peer = cp_sat(tasks, params, args.seconds)
    if peer is not None:
        npv = npv_of(tasks, params, peer["months"])
        period = pd.array([peer["months"].get(t.id) for t in tasks], dtype="Int64")
        as_schedule = Schedule(pd.DataFrame({"id": [t.id for t in tasks], "period": period,
                                             "fill_period": period + 1}),
                               npv, peer["bound"], float("nan"), peer["status"], "cp_sat",
                               peer["seconds"])
        runs["cp_sat"] = {"npv": npv, "bound": peer["bound"], "status": peer["status"],
                          "seconds": peer["seconds"], "mined": len(peer["months"]),
                          "violations": check_schedule(tasks, params, as_schedule)}
    lines = [f"{len(tasks)} stopes x {params.periods} months, time limit {args.seconds} s",
             f"{'solver':8} {'NPV, CNY':>16} {'bound, CNY':>16} {'gap':>8} {'mined':>6} "
             f"{'seconds':>8}  status"]
    for name, run in runs.items():
        gap = run.get("gap", float("nan"))
        lines.append(f"{name:8} {run['npv']:16,.0f} {run['bound']:16,.0f} {gap:8.2%} "
                     f"{run['mined']:6d} {run['seconds']:8.2f}  {run['status']}")
    if peer is None:
        lines.append("cp_sat   skipped: ortools is not importable (pip install '.[bench]')")
    lines.append(f"MIP / greedy NPV: {runs['mip']['npv'] / runs['greedy']['npv']:.4f}")
    lines += [f"{name}: {len(run['violations'])} violations, e.g. {run['violations'][:2]}"
              for name, run in runs.items() if run.get("violations")]
    emit({"stopes": len(tasks), "periods": params.periods, "seconds": args.seconds,
          "runs": runs}, args.format, lines)


if __name__ == "__main__":
    main()
