"""Reports the rules call for (PBoC 银发〔2025〕124号): screening the purchases in force,
the reports due, their documents, submission and the regulator's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
)
from aurum.core.i18n import _, format_number
from aurum.core.time import today_cst
from aurum.recycling.identity import ID_TYPE_NAMES
from aurum.recycling.rules import LARGE_CASH, Detection, detect, load_rules
from aurum.services.auth import Actor, Role
from aurum.services.recycling._rows import _add_once, _in_batches, _sha256, _user
from aurum.services.recycling.ledger import _lock_head
from aurum.services.recycling.participants import _may_read, _scope
from aurum.services.recycling.purchases import purchases_in_force
from aurum.services.recycling.sellers import watched_sellers
from aurum.store.models import (
    LedgerTreeHead,
    RecyclingParticipant,
    RecyclingReport,
    RecyclingReportReceipt,
    RecyclingReportSubmission,
    RecyclingSeller,
)

SCREENERS = (Role.ADMIN, Role.REGULATOR, Role.RECYCLER, Role.ENTERPRISE)
"""Who runs the reporting rules over the purchases (everyone but auditors)."""
SUBMITTERS = (Role.ADMIN, Role.RECYCLER, Role.ENTERPRISE, Role.REGULATOR)
"""Who submits a due report to the regulator's inbox."""
INBOX_READERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Who reads the regulator's inbox."""
RECEIVERS = (Role.ADMIN, Role.REGULATOR)
"""Who acknowledges a submitted report."""


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
    actor.require_role(*SCREENERS)
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
    today = today or today_cst()
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
    for report, *_others in rows:
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


def get_report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    """A report visible to the actor (:func:`list_reports` form, any status).

    Raises
    ------
    NotFoundError
        When there is no such report in the actor's scope.
    """
    found = next((r for r in list_reports(session, actor, "all") if r["id"] == report_id),
                 None)
    if found is None:
        raise NotFoundError(_("no transaction report %(id)s", id=report_id))
    return found


def report_document(session: Session, actor: Actor, report_id: int) -> str:
    """The report as a document to file (plain text, UTF-8), with the signed tree head that
    covers its entries so that the recipient can ask for inclusion proofs."""
    return _document(session, get_report(session, actor, report_id))


def _id_type(value: str) -> str:
    """The name of a kind of identity document (its value when the domain has none)."""
    return str(ID_TYPE_NAMES.get(value, value))


def _document(session: Session, payload: Mapping[str, Any]) -> str:
    """The report's text in the current language (the submitter's, when it is frozen)."""
    rules = load_rules()
    title = (_("LARGE-VALUE CASH TRANSACTION REPORT (大额交易报告)")
             if payload["kind"] == LARGE_CASH else
             _("SUSPICIOUS TRANSACTION REPORT (可疑交易报告)"))
    needed = max(payload["entries"]) + 1
    sth = session.scalars(select(LedgerTreeHead).where(LedgerTreeHead.tree_size >= needed)
                          .order_by(LedgerTreeHead.tree_size).limit(1)).first()
    anchor = (_("no signed tree head covers these entries yet") if sth is None else
              _("signed tree head %(id)s: size %(size)s, root %(root)s, key %(key)s",
                id=sth.id, size=sth.tree_size, root=bytes(sth.root).hex(), key=sth.key_id))
    due = payload["due_on"] + (
        _(" (estimated: holidays of that year not in the calendar)")
        if payload["due_estimated"] else "")
    fields = [
        (_("To:"), payload["report_to"]),
        (_("Report:"), _("%(id)s revision %(revision)s (rule %(rule)s, rules %(version)s)",
                         id=payload["id"], revision=payload["revision"],
                         rule=payload["rule"], version=payload["rules_version"])),
        (_("Reporting party:"),
         payload["recycler"] or _("platform screening (regulator)")),
        (_("Seller:"), f"{_id_type(payload['seller_id_type'])} {payload['seller_id_masked']}"),
        (_("Seller key:"), payload["seller_id_number_hash"]),
        (_("Business days:"), _("%(start)s to %(end)s (Beijing time)",
                                start=payload["period_start"], end=payload["period_end"])),
        (_("Amount:"), _("CNY %(amount)s in %(num)s purchase(s)",
                         amount=format_number(payload["amount_cny"], 2),
                         num=len(payload["entries"]))),
        (_("Ledger entries:"), ", ".join(map(str, payload["entries"]))),
        (_("Due on:"), due),
        (_("Finding:"), payload["reason"])]
    width = max(len(label) for label, _value in fields) + 1
    lines = [
        title, "=" * len(title), "",
        *(f"{label:<{width}}{value}" for label, value in fields), "",
        _("Basis: %(citation)s", citation=payload["citation"]), "",
        _("Measure: %(title)s (%(document)s), in force %(in_force)s.",
          title=rules.source["title"], document=rules.source["document"],
          in_force=rules.source["in_force"]),
        _("Ledger anchor: %(anchor)s.", anchor=anchor), ""]
    return "\n".join(lines)


