"""The plan targets file: its figures against the plan text, and its validation."""

from __future__ import annotations

import copy
import dataclasses
from datetime import date
from importlib import resources
from typing import Any

import pytest
import yaml

from aurum.core.errors import ValidationError
from aurum.industry.kpi import INDICATOR_IDS
from aurum.industry.targets import TARGETS_FILE, IndicatorKind, load_targets, parse_targets


def shipped_document() -> dict[str, Any]:
    text = (resources.files("aurum.industry") / "data" / TARGETS_FILE).read_text("utf-8")
    document = yaml.safe_load(text)
    assert isinstance(document, dict)
    return document


def test_targets_are_the_plans_figures() -> None:
    plan = load_targets()
    # Gongxin Bu Lian Yuan [2025] No. 86 of 26 March 2025, I. General Requirements.
    assert plan.document == "Gongxin Bu Lian Yuan [2025] No. 86"
    assert plan.issued_on == date(2025, 3, 26)
    assert (plan.baseline_year, plan.target_year) == (2024, 2027)
    assert plan.at_risk_fraction == 0.75
    assert plan.large_mine_capacity_t_per_day == 500.0
    expected = {
        "gold_resources_growth_pct": (IndicatorKind.GROWTH, 5.0, 10.0),
        "gold_output_growth_pct": (IndicatorKind.GROWTH, 5.0, None),
        "silver_output_growth_pct": (IndicatorKind.GROWTH, 5.0, None),
        "large_mine_output_share_pct": (IndicatorKind.SHARE, 70.0, None),
        "solid_waste_utilisation_pct": (IndicatorKind.SHARE, 35.0, None),
    }
    assert {t.id: (t.kind, t.target, t.target_max) for t in plan.indicators} == expected
    assert all(t.citation.startswith("I. General Requirements") for t in plan.indicators)
    # II. Key Tasks (5): new plants of at least 500, 2,000 and 200 t/d.
    assert dict(plan.plant_floors_t_per_day) == {
        "processing_plant": 500.0, "heap_leach": 2000.0, "concentrate_smelter": 200.0}
    assert plan.plant_floors_effective_from == date(2025, 1, 1)
    assert "(5)" in plan.plant_floors_citation
    # MIIT's interpretation: 2024 mine gold output 377 t.
    assert plan.published_mine_gold_output_t == 377.0


def test_every_engine_indicator_has_a_target() -> None:
    assert [t.id for t in load_targets().indicators] == list(INDICATOR_IDS)


def test_targets_are_loaded_once_and_cannot_be_changed() -> None:
    plan = load_targets()
    assert load_targets() is plan
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.target_year = 2030  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.plant_floors_t_per_day["heap_leach"] = 1.0  # type: ignore[index]


def test_indicator_lookup() -> None:
    plan = load_targets()
    assert plan.indicator("solid_waste_utilisation_pct").target == 35.0
    with pytest.raises(KeyError, match="no indicator 'tea_output'"):
        plan.indicator("tea_output")


def test_parse_targets_reports_every_bad_entry() -> None:
    document = copy.deepcopy(shipped_document())
    document["target_year"] = 2024
    document["at_risk_fraction"] = 1.5
    document["indicators"][0]["target"] = "five"
    document["indicators"][1]["kind"] = "level"
    document["indicators"][2]["target_max"] = 1
    document["indicators"][3]["id"] = document["indicators"][4]["id"]
    document["plant_scale_floors"]["floors_t_per_day"]["tailings_dam"] = 100
    document["plant_scale_floors"]["floors_t_per_day"]["heap_leach"] = 0
    del document["source"]["date"]
    with pytest.raises(ValidationError) as info:
        parse_targets(document, source="bad.yaml")
    found = {p.column for p in info.value.problems}
    assert found == {
        "target_year", "at_risk_fraction", "indicators[0].target", "indicators[1].kind",
        "indicators[2].target_max", "indicators", "source.date",
        "plant_scale_floors.floors_t_per_day.tailings_dam",
        "plant_scale_floors.floors_t_per_day.heap_leach",
    }
    assert all(p.source == "bad.yaml" for p in info.value.problems)


def test_plan_years_are_platform_years() -> None:
    document = copy.deepcopy(shipped_document())
    document["baseline_year"] = 1
    document["target_year"] = 20_000_000
    with pytest.raises(ValidationError) as info:
        parse_targets(document)
    assert [(p.column, p.message) for p in info.value.problems] == [
        ("baseline_year", "expected a year from 2000 to 2035, got 1"),
        ("target_year", "expected a year from 2000 to 2035, got 20000000")]


def test_parse_targets_refuses_a_document_that_is_not_a_mapping() -> None:
    with pytest.raises(ValidationError, match="expected a mapping"):
        parse_targets(["not", "a", "mapping"])
