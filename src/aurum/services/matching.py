"""Supply–demand matching (供需对接, issue 22): downstream users post needs, each matched to
the shelf products of its material kind (:mod:`aurum.materials.matching`: the rule, the
score and the explanation as facts).

**Writes.** A user of a downstream organisation (or an administrator on its behalf) posts a
need: material kind, a range per property, quantity and unit, the day needed by (not in the
past), where (degrees; when not given, the buyer's first located site, else its
province's centre). It is matched at once and the matching stored with its data version. A
need is closed or withdrawn by a new status entry, never an edit. When the products of a kind
change (a product, a specification, a capability from a new batch, an evaluation),
:func:`rematch` stores a new matching for each open need of the kind whose data version
moved; the board shows a matching of an older version as out of date.

**Products.** The active products of the need's kind: their specification, the Cpk of each
property from their latest capability (None with too few batches: unproven), their
evaluation record (the newest row of each evaluation, corrections applied) and where the
maker is (its first located site, else its province's centre).

**Scope.** The area is opened by :data:`READERS` only: a recycler (whose trade is scrap
gold, not materials) is refused it on every read and write (:class:`PermissionDenied`), not
shown an empty board. A need is read in full by its buyer, by the makers of its matched products
(qualified or unproven in its latest matching), by administrators, auditors and regulators (a
provincial regulator: the buyers of its province); anyone else is told it does not exist. The
products a need rejected, with their reasons, only by the buyer and those who read
everything. Makers see the needs they match, and nothing of the others. A GET reads the
stored matchings; it computes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _, is_chinese
from aurum.core.time import today_cst
from aurum.industry.registry import PROVINCE_CENTRES, OrgType
from aurum.materials.catalogue import KINDS, PROPERTIES, check_kind
from aurum.materials.matching import (
    CPK_THRESHOLD,
    EvaluationRecord,
    Need,
    NeedRange,
    Offer,
    ProductProperty,
    check_need,
    match_need,
)
from aurum.services import materials
from aurum.services.auth import Actor, Role
from aurum.services.materials import maker_locations, products_for_matching
from aurum.store.models import (
    MatCapability,
    MatEvaluation,
    MatMatch,
    MatMatching,
    MatNeed,
    MatNeedRange,
    MatNeedStatus,
    MatProduct,
    MatSpec,
    Organisation,
)

STATUSES = ("open", "closed", "withdrawn")
"""A need's statuses: open when posted; closed (fulfilled) or withdrawn by its buyer."""
QUANTITY_UNITS = ("g", "kg", "t", "m", "km", "L", "pcs")
"""Units a need's quantity may be given in (mass, length of wire, volume of solution,
pieces of target)."""
MAX_TITLE = 200
MAX_REASON = 500
"""Longest title of a need and reason of a status entry, characters."""
MATCHED = ("qualified", "unproven")
"""The statuses of a product that make its maker a party to the need."""
BOARD_LIMIT = 200
"""Open needs the board and the API list at most (the soonest needed first)."""
TOP_MATCHES = 3
"""Best qualified products the board shows per need."""
ACTIVE = "active"
"""The status of a product that is a candidate (H2's products are active or withdrawn)."""
READERS = materials.READERS
"""Who opens the matching area (each within the scope of the module docstring): the
catalogue's readers; the navigation offers it to these."""
WRITERS = (Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE)
"""Who asks for a rematch (:func:`refresh`)."""


# ---------------------------------------------------------------------------------------------
# Posting and closing needs


def _buyer(session: Session, actor: Actor, org_code: str | None) -> Organisation:
    """The downstream organisation a need is posted for (refusals before anything typed is
    read)."""
    if actor.role is Role.ADMIN:
        if not org_code:
            raise ValidationError(Problem(_("expected the code of the buyer's organisation"),
                                          column="org_code"))
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
    elif actor.role is Role.ENTERPRISE and actor.org_ids:
        own = list(session.scalars(select(Organisation).where(
            Organisation.id.in_(actor.org_ids), Organisation.org_type == OrgType.DOWNSTREAM)
            .order_by(Organisation.code)))
        chosen = [o for o in own if org_code in (None, "", o.code)]
        org = chosen[0] if len(chosen) == 1 else None
        if org is None and own and not org_code:
            raise ValidationError(Problem(_("expected one of %(codes)s",
                                            codes=", ".join(o.code for o in own)),
                                          column="org_code"))
    else:
        org = None
    if org is None or org.org_type != OrgType.DOWNSTREAM:
        raise _not_a_buyer()
    return org


