"""Backfill booked into the solid-waste ledger: the ledger's utilisation and, once carried
into the statistical report, the national 35 % indicator move by exactly the tonnes booked;
a correction is a new line; bad input writes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import backfill, processing
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import WasteEntry
from tests.factories import Registry

PLANT = "SD-A-02"
MONTHS = ("2025-07", "2025-08", "2025-09")
GENERATED = (9_000.0, 11_000.0, 10_000.0)
DISPOSED = (4_000.0, 6_000.0, 5_000.0)
OWN_BACKFILL = (3_000.0, 3_500.0, 4_000.0)
BOOKED_T = 2_345.5
"""Tonnes of tailings the stope plan sends underground in August (< the 6,000 t disposed)."""
EXACT_T = 1e-6
"""Sums of a few tonnages in float64: exact to far below a kilogram."""


def _accounts() -> pd.DataFrame:
    """Three months of metal accounts of the plant (the report's carry needs them)."""
    ore = [10_000.0, 12_000.0, 11_000.0]
    check_in = [o * 3.0 for o in ore]
    return pd.DataFrame({"site": PLANT, "period": MONTHS, "ore_treated_t": ore,
                         "head_grade_gpt": 3.0, "check_in_g": check_in,
                         "check_in_sd_g": [0.0125 * c for c in check_in],
                         "products_g": [0.9 * c for c in check_in], "products_sd_g": 1.0,
                         "tailings_g": [0.1 * c for c in check_in], "tailings_sd_g": 50.0,
                         "opening_g": 500.0, "opening_sd_g": 25.0, "closing_g": 500.0,
                         "closing_sd_g": 25.0, "share_own_mine": 1.0})


def _waste() -> pd.DataFrame:
    """The plant's tailings lines: some backfill already, the rest disposed or stored."""
    return pd.DataFrame({"plant": PLANT, "period": MONTHS, "waste_type": "tailings",
                         "generated_t": GENERATED,
                         "opening_stock_t": [2_000.0, "", ""],
                         "utilised_backfill_t": OWN_BACKFILL, "disposed_t": DISPOSED})


def _seed(platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, _accounts())
        processing.record_waste(s, reg.ent_a, _waste())
        processing.carry_into_report(s, reg.ent_a, PLANT, "2025-Q3")


def _ledger_utilised(platform: Platform, reg: Registry) -> float:
    with platform.sessions() as s:
        rate = processing.waste_utilisation(s, reg.regulator, "nation", ())
        return float(rate["utilised_t"].iloc[0])


def _entries(platform: Platform) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(WasteEntry)) or 0)


def test_booked_backfill_moves_the_ledger_and_the_national_indicator_by_its_tonnes(
        platform: Platform, reg: Registry) -> None:
    _seed(platform, reg)
    ledger_before = _ledger_utilised(platform, reg)
    with platform.sessions() as s:
        before = backfill.indicator_effect(s, reg.regulator, 2025)
    assert before.utilised_t == pytest.approx(sum(OWN_BACKFILL), abs=EXACT_T)
    plan = pd.DataFrame({"period": [0, 1], "month": ["2025-07", "2025-08"],
                         "tailings_to_backfill_t": [0.0, BOOKED_T]})
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        ids = backfill.book_backfill(s, reg.ent_a, PLANT, plan, reason="stope plan 2025")
    assert len(ids) == 1  # a month of 0 t books nothing
    assert _ledger_utilised(platform, reg) - ledger_before == pytest.approx(BOOKED_T,
                                                                            abs=EXACT_T)
    with platform.sessions() as s:
        ledger = processing.waste_ledger(s, reg.regulator, [PLANT]).set_index("period")
        august = ledger.loc["2025-08"]
        # Moved from the facility to the stopes: generated and the stock chain unchanged.
        assert august["utilised_backfill_t"] == pytest.approx(OWN_BACKFILL[1] + BOOKED_T)
        assert august["disposed_t"] == pytest.approx(DISPOSED[1] - BOOKED_T)
        assert august["generated_t"] == GENERATED[1]
        assert august["reason"] == "stope plan 2025"
        assert ledger.loc["2025-09", "opening_stock_t"] == pytest.approx(
            august["closing_stock_t"])
        # The old line is kept and superseded, not overwritten.
        assert _entries(platform) == 4
        # Not carried yet: the reports, hence the indicator, are as they were.
        assert backfill.indicator_effect(s, reg.regulator, 2025) == before
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.carry_into_report(s, reg.ent_a, PLANT, "2025-Q3")
    with platform.sessions() as s:
        after = backfill.indicator_effect(s, reg.regulator, 2025)
    assert after.utilised_t - before.utilised_t == pytest.approx(BOOKED_T, abs=EXACT_T)
    assert after.generated_t == before.generated_t == sum(GENERATED)
    assert before.value_pct is not None and after.value_pct is not None
    assert after.value_pct - before.value_pct == pytest.approx(
        100 * BOOKED_T / sum(GENERATED), rel=1e-9)
    assert after.value_pct == pytest.approx(100 * after.utilised_t / after.generated_t,
                                            rel=1e-12)
    assert after.target_pct == 35.0


