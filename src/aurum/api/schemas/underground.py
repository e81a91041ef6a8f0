"""Request and response models of a mine's stope plans (``/api/v1/sites/{code}/stope-plans``,
issue 20).

Block indices i along the strike, j across, k up (whole blocks); values and NPV in CNY, ore
and tailings in t, voids and fill in m³, periods in months from the plan's first month.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Row, Schema
from aurum.core.checks import (
    DISCOUNT_RATES,
    GOLD_PRICES,
    ORE_DENSITIES,
    RECOVERIES,
    UNIT_COSTS,
    DbId,
)

BLOCKS = Field(ge=1, le=1000, description="blocks")


class StopePlanIn(BaseModel):
    """A stope plan: the block values (a stored resource model of the mine with the
    economics that turn its grades into CNY, or an uploaded ``BLOCKS.csv`` with its block
    size and density), the stope shape, the schedule and the fill recipe."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    model_id: DbId | None = Field(None, description="a stored resource model of the mine "
                                  "(none with an uploaded BLOCKS.csv)")
    price_cny_g: float = Field(650.0, ge=GOLD_PRICES.low, le=GOLD_PRICES.high,
                               description="gold price, CNY/g")
    recovery: float = Field(0.92, ge=RECOVERIES.low, le=RECOVERIES.high,
                            description="process recovery, fraction")
    mining_cost_cny_t: float = Field(260.0, ge=UNIT_COSTS.low, le=UNIT_COSTS.high,
                                     description="underground mining cost, CNY/t broken")
    processing_cost_cny_t: float = Field(120.0, ge=UNIT_COSTS.low, le=UNIT_COSTS.high,
                                         description="processing cost, CNY/t milled")
    strike_axis: Literal["x", "y"] = Field("x", description="the model axis along the strike")
    block_i_m: float = Field(10.0, ge=0.1, le=1000.0, description="uploaded blocks: size "
                             "along i, m")
    block_j_m: float = Field(10.0, ge=0.1, le=1000.0, description="uploaded blocks: size "
                             "along j, m")
    block_k_m: float = Field(10.0, ge=0.1, le=1000.0, description="uploaded blocks: size "
                             "along k, m")
    density_t_m3: float = Field(2.7, ge=ORE_DENSITIES.low, le=ORE_DENSITIES.high,
                                description="uploaded blocks: rock density, t/m³")
    waste_value_cny: float = Field(0.0, ge=-1e9, le=0.0, description="uploaded blocks: value "
                                   "of a block of waste in a skin, CNY per block")
    length_min: int = Field(1, ge=1, le=1000, description="stope length along strike, "
                            "blocks, at least")
    length_max: int = Field(3, ge=1, le=1000, description="stope length, blocks, at most")
    width_min: int = Field(1, ge=1, le=1000, description="stope width across, blocks, at "
                           "least")
    width_max: int = Field(2, ge=1, le=1000, description="stope width, blocks, at most")
    level_height: int = Field(3, ge=1, le=1000, description="level interval, blocks")
    pillar: int = Field(1, ge=0, le=1000, description="pillar between stopes of a level, "
                        "blocks")
    sill_pillar: int = Field(0, ge=0, le=1000, description="sill pillar left at the bottom "
                             "of each level, blocks")
    skin_m: float = Field(0.5, ge=0.0, le=10.0, description="dilution skin broken on each "
                          "wall, m (taken as whole blocks across)")
    shape: Literal["box", "vein"] = Field("box", description="box stopes, or shapes whose "
                                          "walls follow the vein slice by slice")
    max_wall_step: int = Field(1, ge=0, le=20, description="vein shapes: greatest wall move "
                               "between slices, blocks")
    exact: bool = Field(False, description="prove the optimum (MIP) instead of the fast "
                        "method with its bound")
    start_period: str = Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
                              description="the schedule's first month, YYYY-MM")
    periods: int = Field(24, ge=1, le=240, description="months scheduled")
    ore_capacity_t: float = Field(30_000.0, gt=0.0, le=1e9, description="ore mined per "
                                  "month, t, at most")
    fill_capacity_m3: float = Field(12_000.0, gt=0.0, le=1e9, description="fill placed per "
                                    "month, m³, at most")
    cure_periods: int = Field(1, ge=0, le=24, description="months of filling and curing "
                              "before a neighbour is mined")
    direction: Literal["top_down", "bottom_up"] = Field("bottom_up", description="mining "
                                                         "direction")
    discount_rate: float = Field(0.08, ge=DISCOUNT_RATES.low, le=DISCOUNT_RATES.high,
                                 description="discount rate per year, fraction")
    level_interval_periods: int = Field(3, ge=0, le=120, description="months between two "
                                        "levels' development")
    recipe: Literal["cemented_paste", "hydraulic", "cemented_hydraulic"] = Field(
        "cemented_paste", description="the fill kind")
    solids_mass_fraction: float = Field(0.75, ge=0.3, le=0.95, description="solids over the "
                                        "fill's mass, fraction")
    binder_fraction: float = Field(0.06, ge=0.0, le=0.3, description="binder over the "
                                   "solids' mass, fraction")
    bulk_density_t_m3: float = Field(2.0, ge=1.2, le=3.0, description="fill as placed, t/m³")


class StopePlanOut(Schema):
    """A stored stope plan (its files' contents left out)."""

    id: int
    site: str
    version: int = Field(description="version of the mine's plans, from 1")
    parameters: dict[str, Any] = Field(description="economics, stope shape, schedule, fill "
                                       "recipe and the grid, as the plan was made")
    model_id: int | None = Field(description="the resource model planned, if any")
    inputs_sha256: str = Field(description="SHA-256 of the model's file or the upload")
    start_period: str = Field(description="the schedule's first month, YYYY-MM")
    method: str = Field(description="stope optimisation: exact or fast")
    stopes: int = Field(description="stopes of the plan (count)")
    value_cny: float = Field(description="the stopes' undiscounted value, CNY")
    upper_bound_cny: float = Field(description="the bound on any plan's value, CNY")
    schedule_method: str = Field(description="how the schedule was found")
    npv_cny: float = Field(description="the schedule's net present value, CNY")
    gap: float | None = Field(description="the schedule's relative optimality gap, fraction")
    summary: dict[str, Any] = Field(description="candidates, seconds, ore t, void m³, fill "
                                    "m³, tailings to backfill and to the facility t, binder t")
    code_version: str
    created_at: datetime


class StopePlanDetailOut(StopePlanOut):
    """A stored plan with its schedule and fill balance."""

    schedule: list[dict[str, Any]] = Field(description="per stope: id, level, i0…k1, ore_t, "
                                           "value_cny, void_m3, period, fill_period, "
                                           "cured_period, month, fill_month")
    balance: list[dict[str, Any]] = Field(description="per month: void, fill (m³), solids, "
                                          "binder, tailings produced, to backfill, to the "
                                          "facility (t), backfill share (fraction)")


class StopeRow(Row):
    """One stope of a plan."""

    id: int
    level: int
    i0: int
    i1: int
    j0: int
    j1: int
    k0: int
    k1: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    z_min: float
    z_max: float
    ore_t: float
    value_cny: float
    void_m3: float
    month: str | None
    fill_month: str | None
