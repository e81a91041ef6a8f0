"""Numbers in the reader's language: our fast formatting equals Babel's CLDR formatting; a
literal per cent sign in a message."""

from __future__ import annotations

import numpy as np
import pytest
from babel.numbers import format_decimal

from aurum.core import i18n


@pytest.mark.parametrize("locale", i18n.LOCALES)
@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_format_number_equals_babel(locale: str, digits: int) -> None:
    values = np.concatenate([[0.0, -0.0, 0.05, 999.95, 1e9 + 0.5, -1234.5678],
                             np.random.default_rng(digits).normal(0, 1e5, 200)])
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    with i18n.using(locale):
        for v in values:
            ours = i18n.format_number(float(v), digits)
            theirs = format_decimal(float(v), format=pattern, locale=locale)
            # Babel rounds half to even on the decimal; Python on the binary double:
            # they may differ only in the last digit of a value that sits on a half.
            assert ours == theirs or abs(
                float(ours.replace(",", "")) - float(theirs.replace(",", ""))
            ) <= 10.0 ** -digits, (v, ours, theirs)


def test_a_literal_per_cent_is_written_twice_with_or_without_placeholders() -> None:
    with i18n.using("en"):
        assert i18n.gettext("share %%") == "share %"
        assert i18n.gettext("%(n)s %%", n=5) == "5 %"
        assert i18n.gettext("≥ 35 %") == "≥ 35 %"
    with i18n.using("zh_CN"):
        assert i18n.gettext("share %%") == "份额 %"
