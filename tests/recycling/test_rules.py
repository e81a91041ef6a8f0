"""Reporting rules (PBoC 银发〔2025〕124号 and the platform's screening rules) on purchases,
and deadlines in working days of the State Council's holiday schedule."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from aurum.recycling.rules import detect, load_rules
from tests.recycling.helpers import purchase, seller_id, validated


def _screen(rows: list[dict[str, str]], watched: tuple[str, ...] = ()) -> list:  # type: ignore[type-arg]
    p = validated(rows)
    table = p.assign(seq=range(len(p)), seller=p["seller_id_number"])
    return detect(table, watched=watched)


def _day(offset: int, hour: int = 10) -> str:
    return f"{date(2025, 8, 4) + timedelta(days=offset)}T{hour:02d}:00:00+08:00"


def test_two_cash_purchases_at_two_shops_make_one_large_cash_report() -> None:
    found = _screen([purchase(shop="S-1", amount_cny="60000", occurred_at=_day(0, 9)),
                     purchase(shop="S-2", amount_cny="60000", occurred_at=_day(0, 16))])
    assert [(d.rule_id, d.kind, d.recycler, d.entries, d.amount_cny) for d in found] == [
        ("large_cash", "large_cash", "RC-1", (0, 1), 120000.0)]
    # Monday 4 August 2025 + 5 working days = Monday 11 August.
    assert found[0].due_on == date(2025, 8, 11) and not found[0].due_estimated


def test_below_the_line_once_is_nothing_and_the_line_itself_is_reported() -> None:
    assert _screen([purchase(amount_cny="99999")]) == []
    assert _screen([purchase(amount_cny="99999.99")]) == []
    hit = _screen([purchase(amount_cny="100000")])  # "10万元以上（含10万元）"
    assert [d.rule_id for d in hit] == ["large_cash"]


def test_only_cash_and_only_one_beijing_day_add_up() -> None:
    assert _screen([purchase(amount_cny="60000"),
                    purchase(amount_cny="60000", payment_method="bank_transfer")]) == []
    # 23:30 on the 4th and 00:30 on the 5th, Beijing time: two business days.
    assert _screen([purchase(amount_cny="60000", occurred_at="2025-08-04T15:30:00Z"),
                    purchase(amount_cny="60000", occurred_at="2025-08-04T16:30:00Z")]) == []
    # Same instants seen from UTC+0 would be one day; Beijing time decides.
    one_day = _screen([purchase(amount_cny="60000", occurred_at="2025-08-04T01:00:00Z"),
                       purchase(amount_cny="60000", occurred_at="2025-08-04T15:00:00Z")])
    assert [d.rule_id for d in one_day] == ["large_cash"]


def test_nine_purchases_just_below_the_line_on_consecutive_days_are_suspicious() -> None:
    found = _screen([purchase(amount_cny="95000", occurred_at=_day(i)) for i in range(9)])
    assert [(d.rule_id, d.kind) for d in found] == [("structuring", "suspicious")]
    assert found[0].entries == tuple(range(9)) and found[0].amount_cny == 855000.0
    assert found[0].period_start == date(2025, 8, 4)
    assert found[0].period_end == date(2025, 8, 12)
    # Two such purchases, or near-line purchases spread beyond the window, are not.
    assert _screen([purchase(amount_cny="95000", occurred_at=_day(i)) for i in (0, 1)]) == []
    assert _screen([purchase(amount_cny="95000", occurred_at=_day(i))
                    for i in (0, 11, 22)]) == []


def test_one_day_split_across_recyclers() -> None:
    found = _screen([purchase(recycler="RC-1", amount_cny="60000"),
                     purchase(recycler="RC-2", amount_cny="60000")])
    assert [(d.rule_id, d.recycler, d.entries) for d in found] == [
        ("split_across_recyclers", None, (0, 1))]


def test_one_seller_at_many_recyclers() -> None:
    rows = [purchase(recycler=f"RC-{k}", amount_cny="3000", payment_method="bank_transfer",
                     occurred_at=_day(day)) for k, day in ((1, 0), (2, 10), (3, 25), (4, 70))]
    found = _screen(rows)
    assert [(d.rule_id, d.entries) for d in found] == [("many_recyclers", (0, 1, 2))]
    # The same visits by different sellers are nothing.
    assert _screen([{**r, "seller_id_number": seller_id(i + 10)}
                    for i, r in enumerate(rows)]) == []


def test_volumes_out_of_line_with_the_stated_origin() -> None:
    # 3 x 200 g fine gold of "personal jewellery" within 30 days: above the 500 g cap.
    rows = [purchase(origin="personal_jewellery", gross_weight_g="200", fineness_permille="1000",
                     payment_method="bank_transfer", amount_cny="150000",
                     occurred_at=_day(7 * i)) for i in range(3)]
    found = _screen(rows)
    assert [(d.rule_id, d.entries) for d in found] == [("origin_volume", (0, 1, 2))]
    assert "600.000 g" in found[0].reason
    odd = _screen([purchase(origin="personal_jewellery", item_type="spent_catalyst",
                            payment_method="bank_transfer")])
    assert [d.rule_id for d in odd] == ["origin_volume"] and "spent_catalyst" in odd[0].reason
    assert _screen(rows[:2]) == []


def test_watch_list_hits_whatever_the_amount() -> None:
    rows = [purchase(amount_cny="100", payment_method="bank_transfer"),
            purchase(amount_cny="100", seller_id_number=seller_id(3))]
    found = _screen(rows, watched=(seller_id(3),))
    assert [(d.rule_id, d.entries) for d in found] == [("watch_list", (1,))]


def test_deadlines_skip_weekends_and_holidays_and_count_make_up_days() -> None:
    calendar = load_rules().calendar
    # 2025: National Day 1-8 October, Sunday 28 September and Saturday 11 October worked.
    # 2026: Spring Festival 15-23 February, Saturdays 14 and 28 February worked.
    starts = [date(2025, 8, 4), date(2025, 9, 26), date(2025, 9, 30), date(2026, 2, 13),
              date(2025, 12, 31)]
    assert calendar.add_working_days(starts, 5) == [
        date(2025, 8, 11), date(2025, 10, 10), date(2025, 10, 14), date(2026, 2, 27),
        date(2026, 1, 8)]
    assert calendar.known(date(2026, 6, 1)) and not calendar.known(date(2027, 6, 1))


def test_every_rule_cites_its_source() -> None:
    rules = load_rules()
    assert rules.source["document"] == "银发〔2025〕124号"
    assert str(rules.source["in_force"]) == "2025-08-01"
    assert set(rules.rules) == {"large_cash", "structuring", "split_across_recyclers",
                                "many_recyclers", "origin_volume", "watch_list"}
    for rule in rules.rules.values():
        assert "124号" in rule.citation and rule.due_working_days == 5
    assert rules.rule("large_cash").params["threshold_cny"] == 100_000
    assert rules.mass_balance["citation"]


def test_no_purchases_no_reports() -> None:
    assert detect(pd.DataFrame()) == []
