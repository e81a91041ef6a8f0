"""Period reports to annual site rows: no double counting, nothing invented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aurum.industry.aggregate import annual_site_rows, period_table

SITES = pd.DataFrame({"site": ["A", "B"], "enterprise": ["E", "F"], "group": ["G", "F"],
                      "province": ["Shandong", "Gansu"], "site_type": ["mine", "mine"],
                      "daily_capacity_t": [600.0, 100.0]})


def test_period_table() -> None:
    p = period_table(pd.Series(["2024", "2025-Q3", "2026-07"]))
    assert p["year"].tolist() == [2024, 2025, 2026]
    assert p["first_month"].tolist() == [1, 7, 7]
    assert p["last_month"].tolist() == [12, 9, 7]
    assert p["kind"].tolist() == ["year", "quarter", "month"]


def test_annual_report_wins_over_quarters_and_stocks_take_the_last_period() -> None:
    reports = pd.DataFrame({
        "site": ["A"] * 5 + ["B"] * 2,
        "period": ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2024", "2024-01", "2024-02"],
        "gold_own_mine_kg": [1, 2, 3, 4, 100, 7, 8],
        "gold_associated_kg": [np.nan] * 4 + [5, np.nan, np.nan],
        "resources_measured_t": [5, np.nan, 6, np.nan, np.nan, 1, np.nan],
        "resources_inferred_t": [1, np.nan, 2, np.nan, np.nan, np.nan, np.nan],
        "waste_tailings_generated_t": [np.nan] * 7,
    })
    out = annual_site_rows(reports, SITES).set_index("site")
    # A: the annual report (100 own + 5 associated), not the quarters' 10.
    assert out.loc["A", "gold_kg"] == pytest.approx(105)
    assert out.loc["A", "months_covered"] == 12
    # Resources of the last period that reported them: Q3 (6 + 2), the annual row had none.
    assert out.loc["A", "gold_resources_t"] == pytest.approx(8)
    assert out.loc["B", "gold_kg"] == pytest.approx(15)
    assert out.loc["B", "months_covered"] == 2
    # Nothing reported stays NaN, never 0.
    assert np.isnan(out.loc["A", "solid_waste_generated_t"])
    assert out.loc["B", "province"] == "Gansu"


def test_like_for_like_months_keep_only_periods_inside_the_window() -> None:
    reports = pd.DataFrame({"site": ["A"] * 4, "period": ["2025-Q1", "2025-Q2", "2025-Q3",
                                                         "2025-Q4"],
                            "gold_own_mine_kg": [10.0, 20.0, 30.0, 40.0]})
    out = annual_site_rows(reports, SITES, months=range(1, 7))
    assert out["gold_kg"].tolist() == [30.0]
    assert out["months_covered"].tolist() == [6]
    # A yearly report straddles the window and is left out.
    yearly = pd.DataFrame({"site": ["A"], "period": ["2025"], "gold_own_mine_kg": [1.0]})
    assert annual_site_rows(yearly, SITES, months=range(1, 10)).empty
