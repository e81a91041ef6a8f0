"""Purchases at the recycler's counter: vocabulary, the CSV file, validation, canonical bodies.

A purchase file is accepted whole or refused whole: every cell of every row is checked and
every problem is reported with its row (the header is row 1) and column. Quantities keep a
fixed resolution — grams to the milligram, fineness to 0.001 ‰, money to the fen — and the
fine gold is ``gross × fineness / 1000`` rounded to the milligram in integer arithmetic, so the
ledger's decimal strings are exact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, format_number, lazy_gettext
from aurum.core.tables import read_csv
from aurum.core.time import CHINA_STANDARD_TIME, today_cst
from aurum.recycling.canonical import (
    decimal_text,
    integer_fragment,
    object_column,
    string_fragment,
    timestamp_text,
)
from aurum.recycling.identity import IdType, id_problems, normalise_ids

ENTRY_VERSION = 1
"""Schema version written as ``v`` in every entry."""


class ItemType(StrEnum):
    """What was bought."""

    JEWELLERY = "jewellery"
    BAR = "bar"
    COIN = "coin"
    SCRAP = "scrap"
    ELECTRONIC_WASTE = "electronic_waste"
    PHOTOVOLTAIC = "photovoltaic"
    SPENT_CATALYST = "spent_catalyst"
    DENTAL = "dental"
    OTHER = "other"


class PaymentMethod(StrEnum):
    """How the seller was paid."""

    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    OTHER = "other"


class AssayMethod(StrEnum):
    """How the fineness was measured at the counter."""

    XRF = "xrf"
    FIRE_ASSAY = "fire_assay"
    ICP = "icp"
    DENSITY = "density"
    TOUCHSTONE = "touchstone"
    HALLMARK = "hallmark"
    UNSPECIFIED = "unspecified"


class Origin(StrEnum):
    """The seller's statement of where the gold comes from (category)."""

    UNDECLARED = "undeclared"
    PERSONAL_JEWELLERY = "personal_jewellery"
    INHERITED = "inherited"
    INVESTMENT = "investment"
    BUSINESS_SCRAP = "business_scrap"
    INDUSTRIAL_WASTE = "industrial_waste"
    OTHER = "other"


CSV_COLUMNS = ("recycler", "shop", "seller_id_type", "seller_id_number", "seller_name",
               "item_type", "gross_weight_g", "fineness_permille", "price_per_g_cny",
               "amount_cny", "payment_method", "occurred_at")
"""The columns of a purchase file, all required."""

OPTIONAL_COLUMNS = {"assay_method": AssayMethod.UNSPECIFIED.value,
                    "origin": Origin.UNDECLARED.value, "origin_statement": ""}
"""Columns a purchase file may add, with the value an absent column stands for."""

# column -> (decimal places, lowest allowed (excluded), highest allowed, unit, why the cap)
_QUANTITIES = {
    "gross_weight_g": (3, 0.0, 1_000_000.0, lazy_gettext("g"),
                       lazy_gettext("one tonne per purchase")),
    "fineness_permille": (3, 0.0, 1000.0, "‰", lazy_gettext("pure gold")),
    "price_per_g_cny": (2, 0.0, 10_000.0, lazy_gettext("CNY/g"),
                        lazy_gettext("was the price per kg or per ounce?")),
    "amount_cny": (2, 0.0, 1_000_000_000.0, lazy_gettext("CNY"),
                   lazy_gettext("one billion per purchase")),
}
_TEXT_LIMITS = {"recycler": 64, "shop": 64, "seller_name": 100, "origin_statement": 500}
_ENUMS: dict[str, type[StrEnum]] = {"seller_id_type": IdType, "item_type": ItemType,
                                    "payment_method": PaymentMethod,
                                    "assay_method": AssayMethod, "origin": Origin}
_ISO_WITH_OFFSET = (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
                    r"(Z|[+-]\d{2}:?\d{2})")
EARLIEST = pd.Timestamp("2000-01-01", tz=UTC)
CLOCK_SKEW = pd.Timedelta(minutes=10)


