"""The gold field's standard system (标准体系, issue 22): the registry of standards and their
status history, organisations' implementation records with the effect measured, and the
international counterparts with their mutual-recognition status.

Who does what (checked here, on every read and write):

- the registry (standards, their status, counterparts) is written by administrators and
  national regulators (a regulator without a province), who keep the standard system;
- an enterprise records the implementation of a standard for its own organisation (its
  group's members included); administrators for any;
- every signed-in reader reads the registry; implementation records are read as the
  organisation's other data are (an enterprise its own, a provincial regulator its
  province's, national readers all), and a standard's effect summary covers the records
  the reader may read.

The effect of a record (each indicator's change) is computed when it is stored; a page sums
the stored changes of a standard's few records (:func:`aurum.standards.effect.summarise`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.services import registry
from aurum.services.auth import Actor, Role
from aurum.standards.counterparts import counterpart_of
from aurum.standards.effect import Direction, EffectSummary, Indicator, indicators_of, summarise
from aurum.standards.lifecycle import (
    TRANSITIONS,
    Status,
    check_supersedes,
    check_transition,
    status_of,
    tags_of,
)
from aurum.standards.numbering import Level, parse_number
from aurum.standards.records import MAX_NOTE_CHARS, StandardRecord, read_file
from aurum.store.models import (
    Organisation,
    Standard,
    StandardCounterpart,
    StandardImplementation,
    StandardStatusEvent,
)

MAX_REASON_CHARS = 500
MAX_SUMMARY_CHARS = 500
MAX_LISTED = 5000
"""Most standards one listing returns: the whole registry of the field is a few hundred."""
MAX_IMPLEMENTATIONS_SHOWN = 500
"""Most implementation records a standard's page reads (the newest)."""
IMPLEMENTED = frozenset({Status.PUBLISHED, Status.UNDER_REVISION})
"""Statuses of a standard an organisation can apply: in force, or in force while revised."""


def can_edit(actor: Actor) -> bool:
    """Whether ``actor`` keeps the registry: an administrator or a national regulator."""
    return actor.role is Role.ADMIN or (actor.role is Role.REGULATOR and actor.province is None)


def require_editor(actor: Actor) -> None:
    """Refuse anybody but the registry's keepers (:func:`can_edit`), before what they sent
    is read."""
    if not can_edit(actor):
        raise PermissionDenied(i18n._(
            "only administrators and national regulators change the standards registry"))


def can_record(actor: Actor) -> bool:
    """Whether ``actor`` records implementations: an administrator (for any organisation) or
    an enterprise (for its own)."""
    return actor.role in (Role.ADMIN, Role.ENTERPRISE)


def require_recorder(actor: Actor) -> None:
    """Refuse anybody who records no implementation (:func:`can_record`), before what they
    sent is read."""
    if not can_record(actor):
        raise PermissionDenied(i18n._(
            "only administrators and enterprises record the implementation of a standard"))


