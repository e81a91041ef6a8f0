"""Grade–tonnage tables and resource statements against sums done by hand; CSV and Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.core.units import GRAMS_PER_TROY_OUNCE
from aurum.resources.classify import ResourceClass
from aurum.resources.report import (
    CATEGORIES,
    GRADE_TONNAGE_SHEET,
    LABELS,
    STATEMENT_SHEET,
    grade_tonnage,
    resource_statement,
)

M, IND, F, U = (ResourceClass.MEASURED, ResourceClass.INDICATED, ResourceClass.INFERRED,
              ResourceClass.UNCLASSIFIED)
# Block:              0       1       2       3      4       5       6       7
TONNES = np.array([1000.0, 2000.0, 1500.0, 500.0, 3000.0, 2500.0, 4000.0, 1200.0])
GRADE = np.array([0.3, 0.8, 1.2, 2.5, 0.5, np.nan, 1.5, 1.0])
CLASS = np.array([M, M, IND, IND, F, U, U, F], dtype=np.int8)
DATE = date(2026, 3, 31)


def test_grade_tonnage_by_hand() -> None:
    table = grade_tonnage(TONNES[:6], GRADE[:6], [0.0, 0.5, 1.0, 2.0, 3.0])
    assert list(table.columns) == ["cutoff_gpt", "tonnes_t", "tonnes_mt", "grade_gpt",
                                   "metal_kg", "metal_t", "metal_oz"]
    # Block 5 (NaN grade) is left out; a grade equal to the cut-off is reported.
    tonnes = [8000.0, 7000.0, 2000.0, 500.0, 0.0]
    grams = [300.0 + 1600 + 1800 + 1250 + 1500, 1600.0 + 1800 + 1250 + 1500, 1800.0 + 1250,
             1250.0, 0.0]
    np.testing.assert_allclose(table["tonnes_t"], tonnes, rtol=1e-15)
    np.testing.assert_allclose(table["tonnes_mt"], np.array(tonnes) / 1e6, rtol=1e-15)
    np.testing.assert_allclose(table["metal_kg"], np.array(grams) / 1000, rtol=1e-15)
    np.testing.assert_allclose(table["metal_t"], np.array(grams) / 1e6, rtol=1e-15)
    np.testing.assert_allclose(table["metal_oz"], np.array(grams) / GRAMS_PER_TROY_OUNCE,
                               rtol=1e-15)
    np.testing.assert_allclose(table["grade_gpt"][:4], [0.80625, 6150 / 7000, 1.525, 2.5],
                               rtol=1e-15)
    assert np.isnan(table["grade_gpt"][4])
    # contained kg = t × g/t / 1000, and 6450 g is 207.37... troy oz.
    np.testing.assert_allclose(table["metal_kg"], table["tonnes_t"] * table["grade_gpt"].fillna(0)
                               / 1000, rtol=1e-14)
    assert table["metal_oz"][0] == pytest.approx(207.37232, abs=1e-5)


def test_grade_tonnage_matches_direct_sums_on_random_blocks() -> None:
    rng = np.random.default_rng(7)
    tonnes, grade = rng.uniform(500, 5000, 10_000), rng.lognormal(0.0, 1.0, 10_000)
    cutoffs = np.linspace(0.0, 5.0, 11)
    table = grade_tonnage(tonnes, grade, cutoffs)
    above = grade[None, :] >= cutoffs[:, None]
    np.testing.assert_allclose(table["tonnes_t"], (above * tonnes).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(table["metal_kg"], (above * tonnes * grade).sum(axis=1) / 1000,
                               rtol=1e-12)


def test_statement_by_hand() -> None:
    statement = resource_statement(TONNES, GRADE, CLASS, [0.5, 1.0], DATE)
    rows = statement.table.set_index(["cutoff_gpt", "category"]).to_dict("index")
    assert statement.cutoffs == (0.5, 1.0)
    assert statement.table["category"].tolist() == list(CATEGORIES) * 2
    expected = {  # (cut-off, category): (tonnes t, contained g); block 6 is Unclassified
        (0.5, "Measured"): (2000.0, 1600.0), (0.5, "Indicated"): (2000.0, 3050.0),
        (0.5, "Measured + Indicated"): (4000.0, 4650.0), (0.5, "Inferred"): (4200.0, 2700.0),
        (0.5, "Total"): (8200.0, 7350.0),
        (1.0, "Measured"): (0.0, 0.0), (1.0, "Indicated"): (2000.0, 3050.0),
        (1.0, "Measured + Indicated"): (2000.0, 3050.0), (1.0, "Inferred"): (1200.0, 1200.0),
        (1.0, "Total"): (3200.0, 4250.0)}
    for key, (tonnes, grams) in expected.items():
        row = rows[key]
        assert row["tonnes_t"] == pytest.approx(tonnes, rel=1e-15)
        assert row["metal_kg"] == pytest.approx(grams / 1000, rel=1e-15)
        assert row["metal_oz"] == pytest.approx(grams / GRAMS_PER_TROY_OUNCE, rel=1e-15)
        if tonnes:
            assert row["grade_gpt"] == pytest.approx(grams / tonnes, rel=1e-15)
        else:
            assert np.isnan(row["grade_gpt"])
    for cutoff in (0.5, 1.0):
        m, i, mi, f, total = (rows[(cutoff, category)] for category in CATEGORIES)
        for column in ("tonnes_t", "tonnes_mt", "metal_kg", "metal_t", "metal_oz"):
            # Combined rows add up exactly, not only within rounding.
            assert mi[column] == m[column] + i[column]
            assert total[column] == mi[column] + f[column]
        assert mi["grade_gpt"] == pytest.approx(mi["metal_kg"] * 1000 / mi["tonnes_t"],
                                                rel=1e-15)


@pytest.mark.parametrize("cutoffs, message", [
    ([1.0, 0.5], "strictly increasing"), ([0.5, 0.5], "strictly increasing"),
    ([-0.1, 0.5], ">= 0"), ([0.5, np.nan], ">= 0"), ([], "one or more")])
def test_bad_cutoffs(cutoffs: list[float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        grade_tonnage(TONNES, GRADE, cutoffs)
    with pytest.raises(ValidationError, match=message):
        resource_statement(TONNES, GRADE, CLASS, cutoffs, DATE)


def test_csv_round_trip(tmp_path: Path) -> None:
    statement = resource_statement(TONNES, GRADE, CLASS, [0.5, 1.0], DATE)
    statement.to_csv(tmp_path / "statement.csv")
    back = pd.read_csv(tmp_path / "statement.csv")
    pd.testing.assert_frame_equal(back, statement.table, check_exact=True)


def test_excel_sheets_notes_and_values(tmp_path: Path) -> None:
    statement = resource_statement(TONNES, GRADE, CLASS, [0.5, 1.0], DATE)
    curve = grade_tonnage(TONNES, GRADE, [0.0, 0.5, 1.0, 2.0])
    path = tmp_path / "statement.xlsx"
    statement.to_excel(path, grade_tonnage=curve)
    sheets = pd.read_excel(path, sheet_name=None, header=None)
    assert list(sheets) == [STATEMENT_SHEET, GRADE_TONNAGE_SHEET]
    raw = sheets[STATEMENT_SHEET]
    notes = raw.iloc[:, 0].tolist()
    header = notes.index(LABELS["cutoff_gpt"])
    assert header == len(statement.notes) + 1
    assert "effective date 2026-03-31" in notes[0]
    assert "cut-off grade(s) of 0.5, 1 g/t Au" in notes[1]
    assert "31.1034768" in notes[2]
    table = pd.read_excel(path, sheet_name=STATEMENT_SHEET, skiprows=header)
    expected = statement.table.rename(columns=LABELS)
    assert list(table.columns) == list(expected.columns)
    # Each row named by its GB/T 17766-2020 categories, the Chinese term beside (English).
    assert table[LABELS["category"]].tolist()[:5] == [
        "Measured resources (探明)", "Indicated resources (控制)",
        "Measured resources + Indicated resources (探明+控制)", "Inferred resources (推断)",
        "Measured resources + Indicated resources + Inferred resources (探明+控制+推断)"]
    expected[LABELS["category"]] = table[LABELS["category"]]
    # Excel keeps 15 significant digits (0.004 + 0.0042 Mt comes back as 0.0082).
    pd.testing.assert_frame_equal(table, expected, check_dtype=False, rtol=1e-14)
    back = pd.read_excel(path, sheet_name=GRADE_TONNAGE_SHEET)
    pd.testing.assert_frame_equal(back, curve.rename(columns=LABELS), check_dtype=False,
                                  rtol=1e-14)
    assert back[LABELS["tonnes_t"]].tolist() == [13200.0, 12200.0, 7200.0, 500.0]
