"""Monthly plant records of the demo district: exact sums to the quarterly reports, continuity
of stocks and inventories, the ledger and account contracts, the circuit surveys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import NotFoundError
from aurum.demo.district import District, generate_district, waste_utilisation_rate
from aurum.demo.plants import (
    ACCOUNT_COLUMNS,
    INVENTORY_DAYS,
    LEDGER_COLUMNS,
    PLANTED_GROSS_ERROR,
    PRECISION_PCT,
    SHOWCASE_PLANT_TYPE,
    UNACCOUNTED_LOSS,
    _split,
    monthly_circuit_surveys,
    monthly_metal_accounts,
    monthly_waste_ledger,
    planted_error_month,
    showcase_plant,
)
from aurum.industry.registry import PlantType, SiteKind, SiteStatus
from aurum.industry.reporting import WASTE_ROUTES, WASTE_TYPES, waste_column
from aurum.processing.accounting import metal_accounts
from aurum.processing.circuit import circuit_from_mapping
from aurum.processing.reconcile import reconcile
from aurum.processing.waste import validate_ledger

ROUTE_COLUMNS = [f"utilised_{r}_t" for r in WASTE_ROUTES]
Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def district() -> District:
    return generate_district(2025)


@pytest.fixture(scope="module")
def ledger(district: District) -> pd.DataFrame:
    return monthly_waste_ledger(district, rng_seed=11)


@pytest.fixture(scope="module")
def accounts(district: District) -> pd.DataFrame:
    return monthly_metal_accounts(district, rng_seed=11)


@pytest.fixture(scope="module")
def reports(district: District) -> pd.DataFrame:
    """Figures in force, one row per site-quarter."""
    values = district.current_values()
    frame = pd.DataFrame.from_records(list(values.values())).astype(float)
    frame.insert(0, "site", [s for s, _ in values])
    frame.insert(1, "quarter", [p for _, p in values])
    return frame


def quarter_of(months: pd.Series) -> pd.Series:
    return months.str[:4] + "-Q" + ((months.str[5:].astype(int) - 1) // 3 + 1).astype(str)


def month_ordinal(months: pd.Series) -> np.ndarray:
    return (months.str[:4].astype(int) * 12 + months.str[5:].astype(int)).to_numpy()


# --- largest-remainder split -------------------------------------------------------------------


def test_split_is_the_largest_remainder_method() -> None:
    # 10 over equal thirds: 3.33 each, the first (stable order) takes the spare tonne;
    # 7 over 0.5/0.3/0.2: 3.5, 2.1, 1.4 -> 3, 2, 1 + 1 to the largest remainder (0.5).
    out = _split(np.array([10.0, 7.0, 0.0, 5.0]),
                 np.array([[1.0, 1.0, 1.0], [5.0, 3.0, 2.0], [0.0, 0.0, 0.0], [0.0, 2.0, 2.0]]))
    np.testing.assert_array_equal(out, [[4, 3, 3], [4, 2, 1], [0, 0, 0], [0, 3, 2]])


# --- solid-waste ledger ------------------------------------------------------------------------


def test_ledger_contract_and_validation(ledger: pd.DataFrame) -> None:
    assert tuple(ledger.columns) == LEDGER_COLUMNS
    checked = validate_ledger(ledger, source="demo ledger")
    assert len(checked) == len(ledger) > 10_000
    tonnes = ledger[["generated_t", "opening_stock_t", *ROUTE_COLUMNS]].to_numpy()
    np.testing.assert_array_equal(tonnes, np.round(tonnes))  # whole tonnes
    assert (ledger["disposed_t"] == 0).all()
    assert ledger["period"].str.fullmatch(r"20\d\d-(0[1-9]|1[0-2])").all()
    assert not ledger.duplicated(["plant", "period", "waste_type"]).any()
    utilised = ledger[ROUTE_COLUMNS].sum(axis=1)
    np.testing.assert_array_equal(ledger["utilised_from_stock_t"],
                                  np.maximum(utilised - ledger["generated_t"], 0.0))
    assert (ledger["utilised_from_stock_t"] > 0).any()  # some months draw on storage


def test_ledger_months_sum_exactly_to_the_quarters(ledger: pd.DataFrame,
                                                   reports: pd.DataFrame) -> None:
    measures = ["generated_t", "stock_t", *(f"used_{r}_t" for r in WASTE_ROUTES)]
    expected = pd.concat(
        [reports[["site", "quarter"]].assign(
            waste_type=w, **{m: reports[waste_column(w, m)] for m in measures})
         for w in WASTE_TYPES], ignore_index=True).dropna(subset=["generated_t"])
    months = ledger.assign(quarter=quarter_of(ledger["period"]))
    keys = ["plant", "quarter", "waste_type"]
    sums = months.groupby(keys)[["generated_t", *ROUTE_COLUMNS]].sum()
    first = months.groupby(keys)["opening_stock_t"].first()
    expected = expected.rename(columns={"site": "plant"}).set_index(keys).sort_index()
    assert sums.index.equals(expected.index)  # every type of every report, nothing else
    np.testing.assert_array_equal(sums["generated_t"], expected["generated_t"])
    for route, column in zip(WASTE_ROUTES, ROUTE_COLUMNS, strict=True):
        np.testing.assert_array_equal(sums[column], expected[f"used_{route}_t"].fillna(0.0))
    np.testing.assert_array_equal(first, expected["stock_t"].fillna(0.0))


def test_ledger_stock_carries_from_month_to_month(ledger: pd.DataFrame) -> None:
    frame = ledger.sort_values(["plant", "waste_type", "period"], kind="stable")
    closing = (frame["opening_stock_t"] + frame["generated_t"]
               - frame[ROUTE_COLUMNS].sum(axis=1) - frame["disposed_t"]).to_numpy()
    month = month_ordinal(frame["period"])
    same = ((frame["plant"].to_numpy()[1:] == frame["plant"].to_numpy()[:-1])
            & (frame["waste_type"].to_numpy()[1:] == frame["waste_type"].to_numpy()[:-1])
            & (month[1:] == month[:-1] + 1))
    assert same.sum() > 10_000  # across quarter ends too
    np.testing.assert_array_equal(frame["opening_stock_t"].to_numpy()[1:][same],
                                  closing[:-1][same])
    assert closing.min() >= 0


def test_cyanide_residue_status(ledger: pd.DataFrame) -> None:
    residue = ledger["waste_type"] == "cyanide_residue"
    to_detox_routes = ledger[["utilised_backfill_t", "utilised_building_materials_t"]].sum(
        axis=1) > 0
    assert (ledger.loc[residue & to_detox_routes, "detox_status"] == "detoxified").all()
    assert (residue & to_detox_routes).sum() > 0
    assert ledger.loc[residue, "detox_status"].isin(["detoxified", "untreated"]).all()
    assert (ledger.loc[~residue, "detox_status"] == "").all()


@pytest.mark.parametrize("year", [2024, 2025])
def test_national_utilisation_of_the_ledger_is_the_reports(district: District,
                                                           ledger: pd.DataFrame,
                                                           year: int) -> None:
    rows = ledger[ledger["period"].str.startswith(f"{year}-")]
    rate = rows[ROUTE_COLUMNS].to_numpy().sum() / rows["generated_t"].sum()
    assert rate == pytest.approx(waste_utilisation_rate(district, year), rel=1e-12, abs=0)


def test_missing_quarters_and_months_before_commissioning_are_absent(
        district: District, ledger: pd.DataFrame, accounts: pd.DataFrame) -> None:
    assert district.missing
    for frame, site in ((ledger, "plant"), (accounts, "site")):
        keys = set(zip(frame[site], quarter_of(frame["period"]), strict=True))
        assert not keys & set(district.missing)
    first = ledger.groupby("plant")["period"].min()
    commissioned = {s.code: s.commissioned_on for s in district.sites}
    late = [(c, first[c]) for c in first.index
            if commissioned[c] is not None and commissioned[c] > dt.date(2024, 1, 1)]
    assert len(late) >= 5  # new plants and mines
    for code, month in late:
        assert month == commissioned[code].strftime("%Y-%m"), code


# --- metal accounts ----------------------------------------------------------------------------


def test_accounts_sum_exactly_to_the_quarters(accounts: pd.DataFrame,
                                              reports: pd.DataFrame) -> None:
    assert tuple(accounts.columns) == ACCOUNT_COLUMNS
    gold = ["gold_own_mine_kg", "gold_associated_kg", "gold_imported_kg"]
    q = reports[(reports["ore_treated_t"] > 0) & (reports[gold].fillna(0).sum(axis=1) > 0)]
    q = q.set_index(["site", "quarter"]).sort_index()
    months = accounts.assign(quarter=quarter_of(accounts["period"]))
    sums = months.groupby(["site", "quarter"])[["ore_treated_t", "check_in_g", "products_g"]]
    sums = sums.sum()
    assert sums.index.equals(q.index)
    assert len(q) > 1500
    np.testing.assert_array_equal(accounts["ore_treated_t"], np.round(accounts["ore_treated_t"]))
    np.testing.assert_array_equal(sums["ore_treated_t"], q["ore_treated_t"])
    np.testing.assert_allclose(sums["check_in_g"] / sums["ore_treated_t"], q["head_grade_gpt"],
                               rtol=1e-9, atol=0)
    np.testing.assert_allclose(sums["products_g"], 1000 * q[gold].fillna(0).sum(axis=1),
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(accounts["check_in_g"],
                               accounts["ore_treated_t"] * accounts["head_grade_gpt"],
                               rtol=1e-15)
    shares = months.groupby(["site", "quarter"])[
        ["share_own_mine", "share_associated", "share_imported"]].agg(["min", "max"])
    total = q[gold].fillna(0).sum(axis=1)
    for col, field in zip(("share_own_mine", "share_associated", "share_imported"), gold,
                          strict=True):
        np.testing.assert_allclose(shares[(col, "min")], q[field].fillna(0) / total, rtol=1e-12)
        np.testing.assert_array_equal(shares[(col, "min")], shares[(col, "max")])
    np.testing.assert_allclose(accounts[["share_own_mine", "share_associated",
                                         "share_imported"]].sum(axis=1), 1.0, rtol=1e-12)
    # Month grades vary a little around the quarter's.
    ratio = months["head_grade_gpt"] / months.groupby(["site", "quarter"])[
        "head_grade_gpt"].transform("mean")
    assert 0.005 < ratio.std() < 0.06 and ratio.between(0.8, 1.2).all()


def test_inventory_continuity_and_size(district: District, accounts: pd.DataFrame) -> None:
    frame = accounts.sort_values(["site", "period"], kind="stable")
    month = month_ordinal(frame["period"])
    follows = ((frame["site"].to_numpy()[1:] == frame["site"].to_numpy()[:-1])
               & (month[1:] == month[:-1] + 1))
    assert follows.sum() > 5000
    np.testing.assert_array_equal(frame["opening_g"].to_numpy()[1:][follows],
                                  frame["closing_g"].to_numpy()[:-1][follows])
    # Gold in circuit of full months: about 1-3 days of feed (+-25 % month to month, and a
    # month's change bounded by the quarter's losses).
    old = {s.code for s in district.sites
           if s.commissioned_on is not None and s.commissioned_on < dt.date(2024, 1, 1)}
    full = frame[frame["site"].isin(old)]
    days = pd.PeriodIndex(full["period"], freq="M").days_in_month.to_numpy()
    held = full["closing_g"] / (full["check_in_g"] / days)
    lo, hi = INVENTORY_DAYS
    assert held.between(0.5 * lo, 1.5 * hi).all()
    assert held.median() == pytest.approx((lo + hi) / 2, rel=0.15)


def test_accounts_close_through_the_p754_engine(accounts: pd.DataFrame) -> None:
    assert (accounts["tailings_g"] >= 0).all() and (accounts["products_g"] > 0).all()
    result = metal_accounts(accounts)
    implied = (accounts["products_g"] + accounts["closing_g"] - accounts["opening_g"]) \
        / accounts["check_in_g"]
    np.testing.assert_allclose(result["recovery"], implied, rtol=1e-12)
    assert result["recovery"].between(0.5, 0.995).all()
    # The true unaccounted gold: 0.1-0.5 % of check-in, either sign.
    pct = result["unaccounted_pct"].abs()
    assert pct.max() <= 100 * UNACCOUNTED_LOSS[1] + 1e-9
    assert (pct >= 100 * UNACCOUNTED_LOSS[0] - 1e-9).mean() > 0.99
    assert 0.3 < (result["unaccounted_pct"] > 0).mean() < 0.7
    # Within the precision of the measurements: (almost) never significant.
    assert result["significant"].mean() < 0.05
    for term, key in (("check_in", "check_in"), ("products", "products"),
                      ("tailings", "tailings"), ("opening", "inventory"),
                      ("closing", "inventory")):
        np.testing.assert_allclose(accounts[f"{term}_sd_g"],
                                   accounts[f"{term}_g"] * PRECISION_PCT[key] / 100 / Z95,
                                   rtol=1e-12)


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_same_records(district: District, ledger: pd.DataFrame,
                                accounts: pd.DataFrame) -> None:
    # How fast: benchmarks/bench_demo.py.
    again_ledger = monthly_waste_ledger(district, rng_seed=11)
    again_accounts = monthly_metal_accounts(district, rng_seed=11)
    pd.testing.assert_frame_equal(again_ledger, ledger)
    pd.testing.assert_frame_equal(again_accounts, accounts)
    other = monthly_waste_ledger(district, rng_seed=12)
    assert not other["generated_t"].equals(ledger["generated_t"])
    pd.testing.assert_frame_equal(  # other months, same quarters
        other.assign(q=quarter_of(other["period"])).groupby(["plant", "q", "waste_type"])[
            ["generated_t", *ROUTE_COLUMNS]].sum(),
        ledger.assign(q=quarter_of(ledger["period"])).groupby(["plant", "q", "waste_type"])[
            ["generated_t", *ROUTE_COLUMNS]].sum())


# --- circuit surveys ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def showcase(district: District) -> str:
    return showcase_plant(district)


@pytest.fixture(scope="module")
def surveys(district: District, showcase: str) -> dict:
    return monthly_circuit_surveys(district, showcase, rng_seed=11)


def test_showcase_is_the_largest_cyanide_plant(district: District, showcase: str) -> None:
    assert SHOWCASE_PLANT_TYPE is PlantType.PROCESSING_PLANT
    values = district.current_values()
    cil = {s for (s, _), v in values.items() if (v["cyanide_consumed_t"] or 0) > 0}
    plants = sorted(((s.design_capacity_tpd, s.code) for s in district.sites
                     if s.kind is SiteKind.PLANT and s.plant_type is PlantType.PROCESSING_PLANT
                     and s.status is SiteStatus.OPERATING and s.code in cil
                     and s.commissioned_on is not None
                     and s.commissioned_on < dt.date(2024, 1, 1)), reverse=True)
    assert len(plants) >= 5 and showcase == plants[0][1]
    assert showcase_plant(district) == showcase


def test_one_survey_per_account_month_at_its_throughput(accounts: pd.DataFrame, showcase: str,
                                                        surveys: dict) -> None:
    own = accounts[accounts["site"] == showcase]
    assert list(surveys) == own["period"].tolist() and len(surveys) == 33
    bad = planted_error_month(list(surveys), 11)
    for month, data in surveys.items():
        circuit = circuit_from_mapping(data, source=month)
        assert len(circuit.streams) == 16
        row = own[own["period"] == month].iloc[0]
        days = pd.Period(month, freq="M").days_in_month
        ore, ore_sd = data["measurements"]["ore"]["mass"]
        # The first month may be a part month (fewer days operated); the planted month is
        # checked by reconciliation.
        if month not in (own["period"].iloc[0], bad):
            assert abs(ore - row["ore_treated_t"] / days) < 4 * ore_sd
        grade, grade_sd = data["measurements"]["ore"]["assays"]["Au"]
        assert abs(grade - row["head_grade_gpt"]) < 4 * grade_sd


def test_reconciliation_of_clean_and_planted_months(accounts: pd.DataFrame, showcase: str,
                                                    surveys: dict) -> None:
    months = list(surveys)
    bad = planted_error_month(months, 11)
    clean = [m for m in months if m != bad][-2:]
    own = accounts[accounts["site"] == showcase].set_index("period")
    for month in clean:
        result = reconcile(circuit_from_mapping(surveys[month]))
        assert result.gross_errors == () and result.p_value > 0.01
        # The circuit's recovery is the month's actual recovery, within the survey's precision.
        j = {s: i for i, s in enumerate(result.streams)}
        recovery = result.metal[j["bullion"], 0] / result.metal[j["ore"], 0]
        row = own.loc[month]
        account = (row["products_g"] + row["closing_g"] - row["opening_g"]) / row["check_in_g"]
        assert recovery == pytest.approx(account, abs=0.03)
    result = reconcile(circuit_from_mapping(surveys[bad]))
    stream, field, factor = PLANTED_GROSS_ERROR
    assert [(g.stream, g.field) for g in result.gross_errors] == [(stream, field)]
    error = result.gross_errors[0]
    true_ore = own.loc[bad, "ore_treated_t"] / pd.Period(bad, freq="M").days_in_month
    assert error.value == pytest.approx(factor * true_ore, rel=0.06)
    assert error.estimate == pytest.approx(true_ore, rel=0.04)
    assert result.p_value > 0.01


def test_surveys_are_seeded(district: District, showcase: str, surveys: dict) -> None:
    assert monthly_circuit_surveys(district, showcase, rng_seed=11) == surveys
    other = monthly_circuit_surveys(district, showcase, rng_seed=12)
    assert list(other) == list(surveys) and other != surveys


def test_survey_of_a_site_without_accounts_is_refused(district: District) -> None:
    refinery = next(s.code for s in district.sites if s.plant_type is PlantType.REFINERY)
    with pytest.raises(NotFoundError, match=refinery):
        monthly_circuit_surveys(district, refinery)
    with pytest.raises(NotFoundError, match="XX-NONE-01"):
        monthly_circuit_surveys(district, "XX-NONE-01")
