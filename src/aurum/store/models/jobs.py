"""Background jobs (:mod:`aurum.services.jobs`): what was asked, by whom, over whose data, and
how far it has got.

A job row is bookkeeping, not data: its state and progress are written by the worker with
plain statements (no audit record per progress step); its creation is audited like any write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from aurum.store.models.base import Base, utcnow


class Job(Base):
    """One piece of long work: a pit study, an estimation, a prospectivity study."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Double, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The scope of the data the job touches: who may read it (with the submitter).
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    province: Mapped[str | None] = mapped_column(String(64))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
