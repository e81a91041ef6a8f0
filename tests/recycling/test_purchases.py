"""Purchase files: refused whole with every problem by row and column; canonical entries."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.recycling.canonical import canonical, decimal_text
from aurum.recycling.purchases import purchase_bodies, read_purchases_csv
from tests.recycling.helpers import frame, purchase, seller_id, validated, write_csv


def test_a_valid_file_is_typed() -> None:
    p = validated([
        purchase(gross_weight_g="76.923", fineness_permille="999", amount_cny="60,000.00"),
        purchase(seller_id_type="passport", seller_id_number="e1234567 8",
                 item_type="spent_catalyst", gross_weight_g="1000", fineness_permille="0.355",
                 occurred_at="2025-08-04T23:30:00Z", payment_method="bank_transfer"),
    ])
    # 76.923 g x 999 / 1000 = 76.846077 g -> 76.846; 1000 g x 0.355 / 1000 = 0.355 g.
    assert p["fine_gold_g"].tolist() == [76.846, 0.355]
    assert p["amount_cny"].tolist() == [60000.0, 7800.0]
    assert p["seller_id_number"].tolist()[1] == "E12345678"
    # 23:30 UTC is the next day in Beijing; 10:00 +08:00 is 02:00 UTC.
    assert [str(d) for d in p["business_date"]] == ["2025-08-04", "2025-08-05"]
    assert str(p["occurred_at"].iat[0]) == "2025-08-04 02:00:00+00:00"
    assert p["assay_method"].tolist() == ["unspecified"] * 2
    assert p["origin"].tolist() == ["undeclared"] * 2


def test_every_problem_is_named_by_row_and_column() -> None:
    rows = [purchase(),
            purchase(amount_cny="6e4", item_type="ring"),
            purchase(seller_id_number=seller_id(2)[:17] + "0"
                     if seller_id(2)[17] != "0" else seller_id(2)[:17] + "1",
                     occurred_at="2025-08-04 10:00"),
            purchase(fineness_permille="1000.5", payment_method="wechat", recycler=""),
            purchase(occurred_at="2031-01-01T00:00:00+08:00", gross_weight_g="0.001",
                     fineness_permille="0.001")]
    with pytest.raises(ValidationError) as caught:
        validated(rows)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "item_type"), (3, "amount_cny"), (4, "seller_id_number"),
                     (4, "occurred_at"), (5, "recycler"), (5, "fineness_permille"),
                     (5, "payment_method"), (6, "occurred_at"), (6, "fineness_permille")}
    text = {str(p) for p in caught.value.problems}
    assert "test.csv, row 3, column amount_cny: expected a number in CNY with at most 2 " \
           "decimals" in text
    assert any("row 4, column seller_id_number: wrong check character" in t for t in text)
    assert any("row 6, column fineness_permille: the fine gold" in t for t in text)


def test_header_problems(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [purchase()])
    text = path.read_text().replace("amount_cny", "amount").replace("shop,", "shop,note,", 1)
    path.write_text(text)
    with pytest.raises(ValidationError) as caught:
        read_purchases_csv(path)
    assert {(p.row, p.column) for p in caught.value.problems} == {
        (1, "amount_cny"), (1, "amount"), (1, "note")}
    with pytest.raises(ValidationError, match="no purchase rows"):
        validated([])


def _bodies(rows: list[dict[str, str]]) -> np.ndarray:
    p = validated(rows)
    p["seller"] = "ab" * 32
    p["origin_statement_hmac"] = None
    p["photos"] = '["' + "cd" * 32 + '"]'
    p["amends"] = pd.array([None] * (len(p) - 1) + [7], dtype="Int64")
    return purchase_bodies(p)


def test_entries_are_canonical_json() -> None:
    bodies = _bodies([purchase(shop='店 "东" \\ 1'), purchase(amount_cny="99999.5")])
    expected = (
        '{"amends":null,"amount_cny":"7800.00","assay_method":"unspecified",'
        '"fine_gold_g":"9.990","fineness_permille":"999.000","gross_weight_g":"10.000",'
        '"item_type":"jewellery","kind":"purchase",'
        '"occurred_at":"2025-08-04T02:00:00.000000Z","origin":"undeclared",'
        '"origin_statement_hmac":null,"payment_method":"cash",'
        f'"photos":["{"cd" * 32}"],"price_per_g_cny":"780.00","recycler":"RC-1",'
        f'"seller":"{"ab" * 32}","seller_id_type":"resident_id",'
        '"shop":"店 \\"东\\" \\\\ 1","v":1}')
    assert bodies[0] == expected.encode("utf-8")
    for body in bodies:
        # Parsing and re-serialising in canonical form (RFC 8785 for this subset) is a no-op.
        assert canonical(json.loads(body)) == body
    assert json.loads(bodies[1])["amends"] == 7
    assert json.loads(bodies[1])["amount_cny"] == "99999.50"


def test_canonical_refuses_floats() -> None:
    with pytest.raises(TypeError, match="decimal strings"):
        canonical({"amount_cny": 1.5})


def test_decimal_text_is_exact() -> None:
    rng = np.random.default_rng(1)
    cents = rng.integers(0, 10**11, 10_000)
    text = pd.Series([f"{c // 100}.{c % 100:02d}" for c in cents])
    assert decimal_text(pd.to_numeric(text), 2).tolist() == text.tolist()
    milligrams = rng.integers(0, 10**9, 10_000)
    text = pd.Series([f"{m // 1000}.{m % 1000:03d}" for m in milligrams])
    assert decimal_text(pd.to_numeric(text), 3).tolist() == text.tolist()


def test_frame_helper_keeps_extra_columns() -> None:
    cells = frame([purchase(origin="inherited", origin_statement="祖母遗物")])
    assert validated([dict(cells.iloc[0])])["origin"].tolist() == ["inherited"]
