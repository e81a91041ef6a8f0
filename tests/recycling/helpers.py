"""Identity numbers built from the standards' own tables, and purchase files for tests."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from aurum.recycling.purchases import CSV_COLUMNS, validate_purchases

# GB 11643-1999, table of weights W_i for positions 1..17 and the check character by the
# remainder of the weighted sum mod 11 (written out as the standard prints them).
GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
GB11643_CHECK = ("1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2")
# GB 32100-2015: the 31 code characters with their values 0..30, the weights of positions
# 1..17, and C18 = 31 - (sum mod 31), where 31 is written 0.
GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def resident_id(first17: str) -> str:
    """A resident ID with the check character of GB 11643's table."""
    total = sum(int(c) * w for c, w in zip(first17, GB11643_WEIGHTS, strict=True))
    return first17 + GB11643_CHECK[total % 11]


def uscc(first17: str) -> str:
    """A unified social credit code with the check character of GB 32100."""
    total = sum(GB32100_CHARS.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS,
                                                          strict=True))
    return first17 + GB32100_CHARS[(31 - total % 31) % 31]


def seller_id(n: int) -> str:
    """The n-th distinct resident ID of test sellers (Beijing, born 1980-1999)."""
    born = date(1980, 1, 1) + timedelta(days=37 * n % 7000)
    return resident_id(f"110105{born:%Y%m%d}{n % 1000:03d}")


def purchase(**values: object) -> dict[str, str]:
    """One row of a purchase file: a cash jewellery purchase unless told otherwise."""
    row: dict[str, object] = {
        "recycler": "RC-1", "shop": "S-1", "seller_id_type": "resident_id",
        "seller_id_number": seller_id(1), "seller_name": "张三", "item_type": "jewellery",
        "gross_weight_g": "10.000", "fineness_permille": "999", "price_per_g_cny": "780",
        "amount_cny": "7800", "payment_method": "cash",
        "occurred_at": "2025-08-04T10:00:00+08:00"}
    row.update(values)
    return {k: str(v) for k, v in row.items()}


def frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The text cells of a purchase file."""
    columns = list(dict.fromkeys([*CSV_COLUMNS, *(k for r in rows for k in r)]))
    return pd.DataFrame(rows, columns=columns).fillna("")


def validated(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Validated purchases (as the CLI hands them to the service)."""
    return validate_purchases(frame(rows), "test.csv", now=NOW)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """A purchase file."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(frame(rows).columns))
        writer.writeheader()
        writer.writerows(rows)
    return path
