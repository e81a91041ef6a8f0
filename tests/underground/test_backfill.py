"""Backfill: the strength of a vertically exposed fill by the sliding-block model of Mitchell,
Olsen & Smith (1982) in the full form Brady & Brown (2006) print, fill recipes per m³ and the
fill balance of a schedule.

References for the strength (``aurum.underground.backfill`` docstring): Mitchell et al.
(1982), *Can. Geotech. J.* 19: 14-28, as restated with its factor of safety by Li & Aubertin
(2012), *Can. Geotech. J.* 49: 994-1002; Brady & Brown, *Rock Mechanics for Underground
Mining*, 3rd ed. (2004/2006), p. 418, eq. 14.5-14.6; the Mohr-Coulomb UCS of Labuz & Zang
(2012). The published equation is now checked as printed in a textbook: (1) Brady & Brown's
eq. 14.6, the cohesion sand fill needs at φ = 30° and F = 1.33, c = γ L H_f sin 2α /
(2 (L + H_f sin 2α)), worked by hand on three stopes; (2) the root, found numerically by
scipy's ``brentq``, of their eq. 14.5, F = tan φ/tan α + 2cL / (H_f (γL − 2c) sin 2α) with
H_f = H − w tan α / 2, for several φ, w and F: an independent route to the closed form; (3) at
φ = 0 with no width, Mitchell's closed form at F = 1, c = γH / (2 (1 + H/L)), worked by hand,
and the earlier results to the last bit; (4) the limits. The paper's own worked values (its
model tests) were not at hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from aurum.core.errors import ValidationError
from aurum.underground.backfill import (
    GRAVITY_M_S2,
    FillRecipe,
    fill_balance,
    mitchell_strength,
    required_strengths,
)

REL = 1e-12
"""Closed forms agree to rounding."""
ROOT_REL = 1e-9
"""The numerical root of the factor-of-safety equation agrees to brentq's tolerance."""


def _mitchell_fs(c: float, height: float, length: float, gamma: float,
                 phi_deg: float = 0.0, c_b: float | None = None,
                 h_star: float | None = None) -> float:
    """Mitchell et al. (1982) factor of safety of the sliding block (kPa, m, kN/m³)."""
    alpha = math.radians(45.0 + phi_deg / 2.0)
    bond = c if c_b is None else c_b
    h = height if h_star is None else h_star
    return (math.tan(math.radians(phi_deg)) / math.tan(alpha)
            + 2.0 * c * length / (h * (gamma * length - 2.0 * bond) * math.sin(2.0 * alpha)))


@pytest.mark.parametrize(("height", "length", "gamma", "ucs"), [
    # Worked by hand from c = γH / (2 (1 + H/L)), UCS = 2c:
    (30.0, 10.0, 20.0, 150.0),      # 600 / 4
    (40.0, 20.0, 20.0, 800.0 / 3),  # 800 / 3
    (20.0, 20.0, 19.6, 196.0),      # 392 / 2
])
def test_mitchell_reproduces_the_closed_form_at_fs_one(height: float, length: float,
                                                       gamma: float, ucs: float) -> None:
    assert mitchell_strength(height, length, gamma) == pytest.approx(ucs, rel=REL)


@pytest.mark.parametrize("fs", [1.0, 1.5, 2.0])
@pytest.mark.parametrize(("height", "length"), [(30.0, 10.0), (45.0, 15.0), (12.0, 40.0)])
def test_mitchell_is_the_root_of_its_factor_of_safety_equation(fs: float, height: float,
                                                                length: float) -> None:
    gamma = 20.0
    # FS(c) rises from 0 at c = 0 to infinity as 2c approaches γL: one root below γL/2.
    c_root = brentq(lambda c: _mitchell_fs(c, height, length, gamma) - fs, 1e-9,
                    gamma * length / 2.0 * (1 - 1e-12), xtol=1e-12, rtol=1e-14)
    ucs = mitchell_strength(height, length, gamma, fs)
    assert ucs / 2.0 == pytest.approx(c_root, rel=ROOT_REL)
    assert _mitchell_fs(float(ucs) / 2.0, height, length, gamma) == pytest.approx(fs, rel=ROOT_REL)


