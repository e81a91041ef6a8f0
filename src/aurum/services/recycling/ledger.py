"""The log: appends, signed tree heads and checkpoints, proofs and the witness.

Writing. Every append takes the log's single head row first (an ``UPDATE``: a row lock on
PostgreSQL, the write lock on SQLite), so appends are serial and each sees the entries before
it; within the lock it drops entries whose idempotency key is already stored (by default the
SHA-256 of the canonical entry: the same purchase sent twice is stored once), writes the new
entries with their leaf hashes, the tree nodes they complete (from level
:data:`STORED_FROM_LEVEL` up), the new frontier and the signed tree head of the new size with
its checkpoint (a C2SP signed note, :mod:`aurum.recycling.checkpoint`), all in one
transaction: tree sizes and checkpoints only grow, and no entry is ever stored without a
signed head that covers it. A writer that dies mid-append leaves nothing behind.

Witness. The regulator's server keeps the checkpoints recyclers publish of their own ledgers
(:func:`witness_checkpoint`): the first checkpoint of a log pins its verifier key and its
recycler, and each later one must come with a consistency proof from the largest witnessed
before it, so a log rewritten or forked behind its witness is refused.

Keys. Tree heads and checkpoints are signed with Ed25519 (``AURUM_LEDGER_SIGNING_KEY`` or
``AURUM_KEYS/ledger-signing.key``); personal data is sealed under
``AURUM_RECYCLING_DATA_KEY`` or ``AURUM_KEYS/recycling-personal-data.key``
(:mod:`aurum.services.recycling.sellers`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import methodcaller
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Row, Select, Table, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum.core.config import Settings
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.recycling import merkle
from aurum.recycling.canonical import canonical
from aurum.recycling.checkpoint import (
    Checkpoint,
    CheckpointError,
    VerifierKey,
    check_key_name,
    open_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    verifier_key,
)
from aurum.recycling.merkle import Frontier, MerkleTree
from aurum.recycling.sealing import PersonalDataKeys, TreeHeadSigner, verify_tree_head
from aurum.services.auth import Actor, Role
from aurum.services.recycling._rows import HEADS, NODES, E, P, _in_batches, _sha256, _user
from aurum.services.recycling.participants import _participant, _require_write, _scope
from aurum.store import audit, bulk
from aurum.store.models import (
    CustodyLot,
    LedgerTreeHead,
    LedgerWitnessedCheckpoint,
    RecyclingCorrection,
    RecyclingParticipant,
    utcnow,
)

PERSONAL_DATA_KEY = ("recycling-personal-data", "AURUM_RECYCLING_DATA_KEY")
SIGNING_KEY = ("ledger-signing", "AURUM_LEDGER_SIGNING_KEY")
HEAD_ID = 1
STORED_FROM_LEVEL = 8
"""Tree nodes are stored from this level (256 leaves) up; lower ones are rehashed from the
leaves a proof needs, which keeps the node table at 1/128 of the log."""


@dataclass(frozen=True)
class LedgerKeys:
    """The keys of the ledger.

    Parameters
    ----------
    personal : PersonalDataKeys
        Seals personal data, hashes seller identities.
    signer : TreeHeadSigner
        Signs tree heads and checkpoints.
    origin : str, optional
        The log's name in its checkpoints (default :attr:`log_origin`).
    """

    personal: PersonalDataKeys
    signer: TreeHeadSigner
    origin: str | None = None

    def __post_init__(self) -> None:
        if self.origin is not None:
            try:
                check_key_name(self.origin)
            except CheckpointError as exc:
                raise ValueError(f"AURUM_LEDGER_ORIGIN: {exc}") from exc

    @classmethod
    def load(cls, settings: Settings) -> LedgerKeys:
        """The keys from the environment or the keys directory (generated once)."""
        return cls(PersonalDataKeys(settings.key_bytes(*PERSONAL_DATA_KEY)),
                   TreeHeadSigner(settings.key_bytes(*SIGNING_KEY)), settings.ledger_origin)

    @property
    def log_origin(self) -> str:
        """The origin line of the checkpoints: ``AURUM_LEDGER_ORIGIN``, else a name derived
        from the signing key (unique to this ledger without configuration)."""
        return self.origin or f"aurum.invalid/recycling-ledger/{self.signer.key_id}"

    @property
    def verifier(self) -> VerifierKey:
        """The verifier key to publish: witnesses check the checkpoints with it."""
        return verifier_key(self.log_origin, self.signer)


@dataclass(frozen=True)
class AppendResult:
    """Outcome of an append.

    Parameters
    ----------
    appended : int
        Entries written.
    duplicates : int
        Entries not written because their idempotency key was stored already (or repeated in
        the same call).
    seqs : list of int
        For each submitted entry, the sequence number of the stored entry holding it.
    size : int
        Size of the log afterwards.
    root : str
        Root hash of the log afterwards, hex.
    """

    appended: int
    duplicates: int
    seqs: list[int]
    size: int
    root: str


@dataclass(frozen=True)
class _Head:
    size: int
    root: bytes
    frontier: bytes


def _lock_head(session: Session) -> _Head:
    """Take the head row (first statement of the transaction: see the module docstring)."""
    done = session.execute(update(HEADS).where(HEADS.c.id == HEAD_ID).values(
        updated_at=utcnow()))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(_("the ledger has no head row; run `aurum db upgrade`"))
    row = session.execute(select(HEADS.c.size, HEADS.c.root, HEADS.c.frontier)
                          .where(HEADS.c.id == HEAD_ID)).one()
    return _Head(int(row.size), bytes(row.root), bytes(row.frontier))


def _existing_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """Sequence number of each stored entry among ``keys`` (idempotency keys)."""
    if not keys:
        return {}
    return dict(session.execute(select(E.c.idempotency_key, E.c.seq)
                                .where(bulk.one_of(session, E.c.idempotency_key, keys))).all())


def _write_entries(session: Session, actor: Actor, ledger_keys: LedgerKeys, head: _Head,
                   kinds: Sequence[str], bodies: np.ndarray, keys: Sequence[str]
                   ) -> tuple[np.ndarray, AppendResult]:
    """Write the entries whose keys are new, with their nodes, the new head and its signed
    tree head (under the head's lock: see the module docstring).

    Returns a mask of the entries written (one per submitted entry) and the result.
    """
    keys_s = pd.Series(list(keys), dtype=object)
    if (keys_s.str.len() > 64).any() or keys_s.isna().any():
        raise ValidationError(_("idempotency keys must be strings of at most 64 characters"))
    repeated = keys_s.duplicated().to_numpy(bool)
    stored = _existing_keys(session, keys_s[~repeated].tolist())
    fresh = ~repeated & ~keys_s.isin(list(stored)).to_numpy(bool)
    new_seqs = head.size + np.arange(int(fresh.sum()))
    seq_of = dict(stored) | dict(zip(keys_s[fresh], new_seqs.tolist(), strict=True))
    seqs = keys_s.map(seq_of).astype(np.int64).tolist()
    size, root = head.size, head.root
    if fresh.any():
        leaves = merkle.leaf_hashes(bodies[fresh])
        frontier, nodes = Frontier.from_bytes(head.size, head.frontier).extend(leaves)
        n = int(fresh.sum())
        # The entries and their nodes go in bulk (COPY on PostgreSQL, one executemany on
        # SQLite): per-row parameter handling was most of an append's own time.
        bulk.insert_columns(session, E, {
            "seq": new_seqs, "kind": np.asarray(kinds, dtype=object)[fresh],
            "body": list(map(methodcaller("decode", "utf-8"), bodies[fresh])),
            "leaf_hash": list(map(bytes, leaves)), "idempotency_key": keys_s[fresh].tolist(),
            "recorded_at": utcnow(), "recorded_by": _user(actor)}, n)
        node_rows = [(level, first + i, bytes(h)) for level, (first, hashes) in nodes.items()
                     if level >= STORED_FROM_LEVEL for i, h in enumerate(hashes)]
        if node_rows:
            level, index, digest = zip(*node_rows, strict=True)
            bulk.insert_columns(session, NODES, {"level": level, "node_index": index,
                                                 "hash": digest}, len(node_rows))
        size, root = frontier.size, frontier.root()
        session.execute(update(HEADS).where(HEADS.c.id == HEAD_ID).values(
            size=size, root=root, frontier=frontier.to_bytes(), updated_at=utcnow()))
        _insert_tree_head(session, ledger_keys, size, root)
        audit.record(session, "append", "ledger_entries",
                     f"{int(new_seqs[0])}-{int(new_seqs[-1])}",
                     after={"entries": n, "size": size, "root": root.hex(),
                            "kinds": sorted(set(np.asarray(kinds, dtype=object)[fresh]))})
    result = AppendResult(int(fresh.sum()), int((~fresh).sum()), seqs, size, root.hex())
    return fresh, result


def _content_keys(bodies: np.ndarray) -> list[str]:
    """Default idempotency keys: the SHA-256 of each entry, hex."""
    return list(map(methodcaller("hexdigest"), map(hashlib.sha256, bodies)))


def _append_one(session: Session, actor: Actor, ledger_keys: LedgerKeys, head: _Head,
                body: Mapping[str, Any]) -> tuple[bool, int, AppendResult]:
    """Append one entry; whether it is new, and its sequence number."""
    raw = canonical(body)
    fresh, result = _write_entries(session, actor, ledger_keys, head, [body["kind"]],
                                   np.array([raw], dtype=object), [_sha256(raw)])
    return bool(fresh[0]), result.seqs[0], result


def _insert_tree_head(session: Session, keys: LedgerKeys, size: int, root: bytes,
                      now: datetime | None = None) -> None:
    """Sign a head both ways: RFC 6962's ``TreeHeadSignature`` and a C2SP checkpoint."""
    timestamp_ms = int((now or datetime.now(UTC)).timestamp() * 1000)
    session.execute(insert(cast(Table, LedgerTreeHead.__table__)), [{
        "tree_size": size, "root": root, "timestamp_ms": timestamp_ms,
        "key_id": keys.signer.key_id, "signature": keys.signer.sign(size, root, timestamp_ms),
        "checkpoint": sign_checkpoint(Checkpoint(keys.log_origin, size, root), keys.signer)}])


def _latest_tree_head(session: Session) -> LedgerTreeHead | None:
    return session.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.id.desc())
                           .limit(1)).first()


