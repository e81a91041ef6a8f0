"""Machine-learning prospectivity: scikit-learn estimators, negative sampling, spatial CV.

Known deposits are the positives. Negatives are not known barren ground but cells drawn at
random from the study area away from the deposits; how they are drawn is part of the model
and every result states it (:meth:`NegativeSampling.statement`). Scores are therefore
relative prospectivity, not calibrated probabilities of a deposit.

Validation is by *spatial block* cross-validation by default: the study area is cut into
square blocks of a stated size, every sample goes to the fold of its block, and blocks are
dealt to folds so that the folds hold similar numbers of deposits (blocks shuffled with the
seed, sorted by deposit count, dealt in snake order). Neighbouring cells are alike
(spatial autocorrelation), so a random split puts near-copies of test samples in training and
overstates the AUC; both are reported side by side. (Our own splitter: scikit-learn has
none by space, and a ``GroupKFold`` on block ids would not balance the deposits per fold.)

Uncertainty is the spread of an ensemble: each member is trained on the deposits resampled
with replacement and a fresh draw of negatives, and the map reports the members' mean score
and standard deviation per cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.prospect.layers import Deposits, EvidenceLayer
from aurum.prospect.validation import RateCurve, roc_auc, sample_rate_curve

ESTIMATORS = ("random_forest", "gradient_boosting", "logistic_regression")
MAX_DRAW_ROUNDS = 50
"""Rounds of rejection sampling before the study area is declared too small."""


def make_estimator(name: str, seed: int = 0) -> Any:
    """A scikit-learn classifier with settings suited to a few hundred deposits.

    Parameters
    ----------
    name : {"random_forest", "gradient_boosting", "logistic_regression"}
        Model family.
    seed : int
        Random state.

    Returns
    -------
    sklearn classifier
        Random forest (300 trees, at least 3 samples per leaf), histogram gradient boosting
        (200 iterations, learning rate 0.05, no early stopping) or a standardised logistic
        regression. Any other scikit-learn classifier with ``predict_proba`` works with the
        functions of this module too.
    """
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=300, min_samples_leaf=3, random_state=seed)
    if name == "gradient_boosting":
        return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05,
                                              early_stopping=False, random_state=seed)
    if name == "logistic_regression":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    raise ValidationError(_("unknown estimator %(name)r; expected one of %(names)s", name=name,
                            names=", ".join(ESTIMATORS)))


@dataclass(frozen=True)
class NegativeSampling:
    """How negatives are drawn.

    Parameters
    ----------
    ratio : float
        Negatives per deposit.
    buffer_m : float
        No negative within this distance of a known deposit, m (0: only the deposits' own
        cells are excluded).
    seed : int
        Random seed.
    """

    ratio: float = 10.0
    buffer_m: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.ratio <= 0 or self.buffer_m < 0:
            raise ValidationError(_("negative sampling needs ratio > 0 and buffer >= 0 m, got "
                                    "%(ratio)s and %(buffer)s", ratio=self.ratio,
                                    buffer=self.buffer_m))

    def statement(self, n_deposits: int) -> str:
        """The sampling in one sentence, for reports."""
        if self.buffer_m:
            return _("%(n)s negatives (%(ratio)s per deposit) drawn uniformly at random without "
                     "replacement (seed %(seed)s) from study-area cells more than %(buffer)s m "
                     "from any known deposit", n=format(self.count(n_deposits), ","),
                     ratio=format(self.ratio, "g"), seed=self.seed,
                     buffer=format(self.buffer_m, ",.0f"))
        return _("%(n)s negatives (%(ratio)s per deposit) drawn uniformly at random without "
                 "replacement (seed %(seed)s) from study-area cells without a known deposit",
                 n=format(self.count(n_deposits), ","), ratio=format(self.ratio, "g"),
                 seed=self.seed)

    def count(self, n_deposits: int) -> int:
        return max(1, round(self.ratio * n_deposits))

    def draw(self, area: np.ndarray, deposits: Deposits, seed: int | None = None) -> np.ndarray:
        """Draw negative cells.

        Parameters
        ----------
        area : numpy.ndarray
            Study area (boolean, grid shape).
        deposits : Deposits
            Known deposits.
        seed : int, optional
            Overrides :attr:`seed` (ensemble members draw with their own).

        Returns
        -------
        numpy.ndarray
            Flat cell indices, sorted.
        """
        rng = np.random.default_rng(self.seed if seed is None else seed)
        grid = deposits.grid
        flat_area = np.ravel(area)
        excluded = np.zeros(grid.n_cells, bool)
        excluded[deposits.cells] = True
        tree = cKDTree(np.column_stack((deposits.x, deposits.y))) if self.buffer_m else None
        wanted = self.count(len(deposits))
        chosen = np.empty(0, np.int64)
        for _round in range(MAX_DRAW_ROUNDS):
            # rejection sampling over the grid: no index array of the whole study area
            draw = rng.integers(0, grid.n_cells, 2 * (wanted - len(chosen)) + 16)
            draw = draw[flat_area[draw] & ~excluded[draw]]
            if tree is not None and len(draw):
                x, y = grid.centres(draw // grid.width, draw % grid.width)
                draw = draw[tree.query(np.column_stack((x, y)))[0] > self.buffer_m]
            chosen = np.union1d(chosen, draw)
            if len(chosen) >= wanted:
                return np.sort(rng.choice(chosen, wanted, replace=False))
        raise ValidationError(_("could draw only %(drawn)s of %(wanted)s negatives: the study "
                                "area away from the deposits is too small for this ratio and "
                                "buffer", drawn=format(len(chosen), ","),
                                wanted=format(wanted, ",")))


@dataclass(frozen=True)
class TrainingSet:
    """Samples for a classifier.

    Parameters
    ----------
    features : numpy.ndarray
        Evidence values, shape (n, layers), layer units.
    labels : numpy.ndarray
        1 for deposits, 0 for negatives.
    x, y : numpy.ndarray
        Sample coordinates (deposits' own, negatives' cell centres), m.
    feature_names : tuple of str
        Layer names.
    sampling : str
        How the negatives were drawn.
    """

    features: np.ndarray
    labels: np.ndarray
    x: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    sampling: str


def training_set(layers: Sequence[EvidenceLayer], area: np.ndarray, deposits: Deposits,
                 sampling: NegativeSampling = NegativeSampling()) -> TrainingSet:
    """Deposits and drawn negatives with their evidence values.

    Parameters
    ----------
    layers : sequence of EvidenceLayer
        Evidence on the deposits' grid.
    area : numpy.ndarray
        Study area (boolean).
    deposits : Deposits
        Known deposits.
    sampling : NegativeSampling
        Negative sampling.

    Returns
    -------
    TrainingSet
    """
    negatives = sampling.draw(area, deposits)
    return _samples(layers, deposits, deposits.cells, negatives,
                    sampling.statement(len(deposits)))


def _samples(layers: Sequence[EvidenceLayer], deposits: Deposits, positive_cells: np.ndarray,
             negative_cells: np.ndarray, statement: str,
             positive_xy: tuple[np.ndarray, np.ndarray] | None = None) -> TrainingSet:
    grid = deposits.grid
    cells = np.concatenate((positive_cells, negative_cells))
    features = np.column_stack([np.ravel(layer.values)[cells].astype(float)
                                for layer in layers])
    nx, ny = grid.centres(negative_cells // grid.width, negative_cells % grid.width)
    px, py = positive_xy or (deposits.x, deposits.y)
    labels = np.r_[np.ones(len(positive_cells), np.int8), np.zeros(len(negative_cells),
                                                                   np.int8)]
    return TrainingSet(features, labels, np.r_[px, nx], np.r_[py, ny],
                       tuple(layer.name for layer in layers), statement)


@dataclass(frozen=True)
class SpatialBlockKFold:
    """K-fold cross-validation by square spatial blocks.

    Parameters
    ----------
    block_size_m : float
        Side of the blocks, m.
    n_splits : int
        Folds.
    seed : int
        Seed of the block shuffle.
    """

    block_size_m: float
    n_splits: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.block_size_m <= 0 or self.n_splits < 2:
            raise ValidationError(_("spatial blocks need a size > 0 m and at least 2 folds, "
                                    "got %(size)s m and %(folds)s", size=self.block_size_m,
                                    folds=self.n_splits))

    def blocks(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Block id (0, 1, ...) of each sample.

        Parameters
        ----------
        x, y : numpy.ndarray
            Sample coordinates, m.
        """
        bx = np.floor(np.asarray(x) / self.block_size_m).astype(np.int64)
        by = np.floor(np.asarray(y) / self.block_size_m).astype(np.int64)
        keys = np.column_stack((bx, by))
        return np.unique(keys, axis=0, return_inverse=True)[1].ravel()

    def folds(self, x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Fold (0 … n_splits - 1) of each sample.

        Parameters
        ----------
        x, y : numpy.ndarray
            Sample coordinates, m.
        labels : numpy.ndarray
            1 for deposits, 0 for negatives.

        Raises
        ------
        ValidationError
            Fewer blocks holding deposits than folds.
        """
        block = self.blocks(x, y)
        positives = np.bincount(block, weights=labels, minlength=block.max() + 1)
        if np.count_nonzero(positives) < self.n_splits:
            raise ValidationError(
                _("only %(n)s blocks of %(size)s m hold deposits, fewer than the %(folds)s "
                  "folds: use smaller blocks or fewer folds", n=np.count_nonzero(positives),
                  size=format(self.block_size_m, ",.0f"), folds=self.n_splits))
        rng = np.random.default_rng(self.seed)
        shuffled = rng.permutation(len(positives))
        order = shuffled[np.argsort(-positives[shuffled], kind="stable")]
        k = self.n_splits
        rank = np.arange(len(order)) % (2 * k)
        snake = np.where(rank < k, rank, 2 * k - 1 - rank)
        fold_of_block = np.empty(len(order), np.int64)
        fold_of_block[order] = snake
        return fold_of_block[block]

    def split(self, coordinates: np.ndarray, labels: np.ndarray,
              ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Train and test indices of each fold (usable as ``cv=`` in scikit-learn).

        Parameters
        ----------
        coordinates : numpy.ndarray
            Sample coordinates, shape (n, 2), m.
        labels : numpy.ndarray
            1 for deposits, 0 for negatives.
        """
        fold = self.folds(coordinates[:, 0], coordinates[:, 1], labels)
        return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k))
                for k in range(self.n_splits)]


