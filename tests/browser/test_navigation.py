"""Each role's navigation offers only what it may open, and each role lands on a home made for
its work: tried as the seven demo users on the browser tests' server of the seeded demo
district."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from aurum.api.navigation import PAGES, NavPage, current_page, navigation, pages_for
from aurum.industry.registry import OrgType
from aurum.services.auth import Actor, Role
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

USERS = ("miit", "shandong", "auditor", "group", "mine", "recycler", "admin")
"""The demo logins (README), one per kind of user."""
SERVICE_USERS = ("lab", "buyer", "maker")
"""The demo's enterprise users of organisations with no mine or plant: a laboratory, a
downstream user and a new-materials maker."""
MINING_TOOLS = {"/provinces", "/enterprises", "/sites", "/reports", "/reports/review",
                "/briefings", "/compliance", "/data-quality", "/resources", "/pit", "/prospect",
                "/processing", "/safety", "/seismic", "/jobs", "/dashboard"}
"""Pages of gold mining (statistics, geology, plants, safety) and its studies."""
HOME_MARKS = {"miit": ['data-testid="home-regulator"', "National",
                       'data-testid="indicator-gold_output_growth_pct"'],
              "shandong": ['data-testid="home-regulator"', "Shandong",
                           'data-testid="indicator-gold_output_growth_pct"'],
              "auditor": ['data-testid="home-auditor"', 'data-testid="corrected-reports"'],
              "group": ['data-testid="home-enterprise"', 'data-testid="reports-due"',
                        'data-testid="open-hazards"', "Jiaodong Gold Group"],
              "mine": ['data-testid="home-enterprise"', 'data-testid="reports-due"',
                       'data-testid="sites"'],
              "recycler": ['data-testid="home-recycler"', 'data-testid="recycling-due"',
                           'data-testid="purchases"'],
              "admin": ['data-testid="home-admin"', 'data-testid="platform"',
                        'data-testid="indicator-gold_output_growth_pct"']}
"""What each home shows of its role's work (the demo district's names)."""


@pytest.fixture(scope="module")
def demo_client(server: Server) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]]]]:
    """A client of the browser tests' demo server (seeded once for all), and the demo
    logins."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client, server.logins


def _login(demo_client: tuple[httpx.Client, dict[str, dict[str, str]]], user: str) -> httpx.Client:
    client, logins = demo_client
    client.cookies.clear()
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": user, "password": logins[user]["password"],
                                    "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return client


def _nav(page: str) -> list[str]:
    """The links of the header's navigation."""
    header = page.split('<header class="top">')[1].split("</header>")[0]
    nav = header.split('data-testid="main-nav">')[1].split("</nav>")[0]
    return re.findall(r'<a href="([^"]+)"', nav)


def _main_links(page: str) -> set[str]:
    """The internal links of the page's content (not the header's, not anchors)."""
    main = page.split("<main>")[1].split("</main>")[0]
    return {href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"#]*)', main)}


@pytest.mark.parametrize("user", USERS)
def test_every_link_of_each_roles_navigation_answers(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]], user: str) -> None:
    client = _login(demo_client, user)
    home = client.get("/")
    assert home.status_code == 200
    links = _nav(home.text)
    assert links[0] == "/" and len(links) == len(set(links))
    assert '<a href="/" aria-current="page">' in home.text
    refused = {path: status for path in links
               if (status := client.get(path).status_code) != 200}
    assert refused == {}


@pytest.mark.parametrize("user", SERVICE_USERS)
def test_an_enterprise_without_sites_is_offered_its_services_and_no_mining_tool(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]], user: str) -> None:
    client = _login(demo_client, user)
    home = client.get("/")
    assert home.status_code == 200 and 'data-testid="home-enterprise"' in home.text
    links = set(_nav(home.text))
    assert not MINING_TOOLS & links
    assert {"/materials", "/standards"} <= links
    assert ("/metrology" in links) is (user == "lab")
    assert ("/materials/matching" in links) is (user != "lab")
    # what its home links is offered in its navigation (the glossary aside, which every
    # page links), and every link answers
    main = _main_links(home.text)
    assert main - {"/glossary"} <= links
    refused = {path: status for path in sorted(links | main)
               if (status := client.get(path).status_code) != 200}
    assert refused == {}


