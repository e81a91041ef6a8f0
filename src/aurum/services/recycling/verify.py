"""The verifier: everything recomputed from the stored entries and compared.

The purchase, correction and custody tables repeat what the entries say, for queries;
:func:`verify_ledger` rebuilds every entry body from them, every leaf hash from the bodies,
the tree from the leaves, and checks the head, the stored nodes, every signed tree head and
checkpoint (in order, and covering every entry) and, given checkpoints kept outside the
database, that the stored log is consistent with each (RFC 6962 consistency proofs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.recycling import merkle
from aurum.recycling.canonical import canonical
from aurum.recycling.checkpoint import (
    CheckpointError,
    VerifierKey,
    open_checkpoint,
    parse_verifier_key,
)
from aurum.recycling.merkle import MerkleTree
from aurum.recycling.purchases import (
    purchase_bodies,
)
from aurum.recycling.sealing import key_id, verify_tree_head
from aurum.services.auth import Actor, Role
from aurum.services.recycling._rows import HEADS, NODES, E, P, _frame
from aurum.services.recycling.custody import _custody_bodies
from aurum.services.recycling.ledger import HEAD_ID, STORED_FROM_LEVEL, LedgerKeys
from aurum.services.recycling.purchases import _correction_body
from aurum.store.models import (
    LedgerTreeHead,
    RecyclingCorrection,
    RecyclingParticipant,
    RecyclingSeller,
    RecyclingShop,
)

VERIFIERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Who may run the verifier through the API."""
PROJECTED_KINDS = ("purchase", "correction", "lot", "assay", "bar")
"""Entry kinds; each has a row of its own beside the entry."""


