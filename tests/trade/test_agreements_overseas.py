"""Agreements' coverage of imports and overseas projects' output flowing back."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from aurum.trade.agreements import Agreement, check_agreement, coverage
from aurum.trade.overseas import CsrRecord, Project, check_csr, check_project, flow_back

PERU = Agreement("PE", "Andes S.A.", "ore", 120.0, 2024, 2026, "lbma_pm", -4.0)


def _imports(months: int, pe_t: float, cl_t: float) -> pd.DataFrame:
    rows = [{"year": 2025, "month": f"2025-{m:02d}", "commodity": "ore", "partner": p,
             "quantity_kg": t * 1000 / months, "gold_kg": 1.0}
            for m in range(1, months + 1) for p, t in (("PE", pe_t), ("CL", cl_t))]
    return pd.DataFrame(rows)


def test_coverage_is_capped_at_what_arrived() -> None:
    (row,) = coverage([PERU], _imports(12, pe_t=100.0, cl_t=100.0)).to_dict("records")
    assert row["agreed_t"] == pytest.approx(120.0)
    assert row["covered_t"] == pytest.approx(100.0)
    assert row["coverage_pct"] == pytest.approx(50.0)


def test_a_year_in_progress_prorates_the_tonnage() -> None:
    (row,) = coverage([PERU], _imports(6, pe_t=100.0, cl_t=100.0)).to_dict("records")
    assert row["agreed_t"] == pytest.approx(60.0)
    assert row["coverage_pct"] == pytest.approx(30.0)


def test_an_agreement_out_of_term_or_of_another_commodity_covers_nothing() -> None:
    for other in (replace(PERU, start_year=2026), replace(PERU, commodity="gold")):
        assert coverage([other], _imports(12, 100.0, 100.0))["coverage_pct"].tolist() == [0.0]


def test_agreement_problems_by_field() -> None:
    bad = Agreement("EU", "", "copper", -1, 2030, 2020, "spot", 5000)
    fields = {p.column for p in check_agreement(bad)}
    assert fields == {"partner", "counterparty", "commodity", "tonnes_per_year", "end_year",
                      "price_basis", "premium_usd_per_oz"}


PROJECT = Project("KZ1", "Steppe", "KZ", "mine", "production", 60.0, 2000.0, True, 2025)


def test_project_and_csr_problems_by_field() -> None:
    assert check_project(PROJECT) == []
    bad = replace(PROJECT, country="CN", stage="exploration", ownership_pct=0, lon=200.0)
    assert {p.column for p in check_project(bad)} == {"country", "ownership_pct",
                                                      "annual_output_kg", "lat", "lon"}
    assert [p.column for p in check_csr(CsrRecord("KZ1", 2025, 1, 90, 80, 0, 1, 1))] == [
        "local_employees"]


def test_equity_output_against_the_gold_imported_from_its_country() -> None:
    projects = pd.DataFrame([{"year": 2025, "country": "KZ", "stage": "production",
                              "ownership_pct": 60.0, "annual_output_kg": 2000.0},
                             {"year": 2025, "country": "KZ", "stage": "construction",
                              "ownership_pct": 100.0, "annual_output_kg": 0.0},
                             {"year": 2025, "country": "ER", "stage": "production",
                              "ownership_pct": 50.0, "annual_output_kg": 1000.0}])
    imports = pd.DataFrame({"year": [2025, 2025], "partner": ["KZ", "ER"],
                            "gold_kg": [3000.0, 100.0]})
    table = flow_back(projects, imports).set_index("country")
    assert table.loc["KZ", "attributable_output_kg"] == pytest.approx(1200.0)
    assert table.loc["KZ", "flow_back_share_pct"] == pytest.approx(40.0)
    assert table.loc["ER", "flow_back_share_pct"] == pytest.approx(100.0)  # capped
    assert table.loc["KZ", "projects"] == 1
