"""The newest areas' pages and API routes answer their services' refusal: 403 to a role the
area does not concern (whatever object the address names), 200 to a role it concerns
(:mod:`tests.services.test_area_access` holds the rules)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_underground_api import _browser
from tests.factories import Registry
from tests.services.test_area_access import World, build_world
from tests.services.test_structure import small_study
from tests.services.test_ventilation import SITE, small_network

STUDIES = "/api/v1/structure/studies"
NEEDS = "/api/v1/materials/needs"
PLANS = f"/api/v1/sites/{SITE}/stope-plans"
NETWORKS = f"/api/v1/sites/{SITE}/vent-networks"


def _reads(w: World) -> dict[str, list[str]]:
    """Each area's pages and API reads, the addresses naming an existing object."""
    return {
        "structure": ["/structure", f"/structure/{w.study_id}", STUDIES,
                      f"{STUDIES}/{w.study_id}"],
        "matching": ["/materials/matching", f"/materials/needs/{w.need_id}", NEEDS,
                     f"{NEEDS}/gaps", f"{NEEDS}/{w.need_id}"],
        "underground": ["/underground", f"/underground/{SITE}", PLANS],
        "ventilation": ["/ventilation", f"/ventilation/{SITE}", NETWORKS,
                        f"{NETWORKS}/{w.network_id}"],
    }


REFUSED = {"structure": ("rc1", "alpha"), "matching": ("rc1",), "underground": ("rc1",),
           "ventilation": ("rc1",)}
"""Users refused each area."""
CONCERNED = {"structure": ("sd-miit", "audit"), "matching": ("buyer", "miit", "audit"),
             "underground": ("alpha", "sd-miit", "audit"),
             "ventilation": ("alpha", "miit", "audit")}
"""Users of each area: all of its reads answer them."""


@pytest.fixture
def world(platform: Platform, reg: Registry) -> World:
    return build_world(platform, reg)


def _statuses(app_client: TestClient, user: str, paths: list[str]) -> dict[str, int]:
    """What each address answers ``user``: pages with the login cookie, the API with a
    token."""
    browser = _browser(app_client, user)
    token = bearer(app_client, user)
    return {path: (app_client.get(path, headers=token) if path.startswith("/api/")
                   else browser.get(path)).status_code for path in paths}


@pytest.mark.parametrize(("area", "user"), [(a, u) for a, users in REFUSED.items()
                                            for u in users])
def test_a_refused_role_gets_403_from_the_pages_and_the_api(
        app_client: TestClient, world: World, area: str, user: str) -> None:
    paths = _reads(world)[area]
    assert _statuses(app_client, user, paths) == dict.fromkeys(paths, 403)


def test_a_refused_roles_writes_get_403(app_client: TestClient, world: World) -> None:
    rc1 = bearer(app_client, "rc1")
    writes = {
        STUDIES: app_client.post(STUDIES, headers=bearer(app_client, "alpha"),
                                 json={"province": "Shandong", "name": "x", **small_study()}),
        NETWORKS: app_client.post(NETWORKS, headers=rc1,
                                  json={"document": small_network(), "reason": "x"}),
        f"{NEEDS}/{world.need_id}/status": app_client.post(
            f"{NEEDS}/{world.need_id}/status", headers=rc1,
            json={"status": "closed", "reason": "x"}),
        f"{NEEDS}/rematch": app_client.post(f"{NEEDS}/rematch", headers=rc1)}
    assert {path: r.status_code for path, r in writes.items()} == dict.fromkeys(writes, 403)


@pytest.mark.parametrize(("area", "user"), [(a, u) for a, users in CONCERNED.items()
                                            for u in users])
def test_a_role_concerned_still_gets_200(app_client: TestClient, world: World, area: str,
                                         user: str) -> None:
    paths = _reads(world)[area]
    assert _statuses(app_client, user, paths) == dict.fromkeys(paths, 200)


def test_a_refusal_names_the_roles_in_the_readers_language(app_client: TestClient,
                                                          world: World) -> None:
    page = _browser(app_client, "rc1").get("/materials/matching",
                                            headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 403
    assert "管理员" in page.text and "监管" in page.text
    assert not {"admin", "regulator", "auditor", "enterprise"} & set(
        re.findall(r"[a-z]+", page.text.split("<main", 1)[-1].split("</main>")[0]))


def test_a_recycler_is_refused_the_provinces_pages(app_client: TestClient,
                                                   world: World) -> None:
    assert _statuses(app_client, "rc1", ["/provinces", "/provinces/370000"]) == {
        "/provinces": 403, "/provinces/370000": 403}
    assert _statuses(app_client, "sd-miit", ["/provinces", "/provinces/370000"]) == {
        "/provinces": 200, "/provinces/370000": 200}
