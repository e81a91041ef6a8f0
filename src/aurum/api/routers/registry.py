"""Organisations and sites."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from aurum.api.deps import DB, ApiActor
from aurum.api.schemas.registry import (
    AuditRow,
    CreatedOut,
    OrganisationIn,
    OrganisationRow,
    SiteIn,
    SiteOut,
    SiteRow,
)
from aurum.api.tables import TableFormat, table_responses, tabular
from aurum.services import registry
from aurum.services.registry import SiteSpec

router = APIRouter(prefix="/api/v1", tags=["registry"])


@router.get("/organisations", responses=table_responses(OrganisationRow, "Organisations"))
def organisations(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Organisations the caller may read."""
    return tabular(registry.organisations_frame(session, actor), format, "organisations")


@router.get("/sites", responses=table_responses(SiteRow, "Sites"))
def sites(session: DB, actor: ApiActor, enterprise: str | None = None,
          format: TableFormat = "json") -> Response:
    """Mines, plants and tailings facilities the caller may read (of one enterprise, or of
    a group and its members, with ``enterprise=CODE``)."""
    return tabular(registry.sites_frame(session, actor, enterprise), format, "sites")


@router.post("/organisations", status_code=201)
def create_organisation(body: OrganisationIn, session: DB, actor: ApiActor) -> CreatedOut:
    """Register an organisation (admin)."""
    org = registry.create_organisation(session, actor, body.code, body.name, body.org_type,
                                       body.province, body.parent_code)
    return CreatedOut(code=org.code)


@router.post("/sites", status_code=201)
def create_site(body: SiteIn, session: DB, actor: ApiActor) -> CreatedOut:
    """Register a site (admin, or an enterprise for its own organisation)."""
    site = registry.create_site(session, actor, SiteSpec(**body.model_dump()))
    return CreatedOut(code=site.code)


@router.get("/audit", tags=["audit"], responses=table_responses(AuditRow, "Audit trail"))
def audit_trail(session: DB, actor: ApiActor, entity: str | None = None,
                limit: int = Query(200, ge=1, le=10000), format: TableFormat = "json"
                ) -> Response:
    """The audit trail, newest first: who changed what, when, before and after (admin and
    auditor)."""
    return tabular(registry.audit_trail(session, actor, entity, limit), format, "audit")


@router.get("/sites/{code}")
def site(code: str, session: DB, actor: ApiActor) -> SiteOut:
    """One site."""
    s = registry.get_site(session, actor, code)
    return SiteOut(code=s.code, name=s.name, kind=s.kind, province=s.province,
                   organisation=s.organisation.code, mine_method=s.mine_method,
                   plant_type=s.plant_type, design_capacity_tpd=s.design_capacity_tpd,
                   depth_m=s.depth_m, status=s.status, lon=s.lon, lat=s.lat,
                   commissioned_on=s.commissioned_on)
