"""Shelf products of high-end gold and silver materials (issue 22): the catalogue, each
product's specification, batches, documents and application evaluations, and the capability
computed from the batches.

**Who may do what** (checked here on every read and write):

- every reader (admin, regulators, enterprise users, auditors) reads the catalogue: products,
  specifications, batches with their control charts and capability, documents, and each
  evaluation's verdict, sector, date and evaluator; the recycler role has no business here;
- the trial's conditions, result and raw data of an evaluation are read only by the maker,
  the evaluator, admin and regulators (a provincial one for a maker or an evaluator in its
  province);
- a maker (an enterprise user of a new-materials enterprise) writes its own products, batches
  and documents; admin any;
- a downstream user (an enterprise user of a downstream organisation) writes evaluations in
  its own name; admin in a downstream user's name.

**Capability** is computed when a batch is added (never on a read) and stored with the data
version it belongs to (the number of batch rows of the product): per property of the
specification, the control chart over the batches in production order and Cp, Cpk, Pp, Ppk
(:mod:`aurum.materials.spc`). Batches and evaluations are append-only: a correction is a new
row, and the newest row of a batch (of an evaluation's chain) is the one that counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core.checks import FIRST_DATE, LAST_DATE
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.industry.registry import OrgType
from aurum.materials import catalogue, spc
from aurum.services.auth import Actor, Role
from aurum.store.files import put_bytes
from aurum.store.models import (
    MatBatch,
    MatCapability,
    MatDocument,
    MatEvaluation,
    MatProduct,
    MatSpec,
    Organisation,
    Site,
)

STATUSES = ("active", "withdrawn")
"""A product's statuses: on the shelf, or taken off it."""
SECTORS = ("electronics", "aerospace", "medical", "pv")
"""Downstream users' sectors."""
VERDICTS = ("pass", "conditional", "fail")
"""An application evaluation's verdicts."""
DOCUMENT_KINDS = ("datasheet", "certificate", "sds", "test_report", "other")
"""Kinds of a product's documents."""
DOCUMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                  ".jpeg": "image/jpeg", ".csv": "text/csv", ".txt": "text/plain",
                  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
"""Files a document may be, by extension; they are always served as downloads, never as
pages (inert)."""
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
"""Largest document accepted, bytes (20 MiB)."""
MAX_BATCHES_CHARTED = 500
"""Latest batches a product's charts and capability cover, at most."""
MAX_TEXT = 2000
"""Longest conditions and result of an evaluation, characters."""
CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{2,31}")
"""A product's code: 3 to 32 capital letters, digits and hyphens."""
BATCH_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
"""A batch number: 1 to 64 letters, digits and ``. _ / -``."""


def files_dir(home: Path) -> Path:
    """Folder of the products' documents, named by their SHA-256."""
    return home / "materials" / "files"


# --- who may do what --------------------------------------------------------------------------


READERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR, Role.ENTERPRISE)
"""Who opens the catalogue and the matching board built on it (makers and downstream users are
enterprise users); the recyclers have no business with either."""


def require_reader(actor: Actor) -> None:
    """Refuse the roles of no :data:`READERS` (recyclers)."""
    actor.require_role(*READERS)


def _orgs_of_type(session: Session, actor: Actor, org_type: OrgType) -> list[Organisation]:
    if actor.role is not Role.ENTERPRISE or not actor.org_ids:
        return []
    return list(session.scalars(select(Organisation).where(
        Organisation.id.in_(actor.org_ids), Organisation.org_type == org_type.value)
        .order_by(Organisation.id)))


def maker_orgs(session: Session, actor: Actor) -> list[Organisation]:
    """The new-materials enterprises ``actor`` may put products on the shelf for (every one
    for admin)."""
    if actor.role is Role.ADMIN:
        return list(session.scalars(select(Organisation).where(
            Organisation.org_type == OrgType.NEW_MATERIALS.value).order_by(Organisation.code)))
    return _orgs_of_type(session, actor, OrgType.NEW_MATERIALS)


