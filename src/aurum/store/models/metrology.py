"""Metrology (:mod:`aurum.services.metrology`): the reference materials of the gold
metrology and testing centre, proficiency-test rounds, the laboratories' results (a ledger:
a correction is a new entry superseding the one it corrects) and each round's statistics,
computed when the round is closed and never changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Double, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Authored, Base, utcnow
from aurum.store.models.registry import BilingualName, Organisation


class MetrologyReferenceMaterial(AppendOnly, BilingualName, Authored, Base):
    """A reference material (标准物质): its certified value of one analyte with the
    expanded uncertainty ``expanded_uncertainty`` at coverage factor ``coverage_factor``
    (both in ``unit``), who produced it, and a note (e.g. that the values are a demo's)."""

    __tablename__ = "metrology_reference_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    matrix: Mapped[str] = mapped_column(String(64))
    analyte: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    certified_value: Mapped[float] = mapped_column(Double)
    expanded_uncertainty: Mapped[float] = mapped_column(Double)
    coverage_factor: Mapped[float] = mapped_column(Double)
    producer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500))


class MetrologyRound(BilingualName, Authored, Base):
    """A proficiency-test round: the analyte and unit, the method (``fire_assay``, ``icp``,
    ``xrf``...), the matrix, the sample (a reference material, or none for a consensus
    value), the σ_pt rule (``robust_sd``, ``fixed``, ``percent`` with ``sigma_pt_value``),
    the dates results are expected within and the status (``open``, then ``closed``)."""

    __tablename__ = "metrology_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    analyte: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    matrix: Mapped[str] = mapped_column(String(64))
    reference_material_id: Mapped[int | None] = mapped_column(
        ForeignKey("metrology_reference_materials.id"))
    sigma_pt_rule: Mapped[str] = mapped_column(String(16))
    sigma_pt_value: Mapped[float | None] = mapped_column(Double)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))

    reference_material: Mapped[MetrologyReferenceMaterial | None] = relationship()
    statistics: Mapped[MetrologyStatistics | None] = relationship(back_populates="round",
                                                                  uselist=False)


class MetrologyResult(AppendOnly, Authored, Base):
    """A laboratory's result in a round (``value`` and its standard uncertainty, the
    round's unit); ``supersedes_id`` the entry it corrects."""

    __tablename__ = "metrology_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("metrology_rounds.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    value: Mapped[float] = mapped_column(Double)
    uncertainty: Mapped[float | None] = mapped_column(Double)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("metrology_results.id"))

    laboratory: Mapped[Organisation] = relationship()


class MetrologyStatistics(AppendOnly, Base):
    """A round's statistics, computed when it was closed from the results current then
    (``data_version``: the newest result entry they include).

    ``source`` is ``reference`` or ``consensus``; ``assigned_value``, ``u_assigned``,
    ``robust_mean``, ``robust_sd`` and ``sigma_pt`` are in the round's unit; ``scores``
    holds per laboratory ``org_id``, ``participant`` (the code other laboratories see it
    by), ``value``, ``uncertainty``, ``z``, ``z_prime``, ``zeta``, ``en`` and their flags.
    """

    __tablename__ = "metrology_round_statistics"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("metrology_rounds.id"), unique=True)
    data_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    assigned_value: Mapped[float] = mapped_column(Double)
    u_assigned: Mapped[float] = mapped_column(Double)
    robust_mean: Mapped[float | None] = mapped_column(Double)
    robust_sd: Mapped[float | None] = mapped_column(Double)
    sigma_pt: Mapped[float] = mapped_column(Double)
    n_results: Mapped[int] = mapped_column(Integer)
    iterations: Mapped[int | None] = mapped_column(Integer)
    converged: Mapped[bool | None] = mapped_column(Boolean)
    scores: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    round: Mapped[MetrologyRound] = relationship(back_populates="statistics")
