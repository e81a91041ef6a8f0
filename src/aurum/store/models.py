"""SQLAlchemy 2.0 typed models of the registry, users, statistical reports and the audit trail.

Reports are versioned: ``Report`` is the key (site, period); each submission or amendment is
a new, never-updated ``ReportVersion``. The audit trail (``AuditRecord``) is written by the
hook in :mod:`aurum.store.audit` for every ORM write and explicitly for bulk imports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware current time (UTC)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    """An enterprise, an enterprise group or another organisation of the industry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    org_type: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])
    sites: Mapped[list[Site]] = relationship(back_populates="organisation")


class Site(Base):
    """A mine, a plant or a tailings facility of an organisation."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    province: Mapped[str] = mapped_column(String(32), index=True)
    mine_method: Mapped[str | None] = mapped_column(String(16))
    plant_type: Mapped[str | None] = mapped_column(String(32))
    design_capacity_tpd: Mapped[float | None] = mapped_column(Double)
    depth_m: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    commissioned_on: Mapped[date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship(back_populates="sites")


class User(Base):
    """A person who logs in. ``org_id`` scopes enterprise and recycler users; ``province``
    scopes a provincial regulator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    province: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    organisation: Mapped[Organisation | None] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored. It is refused after ``expires_at`` or once
    revoked; ``last_used_at`` is kept to the minute."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A browser login. The cookie carries a random id; only its SHA-256 is stored. The
    session ends at ``expires_at``, after an idle spell since ``last_seen_at`` (kept to the
    minute), or when revoked (logout, password change, deactivation)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One failed login (page or token request), kept for the throttling window: counted per
    account name and per client address by every worker alike."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Upload(Base):
    """One uploaded file of reports, accepted whole or rejected whole with its problems."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Report(Base):
    """The key of a statistical report: one site, one period."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("site_id", "period", name="uq_reports_site_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    period_kind: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer, index=True)
    period_index: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.version")


class ReportVersion(Base):
    """One submission of a report; amendments add versions, nothing is updated in place.

    Values are in the units of :data:`aurum.industry.reporting.FIELDS`; waste figures are in
    the child rows of :class:`ReportWaste`.
    """

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_versions_rv"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    resource_statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_statements.id"))

    ore_mined_t: Mapped[float | None] = mapped_column(Double)
    ore_treated_t: Mapped[float | None] = mapped_column(Double)
    head_grade_gpt: Mapped[float | None] = mapped_column(Double)
    gold_own_mine_kg: Mapped[float | None] = mapped_column(Double)
    gold_associated_kg: Mapped[float | None] = mapped_column(Double)
    gold_imported_kg: Mapped[float | None] = mapped_column(Double)
    gold_recycled_kg: Mapped[float | None] = mapped_column(Double)
    silver_kg: Mapped[float | None] = mapped_column(Double)
    resources_measured_t: Mapped[float | None] = mapped_column(Double)
    resources_indicated_t: Mapped[float | None] = mapped_column(Double)
    resources_inferred_t: Mapped[float | None] = mapped_column(Double)
    reserves_proved_t: Mapped[float | None] = mapped_column(Double)
    reserves_probable_t: Mapped[float | None] = mapped_column(Double)
    cyanide_consumed_t: Mapped[float | None] = mapped_column(Double)
    energy_tce: Mapped[float | None] = mapped_column(Double)

    report: Mapped[Report] = relationship(back_populates="versions")
    waste: Mapped[list[ReportWaste]] = relationship(back_populates="version")