def sign_tree_head(session: Session, keys: LedgerKeys,
                   now: datetime | None = None) -> dict[str, Any]:
    """The signed tree head of the current size: the one every append writes, or, for a log
    whose latest head predates checkpoints or misses its last entries, a new one (under the
    head's lock, so heads stay in order).

    Returns
    -------
    dict
        The signed tree head (:func:`list_tree_heads` form).
    """
    head = _lock_head(session)
    latest = _latest_tree_head(session)
    if latest is None or latest.tree_size != head.size or latest.checkpoint is None:
        _insert_tree_head(session, keys, head.size, head.root, now)
        latest = _latest_tree_head(session)
    assert latest is not None
    return _tree_head_view(latest)


def _tree_head_view(row: LedgerTreeHead) -> dict[str, Any]:
    return {"id": row.id, "tree_size": row.tree_size, "root": bytes(row.root).hex(),
            "timestamp": datetime.fromtimestamp(row.timestamp_ms / 1000, UTC).isoformat(),
            "timestamp_ms": row.timestamp_ms, "key_id": row.key_id,
            "signature": bytes(row.signature).hex(), "checkpoint": row.checkpoint}


def checked_tree_head(head: Mapping[str, Any], keys: LedgerKeys) -> dict[str, Any]:
    """A signed tree head (:func:`list_tree_heads` form) with the signer's ``public_key``
    (hex), its ``verifier_key`` and whether the signature holds (``signature_valid``)."""
    public = keys.signer.public_key
    return {**head, "public_key": public.hex(), "verifier_key": str(keys.verifier),
            "signature_valid": verify_tree_head(
                public, head["tree_size"], bytes.fromhex(head["root"]), head["timestamp_ms"],
                bytes.fromhex(head["signature"]))}


