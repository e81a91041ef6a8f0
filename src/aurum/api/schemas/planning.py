"""Response models of the pit-study routes (``/api/v1/pit``).

A study answers with its figures and the economics it was run with: the defaults of
:data:`aurum.services.planning.DEFAULT_ECONOMICS` with the caller's changes, keys as in
:mod:`aurum.planning.study` (prices CNY/g, costs CNY/t, slopes in degrees, widths in m, rates
t/year). A figure that is not a finite number (a strip ratio without ore, a capacity that does
not limit) is null.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import (
    MAX_SCENARIO_NAME_CHARS,
    GoldPrice,
    MiningWidth,
    Recovery,
    SlopeAngle,
    UnitCost,
)


class PitModelOut(Schema):
    """A resource model a pit study can run on."""

    model_id: int = Field(description="the resource model's number")
    site: str = Field(description="site code")
    name: str = Field(description="the model's name")
    n_blocks: int = Field(description="blocks of the model (count)")


# --- the economics, as the caller gave them ------------------------------------------------------


class EconomicsSection(Schema):
    """A section of the economics as the caller gave it: a key the study does not read is
    echoed back as it came (the study ignores it rather than refusing it)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class MarketOut(EconomicsSection):
    """Gold price and selling cost."""

    price_cny_per_g: float = Field(description="gold price, CNY/g")
    selling_cny_per_g: float = Field(description="selling cost, CNY/g recovered")
    price_usd_per_oz: float | None = Field(
        default=None, description="gold price, USD/oz (only when the caller gave it; it then "
        "replaces price_cny_per_g)")
    cny_per_usd: float | None = Field(default=None,
                                      description="exchange rate, CNY/USD (with "
                                      "price_usd_per_oz)")


class MiningOut(EconomicsSection):
    """Mining cost, rising with depth."""

    base_cny_per_t: float = Field(description="mining cost at the reference elevation, CNY/t")
    increment_cny_per_t: float = Field(description="added per depth interval, CNY/t")
    interval_m: float = Field(description="depth interval, m")
    reference_elevation_m: float = Field(description="elevation of the base cost, m")


class ProcessOut(EconomicsSection):
    """A processing destination."""

    name: str = Field(default="", description="its name (mill, heap leach...)")
    recovery: float = Field(description="gold recovery, fraction 0-1")
    cost_cny_per_t: float = Field(description="processing cost, CNY/t of ore")


class RevenueFactorRangeOut(EconomicsSection):
    """Revenue factors from ``start`` to ``stop`` by ``step`` (dimensionless)."""

    start: float = Field(description="smallest factor")
    stop: float = Field(description="largest factor")
    step: float = Field(description="step between factors")


class ScheduleOut(EconomicsSection):
    """Mining rate and discounting of the pit-by-pit values."""

    rate_t_per_year: float | None = Field(description="material mined a year, t/year; null: "
                                          "Taylor's rule")
    discount_rate: float = Field(description="annual discount rate, fraction (0.08 for 8 %)")


class PushbackRuleOut(EconomicsSection):
    """How pushbacks are chosen among the nested pits."""

    count: int | float = Field(description="pushbacks wanted (count; a fraction is cut off)")
    min_mining_width_m: float = Field(description="minimum mining width, m")
    max_narrow_fraction: float = Field(description="largest share of an increment's tonnes "
                                       "narrower than the width, fraction 0-1")


class LaneCapacitiesOut(EconomicsSection):
    """Time costs and capacities of Lane's cut-off model (null: not limiting)."""

    fixed_cny_per_year: float | None = Field(description="fixed costs, CNY/year")
    mine_t_per_year: float | None = Field(description="mining capacity, t/year")
    mill_t_per_year: float | None = Field(description="milling capacity, t/year")
    market_g_per_year: float | None = Field(description="market or refinery capacity, g/year")


SlopeAngles = float | list[float]
"""One overall slope angle, or an angle per sector, degrees."""


