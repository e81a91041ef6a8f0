"""The annual reserve report's workbook reads as the page does: every column wide enough for
the figures it shows (no ########), ore in whole tonnes."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from aurum.core import i18n
from aurum.resources import annual
from aurum.services import reserve_report
from aurum.services.platform import Platform
from tests.factories import Registry
from tests.services.test_reserve_report import _history


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_columns_fit_their_figures_and_ore_is_whole_tonnes(platform: Platform, reg: Registry,
                                                           locale: str) -> None:
    _history(platform, reg)
    with platform.sessions() as s, i18n.using(locale):
        data, _name = reserve_report.document(s, reg.ent_a, platform.settings.home, "SD-A-01",
                                              2025, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    n, digits = len(annual.QUANTITIES), reserve_report.DIGITS
    checked = 0
    for i in range(len(annual.ITEMS)):
        for j, quantity in enumerate(annual.QUANTITIES):
            column = 2 + i * n + j
            width = sheet.column_dimensions[get_column_letter(column)].width
            heading = sheet.cell(row=4, column=column).value
            assert width >= i18n.text_width(heading), heading
            for r in range(5, 5 + 6):
                value = sheet.cell(row=r, column=column).value
                if value is None:
                    continue
                # What Excel writes in the cell with its number format ("#,##0", ...).
                shown = f"{value:,.{digits[quantity]}f}"
                assert width > len(shown), (heading, shown, width)
                if quantity == "ore_t":
                    assert isinstance(value, int)
                    checked += 1
    assert checked >= 12  # three resource rows and their total, over the movements
