"""Request and response models of the registry routes (organisations, sites, audit)."""

from __future__ import annotations

from pydantic import Field

from aurum.api.schemas import Row


class OrganisationRow(Row):
    """One organisation the caller may read."""

    code: str
    name: str
    org_type: str = Field(description="mining, processing, smelting_refining, recycling, "
                          "new_materials or group")
    province: str = Field(description="province (GB/T 2260 name)")
    parent: str | None = Field(description="the parent group's code, or null")