class ReportWaste(Base):
    """Solid waste of one type in one report version, t."""

    __tablename__ = "report_waste"
    __table_args__ = (UniqueConstraint("version_id", "waste_type", name="uq_report_waste_vt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    waste_type: Mapped[str] = mapped_column(String(32))
    generated_t: Mapped[float | None] = mapped_column(Double)
    stock_t: Mapped[float | None] = mapped_column(Double)
    used_backfill_t: Mapped[float | None] = mapped_column(Double)
    used_building_materials_t: Mapped[float | None] = mapped_column(Double)
    used_metal_recovery_t: Mapped[float | None] = mapped_column(Double)
    used_other_t: Mapped[float | None] = mapped_column(Double)

    version: Mapped[ReportVersion] = relationship(back_populates="waste")


class ResourceModel(Base):
    """An estimated block model: the blocks live in a Parquet file under AURUM_HOME, this row
    records where, its hash and how it was made (inputs' hash, parameters, code version)."""

    __tablename__ = "resource_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    samples_sha256: Mapped[str] = mapped_column(String(64))
    file_path: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    n_blocks: Mapped[int] = mapped_column(Integer)
    n_estimated: Mapped[int] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(32))

    site: Mapped[Site] = relationship()


class ResourceStatement(Base):
    """A year-end resource statement of a mine (contained gold by class), versioned; its
    waterfall explains the change from the previous year's statement."""

    __tablename__ = "resource_statements"
    __table_args__ = (UniqueConstraint("site_id", "year", "version",
                                       name="uq_resource_statements_syv"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    effective_date: Mapped[date] = mapped_column(Date)
    cutoff_gpt: Mapped[float] = mapped_column(Double)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("resource_models.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    measured_tonnes: Mapped[float] = mapped_column(Double)
    measured_grade_gpt: Mapped[float | None] = mapped_column(Double)
    measured_gold_t: Mapped[float] = mapped_column(Double)
    indicated_tonnes: Mapped[float] = mapped_column(Double)
    indicated_grade_gpt: Mapped[float | None] = mapped_column(Double)
    indicated_gold_t: Mapped[float] = mapped_column(Double)
    inferred_tonnes: Mapped[float] = mapped_column(Double)
    inferred_grade_gpt: Mapped[float | None] = mapped_column(Double)
    inferred_gold_t: Mapped[float] = mapped_column(Double)
    waterfall: Mapped[dict[str, float] | None] = mapped_column(JSON)

    site: Mapped[Site] = relationship()
    model: Mapped[ResourceModel | None] = relationship()


class AuditRecord(Base):
    """Who changed what, when: the values before and after. Append-only."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


APPEND_ONLY: tuple[type[Base], ...] = (ReportVersion, ReportWaste, AuditRecord, Upload,
                                       ResourceModel, ResourceStatement)
"""Rows of these tables are never updated or deleted once written."""


# ---------------------------------------------------------------------------------------------
# The gold recycling ledger (aurum.recycling, aurum.services.recycling)


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


class LedgerEntry(Base):
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


class LedgerNode(Base):
    """A complete subtree hash of the log, kept from level 8 (256 leaves) up for proofs."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerTreeHead(Base):
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


class LedgerWitnessedCheckpoint(Base):
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


class RecyclingPurchase(Base):
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


class RecyclingCorrection(Base):
    """A correction entry: it reverses or amends an earlier entry, at most once each."""

    __tablename__ = "recycling_corrections"

    entry_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                           primary_key=True, autoincrement=False)
    target_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.seq"),
                                            unique=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)


class CustodyLot(Base):
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


class CustodyLotPurchase(Base):
    """A purchase in a lot (each purchase goes into one lot at most)."""

    __tablename__ = "custody_lot_purchases"

    lot_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_lots.entry_seq"),
                                         primary_key=True, autoincrement=False)
    purchase_seq: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("recycling_purchases.entry_seq"), primary_key=True,
        autoincrement=False, unique=True)


class CustodyAssay(Base):
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


class CustodyBar(Base):
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


class CustodyBarInput(Base):
    """Fine gold of one assayed lot that went into one bar, g."""

    __tablename__ = "custody_bar_inputs"

    bar_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_bars.entry_seq"),
                                         primary_key=True, autoincrement=False)
    lot_seq: Mapped[int] = mapped_column(BigInteger, ForeignKey("custody_lots.entry_seq"),
                                         primary_key=True, autoincrement=False, index=True)
    fine_gold_g: Mapped[float] = mapped_column(Double)


class RecyclingReport(Base):
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


class RecyclingReportSubmission(Base):
    """A report as submitted: the JSON and the document, frozen, in the regulator's inbox."""

    __tablename__ = "recycling_report_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("recycling_reports.id"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))