def evaluator_orgs(session: Session, actor: Actor) -> list[Organisation]:
    """The downstream users ``actor`` may record evaluations for (every one for admin)."""
    if actor.role is Role.ADMIN:
        return list(session.scalars(select(Organisation).where(
            Organisation.org_type == OrgType.DOWNSTREAM.value).order_by(Organisation.code)))
    return _orgs_of_type(session, actor, OrgType.DOWNSTREAM)


def require_maker(session: Session, actor: Actor, maker_code: str | None = None
                  ) -> Organisation:
    """The new-materials enterprise ``actor`` puts a product on the shelf for (``maker_code``
    for admin; the actor's own else), or PermissionDenied."""
    require_reader(actor)
    maker = next((o for o in maker_orgs(session, actor) if maker_code in (None, o.code)), None)
    if maker is None:
        raise PermissionDenied(_("only a new-materials enterprise puts products on the shelf"))
    return maker


def require_evaluator(session: Session, actor: Actor, evaluator_code: str | None = None
                      ) -> Organisation:
    """The downstream user ``actor`` records an evaluation for (``evaluator_code`` for
    admin; the actor's own else), or PermissionDenied."""
    require_reader(actor)
    found = next((o for o in evaluator_orgs(session, actor)
                  if evaluator_code in (None, o.code)), None)
    if found is None:
        raise PermissionDenied(_("only a downstream user records application evaluations"))
    return found


def can_write(actor: Actor, product: MatProduct) -> bool:
    """Whether ``actor`` may add batches and documents to ``product`` (its maker, admin)."""
    return actor.can_write_owner(product.org_id)


def sees_raw(actor: Actor, product: MatProduct, evaluation: MatEvaluation) -> bool:
    """Whether ``actor`` reads an evaluation's conditions, result and raw data: the maker,
    the evaluator, admin and regulators (a provincial one of the maker's or the evaluator's
    province)."""
    if actor.role is Role.ADMIN:
        return True
    if actor.role is Role.REGULATOR:
        return actor.province is None or actor.province in (
            product.maker.province, evaluation.evaluator.province)
    return actor.role is Role.ENTERPRISE and actor.org_ids is not None and (
        product.org_id in actor.org_ids or evaluation.evaluator_org_id in actor.org_ids)


def get_product(session: Session, actor: Actor, code: str) -> MatProduct:
    """The product of ``code`` (any reader), or NotFoundError."""
    require_reader(actor)
    row = session.scalar(select(MatProduct).where(MatProduct.code == code))
    if row is None:
        raise NotFoundError(_("no product %(code)s", code=repr(code)[:40]))
    return row


def writable_product(session: Session, actor: Actor, code: str) -> MatProduct:
    """The product if ``actor`` may add batches and documents to it (else NotFoundError or
    PermissionDenied), before anything sent is read."""
    row = get_product(session, actor, code)
    if not can_write(actor, row):
        raise PermissionDenied(_("only the maker of %(code)s may add to it", code=code))
    return row


# --- products --------------------------------------------------------------------------------


def _text(value: Any, column: str, longest: int, problems: list[Problem]) -> str:
    text = str(value or "").strip()
    if not text or len(text) > longest:
        problems.append(Problem(_("expected 1 to %(n)s characters", n=longest), column=column))
    return text


