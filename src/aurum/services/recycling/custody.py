"""Custody from the counter to the bar: lots sent to a refiner, their assays and mass
balance, refined bars and the chain back to every purchase in a bar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _, format_number
from aurum.recycling.canonical import canonical, decimal, timestamp_text
from aurum.recycling.custody import custody_graph, mass_balance
from aurum.recycling.purchases import (
    ENTRY_VERSION,
    AssayMethod,
    fine_gold_g,
)
from aurum.recycling.rules import load_rules
from aurum.services.auth import Actor
from aurum.services.recycling._rows import E, P, _frame, _sha256, _utc
from aurum.services.recycling.ledger import AppendResult, LedgerKeys, _append_one, _lock_head
from aurum.services.recycling.participants import _may_read, _participant, _require_write, _scope
from aurum.store.models import (
    CustodyAssay,
    CustodyBar,
    CustodyBarInput,
    CustodyLot,
    CustodyLotPurchase,
    RecyclingCorrection,
    RecyclingParticipant,
    RecyclingPurchase,
    RecyclingSeller,
    RecyclingShop,
)


def _instant(moment: datetime) -> str:
    return str(timestamp_text([moment])[0])


def _lot_body(lot: CustodyLot, recycler: str, refiner: str, purchases: Sequence[int]
              ) -> dict[str, Any]:
    return {"fine_gold_g": decimal(lot.fine_gold_declared_g, 3), "kind": "lot",
            "lot": lot.code, "purchases": sorted(int(s) for s in purchases),
            "recycler": recycler, "refiner": refiner, "sent_at": _instant(lot.sent_at),
            "v": ENTRY_VERSION}


def _assay_body(lot: CustodyLot, assay: CustodyAssay) -> dict[str, Any]:
    return {"assayed_at": _instant(assay.assayed_at),
            "declared_g": decimal(lot.fine_gold_declared_g, 3),
            "fine_gold_g": decimal(assay.fine_gold_g, 3),
            "fineness_permille": decimal(assay.fineness_permille, 3), "kind": "assay",
            "lot": lot.code, "melted_weight_g": decimal(assay.melted_weight_g, 3),
            "method": assay.method, "tolerance_g": decimal(assay.tolerance_g, 3),
            "v": ENTRY_VERSION, "within_tolerance": bool(assay.within_tolerance)}


def _bar_body(bar: CustodyBar, refiner: str, inputs: Sequence[tuple[str, float]]
              ) -> dict[str, Any]:
    return {"fine_gold_g": decimal(bar.fine_gold_g, 3),
            "fineness_permille": decimal(bar.fineness_permille, 3),
            "gross_weight_g": decimal(bar.gross_weight_g, 3),
            "inputs": [{"fine_gold_g": decimal(g, 3), "lot": code}
                       for code, g in sorted(inputs)],
            "kind": "bar", "produced_at": _instant(bar.produced_at), "refiner": refiner,
            "serial": bar.serial, "v": ENTRY_VERSION}


def _custody_bodies(session: Session, first: int, last: int
                    ) -> dict[tuple[str, int], tuple[int, bytes]]:
    """Lot, assay and bar bodies rebuilt from their tables: (kind, seq) -> (seq, body)."""
    code_of = dict(session.execute(select(RecyclingParticipant.id,
                                          RecyclingParticipant.code)).all())
    out: dict[tuple[str, int], tuple[int, bytes]] = {}
    for lot in session.scalars(select(CustodyLot).where(
            CustodyLot.entry_seq.between(first, last))):
        purchases = session.scalars(select(CustodyLotPurchase.purchase_seq).where(
            CustodyLotPurchase.lot_seq == lot.entry_seq)).all()
        out[("lot", lot.entry_seq)] = (lot.entry_seq, canonical(_lot_body(
            lot, code_of[lot.participant_id], code_of[lot.refiner_id], purchases)))
    for assay, lot in session.execute(select(CustodyAssay, CustodyLot).join(
            CustodyLot, CustodyLot.entry_seq == CustodyAssay.lot_seq).where(
            CustodyAssay.entry_seq.between(first, last))):
        out[("assay", assay.entry_seq)] = (assay.entry_seq, canonical(_assay_body(lot, assay)))
    for bar in session.scalars(select(CustodyBar).where(
            CustodyBar.entry_seq.between(first, last))):
        inputs = session.execute(select(CustodyLot.code, CustodyBarInput.fine_gold_g).join(
            CustodyLot, CustodyLot.entry_seq == CustodyBarInput.lot_seq).where(
            CustodyBarInput.bar_seq == bar.entry_seq)).all()
        out[("bar", bar.entry_seq)] = (bar.entry_seq, canonical(
            _bar_body(bar, code_of[bar.refiner_id], inputs)))
    return out


def _check_quantity(value: float, low: float, high: float, column: str, unit: str
                    ) -> list[Problem]:
    if low < value <= high:
        return []
    return [Problem(_("expected more than %(low)s and at most %(high)s %(unit)s",
                      low=format_number(low, 0), high=format_number(high, 0), unit=unit),
                    column=column)]


def dispatch_lot(session: Session, actor: Actor, keys: LedgerKeys, code: str, recycler: str,
                 refiner: str, purchase_seqs: Sequence[int], sent_at: datetime
                 ) -> AppendResult:
    """Send purchases of a recycler to a refiner as one lot (entrusted refining).

    Parameters
    ----------
    code : str
        Lot code (unique).
    recycler, refiner : str
        Participant codes.
    purchase_seqs : sequence of int
        Purchases in force of the recycler, not in another lot.
    sent_at : datetime
        When the lot left (timezone-aware).
    """
    head = _lock_head(session)
    sender = _participant(session, recycler, "recycler")
    receiver = _participant(session, refiner, "refiner")
    _require_write(actor, sender)
    seqs = sorted({int(s) for s in purchase_seqs})
    if not seqs:
        raise ValidationError(Problem(_("a lot needs at least one purchase"),
                                      column="purchases"))
    found = {p.entry_seq: p for p in session.scalars(select(RecyclingPurchase).where(
        RecyclingPurchase.entry_seq.in_(seqs)))}
    corrected = set(session.scalars(select(RecyclingCorrection.target_seq).where(
        RecyclingCorrection.target_seq.in_(seqs))))
    placed = set(session.scalars(select(CustodyLotPurchase.purchase_seq).where(
        CustodyLotPurchase.purchase_seq.in_(seqs))))

    def trouble(s: int) -> str | None:
        if s not in found:
            return _("no such purchase")
        if found[s].participant_id != sender.id:
            return _("not a purchase of %(recycler)s", recycler=recycler)
        if s in corrected:
            return _("corrected: no longer in force")
        return _("already in a lot") if s in placed else None

    lot = CustodyLot(code=code, participant_id=sender.id, refiner_id=receiver.id,
                     sent_at=_utc(sent_at), fine_gold_declared_g=round(
                         sum(found[s].fine_gold_g for s in seqs if s in found), 3))
    body = _lot_body(lot, sender.code, receiver.code, seqs)
    existing = session.scalar(select(CustodyLot.entry_seq).where(CustodyLot.code == code))
    if existing is not None:
        # The same lot sent again is a duplicate; another lot under its code a conflict.
        if session.scalar(select(E.c.idempotency_key).where(
                E.c.seq == existing)) != _sha256(canonical(body)):
            raise ConflictError(_("lot %(lot)s exists already with other contents",
                                  lot=repr(code)))
        return _append_one(session, actor, keys, head, body)[2]
    problems = [Problem(_("purchase %(seq)s: %(why)s", seq=s, why=why), column="purchases")
                for s in seqs if (why := trouble(s)) is not None]
    if problems:
        raise ValidationError(problems)
    fresh, seq, result = _append_one(session, actor, keys, head, body)
    if fresh:
        lot.entry_seq = seq
        session.add(lot)
        session.flush()
        session.execute(insert(cast(Table, CustodyLotPurchase.__table__)),
                        [{"lot_seq": seq, "purchase_seq": s} for s in seqs])
    return result


def record_assay(session: Session, actor: Actor, keys: LedgerKeys, lot_code: str,
                 melted_weight_g: float, fineness_permille: float, method: str,
                 assayed_at: datetime) -> dict[str, Any]:
    """Record the refiner's melt and assay of a lot and its fine-gold mass balance.

    Parameters
    ----------
    melted_weight_g : float
        Weight of the melted lot (doré), g.
    fineness_permille : float
        Gold content found by the assay, ‰.
    method : str
        One of :class:`aurum.recycling.purchases.AssayMethod` (``fire_assay``, ``icp``,
        ``xrf``...), the vocabulary of the counter's assays.
    assayed_at : datetime
        Time of the assay (timezone-aware).

    Returns
    -------
    dict
        The lot's mass balance (:func:`mass_balances` form) and the entry's ``seq``.
    """
    head = _lock_head(session)
    lot = session.scalar(select(CustodyLot).where(CustodyLot.code == lot_code))
    if lot is None:
        raise NotFoundError(_("no lot %(lot)s", lot=repr(lot_code)))
    refiner = session.get(RecyclingParticipant, lot.refiner_id)
    assert refiner is not None
    _require_write(actor, refiner)
    problems = _check_quantity(melted_weight_g, 0, 1e7, "melted_weight_g", _("g"))
    problems += _check_quantity(fineness_permille, 0, 1000, "fineness_permille", "‰")
    if method not in {m.value for m in AssayMethod}:
        problems.append(Problem(_("expected one of %(allowed)s", allowed=", ".join(AssayMethod)),
                                column="method"))
    if problems:
        raise ValidationError(problems)
    tolerances = load_rules().mass_balance
    assayed = float(fine_gold_g(np.array([melted_weight_g]), np.array([fineness_permille]))[0])
    balance = mass_balance([lot.fine_gold_declared_g], [assayed],
                           tolerances["relative_tolerance"],
                           tolerances["absolute_tolerance_g"])
    assay = CustodyAssay(lot_seq=lot.entry_seq, melted_weight_g=round(melted_weight_g, 3),
                         fineness_permille=round(fineness_permille, 3), method=method,
                         fine_gold_g=assayed, assayed_at=_utc(assayed_at),
                         tolerance_g=float(balance.tolerance_g[0]),
                         within_tolerance=bool(balance.within[0]))
    earlier = session.scalar(select(CustodyAssay).where(CustodyAssay.lot_seq == lot.entry_seq))
    if earlier is not None and canonical(_assay_body(lot, earlier)) != canonical(
            _assay_body(lot, assay)):
        raise ConflictError(_("lot %(lot)s was assayed already", lot=repr(lot_code)))
    fresh, seq, _result = _append_one(session, actor, keys, head, _assay_body(lot, assay))
    if fresh:
        assay.entry_seq = seq
        session.add(assay)
        session.flush()
    return {"seq": seq, **_balance_view(lot, assay if fresh else earlier)}


def _balance_view(lot: CustodyLot, assay: CustodyAssay | None) -> dict[str, Any]:
    if assay is None:
        return {"lot": lot.code, "declared_g": lot.fine_gold_declared_g, "assayed_g": None,
                "difference_g": None, "tolerance_g": None, "status": "awaiting assay"}
    return {"lot": lot.code, "declared_g": lot.fine_gold_declared_g,
            "assayed_g": assay.fine_gold_g,
            "difference_g": round(assay.fine_gold_g - lot.fine_gold_declared_g, 3),
            "tolerance_g": assay.tolerance_g,
            "status": "balanced" if assay.within_tolerance else "exception"}


def record_bar(session: Session, actor: Actor, keys: LedgerKeys, serial: str, refiner: str,
               gross_weight_g: float, fineness_permille: float,
               inputs: Mapping[str, float], produced_at: datetime) -> AppendResult:
    """Record a refined bar and the fine gold each assayed lot gave to it.

    Parameters
    ----------
    serial : str
        Bar serial number (unique).
    refiner : str
        Refiner code.
    gross_weight_g, fineness_permille : float
        Bar weight, g, and fineness, ‰.
    inputs : mapping
        Lot code -> fine gold taken from the lot, g; they add up to the bar's fine gold
        (within 0.01 g) and no lot gives more than its assayed fine gold over all its bars.
    produced_at : datetime
        Time of casting (timezone-aware).
    """
    head = _lock_head(session)
    maker = _participant(session, refiner, "refiner")
    _require_write(actor, maker)
    problems = _check_quantity(gross_weight_g, 0, 1e6, "gross_weight_g", _("g"))
    problems += _check_quantity(fineness_permille, 0, 1000, "fineness_permille", "‰")
    fine = float(fine_gold_g(np.array([gross_weight_g]), np.array([fineness_permille]))[0])
    if abs(sum(inputs.values()) - fine) > 0.01:
        problems.append(Problem(_("the inputs add up to %(inputs)s g; the bar holds "
                                  "%(fine)s g of fine gold",
                                  inputs=format_number(sum(inputs.values()), 3),
                                  fine=format_number(fine, 3)), column="inputs"))
    lots = []
    for code, grams in sorted(inputs.items()):
        lot = session.scalar(select(CustodyLot).where(CustodyLot.code == code))
        assay = None if lot is None else session.scalar(select(CustodyAssay).where(
            CustodyAssay.lot_seq == lot.entry_seq))
        if lot is None or assay is None or lot.refiner_id != maker.id:
            problems.append(Problem(_("lot %(lot)s is not an assayed lot of %(refiner)s",
                                      lot=repr(code), refiner=refiner), column="inputs"))
            continue
        used = session.scalar(select(func.coalesce(func.sum(CustodyBarInput.fine_gold_g), 0.0))
                              .where(CustodyBarInput.lot_seq == lot.entry_seq)) or 0.0
        if used + grams > assay.fine_gold_g + 0.001:
            problems.append(Problem(_("lot %(lot)s has %(left)s g of fine gold left, not "
                                      "%(grams)s g", lot=repr(code),
                                      left=format_number(assay.fine_gold_g - used, 3),
                                      grams=format_number(grams, 3)), column="inputs"))
        lots.append((lot, round(grams, 3)))
    if session.scalar(select(CustodyBar.entry_seq).where(CustodyBar.serial == serial)):
        problems.append(Problem(_("bar %(serial)s exists already", serial=repr(serial)),
                                column="serial"))
    if problems:
        raise ValidationError(problems)
    bar = CustodyBar(serial=serial, refiner_id=maker.id, gross_weight_g=round(gross_weight_g, 3),
                     fineness_permille=round(fineness_permille, 3), fine_gold_g=fine,
                     produced_at=_utc(produced_at))
    fresh, seq, result = _append_one(session, actor, keys, head, _bar_body(
        bar, maker.code, [(lot.code, g) for lot, g in lots]))
    if fresh:
        bar.entry_seq = seq
        session.add(bar)
        session.flush()
        session.execute(insert(cast(Table, CustodyBarInput.__table__)), [
            {"bar_seq": seq, "lot_seq": lot.entry_seq, "fine_gold_g": g} for lot, g in lots])
    return result


def mass_balances(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The fine-gold balance of every visible lot: declared, assayed, difference, tolerance
    (g) and status (``awaiting assay``, ``balanced`` or ``exception``)."""
    stmt = (select(CustodyLot, CustodyAssay)
            .join(CustodyAssay, CustodyAssay.lot_seq == CustodyLot.entry_seq, isouter=True)
            .join(RecyclingParticipant, RecyclingParticipant.id == CustodyLot.participant_id)
            .order_by(CustodyLot.entry_seq))
    scope = _scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    return [_balance_view(lot, assay) for lot, assay in session.execute(stmt)]