def test_mitchell_limits() -> None:
    gamma, height = 20.0, 30.0
    # No side walls: the fill carries its own weight unconfined, UCS = FS γ H.
    assert mitchell_strength(height, math.inf, gamma, 1.5) == pytest.approx(1.5 * gamma * height)
    assert mitchell_strength(height, 1e9, gamma, 1.5) == pytest.approx(1.5 * gamma * height,
                                                                       rel=1e-6)
    # A narrow face is held by its walls: UCS → γL as H/L grows (the 2c = γL of the wedge).
    assert mitchell_strength(1000.0, 1.0, gamma, 2.0) == pytest.approx(gamma * 1.0, rel=2e-3)
    # A square face at FS = 1 needs half the unconfined strength.
    assert mitchell_strength(height, height, gamma) == pytest.approx(gamma * height / 2)
    lengths = np.array([5.0, 10.0, 20.0, 40.0, np.inf])
    ucs = mitchell_strength(height, lengths, gamma, 1.5)
    assert isinstance(ucs, np.ndarray) and np.all(np.diff(ucs) > 0)
    assert np.all(ucs <= 1.5 * gamma * height + 1e-9)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"height_m": -1.0}, "height_m"), ({"length_m": 0.0}, "length_m"),
    ({"unit_weight_kn_m3": 2000.0}, "unit_weight_kn_m3"), ({"safety_factor": 0.5},
                                                           "safety_factor"),
    ({"height_m": float("nan")}, "height_m"),
])
def test_mitchell_refuses_bad_input_naming_the_parameter(kwargs: dict[str, float],
                                                         field: str) -> None:
    args = {"height_m": 30.0, "length_m": 10.0, "unit_weight_kn_m3": 20.0, "safety_factor": 1.5}
    with pytest.raises(ValidationError) as err:
        mitchell_strength(**{**args, **kwargs})
    assert [p.column for p in err.value.problems] == [field]


def _cohesion(ucs: float | np.ndarray, phi_deg: float) -> float:
    """c from a Mohr-Coulomb UCS: UCS = 2 c cos φ / (1 − sin φ) turned round (kPa)."""
    phi = math.radians(phi_deg)
    return float(ucs) * (1.0 - math.sin(phi)) / (2.0 * math.cos(phi))


def _block_height(height: float, width: float | None, phi_deg: float) -> float:
    """Brady & Brown's H_f = H − w tan α / 2, α = 45° + φ/2 (m); H without a width."""
    if width is None:
        return height
    return height - width * math.tan(math.radians(45.0 + phi_deg / 2.0)) / 2.0


SIN_120 = math.sqrt(3.0) / 2.0
"""sin 2α at φ = 30° (α = 60°)."""


def _eq_14_6(gamma: float, length: float, block: float) -> float:
    """Brady & Brown (2006) eq. 14.6: cohesion sand fill (φ = 30°) needs at F = 1.33 (kPa)."""
    return gamma * length * block * SIN_120 / (2.0 * (length + block * SIN_120))


