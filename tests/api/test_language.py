"""The language of a page: Accept-Language, the switch (?lang=) remembered in a cookie, the
default; every page in the language of its request (issue 17)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aurum.api.language import choose
from aurum.core import i18n
from tests.factories import PASSWORD


def _login(client: TestClient, username: str = "miit") -> None:
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_accept_language_chooses_chinese_and_the_switch_is_remembered(
        app_client: TestClient) -> None:
    _login(app_client)
    zh = app_client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in zh.text and "总览" in zh.text and "退出登录" in zh.text
    assert zh.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in zh.headers["vary"]
    # the switch: the page in English, and the next pages too, whatever the browser says
    en = app_client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in en.text and ">Dashboard<" in en.text
    assert "aurum_lang=en" in en.headers["set-cookie"]
    again = app_client.get("/provinces", headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in again.text
    back = app_client.get("/provinces?lang=zh-CN")
    assert '<html lang="zh-CN">' in back.text and "省份" in back.text


def test_a_page_kept_in_one_language_is_not_served_in_the_other(
        app_client: TestClient) -> None:
    _login(app_client)
    first = app_client.get("/?lang=zh-CN").text
    second = app_client.get("/?lang=en").text
    assert "总览" in first and "总览" not in second and ">Dashboard<" in second


def test_without_a_stated_language_the_default_is_chinese(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AURUM_LOCALE")
    page = app_client.get("/login")
    assert '<html lang="zh-CN">' in page.text
    monkeypatch.setenv("AURUM_LOCALE", "en")
    assert '<html lang="en">' in app_client.get("/login").text


@pytest.mark.parametrize(("query", "cookie", "header", "expected"), [
    ("en", "zh-CN", "zh-CN", "en"),            # the switch wins
    (None, "en", "zh-CN", "en"),               # then the remembered choice
    ("fr", None, "fr-FR,en;q=0.5", "en"),      # an unknown language is no choice
    (None, "bogus", "zh-Hans-CN", "zh_CN"),
    (None, None, "de, ja;q=0.5", "en"),        # AURUM_LOCALE (en in the tests)
    (None, None, "en-GB;q=0.2, zh-CN;q=0.9", "zh_CN"),  # by q-value, not by order
])
def test_choose(query: str | None, cookie: str | None, header: str | None,
                expected: str) -> None:
    assert choose(query, cookie, header) == expected


def test_messages_follow_the_language_in_force() -> None:
    with i18n.using("zh_CN"):
        assert i18n.gettext("Dashboard") == "总览"
        with i18n.using("en"):
            assert i18n.gettext("Dashboard") == "Dashboard"
        lazy = i18n.lazy_gettext("Dashboard")
    with i18n.using("en"):
        assert str(lazy) == "Dashboard"  # translated when used, not when made


def test_the_switch_is_the_users_preference_in_any_browser(
        app_client: TestClient) -> None:
    _login(app_client, "alpha")
    app_client.get("/?lang=zh-CN")
    elsewhere = TestClient(app_client.app)  # another browser: no cookie, an English one
    _login(elsewhere, "alpha")
    page = elsewhere.get("/", headers={"Accept-Language": "en-US"})
    assert '<html lang="zh-CN">' in page.text


def test_names_read_in_the_language_of_the_page(app_client: TestClient, platform) -> None:
    from sqlalchemy import select

    from aurum.store.db import transaction
    from aurum.store.models import Organisation, Site

    with transaction(platform.sessions) as s:
        s.execute(Organisation.__table__.update().where(Organisation.code == "ENT-A")
                  .values(name_zh="甲黄金矿业有限公司"))
        site = s.scalar(select(Site).where(Site.code == "SD-A-01"))
        english = site.name
        site.name_zh = "甲一号矿"
    with platform.sessions() as s:
        with i18n.using("zh_CN"):
            assert s.scalar(select(Site.name).where(Site.code == "SD-A-01")) == "甲一号矿"
            assert s.scalar(select(Site).where(Site.code == "SD-A-01")).name == "甲一号矿"
        with i18n.using("en"):
            assert s.scalar(select(Site.name).where(Site.code == "SD-A-01")) == english
    _login(app_client)
    zh = app_client.get("/sites/SD-A-01?lang=zh-CN").text
    en = app_client.get("/sites/SD-A-01?lang=en").text
    assert "甲一号矿" in zh and "甲黄金矿业有限公司" in zh
    assert english in en and "甲一号矿" not in en


def test_an_excel_sheet_for_a_chinese_reader_has_chinese_headers_csv_keeps_keys(
        app_client: TestClient) -> None:
    import io

    import pandas as pd
    from openpyxl import load_workbook

    from tests.api.conftest import bearer

    token = bearer(app_client, "miit")
    headers = {**token, "Accept-Language": "zh-CN"}
    sheet = app_client.get("/api/v1/sites", params={"format": "xlsx"}, headers=headers)
    book = load_workbook(io.BytesIO(sheet.content))
    first = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    keys = pd.read_excel(io.BytesIO(sheet.content), sheet_name="keys")
    csv = app_client.get("/api/v1/sites", params={"format": "csv"}, headers=headers).text
    assert csv.splitlines()[0].split(",") == keys.iloc[:, 1].tolist()  # machine keys
    assert first == keys.iloc[:, 0].tolist()
    assert "省份" in first and "Province" not in first


def test_a_filter_of_a_constant_follows_the_readers_language() -> None:
    # Jinja folds a filter of a constant into the compiled template unless the filter takes
    # the render context: the header would keep the language of the first reader.
    from aurum.api.templating import TEMPLATES
    template = TEMPLATES.env.from_string("{{ 'report_id' | column }} {{ 'Shandong' | province }}")
    with i18n.using("en"):
        assert template.render() == "Report ID Shandong"
    with i18n.using("zh_CN"):
        assert template.render() == "报表编号 山东"
