"""Single-hole orebody delineation against intercepts computed by hand, and the intercept
table's mid-points, directions and true thicknesses against closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.resources.delineate import (
    INTERCEPT_COLUMNS,
    OREBODY_COLUMNS,
    delineate_orebodies,
    intercept_table,
)
from aurum.resources.drillholes import read_drillholes
from aurum.resources.indicators import IndustrialIndicators, reference_indicators

# Cut-off 1, minimum industrial 2.5, minimum mining thickness 1 m, internal waste 2 m:
# metre-grade floor 2.5 × 1 = 2.5 m·g/t.
RULES = IndustrialIndicators(cutoff_gpt=1.0, min_industrial_gpt=2.5, min_thickness_m=1.0,
                             max_waste_m=2.0)

ROWS = [
    # A: two runs merged across 1 m of waste, then 3 m of waste (longer than 2 m) splits.
    ("A", 0.0, 2.0, 0.2), ("A", 2.0, 4.0, 4.0), ("A", 4.0, 5.0, 0.5), ("A", 5.0, 7.0, 3.0),
    ("A", 7.0, 10.0, 0.1), ("A", 10.0, 11.0, 4.0),
    # B: a merge refused because it would dilute below the cut-off.
    ("B", 0.0, 1.0, 1.5), ("B", 1.0, 2.5, 0.0), ("B", 2.5, 3.5, 1.2),
    # C: a thin rich interval kept by its metre-grade, and a thin one too poor for it.
    ("C", 0.0, 5.0, 0.1), ("C", 5.0, 5.4, 8.0), ("C", 5.4, 9.0, 0.1), ("C", 9.0, 9.5, 3.0),
    # D: a gap (2 to 3 m, no sample) is waste of grade 0.
    ("D", 0.0, 2.0, 3.0), ("D", 3.0, 4.0, 3.0),
    # E: an interval not assayed is waste of grade 0 too.
    ("E", 0.0, 1.0, 5.0), ("E", 1.0, 2.0, np.nan), ("E", 2.0, 3.0, 5.0),
    # F: waste exactly as long as the internal-waste thickness is not shorter: it splits.
    ("F", 0.0, 1.0, 5.0), ("F", 1.0, 3.0, 0.0), ("F", 3.0, 4.0, 5.0),
    # G: nothing reaches the cut-off.
    ("G", 0.0, 3.0, 0.9),
]

EXPECTED = [
    # A, 2-7 m: runs 2-4 (4.0) and 5-7 (3.0), waste 4-5 m = 1 m < 2 m; metal
    # 2×4.0 + 1×0.5 + 2×3.0 = 14.5 over 5 m: 2.9 ≥ 1 joins. 2.9 ≥ 2.5 and 5 m ≥ 1 m: industrial.
    ("A", 2.0, 7.0, 5.0, 2.9, 14.5, "industrial"),
    # A, 10-11 m: waste 7-10 m = 3 m, not shorter than 2 m: a new orebody; 4.0 over 1 m,
    # metre-grade 4.0; 4.0 ≥ 2.5 and 1 m ≥ 1 m: industrial.
    ("A", 10.0, 11.0, 1.0, 4.0, 4.0, "industrial"),
    # B: waste 1-2.5 m = 1.5 m < 2 m, but (1×1.5 + 1.5×0 + 1×1.2) / 3.5 = 2.7 / 3.5 = 0.771
    # < 1: refused. Each run alone: grade < 2.5 and 1 m ≥ 1 m: low grade.
    ("B", 0.0, 1.0, 1.0, 1.5, 1.5, "low_grade"),
    ("B", 2.5, 3.5, 1.0, 1.2, 1.2, "low_grade"),
    # C, 5-5.4 m: 0.4 m < 1 m but 0.4 × 8.0 = 3.2 ≥ 2.5 m·g/t and 8.0 ≥ 2.5: industrial.
    # C, 9-9.5 m: 3.6 m of waste above it (no merge); 0.5 × 3.0 = 1.5 < 2.5 and 0.5 m < 1 m:
    # not reported.
    ("C", 5.0, 5.4, 0.4, 8.0, 3.2, "industrial"),
    # D: waste 2-3 m (a gap) = 1 m < 2 m; (2×3.0 + 1×0 + 1×3.0) / 4 = 9 / 4 = 2.25 ≥ 1 joins;
    # 2.25 < 2.5 and 4 m ≥ 1 m: low grade (ignoring the gap would give 3.0, industrial).
    ("D", 0.0, 4.0, 4.0, 2.25, 9.0, "low_grade"),
    # E: (5 + 0 + 5) / 3 = 3.333 ≥ 2.5, 3 m: industrial.
    ("E", 0.0, 3.0, 3.0, 10.0 / 3.0, 10.0, "industrial"),
    # F: waste 1-3 m = 2 m is not shorter than 2 m: two orebodies, 5.0 over 1 m each.
    ("F", 0.0, 1.0, 1.0, 5.0, 5.0, "industrial"),
    ("F", 3.0, 4.0, 1.0, 5.0, 5.0, "industrial"),
]


def _intervals(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["hole", "from", "to", "AU"])


def test_hand_computed_orebodies():
    got = delineate_orebodies(_intervals(), "AU", RULES)
    assert list(got.columns) == list(OREBODY_COLUMNS)
    expected = pd.DataFrame(EXPECTED, columns=list(OREBODY_COLUMNS))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=False,
                                  rtol=1e-12, atol=1e-12)


def test_row_order_does_not_matter():
    shuffled = _intervals().sample(frac=1.0, random_state=3)
    got = delineate_orebodies(shuffled, "AU", RULES).sort_values(["hole", "from_m"])
    expected = delineate_orebodies(_intervals(), "AU", RULES)
    np.testing.assert_allclose(got[["from_m", "to_m", "grade"]].to_numpy(),
                               expected[["from_m", "to_m", "grade"]].to_numpy())


def test_top_down_merge_and_metre_grade_override():
    # Three runs 0-1, 2-3 and 4-5 m at 2.0 with 1 m wastes of 0 between: the first
    # joins the second ((2 + 0 + 2) / 3 = 1.333 ≥ 1), the pair joins the third
    # ((4 + 0 + 2) / 5 = 1.2 ≥ 1): one orebody 0-5 m, 6 m·g/t.
    rows = [("H", 0.0, 1.0, 2.0), ("H", 1.0, 2.0, 0.0), ("H", 2.0, 3.0, 2.0),
            ("H", 3.0, 4.0, 0.0), ("H", 4.0, 5.0, 2.0)]
    got = delineate_orebodies(_intervals(rows), "AU", RULES)
    assert got[["from_m", "to_m", "metre_grade"]].values.tolist() == [[0.0, 5.0, 6.0]]
    assert got["grade"].iloc[0] == pytest.approx(1.2)
    # With the cut-off at 1.25 the pair stays (1.333) but the third would dilute to 1.2.
    strict = IndustrialIndicators(1.25, 2.5, 1.0, 2.0)
    got = delineate_orebodies(_intervals(rows), "AU", strict)
    assert got[["from_m", "to_m"]].values.tolist() == [[0.0, 3.0], [4.0, 5.0]]
    # A stated metre-grade floor replaces min-industrial × min-thickness: C's 0.4 m at 8.0
    # (3.2 m·g/t) is no longer industrial under a floor of 4.
    floor = IndustrialIndicators(1.0, 2.5, 1.0, 2.0, min_metre_grade=4.0)
    got = delineate_orebodies(_intervals(), "AU", floor)
    assert not ((got["hole"] == "C") & (got["from_m"] == 5.0)).any()


def test_no_orebody_gives_the_columns():
    got = delineate_orebodies(_intervals([("G", 0.0, 3.0, 0.9)]), "AU", RULES)
    assert got.empty and list(got.columns) == list(OREBODY_COLUMNS)


@pytest.mark.parametrize("rows, column", [
    ([("A", 2.0, 1.0, 1.0)], "to"),
    ([("A", 0.0, np.inf, 1.0)], "to"),
    ([("A", 0.0, 1.0, -1.0)], "AU"),
    ([("A", 0.0, 2.0, 1.0), ("A", 1.0, 3.0, 1.0)], "from"),
])
def test_bad_intervals_one_problem_naming_row_and_column(rows, column):
    with pytest.raises(ValidationError) as err:
        delineate_orebodies(_intervals(rows), "AU", RULES)
    assert len(err.value.problems) == 1 and err.value.problems[0].column == column


def test_indicator_validation_one_problem_per_field():
    with pytest.raises(ValidationError) as err:
        IndustrialIndicators.from_mapping({"cutoff_gpt": 3.0, "min_industrial_gpt": 2.5,
                                           "min_thickness_m": -1.0, "max_waste_m": 0.0,
                                           "min_metre_grade": float("nan")})
    assert [p.column for p in err.value.problems] == [
        "min_thickness_m", "max_waste_m", "min_metre_grade", "cutoff_gpt"]
    with pytest.raises(ValidationError) as err:
        IndustrialIndicators.from_mapping({"cutoff_gpt": "abc", "max_waste_m": 2})
    assert sorted(p.column for p in err.value.problems) == [
        "cutoff_gpt", "min_industrial_gpt", "min_thickness_m"]
    with pytest.raises(ValidationError):
        IndustrialIndicators(2.0, 1.0, 1.0, 1.0)


def test_from_mapping_round_trip_and_reference_values():
    ind = IndustrialIndicators.from_mapping({"cutoff_gpt": "1", "min_industrial_gpt": 3,
                                             "min_thickness_m": 0.8, "max_waste_m": 2.0})
    assert ind.metre_grade_floor == pytest.approx(2.4)
    assert IndustrialIndicators.from_mapping(ind.as_dict()) == ind
    underground, open_pit = reference_indicators(), reference_indicators("open_pit")
    # The data file's points: cut-off ≤ minimum industrial, open pits leaner and thicker.
    assert underground.cutoff_gpt <= underground.min_industrial_gpt
    assert open_pit.cutoff_gpt < underground.cutoff_gpt
    assert open_pit.min_thickness_m > underground.min_thickness_m
    with pytest.raises(ValidationError, match="mining"):
        reference_indicators("placer")


# The intercept table on desurveyed holes.

def _db(collars, surveys, assays):
    return read_drillholes(
        pd.DataFrame(collars, columns=["BHID", "XCOLLAR", "YCOLLAR", "ZCOLLAR"]),
        pd.DataFrame(surveys, columns=["BHID", "AT", "AZ", "DIP"]),
        pd.DataFrame(assays, columns=["BHID", "FROM", "TO", "AU"]), strict=True)


def test_inclined_hole_mid_point_and_true_thickness():
    # A straight hole from (100, 200, 50) towards azimuth 90 at 60° down: unit direction
    # h = (cos 60 · sin 90, cos 60 · cos 90, −sin 60) = (0.5, 0, −0.8660).
    db = _db([("S", 100.0, 200.0, 50.0)], [("S", 0.0, 90.0, 60.0)],
             [("S", 0.0, 10.0, 0.0), ("S", 10.0, 14.0, 3.0), ("S", 14.0, 20.0, 0.0)])
    got = intercept_table(db, "AU", RULES)
    assert list(got.columns) == list(INTERCEPT_COLUMNS)
    row = got.iloc[0]
    # Mid-depth 12 m: (100 + 12 × 0.5, 200, 50 − 12 × 0.8660) = (106, 200, 39.6077).
    assert (row["x"], row["y"], row["z"]) == pytest.approx(
        (106.0, 200.0, 50.0 - 12.0 * np.sin(np.radians(60.0))), abs=1e-9)
    assert (row["azimuth"], row["dip"]) == pytest.approx((90.0, 60.0), abs=1e-7)
    assert row["true_thickness_m"] == row["length_m"] == 4.0       # no attitude: the length
    # A vein striking 180 and dipping 60 (towards 270): n = (sin 60 · cos 180,
    # −sin 60 · sin 180, cos 60) = (−0.8660, 0, 0.5); h · n = −0.4330 − 0.4330 = −0.8660:
    # true thickness 4 × 0.8660 = 3.4641 m.
    got = intercept_table(db, "AU", RULES, strike_deg=180.0, dip_deg=60.0)
    assert got["true_thickness_m"].iloc[0] == pytest.approx(4.0 * np.sin(np.radians(60.0)),
                                                            abs=1e-9)
    # A vertical vein striking north: n = (1, 0, 0), h · n = 0.5: 2 m.
    got = intercept_table(db, "AU", RULES, strike_deg=0.0, dip_deg=90.0)
    assert got["true_thickness_m"].iloc[0] == pytest.approx(2.0, abs=1e-9)


def test_curved_hole_direction_at_the_mid_point():
    # Vertical at the collar, horizontal towards the east at 100 m: minimum curvature makes
    # a quarter circle of radius R = 100 / (π/2). At arc length s the hole is at
    # (R(1 − cos(s/R)), 0, −R sin(s/R)) heading east at a dip of 90° − s/R (in degrees).
    db = _db([("K", 0.0, 0.0, 0.0)], [("K", 0.0, 0.0, 90.0), ("K", 100.0, 90.0, 0.0)],
             [("K", 0.0, 30.0, 0.0), ("K", 30.0, 70.0, 3.0), ("K", 70.0, 100.0, 0.0)])
    row = intercept_table(db, "AU", RULES).iloc[0]
    radius = 100.0 / (np.pi / 2.0)
    angle = 50.0 / radius                                   # mid-depth 50 m: 45°
    assert (row["x"], row["y"], row["z"]) == pytest.approx(
        (radius * (1.0 - np.cos(angle)), 0.0, -radius * np.sin(angle)), abs=1e-9)
    assert (row["azimuth"], row["dip"]) == pytest.approx((90.0, 45.0), abs=1e-6)


def test_vertical_hole_azimuth_zero_and_attitude_checks():
    db = _db([("V", 0.0, 0.0, 0.0)], [("V", 0.0, 45.0, 90.0)], [("V", 0.0, 2.0, 3.0)])
    row = intercept_table(db, "AU", RULES, strike_deg=30.0, dip_deg=40.0).iloc[0]
    assert (row["azimuth"], row["dip"]) == pytest.approx((0.0, 90.0))
    # A vertical hole through a vein dipping 40°: true = 2 × cos 40.
    assert row["true_thickness_m"] == pytest.approx(2.0 * np.cos(np.radians(40.0)))
    with pytest.raises(ValidationError, match="strike"):
        intercept_table(db, "AU", RULES, strike_deg=400.0, dip_deg=40.0)
    with pytest.raises(ValidationError):
        intercept_table(db, "AU", RULES, strike_deg=30.0)
    with pytest.raises(ValidationError, match="CU"):
        intercept_table(db, "CU", RULES)


def test_intercept_table_without_ore_has_the_columns():
    db = _db([("W", 0.0, 0.0, 0.0)], [("W", 0.0, 0.0, 90.0)], [("W", 0.0, 1.0, 0.1)])
    got = intercept_table(db, "AU", reference_indicators(), strike_deg=10.0, dip_deg=20.0)
    assert got.empty and list(got.columns) == list(INTERCEPT_COLUMNS)