def latest_checked_tree_head(session: Session, keys: LedgerKeys) -> dict[str, Any]:
    """The latest signed tree head, checked (:func:`checked_tree_head`).

    Raises
    ------
    NotFoundError
        When no head was signed yet.
    """
    heads = list_tree_heads(session, 1)
    if not heads:
        raise NotFoundError(_("no signed tree head yet"))
    return checked_tree_head(heads[0], keys)


def latest_checkpoint(session: Session) -> str:
    """The latest checkpoint of the log (a signed note), to hand to witnesses.

    Raises
    ------
    NotFoundError
        When no head has a checkpoint yet (``aurum ledger checkpoint`` signs one).
    """
    note = session.scalar(select(LedgerTreeHead.checkpoint)
                          .where(LedgerTreeHead.checkpoint.is_not(None))
                          .order_by(LedgerTreeHead.id.desc()).limit(1))
    if note is None:
        raise NotFoundError(_("the ledger has no checkpoint yet; `aurum ledger checkpoint` "
                              "signs one"))
    return note


def checkpoint_for_witness(session: Session, keys: LedgerKeys, witnessed_size: int = 0
                           ) -> dict[str, Any]:
    """What a witness needs to take the latest checkpoint: the note, the verifier key and the
    consistency proof from the size it witnessed last.

    Parameters
    ----------
    witnessed_size : int
        Tree size of the checkpoint the witness holds (0: none).

    Returns
    -------
    dict
        ``checkpoint`` (note text), ``verifier_key``, ``tree_size``, ``witnessed_size`` and
        ``proof`` (hex digests).
    """
    note = latest_checkpoint(session)
    size = int(note.split("\n")[1])
    if not 0 <= witnessed_size <= size:
        raise ValidationError(Problem(_("the witness cannot hold size %(held)s: the latest "
                                        "checkpoint has %(size)s entries", held=witnessed_size,
                                        size=size), column="witnessed_size"))
    proof = ([] if witnessed_size in (0, size)
             else consistency_proof(session, witnessed_size, size)["proof"])
    return {"checkpoint": note, "verifier_key": str(keys.verifier), "tree_size": size,
            "witnessed_size": witnessed_size, "proof": proof}


