"""Supply–demand matching (:mod:`aurum.services.matching`, issue 22): downstream users' needs,
their property ranges, their status entries and the matchings computed for them.

Every table is append-only. A need and its ranges are fixed once posted (another need is
another row); its status (open, closed, withdrawn) is the newest of its status entries. A
matching is computed when a need is posted and again when the products of its material kind
change; each is stored with the data version it was computed from, with one row per product
considered (its status, rank, score and the facts that explain it).
"""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Authored, Base, utcnow
from aurum.store.models.materials import MatProduct
from aurum.store.models.registry import Organisation


class MatNeed(AppendOnly, Authored, Base):
    """A buyer's need: the downstream user's organisation, the material kind
    (:data:`aurum.materials.catalogue.KINDS`), a title, the quantity in its unit, the day it is
    needed by and where (degrees, WGS 84; None: the buyer's province)."""

    __tablename__ = "mat_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Double)
    quantity_unit: Mapped[str] = mapped_column(String(16))
    needed_by: Mapped[date] = mapped_column(Date)
    lat: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float | None] = mapped_column(Double)

    buyer: Mapped[Organisation] = relationship()
    ranges: Mapped[list[MatNeedRange]] = relationship(order_by="MatNeedRange.position")


class MatNeedRange(AppendOnly, Base):
    """One property of a need: the range the buyer accepts (inclusive limits in the
    property's unit; None leaves a side open)."""

    __tablename__ = "mat_need_ranges"
    __table_args__ = (UniqueConstraint("need_id", "property",
                                       name="uq_mat_need_ranges_need_property"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("mat_needs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    property: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    minimum: Mapped[float | None] = mapped_column(Double)
    maximum: Mapped[float | None] = mapped_column(Double)


class MatNeedStatus(AppendOnly, Authored, Base):
    """A status entry of a need (``open`` when posted, then ``closed`` or ``withdrawn``) and
    why; the need's status is its newest entry's."""

    __tablename__ = "mat_need_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("mat_needs.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))


class MatMatching(AppendOnly, Base):
    """A need's matching against the products of its kind, for ``data_version`` (the need
    and the products' specifications, capabilities and evaluations it was computed from),
    with the Cpk threshold and the score's weights used and how many products were
    qualified, unproven and rejected."""

    __tablename__ = "mat_matchings"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("mat_needs.id"), index=True)
    data_version: Mapped[str] = mapped_column(String(200))
    cpk_threshold: Mapped[float] = mapped_column(Double)
    weights: Mapped[dict[str, float]] = mapped_column(JSON)
    n_qualified: Mapped[int] = mapped_column(Integer)
    n_unproven: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    matches: Mapped[list[MatMatch]] = relationship(order_by="MatMatch.id")


class MatMatch(AppendOnly, Base):
    """A product in a matching: its ``status`` (qualified, unproven, rejected), its rank and
    score among the qualified, and ``facts``
    (:meth:`aurum.materials.matching.Match.facts`: per property the need's and the product's
    range, margin and Cpk; the evaluation record; the distance; the score's parts)."""

    __tablename__ = "mat_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    matching_id: Mapped[int] = mapped_column(ForeignKey("mat_matchings.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Double)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)

    product: Mapped[MatProduct] = relationship()