def create_product(session: Session, actor: Actor, code: str, kind: str, grade: str,
                   name_en: str, name_zh: str, specification: Any,
                   maker_code: str | None = None) -> MatProduct:
    """Put a product on the shelf with its specification.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        A maker's user (the product is its enterprise's) or admin (who names the maker).
    code : str
        The product's code (:data:`CODE`), unique.
    kind : str
        The material kind (:data:`aurum.materials.catalogue.KINDS`).
    grade, name_en, name_zh : str
        The maker's grade name (at most 64 characters) and the product's names (200).
    specification : mapping
        ``{property: {min, max, target, unit, method}}``
        (:func:`aurum.materials.catalogue.parse_specification`).
    maker_code : str, optional
        The maker's code; the actor's new-materials enterprise when not given.

    Raises
    ------
    PermissionDenied
        The actor makes no materials (or not for ``maker_code``).
    ValidationError
        Every problem of the fields, or the specification's one; nothing is stored.
    """
    maker = require_maker(session, actor, maker_code)
    problems: list[Problem] = []
    if not CODE.fullmatch(code or ""):
        problems.append(Problem(_("expected 3 to 32 capital letters, digits and hyphens"),
                                column="code"))
    elif session.scalar(select(MatProduct.id).where(MatProduct.code == code)) is not None:
        problems.append(Problem(_("product %(code)s exists already", code=code), column="code"))
    if kind not in catalogue.KINDS:
        problems.append(Problem(_("expected one of %(kinds)s", kinds=", ".join(
            catalogue.KINDS)), column="kind"))
    texts = {name: _text(value, name, longest, problems) for name, value, longest in (
        ("grade", grade, 64), ("name_en", name_en, 200), ("name_zh", name_zh, 200))}
    if problems:
        raise ValidationError(problems)
    limits = catalogue.parse_specification(specification, source="specification")
    product = MatProduct(code=code, org_id=maker.id, kind=kind, status="active",
                         created_by=actor.user_id, **texts)
    session.add(product)
    session.flush()
    session.add_all(MatSpec(product_id=product.id, position=k, property=lim.key, unit=lim.unit,
                            lower=lim.lower, upper=lim.upper, target=lim.target,
                            test_method=lim.test_method) for k, lim in enumerate(limits))
    session.flush()
    session.refresh(product)
    _products_changed(session, product.kind)
    return product


def set_status(session: Session, actor: Actor, code: str, status: str) -> MatProduct:
    """Take a product off the shelf or put it back (its maker, admin)."""
    product = writable_product(session, actor, code)
    if status not in STATUSES:
        raise ValidationError(Problem(_("expected one of %(s)s", s=", ".join(STATUSES)),
                                      column="status"))
    product.status = status
    session.flush()
    _products_changed(session, product.kind)
    return product


def _products_changed(session: Session, kind: str) -> None:
    """Match the open needs of ``kind`` again: a product's specification, capability,
    evaluations or status changed, and the stored matchings name the data they were made from.

    Matching reads the catalogue through this module (it imports it), so it is imported
    here, when a write calls for it."""
    from aurum.services import matching

    matching.rematch(session, kind)


def limits_of(product: MatProduct) -> dict[str, catalogue.Limit]:
    """A product's specification as the domain's limits, by property."""
    return {s.property: catalogue.Limit(s.property, s.lower, s.upper, s.target, s.test_method)
            for s in product.specs}


# --- batches and capability ------------------------------------------------------------------


def current_batches(session: Session, product_id: int) -> list[MatBatch]:
    """A product's batches as they stand (the newest row of each batch number), in
    production order (date, then the first row's id), the latest :data:`MAX_BATCHES_CHARTED`."""
    rows = session.scalars(select(MatBatch).where(MatBatch.product_id == product_id)
                           .order_by(MatBatch.id)).all()
    first: dict[str, int] = {}
    newest: dict[str, MatBatch] = {}
    for row in rows:
        first.setdefault(row.batch_no, row.id)
        newest[row.batch_no] = row
    ordered = sorted(newest.values(), key=lambda b: (b.produced_on, first[b.batch_no]))
    return ordered[-MAX_BATCHES_CHARTED:]


