"""Request and response models of the job routes (``/api/v1/jobs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import DbId, GoldPrice, MiningWidth, Recovery, SlopeAngle, UnitCost


class PitStudyParams(BaseModel):
    """The pit page's what-if: a stored model and the economics that differ from the
    defaults (``GET /api/v1/pit/models/{id}/study`` shows them)."""

    model_config = ConfigDict(extra="forbid")

    model_id: DbId
    price_cny_per_g: GoldPrice | None = None
    recovery: Recovery | None = None
    processing_cny_per_t: UnitCost | None = None
    mining_cny_per_t: UnitCost | None = None
    slope_deg: SlopeAngle | None = None
    min_mining_width_m: MiningWidth | None = None


class PitStudyJobIn(BaseModel):
    """A pit study as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pit_study"]
    params: PitStudyParams


JobIn = Annotated[PitStudyJobIn, Field(description="the kind of job and its parameters")]
"""A job request (one model per kind; more kinds join as a discriminated union on ``kind``)."""


class JobOut(Schema):
    """A job as its submitter sees it."""

    id: int
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0.0, le=1.0, description="share of the work done, 0–1")
    message: str = Field(description="what the job is doing, or why it ended")
    result: dict[str, Any] | None = Field(
        description="when done: the kind's figures and ``url``, the page that shows them; "
                    "when failed on bad input: ``problems``")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
