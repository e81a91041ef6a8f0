"""Resource models and year-end resource statements (:mod:`aurum.resources`,
:mod:`aurum.services.resources`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Base, OfSite, utcnow


class ResourceModel(AppendOnly, OfSite, Base):
    """An estimated block model: the blocks live in a Parquet file under AURUM_HOME, this row
    records where, its hash and how it was made (inputs' hash, parameters, code version)."""

    __tablename__ = "resource_models"

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    samples_sha256: Mapped[str] = mapped_column(String(64))
    file_path: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    n_blocks: Mapped[int] = mapped_column(Integer)
    n_estimated: Mapped[int] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(32))


class ResourceStatement(AppendOnly, OfSite, Base):
    """A year-end resource statement of a mine (contained gold by class), versioned; its
    waterfall explains the change from the previous year's statement."""

    __tablename__ = "resource_statements"
    __table_args__ = (UniqueConstraint("site_id", "year", "version",
                                       name="uq_resource_statements_syv"),)

    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    effective_date: Mapped[date] = mapped_column(Date)
    cutoff_gpt: Mapped[float] = mapped_column(Double)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("resource_models.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    measured_tonnes: Mapped[float] = mapped_column(Double)
    measured_grade_gpt: Mapped[float | None] = mapped_column(Double)
    measured_gold_t: Mapped[float] = mapped_column(Double)
    indicated_tonnes: Mapped[float] = mapped_column(Double)
    indicated_grade_gpt: Mapped[float | None] = mapped_column(Double)
    indicated_gold_t: Mapped[float] = mapped_column(Double)
    inferred_tonnes: Mapped[float] = mapped_column(Double)
    inferred_grade_gpt: Mapped[float | None] = mapped_column(Double)
    inferred_gold_t: Mapped[float] = mapped_column(Double)
    waterfall: Mapped[dict[str, float] | None] = mapped_column(JSON)

    model: Mapped[ResourceModel | None] = relationship()
