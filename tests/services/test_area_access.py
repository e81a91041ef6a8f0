"""Who opens the newest areas, decided in their services on every read and write: a role
the area does not concern is refused it (PermissionDenied, whatever object it names, before
any lookup) rather than shown it empty; a role it concerns still reads it, within its scope
(a mine outside an enterprise's is "not found", as before); and the navigation offers each
area's page to exactly the roles its service lets in.

- regional consolidation (:mod:`aurum.services.structure`): administrators, regulators and
  auditors; enterprises (groups included) and recyclers refused;
- supply–demand matching (:mod:`aurum.services.matching`): administrators, regulators,
  auditors and enterprise users (buyers and makers); recyclers refused;
- a mine's underground plans and ventilation (:mod:`aurum.services.underground`,
  :mod:`aurum.services.ventilation`): administrators, regulators, auditors and the mine's
  enterprise; recyclers refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from aurum.api.navigation import PAGES, pages_for
from aurum.core.errors import NotFoundError, PermissionDenied
from aurum.services import (
    auth,
    matching,
    registry,
    structure,
    underground,
    underground_views,
    ventilation,
)
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import StructureStudy
from tests.factories import PASSWORD, Registry
from tests.services.test_structure import small_study
from tests.services.test_ventilation import SITE, small_network

NEED = {"kind": "bonding_wire", "title": "Gold bonding wire for LED packages",
        "ranges": [{"property": "wire_diameter", "min": 20.0, "max": 30.0}],
        "quantity": 50.0, "quantity_unit": "km", "needed_by": date(2027, 3, 1)}
TODAY = date(2026, 12, 7)


@dataclass(frozen=True)
class World:
    """The small registry with a recycler, a downstream buyer and one object per area.

    Parameters
    ----------
    reg : Registry
        :func:`tests.factories.small_registry`'s users.
    recycler, buyer : Actor
        A recycler of RC-1 (login ``rc1``) and a user of the downstream user BUY (``buyer``).
    study_id, need_id, network_id : int
        A Shandong consolidation study, BUY's need, a ventilation network of ``SITE``.
    """

    reg: Registry
    recycler: Actor
    buyer: Actor
    study_id: int
    need_id: int
    network_id: int


def build_world(platform: Platform, reg: Registry) -> World:
    """:class:`World` stored in ``platform`` (the API tests call it too)."""
    admin = reg.admin
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "RC-1", "Golden Phoenix Recycling", "recycling",
                                     "Shandong")
        registry.create_organisation(s, admin, "BUY", "Pearl River Electronics",
                                     "downstream_user", "Guangdong")
        recycler = actor_for(s, create_user(s, "rc1", PASSWORD, Role.RECYCLER,
                                            org_code="RC-1"))
        buyer = actor_for(s, create_user(s, "buyer", PASSWORD, Role.ENTERPRISE,
                                         org_code="BUY"))
        study = structure.create_study(s, admin, "Shandong", "Jiaodong", small_study())
        assert isinstance(study, StructureStudy)
        need = matching.post_need(s, buyer, **NEED, today=TODAY)
        network = ventilation.save_network(s, reg.ent_a, SITE, small_network(), "designed")
        return World(reg, recycler, buyer, study.id, need.id, network.id)


@pytest.fixture
def world(platform: Platform, reg: Registry) -> World:
    return build_world(platform, reg)


Call = Callable[[Session, Actor, World, Path], Any]
"""One read or write of an area: (session, actor, world, data directory) -> anything."""
CALLS: dict[str, dict[str, Call]] = {
    "structure": {
        "studies": lambda s, a, w, h: structure.studies(s, a),
        "study": lambda s, a, w, h: structure.study(s, a, w.study_id),
        "index": lambda s, a, w, h: structure.index_rows(s, a),
        "create": lambda s, a, w, h: structure.create_study(s, a, "Shandong", "x",
                                                            small_study()),
    },
    "matching": {
        "needs": lambda s, a, w, h: matching.list_needs(s, a),
        "board": lambda s, a, w, h: matching.board(s, a),
        "need": lambda s, a, w, h: matching.need_view(s, a, w.need_id),
        "status": lambda s, a, w, h: matching.set_status(s, a, w.need_id, "closed", ""),
        "rematch": lambda s, a, w, h: matching.refresh(s, a),
        "post": lambda s, a, w, h: matching.post_need(s, a, **NEED, today=TODAY),
    },
    "underground": {
        "mines": lambda s, a, w, h: underground_views.deep_mines_frame(s, a),
        "page": lambda s, a, w, h: underground_views.site_plan_view(s, a, h, SITE),
        "plans": lambda s, a, w, h: underground.plans(s, a, SITE),
        "plan": lambda s, a, w, h: underground.readable_plan(s, a, 1),
        "write": lambda s, a, w, h: underground.writable_site(s, a, SITE),
    },
    "ventilation": {
        "mines": lambda s, a, w, h: ventilation.sites_frame(s, a),
        "page": lambda s, a, w, h: ventilation.site_view(s, a, SITE),
        "versions": lambda s, a, w, h: ventilation.versions(s, a, SITE),
        "network": lambda s, a, w, h: ventilation.readable_network(s, a, w.network_id),
        "write": lambda s, a, w, h: ventilation.save_network(s, a, SITE, small_network(),
                                                             "x"),
    },
}
REFUSED: dict[str, tuple[str, ...]] = {
    "structure": ("recycler", "ent_a"),
    "matching": ("recycler",),
    "underground": ("recycler",),
    "ventilation": ("recycler",),
}
"""The area's refused users (attributes of :class:`World` or of its registry)."""
PAGE = {"structure": "/structure", "matching": "/materials/matching",
        "underground": "/underground", "ventilation": "/ventilation"}
