"""Help where it is needed (issue 18): the help panel of each page in both languages, the
glossary's search and order, and the history of an object from the audit trail, within the
reader's scope."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aurum.core import i18n
from aurum.services import glossary, history, reporting
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD, Registry

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
REASON = "grade re-assayed by the second laboratory"


def _login(client: TestClient, user: str) -> TestClient:
    html = client.get("/login").text
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _help(html: str) -> str:
    found = re.search(r'<details class="help" data-testid="help">(.*?)</details>', html, re.S)
    assert found, "no help panel"
    return found.group(1)


def _amend(platform: Platform, reg: Registry) -> int:
    """A report of SD-A-01 submitted, then amended with :data:`REASON` (by the service);
    the report's id."""
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2024-Q1", values)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        return reporting.submit(s, reg.ent_a, "SD-A-01", "2024-Q1",
                                values | {"head_grade_gpt": 4.4}, reason=REASON).report_id


PAGES = ["/", "/dashboard", "/sites/SD-A-01", "/reports", "/safety", "/glossary",
         "/audit/sites/SD-A-01"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_its_help_in_english(app_client: TestClient, reg: Registry,
                                           path: str) -> None:
    panel = _help(_login(app_client, "miit").get(path).text)
    assert "<summary>Help</summary>" in panel and 'href="/glossary"' in panel
    assert len(re.sub(r"<[^>]+>", "", panel)) > 120  # a text, not only the summary


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_its_help_in_chinese(app_client: TestClient, reg: Registry,
                                           everything_chinese: None, path: str) -> None:
    # Every message of the catalogue is 中: the panel, its text and its link are messages.
    panel = _help(_login(app_client, "miit").get(path, headers=ZH).text)
    assert "<summary>中</summary>" in panel and "<p>中</p>" in panel
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", panel))


def test_the_help_is_the_pages_own(app_client: TestClient, reg: Registry) -> None:
    client = _login(app_client, "miit")
    assert "GB/T 17766-2020" in _help(client.get("/sites/SD-A-01").text)
    assert "role" in _help(client.get("/").text)
    assert "2027 indicators" in _help(client.get("/dashboard").text)
    assert "hazard register" in _help(client.get("/safety").text)


def test_the_login_page_has_help_and_an_unknown_address_none(app_client: TestClient,
                                                             reg: Registry) -> None:
    assert "role" in _help(app_client.get("/login").text)
    missing = _login(app_client, "miit").get("/no-such-page")
    assert missing.status_code == 404 and 'class="help"' not in missing.text


def test_glossary_search_in_chinese_and_english(app_client: TestClient, reg: Registry) -> None:
    client = _login(app_client, "alpha")
    for query, headers in (("探明", ZH), ("measured", {}), ("MEASURED", ZH)):
        page = client.get("/glossary", params={"q": query}, headers=headers)
        assert page.status_code == 200
        rows = page.text.split('data-testid="glossary"')[1]
        assert "探明" in rows and ">measured<" in rows, query
        assert "固体废物" not in rows  # a term that matches neither
    everything = client.get("/glossary").text
    assert everything.count('<tr id="letter-') >= 15
    # a term's name first: 品位 names 5 terms (and is in many more definitions)
    grade = client.get("/glossary", params={"q": "品位"}, headers=ZH).text
    assert grade.count('<td lang="zh-CN">') == 5 and "变差函数" not in grade
    rock = client.get("/glossary", params={"q": "highly stressed"}).text  # a definition's
    assert ">rockburst<" in rock and rock.count('<td lang="en">') == 1
    assert ">计量单位<" in client.get("/glossary", params={"q": "kg"}, headers=ZH).text
    nothing = client.get("/glossary", params={"q": "no such term at all"})
    assert nothing.status_code == 200 and 'id="letter-' not in nothing.text
    assert client.get("/glossary", params={"q": "x" * 101}).status_code == 422


def test_glossary_order_follows_the_language() -> None:
    with i18n.using("zh_CN"):
        zh = glossary.search()
        chinese = [t.zh for t in zh.terms]
        assert chinese.index("安全超高") < chinese.index("储量") < chinese.index("最终境界")
        assert zh.letters[0] == "A" and zh.total == len(glossary.terms())
        assert any(t.zh == "探明" for t in glossary.search("measured").terms)
    with i18n.using("en"):
        english = [t.en for t in glossary.search().terms]
        assert english.index("assay") < english.index("backfill") < english.index("variogram")
        assert glossary.search().letters[-1] == glossary.OTHER  # 10,000 CNY
        assert glossary.search("kriging").terms[0].definition.startswith("Estimation")
    with i18n.using("zh_CN"):
        assert glossary.search("kriging").terms[0].definition.startswith("以变差函数")


def test_every_glossary_term_has_its_definitions_and_pinyin() -> None:
    missing = [t.en for t in glossary.terms()
               if not (t.pinyin and t.definition_en and t.definition_zh)]
    assert not missing


def test_the_history_of_a_site_shows_a_change_with_its_reason(app_client: TestClient,
                                                              platform: Platform,
                                                              reg: Registry) -> None:
    _amend(platform, reg)
    for user in ("alpha", "miit", "sd-miit", "audit"):
        page = _login(TestClient(app_client.app), user).get("/audit/sites/SD-A-01")
        assert page.status_code == 200, (user, page.text)
        rows = page.text.split('data-testid="history"')[1]
        assert REASON in rows and "alpha" in rows
        # newest first: the amendment, then the first submission and the site's creation
        entries = rows.split("<tbody>")[1].split("<tr>")[1:]
        assert len(entries) == 3 and REASON in entries[0] and REASON not in entries[1]
    english = _login(TestClient(app_client.app), "miit").get("/audit/sites/SD-A-01").text
    assert ">amend<" in english and "4.4" in english
    chinese = _login(TestClient(app_client.app), "miit").get("/audit/sites/SD-A-01",
                                                              headers=ZH).text
    assert REASON in chinese and 'lang="zh-CN"' in chinese
    # The JSON form, typed: the same changes, newest first.
    body = app_client.get("/api/v1/audit/sites/SD-A-01", headers=bearer(app_client, "miit"))
    assert body.status_code == 200, body.text
    data = body.json()
    assert (data["entity"], data["entity_id"], data["name"]) == ("sites", "SD-A-01",
                                                                 "Alpha Mine")
    actions = [e["action"] for e in data["entries"]]
    assert actions[0] == "amend" and actions[-1] == "create" and data["total"] == len(actions)
    assert data["entries"][0]["reason"] == REASON
    assert {"field": "head_grade_gpt", "before": None, "after": 4.4} in (
        data["entries"][0]["changes"])
    times = [e["at"] for e in data["entries"]]
    assert times == sorted(times, reverse=True)


def test_the_history_of_a_report_shows_its_versions(app_client: TestClient, platform: Platform,
                                                    reg: Registry) -> None:
    report_id = _amend(platform, reg)
    data = app_client.get(f"/api/v1/audit/reports/{report_id}",
                          headers=bearer(app_client, "sd-miit")).json()
    assert [e["action"] for e in data["entries"]] == ["amend", "create"]
    assert data["entries"][0]["reason"] == REASON and data["name"] == "Alpha Mine 2024-Q1"
    for user in ("beta", "audit"):
        status = _login(TestClient(app_client.app), user).get(
            f"/audit/reports/{report_id}").status_code
        assert status == (404 if user == "beta" else 200)


def test_the_history_of_a_hazard_shows_the_note_of_each_step(app_client: TestClient,
                                                             reg: Registry) -> None:
    alpha = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/safety/hazards", headers=alpha, json={
        "site": "SD-A-01", "title": "Loose rock", "description": "Roof not scaled",
        "level": "general"})
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    r = app_client.post(f"/api/v1/safety/hazards/{hid}/assign", headers=alpha, json={
        "owner": "alpha", "deadline": "2099-01-01", "note": "shift foreman to scale it"})
    assert r.status_code == 200, r.text
    page = _login(app_client, "alpha").get(f"/audit/safety_hazards/{hid}")
    assert page.status_code == 200
    assert "shift foreman to scale it" in page.text and "Loose rock" in page.text
    assert 'href="/audit/safety_hazards/' in app_client.get(f"/safety/hazards/{hid}").text


