"""Supply security (:mod:`aurum.services.trade`): customs import statistics as imported files
and their rows, the analysis computed after each change, long-term supply agreements, and
enterprises' overseas projects with their social-responsibility records. Every table is
append-only: a correction is a new row (an agreement superseding another, a project's or a
record's next version for the same year)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from aurum.store.models.base import AppendOnly, Authored, Base, utcnow


class CustomsBatch(AppendOnly, Authored, Base):
    """One customs statistics file imported: its name, content hash, rows and currency."""

    __tablename__ = "trade_customs_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))


class CustomsImport(AppendOnly, Base):
    """One row of customs statistics: imports of a commodity code from a partner (ISO 3166-1
    alpha-2) through a customs district in a month (``YYYY-MM``); kg and the value in
    ``currency``; ``gold_kg`` the contained gold, None where the file does not give it."""

    __tablename__ = "trade_customs_imports"
    __table_args__ = (UniqueConstraint("hs_code", "partner", "customs_district", "month",
                                       name="uq_trade_customs_imports_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("trade_customs_batches.id"), index=True)
    hs_code: Mapped[str] = mapped_column(String(10))
    commodity: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str] = mapped_column(String(2))
    customs_district: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer, index=True)
    quantity_kg: Mapped[float] = mapped_column(Double)
    gold_kg: Mapped[float | None] = mapped_column(Double)
    value: Mapped[float] = mapped_column(Double)
    currency: Mapped[str] = mapped_column(String(3))


class TradeAnalysis(AppendOnly, Base):
    """The import-source analysis of one state of the data, computed when it changed: the
    newest customs batch and agreement it covers (the data version), the concentration per
    month and year, dependence by partner, trends, agreements' coverage, equity output
    flowing back, and the supply-risk indicator (:mod:`aurum.trade`)."""

    __tablename__ = "trade_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("trade_customs_batches.id"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("trade_agreements.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("trade_overseas_projects.id"))
    concentration: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    dependence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    trends: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    coverage: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    flow_back: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    risk: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SupplyAgreement(AppendOnly, Authored, Base):
    """A long-term supply agreement (:class:`aurum.trade.agreements.Agreement`): tonnes of
    product a year over whole calendar years; ``org_id`` the Chinese party (None when not
    registered); ``supersedes_id`` the agreement this entry corrects or ends."""

    __tablename__ = "trade_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    partner: Mapped[str] = mapped_column(String(2))
    counterparty: Mapped[str] = mapped_column(String(200))
    commodity: Mapped[str] = mapped_column(String(8))
    tonnes_per_year: Mapped[float] = mapped_column(Double)
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    price_basis: Mapped[str] = mapped_column(String(16))
    premium_usd_per_oz: Mapped[float] = mapped_column(Double)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("trade_agreements.id"),
                                                      unique=True)


class OverseasProject(AppendOnly, Authored, Base):
    """An enterprise's overseas project's entry for one year
    (:class:`aurum.trade.overseas.Project`); a correction is the next ``version`` of the same
    organisation, code and year, with its ``reason``."""

    __tablename__ = "trade_overseas_projects"
    __table_args__ = (UniqueConstraint("org_id", "code", "year", "version",
                                       name="uq_trade_overseas_projects_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(8))
    stage: Mapped[str] = mapped_column(String(16))
    ownership_pct: Mapped[float] = mapped_column(Double)
    annual_output_kg: Mapped[float] = mapped_column(Double)
    belt_and_road: Mapped[bool] = mapped_column(Boolean)
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(String(500))


class CsrRecord(AppendOnly, Authored, Base):
    """A project's social-responsibility record of one year
    (:class:`aurum.trade.overseas.CsrRecord`); a correction is its next ``version``."""

    __tablename__ = "trade_csr_records"
    __table_args__ = (UniqueConstraint("org_id", "code", "year", "version",
                                       name="uq_trade_csr_records_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    community_investment_cny: Mapped[float] = mapped_column(Double)
    local_employees: Mapped[int] = mapped_column(Integer)
    total_employees: Mapped[int] = mapped_column(Integer)
    environmental_incidents: Mapped[int] = mapped_column(Integer)
    grievances_raised: Mapped[int] = mapped_column(Integer)
    grievances_resolved: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
