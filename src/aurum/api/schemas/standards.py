"""Request and response models of the standards registry (``/api/v1/standards``, issue 22).

Numbers are standard numbers as China writes them (``GB/T 4134-2021``); an indicator's
values are in its own unit; improvements and shares are fractions (0.05 for 5 %).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.core.checks import Day, DbId
from aurum.standards.counterparts import Body, Recognition, Relation
from aurum.standards.effect import MAX_INDICATORS, Direction
from aurum.standards.lifecycle import PriorityArea, Status
from aurum.standards.numbering import MAX_NUMBER_CHARS, Level
from aurum.standards.records import (
    MAX_COMMITTEE_CHARS,
    MAX_COUNTERPARTS,
    MAX_NOTE_CHARS,
    MAX_SOURCE_CHARS,
    MAX_TITLE_CHARS,
)

StatusKey = Status
TagKey = PriorityArea
LevelKey = Level
"""The registry's filters (query parameters), one of their machine keys each."""
DirectionKey = Direction
"""Which way an indicator improves (the implementation form's choices)."""

Number = Field(min_length=1, max_length=MAX_NUMBER_CHARS,
               description="standard number, e.g. GB/T 4134-2021")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class CounterpartIn(_In):
    """An international counterpart and its mutual-recognition status."""

    body: Body
    reference: str = Field(min_length=1, max_length=80, description="e.g. ISO 11426:2014")
    relation: Relation
    recognition: Recognition = Recognition.NONE
    note: str = Field("", max_length=MAX_NOTE_CHARS)


class StandardIn(_In):
    """A standard added to the registry (the fields of a registry file's record)."""

    number: str = Number
    title_zh: str = Field("", max_length=MAX_TITLE_CHARS)
    title_en: str = Field("", max_length=MAX_TITLE_CHARS)
    status: Status
    committee: str = Field("", max_length=MAX_COMMITTEE_CHARS)
    published_on: Day | None = None
    effective_on: Day | None = None
    withdrawn_on: Day | None = None
    tags: list[PriorityArea] = Field([], max_length=len(PriorityArea))
    supersedes: str | None = Field(None, max_length=MAX_NUMBER_CHARS)
    counterparts: list[CounterpartIn] = Field([], max_length=MAX_COUNTERPARTS)
    source: str = Field("", max_length=MAX_SOURCE_CHARS)
    confirmed: bool = True
    note: str = Field("", max_length=MAX_NOTE_CHARS)


class StatusChangeIn(_In):
    """A move along the lifecycle."""

    status: Status
    on: Day | None = Field(None, description="the day it took effect")
    reason: str = Field(min_length=1, max_length=500)
    superseded_by: str | None = Field(None, max_length=MAX_NUMBER_CHARS,
                                      description="when withdrawn: the later edition")


class IndicatorIn(_In):
    """An indicator before and after, in its unit."""

    name: str = Field(min_length=1, max_length=100)
    unit: str = Field(min_length=1, max_length=30)
    before: float = Field(ge=-1e12, le=1e12)
    after: float = Field(ge=-1e12, le=1e12)
    better: Direction


class ImplementationFields(_In):
    """An implementation record's own fields (the page's form reads its indicators apart)."""

    organisation: str = Field(min_length=1, max_length=32, description="organisation code")
    started_on: Day
    summary: str = Field(min_length=1, max_length=500)
    corrects: DbId | None = Field(None, description="id of the record this one corrects")


class ImplementationIn(ImplementationFields):
    """An organisation's implementation of a standard."""

    indicators: list[IndicatorIn] = Field(min_length=1, max_length=MAX_INDICATORS)


class StandardOut(Schema):
    """A standard of the registry."""

    number: str
    slug: str
    level: str
    prefix: str
    year: int | None
    title_zh: str
    title_en: str
    title: str = Field(description="in the reader's language")
    status: str
    committee: str
    published_on: date | None
    effective_on: date | None
    withdrawn_on: date | None
    tags: list[str]
    supersedes: str | None
    source: str
    confirmed: bool
    note: str


class StatusEventOut(Schema):
    """A change of status."""

    from_status: str | None
    to_status: str
    on: date | None
    reason: str
    created_at: datetime


class CounterpartOut(Schema):
    """A counterpart with its current recognition status."""

    body: str
    reference: str
    relation: str
    recognition: str
    note: str
    created_at: datetime


class IndicatorOut(Schema):
    """An indicator with its change (in its unit; relative change and improvement as
    fractions, None when the value before was 0)."""

    name: str
    unit: str
    before: float
    after: float
    better: str
    change: float
    relative_change: float | None
    improvement: float | None
    improved: bool


class ImplementationOut(Schema):
    """An implementation record."""

    id: int
    organisation: str
    started_on: date
    summary: str
    indicators: list[IndicatorOut]
    corrects: int | None
    created_at: datetime


class IndicatorEffectOut(Schema):
    """One indicator of a standard's effect summary."""

    name: str
    unit: str
    better: str
    records: int
    mean_improvement: float | None
    improved_share: float


class EffectOut(Schema):
    """A standard's effect over the implementation records the reader may read."""

    records: int
    organisations: int
    improved_share: float | None
    indicators: list[IndicatorEffectOut]


class StandardDetailOut(StandardOut):
    """A standard with its history, counterparts, implementation records and effect."""

    superseded_by: list[str]
    history: list[StatusEventOut]
    counterparts: list[CounterpartOut]
    implementations: list[ImplementationOut]
    effect: EffectOut