class RecyclingReportReceipt(Base):
    """A regulator's acknowledgement of a submitted report."""

    __tablename__ = "recycling_report_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("recycling_report_submissions.id"),
                                               unique=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RecyclingWatchListChange(Base):
    """A seller put on or taken off the watch list (by keyed hash); the latest change wins."""

    __tablename__ = "recycling_watch_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


APPEND_ONLY += (LedgerEntry, LedgerNode, LedgerTreeHead, RecyclingPurchase,
                RecyclingCorrection, CustodyLot, CustodyLotPurchase, CustodyAssay, CustodyBar,
                CustodyBarInput, RecyclingReport, RecyclingReportSubmission,
                RecyclingReportReceipt, RecyclingWatchListChange)


# ---------------------------------------------------------------------------------------------
# Work safety: the hazard register, tailings facilities, sensors and alerts (aurum.safety,
# aurum.services.safety, aurum.services.sensors)


class SafetyHazard(Base):
    """A hazard of the register (事故隐患) and where it stands in the workflow of
    :mod:`aurum.safety.register`; its history is the append-only :class:`SafetyHazardEvent`.

    ``x``/``y`` are mine-grid coordinates (m), ``lon``/``lat`` WGS 84 degrees; ``photos`` and
    ``evidence`` hold the SHA-256 of files kept under ``AURUM_HOME/safety/files``.
    """

    __tablename__ = "safety_hazards"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(200))
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    facility: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[str | None] = mapped_column(String(8), index=True)
    criterion: Mapped[str | None] = mapped_column(String(16))
    clause: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(64))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_on: Mapped[date] = mapped_column(Date)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    rectified_by: Mapped[str | None] = mapped_column(String(64))
    rectified_on: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    escalation: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    tailings_facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("tailings_facilities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
    events: Mapped[list[SafetyHazardEvent]] = relationship(
        back_populates="hazard", order_by="SafetyHazardEvent.id")


class SafetyHazardEvent(Base):
    """One step of a hazard's timeline: who did what, when, from which state to which.
    Append-only."""

    __tablename__ = "safety_hazard_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("safety_hazards.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)

    hazard: Mapped[SafetyHazard] = relationship(back_populates="events")


class TailingsFacility(Base):
    """A tailings facility (尾矿库) and the design data its monitoring rules refer to
    (:class:`aurum.safety.tailings.TailingsDesign`; elevations and lengths in m, storage in
    m³, displacement limits in mm). ``alarm_level`` is its latest roll-up level (0-4)."""

    __tablename__ = "tailings_facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[int] = mapped_column(Integer)
    dam_type: Mapped[str] = mapped_column(String(16))
    crest_elevation_m: Mapped[float] = mapped_column(Double)
    beach_slope: Mapped[float] = mapped_column(Double)
    control_phreatic_depth_m: Mapped[float] = mapped_column(Double)
    design_flood_level_m: Mapped[float | None] = mapped_column(Double)
    flood_control_level_m: Mapped[float | None] = mapped_column(Double)
    operating_control_level_m: Mapped[float | None] = mapped_column(Double)
    design_freeboard_m: Mapped[float | None] = mapped_column(Double)
    design_beach_length_m: Mapped[float | None] = mapped_column(Double)
    displacement_limits_mm: Mapped[dict[str, float] | None] = mapped_column(JSON)
    total_storage_m3: Mapped[float | None] = mapped_column(Double)
    dam_height_m: Mapped[float | None] = mapped_column(Double)
    alarm_level: Mapped[int] = mapped_column(Integer, default=0)
    alarm_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship()
    sensors: Mapped[list[Sensor]] = relationship(back_populates="facility",
                                                 order_by="Sensor.code")