@pytest.mark.parametrize(("gamma", "length", "height", "width", "cohesion"), [
    # φ = 30°: α = 60°, tan α = √3, sin 2α = sin 120° = √3/2 = 0.86603, and
    # tan φ / tan α = (1/√3) / √3 = 1/3, the 0.33 of the book.
    # γ = 20, L = 10, H = 30, no width: H_f = 30, H_f sin 2α = 15√3 = 25.981;
    # c = 20·10·25.981 / (2 (10 + 25.981)) = 5196.2 / 71.962 = 72.207 kPa.
    (20.0, 10.0, 30.0, None, 72.207),
    # γ = 20, L = 15, H = 40, w = 10: H_f = 40 − 10·√3/2 = 31.340, H_f sin 2α = 20√3 − 7.5
    # = 27.141; c = 20·15·27.141 / (2 (15 + 27.141)) = 8142.3 / 84.282 = 96.608 kPa.
    (20.0, 15.0, 40.0, 10.0, 96.608),
    # γ = 19.6, L = 20, H = 20, w = 6: H_f = 20 − 3√3 = 14.804, H_f sin 2α = 10√3 − 4.5
    # = 12.821; c = 19.6·20·12.821 / (2 (20 + 12.821)) = 5025.6 / 65.641 = 76.562 kPa.
    (19.6, 20.0, 20.0, 6.0, 76.562),
])
def test_brady_brown_eq_14_6_for_sand_fill(gamma: float, length: float, height: float,
                                          width: float | None, cohesion: float) -> None:
    block = _block_height(height, width, 30.0)
    # The hand values are rounded to five figures.
    assert _eq_14_6(gamma, length, block) == pytest.approx(cohesion, rel=1e-4)
    # Eq. 14.6 takes the cohesion term of eq. 14.5 as exactly 1: F − tan φ/tan α = 1, so F =
    # 4/3, which the book prints as 1.33. At F = 4/3 ours is eq. 14.6 to rounding.
    ucs = mitchell_strength(height, length, gamma, 4.0 / 3.0, friction_angle_deg=30.0,
                            width_m=width)
    assert _cohesion(ucs, 30.0) == pytest.approx(_eq_14_6(gamma, length, block), rel=REL)
    # At the printed F = 1.33 the cohesion term is D = 1.33 − 1/3 = 0.99667 and ours is lower
    # by exactly (1 − D) L / (D (L + H_f sin 2α)): 0.09 % to 0.2 % here, more than a 1e-3
    # comparison allows, hence F = 4/3 above.
    d = 1.33 - 1.0 / 3.0
    printed = _cohesion(mitchell_strength(height, length, gamma, 1.33, friction_angle_deg=30.0,
                                          width_m=width), 30.0)
    assert _eq_14_6(gamma, length, block) / printed - 1.0 == pytest.approx(
        (1.0 - d) * length / (d * (length + block * SIN_120)), rel=1e-9)


@pytest.mark.parametrize("fs", [1.0, 1.33, 2.0])
@pytest.mark.parametrize("width", [None, 4.0, 15.0])
@pytest.mark.parametrize("phi", [0.0, 15.0, 30.0, 38.0, 45.0])
def test_closed_form_is_the_root_of_eq_14_5(phi: float, width: float | None,
                                            fs: float) -> None:
    gamma, height, length = 20.0, 30.0, 12.0
    block = _block_height(height, width, phi)
    # F(c) rises from tan φ/tan α (< 1) at c = 0 to infinity as 2c approaches γL: one root.
    c_root = brentq(lambda c: _mitchell_fs(c, height, length, gamma, phi, h_star=block) - fs,
                    0.0, gamma * length / 2.0 * (1 - 1e-12), xtol=1e-12, rtol=1e-14)
    ucs = mitchell_strength(height, length, gamma, fs, friction_angle_deg=phi, width_m=width)
    assert _cohesion(ucs, phi) == pytest.approx(c_root, rel=ROOT_REL)
    table = required_strengths(pd.DataFrame({"height_m": [height], "length_m": [length],
                                             **({} if width is None else {"width_m": [width]})}),
                               gamma, fs, friction_angle_deg=phi)
    assert table["cohesion_kpa"].iloc[0] == pytest.approx(c_root, rel=ROOT_REL)
    assert table["ucs_kpa"].iloc[0] == pytest.approx(ucs, rel=REL)


@pytest.mark.parametrize("phi", [0.0, 20.0, 30.0, 45.0])
def test_ucs_is_the_mohr_coulomb_circle_through_the_origin(phi: float) -> None:
    # Uniaxial compression: the Mohr circle from σ3 = 0 to σ1 = UCS touches the envelope
    # τ = c + σ tan φ, so its radius UCS/2 equals the distance from its centre to the line:
    # c cos φ + (UCS/2) sin φ = UCS/2.
    ucs = mitchell_strength(30.0, 10.0, 20.0, 1.5, friction_angle_deg=phi, width_m=5.0)
    c = required_strengths(pd.DataFrame({"height_m": [30.0], "length_m": [10.0],
                                         "width_m": [5.0]}), 20.0, 1.5,
                           friction_angle_deg=phi)["cohesion_kpa"].iloc[0]
    rad = math.radians(phi)
    assert c * math.cos(rad) + ucs / 2.0 * math.sin(rad) == pytest.approx(ucs / 2.0, rel=REL)


