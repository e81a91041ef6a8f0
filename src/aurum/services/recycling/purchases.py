"""Purchases and their corrections: appended to the log, read back in force.

Corrections are new entries (a reversal, optionally followed by the amended purchase); nothing
stored is ever updated or deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.recycling.canonical import canonical
from aurum.recycling.purchases import (
    ENTRY_VERSION,
    purchase_bodies,
)
from aurum.services.auth import Actor
from aurum.services.recycling._rows import P, _frame
from aurum.services.recycling.ledger import (
    AppendResult,
    LedgerKeys,
    _content_keys,
    _lock_head,
    _write_entries,
)
from aurum.services.recycling.participants import _require_write, _resolve_counters, _scope
from aurum.services.recycling.sellers import _ensure_sellers, _seller_columns
from aurum.store import bulk
from aurum.store.models import (
    CustodyLotPurchase,
    RecyclingCorrection,
    RecyclingParticipant,
    RecyclingPurchase,
    RecyclingSeller,
    RecyclingShop,
)


def _insert_purchases(session: Session, keys: LedgerKeys, frame: pd.DataFrame,
                      seqs: Sequence[int], participant_id: pd.Series,
                      shop_id: pd.Series) -> None:
    # A list, not a Series: pandas turns a list of bytes assigned into a Series into a numpy
    # bytes array, which drops trailing NUL bytes (one seal in 256 would never open again).
    sealed: list[bytes | None] = [None] * len(frame)
    stated = np.flatnonzero(frame["origin_statement"].notna().to_numpy(bool))
    if len(stated):
        contexts = "purchase:" + pd.Series(seqs).iloc[stated].astype(str) + ":origin_statement"
        for i, seal in zip(stated, keys.personal.seal_many(
                frame["origin_statement"].iloc[stated], contexts), strict=True):
            sealed[i] = seal
    columns = ["item_type", "gross_weight_g", "fineness_permille", "assay_method",
               "fine_gold_g", "price_per_g_cny", "amount_cny", "payment_method",
               "business_date", "origin", "origin_statement_hmac", "photos"]
    bulk.insert_columns(session, P, {
        **{c: frame[c] for c in columns}, "entry_seq": list(seqs),
        "participant_id": participant_id, "shop_id": shop_id,
        "seller_id": _ensure_sellers(session, keys, frame),
        "occurred_at": pd.to_datetime(frame["occurred_at"], utc=True),
        "origin_statement_sealed": sealed, "amends_seq": frame["amends"]}, len(frame))


def append_purchases(session: Session, actor: Actor, keys: LedgerKeys,
                     purchases: pd.DataFrame, create_missing: bool = False,
                     idempotency_keys: Sequence[str] | None = None) -> AppendResult:
    """Append purchases to the log.

    Parameters
    ----------
    purchases : pandas.DataFrame
        Validated purchases (:func:`aurum.recycling.purchases.validate_purchases`), optionally
        with ``photos`` (lists of SHA-256 digests from :func:`store_photo`).
    create_missing : bool
        Create recyclers and shops met for the first time (administrators only); otherwise an
        unknown recycler refuses the batch. A new shop of a known recycler is always created.
    idempotency_keys : sequence of str, optional
        One per purchase (at most 64 characters); default the SHA-256 of the entry, so the
        same purchase sent twice is stored once.
    """
    frame = _seller_columns(keys, purchases)
    bodies = purchase_bodies(frame)
    head = _lock_head(session)
    participant_id, shop_id = _resolve_counters(session, actor, frame, create_missing)
    fresh, result = _write_entries(session, actor, keys, head, ["purchase"] * len(frame),
                                   bodies, idempotency_keys or _content_keys(bodies))
    if fresh.any():
        _insert_purchases(session, keys, frame[fresh], np.asarray(result.seqs)[fresh].tolist(),
                          participant_id[fresh], shop_id[fresh])
    return result


def _in_force(session: Session, seq: int) -> tuple[RecyclingPurchase, RecyclingParticipant]:
    purchase = session.get(RecyclingPurchase, seq)
    if purchase is None:
        raise NotFoundError(_("no purchase entry %(seq)s", seq=seq))
    if session.scalar(select(RecyclingCorrection.entry_seq).where(
            RecyclingCorrection.target_seq == seq)) is not None:
        raise ConflictError(_("purchase %(seq)s was corrected already; correct the entry "
                              "that replaced it", seq=seq))
    participant = session.get(RecyclingParticipant, purchase.participant_id)
    assert participant is not None
    return purchase, participant


def correct_purchase(session: Session, actor: Actor, keys: LedgerKeys, target_seq: int,
                     reason: str, replacement: pd.DataFrame | None = None) -> AppendResult:
    """Reverse a purchase, or amend it: a correction entry, then the replacement purchase.

    Parameters
    ----------
    target_seq : int
        Sequence number of the purchase to correct (in force, not yet in a lot).
    reason : str
        Why (kept in the ledger).
    replacement : pandas.DataFrame, optional
        One validated purchase of the same recycler that replaces the target.
    """
    if not reason.strip():
        raise ValidationError(Problem(_("a correction needs a reason"), column="reason"))
    head = _lock_head(session)
    _target, participant = _in_force(session, target_seq)
    _require_write(actor, participant)
    if session.scalar(select(CustodyLotPurchase.lot_seq).where(
            CustodyLotPurchase.purchase_seq == target_seq)) is not None:
        raise ConflictError(_("purchase %(seq)s was sent to a refiner in a lot; it can no "
                              "longer be corrected", seq=target_seq))
    action = "reverse" if replacement is None else "amend"
    correction = canonical(_correction_body(action, reason.strip(), target_seq))
    kinds, bodies = ["correction"], [correction]
    frame = None
    if replacement is not None:
        if len(replacement) != 1 or set(replacement["recycler"]) != {participant.code}:
            raise ValidationError(_("the replacement must be one purchase of %(recycler)s",
                                    recycler=participant.code))
        frame = _seller_columns(keys, replacement.assign(amends=target_seq))
        kinds.append("purchase")
        bodies.append(purchase_bodies(frame)[0])
        participant_id, shop_id = _resolve_counters(session, actor, frame, False)
    raw = np.array(bodies, dtype=object)
    fresh, result = _write_entries(session, actor, keys, head, kinds, raw, _content_keys(raw))
    if fresh[0]:
        session.execute(insert(cast(Table, RecyclingCorrection.__table__)), [{
            "entry_seq": result.seqs[0], "target_seq": target_seq, "action": action,
            "reason": reason.strip()}])
    if frame is not None and fresh[1]:
        _insert_purchases(session, keys, frame, [result.seqs[1]], participant_id, shop_id)
    return result


def _correction_body(action: str, reason: str, target: int) -> dict[str, Any]:
    return {"action": action, "kind": "correction", "reason": reason, "target": int(target),
            "v": ENTRY_VERSION}


def purchases_in_force(session: Session, actor: Actor | None = None) -> pd.DataFrame:
    """Purchases not reversed or amended, with their recycler, shop and seller hash.

    Returns
    -------
    pandas.DataFrame
        ``seq``, ``recycler``, ``province``, ``shop``, ``seller``, ``seller_id_masked``,
        ``item_type``, ``gross_weight_g`` (g), ``fineness_permille`` (‰), ``fine_gold_g`` (g),
        ``price_per_g_cny`` (CNY/g), ``amount_cny`` (CNY), ``payment_method``,
        ``occurred_at``, ``business_date``, ``origin``.
    """
    stmt = (select(P.c.entry_seq.label("seq"), RecyclingParticipant.code.label("recycler"),
                   RecyclingParticipant.province, RecyclingShop.code.label("shop"),
                   RecyclingSeller.id_hash.label("seller"),
                   RecyclingSeller.id_masked.label("seller_id_masked"), P.c.item_type,
                   P.c.gross_weight_g, P.c.fineness_permille, P.c.fine_gold_g,
                   P.c.price_per_g_cny, P.c.amount_cny, P.c.payment_method, P.c.occurred_at,
                   P.c.business_date, P.c.origin)
            .join(RecyclingParticipant, RecyclingParticipant.id == P.c.participant_id)
            .join(RecyclingShop, RecyclingShop.id == P.c.shop_id)
            .join(RecyclingSeller, RecyclingSeller.id == P.c.seller_id)
            .where(P.c.entry_seq.not_in(select(RecyclingCorrection.target_seq)))
            .order_by(P.c.entry_seq))
    scope = None if actor is None else _scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    return _frame(session, stmt)
