"""Statistical reports (:mod:`aurum.industry.reporting`, :mod:`aurum.services.reporting`).

Reports are versioned: :class:`Report` is the key (site, period); each submission or amendment
is a new, never-updated :class:`ReportVersion`. Every uploaded file is kept as an
:class:`Upload`, accepted or rejected whole. The review of each version (submitted, accepted,
returned, amended; :mod:`aurum.industry.review`) is a never-updated :class:`ReportReview` per
step; a form saved and not yet submitted is a :class:`ReportDraft`, changed until submitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class Upload(AppendOnly, Base):
    """One uploaded file of reports, accepted whole or rejected whole with its problems."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Report(OfSite, Base):
    """The key of a statistical report: one site, one period."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("site_id", "period", name="uq_reports_site_period"),)

    period: Mapped[str] = mapped_column(String(8))
    period_kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer, index=True)
    period_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version")


class ReportVersion(AppendOnly, Base):
    """One submission of a report; amendments add versions, nothing is updated in place.

    Values are in the units of :data:`aurum.industry.reporting.FIELDS`; waste figures are in
    the child rows of :class:`ReportWaste`.
    """

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_versions_rv"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    resource_statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_statements.id"))

    ore_mined_t: Mapped[float | None] = mapped_column(Double)
    ore_treated_t: Mapped[float | None] = mapped_column(Double)
    head_grade_gpt: Mapped[float | None] = mapped_column(Double)
    gold_own_mine_kg: Mapped[float | None] = mapped_column(Double)
    gold_associated_kg: Mapped[float | None] = mapped_column(Double)
    gold_imported_kg: Mapped[float | None] = mapped_column(Double)
    gold_recycled_kg: Mapped[float | None] = mapped_column(Double)
    silver_kg: Mapped[float | None] = mapped_column(Double)
    resources_measured_t: Mapped[float | None] = mapped_column(Double)
    resources_indicated_t: Mapped[float | None] = mapped_column(Double)
    resources_inferred_t: Mapped[float | None] = mapped_column(Double)
    reserves_proved_t: Mapped[float | None] = mapped_column(Double)
    reserves_probable_t: Mapped[float | None] = mapped_column(Double)
    cyanide_consumed_t: Mapped[float | None] = mapped_column(Double)
    energy_tce: Mapped[float | None] = mapped_column(Double)

    report: Mapped[Report] = relationship(back_populates="versions")
    waste: Mapped[list[ReportWaste]] = relationship(back_populates="version")


class ReportWaste(AppendOnly, Base):
    """Solid waste of one type in one report version, t."""

    __tablename__ = "report_waste"
    __table_args__ = (UniqueConstraint("version_id", "waste_type", name="uq_report_waste_vt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    waste_type: Mapped[str] = mapped_column(String(32))
    generated_t: Mapped[float | None] = mapped_column(Double)
    stock_t: Mapped[float | None] = mapped_column(Double)
    used_backfill_t: Mapped[float | None] = mapped_column(Double)
    used_building_materials_t: Mapped[float | None] = mapped_column(Double)
    used_metal_recovery_t: Mapped[float | None] = mapped_column(Double)
    used_other_t: Mapped[float | None] = mapped_column(Double)

    version: Mapped[ReportVersion] = relationship(back_populates="waste")


class ReportReview(AppendOnly, Base):
    """One step of a report version's review (:class:`aurum.industry.review.State`): the
    report's state is the state of its newest step."""

    __tablename__ = "report_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportDraft(OfSite, Base):
    """A report form saved and not yet submitted: one per site and period, changed in place
    until it is submitted (then deleted; the submission is the record)."""

    __tablename__ = "report_drafts"
    __table_args__ = (UniqueConstraint("site_id", "period", name="uq_report_drafts_site_period"),)

    period: Mapped[str] = mapped_column(String(8))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
