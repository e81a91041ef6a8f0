"""Derived results (:mod:`aurum.services.derived`): what a page shows that costs more than a
request may spend — a model's variograms and cross-validation, a plant's accounts — computed
once when its data changes and kept with the version of the data it was computed from.

A row is a cache that survives restarts, not data: it can always be computed again from the
data it names, so it is not append-only (a newer version of a subject supersedes the older
rows, which may be deleted) and it is written with plain statements (no audit record, which
would also make every page's kept view out of date).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from aurum.store.models.base import Base, utcnow


class DerivedResult(Base):
    """One derivation of one subject at one version of its data.

    ``kind`` names the derivation (``resource-model-checks``), ``subject`` what it is of (a
    model's id), ``version`` the version of the subject's data it was computed from (a model
    file's SHA-256); ``payload`` is JSON (never a pickle: what the database holds must not be
    able to run code) and ``code_version`` the Aurum version that computed it.
    """

    __tablename__ = "derived_results"
    __table_args__ = (UniqueConstraint("kind", "subject", "version",
                                       name="uq_derived_results_kind_subject_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JSON)
    code_version: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
