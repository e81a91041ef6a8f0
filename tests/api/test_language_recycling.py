"""Every string a person reads on the recycling pages goes through the message catalogue
(issue 17): with a catalogue that turns every message into 中, the pages (their charts too)
hold almost no English word; what is left is codes, units and names, which are data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from aurum.services import recycling
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.api.test_recycling_api import API, _custody, _login, recyclers  # noqa: F401
from tests.factories import Registry
from tests.recycling.helpers import purchase, seller_id, validated
from tests.services.test_safety import fast_password_hashing  # noqa: F401 (autouse)

NAMES = frozenset({"English", "Shandong", "Henan", "miit"})
"""Names the pages show as data: the language switch, provinces, the user."""


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


def _words(client: TestClient, path: str) -> list[str]:
    r = client.get(path, headers=ZH)
    assert r.status_code == 200, (path, r.text[:500])
    assert '<html lang="zh-CN">' in r.text and "中" in r.text
    return english_words(r.text, NAMES)


def test_the_regulators_pages_are_all_in_the_catalogue(world: TestClient,
                                                       everything_chinese: None) -> None:
    _login(world, "miit")
    pages = ["/recycling", "/recycling/ledger?proof=1", "/recycling/reports",
             "/recycling/custody", "/recycling/custody/AU-1", "/recycling/regulator"]
    left = {path: _words(world, path) for path in pages}
    assert all(len(words) <= HANDFUL for words in left.values()), left


def test_the_recyclers_counter_refusal_and_receipt_are_all_in_the_catalogue(
        world: TestClient, everything_chinese: None) -> None:
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
        words = english_words(r.text, NAMES)
        assert len(words) <= HANDFUL, words
    world.post("/recycling/reports/screen", data={"csrf": csrf}, headers=ZH)
    assert len(_words(world, "/recycling/reports")) <= HANDFUL


def test_the_check_sees_english_and_passes_codes_units_and_names() -> None:
    page = ('<h1>Gold ledger <small>RC-1 · SHA-256 · r2 · 12 kg · Shandong</small></h1>'
            '<code>deadbeef</code><script>let word = 1;</script>'
            '<div class="chart" data-figure=\'{"data": [{"name": "fine gold"}], '
            '"layout": {"title": {"text": "中"}}}\'></div>'
            f"<p>{datetime(2025, 8, 4, tzinfo=UTC).isoformat()}</p>")
    assert english_words(page, NAMES) == ["Gold", "ledger", "fine", "gold"]
