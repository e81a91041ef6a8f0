"""The main pages in Chinese in a real browser (issue 17): every main page, charts included,
has at most a tenth of the English words of its English version, and the screen shows
Chinese characters, not the boxes of a missing font."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.contracts.test_catalogue import NOT_WORDS

pytestmark = pytest.mark.browser

MAIN_PAGES = ["/", "/provinces", "/enterprises", "/sites", "/reports", "/compliance",
              "/resources", "/resources/SD-SSD-01", "/pit", "/processing", "/safety",
              "/seismic", "/recycling", "/prospect"]
"""The main pages of issue 17's bound."""

_ENGLISH = re.compile(r"\b[A-Za-z][a-z]+\b")

VISIBLE_TEXT = """() => {
  // Code a page shows (a command line, a file name) is not language: left out.
  const body = document.body.cloneNode(true);
  for (const c of body.querySelectorAll('code, pre, script, style')) c.remove();
  const parts = [document.title, body.innerText || body.textContent];
  for (const t of document.querySelectorAll('svg text')) parts.push(t.textContent);
  return parts.join('\\n');
}"""
LANGUAGE_NAMES = {"English"}
"""The language switch names each language in itself."""


def _session(browser: Any, server: Server, locale: str) -> Any:
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "miit")
    page.fill("input[name=password]", server.password("miit"))
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


DRAWN = """() => [...document.querySelectorAll('.chart[data-figure]')]
    .every(chart => chart.dataset.rendered === '1')"""
"""Whether every chart of the page is drawn (aurum.js marks each), its texts in the page."""


def english_words(text: str) -> list[str]:
    """Words of English in a page's text (codes, units and names of NOT_WORDS are not)."""
    return [w for w in _ENGLISH.findall(text) if w not in NOT_WORDS | LANGUAGE_NAMES]


def _words(page: Any, server: Server, path: str) -> list[str]:
    page.goto(server.url + path)
    page.wait_for_function(DRAWN)
    return english_words(page.evaluate(VISIBLE_TEXT))


def test_main_pages_in_chinese_have_a_tenth_of_the_english_words(
        browser: Any, server: Server) -> None:
    zh, en = _session(browser, server, "zh-CN"), _session(browser, server, "en-US")
    assert zh.locator("html").get_attribute("lang") == "zh-CN"
    over = {}
    for path in MAIN_PAGES:
        chinese, english = _words(zh, server, path), _words(en, server, path)
        if len(chinese) > len(english) / 10:
            over[path] = (len(chinese), len(english), sorted(set(chinese))[:30])
    # the switch back to English, remembered for the next page
    zh.goto(server.url + "/provinces?lang=en")
    zh.goto(server.url + "/sites")
    assert zh.locator("html").get_attribute("lang") == "en"
    zh.context.close()
    en.context.close()
    assert not over, f"pages with English left (Chinese words, English words, sample): {over}"


def test_the_chinese_dashboard_shows_characters_not_boxes(
        browser: Any, server: Server) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no CJK font: `make fonts` installs Debian's fonts-noto-cjk"
    page = _session(browser, server, "zh-CN")
    page.screenshot(path=str(server.home / "dashboard-zh.png"))
    # Two different characters drawn alike are the boxes of a missing glyph; a font draws
    # them differently.
    page.evaluate("""() => {
      for (const [id, ch] of [['g1', '总'], ['g2', '览']]) {
        const s = document.createElement('span');
        s.id = id; s.textContent = ch; s.style.fontSize = '48px';
        s.style.display = 'inline-block'; s.style.background = '#fff';
        document.body.prepend(s);
      }
    }""")
    first = page.locator("#g1").screenshot()
    second = page.locator("#g2").screenshot()
    assert first != second
    page.context.close()
