"""HHI and top-k shares against closed forms and the US Department of Justice's published
example (Antitrust Division, "Herfindahl-Hirschman Index": four firms of 30, 30, 20 and 20 %
give 2,600)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurum.core.concentration import HHI_MAX, hhi, shares_pct, top_share
from aurum.trade.imports import ROW_COLUMNS, concentration, risk_level, supply_risk


@pytest.mark.parametrize("n", [1, 2, 3, 7, 13, 250])
def test_equal_shares_give_ten_thousand_over_n(n: int) -> None:
    assert hhi(shares_pct(np.full(n, 3.7))) == pytest.approx(HHI_MAX / n, rel=1e-12)


def test_one_supplier_gives_ten_thousand() -> None:
    assert hhi(shares_pct([42.0])) == pytest.approx(10_000.0)
    assert hhi(shares_pct([0.0, 5.0, 0.0])) == pytest.approx(10_000.0)


def test_the_justice_departments_example() -> None:
    assert hhi([30, 30, 20, 20]) == pytest.approx(2600.0)
    assert top_share([30, 30, 20, 20], 3) == pytest.approx(80.0)


def test_bands_of_the_2010_merger_guidelines() -> None:
    assert [risk_level(x) for x in (0, 1499.9, 1500, 2500, 2500.1, 10_000)] == [
        "low", "low", "moderate", "moderate", "high", "high"]


def _rows(records: list[tuple[str, str, str, float, float | None, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["commodity", "partner", "month", "quantity_kg",
                                           "gold_kg", "value"])
    return frame.assign(hs_code="71081200", customs_district="上海海关",
                        year=frame["month"].str[:4].astype(int), currency="USD")[ROW_COLUMNS]


def test_partners_are_summed_over_districts_and_shares_use_contained_gold() -> None:
    rows = _rows([("gold", "CH", "2025-01", 30, 30, 1), ("gold", "CH", "2025-02", 30, 30, 1),
                  ("gold", "AU", "2025-01", 20, 20, 1e9), ("gold", "ZA", "2025-01", 20, 20, 1)])
    table = concentration(rows, "year").set_index("commodity")
    assert table.loc["gold", "hhi"] == pytest.approx(60**2 + 20**2 + 20**2)  # of the gold...
    assert table.loc["gold", "basis"] == "gold_kg"  # ...not of the value
    months = concentration(rows, "month")
    assert months[months["commodity"] == "gold"]["hhi"].tolist() == pytest.approx(
        [100**2 * (3**2 + 2**2 + 2**2) / 7**2, 10_000.0])


def test_value_is_the_basis_when_contained_gold_is_missing() -> None:
    rows = _rows([("ore", "PE", "2025-01", 1e6, None, 75.0), ("ore", "CL", "2025-01", 1e6, 40.0,
                                                            25.0)])
    ore = concentration(rows, "year").set_index("commodity").loc["ore"]
    assert ore["basis"] == "value"
    assert ore["hhi"] == pytest.approx(75**2 + 25**2)
    risk = supply_risk(concentration(rows, "year"))
    assert risk is not None and risk.level == "high" and risk.top_partner == "PE"
