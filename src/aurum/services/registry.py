"""The industry registry: organisations and their mines, plants and tailings facilities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.industry.registry import (
    PROVINCES,
    MineMethod,
    OrgType,
    PlantType,
    SiteKind,
    SiteStatus,
)
from aurum.services.auth import Actor, Role
from aurum.services.reporting import registry_frame
from aurum.store.frames import frame_of
from aurum.store.models import AuditRecord, Organisation, ResourceStatement, Site


@dataclass(frozen=True)
class SiteSpec:
    """What a new site needs.

    Parameters
    ----------
    code, org_code, name : str
        Site code (unique), owning organisation code, name.
    kind : str
        ``mine``, ``plant`` or ``tailings``.
    province : str
        Province (English name, :data:`aurum.industry.registry.PROVINCES`).
    mine_method : str, optional
        Mines only: open_pit, underground or combined.
    plant_type : str, optional
        Plants only: processing_plant, heap_leach, concentrate_smelter or refinery.
    design_capacity_tpd : float, optional
        Design ore (or concentrate) capacity, t/d.
    depth_m : float, optional
        Mining depth below surface, m.
    status : str
        planned, construction, operating, suspended or closed.
    lon, lat : float, optional
        Location, decimal degrees (WGS 84).
    commissioned_on : date, optional
        Date of commissioning.
    name_zh : str, optional
        The official Chinese name (``name`` is the English one).
    """

    code: str
    org_code: str
    name: str
    kind: str
    province: str
    mine_method: str | None = None
    plant_type: str | None = None
    design_capacity_tpd: float | None = None
    depth_m: float | None = None
    status: str = SiteStatus.OPERATING.value
    lon: float | None = None
    lat: float | None = None
    commissioned_on: date | None = None
    name_zh: str | None = None


def _enum_problem(value: str | None, enum: type[StrEnum], column: str) -> list[Problem]:
    allowed = [e.value for e in enum]
    if value is None or value in allowed:
        return []
    return [Problem(_("expected one of %(allowed)s, got %(value)s", allowed=", ".join(allowed),
                      value=repr(value)), column=column)]


def validate_site(spec: SiteSpec) -> list[Problem]:
    """Problems with a site specification (kinds, province, ranges, coordinates)."""
    problems = _enum_problem(spec.kind, SiteKind, "kind")
    problems += _enum_problem(spec.status, SiteStatus, "status")
    problems += _enum_problem(spec.mine_method, MineMethod, "mine_method")
    problems += _enum_problem(spec.plant_type, PlantType, "plant_type")
    if spec.province not in PROVINCES:
        problems.append(Problem(_("unknown province %(province)s", province=repr(spec.province)),
                                column="province"))
    if spec.kind == SiteKind.PLANT and spec.plant_type is None:
        problems.append(Problem(_("a plant needs a plant_type"), column="plant_type"))
    if spec.kind != SiteKind.PLANT and spec.plant_type is not None:
        problems.append(Problem(_("only plants have a plant_type"), column="plant_type"))
    if spec.kind == SiteKind.MINE and spec.mine_method is None:
        problems.append(Problem(_("a mine needs a mine_method"), column="mine_method"))
    for column, value, hi in (("design_capacity_tpd", spec.design_capacity_tpd, 2e5),
                              ("depth_m", spec.depth_m, 5000.0)):
        if value is not None and not 0 < value <= hi:
            problems.append(Problem(_("expected 0 < value <= %(high)s, got %(value)s",
                                      high=format(hi, "g"), value=format(value, "g")),
                                    column=column))
    if spec.lon is not None and not 73 <= spec.lon <= 136:
        problems.append(Problem(_("longitude outside China (73-136 E)"), column="lon"))
    if spec.lat is not None and not 18 <= spec.lat <= 54:
        problems.append(Problem(_("latitude outside China (18-54 N)"), column="lat"))
    return problems


def create_organisation(session: Session, actor: Actor, code: str, name: str, org_type: str,
                        province: str, parent_code: str | None = None,
                        name_zh: str | None = None) -> Organisation:
    """Register an organisation (admin only); ``name`` is its English name, ``name_zh`` the
    official Chinese one."""
    actor.require_role(Role.ADMIN)
    problems = _enum_problem(org_type, OrgType, "org_type")
    if province not in PROVINCES:
        problems.append(Problem(_("unknown province %(province)s", province=repr(province)),
                                column="province"))
    if session.scalar(select(Organisation).where(Organisation.code == code)) is not None:
        problems.append(Problem(_("organisation %(code)s exists already", code=repr(code)),
                                column="code"))
    parent = None
    if parent_code is not None:
        parent = session.scalar(select(Organisation).where(Organisation.code == parent_code))
        if parent is None:
            problems.append(Problem(_("unknown parent %(code)s", code=repr(parent_code)),
                                    column="parent_code"))
    if problems:
        raise ValidationError(problems)
    org = Organisation(code=code, name=name, name_zh=name_zh, org_type=org_type,
                       province=province, parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    return org


def create_site(session: Session, actor: Actor, spec: SiteSpec) -> Site:
    """Register a site; an admin for any organisation, an enterprise user for its own."""
    org = session.scalar(select(Organisation).where(Organisation.code == spec.org_code))
    if org is None or (actor.org_ids is not None and org.id not in actor.org_ids):
        raise NotFoundError(_("no organisation %(code)s", code=repr(spec.org_code)))
    actor.require_role(Role.ADMIN, Role.ENTERPRISE)
    problems = validate_site(spec)
    if session.scalar(select(Site).where(Site.code == spec.code)) is not None:
        problems.append(Problem(_("site %(code)s exists already", code=repr(spec.code)),
                                column="code"))
    if problems:
        raise ValidationError(problems)
    fields = {k: v for k, v in spec.__dict__.items() if k != "org_code"}
    site = Site(org_id=org.id, **fields)
    session.add(site)
    session.flush()
    return site


def get_site(session: Session, actor: Actor, code: str) -> Site:
    """A site the actor may read (else NotFoundError, whether it exists or not)."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None or not actor.can_read_site(site):
        raise NotFoundError(_("no site %(site)s", site=repr(code)))
    return site


