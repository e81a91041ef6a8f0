"""The demo registry: organisations, sites, the demo users and their logins.

Demo passwords are random, written to ``AURUM_HOME/demo-logins.json`` (mode 600) and printed
by ``aurum serve``: no password lives in the repository.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from aurum.core.errors import ConflictError
from aurum.demo.district import District
from aurum.demo.names_zh import organisation_name_zh, site_name_zh
from aurum.services import registry
from aurum.services.auth import SYSTEM, Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.store.db import transaction
from aurum.store.models import Site, User

LOGINS_FILE = "demo-logins.json"

Logins = dict[str, dict[str, str]]
"""Demo logins by username: ``{"password", "role"}``."""


@dataclass(frozen=True)
class DemoActors:
    """Who acts in the demo: an admin, a national regulator and the enterprise user of each
    organisation that has one (by organisation id)."""

    admin: Actor
    regulator: Actor
    enterprise: dict[int, Actor]

    def of(self, site: Site) -> Actor:
        """The site's enterprise user, else the admin."""
        return next((a for a in self.enterprise.values()
                     if a.org_ids is not None and site.org_id in a.org_ids), self.admin)


def _logins_path(platform: Platform) -> Path:
    return platform.settings.home / LOGINS_FILE


def read_logins(platform: Platform) -> Logins:
    """The demo logins written by :func:`aurum.demo.seed.seed`, or an empty dict."""
    path = _logins_path(platform)
    return json.loads(path.read_text()) if path.exists() else {}


def write_logins(platform: Platform, logins: Logins) -> None:
    """Keep the demo logins in ``AURUM_HOME`` (a file of mode 600)."""
    path = _logins_path(platform)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(json.dumps(logins, indent=2))


DemoUser = tuple[str, Role, str, str | None, str | None]


def _users(district: District) -> list[DemoUser]:
    """(username, role, display name, organisation code, province) of the demo users."""
    groups = [o for o in district.organisations if o.org_type.value == "group"]
    independents = [o for o in district.organisations
                    if o.parent_code is None and o.org_type.value == "mining"]
    users: list[DemoUser] = [
        # Display names as the people of the ministries and enterprises write them.
        ("admin", Role.ADMIN, "平台管理员", None, None),
        ("miit", Role.REGULATOR, "工业和信息化部原材料工业司", None, None),
        ("shandong", Role.REGULATOR, "山东省工业和信息化厅", None, "Shandong"),
        ("auditor", Role.AUDITOR, "统计审计", None, None)]
    if groups:
        users.append(("group", Role.ENTERPRISE, organisation_name_zh(groups[0].name),
                      groups[0].code, None))
    if independents:
        users.append(("mine", Role.ENTERPRISE, organisation_name_zh(independents[0].name),
                      independents[0].code, None))
    return users


def seed_demo(platform: Platform, district: District) -> tuple[DemoActors, Logins]:
    """Register the district's organisations and sites and create the demo users.

    Parameters
    ----------
    platform : Platform
        Migrated, empty database.
    district : District
        The generated district.

    Returns
    -------
    tuple
        Who acts in the rest of the demo, and the logins created.

    Raises
    ------
    ConflictError
        When the database already holds organisations.
    """
    with platform.sessions() as s:
        if registry.list_organisations(s, SYSTEM):
            raise ConflictError("the database already holds a registry; the demo seeds an "
                                "empty one (remove AURUM_HOME or point AURUM_DATABASE_URL "
                                "elsewhere)")
    logins: Logins = {}
    users = _users(district)
    with transaction(platform.sessions) as s:
        # The administrator first: it registers the rest.
        admin = actor_for(s, _create(s, users[0], logins))
        s.info["user_id"] = admin.user_id
        # Groups before their members: a member names its parent.
        for org in sorted(district.organisations, key=lambda o: o.parent_code is not None):
            registry.create_organisation(s, admin, org.code, org.name, org.org_type.value,
                                         org.province, org.parent_code,
                                         organisation_name_zh(org.name))
        for site in district.sites:
            registry.create_site(s, admin, SiteSpec(
                site.code, site.org_code, site.name, site.kind.value, site.province,
                site.mine_method.value if site.mine_method else None,
                site.plant_type.value if site.plant_type else None, site.design_capacity_tpd,
                site.depth_m, site.status.value, site.lon, site.lat, site.commissioned_on,
                site_name_zh(site.name)))
        others = [_create(s, user, logins) for user in users[1:]]
        regulator = next((actor_for(s, u) for u in others
                          if u.role == Role.REGULATOR.value and u.province is None), admin)
        enterprise = {u.org_id: actor_for(s, u) for u in others
                      if u.role == Role.ENTERPRISE.value and u.org_id is not None}
    return DemoActors(admin, regulator, enterprise), logins


def _create(session: Session, user: DemoUser, logins: Logins) -> User:
    """Create a demo user with a random password, kept in ``logins``."""
    username, role, name, org_code, province = user
    password = secrets.token_urlsafe(12)
    row = create_user(session, username, password, role, name, org_code, province)
    logins[username] = {"password": password, "role": role.value}
    return row


def operating_sites(session: Session, actor: Actor, kind: str) -> list[str]:
    """Codes of the operating sites of a kind that the actor reads, in order; of the mines,
    only the underground ones (those the safety and seismic demos are about)."""
    frame = registry.sites_frame(session, actor)
    if frame.empty:
        return []
    chosen = (frame["kind"] == kind) & (frame["status"] == "operating")
    if kind == "mine":
        chosen &= frame["mine_method"] == "underground"
    return sorted(frame.loc[chosen, "site"])
