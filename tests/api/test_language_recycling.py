"""Every string a person reads on the recycling pages goes through the message catalogue
(issue 17): with a catalogue that turns every message into 中, the pages (their charts too)
hold almost no English word; what is left is codes, units and names, which are data."""

from __future__ import annotations

import gettext
import json
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aurum.core import i18n
from aurum.services import recycling
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.api.test_recycling_api import API, _custody, _login, recyclers  # noqa: F401
from tests.contracts.test_catalogue import NOT_WORDS
from tests.factories import Registry
from tests.recycling.helpers import purchase, seller_id, validated
from tests.services.test_safety import fast_password_hashing  # noqa: F401 (autouse)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
NAMES = frozenset({"English", "Shandong", "Henan", "miit"})
"""Names the pages show as data: the language switch, provinces, the user."""
HANDFUL = 5
"""English words a page may keep (words of shared macros translated elsewhere)."""
_WORD = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z'’-]*\b")
"""A word of a language: letters with at least one lower-case one (codes such as RC-1,
SHA-256, r2 or UTC are not)."""


class _Everything(gettext.NullTranslations):
    """A catalogue in which every message is 中."""

    def gettext(self, message: str) -> str:
        return "中"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return "中"


class _Visible(HTMLParser):
    """The text a person reads: between tags and in the attributes read aloud or shown,
    scripts, styles and code (hashes, keys, checkpoints) left out."""

    SKIPPED = ("script", "style", "code", "pre")
    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.figures: list[dict[str, Any]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in self.SKIPPED:
            self._skip += 1
        self.parts += [v for k, v in attrs if k in self.ATTRIBUTES and v]
        if tag == "input" and found.get("type") == "submit" and found.get("value"):
            self.parts.append(str(found["value"]))
        if found.get("data-figure"):
            self.figures.append(json.loads(unescape(str(found["data-figure"]))))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _chart_texts(figure: dict[str, Any]) -> list[str]:
    """What a chart writes: title, axis titles, legend names."""
    layout = figure.get("layout", {})
    texts = [layout.get("title", {}).get("text", "")]
    texts += [axis.get("title", {}).get("text", "") for key, axis in layout.items()
              if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict)]
    return texts + [str(trace.get("name", "")) for trace in figure.get("data", [])]


def english_words(html: str) -> list[str]:
    """The words of a language left on a page and in its charts, names and codes apart."""
    page = _Visible()
    page.feed(html)
    page.close()
    texts = page.parts + [t for f in page.figures for t in _chart_texts(f)]
    return [w for w in _WORD.findall(" ".join(texts)) if w not in NOT_WORDS | NAMES]


@pytest.fixture
def world(app_client: TestClient, platform: Platform, recyclers: Registry  # noqa: F811
          ) -> TestClient:
    """Bar AU-1 traced back to two purchases; two large-cash reports screened, one of them
    submitted to the regulator's inbox; a purchase reversed; a signed head over it all."""
    _custody(platform, recyclers)
    keys = recycling.LedgerKeys.load(platform.settings)
    with transaction(platform.sessions, recyclers.admin.user_id) as s:
        recycling.append_purchases(s, recyclers.admin, keys, validated([
            purchase(shop=shop, amount_cny="60000", seller_id_number=seller_id(seller),
                     occurred_at=f"2025-08-0{day}T{hour}:00:00+08:00")
            for seller, day in ((7, 4), (8, 5)) for shop, hour in (("S-1", "09"), ("S-2", "17"))]
            + [purchase(amount_cny="500", seller_id_number=seller_id(9))]))
        recycling.record_correction(s, recyclers.admin, keys, 9, "keyed twice")
    rc1 = bearer(app_client, "rc1")
    assert len(app_client.post(f"{API}/reports/screen", headers=rc1).json()["created"]) == 2
    first = app_client.get(f"{API}/reports", headers=rc1).json()[0]["id"]
    assert app_client.post(f"{API}/reports/{first}/submit", headers=rc1).status_code == 201
    return app_client


@pytest.fixture
def everything_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "translations", lambda locale: _Everything())


def _words(client: TestClient, path: str) -> list[str]:
    r = client.get(path, headers=ZH)
    assert r.status_code == 200, (path, r.text[:500])
    assert '<html lang="zh-CN">' in r.text and "中" in r.text
    return english_words(r.text)


def test_the_regulators_pages_are_all_in_the_catalogue(world: TestClient,
                                                       everything_in_chinese: None) -> None:
    _login(world, "miit")
    pages = ["/recycling", "/recycling/ledger?proof=1", "/recycling/reports",
             "/recycling/custody", "/recycling/custody/AU-1", "/recycling/regulator"]
    left = {path: _words(world, path) for path in pages}
    assert all(len(words) <= HANDFUL for words in left.values()), left


def test_the_recyclers_counter_refusal_and_receipt_are_all_in_the_catalogue(
        world: TestClient, everything_in_chinese: None) -> None:
    csrf = _login(world, "rc1")
    assert len(_words(world, "/recycling")) <= HANDFUL
    form = {"csrf": csrf, "recycler": "RC-1", "shop": "S-9", "seller_id_type": "resident_id",
            "seller_id_number": seller_id(5), "seller_name": "王五", "item_type": "jewellery",
            "gross_weight_g": "12.5", "fineness_permille": "1200", "assay_method": "xrf",
            "price_per_g_cny": "780", "amount_cny": "9750", "payment_method": "cash",
            "occurred_at": "2025-08-05T10:30", "origin": "personal_jewellery"}
    for values, status in ((form, 422), (form | {"fineness_permille": "750"}, 200)):
        r = world.post("/recycling/purchases", data=values, headers=ZH)
        assert r.status_code == status, r.text[:500]
        words = english_words(r.text)
        assert len(words) <= HANDFUL, words
    world.post("/recycling/reports/screen", data={"csrf": csrf}, headers=ZH)
    assert len(_words(world, "/recycling/reports")) <= HANDFUL


def test_the_check_sees_english_and_passes_codes_units_and_names() -> None:
    page = ('<h1>Gold ledger <small>RC-1 · SHA-256 · r2 · 12 kg · Shandong</small></h1>'
            '<code>deadbeef</code><script>let word = 1;</script>'
            '<div class="chart" data-figure=\'{"data": [{"name": "fine gold"}], '
            '"layout": {"title": {"text": "中"}}}\'></div>'
            f"<p>{datetime(2025, 8, 4, tzinfo=UTC).isoformat()}</p>")
    assert english_words(page) == ["Gold", "ledger", "fine", "gold"]
