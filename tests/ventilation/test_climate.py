"""Climate at depth and required airflow: PsychroLib's published test values, closed forms of
autocompression and of the cylinder heat flux, the regulation's rules by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.ventilation.airflow import (
    compare_airflow,
    load_limits,
    required_airflow,
)
from aurum.ventilation.climate import (
    GRAVITY,
    R_DRY_AIR,
    Segment,
    air_state,
    along_airway,
    autocompression,
    check_climate,
    cooling_load_kw,
    dimensionless_heat_flux,
    dry_autocompression_k,
    rock_heat_kw,
    virgin_rock_temperature,
)


# PsychroLib's tests/test_SI.py (v2.4.0), test_AllPsychrometrics: ASHRAE Handbook -
# Fundamentals 2017 ch. 1 example 1 (40 °C dry bulb, 20 °C wet bulb, 101 325 Pa), with its
# tolerances.
def test_ashrae_example_1_as_psychrolib_tests_it():
    state = air_state(40, wet_bulb_c=20, pressure_pa=101325)
    assert state.humidity_ratio == pytest.approx(0.0065, abs=0.0001)
    assert state.dew_point_c == pytest.approx(7, abs=0.5)
    assert state.rel_humidity == pytest.approx(0.14, abs=0.01)
    assert state.enthalpy_jkg == pytest.approx(56700, abs=100)
    back = air_state(40, rel_humidity=state.rel_humidity, pressure_pa=101325)
    assert back.wet_bulb_c == pytest.approx(20, abs=0.1)


def test_psychrolib_published_values():
    # test_TWetBulb_RelHum and test_HumRatio_TWetBulb / test_MoistAir of PsychroLib's suite.
    assert air_state(7, rel_humidity=0.61, pressure_pa=100000).wet_bulb_c == pytest.approx(
        3.92667433781955, rel=0.001)
    state = air_state(30, wet_bulb_c=25, pressure_pa=95461)
    assert state.humidity_ratio == pytest.approx(0.0192281274241096, rel=0.0003)
    moist = air_state(30, rel_humidity=state.rel_humidity, pressure_pa=95461)
    assert moist.wet_bulb_c == pytest.approx(25, abs=0.001)
    # GetMoistAirDensity(30, 0.02, 95461) = 1.08411986348219; our state at the same
    # moisture content (found through its wet bulb) has the same density.
    from aurum.ventilation.climate import _state
    assert _state(30, 0.02, 95461).density_kgm3 == pytest.approx(1.08411986348219, rel=0.0003)
    assert _state(30, 0.02, 95461).enthalpy_jkg == pytest.approx(81316, rel=0.0003)


def test_dry_autocompression_is_g_dz_over_cp():
    assert dry_autocompression_k(100) == pytest.approx(9.81 * 100 / 1005, rel=1e-12)
    assert dry_autocompression_k(100) == pytest.approx(0.976, abs=0.001)
    # Dry air down 1,000 m through the full model: PsychroLib's dry-air enthalpy uses
    # c_p = 1006 J/(kg K), so the rise is g dz / 1006 to the model's precision.
    top = air_state(20, rel_humidity=0.0, pressure_pa=100000)
    bottom = autocompression(top, 1000)
    assert bottom.dry_bulb_c - 20 == pytest.approx(GRAVITY * 1000 / 1006, abs=0.005)
    mean_t = 20 + 0.5 * (bottom.dry_bulb_c - 20) + 273.15
    assert bottom.pressure_pa == pytest.approx(
        100000 * math.exp(GRAVITY * 1000 / (R_DRY_AIR * mean_t)), rel=1e-6)


def test_wet_autocompression_adds_g_dz_of_enthalpy_at_constant_moisture():
    top = air_state(20, wet_bulb_c=15, pressure_pa=100000)
    bottom = autocompression(top, 1000)
    assert bottom.enthalpy_jkg == pytest.approx(top.enthalpy_jkg + GRAVITY * 1000, abs=1.0)
    assert bottom.humidity_ratio == pytest.approx(top.humidity_ratio, rel=1e-9)
    dry_rise = bottom.dry_bulb_c - top.dry_bulb_c
    wet_rise = bottom.wet_bulb_c - top.wet_bulb_c
    # Part of the added enthalpy goes to the moisture the warmer air can hold: the wet bulb
    # rises more slowly than the dry bulb.
    assert 0.3 * dry_rise < wet_rise < 0.7 * dry_rise


def test_jaeger_clarke_flux_meets_carslaw_jaeger_asymptotes():
    # Carslaw & Jaeger 1959, 13.5: small-time and large-time series of the cylinder's flux.
    gamma = 0.5772156649015329
    for fo in (1e-3, 1e-2):
        small = 1 / math.sqrt(math.pi * fo) + 0.5 - 0.25 * math.sqrt(fo / math.pi) + fo / 8
        assert dimensionless_heat_flux(fo) == pytest.approx(small, rel=1e-4)
    for fo in (1e4, 1e6):
        ln = math.log(4 * fo) - 2 * gamma
        large = 2 * (1 / ln - gamma / ln ** 2 - (math.pi ** 2 / 6 - gamma ** 2) / ln ** 3)
        assert dimensionless_heat_flux(fo) == pytest.approx(large, rel=2e-3)


def test_rock_heat_from_the_flux_and_the_virgin_rock_temperature():
    vrt = virgin_rock_temperature(1500, surface_c=12.0)
    assert vrt == pytest.approx(42.0)
    heat = rock_heat_kw(virgin_rock_c=vrt, air_dry_bulb_c=30.0, length_m=100, area_m2=16,
                        perimeter_m=16, age_days=365)
    radius = 2.0
    g = dimensionless_heat_flux(1.4e-6 * 365 * 86400 / radius ** 2)
    assert heat == pytest.approx(3.0 * 12.0 * g / radius * 16 * 100 / 1000, rel=1e-12)
    assert heat > 0


def test_energy_balance_along_an_airway():
    inlet = air_state(25, wet_bulb_c=20, pressure_pa=110000)
    profile = along_airway(inlet, 20.0, [Segment(200, heat_kw=100.0), Segment(200, fall_m=50,
                                                                               latent_kw=50.0)])
    mass = 20.0 * inlet.density_kgm3 / (1 + inlet.humidity_ratio)
    dh = profile["enthalpy_jkg"].diff().to_numpy()[1:]
    assert dh[0] == pytest.approx(100e3 / mass, rel=1e-6)
    assert dh[1] == pytest.approx(50e3 / mass + GRAVITY * 50, rel=1e-6)
    assert profile["wet_bulb_c"].is_monotonic_increasing


def test_limits_check_and_cooling_load_by_hand():
    limits = load_limits()
    assert limits.max_dry_bulb_c == 28.0
    hot = air_state(32, rel_humidity=0.5, pressure_pa=110000)
    cool = air_state(26, rel_humidity=0.5, pressure_pa=110000)
    flags = check_climate({"stope_a": hot, "stope_b": cool})
    assert [f.exceeded for f in flags] == [True, False]
    assert flags[0].excess_c == pytest.approx(4.0)
    # Sensible cooling at constant moisture: dh = 4 K x (1006 + 1860 X) (ASHRAE enthalpy).
    mass = 10.0 * hot.density_kgm3 / (1 + hot.humidity_ratio)
    expected = mass * 4 * (1006 + 1860 * hot.humidity_ratio) / 1000
    assert cooling_load_kw(hot, 10.0, 28.0) == pytest.approx(expected, rel=1e-9)
    assert cooling_load_kw(cool, 10.0, 28.0) == 0.0


def test_required_airflow_by_hand_and_against_a_solution():
    diesel = required_airflow(10, 100, 12)          # 0.667, 6.667, 3.0 m3/s
    assert diesel.required_m3s == pytest.approx(100 * 4 / 60)
    assert diesel.governing == "diesel"
    velocity = required_airflow(30, 0, 20)          # 2.0, 0, 5.0 m3/s
    assert (velocity.governing, velocity.required_m3s) == ("velocity", pytest.approx(5.0))
    assert velocity.people_m3s == pytest.approx(2.0)
    rows = compare_airflow({"x500": diesel, "x600": velocity}, {"x500": -7.0, "x600": 4.0})
    assert [r.ok for r in rows] == [True, False]
    assert rows[1].shortfall_m3s == pytest.approx(1.0)


def test_bad_input_one_message_each():
    with pytest.raises(ValidationError, match="depth_m") as depth:
        autocompression(air_state(20, rel_humidity=0.5, pressure_pa=100000), -10)
    with pytest.raises(ValidationError, match="rel_humidity") as rh:
        air_state(20, rel_humidity=1.2, pressure_pa=100000)
    with pytest.raises(ValidationError, match="above the dry bulb") as wet:
        air_state(20, wet_bulb_c=22, pressure_pa=100000)
    assert all(len(e.value.problems) == 1 for e in (depth, rh, wet))


def _radial_fd_flux(fourier: float, biot: float) -> float:
    """Dimensionless wall flux of the rock around a cylinder by implicit finite volumes
    (dθ/dr = Bi·θ at r = 1, θ = 1 initially and far away): an independent check."""
    from scipy.linalg import solve_banded
    r = np.concatenate([np.linspace(1, 3, 801)[:-1], np.geomspace(3, 200, 1200)])
    faces = 0.5 * (r[1:] + r[:-1])
    widths = np.diff(r)
    volume = np.empty_like(r)
    volume[1:-1] = r[1:-1] * 0.5 * (widths[:-1] + widths[1:])
    volume[0] = 0.5 * widths[0] * (r[0] + 0.25 * widths[0])
    volume[-1] = 1.0
    conductance = faces / widths                      # between node i and i + 1
    theta = np.ones_like(r)
    t, dt = 0.0, 1e-6
    while t < fourier:
        dt = min(dt * 1.05, fourier - t, 0.002)
        bands = np.zeros((3, r.size))
        bands[1] = volume / dt
        bands[1, :-1] += conductance
        bands[1, 1:-1] += conductance[:-1]
        bands[1, 0] += biot * r[0]
        bands[0, 1:] = -conductance
        bands[2, :-1] = -conductance
        bands[0, -1], bands[2, -2], bands[1, -1] = 0.0, 0.0, 1.0 / dt
        theta = solve_banded((1, 1), bands, volume / dt * theta)
        t += dt
    return biot * theta[0]


def test_finite_biot_flux_against_finite_differences_and_its_limits():
    for fourier, biot in ((0.5, 2.0), (5.0, 2.0)):
        assert dimensionless_heat_flux(fourier, biot) == pytest.approx(
            _radial_fd_flux(fourier, biot), rel=2e-3)
    assert dimensionless_heat_flux(0.5, 1e6) == pytest.approx(dimensionless_heat_flux(0.5),
                                                              rel=1e-5)
    assert dimensionless_heat_flux(1e-6, 3.0) == pytest.approx(3.0, rel=0.01)


def test_rock_heat_along_an_airway_balances_and_warms_the_air():
    from aurum.ventilation.climate import RockWall
    inlet = air_state(28, wet_bulb_c=22, pressure_pa=115000)
    rock = RockWall(virgin_rock_c=42.0, area_m2=16, perimeter_m=16, age_days=365,
                    wall_htc_w_m2k=10.0, wetness=0.3)
    profile = along_airway(inlet, 25.0, [Segment(250)] * 4, rock=rock)
    mass = 25.0 * inlet.density_kgm3 / (1 + inlet.humidity_ratio)
    first = rock.heat_kw(28.0, 250)
    assert profile["enthalpy_jkg"].iloc[1] - inlet.enthalpy_jkg == pytest.approx(
        1000 * first / mass, rel=1e-6)
    assert profile["dry_bulb_c"].is_monotonic_increasing
    assert profile["wet_bulb_c"].is_monotonic_increasing
    assert profile["dry_bulb_c"].iloc[-1] < 42.0