def _batch_values(values: Any, limits: Mapping[str, catalogue.Limit],
                  sizes: Mapping[str, int]) -> dict[str, list[float]]:
    if not isinstance(values, Mapping) or not values:
        raise ValidationError(Problem(_("expected the measured value of at least one property "
                                        "of the specification"), column="values"))
    out: dict[str, list[float]] = {}
    problems: list[Problem] = []
    for key, given in values.items():
        key = str(key)
        column = f"values.{key}"[:80]
        if key not in limits:
            problems.append(Problem(_("%(key)s is not a property of the product's "
                                      "specification (%(keys)s)", key=repr(key)[:40],
                                      keys=", ".join(limits)), column=column))
            continue
        seq = list(given) if isinstance(given, list | tuple) else [given]
        if not 1 <= len(seq) <= spc.MAX_SUBGROUP or any(
                isinstance(v, bool) or not isinstance(v, int | float) for v in seq):
            problems.append(Problem(_("expected a number or a list of 1 to %(n)s numbers, got "
                                      "%(value)s", n=spc.MAX_SUBGROUP,
                                      value=repr(given)[:80]), column=column))
            continue
        bounds = catalogue.PROPERTIES[key].bounds
        if not all(bounds.contains(float(v)) for v in seq):
            problems.append(Problem(_("expected %(what)s", what=bounds.describe()),
                                    column=column))
            continue
        if key in sizes and sizes[key] != len(seq):
            problems.append(Problem(_("earlier batches give %(n)s values of %(key)s; every "
                                      "batch gives the same number", n=sizes[key], key=key),
                                    column=column))
            continue
        out[key] = [float(v) for v in seq]
    if problems:
        raise ValidationError(problems)
    return out


def add_batch(session: Session, actor: Actor, code: str, batch_no: str, produced_on: date,
              values: Any, quantity_kg: float | None = None, reason: str | None = None
              ) -> MatBatch:
    """Record a batch with its measured values, and the product's capability anew.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        The product's maker, or admin.
    code : str
        The product's code.
    batch_no : str
        The batch number (:data:`BATCH_NO`); one already recorded is corrected (a new row,
        with ``reason``).
    produced_on : date
        When it was made.
    values : mapping
        ``{property: value or [values]}`` in the specification's units; a property given as
        a subgroup gives as many values in every batch.
    quantity_kg : float, optional
        The batch's mass, kg.
    reason : str, optional
        Why a recorded batch is corrected (required then, at most 500 characters).

    Raises
    ------
    ValidationError
        A value not a number or out of the property's range, a property not in the
        specification, a bad batch number or date: every problem; nothing is stored.
    ConflictError
        The batch is recorded already and no reason is given for a correction.
    """
    return add_batches(session, actor, code, [BatchInput(batch_no, produced_on, values,
                                                         quantity_kg, reason)])[0]


@dataclass(frozen=True)
class BatchInput:
    """A batch to record (:func:`add_batch` names the fields)."""

    batch_no: str
    produced_on: date
    values: Any
    quantity_kg: float | None = None
    reason: str | None = None


MAX_BATCHES_AT_ONCE = 500
"""Most batches recorded in one go."""


def add_batches(session: Session, actor: Actor, code: str, inputs: Sequence[BatchInput]
                ) -> list[MatBatch]:
    """Record batches in production order, all or none, and the product's capability once
    for the new data version (a maker's import of its batch records; :func:`add_batch`
    explains the fields and the errors, the first refused batch is named by its number)."""
    product = writable_product(session, actor, code)
    if not 1 <= len(inputs) <= MAX_BATCHES_AT_ONCE:
        raise ValidationError(Problem(_("expected 1 to %(n)s batches", n=MAX_BATCHES_AT_ONCE)))
    batches = current_batches(session, product.id)
    sizes = {k: len(v) for b in batches for k, v in b.values.items()}
    by_no = {b.batch_no: b for b in batches}
    limits = limits_of(product)
    rows = []
    for given in inputs:
        if given.batch_no in by_no and by_no[given.batch_no].id is None:
            session.flush()  # a correction in the same import names the row it corrects
        try:
            row = _checked_batch(product, limits, sizes, by_no, given, actor)
        except ValidationError as exc:
            if len(inputs) == 1:
                raise
            raise ValidationError([replace(p, source=_("batch %(no)s", no=str(
                given.batch_no)[:64])) for p in exc.problems]) from None
        sizes.update({k: len(v) for k, v in row.values.items()})
        rows.append(row)
        session.add(row)
        by_no[row.batch_no] = row
    session.flush()
    store_capability(session, product)
    _products_changed(session, product.kind)
    return rows


