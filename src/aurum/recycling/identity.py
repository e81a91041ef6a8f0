"""Real-name identity of sellers: document types, check digits, masking.

- Resident identity card numbers (GB 11643-1999), also used by the residence permits of Hong
  Kong, Macao and Taiwan residents (address codes 81, 82, 83): 6-digit address code, birth
  date ``YYYYMMDD``, 3-digit sequence, and a check character by ISO 7064 MOD 11-2 — weights
  ``2**(17 - i) mod 11`` over the first 17 digits, check ``(12 - sum mod 11) mod 11`` with
  10 written ``X``.
- Unified social credit codes of businesses (GB 32100-2015): 18 characters over the 31
  symbols ``0-9 A-H J-N P-R T U W-Y``, the last a check character: weights ``3**i mod 31``,
  check ``31 - sum mod 31`` with 31 written ``0``.
- Passports and the Mainland travel permits of Hong Kong / Macao residents (``H`` or ``M``
  and 8 digits, plus an optional 2-digit issue count) and of Taiwan residents (8 digits, same
  option) have no check digit: their shape is checked.

Checks run on whole columns (numpy on the character codes), one message per invalid row.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.i18n import _, lazy_gettext


class IdType(StrEnum):
    """Kind of identity document of a seller."""

    RESIDENT_ID = "resident_id"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    USCC = "uscc"


ID_TYPE_NAMES: dict[str, Any] = {
    IdType.RESIDENT_ID: lazy_gettext("resident identity card"),
    IdType.PASSPORT: lazy_gettext("passport"),
    IdType.HK_MACAO_PERMIT: lazy_gettext("Hong Kong and Macao travel permit"),
    IdType.TAIWAN_PERMIT: lazy_gettext("Taiwan travel permit"),
    IdType.USCC: lazy_gettext("unified social credit code")}
"""What each kind of document is called, in the reader's language."""


RESIDENT_ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], np.int64)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], np.int64)

# First two digits of GB/T 2260 address codes: the 31 mainland provinces, Taiwan (71) and
# the residence-permit codes of Hong Kong (81), Macao (82) and Taiwan (83).
ADDRESS_PREFIXES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83"})

_SHAPES = {
    IdType.PASSPORT: (r"[A-Z0-9]{5,17}", lazy_gettext("expected 5 to 17 letters or digits")),
    IdType.HK_MACAO_PERMIT: (r"[HM]\d{8}(\d{2})?",
                             lazy_gettext("expected H or M and 8 digits (+ 2-digit count)")),
    IdType.TAIWAN_PERMIT: (r"\d{8}(\d{2})?",
                           lazy_gettext("expected 8 digits (+ 2-digit issue count)")),
}

_USCC_VALUES = np.full(256, -1, np.int64)
_USCC_VALUES[np.frombuffer(USCC_ALPHABET.encode(), np.uint8)] = np.arange(31)


def normalise_ids(numbers: pd.Series) -> pd.Series:
    """Document numbers as compared and hashed: blanks removed, letters upper-case."""
    return numbers.astype("string").str.replace(r"\s+", "", regex=True).str.upper()


def _codes(values: pd.Series, width: int) -> np.ndarray:
    """ASCII codes of equal-length strings, shape (n, width)."""
    joined = "".join(values.tolist()).encode("ascii")
    return np.frombuffer(joined, np.uint8).reshape(-1, width).astype(np.int64)


