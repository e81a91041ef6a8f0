"""Organisations and sites."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Response

from aurum.api.deps import DB, ApiActor
from aurum.api.tables import TableFormat, tabular
from aurum.services import registry, reporting

router = APIRouter(prefix="/api/v1", tags=["registry"])


@router.get("/organisations")
def organisations(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Organisations the caller may read."""
    frame = pd.DataFrame(
        [{"code": o.code, "name": o.name, "org_type": o.org_type, "province": o.province,
          "parent": o.parent.code if o.parent else None}
         for o in registry.list_organisations(session, actor)],
        columns=["code", "name", "org_type", "province", "parent"])
    return tabular(frame, format, "organisations")


@router.get("/sites")
def sites(session: DB, actor: ApiActor, enterprise: str | None = None,
          format: TableFormat = "json") -> Response:
    """Mines, plants and tailings facilities the caller may read (of one enterprise, or of
    a group and its members, with ``enterprise=CODE``)."""
    frame = reporting.registry_frame(session, actor)
    if enterprise is not None and not frame.empty:
        members = {o.code for o in registry.list_organisations(session, actor)
                   if o.code == enterprise or (o.parent and o.parent.code == enterprise)}
        frame = frame[frame["enterprise_code"].isin(members)]
    return tabular(frame, format, "sites")


@router.get("/sites/{code}")
def site(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """One site."""
    s = registry.get_site(session, actor, code)
    return {"code": s.code, "name": s.name, "kind": s.kind, "province": s.province,
            "organisation": s.organisation.code, "mine_method": s.mine_method,
            "plant_type": s.plant_type, "design_capacity_tpd": s.design_capacity_tpd,
            "depth_m": s.depth_m, "status": s.status, "lon": s.lon, "lat": s.lat,
            "commissioned_on": s.commissioned_on}