@dataclass(frozen=True)
class CrossValidation:
    """Spatial-block and random-split cross-validation of one estimator on one sample.

    Parameters
    ----------
    spatial_auc : float
        AUC of the pooled out-of-fold scores, spatial blocks.
    spatial_fold_auc : numpy.ndarray
        AUC of each spatial fold.
    random_auc : float
        AUC of the pooled out-of-fold scores, stratified random folds.
    random_fold_auc : numpy.ndarray
        AUC of each random fold.
    block_size_m : float
        Block side, m.
    n_splits : int
        Folds.
    n_blocks : int
        Blocks holding samples.
    sampling : str
        How the negatives were drawn.
    importance : pandas.DataFrame
        Per feature: ``permutation_auc_drop`` (mean drop of the spatial test-fold AUC when
        the feature is shuffled) and its ``permutation_std``, and ``native`` (the fitted
        model's impurity importance or |standardised coefficient|, NaN when it has none).
    prediction_rate : RateCurve
        Held-out deposits against held-out negatives (area estimated by the negatives),
        spatial folds.
    spatial_scores, random_scores : numpy.ndarray
        Out-of-fold score of every sample (training-set order), each scheme.
    """

    spatial_auc: float
    spatial_fold_auc: np.ndarray
    random_auc: float
    random_fold_auc: np.ndarray
    block_size_m: float
    n_splits: int
    n_blocks: int
    sampling: str
    importance: pd.DataFrame
    prediction_rate: RateCurve
    spatial_scores: np.ndarray
    random_scores: np.ndarray


