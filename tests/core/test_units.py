"""The unit factors: exact values, and nothing in the module that nobody uses."""

from __future__ import annotations

import aurum.core.units as units


def test_the_factors_are_exact() -> None:
    assert units.GRAMS_PER_TROY_OUNCE == 31.1034768
    assert units.KG_PER_T == 1000.0
    assert units.G_PER_KG == 1000.0


def test_the_module_holds_the_factors_only() -> None:
    public = {name for name in vars(units) if not name.startswith("_") and name != "annotations"}
    assert public == {"GRAMS_PER_TROY_OUNCE", "KG_PER_T", "G_PER_KG"}
