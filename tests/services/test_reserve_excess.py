"""Reserves that exceed the resources they are converted from (GB/T 17766-2020, 2 and 4.2):
the annual reserve report says so on the page, in the Excel workbook and in the PDF, naming
the categories and the clause, instead of printing contradictory figures silently."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from aurum.core import i18n
from aurum.resources import annual
from aurum.resources.gbt17766 import RULES
from aurum.services import reporting, reserve_report, resources
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import GOOD_ROW, Registry
from tests.services.test_briefings import pdf_text
from tests.services.test_reserve_report import GRADE_2024, GRADE_2025, _figures

CLAUSE = RULES["within_resources"].clause


def _table(measured: float, indicated: float, proved: float, probable: float) -> pd.DataFrame:
    """A closing with these golds (kg), an opening of zero."""
    closing = {"measured": annual.Amount(1e5, measured),
               "indicated": annual.Amount(1e5, indicated),
               "inferred": annual.Amount(1e5, 10.0)}
    return annual.annual_reserve_report(
        dict.fromkeys(annual.RESOURCE_CODES, annual.ZERO), closing, annual.ZERO, None, None,
        None, {"proved": proved, "probable": probable})


@pytest.mark.parametrize(("figures", "broken"), [
    ((190.0, 160.0, 150.0, 120.0), []),
    ((190.0, 160.0, 190.0, 160.0), []),  # all converted: at the bound, not beyond it
    ((190.0, 160.0, 250.0, 100.0), [("proved",)]),  # 350 kg: the total at its bound
    ((190.0, 160.0, 250.0, 110.0), [("proved",), ("proved", "probable")]),
    # Probable from indicated and the 40 kg of measured not proved: 200 kg at most.
    ((190.0, 160.0, 150.0, 210.0), [("probable",), ("proved", "probable")]),
    ((190.0, 160.0, 150.0, 200.0), []),
])
def test_each_rule_is_checked_at_its_bound(figures: tuple[float, ...],
                                           broken: list[tuple[str, ...]]) -> None:
    found = annual.reserve_excesses(_table(*figures))
    assert [e.reserves for e in found] == broken
    assert all(e.item == "closing" and e.clause == CLAUSE for e in found)
    if broken:
        assert found[0].reserves_kg == pytest.approx(
            figures[2] if broken[0] == ("proved",) else figures[3])


def test_no_reserves_no_check() -> None:
    closing = dict.fromkeys(annual.RESOURCE_CODES, annual.Amount(1.0, 1.0))
    assert annual.reserve_excesses(annual.annual_reserve_report(
        closing, closing, annual.ZERO)) == []


def test_the_report_warns_on_page_excel_and_pdf(platform: Platform, reg: Registry,
                                                tmp_path: Path) -> None:
    """2024 and 2025 statements (closing measured 190 kg, indicated 160 kg) and a 2025 report
    of 250 kg proved, 120 kg probable: proved > measured and 370 kg > 350 kg."""
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")} | {
        "reserves_proved_t": 0.25, "reserves_probable_t": 0.12}
    with transaction(platform.sessions, reg.ent_b.user_id) as s:
        resources.publish_statement(s, reg.ent_b, "GS-B-01", 2024, _figures(GRADE_2024), 0.5)
        resources.publish_statement(s, reg.ent_b, "GS-B-01", 2025, _figures(GRADE_2025), 0.5)
        reporting.submit(s, reg.ent_b, "GS-B-01", "2025", values, reason="reserves restated")
    home = platform.settings.home
    with platform.sessions() as s, i18n.using("en"):
        report = reserve_report.build(s, reg.ent_b, home, "GS-B-01", 2025)
        warnings = report.warnings()
        section = reserve_report.site_section(s, reg.ent_b, home, "GS-B-01")
        book, _name = reserve_report.document(s, reg.ent_b, home, "GS-B-01", 2025, "xlsx")
        document, _name = reserve_report.document(s, reg.ent_b, home, "GS-B-01", 2025, "pdf")
    assert np.isclose(report.table.loc["proved", "closing_metal_kg"], 250.0)
    assert len(warnings) == 2
    assert "Proved reserves" in warnings[0] and "Measured resources" in warnings[0]
    assert "250.0" in warnings[0] and "190.0" in warnings[0] and CLAUSE in warnings[0]
    assert "370.0" in warnings[1] and "350.0" in warnings[1]
    assert section is not None and section.warnings == warnings
    sheet = load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(w in texts for w in warnings)
    pdf = " ".join(pdf_text(document, tmp_path).split())
    assert CLAUSE in pdf and "250.0" in pdf
