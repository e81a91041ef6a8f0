"""Weights of evidence (Bonham-Carter 1994; Agterberg & Cheng 2002).

For a class (or a cumulative range of classes) B of an evidence layer over a study area of
``S`` unit cells holding ``N`` deposits, with ``b`` unit cells and ``d`` deposits in B::

    W+ = ln[(d / N) / ((b - d) / (S - N))]            s²(W+) = 1/d + 1/(b - d)
    W- = ln[((N - d) / N) / ((S - b - N + d) / (S - N))]
                                                      s²(W-) = 1/(N - d) + 1/(S - b - N + d)
    C = W+ - W-,  s(C) = sqrt(s²(W+) + s²(W-)),  studentised contrast = C / s(C)

Areas are counted in *unit cells* (``unit_cell_km2``, 1 km² by default: the footprint a
deposit stands for, not the raster cell); deposits are counted as points (two deposits in one
raster cell count twice). Degenerate counts follow ArcSDM and Geoscience Australia's
MPM-WofE scripts, whose published tables these reproduce: a class without deposits gets
zero weights, ``d = N`` becomes ``N - 0.99``, and ``b`` is nudged so that ``b - d`` and
``S - b - N + d`` stay positive.

- *Categorical* (and binary) tables give each class its own weights. The weight a class adds
  to the posterior logit is its W+ (for two classes, one's W+ is the other's W-).
- *Ascending* / *descending* tables accumulate classes from the smallest / largest value,
  each row standing for "value ≤ (≥) this class". Generalisation keeps the row of maximum
  contrast among rows whose studentised contrast reaches the confidence (ArcSDM's rule):
  rows up to it form class 2 (weight W+ of that row), the others class 1 (its W-).

The posterior logit is ``ln(N / (S - N)) + Σ weights`` over the layers, with variance
``1/N + Σ s²(weight)`` of the logit, so ``s(P) = P · sqrt(1/N + Σ s²)`` (the MPM-WofE
scripts' formula). The Agterberg–Cheng test compares the expected number of deposits
``T = Σ_k A_k P_k`` over the unique conditions k (areas in unit cells) with the observed
``N``: ``z = (T - N) / s(T)``, ``s²(T) = Σ_k A_k² s²(P_k)``.

Why our own code rather than a library: no maintained Python package computes these tables
with the ArcSDM conventions the published references use; the arithmetic is a few vectorised
numpy lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

LOOKUP_SPAN = 1 << 22
"""Integer classes spanning fewer values than this are looked up in a dense table."""
NOT_SIGNIFICANT = 999
"""Generalised class of every row when no row reaches the confidence (the scripts' marker)."""
FAVOURABLE, UNFAVOURABLE = 2, 1
"""Generalised classes of cumulative tables: inside / outside the threshold."""
TABLE_COLUMNS = ("CLASS", "CLASS_AREA", "AREA_SQ_KM", "AREA_UNITS", "NO_POINTS", "WPLUS",
                 "S_WPLUS", "WMINUS", "S_WMINUS", "CONTRAST", "S_CONTRAST", "STUDC",
                 "GEN_CLASS", "WEIGHT", "W_STD")
"""Column names of ArcSDM / MPM-WofE weights tables."""


class WeightsType(StrEnum):
    """How a layer's classes are weighted: each on its own, or cumulated from the small or the
    large values."""

    CATEGORICAL = "categorical"
    ASCENDING = "ascending"
    DESCENDING = "descending"


@dataclass(frozen=True)
class WeightStats:
    """Weights of classes (vectorised).

    Parameters
    ----------
    w_plus, s_w_plus, w_minus, s_w_minus : numpy.ndarray
        W+ and W- and their standard deviations (natural-log units).
    contrast, s_contrast, studentized_contrast : numpy.ndarray
        C = W+ - W-, its standard deviation and C / s(C).
    """

    w_plus: np.ndarray
    s_w_plus: np.ndarray
    w_minus: np.ndarray
    s_w_minus: np.ndarray
    contrast: np.ndarray
    s_contrast: np.ndarray
    studentized_contrast: np.ndarray


def weights_from_counts(area_units: np.ndarray, deposits: np.ndarray, total_area_units: float,
                        total_deposits: int) -> WeightStats:
    """W+, W-, contrast and studentised contrast from class areas and deposit counts.

    Parameters
    ----------
    area_units : numpy.ndarray
        Area of each class (or cumulative range), unit cells.
    deposits : numpy.ndarray
        Deposits in each class (or range).
    total_area_units : float
        Study area, unit cells.
    total_deposits : int
        Deposits in the study area.

    Returns
    -------
    WeightStats
        Zero for classes without deposits (see the module notes on degenerate counts).
    """
    s, n = float(total_area_units), float(total_deposits)
    d = np.asarray(deposits, float)
    b = np.asarray(area_units, float)
    empty = d == 0
    d = np.where(d == n, n - 0.99, d)
    b = np.where(s - b <= n - d, s + d - n - 0.99, b)
    b = np.where(b - d <= 0, d + 1, b)
    d_safe = np.where(empty, 1.0, d)
    b_safe = np.where(empty, 2.0, b)
    w_plus = np.log((d_safe / n) / ((b_safe - d_safe) / (s - n)))
    v_plus = 1.0 / d_safe + 1.0 / (b_safe - d_safe)
    w_minus = np.log(((n - d_safe) / n) / ((s - b_safe - n + d_safe) / (s - n)))
    v_minus = 1.0 / (n - d_safe) + 1.0 / (s - b_safe - n + d_safe)
    s_contrast = np.sqrt(v_plus + v_minus)
    stats = (w_plus, np.sqrt(v_plus), w_minus, np.sqrt(v_minus), w_plus - w_minus,
             s_contrast, (w_plus - w_minus) / s_contrast)
    return WeightStats(*(np.where(empty, 0.0, a) for a in stats))


@dataclass(frozen=True)
class WeightsTable:
    """The weights of one evidence layer, ArcSDM style.

    Parameters
    ----------
    layer : str
        Layer name.
    kind : WeightsType
        Categorical, ascending or descending.
    classes : numpy.ndarray
        Class values in table order (ascending, or descending for descending tables).
    class_area_km2 : numpy.ndarray
        Area of each class alone, km².
    area_km2 : numpy.ndarray
        Area of the row (the class, or the cumulative range), km².
    area_units : numpy.ndarray
        The same in unit cells.
    deposits : numpy.ndarray
        Deposits in the row (class or cumulative range).
    stats : WeightStats
        Weights of the rows.
    gen_class : numpy.ndarray
        Generalised class of each row (categorical: the class itself; cumulative:
        :data:`FAVOURABLE` or :data:`UNFAVOURABLE`; :data:`NOT_SIGNIFICANT` everywhere when no
        row reaches the confidence).
    weight, w_std : numpy.ndarray
        Weight each row's cells add to the posterior logit, and its standard deviation.
    total_area_units : float
        Study area (where the layer has data), unit cells.
    total_deposits : int
        Deposits in it.
    unit_cell_km2 : float
        Unit cell, km².
    confidence : float
        Studentised contrast required by the generalisation (dimensionless).
    missing_value : int or float or None
        Class value standing for missing data (left out of the table; weight 0).
    labels : Mapping
        Display label of some classes (e.g. "<= 5000" for a binary split).
    """

    layer: str
    kind: WeightsType
    classes: np.ndarray
    class_area_km2: np.ndarray
    area_km2: np.ndarray
    area_units: np.ndarray
    deposits: np.ndarray
    stats: WeightStats
    gen_class: np.ndarray
    weight: np.ndarray
    w_std: np.ndarray
    total_area_units: float
    total_deposits: int
    unit_cell_km2: float
    confidence: float
    missing_value: int | float | None = None
    labels: Mapping[int | float, str] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """Whether some row reaches the confidence (else every weight is 0)."""
        return bool(len(self.gen_class)) and int(self.gen_class[0]) != NOT_SIGNIFICANT

    @property
    def threshold_class(self) -> int | float | None:
        """Cumulative tables: the class value at the generalisation threshold (cells ≤ it,
        ascending, or ≥ it, descending, are favourable); None otherwise or when not
        significant."""
        if self.kind is WeightsType.CATEGORICAL or not self.significant:
            return None
        return self.classes[np.flatnonzero(self.gen_class == FAVOURABLE)[-1]].item()

    def label(self, value: int | float) -> str | int | float:
        """Display form of a class value."""
        return self.labels.get(value, value)

    def to_frame(self) -> pd.DataFrame:
        """The table with ArcSDM / MPM-WofE column names (:data:`TABLE_COLUMNS`)."""
        s = self.stats
        columns = (self.classes, self.class_area_km2, self.area_km2, self.area_units,
                   self.deposits, s.w_plus, s.s_w_plus, s.w_minus, s.s_w_minus, s.contrast,
                   s.s_contrast, s.studentized_contrast, self.gen_class, self.weight,
                   self.w_std)
        return pd.DataFrame(dict(zip(TABLE_COLUMNS, columns, strict=True)))

    def classify(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The table row that applies to each cell, its weight and standard deviation.

        Cumulative tables classify any value by the threshold (values not in the table
        too); categorical tables give row -1 and NaN weights to classes they do not hold.
        The missing-data class gets row ``len(classes)`` and weight 0.

        Parameters
        ----------
        values : numpy.ndarray
            Class values, any shape.

        Returns
        -------
        row : numpy.ndarray
            int64 row index, same shape.
        weight, w_std : numpy.ndarray
            float64, same shape.
        """
        values = np.asarray(values)
        if self.kind is not WeightsType.CATEGORICAL and self.significant:
            threshold = self.threshold_class
            inside = values <= threshold if self.kind is WeightsType.ASCENDING else (
                values >= threshold)
            row_in = int(np.flatnonzero(self.gen_class == FAVOURABLE)[-1])
            row = np.where(inside, row_in, min(row_in + 1, len(self.classes) - 1))
        else:
            row = self._rows_of(values)
        weight = np.where(row >= 0, self.weight[row], np.nan)
        w_std = np.where(row >= 0, self.w_std[row], np.nan)
        if self.missing_value is not None:
            missing = values == self.missing_value
            row = np.where(missing, len(self.classes), row)
            weight = np.where(missing, 0.0, weight)
            w_std = np.where(missing, 0.0, w_std)
        return row, weight, w_std

    def _rows_of(self, values: np.ndarray) -> np.ndarray:
        """Row of each value's class, -1 for values that are not a class of the table."""
        classes = self.classes
        if values.dtype.kind in "iu" and classes.dtype.kind in "iu":
            low, high = int(classes.min()), int(classes.max())
            if high - low < LOOKUP_SPAN:
                # A dense table indexed by value beats a binary search on large rasters.
                table = np.full(high - low + 1, -1, np.int64)
                table[classes - low] = np.arange(len(classes))
                wide = values.astype(np.int64, copy=False)
                offset = np.clip(wide, low, high) - low
                return np.where((wide >= low) & (wide <= high), table[offset], -1)
        order = np.argsort(classes, kind="stable")
        known = classes[order]
        pos = np.clip(np.searchsorted(known, values), 0, len(known) - 1)
        return np.where(known[pos] == values, order[pos], -1)


def weights_table(values: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray, *,
                  layer: str, kind: WeightsType | str = WeightsType.CATEGORICAL,
                  cell_area_km2: float, unit_cell_km2: float = 1.0, confidence: float = 2.0,
                  missing_value: int | float | None = None,
                  labels: Mapping[int | float, str] | None = None) -> WeightsTable:
    """Calculate the weights of an evidence layer (ArcSDM's *Calculate Weights*).

    Parameters
    ----------
    values : numpy.ndarray
        Class value of each cell (grid shape); integers for categorical tables.
    area : numpy.ndarray
        Study area (boolean, grid shape).
    deposit_cells : numpy.ndarray
        Flat (row-major) cell index of each deposit, all inside ``area``.
    layer : str
        Layer name, for the table and messages.
    kind : WeightsType or str
        "categorical", "ascending" (small values favourable) or "descending".
    cell_area_km2 : float
        Area of a raster cell, km².
    unit_cell_km2 : float
        Unit cell (the area a deposit stands for), km².
    confidence : float
        Studentised contrast (dimensionless) a row must reach to be a generalisation
        threshold (cumulative) or for the layer to count (categorical).
    missing_value : int or float, optional
        Class value meaning "no data" inside the study area: its cells and the deposits on
        them are left out of the layer's table, and it adds weight 0 to the posterior.
    labels : mapping, optional
        Display labels of classes.

    Returns
    -------
    WeightsTable

    Raises
    ------
    ValidationError
        Non-integer values for a categorical table, a study area without data or without
        deposits, non-positive areas.
    """
    kind = WeightsType(kind)
    if cell_area_km2 <= 0 or unit_cell_km2 <= 0:
        raise ValidationError(Problem(_("cell area (%(cell)s km²) and unit cell (%(unit)s km²) "
                                        "must be > 0", cell=cell_area_km2, unit=unit_cell_km2),
                                      source=layer))
    values = np.asarray(values)
    if kind is WeightsType.CATEGORICAL and values.dtype.kind not in "iub":
        raise ValidationError(Problem(
            _("categorical weights need integer classes, got %(dtype)s values; use an "
              "ascending or descending table or a binary threshold for continuous layers",
              dtype=values.dtype), source=layer))
    usable = np.asarray(area, bool).copy()
    if missing_value is not None:
        usable &= values != missing_value
    flat_usable = usable.ravel()
    deposit_cells = np.asarray(deposit_cells, np.int64)
    deposit_cells = deposit_cells[flat_usable[deposit_cells]]
    if not flat_usable.any():
        raise ValidationError(Problem(_("no cell of the study area holds data"), source=layer))
    if len(deposit_cells) == 0:
        raise ValidationError(Problem(_("no deposit lies on a cell with data"), source=layer))
    classes, cells = np.unique(values.ravel()[flat_usable], return_counts=True)
    deposit_class = np.searchsorted(classes, values.ravel()[deposit_cells])
    counts = np.bincount(deposit_class, minlength=len(classes))
    if kind is WeightsType.DESCENDING:
        classes, cells, counts = classes[::-1], cells[::-1], counts[::-1]
    class_area = cells * cell_area_km2
    if kind is WeightsType.CATEGORICAL:
        area_km2, deposits = class_area, counts
    else:
        area_km2, deposits = np.cumsum(class_area), np.cumsum(counts)
    area_units = area_km2 / unit_cell_km2
    total_units = float(class_area.sum() / unit_cell_km2)
    total_deposits = len(deposit_cells)
    stats = weights_from_counts(area_units, deposits, total_units, total_deposits)
    gen_class, weight, w_std = generalise(kind, classes, stats, confidence)
    return WeightsTable(layer, kind, classes, class_area, area_km2, area_units, deposits,
                        stats, gen_class, weight, w_std, total_units, total_deposits,
                        unit_cell_km2, confidence, missing_value, dict(labels or {}))


def generalise(kind: WeightsType, classes: np.ndarray, stats: WeightStats,
               confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generalised class, weight and weight standard deviation of each row of a table.

    Parameters
    ----------
    kind : WeightsType
        Table type.
    classes : numpy.ndarray
        Class values in table order.
    stats : WeightStats
        Weights of the rows.
    confidence : float
        Studentised contrast required (dimensionless).

    Returns
    -------
    gen_class, weight, w_std : numpy.ndarray
        See :class:`WeightsTable` and the module notes.
    """
    n = len(classes)
    studc = stats.studentized_contrast
    if not (studc >= confidence).any():
        return np.full(n, NOT_SIGNIFICANT), np.zeros(n), np.zeros(n)
    if kind is WeightsType.CATEGORICAL:
        return classes.copy(), stats.w_plus.copy(), stats.s_w_plus.copy()
    t = int(np.argmax(np.where(studc >= confidence, stats.contrast, -np.inf)))
    inside = np.arange(n) <= t
    return (np.where(inside, FAVOURABLE, UNFAVOURABLE),
            np.where(inside, stats.w_plus[t], stats.w_minus[t]),
            np.where(inside, stats.s_w_plus[t], stats.s_w_minus[t]))


def binary_split(values: np.ndarray, threshold: float,
                 ) -> tuple[np.ndarray, dict[int | float, str]]:
    """Split a layer at a threshold into two classes.

    Parameters
    ----------
    values : numpy.ndarray
        Cell values (grid shape), in the layer's unit.
    threshold : float
        Cells with values ≤ threshold form class 2, the others class 1 (as in the binary maps
        of MPM-WofE, where class 2 is "within 5 km").

    Returns
    -------
    codes : numpy.ndarray
        uint8 classes 1 and 2.
    labels : dict
        ``{2: "<=threshold", 1: ">threshold"}``.
    """
    codes = np.where(np.asarray(values) <= threshold, 2, 1).astype(np.uint8)
    text = f"{threshold:g}"
    labels: dict[int | float, str] = {2: f"<={text}", 1: f">{text}"}
    return codes, labels


def check_classes_present(codes: np.ndarray, area: np.ndarray,
                          labels: Mapping[int | float, str],
                          layer: str) -> None:
    """Refuse a split that leaves a class without any cell of the study area.

    Parameters
    ----------
    codes : numpy.ndarray
        Classes of the cells (grid shape).
    area : numpy.ndarray
        Study area (boolean).
    labels : mapping
        The classes that must be present and their labels.
    layer : str
        Layer name, for the message.

    Raises
    ------
    ValidationError
        Naming the empty class and the range of the layer's classes present.
    """
    present = np.unique(codes[area])
    empty = [labels[c] for c in labels if c not in present]
    if empty:
        raise ValidationError(Problem(
            _("class %(classes)s holds no cell of the study area: its weights are undefined; "
              "choose a threshold inside the layer's range of values",
              classes=_(" and ").join(empty)), source=layer))


def layer_weights(values: np.ndarray, area: np.ndarray, deposit_cells: np.ndarray, *,
                  layer: str, cell_area_km2: float, unit_cell_km2: float = 1.0,
                  confidence: float = 2.0, threshold: float | None = None,
                  kind: WeightsType | str | None = None,
                  ) -> tuple[WeightsTable, np.ndarray]:
    """Weights of an evidence layer split at a threshold, cumulative, or categorical.

    ``area``, ``deposit_cells``, ``layer``, ``cell_area_km2``, ``unit_cell_km2`` and
    ``confidence`` are as in :func:`weights_table`.

    Parameters
    ----------
    values : numpy.ndarray
        Cell values (grid shape), in the layer's unit.
    threshold : float, optional
        Split the layer into two classes at this value (layer units, see
        :func:`binary_split`).
    kind : WeightsType or str, optional
        Without a threshold: "ascending" or "descending" for a cumulative table, whose
        classes are labelled ``<=value`` or ``>=value``; neither gives a categorical table.

    Returns
    -------
    table : WeightsTable
        The layer's weights.
    classes : numpy.ndarray
        The cell classes the table weighs (the split's codes, or ``values``), for
        :func:`posterior`.

    Raises
    ------
    ValidationError
        A threshold that leaves a class without a cell of the study area, or what
        :func:`weights_table` refuses.
    """
    def table(classes: np.ndarray, **kwargs: Any) -> WeightsTable:
        return weights_table(classes, area, deposit_cells, layer=layer,
                             cell_area_km2=cell_area_km2, unit_cell_km2=unit_cell_km2,
                             confidence=confidence, **kwargs)

    if threshold is not None:
        codes, labels = binary_split(values, threshold)
        check_classes_present(codes, area, labels, layer)
        return table(codes, labels=labels), codes
    if kind is not None:
        cumulative = table(values, kind=kind)
        sign = "<=" if kind == WeightsType.ASCENDING else ">="
        return replace(cumulative, labels={c: f"{sign}{c:g}"
                                           for c in cumulative.classes.tolist()}), values
    return table(values), values


@dataclass(frozen=True)
class Posterior:
    """Posterior probability of a deposit per unit cell, with its uncertainty.

    Parameters
    ----------
    probability : numpy.ndarray
        Posterior probability (NaN outside the study area).
    std : numpy.ndarray
        Its standard deviation.
    confidence : numpy.ndarray
        probability / std.
    condition : numpy.ndarray
        Unique-condition id of each cell (int64, -1 outside the study area): cells sharing
        the classes of every layer.
    """

    probability: np.ndarray
    std: np.ndarray
    confidence: np.ndarray
    condition: np.ndarray


@dataclass(frozen=True)
class PosteriorModel:
    """The posterior of a set of weights tables, callable on windows of the layers.

    Parameters
    ----------
    tables : tuple of WeightsTable
        One per layer, in the order the layers are given.
    prior_probability : float
        N / S: deposits per unit cell of the study area.
    n_deposits : int
        N.
    """

    tables: tuple[WeightsTable, ...]
    prior_probability: float
    n_deposits: int
    band_names: tuple[str, ...] = ("posterior_probability", "posterior_std",
                                   "posterior_confidence")

    @property
    def prior_logit(self) -> float:
        p = self.prior_probability
        return float(np.log(p / (1.0 - p)))

    def components(self, layers: Sequence[np.ndarray], with_conditions: bool = False,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """Posterior probability, its standard deviation and confidence of cells, and their
        unique conditions.

        Parameters
        ----------
        layers : sequence of numpy.ndarray
            Class values of each layer, same shape.
        with_conditions : bool
            Also number the unique conditions: cells where every layer applies the same
            table row share an id (0, 1, ...).

        Returns
        -------
        probability, std, confidence : numpy.ndarray
            float64; NaN where a categorical layer holds a class its table lacks.
        conditions : numpy.ndarray or None
            int64 ids, when asked.
        """
        logit = np.full(np.shape(layers[0]), self.prior_logit)
        variance = np.full(np.shape(layers[0]), 1.0 / self.n_deposits)
        code = np.zeros(np.shape(layers[0]), np.int64) if with_conditions else None
        span = 1
        for table, values in zip(self.tables, layers, strict=True):
            row, weight, w_std = table.classify(values)
            logit += weight
            variance += w_std ** 2
            if code is not None:
                radix = len(table.classes) + 2  # rows run from -1 (unknown) to len (missing)
                if span * radix >= 1 << 62:
                    code, span = _compact(code)
                code = code * radix + (row + 1)
                span *= radix
        probability = 1.0 / (1.0 + np.exp(-logit))
        std = probability * np.sqrt(variance)
        conditions = _compact(code)[0] if code is not None else None
        return probability, std, probability / std, conditions

    def __call__(self, layers: Sequence[np.ndarray], valid: np.ndarray) -> np.ndarray:
        """The three bands of a window, NaN where ``valid`` is False (for
        :func:`aurum.prospect.predict.predict_raster`)."""
        out = np.stack(self.components(layers)[:3]).astype(np.float32)
        out[:, ~valid] = np.nan
        return out


def posterior_model(tables: Sequence[WeightsTable]) -> PosteriorModel:
    """The posterior of weights tables computed on one study area and one deposit set.

    Parameters
    ----------
    tables : sequence of WeightsTable
        One per evidence layer. The prior comes from the first: N / S with S its study
        area in unit cells.

    Returns
    -------
    PosteriorModel
    """
    if not tables:
        raise ValidationError(_("no weights table: the posterior needs at least one layer"))
    first = tables[0]
    prior = first.total_deposits / first.total_area_units
    return PosteriorModel(tuple(tables), prior, first.total_deposits)


def posterior(tables: Sequence[WeightsTable], layers: Sequence[np.ndarray],
              area: np.ndarray) -> Posterior:
    """Posterior probability over a study area (ArcSDM's *Calculate Response*).

    Parameters
    ----------
    tables : sequence of WeightsTable
        Weights of each layer (see :func:`posterior_model`).
    layers : sequence of numpy.ndarray
        Class values of each layer (grid shape), same order.
    area : numpy.ndarray
        Study area (boolean).

    Returns
    -------
    Posterior
    """
    model = posterior_model(tables)
    inside = [np.asarray(v)[area] for v in layers]
    probability, std, confidence, conditions = model.components(inside, with_conditions=True)
    assert conditions is not None  # asked for
    condition = np.full(area.shape, -1, np.int64)
    condition[area] = conditions

    def on_grid(band: np.ndarray) -> np.ndarray:
        full = np.full(area.shape, np.nan)
        full[area] = band
        return full

    return Posterior(on_grid(probability), on_grid(std), on_grid(confidence), condition)


def _compact(code: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes renumbered 0, 1, ... (same shape) and how many distinct ones there are."""
    top = int(code.max(initial=0))
    if top < LOOKUP_SPAN:
        # counting beats sorting when the codes are few
        present = np.bincount(code.ravel(), minlength=top + 1) > 0
        return (np.cumsum(present) - 1)[code], int(present.sum())
    distinct, inverse = np.unique(code, return_inverse=True)
    return inverse.reshape(code.shape), len(distinct)


@dataclass(frozen=True)
class ConditionalIndependence:
    """Agterberg–Cheng conditional-independence test.

    Parameters
    ----------
    observed : int
        Deposits N.
    expected : float
        Predicted deposits T = Σ A_k P_k (unit cells).
    std_expected : float
        s(T).
    ratio : float
        N / T (Bonham-Carter: below about 0.85 suggests conditional dependence).
    z : float
        (T - N) / s(T).
    p_value : float
        One-sided probability of a T - N at least this large under conditional
        independence, 1 - Φ(z).
    """

    observed: int
    expected: float
    std_expected: float
    ratio: float
    z: float
    p_value: float


def conditional_independence(result: Posterior, n_deposits: int, *, cell_area_km2: float,
                             unit_cell_km2: float = 1.0) -> ConditionalIndependence:
    """Agterberg–Cheng test of a weights-of-evidence posterior.

    Parameters
    ----------
    result : Posterior
        Posterior over the study area.
    n_deposits : int
        Deposits used to compute the weights.
    cell_area_km2 : float
        Raster cell area, km².
    unit_cell_km2 : float
        Unit cell, km².

    Returns
    -------
    ConditionalIndependence
    """
    inside = result.condition >= 0
    condition = result.condition[inside]
    cells = np.bincount(condition)
    area_units = cells * cell_area_km2 / unit_cell_km2
    # P and s(P) are the same in every cell of a condition: their mean is that value.
    p = np.bincount(condition, weights=result.probability[inside]) / cells
    s = np.bincount(condition, weights=result.std[inside]) / cells
    expected = float(np.sum(area_units * p))
    std_expected = float(np.sqrt(np.sum((area_units * s) ** 2)))
    z = (expected - n_deposits) / std_expected
    return ConditionalIndependence(n_deposits, expected, std_expected,
                                   n_deposits / expected, z, float(norm.sf(z)))
