"""Shelf products of high-end gold and silver materials (:mod:`aurum.services.materials`,
issue 22): a maker's products, their specifications, batches with measured values, documents,
downstream users' application evaluations and the capability computed from the batches.

Batches, documents, evaluations and capabilities are records, never changed: a correction of
a batch or an evaluation is a new row naming the row it corrects (``corrects_id``), and the
capability of a product is stored anew, with the data version it was computed from, each time
a batch is added.
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
from aurum.store.models.registry import Organisation


class MatProduct(Authored, Base):
    """A shelf product (货架产品): a maker's grade of one material kind
    (:data:`aurum.materials.catalogue.KINDS`), with its English and Chinese names and its
    ``status`` (``active`` or ``withdrawn``)."""

    __tablename__ = "mat_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    grade: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))

    maker: Mapped[Organisation] = relationship()
    specs: Mapped[list[MatSpec]] = relationship(back_populates="product",
                                                order_by="MatSpec.position")


class MatSpec(AppendOnly, Base):
    """One property of a product's specification: the property's key
    (:data:`aurum.materials.catalogue.PROPERTIES`), its unit, the least and greatest
    acceptable values and the target (None where the specification gives none), and the
    test method (e.g. a GB/T number). A specification is fixed with its product; a new
    specification is a new grade."""

    __tablename__ = "mat_specs"
    __table_args__ = (UniqueConstraint("product_id", "property",
                                       name="uq_mat_specs_product_property"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    property: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    lower: Mapped[float | None] = mapped_column(Double)
    upper: Mapped[float | None] = mapped_column(Double)
    target: Mapped[float | None] = mapped_column(Double)
    test_method: Mapped[str] = mapped_column(String(120))

    product: Mapped[MatProduct] = relationship(back_populates="specs")


class MatBatch(AppendOnly, Authored, Base):
    """A batch of a product with its measured ``values`` (``{property: [value, ...]}`` in the
    specification's units: one value, or a subgroup of the same size in every batch). A
    correction is a new row with the same ``batch_no`` naming the
    row it corrects; the batch's values are those of its newest row."""

    __tablename__ = "mat_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    batch_no: Mapped[str] = mapped_column(String(64))
    produced_on: Mapped[date] = mapped_column(Date)
    quantity_kg: Mapped[float | None] = mapped_column(Double)
    values: Mapped[dict[str, list[float]]] = mapped_column(JSON)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("mat_batches.id"))
    reason: Mapped[str | None] = mapped_column(String(500))


class MatCapability(AppendOnly, Base):
    """A product's capability, computed when a batch was added, for ``data_version`` (the
    number of batch rows it was computed from). ``properties`` maps each property to its
    control chart and indices (:func:`aurum.services.materials.capability_document`)."""

    __tablename__ = "mat_capabilities"
    __table_args__ = (UniqueConstraint("product_id", "data_version",
                                       name="uq_mat_capabilities_product_data_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    data_version: Mapped[int] = mapped_column(Integer)
    n_batches: Mapped[int] = mapped_column(Integer)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MatDocument(AppendOnly, Authored, Base):
    """A document of a product (data sheet, certificate, safety data sheet, test report):
    its file kept under its SHA-256 (:mod:`aurum.store.files`), never served as active
    content."""

    __tablename__ = "mat_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class MatEvaluation(AppendOnly, Authored, Base):
    """An application evaluation (应用评价) of a product by a downstream user: its sector,
    the trial's ``conditions``, the properties of the specification checked, the ``result``
    (a summary), the ``raw_data`` (``{property: [values]}``) and the ``verdict`` (``pass``,
    ``conditional`` or ``fail``). The verdict is public to every reader; the conditions,
    result and raw data only to the maker, the evaluator, admin and regulators. A correction
    is a new row naming the row it corrects."""

    __tablename__ = "mat_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("mat_products.id"), index=True)
    evaluator_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    sector: Mapped[str] = mapped_column(String(16))
    evaluated_on: Mapped[date] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(String(2000))
    properties_checked: Mapped[list[str]] = mapped_column(JSON)
    result: Mapped[str] = mapped_column(String(2000))
    raw_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(16))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("mat_evaluations.id"))

    evaluator: Mapped[Organisation] = relationship()
