"""The bilingual glossary of the plan's and the field's terms, as people read it.

The terms are the translators' glossary (``locale/glossary.csv``: ``en``, ``zh``, ``source``,
``note``), the one the message catalogue is checked against, so a page never names a term
otherwise than the glossary does. Their definitions, in both languages, the pinyin that
orders the Chinese terms and the Chinese of a source written in English are kept beside it in
``locale/glossary_definitions.csv`` (``en``, ``pinyin``, ``definition_en``, ``definition_zh``,
``source_zh``), keyed by the English term.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from aurum.core import i18n

GLOSSARY = i18n.LOCALE_DIR / "glossary.csv"
DEFINITIONS = i18n.LOCALE_DIR / "glossary_definitions.csv"
MAX_QUERY = 100
"""Characters of a search kept (a term is far shorter)."""
OTHER = "#"
"""The index letter of a term that starts with no letter (``10,000 CNY``)."""


@dataclass(frozen=True)
class Term:
    """One term of the glossary.

    Parameters
    ----------
    en, zh : str
        The term in English and in Chinese.
    pinyin : str
        The Chinese term's pinyin, without tones (empty when not given).
    source_en, source_zh : str
        The standard or the plan's clause it comes from (may be empty), as the glossary writes
        it and in Chinese where that differs (else empty).
    note : str
        The translators' note (may be empty).
    definition_en, definition_zh : str
        What it means, in each language (empty when not given).
    """

    en: str
    zh: str
    pinyin: str
    source_en: str
    source_zh: str
    note: str
    definition_en: str
    definition_zh: str

    @property
    def definition(self) -> str:
        """The definition in the language in force (the other one where it is missing)."""
        first, second = ((self.definition_zh, self.definition_en) if i18n.is_chinese()
                         else (self.definition_en, self.definition_zh))
        return first or second

    @property
    def source(self) -> str:
        """The source in the language in force."""
        return (self.source_zh or self.source_en) if i18n.is_chinese() else self.source_en

    @property
    def sort_key(self) -> str:
        """Pinyin order for a Chinese reader, alphabetical for an English one."""
        return (self.pinyin or self.zh).casefold() if i18n.is_chinese() else self.en.casefold()

    @property
    def letter(self) -> str:
        """The letter of the index the term is filed under."""
        first = self.sort_key[:1].upper()
        return first if "A" <= first <= "Z" else OTHER

    def is_named(self, query: str) -> bool:
        """Whether ``query`` (case folded) is part of the term or of its pinyin."""
        return any(query in text.casefold() for text in (
            self.en, self.zh, self.pinyin, self.pinyin.replace(" ", "")))

    def is_defined(self, query: str) -> bool:
        """Whether ``query`` (case folded) is part of a definition."""
        return any(query in text.casefold() for text in (self.definition_en,
                                                         self.definition_zh))


@dataclass(frozen=True)
class Glossary:
    """The terms found, in the reader's order, and the letters of the index."""

    query: str
    terms: list[Term]
    letters: list[str]
    total: int


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def terms() -> tuple[Term, ...]:
    """Every term of the glossary with its definitions (read once)."""
    extra = {row["en"]: row for row in _rows(DEFINITIONS)}
    out = []
    for row in _rows(GLOSSARY):
        more = extra.get(row["en"], {})
        out.append(Term(row["en"], row["zh"], more.get("pinyin", ""), row.get("source") or "",
                        more.get("source_zh", ""), row.get("note") or "",
                        more.get("definition_en", ""), more.get("definition_zh", "")))
    return tuple(out)


def search(query: str | None = None) -> Glossary:
    """The terms matching ``query`` in either language (all without one), in pinyin order
    for a Chinese reader and alphabetical order for an English one.

    Parameters
    ----------
    query : str, optional
        Part of a term or of its pinyin, in English or Chinese (the terms whose definition
        has it when no term does); case does not matter; only the first :data:`MAX_QUERY`
        characters count.
    """
    wanted = (query or "").strip()[:MAX_QUERY]
    folded = wanted.casefold()
    everything = terms()
    chosen = [t for t in everything if t.is_named(folded)]
    if not chosen:
        chosen = [t for t in everything if t.is_defined(folded)]
    found = sorted(chosen, key=lambda t: t.sort_key)
    letters = sorted({t.letter for t in found}, key=lambda x: (x == OTHER, x))
    return Glossary(wanted, found, letters, len(everything))