def _checked_batch(product: MatProduct, limits: Mapping[str, catalogue.Limit],
                   sizes: Mapping[str, int], by_no: Mapping[str, MatBatch], given: BatchInput,
                   actor: Actor) -> MatBatch:
    problems: list[Problem] = []
    if not BATCH_NO.fullmatch(given.batch_no or ""):
        problems.append(Problem(_("expected 1 to 64 letters, digits and . _ / -"),
                                column="batch_no"))
    if not isinstance(given.produced_on, date) or \
            not FIRST_DATE <= given.produced_on <= LAST_DATE:
        problems.append(Problem(_("expected a date"), column="produced_on"))
    if given.quantity_kg is not None and not 0 < given.quantity_kg <= 1e7:
        problems.append(Problem(_("expected a number from 0 to 10000000 kg"),
                                column="quantity_kg"))
    if problems:
        raise ValidationError(problems)
    checked = _batch_values(given.values, limits, sizes)
    earlier = by_no.get(given.batch_no)
    why = (given.reason or "").strip() or None
    if earlier is not None and why is None:
        raise ConflictError(_("batch %(batch)s is recorded already: give a reason to correct "
                              "it", batch=given.batch_no))
    if why is not None and len(why) > 500:
        raise ValidationError(Problem(_("expected at most 500 characters"), column="reason"))
    return MatBatch(product_id=product.id, batch_no=given.batch_no,
                    produced_on=given.produced_on, quantity_kg=given.quantity_kg,
                    values=checked, corrects_id=None if earlier is None else earlier.id,
                    reason=why if earlier is not None else None, created_by=actor.user_id)


def capability_document(product: MatProduct, batches: Sequence[MatBatch]
                        ) -> dict[str, Any]:
    """Per property of the specification, its chart and indices over ``batches`` (in
    production order): ``unit``, ``lower``, ``upper``, ``target``, ``n_batches``,
    ``nonconforming`` (values outside the limits), and once there are
    :data:`aurum.materials.spc.MIN_SUBGROUPS` batches ``chart`` (``kind``, ``batches``,
    ``location``, ``spread``, ``location_limits``, ``spread_limits``, ``beyond``), ``mean``,
    ``sigma_within``, ``sigma_overall``, ``cp``, ``cpk``, ``pp``, ``ppk`` (None where
    undefined)."""
    out: dict[str, Any] = {}
    for key, lim in limits_of(product).items():
        given = [(b.batch_no, b.values[key]) for b in batches if key in b.values]
        values = [v for _no, vs in given for v in vs]
        entry: dict[str, Any] = {
            "unit": lim.unit, "lower": lim.lower, "upper": lim.upper, "target": lim.target,
            "n_batches": len(given), "nonconforming": sum(
                catalogue.conformity(lim, v) is not catalogue.Conformity.CONFORMING
                for v in values),
            "chart": None, "mean": None, "sigma_within": None, "sigma_overall": None,
            "cp": None, "cpk": None, "pp": None, "ppk": None}
        if len(given) >= spc.MIN_SUBGROUPS:
            cap = spc.process_capability([vs for _no, vs in given], lim.lower, lim.upper, key)
            chart = cap.chart
            entry.update(
                mean=cap.mean, sigma_within=cap.sigma_within, sigma_overall=cap.sigma_overall,
                cp=cap.cp, cpk=cap.cpk, pp=cap.pp, ppk=cap.ppk,
                chart={"kind": chart.kind, "subgroup_size": chart.subgroup_size,
                       "batches": [no for no, _vs in given],
                       "location": chart.location.tolist(), "spread": chart.spread.tolist(),
                       "location_limits": vars(chart.location_limits),
                       "spread_limits": vars(chart.spread_limits),
                       "beyond": [given[i][0] for i in chart.beyond]})
        out[key] = entry
    return finite(out)


