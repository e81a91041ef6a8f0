"""Underground mine plans (:mod:`aurum.services.underground`): a mine's stope plans, each
the stopes optimised on a block model, their schedule and the backfill balance, kept as
versions that are never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Double, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aurum.store.models.base import AppendOnly, Authored, Base, OfSite


class StopePlan(AppendOnly, OfSite, Authored, Base):
    """A stope plan of a mine: the stopes (Parquet), their schedule (Parquet) and the monthly
    fill balance (Parquet) live under AURUM_HOME (paths and SHA-256 here), with how they were
    made (the parameters: economics, stope shape, schedule and fill recipe; the block model
    or the uploaded values' hash; the code version) and the figures its page shows, so that
    the page computes nothing.

    ``value_cny`` and ``upper_bound_cny`` are the stopes' undiscounted value and the bound
    the optimiser proved (CNY); ``npv_cny`` the schedule's net present value (CNY) and
    ``gap`` its relative optimality gap (fraction); ``start_period`` the month (``YYYY-MM``)
    of the schedule's first period. ``walls_path`` and ``walls_sha256`` name a vein-shape
    plan's fourth file, each shape's walls per slice (None for box stopes).
    """

    __tablename__ = "stope_plans"
    __table_args__ = (UniqueConstraint("site_id", "version", name="uq_stope_plans_site_version"),)

    version: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("resource_models.id"))
    inputs_sha256: Mapped[str] = mapped_column(String(64))
    start_period: Mapped[str] = mapped_column(String(7))
    method: Mapped[str] = mapped_column(String(16))
    stopes: Mapped[int] = mapped_column(Integer)
    value_cny: Mapped[float] = mapped_column(Double)
    upper_bound_cny: Mapped[float] = mapped_column(Double)
    schedule_method: Mapped[str] = mapped_column(String(16))
    npv_cny: Mapped[float] = mapped_column(Double)
    gap: Mapped[float | None] = mapped_column(Double)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    stopes_path: Mapped[str] = mapped_column(String(500))
    stopes_sha256: Mapped[str] = mapped_column(String(64))
    schedule_path: Mapped[str] = mapped_column(String(500))
    schedule_sha256: Mapped[str] = mapped_column(String(64))
    balance_path: Mapped[str] = mapped_column(String(500))
    balance_sha256: Mapped[str] = mapped_column(String(64))
    walls_path: Mapped[str | None] = mapped_column(String(500))
    walls_sha256: Mapped[str | None] = mapped_column(String(64))
