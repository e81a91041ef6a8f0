"""SQLAlchemy 2.0 typed models of the registry, users, statistical reports and the audit trail.

Reports are versioned: ``Report`` is the key (site, period); each submission or amendment is
a new, never-updated ``ReportVersion``. The audit trail (``AuditRecord``) is written by the
hook in :mod:`aurum.store.audit` for every ORM write and explicitly for bulk imports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware current time (UTC)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    """An enterprise, an enterprise group or another organisation of the industry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])
    sites: Mapped[list[Site]] = relationship(back_populates="organisation")


class Site(Base):
    """A mine, a plant or a tailings facility of an organisation."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(32), index=True)
    mine_method: Mapped[str | None] = mapped_column(String(16))
    plant_type: Mapped[str | None] = mapped_column(String(32))
    design_capacity_tpd: Mapped[float | None] = mapped_column(Double)
    depth_m: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    commissioned_on: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship(back_populates="sites")


class User(Base):
    """A person who logs in. ``org_id`` scopes enterprise and recycler users; ``province``
    scopes a provincial regulator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    province: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class Upload(Base):
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


class Report(Base):
    """The key of a statistical report: one site, one period."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("site_id", "period", name="uq_reports_site_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    period_kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer, index=True)
    period_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version")


class ReportVersion(Base):
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


class ReportWaste(Base):
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


class ResourceModel(Base):
    """An estimated block model: the blocks live in a Parquet file under AURUM_HOME, this row
    records where, its hash and how it was made (inputs' hash, parameters, code version)."""

    __tablename__ = "resource_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
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

    site: Mapped[Site] = relationship()


class ResourceStatement(Base):
    """A year-end resource statement of a mine (contained gold by class), versioned; its
    waterfall explains the change from the previous year's statement."""

    __tablename__ = "resource_statements"
    __table_args__ = (UniqueConstraint("site_id", "year", "version",
                                       name="uq_resource_statements_syv"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
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

    site: Mapped[Site] = relationship()
    model: Mapped[ResourceModel | None] = relationship()


class AuditRecord(Base):
    """Who changed what, when: the values before and after. Append-only."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


APPEND_ONLY: tuple[type[Base], ...] = (ReportVersion, ReportWaste, AuditRecord, Upload,
                                       ResourceModel, ResourceStatement)
"""Rows of these tables are never updated or deleted once written."""
