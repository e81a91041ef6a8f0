"""Supply–demand matching (:mod:`aurum.materials.matching`): the qualification rule at and
around a need's limits, the Cpk threshold, unproven products, and the ranking against scores
worked by hand from the module's stated formula."""

from __future__ import annotations

import math
from datetime import date

import pytest

from aurum.core.errors import ValidationError
from aurum.materials.matching import (
    CPK_THRESHOLD,
    EvaluationRecord,
    Need,
    NeedRange,
    Offer,
    ProductProperty,
    check_need,
    great_circle_km,
    match_need,
    property_margin,
)

KIND = "bonding_wire"
TODAY = date(2026, 12, 7)
# Pull strength at least 5 gf (one-sided), diameter 20 to 30 µm (two-sided), at (0°, 0°).
NEED = Need(KIND, (NeedRange("pull_strength", "gf", 5.0, None),
                   NeedRange("wire_diameter", "µm", 20.0, 30.0)),
            100.0, "km", date(2027, 3, 1), lat=0.0, lon=0.0)


def _offer(pid: int, diameter: tuple[float | None, float | None], *, pull: float = 6.0,
           cpk: tuple[float | None, float | None] = (2.0, 2.0),
           evaluations: EvaluationRecord = EvaluationRecord(), lon: float = 0.0,
           kind: str = KIND) -> Offer:
    return Offer(pid, kind, (ProductProperty("pull_strength", "gf", pull, None, cpk[0], 25),
                             ProductProperty("wire_diameter", "µm", *diameter, cpk[1], 25)),
                 evaluations, lat=0.0, lon=lon)


def _ids(matches: tuple) -> list[int]:
    return [m.product_id for m in matches]


def test_just_inside_matches_just_outside_does_not() -> None:
    inside = _offer(1, (20.01, 29.99))
    below = _offer(2, (19.99, 28.0))
    above = _offer(3, (22.0, 30.01))
    result = match_need(NEED, [above, below, inside])
    assert _ids(result.qualified) == [1]
    assert _ids(result.rejected) == [2, 3]
    assert {f.verdict for m in result.rejected for f in m.properties
            if f.property == "wire_diameter"} == {"outside"}
    assert all(f.margin is None for m in result.rejected for f in m.properties
               if f.property == "wire_diameter")


def test_boundary_equality_qualifies_with_zero_margin() -> None:
    result = match_need(NEED, [_offer(1, (20.0, 30.0), pull=5.0)])
    (match,) = result.qualified
    assert [f.margin for f in match.properties] == [0.0, 0.0]
    assert match.parts is not None and match.parts["margin"] == 0.0


def test_an_open_side_fails_the_limit_the_need_gives_on_it() -> None:
    open_top = _offer(1, (22.0, None))
    assert _ids(match_need(NEED, [open_top]).rejected) == [1]


def test_cpk_threshold() -> None:
    at = _offer(1, (22.0, 28.0), cpk=(CPK_THRESHOLD, 2.0))
    under = _offer(2, (22.0, 28.0), cpk=(1.32, 2.0))
    result = match_need(NEED, [at, under])
    assert _ids(result.qualified) == [1]
    assert _ids(result.rejected) == [2]
    assert result.rejected[0].properties[0].verdict == "low_capability"
    # The threshold is a parameter.
    assert _ids(match_need(NEED, [at, under], cpk_threshold=1.0).qualified) == [1, 2]
    with pytest.raises(ValidationError, match="cpk_threshold"):
        match_need(NEED, [at], cpk_threshold=0.0)


def test_unproven_products_are_shown_apart_and_not_ranked() -> None:
    unproven = _offer(1, (22.0, 28.0), cpk=(None, 2.0))
    unproven_and_low = _offer(2, (22.0, 28.0), cpk=(None, 1.0))
    unproven_and_outside = _offer(3, (18.0, 28.0), cpk=(None, 2.0))
    result = match_need(NEED, [unproven, unproven_and_low, unproven_and_outside])
    assert result.qualified == ()
    assert _ids(result.unproven) == [1]
    assert result.unproven[0].score is None and result.unproven[0].rank is None
    assert result.unproven[0].properties[0].verdict == "unproven"
    assert _ids(result.rejected) == [2, 3]


def test_unit_unspecified_and_other_kind() -> None:
    other_unit = Offer(1, KIND, (ProductProperty("pull_strength", "cN", 6.0, None, 2.0, 25),
                                 ProductProperty("wire_diameter", "µm", 22.0, 28.0, 2.0, 25)))
    missing = Offer(2, KIND, (ProductProperty("wire_diameter", "µm", 22.0, 28.0, 2.0, 25),))
    paste = _offer(3, (22.0, 28.0), kind="sinter_paste")
    result = match_need(NEED, [other_unit, missing, paste])
    assert [m.properties[0].verdict for m in result.rejected] == ["unit", "unspecified"]
    assert 3 not in _ids(result.qualified + result.unproven + result.rejected)