def test_a_month_without_a_ledger_line_gets_a_new_one(platform: Platform,
                                                      reg: Registry) -> None:
    _seed(platform, reg)
    plan = pd.DataFrame({"month": ["2025-10"], "tailings_to_backfill_t": [4_000.0],
                         "tailings_produced_t": [9_500.0]})
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        backfill.book_backfill(s, reg.ent_a, PLANT, plan, reason="stope plan 2025")
    with platform.sessions() as s:
        ledger = processing.waste_ledger(s, reg.ent_a, [PLANT]).set_index("period")
    october = ledger.loc["2025-10"]
    assert october["generated_t"] == 9_500.0
    assert october["utilised_backfill_t"] == 4_000.0
    assert october["disposed_t"] == 5_500.0
    assert october["opening_stock_t"] == pytest.approx(ledger.loc["2025-09", "closing_stock_t"])
    assert october["closing_stock_t"] == pytest.approx(october["opening_stock_t"])


@pytest.mark.parametrize(("plan", "column"), [
    (pd.DataFrame({"month": ["2025-08"], "tailings_to_backfill_t": [-10.0]}),
     "tailings_to_backfill_t"),
    (pd.DataFrame({"month": ["2028-01"], "tailings_to_backfill_t": [10.0]}), "month"),
    (pd.DataFrame({"month": ["2025-08"], "tailings_to_backfill_t": [7_000.0]}),
     "tailings_to_backfill_t"),  # more than the 6,000 t the month disposes of
    (pd.DataFrame({"month": ["2025-11"], "tailings_to_backfill_t": [10.0]}),
     "tailings_produced_t"),     # no ledger line and no tailings produced given
    (pd.DataFrame({"month": ["August"], "tailings_to_backfill_t": [10.0]}), "month"),
])
def test_bad_bookings_give_one_message_and_write_nothing(platform: Platform, reg: Registry,
                                                         plan: pd.DataFrame,
                                                         column: str) -> None:
    _seed(platform, reg)
    entries = _entries(platform)
    with pytest.raises(ValidationError) as err, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        backfill.book_backfill(s, reg.ent_a, PLANT, plan, reason="stope plan")
    assert [(p.row, p.column) for p in err.value.problems] == [(2, column)]
    assert _entries(platform) == entries


def test_bookings_check_site_scope_and_reason(platform: Platform, reg: Registry) -> None:
    _seed(platform, reg)
    entries = _entries(platform)
    plan = pd.DataFrame({"month": ["2025-08"], "tailings_to_backfill_t": [10.0]})
    with pytest.raises(NotFoundError, match="XX-99"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        backfill.book_backfill(s, reg.ent_a, "XX-99", plan, reason="stope plan")
    with pytest.raises(NotFoundError), transaction(platform.sessions, reg.ent_b.user_id) as s:
        backfill.book_backfill(s, reg.ent_b, PLANT, plan, reason="stope plan")
    with pytest.raises(PermissionDenied), \
            transaction(platform.sessions, reg.regulator.user_id) as s:
        backfill.book_backfill(s, reg.regulator, PLANT, plan, reason="stope plan")
    with pytest.raises(ValidationError, match="needs a reason"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        backfill.book_backfill(s, reg.ent_a, PLANT, plan, reason="  ")
    assert _entries(platform) == entries
