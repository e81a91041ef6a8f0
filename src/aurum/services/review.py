"""The review of statistical reports (:mod:`aurum.industry.review`): drafts, submission,
acceptance, return with a reason and amendment, with who may take each step.

The enterprise that files a site's reports (or an administrator) saves drafts, submits and
amends; the provincial regulator of the site's province, a national regulator or an
administrator accepts or returns. Everything is checked here, in the service: a report the
caller may not read is a 404, a step it may not take a 403, a step the report's state does not
allow a 409. Every step is a new :class:`~aurum.store.models.ReportReview` row (audited by the
store's flush hook), so the views kept per data version (:mod:`aurum.services.cache`) are
recomputed after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from aurum.core import checks
from aurum.core.config import report_review
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _, lazy_gettext
from aurum.core.periods import Period
from aurum.industry import reporting as fields
from aurum.industry.review import (
    ACTORS,
    REASON_REQUIRED,
    WAITING,
    Action,
    Party,
    State,
    TransitionRefused,
    advance,
    allowed,
)
from aurum.services import reporting
from aurum.services.auth import Actor, Role
from aurum.store import audit
from aurum.store.frames import frame_of
from aurum.store.models import (
    Report,
    ReportDraft,
    ReportReview,
    ReportVersion,
    Site,
    User,
    utcnow,
)

PENDING_COLUMNS = ["report_id", "site", "period", "version", "submitted_at"]
"""Columns of :func:`pending_review`."""

RETURNED_COLUMNS = ["report_id", "site", "period", "reason", "returned_at"]
"""Columns of :func:`returned_reports`."""

MAX_DRAFT_CELL_CHARS = 64
"""Longest text of one field a draft keeps (characters): a number as typed, not a document."""


# ---------------------------------------------------------------------------------------------
# Who may do what


def reviews(actor: Actor) -> bool:
    """Whether the actor reviews reports at all: regulators (within their province, if they
    have one) and administrators."""
    return actor.role in (Role.REGULATOR, Role.ADMIN)


def _require_reviewer(actor: Actor) -> None:
    if not reviews(actor):
        raise PermissionDenied(_("%(user)s reviews no reports", user=actor.username))


def _party_allowed(actor: Actor, site: Site, party: Party) -> bool:
    if party is Party.OWNER:
        return actor.can_write_site(site)
    return reviews(actor) and actor.can_read_site(site)


def _require(actor: Actor, site: Site, action: Action) -> None:
    """Refuse an action the actor may not take on the site's reports (after the read check,
    so a report out of scope stays a 404)."""
    actor.require_read_site(site)
    party = ACTORS[action]
    if not _party_allowed(actor, site, party):
        raise PermissionDenied(
            _("%(user)s does not review the reports of %(site)s", user=actor.username,
              site=site.code) if party is Party.REVIEWER else
            _("%(user)s does not file the reports of %(site)s", user=actor.username,
              site=site.code))


def _reason(action: Action, reason: str | None) -> str | None:
    """The reason of a step, stripped; refused when required and missing, or too long."""
    text = (reason or "").strip() or None
    if text is None and action in REASON_REQUIRED:
        raise ValidationError(Problem(_("give a reason of at least %(n)s characters",
                                        n=checks.MIN_REVIEW_REASON_CHARS), column="reason"))
    if text is not None and not (checks.MIN_REVIEW_REASON_CHARS <= len(text)
                                 <= checks.MAX_REVIEW_REASON_CHARS):
        raise ValidationError(Problem(_("a reason has %(lo)s to %(hi)s characters, not %(n)s",
                                        lo=checks.MIN_REVIEW_REASON_CHARS,
                                        hi=checks.MAX_REVIEW_REASON_CHARS, n=len(text)),
                                      column="reason"))
    return text


_REFUSALS = {
    Action.SAVE: lazy_gettext("this period is submitted already: amend the report instead of "
                              "saving a draft"),
    Action.SUBMIT: lazy_gettext("this period is submitted already"),
    Action.ACCEPT: lazy_gettext("only a report that waits for review can be accepted"),
    Action.RETURN: lazy_gettext("only a report that waits for review can be returned"),
    Action.AMEND: lazy_gettext("only a submitted report can be amended"),
}
"""Why each action is refused when the report's state does not allow it."""


def _advance(state: State | None, action: Action) -> State:
    try:
        return advance(state, action)
    except TransitionRefused as exc:
        raise ConflictError(str(_REFUSALS[action])) from exc


