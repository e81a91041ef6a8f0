"""A deep mine's planning and ventilation pages in a real browser: every chart drawn, the
3D stopes' colour bar in calendar months, the share backfilled up to 100 %, the network's
route names in Chinese, and the pages drawn within seconds (the stope page was 391 KB)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_chinese_pages import DRAWN, _session

pytestmark = pytest.mark.browser

MINE = "SD-SSD-01"
"""The deepest showcase mine: a stope plan and a ventilation network."""


def _drawn(page: Any, server: Server, path: str) -> int:
    """Open ``path`` and wait for every chart: the page's bytes as sent (what the reader
    waits for is measured by its size, not timed: tests assert no times)."""
    response = page.goto(server.url + path)
    page.wait_for_function(DRAWN)
    return len(response.body())


def test_the_deep_mine_pages_draw(browser: Any, server: Server) -> None:
    page = _session(browser, server, "zh-CN")
    # Asked for by name: the browser's language yields to the user's kept preference, which
    # another module's test on the same server may have switched to English.
    size = _drawn(page, server, f"/underground/{MINE}?lang=zh-CN")
    assert size < 200_000, size
    ticks = page.evaluate("""() => document.getElementById('chart-stopes-3d')
        ._fullData.filter(t => t.type === 'mesh3d')[0].colorbar.ticktext""")
    assert ticks and all(len(t) == 7 and t[4] == "-" for t in ticks)
    top = page.evaluate("() => document.getElementById('chart-balance')._fullLayout.yaxis2"
                        ".range[1]")
    assert top > 100
    page.screenshot(path=str(server.home / "underground.png"), full_page=True)
    _drawn(page, server, f"/ventilation/{MINE}")
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "主井至最深中段" in text and "shaft to the deepest level" not in text
    page.screenshot(path=str(server.home / "ventilation.png"), full_page=True)
    page.context.close()
