"""Regional consolidation studies (:mod:`aurum.services.structure`): a province's study with
its inputs, and the result solved when it was stored, never changed (a changed study is a new
one)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Authored, Base, utcnow


class StructureStudy(AppendOnly, Authored, Base):
    """A consolidation study of one province: ``inputs`` holds the mines (id, site code, x/y
    km, lon/lat, ore t/d, grade g/t), the plants (existing and candidate, as
    :class:`aurum.structure.Plant`), the haulage cost (CNY/t·km), the road factor, the
    regional-mine radius (km), the gold price (CNY/g) and the central mill of the scenario of
    that name; ``data_version`` is the SHA-256 of the inputs as stored."""

    __tablename__ = "structure_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_version: Mapped[str] = mapped_column(String(64))
    result: Mapped[StructureResult | None] = relationship(back_populates="study", uselist=False)


class StructureResult(AppendOnly, Base):
    """The scenarios of a study solved: per scenario its plan (cost and its parts, margin,
    open plants, assignment, loads, gap), its regional mines and the province's ≥ 500 t/d
    share before and after; ``proposals`` the regional mines proposed with their gain; the
    study's ``data_version`` they were solved from, the code version and the seconds."""

    __tablename__ = "structure_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("structure_studies.id"), unique=True)
    scenarios: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    data_version: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    study: Mapped[StructureStudy] = relationship(back_populates="result")
