"""Response models of the resource routes (``/api/v1/resources``): year-end statements.

Tonnes in t, grades in g/t, contained gold in t. The statement table and the statement an
estimate publishes share their fields through :class:`StatementFields`, so the two cannot
drift apart.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from aurum.api.schemas import Row, Schema


class StatementFields(BaseModel):
    """What a statement's row and its record both show."""

    year: int = Field(description="year of the statement (effective 31 December)")
    version: int = Field(description="version within the year, from 1")
    cutoff_gpt: float = Field(description="reporting cut-off grade, g/t")
    model_id: int | None = Field(description="the block model it was stated from; null when "
                                 "entered without one")
    measured_tonnes: float = Field(description="measured resource, t")
    measured_grade_gpt: float | None = Field(description="its gold grade, g/t; null without "
                                             "tonnes")
    measured_gold_t: float = Field(description="its contained gold, t")
    indicated_tonnes: float = Field(description="indicated resource, t")
    indicated_grade_gpt: float | None = Field(description="its gold grade, g/t; null without "
                                              "tonnes")
    indicated_gold_t: float = Field(description="its contained gold, t")
    inferred_tonnes: float = Field(description="inferred resource, t")
    inferred_grade_gpt: float | None = Field(description="its gold grade, g/t; null without "
                                             "tonnes")
    inferred_gold_t: float = Field(description="its contained gold, t")
    reason: str | None = Field(description="why this version was stated")


class StatementRow(StatementFields, Row):
    """One statement of a site (versions included)."""

    site: str = Field(description="site code")
    effective_date: str = Field(description="effective date, ISO 8601 at midnight "
                                "(YYYY-12-31T00:00:00.000)")


class StatementOut(StatementFields, Schema):
    """A published statement."""

    id: int = Field(description="the statement's number")
    effective_date: date = Field(description="effective date, YYYY-12-31")