# ---------------------------------------------------------------------------------------------
# States


def _latest_steps() -> Any:
    """The newest review step of every report (its state now)."""
    newest = (select(func.max(ReportReview.id).label("id"))
              .group_by(ReportReview.report_id).subquery())
    return select(ReportReview).join(newest, newest.c.id == ReportReview.id).subquery()


def state_of(session: Session, report_id: int) -> tuple[State | None, int]:
    """A stored report's state and the version it concerns (None, 0 without any step)."""
    row = session.execute(select(ReportReview.state, ReportReview.version)
                          .where(ReportReview.report_id == report_id)
                          .order_by(ReportReview.id.desc()).limit(1)).first()
    return (None, 0) if row is None else (State(row.state), int(row.version))


def _in_state(actor: Actor, states: frozenset[State]) -> tuple[Any, Select[Any]]:
    """The newest step of every report the actor may read whose state is one of ``states``,
    and a select of ``report_id, site, period`` of those reports, oldest step first."""
    latest = _latest_steps()
    stmt = (select(Report.id.label("report_id"), Site.code.label("site"), Report.period)
            .join(latest, latest.c.report_id == Report.id)
            .join(Site, Site.id == Report.site_id)
            .where(latest.c.state.in_([s.value for s in states]))
            .order_by(latest.c.at, Report.id))
    return latest, actor.where_visible(stmt)


def pending_review(session: Session, actor: Actor) -> pd.DataFrame:
    """Reports the actor may review that wait for review (submitted or amended), oldest
    first.

    Returns
    -------
    pandas.DataFrame
        :data:`PENDING_COLUMNS`: ``report_id, site, period, version`` (the version to review)
        and ``submitted_at`` (when it was stored, UTC). Empty for a caller who reviews none.
    """
    if not reviews(actor):
        return pd.DataFrame(columns=PENDING_COLUMNS)
    latest, stmt = _in_state(actor, WAITING)
    stmt = (stmt.add_columns(latest.c.version, ReportVersion.submitted_at)
            .join(ReportVersion, (ReportVersion.report_id == Report.id)
                  & (ReportVersion.version == latest.c.version)))
    return frame_of(session, stmt).reindex(columns=PENDING_COLUMNS)