class EconomicsOut(Schema):
    """The economics a study was run with (the defaults and the caller's changes). The
    optional keys appear only when the caller gave them."""

    market: MarketOut = Field(description="gold price and selling cost")
    mining: MiningOut = Field(description="mining cost")
    processes: list[ProcessOut] = Field(description="processing destinations")
    grade: str = Field(description="the block model's grade column, g/t")
    tonnes: str | None = Field(description="the block model's tonnes column, t")
    density_t_m3: float | None = Field(default=None,
                                       description="dry bulk density of every block, t/m³")
    density: str | None = Field(default=None,
                                description="the block model's density column, t/m³")
    waste_cny_per_t: float | None = Field(default=None, description="waste dumping cost, CNY/t")
    slopes: SlopeAngles | dict[str, SlopeAngles] = Field(
        description="overall slope angles, degrees: one, per sector, or per region code")
    regions: str | None = Field(default=None,
                                description="the block model's region-code column (slopes "
                                "per region)")
    n_benches: int = Field(description="benches the slope precedences span (count)")
    revenue_factors: RevenueFactorRangeOut | list[float] = Field(
        description="revenue factors of the nested pits (dimensionless)")
    schedule: ScheduleOut = Field(description="mining rate and discounting")
    pushbacks: PushbackRuleOut = Field(description="how pushbacks are chosen")
    lane: LaneCapacitiesOut | None = Field(description="Lane's cut-off model; null: none")


# --- the study's figures -------------------------------------------------------------------------


class PitRowOut(Schema):
    """A nested pit, at one revenue factor."""

    factor: float = Field(description="revenue factor (dimensionless)")
    tonnes_t: float = Field(description="material, t")
    ore_t: float = Field(description="ore, t")
    waste_t: float = Field(description="waste, t")
    strip_ratio: float | None = Field(description="waste per ore, t/t; null without ore")
    grade_gpt: float | None = Field(description="gold grade of the ore, g/t; null without ore")
    gold_kg: float = Field(description="gold in the ore, kg")
    value: float = Field(description="undiscounted value at factor 1, CNY")
    best_npv: float = Field(description="discounted value mined pit by pit, CNY")
    worst_npv: float = Field(description="discounted value mined bench by bench, CNY")
    life_years: float = Field(description="mine life at the mining rate, years")


class PushbackOut(Schema):
    """A pushback: the increment from the previous one to a nested pit."""

    pushback: int = Field(description="its number, from 1")
    factor: float = Field(description="revenue factor of the pit it ends at (dimensionless)")
    tonnes_t: float = Field(description="material, t")
    ore_t: float = Field(description="ore, t")
    grade_gpt: float | None = Field(description="gold grade of the ore, g/t; null without ore")
    gold_kg: float = Field(description="gold in the ore, kg")
    value: float = Field(description="undiscounted value, CNY")
    narrow_pct: float = Field(description="tonnes narrower than the minimum mining width, %")


class CutoffOut(Schema):
    """Cut-off grades of a process."""

    process: str = Field(description="the process's name")
    recovery: float = Field(description="gold recovery, fraction 0-1")
    processing_cny_per_t: float = Field(description="processing cost, CNY/t")
    breakeven_gpt: float = Field(description="break-even cut-off (mining and processing), g/t")
    marginal_gpt: float = Field(description="marginal cut-off (processing only), g/t")


class LaneCutoffsOut(Schema):
    """Lane's cut-offs of the first process, g/t (null: none exists)."""

    mine: float | None = Field(description="limiting cut-off when the mine limits, g/t")
    mill: float | None = Field(description="limiting cut-off when the mill limits, g/t")
    market: float | None = Field(description="limiting cut-off when the market limits, g/t")
    mine_mill: float | None = Field(description="balancing cut-off of mine and mill, g/t")
    mill_market: float | None = Field(description="balancing cut-off of mill and market, g/t")
    mine_market: float | None = Field(description="balancing cut-off of mine and market, g/t")
    effective_mine_mill: float | None = Field(description="effective cut-off of the pair, g/t")
    effective_mill_market: float | None = Field(description="effective cut-off of the pair, "
                                                "g/t")
    effective_mine_market: float | None = Field(description="effective cut-off of the pair, "
                                                "g/t")
    optimum: float | None = Field(description="Lane's optimum cut-off, g/t")
    limited_by: str = Field(description="mine, mill, market, or a balanced pair (mine-mill, "
                            "mill-market, mine-market)")