def _text(value: object, field: str, most: int, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if (required and not text) or len(text) > most:
        raise ValidationError(Problem(i18n._("expected a text of %(a)s to %(n)s characters",
                                             a=1 if required else 0, n=most), column=field))
    return text


# --- the registry ---------------------------------------------------------------------------


def get_standard(session: Session, actor: Actor, key: str) -> Standard:
    """A standard by its web address (``gb-t-4134-2021``) or its number; every reader reads
    the registry.

    Raises
    ------
    NotFoundError
        No such standard.
    """
    del actor  # the registry is public to every signed-in reader
    text = (key or "")[:80]
    row = session.scalar(select(Standard).where(Standard.slug == text.lower()))
    if row is None:
        try:
            number = parse_number(text, require_year=False)
        except ValidationError:
            number = None
        if number is not None:
            row = session.scalar(select(Standard).where(Standard.number == number.text))
    if row is None:
        raise NotFoundError(i18n._("no standard %(key)s", key=repr(text)))
    return row


def _standard_row(record: StandardRecord, user_id: int | None) -> Standard:
    n = record.number
    return Standard(
        number=n.text, slug=n.slug, prefix=n.prefix, serial=n.serial, part=n.part,
        year=n.year, level=n.level.value, title_zh=record.title_zh, title_en=record.title_en,
        status=record.status.value, committee=record.committee,
        published_on=record.published_on, effective_on=record.effective_on,
        withdrawn_on=record.withdrawn_on, tags=[t.value for t in record.tags],
        source=record.source, confirmed=record.confirmed, note=record.note,
        created_by=user_id)


def import_records(session: Session, actor: Actor, records: Sequence[StandardRecord],
                   source: str, first_row: int = 1) -> list[Standard]:
    """Add checked records to the registry, all or none.

    Parameters
    ----------
    session : Session
        Open session (the caller commits; a refusal leaves nothing added).
    actor : Actor
        A registry keeper (:func:`can_edit`).
    records : sequence of StandardRecord
        The file's records in order (:func:`aurum.standards.records.read_file`).
    source : str
        The file's name, for the messages and the status history.
    first_row : int
        Row of the first record (2 for a CSV, 1 for a YAML file), for the messages.

    Returns
    -------
    list of Standard
        The standards added, in the file's order.

    Raises
    ------
    PermissionDenied
        Not a registry keeper.
    ValidationError
        A number already in the registry, or a ``supersedes`` naming a standard in neither
        the registry nor the file (every such row, by row and field).
    """
    require_editor(actor)
    numbers = [r.number.text for r in records]
    stored = set(session.scalars(select(Standard.number).where(Standard.number.in_(numbers))))
    known = set(numbers) | set(session.scalars(select(Standard.number).where(
        Standard.number.in_([r.supersedes.text for r in records if r.supersedes]))))
    problems = [Problem(i18n._("%(number)s is already in the registry (a change of its "
                               "status is a status change, not an import)",
                               number=r.number.text), row=first_row + i, column="number",
                        source=source)
                for i, r in enumerate(records) if r.number.text in stored]
    problems += [Problem(i18n._("%(number)s is in neither the registry nor the file",
                                number=r.supersedes.text), row=first_row + i,
                         column="supersedes", source=source)
                 for i, r in enumerate(records) if r.supersedes and r.supersedes.text not in known]
    if problems:
        raise ValidationError(problems)
    rows = [_standard_row(r, actor.user_id or None) for r in records]
    session.add_all(rows)
    session.flush()
    by_number = {row.number: row for row in rows}
    for record, row in zip(records, rows, strict=True):
        if record.supersedes is not None:
            old = by_number.get(record.supersedes.text)
            row.supersedes_id = old.id if old is not None else session.scalar(
                select(Standard.id).where(Standard.number == record.supersedes.text))
        session.add(StandardStatusEvent(
            standard_id=row.id, from_status=None, to_status=record.status.value,
            changed_on=record.withdrawn_on or record.published_on,
            reason=i18n._("recorded from %(file)s", file=source)[:MAX_REASON_CHARS],
            created_by=actor.user_id or None))
        for c in record.counterparts:
            session.add(StandardCounterpart(
                standard_id=row.id, body=c.body.value, reference=c.reference,
                relation=c.relation.value, recognition=c.recognition.value, note="",
                created_by=actor.user_id or None))
    session.flush()
    return rows


def import_file(session: Session, actor: Actor, data: bytes, filename: str) -> list[Standard]:
    """Read a YAML, CSV or xlsx file of standards and add them, all or none
    (:func:`import_records`); the keeper is checked before the file is read."""
    require_editor(actor)
    records = read_file(data, filename)
    first = 1 if filename.lower().endswith((".yaml", ".yml")) else 2
    return import_records(session, actor, records, filename, first)


def change_status(session: Session, actor: Actor, key: str, status: str, on: date | None,
                  reason: str, superseded_by: str | None = None) -> Standard:
    """Move a standard along its lifecycle, recording the change in its history.

    Parameters
    ----------
    key : str
        The standard's web address or number.
    status : str
        The status it moves to (:class:`aurum.standards.lifecycle.Status`).
    on : date, optional
        The day the change took effect (publication, withdrawal).
    reason : str
        Why (1 to :data:`MAX_REASON_CHARS` characters).
    superseded_by : str, optional
        When withdrawn: the number of the later edition that replaces it (in the registry).

    Raises
    ------
    PermissionDenied
        Not a registry keeper.
    NotFoundError
        No such standard, or no such later edition.
    ValidationError
        A move the lifecycle does not allow, a reason missing, a replacement that is not a
        later edition of the same series, or given for a status other than withdrawn.
    """
    require_editor(actor)
    row = get_standard(session, actor, key)
    target = status_of(status)
    why = _text(reason, "reason", MAX_REASON_CHARS)
    check_transition(Status(row.status), target, row.number)
    newer = None
    if superseded_by:
        if target is not Status.WITHDRAWN:
            raise ValidationError(Problem(i18n._(
                "only a withdrawn standard is superseded"), column="superseded_by"))
        newer = get_standard(session, actor, superseded_by)
        check_supersedes(parse_number(newer.number), parse_number(row.number))
    session.add(StandardStatusEvent(standard_id=row.id, from_status=row.status,
                                    to_status=target.value, changed_on=on, reason=why,
                                    created_by=actor.user_id or None))
    row.status = target.value
    if target is Status.WITHDRAWN and on is not None:
        row.withdrawn_on = on
    if target is Status.PUBLISHED and on is not None and row.published_on is None:
        row.published_on = on
    if newer is not None and newer.supersedes_id is None:
        newer.supersedes_id = row.id
    session.flush()
    return row


def add_counterpart(session: Session, actor: Actor, key: str, body: str, reference: str,
                    relation: str, recognition: str, note: str = "") -> StandardCounterpart:
    """Record an international counterpart of a standard, or a new recognition status of one
    already recorded (the newest row of a reference is its current status).

    Raises
    ------
    PermissionDenied, NotFoundError, ValidationError
        Not a registry keeper; no such standard; a field that is wrong
        (:func:`aurum.standards.counterparts.counterpart_of`).
    """
    require_editor(actor)
    row = get_standard(session, actor, key)
    c = counterpart_of(body, reference, relation, recognition)
    made = StandardCounterpart(standard_id=row.id, body=c.body.value, reference=c.reference,
                               relation=c.relation.value, recognition=c.recognition.value,
                               note=_text(note, "note", MAX_NOTE_CHARS, required=False),
                               created_by=actor.user_id or None)
    session.add(made)
    session.flush()
    return made


# --- implementation records -----------------------------------------------------------------


def _readable_org_ids(session: Session, actor: Actor) -> set[int] | None:
    """The organisations whose records ``actor`` reads; None for every one."""
    if actor.org_ids is None and actor.province is None:
        return None
    return {o.id for o in registry.list_organisations(session, actor)}


def record_implementation(session: Session, actor: Actor, key: str, organisation: str,
                          started_on: date, summary: str, indicators: object,
                          corrects: int | None = None) -> StandardImplementation:
    """Record that an organisation applies a standard, with indicators before and after.

    Parameters
    ----------
    key : str
        The standard's web address or number; published or under revision.
    organisation : str
        The organisation's code: the actor's own (or its group's member), any for an
        administrator.
    started_on : date
        Since when it applies the standard.
    summary : str
        What was done (1 to :data:`MAX_SUMMARY_CHARS` characters).
    indicators : list of mappings
        ``{name, unit, before, after, better}`` (:func:`aurum.standards.effect.indicators_of`).
    corrects : int, optional
        The id of the organisation's earlier record of this standard that this one corrects.

    Raises
    ------
    NotFoundError
        No such standard, an organisation the actor may not read, or no such record to
        correct.
    PermissionDenied
        The actor may not write for the organisation.
    ValidationError
        A standard not in force, a summary or an indicator that is wrong, a date outside
        1900–2100.
    """
    org = registry.get_organisation(session, actor, organisation)
    if not actor.can_write_owner(org.id):
        raise PermissionDenied(i18n._("%(role)s users cannot record implementations for "
                                      "%(org)s", role=actor.role.value, org=org.code))
    row = get_standard(session, actor, key)
    if Status(row.status) not in IMPLEMENTED:
        raise ValidationError(Problem(i18n._(
            "%(number)s is %(status)s: only a standard in force (published or under revision) "
            "is implemented", number=row.number, status=row.status), column="standard"))
    if not date(1900, 1, 1) <= started_on <= date(2100, 12, 31):
        raise ValidationError(Problem(i18n._("expected a date from 1900 to 2100"),
                                      column="started_on"))
    text = _text(summary, "summary", MAX_SUMMARY_CHARS)
    checked = indicators_of(indicators)
    if corrects is not None:
        earlier = session.get(StandardImplementation, corrects)
        if earlier is None or earlier.standard_id != row.id or earlier.org_id != org.id:
            raise NotFoundError(i18n._("no implementation record %(id)s of %(org)s for "
                                       "%(number)s", id=corrects, org=org.code,
                                       number=row.number))
    made = StandardImplementation(standard_id=row.id, org_id=org.id, started_on=started_on,
                                  summary=text, indicators=[x.as_dict() for x in checked],
                                  corrects_id=corrects, created_by=actor.user_id or None)
    session.add(made)
    session.flush()
    return made


def _current(records: Sequence[StandardImplementation]) -> list[StandardImplementation]:
    """The records not corrected by a later one, newest first."""
    corrected = {r.corrects_id for r in records if r.corrects_id is not None}
    return [r for r in records if r.id not in corrected]


def implementations(session: Session, actor: Actor, standard: Standard
                    ) -> list[StandardImplementation]:
    """The implementation records of ``standard`` the actor reads, newest first (corrected
    ones left out; at most :data:`MAX_IMPLEMENTATIONS_SHOWN`)."""
    stmt = (select(StandardImplementation)
            .where(StandardImplementation.standard_id == standard.id)
            .order_by(StandardImplementation.id.desc()).limit(MAX_IMPLEMENTATIONS_SHOWN))
    orgs = _readable_org_ids(session, actor)
    if orgs is not None:
        stmt = stmt.where(StandardImplementation.org_id.in_(orgs))
    return _current(list(session.scalars(stmt)))


def _indicators(rows: Sequence[Mapping[str, Any]]) -> list[Indicator]:
    return [Indicator(r["name"], r["unit"], float(r["before"]), float(r["after"]),
                      Direction(r["better"])) for r in rows]


def effect_of(records: Sequence[StandardImplementation]) -> EffectSummary:
    """The effect summary of a standard's records (:func:`aurum.standards.effect.summarise`)."""
    return summarise((r.org_id, _indicators(r.indicators)) for r in records)


# --- views ----------------------------------------------------------------------------------


def title_of(row: Standard) -> str:
    """The standard's title in the reader's language (the other when it has only one)."""
    if i18n.is_chinese():
        return row.title_zh or row.title_en
    return row.title_en or row.title_zh


def standard_record(row: Standard) -> dict[str, Any]:
    """A standard as the API and the registry's table give it."""
    return {"number": row.number, "slug": row.slug, "level": row.level,
            "prefix": row.prefix, "year": row.year, "title_zh": row.title_zh,
            "title_en": row.title_en, "title": title_of(row), "status": row.status,
            "committee": row.committee, "published_on": row.published_on,
            "effective_on": row.effective_on, "withdrawn_on": row.withdrawn_on,
            "tags": list(row.tags), "supersedes": row.supersedes.number if row.supersedes
            else None, "source": row.source, "confirmed": row.confirmed, "note": row.note}


def list_standards(session: Session, actor: Actor, status: str | None = None,
                   tag: str | None = None, level: str | None = None) -> list[Standard]:
    """The registry, by number, narrowed to a status, a priority-area tag and a level.

    Raises
    ------
    ValidationError
        An unknown status, tag or level.
    """
    del actor  # every signed-in reader reads the registry
    stmt = select(Standard).order_by(Standard.prefix, Standard.serial, Standard.part,
                                     Standard.year).limit(MAX_LISTED)
    if status:
        stmt = stmt.where(Standard.status == status_of(status).value)
    if level:
        try:
            stmt = stmt.where(Standard.level == Level(level).value)
        except ValueError:
            raise ValidationError(Problem(i18n._(
                "expected one of %(options)s, got %(v)s", options=", ".join(Level),
                v=repr(level)), column="level")) from None
    rows = list(session.scalars(stmt))
    if tag:
        wanted = tags_of([tag], field="tag")[0].value
        rows = [r for r in rows if wanted in r.tags]
    return rows


def table_rows(rows: Sequence[Standard]) -> list[dict[str, Any]]:
    """The registry's table: one row a standard (``areas`` its tags' keys, ``; ``-joined,
    which the table searches and the page shows by their labels)."""
    return [{"number": r.number, "slug": r.slug, "title": title_of(r), "level": r.level,
             "status": r.status, "committee": r.committee,
             "published_on": None if r.published_on is None else r.published_on.isoformat(),
             "areas": "; ".join(r.tags), "confirmed": r.confirmed}
            for r in rows]


def map_counts(rows: Sequence[Standard]) -> list[dict[str, Any]]:
    """How many standards of each status carry each priority-area tag (a standard with
    several tags is counted under each; one without under ``untagged``): the standards map's
    cells, ``{status, tag, count}``."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        for tag in r.tags or ["untagged"]:
            counts[(r.status, tag)] = counts.get((r.status, tag), 0) + 1
    return [{"status": s, "tag": t, "count": n} for (s, t), n in sorted(counts.items())]


@dataclass(frozen=True)
class StandardView:
    """What a standard's page shows: the standard, its status history (oldest first), the
    editions it replaces and that replace it, its counterparts (the newest status of each
    reference), the implementation records the reader may read with their organisations,
    their effect summary, and what the reader may do."""

    standard: Standard
    history: list[StandardStatusEvent]
    superseded_by: list[Standard]
    counterparts: list[StandardCounterpart]
    implementations: list[StandardImplementation]
    effect: EffectSummary
    can_edit: bool
    writable_orgs: list[Organisation]
    allowed: list[str]


def standard_view(session: Session, actor: Actor, key: str) -> StandardView:
    """The view of one standard's page (:class:`StandardView`)."""

    row = get_standard(session, actor, key)
    history = list(session.scalars(select(StandardStatusEvent)
                                   .where(StandardStatusEvent.standard_id == row.id)
                                   .order_by(StandardStatusEvent.id)))
    later = list(session.scalars(select(Standard).where(Standard.supersedes_id == row.id)
                                 .order_by(Standard.year)))
    rows = list(session.scalars(select(StandardCounterpart)
                                .where(StandardCounterpart.standard_id == row.id)
                                .order_by(StandardCounterpart.id.desc())))
    newest: dict[tuple[str, str], StandardCounterpart] = {}
    for c in rows:
        newest.setdefault((c.body, c.reference), c)
    records = implementations(session, actor, row)
    writable = ([o for o in registry.list_organisations(session, actor)
                 if actor.can_write_owner(o.id)]
                if can_record(actor) else [])
    return StandardView(row, history, later, sorted(newest.values(), key=lambda c: c.id),
                        records, effect_of(records), can_edit(actor), writable,
                        sorted(TRANSITIONS[Status(row.status)]))


def implementation_record(row: StandardImplementation) -> dict[str, Any]:
    """An implementation record as the API gives it."""
    return {"id": row.id, "organisation": row.organisation.code,
            "started_on": row.started_on, "summary": row.summary,
            "indicators": row.indicators, "corrects": row.corrects_id,
            "created_at": row.created_at}


def effect_record(summary: EffectSummary) -> dict[str, Any]:
    """An effect summary as the API gives it (improvements as fractions)."""
    return {"records": summary.records, "organisations": summary.organisations,
            "improved_share": summary.improved_share,
            "indicators": [{"name": s.name, "unit": s.unit, "better": s.better.value,
                            "records": s.records, "mean_improvement": s.mean_improvement,
                            "improved_share": s.improved_share} for s in summary.indicators]}


def create_standard(session: Session, actor: Actor, fields: Mapping[str, object]) -> Standard:
    """Add one standard from the API's fields (a registry file's record), with its first
    status and its counterparts (:func:`import_records`)."""
    from aurum.standards.records import record_of

    require_editor(actor)
    # Named as the reader will see it in the status history ("recorded from …").
    source = i18n._("the registry's form")
    return import_records(session, actor, [record_of(fields, 1, source)], source)[0]


def event_record(row: StandardStatusEvent) -> dict[str, Any]:
    """A status change as the API and the history chart give it."""
    return {"from_status": row.from_status, "to_status": row.to_status, "on": row.changed_on,
            "reason": row.reason, "created_at": row.created_at}


def counterpart_record(row: StandardCounterpart) -> dict[str, Any]:
    """A counterpart as the API gives it."""
    return {"body": row.body, "reference": row.reference, "relation": row.relation,
            "recognition": row.recognition, "note": row.note, "created_at": row.created_at}


def standard_detail(view: StandardView) -> dict[str, Any]:
    """A standard's view as the API gives it."""
    return standard_record(view.standard) | {
        "superseded_by": [s.number for s in view.superseded_by],
        "history": [event_record(e) for e in view.history],
        "counterparts": [counterpart_record(c) for c in view.counterparts],
        "implementations": [implementation_record(r) for r in view.implementations],
        "effect": effect_record(view.effect)}