def cross_validate(estimator: Any, training: TrainingSet, *, block_size_m: float = 10_000.0,
                   n_splits: int = 5, seed: int = 0,
                   importance_repeats: int = 5) -> CrossValidation:
    """Cross-validate an estimator by spatial blocks, and by random folds for comparison.

    Parameters
    ----------
    estimator : sklearn classifier
        Unfitted; cloned for every fold.
    training : TrainingSet
        Deposits and negatives.
    block_size_m : float
        Side of the spatial blocks, m (10 km by default: wider than the clusters of
        deposits of a district).
    n_splits : int
        Folds, for both schemes.
    seed : int
        Seed of the fold assignment and of the permutations.
    importance_repeats : int
        Permutations per feature and fold.

    Returns
    -------
    CrossValidation
    """
    X, labels = training.features, training.labels
    splitter = SpatialBlockKFold(block_size_m, n_splits, seed)
    coordinates = np.column_stack((training.x, training.y))
    spatial = splitter.split(coordinates, labels)
    random = list(StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, labels))
    spatial_scores, spatial_folds, drops = _out_of_fold(estimator, X, labels, spatial,
                                                        importance_repeats, seed)
    random_scores, random_folds, _importance = _out_of_fold(estimator, X, labels, random, 0, seed)
    native = native_importance(clone(estimator).fit(X, labels), X.shape[1])
    importance = pd.DataFrame({"feature": training.feature_names,
                               "permutation_auc_drop": drops.mean(axis=0),
                               "permutation_std": drops.std(axis=0),
                               "native": native})
    positive = labels == 1
    return CrossValidation(
        roc_auc(spatial_scores[positive], spatial_scores[~positive]), spatial_folds,
        roc_auc(random_scores[positive], random_scores[~positive]), random_folds,
        block_size_m, n_splits, len(np.unique(splitter.blocks(training.x, training.y))),
        training.sampling, importance.sort_values("permutation_auc_drop", ascending=False,
                                                  ignore_index=True),
        sample_rate_curve(spatial_scores[~positive], spatial_scores[positive]),
        spatial_scores, random_scores)