def test_history_links_on_the_objects_pages(app_client: TestClient, reg: Registry) -> None:
    client = _login(app_client, "miit")
    assert 'href="/audit/sites/SD-A-01"' in client.get("/sites/SD-A-01").text
    assert 'href="/audit/organisations/ENT-A"' in client.get("/enterprises/ENT-A").text
    assert client.get("/audit/organisations/ENT-A").status_code == 200


@pytest.mark.parametrize(("user", "path"), [
    ("sd-miit", "/audit/sites/GS-B-01"),  # a Gansu site, for the Shandong regulator
    ("sd-miit", "/audit/organisations/ENT-B"),
    ("alpha", "/audit/sites/GS-B-01"),  # another enterprise's site
    ("alpha", "/audit/organisations/ENT-B"),
    ("beta", "/audit/sites/SD-A-01"),
    ("miit", "/audit/users/1"),  # no history of that kind of record
    ("miit", "/audit/audit_records/1"),
    ("miit", "/audit/sites/NO-SUCH-SITE"),
    ("miit", "/audit/safety_hazards/999999"),
    ("miit", "/audit/safety_hazards/not-a-number"),
    ("miit", "/audit/reports/999999"),
    ("miit", "/audit/reports/1.5"),
    ("miit", "/audit/recycling_participants/NOBODY"),
])
def test_histories_outside_the_scope_or_unknown_answer_404(app_client: TestClient,
                                                            reg: Registry, user: str,
                                                            path: str) -> None:
    page = _login(app_client, user).get(path)
    assert page.status_code == 404, page.text
    api = app_client.get("/api/v1" + path, headers=bearer(app_client, user))
    assert api.status_code == 404 and "entries" not in api.json()


def test_bad_pages_and_long_keys_are_refused(app_client: TestClient, reg: Registry) -> None:
    headers = bearer(app_client, "miit")
    for query in ("page=0", "page=-1", "page=abc", "page=10000000"):
        assert app_client.get(f"/api/v1/audit/sites/SD-A-01?{query}",
                              headers=headers).status_code == 422, query
    assert app_client.get("/api/v1/audit/sites/" + "X" * 65, headers=headers).status_code == 422
    late = app_client.get("/api/v1/audit/sites/SD-A-01?page=5", headers=headers).json()
    assert late["entries"] == [] and late["page"] == 5 and late["pages"] == 1


def test_a_long_history_is_paged_by_100(platform: Platform, reg: Registry,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "PAGE_SIZE", 2)
    _amend(platform, reg)
    with transaction(platform.sessions) as s:
        first = history.history(s, reg.regulator, "sites", "SD-A-01")
        second = history.history(s, reg.regulator, "sites", "SD-A-01", page=2)
    assert first.total == second.total == 3 and (first.pages, len(first.entries)) == (2, 2)
    assert len(second.entries) == 1 and second.entries[0].action == "create"
    assert history.PAGE_SIZE == 2 and history.KINDS.keys() >= {"sites", "organisations"}