def list_tree_heads(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """The latest signed tree heads, newest first (anyone may read them: they reveal no
    entry)."""
    rows = session.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.id.desc())
                           .limit(limit))
    return [_tree_head_view(r) for r in rows]


def _range_hashes(session: Session, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
    """``MTH`` of each leaf range, from stored nodes and, below them, from leaf hashes."""
    wanted = {node for a, b in ranges for node in merkle.complete_nodes(a, b)}
    known: dict[tuple[int, int], bytes] = {}
    stored = [n for n in wanted if n[0] >= STORED_FROM_LEVEL]
    for batch in _in_batches(stored):
        for level, index, h in session.execute(select(
                NODES.c.level, NODES.c.node_index, NODES.c.hash).where(
                tuple_(NODES.c.level, NODES.c.node_index).in_(batch))):
            known[(level, index)] = bytes(h)
    for level, index in wanted - set(known):
        leaves = session.scalars(select(E.c.leaf_hash).where(
            E.c.seq >= index << level, E.c.seq < (index + 1) << level).order_by(E.c.seq)).all()
        if len(leaves) != 1 << level:
            raise ConflictError(_("leaves %(first)s-%(last)s are missing from the log",
                                  first=index << level, last=((index + 1) << level) - 1))
        known[(level, index)] = MerkleTree(np.frombuffer(b"".join(map(bytes, leaves)),
                                                         np.uint8)).root()
    missing = [n for n in stored if n not in known]
    if missing:
        raise ConflictError(_("tree nodes %(nodes)s are missing from the store",
                              nodes=missing[:3]))
    return [merkle.fold_nodes([known[n] for n in merkle.complete_nodes(a, b)])
            for a, b in ranges]


def _tree_size(session: Session, tree_size: int | None) -> int:
    if tree_size is not None:
        return tree_size
    latest = session.scalar(select(func.max(LedgerTreeHead.tree_size)))
    if latest is None:
        raise NotFoundError(_("no signed tree head yet"))
    return int(latest)


def inclusion_proof(session: Session, seq: int, tree_size: int | None = None
                    ) -> dict[str, Any]:
    """Proof that entry ``seq`` is in the tree of ``tree_size`` entries (default: the latest
    signed tree head).

    Returns
    -------
    dict
        ``seq``, ``tree_size``, ``leaf_hash``, ``root`` and ``proof`` (hex digests), and
        ``signed_tree_head``: the latest signed head of that size, whose root the proof must
        reach (None when that size was never signed).
    """
    size = _tree_size(session, tree_size)
    if not 0 <= seq < size:
        raise NotFoundError(_("entry %(seq)s is not in the tree of %(size)s entries", seq=seq,
                              size=size))
    leaf = session.scalar(select(E.c.leaf_hash).where(E.c.seq == seq))
    if leaf is None:
        raise NotFoundError(_("no entry %(seq)s", seq=seq))
    proof = _range_hashes(session, merkle.inclusion_ranges(seq, size))
    root = _range_hashes(session, [(0, size)])[0]
    signed = session.scalars(select(LedgerTreeHead).where(LedgerTreeHead.tree_size == size)
                             .order_by(LedgerTreeHead.id.desc()).limit(1)).first()
    return {"seq": seq, "tree_size": size, "leaf_hash": bytes(leaf).hex(),
            "root": root.hex(), "proof": [h.hex() for h in proof],
            "signed_tree_head": None if signed is None else _tree_head_view(signed)}


def entry_proof(session: Session, actor: Actor, seq: int, tree_size: int | None = None
                ) -> dict[str, Any]:
    """:func:`inclusion_proof` of an entry the actor may read, and whether it reaches the
    root (``verified``).

    Whether the actor may read the entry is one query on the entry's sequence number
    (:func:`get_entry`), however long the log.

    Raises
    ------
    NotFoundError
        When there is no such entry, or the actor may not read it (the same answer: what
        exists outside the scope is not revealed).
    """
    get_entry(session, actor, seq)
    proof = inclusion_proof(session, seq, tree_size)
    try:
        merkle.verify_inclusion(seq, proof["tree_size"], bytes.fromhex(proof["leaf_hash"]),
                                [bytes.fromhex(h) for h in proof["proof"]],
                                bytes.fromhex(proof["root"]))
    except merkle.ProofError:
        return proof | {"verified": False}
    return proof | {"verified": True}


def consistency_proof(session: Session, size1: int, size2: int | None = None
                      ) -> dict[str, Any]:
    """Proof that the tree of ``size1`` entries is a prefix of the tree of ``size2`` (default:
    the latest signed tree head): ``size1``, ``size2``, ``root1``, ``root2``, ``proof``."""
    size2 = _tree_size(session, size2)
    if not 0 < size1 <= size2:
        raise ValidationError(_("expected 0 < size1 <= size2, got %(size1)s and %(size2)s",
                                size1=size1, size2=size2))
    proof = _range_hashes(session, merkle.consistency_ranges(0, size1, size2))
    root1, root2 = _range_hashes(session, [(0, size1), (0, size2)])
    return {"size1": size1, "size2": size2, "root1": root1.hex(), "root2": root2.hex(),
            "proof": [h.hex() for h in proof]}


def _witnessed_view(row: LedgerWitnessedCheckpoint, recycler: str) -> dict[str, Any]:
    return {"id": row.id, "origin": row.origin, "recycler": recycler,
            "tree_size": row.tree_size, "root": bytes(row.root).hex(),
            "verifier_key": row.verifier_key, "witnessed_at": row.witnessed_at.isoformat(),
            "checkpoint": row.checkpoint}


def witness_checkpoint(session: Session, actor: Actor, recycler: str, checkpoint: str,
                       verifier_key: str, proof: Sequence[str] = ()) -> dict[str, Any]:
    """Keep a checkpoint a recycler publishes of its ledger, once it is consistent with the
    largest checkpoint witnessed of that log before.

    The first checkpoint of an origin pins its verifier key and its recycler; each later one
    must be signed by that key and come with the consistency proof from the witnessed size to
    its own (:func:`checkpoint_for_witness` gives both). The same checkpoint sent again is
    taken as it is.

    Parameters
    ----------
    recycler : str
        Code of the recycler whose ledger it is (the actor must write for it).
    checkpoint : str
        The signed note.
    verifier_key : str
        ``<name>+<hash>+<base64 key>`` of the log's signing key.
    proof : sequence of str
        Consistency proof (hex digests) from the largest witnessed size.

    Returns
    -------
    dict
        The witnessed checkpoint (``origin``, ``recycler``, ``tree_size``, ``root``...).

    Raises
    ------
    ValidationError
        When the note, the key or the proof is malformed, or the signature does not verify.
    ConflictError
        When the log was witnessed under another key or recycler, or the checkpoint is not
        consistent with the witnessed one (a smaller tree, another root, a failing proof).
    """
    actor.require_role(Role.ADMIN, Role.RECYCLER, Role.ENTERPRISE)
    # The ledger head's lock, as appends take it: two checkpoints of one log are never both
    # checked against the same last one (which would let a fork in).
    _lock_head(session)
    participant = _participant(session, recycler, "recycler")
    _require_write(actor, participant)
    try:
        key = parse_verifier_key(verifier_key)
        stated = open_checkpoint(checkpoint, key)
        hashes = [bytes.fromhex(h) for h in proof]
    except (CheckpointError, ValueError) as exc:
        raise ValidationError(Problem(str(exc), column="checkpoint")) from exc
    rows = select(LedgerWitnessedCheckpoint).where(
        LedgerWitnessedCheckpoint.origin == stated.origin)
    first = session.scalars(rows.order_by(LedgerWitnessedCheckpoint.id).limit(1)).first()
    last = session.scalars(rows.order_by(LedgerWitnessedCheckpoint.tree_size.desc())
                           .limit(1)).first()
    if first is not None and (first.verifier_key, first.participant_id) != (
            str(key), participant.id):
        raise ConflictError(_("the log %(origin)s is witnessed for another recycler or under "
                              "the key %(key)s", origin=repr(stated.origin),
                              key=first.verifier_key))
    if last is not None:
        if stated.size < last.tree_size:
            raise ConflictError(_("the log %(origin)s was witnessed at %(held)s entries; a "
                                  "checkpoint of %(size)s would roll it back",
                                  origin=repr(stated.origin), held=last.tree_size,
                                  size=stated.size))
        try:
            merkle.verify_subtree_consistency(0, last.tree_size, stated.size, hashes,
                                              bytes(last.root), stated.root)
        except merkle.ProofError as exc:
            raise ConflictError(_(
                "the checkpoint of %(origin)s at %(size)s entries is not consistent with the "
                "one witnessed at %(held)s (%(error)s): the log was rewritten or forked, or the "
                "proof is not from size %(held)s", origin=repr(stated.origin),
                size=stated.size, held=last.tree_size, error=exc)) from exc
        if stated.size == last.tree_size:
            return _witnessed_view(last, participant.code)
    try:
        session.execute(insert(cast(Table, LedgerWitnessedCheckpoint.__table__)), [{
            "origin": stated.origin, "tree_size": stated.size, "root": stated.root,
            "checkpoint": checkpoint, "verifier_key": str(key),
            "participant_id": participant.id, "witnessed_at": utcnow(),
            "witnessed_by": _user(actor)}])
    except IntegrityError as exc:
        raise ConflictError(_("a checkpoint of %(origin)s at %(size)s entries was witnessed "
                              "meanwhile; send it again", origin=repr(stated.origin),
                              size=stated.size)) from exc
    row = session.scalars(rows.where(LedgerWitnessedCheckpoint.tree_size == stated.size)).one()
    audit.record(session, "witness", "ledger_witnessed_checkpoints", str(row.id),
                 after={"origin": row.origin, "tree_size": row.tree_size,
                        "root": stated.root.hex(), "recycler": participant.code})
    return _witnessed_view(row, participant.code)


def witnessed_checkpoints(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The largest witnessed checkpoint of each log the actor may read, by origin."""
    largest = (select(LedgerWitnessedCheckpoint.origin,
                      func.max(LedgerWitnessedCheckpoint.tree_size).label("size"))
               .group_by(LedgerWitnessedCheckpoint.origin).subquery())
    stmt = (select(LedgerWitnessedCheckpoint, RecyclingParticipant.code)
            .join(largest, (largest.c.origin == LedgerWitnessedCheckpoint.origin)
                  & (largest.c.size == LedgerWitnessedCheckpoint.tree_size))
            .join(RecyclingParticipant,
                  RecyclingParticipant.id == LedgerWitnessedCheckpoint.participant_id)
            .order_by(LedgerWitnessedCheckpoint.origin))
    scope = _scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    return [_witnessed_view(row, code) for row, code in session.execute(stmt)]


def _visible_entries(actor: Actor) -> ColumnElement[bool] | None:
    """Condition on the entries an actor may read (None: all): one limited to some
    participants reads the purchases of those, their corrections and their lots."""
    scope = _scope(actor)
    if scope is None:
        return None
    mine = select(RecyclingParticipant.id).where(scope)
    own_purchases = select(P.c.entry_seq).where(P.c.participant_id.in_(mine))
    return (E.c.seq.in_(own_purchases)
            | E.c.seq.in_(select(RecyclingCorrection.entry_seq).where(
                RecyclingCorrection.target_seq.in_(own_purchases)))
            | E.c.seq.in_(select(CustodyLot.entry_seq).where(
                CustodyLot.participant_id.in_(mine) | CustodyLot.refiner_id.in_(mine))))


def list_entries(session: Session, actor: Actor, offset: int = 0, limit: int = 50
                 ) -> list[dict[str, Any]]:
    """Entries of the log, newest first: ``seq``, ``kind``, ``recorded_at``, ``leaf_hash``
    and ``entry`` (the canonical JSON parsed; sellers appear by keyed hash only). Actors
    limited to some participants see the purchases, corrections and lots of those."""
    rows = session.execute(_entries(actor).order_by(E.c.seq.desc()).offset(offset)
                           .limit(limit))
    return [_entry_view(r) for r in rows]


def get_entry(session: Session, actor: Actor, seq: int) -> dict[str, Any]:
    """Entry ``seq`` (:func:`list_entries` form), if the actor may read it.

    Raises
    ------
    NotFoundError
        When there is no such entry in the actor's scope.
    """
    row = session.execute(_entries(actor).where(E.c.seq == seq)).one_or_none()
    if row is None:
        raise NotFoundError(_("no entry %(seq)s", seq=seq))
    return _entry_view(row)


def _entries(actor: Actor) -> Select[Any]:
    """The entries the actor may read (:func:`_visible_entries`), as pages show them."""
    stmt = select(E.c.seq, E.c.kind, E.c.recorded_at, E.c.leaf_hash, E.c.body)
    visible = _visible_entries(actor)
    return stmt if visible is None else stmt.where(visible)


def _entry_view(row: Row[Any]) -> dict[str, Any]:
    return {"seq": row.seq, "kind": row.kind, "recorded_at": row.recorded_at.isoformat(),
            "leaf_hash": bytes(row.leaf_hash).hex(), "entry": json.loads(row.body)}


def ledger_status(session: Session) -> dict[str, Any]:
    """Size and root of the log and its latest signed tree head."""
    head = session.execute(select(HEADS.c.size, HEADS.c.root)
                           .where(HEADS.c.id == HEAD_ID)).one()
    latest = list_tree_heads(session, 1)
    return {"size": int(head.size), "root": bytes(head.root).hex(),
            "signed_tree_head": latest[0] if latest else None}
