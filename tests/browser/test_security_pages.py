"""The pages under the Content-Security-Policy in a real browser (issue 14, finding 5): the 3D
charts draw without ``eval``, the select that applies at once needs no inline handler, the
API documentation comes from the server itself, and a logout ends the session for good."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server
from tests.browser.test_pages import _login

pytestmark = pytest.mark.browser
RENDERED = ".chart[data-rendered='1']"


def _watch(page: Any, server: Server) -> tuple[list[str], list[str]]:
    """Lists filled with the CSP violations the page reports and the requests that leave the
    server's origin."""
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((server.url, "data:", "blob:")) else None)
    return violations, outside


def test_pages_work_under_the_policy(browser: Any, server: Server) -> None:
    page = _login(browser, server, "miit")
    violations, outside = _watch(page, server)
    # The block model in 3D (WebGL) and the log-probability plot (WebGL 2D).
    page.goto(server.url + "/resources/SD-SSD-01")
    page.locator(f"{RENDERED} canvas").first.wait_for(timeout=60_000)
    page.goto(server.url + "/")
    page.locator(RENDERED).first.wait_for(timeout=60_000)
    select = page.locator("select[name=as_of]")
    other = next(year for year in select.locator("option").all_inner_texts()
                 if year != select.input_value())
    with page.expect_navigation():
        select.select_option(other)
    assert page.url.endswith(f"as_of={other}")
    assert violations == [] and outside == []
    page.close()


def test_api_docs_come_from_the_server(browser: Any, server: Server) -> None:
    page = browser.new_page()
    page.set_default_timeout(60_000)
    violations, outside = _watch(page, server)
    page.goto(server.url + "/docs")
    page.locator(".opblock-tag").first.wait_for()
    assert page.locator("#operations-auth-revoke_current_token_api_v1_tokens_current_delete"
                        ).count() == 1
    assert violations == [] and outside == []
    page.close()


def test_logout_ends_the_session_in_the_browser(browser: Any, server: Server) -> None:
    page = _login(browser, server, "mine")
    cookies = page.context.cookies()
    page.click("form.who button[type=submit]")
    page.wait_for_url(server.url + "/login")
    replay = browser.new_context()
    replay.add_cookies(cookies)
    again = replay.new_page()
    again.goto(server.url + "/sites")
    assert again.url == server.url + "/login"
    replay.close()
    page.close()
