"""Request and response models of the registry routes (organisations, sites, audit).

A site's table row and its object answer name some fields differently (``site`` and
``code``, ``site_name`` and ``name``) and order them as the service does; the fields they
share are declared once, as the annotated types below.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from aurum.api.schemas import Row, Schema

ORG_TYPES = ("mining, processing, smelting_refining, recycling, new_materials, group, laboratory "
             "or downstream_user")
KINDS = "mine, plant or tailings"
MINE_METHODS = "open_pit, underground or combined (mines only)"
PLANT_TYPES = "processing_plant, heap_leach, concentrate_smelter or refinery (plants only)"
STATUSES = "planned, construction, operating, suspended or closed"

Kind = Annotated[str, Field(description=KINDS)]
Province = Annotated[str, Field(description="Province (English name)")]
MineMethod = Annotated[str | None, Field(description=MINE_METHODS)]
PlantType = Annotated[str | None, Field(description=PLANT_TYPES)]
DesignCapacity = Annotated[float | None, Field(description="Design ore (or concentrate) "
                                               "capacity, t/d")]
Depth = Annotated[float | None, Field(description="Mining depth below surface, m")]
Status = Annotated[str, Field(description=STATUSES)]
Lon = Annotated[float | None, Field(description="Longitude, decimal degrees (WGS 84)")]
Lat = Annotated[float | None, Field(description="Latitude, decimal degrees (WGS 84)")]

# --- requests ------------------------------------------------------------------------------------


class OrganisationIn(BaseModel):
    """A new organisation."""

    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    org_type: str = Field(description=ORG_TYPES)
    province: str
    parent_code: str | None = None


class SiteIn(BaseModel):
    """A new site."""

    code: str = Field(max_length=32)
    org_code: str
    name: str = Field(max_length=200)
    kind: str = Field(description=KINDS)
    province: str
    mine_method: str | None = None
    plant_type: str | None = None
    design_capacity_tpd: float | None = Field(None, description="Design capacity, t/d")
    depth_m: float | None = Field(None, description="Mining depth, m")
    status: str = "operating"
    lon: float | None = None
    lat: float | None = None
    commissioned_on: date | None = None


# --- answers -------------------------------------------------------------------------------------


class CreatedOut(Schema):
    """The code of the record just registered."""

    code: str = Field(description="Code of the new organisation or site")


class OrganisationRow(Row):
    """One organisation the caller may read."""

    code: str
    name: str
    org_type: str = Field(description=ORG_TYPES)
    province: str = Field(description="province (GB/T 2260 name)")
    parent: str | None = Field(description="the parent group's code, or null")


class SiteRow(Row):
    """One site the caller may read, with its enterprise and group (``/sites``)."""

    site: str = Field(description="Site code")
    site_name: str = Field(description="Site name")
    kind: Kind
    plant_type: PlantType
    province: Province
    design_capacity_tpd: DesignCapacity
    status: Status
    commissioned_on: datetime | None = Field(description="Day of commissioning (its midnight)")
    lon: Lon
    lat: Lat
    mine_method: MineMethod
    depth_m: Depth
    enterprise_code: str = Field(description="Code of the owning organisation")
    enterprise: str = Field(description="Name of the owning organisation")
    group: str = Field(description="Name of the enterprise group (the enterprise's own name "
                       "when it belongs to none)")
    site_type: str = Field(description="The site's type in the indicator tables: mine, "
                           "tailings or the plant type")
    daily_capacity_t: float | None = Field(description="Design capacity as the indicators "
                                           "count it, t/d")


class SiteOut(Schema):
    """One site."""

    code: str = Field(description="Site code")
    name: str = Field(description="Site name")
    kind: Kind
    province: Province
    organisation: str = Field(description="Code of the owning organisation")
    mine_method: MineMethod
    plant_type: PlantType
    design_capacity_tpd: DesignCapacity
    depth_m: Depth
    status: Status
    lon: Lon
    lat: Lat
    commissioned_on: date | None = Field(description="Day of commissioning")


class AuditRow(Row):
    """One change in the audit trail."""

    id: int = Field(description="Audit record id (newest first)")
    at: datetime = Field(description="When, UTC")
    user_id: int | None = Field(description="Who (a user id; null for the system)")
    action: str = Field(description="create, update, delete, or the name of a bulk action "
                        "(import, record, close...)")
    entity: str = Field(description="Kind of record changed (a table name)")
    entity_id: str | None = Field(description="Id of the record changed (null for a new "
                                  "record or a bulk action)")
    before: dict[str, Any] | None = Field(description="The record before the change")
    after: dict[str, Any] | None = Field(description="The record after the change, or what "
                                         "a bulk action wrote")
