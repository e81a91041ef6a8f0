"""Machine-learning prospectivity on the MPM-WofE data: spatial against random CV."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from aurum.core.errors import ValidationError
from aurum.prospect.layers import EvidenceLayer
from aurum.prospect.ml import (
    ESTIMATORS,
    EstimatorModel,
    NegativeSampling,
    SpatialBlockKFold,
    TrainingSet,
    cross_validate,
    fit_ensemble,
    make_estimator,
    training_set,
)
from tests.prospect.conftest import Reference

SAMPLING = NegativeSampling(ratio=5, buffer_m=500, seed=1)


def _forest(trees: int = 100) -> RandomForestClassifier:
    return RandomForestClassifier(n_estimators=trees, min_samples_leaf=3, random_state=1)


@pytest.fixture(scope="module")
def evidence(weights_input: Reference, response: Reference) -> list[EvidenceLayer]:
    """Distance to breccia (m) and fault-density class (1–10) as mapped, the favourable
    stratigraphy and the 2 km fault buffer as binary maps (the multi-class Dist2Fault.tif is
    missing at the source)."""
    return [weights_input.layer("Dist2Breccia"), weights_input.layer("FaultDensity"),
            response.layer("StratNo"), response.layer("Dist2Fault")]


@pytest.fixture(scope="module")
def sample(evidence: list[EvidenceLayer], response: Reference) -> TrainingSet:
    return training_set(evidence, response.area, response.deposits, SAMPLING)


def test_negative_sampling_is_stated_and_respected(sample: TrainingSet,
                                                   response: Reference) -> None:
    negatives = sample.labels == 0
    assert negatives.sum() == 5 * 258 and (sample.labels == 1).sum() == 258
    assert sample.sampling == ("1,290 negatives (5 per deposit) drawn uniformly at random "
                               "without replacement (seed 1) from study-area cells more than "
                               "500 m from any known deposit")
    tree = cKDTree(np.column_stack((response.deposits.x, response.deposits.y)))
    distance, _ = tree.query(np.column_stack((sample.x[negatives], sample.y[negatives])))
    assert distance.min() > 500
    assert sample.feature_names == ("Dist2Breccia", "FaultDensity", "StratNo", "Dist2Fault")


def test_spatial_blocks_keep_folds_apart(sample: TrainingSet) -> None:
    splitter = SpatialBlockKFold(10_000, n_splits=5, seed=0)
    coordinates = np.column_stack((sample.x, sample.y))
    blocks = splitter.blocks(sample.x, sample.y)
    folds = splitter.split(coordinates, sample.labels)
    seen = np.zeros(len(sample.labels), int)
    for train, test in folds:
        assert not set(blocks[train]) & set(blocks[test])
        seen[test] += 1
    assert (seen == 1).all()
    deposits_per_fold = [int(sample.labels[test].sum()) for _, test in folds]
    assert sum(deposits_per_fold) == 258
    assert max(deposits_per_fold) - min(deposits_per_fold) <= 0.25 * 258 / 5
    with pytest.raises(ValidationError, match="blocks of 200,000 m hold deposits"):
        SpatialBlockKFold(200_000, n_splits=5).split(coordinates, sample.labels)


def test_spatial_cross_validation_beside_random_split(sample: TrainingSet) -> None:
    cv = cross_validate(_forest(), sample, block_size_m=10_000, n_splits=5, seed=1,
                        importance_repeats=2)
    # our AUC of the pooled out-of-fold scores is scikit-learn's
    assert cv.spatial_auc == pytest.approx(roc_auc_score(sample.labels, cv.spatial_scores))
    assert cv.random_auc == pytest.approx(roc_auc_score(sample.labels, cv.random_scores))
    # neighbouring cells are alike: random folds leak, spatial blocks do not
    assert 0.65 < cv.spatial_auc < cv.random_auc < 0.9
    assert len(cv.spatial_fold_auc) == len(cv.random_fold_auc) == 5
    assert cv.block_size_m == 10_000 and cv.sampling == sample.sampling
    # fault density and distance to breccia carry the model (as their contrasts 10.0 and 8.4
    # in the weights tables suggest)
    assert set(cv.importance["feature"][:2]) == {"FaultDensity", "Dist2Breccia"}
    assert (cv.importance["native"] > 0).all()
    assert cv.prediction_rate.deposit_fraction[-1] == pytest.approx(1.0)
    assert cv.prediction_rate.auc == pytest.approx(cv.spatial_auc, abs=0.01)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_every_estimator_predicts_on_windows(name: str, sample: TrainingSet,
                                             evidence: list[EvidenceLayer]) -> None:
    with threadpool_limits(1):
        estimator = make_estimator(name, seed=1).fit(sample.features, sample.labels)
        window = [layer.values[:200, :300] for layer in evidence]
        valid = np.ones((200, 300), bool)
        valid[:5] = False
        band = EstimatorModel(estimator)(window, valid)[0]
        direct = estimator.predict_proba(
            np.column_stack([w[5:].ravel().astype(float) for w in window]))[:, 1]
    assert np.isnan(band[:5]).all()
    np.testing.assert_allclose(band[5:].ravel(), direct, rtol=1e-6)
    with pytest.raises(ValidationError, match="unknown estimator 'svm'"):
        make_estimator("svm")


def test_ensemble_spread(evidence: list[EvidenceLayer], response: Reference) -> None:
    ensemble = fit_ensemble(_forest(30), evidence, response.area, response.deposits,
                            SAMPLING, n_members=3)
    assert len(ensemble.members) == 3
    assert ensemble.sampling.startswith("3 members, each fitted on the 258 deposits resampled")
    window = [layer.values[1000:1200, 300:600] for layer in evidence]
    mean, std = ensemble(window, np.ones((200, 300), bool))
    features = np.column_stack([w.ravel().astype(float) for w in window])
    scores = np.stack([m.predict_proba(features)[:, 1] for m in ensemble.members])
    np.testing.assert_allclose(mean.ravel(), scores.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(std.ravel(), scores.std(axis=0), rtol=1e-5, atol=1e-7)
    assert (std >= 0).all() and (std > 0).mean() > 0.5
