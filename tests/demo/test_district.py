"""The demo district: determinism, calibration to the plan's figures, realism, imperfections."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd
import pytest

from aurum.core.errors import Problem
from aurum.core.periods import Period
from aurum.demo.district import (
    District,
    annual_mine_gold_kg,
    generate_district,
    large_mine_share,
    national_resources_t,
    waste_utilisation_rate,
)
from aurum.demo.records import (
    DATA_AS_OF,
    LARGE_MINE_TPD,
    MINE_GOLD_2024_KG,
    NEW_PLANT_FROM,
    PERIODS,
    PLANT_FLOORS_TPD,
)
from aurum.industry import aggregate, kpi
from aurum.industry.registry import (
    PROVINCES,
    MineMethod,
    OrgType,
    PlantType,
    SiteKind,
    SiteStatus,
    site_type,
)
from aurum.industry.reporting import (
    FIELD_BY_NAME,
    FIELDS,
    check_frame,
    mine_gold_kg,
    waste_column,
)
from aurum.industry.targets import load_targets


@pytest.fixture(scope="module")
def district() -> District:
    return generate_district()


def check_values(reports: Sequence[Mapping[str, float | None]]) -> list[list[Problem]]:
    """The problems :func:`aurum.industry.reporting.check_values` finds in each report, found
    for all at once (its rules are row by row, and one frame of two thousand reports costs
    what ten single ones do); each problem's row is its report's index."""
    frame = pd.DataFrame([{f.name: v.get(f.name) for f in FIELDS} for v in reports],
                         columns=[f.name for f in FIELDS], dtype=float)
    found: list[list[Problem]] = [[] for _ in reports]
    for problem in check_frame(frame, range(len(reports))):
        assert problem.row is not None
        found[problem.row].append(problem)
    return found


def _reporting_sites(d: District) -> list:
    return [s for s in d.sites if s.kind is not SiteKind.TAILINGS]


# --- determinism and speed ---------------------------------------------------------------------


def test_same_seed_gives_identical_district(district: District) -> None:
    again = generate_district(2025)
    assert again == district
    assert again.seed == 2025


def test_other_seed_gives_other_figures_on_the_same_registry(district: District) -> None:
    other = generate_district(7)
    assert other != district
    assert [s.code for s in other.sites] == [s.code for s in district.sites]
    ours = {(r.site_code, r.period): r.values for r in district.reports}
    changed = sum(r.values != ours.get((r.site_code, r.period)) for r in other.reports)
    assert changed > 0.95 * len(other.reports)


# --- registry ----------------------------------------------------------------------------------


def test_organisations(district: District) -> None:
    orgs = district.organisations
    codes = [o.code for o in orgs]
    assert len(set(codes)) == len(codes)
    groups = {o.code for o in orgs if o.org_type is OrgType.GROUP}
    enterprises = [o for o in orgs if o.org_type is not OrgType.GROUP]
    assert 6 <= len(groups) <= 10
    assert 50 <= len(enterprises) <= 70
    assert all(o.parent_code is None for o in orgs if o.code in groups)
    assert all(o.parent_code in groups for o in enterprises if o.parent_code is not None)
    assert sum(o.parent_code is not None for o in enterprises) >= 20
    types = Counter(o.org_type for o in enterprises)
    assert types[OrgType.MINING] > len(enterprises) / 2
    assert types[OrgType.PROCESSING] >= 2 and types[OrgType.SMELTING_REFINING] >= 3
    assert 2 <= types[OrgType.RECYCLING] <= 3 and 1 <= types[OrgType.NEW_MATERIALS] <= 2


def test_sites(district: District) -> None:
    sites = district.sites
    codes = [s.code for s in sites]
    assert len(set(codes)) == len(codes)
    assert 190 <= len(_reporting_sites(district)) <= 215
    tailings = [s for s in sites if s.kind is SiteKind.TAILINGS]
    assert 12 <= len(tailings) <= 18
    assert all(s.design_capacity_tpd is None for s in tailings)
    org_codes = {o.code for o in district.organisations}
    assert all(s.org_code in org_codes for s in sites)
    names = {s.name for s in sites}
    assert {"Sanshandao Mine", "Jiaojia Mine", "Zaozigou Mine", "Jiama Mine"} <= names
    assert next(s for s in sites if s.name == "Sanshandao Mine").code == "SD-SSD-01"


def test_provinces_and_coordinates(district: District) -> None:
    assert all(o.province in PROVINCES for o in district.organisations)
    assert all(s.province in PROVINCES for s in district.sites)
    assert all(73 < s.lon < 135 and 18 < s.lat < 54 for s in district.sites)
    jiaodong = next(s for s in district.sites if s.code == "SD-SSD-01")
    assert 119.5 < jiaodong.lon < 121 and 36.8 < jiaodong.lat < 37.8
    tibet = next(s for s in district.sites if s.name == "Jiama Mine")
    assert tibet.province == "Tibet" and tibet.lon < 95


def test_mine_capacities_and_depths(district: District) -> None:
    mines = [s for s in district.sites if s.kind is SiteKind.MINE]
    cap = [s.design_capacity_tpd or 0.0 for s in mines]
    small = [c for c in cap if c < LARGE_MINE_TPD]
    assert len(small) > len(cap) - len(small)  # many small mines, fewer large ones
    assert all(100 <= c <= 500 for c in small)
    assert 100 <= sum(s.mine_method is MineMethod.UNDERGROUND for s in mines
                      if (s.design_capacity_tpd or 0.0) < LARGE_MINE_TPD) <= 125
    assert all(c <= 30_000 for c in cap)
    underground = [s for s in mines if s.mine_method is MineMethod.UNDERGROUND]
    depths = [s.depth_m or 0.0 for s in underground]
    assert all(100 <= d <= 2000 for d in depths)
    assert 3 <= sum(d > 1000 for d in depths) <= len(depths) / 4
    open_pit = [s.design_capacity_tpd or 0.0 for s in mines if s.mine_method is MineMethod.OPEN_PIT]
    ug_cap = [s.design_capacity_tpd or 0.0 for s in underground]
    assert statistics.median(open_pit) > 3 * statistics.median(ug_cap)


def test_thresholds_match_the_shipped_plan_targets() -> None:
    targets = load_targets()
    assert targets.large_mine_capacity_t_per_day == LARGE_MINE_TPD
    assert dict(targets.plant_floors_t_per_day) == {k.value: v for k, v in PLANT_FLOORS_TPD.items()}
    assert targets.plant_floors_effective_from == NEW_PLANT_FROM


def test_new_plants_below_and_above_the_floors(district: District) -> None:
    new = [s for s in district.sites if s.kind is SiteKind.PLANT and s.commissioned_on
           and s.commissioned_on >= NEW_PLANT_FROM and s.plant_type in PLANT_FLOORS_TPD]
    below = [s for s in new if (s.design_capacity_tpd or 0.0) < PLANT_FLOORS_TPD[s.plant_type]]
    assert 3 <= len(below) <= 4
    assert {s.plant_type for s in below} == set(PLANT_FLOORS_TPD)
    assert len(new) - len(below) >= 3
    assert all(s.commissioned_on and s.commissioned_on <= dt.date(2026, 9, 30) for s in new)


# --- reports -----------------------------------------------------------------------------------


def test_every_report_is_complete_valid_and_plausible(district: District) -> None:
    names = {f.name for f in FIELDS}
    for rows in (district.reports, district.amendments):
        problems = check_values([r.values for r in rows])
        for r, found in zip(rows, problems, strict=True):
            assert set(r.values) == names
            assert found == [], (r.site_code, r.period)
            for name, value in r.values.items():
                assert value is None or 0 <= value <= FIELD_BY_NAME[name].maximum, name


def test_rejected_uploads_fail_validation(district: District) -> None:
    assert len(district.rejected) >= 3
    stored = {(r.site_code, r.period) for r in district.reports}
    problems = check_values([r.values for r in district.rejected])
    for r, found in zip(district.rejected, problems, strict=True):
        assert found, r.reason
        assert r.reason and (r.site_code, r.period) in stored
    assert {p.column for found in problems for p in found} >= {
        "gold_own_mine_kg", waste_column("tailings", "generated_t"), "reserves_proved_t"}


def test_amendments_replace_earlier_reports(district: District) -> None:
    assert len(district.amendments) >= 3
    first = {(r.site_code, r.period): r for r in district.reports}
    for a in district.amendments:
        original = first[(a.site_code, a.period)]
        assert a.values != original.values and a.reason
        assert a.submitted_on > original.submitted_on


def test_periods_are_the_eleven_quarters(district: District) -> None:
    assert PERIODS[0] == "2024-Q1" and PERIODS[-1] == "2026-Q3" and len(PERIODS) == 11
    assert {r.period for r in district.reports} == set(PERIODS)
    keys = [(r.site_code, r.period) for r in district.reports]
    assert len(set(keys)) == len(keys)


def test_reports_come_from_operating_mines_and_plants_only(district: District) -> None:
    by_code = {s.code: s for s in district.sites}
    for code in {r.site_code for r in district.reports}:
        site = by_code[code]
        assert site.kind is not SiteKind.TAILINGS and site.status is SiteStatus.OPERATING
    operating = [s for s in _reporting_sites(district) if s.status is SiteStatus.OPERATING]
    expected = {(s.code, p) for s in operating for p in PERIODS
                if s.commissioned_on is None or s.commissioned_on <= Period.parse(p).end}
    reported = {(r.site_code, r.period) for r in district.reports}
    assert reported | set(district.missing) == expected
    assert not reported & set(district.missing)


def test_late_and_missing_reports(district: District) -> None:
    delays = [(r.submitted_on - Period.parse(r.period).end).days for r in district.reports]
    late = [d for d in delays if d > 30]
    assert 5 <= len(late) <= 0.03 * len(delays)
    assert all(5 <= d <= 25 for d in delays if d <= 30)
    assert 3 <= len(district.missing) <= 20


def test_production_is_physically_consistent(district: District) -> None:
    sites = {s.code: s for s in district.sites}
    ug_grades, op_grades = [], []
    for r in district.reports:
        site, v = sites[r.site_code], r.values
        if site.kind is not SiteKind.MINE:
            continue
        days = (Period.parse(r.period).end - Period.parse(r.period).start).days + 1
        ore, capacity = v["ore_treated_t"] or 0.0, site.design_capacity_tpd or 0.0
        assert ore <= capacity * days + 0.5
        if site.commissioned_on and site.commissioned_on < dt.date(2024, 1, 1):
            assert ore >= 0.69 * capacity * days
        tailings = v[waste_column("tailings", "generated_t")] or 0.0
        assert 0.9 * ore <= tailings <= ore + 1
        if site.mine_method is MineMethod.UNDERGROUND:
            ug_grades.append(v["head_grade_gpt"] or 0.0)
        elif site.mine_method is MineMethod.OPEN_PIT:
            op_grades.append(v["head_grade_gpt"] or 0.0)
            assert (v[waste_column("waste_rock", "generated_t")] or 0.0) > ore
    assert statistics.median(ug_grades) > 2 * statistics.median(op_grades)
    assert min(op_grades) >= 0.1 and max(ug_grades) <= 12


def test_first_quarter_is_seasonally_low(district: District) -> None:
    def ore(period: str) -> float:
        return sum(r.values["ore_treated_t"] or 0.0 for r in district.reports
                   if r.period == period)

    assert ore("2025-Q1") < 0.95 * ore("2025-Q2")


# --- national figures against the plan ---------------------------------------------------------


def test_2024_mine_gold_is_the_plans_377_t(district: District) -> None:
    assert annual_mine_gold_kg(district, 2024) == pytest.approx(MINE_GOLD_2024_KG, rel=0.005)
    assert MINE_GOLD_2024_KG == 377_000


def test_mine_gold_grows_about_two_percent_a_year(district: District) -> None:
    growth = annual_mine_gold_kg(district, 2025) / annual_mine_gold_kg(district, 2024) - 1
    assert 0.015 < growth < 0.03

    def quarters_1_to_3(year: int) -> float:
        return sum(mine_gold_kg(v) for (_, p), v in district.current_values().items()
                   if p in {f"{year}-Q1", f"{year}-Q2", f"{year}-Q3"})

    assert 0.01 < quarters_1_to_3(2026) / quarters_1_to_3(2025) - 1 < 0.03


def test_resources_grow(district: District) -> None:
    start = national_resources_t(district, "2024-Q4")
    assert 3_000 < start < 20_000
    assert 0.02 <= national_resources_t(district, "2026-Q3") / start - 1 <= 0.10


def test_waste_utilisation_rises_from_28_percent(district: District) -> None:
    rates = [waste_utilisation_rate(district, y) for y in (2024, 2025, 2026)]
    assert 0.25 <= rates[0] <= 0.31
    assert rates[0] < rates[1] < rates[2] <= 0.36


def test_large_mine_share_rises_from_about_63_percent(district: District) -> None:
    shares = [large_mine_share(district, y) for y in (2024, 2025, 2026)]
    assert 0.62 <= shares[0] <= 0.65
    assert shares[0] < shares[1] < shares[2] < 0.70
    assert all(0.004 < b - a < 0.015 for a, b in itertools.pairwise(shares))


def test_large_mine_share_counts_mine_sites_only(district: District) -> None:
    mines = {s.code: (s.design_capacity_tpd or 0.0) >= LARGE_MINE_TPD
             for s in district.sites if s.kind is SiteKind.MINE}
    rows = [(mines.get(site), mine_gold_kg(v))
            for (site, p), v in district.current_values().items() if p.startswith("2024-")]
    large = sum(g for is_large, g in rows if is_large)
    of_mines = sum(g for is_large, g in rows if is_large is not None)
    assert large_mine_share(district, 2024) == pytest.approx(large / of_mines)
    # Plants, heap leaches and smelters carry a modest part of the national mine gold.
    assert 0.10 <= 1 - of_mines / annual_mine_gold_kg(district, 2024) <= 0.15


def test_silver_grows_like_gold(district: District) -> None:
    def silver(year: int) -> float:
        return sum(v["silver_kg"] or 0.0 for (_, p), v in district.current_values().items()
                   if p.startswith(f"{year}-"))

    assert 0.02 <= silver(2025) / silver(2024) - 1 <= 0.03


def _kpi_frame(d: District) -> pd.DataFrame:
    """Annual site rows built the way ``services.monitor.kpi_frame`` builds them."""
    reports = pd.DataFrame([{"site": site, "period": period, **values}
                            for (site, period), values in d.current_values().items()])
    reports = reports.astype({f.name: float for f in FIELDS})
    orgs = {o.code: o for o in d.organisations}

    def group(org_code: str) -> str:
        parent = orgs[org_code].parent_code
        return orgs[parent].name if parent else orgs[org_code].name

    sites = pd.DataFrame([{
        "site": s.code, "enterprise": orgs[s.org_code].name, "group": group(s.org_code),
        "province": s.province, "site_type": site_type(s.kind, s.plant_type),
        "daily_capacity_t": s.design_capacity_tpd} for s in d.sites])
    return aggregate.annual_site_rows(reports, sites)


def test_kpi_engine_sees_the_calibrated_indicators(district: District) -> None:
    frame = _kpi_frame(district)
    assert set(frame["site_type"]) == {"mine", *(p.value for p in PlantType)}
    report = kpi.compute_indicators(frame, 2025)
    gold = report.indicator("gold_output_growth_pct")
    assert gold.baseline == pytest.approx(MINE_GOLD_2024_KG, rel=0.005)
    assert gold.value is not None and 1.5 <= gold.value <= 2.5
    share = report.indicator("large_mine_output_share_pct")
    assert share.value is not None and 62 <= share.value <= 67
    assert share.baseline == pytest.approx(100 * large_mine_share(district, 2024))
    assert share.status is not kpi.Status.ON_TRACK
    waste = report.indicator("solid_waste_utilisation_pct")
    assert waste.value is not None and 30 <= waste.value <= 33
    silver = report.indicator("silver_output_growth_pct")
    assert silver.value is not None and 2 <= silver.value <= 3


@pytest.mark.parametrize("seed", [42, 314])
def test_calibration_holds_for_other_seeds(seed: int) -> None:
    d = generate_district(seed)
    assert annual_mine_gold_kg(d, 2024) == pytest.approx(MINE_GOLD_2024_KG, rel=0.005)
    share_2024 = large_mine_share(d, 2024)
    assert 0.62 <= share_2024 <= 0.65 and large_mine_share(d, 2025) > share_2024
    assert 0.25 <= waste_utilisation_rate(d, 2024) <= 0.31
    growth = national_resources_t(d, "2026-Q3") / national_resources_t(d, "2024-Q4") - 1
    assert 0.02 <= growth <= 0.10
    assert all(found == [] for found in check_values([r.values for r in d.reports]))
    assert all(check_values([r.values for r in d.rejected]))


def test_no_submission_after_the_extraction_date() -> None:
    district = generate_district()
    days = [r.submitted_on for r in district.reports] + [
        a.submitted_on for a in district.amendments]
    assert max(days) <= DATA_AS_OF
