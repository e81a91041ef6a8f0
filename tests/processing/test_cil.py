"""CIL/CIP tank model: closed forms, conservation, calibration, what-if, cyanide."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.processing.cil import (
    Kinetics,
    TankSeries,
    calibrate,
    cyanide_balance,
    simulate,
    what_if,
)

PLANT = TankSeries(volume_m3=[800.0] * 6, carbon_g_l=[0, 12, 12, 12, 12, 12],
                   cyanide_kg_h=[60, 10, 0, 0, 0, 0], solids_t_h=100.0, solution_m3_h=150.0,
                   carbon_t_h=0.25, feed_solids_gpt=3.0, feed_cyanide_mg_l=50.0,
                   carbon_in_gpt=40.0)
TRUE = Kinetics(leach_rate_per_h=0.35, residue_gpt=0.12, adsorption_rate_per_h=0.02,
                adsorption_constant=3000.0, cyanide_decay_per_h=0.05, cyanide_order=0.5,
                cyanide_reference_mg_l=300.0)


def test_leach_only_series_matches_the_closed_form() -> None:
    series = dataclasses.replace(PLANT, carbon_g_l=[0.0] * 6, carbon_t_h=0.0)
    kinetics = dataclasses.replace(TRUE, cyanide_order=0.0)
    profile = simulate(series, kinetics)
    tau = 800.0 / (100.0 / 2.7 + 150.0)
    n = np.arange(1, 7)
    expected = 0.12 + (3.0 - 0.12) / (1 + 0.35 * tau) ** n  # N equal CSTRs, first order
    np.testing.assert_allclose(profile.solids_gpt, expected, rtol=1e-12)
    # No carbon: all the leached gold stays in solution.
    assert profile.solution_mg_l[-1] == pytest.approx(100.0 * (3.0 - expected[-1]) / 150.0)
    assert profile.recovery == 0.0


def test_single_tank_adsorption_matches_the_closed_form() -> None:
    series = TankSeries(volume_m3=[500.0], carbon_g_l=[10.0], cyanide_kg_h=[0.0],
                        solids_t_h=50.0, solution_m3_h=100.0, carbon_t_h=0.1,
                        feed_solids_gpt=0.12, feed_solution_mg_l=2.0, carbon_in_gpt=50.0)
    profile = simulate(series, TRUE)  # feed at the residue: no leaching
    a = 0.02 * 10.0 * 500.0 / 1000.0  # k × carbon inventory, t/h
    K, F, ql = 3000.0, 0.1, 100.0
    c = (ql * 2.0 + a * F * 50.0 / (F + a)) / (ql + a * K * F / (F + a))
    q = (F * 50.0 + a * K * c) / (F + a)
    assert profile.solution_mg_l[0] == pytest.approx(c, rel=1e-12)
    assert profile.carbon_gpt[0] == pytest.approx(q, rel=1e-12)
    assert profile.cyanide_mg_l[0] == 0.0


def test_gold_and_cyanide_are_conserved() -> None:
    p = simulate(PLANT, TRUE)
    out = p.solids_loss_g_h + p.solution_loss_g_h + 0.25 * p.loaded_carbon_gpt
    assert out == pytest.approx(p.gold_in_g_h, rel=1e-12)
    assert p.gold_on_carbon_g_h == pytest.approx(0.25 * (p.loaded_carbon_gpt - 40.0))
    tau = PLANT.residence_h[0]
    assert p.cyanide_mg_l[0] == pytest.approx((150 * 50 + 60_000) / (150 * (1 + 0.05 * tau)))
    assert np.isnan(p.carbon_gpt[0]) and (np.diff(p.carbon_gpt[1:]) < 0).all()
    assert 0.9 < p.recovery < p.dissolution < 1.0


def survey(series: TankSeries, kinetics: Kinetics, noise: float, seed: int) -> pd.DataFrame:
    frame = simulate(series, kinetics).to_frame()[["solids_gpt", "solution_mg_l",
                                                   "carbon_gpt", "cyanide_mg_l"]]
    rng = np.random.default_rng(seed)
    return frame * (1 + noise * rng.standard_normal(frame.shape))


def test_calibration_recovers_the_constants() -> None:
    conditions = [PLANT, dataclasses.replace(PLANT, solids_t_h=80.0, solution_m3_h=120.0,
                                             carbon_g_l=[0, 16, 16, 16, 16, 16])]
    start = Kinetics(0.2, 0.2, 0.05, 1000.0, cyanide_decay_per_h=0.02, cyanide_order=0.5,
                     cyanide_reference_mg_l=300.0)
    fit = ("leach_rate_per_h", "residue_gpt", "adsorption_rate_per_h", "adsorption_constant",
           "cyanide_decay_per_h")
    exact = calibrate([(s, survey(s, TRUE, 0.0, 0)) for s in conditions], start, fit)
    for name in fit:
        assert getattr(exact.kinetics, name) == pytest.approx(getattr(TRUE, name), rel=1e-5)
    assert exact.chi2 < 1e-8 and exact.n_observations == 2 * (6 + 6 + 5 + 6)
    noisy = calibrate([(s, survey(s, TRUE, 0.02, k)) for k, s in enumerate(conditions)],
                      start, fit)
    for name in fit:
        assert abs(getattr(noisy.kinetics, name) - getattr(TRUE, name)) < 4 * noisy.sd[name]
    assert set(noisy.residuals.columns) >= {"survey", "tank", "quantity", "residual"}


def test_what_if_moves_the_right_way() -> None:
    table = what_if(PLANT, TRUE, {
        "more carbon": {"carbon_g_l": [0, 18, 18, 18, 18, 18]},
        "more cyanide": {"cyanide_kg_h": [90, 10, 0, 0, 0, 0]},
        "longer residence": {"volume_m3": [1000.0] * 6},
    }).set_index("scenario")
    base = simulate(PLANT, TRUE)
    assert table.loc["base", "recovery"] == pytest.approx(base.recovery)
    assert table.loc["more carbon", "soluble_loss_g_h"] < table.loc["base", "soluble_loss_g_h"]
    assert table.loc["more carbon", "dissolution"] == pytest.approx(
        table.loc["base", "dissolution"])
    assert table.loc["more cyanide", "dissolution"] > table.loc["base", "dissolution"]
    assert table.loc["more cyanide", "cyanide_consumed_kg_t"] > \
        table.loc["base", "cyanide_consumed_kg_t"]
    assert table.loc["longer residence", "residence_h"] == pytest.approx(
        table.loc["base", "residence_h"] * 1.25)
    assert table.loc["longer residence", "recovery"] > table.loc["base", "recovery"]


def test_cyanide_balance_by_hand() -> None:
    b = cyanide_balance(ore_t=10_000.0, added_kg=5_000.0, tails_solution_m3=15_000.0,
                        tails_cyanide_mg_l=150.0, discharge_cyanide_mg_l=5.0)
    assert b.added_kg_t == pytest.approx(0.5)
    assert b.consumed_kg_t == pytest.approx((5_000 - 2_250) / 10_000)
    assert b.destroyed_kg_t == pytest.approx((2_250 - 75) / 10_000)
    assert b.discharged_kg_t == pytest.approx(75 / 10_000)
    assert b.destruction_efficiency == pytest.approx(2_175 / 2_250)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValidationError, match=r"more than the 1,000\.0 kg added"):
        cyanide_balance(10_000.0, 1_000.0, 15_000.0, 150.0, 5.0)
    with pytest.raises(ValidationError, match="exceeds the 150 mg/L"):
        cyanide_balance(10_000.0, 5_000.0, 15_000.0, 150.0, 200.0)
    with pytest.raises(ValidationError, match="ore_t = 0"):
        cyanide_balance(0.0, 5_000.0, 15_000.0, 150.0, 5.0)
    with pytest.raises(ValidationError, match="carbon_g_l: expected 6 values"):
        dataclasses.replace(PLANT, carbon_g_l=[10.0] * 5)
    with pytest.raises(ValidationError, match="carbon must be advanced"):
        dataclasses.replace(PLANT, carbon_t_h=0.0)
    with pytest.raises(ValidationError, match="solids_t_h = -1"):
        dataclasses.replace(PLANT, solids_t_h=-1.0)
    with pytest.raises(ValidationError, match="residue_gpt"):
        dataclasses.replace(TRUE, residue_gpt=-0.1)
    with pytest.raises(ValidationError, match="cannot fit 'cyanide_order'"):
        calibrate([(PLANT, survey(PLANT, TRUE, 0.0, 0))], TRUE, ("cyanide_order",))


def _run_file(tmp_path: Any, data: object) -> str:
    path = tmp_path / "cil.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_cli_what_if_is_the_model(tmp_path: Any) -> None:
    series = {f.name: (getattr(PLANT, f.name).tolist() if isinstance(getattr(PLANT, f.name),
                                                                      np.ndarray)
                       else getattr(PLANT, f.name)) for f in dataclasses.fields(PLANT)}
    run = {"series": series, "kinetics": dataclasses.asdict(TRUE),
           "scenarios": {"more carbon": {"carbon_g_l": [0, 18, 18, 18, 18, 18]}}}
    result = CliRunner().invoke(cli, ["processing", "cil", _run_file(tmp_path, run),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in json.loads(result.output)}
    expected = what_if(PLANT, TRUE, run["scenarios"]).set_index("scenario")  # type: ignore[arg-type]
    for name in ("base", "more carbon"):
        assert rows[name]["recovery"] == pytest.approx(expected.loc[name, "recovery"],
                                                       rel=1e-12)
    assert rows["more carbon"]["recovery"] > rows["base"]["recovery"]
    run["series"] = {**series, "tanks": 6}
    run["scenarios"] = {"bad": {"carbon_gl": 15}}
    refused = CliRunner().invoke(cli, ["processing", "cil", _run_file(tmp_path, run)])
    assert refused.exit_code == 2
    assert "series.tanks: unknown field" in refused.output
    assert "scenarios.bad.carbon_gl: unknown series field" in refused.output
