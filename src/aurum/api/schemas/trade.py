"""Request and response models of supply security (``/api/v1/trade/...``, issue 23).

Quantities in kg or t of product as named, values in the file's currency, shares in %, the
HHI on shares in % (0–10,000). Country codes are ISO 3166-1 alpha-2; a code outside it is
refused by the service with its own message (the models only bound the length).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import DbId, Year
from aurum.trade.agreements import (
    MAX_COUNTERPARTY_CHARS,
    MAX_PREMIUM_USD_PER_OZ,
    MAX_TONNES_PER_YEAR,
    PriceBasis,
)
from aurum.trade.overseas import (
    MAX_CNY,
    MAX_CODE_CHARS,
    MAX_NAME_CHARS,
    MAX_OUTPUT_KG,
    MAX_PEOPLE,
    Kind,
    Stage,
)

Commodity = Literal["ore", "gold"]
CountryCode = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class AgreementIn(_In):
    """A long-term supply agreement (or the correction of one in force, ``supersedes``)."""

    partner: str = CountryCode
    counterparty: str = Field(min_length=1, max_length=MAX_COUNTERPARTY_CHARS)
    commodity: Commodity
    tonnes_per_year: float = Field(gt=0, le=MAX_TONNES_PER_YEAR,
                                   description="t of product a year")
    start_year: Year
    end_year: Year
    price_basis: PriceBasis
    premium_usd_per_oz: float = Field(0.0, ge=-MAX_PREMIUM_USD_PER_OZ, le=MAX_PREMIUM_USD_PER_OZ,
                                      description="premium (+) or discount (-), USD/oz")
    org: str | None = Field(None, max_length=32, description="the Chinese party's code")
    supersedes: DbId | None = None


class AgreementOut(Schema):
    id: int
    org: str
    partner: str
    counterparty: str
    commodity: str
    tonnes_per_year: float
    start_year: int
    end_year: int
    price_basis: str
    premium_usd_per_oz: float
    supersedes_id: int | None
    created_at: datetime


class ProjectIn(_In):
    """An overseas project's entry for a year; a second entry for a year is its correction
    and needs a ``reason``."""

    org: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=MAX_CODE_CHARS)
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    country: str = CountryCode
    kind: Kind = "mine"
    stage: Stage
    ownership_pct: float = Field(gt=0, le=100, description="equity, %")
    annual_output_kg: float = Field(0.0, ge=0, le=MAX_OUTPUT_KG, description="gold, kg")
    belt_and_road: bool = False
    year: Year
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    reason: str = Field("", max_length=500)


class ProjectOut(Schema):
    org: str
    org_name: str
    code: str
    year: int
    version: int
    name: str
    country: str
    kind: str
    stage: str
    ownership_pct: float
    annual_output_kg: float
    belt_and_road: bool
    lon: float | None
    lat: float | None
    reason: str
    created_at: datetime


class CsrIn(_In):
    """A project's social-responsibility record of a year."""

    org: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=1, max_length=MAX_CODE_CHARS)
    year: Year
    community_investment_cny: float = Field(ge=0, le=MAX_CNY)
    local_employees: int = Field(ge=0, le=MAX_PEOPLE)
    total_employees: int = Field(ge=0, le=MAX_PEOPLE)
    environmental_incidents: int = Field(ge=0, le=MAX_PEOPLE)
    grievances_raised: int = Field(ge=0, le=MAX_PEOPLE)
    grievances_resolved: int = Field(ge=0, le=MAX_PEOPLE)
    reason: str = Field("", max_length=500)


class CsrOut(Schema):
    org: str
    code: str
    year: int
    version: int
    community_investment_cny: float
    local_employees: int
    total_employees: int
    environmental_incidents: int
    grievances_raised: int
    grievances_resolved: int
    resolution_rate_pct: float | None
    reason: str
    created_at: datetime


class BatchOut(Schema):
    """A stored customs file."""

    id: int
    filename: str
    rows: int
    currency: str
    first_month: str
    last_month: str


class ConcentrationOut(Schema):
    """The concentration of one period and commodity (``ore``, ``gold``, ``all``)."""

    period: str
    kind: str
    commodity: str
    basis: str = Field(description="gold_kg (contained gold) or value")
    partners: int
    total: float = Field(description="kg of gold, or the value's currency")
    hhi: float = Field(description="Σ of squared shares in %, 0–10,000")
    top3_share_pct: float
    top_partner: str
    top_partner_share_pct: float
    shares: dict[str, float] = Field(description="partner → share, %")


class RiskOut(Schema):
    """The supply-risk indicator: the HHI's band (2010 Horizontal Merger Guidelines)."""

    year: int
    hhi: float
    level: Literal["low", "moderate", "high"]
    top3_share_pct: float
    top_partner: str
    top_partner_share_pct: float
    partners: int
    basis: str
    bands: dict[str, float]
    coverage_pct: float | None = Field(description="of the year's imports, by agreements")
