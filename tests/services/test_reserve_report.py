"""The annual reserve report from a two-year statement history: the movements by category
(exploration from the stored blocks or from the waterfall), the Excel and PDF in Chinese with
the form's headings and the numbers, and the scope."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from aurum.core import i18n
from aurum.core.errors import NotFoundError
from aurum.resources.ledger import ModelAtCutoff, reserve_waterfall
from aurum.services import reporting, reserve_report, resources
from aurum.services.platform import Platform
from aurum.services.resources import ClassFigures
from aurum.store.db import transaction
from tests.factories import GOOD_ROW, Registry
from tests.services.test_briefings import pdf_text

HEADINGS = ("期初", "采出", "损失", "勘查增减", "重算增减", "期末")
TONNES = np.full(4, 100_000.0)
GRADE_2024 = np.array([2.0, 1.5, 1.0, np.nan])  # the fourth block not estimated yet
GRADE_2025 = np.array([1.9, 1.6, 1.1, 3.0])  # new drilling: the fourth, inferred
CLASSES = np.array([1, 2, 3, 3], dtype=np.int8)
GRID = {"origin": [0.0, 0.0, 0.0], "size": [10.0, 10.0, 10.0], "count": [4, 1, 1]}


def _figures(grade: np.ndarray) -> dict[str, ClassFigures]:
    out = {}
    for code, name in enumerate(("measured", "indicated", "inferred"), start=1):
        keep = (code == CLASSES) & ~np.isnan(grade)
        t, metal_g = TONNES[keep].sum(), (TONNES[keep] * grade[keep]).sum()
        out[name] = ClassFigures(float(t), float(metal_g / t) if t else None, metal_g / 1e6)
    return out


def _blocks(grade: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"x": [5.0, 15.0, 25.0, 35.0], "y": 5.0, "z": 5.0, "estimate": grade,
                         "resource_class": CLASSES, "tonnes": TONNES})


def _history(platform: Platform, reg: Registry) -> dict[str, float]:
    """SD-A-01: statements of 2024 and 2025 with their models on one grid, and the 2025
    report (20,000 t mined at 2.5 g/t = 50 kg; reserves 150 kg proved, 120 kg probable)."""
    home = platform.settings.home
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")} | {
        "ore_mined_t": 20_000, "head_grade_gpt": 2.5, "gold_own_mine_kg": 40.0,
        "resources_measured_t": 0.19, "resources_indicated_t": 0.16,
        "resources_inferred_t": 0.41, "reserves_proved_t": 0.15, "reserves_probable_t": 0.12}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        old = resources.save_model(s, reg.ent_a, home, "SD-A-01", "2024", _blocks(GRADE_2024),
                                   "ordinary", {"grid": GRID}, "0" * 64)
        resources.publish_statement(s, reg.ent_a, "SD-A-01", 2024, _figures(GRADE_2024), 0.5,
                                    old.id)
        reporting.submit(s, reg.ent_a, "SD-A-01", "2025", values)
        new = resources.save_model(s, reg.ent_a, home, "SD-A-01", "2025", _blocks(GRADE_2025),
                                   "ordinary", {"grid": GRID}, "1" * 64)
        waterfall = dict(reserve_waterfall(ModelAtCutoff(TONNES, GRADE_2024, 0.5),
                                           ModelAtCutoff(TONNES, GRADE_2025, 0.5),
                                           resources.depletion_t(
                                               s, old.site, 2025)).as_rows())
        resources.publish_statement(s, reg.ent_a, "SD-A-01", 2025, _figures(GRADE_2025), 0.5,
                                    new.id, waterfall)
    return waterfall


def test_report_from_the_blocks_closes_on_the_waterfall(platform: Platform,
                                                        reg: Registry) -> None:
    waterfall = _history(platform, reg)
    with platform.sessions() as s:
        report = reserve_report.build(s, reg.regulator, platform.settings.home, "SD-A-01", 2025)
    t = report.table
    assert report.exploration_source == "blocks" and report.has_reserves
    # The new block: 100,000 t at 3 g/t = 300 kg, inferred; the ledger's exploration.
    assert t.loc["inferred", "exploration_ore_t"] == pytest.approx(100_000.0)
    assert t.loc["resources_total", "exploration_metal_kg"] == pytest.approx(
        waterfall["exploration"] * 1000.0) == pytest.approx(300.0)
    # Mined 50 kg by the opening measured (200 kg) and indicated (150 kg) gold: 4/7 and 3/7.
    assert t.loc["resources_total", "mined_metal_kg"] == pytest.approx(
        -waterfall["depletion"] * 1000.0) == pytest.approx(50.0)
    assert t.loc["measured", "mined_ore_t"] == pytest.approx(20_000.0 * 4 / 7)
    assert t.loc["resources_total", "lost_ore_t"] == 0.0
    # Inferred re-estimation: 410 - 100 - 300 = 10 kg on no ore.
    assert t.loc["inferred", "re_estimation_metal_kg"] == pytest.approx(10.0)
    assert t.loc["inferred", "re_estimation_ore_t"] == pytest.approx(0.0, abs=1e-6)
    assert t.loc["resources_total", "opening_metal_kg"] == pytest.approx(
        waterfall["opening"] * 1000.0)
    assert t.loc["reserves_total", "closing_metal_kg"] == pytest.approx(270.0)


def test_excel_and_pdf_in_chinese(platform: Platform, reg: Registry, tmp_path: Path) -> None:
    _history(platform, reg)
    home = platform.settings.home
    with platform.sessions() as s, i18n.using("zh_CN"):
        data, name = reserve_report.document(s, reg.ent_a, home, "SD-A-01", 2025, "xlsx")
        document, _ = reserve_report.document(s, reg.ent_a, home, "SD-A-01", 2025, "pdf")
    assert name == "reserve-report-SD-A-01-2025-zh_CN.xlsx"
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    text = " ".join(str(c.value) for c in cells)
    for heading in HEADINGS:
        assert heading in text
    assert "探明" in text and "推断" in text and "证实" in text
    numbers = [c.value for c in cells if isinstance(c.value, (int, float))]
    assert any(v == pytest.approx(300.0) for v in numbers)  # exploration gold, kg
    assert any(v == pytest.approx(410.0) for v in numbers)  # closing inferred gold, kg
    pdf = pdf_text(document, tmp_path)
    for heading in HEADINGS:
        assert heading in pdf
    # The closing resources (190 + 160 + 410 kg) and the new ore, as the pages write them.
    assert "760.0" in pdf and "100,000" in pdf


def test_exploration_apportioned_from_the_waterfall(platform: Platform, reg: Registry) -> None:
    """Statements entered without models: the waterfall's exploration by closing gold."""
    with transaction(platform.sessions, reg.ent_b.user_id) as s:
        resources.publish_statement(s, reg.ent_b, "GS-B-01", 2024, _figures(GRADE_2024), 0.5)
        resources.publish_statement(s, reg.ent_b, "GS-B-01", 2025, _figures(GRADE_2025), 0.5,
                                    waterfall={"exploration": 0.38})
    with platform.sessions() as s:
        report = reserve_report.build(s, reg.ent_b, platform.settings.home, "GS-B-01", 2025)
    t = report.table
    assert report.exploration_source == "waterfall" and not report.has_reserves
    # 380 kg over the closing gold 190 : 160 : 410 (760 kg).
    assert t.loc["inferred", "exploration_metal_kg"] == pytest.approx(205.0)
    assert t.loc["resources_total", "exploration_metal_kg"] == pytest.approx(380.0)
    assert "reserves_total" not in t.index
    assert report.notes()


def test_scope_and_missing_year(platform: Platform, reg: Registry) -> None:
    _history(platform, reg)
    home = platform.settings.home
    with platform.sessions() as s:
        with pytest.raises(NotFoundError):
            reserve_report.build(s, reg.ent_b, home, "SD-A-01", 2025)
        with pytest.raises(NotFoundError, match="2023"):
            reserve_report.build(s, reg.ent_a, home, "SD-A-01", 2023)
        # The first year: no opening statement, an opening of zero.
        first = reserve_report.build(s, reg.ent_a, home, "SD-A-01", 2024)
    assert first.opening is None
    assert first.table.loc["resources_total", "opening_metal_kg"] == 0.0
