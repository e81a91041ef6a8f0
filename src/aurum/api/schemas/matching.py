"""Request and response models of supply–demand matching (``/api/v1/materials/needs``,
issue 22).

A range's limits are in its property's unit (:data:`aurum.materials.catalogue.PROPERTIES`),
distances in km, latitudes and longitudes in degrees (WGS 84); margins, score parts and
scores from 0 to 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import Day

Limit = float | None


class RangeIn(BaseModel):
    """The range a buyer accepts for one property: at least one limit."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    property: str = Field(min_length=1, max_length=32, description="the property's key")
    min: Limit = Field(default=None, ge=-1e12, le=1e12, description="least accepted value")
    max: Limit = Field(default=None, ge=-1e12, le=1e12, description="greatest accepted value")
    unit: str | None = Field(default=None, max_length=16,
                             description="the property's unit (checked when given)")


class NeedFieldsIn(BaseModel):
    """A need's fields but its ranges (what the page's form parses as typed)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: str = Field(min_length=1, max_length=32, description="material kind")
    title: str = Field(min_length=1, max_length=200)
    quantity: float = Field(gt=0, le=1e9)
    quantity_unit: str = Field(min_length=1, max_length=8, description="g, kg, t, m, km, L "
                               "or pcs")
    needed_by: Day
    lat: float | None = Field(default=None, ge=-90, le=90, description="where, °N")
    lon: float | None = Field(default=None, ge=-180, le=180, description="where, °E")
    org_code: str | None = Field(default=None, max_length=32,
                                 description="the buyer (an administrator's post)")


class NeedIn(NeedFieldsIn):
    """A need: material kind, a range per property, quantity, the day needed by, where."""

    ranges: list[RangeIn] = Field(min_length=1, max_length=20)


class StatusIn(BaseModel):
    """A need closed (fulfilled) or withdrawn, and why."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["closed", "withdrawn"]
    reason: str = Field(min_length=1, max_length=500)


class RangeOut(Schema):
    property: str
    name: str = Field(description="the property's name in the caller's language")
    unit: str
    min: float | None
    max: float | None


class MatchingOut(Schema):
    """A need's latest matching."""

    data_version: str
    computed_at: dt.datetime
    cpk_threshold: float
    weights: dict[str, float]
    qualified: int
    unproven: int
    rejected: int
    up_to_date: bool = Field(description="false when the products changed since")


class NeedOut(Schema):
    """A need with its status and its latest matching's summary."""

    id: int
    buyer: str
    buyer_name: str
    kind: str
    kind_name: str
    title: str
    quantity: float
    quantity_unit: str
    needed_by: dt.date
    lat: float | None
    lon: float | None
    status: str
    created_at: dt.datetime
    ranges: list[RangeOut]
    matching: MatchingOut | None


class PropertyFactOut(Schema):
    """One property of a product against the need."""

    property: str
    name: str
    unit: str
    need_minimum: float | None
    need_maximum: float | None
    product_minimum: float | None
    product_maximum: float | None
    margin: float | None = Field(description="0 (touching a limit) to 1")
    cpk: float | None
    batches: int
    verdict: str = Field(description="inside, unproven, low_capability, outside, unit or "
                         "unspecified")


class EvaluationsOut(Schema):
    passes: int
    conditional: int
    fails: int


class MatchOut(Schema):
    """A product in a need's matching, with the facts that explain it."""

    product_id: int
    product: str
    product_name: str
    grade: str
    maker: str
    maker_name: str
    status: str = Field(description="qualified, unproven or rejected")
    properties: list[PropertyFactOut]
    evaluations: EvaluationsOut
    distance_km: float | None
    parts: dict[str, float] | None = Field(description="margin, capability, evaluation, "
                                           "distance: 0 to 1")
    score: float | None
    rank: int | None


class HistoryOut(Schema):
    status: str
    reason: str
    at: dt.datetime


class NeedDetailOut(NeedOut):
    """A need with its status entries and its matches; ``rejected`` is null for a reader who
    may not see them (a maker)."""

    history: list[HistoryOut]
    qualified: list[MatchOut]
    unproven: list[MatchOut]
    rejected: list[MatchOut] | None


class GapOut(Schema):
    """Open needs of a material kind by what their matching found."""

    kind: str
    kind_name: str
    needs: int
    matched: int = Field(description="open needs with a qualified product")
    gaps: int = Field(description="open needs with no qualified product (supply gaps)")
    unproven_only: int = Field(description="gaps with unproven products")


class RematchOut(Schema):
    rematched: int = Field(description="needs matched again (their products changed)")
