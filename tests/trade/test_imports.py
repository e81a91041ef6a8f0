"""Reading customs statistics: one clear message per kind of bad input, by file, row and
column; Chinese headers and Excel workbooks read like CSV; dependence and trends."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.trade.countries import alpha3, country_codes, country_name
from aurum.trade.imports import dependence, read_customs, trends

TODAY = date(2026, 12, 7)
HEADER = "hs_code,partner,customs_district,month,quantity_kg,value_usd,gold_kg\n"


def _problems(text: str) -> list[str]:
    with pytest.raises(ValidationError) as info:
        read_customs((HEADER + text).encode(), "customs.csv", TODAY)
    return [str(p) for p in info.value.problems]


def test_a_partner_that_is_not_iso_3166_is_one_message_for_all_its_rows() -> None:
    problems = _problems("71081200,XK,上海海关,2025-01,1,1,\n71081200,XK,上海海关,2025-02,1,1,\n"
                         "71081200,EU,上海海关,2025-01,1,1,\n")
    assert len(problems) == 2
    assert "customs.csv" in problems[0] and "partner" in problems[0]
    assert "'XK' (on 2 row(s))" in problems[0] and "ISO 3166-1 alpha-2" in problems[0]


def test_a_month_in_the_future_is_one_message() -> None:
    (problem,) = _problems("71081200,CH,上海海关,2027-03,1,1,\n71081200,AU,上海海关,2027-03,1,1,\n")
    assert "2027-03" in problem and "has not ended" in problem and "row 2" in problem


def test_the_current_month_has_not_ended_either() -> None:
    (problem,) = _problems("71081200,CH,上海海关,2026-12,1,1,\n")
    assert "2026-12" in problem


def test_an_hs_code_outside_the_gold_trade() -> None:
    (problem,) = _problems("26030000,PE,青岛海关,2025-01,1,1,\n")
    assert "2616.90" in problem and "7108" in problem and "hs_code" in problem


def test_negatives_and_text_are_refused_by_cell() -> None:
    problems = _problems("71081200,CH,上海海关,2025-01,-5,1,\n"
                         "71081200,AU,上海海关,2025-01,1,abc,\n")
    assert any("row 2" in p and "quantity_kg" in p and "-5" in p for p in problems)
    assert any("row 3" in p and "value_usd" in p for p in problems)


def test_a_repeated_key_names_the_first_row() -> None:
    (problem,) = _problems("71081200,CH,上海海关,2025-01,1,1,\n71081200,CH,上海海关,202501,2,2,\n")
    assert "row 3" in problem and "already on row 2" in problem


def test_contained_gold_above_the_quantity() -> None:
    (problem,) = _problems("26169000,PE,青岛海关,2025-01,10,1,11\n")
    assert "gold_kg" in problem


def test_one_value_column() -> None:
    with pytest.raises(ValidationError, match="one value column"):
        read_customs(b"hs_code,partner,customs_district,month,quantity_kg\n7108.12,CH,x,2025-01,1\n",
                     "c.csv", TODAY)


def test_chinese_headers_and_excel_read_like_csv() -> None:
    frame = pd.DataFrame({"数据年月": ["202501", "202502"], "商品编码": ["7108.1200", "26169000"],
                          "贸易伙伴代码": ["ch", "PE"], "海关": ["上海海关", "青岛海关"],
                          "第一数量": [100, 2_000_000], "人民币": [7e7, 5e7], "含金量": ["", 60]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    table = read_customs(buffer.getvalue(), "海关统计.xlsx", TODAY)
    rows = table.rows
    assert table.currency == "CNY"
    assert rows["partner"].tolist() == ["CH", "PE"]
    assert rows["commodity"].tolist() == ["gold", "ore"]
    assert rows["gold_kg"].tolist() == [100.0, 60.0]  # bullion counts as its own gold
    assert rows["month"].tolist() == ["2025-01", "2025-02"]


def test_dependence_and_trends_compare_like_for_like() -> None:
    text = "".join(f"71081200,{p},上海海关,{y}-{m:02d},{q},1,\n"
                   for y, q_ch in ((2024, 10), (2025, 30)) for m in (1, 2)
                   for p, q in (("CH", q_ch), ("AU", 10)))
    rows = read_customs((HEADER + text).encode(), "c.csv", TODAY).rows
    dep = dependence(rows)
    ch = dep[(dep["commodity"] == "gold") & (dep["partner"] == "CH")].set_index("year")
    assert ch.loc[2024, "share_pct"] == pytest.approx(50.0)
    assert ch.loc[2025, "share_pct"] == pytest.approx(75.0)
    assert ch.loc[2025, "change_pp"] == pytest.approx(25.0)
    trend = trends(rows).set_index(["commodity", "year"])
    assert trend.loc[("gold", 2025), "growth_same_months_pct"] == pytest.approx(100.0)


def test_countries_are_iso_3166_1_with_both_names() -> None:
    codes = country_codes()
    assert len(codes) == 249
    assert not codes & {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}
    assert all(len(c) == 2 and c.isalpha() for c in codes)
    assert country_name("PE", "zh_CN") == "秘鲁" and country_name("PE") == "Peru"
    assert country_name("ER", "zh_CN") == "厄立特里亚"
    assert alpha3("PE") == "PER" and alpha3("CD") == "COD" and alpha3("HK") == "HKG"
