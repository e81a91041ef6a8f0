"""Resource classification: Measured, Indicated and Inferred by rules written as data.

A rule is a set of criteria on per-block estimation statistics. Every criterion under the rule
must hold, and when the rule has an ``any`` group at least one of that group must hold too:

.. code-block:: yaml

    measured:
      min_samples: 12
      min_slope: 0.8
      max_variance: 0.25
      any: {max_distance: 25, min_holes: 3}
    indicated:
      min_samples: 8
      min_slope: 0.5
      any: {max_distance: 50, min_holes: 2}
    inferred: {}

Classes are tried in order Measured, Indicated, Inferred; a block takes the first whose rule it
meets. A block that was not estimated (NaN estimate), or that meets no rule, is Unclassified.
A criterion on a NaN statistic (the slope of an inverse-distance estimate, say) is not met.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, lazy_gettext

if TYPE_CHECKING:
    from babel.support import LazyProxy


class ResourceClass(IntEnum):
    """Resource class codes stored per block (int8)."""

    UNCLASSIFIED = 0
    MEASURED = 1
    INDICATED = 2
    INFERRED = 3

    @property
    def label(self) -> str:
        """Name as a resource statement prints it, e.g. ``"Measured"``."""
        return self.name.capitalize()


@dataclass(frozen=True)
class Criterion:
    """What a criterion key compares: a per-block statistic against the threshold."""

    statistic: str
    at_least: bool
    integer: bool
    description: LazyProxy


CRITERIA: dict[str, Criterion] = {
    "min_samples": Criterion("n_samples", True, True,
                             lazy_gettext("samples used >= threshold")),
    "min_slope": Criterion("slope", True, False,
                           lazy_gettext("slope of regression >= threshold")),
    "max_variance": Criterion("variance", False, False,
                              lazy_gettext("kriging variance <= threshold (grade unit squared)")),
    "max_distance": Criterion("distance", False, False,
                              lazy_gettext("distance to the nearest sample <= threshold, m")),
    "min_holes": Criterion("n_holes", True, True, lazy_gettext("drillholes used >= threshold")),
}
"""The criterion keys a rule may use."""

ANY = "any"
"""Key of the group of criteria of which at least one must hold."""


@dataclass(frozen=True)
class ClassRule:
    """Criteria a block must meet to take a class.

    Parameters
    ----------
    require : mapping of str to float
        Criteria that must all hold (keys of :data:`CRITERIA`).
    require_any : mapping of str to float
        Criteria of which at least one must hold; ignored when empty.

    Raises
    ------
    ValidationError
        An unknown key, or a threshold that is not a number of the expected kind.
    """

    require: Mapping[str, float] = field(default_factory=dict)
    require_any: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [*_check(self.require, ""), *_check(self.require_any, f"{ANY}.")]
        if problems:
            raise ValidationError(problems)

    @property
    def statistics(self) -> set[str]:
        """The per-block statistics the rule reads."""
        return {CRITERIA[key].statistic for key in (*self.require, *self.require_any)}

    def met(self, statistics: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """Which of ``n`` blocks meet the rule, given each statistic the rule reads."""
        ok = np.ones(n, dtype=bool)
        for key, threshold in self.require.items():
            ok &= _holds(key, threshold, statistics)
        if self.require_any:
            some = np.zeros(n, dtype=bool)
            for key, threshold in self.require_any.items():
                some |= _holds(key, threshold, statistics)
            ok &= some
        return ok


def _holds(key: str, threshold: float, statistics: Mapping[str, np.ndarray]) -> np.ndarray:
    criterion = CRITERIA[key]
    values = statistics[criterion.statistic]
    return values >= threshold if criterion.at_least else values <= threshold


def _check(criteria: Mapping[str, Any], prefix: str) -> list[Problem]:
    problems = []
    for key, threshold in criteria.items():
        where = f"{prefix}{key}"
        if key not in CRITERIA:
            problems.append(Problem(_("unknown criterion %(name)r; expected one of %(names)s "
                                      "(or an '%(group)s' group)", name=where,
                                      names=", ".join(CRITERIA), group=ANY)))
            continue
        criterion = CRITERIA[key]
        number = (isinstance(threshold, int | float) and not isinstance(threshold, bool)
                  and np.isfinite(threshold))
        if not number:
            problems.append(Problem(_("%(name)s must be a number (%(rule)s), got %(value)r",
                                      name=where, rule=criterion.description,
                                      value=threshold)))
        elif criterion.integer and (threshold < 0 or threshold != int(threshold)):
            problems.append(Problem(_("%(name)s must be a whole number >= 0, got %(value)r",
                                      name=where, value=threshold)))
        elif criterion.statistic in ("variance", "distance") and threshold < 0:
            problems.append(Problem(_("%(name)s must be >= 0, got %(value)r", name=where,
                                      value=threshold)))
    return problems


@dataclass(frozen=True)
class ClassificationRules:
    """The rule of each resource class.

    Parameters
    ----------
    measured, indicated : ClassRule or None
        Rules of the Measured and Indicated classes; None: no block takes the class.
    inferred : ClassRule or None
        Rule of the Inferred class; by default every estimated block qualifies.
    """

    measured: ClassRule | None = None
    indicated: ClassRule | None = None
    inferred: ClassRule | None = field(default_factory=ClassRule)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None
                  ) -> ClassificationRules:
        """Rules from plain data (a YAML or JSON document).

        Parameters
        ----------
        data : mapping
            ``{"measured": {...}, "indicated": {...}, "inferred": {...}}``, each class a
            mapping of criterion keys (:data:`CRITERIA`) to thresholds with an optional
            ``"any"`` mapping. A class left out keeps the default (Measured and Indicated:
            none; Inferred: every estimated block); a class given as null is not used.
        source : str, optional
            File name, for error messages.

        Raises
        ------
        ValidationError
            Every problem found: unknown class names or criterion keys, thresholds that are
            not numbers of the expected kind.
        """
        names = ("measured", "indicated", "inferred")
        problems = [Problem(_("unknown class %(name)r; expected %(names)s", name=name,
                              names=", ".join(names)),
                            column=str(name), source=source)
                    for name in data if name not in names]
        rules: dict[str, ClassRule | None] = {}
        for name in names:
            if name not in data:
                continue
            spec = data[name]
            if spec is None:
                rules[name] = None
                continue
            group = spec.get(ANY, {}) if isinstance(spec, Mapping) else None
            if not isinstance(spec, Mapping) or not isinstance(group, Mapping):
                problems.append(Problem(_("expected a mapping of criteria to thresholds"),
                                        column=name, source=source))
                continue
            try:
                rules[name] = ClassRule({k: v for k, v in spec.items() if k != ANY}, group)
            except ValidationError as exc:
                problems += [Problem(p.message, column=name, source=source)
                             for p in exc.problems]
        if problems:
            raise ValidationError(problems)
        return cls(**rules)


def classify(rules: ClassificationRules, estimate: np.ndarray, n_samples: np.ndarray,
             slope: np.ndarray | None = None, variance: np.ndarray | None = None,
             distance: np.ndarray | None = None, n_holes: np.ndarray | None = None
             ) -> np.ndarray:
    """Resource class of every block.

    Parameters
    ----------
    rules : ClassificationRules
        Rule of each class.
    estimate : numpy.ndarray
        Estimated grade per block, g/t; NaN where not estimated (only NaN-ness is read).
    n_samples : numpy.ndarray
        Samples used per block.
    slope : numpy.ndarray, optional
        Slope of regression per block.
    variance : numpy.ndarray, optional
        Kriging variance per block, grade unit squared.
    distance : numpy.ndarray, optional
        Distance from the block centre to the nearest sample, m.
    n_holes : numpy.ndarray, optional
        Drillholes used per block.

    Returns
    -------
    numpy.ndarray of int8
        :class:`ResourceClass` code per block.

    Raises
    ------
    ValidationError
        A rule reads a statistic whose array was not given.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    given = {"n_samples": n_samples, "slope": slope, "variance": variance,
             "distance": distance, "n_holes": n_holes}
    statistics = {k: np.asarray(v, dtype=np.float64) for k, v in given.items() if v is not None}
    for name, values in statistics.items():
        if values.shape != estimate.shape:
            raise ValueError(f"{name} has shape {values.shape}, expected {estimate.shape}")
    order = ((ResourceClass.MEASURED, rules.measured), (ResourceClass.INDICATED, rules.indicated),
             (ResourceClass.INFERRED, rules.inferred))
    problems = [Problem(_("the %(resource_class)s rule reads %(name)s, which was not given",
                          resource_class=_(cls.label), name=name))
                for cls, rule in order if rule is not None
                for name in sorted(rule.statistics - statistics.keys())]
    if problems:
        raise ValidationError(problems)
    classes = np.full(estimate.shape, ResourceClass.UNCLASSIFIED, dtype=np.int8)
    pending = ~np.isnan(estimate)
    for cls, rule in order:
        if rule is not None:
            taken = pending & rule.met(statistics, estimate.size)
            classes[taken] = cls
            pending &= ~taken
    return classes
