"""The gold recycling ledger: purchases and custody events in an append-only Merkle log,
signed tree heads, a verifier, regulatory reports, custody chains and statistics.

Writing. Every append takes the log's single head row first (an ``UPDATE``: a row lock on
PostgreSQL, the write lock on SQLite), so appends are serial and each sees the entries before
it; within the lock it drops entries whose idempotency key is already stored (by default the
SHA-256 of the canonical entry: the same purchase sent twice is stored once), writes the new
entries with their leaf hashes, the tree nodes they complete (from level
:data:`STORED_FROM_LEVEL` up), the new frontier and the signed tree head of the new size with
its checkpoint (a C2SP signed note, :mod:`aurum.recycling.checkpoint`), all in one
transaction: tree sizes and checkpoints only grow, and no entry is ever stored without a
signed head that covers it. A writer that dies mid-append leaves nothing behind. Corrections
are new entries (a reversal, optionally followed by the amended purchase); nothing stored is
ever updated or deleted.

Reading. The purchase, correction and custody tables repeat what the entries say, for queries;
:func:`verify_ledger` rebuilds every entry body from them, every leaf hash from the bodies,
the tree from the leaves, and checks the head, the stored nodes, every signed tree head and
checkpoint (in order, and covering every entry) and, given checkpoints kept outside the
database, that the stored log is consistent with each (RFC 6962 consistency proofs).

Witness. The regulator's server keeps the checkpoints recyclers publish of their own ledgers
(:func:`witness_checkpoint`): the first checkpoint of a log pins its verifier key and its
recycler, and each later one must come with a consistency proof from the largest witnessed
before it, so a log rewritten or forked behind its witness is refused.

Personal data. Seller names, document numbers and statements of origin are sealed with
AES-GCM under a key kept outside the database and the data directory
(``AURUM_RECYCLING_DATA_KEY`` or ``AURUM_KEYS/recycling-personal-data.key``); sellers are
named by a keyed hash and shown masked; :func:`reveal_seller` opens them for a stated purpose
and leaves an audit record. Tree heads and checkpoints are signed with Ed25519
(``AURUM_LEDGER_SIGNING_KEY`` or ``AURUM_KEYS/ledger-signing.key``).

Scope. Administrators, auditors and national regulators read everything; a provincial
regulator the participants of its province; recycler and enterprise users the participants of
their organisation, which they alone (with administrators) write for.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import methodcaller
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Executable, Table, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum.core.config import Settings
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.industry.registry import PROVINCES
from aurum.recycling import merkle
from aurum.recycling.canonical import canonical, decimal, timestamp_text
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
from aurum.recycling.custody import custody_graph, mass_balance, recycled_gold_totals
from aurum.recycling.identity import mask_ids, mask_names, normalise_ids, uscc_problems
from aurum.recycling.merkle import Frontier, MerkleTree
from aurum.recycling.purchases import (
    CHINA_STANDARD_TIME,
    ENTRY_VERSION,
    fine_gold_g,
    purchase_bodies,
)
from aurum.recycling.rules import LARGE_CASH, Detection, detect, load_rules
from aurum.recycling.sealing import PersonalDataKeys, TreeHeadSigner, key_id, verify_tree_head
from aurum.services import reporting
from aurum.services.auth import Actor, Role
from aurum.store import audit
from aurum.store.models import (
    CustodyAssay,
    CustodyBar,
    CustodyBarInput,
    CustodyLot,
    CustodyLotPurchase,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerTreeHead,
    LedgerWitnessedCheckpoint,
    Organisation,
    RecyclingCorrection,
    RecyclingParticipant,
    RecyclingPurchase,
    RecyclingReport,
    RecyclingReportReceipt,
    RecyclingReportSubmission,
    RecyclingSeller,
    RecyclingShop,
    RecyclingWatchListChange,
    utcnow,
)

PERSONAL_DATA_KEY = ("recycling-personal-data", "AURUM_RECYCLING_DATA_KEY")
SIGNING_KEY = ("ledger-signing", "AURUM_LEDGER_SIGNING_KEY")
HEAD_ID = 1
PROJECTED_KINDS = ("purchase", "correction", "lot", "assay", "bar")
"""Entry kinds; each has a row of its own beside the entry."""
STORED_FROM_LEVEL = 8
"""Tree nodes are stored from this level (256 leaves) up; lower ones are rehashed from the
leaves a proof needs, which keeps the node table at 1/128 of the log."""
BATCH = 1000
"""Keys per ``IN (...)`` list."""
PARTICIPANT_ROLES = ("recycler", "refiner")
ASSAY_METHODS = ("fire_assay", "icp", "xrf", "gravimetric")

OPERATOR = Actor(0, "operator", Role.ADMIN, None, None, "command-line operator")
"""Who acts from the command line: whoever can run it on the data directory, with no account
(audit records carry no user)."""

E = cast(Table, LedgerEntry.__table__)
P = cast(Table, RecyclingPurchase.__table__)
HEADS = cast(Table, LedgerHead.__table__)
NODES = cast(Table, LedgerNode.__table__)
SELLERS = cast(Table, RecyclingSeller.__table__)


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


def _user(actor: Actor) -> int | None:
    return actor.user_id or None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _python(values: Any) -> list[Any]:
    """Python values of a column, missing ones as None (what the drivers bind)."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.DatetimeTZDtype):
        return list(values.array.to_pydatetime())  # type: ignore[attr-defined]
    array = np.asarray(values, dtype=object)
    out = array.tolist()
    missing = pd.isna(array)
    if missing.any():
        out = [None if m else v for v, m in zip(out, missing, strict=True)]
    return out


def _rows(columns: Mapping[str, Any], n: int) -> list[dict[str, Any]]:
    """Rows for an executemany from columns: ``n`` values each, or one value for all."""
    names = list(columns)
    values = [_python(c) if isinstance(c, pd.Series | np.ndarray | list) else [c] * n
              for c in columns.values()]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]


def _frame(session: Session, stmt: Executable) -> pd.DataFrame:
    """A query's rows as a frame, built column by column (pandas inspects each row object
    when handed the rows)."""
    result = session.execute(stmt)
    columns = list(result.keys())
    rows = result.all()
    return pd.DataFrame(dict(zip(columns, map(list, zip(*rows, strict=True)), strict=True))
                        if rows else {c: [] for c in columns})


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationError(f"{moment.isoformat()} has no UTC offset")
    return moment.astimezone(UTC)


