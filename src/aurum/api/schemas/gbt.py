"""Request and response models of a mine's industrial indicators and geological-block
estimates (``/api/v1/sites/{code}/industrial-indicators``, ``.../block-estimates``).

Grades in the unit of the grade column estimated (g/t for gold), lengths in m, tonnes in t,
metal in kg; categories by their GB/T 17766-2020 codes (``measured`` 探明, ``indicated`` 控制,
``inferred`` 推断), industrial intercepts ``industrial`` (工业矿体) or ``low_grade`` (低品位矿).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import (
    INDICATOR_GRADES,
    INDICATOR_THICKNESSES,
    MAX_INDICATOR_REASON_CHARS,
)


class IndicatorValues(BaseModel):
    """The five industrial indicators (DZ/T 0205-2020)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    cutoff_gpt: float = Field(gt=0, le=INDICATOR_GRADES.high,
                              description="cut-off grade (边界品位), grade unit")
    min_industrial_gpt: float = Field(gt=0, le=INDICATOR_GRADES.high,
                                      description="minimum industrial grade (最低工业品位), "
                                      "grade unit; at least the cut-off")
    min_thickness_m: float = Field(gt=0, le=INDICATOR_THICKNESSES.high,
                                   description="minimum mining thickness (最小可采厚度), m")
    max_waste_m: float = Field(gt=0, le=INDICATOR_THICKNESSES.high,
                               description="internal-waste thickness (夹石剔除厚度), m")
    min_metre_grade: float | None = Field(
        None, gt=0, le=INDICATOR_GRADES.high,
        description="minimum metre-grade (米·克/吨值), m × grade unit; null for minimum "
        "industrial grade × minimum thickness")


class IndicatorsIn(IndicatorValues):
    """A new version of a mine's industrial indicators."""

    reason: str = Field(min_length=1, max_length=MAX_INDICATOR_REASON_CHARS,
                        description="why they change (an approval, a study)")


class IndicatorVersionOut(Schema):
    """One stored version of a mine's industrial indicators."""

    version: int = Field(description="version, from 1")
    source: str = Field(description="'enterprise' for a mine's own indicators")
    reason: str = Field(description="why this version was set")
    created_at: datetime = Field(description="when it was set (UTC)")
    cutoff_gpt: float = Field(description="cut-off grade, grade unit")
    min_industrial_gpt: float = Field(description="minimum industrial grade, grade unit")
    min_thickness_m: float = Field(description="minimum mining thickness, m")
    max_waste_m: float = Field(description="internal-waste thickness, m")
    min_metre_grade: float | None = Field(description="minimum metre-grade, m × grade unit")


class IndicatorsOut(Schema):
    """A mine's industrial indicators in force, with every version."""

    site: str = Field(description="site code")
    current: IndicatorValues = Field(description="the indicators in force")
    source: str = Field(description="'DZ/T 0205-2020 reference' when the mine set none, "
                        "else 'enterprise'")
    version: int | None = Field(description="the version in force; null for the reference")
    versions: list[IndicatorVersionOut] = Field(description="every version, newest first")


class CategoryTotals(Schema):
    """Ore, grade and metal of one GB/T 17766-2020 resource category."""

    category: str = Field(description="measured, indicated or inferred")
    tonnes: float = Field(description="ore, t (矿石量)")
    grade: float | None = Field(description="mean grade (平均品位), grade unit; null without ore")
    metal_kg: float = Field(description="metal (金属量), kg")


class Totals(Schema):
    """An estimate's totals."""

    tonnes: float = Field(description="ore, t")
    grade: float | None = Field(description="mean grade, grade unit")
    metal_kg: float = Field(description="metal, kg")
    by_category: list[CategoryTotals] = Field(description="by resource category")


class KrigingOut(Schema):
    """The kriging check of an estimate, or why it could not be made."""

    tonnes: float | None = Field(None, description="kriged ore, t")
    grade: float | None = Field(None, description="kriged grade, grade unit")
    metal_kg: float | None = Field(None, description="kriged metal, kg")
    cells: int | None = Field(None, description="cells kriged in the projection")
    differences: dict[str, float | None] | None = Field(
        None, description="tonnes_pct, grade_pct, metal_pct: kriging against the blocks, "
        "per cent")
    explanation: list[str] | None = Field(None, description="the difference explained, in "
                                          "the reader's language")
    refused: list[str] | None = Field(None, description="why the check could not be made, in "
                                      "the reader's language")


class BlockEstimateOut(Schema):
    """A stored geological-block estimate."""

    id: int = Field(description="the estimate's number")
    site: str = Field(description="site code")
    year: int = Field(description="year of the estimate")
    version: int = Field(description="version within the year, from 1")
    indicators_version: int | None = Field(description="the mine's indicators version used; "
                                           "null for the DZ/T 0205-2020 reference values")
    indicators: IndicatorValues = Field(description="the indicators used")
    grade_column: str = Field(description="the assay column delineated")
    strike_deg: float = Field(description="strike, degrees (right-hand rule)")
    dip_deg: float = Field(description="dip, degrees")
    density_t_m3: float = Field(description="ore density, t/m³")
    extrapolation: str = Field(description="'half_spacing' or a distance, m")
    inputs_sha256: str = Field(description="SHA-256 of the uploaded files")
    code_version: str = Field(description="Aurum's version that made it")
    totals: Totals = Field(description="ore, grade and metal, by category")
    kriging: KrigingOut | None = Field(description="the kriging check")
    created_at: datetime = Field(description="when it was made (UTC)")


class InterceptOut(Schema):
    """One orebody in one hole (见矿工程一览表)."""

    hole: str = Field(description="hole")
    from_m: float = Field(description="top along the hole, m")
    to_m: float = Field(description="bottom along the hole, m")
    length_m: float = Field(description="length along the hole, m")
    grade: float = Field(description="length-weighted grade, grade unit")
    metre_grade: float = Field(description="length × grade, m × grade unit")
    true_thickness_m: float = Field(description="true thickness, m")
    category: str = Field(description="industrial or low_grade")
    x: float = Field(description="mid-point easting, m")
    y: float = Field(description="mid-point northing, m")
    z: float = Field(description="mid-point elevation, m")
    azimuth: float = Field(description="hole azimuth there, degrees")
    dip: float = Field(description="hole dip there, degrees (positive down)")


class BlockOut(Schema):
    """One geological block: an industrial intercept's Voronoi cell within the outline."""

    hole: str = Field(description="hole")
    u: float = Field(description="pierce point along the strike, m")
    v: float = Field(description="pierce point elevation, m")
    area_m2: float = Field(description="area in the projection, m²")
    thickness_h_m: float = Field(description="horizontal thickness, m")
    tonnes: float = Field(description="ore, t")
    grade: float = Field(description="grade, grade unit")
    metal_kg: float = Field(description="metal, kg")
    category: str = Field(description="measured, indicated or inferred")
    polygon_u: list[float] = Field(description="its vertices along the strike, m")
    polygon_v: list[float] = Field(description="its vertices' elevations, m")


class BlockEstimateDetailOut(BlockEstimateOut):
    """A stored estimate with its intercepts and blocks."""

    intercepts: list[InterceptOut] = Field(description="every orebody of every hole")
    blocks: list[BlockOut] = Field(description="every block")
    outline: list[list[float]] = Field(description="the orebody outline, (u, v) in m")


class PublishIn(BaseModel):
    """Why an estimate becomes the year's statement."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=MAX_INDICATOR_REASON_CHARS,
                        description="why (a reserve verification approved, a year-end)")