def store_capability(session: Session, product: MatProduct) -> MatCapability:
    """Compute and store the product's capability for its current data version (the number
    of its batch rows)."""
    version = session.scalar(select(func.count()).select_from(MatBatch)
                             .where(MatBatch.product_id == product.id)) or 0
    batches = current_batches(session, product.id)
    row = MatCapability(product_id=product.id, data_version=version, n_batches=len(batches),
                        properties=capability_document(product, batches),
                        code_version=__version__)
    session.add(row)
    session.flush()
    return row


def latest_capability(session: Session, product_id: int) -> MatCapability | None:
    """The stored capability of the product's latest data version (None before a batch)."""
    return session.scalar(select(MatCapability).where(MatCapability.product_id == product_id)
                          .order_by(MatCapability.data_version.desc()).limit(1))


# --- documents -------------------------------------------------------------------------------


def add_document(session: Session, actor: Actor, home: Path, code: str, kind: str,
                 title: str, filename: str, data: bytes) -> MatDocument:
    """Keep a document of a product (data sheet, certificate…) under its SHA-256.

    Parameters
    ----------
    home : Path
        Data directory (``AURUM_HOME``).
    kind : str
        One of :data:`DOCUMENT_KINDS`.
    title : str
        At most 200 characters.
    filename : str
        A safe base name whose extension is one of :data:`DOCUMENT_TYPES`.
    data : bytes
        The file, 1 byte to :data:`MAX_DOCUMENT_BYTES`.
    """
    product = writable_product(session, actor, code)
    problems: list[Problem] = []
    if kind not in DOCUMENT_KINDS:
        problems.append(Problem(_("expected one of %(s)s", s=", ".join(DOCUMENT_KINDS)),
                                column="kind"))
    title = _text(title, "title", 200, problems)
    suffix = Path(filename or "").suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        problems.append(Problem(_("expected a file of type %(s)s", s=", ".join(
            DOCUMENT_TYPES)), column="file"))
    if not data or len(data) > MAX_DOCUMENT_BYTES:
        problems.append(Problem(_("expected a file of 1 to %(n)s bytes", n=MAX_DOCUMENT_BYTES),
                                column="file"))
    if problems:
        raise ValidationError(problems)
    digest = put_bytes(files_dir(home), data).name
    row = MatDocument(product_id=product.id, kind=kind, title=title, filename=filename[:255],
                      media_type=DOCUMENT_TYPES[suffix], size_bytes=len(data), sha256=digest,
                      created_by=actor.user_id)
    session.add(row)
    session.flush()
    return row


def document_file(session: Session, actor: Actor, home: Path, code: str, digest: str
                  ) -> tuple[MatDocument, Path]:
    """A product's document of SHA-256 ``digest`` and the path of its file (any reader)."""
    product = get_product(session, actor, code)
    row = session.scalar(select(MatDocument).where(
        MatDocument.product_id == product.id, MatDocument.sha256 == digest[:64])
        .order_by(MatDocument.id.desc()).limit(1))
    path = None if row is None else files_dir(home) / row.sha256
    if row is None or path is None or not path.exists():
        raise NotFoundError(_("no document %(digest)s of %(code)s", digest=digest[:64],
                              code=code))
    return row, path


# --- evaluations -----------------------------------------------------------------------------


