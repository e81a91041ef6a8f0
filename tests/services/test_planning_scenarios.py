"""Saved pit scenarios: the name a scenario gets when nobody gives one."""

from __future__ import annotations

import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.services import planning, resources
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import Registry


def test_a_scenario_saved_without_a_name_is_named_by_what_differs_from_the_defaults() -> None:
    form, _ = planning.pit_form({})
    assert planning.scenario_name(form) == "default economics"
    form, _ = planning.pit_form({"price_cny_per_g": 900.0, "recovery": 0.85,
                                 "slope_deg": 50.0, "min_mining_width_m": 30.0})
    assert planning.scenario_name(form) == "900 CNY/g, recovery 0.85, slope 50°, width 30 m"
    form, _ = planning.pit_form({"price_cny_per_g": 650.0, "processing_cny_per_t": 130.5,
                                 "mining_cny_per_t": 30.0})
    assert planning.scenario_name(form) == "processing 130.5 CNY/t, mining 30 CNY/t"


def test_a_pit_study_takes_only_estimated_models(platform: Platform, reg: Registry) -> None:
    blocks = pd.DataFrame({"x": [0.5, 1.5], "y": [0.5, 0.5], "z": [0.5, 0.5],
                           "estimate": [1.2, 0.8]})
    home = platform.settings.home
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        kriged = resources.save_model(s, reg.ent_a, home, "SD-A-01", "kriged", blocks,
                                      "ordinary", {"grid": {}}, "0" * 64).id
        vein = resources.save_model(s, reg.ent_a, home, "SD-A-01", "planning", blocks,
                                    "vein_model", {"grid": {}}, "0" * 64).id
    with platform.sessions() as s:
        assert [m.id for m in planning.study_models(s, reg.ent_a)] == [kriged]
        with pytest.raises(ValidationError, match="no estimated grades") as refused:
            planning.pit_study_of_model(s, reg.ent_a, home, vein)
        assert refused.value.problems[0].column == "model_id"