@pytest.mark.parametrize(("height", "length", "fs"), [
    (30.0, 10.0, 1.0), (40.0, 20.0, 1.5), (12.0, 40.0, 2.0), (30.0, math.inf, 1.5),
])
def test_defaults_give_the_earlier_results_to_the_last_bit(height: float, length: float,
                                                           fs: float) -> None:
    gamma = 19.6
    before = gamma * height / (1.0 / fs + height / length)  # the formula this replaced
    assert mitchell_strength(height, length, gamma, fs) == before
    assert mitchell_strength(height, length, gamma, fs, friction_angle_deg=0.0,
                             width_m=None) == before
    heights = np.array([height, 2.0 * height])
    assert np.array_equal(mitchell_strength(heights, length, gamma, fs),
                          gamma * heights / (1.0 / fs + heights / length))
    table = required_strengths(pd.DataFrame({"height_m": [height], "length_m": [length]}),
                               gamma, fs)
    assert table["ucs_kpa"].iloc[0] == before
    assert table["cohesion_kpa"].iloc[0] == before / 2.0


def test_friction_alone_never_holds_an_exposed_face() -> None:
    # tan φ / tan α = tan φ tan(45° − φ/2) = 2t / (1 + t)² with t = tan(φ/2): it rises with φ
    # to √2 − 1 at 45°, the top of the range, below any factor of safety >= 1. So no φ and F
    # in range make the fill stand by friction alone (c = 0): the cohesion is always > 0.
    phis = np.linspace(0.0, 45.0, 91)
    alphas = np.radians(45.0 + phis / 2.0)
    friction = np.tan(np.radians(phis)) / np.tan(alphas)
    t = np.tan(np.radians(phis) / 2.0)
    np.testing.assert_allclose(friction, 2.0 * t / (1.0 + t) ** 2, rtol=REL, atol=1e-15)
    assert np.all(np.diff(friction) > 0)
    assert friction[-1] == pytest.approx(math.sqrt(2.0) - 1.0, rel=REL)
    # At the weakest design (F = 1, φ = 45°) cohesion supplies D = 1 − (√2 − 1) = 2 − √2; with
    # no side walls c = D sin 2α γ H / 2 = (2 − √2)·(√2/2)·γ H / 2 = (√2 − 1) γ H / 2 > 0.
    gamma, height = 20.0, 30.0
    ucs = mitchell_strength(height, math.inf, gamma, 1.0, friction_angle_deg=45.0)
    assert _cohesion(ucs, 45.0) == pytest.approx((math.sqrt(2.0) - 1.0) * gamma * height / 2.0,
                                                 rel=REL)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"friction_angle_deg": -1.0}, "a number from 0.0 to 45.0 °"),
    ({"friction_angle_deg": 50.0}, "a number from 0.0 to 45.0 °"),
    ({"friction_angle_deg": float("nan")}, "a number from 0.0 to 45.0 °"),
    ({"width_m": 0.0}, "a number from 0.1 to 1000.0 m"),
    ({"width_m": -3.0}, "a number from 0.1 to 1000.0 m"),
    ({"width_m": float("nan")}, "a number from 0.1 to 1000.0 m"),
    # φ = 30°: the plane from the face's foot reaches the far side at w tan 60° / 2 = H,
    # w = 2H / √3 = 34.64 m for H = 30; a wider fill leaves no block above the plane.
    ({"width_m": 35.0}, "expected a width below 2H / tan α = 34.64 m"),
    ({"width_m": np.array([5.0, 40.0])}, "width 40 m behind a face 30 m high"),
])
def test_friction_and_width_refused_with_one_clear_message(kwargs: dict[str, object],
                                                           words: str) -> None:
    args: dict[str, object] = {"height_m": 30.0, "length_m": 10.0, "unit_weight_kn_m3": 20.0,
                               "safety_factor": 1.5, "friction_angle_deg": 30.0}
    with pytest.raises(ValidationError) as err:
        mitchell_strength(**{**args, **kwargs})  # type: ignore[arg-type]
    problems = err.value.problems
    assert len(problems) == 1 and words in problems[0].message
    assert problems[0].column == next(iter(kwargs))


