"""Sellers' personal data: sealed at rest, named by keyed hash, shown masked, revealed
for a stated purpose; the watch list; purchase photos.

Seller names, document numbers and statements of origin are sealed with AES-GCM under a key
kept outside the database and the data directory (``AURUM_RECYCLING_DATA_KEY`` or
``AURUM_KEYS/recycling-personal-data.key``); sellers are named by a keyed hash and shown
masked; :func:`reveal_seller` opens them for a stated purpose and leaves an audit record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ValidationError,
)
from aurum.core.files import write_atomic
from aurum.core.i18n import _
from aurum.recycling.identity import mask_ids, mask_names, normalise_ids
from aurum.services.auth import Actor, Role
from aurum.services.recycling._rows import SELLERS, P, _sha256, _user
from aurum.services.recycling.ledger import LedgerKeys
from aurum.services.recycling.participants import _scope
from aurum.store import audit, bulk
from aurum.store.models import (
    RecyclingParticipant,
    RecyclingSeller,
    RecyclingWatchListChange,
    utcnow,
)


def _seller_columns(keys: LedgerKeys, purchases: pd.DataFrame) -> pd.DataFrame:
    """Add the seller's keyed hash, the keyed hash of the statement of origin, the photos as
    a canonical array and the ``amends`` link (the columns :func:`purchase_bodies` needs)."""
    p = purchases.copy()
    p["seller"] = keys.personal.identity_hashes(p["seller_id_type"], p["seller_id_number"])
    statements = p["origin_statement"] if "origin_statement" in p else pd.Series(
        None, index=p.index, dtype=object)
    p["origin_statement"] = statements.where(statements.notna() & (statements != ""), None)
    p["origin_statement_hmac"] = p["origin_statement"].map(keys.personal.text_hash,
                                                           na_action="ignore")
    if "photos" in p:
        digests = p["photos"].explode().dropna().astype(str)
        odd = digests[~digests.str.fullmatch("[0-9a-f]{64}")]
        if len(odd):
            raise ValidationError(Problem(_("photos are named by their SHA-256 (64 lower-case "
                                            "hex digits), not %(name)s", name=repr(odd.iat[0])),
                                          column="photos"))
        p["photos"] = p["photos"].map(lambda ps: json.dumps(sorted(ps or []),
                                                            separators=(",", ":")))
    else:
        p["photos"] = "[]"
    p["amends"] = (p["amends"] if "amends" in p else pd.Series(pd.NA, index=p.index)
                   ).astype("Int64")
    return p


def _ensure_sellers(session: Session, keys: LedgerKeys, frame: pd.DataFrame) -> pd.Series:
    """Seller id of each row; new sellers stored sealed and masked (in bulk: their ids drawn
    first, so they need no second lookup)."""
    unique = frame.drop_duplicates("seller")
    hashes = unique["seller"].tolist()
    ids = dict(session.execute(select(SELLERS.c.id_hash, SELLERS.c.id)
                               .where(bulk.one_of(session, SELLERS.c.id_hash, hashes))).all())
    new = unique[~unique["seller"].isin(ids)]
    if not new.empty:
        personal = keys.personal
        new_ids = bulk.new_ids(session, SELLERS, len(new))
        bulk.insert_columns(session, SELLERS, {
            "id": new_ids, "id_hash": new["seller"], "id_type": new["seller_id_type"],
            "id_masked": mask_ids(new["seller_id_number"]),
            "name_masked": mask_names(new["seller_name"]),
            "id_number_sealed": personal.seal_many(new["seller_id_number"],
                                                   "seller:" + new["seller"] + ":id_number"),
            "name_sealed": personal.seal_many(new["seller_name"],
                                              "seller:" + new["seller"] + ":name"),
            "key_id": personal.key_id, "created_at": utcnow()}, len(new))
        ids.update(zip(new["seller"].tolist(), new_ids, strict=True))
    return frame["seller"].map(ids)


def _seller(session: Session, actor: Actor, seller_id: int) -> RecyclingSeller:
    """A seller the actor may see: anyone for those who read everything, else a seller of a
    purchase at a participant in the actor's scope."""
    seller = session.get(RecyclingSeller, seller_id)
    scope = _scope(actor)
    if seller is not None and scope is not None and not session.scalar(
            select(func.count()).select_from(P)
            .join(RecyclingParticipant, RecyclingParticipant.id == P.c.participant_id)
            .where(P.c.seller_id == seller_id, scope)):
        seller = None
    if seller is None:
        raise NotFoundError(_("no seller %(id)s", id=seller_id))
    return seller