class PitStudyOut(Schema):
    """The pit study of a resource model."""

    model_id: int = Field(description="the resource model's number")
    site: str = Field(description="site code")
    economics: EconomicsOut = Field(description="the economics it was run with")
    value: float = Field(description="undiscounted value of the ultimate pit, CNY")
    n_blocks: int = Field(description="blocks in the ultimate pit (count)")
    precedences: int = Field(description="slope precedences (arcs) of the solve (count)")
    pit_by_pit: list[PitRowOut] = Field(description="the nested pits, smallest first")
    pushbacks: list[PushbackOut] = Field(description="the pushbacks, first mined first")
    min_mining_width_m: float = Field(description="minimum mining width of the pushbacks, m")
    rate_t_per_year: float = Field(description="mining rate of the schedule, t/year")
    cutoffs: list[CutoffOut] = Field(description="one row per process")
    lane: LaneCutoffsOut | None = Field(description="Lane's cut-offs; null without Lane's "
                                        "model or without a pit")


# --- saved scenarios -----------------------------------------------------------------------------


class PitFormOut(Schema):
    """The pit page's economics a scenario was run with (the others are the defaults)."""

    price_cny_per_g: float = Field(description="gold price, CNY/g")
    recovery: float = Field(description="mill recovery, fraction 0-1")
    processing_cny_per_t: float = Field(description="processing cost, CNY/t of ore")
    mining_cny_per_t: float = Field(description="mining cost at the reference elevation, CNY/t")
    slope_deg: float = Field(description="overall slope angle, degrees")
    min_mining_width_m: float = Field(description="minimum mining width of the pushbacks, m")


class PitScenarioOut(Schema):
    """A saved pit scenario: a study kept under a name until a user deletes it."""

    key: str = Field(description="its name in the store (32 hex digits)")
    model_id: int = Field(description="the resource model's number")
    name: str = Field(description="its name for people")
    params: PitFormOut = Field(description="the economics it was run with")
    value: float | None = Field(description="undiscounted value of the ultimate pit, CNY")
    tonnes_t: float = Field(description="material in the ultimate pit, t")
    ore_t: float = Field(description="ore in the ultimate pit, t")
    grade_gpt: float | None = Field(description="gold grade of the ore, g/t; null without ore")
    gold_kg: float = Field(description="gold in the ore, kg")
    best_npv: float | None = Field(description="discounted value mined pit by pit, CNY")
    created_by: str = Field(description="who saved it (user name)")
    created_at: datetime = Field(description="when, UTC")
    job_id: int | None = Field(description="the job that ran it; null: saved from a page or "
                               "the API")
    url: str = Field(description="its page")


class PitWhatIf(BaseModel):
    """The pit page's what-if: the economics that differ from the defaults (``GET
    /api/v1/pit/models/{id}/study`` shows them)."""

    model_config = ConfigDict(extra="forbid")

    price_cny_per_g: GoldPrice | None = None
    recovery: Recovery | None = None
    processing_cny_per_t: UnitCost | None = None
    mining_cny_per_t: UnitCost | None = None
    slope_deg: SlopeAngle | None = None
    min_mining_width_m: MiningWidth | None = None


class PitScenarioIn(PitWhatIf):
    """A pit study to save as a named scenario. The study of a large model must have been run
    first (as a job, which saves it itself)."""

    name: str = Field(min_length=1, max_length=MAX_SCENARIO_NAME_CHARS,
                      description="its name; the same economics saved again are renamed")