def test_required_strengths_names_each_bad_width_row() -> None:
    exposures = pd.DataFrame({"height_m": [30.0, 30.0, 10.0, 30.0],
                              "length_m": [10.0] * 4, "width_m": [5.0, "wide", 12.0, 40.0]})
    with pytest.raises(ValidationError) as err:
        required_strengths(exposures, 20.0, 1.5, source="exposures.csv",
                           friction_angle_deg=30.0)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "width_m")]
    with pytest.raises(ValidationError) as err:
        required_strengths(exposures.assign(width_m=[5.0, 6.0, 12.0, 40.0]), 20.0, 1.5,
                           source="exposures.csv", friction_angle_deg=30.0)
    # 2H / tan 60° = 11.55 m for H = 10 and 34.64 m for H = 30: rows 4 and 5 leave no block.
    assert [(p.row, p.column, p.source) for p in err.value.problems] == [
        (4, "width_m", "exposures.csv"), (5, "width_m", "exposures.csv")]
    with pytest.raises(ValidationError, match=r"a number from 0\.0 to 45\.0") as err:
        required_strengths(exposures, 20.0, 1.5, friction_angle_deg=60.0)
    assert [p.column for p in err.value.problems] == ["friction_angle_deg"]


def test_required_strengths_per_exposure() -> None:
    exposures = pd.DataFrame({"stope": ["A", "B"], "height_m": [30.0, 45.0],
                              "length_m": [10.0, 15.0]})
    out = required_strengths(exposures, 20.0, 1.5)
    assert out["stope"].tolist() == ["A", "B"]
    for _, row in out.iterrows():
        expected = mitchell_strength(row["height_m"], row["length_m"], 20.0, 1.5)
        assert row["ucs_kpa"] == pytest.approx(expected, rel=REL)
        assert row["cohesion_kpa"] == pytest.approx(expected / 2, rel=REL)
    bad = exposures.assign(height_m=[30.0, "tall"], length_m=[-2.0, 15.0])
    with pytest.raises(ValidationError) as err:
        required_strengths(bad, 20.0, 1.5, source="exposures.csv")
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "length_m"),
                                                               (3, "height_m")]
    with pytest.raises(ValidationError, match="length_m"):
        required_strengths(exposures.drop(columns="length_m"), 20.0)


def test_recipe_arithmetic_per_cubic_metre() -> None:
    paste = FillRecipe("cemented_paste", solids_mass_fraction=0.75, binder_fraction=0.05,
                       bulk_density_t_m3=2.0)
    assert paste.solids_t_m3 == pytest.approx(1.5, rel=REL)      # 2.0 × 0.75
    assert paste.binder_t_m3 == pytest.approx(0.075, rel=REL)    # 1.5 × 0.05
    assert paste.tailings_t_m3 == pytest.approx(1.425, rel=REL)  # 1.5 − 0.075
    assert paste.water_t_m3 == pytest.approx(0.5, rel=REL)       # 2.0 × 0.25
    assert (paste.tailings_t_m3 + paste.binder_t_m3 + paste.water_t_m3
            == pytest.approx(paste.bulk_density_t_m3, rel=REL))
    assert paste.unit_weight_kn_m3 == pytest.approx(2.0 * GRAVITY_M_S2, rel=REL)
    hydraulic = FillRecipe.from_mapping({"kind": "hydraulic", "solids_mass_fraction": 0.7,
                                         "binder_fraction": 0, "bulk_density_t_m3": 1.9})
    assert hydraulic.binder_t_m3 == 0.0
    assert hydraulic.tailings_t_m3 == pytest.approx(1.33, rel=REL)


@pytest.mark.parametrize(("data", "fields"), [
    ({"kind": "rockfill"}, ["kind"]),
    ({"solids_mass_fraction": 75}, ["solids_mass_fraction"]),
    ({"binder_fraction": -0.01, "bulk_density_t_m3": "heavy"},
     ["binder_fraction", "bulk_density_t_m3"]),
    ({"binder_fraction": 0.0}, ["binder_fraction"]),           # cemented without binder
    ({"kind": "hydraulic"}, ["binder_fraction"]),              # uncemented with binder
])
def test_recipe_refuses_bad_fields_one_problem_each(data: dict[str, object],
                                                    fields: list[str]) -> None:
    good = {"kind": "cemented_paste", "solids_mass_fraction": 0.75, "binder_fraction": 0.05,
            "bulk_density_t_m3": 2.0}
    with pytest.raises(ValidationError) as err:
        FillRecipe.from_mapping({**good, **data}, source="recipe.yaml")
    assert [p.column for p in err.value.problems] == fields
    assert all(p.source == "recipe.yaml" for p in err.value.problems)
    with pytest.raises(ValidationError, match="missing field 'kind'"):
        FillRecipe.from_mapping({k: v for k, v in good.items() if k != "kind"})