def _out_of_fold(estimator: Any, X: np.ndarray, labels: np.ndarray,
                 folds: Sequence[tuple[np.ndarray, np.ndarray]], repeats: int, seed: int,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold scores, per-fold AUC and per-fold permutation AUC drops (folds × features;
    empty when ``repeats`` is 0)."""
    scores = np.empty(len(labels))
    fold_auc, drops = [], []
    for train, test in folds:
        model = clone(estimator).fit(X[train], labels[train])
        scores[test] = model.predict_proba(X[test])[:, 1]
        positive = labels[test] == 1
        fold_auc.append(roc_auc(scores[test][positive], scores[test][~positive]))
        if repeats:
            result = permutation_importance(model, X[test], labels[test], scoring="roc_auc",
                                            n_repeats=repeats, random_state=seed)
            drops.append(result.importances_mean)
    return scores, np.array(fold_auc), np.array(drops).reshape(len(drops), X.shape[1])


def native_importance(model: Any, n_features: int) -> np.ndarray:
    """The fitted model's own importance: impurity importance of tree ensembles, absolute
    coefficients of a (standardised) linear model, NaN otherwise.

    Parameters
    ----------
    model : sklearn classifier
        Fitted.
    n_features : int
        Number of features.
    """
    final = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if hasattr(final, "feature_importances_"):
        return np.asarray(final.feature_importances_, float)
    if hasattr(final, "coef_"):
        return np.abs(np.ravel(final.coef_)).astype(float)
    return np.full(n_features, np.nan)


@dataclass(frozen=True)
class EstimatorModel:
    """A fitted classifier as a window model: one band, its positive-class score.

    Parameters
    ----------
    estimator : sklearn classifier
        Fitted on features in the order of the layers given at prediction.
    """

    estimator: Any
    band_names: tuple[str, ...] = ("prospectivity",)

    def __call__(self, layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray:
        out = np.full((1, *valid.shape), np.nan, np.float32)
        if valid.any():
            out[0][valid] = self.estimator.predict_proba(_features(layers, valid))[:, 1]
        return out


def _features(layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray:
    """The (cells × layers) float64 features of the valid cells of a window."""
    if valid.all():  # no boolean-mask copy for windows without nodata
        return np.column_stack([np.asarray(v, float).ravel() for v in layers])
    return np.column_stack([np.asarray(v)[valid].astype(float) for v in layers])


@dataclass(frozen=True)
class Ensemble:
    """Members trained on resampled deposits and redrawn negatives.

    Parameters
    ----------
    members : tuple
        Fitted classifiers.
    feature_names : tuple of str
        Layer names, in feature order.
    sampling : str
        How each member's sample was drawn.
    """

    members: tuple[Any, ...]
    feature_names: tuple[str, ...]
    sampling: str
    band_names: tuple[str, ...] = ("prospectivity_mean", "prospectivity_std")

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the members' scores.

        Parameters
        ----------
        features : numpy.ndarray
            Shape (n, layers), layer units.
        """
        scores = np.stack([m.predict_proba(features)[:, 1] for m in self.members])
        return scores.mean(axis=0), scores.std(axis=0)

    def __call__(self, layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray:
        """Both bands of a window, NaN where ``valid`` is False (for
        :func:`aurum.prospect.predict.predict_raster`)."""
        out = np.full((2, *valid.shape), np.nan, np.float32)
        if valid.any():
            mean, std = self.predict(_features(layers, valid))
            out[0][valid], out[1][valid] = mean, std
        return out


def fit_ensemble(estimator: Any, layers: Sequence[EvidenceLayer], area: np.ndarray,
                 deposits: Deposits, sampling: NegativeSampling = NegativeSampling(),
                 n_members: int = 10) -> Ensemble:
    """Fit an ensemble whose spread maps the uncertainty.

    Parameters
    ----------
    estimator : sklearn classifier
        Unfitted; cloned and reseeded per member.
    layers : sequence of EvidenceLayer
        Evidence.
    area : numpy.ndarray
        Study area (boolean).
    deposits : Deposits
        Known deposits.
    sampling : NegativeSampling
        Negative sampling; member i draws with seed ``sampling.seed + i``.
    n_members : int
        Members (at least 2).

    Returns
    -------
    Ensemble
    """
    if n_members < 2:
        raise ValidationError(_("an ensemble needs at least 2 members, got %(n)s", n=n_members))
    members = []
    for i in range(n_members):
        seed = sampling.seed + i
        rng = np.random.default_rng(seed)
        pick = rng.integers(0, len(deposits), len(deposits))
        negatives = sampling.draw(area, deposits, seed=seed)
        sample = _samples(layers, deposits, deposits.cells[pick], negatives, "",
                          (deposits.x[pick], deposits.y[pick]))
        members.append(_reseeded(estimator, seed).fit(sample.features, sample.labels))
    statement = _("%(n)s members, each fitted on the %(deposits)s deposits resampled with "
                  "replacement and %(sampling)s, seeds %(first)s–%(last)s", n=n_members,
                  deposits=format(len(deposits), ","),
                  sampling=sampling.statement(len(deposits)), first=sampling.seed,
                  last=sampling.seed + n_members - 1)
    return Ensemble(tuple(members), tuple(layer.name for layer in layers), statement)


def _reseeded(estimator: Any, seed: int) -> Any:
    model = clone(estimator)
    seeds = {k: seed for k in model.get_params() if k.endswith("random_state")}
    return model.set_params(**seeds) if seeds else model

