"""Seller identity: GB 11643 resident IDs and GB 32100 credit codes, checked against numbers
built in the test from the standards' tables; permits and passports by shape; masking."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from aurum.recycling import identity
from tests.recycling.helpers import resident_id, uscc


def _problems(id_type: str, numbers: list[str]) -> list[str]:
    return identity.id_problems(pd.Series([id_type] * len(numbers)), pd.Series(numbers),
                                today=date(2026, 11, 21)).tolist()


def test_published_examples_are_valid() -> None:
    # GB 11643-1999 appendix example, and the GB 32100 example code.
    assert _problems("resident_id", ["11010519491231002X"]) == [""]
    assert _problems("uscc", ["91350100M000100Y43"]) == [""]


def test_built_resident_ids_pass_and_every_other_check_character_fails() -> None:
    bases = ["44030419800101123", "11010519491231002", "51010220000229031",
             "81000019990101001", "65010119801231999"]
    valid = [resident_id(b) for b in bases]
    assert _problems("resident_id", valid) == [""] * len(valid)
    assert [identity.resident_id_check(b) for b in bases] == [v[-1] for v in valid]
    for number in valid:
        wrong = [number[:17] + c for c in "0123456789X" if c != number[17]]
        assert all("wrong check character" in p for p in _problems("resident_id", wrong))
    # A mistyped digit (transposition) is caught by the check character.
    swapped = valid[0][:3] + valid[0][4] + valid[0][3] + valid[0][5:]
    assert "wrong check character" in _problems("resident_id", [swapped])[0]


def test_resident_id_shape_date_and_area() -> None:
    found = _problems("resident_id", [
        "1101051949123100",                 # 16 characters
        resident_id("11010519491331002"),   # month 13
        resident_id("11010520300101002"),   # born in the future
        resident_id("99010519491231002"),   # no such province
        "11010519491231002x",               # lower-case x is normalised before, not here
    ])
    assert "18 characters" in found[0]
    assert "birth date" in found[1] and "birth date" in found[2]
    assert "address code" in found[3]
    assert "18 characters" in found[4]
    normalised = identity.normalise_ids(pd.Series([" 11010519491231002x "]))
    assert normalised.tolist() == ["11010519491231002X"]


def test_built_credit_codes_pass_and_others_fail() -> None:
    bases = ["91110108MA01ABCDE", "12100000400000625", "9144030071526726X",
             "52100000500021325", "Y1110000MA00TEXT0"]
    valid = [uscc(b) for b in bases]
    assert _problems("uscc", valid) == [""] * len(valid)
    assert [identity.uscc_check(b) for b in bases] == [v[-1] for v in valid]
    for code in valid:
        wrong = [code[:17] + c for c in identity.USCC_ALPHABET if c != code[17]]
        assert all("wrong check character" in p for p in _problems("uscc", wrong))
    # I, O, S, V and Z are not code characters.
    assert "GB 32100" in _problems("uscc", ["91110108MA01ABCDI" + "0"])[0]


@pytest.mark.parametrize(("id_type", "good", "bad"), [
    ("passport", ["E12345678", "G1234567", "AB1234"], ["E12", "E123456789012345678", "护照"]),
    ("hk_macao_permit", ["H12345678", "M1234567801"], ["H1234567", "X12345678"]),
    ("taiwan_permit", ["12345678", "1234567801"], ["1234567", "T1234567"]),
])
def test_documents_without_check_digit(id_type: str, good: list[str], bad: list[str]) -> None:
    assert _problems(id_type, good) == [""] * len(good)
    assert all(p.startswith("expected") for p in _problems(id_type, bad))


def test_masking_hides_the_middle() -> None:
    masked = identity.mask_ids(pd.Series(["11010519491231002X", "E12345678"])).tolist()
    assert masked == ["1101**********002X", "E1*****78"]
    assert identity.mask_names(pd.Series(["张三丰", "Li"])).tolist() == ["张**", "L*"]
