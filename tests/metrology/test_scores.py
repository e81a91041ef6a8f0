"""Scores of ISO 13528 clause 9 on hand-worked numbers, their flags at the limits, and the
results table's refusals."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.core.tables import read_table
from aurum.metrology.results import read_results
from aurum.metrology.scores import (
    PERCENT,
    en_flag_of,
    en_number,
    evaluate,
    flag_of,
    sigma_pt_of,
    z_prime,
    z_score,
    zeta_score,
)


def test_scores_by_hand() -> None:
    # x = 5.30 g/t, u(x) = 0.06, x_pt = 5.00, u(x_pt) = 0.08, σ_pt = 0.20:
    # z = 0.30/0.20 = 1.5; z′ = 0.30/√(0.04 + 0.0064) = 1.3926; ζ = 0.30/√(0.0036 + 0.0064)
    # = 3.0; E_n = 0.30/√(0.12² + 0.16²) = 1.5.
    x, u = np.array([5.30]), np.array([0.06])
    assert z_score(x, 5.0, 0.2)[0] == pytest.approx(1.5)
    assert z_prime(x, 5.0, 0.2, 0.08)[0] == pytest.approx(0.30 / math.sqrt(0.0464))
    assert zeta_score(x, u, 5.0, 0.08)[0] == pytest.approx(3.0)
    assert en_number(x, u, 5.0, 0.08)[0] == pytest.approx(1.5)


def test_missing_uncertainty_gives_no_zeta() -> None:
    assert np.isnan(zeta_score(np.array([1.0]), np.array([np.nan]), 1.2, 0.1)[0])
    assert np.isnan(zeta_score(np.array([1.0]), np.array([0.0]), 1.2, 0.0)[0])


@pytest.mark.parametrize(("score", "flag"), [
    (0.0, "satisfactory"), (-2.0, "satisfactory"), (2.0001, "questionable"),
    (-2.999, "questionable"), (3.0, "unsatisfactory"), (-7.0, "unsatisfactory")])
def test_flags(score: float, flag: str) -> None:
    assert flag_of(score) == flag


def test_en_flags() -> None:
    assert en_flag_of(1.0) == "satisfactory"
    assert en_flag_of(-1.01) == "unsatisfactory"
    assert en_flag_of(float("nan")) is None


def test_reference_round() -> None:
    labs = ["A", "B", "C"]
    out = evaluate(labs, np.array([5.0, 5.5, 5.8]), np.array([0.1, 0.1, 0.1]), assigned=5.0,
                   u_assigned=0.05, sigma_pt=0.25)
    assert out.source == "reference" and out.robust is None
    assert [s.flag for s in out.labs] == ["satisfactory", "satisfactory", "unsatisfactory"]
    assert out.labs[1].z == pytest.approx(2.0)
    assert out.flag_counts() == {"satisfactory": 2, "questionable": 0, "unsatisfactory": 1}
    assert not out.z_prime_advised  # u(x_pt) = 0.05 ≤ 0.3 × 0.25
    assert evaluate(labs, np.array([5.0, 5.5, 5.8]), assigned=5.0, u_assigned=0.1,
                    sigma_pt=0.25).z_prime_advised


def test_consensus_round_needs_enough_results() -> None:
    with pytest.raises(ValidationError, match="at least 5 results"):
        evaluate(["A", "B", "C"], np.array([1.0, 1.1, 1.2]))


def test_zero_sigma_refused() -> None:
    with pytest.raises(ValidationError, match="sigma_pt"):
        evaluate(list("ABCDE"), np.array([2.0, 2.0, 2.0, 2.0, 3.0]))


def test_percent_rule() -> None:
    assert sigma_pt_of(PERCENT, 5.0, None, 4.0) == pytest.approx(0.2)


def _read(text: str) -> object:
    return read_results(read_table(io.BytesIO(text.encode()), "r.csv"), "r.csv")


def test_results_table() -> None:
    results = _read("lab,value,uncertainty\nL1,5.1,0.1\nL2,4.9,\n")
    assert results.labs == ["L1", "L2"]
    assert np.isnan(results.uncertainties[1])


@pytest.mark.parametrize(("text", "words"), [
    ("lab,value\nL1,5.1\nL1,5.2\n", "r.csv, row 3, column lab: laboratory 'L1' is named "
                                    "twice (first on row 2)"),
    ("lab,value\nL1,5.1\nL2,abc\n", "r.csv, row 3, column value: expected a number, got 'abc'"),
    ("lab,value,uncertainty\nL1,5.1,-0.1\n", "r.csv, row 2, column uncertainty: expected a "
                                             "standard uncertainty of at least 0"),
    ("lab,result\nL1,5.1\n", "missing required column 'value'"),
])
def test_results_refused(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        _read(text)
    assert words in str(info.value)