@dataclass(frozen=True)
class Verification:
    """What the verifier found.

    Parameters
    ----------
    ok : bool
        Nothing wrong.
    size : int
        Entries stored (leaves of the recomputed tree).
    root : str
        Root recomputed from the stored entries, hex.
    problems : list of str
        Each thing found wrong, in words.
    tree_heads : int
        Signed tree heads checked.
    covered : int
        Entries covered by the largest signed tree head (all of them when nothing is wrong).
    checkpoints : list of dict
        The checkpoints given from outside, each as ``source``, ``origin``, ``tree_size`` and
        ``consistent`` (signed by the key and consistent with the stored log).
    """

    ok: bool
    size: int
    root: str
    problems: list[str]
    tree_heads: int
    covered: int = 0
    checkpoints: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The command line's JSON: ``ok``, ``size``, ``root``, ``problems``, then
        ``tree_heads``, ``covered`` and ``checkpoints``."""
        return {"ok": self.ok, "size": self.size, "root": self.root,
                "problems": self.problems, "tree_heads": self.tree_heads,
                "covered": self.covered, "checkpoints": self.checkpoints}


def _ranges(seqs: Sequence[int]) -> str:
    seqs = sorted(seqs)
    shown = ", ".join(str(s) for s in seqs[:10])
    return shown + (_(" and %(more)s more", more=len(seqs) - 10) if len(seqs) > 10 else "")


def _purchase_rows(session: Session, first: int, last: int) -> pd.DataFrame:
    stmt = (select(P, RecyclingParticipant.code.label("recycler"),
                   RecyclingShop.code.label("shop"), RecyclingSeller.id_hash.label("seller"),
                   RecyclingSeller.id_type.label("seller_id_type"))
            .join(RecyclingParticipant, RecyclingParticipant.id == P.c.participant_id)
            .join(RecyclingShop, RecyclingShop.id == P.c.shop_id)
            .join(RecyclingSeller, RecyclingSeller.id == P.c.seller_id)
            .where(P.c.entry_seq.between(first, last)).order_by(P.c.entry_seq))
    frame = _frame(session, stmt)
    return frame.rename(columns={"amends_seq": "amends"}).assign(
        amends=lambda f: f["amends"].astype("Int64"))


def _other_bodies(session: Session, first: int, last: int
                  ) -> dict[tuple[str, int], tuple[int, bytes]]:
    """Correction and custody bodies rebuilt from their tables: (kind, seq) -> (seq, body)."""
    out = {("correction", c.entry_seq): (c.entry_seq, canonical(_correction_body(
        c.action, c.reason, c.target_seq))) for c in session.scalars(
        select(RecyclingCorrection).where(RecyclingCorrection.entry_seq.between(first, last)))}
    return out | _custody_bodies(session, first, last)


def _read_snapshot(session: Session) -> None:
    """Make every query of a fresh session see one state of the database, so that appends
    committed while the verifier reads do not look like tampering."""
    if session.in_transaction():
        return  # the caller's transaction decides what it sees
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":
        # pysqlite opens no transaction for reads; a read transaction pins the WAL snapshot.
        session.connection().exec_driver_sql("BEGIN")


def verify_ledger(session: Session, keys: LedgerKeys, chunk: int = 50_000,
                  progress: Callable[[int, int], None] | None = None,
                  against: Sequence[tuple[str, str]] = (),
                  published_key: str | None = None) -> Verification:
    """Recompute everything from the stored entries and compare with what is stored.

    Checks that the sequence numbers have no gap, every body hashes to its stored leaf hash,
    every purchase, correction and custody row says what its entry says (and every entry has
    its row), the tree of the recomputed leaves has the head's size, root and frontier and the
    stored nodes, every signed tree head and its checkpoint are signed by the ledger's key and
    are the root of a prefix of the entries, the heads grow in the order they were written and
    the last covers every entry; and that every checkpoint given from outside is signed by the
    key and consistent with the stored log (RFC 6962 consistency proof from its size to the
    log's).

    Parameters
    ----------
    keys : LedgerKeys
        Its signer's public key is the one the tree heads must carry (unless
        ``published_key`` is given).
    chunk : int
        Entries read per query.
    progress : callable, optional
        Called with (entries read, entries stored).
    against : sequence of (str, str)
        Checkpoints kept outside the database: (where it comes from, signed note).
    published_key : str, optional
        The verifier key the ledger published (``<name>+<hash>+<key>``): every head and
        checkpoint must be signed by it rather than by the key at hand.

    Raises
    ------
    ValidationError
        When ``published_key`` is not a verifier key.
    """
    try:
        public = (keys.signer.public_key if published_key is None
                  else parse_verifier_key(published_key).public_key)
    except CheckpointError as exc:
        raise ValidationError(Problem(str(exc), column="key")) from exc
    _read_snapshot(session)
    problems: list[str] = []
    total = session.scalar(select(func.count()).select_from(E)) or 0
    leaves: list[np.ndarray] = []
    expected, last = 0, -1
    while True:
        frame = _frame(session, select(E.c.seq, E.c.kind, E.c.body, E.c.leaf_hash)
                       .where(E.c.seq > last).order_by(E.c.seq).limit(chunk))
        if frame.empty:
            break
        seqs = frame["seq"].to_numpy(np.int64)
        gaps = np.flatnonzero(np.diff(np.r_[expected - 1, seqs]) != 1)
        for g in gaps:
            start = expected if g == 0 else int(seqs[g - 1]) + 1
            problems.append(_("entries %(first)s-%(last)s are missing (deleted rows)",
                              first=start, last=int(seqs[g]) - 1))
        expected, last = int(seqs[-1]) + 1, int(seqs[-1])
        bodies = frame["body"].str.encode("utf-8").to_numpy(dtype=object)
        recomputed = merkle.leaf_hashes(bodies)
        stored = np.frombuffer(b"".join(map(bytes, frame["leaf_hash"])), np.uint8)
        changed = seqs[~(stored.reshape(-1, 32) == recomputed).all(axis=1)] \
            if stored.size == recomputed.size else seqs
        if len(changed):
            problems.append(_("entries %(seqs)s: the body does not hash to the stored leaf "
                              "hash (changed after it was appended)",
                              seqs=_ranges(changed.tolist())))
        leaves.append(recomputed)
        problems += _check_kinds(frame)
        problems += _check_projections(session, frame, bodies)
        if progress is not None:
            progress(expected, total)
    tree = MerkleTree(np.vstack(leaves) if leaves else np.empty((0, merkle.HASH_SIZE), np.uint8))
    root = tree.root()
    problems += _check_head(session, tree)
    problems += _check_nodes(session, tree)
    head_problems, n_heads, covered = _check_tree_heads(session, public, tree)
    problems += head_problems
    outside = [_check_against(source, note, public, keys.log_origin, tree)
               for source, note in against]
    problems += [p for _, found in outside for p in found]
    return Verification(not problems, tree.size, root.hex(), problems, n_heads, covered,
                        [view for view, _ in outside])



def verify_for(session: Session, actor: Actor, keys: LedgerKeys) -> Verification:
    """:func:`verify_ledger` run for a user: administrators, regulators and auditors (the
    command line runs it as whoever holds the database)."""
    actor.require_role(*VERIFIERS)
    return verify_ledger(session, keys)

def _check_kinds(frame: pd.DataFrame) -> list[str]:
    out = []
    for kind in PROJECTED_KINDS:
        says = frame["body"].str.contains(f'"kind":"{kind}"', regex=False).to_numpy(bool)
        labelled = (frame["kind"] == kind).to_numpy(bool)
        wrong = frame["seq"].to_numpy()[says != labelled]
        if len(wrong):
            out.append(_("entries %(seqs)s: the kind column does not match the body "
                         "(%(kind)s)", seqs=_ranges(wrong.tolist()), kind=kind))
    return out


def _check_projections(session: Session, frame: pd.DataFrame, bodies: np.ndarray) -> list[str]:
    """Rebuild the entries of one chunk from their rows and compare, as whole columns."""
    seqs = frame["seq"].to_numpy(np.int64)
    first, last = int(seqs[0]), int(seqs[-1])
    purchases = _purchase_rows(session, first, last)
    others = _other_bodies(session, first, last)
    row_seq = np.r_[purchases["entry_seq"].to_numpy(np.int64),
                    np.fromiter((s for s, _ in others.values()), np.int64, len(others))]
    row_kind = np.r_[np.full(len(purchases), "purchase", dtype=object),
                     np.array([k for k, _ in others], dtype=object)]
    row_body = np.r_[purchase_bodies(purchases) if len(purchases) else np.empty(0, object),
                     np.array([b for _, b in others.values()], dtype=object)]
    kind_of = pd.Series(frame["kind"].to_numpy(dtype=object), index=seqs)
    body_of = pd.Series(bodies, index=seqs)
    misplaced = kind_of.reindex(row_seq).to_numpy(dtype=object) != row_kind
    differ = ~misplaced & (body_of.reindex(row_seq).to_numpy(dtype=object) != row_body)
    orphans = np.setdiff1d(seqs[frame["kind"].isin(PROJECTED_KINDS).to_numpy(bool)], row_seq)
    out = []
    if len(orphans):
        out.append(_("entries %(seqs)s: their purchase, correction or custody row is "
                     "missing (deleted behind the ledger's back)",
                     seqs=_ranges(orphans.tolist())))
    if misplaced.any():
        out.append(_("rows for entries %(seqs)s are not of the entry's kind",
                     seqs=_ranges(row_seq[misplaced].tolist())))
    if differ.any():
        out.append(_("entries %(seqs)s: the stored purchase, correction or custody row "
                     "differs from the entry (changed behind the ledger's back)",
                     seqs=_ranges(row_seq[differ].tolist())))
    return out


def _check_head(session: Session, tree: MerkleTree) -> list[str]:
    head = session.execute(select(HEADS.c.size, HEADS.c.root, HEADS.c.frontier)
                           .where(HEADS.c.id == HEAD_ID)).one_or_none()
    if head is None:
        return [_("the ledger has no head row")]
    out = []
    if head.size != tree.size or bytes(head.root) != tree.root():
        out.append(_("the stored entries hash to root %(root)s of size %(size)s; the head "
                     "says root %(head_root)s of size %(head_size)s", root=tree.root().hex(),
                     size=tree.size, head_root=bytes(head.root).hex(), head_size=head.size))
    elif bytes(head.frontier) != tree.frontier().to_bytes():
        out.append(_("the head's frontier differs from the entries' (future appends would "
                     "be wrong)"))
    return out


def _check_nodes(session: Session, tree: MerkleTree) -> list[str]:
    stored = _frame(session, select(NODES.c.level, NODES.c.node_index, NODES.c.hash))
    expected = {(lv, i) for lv in range(STORED_FROM_LEVEL, len(tree.layers))
                for i in range(len(tree.layers[lv]))}
    found = set(zip(stored["level"], stored["node_index"], strict=True))
    bad = [(lv, i) for lv, i, h in stored.itertuples(index=False)
           if (lv, i) in expected and tree.node(lv, i) != bytes(h)]
    out = []
    if expected - found:
        out.append(_("%(n)s tree nodes are missing from the store", n=len(expected - found)))
    if found - expected:
        out.append(_("%(n)s stored tree nodes belong to no tree of the entries",
                     n=len(found - expected)))
    if bad:
        out.append(_("tree nodes %(nodes)s differ from the entries' (proofs served from "
                     "them would fail)", nodes=sorted(bad)[:5]))
    return out


def _note_key(note: str, public_key: bytes) -> VerifierKey:
    """The verifier of a checkpoint: ``public_key`` under the note's origin (its key name)."""
    return VerifierKey(note.split("\n", 1)[0], public_key)


