"""ROC AUC and rate curves against scikit-learn and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from aurum.prospect.validation import raster_auc, rate_curve, roc_auc, sample_rate_curve


def test_auc_agrees_with_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(3)
    presence = rng.integers(0, 6, 200).astype(float)
    absence = rng.integers(0, 5, 5000).astype(float)
    labels = np.r_[np.ones(200), np.zeros(5000)]
    expected = roc_auc_score(labels, np.r_[presence, absence])
    assert roc_auc(presence, absence) == pytest.approx(expected, abs=1e-12)


def test_raster_auc_counts_each_deposit_and_each_cell_without_one() -> None:
    score = np.array([[0.9, 0.1], [0.5, 0.5]])
    area = np.ones((2, 2), bool)
    # two deposits in the 0.9 cell and one in a 0.5 cell; absences: 0.1 and 0.5
    auc = raster_auc(score, area, np.array([0, 0, 2]))
    # pairs: 0.9 beats both (×2 deposits), 0.5 beats 0.1 and ties 0.5 → (4 + 1.5) / 6
    assert auc == pytest.approx(5.5 / 6)


def test_success_rate_curve() -> None:
    rng = np.random.default_rng(5)
    score = rng.random((100, 100))
    area = np.ones_like(score, bool)
    area[:10] = False
    cells = rng.choice(np.flatnonzero(area), 50, replace=False)
    curve = rate_curve(score, area, cells)
    assert curve.area_fraction[-1] == pytest.approx(1.0)
    assert curve.deposit_fraction[-1] == pytest.approx(1.0)
    assert np.all(np.diff(curve.score) < 0)
    # the area under the success-rate curve is the AUC of deposits against all study cells
    flat = score.ravel()
    assert curve.auc == pytest.approx(roc_auc(flat[cells], flat[area.ravel()]), abs=1e-9)
    # the best 10 % of the area holds the deposits scoring in the top 10 %
    threshold = np.quantile(flat[area.ravel()], 0.9)
    assert curve.captured_at(0.1) == pytest.approx(np.mean(flat[cells] > threshold), abs=0.02)
    # a perfect map: deposits score highest
    perfect = score.copy().ravel()
    perfect[cells] = 2.0
    best = rate_curve(perfect.reshape(score.shape), area, cells)
    assert best.captured_at(50 / area.sum()) == pytest.approx(1.0)
    assert best.auc > 0.99


def test_sample_rate_curve_counts_deposits_below_every_background_score() -> None:
    curve = sample_rate_curve(np.array([0.5, 0.6, 0.7, 0.8]), np.array([0.9, 0.1]))
    np.testing.assert_allclose(curve.deposit_fraction, [0.5, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(curve.area_fraction, [0.25, 0.5, 0.75, 1.0])
