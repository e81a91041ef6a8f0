"""ISO 3166-1 countries with their names in Chinese and English, from Babel's CLDR data.

The codes are Babel's territories (``babel.Locale.parse('zh_CN').territories``) kept to the
249 officially assigned ISO 3166-1 alpha-2 codes: CLDR's numeric regions (``001`` World,
``142`` Asia...) go, and so do its two-letter codes that are not countries of ISO 3166-1 —
``EU`` (European Union), ``EZ`` (euro area), ``UN`` (United Nations), ``QO`` (outlying
Oceania), ``XA``/``XB`` (pseudo-locales), ``XK`` (Kosovo, a user-assigned code), ``ZZ``
(unknown region) and the codes ISO reserves exceptionally for other uses (``AC`` Ascension,
``CP`` Clipperton, ``CQ`` Sark, ``DG`` Diego Garcia, ``EA`` Ceuta and Melilla, ``IC`` Canary
Islands, ``TA`` Tristan da Cunha).

Alpha-3 codes, which world outlines are named by, come from CLDR's territory aliases (an
alpha-3 code is an alias of its alpha-2 code); where CLDR keeps a withdrawn alpha-3 code
beside the current one (:data:`WITHDRAWN_ALPHA3`), the current one is taken.

Taiwan is named 中国台湾 in Chinese, as China's customs statistics name it (CLDR: 台湾).
"""

from __future__ import annotations

import functools

from babel import Locale
from babel.core import get_global

NOT_ISO_3166_1 = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN",
                            "XA", "XB", "XK", "ZZ"})
"""Two-letter CLDR territories that are not ISO 3166-1 alpha-2 country codes."""

WITHDRAWN_ALPHA3 = frozenset({"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"})
"""Withdrawn alpha-3 codes CLDR still maps (Burma, the GDR, metropolitan France, East Timor,
South Yemen, Zaire)."""

NAME_OVERRIDES = {"zh_CN": {"TW": "中国台湾"}}
"""Names that differ from CLDR's, by locale (China's customs statistics' usage)."""


@functools.cache
def country_codes() -> frozenset[str]:
    """The 249 ISO 3166-1 alpha-2 codes (module docstring)."""
    return frozenset(str(code) for code in Locale.parse("en").territories
                     if len(str(code)) == 2 and str(code).isalpha()
                     and code not in NOT_ISO_3166_1)


def is_country(code: object) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (upper case, as stored)."""
    return isinstance(code, str) and code in country_codes()


@functools.cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    overrides = NAME_OVERRIDES.get(locale, {})
    return {code: overrides.get(code, territories[code]) for code in country_codes()}


def country_name(code: str, locale: str = "en") -> str:
    """A country's name in ``locale`` (``"zh_CN"`` or ``"en"``); the code itself when it is
    not an ISO 3166-1 alpha-2 code."""
    return _names("zh_CN" if locale.startswith("zh") else "en").get(code, code)


@functools.cache
def _alpha3() -> dict[str, str]:
    aliases = get_global("territory_aliases")
    found: dict[str, str] = {}
    for alias, targets in aliases.items():
        if (len(alias) == 3 and alias.isalpha() and len(targets) == 1
                and targets[0] in country_codes() and alias not in WITHDRAWN_ALPHA3):
            found[targets[0]] = alias
    return found


def alpha3(code: str) -> str | None:
    """A country's ISO 3166-1 alpha-3 code (``PE`` → ``PER``); None when it has none."""
    return _alpha3().get(code)