def test_ranking_against_hand_worked_scores() -> None:
    # Weights 0.35 margin, 0.30 capability, 0.20 evaluations, 0.15 distance.
    # A: margins pull (6-5)/5 = 0.2, diameter 2/5 = 0.4 -> M 0.2; C 1.5/2 = 0.75;
    #    E (2 + 0.5)/3; D 1 (same place).
    a = _offer(1, (22.0, 28.0), pull=6.0, cpk=(2.0, 1.5),
               evaluations=EvaluationRecord(passes=2))
    score_a = 0.35 * 0.2 + 0.30 * 0.75 + 0.20 * (2.5 / 3) + 0.15 * 1.0
    # B: margins 2.5/5 = 0.5 and 4/5 = 0.8 -> M 0.5; C 1.4/2 = 0.7; E 0.5/2 = 0.25;
    #    4.5° of longitude on the equator: 6371 km × 4.5π/180 = 500.377 km -> D 1/(1 + 1.000754).
    b = _offer(2, (24.0, 26.0), pull=7.5, cpk=(1.4, 2.5),
               evaluations=EvaluationRecord(fails=1), lon=4.5)
    score_b = 0.35 * 0.5 + 0.30 * 0.7 + 0.20 * 0.25 + 0.15 / (1 + 500.377 / 500)
    # C: on both limits -> M 0; C min(1, 3/2) = 1; E (3 + 0.5)/4; D 1.
    c = _offer(3, (20.0, 30.0), pull=5.0, cpk=(3.0, 3.0),
               evaluations=EvaluationRecord(passes=3))
    score_c = 0.0 + 0.30 * 1.0 + 0.20 * 0.875 + 0.15
    assert (round(score_c, 4), round(score_a, 4), round(score_b, 4)) == (0.625, 0.6117, 0.51)
    result = match_need(NEED, [a, b, c])
    assert _ids(result.qualified) == [3, 1, 2]
    assert [m.rank for m in result.qualified] == [1, 2, 3]
    got = {m.product_id: m.score for m in result.qualified}
    assert got[1] == pytest.approx(score_a, abs=1e-12)
    assert got[2] == pytest.approx(score_b, abs=1e-5)
    assert got[3] == pytest.approx(score_c, abs=1e-12)
    assert result.qualified[2].distance_km == pytest.approx(500.377, abs=1e-3)
    # Other weights, other order: distance alone puts B last, margin alone puts C last.
    only_margin = {"margin": 1, "capability": 0, "evaluation": 0, "distance": 0}
    assert _ids(match_need(NEED, [a, b, c], weights=only_margin).qualified) == [2, 1, 3]


def test_explanation_is_facts() -> None:
    match = match_need(NEED, [_offer(1, (22.0, 28.0), evaluations=EvaluationRecord(1, 1, 0))]
                       ).qualified[0]
    facts = match.facts()
    assert facts["properties"][1] == {
        "property": "wire_diameter", "unit": "µm", "need_minimum": 20.0, "need_maximum": 30.0,
        "product_minimum": 22.0, "product_maximum": 28.0, "margin": pytest.approx(0.4),
        "cpk": 2.0, "batches": 25, "verdict": "inside"}
    assert facts["evaluations"] == {"passes": 1, "conditional": 1, "fails": 0}
    assert set(facts["parts"]) == {"margin", "capability", "evaluation", "distance"}
    assert facts["distance_km"] == 0.0


def test_property_margin_cases() -> None:
    two_sided = NeedRange("d", "µm", 20.0, 30.0)
    assert property_margin(two_sided, 25.0, 25.0) == 1.0
    assert property_margin(two_sided, 21.0, 26.0) == pytest.approx(0.2)
    # A need of zero width is met by an exact product, with no margin.
    assert property_margin(NeedRange("d", "µm", 25.0, 25.0), 25.0, 25.0) == 0.0
    # One limit at 0: the margin is in the property's unit, clipped to 1.
    assert property_margin(NeedRange("r", "µΩ·cm", None, 0.0), None, -3.0) == 1.0
    assert property_margin(NeedRange("p", "%", None, 10.0), None, 8.0) == pytest.approx(0.2)


def test_great_circle_against_a_known_distance() -> None:
    # Beijing (39.9042 N, 116.4074 E) to Shanghai (31.2304 N, 121.4737 E): 1,067 km on the
    # mean sphere (the geodesic on WGS 84 is 1,068 km).
    assert great_circle_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067,
                                                                                   abs=2)
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0)


def test_a_need_with_min_above_max_is_one_clear_error() -> None:
    need = Need(KIND, (NeedRange("wire_diameter", "µm", 30.0, 20.0),), 1.0, "km", TODAY)
    with pytest.raises(ValidationError) as caught:
        check_need(need, TODAY)
    assert len(caught.value.problems) == 1
    assert str(caught.value) == ("column wire_diameter: wire_diameter: the minimum 30.0 is "
                                 "greater than the maximum 20.0")


def test_need_checks() -> None:
    check_need(NEED, TODAY)
    bad = Need(KIND, (NeedRange("wire_diameter", "µm", None, None),
                      NeedRange("wire_diameter", "µm", 1.0, math.inf),
                      NeedRange("pull_strength", "cN", 5.0, None),
                      NeedRange("colour", "", 1.0, None)),
               0.0, "kg", date(2026, 12, 6), lat=91.0, lon=None)
    with pytest.raises(ValidationError) as caught:
        check_need(bad, TODAY)
    columns = [p.column for p in caught.value.problems]
    assert columns == ["wire_diameter", "wire_diameter", "wire_diameter.max",
                       "pull_strength.unit", "property", "quantity", "needed_by", "lat",
                       "lat"]
    assert "in the past" in caught.value.problems[6].message
    with pytest.raises(ValidationError, match="1 to 20 property ranges"):
        check_need(Need(KIND, (), 1.0, "kg", TODAY), TODAY)
