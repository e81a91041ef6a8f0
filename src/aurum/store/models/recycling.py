"""The gold recycling ledger (:mod:`aurum.recycling`, :mod:`aurum.services.recycling`):
participants, shops and sellers, the Merkle log and its signed heads, the rows of purchases,
corrections and custody that mirror its entries, and the reports to make."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Base, utcnow


class RecyclingParticipant(Base):
    """A licensed recycler or a refiner; optionally the registry organisation it is."""

    __tablename__ = "recycling_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    province: Mapped[str | None] = mapped_column(String(32), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18))
    licence_no: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shops: Mapped[list[RecyclingShop]] = relationship(back_populates="participant")


class RecyclingShop(Base):
    """A shop (counter) of a recycler."""

    __tablename__ = "recycling_shops"
    __table_args__ = (UniqueConstraint("participant_id", "code", name="uq_recycling_shops_pc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"),
                                                index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    participant: Mapped[RecyclingParticipant] = relationship(back_populates="shops")


class RecyclingSeller(Base):
    """A seller, named by the keyed hash of its identity document; name and number are kept
    sealed (AES-GCM) and shown masked."""

    __tablename__ = "recycling_sellers"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_type: Mapped[str] = mapped_column(String(16))
    id_masked: Mapped[str] = mapped_column(String(32))
    name_masked: Mapped[str] = mapped_column(String(100))
    id_number_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerEntry(AppendOnly, Base):
    """One entry of the append-only log: its canonical JSON and RFC 6962 leaf hash."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class LedgerHead(Base):
    """The log's current size, root and frontier (one row, the lock every append takes)."""

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerNode(AppendOnly, Base):
    """A complete subtree hash of the log, kept from level 8 (256 leaves) up for proofs."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerTreeHead(AppendOnly, Base):
    """A signed tree head (RFC 6962 §3.5 fields, Ed25519 signature) and the same head as a
    C2SP checkpoint (signed note; None on heads signed before checkpoints existed)."""

    __tablename__ = "ledger_tree_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    checkpoint: Mapped[str | None] = mapped_column(Text)


class LedgerWitnessedCheckpoint(AppendOnly, Base):
    """A checkpoint of a recycler's ledger kept by the regulator's server as witness: each new
    one of an origin must be consistent with the largest before it."""

    __tablename__ = "ledger_witnessed_checkpoints"
    __table_args__ = (UniqueConstraint("origin", "tree_size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(255))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    checkpoint: Mapped[str] = mapped_column(Text)
    verifier_key: Mapped[str] = mapped_column(String(400))
    participant_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"))
    witnessed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    witnessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecyclingPurchase(AppendOnly, Base):
    """The columns of a purchase entry, for queries; the verifier checks them against it."""

    __tablename__ = "recycling_purchases"
    __table_args__ = (
        Index("ix_recycling_purchases_pd", "participant_id", "business_date"),
        Index("ix_recycling_purchases_sd", "seller_id", "business_date"),
    )

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    participant_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("recycling_shops.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("recycling_sellers.id"))
    item_type: Mapped[str] = mapped_column(String(24))
    gross_weight_g: Mapped[float] = mapped_column(Double)
    fineness_permille: Mapped[float] = mapped_column(Double)
    assay_method: Mapped[str] = mapped_column(String(16))
    fine_gold_g: Mapped[float] = mapped_column(Double)
    price_per_g_cny: Mapped[float] = mapped_column(Double)
    amount_cny: Mapped[float] = mapped_column(Double)
    payment_method: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    business_date: Mapped[date] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(24))
    origin_statement_hmac: Mapped[str | None] = mapped_column(String(64))
    origin_statement_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    photos: Mapped[str] = mapped_column(Text)
    amends_seq: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"))


class RecyclingCorrection(AppendOnly, Base):
    """A correction entry: it reverses or amends an earlier entry, at most once each."""

    __tablename__ = "recycling_corrections"

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    target_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                            unique=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)


class CustodyLot(AppendOnly, Base):
    """A lot of purchases sent by a recycler to a refiner for entrusted refining."""

    __tablename__ = "custody_lots"

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"),
                                                index=True)
    refiner_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"),
                                            index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fine_gold_declared_g: Mapped[float] = mapped_column(Double)


class CustodyLotPurchase(AppendOnly, Base):
    """A purchase in a lot (each purchase goes into one lot at most)."""

    __tablename__ = "custody_lot_purchases"

    lot_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_lots.entry_seq"),
                                         primary_key=True, autoincrement=False)
    purchase_seq: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recycling_purchases.entry_seq"), primary_key=True,
        autoincrement=False, unique=True)


class CustodyAssay(AppendOnly, Base):
    """The refiner's melt and assay of a lot, with its fine-gold mass balance."""

    __tablename__ = "custody_assays"

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    lot_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_lots.entry_seq"),
                                         unique=True)
    melted_weight_g: Mapped[float] = mapped_column(Double)
    fineness_permille: Mapped[float] = mapped_column(Double)
    method: Mapped[str] = mapped_column(String(16))
    fine_gold_g: Mapped[float] = mapped_column(Double)
    assayed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tolerance_g: Mapped[float] = mapped_column(Double)
    within_tolerance: Mapped[bool] = mapped_column(Boolean)


class CustodyBar(AppendOnly, Base):
    """A refined bar and where its fine gold came from (:class:`CustodyBarInput`)."""

    __tablename__ = "custody_bars"

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    refiner_id: Mapped[int] = mapped_column(ForeignKey("recycling_participants.id"),
                                            index=True)
    gross_weight_g: Mapped[float] = mapped_column(Double)
    fineness_permille: Mapped[float] = mapped_column(Double)
    fine_gold_g: Mapped[float] = mapped_column(Double)
    produced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustodyBarInput(AppendOnly, Base):
    """Fine gold of one assayed lot that went into one bar, g."""

    __tablename__ = "custody_bar_inputs"

    bar_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_bars.entry_seq"),
                                         primary_key=True, autoincrement=False)
    lot_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_lots.entry_seq"),
                                         primary_key=True, autoincrement=False, index=True)
    fine_gold_g: Mapped[float] = mapped_column(Double)


class RecyclingReport(AppendOnly, Base):
    """A report to make (large cash or suspicious), one row per revision of a detection."""

    __tablename__ = "recycling_reports"
    __table_args__ = (UniqueConstraint("subject_key", "revision",
                                       name="uq_recycling_reports_sr"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str] = mapped_column(String(16))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("recycling_participants.id"),
                                                       index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("recycling_sellers.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount_cny: Mapped[float] = mapped_column(Double)
    entries: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    due_estimated: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecyclingReportSubmission(AppendOnly, Base):
    """A report as submitted: the JSON and the document, frozen, in the regulator's inbox."""

    __tablename__ = "recycling_report_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("recycling_reports.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))


class RecyclingReportReceipt(AppendOnly, Base):
    """A regulator's acknowledgement of a submitted report."""

    __tablename__ = "recycling_report_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("recycling_report_submissions.id"),
                                               unique=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecyclingWatchListChange(AppendOnly, Base):
    """A seller put on or taken off the watch list (by keyed hash); the latest change wins."""

    __tablename__ = "recycling_watch_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