def submit_report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    """Submit a due report: its JSON and document are frozen and reach the regulator's inbox.

    Returns
    -------
    dict
        ``submission_id``, ``report_id``, ``document_sha256``.
    """
    actor.require_role(*SUBMITTERS)
    payload = get_report(session, actor, report_id)
    if payload["status"] != "due" and payload["status"] != "overdue":
        raise ConflictError(_("report %(id)s is %(status)s", id=report_id,
                              status=payload["status"]))
    document = _document(session, payload)
    digest = _sha256(document.encode("utf-8"))
    submission = RecyclingReportSubmission(report_id=report_id, submitted_by=_user(actor),
                                           payload={**payload, "status": "submitted"},
                                           document=document, document_sha256=digest)
    _add_once(session, submission, _("report %(id)s was submitted already", id=report_id))
    return {"submission_id": submission.id, "report_id": report_id, "document_sha256": digest}


def regulator_inbox(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Submitted reports for regulators, newest first, with whether they were acknowledged."""
    actor.require_role(*INBOX_READERS)
    return _inbox(session, actor)


def _inbox(session: Session, actor: Actor, submission_id: int | None = None
           ) -> list[dict[str, Any]]:
    """The inbox in the actor's scope, or its one submission ``submission_id``."""
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
    if submission_id is not None:
        stmt = stmt.where(RecyclingReportSubmission.id == submission_id)
    return [{"submission_id": s.id, "submitted_at": s.submitted_at.isoformat(),
             "document_sha256": s.document_sha256, "report": s.payload,
             "acknowledged_at": None if received is None else received.isoformat()}
            for s, received in session.execute(stmt)]


def acknowledge_submission(session: Session, actor: Actor, submission_id: int
                           ) -> dict[str, Any]:
    """Record that a regulator has received a submitted report: a report in the regulator's
    scope (a provincial regulator's province), once.

    Returns
    -------
    dict
        The submission as the inbox lists it, acknowledged.

    Raises
    ------
    NotFoundError
        When there is no such submission in the actor's scope.
    ConflictError
        When it was acknowledged already.
    """
    actor.require_role(*RECEIVERS)
    found = session.execute(
        select(RecyclingReportSubmission.id, RecyclingParticipant)
        .join(RecyclingReport, RecyclingReport.id == RecyclingReportSubmission.report_id)
        .join(RecyclingParticipant, RecyclingParticipant.id == RecyclingReport.participant_id,
              isouter=True)
        .where(RecyclingReportSubmission.id == submission_id)).one_or_none()
    if found is None or not _may_read(actor, found[1]):
        raise NotFoundError(_("no submission %(id)s", id=submission_id))
    received = session.scalar(select(RecyclingReportReceipt.received_at).where(
        RecyclingReportReceipt.submission_id == submission_id))
    if received is not None:
        raise ConflictError(_("submission %(id)s was acknowledged already, at %(at)s",
                              id=submission_id, at=received.isoformat()))
    _add_once(session, RecyclingReportReceipt(submission_id=submission_id,
                                              received_by=_user(actor)),
              _("submission %(id)s was acknowledged already", id=submission_id))
    return _inbox(session, actor, submission_id)[0]
