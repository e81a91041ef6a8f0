"""Processing plants in the store: circuit versions, metal accounts with locked month
closings and their hash chain, the append-only waste ledger, and the figures carried into the
statistical report and the 35 % indicator."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from aurum.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from aurum.processing.examples import gold_plant
from aurum.services import monitor, processing, reporting
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import MetalAccount, PlantCircuit, WasteEntry
from tests.factories import Registry
from tests.store.tamper import drop_append_only_triggers

PLANT = "SD-A-02"
MONTHS = ("2025-07", "2025-08", "2025-09")


def _accounts(months: tuple[str, ...] = MONTHS) -> pd.DataFrame:
    ore = [10_000.0, 12_000.0, 11_000.0]
    grade = [3.0, 2.5, 2.8]
    check_in = [o * g for o, g in zip(ore, grade, strict=True)]
    products = [0.9 * c for c in check_in]
    opening = [500.0, 520.0, 480.0]
    closing = [520.0, 480.0, 510.0]
    tailings = [c - p - (cl - op) - 30.0 for c, p, op, cl in
                zip(check_in, products, opening, closing, strict=True)]
    return pd.DataFrame({"site": PLANT, "period": months[:3], "ore_treated_t": ore,
                         "head_grade_gpt": grade, "check_in_g": check_in,
                         "check_in_sd_g": [0.0125 * c for c in check_in],
                         "products_g": products, "products_sd_g": 1.0,
                         "tailings_g": tailings, "tailings_sd_g": 50.0,
                         "opening_g": opening, "opening_sd_g": 25.0,
                         "closing_g": closing, "closing_sd_g": 25.0,
                         "share_own_mine": 0.8, "share_associated": 0.2})


def _waste(months: tuple[str, ...] = MONTHS) -> pd.DataFrame:
    rows = []
    stock = 5_000.0
    for m, gen, back, build in zip(months, (9_000.0, 11_000.0, 10_000.0),
                                   (3_000.0, 3_500.0, 4_000.0), (200.0, 0.0, 300.0),
                                   strict=True):
        rows.append({"plant": PLANT, "period": m, "waste_type": "tailings",
                     "generated_t": gen, "opening_stock_t": stock if m == months[0] else "",
                     "utilised_backfill_t": back, "utilised_building_materials_t": build})
        stock += gen - back - build
    rows.append({"plant": PLANT, "period": months[1], "waste_type": "cyanide_residue",
                 "generated_t": 400.0, "opening_stock_t": 0.0,
                 "utilised_metal_recovery_t": 100.0, "detox_status": "untreated"})
    return pd.DataFrame(rows)


def test_a_circuit_is_versioned_and_reconciled_when_saved(platform: Platform,
                                                          reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        first = processing.save_circuit(s, reg.ent_a, PLANT, "CIL", gold_plant(seed=3),
                                        period="2025-07")
        second = processing.save_circuit(s, reg.ent_a, PLANT, "CIL",
                                         gold_plant(seed=4, errors={("cil_tails", "Au"): 3.0}),
                                         period="2025-08", note="tails assay suspect")
        assert (first.version, second.version) == (1, 2)
        assert first.reconciliation is not None and second.reconciliation is not None
        summary = second.reconciliation["summary"]
        assert "cil_tails" in summary["gross_errors"]
        assert summary["max_relative_imbalance"] < 1e-6
        flagged = [v for v in second.reconciliation["variables"] if v["gross_error"]]
        assert {(v["stream"], v["field"]) for v in flagged} == {("cil_tails", "Au")}
    with platform.sessions() as s:
        names = [(c.name, c.version) for c in processing.circuits(s, reg.regulator, PLANT)]
        assert names == [("CIL", 1), ("CIL", 2)]
        with pytest.raises(NotFoundError):
            processing.circuits(s, reg.ent_b, PLANT)


def test_a_bad_circuit_saves_nothing(platform: Platform, reg: Registry) -> None:
    bad = gold_plant(seed=3)
    bad["streams"] = [*bad["streams"], {"name": "leak", "from": "cil", "to": "nowhere"}]
    with pytest.raises(ValidationError, match="nowhere"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.save_circuit(s, reg.ent_a, PLANT, "CIL", bad)
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(PlantCircuit)) == 0


def test_month_closing_locks_and_chains_the_accounts(platform: Platform,
                                                     reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, _accounts(), source="july-sept.csv")
        processing.close_months(s, reg.ent_a, PLANT, MONTHS[:2])
    with platform.sessions() as s:
        frame = processing.accounts(s, reg.ent_a, PLANT).set_index("period")
        # Closed form: unaccounted = in - products - tailings - (closing - opening) = 30 g.
        assert frame["unaccounted_g"].to_numpy() == pytest.approx([30.0] * 3)
        july = frame.loc["2025-07"]
        assert july["recovery"] == pytest.approx((27_000 + 20) / 30_000)
        sd = (0.0125 * 30_000) ** 2 + 1 + 50 ** 2 + 2 * 25 ** 2
        assert july["unaccounted_sd_g"] == pytest.approx(sd ** 0.5)
        assert frame["sha256"].notna().tolist() == [True, True, False]
        assert processing.verify_closings(s, reg.auditor, PLANT) == []
    # A closed month changes only by an amendment with a reason.
    with pytest.raises(ValidationError, match="closed: an amendment needs a reason"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, _accounts().iloc[:1])
    with pytest.raises(ConflictError), transaction(platform.sessions,
                                                   reg.ent_a.user_id) as s:
        processing.close_months(s, reg.ent_a, PLANT, ["2025-07"])
    # No month named is a problem of the request, not an empty closing (once a 409 from the
    # database's refusal of a closing row with no month).
    with pytest.raises(ValidationError, match="name at least one month"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.close_months(s, reg.ent_a, PLANT, [])
    amended = _accounts().iloc[:1].assign(products_g=27_010.0, tailings_g=2_940.0)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, amended, reason="bullion re-assayed")
        processing.close_months(s, reg.ent_a, PLANT, ["2025-07", "2025-09"])
    with platform.sessions() as s:
        history = processing.accounts(s, reg.ent_a, PLANT, history=True)
        july = history[history["period"] == "2025-07"]
        assert july["version"].tolist() == [1, 2]
        assert july["reason"].tolist()[1] == "bullion re-assayed"
        assert processing.verify_closings(s, reg.auditor, PLANT) == []
    # An account changed behind the service's back breaks the chain.
    with platform.engine.begin() as conn:
        drop_append_only_triggers(conn, ["metal_accounts"])
        conn.execute(update(MetalAccount).where(MetalAccount.period == "2025-08")
                     .values(products_g=1.0))
    with platform.sessions() as s:
        broken = processing.verify_closings(s, reg.auditor, PLANT)
        assert broken == ["closing of 2025-08: the account differs from what was closed"]


def test_bad_accounts_name_row_and_field_and_write_nothing(platform: Platform,
                                                          reg: Registry) -> None:
    bad = _accounts()
    bad.loc[1, "tailings_g"] = -5.0
    bad.loc[2, "period"] = "2025-Q3"
    bad.loc[0, "share_associated"] = 0.5
    with pytest.raises(ValidationError) as info, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, bad, source="bad.csv")
    text = str(info.value)
    assert "row 3" in text and "tailings_g" in text
    assert "row 4" in text and "expected a month" in text
    assert "row 2" in text and "shares sum to 1.3" in text
    with pytest.raises(PermissionDenied, match="cannot write"), \
            transaction(platform.sessions, reg.regulator.user_id) as s:
        processing.record_accounts(s, reg.regulator, _accounts())
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MetalAccount)) == 0


def test_the_waste_ledger_chains_stock_and_keeps_corrections(platform: Platform,
                                                             reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_waste(s, reg.ent_a, _waste(), source="waste.csv")
    with platform.sessions() as s:
        ledger = processing.waste_ledger(s, reg.ent_a).set_index(["period", "waste_type"])
        tails = ledger.xs("tailings", level="waste_type")
        assert tails["opening_stock_t"].tolist() == [5_000.0, 10_800.0, 18_300.0]
        assert tails["closing_stock_t"].tolist() == [10_800.0, 18_300.0, 24_000.0]
        assert ledger.loc[("2025-07", "tailings"), "enterprise"] == "ENT-A"
    wrong = _waste().iloc[[1]].assign(period="2025-10", opening_stock_t=1_000.0)
    with pytest.raises(ValidationError, match=r"differs from the closing stock 24,000\.0 t"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_waste(s, reg.ent_a, wrong)
    fix = _waste().iloc[[3]].assign(utilised_metal_recovery_t=150.0)
    with pytest.raises(ValidationError, match="correction needs a reason"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_waste(s, reg.ent_a, fix)
    residue_backfill = _waste().iloc[[3]].assign(period="2025-09", utilised_backfill_t=10.0)
    with pytest.raises(ValidationError, match="HJ 943-2018"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_waste(s, reg.ent_a, residue_backfill)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_waste(s, reg.ent_a, fix, reason="weighbridge ticket found")
    with platform.sessions() as s:
        ledger = processing.waste_ledger(s, reg.regulator)
        residue = ledger[ledger["waste_type"] == "cyanide_residue"]
        assert residue["utilised_metal_recovery_t"].tolist() == [150.0]
        assert s.scalar(select(func.count()).select_from(WasteEntry)) == 5
        rate = processing.waste_utilisation(s, reg.regulator, "nation", ("year",))
        utilised = 3_200 + 3_500 + 4_300 + 150
        assert rate["utilisation_rate"].iloc[0] == pytest.approx(utilised / 30_400)
        assert processing.waste_ledger(s, reg.ent_b, [PLANT]).empty


def test_records_carry_into_the_report_and_the_waste_indicator(platform: Platform,
                                                               reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, _accounts())
        processing.record_waste(s, reg.ent_a, _waste())
        figures = processing.report_figures(s, reg.ent_a, PLANT, "2025-Q3")
        assert figures.complete
        v = figures.values
        assert v["ore_treated_t"] == 33_000.0
        assert v["head_grade_gpt"] == pytest.approx((30_000 + 30_000 + 30_800) / 33_000)
        gold_kg = 0.9 * 90_800 / 1000
        assert v["gold_own_mine_kg"] == pytest.approx(0.8 * gold_kg)
        assert v["gold_associated_kg"] == pytest.approx(0.2 * gold_kg)
        assert v["waste_tailings_stock_t"] == 5_000.0
        assert v["waste_tailings_used_backfill_t"] == 10_500.0
        processing.carry_into_report(s, reg.ent_a, PLANT, "2025-Q3")
        with pytest.raises(ConflictError):
            processing.carry_into_report(s, reg.ent_a, PLANT, "2025-Q3")
        with pytest.raises(ValidationError, match="no metal account for 2025-10"):
            processing.carry_into_report(s, reg.ent_a, PLANT, "2025-Q4")
    with platform.sessions() as s:
        compared = processing.compare_with_report(s, reg.regulator, PLANT, "2025-Q3")
        assert compared["matches"].all()
        report = reporting.current_reports(s, reg.regulator, [PLANT]).iloc[0]
        assert report["period"] == "2025-Q3"
        annual = monitor.kpi_frame(s, reg.regulator).set_index(["site", "year"])
        row = annual.loc[(PLANT, 2025)]
        assert row["solid_waste_generated_t"] == 30_400.0
        assert row["solid_waste_utilised_t"] == 3_200 + 3_500 + 4_300 + 100


def test_blank_and_text_cells_are_named(platform: Platform, reg: Registry) -> None:
    bad = _accounts().drop(columns=["share_own_mine"]).astype(object)
    bad.loc[0, "check_in_g"] = None
    bad.loc[2, "share_imported"] = "some"
    with pytest.raises(ValidationError) as info, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, bad, source="cells.csv")
    text = str(info.value)
    assert "a blank cell: expected a number of grams >= 0" in text
    assert "'some': expected a number >= 0" in text


def test_accounts_of_one_plant_refuse_a_row_of_another(platform: Platform,
                                                       reg: Registry) -> None:
    rows = _accounts().drop(columns="site").to_dict("records")
    rows[1]["site"] = "SD-A-01"
    with pytest.raises(ValidationError) as info, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_site_accounts(s, reg.ent_a, PLANT, rows, source="accounts.csv")
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.source) == (3, "site", "accounts.csv")
    assert "this upload is for SD-A-02" in problem.message
    # Without a site, every row is the plant's.
    rows[1]["site"] = " "
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        ids = processing.record_site_accounts(s, reg.ent_a, PLANT, rows, source="accounts.csv")
    with platform.sessions() as s:
        assert processing.accounts(s, reg.regulator, PLANT)["id"].tolist() == ids
