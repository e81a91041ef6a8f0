"""Solid-waste ledgers: validation messages and utilisation rates by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.processing.waste import utilisation, validate_ledger

LEDGER = pd.DataFrame([
    {"enterprise": "E1", "plant": "A", "period": "2026", "waste_type": "tailings",
     "generated_t": 1000.0, "opening_stock_t": 500.0, "utilised_backfill_t": 300.0,
     "utilised_building_materials_t": 100.0, "utilised_from_stock_t": 50.0,
     "disposed_t": 500.0},
    {"enterprise": "E1", "plant": "A", "period": "2026", "waste_type": "cyanide_residue",
     "generated_t": 200.0, "opening_stock_t": 0.0, "utilised_backfill_t": 50.0,
     "utilised_metal_recovery_t": 30.0, "disposed_t": 120.0, "detox_status": "detoxified"},
    {"enterprise": "E1", "plant": "B", "period": "2026", "waste_type": "waste_rock",
     "generated_t": 5000.0, "opening_stock_t": 1000.0,
     "utilised_building_materials_t": 1500.0, "utilised_from_stock_t": 500.0},
    {"enterprise": "E2", "plant": "C", "period": "2026", "waste_type": "tailings",
     "generated_t": 2000.0, "opening_stock_t": 0.0, "utilised_backfill_t": 1000.0},
])


def test_ledger_is_completed() -> None:
    ledger = validate_ledger(LEDGER)
    assert ledger["utilised_t"].tolist() == [400.0, 80.0, 1500.0, 1000.0]
    assert ledger["closing_stock_t"].tolist() == [600.0, 0.0, 4500.0, 1000.0]
    assert ledger["utilised_other_t"].tolist() == [0.0] * 4
    assert ledger["detox_status"].tolist() == ["", "detoxified", "", ""]


def test_utilisation_rates_per_level() -> None:
    ledger = validate_ledger(LEDGER)
    plants = utilisation(ledger, "plant").set_index("plant")
    # The plan's indicator, as the KPI engine computes it: utilised / generated.
    assert plants.loc["A", "utilisation_rate"] == pytest.approx(480 / 1200)
    assert plants.loc["B", "utilisation_rate"] == pytest.approx(1500 / 5000)
    # Environmental statistics: utilised / (generated + utilised from stock).
    assert plants.loc["A", "comprehensive_utilisation_rate"] == pytest.approx(480 / 1250)
    assert plants.loc["B", "comprehensive_utilisation_rate"] == pytest.approx(1500 / 5500)
    assert plants.loc["C", "comprehensive_utilisation_rate"] == pytest.approx(0.5)
    firms = utilisation(ledger, "enterprise").set_index("enterprise")
    assert firms.loc["E1", "comprehensive_utilisation_rate"] == pytest.approx(1980 / 6750)
    assert firms.loc["E1", "utilisation_rate"] == pytest.approx(1980 / 6200)
    nation = utilisation(ledger, "nation")
    assert len(nation) == 1
    assert nation["utilisation_rate"].iloc[0] == pytest.approx(2980 / 8200)
    assert nation["comprehensive_utilisation_rate"].iloc[0] == pytest.approx(2980 / 8750)
    assert nation["share_backfill"].iloc[0] == pytest.approx(1350 / 2980)
    by_type = utilisation(ledger, "nation", by=("waste_type",)).set_index("waste_type")
    assert by_type.loc["tailings", "comprehensive_utilisation_rate"] == pytest.approx(
        1400 / 3050)
    everything = utilisation(ledger, "nation", by=())
    assert everything["generated_t"].iloc[0] == 8200.0


@pytest.mark.parametrize(("row", "change", "column", "expected"), [
    (0, {"generated_t": -5.0}, "generated_t", "'-5.0': expected tonnes, a number >= 0"),
    (2, {"opening_stock_t": "lots"}, "opening_stock_t", "'lots': expected tonnes"),
    (3, {"utilised_backfill_t": 2500.0}, "utilised_t",
     "tailings utilised 2,500.0 t exceeds generated + opening stock 2,000.0 t"),
    (2, {"utilised_from_stock_t": 1200.0}, "utilised_from_stock_t",
     "1,200.0 t utilised from stock exceeds the opening stock 1,000.0 t"),
    (1, {"detox_status": "untreated"}, "utilised_backfill_t",
     "cyanide residue used for backfill (50.0 t) must be detoxified first (HJ 943-2018)"),
    (1, {"detox_status": "washed"}, "detox_status", "'washed': expected one of"),
    (3, {"waste_type": "slag"}, "waste_type", "'slag': expected one of tailings"),
    (3, {"disposed_t": 1500.0}, "disposed_t",
     "utilised + disposed 2,500.0 t exceed generated + opening stock 2,000.0 t"),
    (3, {"plant": "A", "waste_type": "tailings", "enterprise": "E1"}, "waste_type",
     "a second row for the same plant, period and waste type"),
])
def test_bad_rows_are_named(row: int, change: dict[str, object], column: str,
                            expected: str) -> None:
    frame = LEDGER.copy().astype({"opening_stock_t": object, "detox_status": object})
    for key, value in change.items():
        frame.loc[row, key] = value
    with pytest.raises(ValidationError) as err:
        validate_ledger(frame, source="waste.csv")
    text = str(err.value)
    assert f"waste.csv, row {row + 2}, column {column}: " in text
    assert expected in text


def test_missing_columns_and_levels() -> None:
    with pytest.raises(ValidationError, match="missing column 'generated_t'"):
        validate_ledger(LEDGER.drop(columns="generated_t"))
    with pytest.raises(ValidationError, match="level 'province'"):
        utilisation(validate_ledger(LEDGER), "province")