"""Each area's page in the navigation."""
INDEX: dict[str, Call] = {area: CALLS[area][read] for area, read in (
    ("structure", "studies"), ("matching", "board"), ("underground", "mines"),
    ("ventilation", "mines"))}
"""The read each area's page starts with."""


def _user(world: World, name: str) -> Actor:
    found = getattr(world, name, None) or getattr(world.reg, name)
    assert isinstance(found, Actor)
    return found


@pytest.mark.parametrize(("area", "user"), [(a, u) for a, users in REFUSED.items()
                                            for u in users])
def test_a_refused_role_is_refused_every_read_and_write(platform: Platform, world: World,
                                                        area: str, user: str) -> None:
    actor = _user(world, user)
    refused = {name: _refused(platform, actor, world, call)
               for name, call in CALLS[area].items()}
    assert refused == dict.fromkeys(CALLS[area], True)


def _refused(platform: Platform, actor: Actor, world: World, call: Call) -> bool:
    """Whether ``call`` refuses ``actor`` (a "not found" is no refusal of the role: the
    role is refused before any lookup)."""
    with transaction(platform.sessions, actor.user_id) as s:
        try:
            call(s, actor, world, platform.settings.home)
        except PermissionDenied:
            return True
        except NotFoundError:
            return False
    return False


def test_the_roles_concerned_still_read_within_their_scope(platform: Platform,
                                                           world: World) -> None:
    reg, home = world.reg, platform.settings.home
    with platform.sessions() as s:
        # consolidation: Shandong's regulator reads the Shandong study, the auditor all
        assert structure.study(s, reg.regulator_sd, world.study_id).name == "Jiaodong"
        assert [r["id"] for r in structure.index_rows(s, reg.auditor)] == [world.study_id]
        # matching: the buyer its need, a mining enterprise an empty board (no party)
        assert matching.need_view(s, world.buyer, world.need_id).need["id"] == world.need_id
        assert [n["id"] for n in matching.list_needs(s, reg.regulator)] == [world.need_id]
        assert matching.list_needs(s, reg.ent_a) == []
        # a mine's planning and ventilation: its enterprise, the readers; another mine's
        # enterprise is told the mine does not exist, as before
        assert list(underground_views.deep_mines_frame(s, reg.ent_a)["code"]) == [SITE]
        assert underground_views.site_plan_view(s, reg.regulator_sd, home, SITE).site.code \
            == SITE
        assert [n.id for n in ventilation.versions(s, reg.auditor, SITE)] == [world.network_id]
        assert list(ventilation.sites_frame(s, reg.ent_a)["code"]) == [SITE]
        with pytest.raises(NotFoundError):
            ventilation.versions(s, reg.ent_b, SITE)
        with pytest.raises(NotFoundError):
            underground.plans(s, reg.ent_b, SITE)


@pytest.mark.parametrize("area", list(PAGE))
def test_the_navigation_offers_each_area_to_the_roles_its_service_admits(
        platform: Platform, world: World, area: str) -> None:
    page = next(p for p in PAGES if p.path == PAGE[area])
    admitted = set()
    with platform.sessions() as s:
        for role in Role:
            # The area's own users of each role (a national regulator, not a province's).
            actor = {Role.ADMIN: world.reg.admin, Role.REGULATOR: world.reg.regulator,
                     Role.ENTERPRISE: world.reg.ent_a, Role.RECYCLER: world.recycler,
                     Role.AUDITOR: world.reg.auditor}[role]
            try:
                INDEX[area](s, actor, world, platform.settings.home)
            except PermissionDenied:
                continue
            admitted.add(role)
    assert admitted == set(page.roles)


def test_the_actor_carries_its_organisations_kinds_and_the_navigation_follows_them(
        platform: Platform, world: World) -> None:
    """What a user is offered follows what its organisations do, however it proves who it
    is (a login, a browser session, a token); its role alone still decides what it may
    open."""
    with transaction(platform.sessions, world.reg.admin.user_id) as s:
        group = actor_for(s, create_user(s, "grp", PASSWORD, Role.ENTERPRISE, org_code="GRP"))
        by_session = auth.session_credential(s, auth.open_session(s, world.buyer))
        by_token = auth.token_credential(
            s, auth.issue_token(s, world.reg.ent_a.user_id, "script").token)
    assert by_session is not None and by_token is not None
    assert group.org_types == {"group", "mining"} and len(group.org_ids or ()) == 2
    assert by_session.actor == world.buyer and world.buyer.org_types == {"downstream_user"}
    assert by_token.actor.org_types == world.reg.ent_a.org_types == {"mining"}
    assert world.recycler.org_types == {"recycling"} and world.reg.regulator.org_types == set()
    offered = {name: {p.path for p in pages_for(actor)} for name, actor in (
        ("buyer", world.buyer), ("mine", world.reg.ent_a), ("group", group))}
    assert "/materials/matching" in offered["buyer"] and "/underground" not in offered["buyer"]
    for mining in ("mine", "group"):
        assert "/underground" in offered[mining]
        assert "/materials/matching" not in offered[mining]
