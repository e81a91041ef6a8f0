"""The OR-Library single-source capacitated facility-location instances p1–p24 (16–50
facilities × 50 customers) solved to their published optima (OR-Datasets ``os`` file, Lib_3),
within 1e-6 relative. All 24 take some 4 s with HiGHS here, so they run in the default suite;
p25–p36 (100 × 1000) are in ``benchmarks/bench_structure.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.structure.consolidation import plan_cost, plan_loads, solve
from aurum.structure.orlib import read_optima, read_orlib


@pytest.fixture(scope="module")
def sscflp(shared_data: Path) -> Path:
    path = shared_data / "facility" / "sscflp_or"
    if not (path / "os").exists():
        pytest.skip("facility/sscflp_or is not in the shared data")
    return path


@pytest.mark.parametrize("number", range(1, 25))
def test_reaches_the_published_optimum(sscflp: Path, number: int) -> None:
    instance = read_orlib(sscflp / f"p{number}")
    optimum = read_optima(sscflp / "os")[number - 1]
    solution = solve(instance, time_limit_s=120)
    assert solution.optimal and solution.gap == 0.0
    assert solution.cost == pytest.approx(optimum, rel=1e-6)
    # The plan itself is feasible and costs what it claims.
    assert plan_cost(instance, solution.open, solution.assignment) == solution.cost
    assert (plan_loads(instance, solution.assignment) <= instance.capacity + 1e-9).all()
    assert solution.open[solution.assignment].all()


def test_reader_knows_the_sizes(sscflp: Path) -> None:
    instance = read_orlib(sscflp / "p17")
    assert instance.assignment_cost.shape == (50, 50)
    assert instance.capacity.shape == instance.fixed_cost.shape == (50,)
    assert instance.demand[0] == 146.0


def test_reader_refuses_a_short_file(tmp_path: Path) -> None:
    path = tmp_path / "cap"
    path.write_text("2 3\n10 5\n10 5\n1 2 3\n1 2 3\n")
    with pytest.raises(ValidationError, match="expected 15 numbers"):
        read_orlib(path)


def test_time_limit_returns_the_best_plan_and_its_gap(sscflp: Path) -> None:
    instance = read_orlib(sscflp / "p12")
    solution = solve(instance, time_limit_s=0.05)
    # The greedy start is a plan even before HiGHS's root; with no bound yet the gap is inf.
    assert not solution.optimal and solution.gap > 0
    assert solution.bound <= solution.cost
    assert np.isfinite(solution.cost)
    assert (plan_loads(instance, solution.assignment) <= instance.capacity).all()