def test_fill_balance_conserves_tailings_and_reports_a_shortfall() -> None:
    paste = FillRecipe("cemented_paste", 0.75, 0.05, 2.0)
    mined = [0, 1, -1, 2, 0]
    filled = [1, 2, -1, -1, 2]
    void = [1000.0, 2000.0, 500.0, 800.0, 300.0]
    produced = [2000.0, 2000.0, 1000.0]
    out = fill_balance(mined, filled, void, paste, produced)
    assert out["period"].tolist() == [0, 1, 2]
    assert out["void_m3"].tolist() == [1300.0, 2000.0, 800.0]
    assert out["fill_m3"].tolist() == [0.0, 1000.0, 2300.0]
    assert out["open_void_m3"].tolist() == [1300.0, 2300.0, 800.0]
    np.testing.assert_allclose(out["tailings_in_fill_t"], [0.0, 1425.0, 3277.5], rtol=REL)
    np.testing.assert_allclose(out["binder_t"], [0.0, 75.0, 172.5], rtol=REL)
    np.testing.assert_allclose(out["tailings_to_backfill_t"], [0.0, 1425.0, 1000.0], rtol=REL)
    np.testing.assert_allclose(out["tailings_to_facility_t"], [2000.0, 575.0, 0.0], rtol=REL)
    np.testing.assert_allclose(out["tailings_shortfall_t"], [0.0, 0.0, 2277.5], rtol=REL)
    # Conservation: produced = to backfill + to the facility, and what the fill needs =
    # to backfill + shortfall; no tonnage is negative.
    np.testing.assert_allclose(out["tailings_produced_t"],
                               out["tailings_to_backfill_t"] + out["tailings_to_facility_t"],
                               rtol=REL)
    np.testing.assert_allclose(out["tailings_in_fill_t"],
                               out["tailings_to_backfill_t"] + out["tailings_shortfall_t"],
                               rtol=REL)
    tonnes = out.drop(columns=["period", "backfill_share"])
    assert (tonnes >= 0).all().all()
    np.testing.assert_allclose(out["solids_t"], out["tailings_in_fill_t"] + out["binder_t"],
                               rtol=REL)
    np.testing.assert_allclose(out["backfill_share"], [0.0, 0.7125, 1.0], rtol=REL)
    assert fill_balance(mined, filled, void, paste, [0.0, 0.0, 0.0])["backfill_share"].isna().all()


@pytest.mark.parametrize(("mined", "filled", "void", "produced", "where"), [
    ([0], [3], [10.0], [1.0, 1.0], [(2, "fill_period")]),     # beyond the periods
    ([1], [0], [10.0], [1.0, 1.0], [(2, "fill_period")]),     # filled before mined
    ([-1], [0], [10.0], [1.0, 1.0], [(2, "fill_period")]),    # filled, never mined
    ([0.5], [1], [10.0], [1.0, 1.0], [(2, "mined_period")]),  # not a whole period
    ([0], [1], [-10.0], [1.0, 1.0], [(2, "void_m3")]),
    ([0], [1], [10.0], [1.0, -1.0], [(3, "tailings_produced_t")]),
])
def test_fill_balance_names_each_bad_stope(mined: list[float], filled: list[int],
                                           void: list[float], produced: list[float],
                                           where: list[tuple[int, str]]) -> None:
    paste = FillRecipe("cemented_paste", 0.75, 0.05, 2.0)
    with pytest.raises(ValidationError) as err:
        fill_balance(mined, filled, void, paste, produced)
    assert [(p.row, p.column) for p in err.value.problems] == where


def test_fill_balance_wants_one_period_and_void_per_stope() -> None:
    paste = FillRecipe("cemented_paste", 0.75, 0.05, 2.0)
    with pytest.raises(ValidationError, match="one of each per stope"):
        fill_balance([0, 1], [1], [10.0, 20.0], paste, [1.0, 1.0])
