"""Processing plants (:mod:`aurum.processing`, :mod:`aurum.services.processing`): circuits by
version, monthly metal accounts and their closings, the solid-waste ledger."""

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

from aurum.store.models.base import AppendOnly, Authored, Base, OfSite, utcnow


class PlantCircuit(AppendOnly, OfSite, Authored, Base):
    """One version of a plant's circuit (:func:`aurum.processing.circuit.circuit_to_mapping`:
    nodes, streams and, when saved with a survey, its measurements in t and g/t). A change is
    a new version; versions are never updated."""

    __tablename__ = "plant_circuits"
    __table_args__ = (UniqueConstraint("site_id", "name", "version",
                                       name="uq_plant_circuits_site_name_version"),)

    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(8))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    reconciliation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


class MetalAccount(AppendOnly, OfSite, Authored, Base):
    """One version of a plant's metal account of a month (AMIRA P754 check-in / check-out;
    gold in g, ore in t, grade in g/t). Never updated: a correction is a new version with a
    reason; closing the month is a :class:`MetalAccountClosing`."""

    __tablename__ = "metal_accounts"
    __table_args__ = (UniqueConstraint("site_id", "period", "version",
                                       name="uq_metal_accounts_site_period_version"),)

    period: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    ore_treated_t: Mapped[float] = mapped_column(Double)
    head_grade_gpt: Mapped[float | None] = mapped_column(Double)
    check_in_g: Mapped[float] = mapped_column(Double)
    check_in_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    products_g: Mapped[float] = mapped_column(Double)
    products_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    tailings_g: Mapped[float] = mapped_column(Double)
    tailings_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    opening_g: Mapped[float] = mapped_column(Double, default=0.0)
    opening_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    closing_g: Mapped[float] = mapped_column(Double, default=0.0)
    closing_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    share_own_mine: Mapped[float] = mapped_column(Double, default=1.0)
    share_associated: Mapped[float] = mapped_column(Double, default=0.0)
    share_imported: Mapped[float] = mapped_column(Double, default=0.0)
    unaccounted_g: Mapped[float] = mapped_column(Double)
    unaccounted_sd_g: Mapped[float] = mapped_column(Double)
    recovery: Mapped[float | None] = mapped_column(Double)
    recovery_sd: Mapped[float | None] = mapped_column(Double)
    circuit_id: Mapped[int | None] = mapped_column(ForeignKey("plant_circuits.id"))
    reason: Mapped[str | None] = mapped_column(Text)


class MetalAccountClosing(AppendOnly, Base):
    """The closing of a month: locks an account version. ``sha256`` covers the account's
    figures and the previous closing of the site (``previous_sha256``), so the closed months
    of a plant form a hash chain an auditor can recompute."""

    __tablename__ = "metal_account_closings"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("metal_accounts.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[MetalAccount] = relationship()


class WasteEntry(AppendOnly, OfSite, Authored, Base):
    """One line of a site's solid-waste ledger: a waste type in a month (t), as
    :func:`aurum.processing.waste.validate_ledger` defines it. Append-only: a correction is a
    new entry naming the one it ``supersedes`` and why."""

    __tablename__ = "waste_entries"

    period: Mapped[str] = mapped_column(String(8), index=True)
    waste_type: Mapped[str] = mapped_column(String(32))
    generated_t: Mapped[float] = mapped_column(Double)
    opening_stock_t: Mapped[float] = mapped_column(Double)
    utilised_backfill_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_building_materials_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_metal_recovery_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_other_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_from_stock_t: Mapped[float] = mapped_column(Double, default=0.0)
    disposed_t: Mapped[float] = mapped_column(Double, default=0.0)
    detox_status: Mapped[str] = mapped_column(String(16), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("waste_entries.id"),
                                                      unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
