"""The check that every string a person reads goes through the message catalogue (issue 17):
a catalogue that turns every message into 中, and the words of a language left on a page
rendered with it, charts included. Each page's test names the data it may show."""

from __future__ import annotations

import gettext
import json
import operator
import re
from html.parser import HTMLParser
from typing import Any

from tests.contracts.test_catalogue import NOT_WORDS

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
HANDFUL = 5
"""English words a page may keep (words of shared templates translated elsewhere)."""
WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]+\b")
"""A word of a language: two letters or more, at least one of them lower-case (checked by
:func:`english_words`); codes such as RC-1, SHA-256, r2 or UTC and one-letter symbols such
as the s of s(W+) are not."""
TAG = re.compile(r"<[^>]+>")
"""Markup inside a chart's texts (``<b>``, ``<br>``), which is not read."""


class Everything(gettext.NullTranslations):
    """A catalogue in which every message is 中."""

    def gettext(self, message: str) -> str:
        return "中"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        operator.index(n)  # as a catalogue's plural rule, which needs a whole number
        return "中"


class _Visible(HTMLParser):
    """The text a person reads: between tags, in the attributes read aloud or shown, on
    submit buttons and in charts; scripts, styles and code (hashes, keys, checkpoints) left
    out."""

    SKIPPED = ("script", "style", "code", "pre")
    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skip += 1
        found = dict(attrs)
        if tag == "input" and found.get("type") == "submit" and found.get("value"):
            self.parts.append(str(found["value"]))
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)
            if name == "data-figure" and value:
                self.parts += _figure_texts(json.loads(value))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _figure_texts(figure: dict[str, Any]) -> list[str]:
    """What a reader sees of a Plotly figure besides its numbers: titles, axis titles, tick
    texts, legend names and hover texts."""
    out: list[str] = []

    def titles(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "text") and isinstance(value, str):
                    out.append(value)
                elif key == "ticktext" and isinstance(value, list):
                    out.extend(str(v) for v in value)
                else:
                    titles(value)
        elif isinstance(node, list):
            for value in node:
                titles(value)

    titles(figure.get("layout", {}))
    for trace in figure.get("data", []):
        out.append(str(trace.get("name", "")))
        for key in ("hovertext", "text"):
            value = trace.get(key)
            out += [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    return out


def english_words(html: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The words of a language a reader sees on a page and in its charts, except product
    names, units and the page's data (``allowed``)."""
    page = _Visible()
    page.feed(html)
    page.close()
    words = WORD.findall(TAG.sub(" ", " ".join(page.parts)))
    return [w for w in words if not w.isupper() and w not in NOT_WORDS and w not in allowed]
