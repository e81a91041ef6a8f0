"""Standard numbers (标准编号) as China writes them: ``GB/T 4134-2021``.

A number is a prefix (代号), a serial number, an optional part after a dot (``7739.1``) and
the year of the edition: ``PREFIX SERIAL[.PART]-YEAR``. The prefix gives the level, as the
Standardization Law of 2017 (Art. 2) sets them:

- national (国家标准): ``GB`` (mandatory), ``GB/T`` (recommended), ``GB/Z`` (guidance);
  the national metrology specifications ``JJF`` and ``JJG``;
- industry (行业标准): the sector's letters (:data:`INDUSTRY_PREFIXES`), ``/T`` for a
  recommended one: ``YS/T`` (nonferrous metals; the gold industry's ``YS/T 3xxx``), ``DZ/T``
  (geology and mineral resources), ``AQ`` (work safety), ``HJ`` (ecology and environment)…;
- local (地方标准): ``DB`` with the province's two-digit code, ``DB36/T``;
- group (团体标准): ``T/`` and the group's code, ``T/CGA`` (China Gold Association);
- enterprise (企业标准): ``Q/`` and the enterprise's code.

The em dash of printed standards (``GB/T 4134—2021``) and missing spaces are accepted; the
number is kept in the one canonical form :attr:`StandardNumber.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


class Level(StrEnum):
    """Level of a standard (标准层级)."""

    NATIONAL = "national"
    INDUSTRY = "industry"
    LOCAL = "local"
    GROUP = "group"
    ENTERPRISE = "enterprise"


NATIONAL_PREFIXES = frozenset({"GB", "GB/T", "GB/Z", "JJF", "JJG"})
"""Prefixes of national standards and national metrology specifications."""

INDUSTRY_PREFIXES = {
    "YS": "nonferrous metals (incl. gold, YS/T 3xxx)",
    "DZ": "geology and mineral resources",
    "AQ": "work safety",
    "HJ": "ecology and environment",
    "QB": "light industry (jewellery)",
    "SJ": "electronics",
    "YB": "ferrous metallurgy",
    "XB": "rare earths",
    "JB": "machinery",
    "HG": "chemicals",
    "TD": "land management",
    "MT": "coal",
    "KA": "mine safety (equipment)",
}
"""Industry codes a registry of the gold field meets, with the sector (in English, for
messages and the file's reader): a prefix outside is refused, not guessed."""

YEARS = (1949, 2100)
"""Years an edition can carry: from the first standards of the People's Republic on."""

MAX_NUMBER_CHARS = 40
"""Longest standard number accepted (characters), before it is parsed."""

_PATTERN = re.compile(
    r"^(?P<prefix>T/[A-Z0-9]{2,12}|Q/[A-Z0-9]{1,20}|DB\d{2}(?:/T)?|[A-Z]{2,3}(?:/[TZ])?)"
    r"\s*(?P<serial>\d{1,6})(?:\.(?P<part>\d{1,3}))?"
    r"(?:\s*[-—–]\s*(?P<year>\d{4}))?$")


@dataclass(frozen=True, order=True)
class StandardNumber:
    """A parsed standard number.

    Attributes
    ----------
    prefix : str
        ``GB/T``, ``YS/T``, ``T/CGA``…
    serial : str
        The serial number as written (leading zeros kept: ``DZ/T 0205``).
    part : int or None
        The part of a multi-part standard (``GB/T 7739.1`` is part 1), else None.
    year : int or None
        Year of the edition; None for a series or a planned standard without one yet.
    """

    prefix: str
    serial: str
    part: int | None
    year: int | None

    @property
    def level(self) -> Level:
        """The level the prefix gives."""
        if self.prefix in NATIONAL_PREFIXES:
            return Level.NATIONAL
        if self.prefix.startswith("T/"):
            return Level.GROUP
        if self.prefix.startswith("Q/"):
            return Level.ENTERPRISE
        if self.prefix.startswith("DB"):
            return Level.LOCAL
        return Level.INDUSTRY

    @property
    def mandatory(self) -> bool:
        """Whether the standard is mandatory (强制性): a national ``GB`` without ``/T`` or
        ``/Z``; the others are recommended, guidance or voluntary."""
        return self.prefix == "GB"

    @property
    def series(self) -> str:
        """The number without its year (``GB/T 7739.1``): every edition of one standard."""
        part = "" if self.part is None else f".{self.part}"
        return f"{self.prefix} {self.serial}{part}"

    @property
    def text(self) -> str:
        """The canonical form, ``GB/T 4134-2021``."""
        return self.series if self.year is None else f"{self.series}-{self.year}"

    @property
    def slug(self) -> str:
        """The form a web address carries: ``gb-t-4134-2021``, ``t-cga-001-2026``."""
        return self.text.lower().replace("/", "-").replace(" ", "-")

    def __str__(self) -> str:
        return self.text


def parse_number(text: object, field: str = "number", source: str | None = None,
                 row: int | None = None, require_year: bool = True) -> StandardNumber:
    """Parse a standard number.

    Parameters
    ----------
    text : str
        The number as written (``GB/T 4134-2021``, ``GB/T4134—2021``, ``T/CGA 001-2026``).
    field, source, row
        Where it came from, for the message.
    require_year : bool
        Whether the year of the edition must be given (a planned standard may have none).

    Returns
    -------
    StandardNumber

    Raises
    ------
    ValidationError
        One problem: not text, too long, not of the form ``PREFIX SERIAL[.PART]-YEAR``, an
        unknown industry prefix, a year outside :data:`YEARS` or a missing year.
    """
    def refuse(message: str) -> ValidationError:
        return ValidationError(Problem(message, row=row, column=field, source=source))

    if not isinstance(text, str) or not text.strip():
        raise refuse(_("expected a standard number such as 'GB/T 4134-2021', got %(v)s",
                       v=repr(text)))
    raw = " ".join(text.strip().upper().split())
    if len(raw) > MAX_NUMBER_CHARS:
        raise refuse(_("a standard number has at most %(n)s characters", n=MAX_NUMBER_CHARS))
    found = _PATTERN.match(raw)
    if found is None:
        raise refuse(_("%(v)s is not a standard number: expected PREFIX SERIAL[.PART]-YEAR, "
                       "such as 'GB/T 4134-2021' or 'YS/T 3005-2011'", v=repr(text)))
    prefix = found["prefix"]
    base = prefix.split("/")[0]
    if not (prefix in NATIONAL_PREFIXES or prefix.startswith(("T/", "Q/", "DB"))
            or (base in INDUSTRY_PREFIXES and prefix != "GB/Z")):
        raise refuse(_("unknown prefix %(p)s: expected GB, GB/T, GB/Z, an industry code "
                       "(%(codes)s, with /T when recommended), DBnn, T/<group> or "
                       "Q/<enterprise>", p=repr(prefix), codes=", ".join(INDUSTRY_PREFIXES)))
    year = None if found["year"] is None else int(found["year"])
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise refuse(_("the year %(y)s of %(v)s is not from %(a)s to %(b)s", y=year,
                       v=repr(text), a=YEARS[0], b=YEARS[1]))
    if year is None and require_year:
        raise refuse(_("%(v)s gives no year of its edition: expected e.g. '%(v2)s-2021'",
                       v=repr(text), v2=raw))
    part = None if found["part"] is None else int(found["part"])
    if part == 0:
        raise refuse(_("a part number starts at 1, got %(v)s", v=repr(text)))
    return StandardNumber(prefix, found["serial"], part, year)
