"""GB/T 17766-2020 categories: the CRIRSCO mapping, the conversion of resources to reserves by
the modifying factors and the refusals, each citing the standard's clause."""

from __future__ import annotations

import math

import pytest

from aurum.core import i18n
from aurum.core.errors import ValidationError
from aurum.industry import reporting
from aurum.resources import gbt17766 as gbt
from aurum.resources.gbt17766 import ModifyingFactors, Tonnage


def test_the_five_categories_map_to_crirsco() -> None:
    expected = {"measured": ("探明资源量", "Measured", "resource", "proved"),
                "indicated": ("控制资源量", "Indicated", "resource", "probable"),
                "inferred": ("推断资源量", "Inferred", "resource", None),
                "proved": ("证实储量", "Proved", "reserve", None),
                "probable": ("可信储量", "Probable", "reserve", None)}
    assert gbt.RESOURCE_CODES == ("measured", "indicated", "inferred")
    assert gbt.RESERVE_CODES == ("proved", "probable")
    assert {code: (c.zh, c.crirsco, c.kind, c.converts_to)
            for code, c in gbt.CATEGORIES.items()} == expected
    assert all(c.clause.startswith("GB/T 17766-2020, ") for c in gbt.CATEGORIES.values())
    assert gbt.RULES["not_added"].clause == "GB/T 17766-2020, 5.2"
    assert gbt.RULES["converted_from"].clause == "GB/T 17766-2020, 4.2"


def test_a_label_names_the_standard_first_in_chinese_and_crirsco_first_in_english() -> None:
    with i18n.using("zh_CN"):
        zh = gbt.category_label("measured")
        assert zh.startswith("探明资源量") and "Measured" in zh
        assert gbt.RULES["not_added"].text.startswith("发布资源量")
    with i18n.using("en"):
        assert gbt.category_label("measured") == "Measured resources (探明)"
        assert gbt.category_label("probable") == "Probable reserves (可信)"
        assert gbt.combined_label(["measured", "indicated"]) == (
            "Measured resources + Indicated resources (探明+控制)")


def test_conversion_by_the_modifying_factors() -> None:
    # 1,000 kt at 4 g/t measured and 500 kt at 3 g/t indicated; 90 per cent recovery and
    # 10 per cent dilution: ore mined = ore x 0.9 / 0.9, metal = metal x 0.9 (waste at 0 g/t).
    resources = {"measured": Tonnage(1e6, 4000.0), "indicated": Tonnage(5e5, 1500.0)}
    out = gbt.convert_to_reserves(resources, ModifyingFactors(recovery=0.9, dilution=0.1))
    assert out["proved"].ore_t == pytest.approx(1e6) and out["proved"].metal_kg == 3600.0
    assert out["probable"].ore_t == pytest.approx(5e5)
    assert out["probable"].metal_kg == pytest.approx(1350.0)
    assert out["proved"].grade_gpt == pytest.approx(3.6)  # 4 g/t x 0.9 diluted
    # uncertain modifying factors: measured resources become probable reserves (4.1, figure 1)
    uncertain = gbt.convert_to_reserves(resources, ModifyingFactors(0.9, 0.1, certain=False))
    assert uncertain["proved"] == Tonnage(0.0, 0.0)
    assert uncertain["probable"].metal_kg == pytest.approx(3600.0 + 1350.0)
    assert math.isnan(uncertain["proved"].grade_gpt)
    # what converts never holds more metal than its source (chapter 2 with 4.2)
    gbt.check_reserves_within({"measured": 4.0, "indicated": 1.5, "inferred": 9.0},
                              {k: v.metal_kg / 1000 for k, v in uncertain.items()})


def test_inferred_resources_and_reserves_are_never_converted() -> None:
    with i18n.using("en"), pytest.raises(ValidationError) as refused:
        gbt.convert_to_reserves({"inferred": Tonnage(1e5, 200.0), "proved": Tonnage(1, 1),
                                 "ore": Tonnage(1, 1)}, ModifyingFactors(0.9))
    messages = [p.message for p in refused.value.problems]
    assert len(messages) == 3
    assert "Inferred resources (推断)" in messages[0] and "GB/T 17766-2020, 4.2" in messages[0]
    assert "Proved reserves" in messages[1] and "'ore'" in messages[2]
    assert "5.1" in messages[2]


def test_resources_and_reserves_are_never_added() -> None:
    gbt.check_not_added(["measured", "indicated", "inferred"])
    gbt.check_not_added(["proved", "probable"])  # 5.4: reserves may be added
    with i18n.using("en"), pytest.raises(ValidationError, match=r"GB/T 17766-2020, 5\.2"):
        gbt.check_not_added(["measured", "proved"])
    with pytest.raises(ValidationError):
        gbt.combined_label(["indicated", "probable"])


def test_reserves_above_their_resources_and_bad_factors_are_refused() -> None:
    with i18n.using("en"), pytest.raises(ValidationError) as refused:
        gbt.check_reserves_within({"measured": 2.0, "indicated": 1.0, "inferred": 50.0},
                                  {"proved": 2.5, "probable": 1.0})
    message = str(refused.value)
    assert "GB/T 17766-2020, 2, 4.2" in message and "3.500 > 3.000" in message
    for recovery, dilution in ((1.2, 0.0), (0.9, 1.0), (float("nan"), 0.0)):
        with pytest.raises(ValidationError):
            ModifyingFactors(recovery, dilution)
    with pytest.raises(ValidationError, match="ore and metal"):
        gbt.convert_to_reserves({"measured": Tonnage(-1.0, 3.0)}, ModifyingFactors(0.9))


def test_the_statistics_report_cites_the_standards_clause_for_reserves_within_resources() -> None:
    assert gbt.RULES["within_resources"].clause == reporting.RESERVES_WITHIN_CLAUSE
    values = {"resources_measured_t": 2.0, "resources_indicated_t": 1.0,
              "reserves_proved_t": 2.5, "reserves_probable_t": 1.0}
    with i18n.using("en"):
        problems = reporting.check_values(values)
    assert [p.column for p in problems] == ["reserves_proved_t"]
    assert "(GB/T 17766-2020, 2, 4.2)" in problems[0].message