def _check_tree_heads(session: Session, public_key: bytes, tree: MerkleTree
                      ) -> tuple[list[str], int, int]:
    """Problems of the signed tree heads, how many there are and how many entries the largest
    covers."""
    out = []
    rows = session.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.id)).all()
    covered = 0
    for sth in rows:
        size, root = int(sth.tree_size), bytes(sth.root)
        if not verify_tree_head(public_key, size, root, int(sth.timestamp_ms),
                                bytes(sth.signature)):
            out.append(_("signed tree head %(id)s (size %(size)s): the signature is not the "
                         "ledger key's (%(key)s)", id=sth.id, size=size,
                         key=key_id(public_key)))
        if sth.checkpoint is not None:
            try:
                stated = open_checkpoint(sth.checkpoint, _note_key(sth.checkpoint, public_key))
            except CheckpointError as exc:
                out.append(_("signed tree head %(id)s (size %(size)s): its checkpoint does "
                             "not open: %(error)s", id=sth.id, size=size, error=exc))
            else:
                if (stated.size, stated.root) != (size, root):
                    out.append(_("signed tree head %(id)s: its checkpoint states size "
                                 "%(size)s, root %(root)s, not its own", id=sth.id,
                                 size=stated.size, root=stated.root.hex()))
        if size < covered:
            out.append(_("signed tree head %(id)s covers %(size)s entries, written after one "
                         "that covers %(covered)s (heads out of order)", id=sth.id,
                         size=size, covered=covered))
        covered = max(covered, size)
        if size > tree.size:
            out.append(_("signed tree head %(id)s covers %(size)s entries; only %(stored)s "
                         "are stored (entries deleted)", id=sth.id, size=size,
                         stored=tree.size))
        elif tree.root(size) != root:
            out.append(_("signed tree head %(id)s (size %(size)s): its root is not the root "
                         "of the first %(size)s stored entries (history rewritten)", id=sth.id,
                         size=size))
    if covered < tree.size:
        out.append(_("entries %(first)s-%(last)s are covered by no signed tree head "
                     "(appended without one, or the heads were deleted)", first=covered,
                     last=tree.size - 1))
    return out, len(rows), min(covered, tree.size)