def _in_batches(values: Sequence[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), BATCH):
        yield list(values[i:i + BATCH])


# ---------------------------------------------------------------------------------------------
# Scope and participants


def _scope(actor: Actor) -> ColumnElement[bool] | None:
    """Condition on participants the actor may read (None: all)."""
    if actor.reads_all:
        return None
    if actor.org_ids is not None:
        return RecyclingParticipant.org_id.in_(actor.org_ids)
    return RecyclingParticipant.province == actor.province


def _may_read(actor: Actor, participant: RecyclingParticipant | None) -> bool:
    if actor.reads_all:
        return True
    if participant is None:
        return False
    if actor.org_ids is not None:
        return participant.org_id in actor.org_ids
    return participant.province == actor.province


def _require_write(actor: Actor, participant: RecyclingParticipant) -> None:
    if actor.role is Role.ADMIN:
        return
    if (actor.role in (Role.RECYCLER, Role.ENTERPRISE) and actor.org_ids is not None
            and participant.org_id in actor.org_ids):
        return
    raise PermissionDenied(f"{actor.role.value} users cannot write for {participant.code}")


def _participant_details(session: Session, role: str, province: str | None,
                         uscc: str | None, org_code: str | None
                         ) -> tuple[list[Problem], Organisation | None]:
    problems = []
    if role not in PARTICIPANT_ROLES:
        problems.append(Problem(f"expected one of {', '.join(PARTICIPANT_ROLES)}",
                                column="role"))
    if province is not None and province not in PROVINCES:
        problems.append(Problem(f"unknown province {province!r}", column="province"))
    if uscc is not None:
        message = str(uscc_problems(pd.Series([uscc.strip().upper()])).iat[0])
        if message:
            problems.append(Problem(message, column="uscc"))
    org = None
    if org_code is not None:
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
        if org is None:
            problems.append(Problem(f"unknown organisation {org_code!r}", column="org_code"))
    return problems, org


def register_participant(session: Session, actor: Actor, code: str, name: str,
                         role: str = "recycler", province: str | None = None,
                         uscc: str | None = None, licence_no: str | None = None,
                         org_code: str | None = None) -> RecyclingParticipant:
    """Register a licensed recycler or a refiner (administrators only).

    Parameters
    ----------
    code, name : str
        Code used in purchase files and entries (unique), and name.
    role : str
        ``recycler`` or ``refiner``.
    province : str, optional
        Province (English name), for statistics; taken from the organisation when linked.
    uscc : str, optional
        Unified social credit code (checked, GB 32100).
    licence_no : str, optional
        Recycling licence or filing number.
    org_code : str, optional
        Registry organisation it is (its users then write for it).
    """
    actor.require_role(Role.ADMIN)
    problems, org = _participant_details(session, role, province, uscc, org_code)
    if session.scalar(select(RecyclingParticipant.id).where(
            RecyclingParticipant.code == code)) is not None:
        problems.append(Problem(f"participant {code!r} exists already", column="code"))
    if problems:
        raise ValidationError(problems)
    participant = RecyclingParticipant(
        code=code, name=name, role=role, org_id=org.id if org else None,
        province=province or (org.province if org else None),
        uscc=uscc.strip().upper() if uscc else None, licence_no=licence_no,
        created_by=_user(actor))
    session.add(participant)
    session.flush()
    return participant


def update_participant(session: Session, actor: Actor, code: str, name: str | None = None,
                       province: str | None = None, uscc: str | None = None,
                       licence_no: str | None = None, org_code: str | None = None
                       ) -> RecyclingParticipant:
    """Complete or correct a participant's registration (administrators only; audited), e.g.
    the province of a recycler created on first use by a purchase file. Only the details
    given change; the code, used in the entries, never does."""
    actor.require_role(Role.ADMIN)
    participant = _participant(session, code)
    problems, org = _participant_details(session, participant.role, province, uscc, org_code)
    if problems:
        raise ValidationError(problems)
    if name is not None:
        participant.name = name
    if org is not None:
        participant.org_id = org.id
    participant.province = province or (org.province if org else participant.province)
    if uscc is not None:
        participant.uscc = uscc.strip().upper()
    if licence_no is not None:
        participant.licence_no = licence_no
    session.flush()
    return participant


def _participant(session: Session, code: str, role: str | None = None
                 ) -> RecyclingParticipant:
    found = session.scalar(select(RecyclingParticipant).where(RecyclingParticipant.code == code))
    if found is None or (role is not None and found.role != role):
        raise NotFoundError(f"no {role or 'participant'} {code!r}")
    return found


def _resolve_counters(session: Session, actor: Actor, frame: pd.DataFrame,
                      create_missing: bool) -> tuple[pd.Series, pd.Series]:
    """Participant and shop ids of each row; unknown ones created when allowed."""
    pairs = frame[["recycler", "shop"]].drop_duplicates()
    codes = sorted(set(pairs["recycler"]))
    known = {p.code: p for batch in _in_batches(codes) for p in session.scalars(
        select(RecyclingParticipant).where(RecyclingParticipant.code.in_(batch)))}
    missing = [c for c in codes if c not in known]
    if missing and not (create_missing and actor.role is Role.ADMIN):
        rows = frame[frame["recycler"].isin(missing)]
        numbers = rows["row"] if "row" in rows else pd.Series([None] * len(rows))
        raise ValidationError([
            Problem(f"unknown recycler {code!r}: register it first", row=row,
                    column="recycler", source=frame.attrs.get("source"))
            for code, row in zip(rows["recycler"], numbers.tolist(), strict=True)][:50])
    for code in missing:
        org = session.scalar(select(Organisation).where(Organisation.code == code))
        known[code] = RecyclingParticipant(
            code=code, name=org.name if org else code, role="recycler",
            org_id=org.id if org else None, province=org.province if org else None,
            created_by=_user(actor))
        session.add(known[code])
    session.flush()
    for participant in known.values():
        if participant.role != "recycler":
            raise ValidationError(f"{participant.code} is a {participant.role}, not a recycler")
        _require_write(actor, participant)
    shops = {(s.participant_id, s.code): s.id
             for batch in _in_batches(sorted(p.id for p in known.values()))
             for s in session.scalars(select(RecyclingShop).where(
                 RecyclingShop.participant_id.in_(batch)))}
    for recycler, shop in pairs.itertuples(index=False):
        owner = known[recycler]
        if (owner.id, shop) not in shops:
            row = RecyclingShop(participant_id=owner.id, code=shop, name=shop,
                                province=owner.province)
            session.add(row)
            session.flush()
            shops[(owner.id, shop)] = row.id
    participant_id = frame["recycler"].map({c: p.id for c, p in known.items()})
    # (participant, shop) pairs as one string key, so that the lookup is one vector map.
    shop_id = (participant_id.astype(str) + "\x1f" + frame["shop"]).map(
        {f"{pid}\x1f{code}": sid for (pid, code), sid in shops.items()})
    return participant_id, shop_id


