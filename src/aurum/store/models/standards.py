"""The gold field's standard system (:mod:`aurum.services.standards`, issue 22): standards,
their status history (append-only), implementation records (append-only; a correction is a
new record naming the one it corrects) and international counterparts (append-only; the
newest row of a reference is its current recognition status)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aurum.store.models.base import AppendOnly, Authored, Base
from aurum.store.models.registry import Organisation


class Standard(Authored, Base):
    """A standard: its number (canonical, ``GB/T 4134-2021``) and parts, level, titles,
    current ``status`` (its changes are :class:`StandardStatusEvent` rows), committee,
    dates, priority-area ``tags`` (list of keys), the edition it ``supersedes``, where its
    number and title were confirmed (``source``) and whether they were (``confirmed``)."""

    __tablename__ = "standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    serial: Mapped[str] = mapped_column(String(8))
    part: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(16), index=True)
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), index=True)
    committee: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id"))
    source: Mapped[str] = mapped_column(String(500))
    confirmed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(500))

    supersedes: Mapped[Standard | None] = relationship(remote_side=[id])


class StandardStatusEvent(AppendOnly, Authored, Base):
    """A change of a standard's status: from (None when the standard was recorded), to, the
    day it took effect and why."""

    __tablename__ = "standard_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))


class StandardImplementation(AppendOnly, Authored, Base):
    """An organisation's application of a standard: since when, what was done, the
    indicators before and after with their computed change (``indicators``: ``{name, unit,
    before, after, better, change, relative_change, improvement, improved}`` each,
    :meth:`aurum.standards.effect.Indicator.as_dict`), and the record it corrects."""

    __tablename__ = "standard_implementations"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(500))
    indicators: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("standard_implementations.id"))

    organisation: Mapped[Organisation] = relationship()


class StandardCounterpart(AppendOnly, Authored, Base):
    """An international document a standard corresponds to: body, reference, degree of
    correspondence and mutual-recognition status as of the row's time."""

    __tablename__ = "standard_counterparts"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    body: Mapped[str] = mapped_column(String(8))
    reference: Mapped[str] = mapped_column(String(80))
    relation: Mapped[str] = mapped_column(String(16))
    recognition: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500))
