"""Generation time of the demo district and its plant records, against their stated bounds.

The demo is generated when a user runs ``aurum demo seed`` and, in memory, by pages and scripts
that need the district; both are meant to take a moment, not minutes. This script times, in
one process and after a warm-up run of each (imports, numpy's first calls):

- ``aurum.demo.district.generate_district(seed)``: the registry and ten years of quarterly
  reports, against :data:`DISTRICT_BOUND_S`;
- ``aurum.demo.plants.monthly_waste_ledger`` and ``monthly_metal_accounts`` of that district
  together, against :data:`PLANT_RECORDS_BOUND_S`.

There is no peer: the figure is the bound, not a speed. Each is run ``--repeats`` times; the
median is printed and checked, with the fastest and slowest beside it. The exit status is 1 when
a median exceeds its bound. Run from the repository root::

    .venv/bin/python benchmarks/bench_demo.py [--repeats 5] [--format json]

(These bounds were assertions of ``tests/demo``; the tests now check only what is generated.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import emit, note

from aurum.demo.district import District, generate_district
from aurum.demo.plants import monthly_metal_accounts, monthly_waste_ledger

DISTRICT_BOUND_S = 2.0
"""Stated bound of one district's generation, s."""
PLANT_RECORDS_BOUND_S = 3.0
"""Stated bound of one district's monthly waste ledger and metal accounts together, s."""
SEED = 11


def _plant_records(district: District) -> None:
    monthly_waste_ledger(district, rng_seed=SEED)
    monthly_metal_accounts(district, rng_seed=SEED)


def timed(step: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls of ``step``, after one call not timed.

    Parameters
    ----------
    step : callable
        What is timed.
    repeats : int
        Number of timed calls.

    Returns
    -------
    list of float
        Seconds of each timed call, s.
    """
    step()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each step")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    district = generate_district(SEED)
    steps: dict[str, tuple[Callable[[], object], float]] = {
        "district": (lambda: generate_district(SEED), DISTRICT_BOUND_S),
        "plant records": (lambda: _plant_records(district), PLANT_RECORDS_BOUND_S),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, (step, bound_s) in steps.items():
        note(f"timing {name} ({args.repeats} runs)")
        seconds = timed(step, args.repeats)
        median = statistics.median(seconds)
        results[name] = {"median_s": median, "min_s": min(seconds), "max_s": max(seconds),
                         "bound_s": bound_s, "ratio_to_bound": median / bound_s,
                         "within_bound": median <= bound_s}
    result = {"seed": SEED, "repeats": args.repeats, "cpus": os.cpu_count(),
              "load_1m": round(os.getloadavg()[0], 2), "steps": results}
    lines = [f"{'step':<14} {'median s':>9} {'min s':>7} {'max s':>7} {'bound s':>8} "
             f"{'ratio':>6}"]
    for name, r in results.items():
        lines.append(f"{name:<14} {r['median_s']:>9.3f} {r['min_s']:>7.3f} {r['max_s']:>7.3f} "
                     f"{r['bound_s']:>8.1f} {r['ratio_to_bound']:>6.2f}"
                     f"{'' if r['within_bound'] else '  OVER THE BOUND'}")
    lines.append(f"(load average over the last minute {result['load_1m']} on "
                 f"{result['cpus']} CPUs)")
    emit(result, args.format, lines)
    sys.exit(0 if all(r["within_bound"] for r in results.values()) else 1)


if __name__ == "__main__":
    main()