def resident_id_check(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of a resident ID."""
    total = int(np.dot(np.frombuffer(first17.encode(), np.uint8) - 48, RESIDENT_ID_WEIGHTS))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def resident_id_problems(numbers: pd.Series, today: date | None = None) -> pd.Series:
    """What is wrong with each resident identity number ("" when valid).

    Parameters
    ----------
    numbers : pandas.Series of str
        Normalised numbers (:func:`normalise_ids`).
    today : date, optional
        Birth dates after it are refused (default: today).
    """
    numbers = numbers.astype(str)
    problems = pd.Series("", index=numbers.index, dtype=object)
    shaped = numbers.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(bool)
    problems[~shaped] = _("expected 18 characters: 17 digits and a digit or X")
    good = numbers[shaped]
    if good.empty:
        return problems
    codes = _codes(good, 18)
    check = (12 - ((codes[:, :17] - 48) @ RESIDENT_ID_WEIGHTS) % 11) % 11
    wrong_check = codes[:, 17] != np.where(check == 10, ord("X"), check + 48)
    born = pd.to_datetime(good.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    limit = pd.Timestamp(today or date.today())
    bad_birth = (born.isna() | (born < pd.Timestamp("1900-01-01")) | (born > limit)).to_numpy()
    bad_area = ~good.str.slice(0, 2).isin(ADDRESS_PREFIXES).to_numpy()
    index = good.index
    problems[index[bad_area]] = _("unknown address code (first two digits)")
    problems[index[bad_birth]] = _("digits 7-14 are not a birth date between 1900 and today")
    problems[index[wrong_check]] = _("wrong check character (GB 11643 / ISO 7064 MOD 11-2): "
                                     "the number was mistyped")
    return problems


def uscc_check(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    values = _USCC_VALUES[np.frombuffer(first17.encode(), np.uint8)]
    return USCC_ALPHABET[(31 - int(values @ USCC_WEIGHTS) % 31) % 31]


def uscc_problems(codes: pd.Series) -> pd.Series:
    """What is wrong with each unified social credit code ("" when valid).

    Parameters
    ----------
    codes : pandas.Series of str
        Normalised codes (:func:`normalise_ids`).
    """
    codes = codes.astype(str)
    problems = pd.Series("", index=codes.index, dtype=object)
    shaped = codes.str.fullmatch(f"[{USCC_ALPHABET}]{{18}}").fillna(False).to_numpy(bool)
    problems[~shaped] = _("expected 18 characters from 0-9 and A-Y without I, O, S, V, Z "
                          "(GB 32100)")
    good = codes[shaped]
    if good.empty:
        return problems
    values = _USCC_VALUES[_codes(good, 18)]
    check = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
    wrong = values[:, 17] != check
    problems[good.index[wrong]] = _("wrong check character (GB 32100): the code was mistyped")
    return problems


def id_problems(id_types: pd.Series, numbers: pd.Series,
                today: date | None = None) -> pd.Series:
    """What is wrong with each (document type, number) pair ("" when valid).

    Parameters
    ----------
    id_types : pandas.Series of str
        :class:`IdType` values.
    numbers : pandas.Series of str
        Normalised numbers.
    today : date, optional
        Latest acceptable birth date of a resident ID.
    """
    problems = pd.Series("", index=numbers.index, dtype=object)
    for id_type in IdType:
        rows = (id_types == id_type.value).to_numpy(bool)
        if not rows.any():
            continue
        subset = numbers[rows].astype(str)
        if id_type is IdType.RESIDENT_ID:
            problems[rows] = resident_id_problems(subset, today)
        elif id_type is IdType.USCC:
            problems[rows] = uscc_problems(subset)
        else:
            pattern, expected = _SHAPES[id_type]
            fits = subset.str.fullmatch(pattern).fillna(False).to_numpy(bool)
            problems[subset.index[~fits]] = str(expected)
    return problems


def _stars(index: pd.Index, counts: pd.Series) -> pd.Series:
    return pd.Series("*", index=index, dtype=object).str.repeat(counts.clip(lower=1).tolist())


def mask_ids(numbers: pd.Series) -> pd.Series:
    """Document numbers with all but the first and last few characters hidden: 4 and 4 of
    an 18-character number, 2 and 2 of shorter ones (``1101**********123X``)."""
    numbers = numbers.astype(str)
    out = pd.Series("", index=numbers.index, dtype=object)
    long = (numbers.str.len() >= 18).to_numpy(bool)
    for keep, rows in ((4, long), (2, ~long)):
        part = numbers[rows]
        if part.empty:
            continue
        out[rows] = (part.str.slice(0, keep) + _stars(part.index, part.str.len() - 2 * keep)
                     + part.str.slice(-keep))
    return out


def mask_names(names: pd.Series) -> pd.Series:
    """Names with everything after the first character hidden (``张**``)."""
    names = names.astype(str).str.strip()
    return names.str.slice(0, 1) + _stars(names.index, names.str.len() - 1)
