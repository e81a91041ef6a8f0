"""The declarative base every model derives from, with the naming convention of constraints
and indexes that the migrations rely on, and the mixins for what many tables share.

The mixins only factor declarations: a table built with them has the same columns, in the same
order, with the same constraints and indexes as one that spells them out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

if TYPE_CHECKING:
    from aurum.store.models.registry import Site

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


class AppendOnly:
    """Marker of a table whose rows are never updated or deleted once written: a change is a
    new row (a new version, a correction naming what it corrects).

    The flush hook of :mod:`aurum.store.audit` refuses an ORM update or delete of such a row,
    and a database trigger refuses an UPDATE or DELETE statement (added by the migration that
    marks the table).
    """


class OfSite:
    """A row of one site: its integer key ``id`` and ``site_id`` (indexed), the two leading
    columns of the table, and the ``site`` relationship."""

    # Mixin columns would otherwise follow the class's own; a negative sort order keeps the key
    # and the site first, as the tables were created.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True, sort_order=-1)

    @declared_attr
    def site(cls) -> Mapped[Site]:
        """The site the row belongs to."""
        return relationship()


class Authored:
    """Who created the row (``created_by``, a user, None for the system) and when
    (``created_at``, UTC), the last two columns of the table."""

    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