# ---------------------------------------------------------------------------------------------
# The log


def _lock_head(session: Session) -> _Head:
    """Take the head row (first statement of the transaction: see the module docstring)."""
    done = session.execute(update(HEADS).where(HEADS.c.id == HEAD_ID).values(
        updated_at=utcnow()))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("the ledger has no head row; run `aurum db upgrade`")
    row = session.execute(select(HEADS.c.size, HEADS.c.root, HEADS.c.frontier)
                          .where(HEADS.c.id == HEAD_ID)).one()
    return _Head(int(row.size), bytes(row.root), bytes(row.frontier))


def _existing_keys(session: Session, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in _in_batches(keys):
        found.update(session.execute(select(E.c.idempotency_key, E.c.seq)
                                     .where(E.c.idempotency_key.in_(batch))).all())
    return found


def _write_entries(session: Session, actor: Actor, ledger_keys: LedgerKeys, head: _Head,
                   kinds: Sequence[str], bodies: np.ndarray, keys: Sequence[str]
                   ) -> tuple[np.ndarray, AppendResult]:
    """Write the entries whose keys are new, with their nodes, the new head and its signed
    tree head (under the head's lock: see the module docstring).

    Returns a mask of the entries written (one per submitted entry) and the result.
    """
    keys_s = pd.Series(list(keys), dtype=object)
    if (keys_s.str.len() > 64).any() or keys_s.isna().any():
        raise ValidationError("idempotency keys must be strings of at most 64 characters")
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
        session.execute(insert(E), _rows({
            "seq": new_seqs, "kind": np.asarray(kinds, dtype=object)[fresh],
            "body": list(map(methodcaller("decode", "utf-8"), bodies[fresh])),
            "leaf_hash": list(map(bytes, leaves)), "idempotency_key": keys_s[fresh].tolist(),
            "recorded_at": utcnow(), "recorded_by": _user(actor)}, int(fresh.sum())))
        node_rows = [{"level": level, "node_index": first + i, "hash": h}
                     for level, (first, hashes) in nodes.items() if level >= STORED_FROM_LEVEL
                     for i, h in enumerate(map(bytes, hashes))]
        if node_rows:
            session.execute(insert(NODES), node_rows)
        size, root = frontier.size, frontier.root()
        session.execute(update(HEADS).where(HEADS.c.id == HEAD_ID).values(
            size=size, root=root, frontier=frontier.to_bytes(), updated_at=utcnow()))
        _insert_tree_head(session, ledger_keys, size, root)
        audit.record(session, "append", "ledger_entries",
                     f"{int(new_seqs[0])}-{int(new_seqs[-1])}",
                     after={"entries": int(fresh.sum()), "size": size, "root": root.hex(),
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


# ---------------------------------------------------------------------------------------------
# Purchases and corrections


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
            raise ValidationError(Problem(f"photos are named by their SHA-256 (64 lower-case "
                                          f"hex digits), not {odd.iat[0]!r}", column="photos"))
        p["photos"] = p["photos"].map(lambda ps: json.dumps(sorted(ps or []),
                                                            separators=(",", ":")))
    else:
        p["photos"] = "[]"
    p["amends"] = (p["amends"] if "amends" in p else pd.Series(pd.NA, index=p.index)
                   ).astype("Int64")
    return p


def _ensure_sellers(session: Session, keys: LedgerKeys, frame: pd.DataFrame) -> pd.Series:
    """Seller id of each row; new sellers stored sealed and masked."""
    unique = frame.drop_duplicates("seller")
    hashes = unique["seller"].tolist()

    def lookup() -> dict[str, int]:
        return {h: i for batch in _in_batches(hashes) for h, i in session.execute(
            select(SELLERS.c.id_hash, SELLERS.c.id).where(SELLERS.c.id_hash.in_(batch)))}

    ids = lookup()
    new = unique[~unique["seller"].isin(ids)]
    if not new.empty:
        personal = keys.personal
        session.execute(insert(SELLERS), _rows({
            "id_hash": new["seller"], "id_type": new["seller_id_type"],
            "id_masked": mask_ids(new["seller_id_number"]),
            "name_masked": mask_names(new["seller_name"]),
            "id_number_sealed": personal.seal_many(new["seller_id_number"],
                                                   "seller:" + new["seller"] + ":id_number"),
            "name_sealed": personal.seal_many(new["seller_name"],
                                              "seller:" + new["seller"] + ":name"),
            "key_id": personal.key_id, "created_at": utcnow()}, len(new)))
        ids = lookup()
    return frame["seller"].map(ids)


def _insert_purchases(session: Session, keys: LedgerKeys, frame: pd.DataFrame,
                      seqs: Sequence[int], participant_id: pd.Series,
                      shop_id: pd.Series) -> None:
    stated = frame["origin_statement"].notna().to_numpy(bool)
    sealed = pd.Series(None, index=frame.index, dtype=object)
    if stated.any():
        contexts = "purchase:" + pd.Series(seqs, index=frame.index)[stated].astype(str)
        sealed[stated] = keys.personal.seal_many(frame["origin_statement"][stated],
                                                 contexts + ":origin_statement")
    columns = ["item_type", "gross_weight_g", "fineness_permille", "assay_method",
               "fine_gold_g", "price_per_g_cny", "amount_cny", "payment_method",
               "business_date", "origin", "origin_statement_hmac", "photos"]
    session.execute(insert(P), _rows({
        **{c: frame[c] for c in columns}, "entry_seq": list(seqs),
        "participant_id": participant_id, "shop_id": shop_id,
        "seller_id": _ensure_sellers(session, keys, frame),
        "occurred_at": pd.to_datetime(frame["occurred_at"], utc=True),
        "origin_statement_sealed": sealed, "amends_seq": frame["amends"]}, len(frame)))


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
        raise NotFoundError(f"no purchase entry {seq}")
    if session.scalar(select(RecyclingCorrection.entry_seq).where(
            RecyclingCorrection.target_seq == seq)) is not None:
        raise ConflictError(f"purchase {seq} was corrected already; correct the entry that "
                            "replaced it")
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
        raise ValidationError(Problem("a correction needs a reason", column="reason"))
    head = _lock_head(session)
    _, participant = _in_force(session, target_seq)
    _require_write(actor, participant)
    if session.scalar(select(CustodyLotPurchase.lot_seq).where(
            CustodyLotPurchase.purchase_seq == target_seq)) is not None:
        raise ConflictError(f"purchase {target_seq} was sent to a refiner in a lot; it can no "
                            "longer be corrected")
    action = "reverse" if replacement is None else "amend"
    correction = canonical(_correction_body(action, reason.strip(), target_seq))
    kinds, bodies = ["correction"], [correction]
    frame = None
    if replacement is not None:
        if len(replacement) != 1 or set(replacement["recycler"]) != {participant.code}:
            raise ValidationError(f"the replacement must be one purchase of {participant.code}")
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


# ---------------------------------------------------------------------------------------------
# Tree heads and proofs


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
        raise NotFoundError("the ledger has no checkpoint yet; `aurum ledger checkpoint` "
                            "signs one")
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
        raise ValidationError(Problem(f"the witness cannot hold size {witnessed_size}: the "
                                      f"latest checkpoint has {size} entries",
                                      column="witnessed_size"))
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
            raise ConflictError(f"leaves {index << level}-{((index + 1) << level) - 1} are "
                                "missing from the log")
        known[(level, index)] = MerkleTree(np.frombuffer(b"".join(map(bytes, leaves)),
                                                         np.uint8)).root()
    missing = [n for n in stored if n not in known]
    if missing:
        raise ConflictError(f"tree nodes {missing[:3]} are missing from the store")
    return [merkle.fold_nodes([known[n] for n in merkle.complete_nodes(a, b)])
            for a, b in ranges]


def _tree_size(session: Session, tree_size: int | None) -> int:
    if tree_size is not None:
        return tree_size
    latest = session.scalar(select(func.max(LedgerTreeHead.tree_size)))
    if latest is None:
        raise NotFoundError("no signed tree head yet")
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
        raise NotFoundError(f"entry {seq} is not in the tree of {size} entries")
    leaf = session.scalar(select(E.c.leaf_hash).where(E.c.seq == seq))
    if leaf is None:
        raise NotFoundError(f"no entry {seq}")
    proof = _range_hashes(session, merkle.inclusion_ranges(seq, size))
    root = _range_hashes(session, [(0, size)])[0]
    signed = session.scalars(select(LedgerTreeHead).where(LedgerTreeHead.tree_size == size)
                             .order_by(LedgerTreeHead.id.desc()).limit(1)).first()
    return {"seq": seq, "tree_size": size, "leaf_hash": bytes(leaf).hex(),
            "root": root.hex(), "proof": [h.hex() for h in proof],
            "signed_tree_head": None if signed is None else _tree_head_view(signed)}


def consistency_proof(session: Session, size1: int, size2: int | None = None
                      ) -> dict[str, Any]:
    """Proof that the tree of ``size1`` entries is a prefix of the tree of ``size2`` (default:
    the latest signed tree head): ``size1``, ``size2``, ``root1``, ``root2``, ``proof``."""
    size2 = _tree_size(session, size2)
    if not 0 < size1 <= size2:
        raise ValidationError(f"expected 0 < size1 <= size2, got {size1} and {size2}")
    proof = _range_hashes(session, merkle.consistency_ranges(0, size1, size2))
    root1, root2 = _range_hashes(session, [(0, size1), (0, size2)])
    return {"size1": size1, "size2": size2, "root1": root1.hex(), "root2": root2.hex(),
            "proof": [h.hex() for h in proof]}


# ---------------------------------------------------------------------------------------------
# Verification


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
    return shown + (f" and {len(seqs) - 10} more" if len(seqs) > 10 else "")


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
            problems.append(f"entries {start}-{int(seqs[g]) - 1} are missing (deleted rows)")
        expected, last = int(seqs[-1]) + 1, int(seqs[-1])
        bodies = frame["body"].str.encode("utf-8").to_numpy(dtype=object)
        recomputed = merkle.leaf_hashes(bodies)
        stored = np.frombuffer(b"".join(map(bytes, frame["leaf_hash"])), np.uint8)
        changed = seqs[~(stored.reshape(-1, 32) == recomputed).all(axis=1)] \
            if stored.size == recomputed.size else seqs
        if len(changed):
            problems.append(f"entries {_ranges(changed.tolist())}: the body does not hash to "
                            "the stored leaf hash (changed after it was appended)")
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


def _check_kinds(frame: pd.DataFrame) -> list[str]:
    out = []
    for kind in PROJECTED_KINDS:
        says = frame["body"].str.contains(f'"kind":"{kind}"', regex=False).to_numpy(bool)
        labelled = (frame["kind"] == kind).to_numpy(bool)
        wrong = frame["seq"].to_numpy()[says != labelled]
        if len(wrong):
            out.append(f"entries {_ranges(wrong.tolist())}: the kind column does not match "
                       f"the body ({kind})")
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
        out.append(f"entries {_ranges(orphans.tolist())}: their purchase, correction or "
                   "custody row is missing (deleted behind the ledger's back)")
    if misplaced.any():
        out.append(f"rows for entries {_ranges(row_seq[misplaced].tolist())} are not of the "
                   "entry's kind")
    if differ.any():
        out.append(f"entries {_ranges(row_seq[differ].tolist())}: the stored purchase, "
                   "correction or custody row differs from the entry (changed behind the "
                   "ledger's back)")
    return out


def _check_head(session: Session, tree: MerkleTree) -> list[str]:
    head = session.execute(select(HEADS.c.size, HEADS.c.root, HEADS.c.frontier)
                           .where(HEADS.c.id == HEAD_ID)).one_or_none()
    if head is None:
        return ["the ledger has no head row"]
    out = []
    if head.size != tree.size or bytes(head.root) != tree.root():
        out.append(f"the stored entries hash to root {tree.root().hex()} of size {tree.size}; "
                   f"the head says root {bytes(head.root).hex()} of size {head.size}")
    elif bytes(head.frontier) != tree.frontier().to_bytes():
        out.append("the head's frontier differs from the entries' (future appends would be "
                   "wrong)")
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
        out.append(f"{len(expected - found)} tree nodes are missing from the store")
    if found - expected:
        out.append(f"{len(found - expected)} stored tree nodes belong to no tree of the "
                   "entries")
    if bad:
        out.append(f"tree nodes {sorted(bad)[:5]} differ from the entries' (proofs served "
                   "from them would fail)")
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
            out.append(f"signed tree head {sth.id} (size {size}): the signature is not the "
                       f"ledger key's ({key_id(public_key)})")
        if sth.checkpoint is not None:
            try:
                stated = open_checkpoint(sth.checkpoint, _note_key(sth.checkpoint, public_key))
            except CheckpointError as exc:
                out.append(f"signed tree head {sth.id} (size {size}): its checkpoint does "
                           f"not open: {exc}")
            else:
                if (stated.size, stated.root) != (size, root):
                    out.append(f"signed tree head {sth.id}: its checkpoint states size "
                               f"{stated.size}, root {stated.root.hex()}, not its own")
        if size < covered:
            out.append(f"signed tree head {sth.id} covers {size} entries, written after one "
                       f"that covers {covered} (heads out of order)")
        covered = max(covered, size)
        if size > tree.size:
            out.append(f"signed tree head {sth.id} covers {size} entries; only {tree.size} "
                       "are stored (entries deleted)")
        elif tree.root(size) != root:
            out.append(f"signed tree head {sth.id} (size {size}): its root is not the root of "
                       f"the first {size} stored entries (history rewritten)")
    if covered < tree.size:
        out.append(f"entries {covered}-{tree.size - 1} are covered by no signed tree head "
                   "(appended without one, or the heads were deleted)")
    return out, len(rows), min(covered, tree.size)


def _check_against(source: str, note: str, public_key: bytes, origin: str,
                   tree: MerkleTree) -> tuple[dict[str, Any], list[str]]:
    """Check the stored log against a checkpoint kept outside: its view and its problems."""
    view: dict[str, Any] = {"source": source, "origin": None, "tree_size": None,
                            "consistent": False}
    try:
        stated = open_checkpoint(note, _note_key(note, public_key))
    except CheckpointError as exc:
        return view, [f"checkpoint {source}: {exc}"]
    view |= {"origin": stated.origin, "tree_size": stated.size}
    if stated.origin != origin:
        return view, [f"checkpoint {source} is of the log {stated.origin!r}, not of this "
                      f"ledger ({origin!r})"]
    if stated.size > tree.size:
        return view, [f"checkpoint {source} covers {stated.size} entries; the log holds "
                      f"{tree.size} (entries removed since)"]
    try:
        merkle.verify_subtree_consistency(0, stated.size, tree.size,
                                          tree.consistency_proof(stated.size), stated.root,
                                          tree.root())
    except merkle.ProofError:
        return view, [f"checkpoint {source} (size {stated.size}): the stored log is not "
                      f"consistent with it (its first {stated.size} entries were rewritten)"]
    return view | {"consistent": True}, []


# ---------------------------------------------------------------------------------------------
# Custody: lots, assays, bars


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
    return [Problem(f"expected more than {low:g} and at most {high:g} {unit}", column=column)]


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
        raise ValidationError(Problem("a lot needs at least one purchase", column="purchases"))
    found = {p.entry_seq: p for p in session.scalars(select(RecyclingPurchase).where(
        RecyclingPurchase.entry_seq.in_(seqs)))}
    corrected = set(session.scalars(select(RecyclingCorrection.target_seq).where(
        RecyclingCorrection.target_seq.in_(seqs))))
    placed = set(session.scalars(select(CustodyLotPurchase.purchase_seq).where(
        CustodyLotPurchase.purchase_seq.in_(seqs))))

    def trouble(s: int) -> str | None:
        if s not in found:
            return "no such purchase"
        if found[s].participant_id != sender.id:
            return f"not a purchase of {recycler}"
        if s in corrected:
            return "corrected: no longer in force"
        return "already in a lot" if s in placed else None

    lot = CustodyLot(code=code, participant_id=sender.id, refiner_id=receiver.id,
                     sent_at=_utc(sent_at), fine_gold_declared_g=round(
                         sum(found[s].fine_gold_g for s in seqs if s in found), 3))
    body = _lot_body(lot, sender.code, receiver.code, seqs)
    existing = session.scalar(select(CustodyLot.entry_seq).where(CustodyLot.code == code))
    if existing is not None:
        # The same lot sent again is a duplicate; another lot under its code a conflict.
        if session.scalar(select(E.c.idempotency_key).where(
                E.c.seq == existing)) != _sha256(canonical(body)):
            raise ConflictError(f"lot {code!r} exists already with other contents")
        return _append_one(session, actor, keys, head, body)[2]
    problems = [Problem(f"purchase {s}: {why}", column="purchases")
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
        ``fire_assay``, ``icp``, ``xrf`` or ``gravimetric``.
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
        raise NotFoundError(f"no lot {lot_code!r}")
    refiner = session.get(RecyclingParticipant, lot.refiner_id)
    assert refiner is not None
    _require_write(actor, refiner)
    problems = _check_quantity(melted_weight_g, 0, 1e7, "melted_weight_g", "g")
    problems += _check_quantity(fineness_permille, 0, 1000, "fineness_permille", "‰")
    if method not in ASSAY_METHODS:
        problems.append(Problem(f"expected one of {', '.join(ASSAY_METHODS)}", column="method"))
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
        raise ConflictError(f"lot {lot_code!r} was assayed already")
    fresh, seq, _ = _append_one(session, actor, keys, head, _assay_body(lot, assay))
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
    problems = _check_quantity(gross_weight_g, 0, 1e6, "gross_weight_g", "g")
    problems += _check_quantity(fineness_permille, 0, 1000, "fineness_permille", "‰")
    fine = float(fine_gold_g(np.array([gross_weight_g]), np.array([fineness_permille]))[0])
    if abs(sum(inputs.values()) - fine) > 0.01:
        problems.append(Problem(f"the inputs add up to {sum(inputs.values()):.3f} g; the bar "
                                f"holds {fine:.3f} g of fine gold", column="inputs"))
    lots = []
    for code, grams in sorted(inputs.items()):
        lot = session.scalar(select(CustodyLot).where(CustodyLot.code == code))
        assay = None if lot is None else session.scalar(select(CustodyAssay).where(
            CustodyAssay.lot_seq == lot.entry_seq))
        if lot is None or assay is None or lot.refiner_id != maker.id:
            problems.append(Problem(f"lot {code!r} is not an assayed lot of {refiner}",
                                    column="inputs"))
            continue
        used = session.scalar(select(func.coalesce(func.sum(CustodyBarInput.fine_gold_g), 0.0))
                              .where(CustodyBarInput.lot_seq == lot.entry_seq)) or 0.0
        if used + grams > assay.fine_gold_g + 0.001:
            problems.append(Problem(f"lot {code!r} has {assay.fine_gold_g - used:.3f} g of "
                                    f"fine gold left, not {grams:.3f} g", column="inputs"))
        lots.append((lot, round(grams, 3)))
    if session.scalar(select(CustodyBar.entry_seq).where(CustodyBar.serial == serial)):
        problems.append(Problem(f"bar {serial!r} exists already", column="serial"))
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
        raise NotFoundError(f"no bar {serial!r}")
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


def recycled_totals(session: Session, actor: Actor,
                    by: Sequence[str] = ("recycler", "province", "month")
                    ) -> list[dict[str, Any]]:
    """Recycled gold per recycler, province and month (Beijing time) for statistics:
    ``purchases``, ``fine_gold_g`` (g), ``fine_gold_kg`` (kg), ``amount_cny`` (CNY)."""
    purchases = purchases_in_force(session, actor)
    if purchases.empty:
        return []
    return cast(list[dict[str, Any]], recycled_gold_totals(purchases, by).to_dict("records"))


# ---------------------------------------------------------------------------------------------
# Sellers, watch list, photos


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
        raise NotFoundError(f"no seller {seller_id}")
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
        raise ValidationError(Problem("say why the personal data is needed", column="purpose"))
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
    """Keep a photo (sealed) under ``home/recycling/photos`` by its SHA-256; returns it."""
    digest = _sha256(data)
    path = _photo_path(home, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(keys.personal.seal(data.hex(), f"photo:{digest}").hex().encode())
        os.replace(tmp, path)
    return digest


def load_photo(home: Path, keys: LedgerKeys, digest: str) -> bytes:
    """A stored photo, checked against its SHA-256."""
    path = _photo_path(home, digest)
    if not path.exists():
        raise NotFoundError(f"no photo {digest}")
    data = bytes.fromhex(keys.personal.open(bytes.fromhex(path.read_text()), f"photo:{digest}"))
    if _sha256(data) != digest:
        raise ConflictError(f"photo {digest} was changed")
    return data


# ---------------------------------------------------------------------------------------------
# Reports


def _subject_key(d: Detection) -> str:
    return f"{d.rule_id}|{d.recycler or '*'}|{d.seller}|{d.period_start.isoformat()}"


def screen_reports(session: Session, actor: Actor) -> list[RecyclingReport]:
    """Run the reporting rules over the purchases in force and store what they find: a new
    report, or a new revision of one whose purchases changed.

    Returns
    -------
    list of RecyclingReport
        The reports (or revisions) created by this run.
    """
    actor.require_role(Role.ADMIN, Role.REGULATOR, Role.RECYCLER, Role.ENTERPRISE)
    _lock_head(session)
    rules = load_rules()
    detections = detect(purchases_in_force(session), rules, watched_sellers(session))
    if not detections:
        return []
    latest = {r.subject_key: r for r in session.scalars(select(RecyclingReport).order_by(
        RecyclingReport.revision))}
    participants = dict(session.execute(select(RecyclingParticipant.code,
                                               RecyclingParticipant.id)).all())
    sellers = {h: i for batch in _in_batches(sorted({d.seller for d in detections}))
               for h, i in session.execute(select(RecyclingSeller.id_hash, RecyclingSeller.id)
                                           .where(RecyclingSeller.id_hash.in_(batch)))}
    created = []
    for d in detections:
        key = _subject_key(d)
        before = latest.get(key)
        if before is not None and list(before.entries) == list(d.entries):
            continue
        report = RecyclingReport(
            subject_key=key, revision=1 if before is None else before.revision + 1,
            kind=d.kind, rule_id=d.rule_id, rules_version=rules.version,
            participant_id=participants.get(d.recycler) if d.recycler else None,
            seller_id=sellers[d.seller], period_start=d.period_start,
            period_end=d.period_end, amount_cny=d.amount_cny, entries=list(d.entries),
            reason=d.reason, due_on=d.due_on, due_estimated=d.due_estimated)
        session.add(report)
        created.append(report)
    session.flush()
    return created


def _report_status(report: RecyclingReport, submitted: bool, superseded: bool,
                   today: date) -> str:
    if submitted:
        return "submitted"
    if superseded:
        return "superseded"
    return "overdue" if report.due_on < today else "due"


def list_reports(session: Session, actor: Actor, status: str = "due",
                 today: date | None = None) -> list[dict[str, Any]]:
    """Reports visible to the actor, as machine-readable payloads.

    Parameters
    ----------
    status : str
        ``due`` (due or overdue, not submitted, latest revision), ``submitted`` or ``all``.
    today : date, optional
        For due against overdue (default: today in Beijing).
    """
    today = today or datetime.now(CHINA_STANDARD_TIME).date()
    stmt = (select(RecyclingReport, RecyclingSeller, RecyclingParticipant,
                   RecyclingReportSubmission.id)
            .join(RecyclingSeller, RecyclingSeller.id == RecyclingReport.seller_id)
            .join(RecyclingParticipant,
                  RecyclingParticipant.id == RecyclingReport.participant_id, isouter=True)
            .join(RecyclingReportSubmission,
                  RecyclingReportSubmission.report_id == RecyclingReport.id, isouter=True)
            .order_by(RecyclingReport.due_on, RecyclingReport.id))
    scope = _scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    rows = session.execute(stmt).all()
    newest: dict[str, int] = {}
    for report, *_ in rows:
        newest[report.subject_key] = max(newest.get(report.subject_key, 0), report.revision)
    out = []
    for report, seller, participant, submission_id in rows:
        state = _report_status(report, submission_id is not None,
                               report.revision < newest[report.subject_key], today)
        if status == "all" or state == status or (status == "due" and state == "overdue"):
            out.append(_report_payload(report, seller, participant, state))
    return out


def _report_payload(report: RecyclingReport, seller: RecyclingSeller,
                    participant: RecyclingParticipant | None, status: str) -> dict[str, Any]:
    rules = load_rules()
    rule = rules.rules.get(report.rule_id)
    return {"id": report.id, "kind": report.kind, "rule": report.rule_id,
            "rules_version": report.rules_version, "revision": report.revision,
            "recycler": participant.code if participant else None,
            "seller_id_number_hash": seller.id_hash, "seller_id_masked": seller.id_masked,
            "seller_id_type": seller.id_type, "date": report.period_end.isoformat(),
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(), "amount_cny": report.amount_cny,
            "entries": list(report.entries), "due_on": report.due_on.isoformat(),
            "due_estimated": report.due_estimated, "status": status, "reason": report.reason,
            "citation": rule.citation if rule else None,
            "report_to": rules.source.get("report_to")}


def report_document(session: Session, actor: Actor, report_id: int) -> str:
    """The report as a document to file (plain text, UTF-8), with the signed tree head that
    covers its entries so that the recipient can ask for inclusion proofs."""
    payload = next((r for r in list_reports(session, actor, "all") if r["id"] == report_id),
                   None)
    if payload is None:
        raise NotFoundError(f"no report {report_id}")
    return _document(session, payload)


def _document(session: Session, payload: Mapping[str, Any]) -> str:
    rules = load_rules()
    title = ("LARGE-VALUE CASH TRANSACTION REPORT (大额交易报告)" if payload["kind"] == LARGE_CASH
             else "SUSPICIOUS TRANSACTION REPORT (可疑交易报告)")
    needed = max(payload["entries"]) + 1
    sth = session.scalars(select(LedgerTreeHead).where(LedgerTreeHead.tree_size >= needed)
                          .order_by(LedgerTreeHead.tree_size).limit(1)).first()
    anchor = ("no signed tree head covers these entries yet" if sth is None else
              f"signed tree head {sth.id}: size {sth.tree_size}, root "
              f"{bytes(sth.root).hex()}, key {sth.key_id}")
    lines = [
        title, "=" * len(title), "",
        f"To:              {payload['report_to']}",
        f"Report:          {payload['id']} revision {payload['revision']} "
        f"(rule {payload['rule']}, rules {payload['rules_version']})",
        f"Reporting party: {payload['recycler'] or 'platform screening (regulator)'}",
        f"Seller:          {payload['seller_id_type']} {payload['seller_id_masked']}",
        f"Seller key:      {payload['seller_id_number_hash']}",
        f"Business days:   {payload['period_start']} to {payload['period_end']} "
        "(Beijing time)",
        f"Amount:          CNY {payload['amount_cny']:,.2f} in {len(payload['entries'])} "
        f"purchase(s)",
        f"Ledger entries:  {', '.join(map(str, payload['entries']))}",
        f"Due on:          {payload['due_on']}"
        + (" (estimated: holidays of that year not in the calendar)"
           if payload["due_estimated"] else ""),
        f"Finding:         {payload['reason']}", "",
        f"Basis: {payload['citation']}", "",
        f"Measure: {rules.source['title']} ({rules.source['document']}), in force "
        f"{rules.source['in_force']}.",
        f"Ledger anchor: {anchor}.", ""]
    return "\n".join(lines)


def submit_report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    """Submit a due report: its JSON and document are frozen and reach the regulator's inbox.

    Returns
    -------
    dict
        ``submission_id``, ``report_id``, ``document_sha256``.
    """
    actor.require_role(Role.ADMIN, Role.RECYCLER, Role.ENTERPRISE, Role.REGULATOR)
    payload = next((r for r in list_reports(session, actor, "all") if r["id"] == report_id),
                   None)
    if payload is None:
        raise NotFoundError(f"no report {report_id}")
    if payload["status"] != "due" and payload["status"] != "overdue":
        raise ConflictError(f"report {report_id} is {payload['status']}")
    document = _document(session, payload)
    digest = _sha256(document.encode("utf-8"))
    submission = RecyclingReportSubmission(report_id=report_id, submitted_by=_user(actor),
                                           payload={**payload, "status": "submitted"},
                                           document=document, document_sha256=digest)
    _add_once(session, submission, f"report {report_id} was submitted already")
    return {"submission_id": submission.id, "report_id": report_id, "document_sha256": digest}


def _add_once(session: Session, row: Any, conflict: str) -> None:
    """Add a row that a unique key allows once; a racing writer that stored it first makes
    this a conflict (409), not a database error (the transaction is then rolled back)."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(conflict) from exc


def regulator_inbox(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Submitted reports for regulators, newest first, with whether they were acknowledged."""
    actor.require_role(Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
    stmt = (select(RecyclingReportSubmission, RecyclingReportReceipt.received_at)
            .join(RecyclingReport, RecyclingReport.id == RecyclingReportSubmission.report_id)
            .join(RecyclingParticipant,
                  RecyclingParticipant.id == RecyclingReport.participant_id, isouter=True)
            .join(RecyclingReportReceipt,
                  RecyclingReportReceipt.submission_id == RecyclingReportSubmission.id,
                  isouter=True)
            .order_by(RecyclingReportSubmission.id.desc()))
    scope = _scope(actor)
    if scope is not None:
        stmt = stmt.where(scope)
    return [{"submission_id": s.id, "submitted_at": s.submitted_at.isoformat(),
             "document_sha256": s.document_sha256, "report": s.payload,
             "acknowledged_at": None if received is None else received.isoformat()}
            for s, received in session.execute(stmt)]


def acknowledge_submission(session: Session, actor: Actor, submission_id: int) -> None:
    """Record that a regulator has received a submitted report: a report in the regulator's
    scope (a provincial regulator's province), once.

    Raises
    ------
    NotFoundError
        When there is no such submission in the actor's scope.
    ConflictError
        When it was acknowledged already.
    """
    actor.require_role(Role.REGULATOR, Role.ADMIN)
    found = session.execute(
        select(RecyclingReportSubmission.id, RecyclingParticipant)
        .join(RecyclingReport, RecyclingReport.id == RecyclingReportSubmission.report_id)
        .join(RecyclingParticipant, RecyclingParticipant.id == RecyclingReport.participant_id,
              isouter=True)
        .where(RecyclingReportSubmission.id == submission_id)).one_or_none()
    if found is None or not _may_read(actor, found[1]):
        raise NotFoundError(f"no submission {submission_id}")
    received = session.scalar(select(RecyclingReportReceipt.received_at).where(
        RecyclingReportReceipt.submission_id == submission_id))
    if received is not None:
        raise ConflictError(f"submission {submission_id} was acknowledged already, at "
                            f"{received.isoformat()}")
    _add_once(session, RecyclingReportReceipt(submission_id=submission_id,
                                              received_by=_user(actor)),
              f"submission {submission_id} was acknowledged already")


# ---------------------------------------------------------------------------------------------
# Witness: recyclers' checkpoints kept by the regulator's server


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
        raise ConflictError(f"the log {stated.origin!r} is witnessed for another recycler or "
                            f"under the key {first.verifier_key}")
    if last is not None:
        if stated.size < last.tree_size:
            raise ConflictError(f"the log {stated.origin!r} was witnessed at {last.tree_size} "
                                f"entries; a checkpoint of {stated.size} would roll it back")
        try:
            merkle.verify_subtree_consistency(0, last.tree_size, stated.size, hashes,
                                              bytes(last.root), stated.root)
        except merkle.ProofError as exc:
            raise ConflictError(
                f"the checkpoint of {stated.origin!r} at {stated.size} entries is not "
                f"consistent with the one witnessed at {last.tree_size} ({exc}): the log was "
                f"rewritten or forked, or the proof is not from size {last.tree_size}"
            ) from exc
        if stated.size == last.tree_size:
            return _witnessed_view(last, participant.code)
    try:
        session.execute(insert(cast(Table, LedgerWitnessedCheckpoint.__table__)), [{
            "origin": stated.origin, "tree_size": stated.size, "root": stated.root,
            "checkpoint": checkpoint, "verifier_key": str(key),
            "participant_id": participant.id, "witnessed_at": utcnow(),
            "witnessed_by": _user(actor)}])
    except IntegrityError as exc:
        raise ConflictError(f"a checkpoint of {stated.origin!r} at {stated.size} entries was "
                            "witnessed meanwhile; send it again") from exc
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


# ---------------------------------------------------------------------------------------------
# Listing for pages


def list_entries(session: Session, actor: Actor, offset: int = 0, limit: int = 50
                 ) -> list[dict[str, Any]]:
    """Entries of the log, newest first: ``seq``, ``kind``, ``recorded_at``, ``leaf_hash``
    and ``entry`` (the canonical JSON parsed; sellers appear by keyed hash only). Actors
    limited to some participants see the purchases, corrections and lots of those."""
    stmt = select(E.c.seq, E.c.kind, E.c.recorded_at, E.c.leaf_hash, E.c.body)
    scope = _scope(actor)
    if scope is not None:
        mine = select(RecyclingParticipant.id).where(scope)
        own_purchases = select(P.c.entry_seq).where(P.c.participant_id.in_(mine))
        stmt = stmt.where(E.c.seq.in_(own_purchases)
                          | E.c.seq.in_(select(RecyclingCorrection.entry_seq).where(
                              RecyclingCorrection.target_seq.in_(own_purchases)))
                          | E.c.seq.in_(select(CustodyLot.entry_seq).where(
                              CustodyLot.participant_id.in_(mine)
                              | CustodyLot.refiner_id.in_(mine))))
    rows = session.execute(stmt.order_by(E.c.seq.desc()).offset(offset).limit(limit))
    return [{"seq": r.seq, "kind": r.kind, "recorded_at": r.recorded_at.isoformat(),
             "leaf_hash": bytes(r.leaf_hash).hex(), "entry": json.loads(r.body)} for r in rows]


def ledger_status(session: Session) -> dict[str, Any]:
    """Size and root of the log and its latest signed tree head."""
    head = session.execute(select(HEADS.c.size, HEADS.c.root)
                           .where(HEADS.c.id == HEAD_ID)).one()
    latest = list_tree_heads(session, 1)
    return {"size": int(head.size), "root": bytes(head.root).hex(),
            "signed_tree_head": latest[0] if latest else None}


def statistics_link(session: Session, actor: Actor) -> pd.DataFrame:
    """The ledger's recycled gold beside the statistical reports', per province and quarter.

    The ledger counts the fine gold recyclers bought (Beijing-time months folded into
    quarters); the quarterly reports carry ``gold_recycled_kg``, the gold refiners produced
    from recycled material. They measure two stages of one flow, so the table puts them side
    by side (with the ledger's share of the reported figure) rather than equating them.
    """
    columns = ["province", "period", "ledger_purchases", "ledger_fine_gold_kg",
               "ledger_amount_cny", "reported_gold_recycled_kg", "ledger_share_pct"]
    ledger = pd.DataFrame(recycled_totals(session, actor, ("province", "month")))
    if not ledger.empty:
        months = pd.PeriodIndex(ledger["month"], freq="M")
        ledger = (ledger.assign(period=[f"{m.year}-Q{m.quarter}" for m in months])
                  .groupby(["province", "period"], as_index=False)
                  .agg(ledger_purchases=("purchases", "sum"),
                       ledger_fine_gold_kg=("fine_gold_kg", "sum"),
                       ledger_amount_cny=("amount_cny", "sum")))
    reports = reporting.current_reports(session, actor)
    reported = pd.DataFrame(columns=["province", "period", "reported_gold_recycled_kg"])
    if not reports.empty:
        sites = reporting.registry_frame(session, actor)[["site", "province"]]
        recycled = reports.merge(sites, on="site")
        recycled = recycled[recycled["gold_recycled_kg"].notna()]
        reported = (recycled.groupby(["province", "period"], as_index=False)
                    .agg(reported_gold_recycled_kg=("gold_recycled_kg", "sum")))
    if ledger.empty and reported.empty:
        return pd.DataFrame(columns=columns)
    parts = [f for f in (ledger, reported) if not f.empty]
    table = parts[0] if len(parts) == 1 else parts[0].merge(parts[1], how="outer",
                                                          on=["province", "period"])
    table = table.reindex(columns=columns).sort_values(["period", "province"])
    table["ledger_share_pct"] = (100 * table["ledger_fine_gold_kg"]
                                 / table["reported_gold_recycled_kg"]).round(2)
    table["ledger_fine_gold_kg"] = table["ledger_fine_gold_kg"].round(6)
    return table.reset_index(drop=True)
