"""Every string a person reads goes through the message catalogue, and both catalogues are
complete (issue 17).

- Every message marked in the code and the templates (``_``, ``gettext``, ``ngettext``,
  ``lazy_gettext``; ``{{ _() }}`` and ``{% trans %}`` in templates) has a Chinese translation
  that is not fuzzy, and is in the English catalogue.
- No template writes text a person reads outside the catalogue: the text between tags and the
  attributes a person reads (``title``, ``placeholder``, ``aria-label``, ``alt``) hold no
  English words once the template's own expressions are taken out; codes, units and names
  in :data:`NOT_WORDS` are not words of a language.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import aurum
from aurum.core import i18n

ROOT = Path(aurum.__file__).resolve().parent
TEMPLATES = sorted((ROOT / "api" / "templates").glob("*.html"))
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}

NOT_WORDS = frozenset({
    # the product, formats and protocols, as written in Chinese text too
    "Aurum", "API", "CSV", "JSON", "XLSX", "Excel", "PDF", "OMF", "MQTT", "GeoTIFF", "QuakeML",
    "StationXML", "miniSEED", "MineLib", "OpenAPI", "YAML", "HTTP", "HTTPS", "URL", "ID",
    "CRIRSCO", "JORC", "GB", "DZ", "HS", "SHA", "CIL", "CIP", "AUC", "ROC", "KPI", "KKT",
    # units and symbols
    "km", "kg", "Mt", "kt", "Moz", "oz", "MPa", "kPa", "Pa", "mm", "MW", "kW", "kWh", "Hz",
    "ppm", "ppb", "CNY", "USD",
})
"""Latin-letter tokens that are codes, units or names, not English words."""

VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_JINJA = re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}",
                    re.DOTALL)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)
_MARKED = re.compile(r"\b_\(\s*(['\"]).*?\1|\bngettext\(\s*(['\"]).*?\2\s*,\s*(['\"]).*?\3",
                     re.DOTALL)
_LITERAL = re.compile(r"(['\"])((?:(?!\1).)*)\1")
_PROSE = re.compile(r"^[A-Z][a-z]+\b|[A-Za-z]{2,} [A-Za-z]{2,}")


def extracted() -> dict[str, tuple[str, ...]]:
    """Every message marked in the package, with the files it is in."""
    found: dict[str, set[str]] = {}
    for path, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, OPTIONS, KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, set()).add(path)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def catalogue(locale: str) -> dict[str, tuple[str, bool]]:
    """A catalogue's messages: msgid → (first msgstr, fuzzy)."""
    po = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with po.open("rb") as handle:
        cat = read_po(handle, locale=locale)
    out = {}
    for message in cat:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        out[key] = (text, message.fuzzy)
    return out


class _Visible(HTMLParser):
    """The text and the visible attributes of an HTML page, scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in VISIBLE_ATTRIBUTES and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(template: str) -> list[str]:
    """The English words a template writes outside the catalogue: in its text, and in the
    string literals of its expressions that read as prose (a table's column labels, say),
    those given to ``_()`` excepted."""
    parser = _Visible()
    parser.feed(_JINJA.sub(" ", template))
    parser.close()
    parts = list(parser.parts)
    for expression in _TAG.finditer(template):
        code = _MARKED.sub(" ", expression.group(1) or expression.group(2))
        parts += [text for _q, text in _LITERAL.findall(code) if _PROSE.search(text)]
    return [w for w in _WORD.findall(" ".join(parts)) if w not in NOT_WORDS]


def test_every_message_has_a_chinese_translation_and_an_english_entry() -> None:
    messages = extracted()
    zh, en = catalogue("zh_CN"), catalogue("en")
    untranslated = {m: files for m, files in messages.items()
                    if m not in zh or not zh[m][0] or zh[m][1]}
    missing_en = sorted(set(messages) - set(en))
    assert not untranslated, (
        f"{len(untranslated)} messages without a (non-fuzzy) zh_CN translation, e.g. "
        f"{list(untranslated.items())[:10]}; run `make catalogue` and translate them")
    assert not missing_en, f"not in the en catalogue: {missing_en[:10]}"


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_no_template_writes_english_outside_the_catalogue(path: Path) -> None:
    words = english_words(path.read_text(encoding="utf-8"))
    assert not words, f"{path.name} writes {words[:20]} outside the catalogue"


def test_the_check_finds_english_and_lets_codes_and_translated_text_pass() -> None:
    assert english_words("<h1>Gold output</h1>") == ["Gold", "output"]
    assert english_words('<input placeholder="Site code">') == ["Site", "code"]
    assert english_words("{% set cols = [('site', 'Site code', 'text')] %}") == ["Site", "code"]
    assert english_words("<h1>{{ _('Gold output') }}</h1><p>{% trans %}Each site{% endtrans %}"
                         "</p><td>{{ row.t | num }} kg</td><script>let x = 'word';</script>"
                         ) == []


def test_the_terms_of_the_trade_follow_the_glossary() -> None:
    """A message that is a glossary term (whatever its case) has the glossary's Chinese."""
    with (i18n.LOCALE_DIR / "glossary.csv").open(encoding="utf-8", newline="") as handle:
        terms = {row["en"].casefold(): row["zh"] for row in csv.DictReader(handle)}
    zh = catalogue("zh_CN")
    off = {m: (text, terms[m.casefold()]) for m, (text, _fuzzy) in zh.items()
           if m.casefold() in terms and text and text != terms[m.casefold()]}
    assert not off, f"translations that differ from the glossary: {off}"


def test_plural_forms_and_placeholders_follow_the_language() -> None:
    with i18n.using("en"):
        assert i18n.ngettext("%(num)s site", "%(num)s sites", 1) == "1 site"
        assert i18n.ngettext("%(num)s site", "%(num)s sites", 3) == "3 sites"
        assert i18n.format_number(1234.5, 1) == "1,234.5"
    with i18n.using("zh_CN"):
        assert i18n.translations("zh_CN").plural(5) == 0  # one form in Chinese
        assert i18n.format_date(__import__("datetime").date(2025, 3, 26)) == "2025年3月26日"


class _AnyValue(dict[str, object]):
    """Every placeholder name has a value (the check is of the format, not of the names)."""

    def __missing__(self, key: str) -> object:
        return 1


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_template_messages_survive_jinja_formatting(locale: str) -> None:
    # Jinja's new-style gettext formats every translated string with ``%``, variables or not,
    # so a bare percent sign in a template's message (or in its translation) is a 500 page.
    translated = catalogue(locale)
    broken = {}
    for message, files in extracted().items():
        if not any(f.endswith(".html") for f in files):
            continue
        for text in {message, translated.get(message, ("", False))[0] or message}:
            try:
                text % _AnyValue()
            except (ValueError, TypeError) as exc:
                broken[message] = (text, str(exc))
    assert not broken, broken
