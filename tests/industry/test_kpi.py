"""The KPI engine against hand-computed references (each derivation is in the test)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.industry.kpi import (
    BELOW_FLOOR,
    CAPACITY_NOT_REPORTED,
    COMPLIANT,
    INDICATOR_IDS,
    KPI_COLUMNS,
    IndicatorResult,
    Status,
    compute_indicators,
    concentration,
    plant_scale_compliance,
    read_kpi_csv,
    rollup,
    validate_kpi_frame,
)

REL = 1e-12


def sites(*rows: dict[str, object]) -> pd.DataFrame:
    """Validated annual rows; numbers left out are not reported (NaN)."""
    defaults = {"enterprise": "E1", "province": "Shandong", "site_type": "mine"}
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    return validate_kpi_frame(frame.reindex(columns=[*KPI_COLUMNS, "group"]))


def by_id(frame: pd.DataFrame, as_of: int) -> dict[str, IndicatorResult]:
    report = compute_indicators(frame, as_of)
    return {r.id: r for r in report.indicators}


# ---------------------------------------------------------------------------------------------
# Growth indicators


def test_growth_counts_a_site_that_appears_only_in_the_as_of_year() -> None:
    # 2024: A only. 2026: A unchanged plus new site B. 2027 (after as_of) must be ignored.
    frame = sites(
        {"year": 2024, "site": "A", "gold_kg": 1000, "silver_kg": 200, "gold_resources_t": 40},
        {"year": 2026, "site": "A", "gold_kg": 1000, "silver_kg": 200, "gold_resources_t": 40},
        {"year": 2026, "site": "B", "enterprise": "E2", "gold_kg": 100, "silver_kg": 20,
         "gold_resources_t": 4},
        {"year": 2027, "site": "A", "gold_kg": 9999, "silver_kg": 9999,
         "gold_resources_t": 999},
    )
    got = by_id(frame, 2026)
    # Each quantity grows by 10 % (1000 -> 1100 kg, 200 -> 220 kg, 40 -> 44 t). Trajectory
    # (2024, 0), (2026, 10): the line has slope 5 %/yr, so 2027 -> 15 %. Gap = (5 - 15) / 100
    # x baseline: gold -100 kg = -0.1 t, silver -20 kg = -0.02 t, resources -4 t.
    expected = {
        "gold_output_growth_pct": (1000.0, 1100.0, -0.1, "t of gold"),
        "silver_output_growth_pct": (200.0, 220.0, -0.02, "t of silver"),
        "gold_resources_growth_pct": (40.0, 44.0, -4.0, "t of gold"),
    }
    for indicator_id, (baseline, current, gap, gap_unit) in expected.items():
        r = got[indicator_id]
        assert r.baseline == pytest.approx(baseline, rel=REL)
        assert r.current == pytest.approx(current, rel=REL)
        assert r.value == pytest.approx(10.0, rel=REL)
        assert [y for y, _ in r.trajectory] == [2024, 2026]
        assert r.trajectory[1][1] == pytest.approx(10.0, rel=REL)
        assert r.projection_2027 == pytest.approx(15.0, rel=REL)
        assert r.gap == pytest.approx(gap, rel=REL)
        assert r.gap_unit == gap_unit
        assert r.status is Status.ON_TRACK
    assert got["gold_resources_growth_pct"].target_max == 10.0
    assert got["gold_output_growth_pct"].target_max is None


def test_unreported_cells_are_ignored_and_never_become_zero() -> None:
    # Site B never reports gold; silver and resources are reported by nobody.
    # B reports waste generated in 2025 without the utilised figure.
    frame = sites(
        {"year": 2024, "site": "A", "gold_kg": 1000, "solid_waste_generated_t": 100,
         "solid_waste_utilised_t": 30},
        {"year": 2024, "site": "B"},
        {"year": 2025, "site": "A", "gold_kg": 1050, "solid_waste_generated_t": 100,
         "solid_waste_utilised_t": 40},
        {"year": 2025, "site": "B", "solid_waste_generated_t": 300},
    )
    got = by_id(frame, 2025)
    # Gold: 1000 -> 1050 kg, +5 %.
    gold = got["gold_output_growth_pct"]
    assert (gold.baseline, gold.current) == (1000.0, 1050.0)
    assert gold.value == pytest.approx(5.0, rel=REL)
    # Nobody reported silver or resources: no figure at all, not 0.
    for indicator_id in ("silver_output_growth_pct", "gold_resources_growth_pct"):
        r = got[indicator_id]
        assert r.baseline is None and r.current is None and r.value is None
        assert r.projection_2027 is None and r.gap is None and r.trajectory == ()
        assert r.status is Status.NO_DATA
    # Waste: B's 300 t without a utilised figure are left out: 2024 30/100 = 30 %,
    # 2025 40/100 = 40 % (not 40/400 = 10 %). Line through (2024, 30), (2025, 40) -> 2027: 60.
    # Gap = (35 - 60) / 100 x 100 t generated = -25 t.
    waste = got["solid_waste_utilisation_pct"]
    assert waste.baseline == pytest.approx(30.0, rel=REL)
    assert waste.value == pytest.approx(40.0, rel=REL)
    assert waste.projection_2027 == pytest.approx(60.0, rel=REL)
    assert waste.gap == pytest.approx(-25.0, rel=REL)
    assert waste.gap_unit == "t of waste"


# ---------------------------------------------------------------------------------------------
# Large-mine share


def test_large_mine_share_includes_exactly_500_t_per_day() -> None:
    frame = sites(
        {"year": 2024, "site": "M1", "daily_capacity_t": 500, "gold_kg": 700},
        {"year": 2024, "site": "M2", "daily_capacity_t": 499.9, "gold_kg": 200},
        {"year": 2024, "site": "M3", "gold_kg": 100},  # capacity not reported: not large
        {"year": 2024, "site": "P1", "site_type": "processing_plant", "daily_capacity_t": 5000,
         "gold_kg": 1000},  # not a mine: outside the share
    )
    share = by_id(frame, 2024)["large_mine_output_share_pct"]
    # 700 / (700 + 200 + 100) = 70 %, exactly the target; one point: projection = value.
    assert share.value == pytest.approx(70.0, rel=REL)
    assert share.baseline == share.current == share.value
    assert share.projection_2027 == pytest.approx(70.0, rel=REL)
    assert share.gap == pytest.approx(0.0, abs=1e-12)
    assert share.gap_unit == "t of gold"
    assert share.status is Status.ON_TRACK


def test_large_mine_share_projected_through_three_years_is_off_track() -> None:
    # Mine gold 1000 kg a year; large-mine gold 600, 610, 615 -> shares 60, 61, 61.5 %.
    rows = []
    for year, large in ((2024, 600), (2025, 610), (2026, 615)):
        rows.append({"year": year, "site": "L", "daily_capacity_t": 800, "gold_kg": large})
        rows.append({"year": year, "site": "S", "daily_capacity_t": 100, "gold_kg": 1000 - large})
    share = by_id(sites(*rows), 2026)["large_mine_output_share_pct"]
    # Least squares: x - 2025 = -1, 0, 1; mean y = 182.5 / 3; slope = (-(60 - ybar) + (61.5 -
    # ybar)) / 2 = 0.75 %/yr; 2027: ybar + 2 x 0.75 = 62.3333 %. At-risk bar: 60 + 0.75 x (70
    # - 60) = 67.5 % > 62.33, so off track. Gap: (70 - 62.3333) / 100 x 1000 kg = 0.0766667 t.
    assert share.projection_2027 == pytest.approx(182.5 / 3 + 1.5, rel=REL)
    assert share.status is Status.OFF_TRACK
    assert share.gap == pytest.approx((70 - (182.5 / 3 + 1.5)) / 100 * 1000 / 1000, rel=REL)


def test_waste_rate_projected_through_three_years() -> None:
    # Generated 1000 t each year, utilised 300, 320, 370 t -> 30, 32, 37 %.
    rows = [{"year": y, "site": "A", "solid_waste_generated_t": 1000, "solid_waste_utilised_t": u}
            for y, u in ((2024, 300), (2025, 320), (2026, 370))]
    waste = by_id(sites(*rows), 2026)["solid_waste_utilisation_pct"]
    # x - 2025 = -1, 0, 1; ybar = 33; slope = (3 + 4) / 2 = 3.5; 2027: 33 + 2 x 3.5 = 40 %.
    # Gap: (35 - 40) / 100 x 1000 t = -50 t (met).
    assert [v for _, v in waste.trajectory] == pytest.approx([30.0, 32.0, 37.0], rel=REL)
    assert waste.projection_2027 == pytest.approx(40.0, rel=REL)
    assert waste.gap == pytest.approx(-50.0, rel=REL)
    assert waste.status is Status.ON_TRACK


# ---------------------------------------------------------------------------------------------
# Status boundaries


@pytest.mark.parametrize(("gold_2027", "status"), [
    (1100.0, Status.ON_TRACK),
    (1050.0, Status.ON_TRACK),    # +5 %: exactly the target
    (1037.5, Status.AT_RISK),     # +3.75 % = 0.75 x 5: exactly the at-risk bar
    (1037.4, Status.OFF_TRACK),   # +3.74 %
    (990.0, Status.OFF_TRACK),
])
def test_growth_status_boundaries(gold_2027: float, status: Status) -> None:
    frame = sites({"year": 2024, "site": "A", "gold_kg": 1000},
                  {"year": 2025, "site": "A", "gold_kg": 5000},
                  {"year": 2027, "site": "A", "gold_kg": gold_2027})
    gold = by_id(frame, 2027)["gold_output_growth_pct"]
    # The target year is in the trajectory: its actual value is the "projection" (the 2025
    # outlier would otherwise tilt the line).
    expected = 100 * (gold_2027 - 1000) / 1000
    assert gold.value == pytest.approx(expected, rel=REL)
    assert gold.projection_2027 == pytest.approx(expected, rel=REL)
    assert gold.status is status


@pytest.mark.parametrize(("large_2027", "status"), [
    (700.0, Status.ON_TRACK),    # 70 %
    (675.0, Status.AT_RISK),     # 60 + 0.75 x (70 - 60) = 67.5 %
    (674.0, Status.OFF_TRACK),   # 67.4 %
])
def test_share_status_measures_the_at_risk_bar_from_the_2024_share(
        large_2027: float, status: Status) -> None:
    frame = sites({"year": 2024, "site": "L", "daily_capacity_t": 600, "gold_kg": 600},
                  {"year": 2024, "site": "S", "daily_capacity_t": 100, "gold_kg": 400},
                  {"year": 2027, "site": "L", "daily_capacity_t": 600, "gold_kg": large_2027},
                  {"year": 2027, "site": "S", "daily_capacity_t": 100,
                   "gold_kg": 1000 - large_2027})
    share = by_id(frame, 2027)["large_mine_output_share_pct"]
    assert share.value == pytest.approx(large_2027 / 10, rel=REL)
    assert share.status is status


def test_share_without_a_baseline_has_a_value_but_no_status() -> None:
    frame = sites({"year": 2025, "site": "L", "daily_capacity_t": 600, "gold_kg": 800},
                  {"year": 2025, "site": "S", "daily_capacity_t": 100, "gold_kg": 200})
    got = by_id(frame, 2025)
    assert got["large_mine_output_share_pct"].value == pytest.approx(80.0, rel=REL)
    assert got["large_mine_output_share_pct"].baseline is None
    assert got["large_mine_output_share_pct"].status is Status.NO_DATA
    assert got["gold_output_growth_pct"].value is None


def test_as_of_before_the_baseline_year_is_refused() -> None:
    frame = sites({"year": 2024, "site": "A", "gold_kg": 1})
    with pytest.raises(ValidationError, match="before the baseline year 2024"):
        compute_indicators(frame, 2023)


def test_as_of_beyond_the_data_is_refused_before_anything_is_computed() -> None:
    # The engine builds one column per year from the baseline to the as-of year: a year the
    # data does not reach (28937 once took 20 s, 20000000 exhausted the host) is refused.
    frame = sites({"year": 2024, "site": "A", "gold_kg": 1000},
                  {"year": 2025, "site": "A", "gold_kg": 1100})
    expected = ("as-of year {} is after 2025, the latest year the data reports: expected a "
                "year from 2024 to 2025")
    for as_of in (2026, 28937, 20_000_000):
        with pytest.raises(ValidationError) as info:
            compute_indicators(frame, as_of)
        assert str(info.value) == "column as_of: " + expected.format(as_of)
        with pytest.raises(ValidationError, match="after 2025, the latest year the data"):
            rollup(frame, as_of, "group")
    assert compute_indicators(frame, 2025).as_of == 2025


def test_as_of_is_never_beyond_the_last_year_aurum_accepts() -> None:
    frame = sites({"year": 2024, "site": "A", "gold_kg": 1000},
                  {"year": 2099, "site": "A", "gold_kg": 1100})
    with pytest.raises(ValidationError, match="after 2035, the last year Aurum accepts: "
                                              "expected a year from 2024 to 2035"):
        compute_indicators(frame, 2099)
    # With no row after the baseline year, the baseline year is the only one.
    with pytest.raises(ValidationError, match="expected a year from 2024 to 2024"):
        compute_indicators(frame.iloc[:0], 2025)


def test_report_dict_is_the_cli_contract() -> None:
    frame = sites({"year": 2024, "site": "A", "gold_kg": 1000},
                  {"year": 2025, "site": "A", "gold_kg": 1100})
    payload = compute_indicators(frame, 2025).as_dict()
    assert set(payload) == {"as_of", "baseline_year", "indicators"}
    assert (payload["as_of"], payload["baseline_year"]) == (2025, 2024)
    indicators = payload["indicators"]
    assert isinstance(indicators, list)
    assert [i["id"] for i in indicators] == list(INDICATOR_IDS)
    gold = indicators[1]
    assert {"id", "baseline", "current", "value", "target", "status"} <= set(gold)
    # 1000 -> 1100 kg = +10 %; line through (2024, 0), (2025, 10) -> 2027: 30 %.
    assert gold["value"] == pytest.approx(10.0, rel=REL)
    assert gold["projection_2027"] == pytest.approx(30.0, rel=REL)
    assert gold["status"] == "on_track"
    assert gold["trajectory"] == [{"year": 2024, "value": 0.0},
                                  {"year": 2025, "value": pytest.approx(10.0, rel=REL)}]


# ---------------------------------------------------------------------------------------------
# Roll-up and concentration


def test_rollup_by_province() -> None:
    frame = sites(
        {"year": 2024, "site": "A", "province": "Shandong", "gold_kg": 1000,
         "daily_capacity_t": 600},
        {"year": 2026, "site": "A", "province": "Shandong", "gold_kg": 1100,
         "daily_capacity_t": 600},
        {"year": 2026, "site": "B", "province": "Henan", "gold_kg": 200, "daily_capacity_t": 100},
    )
    table = rollup(frame, 2026, "province").set_index("province")
    assert list(table.index) == ["Shandong", "Henan"]  # largest output first
    assert {"gold_output_t", "gold_output_baseline_t", *INDICATOR_IDS} <= set(table.columns)
    # Shandong: 1.0 -> 1.1 t, +10 %, all from a large mine (100 %).
    assert table.at["Shandong", "gold_output_t"] == pytest.approx(1.1, rel=REL)
    assert table.at["Shandong", "gold_output_baseline_t"] == pytest.approx(1.0, rel=REL)
    assert table.at["Shandong", "gold_output_growth_pct"] == pytest.approx(10.0, rel=REL)
    assert table.at["Shandong", "large_mine_output_share_pct"] == pytest.approx(100.0, rel=REL)
    # Henan: new in 2026, no baseline, so no growth; its only mine is small (0 %).
    assert table["gold_output_baseline_t"].isna().tolist() == [False, True]
    assert table["gold_output_growth_pct"].isna().tolist() == [False, True]
    assert table.at["Henan", "large_mine_output_share_pct"] == 0.0


def test_rollup_refuses_an_unknown_key() -> None:
    with pytest.raises(ValueError, match="by must be one of"):
        rollup(sites({"year": 2024, "site": "A", "gold_kg": 1}), 2024, "county")


def test_hhi_of_four_equal_groups_is_2500() -> None:
    frame = sites(
        {"year": 2026, "site": "A1", "group": "G1", "gold_kg": 100},
        {"year": 2026, "site": "A2", "group": "G1", "gold_kg": 150},  # G1 = 250 kg
        {"year": 2026, "site": "B", "group": "G2", "gold_kg": 250},
        {"year": 2026, "site": "C", "group": "G3", "gold_kg": 250},
        {"year": 2026, "site": "D", "group": "G4", "gold_kg": 250},
        {"year": 2026, "site": "E", "group": "G5"},                   # not reported
        {"year": 2026, "site": "F", "group": "G6", "gold_kg": 0},     # produced nothing
        {"year": 2025, "site": "A1", "group": "G1", "gold_kg": 9000},  # another year
    )
    c = concentration(frame, 2026)
    # Shares 25 % each: HHI = 4 x 25^2 = 2500; all four within the top ten.
    assert c.producers == 4
    assert c.hhi == pytest.approx(2500.0, rel=REL)
    assert c.top10_share_pct == pytest.approx(100.0, rel=REL)
    assert c.gold_output_t == pytest.approx(1.0, rel=REL)


def test_top10_share_and_hhi_of_twelve_producers() -> None:
    rows = [{"year": 2026, "site": "BIG", "enterprise": "BIG", "gold_kg": 450}]
    rows += [{"year": 2026, "site": f"S{i}", "enterprise": f"S{i}", "gold_kg": 50}
             for i in range(11)]
    c = concentration(sites(*rows), 2026, by="enterprise")
    # Shares 45 % and 11 x 5 %: top ten = 45 + 9 x 5 = 90 %; HHI = 45^2 + 11 x 5^2 = 2300.
    assert c.producers == 12
    assert c.top10_share_pct == pytest.approx(90.0, rel=REL)
    assert c.hhi == pytest.approx(2300.0, rel=REL)


def test_concentration_by_province_and_without_producers() -> None:
    frame = sites({"year": 2026, "site": "A", "province": "Shandong", "gold_kg": 300},
                  {"year": 2026, "site": "B", "province": "Henan", "gold_kg": 100})
    # Shares 75 % and 25 %: HHI = 5625 + 625 = 6250.
    assert concentration(frame, 2026, by="province").hhi == pytest.approx(6250.0, rel=REL)
    empty = concentration(frame, 2030)
    assert (empty.producers, empty.hhi, empty.top10_share_pct) == (0, None, None)


# ---------------------------------------------------------------------------------------------
# Plant scale


def plants() -> pd.DataFrame:
    rows = [
        ("HL1", "heap_leach", 1500.0, "2025-06-15"),
        ("HL2", "heap_leach", 2000.0, "2025-06-15"),
        ("PP1", "processing_plant", 300.0, "2024-11-01"),  # before the floors apply
        ("CS1", "concentrate_smelter", 150.0, "2025-01-01"),  # on the effective date
        ("RF1", "refinery", 10.0, "2026-01-01"),  # refineries have no floor
        ("PP2", "processing_plant", np.nan, "2026-03-01"),
        ("PP3", "processing_plant", 100.0, None),  # commissioning date unknown
    ]
    return pd.DataFrame({
        "site": [r[0] for r in rows], "enterprise": "E1", "province": "Gansu",
        "site_type": [r[1] for r in rows], "daily_capacity_t": [r[2] for r in rows],
        "commissioned_on": [r[3] for r in rows],
    })


def test_plant_scale_compliance_lists_new_plants_below_their_floor() -> None:
    breaches = plant_scale_compliance(plants())
    # HL1: 2000 - 1500 = 500 t/d short; CS1: 200 - 150 = 50 t/d short.
    assert breaches["site"].tolist() == ["HL1", "CS1"]
    assert breaches["floor_t_per_day"].tolist() == [2000.0, 200.0]
    assert breaches["shortfall_t_per_day"].tolist() == [500.0, 50.0]
    assert set(breaches["status"]) == {BELOW_FLOOR}


def test_plant_scale_compliance_of_every_new_plant() -> None:
    assessed = plant_scale_compliance(plants(), include_compliant=True).set_index("site")
    assert sorted(assessed.index) == ["CS1", "HL1", "HL2", "PP2"]
    assert assessed.at["HL2", "status"] == COMPLIANT
    assert assessed.at["HL2", "shortfall_t_per_day"] == 0.0
    assert assessed.at["PP2", "status"] == CAPACITY_NOT_REPORTED
    assert assessed["shortfall_t_per_day"].isna().to_dict() == {
        "HL1": False, "CS1": False, "HL2": False, "PP2": True}


# ---------------------------------------------------------------------------------------------
# Validation


def raw(*lines: str) -> pd.DataFrame:
    """A frame of text cells as read from a CSV (header = KPI_COLUMNS)."""
    cells = [line.split(",") for line in lines]
    return pd.DataFrame(cells, columns=list(KPI_COLUMNS), dtype=str)


GOOD = "2024,E1,Shandong,A,mine,600,1000,100,5,10,50,20"


def problems_of(frame: pd.DataFrame) -> list[tuple[int | None, str | None]]:
    with pytest.raises(ValidationError) as info:
        validate_kpi_frame(frame, source="r.csv")
    assert all(p.source == "r.csv" for p in info.value.problems)
    return [(p.row, p.column) for p in info.value.problems]


def test_validation_types_the_frame_and_reads_empty_cells_as_not_reported() -> None:
    frame = validate_kpi_frame(raw(GOOD, "2025,E1,Shandong,A,mine, ,1000,, 5 ,10,50,20"))
    assert frame["year"].tolist() == [2024, 2025]
    assert frame["year"].dtype == np.int64
    assert frame[["daily_capacity_t", "gold_kg"]].isna().to_numpy().tolist() == [
        [False, False], [True, True]]
    assert frame.at[1, "silver_kg"] == 5.0
    assert frame["group"].tolist() == ["E1", "E1"]  # no group column: the enterprise


@pytest.mark.parametrize(("line", "column", "needle"), [
    ("2025,E1,Shandong,A,mine,600,1000,12 kg,5,10,50,20", "gold_kg", "expected a number in kg"),
    ("2025,E1,Shandong,A,mine,600,1000,100,-5,10,50,20", "silver_kg", ">= 0 kg, got -5"),
    ("2025,E1,Shandong,A,mill,600,1000,100,5,10,50,20", "site_type", "unknown site type 'mill'"),
    ("2025.5,E1,Shandong,A,mine,600,1000,100,5,10,50,20", "year", "whole number"),
    ("next,E1,Shandong,A,mine,600,1000,100,5,10,50,20", "year", "whole number"),
    (",E1,Shandong,A,mine,600,1000,100,5,10,50,20", "year", "expected a year"),
    ("2025,E1,Shandong,,mine,600,1000,100,5,10,50,20", "site", "expected site"),
    ("2025,E1,Shandong,A,mine,inf,1000,100,5,10,50,20", "daily_capacity_t", "in t/d"),
    ("2024,E1,Shandong,A,mine,600,1000,100,5,10,50,20", "site", "already on row 2"),
])
def test_validation_names_row_and_column(line: str, column: str, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        validate_kpi_frame(raw(GOOD, line), source="r.csv")
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.source) == (3, column, "r.csv")
    assert needle in problem.message


def test_validation_reports_every_problem_in_row_order() -> None:
    found = problems_of(raw(GOOD, "2025,E1,Shandong,A,mine,x,1000,100,-1,10,50,20",
                            "2026,E1,Shandong,B,pit,600,1000,100,5,10,50,20"))
    assert found == [(3, "daily_capacity_t"), (3, "silver_kg"), (4, "site_type")]


def test_validation_lists_missing_columns_on_row_1() -> None:
    frame = raw(GOOD).drop(columns=["gold_kg", "province"])
    assert problems_of(frame) == [(1, "province"), (1, "gold_kg")]


def test_read_kpi_csv_refuses_a_file_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(",".join(KPI_COLUMNS) + "\n")
    with pytest.raises(ValidationError, match="no data rows"):
        read_kpi_csv(path)


def test_read_kpi_csv_keeps_the_group_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join([*KPI_COLUMNS, "group"]) + "\n" + GOOD + ",G1\n"
                    + GOOD.replace(",A,", ",B,").replace("E1", "E2") + ",\n")
    frame = read_kpi_csv(path)
    assert frame["group"].tolist() == ["G1", "E2"]
    assert frame["gold_kg"].tolist() == [100.0, 100.0]