def add_evaluation(session: Session, actor: Actor, code: str, sector: str,
                   evaluated_on: date, conditions: str, properties_checked: Sequence[str],
                   result: str, verdict: str, raw_data: Mapping[str, Any] | None = None,
                   evaluator_code: str | None = None, corrects_id: int | None = None
                   ) -> MatEvaluation:
    """Record a downstream user's application evaluation (应用评价) of a product.

    Parameters
    ----------
    actor : Actor
        A downstream user's user (in its own name), or admin (naming ``evaluator_code``).
    sector : str
        One of :data:`SECTORS`.
    evaluated_on : date
        When the trial ended.
    conditions, result : str
        The trial's conditions and its result (1 to :data:`MAX_TEXT` characters).
    properties_checked : sequence of str
        The specification's properties the trial checked (at least one).
    verdict : str
        One of :data:`VERDICTS`.
    raw_data : mapping, optional
        ``{property: [values]}`` measured in the trial, in the specification's units.
    evaluator_code : str, optional
        The downstream user; the actor's when not given.
    corrects_id : int, optional
        The evaluation (by the same evaluator, of the same product) this one corrects.
    """
    product = get_product(session, actor, code)
    evaluator = require_evaluator(session, actor, evaluator_code)
    limits = limits_of(product)
    problems: list[Problem] = []
    if sector not in SECTORS:
        problems.append(Problem(_("expected one of %(s)s", s=", ".join(SECTORS)),
                                column="sector"))
    if verdict not in VERDICTS:
        problems.append(Problem(_("expected one of %(s)s", s=", ".join(VERDICTS)),
                                column="verdict"))
    if not isinstance(evaluated_on, date) or not FIRST_DATE <= evaluated_on <= LAST_DATE:
        problems.append(Problem(_("expected a date"), column="evaluated_on"))
    texts = {name: _text(value, name, MAX_TEXT, problems)
             for name, value in (("conditions", conditions), ("result", result))}
    checked = [str(p) for p in properties_checked or ()]
    unknown = [p for p in checked if p not in limits]
    if not checked or unknown:
        problems.append(Problem(_("expected properties of the product's specification "
                                  "(%(keys)s)", keys=", ".join(limits)),
                                column="properties_checked"))
    if corrects_id is not None:
        earlier = session.get(MatEvaluation, corrects_id)
        if earlier is None or earlier.product_id != product.id or \
                earlier.evaluator_org_id != evaluator.id:
            problems.append(Problem(_("no evaluation %(id)s of this product by this "
                                      "evaluator", id=corrects_id), column="corrects_id"))
    if problems:
        raise ValidationError(problems)
    raw = _batch_values(raw_data, limits, {}) if raw_data else {}
    row = MatEvaluation(product_id=product.id, evaluator_org_id=evaluator.id, sector=sector,
                        evaluated_on=evaluated_on, properties_checked=checked, raw_data=raw,
                        verdict=verdict, corrects_id=corrects_id, created_by=actor.user_id,
                        **texts)
    session.add(row)
    session.flush()
    _products_changed(session, product.kind)
    return row


def current_evaluations(session: Session, product_ids: Sequence[int]) -> list[MatEvaluation]:
    """The evaluations of the products as they stand (those no later row corrects), newest
    first."""
    if not product_ids:
        return []
    rows = session.scalars(select(MatEvaluation).where(
        MatEvaluation.product_id.in_(product_ids)).order_by(MatEvaluation.id.desc())).all()
    corrected = {r.corrects_id for r in rows if r.corrects_id is not None}
    return [r for r in rows if r.id not in corrected]


def evaluation_record(actor: Actor, product: MatProduct, row: MatEvaluation
                      ) -> dict[str, Any]:
    """An evaluation as ``actor`` may read it: the verdict for everyone, the conditions,
    result and raw data (``raw``: True) only for the parties."""
    record: dict[str, Any] = {
        "id": row.id, "product": product.code, "evaluator": row.evaluator.code,
        "evaluator_name": row.evaluator.name, "sector": row.sector,
        "evaluated_on": row.evaluated_on, "properties_checked": list(row.properties_checked),
        "verdict": row.verdict, "corrects_id": row.corrects_id, "raw": False,
        "conditions": None, "result": None, "raw_data": None}
    if sees_raw(actor, product, row):
        record.update(raw=True, conditions=row.conditions, result=row.result,
                      raw_data=dict(row.raw_data))
    return record