def _not_a_buyer() -> PermissionDenied:
    return PermissionDenied(_("needs are posted by downstream users (electronics, aerospace, "
                              "medical, photovoltaic)"))


def require_poster(session: Session, actor: Actor) -> None:
    """Refuse an actor that may post needs for no downstream organisation (PermissionDenied),
    before the need's fields are read."""
    if not form_choices(session, actor)["buyers"]:
        raise _not_a_buyer()


def form_choices(session: Session, actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """What the need form offers: ``kinds`` and ``properties`` (key, name with unit, in
    the reader's language), ``units`` (:data:`QUANTITY_UNITS`) and ``buyers`` (code, name):
    the downstream organisations ``actor`` may post for (none: it may not post)."""
    buyers: list[Organisation] = []
    if actor.role is Role.ADMIN or (actor.role is Role.ENTERPRISE and actor.org_ids):
        stmt = select(Organisation).where(Organisation.org_type == OrgType.DOWNSTREAM)
        if actor.role is not Role.ADMIN:
            stmt = stmt.where(Organisation.id.in_(actor.org_ids or ()))
        buyers = list(session.scalars(stmt.order_by(Organisation.code)))
    return {"kinds": [(k, v.name) for k, v in KINDS.items()],
            "properties": [(k, f"{p.name} ({p.unit})" if p.unit else p.name)
                           for k, p in PROPERTIES.items()],
            "units": [(u, u) for u in QUANTITY_UNITS],
            "buyers": [(o.code, o.name) for o in buyers]}


def post_need(session: Session, actor: Actor, *, kind: str, title: str,
              ranges: Sequence[Mapping[str, Any]], quantity: float, quantity_unit: str,
              needed_by: date, lat: float | None = None, lon: float | None = None,
              org_code: str | None = None, today: date | None = None) -> MatNeed:
    """Post a need and store its first matching.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        A downstream user's enterprise user, or an administrator (``org_code`` then names
        the buyer).
    kind : str
        Material kind (:data:`aurum.materials.catalogue.KINDS`).
    title : str
        What the need is, 1 to :data:`MAX_TITLE` characters.
    ranges : sequence of mapping
        Per property ``property`` (a catalogue key), ``min`` and/or ``max`` in the property's
        unit, optionally ``unit`` (must be the property's).
    quantity : float
        How much, in ``quantity_unit`` (:data:`QUANTITY_UNITS`).
    quantity_unit : str
        Its unit.
    needed_by : date
        Day needed by, today or later (Beijing).
    lat, lon : float, optional
        Where it is needed, degrees (both or neither).
    org_code : str, optional
        The buyer's code (an administrator's post; a user of several downstream
        organisations names one).
    today : date, optional
        The day of posting (default: today in Beijing).

    Returns
    -------
    MatNeed

    Raises
    ------
    PermissionDenied
        The actor is not a downstream user (nor an administrator naming one).
    ValidationError
        Every problem of the need (by field), nothing stored.
    """
    buyer = _buyer(session, actor, org_code)
    problems: list[Problem] = []
    try:
        check_kind(kind)
    except ValidationError as exc:
        problems += exc.problems
    title = (title or "").strip()
    if not 1 <= len(title) <= MAX_TITLE:
        problems.append(Problem(_("expected 1 to %(n)s characters", n=MAX_TITLE),
                                column="title"))
    if quantity_unit not in QUANTITY_UNITS:
        problems.append(Problem(_("expected one of %(codes)s", codes=", ".join(
            QUANTITY_UNITS)), column="quantity_unit"))
    need = Need(kind, tuple(_need_range(r) for r in ranges), float(quantity), quantity_unit,
                needed_by, lat, lon)
    try:
        check_need(need, today or today_cst())
    except ValidationError as exc:
        problems += exc.problems
    if problems:
        raise ValidationError(problems)
    # The platform's own processes (SYSTEM, user 0) have no account to name.
    row = MatNeed(org_id=buyer.id, kind=kind, title=title, quantity=need.quantity,
                  quantity_unit=quantity_unit, needed_by=needed_by, lat=lat, lon=lon,
                  created_by=actor.user_id or None)
    session.add(row)
    session.flush()
    for position, r in enumerate(need.ranges):
        session.add(MatNeedRange(need_id=row.id, position=position, property=r.property,
                                 unit=r.unit, minimum=r.minimum, maximum=r.maximum))
    session.add(MatNeedStatus(need_id=row.id, status="open", reason="",
                              created_by=actor.user_id or None))
    session.flush()
    session.refresh(row)
    _store_matching(session, row, _versions(session, [kind])[kind])
    return row


def _need_range(given: Mapping[str, Any]) -> NeedRange:
    key = str(given.get("property", ""))
    known = PROPERTIES.get(key)
    unit = given.get("unit")
    return NeedRange(key, str(unit) if unit is not None else (known.unit if known else ""),
                     given.get("min"), given.get("max"))


def set_status(session: Session, actor: Actor, need_id: int, status: str, reason: str
               ) -> MatNeedStatus:
    """Close or withdraw an open need: a new status entry.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        The buyer's user or an administrator.
    need_id : int
        The need.
    status : str
        ``closed`` (fulfilled) or ``withdrawn``.
    reason : str
        Why, 1 to :data:`MAX_REASON` characters.

    Raises
    ------
    NotFoundError
        A need the actor may not read.
    PermissionDenied
        Not its buyer (nor an administrator).
    ValidationError
        Another status, a need no longer open, or no reason.
    """
    need = readable_need(session, actor, need_id)
    if not actor.can_write_owner(need.org_id):
        raise PermissionDenied(_("only the buyer closes or withdraws its need"))
    problems = []
    if status not in STATUSES[1:]:
        problems.append(Problem(_("expected one of %(codes)s", codes=", ".join(STATUSES[1:])),
                                column="status"))
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= MAX_REASON:
        problems.append(Problem(_("expected 1 to %(n)s characters", n=MAX_REASON),
                                column="reason"))
    if _statuses(session, [need.id])[need.id] != "open":
        problems.append(Problem(_("need no. %(id)s is no longer open", id=need.id),
                                column="status"))
    if problems:
        raise ValidationError(problems)
    entry = MatNeedStatus(need_id=need.id, status=status, reason=reason,
                          created_by=actor.user_id or None)
    session.add(entry)
    session.flush()
    return entry


# ---------------------------------------------------------------------------------------------
# Matching


def _buyer_place(session: Session, buyer: Organisation) -> tuple[float | None, float | None]:
    """Where a buyer is when its need does not say: its first located site (as
    :func:`aurum.services.materials.maker_locations` places a maker), else its province's
    centre (degrees, latitude then longitude)."""
    located = (maker_locations(session, [buyer.id]).get(buyer.id)
               or PROVINCE_CENTRES.get(buyer.province))
    return (None, None) if located is None else (located[1], located[0])


def _offers(session: Session, kind: str) -> list[Offer]:
    """The active products of ``kind`` as candidates (module docstring), from
    :func:`aurum.services.materials.products_for_matching`; a maker without a located site
    is placed at its province's centre."""
    out = []
    for p in products_for_matching(session, kind):
        lat, lon = p.lat, p.lon
        if (lat is None or lon is None) and p.maker_province in PROVINCE_CENTRES:
            lon, lat = PROVINCE_CENTRES[p.maker_province]
        out.append(Offer(
            p.product_id, p.kind,
            tuple(ProductProperty(s.property, s.unit, s.lower, s.upper, p.cpk.get(s.property),
                                  p.n_batches.get(s.property, 0)) for s in p.specs),
            EvaluationRecord(p.verdicts.get("pass", 0), p.verdicts.get("conditional", 0),
                             p.verdicts.get("fail", 0)), lat, lon))
    return out


def _versions(session: Session, kinds: Iterable[str]) -> dict[str, str]:
    """The data version of each kind's products now: their count and ids, and the newest
    specification, capability and evaluation of them (a change of any is a new version),
    with the Cpk threshold. Four grouped selects, whatever the number of kinds."""
    kinds = sorted(set(kinds))
    active = dict.fromkeys(kinds, "0:0:0")
    for kind, n, total, top in session.execute(
            select(MatProduct.kind, func.count(), func.sum(MatProduct.id),
                   func.max(MatProduct.id))
            .where(MatProduct.kind.in_(kinds), MatProduct.status == ACTIVE)
            .group_by(MatProduct.kind)):
        active[kind] = f"{n}:{total}:{top}"
    newest = {}
    for name, model in (("s", MatSpec), ("c", MatCapability), ("e", MatEvaluation)):
        newest[name] = dict(session.execute(
            select(MatProduct.kind, func.max(model.id))
            .join(MatProduct, MatProduct.id == model.product_id)
            .where(MatProduct.kind.in_(kinds)).group_by(MatProduct.kind)).all())
    return {k: (f"p{active[k]} s{newest['s'].get(k, 0)} c{newest['c'].get(k, 0)} "
                f"e{newest['e'].get(k, 0)} cpk{CPK_THRESHOLD}") for k in kinds}


def _domain_need(session: Session, need: MatNeed) -> Need:
    lat, lon = need.lat, need.lon
    if lat is None or lon is None:
        lat, lon = _buyer_place(session, need.buyer)
    return Need(need.kind, tuple(NeedRange(r.property, r.unit, r.minimum, r.maximum)
                                 for r in need.ranges),
                need.quantity, need.quantity_unit, need.needed_by, lat, lon)


def _store_matching(session: Session, need: MatNeed, version: str) -> MatMatching:
    result = match_need(_domain_need(session, need), _offers(session, need.kind))
    row = MatMatching(need_id=need.id, data_version=version,
                      cpk_threshold=result.cpk_threshold, weights=dict(result.weights),
                      n_qualified=len(result.qualified), n_unproven=len(result.unproven),
                      n_rejected=len(result.rejected), code_version=__version__)
    session.add(row)
    session.flush()
    for m in (*result.qualified, *result.unproven, *result.rejected):
        session.add(MatMatch(matching_id=row.id, product_id=m.product_id, status=m.status,
                             rank=m.rank, score=m.score, facts=m.facts()))
    session.flush()
    return row


def rematch(session: Session, kind: str | None = None) -> int:
    """Store a new matching for each open need (of ``kind``, or of every kind) whose
    products changed since its latest matching; the writers of products, batches and
    evaluations call it, and the demo after seeding them.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    kind : str, optional
        Only the needs of this material kind.

    Returns
    -------
    int
        Needs matched again (count).
    """
    stmt = _open_needs()
    if kind is not None:
        stmt = stmt.where(MatNeed.kind == kind)
    needs = list(session.scalars(stmt))
    if not needs:
        return 0
    versions = _versions(session, [n.kind for n in needs])
    stored = _latest_matchings(session, [n.id for n in needs])
    done = 0
    for need in needs:
        latest = stored.get(need.id)
        if latest is None or latest.data_version != versions[need.kind]:
            _store_matching(session, need, versions[need.kind])
            done += 1
    return done


def refresh(session: Session, actor: Actor, kind: str | None = None) -> int:
    """:func:`rematch` asked for from a page or the API, by an administrator, a regulator or
    an enterprise user (platform bookkeeping: it stores what the products already imply)."""
    actor.require_role(*WRITERS)
    if kind is not None:
        check_kind(kind)
    return rematch(session, kind)


# ---------------------------------------------------------------------------------------------
# Reading


def _status_ids() -> Any:
    return (select(MatNeedStatus.need_id, func.max(MatNeedStatus.id).label("id"))
            .group_by(MatNeedStatus.need_id).subquery())


def _statuses(session: Session, need_ids: Sequence[int]) -> dict[int, str]:
    newest = _status_ids()
    return dict(session.execute(
        select(MatNeedStatus.need_id, MatNeedStatus.status)
        .join(newest, newest.c.id == MatNeedStatus.id)
        .where(MatNeedStatus.need_id.in_(need_ids))).all())


def _open_needs() -> Select[Any]:
    newest = _status_ids()
    return (select(MatNeed).join(newest, newest.c.need_id == MatNeed.id)
            .join(MatNeedStatus, MatNeedStatus.id == newest.c.id)
            .where(MatNeedStatus.status == "open"))


def _latest_ids() -> Any:
    return (select(MatMatching.need_id, func.max(MatMatching.id).label("id"))
            .group_by(MatMatching.need_id).subquery())


def _latest_matchings(session: Session, need_ids: Sequence[int]) -> dict[int, MatMatching]:
    latest = _latest_ids()
    return {m.need_id: m for m in session.scalars(
        select(MatMatching).join(latest, latest.c.id == MatMatching.id)
        .where(MatMatching.need_id.in_(need_ids)))}


def _visible(stmt: Any, actor: Actor) -> Any:
    """``stmt`` (a select of needs) kept to those ``actor`` reads (module docstring); every
    read of a need passes here, so an actor outside :data:`READERS` is refused here."""
    actor.require_role(*READERS)
    if actor.org_ids is not None:
        latest = _latest_ids()
        matched = (select(MatMatching.need_id).join(latest, latest.c.id == MatMatching.id)
                   .join(MatMatch, MatMatch.matching_id == MatMatching.id)
                   .join(MatProduct, MatProduct.id == MatMatch.product_id)
                   .where(MatMatch.status.in_(MATCHED),
                          MatProduct.org_id.in_(actor.org_ids)))
        stmt = stmt.where(MatNeed.org_id.in_(actor.org_ids) | MatNeed.id.in_(matched))
    if actor.province is not None:
        stmt = stmt.where(MatNeed.org_id.in_(select(Organisation.id).where(
            Organisation.province == actor.province)))
    return stmt


def readable_need(session: Session, actor: Actor, need_id: int) -> MatNeed:
    """A need ``actor`` may read.

    Raises
    ------
    NotFoundError
        No such need, or one outside the actor's scope (the same answer).
    """
    need = session.scalar(_visible(select(MatNeed).where(MatNeed.id == need_id), actor))
    if need is None:
        raise NotFoundError(_("no need %(id)s", id=need_id))
    return need


def _sees_rejected(actor: Actor, need: MatNeed) -> bool:
    return actor.org_ids is None or need.org_id in actor.org_ids


def _match_record(match: MatMatch) -> dict[str, Any]:
    """A stored match as pages and the API give it: the product, its maker, and the facts
    (each property's name in the reader's language besides its key)."""
    product = match.product
    facts = dict(match.facts)
    facts["properties"] = [
        {**f, "name": PROPERTIES[f["property"]].name if f["property"] in PROPERTIES
         else f["property"]} for f in facts["properties"]]
    return {"product_id": product.id, "product": product.code,
            "product_name": product.name_zh if is_chinese() else product.name_en,
            "grade": product.grade, "maker": product.maker.code,
            "maker_name": product.maker.name, **facts}


def _kind_name(kind: str) -> str:
    return KINDS[kind].name if kind in KINDS else kind


def need_record(need: MatNeed, status: str, matching: MatMatching | None,
                current: str | None = None) -> dict[str, Any]:
    """A need as the API lists it: its fields, ranges, status and its latest matching's
    summary (``up_to_date`` False when the products changed since, given ``current``)."""
    return {
        "id": need.id, "buyer": need.buyer.code, "buyer_name": need.buyer.name,
        "kind": need.kind, "kind_name": _kind_name(need.kind), "title": need.title,
        "quantity": need.quantity, "quantity_unit": need.quantity_unit,
        "needed_by": need.needed_by, "lat": need.lat, "lon": need.lon, "status": status,
        "created_at": need.created_at,
        "ranges": [{"property": r.property, "name": PROPERTIES[r.property].name
                    if r.property in PROPERTIES else r.property, "unit": r.unit,
                    "min": r.minimum, "max": r.maximum} for r in need.ranges],
        "matching": None if matching is None else {
            "data_version": matching.data_version, "computed_at": matching.created_at,
            "cpk_threshold": matching.cpk_threshold, "weights": matching.weights,
            "qualified": matching.n_qualified, "unproven": matching.n_unproven,
            "rejected": matching.n_rejected,
            "up_to_date": current is None or matching.data_version == current}}


def list_needs(session: Session, actor: Actor, status: str = "open", kind: str | None = None,
               limit: int = BOARD_LIMIT) -> list[dict[str, Any]]:
    """The needs ``actor`` reads of a status (and kind), the soonest needed first, at most
    ``limit``, as :func:`need_record` gives them."""
    if status not in STATUSES:
        raise ValidationError(Problem(_("expected one of %(codes)s",
                                        codes=", ".join(STATUSES)), column="status"))
    newest = _status_ids()
    stmt = (select(MatNeed).join(newest, newest.c.need_id == MatNeed.id)
            .join(MatNeedStatus, MatNeedStatus.id == newest.c.id)
            .where(MatNeedStatus.status == status))
    if kind is not None:
        stmt = stmt.where(MatNeed.kind == kind)
    needs = list(session.scalars(_visible(stmt, actor)
                                 .order_by(MatNeed.needed_by, MatNeed.id).limit(limit)))
    matchings = _latest_matchings(session, [n.id for n in needs])
    versions = _versions(session, [n.kind for n in needs]) if status == "open" else {}
    return [need_record(n, status, matchings.get(n.id), versions.get(n.kind)) for n in needs]


@dataclass(frozen=True)
class NeedView:
    """What a need's page shows: the need (:func:`need_record`), its status entries (oldest
    first), its ranked qualified products, the unproven ones, the rejected ones (None where
    the reader may not see them) and whether the reader may close it."""

    need: dict[str, Any]
    history: list[dict[str, Any]]
    qualified: list[dict[str, Any]]
    unproven: list[dict[str, Any]]
    rejected: list[dict[str, Any]] | None
    can_close: bool


def need_view(session: Session, actor: Actor, need_id: int) -> NeedView:
    """A need with its latest stored matching, in ``actor``'s scope (read from the store)."""
    need = readable_need(session, actor, need_id)
    history = [{"status": s.status, "reason": s.reason, "at": s.created_at}
               for s in session.scalars(select(MatNeedStatus).where(
                   MatNeedStatus.need_id == need.id).order_by(MatNeedStatus.id))]
    status = str(history[-1]["status"])
    matching = _latest_matchings(session, [need.id]).get(need.id)
    current = _versions(session, [need.kind])[need.kind] if status == "open" else None
    record = need_record(need, status, matching, current)
    rows = [] if matching is None else [_match_record(m) for m in matching.matches]
    by = {s: [r for r in rows if r["status"] == s] for s in ("qualified", "unproven",
                                                             "rejected")}
    by["qualified"].sort(key=lambda r: r["rank"])
    return NeedView(record, history, by["qualified"], by["unproven"],
                    by["rejected"] if _sees_rejected(actor, need) else None,
                    status == "open" and actor.can_write_owner(need.org_id))


def need_detail(session: Session, actor: Actor, need_id: int) -> dict[str, Any]:
    """A need with its matches, as the API gives it."""
    view = need_view(session, actor, need_id)
    return view.need | {"history": view.history, "qualified": view.qualified,
                        "unproven": view.unproven, "rejected": view.rejected}


@dataclass(frozen=True)
class Board:
    """The matching board: the open needs the reader reads (:func:`need_record`, each with
    ``top``, its best qualified products), and per material kind (:func:`gaps_frame`) the
    open needs, those with a qualified product and the supply gaps (no qualified product),
    of which those with unproven products only."""

    needs: list[dict[str, Any]]
    by_kind: pd.DataFrame


def board(session: Session, actor: Actor) -> Board:
    """The matching board in ``actor``'s scope, read from the store."""
    needs = list_needs(session, actor)
    ids = [n["id"] for n in needs]
    latest = _latest_ids()
    top: dict[int, list[dict[str, Any]]] = {}
    for need_id, match in session.execute(
            select(MatMatching.need_id, MatMatch)
            .join(latest, latest.c.id == MatMatching.id)
            .join(MatMatch, MatMatch.matching_id == MatMatching.id)
            .where(MatMatching.need_id.in_(ids), MatMatch.rank <= TOP_MATCHES)
            .order_by(MatMatch.rank)):
        top.setdefault(need_id, []).append(_match_record(match))
    for n in needs:
        n["top"] = top.get(n["id"], [])
    return Board(needs, gaps_frame(needs))


def gaps_frame(needs: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Open needs per material kind by what their latest matching found: ``kind``,
    ``kind_name``, ``needs``, ``matched`` (a qualified product), ``gaps`` (none: a supply
    gap; a need not matched yet is one), ``unproven_only`` (gaps with unproven products),
    the kinds with the most gaps first."""
    columns = ["kind", "kind_name", "needs", "matched", "gaps", "unproven_only"]
    rows: dict[str, dict[str, Any]] = {}
    for n in needs:
        m = n["matching"] or {"qualified": 0, "unproven": 0}
        row = rows.setdefault(n["kind"], {"kind": n["kind"], "kind_name": n["kind_name"],
                                          "needs": 0, "matched": 0, "unproven_only": 0,
                                          "gaps": 0})
        row["needs"] += 1
        if m["qualified"]:
            row["matched"] += 1
        else:
            row["gaps"] += 1
            row["unproven_only"] += bool(m["unproven"])
    ordered: list[dict[str, Any]] = sorted(rows.values(),
                                           key=lambda r: (-int(r["gaps"]), str(r["kind"])))
    return pd.DataFrame(ordered, columns=columns)


# ---------------------------------------------------------------------------------------------
# What waits for the parties (the notification centre)


@dataclass(frozen=True)
class Waiting:
    """An open need with matches that waits for a party: ``side`` is ``buyer`` (its
    qualified products wait for the buyer's choice) or ``maker`` (the maker's products
    ``products`` qualify for it); ``day`` the latest matching's (UTC)."""

    need_id: int
    title: str
    side: str
    qualified: int
    products: tuple[str, ...]
    buyer: str
    day: datetime


def waiting(session: Session, actor: Actor, limit: int) -> list[Waiting]:
    """What the matching asks of ``actor``'s organisations now: its open needs with
    qualified products, and the open needs of others its products qualify for, the newest
    matching first, at most ``limit``. Only enterprise users are parties."""
    if actor.role is not Role.ENTERPRISE or not actor.org_ids:
        return []
    latest = _latest_ids()
    own = session.execute(
        _open_needs().add_columns(MatMatching)
        .join(latest, latest.c.need_id == MatNeed.id)
        .join(MatMatching, MatMatching.id == latest.c.id)
        .where(MatNeed.org_id.in_(actor.org_ids), MatMatching.n_qualified > 0)
        .order_by(MatMatching.id.desc()).limit(limit)).all()
    out = [Waiting(n.id, n.title, "buyer", m.n_qualified, (), n.buyer.code, m.created_at)
           for n, m in own]
    theirs = session.execute(
        _open_needs().add_columns(MatMatching, MatProduct.code)
        .join(latest, latest.c.need_id == MatNeed.id)
        .join(MatMatching, MatMatching.id == latest.c.id)
        .join(MatMatch, MatMatch.matching_id == MatMatching.id)
        .join(MatProduct, MatProduct.id == MatMatch.product_id)
        .where(MatProduct.org_id.in_(actor.org_ids), MatMatch.status == "qualified",
               MatNeed.org_id.not_in(actor.org_ids))
        .order_by(MatMatching.id.desc(), MatProduct.code).limit(limit)).all()
    products: dict[int, list[str]] = {}
    first: dict[int, tuple[MatNeed, MatMatching]] = {}
    for n, m, code in theirs:
        products.setdefault(n.id, []).append(code)
        first.setdefault(n.id, (n, m))
    out += [Waiting(n.id, n.title, "maker", m.n_qualified, tuple(products[n.id]),
                    n.buyer.code, m.created_at) for n, m in first.values()]
    return sorted(out, key=lambda w: w.day, reverse=True)[:limit]