def _check_against(source: str, note: str, public_key: bytes, origin: str,
                   tree: MerkleTree) -> tuple[dict[str, Any], list[str]]:
    """Check the stored log against a checkpoint kept outside: its view and its problems."""
    view: dict[str, Any] = {"source": source, "origin": None, "tree_size": None,
                            "consistent": False}
    try:
        stated = open_checkpoint(note, _note_key(note, public_key))
    except CheckpointError as exc:
        return view, [_("checkpoint %(source)s: %(error)s", source=source, error=exc)]
    view |= {"origin": stated.origin, "tree_size": stated.size}
    if stated.origin != origin:
        return view, [_("checkpoint %(source)s is of the log %(stated)s, not of this ledger "
                        "(%(origin)s)", source=source, stated=repr(stated.origin),
                        origin=repr(origin))]
    if stated.size > tree.size:
        return view, [_("checkpoint %(source)s covers %(size)s entries; the log holds "
                        "%(held)s (entries removed since)", source=source, size=stated.size,
                        held=tree.size)]
    try:
        merkle.verify_subtree_consistency(0, stated.size, tree.size,
                                          tree.consistency_proof(stated.size), stated.root,
                                          tree.root())
    except merkle.ProofError:
        return view, [_("checkpoint %(source)s (size %(size)s): the stored log is not "
                        "consistent with it (its first %(size)s entries were rewritten)",
                        source=source, size=stated.size)]
    return view | {"consistent": True}, []
