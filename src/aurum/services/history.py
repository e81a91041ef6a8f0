"""The history of one object: who changed it, when, what (before → after) and why.

Read from the audit trail (:mod:`aurum.store.audit`): the records of the object itself and of
the records that belong to it (a site's report versions and monthly closings, a report's
versions and review steps, a hazard's timeline steps), newest first, a page of
:data:`PAGE_SIZE` at a time. Only the objects of :data:`KINDS` have a history; each is opened
with its own service's scope check, so a reader sees the history of what it may read, and the
answer for anything else (an unknown kind, an object outside its scope or none at all) is the
same :class:`~aurum.core.errors.NotFoundError`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from aurum.core.errors import NotFoundError
from aurum.core.i18n import _
from aurum.services import registry, reporting
from aurum.services.auth import Actor
from aurum.services.safety.permissions import get_hazard
from aurum.store.models import AuditRecord, RecyclingParticipant, User

PAGE_SIZE = 100
"""Changes on a page of a history."""
REASON_KEYS = ("reason", "amendment_reason", "note", "purpose")
"""Keys of a record's snapshot that say why it changed (the first one not empty is shown)."""
HIDDEN = frozenset({"id", "updated_at", *REASON_KEYS})
"""Keys not listed among the fields changed: the row's own id, the time every write touches,
and the reason, which has its column."""


@dataclass(frozen=True)
class Subject:
    """The object whose history is read: its row id, the key of its page and its name (and,
    for a report, its site's code and its period, which its versions' records name)."""

    id: int
    key: str
    name: str
    site: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Change:
    """One field of a record: its value before and after (None where there was none)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    """One audit record of the history.

    Parameters
    ----------
    at : datetime
        When (UTC).
    actor : str or None
        The display name of who changed it; None for the platform's own processes.
    action : str
        ``create``, ``update``, ``delete``, or the name of a bulk write (``amend``, ``close``,
        ``ingest``…).
    entity : str
        The kind of record changed (a table name): the object's own or one that belongs to it.
    entity_id : str or None
        The id of the record changed.
    changes : list of Change
        The fields that differ between before and after.
    reason : str or None
        Why, when the writer said.
    """

    at: datetime
    actor: str | None
    action: str
    entity: str
    entity_id: str | None
    changes: list[Change]
    reason: str | None


@dataclass(frozen=True)
class History:
    """A page of the history of one object, newest first."""

    entity: str
    subject: Subject
    entries: list[Entry]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Kind:
    """An object that has a history.

    Parameters
    ----------
    open : callable
        ``(session, actor, key) -> Subject``: the object if the actor may read it, else
        :class:`~aurum.core.errors.NotFoundError` (whether it exists or not).
    records : callable
        ``(table, subject) -> condition`` on :class:`~aurum.store.models.AuditRecord`: the
        records of the object and of what belongs to it.
    """

    open: Callable[[Session, Actor, str], Subject]
    records: Callable[[str, Subject], ColumnElement[bool]]


def _own(table: str, subject: Subject) -> ColumnElement[bool]:
    # The session hook writes a new row's record before the row has its identity: the id is
    # then only in the snapshot.
    return and_(AuditRecord.entity == table, or_(
        AuditRecord.entity_id == str(subject.id),
        and_(AuditRecord.entity_id.is_(None),
             AuditRecord.after["id"].as_integer() == subject.id)))


def _site(session: Session, actor: Actor, key: str) -> Subject:
    site = registry.get_site(session, actor, key)
    return Subject(site.id, site.code, site.name)


def _site_records(table: str, subject: Subject) -> ColumnElement[bool]:
    # A site's reports are written in bulk (one record per version, naming the site); its
    # monthly closings, sensor readings and seismic imports by bulk actions keyed by its code.
    return or_(_own(table, subject),
               and_(AuditRecord.entity == "report_versions",
                    AuditRecord.after["site"].as_string() == subject.key),
               and_(AuditRecord.entity.in_(("metal_accounts", "sensor_readings",
                                            "seismic_events")),
                    AuditRecord.entity_id == subject.key))


def _report(session: Session, actor: Actor, key: str) -> Subject:
    if not key.isdigit() or len(key) > 18:
        raise NotFoundError(_("no report %(id)s", id=key))
    report = reporting.get_report(session, actor, int(key))
    return Subject(report.id, str(report.id), f"{report.site.name} {report.period}",
                   report.site.code, report.period)


def _report_records(table: str, subject: Subject) -> ColumnElement[bool]:
    # Versions are written in bulk, each record naming its site and period; review steps
    # (returned with a reason, accepted) are rows of their own naming the report.
    return or_(_own(table, subject),
               and_(AuditRecord.entity == "report_versions",
                    AuditRecord.after["site"].as_string() == subject.site,
                    AuditRecord.after["period"].as_string() == subject.period),
               and_(AuditRecord.entity == "report_reviews",
                    AuditRecord.after["report_id"].as_integer() == subject.id))


def _organisation(session: Session, actor: Actor, key: str) -> Subject:
    org = registry.get_organisation(session, actor, key)
    return Subject(org.id, org.code, org.name)


def _hazard(session: Session, actor: Actor, key: str) -> Subject:
    if not key.isdigit() or len(key) > 18:
        raise NotFoundError(_("no hazard %(hazard)s", hazard=key))
    row = get_hazard(session, actor, int(key))
    return Subject(row.id, str(row.id), row.title)


def _hazard_records(table: str, subject: Subject) -> ColumnElement[bool]:
    # Each step of the workflow updates the hazard and appends a timeline step whose note
    # says why.
    return or_(_own(table, subject),
               and_(AuditRecord.entity == "safety_hazard_events",
                    AuditRecord.after["hazard_id"].as_integer() == subject.id))


def _participant(session: Session, actor: Actor, key: str) -> Subject:
    row = session.scalar(select(RecyclingParticipant).where(RecyclingParticipant.code == key))
    if row is None or not actor.can_read_owner(row.org_id, row.province):
        raise NotFoundError(_("no participant %(code)s", code=repr(key)))
    return Subject(row.id, row.code, row.name)


KINDS: dict[str, Kind] = {
    "sites": Kind(_site, _site_records),
    "reports": Kind(_report, _report_records),
    "organisations": Kind(_organisation, _own),
    "safety_hazards": Kind(_hazard, _hazard_records),
    "recycling_participants": Kind(_participant, _own),
}
"""The objects with a history, by the audit trail's name of their table."""


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields whose value differs between ``before`` and ``after``, in their order."""
    before, after = before or {}, after or {}
    keys = [*before, *(k for k in after if k not in before)]
    return [Change(k, _shown(before.get(k)), _shown(after.get(k))) for k in keys
            if k not in HIDDEN and before.get(k) != after.get(k)]


def _shown(value: Any) -> Any:
    """A snapshot's value as one value: lists and objects as their JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _reason(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    for snapshot in (after or {}, before or {}):
        for key in REASON_KEYS:
            if isinstance(snapshot.get(key), str) and snapshot[key].strip():
                return str(snapshot[key]).strip()
    return None