def read_purchases_csv(path: Path) -> pd.DataFrame:
    """The cells of a purchase file as text (UTF-8, optional BOM), one row per purchase.

    Raises
    ------
    ValidationError
        When the file cannot be read or its header lacks a column or has an unknown one.
    """
    source = path.name
    frame = read_csv(path, source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    allowed = set(CSV_COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = [Problem(_("missing column"), row=1, column=c, source=source)
                for c in CSV_COLUMNS if c not in frame.columns]
    problems += [Problem(_("unknown column; expected %(columns)s (optional: %(optional)s)",
                           columns=", ".join(CSV_COLUMNS), optional=", ".join(OPTIONAL_COLUMNS)),
                         row=1, column=c, source=source)
                 for c in frame.columns if c not in allowed]
    if problems:
        raise ValidationError(problems)
    return frame


def fine_gold_g(gross_weight_g: np.ndarray, fineness_permille: np.ndarray) -> np.ndarray:
    """Fine gold of each purchase, g, rounded half up to the milligram.

    Parameters
    ----------
    gross_weight_g : numpy.ndarray
        Gross weight, g (milligram resolution).
    fineness_permille : numpy.ndarray
        Gold content, ‰ (0.001 ‰ resolution).
    """
    gross_mg = np.rint(np.asarray(gross_weight_g, float) * 1000).astype(np.int64)
    fineness_milli = np.rint(np.asarray(fineness_permille, float) * 1000).astype(np.int64)
    return ((gross_mg * fineness_milli + 500_000) // 1_000_000) / 1000.0


def business_dates(occurred_at: pd.Series) -> pd.Series:
    """Calendar date in Beijing time of each instant (timezone-aware Series)."""
    return occurred_at.dt.tz_convert(CHINA_STANDARD_TIME).dt.date


def validate_purchases(raw: pd.DataFrame, source: str,
                       now: datetime | None = None) -> pd.DataFrame:
    """Check every cell of a purchase file and type the columns.

    Parameters
    ----------
    raw : pandas.DataFrame
        Cells as text (:func:`read_purchases_csv`).
    source : str
        File name, for the messages.
    now : datetime, optional
        Purchases later than this (plus 10 min of clock skew) are refused; default now.

    Returns
    -------
    pandas.DataFrame
        ``row`` (row number in the file), the text columns stripped, document numbers
        normalised, quantities as floats (g, ‰, CNY/g, CNY), ``fine_gold_g`` (g),
        ``occurred_at`` (UTC) and ``business_date`` (Beijing date).

    Raises
    ------
    ValidationError
        Listing every problem by row and column.
    """
    frame = pd.DataFrame({c: raw[c].astype(str).str.strip() for c in CSV_COLUMNS})
    for column, default in OPTIONAL_COLUMNS.items():
        cells = raw[column].astype(str).str.strip() if column in raw else None
        frame[column] = default if cells is None else cells.where(cells != "", default)
    frame.insert(0, "row", np.arange(2, len(frame) + 2))
    problems: list[Problem] = []

    def refuse(mask: np.ndarray | pd.Series, column: str, message: str | pd.Series) -> None:
        chosen = np.asarray(mask, bool)
        numbers = frame["row"].to_numpy()[chosen].tolist()
        texts = (message[chosen].tolist() if isinstance(message, pd.Series)
                 else [message] * len(numbers))
        problems.extend(Problem(str(t), row=n, column=column, source=source)
                        for n, t in zip(numbers, texts, strict=True))

    if frame.empty:
        raise ValidationError(Problem(_("the file has no purchase rows"), source=source))
    for column in ("recycler", "shop", "seller_id_number", "seller_name"):
        refuse(frame[column] == "", column, _("required"))
    for column, limit in _TEXT_LIMITS.items():
        refuse(frame[column].str.len() > limit, column,
               _("at most %(limit)s characters", limit=limit))
    for column, enum in _ENUMS.items():
        allowed = [e.value for e in enum]
        refuse(~frame[column].isin(allowed), column,
               _("expected one of %(allowed)s", allowed=", ".join(allowed)))
    for column, (places, low, high, unit, why) in _QUANTITIES.items():
        text = frame[column].str.replace(",", "", regex=False)
        shaped = text.str.fullmatch(rf"\d+(\.\d{{1,{places}}})?").to_numpy(bool)
        refuse(~shaped, column, _("expected a number in %(unit)s with at most %(places)s "
                                  "decimals", unit=unit, places=places))
        values = pd.to_numeric(text.where(shaped), errors="coerce")
        refuse(shaped & ~((values > low) & (values <= high)).to_numpy(bool), column,
               _("expected more than %(low)s and at most %(high)s %(unit)s (%(why)s)",
                 low=format_number(low, 0), high=format_number(high, 0), unit=unit, why=why))
        frame[column] = values
    frame["seller_id_number"] = normalise_ids(frame["seller_id_number"]).astype(object)
    today = today_cst(now)
    known_type = frame["seller_id_type"].isin([t.value for t in IdType])
    id_messages = id_problems(frame["seller_id_type"], frame["seller_id_number"], today)
    refuse(known_type & (id_messages != "") & (frame["seller_id_number"] != ""),
           "seller_id_number", id_messages)
    refuse(~frame["occurred_at"].str.fullmatch(_ISO_WITH_OFFSET).to_numpy(bool),
           "occurred_at", _("expected ISO 8601 date and time with its UTC offset, e.g. "
                            "2025-08-04T10:30:00+08:00"))
    instants = pd.to_datetime(frame["occurred_at"].where(
        frame["occurred_at"].str.fullmatch(_ISO_WITH_OFFSET)), utc=True, format="ISO8601",
        errors="coerce")
    latest = pd.Timestamp(now or datetime.now(UTC)).tz_convert(UTC) + CLOCK_SKEW
    refuse(instants.notna() & ((instants < EARLIEST) | (instants > latest)), "occurred_at",
           _("expected a time between 2000 and now"))
    frame["occurred_at"] = instants
    fine = fine_gold_g(frame["gross_weight_g"].fillna(0).to_numpy(),
                       frame["fineness_permille"].fillna(0).to_numpy())
    refuse(frame["gross_weight_g"].notna() & frame["fineness_permille"].notna() & (fine <= 0),
           "fineness_permille", _("the fine gold (gross weight × fineness) rounds to 0 mg"))
    if problems:
        problems.sort(key=lambda p: (p.row or 0, CSV_COLUMNS.index(p.column)
                                     if p.column in CSV_COLUMNS else len(CSV_COLUMNS)))
        raise ValidationError(problems)
    frame["fine_gold_g"] = fine
    frame["business_date"] = business_dates(frame["occurred_at"])
    frame["origin_statement"] = frame["origin_statement"].where(
        frame["origin_statement"] != "", None)
    return frame


def purchase_bodies(purchases: pd.DataFrame) -> np.ndarray:
    """Canonical bytes of purchase entries.

    Parameters
    ----------
    purchases : pandas.DataFrame
        Columns ``recycler``, ``shop`` (codes), ``seller`` (keyed hash of the document,
        hex), ``seller_id_type``, ``item_type``, ``gross_weight_g`` (g),
        ``fineness_permille`` (‰), ``fine_gold_g`` (g), ``price_per_g_cny`` (CNY/g),
        ``amount_cny`` (CNY), ``payment_method``, ``assay_method``, ``origin``,
        ``origin_statement_hmac`` (hex or missing), ``photos`` (canonical JSON array of
        SHA-256 hex digests), ``occurred_at`` (timezone-aware) and ``amends`` (sequence
        number of the purchase this one corrects, or missing).

    Returns
    -------
    numpy.ndarray
        One ``bytes`` per purchase.
    """
    p = purchases
    return object_column({
        "amends": integer_fragment(p["amends"]),
        "amount_cny": string_fragment(decimal_text(p["amount_cny"], 2), trusted=True),
        "assay_method": string_fragment(p["assay_method"]),
        "fine_gold_g": string_fragment(decimal_text(p["fine_gold_g"], 3), trusted=True),
        "fineness_permille": string_fragment(decimal_text(p["fineness_permille"], 3),
                                             trusted=True),
        "gross_weight_g": string_fragment(decimal_text(p["gross_weight_g"], 3), trusted=True),
        "item_type": string_fragment(p["item_type"]),
        "kind": '"purchase"',
        "occurred_at": string_fragment(timestamp_text(p["occurred_at"]), trusted=True),
        "origin": string_fragment(p["origin"]),
        "origin_statement_hmac": string_fragment(p["origin_statement_hmac"], trusted=True),
        "payment_method": string_fragment(p["payment_method"]),
        "photos": np.asarray(p["photos"], dtype=object),
        "price_per_g_cny": string_fragment(decimal_text(p["price_per_g_cny"], 2),
                                           trusted=True),
        "recycler": string_fragment(p["recycler"]),
        "seller": string_fragment(p["seller"], trusted=True),
        "seller_id_type": string_fragment(p["seller_id_type"]),
        "shop": string_fragment(p["shop"]),
        "v": str(ENTRY_VERSION),
    })
