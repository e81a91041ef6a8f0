"""What the shelf-product pages and API show (issue 22): the catalogue by material kind and a
product's specification, stored capability, batches, documents and evaluations. Everything is
read from the store (the capability was computed when the last batch was added); the scope is
checked by :mod:`aurum.services.materials`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, is_chinese
from aurum.materials import catalogue
from aurum.services import materials as service
from aurum.services.auth import Actor
from aurum.store.models import MatDocument, MatProduct, Organisation

CPK_CAPABLE = 1.33
"""Least Cpk of a capable process (Montgomery's minimum for an existing process)."""
CPK_MARGINAL = 1.0
"""Least Cpk of a marginal one; below, incapable."""
CLASSES = ("capable", "marginal", "incapable", "unproven")
"""A product's capability class, by the least Cpk of its specification's properties."""
MAX_BATCHES_LISTED = 100
"""Latest batches a product's page lists."""
MAX_YAML = 20_000
"""Longest YAML typed in a form, characters."""
MAX_NUMBERS = 25
"""Most numbers typed in one field (a subgroup)."""


def kinds() -> list[dict[str, Any]]:
    """The material kinds: ``key``, ``name_en``, ``name_zh``, ``name`` (the reader's
    language) and the ``properties`` their specifications usually give."""
    return [{"key": k.key.value, "name_en": k.name_en, "name_zh": k.name_zh, "name": k.name,
             "properties": list(k.properties)} for k in catalogue.KINDS.values()]


def parse_yaml(text: str, column: str) -> Any:
    """A YAML document typed in a form's field (at most 20,000 characters), or a
    :class:`ValidationError` naming the field."""
    import yaml

    if len(text) > MAX_YAML:
        raise ValidationError(Problem(_("expected at most %(n)s characters", n=MAX_YAML),
                                      column=column))
    try:
        return yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(_("not a YAML document: %(error)s", error=str(
            exc).split("\n")[0]), column=column)) from exc


def parse_numbers(text: str, column: str) -> list[float] | None:
    """Numbers typed in a form's field, separated by commas or spaces (None when blank), or
    a :class:`ValidationError` naming the field."""
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        return None
    try:
        values = [float(p) for p in parts[:MAX_NUMBERS + 1]]
    except ValueError:
        values = []
    if not values or len(parts) > MAX_NUMBERS or not all(math.isfinite(v) for v in values):
        raise ValidationError(Problem(_("expected 1 to %(n)s numbers separated by commas",
                                        n=MAX_NUMBERS), column=column))
    return values


def capability_class(least_cpk: float | None) -> str:
    """The class of a product whose least Cpk is ``least_cpk`` (None: too few batches or no
    spread)."""
    if least_cpk is None:
        return "unproven"
    if least_cpk >= CPK_CAPABLE:
        return "capable"
    return "marginal" if least_cpk >= CPK_MARGINAL else "incapable"


def _name(product: MatProduct) -> str:
    return product.name_zh if is_chinese() else product.name_en


@dataclass(frozen=True)
class CatalogueView:
    """The catalogue: one row per product (``code``, ``name``, ``kind``, ``grade``, ``maker``,
    ``province``, ``status``, ``batches``, ``least_cpk``, ``capability``, ``evaluations``,
    ``passes``), the products per kind and capability class (the chart), the kinds and makers
    to filter by, and the makers the actor may add a product for."""

    rows: list[dict[str, Any]]
    by_kind: dict[str, dict[str, int]]
    makers: list[tuple[str, str]]
    own_makers: list[tuple[str, str]]


