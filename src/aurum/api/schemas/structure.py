"""Request and response models of regional consolidation studies (``/api/v1/structure``,
issue 23). Ore in t/d, distances in km, costs in CNY per day (CNY/t, CNY/(t·km) as named),
gold in g/t and g/d, shares in %."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema

MAX_MINES = 5_000
MAX_PLANTS = 500


class MineIn(BaseModel):
    """A mine of the study."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str = Field(min_length=1, max_length=64)
    site: str | None = Field(default=None, max_length=32, description="site code, if any")
    x_km: float = Field(ge=-10_000, le=10_000)
    y_km: float = Field(ge=-10_000, le=10_000)
    ore_tpd: float = Field(gt=0, le=1e6, description="ore a day, t/d")
    grade_g_per_t: float = Field(default=0.0, ge=0, le=1e4)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class PlantIn(BaseModel):
    """A plant of the study, existing (already built) or candidate."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str = Field(min_length=1, max_length=64)
    x_km: float = Field(ge=-10_000, le=10_000)
    y_km: float = Field(ge=-10_000, le=10_000)
    capacity_tpd: float = Field(gt=0, le=1e6)
    fixed_cny_per_day: float = Field(ge=0, le=1e10, description="costs are not negative")
    processing_cny_per_t: float = Field(ge=0, le=1e6)
    existing: bool
    recovery: float = Field(default=1.0, ge=0, le=1)
    kind: str = Field(default="processing_plant",
                      pattern="^(processing_plant|heap_leach|concentrate_smelter)$")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class StudyIn(BaseModel):
    """A study to store and solve."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    province: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    mines: list[MineIn] = Field(min_length=1, max_length=MAX_MINES)
    plants: list[PlantIn] = Field(min_length=1, max_length=MAX_PLANTS)
    central_mill: PlantIn | None = None
    transport_cny_per_tkm: float = Field(ge=0, le=1e4, description="haulage, CNY/(t·km)")
    road_factor: float = Field(default=1.0, ge=1, le=5)
    radius_km: float = Field(default=50.0, gt=0, le=1000,
                             description="regional mine: members within this road distance")
    gold_price_cny_per_g: float = Field(gt=0, le=1e5)


class StudyOut(Schema):
    """A stored study and whether its scenarios are solved."""

    id: int
    province: str
    name: str
    mines: int
    plants: int
    data_version: str
    created_at: datetime
    solved: bool


class StudyDetailOut(StudyOut):
    """A study with its solved scenarios and regional-mine proposals."""

    scenarios: list[dict[str, Any]] = Field(
        description="per scenario: key, costs CNY/d, margin, open plants, assignment, loads "
                    "t/d, gap, regional mines, share_before_pct and share_after_pct")
    proposals: list[dict[str, Any]] = Field(
        description="regional mines proposed: plant, mines, ore_tpd, gain_gold_g_per_day")


class StudyPostOut(Schema):
    """A study solved now (``study``), or queued as a ``structure_solve`` job (``job``)."""

    study: StudyDetailOut | None = None
    job: dict[str, Any] | None = None
