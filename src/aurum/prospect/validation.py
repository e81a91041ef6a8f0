"""How well a prospectivity map finds deposits: ROC AUC, threshold tables, rate curves.

Map-based AUC follows modEvA's ``AUC(obs = deposit coordinates, pred = raster)``, which the
MPM-WofE *Calculate AUC* script calls: every deposit is a presence scored with the value of
its cell (two deposits in one cell are two presences), every study-area cell without a deposit
is an absence. The AUC is the Mann–Whitney probability that a presence scores above an
absence, ties counting one half — the exact area under the ROC curve of a map whose values
are few (a weights-of-evidence posterior has one value per unique condition).

The success-rate curve ranks the study area by score, from the highest, and plots the
fraction of deposits captured against the fraction of area; with deposits not used for
training it is the prediction-rate curve. ``area_fraction`` may also be estimated from
background samples drawn uniformly over the study area (see :func:`sample_rate_curve`).

scikit-learn's ``roc_auc_score`` gives the same AUC (the tests check it) but wants a label
per sample; with presences and absences already apart, the rank formula is one line and needs
no 3-million-entry label array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def roc_auc(presence: np.ndarray, absence: np.ndarray) -> float:
    """Area under the ROC curve from the scores of presences and absences.

    Parameters
    ----------
    presence, absence : numpy.ndarray
        Scores (any unit, higher = more prospective).

    Returns
    -------
    float
        Mann–Whitney U / (n_presence · n_absence), ties counting one half.
    """
    presence, absence = np.ravel(presence), np.ravel(absence)
    n1, n0 = len(presence), len(absence)
    if n1 == 0 or n0 == 0:
        raise ValueError("AUC needs at least one presence and one absence")
    ranks = rankdata(np.concatenate((presence, absence)))
    return float((ranks[:n1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def presence_absence(score: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the presences (one per deposit) and of the absences (study-area cells
    without a deposit).

    Parameters
    ----------
    score : numpy.ndarray
        Prospectivity map (grid shape).
    area : numpy.ndarray
        Study area (boolean).
    deposit_cells : numpy.ndarray
        Flat cell index of each deposit.

    Returns
    -------
    presence, absence : numpy.ndarray
    """
    flat = np.ravel(score)
    without = np.ravel(area).copy()
    without[deposit_cells] = False
    return flat[deposit_cells], flat[without]


def raster_auc(score: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray) -> float:
    """AUC of a prospectivity map against deposits (modEvA's convention, module notes).

    ``score`` (probability or any score), ``area`` and ``deposit_cells`` are as in
    :func:`presence_absence`; the AUC is that of :func:`roc_auc`.
    """
    return roc_auc(*presence_absence(score, area, deposit_cells))


def threshold_table(score: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray,
                    thresholds: np.ndarray) -> pd.DataFrame:
    """Confusion counts of a map cut at thresholds (a cell is predicted positive when its
    score is ≥ the threshold).

    ``score``, ``area`` and ``deposit_cells`` are as in :func:`presence_absence`.

    Parameters
    ----------
    thresholds : numpy.ndarray
        Score thresholds (score units).

    Returns
    -------
    pandas.DataFrame
        ``threshold``, ``true_positives`` (deposits), ``true_negatives`` (cells without
        deposit), ``sensitivity``, ``specificity``.
    """
    presence, absence = presence_absence(score, area, deposit_cells)
    thresholds = np.asarray(thresholds, float)
    presence, absence = np.sort(presence), np.sort(absence)
    tp = len(presence) - np.searchsorted(presence, thresholds, side="left")
    tn = np.searchsorted(absence, thresholds, side="left")
    return pd.DataFrame({"threshold": thresholds, "true_positives": tp, "true_negatives": tn,
                         "sensitivity": tp / len(presence), "specificity": tn / len(absence)})


@dataclass(frozen=True)
class RateCurve:
    """A success-rate or prediction-rate curve.

    Parameters
    ----------
    score : numpy.ndarray
        Score levels, from the highest (score units).
    area_fraction : numpy.ndarray
        Fraction of the study area scoring ≥ each level.
    deposit_fraction : numpy.ndarray
        Fraction of the deposits in that area.
    auc : float
        Area under the curve (trapezoids from (0, 0)); 0.5 for a map no better than chance.
    """

    score: np.ndarray
    area_fraction: np.ndarray
    deposit_fraction: np.ndarray
    auc: float

    def captured_at(self, area_fraction: float) -> float:
        """Fraction of deposits captured by the best ``area_fraction`` of the study area
        (linear between levels)."""
        return float(np.interp(area_fraction, np.r_[0.0, self.area_fraction],
                               np.r_[0.0, self.deposit_fraction]))


def rate_curve(score: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray) -> RateCurve:
    """Success-rate curve of a map (prediction-rate curve with held-out deposits), as a
    :class:`RateCurve`; ``score``, ``area`` and ``deposit_cells`` as in
    :func:`presence_absence`."""
    return _curve(np.ravel(score)[np.ravel(area)], np.ravel(score)[deposit_cells])


def sample_rate_curve(background: np.ndarray, deposits: np.ndarray) -> RateCurve:
    """Rate curve whose area fractions are estimated from background samples.

    Parameters
    ----------
    background : numpy.ndarray
        Scores of points drawn uniformly over the study area.
    deposits : numpy.ndarray
        Scores of the deposits.

    Returns
    -------
    RateCurve
    """
    return _curve(np.ravel(background), np.ravel(deposits))


def _curve(area_scores: np.ndarray, deposit_scores: np.ndarray) -> RateCurve:
    levels, cells = np.unique(area_scores, return_counts=True)
    levels, cells = levels[::-1], cells[::-1]
    area_fraction = np.cumsum(cells) / cells.sum()
    # each deposit counts at the highest level not above its score (the last level if it
    # scores below them all)
    at = np.searchsorted(-levels, -np.asarray(deposit_scores), side="left")
    counts = np.bincount(np.minimum(at, len(levels) - 1), minlength=len(levels))
    deposit_fraction = np.cumsum(counts) / len(deposit_scores)
    auc = float(np.trapezoid(np.r_[0.0, deposit_fraction], np.r_[0.0, area_fraction]))
    return RateCurve(levels, area_fraction, deposit_fraction, auc)