# --- for matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecRange:
    """One property of a product's specification: unit, least/greatest/target value (None
    where not given) and test method."""

    property: str
    unit: str
    lower: float | None
    upper: float | None
    target: float | None
    test_method: str


@dataclass(frozen=True)
class ProductForMatching:
    """What matching needs of an active product: its specification, the stored capability
    (``cpk`` and ``n_batches`` per property; Cpk None where undefined), its evaluation
    record (``verdicts``: count per verdict) and its maker's location (WGS 84 degrees, None
    when the maker has no located site)."""

    product_id: int
    code: str
    kind: str
    grade: str
    name_en: str
    name_zh: str
    maker_code: str
    maker_name: str
    maker_province: str
    lon: float | None
    lat: float | None
    specs: tuple[SpecRange, ...]
    cpk: dict[str, float | None] = field(default_factory=dict)
    n_batches: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    data_version: int = 0

    @property
    def evaluations(self) -> int:
        """How many evaluations it has (as they stand)."""
        return sum(self.verdicts.values())


def maker_locations(session: Session, org_ids: Sequence[int]
                    ) -> dict[int, tuple[float, float]]:
    """Each organisation's location: its first site with coordinates (lon, lat)."""
    rows = session.execute(select(Site.org_id, Site.lon, Site.lat).where(
        Site.org_id.in_(org_ids), Site.lon.is_not(None), Site.lat.is_not(None))
        .order_by(Site.id)).all()
    out: dict[int, tuple[float, float]] = {}
    for org_id, lon, lat in rows:
        if lon is not None and lat is not None:  # the query's condition, for the types
            out.setdefault(org_id, (float(lon), float(lat)))
    return out


def products_for_matching(session: Session, material_kind: str,
                          actor: Actor | None = None) -> list[ProductForMatching]:
    """The active products of a material kind with their specification, stored capability,
    evaluation record and maker's location, by code.

    Parameters
    ----------
    session : Session
        Open session.
    material_kind : str
        One of :data:`aurum.materials.catalogue.KINDS`.
    actor : Actor, optional
        The reader (checked when given; the catalogue is public to every reader).
    """
    if actor is not None:
        require_reader(actor)
    catalogue.check_kind(material_kind)
    products = session.scalars(select(MatProduct).where(
        MatProduct.kind == material_kind, MatProduct.status == "active")
        .order_by(MatProduct.code)).all()
    where = maker_locations(session, [p.org_id for p in products])
    verdicts: dict[int, dict[str, int]] = {}
    for ev in current_evaluations(session, [p.id for p in products]):
        counts = verdicts.setdefault(ev.product_id, dict.fromkeys(VERDICTS, 0))
        counts[ev.verdict] += 1
    out = []
    for p in products:
        cap = latest_capability(session, p.id)
        props = cap.properties if cap is not None else {}
        lon, lat = where.get(p.org_id, (None, None))
        out.append(ProductForMatching(
            p.id, p.code, p.kind, p.grade, p.name_en, p.name_zh, p.maker.code, p.maker.name,
            p.maker.province, lon, lat,
            tuple(SpecRange(s.property, s.unit, s.lower, s.upper, s.target, s.test_method)
                  for s in p.specs),
            cpk={k: props.get(k, {}).get("cpk") for k in (s.property for s in p.specs)},
            n_batches={k: int(props.get(k, {}).get("n_batches", 0))
                       for k in (s.property for s in p.specs)},
            verdicts=verdicts.get(p.id, dict.fromkeys(VERDICTS, 0)),
            data_version=0 if cap is None else cap.data_version))
    return out
