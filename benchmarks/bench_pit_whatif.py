"""Pit what-ifs on every demo model: memory at every slope from 30° to 60°, against the bound.

Issue 14: one what-if (``/pit/1``, SD-SSD-01 2024, 36° or 38°) grew memory by ~400 MB/s until
the host killed it. This script runs the study the page runs (the service's default economics,
one overall slope angle) on every showcase mine's 2024 and 2025 block model, rebuilt as the
demo seeds them (``aurum.demo.seed.showcase_drilling``, no database), at every whole degree
from 30° to 60°, and reports per run:

- the slope precedences built and the estimate made before the study started
  (``aurum.planning.study.study_footprint``);
- the estimated working memory and the limit, ``MAX_PIT_STUDY_BYTES``;
- the peak that numpy allocated (``tracemalloc``) and the growth of the peak resident set of a
  forked child that ran only that study (numba's own allocations included).

Each study runs in a forked child whose address space is capped at its size at the fork plus
twice the limit, so that a runaway fails there instead of taking the machine. There is no peer:
the figure is the bound, not a speed. Run from the repository root::

    .venv/bin/python benchmarks/bench_pit_whatif.py [--step 1] [--format json]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tracemalloc
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
from _common import emit, note

from aurum.core.checks import MAX_PIT_STUDY_BYTES
from aurum.core.grid import BlockGrid
from aurum.demo import seed as demo
from aurum.demo.district import generate_district
from aurum.planning.study import economics_from_dict, pit_study, study_footprint
from aurum.services import resources
from aurum.services.planning import merged_economics

Model = tuple[str, int, BlockGrid, dict[str, np.ndarray]]


def demo_models() -> list[Model]:
    """Every showcase mine's statement-year block models, as the demo seeds them."""
    district = generate_district()
    values = district.current_values()
    models = []
    for i, code in enumerate(demo.showcase_mines(district)):
        first = values.get((code, f"{demo.STATEMENT_YEARS[0]}-Q4"))
        if first is None:
            continue
        resources_t = sum(first.get(k) or 0.0 for k in (
            "resources_measured_t", "resources_indicated_t", "resources_inferred_t"))
        for index, year in enumerate(demo.STATEMENT_YEARS):
            report = values.get((code, f"{year}-Q4"))
            if report is None:
                continue
            reserves_t = sum(report.get(k) or 0.0 for k in ("reserves_proved_t",
                                                            "reserves_probable_t"))
            comp, spec = demo.showcase_drilling(7919 * (i + 1), index, resources_t, reserves_t)
            made = resources.model_statement(comp.xyz, comp.grade, spec, year, comp.holes)
            models.append((code, year, spec.grid,
                           {"estimate": made.result.estimate, "tonnes": made.tonnes}))
            note(f"{code} {year}: {spec.grid.n_blocks:,} blocks of "
                 f"{' x '.join(f'{s:.1f}' for s in spec.grid.size)} m")
    return models


def _resident_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _virtual_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(model: Model, slope: float, out: Connection) -> None:
    _, _, grid, columns = model
    resource.setrlimit(resource.RLIMIT_AS, (_virtual_bytes() + 2 * MAX_PIT_STUDY_BYTES,) * 2)
    start = _resident_bytes()
    try:
        economics = economics_from_dict(merged_economics({"slopes": slope}))
        footprint = study_footprint(grid, economics)
        tracemalloc.start()
        study = pit_study(grid, columns, economics)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        out.send({"arcs": study.precedence.n_arcs, "estimated_arcs": footprint.arcs,
                  "estimated_mib": footprint.bytes / 2**20, "traced_mib": traced / 2**20,
                  "resident_growth_mib": max(peak - start, 0) / 2**20,
                  "final_pit_blocks": int(study.in_pit.sum()),
                  "life_years": float(study.pit_by_pit["life_years"].max())})
    except Exception as exc:  # reported as the run's result: the sweep goes on
        out.send({"error": f"{type(exc).__name__}: {exc}"})


def run(model: Model, slope: float) -> dict[str, Any]:
    """One what-if in a forked child, its figures (or its error)."""
    receive, send = mp.get_context("fork").Pipe(duplex=False)
    child = mp.get_context("fork").Process(target=_child, args=(model, slope, send))
    child.start()
    child.join()
    result = receive.recv() if receive.poll() else {"error": f"exit code {child.exitcode}"}
    return {"site": model[0], "year": model[1], "slope_deg": slope, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--step", type=float, default=1.0, help="slope step, degrees")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    models = demo_models()
    # Compile (or load) the numba code once; the children inherit it.
    warm = models[0]
    pit_study(warm[2], warm[3], economics_from_dict(merged_economics({"slopes": 45.0})))
    slopes = np.round(np.arange(30.0, 60.0 + args.step / 2, args.step), 6)
    runs = []
    for model in models:
        for slope in slopes:
            runs.append(run(model, float(slope)))
        done = [r for r in runs if r["site"] == model[0] and r["year"] == model[1]]
        worst = max(r.get("resident_growth_mib", np.inf) for r in done)
        note(f"{model[0]} {model[1]}: {len(done)} slopes, resident growth at most "
             f"{worst:.1f} MiB")
    failed = [r for r in runs if "error" in r]
    ok = [r for r in runs if "error" not in r]
    limit_mib = MAX_PIT_STUDY_BYTES / 2**20
    result = {"limit_mib": limit_mib, "runs": runs, "failed": len(failed),
              "max_estimated_mib": max(r["estimated_mib"] for r in ok) if ok else None,
              "max_resident_growth_mib": max(r["resident_growth_mib"] for r in ok)
              if ok else None,
              "max_arcs": max(r["arcs"] for r in ok) if ok else None}
    lines = [f"{'site':<10} {'year':>4} {'slope':>5} {'arcs':>9} {'est. arcs':>9} "
             f"{'est. MiB':>8} {'traced':>7} {'RSS +':>7} {'pit':>6} {'life y':>7}"]
    for r in runs:
        if "error" in r:
            lines.append(f"{r['site']:<10} {r['year']:>4} {r['slope_deg']:>5g} {r['error']}")
            continue
        lines.append(f"{r['site']:<10} {r['year']:>4} {r['slope_deg']:>5g} {r['arcs']:>9,} "
                     f"{r['estimated_arcs']:>9,} {r['estimated_mib']:>8.1f} "
                     f"{r['traced_mib']:>7.1f} {r['resident_growth_mib']:>7.1f} "
                     f"{r['final_pit_blocks']:>6,} {r['life_years']:>7.1f}")
    lines.append(f"{len(ok)} of {len(runs)} what-ifs finished; the largest estimate "
                 f"{result['max_estimated_mib']:.1f} MiB and the largest resident growth "
                 f"{result['max_resident_growth_mib']:.1f} MiB, against a limit of "
                 f"{limit_mib:,.0f} MiB (MAX_PIT_STUDY_BYTES)")
    emit(result, args.format, lines)


if __name__ == "__main__":
    main()