def custody_chain(session: Session, actor: Actor, serial: str) -> dict[str, Any]:
    """The chain of custody of a refined bar back to every purchase in it.

    Returns
    -------
    dict
        ``nodes`` and ``edges`` (:func:`aurum.recycling.custody.custody_graph`); sellers
        appear masked.
    """
    bar = session.scalar(select(CustodyBar).where(CustodyBar.serial == serial))
    refiner = None if bar is None else session.get(RecyclingParticipant, bar.refiner_id)
    if bar is None or not _may_read(actor, refiner):
        raise NotFoundError(_("no bar %(serial)s", serial=repr(serial)))
    assert refiner is not None
    inputs = _frame(session, select(CustodyLot.code.label("lot"), CustodyBarInput.fine_gold_g)
                    .join(CustodyLot, CustodyLot.entry_seq == CustodyBarInput.lot_seq)
                    .where(CustodyBarInput.bar_seq == bar.entry_seq))
    lot_rows = session.execute(
        select(CustodyLot, CustodyAssay, RecyclingParticipant.code)
        .join(CustodyAssay, CustodyAssay.lot_seq == CustodyLot.entry_seq, isouter=True)
        .join(RecyclingParticipant, RecyclingParticipant.id == CustodyLot.participant_id)
        .where(CustodyLot.code.in_(inputs["lot"].tolist()))).all()
    lots = pd.DataFrame([{"recycler": code, **_balance_view(lot, assay)}
                         for lot, assay, code in lot_rows])
    purchases = _frame(session, select(
        P.c.entry_seq.label("seq"), CustodyLot.code.label("lot"),
        RecyclingParticipant.code.label("recycler"), RecyclingShop.code.label("shop"),
        RecyclingSeller.id_masked.label("seller_id_masked"), P.c.item_type, P.c.fine_gold_g,
        P.c.business_date)
        .join(CustodyLotPurchase, CustodyLotPurchase.purchase_seq == P.c.entry_seq)
        .join(CustodyLot, CustodyLot.entry_seq == CustodyLotPurchase.lot_seq)
        .join(RecyclingParticipant, RecyclingParticipant.id == P.c.participant_id)
        .join(RecyclingShop, RecyclingShop.id == P.c.shop_id)
        .join(RecyclingSeller, RecyclingSeller.id == P.c.seller_id)
        .where(CustodyLot.code.in_(inputs["lot"].tolist())).order_by(P.c.entry_seq))
    purchases["business_date"] = purchases["business_date"].astype(str)
    return custody_graph({"serial": bar.serial, "refiner": refiner.code,
                          "fine_gold_g": bar.fine_gold_g, "seq": bar.entry_seq},
                         inputs, lots, purchases)
