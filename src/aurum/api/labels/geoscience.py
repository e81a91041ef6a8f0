"""Labels of the geoscience pages' machine keys: resource and reserve classes (the
GB/T 17766-2020 categories, CRIRSCO names beside them: :mod:`aurum.resources.gbt17766`),
estimation methods, what sets Lane's cut-off, the steps of a resource waterfall, drillhole
problem kinds, weights-of-evidence layer kinds and the machine-learning estimators (the
destinations ``mill``, ``heap_leach``, ``waste`` and ``mine`` are labelled in :mod:`.plants`
and :mod:`.regulator`)."""

from babel.support import LazyProxy

from aurum.core.i18n import lazy_gettext as _
from aurum.resources.gbt17766 import (
    CATEGORIES,
    RESERVE_CODES,
    RESOURCE_CODES,
    category_label,
    combined_label,
)

LABELS = {
    # the GB/T 17766-2020 categories (clause 3) with their CRIRSCO names beside them, and the
    # sums the standard allows: resources together, reserves together, never both (5.2)
    **{code: LazyProxy(category_label, code, enable_cache=False) for code in CATEGORIES},
    "resources_total": LazyProxy(combined_label, RESOURCE_CODES, enable_cache=False),
    "reserves_total": LazyProxy(combined_label, RESERVE_CODES, enable_cache=False),
    # estimation methods (resources.estimate.Method)
    "ordinary": _("Ordinary kriging"),
    "simple": _("Simple kriging"),
    "idw": _("Inverse distance weighting"),
    # what sets Lane's cut-off besides the mine and the mill
    "market": _("Market"),
    "mine-mill": _("Mine and mill"),
    "mill-market": _("Mill and market"),
    "mine-market": _("Mine and market"),
    # steps of the contained-gold waterfall between two statements
    "opening": _("Opening balance"),
    "depletion": _("Depletion"),
    "exploration": _("Exploration"),
    "economic": _("Economic change"),
    "re_estimation": _("Re-estimation"),
    "closing": _("Closing balance"),
    # drillhole problem kinds (resources.drillholes.ProblemKind)
    "missing_value": _("Missing value"),
    "not_a_number": _("Not a number"),
    "duplicate_collar": _("Duplicate collar"),
    "unknown_hole": _("Unknown hole"),
    "missing_survey": _("Missing survey"),
    "duplicate_station": _("Duplicate survey station"),
    "dip_out_of_range": _("Dip out of range"),
    "azimuth_out_of_range": _("Azimuth out of range"),
    "depth_out_of_range": _("Depth out of range"),
    "from_not_above_to": _("FROM not above TO"),
    "beyond_hole_length": _("Beyond the hole's length"),
    "overlap": _("Overlapping intervals"),
    "gap": _("Gap between intervals"),
    "text_grade": _("Grade written as text"),
    "negative_grade": _("Negative grade"),
    "missing_grade": _("Missing grade"),
    "missing_lithology": _("Missing lithology"),
    # weights-of-evidence layer kinds (prospect.wofe.WeightsType) and ML estimators
    "categorical": _("Categorical"),
    "ascending": _("Cumulative from small values"),
    "descending": _("Cumulative from large values"),
    "binary": _("Binary"),
    "random_forest": _("Random forest"),
    "gradient_boosting": _("Gradient boosting"),
    "logistic_regression": _("Logistic regression"),
}