def test_the_recycler_has_recycling_tools_only(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    client = _login(demo_client, "recycler")
    links = _nav(client.get("/").text)
    assert not MINING_TOOLS & set(links)
    assert links == ["/", "/recycling", "/recycling/reports", "/recycling/ledger",
                     "/recycling/custody", "/standards", "/docs"]
    # a mining page it still types in the address bar is not offered there either
    assert "/pit" not in _nav(client.get("/recycling/ledger").text)


@pytest.mark.parametrize(("user", "absent"), [
    ("auditor", {"/prospect", "/pit", "/jobs", "/recycling", "/reports/review"}),
    ("group", {"/recycling", "/recycling/regulator", "/provinces", "/reports/review"}),
    ("shandong", {"/recycling", "/recycling/reports"})])
def test_no_role_is_offered_what_it_may_not_do(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]], user: str,
        absent: set[str]) -> None:
    assert not absent & set(_nav(_login(demo_client, user).get("/").text))


@pytest.mark.parametrize("user", USERS)
def test_each_home_shows_its_roles_work_and_no_link_is_refused(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]], user: str) -> None:
    client = _login(demo_client, user)
    page = client.get("/").text
    missing = [mark for mark in HOME_MARKS[user] if mark not in page]
    assert missing == []
    assert 'class="chart"' in page  # each home draws its data
    links = _main_links(page)
    assert links
    refused = {path: status for path in sorted(links)
               if (status := client.get(path).status_code) != 200}
    assert refused == {}