def seller_view(session: Session, actor: Actor, seller_id: int) -> dict[str, Any]:
    """A seller as every view shows it: masked name and number, keyed hash, document type."""
    s = _seller(session, actor, seller_id)
    return {"id": s.id, "id_type": s.id_type, "id_masked": s.id_masked,
            "name_masked": s.name_masked, "id_hash": s.id_hash}


def reveal_seller(session: Session, actor: Actor, keys: LedgerKeys, seller_id: int,
                  purpose: str) -> dict[str, Any]:
    """A seller's name and document number in clear, for a stated purpose (audited).

    Regulators and administrators may reveal any seller, recyclers the sellers of their own
    purchases; every reveal writes an audit record naming who, when, which seller and why.
    """
    actor.require_role(Role.ADMIN, Role.REGULATOR, Role.RECYCLER)
    if not purpose.strip():
        raise ValidationError(Problem(_("say why the personal data is needed"),
                                      column="purpose"))
    s = _seller(session, actor, seller_id)
    audit.record(session, "reveal", "recycling_sellers", str(s.id),
                 after={"purpose": purpose.strip(), "fields": ["name", "id_number"],
                        "by": actor.username})
    return {**seller_view(session, actor, seller_id),
            "name": keys.personal.open(bytes(s.name_sealed), f"seller:{s.id_hash}:name"),
            "id_number": keys.personal.open(bytes(s.id_number_sealed),
                                            f"seller:{s.id_hash}:id_number")}


def change_watch_list(session: Session, actor: Actor, keys: LedgerKeys, id_type: str,
                      id_number: str, reason: str, remove: bool = False) -> str:
    """Put a seller on the watch list (or take it off); returns the seller's keyed hash."""
    actor.require_role(Role.ADMIN, Role.REGULATOR)
    number = normalise_ids(pd.Series([id_number])).astype(object)
    id_hash = keys.personal.identity_hashes(pd.Series([id_type]), number)[0]
    session.add(RecyclingWatchListChange(id_hash=id_hash, action="remove" if remove else "add",
                                         reason=reason, changed_by=_user(actor)))
    session.flush()
    return str(id_hash)


def watched_sellers(session: Session) -> frozenset[str]:
    """Keyed hashes of the sellers on the watch list now."""
    latest = (select(RecyclingWatchListChange.id_hash,
                     func.max(RecyclingWatchListChange.id).label("last"))
              .group_by(RecyclingWatchListChange.id_hash).subquery())
    rows = session.scalars(select(RecyclingWatchListChange.id_hash).join(
        latest, latest.c.last == RecyclingWatchListChange.id).where(
        RecyclingWatchListChange.action == "add"))
    return frozenset(rows)


def _photo_path(home: Path, digest: str) -> Path:
    return home / "recycling" / "photos" / digest[:2] / digest


def store_photo(home: Path, keys: LedgerKeys, data: bytes) -> str:
    """Keep a photo (sealed) under ``home/recycling/photos`` by its SHA-256; returns it.

    The file holds the sealed photo, so it is named by the digest of the photo rather than of
    its content: :mod:`aurum.store.files` (named by the content's digest) does not fit.
    """
    digest = _sha256(data)
    path = _photo_path(home, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, keys.personal.seal(data.hex(), f"photo:{digest}").hex().encode())
    return digest


def load_photo(home: Path, keys: LedgerKeys, digest: str) -> bytes:
    """A stored photo, checked against its SHA-256."""
    path = _photo_path(home, digest)
    if not path.exists():
        raise NotFoundError(_("no photo %(digest)s", digest=digest))
    data = bytes.fromhex(keys.personal.open(bytes.fromhex(path.read_text()), f"photo:{digest}"))
    if _sha256(data) != digest:
        raise ConflictError(_("photo %(digest)s was changed", digest=digest))
    return data