def catalogue_view(session: Session, actor: Actor, kind: str | None = None,
                   maker: str | None = None, status: str | None = "active") -> CatalogueView:
    """The catalogue, filtered by material kind, maker's code and status (None: any)."""
    service.require_reader(actor)
    if kind is not None:
        catalogue.check_kind(kind)
    stmt = select(MatProduct).join(Organisation, Organisation.id == MatProduct.org_id)
    if kind is not None:
        stmt = stmt.where(MatProduct.kind == kind)
    if maker is not None:
        stmt = stmt.where(Organisation.code == maker)
    if status is not None:
        stmt = stmt.where(MatProduct.status == status)
    products = session.scalars(stmt.order_by(MatProduct.kind, MatProduct.code)).all()
    evaluations = service.current_evaluations(session, [p.id for p in products])
    rows = []
    by_kind = {k: dict.fromkeys(CLASSES, 0) for k in catalogue.KINDS}
    for p in products:
        cap = service.latest_capability(session, p.id)
        cpks = [e["cpk"] for e in (cap.properties.values() if cap else ()) if e["cpk"] is not None]
        least = min(cpks) if cpks else None
        mine = [e for e in evaluations if e.product_id == p.id]
        cls = capability_class(least)
        by_kind[p.kind][cls] += 1
        rows.append({"code": p.code, "name": _name(p), "kind": p.kind, "grade": p.grade,
                     "maker": p.maker.name, "maker_code": p.maker.code,
                     "province": p.maker.province, "status": p.status,
                     "batches": 0 if cap is None else cap.n_batches, "least_cpk": least,
                     "capability": cls, "evaluations": len(mine),
                     "passes": sum(e.verdict == "pass" for e in mine)})
    makers = session.execute(select(Organisation.code, Organisation.name).where(
        Organisation.org_type == "new_materials").order_by(Organisation.code)).all()
    return CatalogueView(rows, by_kind, [(c, n) for c, n in makers],
                         [(o.code, o.name) for o in service.maker_orgs(session, actor)])


@dataclass(frozen=True)
class ProductView:
    """A product's page: the product, its specification rows with the stored capability of
    each property (``property``, ``name``, ``unit``, ``lower``, ``upper``, ``target``,
    ``test_method``, ``n_batches``, ``nonconforming``, ``mean``, ``cp``, ``cpk``, ``pp``,
    ``ppk``, ``chart``), the data version, the latest batches (newest first), the documents,
    the evaluations as the actor may read them, and what the actor may add."""

    product: MatProduct
    specs: list[dict[str, Any]]
    data_version: int
    batches: list[dict[str, Any]]
    documents: list[MatDocument]
    evaluations: list[dict[str, Any]]
    can_write: bool
    evaluators: list[tuple[str, str]]

    @property
    def name(self) -> str:
        """The product's name in the reader's language."""
        return _name(self.product)


def product_view(session: Session, actor: Actor, code: str) -> ProductView:
    """A product's page (any reader; raw evaluation data only for the parties)."""
    product = service.get_product(session, actor, code)
    cap = service.latest_capability(session, product.id)
    props = cap.properties if cap is not None else {}
    specs = []
    for s in product.specs:
        entry = props.get(s.property, {})
        specs.append({"property": s.property, "name": catalogue.PROPERTIES[s.property].name,
                      "unit": s.unit, "lower": s.lower, "upper": s.upper, "target": s.target,
                      "test_method": s.test_method, "n_batches": entry.get("n_batches", 0),
                      "nonconforming": entry.get("nonconforming", 0),
                      **{k: entry.get(k) for k in ("mean", "cp", "cpk", "pp", "ppk", "chart")}})
    batches = [{"batch_no": b.batch_no, "produced_on": b.produced_on,
                "quantity_kg": b.quantity_kg, "corrected": b.corrects_id is not None,
                "values": b.values}
               for b in reversed(service.current_batches(session, product.id))]
    documents = list(session.scalars(select(MatDocument).where(
        MatDocument.product_id == product.id).order_by(MatDocument.id.desc())))
    evaluations = [service.evaluation_record(actor, product, e)
                   for e in service.current_evaluations(session, [product.id])]
    return ProductView(product, specs, 0 if cap is None else cap.data_version,
                       batches[:MAX_BATCHES_LISTED], documents, evaluations,
                       service.can_write(actor, product),
                       [(o.code, o.name) for o in service.evaluator_orgs(session, actor)])


def product_record(view: ProductView) -> dict[str, Any]:
    """A product as the API gives it: its fields, maker, specification with the stored
    capability, data version and evaluations (as the reader may see them)."""
    p = view.product
    return {"code": p.code, "kind": p.kind, "grade": p.grade, "name_en": p.name_en,
            "name_zh": p.name_zh, "status": p.status, "maker": p.maker.code,
            "data_version": view.data_version, "specification": view.specs,
            "evaluations": view.evaluations,
            "documents": [{"id": d.id, "kind": d.kind, "title": d.title,
                           "filename": d.filename, "size_bytes": d.size_bytes,
                           "sha256": d.sha256} for d in view.documents]}