def returned_reports(session: Session, actor: Actor) -> pd.DataFrame:
    """Reports of the actor's organisations returned by their reviewer and not yet amended,
    oldest return first.

    Returns
    -------
    pandas.DataFrame
        :data:`RETURNED_COLUMNS`: ``report_id, site, period``, the reviewer's ``reason`` and
        ``returned_at`` (UTC). Empty for a caller who files no reports.
    """
    if not reporting.files_reports(actor):
        return pd.DataFrame(columns=RETURNED_COLUMNS)
    latest, stmt = _in_state(actor, frozenset({State.RETURNED}))
    stmt = stmt.add_columns(latest.c.reason, latest.c.at.label("returned_at"))
    return frame_of(session, stmt).reindex(columns=RETURNED_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Steps of the reviewer


def _review(session: Session, actor: Actor, report_id: int, action: Action,
            reason: str | None) -> ReportReview:
    report = reporting.get_report(session, actor, report_id)  # 404 outside the scope
    _require(actor, report.site, action)
    text = _reason(action, reason)
    state, version = state_of(session, report_id)
    after = _advance(state, action)
    step = ReportReview(report_id=report_id, version=version, state=after.value, reason=text,
                        actor_id=actor.user_id or None)
    session.add(step)
    session.flush()  # audited by the store's flush hook
    return step


def accept(session: Session, actor: Actor, report_id: int) -> ReportReview:
    """Accept the version of a report that waits for review: from now on it counts in the
    indicators (when the review is on).

    Raises
    ------
    NotFoundError
        A report the actor may not read.
    PermissionDenied
        An actor who does not review the report's province.
    ConflictError
        A report that does not wait for review.
    """
    return _review(session, actor, report_id, Action.ACCEPT, None)


def return_report(session: Session, actor: Actor, report_id: int, reason: str
                  ) -> ReportReview:
    """Return the version of a report that waits for review to its enterprise, saying what to
    correct (:data:`~aurum.core.checks.MIN_REVIEW_REASON_CHARS` to
    :data:`~aurum.core.checks.MAX_REVIEW_REASON_CHARS` characters).

    Raises
    ------
    ValidationError
        A missing or too long reason.
    NotFoundError, PermissionDenied, ConflictError
        As :func:`accept`.
    """
    return _review(session, actor, report_id, Action.RETURN, reason)


def accept_all_waiting(session: Session, actor: Actor, at: datetime | None = None) -> int:
    """Accept every report that waits for review within the actor's scope, in one statement
    (the demo's history, reviewed long ago); returns how many.

    Parameters
    ----------
    at : datetime, optional
        When they were accepted, time-zone aware (the demo back-dates its history); now by
        default.

    Raises
    ------
    PermissionDenied
        An actor who reviews no reports.
    """
    _require_reviewer(actor)
    latest, stmt = _in_state(actor, WAITING)
    waiting = session.execute(stmt.with_only_columns(latest.c.report_id, latest.c.version)
                              .order_by(None)).all()
    if waiting:
        session.execute(insert(ReportReview), [
            {"report_id": rid, "version": v, "state": State.ACCEPTED.value, "reason": None,
             "actor_id": actor.user_id or None, "at": at or utcnow()} for rid, v in waiting])
        audit.record(session, "accept", "report_reviews", None, None,
                               {"reports": len(waiting)})
    return len(waiting)


# ---------------------------------------------------------------------------------------------
# Steps of the enterprise


def _site(session: Session, actor: Actor, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None or not actor.can_read_site(site):
        raise NotFoundError(_("unknown site %(site)s: not in the registry", site=repr(code)))
    return site


def _stored_report(session: Session, site: Site, period: str) -> Report | None:
    return session.scalar(select(Report).where(Report.site_id == site.id,
                                               Report.period == period))


def _draft_values(values: Mapping[str, object]) -> dict[str, str]:
    """The fields of a draft as typed, refused when unknown or too long (a draft keeps work
    in progress, so a cell need not be a valid number yet)."""
    problems = [Problem(_("unknown field"), column=k) for k in values
                if k not in fields.FIELD_BY_NAME]
    kept = {k: str(v).strip() for k, v in values.items() if v is not None and str(v).strip()}
    problems += [Problem(_("at most %(n)s characters", n=MAX_DRAFT_CELL_CHARS), column=k)
                 for k, v in kept.items() if len(v) > MAX_DRAFT_CELL_CHARS]
    if problems:
        raise ValidationError(problems)
    return kept


def save_draft(session: Session, actor: Actor, site_code: str, period: str,
               values: Mapping[str, object]) -> ReportDraft:
    """Save (or save again) the draft of a report not yet submitted.

    Parameters
    ----------
    values : mapping
        Field name to the text typed, in the field's unit; empty cells are dropped.

    Raises
    ------
    ValidationError
        A malformed period, an unknown field or a cell longer than
        :data:`MAX_DRAFT_CELL_CHARS`.
    NotFoundError
        A site the actor may not read.
    PermissionDenied
        A site the actor does not report for.
    ConflictError
        A period already submitted (its correction is an amendment).
    """
    site = _site(session, actor, site_code)
    _require(actor, site, Action.SAVE)
    try:
        label = Period.parse(period).label
    except ValueError as exc:
        raise ValidationError(Problem(str(exc), column="period")) from exc
    kept = _draft_values(values)
    stored = _stored_report(session, site, label)
    _advance(None if stored is None else state_of(session, stored.id)[0] or State.SUBMITTED,
             Action.SAVE)
    draft = session.scalar(select(ReportDraft).where(ReportDraft.site_id == site.id,
                                                     ReportDraft.period == label))
    if draft is None:
        draft = ReportDraft(site_id=site.id, period=label)
        session.add(draft)
    draft.values = kept
    draft.saved_by = actor.user_id or None
    draft.updated_at = utcnow()
    session.flush()
    return draft


def get_draft(session: Session, actor: Actor, draft_id: int) -> ReportDraft:
    """A draft of a site the actor reports for (404 otherwise: drafts are the enterprise's)."""
    draft = session.get(ReportDraft, draft_id)
    if draft is None or not actor.can_write_site(draft.site) or not actor.can_read_site(
            draft.site):
        raise NotFoundError(_("no draft %(id)s", id=draft_id))
    return draft


def drafts(session: Session, actor: Actor) -> pd.DataFrame:
    """The drafts of the sites the actor reports for: ``draft_id, site, period, updated_at``,
    the latest saved first."""
    if not reporting.files_reports(actor):
        return pd.DataFrame(columns=["draft_id", "site", "period", "updated_at"])
    stmt = (select(ReportDraft.id.label("draft_id"), Site.code.label("site"),
                   ReportDraft.period, ReportDraft.updated_at)
            .join(Site, Site.id == ReportDraft.site_id)
            .order_by(ReportDraft.updated_at.desc()))
    return frame_of(session, actor.where_visible(stmt))


def submit(session: Session, actor: Actor, site_code: str, period: str,
           values: Mapping[str, object], reason: str | None = None) -> ReportVersion:
    """Submit a report, or with ``reason`` amend the stored one
    (:func:`aurum.services.reporting.submit`), and drop its draft: the submission is now the
    record. The new version waits for review.

    Raises
    ------
    ValidationError, NotFoundError, PermissionDenied, ConflictError
        As :func:`aurum.services.reporting.submit`; a reason of an amendment longer than
        :data:`~aurum.core.checks.MAX_REVIEW_REASON_CHARS`.
    """
    if reason is not None and reason.strip():
        reason = _reason(Action.AMEND, reason)
    version = reporting.submit(session, actor, site_code, period, values, reason)
    report = version.report
    draft = session.scalar(select(ReportDraft).where(ReportDraft.site_id == report.site_id,
                                                     ReportDraft.period == report.period))
    if draft is not None:
        session.delete(draft)
        session.flush()
    return version


def amend(session: Session, actor: Actor, report_id: int, values: Mapping[str, object],
          reason: str) -> ReportVersion:
    """Amend a stored report: a new version with the reason of the change, which waits for
    review again.

    Raises
    ------
    ValidationError
        A missing or too long reason, bad values.
    NotFoundError, PermissionDenied
        A report the actor may not read, or not report for.
    """
    report = reporting.get_report(session, actor, report_id)
    _require(actor, report.site, Action.AMEND)
    _advance(state_of(session, report_id)[0], Action.AMEND)
    return submit(session, actor, report.site.code, report.period, values,
                  _reason(Action.AMEND, reason))


# ---------------------------------------------------------------------------------------------
# Views


@dataclass(frozen=True)
class Step:
    """One step of a report's review, for its page and the API."""

    version: int
    state: State
    reason: str | None
    actor: str | None
    at: datetime


@dataclass(frozen=True)
class ReviewView:
    """A report's review: its state, the steps so far (oldest first) and the actions the
    caller may take now."""

    state: State | None
    version: int
    steps: list[Step]
    actions: list[Action]
    counted: int | None
    """The version that counts in the national figures (None: none counts yet)."""

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "version": self.version, "counts": self.counted is not None,
                "steps": [vars(s) for s in self.steps],
                "actions": [a.value for a in self.actions]}


def review_view(session: Session, actor: Actor, report_id: int) -> ReviewView:
    """The review of a report the actor may read (404 otherwise)."""
    report = reporting.get_report(session, actor, report_id)
    rows = session.execute(select(ReportReview, User.display_name, User.username)
                           .outerjoin(User, User.id == ReportReview.actor_id)
                           .where(ReportReview.report_id == report_id)
                           .order_by(ReportReview.id)).all()
    steps = [Step(r.version, State(r.state), r.reason, name or login, r.at)
             for r, name, login in rows]
    state, version = (steps[-1].state, steps[-1].version) if steps else (None, 0)
    actions: list[Action] = [a for party in Party if _party_allowed(actor, report.site, party)
               for a in allowed(state, party) if a is not Action.SAVE]
    accepted = [s.version for s in steps if s.state is State.ACCEPTED]
    counted = ((max(accepted) if accepted else None) if report_review()
               else max((v.version for v in report.versions), default=None))
    return ReviewView(state, version, steps, actions, counted)


def review_queue(session: Session, actor: Actor) -> pd.DataFrame:
    """The review queue page: :func:`pending_review`, with the site's name and province.

    Raises
    ------
    PermissionDenied
        An actor who reviews no reports.
    """
    _require_reviewer(actor)
    pending = pending_review(session, actor)
    if pending.empty:
        return pending.reindex(columns=[*PENDING_COLUMNS, "site_name", "province"])
    sites = reporting.registry_frame(session, actor)[["site", "site_name", "province"]]
    return pending.merge(sites, on="site", how="left")
