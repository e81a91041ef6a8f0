"""Languages: the message catalogues, the language of the current request or command, and
formatting of numbers and dates in it.

Aurum speaks Simplified Chinese (``zh_CN``, the default: the plan's users work in Chinese) and
English (``en``). Messages are gettext catalogues kept as Babel ``.po`` sources in
``aurum/locale/<locale>/LC_MESSAGES/messages.po``; the compiled ``.mo`` files are built at
install (``make install`` runs ``pybabel compile``) and never committed. A ``.po`` newer than
its ``.mo`` (an edited catalogue, or a checkout that was never installed) is compiled in memory
at first use instead, so a stale binary can never hide a translation.

The language in force is a context variable: the server sets it per request
(:func:`using`), the CLI from ``LANG``; :func:`gettext` and friends read it when they are
called, so a message raised by a service deep inside a request is in the caller's language.
Strings made at import time (module constants, choices) use :func:`lazy_gettext`, which
translates when the string is used. A third language is one more ``.po`` and one more entry
in :data:`LOCALES`.

Machine keys stay English: JSON keys, CSV headers, enum values and command-line flags are
interfaces (programs rely on them) and are never translated.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol, get_group_symbol
from babel.support import LazyProxy

LOCALES: tuple[str, ...] = ("zh_CN", "en")
"""The languages Aurum speaks, as Babel identifiers, the default first."""
DEFAULT_LOCALE = "zh_CN"
"""The language of a visitor who states none (``AURUM_LOCALE`` overrides it)."""
TAGS: dict[str, str] = {"zh_CN": "zh-CN", "en": "en"}
"""BCP 47 tags (``<html lang>``, ``?lang=``, ``Accept-Language``) by locale."""
NAMES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
"""Each language's name in itself (the language switch)."""
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
"""Where the catalogues live."""
DOMAIN = "messages"

_CURRENT: ContextVar[str | None] = ContextVar("aurum_locale", default=None)


def default_locale() -> str:
    """The language when none is asked for: ``AURUM_LOCALE`` if it names one of
    :data:`LOCALES`, else :data:`DEFAULT_LOCALE`."""
    return parse_tag(os.environ.get("AURUM_LOCALE", "")) or DEFAULT_LOCALE


def current() -> str:
    """The language in force (a Babel identifier)."""
    return _CURRENT.get() or default_locale()


def tag(locale: str | None = None) -> str:
    """The BCP 47 tag of ``locale`` (default: the current one), e.g. ``zh-CN``."""
    return TAGS[locale or current()]


def is_chinese(locale: str | None = None) -> bool:
    """Whether ``locale`` (default: the current one) is Chinese."""
    return (locale or current()).startswith("zh")


@contextmanager
def using(locale: str) -> Iterator[str]:
    """Run a block in ``locale`` (one of :data:`LOCALES`), restoring the previous language."""
    token = _CURRENT.set(locale)
    try:
        yield locale
    finally:
        _CURRENT.reset(token)


def parse_tag(value: str | None) -> str | None:
    """The supported locale a tag names, or None.

    Accepts BCP 47 and POSIX spellings and their variants: ``zh-CN``, ``zh_CN``, ``zh``,
    ``zh-Hans``, ``zh_CN.UTF-8``; ``en``, ``en-US``, ``en_GB.UTF-8``.
    """
    if not value:
        return None
    text = value.strip().split(".")[0].split("@")[0].replace("_", "-")
    if not text or len(text) > 35:
        return None
    try:
        parsed = Locale.parse(text, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if parsed.language == "zh" and parsed.script in (None, "Hans") and parsed.territory in (
            None, "CN", "SG"):
        return "zh_CN"
    return parsed.language if parsed.language in LOCALES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best supported locale of an ``Accept-Language`` header (by its q-values), or None.

    Parameters
    ----------
    accept_language : str or None
        The header, e.g. ``zh-CN,zh;q=0.9,en;q=0.8``.
    """
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language[:500].split(",")[:20]):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-q, i, name))
    for negative_q, _, name in sorted(ranked):
        found = parse_tag(name) if negative_q < 0 else None
        if found:
            return found
    return None


@lru_cache(maxsize=len(LOCALES) + 1)
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``locale``: its ``.mo`` when it is as new as its ``.po``,
    else the ``.po`` compiled in memory; none (messages as written) for a locale without one."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str, /, **values: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled from
    ``values`` (after translation, so a translator may move them).

    A literal per cent sign is written ``%%`` in a message, as in the templates, whether or
    not the message has placeholders: without ``values`` it is unescaped here.
    """
    text = translations(current()).gettext(message)
    return text % values if values else text.replace("%%", "%")


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The singular or plural form for ``n`` in the current language (``%(num)s`` is ``n``).

    Chinese has one form; English two: the catalogue's plural rule chooses.
    """
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def lazy_gettext(message: str, /, **values: Any) -> LazyProxy:
    """A string translated when it is used, not when it is made (for module constants)."""
    return LazyProxy(gettext, message, enable_cache=False, **values)


_ = gettext


def locale_object(locale: str | None = None) -> Locale:
    """Babel's :class:`~babel.core.Locale` of ``locale`` (default: the current one)."""
    return Locale.parse(locale or current())


@lru_cache(maxsize=len(LOCALES) + 1)
def _number_symbols(locale: str) -> tuple[str, str]:
    """The decimal and grouping symbols of ``locale`` (``.`` and ``,`` in both Chinese and
    English)."""
    return get_decimal_symbol(locale), get_group_symbol(locale)


def format_number(value: float | int | None, digits: int = 1) -> str:
    """``value`` with grouping and ``digits`` decimals in the current language; an en dash
    for a missing value (None or NaN).

    Python's formatting with the locale's symbols (from Babel's CLDR data): a table cell is
    formatted in about a microsecond, where ``babel.numbers.format_decimal`` takes some 70
    (a table of 2,000 numbers: 0.14 s a view)."""
    if value is None or value != value:  # NaN is the only value unequal to itself
        return "–"
    text = f"{value:,.{max(digits, 0)}f}"
    decimal, group = _number_symbols(current())
    if (decimal, group) != (".", ","):
        text = text.translate({ord("."): decimal, ord(","): group})
    return text


def text_width(text: str) -> int:
    """The columns ``text`` takes in a terminal or a spreadsheet: East Asian wide and
    full-width characters (a Chinese heading's) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_date(value: date | datetime | None, form: str = "medium") -> str:
    """A date in the current language (``2025年3月26日`` / ``Mar 26, 2025``)."""
    if value is None:
        return "–"
    return _format_date(value, format=form, locale=locale_object())


def format_datetime(value: datetime | None, form: str = "medium") -> str:
    """A moment in the current language."""
    if value is None:
        return "–"
    return _format_datetime(value, format=form, locale=locale_object())
