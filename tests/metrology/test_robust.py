"""Algorithm A against ISO 13528's worked example, an independent solution of its fixed
point, and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import fsolve

from aurum.core.errors import ValidationError
from aurum.metrology.robust import MIN_RESULTS, algorithm_a

# ISO 13528:2015, Annex E.3 (the data set also used in ISO 5725-5's illustration of Algorithm
# A): twelve laboratories' results, as reproduced step by step in S. Subramanian, "The
# Algorithm A in detail" (slides, 2025), which quotes the initial values x* = 1.510,
# s* = 0.3559 and the first two updates 1.475 / 0.4072 and 1.460 / 0.4486.
E3 = np.array([1.69, 0.74, 2.05, 1.14, 2.19, 1.39, 1.52, 1.50, 1.58, 0.80, 1.21, 1.63])


def test_iso_13528_e3_steps() -> None:
    start = algorithm_a(E3, max_iterations=0)
    assert start.x_star == pytest.approx(1.510, abs=5e-4)
    assert start.s_star == pytest.approx(0.3559, abs=5e-5)
    first = algorithm_a(E3, max_iterations=1)
    assert first.x_star == pytest.approx(1.475, abs=5e-4)
    assert first.s_star == pytest.approx(0.4072, abs=5e-5)
    second = algorithm_a(E3, max_iterations=2)
    assert second.x_star == pytest.approx(1.460, abs=5e-4)
    assert second.s_star == pytest.approx(0.4486, abs=5e-5)
    assert not second.converged


def test_iso_13528_e3_converges_to_the_unclipped_mean() -> None:
    # Once s* has grown so that x* ± 1.5 s* holds every result nothing is clipped: x* is the
    # plain mean and s* 1.134 times the plain standard deviation (a closed form).
    result = algorithm_a(E3)
    assert result.converged
    assert result.x_star == pytest.approx(E3.mean(), rel=1e-12)
    assert result.s_star == pytest.approx(1.134 * E3.std(ddof=1), rel=1e-12)
    assert result.u_x_star == pytest.approx(1.25 * result.s_star / np.sqrt(12), rel=1e-12)


def test_symmetric_data_without_outliers() -> None:
    x = 10.0 + np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    result = algorithm_a(x)
    assert result.x_star == pytest.approx(10.0, abs=1e-12)


def _huber_fixed_point(x: np.ndarray) -> tuple[float, float]:
    """Algorithm A's limit written differently: the root of Huber's proposal-2 equations
    Σ ψ(x_i) = 0 and s = 1.134 √(Σ ψ(x_i)² / (p − 1)), ψ the clip at 1.5 s, by a Newton-type
    solver (MINPACK's hybrd) from the plain mean and standard deviation."""
    def equations(v: np.ndarray) -> list[float]:
        m, s = v
        c = np.clip(x, m - 1.5 * abs(s), m + 1.5 * abs(s)) - m
        return [c.sum(), abs(s) - 1.134 * np.sqrt((c ** 2).sum() / (len(x) - 1))]
    m, s = fsolve(equations, [np.median(x), x.std(ddof=1)], xtol=1e-13)
    return float(m), abs(float(s))


@pytest.mark.parametrize("seed", range(5))
def test_matches_an_independent_solution(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(5.0, 0.2, 25), rng.normal(7.0, 0.5, 3)])  # 3 blunders
    result = algorithm_a(x)
    m, s = _huber_fixed_point(x)
    assert result.converged
    assert result.x_star == pytest.approx(m, rel=1e-9)
    assert result.s_star == pytest.approx(s, rel=1e-7)
    # The blunders barely move the robust mean, unlike the plain one.
    assert abs(result.x_star - 5.0) < abs(x.mean() - 5.0)


def test_iterations_are_bounded() -> None:
    result = algorithm_a(E3, max_iterations=3)
    assert result.iterations == 3 and not result.converged


def test_more_than_half_equal_gives_zero_sd() -> None:
    result = algorithm_a(np.array([2.0, 2.0, 2.0, 2.0, 9.0]))
    assert (result.x_star, result.s_star, result.converged) == (2.0, 0.0, True)


def test_too_few_results() -> None:
    with pytest.raises(ValidationError, match=f"at least {MIN_RESULTS} results"):
        algorithm_a(np.array([1.0, 2.0, 3.0, 4.0]))