def get_writable_site(session: Session, actor: Actor, code: str) -> Site:
    """A site the actor may write.

    Raises
    ------
    NotFoundError
        A site the actor may not read (whether it exists or not).
    PermissionDenied
        A site it reads but may not write.
    """
    site = get_site(session, actor, code)
    actor.require_write_site(site)
    return site


def get_organisation(session: Session, actor: Actor, code: str) -> Organisation:
    """An organisation the actor may read."""
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    visible = org is not None and (actor.org_ids is None or org.id in actor.org_ids) and (
        actor.province is None or org.province == actor.province
        or any(s.province == actor.province for s in org.sites))
    if not visible or org is None:
        raise NotFoundError(_("no organisation %(code)s", code=repr(code)))
    return org


def list_organisations(session: Session, actor: Actor) -> list[Organisation]:
    """Organisations visible to the actor, by name."""
    stmt = select(Organisation).order_by(Organisation.name)
    if actor.org_ids is not None:
        stmt = stmt.where(Organisation.id.in_(actor.org_ids))
    if actor.province is not None:
        stmt = stmt.where(Organisation.id.in_(
            select(Site.org_id).where(Site.province == actor.province)))
    return list(session.scalars(stmt))


def list_sites_with_statements(session: Session, actor: Actor) -> list[str]:
    """Codes of the visible sites that have a resource statement."""
    stmt = (select(Site.code).join(ResourceStatement, ResourceStatement.site_id == Site.id)
            .distinct().order_by(Site.code))
    stmt = actor.where_visible(stmt)
    return list(session.scalars(stmt))


def organisations_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The organisations the actor may read as a table: ``code, name, org_type, province,
    parent`` (the parent's code, or null)."""
    return pd.DataFrame(
        [{"code": o.code, "name": o.name, "org_type": o.org_type, "province": o.province,
          "parent": o.parent.code if o.parent else None}
         for o in list_organisations(session, actor)],
        columns=["code", "name", "org_type", "province", "parent"])


def sites_frame(session: Session, actor: Actor, enterprise: str | None = None
                ) -> pd.DataFrame:
    """The sites the actor may read (:func:`aurum.services.reporting.registry_frame`), or
    only those of the organisation ``enterprise`` and, for a group, of its members."""
    frame = registry_frame(session, actor)
    if enterprise is None or frame.empty:
        return frame
    members = {o.code for o in list_organisations(session, actor)
               if o.code == enterprise or (o.parent and o.parent.code == enterprise)}
    return frame[frame["enterprise_code"].isin(members)]


def audit_trail(session: Session, actor: Actor, entity: str | None = None, limit: int = 200
                ) -> pd.DataFrame:
    """The audit trail, newest first (admin and auditor only).

    Parameters
    ----------
    entity : str, optional
        Only changes to this kind of record (a table name, e.g. ``"sites"``).
    limit : int
        At most this many changes.

    Returns
    -------
    pandas.DataFrame
        ``id, at, user_id, action, entity, entity_id, before, after``.
    """
    actor.require_role(Role.ADMIN, Role.AUDITOR)
    stmt = select(AuditRecord.id, AuditRecord.at, AuditRecord.user_id, AuditRecord.action,
                  AuditRecord.entity, AuditRecord.entity_id, AuditRecord.before,
                  AuditRecord.after).order_by(AuditRecord.id.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(AuditRecord.entity == entity)
    return frame_of(session, stmt)
