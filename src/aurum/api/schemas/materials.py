"""Request and response models of the shelf products (``/api/v1/materials/…``, issue 22).

Values are in each property's unit (:data:`aurum.materials.catalogue.PROPERTIES`: % for
purity and contents, µm for particle size, µΩ·cm for resistivity, cN for breaking load, gf for
bonding pull strength, °C for temperatures…); dates ISO 8601.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema

Value = Annotated[float, Field(ge=-1e7, le=1e7)]
"""A measured value, bounded here; each property's own range is checked by the service."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class SpecLimitIn(_In):
    """One property of a specification: at least one of ``min`` and ``max``."""

    min: Value | None = None
    max: Value | None = None
    target: Value | None = None
    unit: str | None = Field(default=None, max_length=16)
    method: str | None = Field(default=None, max_length=120, description="test method")


class ProductIn(_In):
    """A product put on the shelf, with its specification."""

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")
    kind: str = Field(max_length=32, description="material kind (GET /api/v1/materials/kinds)")
    grade: str = Field(min_length=1, max_length=64)
    name_en: str = Field(min_length=1, max_length=200)
    name_zh: str = Field(min_length=1, max_length=200)
    maker: str | None = Field(default=None, max_length=32,
                              description="maker's code (admin only; else the caller's)")
    specification: dict[Annotated[str, Field(max_length=32)], SpecLimitIn] = Field(
        min_length=1, max_length=20)


class BatchIn(_In):
    """A batch with its measured values; a recorded batch number with a ``reason`` is a
    correction."""

    batch_no: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
    produced_on: date
    quantity_kg: float | None = Field(default=None, gt=0, le=1e7)
    values: dict[Annotated[str, Field(max_length=32)],
                 Value | Annotated[list[Value], Field(min_length=1, max_length=25)]] = Field(
        min_length=1, max_length=20)
    reason: str | None = Field(default=None, max_length=500)


class EvaluationIn(_In):
    """An application evaluation by a downstream user."""

    sector: Literal["electronics", "aerospace", "medical", "pv"]
    evaluated_on: date
    conditions: str = Field(min_length=1, max_length=2000)
    properties_checked: list[Annotated[str, Field(max_length=32)]] = Field(min_length=1,
                                                                           max_length=20)
    result: str = Field(min_length=1, max_length=2000)
    verdict: Literal["pass", "conditional", "fail"]
    raw_data: dict[Annotated[str, Field(max_length=32)],
                   Annotated[list[Value], Field(min_length=1, max_length=25)]] = Field(
        default_factory=dict, max_length=20)
    evaluator: str | None = Field(default=None, max_length=32,
                                  description="downstream user's code (admin only)")
    corrects_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class KindOut(Schema):
    """A material kind and the properties its specifications usually give."""

    key: str
    name_en: str
    name_zh: str
    properties: list[str]


class ProductRowOut(Schema):
    """A product of the catalogue."""

    code: str
    name: str
    kind: str
    grade: str
    maker: str
    maker_code: str
    province: str
    status: str
    batches: int
    least_cpk: float | None = Field(description="least Cpk over the specification")
    capability: str = Field(description="capable, marginal, incapable or unproven")
    evaluations: int
    passes: int


class EvaluationOut(Schema):
    """An evaluation; ``conditions``, ``result`` and ``raw_data`` are null unless the caller
    is a party (``raw``)."""

    id: int
    product: str
    evaluator: str
    evaluator_name: str
    sector: str
    evaluated_on: date
    properties_checked: list[str]
    verdict: str
    corrects_id: int | None
    raw: bool
    conditions: str | None
    result: str | None
    raw_data: dict[str, list[float]] | None


class ProductOut(Schema):
    """A product with its specification and the capability stored with its data version."""

    code: str
    kind: str
    grade: str
    name_en: str
    name_zh: str
    status: str
    maker: str
    data_version: int = Field(description="batch rows the capability was computed from")
    specification: list[dict[str, Any]] = Field(
        description="per property: unit, lower, upper, target, test_method, n_batches, "
        "nonconforming, mean, cp, cpk, pp, ppk, chart (kind, batches, location, spread, "
        "limits, beyond)")
    evaluations: list[EvaluationOut]
    documents: list[dict[str, Any]]


class BatchOut(Schema):
    """A stored batch row."""

    id: int
    batch_no: str
    produced_on: date
    quantity_kg: float | None
    values: dict[str, list[float]]
    corrects_id: int | None
    data_version: int
