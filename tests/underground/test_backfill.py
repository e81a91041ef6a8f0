"""Backfill: the Mitchell, Olsen & Smith (1982) strength of a vertically exposed fill, fill
recipes per m³ and the fill balance of a schedule.

References for the strength (``aurum.underground.backfill`` docstring): Mitchell et al.
(1982), *Can. Geotech. J.* 19: 14-28, as restated with its factor of safety by Li & Aubertin
(2012), *Can. Geotech. J.* 49: 994-1002. The paper's own worked values (its model tests) were
not at hand; the checks are (1) the published closed form at FS = 1, c = γH / (2 (1 + H/L)),
worked by hand at round numbers; (2) the root, found numerically by scipy's ``brentq``, of
Mitchell's factor-of-safety equation, FS = tan φ/tan α + 2cL / (H* (γL − 2c_b) sin 2α), with
its assumptions (φ = 0, α = 45°, c_b = c, H* = H): an independent route to the same
cohesion; (3) the limits.
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
    assert _mitchell_fs(ucs / 2.0, height, length, gamma) == pytest.approx(fs, rel=ROOT_REL)


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
