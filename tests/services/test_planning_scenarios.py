"""Saved pit scenarios: the name a scenario gets when nobody gives one."""

from __future__ import annotations

from aurum.services import planning


def test_a_scenario_saved_without_a_name_is_named_by_what_differs_from_the_defaults() -> None:
    form, _ = planning.pit_form({})
    assert planning.scenario_name(form) == "default economics"
    form, _ = planning.pit_form({"price_cny_per_g": 900.0, "recovery": 0.85,
                                 "slope_deg": 50.0, "min_mining_width_m": 30.0})
    assert planning.scenario_name(form) == "900 CNY/g, recovery 0.85, slope 50°, width 30 m"
    form, _ = planning.pit_form({"price_cny_per_g": 650.0, "processing_cny_per_t": 130.5,
                                 "mining_cny_per_t": 30.0})
    assert planning.scenario_name(form) == "processing 130.5 CNY/t, mining 30 CNY/t"
