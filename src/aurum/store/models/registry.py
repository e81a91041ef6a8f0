"""The registry and the platform's own tables: organisations and their sites, users, API
tokens, browser sessions, failed logins and the audit trail.

The audit trail (:class:`AuditRecord`) is written by the hook in :mod:`aurum.store.audit` for
every ORM write and explicitly for bulk imports.

Organisations and sites carry two names (:class:`BilingualName`): the English one in the column
``name`` (attribute ``name_en``, the name files and programs use) and the official Chinese one
(``name_zh``). Their ``name`` reads in the language in force (:mod:`aurum.core.i18n`), in
Python and in queries alike, so every page and chart shows the reader's language without
knowing there are two.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from aurum.core import i18n
from aurum.store.models.base import AppendOnly, Base, utcnow


class BilingualName:
    """A name in English (``name_en``, stored in the column ``name``) and in Chinese
    (``name_zh``, the official one, optional); ``name`` is the one of the language in force,
    the English one where there is no Chinese. Setting ``name`` sets the English name."""

    name_en: Mapped[str] = mapped_column("name", String(200))
    name_zh: Mapped[str | None] = mapped_column(String(200))

    @hybrid_property
    def name(self) -> str:
        return self.name_zh if self.name_zh and i18n.is_chinese() else self.name_en

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.name_en = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls) -> ColumnElement[str]:
        # Labelled "name" in both languages, so result rows and frames keep their column.
        chosen = (func.coalesce(cls.name_zh, cls.name_en) if i18n.is_chinese()
                  else cls.name_en)
        return chosen.label("name")


class Organisation(BilingualName, Base):
    """An enterprise, an enterprise group or another organisation of the industry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    org_type: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])
    sites: Mapped[list[Site]] = relationship(back_populates="organisation")


class Site(BilingualName, Base):
    """A mine, a plant or a tailings facility of an organisation."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
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
    # The language the user chose (aurum.core.i18n.LOCALES); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(8))
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


class AuditRecord(AppendOnly, Base):
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