class Sensor(Base):
    """A monitoring sensor of a site: its kind and unit, the tailings facility it belongs to
    (its rules then come from the facility's design), its position (mine grid x/y/z and
    depth, m) and its own alarm rules as data (see :mod:`aurum.services.sensors`)."""

    __tablename__ = "sensors"
    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_sensors_site_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("tailings_facilities.id"),
                                                    index=True)
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    z: Mapped[float | None] = mapped_column(Double)
    depth_m: Mapped[float | None] = mapped_column(Double)
    surface_elevation_m: Mapped[float | None] = mapped_column(Double)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    alarm_level: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship()
    facility: Mapped[TailingsFacility | None] = relationship(back_populates="sensors")


class SensorReading(Base):
    """One reading of a sensor, in the sensor's unit; (sensor, time) is unique, so a reading
    delivered twice is stored once. Append-only."""

    __tablename__ = "sensor_readings"

    sensor_id: Mapped[int] = mapped_column(ForeignKey("sensors.id"), primary_key=True,
                                           autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    value: Mapped[float] = mapped_column(Double)


class Alert(Base):
    """An alarm raised by a sensor's rules, a tailings facility's roll-up or the seismic
    monitoring: its level (1 blue .. 4 red), the value that raised it, the acknowledgement
    and the hazard it opened, if any."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    sensor_id: Mapped[int | None] = mapped_column(ForeignKey("sensors.id"), index=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("tailings_facilities.id"),
                                                    index=True)
    rule: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    value: Mapped[float | None] = mapped_column(Double)
    message: Mapped[str] = mapped_column(Text)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ack_note: Mapped[str | None] = mapped_column(Text)
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("safety_hazards.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
    sensor: Mapped[Sensor | None] = relationship()
    facility: Mapped[TailingsFacility | None] = relationship()


APPEND_ONLY += (SafetyHazardEvent, SensorReading)


# --- microseismic monitoring (aurum.services.seismic) ------------------------------------------


class SeismicCatalogue(Base):
    """The microseismic catalogue of a site: the local grid its positions are in (origin in
    WGS 84 degrees and ellipsoidal height, m) and the homogeneous velocities used to relocate
    events from edited picks (m/s; None until set)."""

    __tablename__ = "seismic_catalogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    grid_latitude: Mapped[float | None] = mapped_column(Double)
    grid_longitude: Mapped[float | None] = mapped_column(Double)
    grid_elevation_m: Mapped[float | None] = mapped_column(Double)
    vp_m_s: Mapped[float | None] = mapped_column(Double)
    vs_m_s: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()


class SeismicStation(Base):
    """A seismic station of a site, at a point of the mine grid (x, y, z in m, z up)."""

    __tablename__ = "seismic_stations"
    __table_args__ = (UniqueConstraint("site_id", "code", name="uq_seismic_stations_site_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    network: Mapped[str] = mapped_column(String(8), default="")
    x: Mapped[float] = mapped_column(Double)
    y: Mapped[float] = mapped_column(Double)
    z: Mapped[float] = mapped_column(Double)


class SeismicEvent(Base):
    """A located seismic event (or blast) of a site's catalogue: origin time (UTC), position
    in the mine grid (m), magnitudes, moment (N·m), radiated energy (J), apparent stress (Pa),
    apparent volume (m³), corner frequency (Hz), energy index; its review status and the file
    it came from. ``resource_id`` (the QuakeML id) is unique within the site, so importing a
    file twice stores its events once."""

    __tablename__ = "seismic_events"
    __table_args__ = (UniqueConstraint("site_id", "resource_id",
                                       name="uq_seismic_events_site_resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    resource_id: Mapped[str] = mapped_column(String(200))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    z: Mapped[float | None] = mapped_column(Double)
    ml: Mapped[float | None] = mapped_column(Double)
    mw: Mapped[float | None] = mapped_column(Double)
    moment: Mapped[float | None] = mapped_column(Double)
    energy: Mapped[float | None] = mapped_column(Double)
    apparent_stress: Mapped[float | None] = mapped_column(Double)
    apparent_volume: Mapped[float | None] = mapped_column(Double)
    corner_frequency: Mapped[float | None] = mapped_column(Double)
    energy_index: Mapped[float | None] = mapped_column(Double)
    n_stations: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    picks: Mapped[list[SeismicPick]] = relationship(back_populates="event",
                                                    order_by="SeismicPick.id",
                                                    cascade="all, delete-orphan")


class SeismicPick(Base):
    """A phase pick of an event: station code, phase (P/S), time (POSIX s) and weight (0-1)."""

    __tablename__ = "seismic_picks"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("seismic_events.id"), index=True)
    station: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(4))
    time: Mapped[float] = mapped_column(Double)
    weight: Mapped[float] = mapped_column(Double)

    event: Mapped[SeismicEvent] = relationship(back_populates="picks")


# ---------------------------------------------------------------------------------------------
# Processing plants: circuits, monthly metal accounts, solid-waste ledger
# (aurum.processing, aurum.services.processing)


class PlantCircuit(Base):
    """One version of a plant's circuit (:func:`aurum.processing.circuit.circuit_to_mapping`:
    nodes, streams and, when saved with a survey, its measurements in t and g/t). A change is
    a new version; versions are never updated."""

    __tablename__ = "plant_circuits"
    __table_args__ = (UniqueConstraint("site_id", "name", "version",
                                       name="uq_plant_circuits_site_name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    period: Mapped[str | None] = mapped_column(String(8))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    reconciliation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()


class MetalAccount(Base):
    """One version of a plant's metal account of a month (AMIRA P754 check-in / check-out;
    gold in g, ore in t, grade in g/t). Never updated: a correction is a new version with a
    reason; closing the month is a :class:`MetalAccountClosing`."""

    __tablename__ = "metal_accounts"
    __table_args__ = (UniqueConstraint("site_id", "period", "version",
                                       name="uq_metal_accounts_site_period_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    ore_treated_t: Mapped[float] = mapped_column(Double)
    head_grade_gpt: Mapped[float | None] = mapped_column(Double)
    check_in_g: Mapped[float] = mapped_column(Double)
    check_in_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    products_g: Mapped[float] = mapped_column(Double)
    products_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    tailings_g: Mapped[float] = mapped_column(Double)
    tailings_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    opening_g: Mapped[float] = mapped_column(Double, default=0.0)
    opening_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    closing_g: Mapped[float] = mapped_column(Double, default=0.0)
    closing_sd_g: Mapped[float] = mapped_column(Double, default=0.0)
    share_own_mine: Mapped[float] = mapped_column(Double, default=1.0)
    share_associated: Mapped[float] = mapped_column(Double, default=0.0)
    share_imported: Mapped[float] = mapped_column(Double, default=0.0)
    unaccounted_g: Mapped[float] = mapped_column(Double)
    unaccounted_sd_g: Mapped[float] = mapped_column(Double)
    recovery: Mapped[float | None] = mapped_column(Double)
    recovery_sd: Mapped[float | None] = mapped_column(Double)
    circuit_id: Mapped[int | None] = mapped_column(ForeignKey("plant_circuits.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()


class MetalAccountClosing(Base):
    """The closing of a month: locks an account version. ``sha256`` covers the account's
    figures and the previous closing of the site (``previous_sha256``), so the closed months
    of a plant form a hash chain an auditor can recompute."""

    __tablename__ = "metal_account_closings"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("metal_accounts.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    account: Mapped[MetalAccount] = relationship()


class WasteEntry(Base):
    """One line of a site's solid-waste ledger: a waste type in a month (t), as
    :func:`aurum.processing.waste.validate_ledger` defines it. Append-only: a correction is a
    new entry naming the one it ``supersedes`` and why."""

    __tablename__ = "waste_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period: Mapped[str] = mapped_column(String(8), index=True)
    waste_type: Mapped[str] = mapped_column(String(32))
    generated_t: Mapped[float] = mapped_column(Double)
    opening_stock_t: Mapped[float] = mapped_column(Double)
    utilised_backfill_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_building_materials_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_metal_recovery_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_other_t: Mapped[float] = mapped_column(Double, default=0.0)
    utilised_from_stock_t: Mapped[float] = mapped_column(Double, default=0.0)
    disposed_t: Mapped[float] = mapped_column(Double, default=0.0)
    detox_status: Mapped[str] = mapped_column(String(16), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("waste_entries.id"),
                                                      unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    site: Mapped[Site] = relationship()