def history(session: Session, actor: Actor, entity: str, key: str, page: int = 1) -> History:
    """A page of the changes of one object, newest first.

    Parameters
    ----------
    entity : str
        The kind of object, a key of :data:`KINDS` (``sites``, ``reports``,
        ``organisations``, ``safety_hazards``, ``recycling_participants``).
    key : str
        The object as its page names it: a site's, an enterprise's or a participant's code,
        a report's or a hazard's number.
    page : int
        From 1; a page after the last is empty.

    Raises
    ------
    NotFoundError
        An unknown kind, or an object the actor may not read (whether it exists or not).
    """
    kind = KINDS.get(entity)
    if kind is None:
        raise NotFoundError(_("no history of %(kind)s", kind=repr(entity)))
    subject = kind.open(session, actor, key)
    condition = kind.records(entity, subject)
    total = session.scalar(select(func.count()).select_from(AuditRecord).where(condition)) or 0
    rows = session.execute(
        select(AuditRecord, User.display_name, User.username)
        .outerjoin(User, User.id == AuditRecord.user_id).where(condition)
        .order_by(AuditRecord.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    entries = [Entry(r.at, (name or username) if r.user_id else None, r.action, r.entity,
                     r.entity_id, _changes(r.before, r.after), _reason(r.before, r.after))
               for r, name, username in rows]
    return History(entity, subject, entries, page, max(1, math.ceil(total / PAGE_SIZE)), total)
