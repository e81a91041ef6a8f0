"""The reference CIL plant: balances exact at any throughput and grade, recovery as asked."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.processing.circuit import circuit_from_mapping
from aurum.processing.examples import (
    ORE_AU,
    ORE_T,
    STREAMS,
    cil_tails_for_recovery,
    gold_plant,
    survey,
    true_values,
)


@pytest.mark.parametrize(("ore_t", "ore_au", "recovery"),
                         [(ORE_T, ORE_AU, 0.94169), (2830.0, 4.7, 0.91), (640.0, 6.2, 0.88)])
def test_true_values_close_every_balance(ore_t: float, ore_au: float, recovery: float) -> None:
    truth = true_values(ore_t, ore_au, cil_tails_for_recovery(ore_t, ore_au, recovery))
    circuit = circuit_from_mapping(gold_plant())
    mass = np.array([truth[name][0] for name, _, _ in STREAMS])
    gold = mass * np.array([truth[name][1] for name, _, _ in STREAMS])
    A = circuit.incidence().toarray()
    np.testing.assert_allclose(A @ mass, 0, atol=1e-9 * ore_t)
    np.testing.assert_allclose(A @ gold, 0, atol=1e-9 * ore_t * ore_au)
    assert gold[[n for n, _, _ in STREAMS].index("bullion")] / (ore_t * ore_au) \
        == pytest.approx(recovery, rel=1e-12)
    assert min(truth[n][k] for n in truth for k in (0, 1)) > 0


def test_reference_point_and_scaling() -> None:
    truth = true_values()
    assert truth["cil_tails"][1] == 0.15 and truth["ore"] == (ORE_T, ORE_AU)
    assert cil_tails_for_recovery(ORE_T, ORE_AU, 0.94169) == pytest.approx(0.15, rel=1e-9)
    double = true_values(2 * ORE_T)
    for name in truth:  # twice the ore: every mass doubles, every assay stays
        assert double[name][0] == pytest.approx(2 * truth[name][0], rel=1e-12)
        assert double[name][1] == pytest.approx(truth[name][1], rel=1e-12)


def test_survey_draws_truth_plus_relative_noise() -> None:
    truth = true_values()
    data = survey(truth, np.random.default_rng(3), {("ore", "mass"): 1.25})
    assert data == gold_plant(3, {("ore", "mass"): 1.25})
    value, sd = data["measurements"]["ore"]["mass"]
    assert sd == pytest.approx(0.015 * ORE_T) and abs(value / 1.25 - ORE_T) < 4 * sd
    assert "mass" not in data["measurements"]["cil_tails"]


def test_impossible_recovery_is_refused() -> None:
    with pytest.raises(ValueError, match="no gold for the CIL tails"):
        cil_tails_for_recovery(ORE_T, ORE_AU, 0.999)
