"""Response models of the indicator routes: the plan's indicators (``aurum kpi --format
json``), their roll-ups, the annual site rows behind them, plant-scale compliance and data
quality.

Indicators and shares are in %, gold output in t (kg in the site rows), capacities in t/d.
A figure that cannot be computed (no baseline, nothing reported) is null.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, RootModel

from aurum.api.schemas import Row, Schema
from aurum.api.schemas.registry import SiteRow

# --- the plan's indicators -----------------------------------------------------------------------


class TrajectoryPoint(Schema):
    """The indicator in one year."""

    year: int = Field(description="Calendar year")
    value: float = Field(description="The indicator, %")


class IndicatorOut(Schema):
    """One indicator in the as-of year, against its 2027 target."""

    id: str = Field(description="gold_resources_growth_pct, gold_output_growth_pct, "
                    "silver_output_growth_pct, large_mine_output_share_pct or "
                    "solid_waste_utilisation_pct")
    label: str = Field(description="Name of the indicator in the plan")
    unit: str = Field(description="Unit of value, target and projection_2027 (%)")
    quantity_unit: str = Field(description="Unit of baseline and current: t or kg for a "
                               "growth indicator, % for a share")
    baseline: float | None = Field(description="National quantity (growth) or share in the "
                                   "baseline year, in quantity_unit")
    current: float | None = Field(description="The same in the as-of year, in quantity_unit")
    value: float | None = Field(description="The indicator in the as-of year, %")
    target: float = Field(description="The plan's 2027 target, %")
    target_max: float | None = Field(description="Upper end of the target range, % (gold "
                                     "resources only)")
    status: str = Field(description="on_track, at_risk, off_track or no_data")
    trajectory: list[TrajectoryPoint] = Field(description="The indicator in every year from "
                                              "the baseline to the as-of year with a value")
    projection_2027: float | None = Field(description="Least-squares projection to the "
                                          "target year, %")
    gap: float | None = Field(description="Shortfall at the target year in gap_unit; <= 0 "
                              "when the target is met")
    gap_unit: str = Field(description="t of gold, t of silver or t of waste")


class YearToDateOut(Schema):
    """The running year against the same months of earlier years."""

    year: int = Field(description="The running year")
    months: int = Field(description="Months compared, from January")
    indicators: list[IndicatorOut] = Field(description="The indicators over those months")


class ConcentrationOut(Schema):
    """Concentration of gold output among producers in the as-of year."""

    year: int = Field(description="Calendar year")
    by: str = Field(description="What a producer is: group, enterprise or province")
    producers: int = Field(description="Producers with gold output > 0")
    gold_output_t: float | None = Field(description="Their total gold output, t")
    top10_share_pct: float | None = Field(description="Share of the ten largest, %")
    hhi: float | None = Field(description="Herfindahl-Hirschman index, 0-10,000")


class IndicatorsOut(Schema):
    """The five indicators of the plan for the caller's scope."""

    scope: str = Field(description="What the figures cover: National, a province or an "
                       "organisation")
    as_of: int = Field(description="Year reported")
    baseline_year: int = Field(description="Year growth is measured from")
    indicators: list[IndicatorOut] = Field(description="In the order of the plan")
    year_to_date: YearToDateOut | None = Field(description="Null when no later year is "
                                               "partly due")
    concentration: ConcentrationOut = Field(description="Among enterprise groups")


# --- tables --------------------------------------------------------------------------------------


class RollupFields(BaseModel):
    """Gold output and the five indicators of a province or group in the as-of year."""

    gold_output_baseline_t: float | None = Field(description="Gold output in the baseline "
                                                 "year, t")
    gold_output_t: float | None = Field(description="Gold output in the as-of year, t")
    gold_resources_growth_pct: float | None = Field(description="Growth of gold resources, %")
    gold_output_growth_pct: float | None = Field(description="Growth of gold output, %")
    silver_output_growth_pct: float | None = Field(description="Growth of silver output, %")
    large_mine_output_share_pct: float | None = Field(description="Share of mine gold from "
                                                      "mines of >= 500 t/d, %")
    solid_waste_utilisation_pct: float | None = Field(description="Solid waste utilised / "
                                                      "generated, %")


class ProvinceRow(RollupFields, Row):
    """The indicators of one province (largest gold output first)."""

    province: str = Field(description="Province (English name)")


class GroupRow(RollupFields, Row):
    """The indicators of one enterprise group (largest gold output first)."""

    group: str = Field(description="Group name (an enterprise in no group is its own)")


class KpiRow(Row):
    """One site in one year, in the layout of ``aurum kpi --reports``."""

    year: int = Field(description="Calendar year")
    enterprise: str = Field(description="Name of the owning organisation")
    province: str = Field(description="Province (English name)")
    site: str = Field(description="Site code")
    site_type: str = Field(description="mine, tailings or the plant type")
    daily_capacity_t: float | None = Field(description="Design capacity, t/d")
    ore_treated_t: float | None = Field(description="Ore treated, t")
    gold_kg: float | None = Field(description="Gold produced, kg")
    silver_kg: float | None = Field(description="Silver produced, kg")
    gold_resources_t: float | None = Field(description="Gold resources at year end, t")
    solid_waste_generated_t: float | None = Field(description="Solid waste generated, t")
    solid_waste_utilised_t: float | None = Field(description="Solid waste utilised, t")


class ComplianceRow(SiteRow):
    """A plant commissioned from 2025 against the plan's minimum daily capacity (largest
    shortfall first): the site's registry row, its floor and shortfall."""

    status: str = Field(description="compliant, below_floor or capacity_not_reported")
    floor_t_per_day: float = Field(description="The plan's minimum capacity for its type, "
                                   "t/d")
    shortfall_t_per_day: float | None = Field(description="Floor - capacity, >= 0, t/d; null "
                                              "when the capacity is not reported")


class LateReportRow(Row):
    """A report whose first version came after its due date (most days late first)."""

    site: str = Field(description="Site code")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM")
    due_on: datetime = Field(description="Day it was due (its midnight)")
    first_submitted_at: datetime = Field(description="When it first arrived, UTC")
    days_late: int = Field(description="Days late, d (Beijing days)")


class MissingReportRow(Row):
    """An operating mine or plant with no report covering a quarter now due."""

    site: str = Field(description="Site code")
    period: str = Field(description="The quarter, YYYY-Qn")


class DataQualityRow(RootModel[LateReportRow | MissingReportRow]):
    """A row of ``/data-quality/late`` (:class:`LateReportRow`) or of
    ``/data-quality/missing`` (:class:`MissingReportRow`)."""