def test_the_homes_figures_are_the_roles_own(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    """The provincial regulator's home is kept to its province, the enterprise's to its
    sites."""
    shandong = _login(demo_client, "shandong").get("/").text
    provinces = shandong.split('data-testid="province-top"')[1].split("</table>")[0]
    assert re.findall(r'href="/provinces#([^"]+)"', provinces) == ["Shandong"]
    mine = _login(demo_client, "mine").get("/").text
    sites = mine.split('data-testid="sites"')[1].split("</table>")[0]
    codes = re.findall(r'href="/sites/([^"]+)"', sites)
    assert codes and all(code.startswith("SD-") for code in codes)


def test_the_page_being_read_is_marked_in_the_navigation(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    client = _login(demo_client, "mine")
    page = client.get("/safety/alerts").text
    assert '<a href="/safety" aria-current="page">' in page
    assert page.count('aria-current="page"') == 1


def test_the_indicators_page_answers_and_refuses_a_bad_year(
        demo_client: tuple[httpx.Client, dict[str, dict[str, str]]]) -> None:
    client = _login(demo_client, "auditor")
    assert 'data-testid="indicator-gold_output_growth_pct"' in client.get("/dashboard").text
    assert client.get("/dashboard?as_of=20000000").status_code == 422
    assert client.get("/?as_of=1900").status_code == 422


# --- the declaration alone ----------------------------------------------------------------------


def _actor(role: Role, province: str | None = None,
           org_types: frozenset[str] = frozenset({OrgType.MINING.value})) -> Actor:
    """A user of ``role``; an enterprise user's organisation is of ``org_types`` (a mine)."""
    enterprise = role is Role.ENTERPRISE
    return Actor(1, "someone", role, frozenset({1}) if enterprise else None, province,
                 org_types=org_types if enterprise else frozenset())


def _offered(org_type: OrgType) -> set[str]:
    """The paths offered to an enterprise user of an organisation of ``org_type``."""
    return {p.path for p in pages_for(_actor(Role.ENTERPRISE, org_types=frozenset({
        org_type.value})))}


def test_each_path_is_declared_once_and_every_role_has_a_home_and_the_api() -> None:
    paths = [p.path for p in PAGES]
    assert len(paths) == len(set(paths))
    for role in Role:
        offered = [p.path for p in pages_for(_actor(role))]
        assert offered[0] == "/" and "/docs" in offered


def test_the_current_page_is_the_longest_that_holds_the_address() -> None:
    pages = pages_for(_actor(Role.ADMIN))
    assert current_page("/recycling/ledger", pages) == "/recycling/ledger"
    assert current_page("/recycling/purchases", pages) == "/recycling"
    assert current_page("/reports/review", pages) == "/reports/review"
    assert current_page("/reports/12", pages) == "/reports"
    assert current_page("/", pages) == "/"
    # the home holds no other page; an address outside every page marks none
    assert current_page("/glossary", pages) is None
    assert current_page("/sitesX", pages) is None


def test_navigation_groups_only_what_the_user_may_open() -> None:
    assert navigation(None, "/") == []
    groups = navigation(_actor(Role.RECYCLER), "/recycling")
    assert [g.group.value for g in groups] == ["overview", "recycling", "services", "platform"]
    marked = [link.path for g in groups for link in g.links if link.current]
    assert marked == ["/recycling"]
    only = NavPage("/x", PAGES[0].label, frozenset({Role.AUDITOR}), PAGES[0].group)
    assert pages_for(_actor(Role.ADMIN), [only]) == []
    # a provincial regulator is offered what a national one is
    assert pages_for(_actor(Role.REGULATOR, "Shandong")) == pages_for(_actor(Role.REGULATOR))


def test_a_laboratory_is_offered_proficiency_testing_and_no_mine() -> None:
    offered = _offered(OrgType.LABORATORY)
    assert {"/", "/metrology", "/materials", "/standards", "/docs"} <= offered
    assert not offered & (MINING_TOOLS | {"/underground", "/ventilation", "/trade/overseas",
                                          "/materials/matching"})


def test_a_downstream_user_is_offered_the_matching_board_and_no_plant() -> None:
    offered = _offered(OrgType.DOWNSTREAM)
    assert {"/materials", "/materials/matching"} <= offered
    assert not offered & {"/processing", "/underground", "/reports", "/metrology"}
    assert "/materials/matching" in _offered(OrgType.NEW_MATERIALS)


def test_a_mining_enterprise_is_offered_its_mines_and_no_matching_board() -> None:
    for kind in (OrgType.MINING, OrgType.GROUP):
        offered = _offered(kind)
        assert {"/underground", "/ventilation", "/pit", "/seismic", "/reports",
                "/materials"} <= offered
        assert not offered & {"/materials/matching", "/metrology"}
    # a smelter works plants, not mines
    smelter = _offered(OrgType.SMELTING_REFINING)
    assert {"/processing", "/reports", "/safety"} <= smelter
    assert not smelter & {"/underground", "/pit", "/seismic"}
    # a group with a materials maker among its members is offered the board too
    both = pages_for(_actor(Role.ENTERPRISE, org_types=frozenset({
        OrgType.GROUP.value, OrgType.NEW_MATERIALS.value})))
    assert {"/underground", "/materials/matching"} <= {p.path for p in both}


def test_the_kinds_of_organisation_limit_the_enterprises_only() -> None:
    for role in (Role.ADMIN, Role.REGULATOR, Role.AUDITOR):
        offered = {p.path for p in pages_for(_actor(role))}
        assert offered == {p.path for p in PAGES if role in p.roles}
    # an enterprise of no known kind is offered only the pages for every enterprise
    nobody = {p.path for p in pages_for(_actor(Role.ENTERPRISE, org_types=frozenset()))}
    assert nobody == {p.path for p in PAGES
                      if Role.ENTERPRISE in p.roles and p.org_types is None}
