"""Classification on a hand-made table of ten blocks, and the validation of rules."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.resources.classify import ClassificationRules, ClassRule, ResourceClass, classify

RULES = {
    "measured": {"min_samples": 12, "min_slope": 0.8, "max_variance": 0.25,
                 "any": {"max_distance": 25, "min_holes": 3}},
    "indicated": {"min_samples": 8, "min_slope": 0.5, "any": {"max_distance": 50, "min_holes": 2}},
    "inferred": {},
}
NAN = np.nan
# Block:             0     1     2     3     4     5     6     7     8     9
ESTIMATE = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, NAN, 1.0])
N_SAMPLES = np.array([12, 15, 12, 11, 8, 8, 4, 20, 20, 2])
SLOPE = np.array([0.85, 0.9, 0.79, 0.95, 0.6, 0.5, 0.3, NAN, 0.9, 0.1])
VARIANCE = np.array([0.2, 0.1, 0.1, 0.1, 0.4, 0.5, 0.9, NAN, 0.1, 1.0])
DISTANCE = np.array([20.0, 40.0, 10.0, 10.0, 30.0, 60.0, 100.0, 5.0, 5.0, 150.0])
N_HOLES = np.array([2, 4, 3, 3, 1, 2, 1, 5, 5, 1])
M, IND, F, U = (ResourceClass.MEASURED, ResourceClass.INDICATED, ResourceClass.INFERRED,
              ResourceClass.UNCLASSIFIED)


def run(rules: ClassificationRules) -> np.ndarray:
    return classify(rules, ESTIMATE, N_SAMPLES, SLOPE, VARIANCE, DISTANCE, N_HOLES)


def test_hand_made_table() -> None:
    classes = run(ClassificationRules.from_dict(RULES))
    # 0: all measured criteria, near. 1: far but 4 holes. 2: slope 0.79 < 0.8. 3: 11 samples.
    # 4: 8 samples, 30 m. 5: slope exactly 0.5, 60 m but 2 holes. 6: 4 samples. 7: NaN slope
    # (inverse distance) meets no slope criterion. 8: not estimated. 9: 2 samples.
    assert classes.tolist() == [M, M, IND, IND, IND, IND, F, F, U, F]
    assert classes.dtype == np.int8
    assert np.bincount(classes, minlength=4).tolist() == [1, 2, 4, 3]
    assert [ResourceClass(c).label for c in (M, IND, F, U)] == [
        "Measured", "Indicated", "Inferred", "Unclassified"]


def test_inferred_rule_and_absent_classes() -> None:
    stricter = ClassificationRules.from_dict({**RULES, "inferred": {"min_samples": 3}})
    assert run(stricter).tolist() == [M, M, IND, IND, IND, IND, F, F, U, U]
    none = ClassificationRules.from_dict({**RULES, "inferred": None})
    assert run(none).tolist() == [M, M, IND, IND, IND, IND, U, U, U, U]
    # Left out, Measured and Indicated are not used and Inferred takes every estimated block.
    only_inferred = ClassificationRules.from_dict({})
    assert only_inferred == ClassificationRules(None, None, ClassRule())
    assert run(only_inferred).tolist() == [F, F, F, F, F, F, F, F, U, F]


def test_rules_need_their_statistics() -> None:
    rules = ClassificationRules.from_dict(RULES)
    with pytest.raises(ValidationError) as info:
        classify(rules, ESTIMATE, N_SAMPLES, SLOPE, VARIANCE)
    assert [p.message for p in info.value.problems] == [
        "the Measured rule reads distance, which was not given",
        "the Measured rule reads n_holes, which was not given",
        "the Indicated rule reads distance, which was not given",
        "the Indicated rule reads n_holes, which was not given"]
    simple = ClassificationRules(measured=ClassRule({"min_samples": 12}))
    assert classify(simple, ESTIMATE, N_SAMPLES).tolist() == [M, M, M, F, F, F, F, M, U, F]


def test_bad_rules_are_all_reported() -> None:
    bad = {
        "measured": {"min_samples": 12.5, "min_slop": 0.8, "max_variance": -1},
        "indicated": {"min_slope": "high", "any": {"max_distance": 50, "nearest": 2}},
        "probable": {},
        "inferred": [1, 2],
    }
    with pytest.raises(ValidationError) as info:
        ClassificationRules.from_dict(bad, source="rules.yaml")
    found = {(p.column, p.message) for p in info.value.problems}
    assert len(found) == 7
    assert ("probable", "unknown class 'probable'; expected measured, indicated, inferred") \
        in found
    assert ("measured", "unknown criterion 'min_slop'; expected one of min_samples, min_slope, "
            "max_variance, max_distance, min_holes (or an 'any' group)") in found
    assert ("measured", "min_samples must be a whole number >= 0, got 12.5") in found
    assert ("measured", "max_variance must be >= 0, got -1") in found
    assert ("indicated", "min_slope must be a number (slope of regression >= threshold), "
            "got 'high'") in found
    assert any(c == "indicated" and "'any.nearest'" in m for c, m in found)
    assert ("inferred", "expected a mapping of criteria to thresholds") in found
    assert all(p.source == "rules.yaml" for p in info.value.problems)
    with pytest.raises(ValidationError, match="min_holes must be a number"):
        ClassRule(require_any={"min_holes": True})
