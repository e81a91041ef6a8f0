"""The hazard register over the store: reporting, the workflow's steps, escalation, the
lists and the hazards the online monitoring of a tailings facility opens.

Every step of a hazard goes through the pure state machine :mod:`aurum.safety.register`
(which refuses illegal transitions, deadlines before the report date, closing without
evidence, a verification by the hazard's owner or rectifier); this module adds who may act
where (:mod:`aurum.services.safety.permissions`), stores the new state and appends the step
to the hazard's timeline (:class:`~aurum.store.models.SafetyHazardEvent`), and the audit
hook records every write.

Dates of the register (report day, deadlines, closing day) are days in China Standard Time
(UTC+8, :mod:`aurum.core.time`); times are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.time import in_cst, today_cst
from aurum.safety import register
from aurum.safety.criteria import Facility, load_criteria
from aurum.safety.register import Action, Hazard, HazardLevel, HazardState, Transition
from aurum.safety.tailings import HazardProposal
from aurum.services.auth import Actor, Role
from aurum.services.registry import get_site
from aurum.services.safety.common import iso_utc
from aurum.services.safety.evidence import check_files
from aurum.services.safety.permissions import get_hazard, require_action, user_id
from aurum.store.models import SafetyHazard, SafetyHazardEvent, Site, TailingsFacility, utcnow

MONITORING = "online-monitoring"
"""Who reports the hazards that the online monitoring of a tailings facility opens."""
HAZARD_STATES = tuple(state.value for state in HazardState)
"""The states of the register in workflow order (:class:`aurum.safety.register.HazardState`)."""
HAZARD_LEVELS = (*(level.value for level in HazardLevel), "unclassified")
"""The levels a list of hazards may be filtered by (``unclassified``: not classified yet)."""
_ACTIONS = ("classify", "assign", "rectify", "verify", "reject", "close", "reopen")
"""The steps :func:`act` takes (reporting is :func:`report_hazard`)."""

HAZARD_COLUMNS = ["id", "site", "site_name", "enterprise", "province", "title", "area",
                  "facility", "level", "criterion", "state", "owner", "deadline",
                  "reported_on", "reported_by", "closed_on", "days_overdue", "overdue",
                  "escalation", "monitoring", "lon", "lat"]


@dataclass(frozen=True)
class HazardReport:
    """What a new hazard needs.

    Parameters
    ----------
    site : str
        Site code.
    title, description : str
        Short title (at most 200 characters) and what was found.
    area : str, optional
        Where on the site (level, stope, bench, dam section...).
    facility : str, optional
        ``underground``, ``open_pit`` or ``tailings`` (default: from the site: its mining
        method, or ``tailings`` for a tailings facility).
    x, y : float, optional
        Mine-grid coordinates, m.
    lon, lat : float, optional
        WGS 84 longitude and latitude, degrees.
    photos : sequence of str
        SHA-256 of photos stored with :func:`put_file`.
    level, criterion : str, optional
        Classify at once (``general`` or ``major``; a major one names its criteria item).
    note : str
        Free text for the timeline.
    """

    site: str
    title: str
    description: str
    area: str | None = None
    facility: str | None = None
    x: float | None = None
    y: float | None = None
    lon: float | None = None
    lat: float | None = None
    photos: Sequence[str] = ()
    level: str | None = None
    criterion: str | None = None
    note: str = ""


def _site_facility(site: Site) -> str | None:
    if site.kind == "tailings":
        return Facility.TAILINGS.value
    if site.kind == "mine" and site.mine_method in (Facility.UNDERGROUND.value,
                                                     Facility.OPEN_PIT.value):
        return site.mine_method
    return None


def _check_report(spec: HazardReport) -> None:
    problems = []
    if len(spec.title.strip()) > 200:
        problems.append(Problem(_("expected a title of at most 200 characters"),
                                column="title"))
    if not spec.title.strip():
        problems.append(Problem(_("expected a title"), column="title"))
    if spec.lon is not None and not -180 <= spec.lon <= 180:
        problems.append(Problem(_("expected a longitude in degrees, got %(value)s",
                                  value=spec.lon), column="lon"))
    if spec.lat is not None and not -90 <= spec.lat <= 90:
        problems.append(Problem(_("expected a latitude in degrees, got %(value)s",
                                  value=spec.lat), column="lat"))
    if problems:
        raise ValidationError(problems)


def as_domain(row: SafetyHazard) -> Hazard:
    """The register's view of a stored hazard."""
    site = row.site
    return Hazard(
        id=str(row.id), site=site.code, description=row.description,
        reported_by=row.reported_by, reported_on=row.reported_on,
        facility=Facility(row.facility) if row.facility else None,
        enterprise=site.organisation.name, province=site.province,
        state=HazardState(row.state), level=HazardLevel(row.level) if row.level else None,
        criterion=row.criterion, owner=row.owner, deadline=row.deadline,
        rectified_by=row.rectified_by, rectified_on=row.rectified_on,
        evidence=tuple(row.evidence or ()), verified_by=row.verified_by,
        verified_on=row.verified_on, closed_on=row.closed_on, escalation=row.escalation,
        reopened=row.reopened)


def _record(session: Session, row: SafetyHazard, step: Transition, user_id: int | None
            ) -> SafetyHazardEvent:
    """Store the hazard's new state and append the step to its timeline."""
    h, event = step.hazard, step.event
    row.state = h.state.value
    row.level = None if h.level is None else h.level.value
    row.criterion = h.criterion
    if "clause" in event.details:
        row.clause = event.details["clause"]
    elif h.criterion is None:
        row.clause = None
    row.owner, row.deadline = h.owner, h.deadline
    row.rectified_by, row.rectified_on = h.rectified_by, h.rectified_on
    row.evidence = list(h.evidence)
    row.verified_by, row.verified_on, row.closed_on = h.verified_by, h.verified_on, h.closed_on
    row.escalation, row.reopened = h.escalation, h.reopened
    row.updated_at = utcnow()
    evidence = list(h.evidence) if event.action is Action.RECTIFY else []
    record = SafetyHazardEvent(
        hazard_id=row.id, action=event.action.value, user_id=user_id, by=event.by,
        at=event.at.astimezone(UTC), from_state=None if event.from_state is None
        else event.from_state.value, to_state=event.to_state.value, note=event.note,
        details=dict(event.details), evidence=evidence)
    session.add(record)
    return record


def report_hazard(session: Session, actor: Actor, home: Path, spec: HazardReport,
                  at: datetime | None = None) -> SafetyHazard:
    """Enter a hazard in the register (and classify it when ``spec`` gives a level).

    Parameters
    ----------
    session : Session
        Open transaction.
    actor : Actor
        Who reports: an enterprise user on its own site, a regulator, an admin.
    home : Path
        Data directory (photos named in ``spec`` must be stored there).
    spec : HazardReport
    at : datetime, optional
        When it was found (default now).

    Raises
    ------
    NotFoundError
        Unknown site, or outside the actor's scope.
    ValidationError
        Missing title or description, unknown facility, photos not stored, a classification
        the criteria refuse.
    """
    site = get_site(session, actor, spec.site)
    require_action(actor, site, Action.REPORT)
    _check_report(spec)
    photos = check_files(home, spec.photos, "photos")
    when = in_cst(at)
    step = register.report(f"{site.code} (new)", site=site.code, description=spec.description,
                           by=actor.username,
                           at=when, facility=spec.facility or _site_facility(site),
                           enterprise=site.organisation.name, province=site.province,
                           note=spec.note)
    classified = None
    if spec.level:
        classified = register.classify(step.hazard, level=spec.level, by=actor.username,
                                       at=when, criterion=spec.criterion or None)
    h = step.hazard
    row = SafetyHazard(
        site_id=site.id, title=spec.title.strip(), description=h.description, area=spec.area,
        x=spec.x, y=spec.y, lon=spec.lon, lat=spec.lat,
        facility=None if h.facility is None else h.facility.value, state=h.state.value,
        reported_by=h.reported_by, reporter_id=user_id(actor),
        reported_at=when.astimezone(UTC), reported_on=h.reported_on, photos=list(photos),
        evidence=[], escalation=0, reopened=0)
    row.site = site
    session.add(row)
    session.flush()
    _record(session, row, step, user_id(actor))
    if classified is not None:
        _record(session, row, classified, user_id(actor))
    session.flush()
    return row


def act(session: Session, actor: Actor, home: Path, hazard_id: int, action: str, *,
        note: str = "", level: str | None = None, criterion: str | None = None,
        owner: str | None = None, deadline: date | None = None,
        evidence: Sequence[str] = (), at: datetime | None = None) -> SafetyHazard:
    """Take one step of a hazard's workflow.

    Parameters
    ----------
    session : Session
        Open transaction.
    actor : Actor
        Who acts (see the module's table).
    home : Path
        Data directory (evidence must be stored there).
    hazard_id : int
    action : str
        ``classify`` (``level``, ``criterion``), ``assign`` (``owner``, ``deadline``),
        ``rectify`` (``evidence``: SHA-256 of stored files), ``verify``, ``reject``
        (``note``: the reason), ``close``, ``reopen`` (``note``, ``deadline``, optional
        ``owner``).
    note : str
        Free text for the timeline.
    deadline : date, optional
        Day (China Standard Time) by which the hazard must be rectified.
    at : datetime, optional
        When (default now).

    Raises
    ------
    NotFoundError
        Unknown hazard, or outside the actor's scope.
    PermissionDenied
        The role may not take that step, or the actor owns or rectified what it would verify.
    ValidationError
        An unknown step, a step the hazard's state does not allow, a missing or bad field
        (deadline before the report date, no evidence...). Nothing is changed.
    """
    if action not in _ACTIONS:
        raise ValidationError(Problem(_("unknown action %(action)r: expected one of %(known)s",
                                        action=action, known=", ".join(_ACTIONS)),
                                      column="action"))
    row = get_hazard(session, actor, hazard_id)
    step_action = Action(action)
    require_action(actor, row.site, step_action, row.level)
    hazard, by, when = as_domain(row), actor.username, in_cst(at)
    step: Transition
    if step_action is Action.CLASSIFY:
        step = register.classify(hazard, level=level or "", by=by, at=when,
                                 criterion=criterion or None, note=note)
    elif step_action is Action.ASSIGN:
        step = register.assign(hazard, owner=owner or "", deadline=_required_day(deadline),
                               by=by, at=when, note=note)
    elif step_action is Action.RECTIFY:
        refs = check_files(home, evidence, "evidence")
        step = register.rectify(hazard, evidence=refs, by=by, at=when, note=note)
    elif step_action is Action.VERIFY:
        step = register.verify(hazard, by=by, at=when, note=note)
    elif step_action is Action.REJECT:
        step = register.reject(hazard, by=by, at=when, note=note)
    elif step_action is Action.CLOSE:
        step = register.close(hazard, by=by, at=when, note=note)
    else:
        step = register.reopen(hazard, by=by, at=when, note=note,
                               deadline=_required_day(deadline), owner=owner or None)
    _record(session, row, step, user_id(actor))
    session.flush()
    return row


def available_actions(actor: Actor, row: SafetyHazard) -> list[str]:
    """The steps the actor may take on the hazard now (for the pages; :func:`act` checks
    again)."""
    allowed = []
    for name in _ACTIONS:
        action = Action(name)
        if HazardState(row.state) not in register.TRANSITIONS[action][0]:
            continue
        if action in (Action.VERIFY, Action.REJECT) \
                and actor.username in (row.owner, row.rectified_by):
            continue
        try:
            require_action(actor, row.site, action, row.level)
        except (PermissionDenied, NotFoundError):
            continue
        allowed.append(name)
    return allowed


def _required_day(day: date | None) -> date:
    if day is None:
        raise ValidationError(Problem(_("expected a deadline as YYYY-MM-DD"),
                                      column="deadline"))
    return day


def escalate_overdue(session: Session, actor: Actor, as_of: date | None = None,
                     at: datetime | None = None) -> list[dict[str, Any]]:
    """Raise the escalation tier of every open hazard in the actor's scope that is past its
    deadline (:func:`aurum.safety.register.escalate_overdue`: one timeline step per tier).

    Parameters
    ----------
    as_of : date, optional
        Day to judge deadlines against (default today, China Standard Time).

    Returns
    -------
    list of dict
        ``hazard``, ``site``, ``tier`` and ``days_overdue`` of each escalation.
    """
    actor.require_role(Role.ADMIN, Role.REGULATOR)
    day = as_of or today_cst()
    when = in_cst(at)
    open_states = [s.value for s in register.TRANSITIONS[Action.ESCALATE][0]]
    stmt = actor.where_visible(
        select(SafetyHazard).join(Site, SafetyHazard.site_id == Site.id)
        .where(SafetyHazard.state.in_(open_states), SafetyHazard.deadline < day)
        .order_by(SafetyHazard.id))
    done = []
    for row in session.scalars(stmt):
        step = register.escalate_overdue(as_domain(row), as_of=day, at=when, by=actor.username)
        if step is not None:
            _record(session, row, step, user_id(actor))
            done.append({"hazard": row.id, "site": row.site.code,
                         "tier": step.hazard.escalation,
                         "days_overdue": int(step.event.details["days_overdue"])})
    session.flush()
    return done


def hazard_dict(row: SafetyHazard, as_of: date | None = None) -> dict[str, Any]:
    """A hazard as JSON-ready data."""
    day = as_of or today_cst()
    overdue = as_domain(row).days_overdue(day)
    return {
        "id": row.id, "site": row.site.code, "site_name": row.site.name,
        "enterprise": row.site.organisation.name, "province": row.site.province,
        "title": row.title, "description": row.description, "area": row.area,
        "x": row.x, "y": row.y, "lon": row.lon, "lat": row.lat, "facility": row.facility,
        "level": row.level, "criterion": row.criterion, "clause": row.clause,
        "state": row.state, "owner": row.owner,
        "deadline": None if row.deadline is None else row.deadline.isoformat(),
        "reported_by": row.reported_by, "reported_at": iso_utc(row.reported_at),
        "reported_on": row.reported_on.isoformat(), "photos": list(row.photos),
        "rectified_by": row.rectified_by, "evidence": list(row.evidence),
        "verified_by": row.verified_by, "closed_on": None if row.closed_on is None
        else row.closed_on.isoformat(), "escalation": row.escalation,
        "reopened": row.reopened, "days_overdue": overdue, "overdue": overdue > 0,
        "tailings_facility": None if row.tailings_facility_id is None
        else row.tailings_facility_id}


def timeline(session: Session, actor: Actor, hazard_id: int) -> pd.DataFrame:
    """The hazard's steps in order: ``at`` (UTC), ``action``, ``by``, ``from_state``,
    ``to_state``, ``note``, ``details`` (text), ``evidence`` (SHA-256s, ``;``-separated)."""
    row = get_hazard(session, actor, hazard_id)
    frame = pd.DataFrame([{
        "at": e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC), "action": e.action,
        "by": e.by, "from_state": e.from_state, "to_state": e.to_state, "note": e.note,
        "details": "; ".join(f"{k}: {v}" for k, v in e.details.items()),
        "evidence": "; ".join(e.evidence)} for e in row.events],
        columns=["at", "action", "by", "from_state", "to_state", "note", "details",
                 "evidence"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def visible_hazards(session: Session, actor: Actor, site: str | None = None) -> list[SafetyHazard]:
    stmt = actor.where_visible(
        select(SafetyHazard).join(Site, SafetyHazard.site_id == Site.id)
        .options(selectinload(SafetyHazard.site).selectinload(Site.organisation))
        .order_by(SafetyHazard.id))
    if site:
        get_site(session, actor, site)
        stmt = stmt.where(Site.code == site)
    return list(session.scalars(stmt))


def list_hazards(session: Session, actor: Actor, *, site: str | None = None,
                 level: str | None = None, state: str | None = None,
                 overdue: bool | None = None, as_of: date | None = None,
                 monitoring: str | None = None) -> pd.DataFrame:
    """The hazards the actor may read, filtered.

    Parameters
    ----------
    site : str, optional
        Site code.
    level : str, optional
        ``general``, ``major`` or ``unclassified``.
    state : str, optional
        A state of the register, or ``open`` (any state but closed).
    overdue : bool, optional
        Only hazards past their deadline (True) or not (False) on ``as_of``.
    as_of : date, optional
        Day for ``days_overdue`` (default today, China Standard Time).
    monitoring : str, optional
        Only the hazards the monitoring of this tailings facility opened (its code).

    Returns
    -------
    pandas.DataFrame
        Newest first, columns :data:`HAZARD_COLUMNS`; ``monitoring`` is the code of the
        facility whose monitoring opened the hazard; ``lon``/``lat`` are the hazard's own or
        else its site's.
    """
    problems = []
    if level not in (None, "", *HAZARD_LEVELS):
        problems.append(Problem(_("unknown level %(level)r: expected general, major or "
                                  "unclassified", level=level), column="level"))
    states = {*HAZARD_STATES, "open"}
    if state not in (None, "") and state not in states:
        problems.append(Problem(_("unknown state %(state)r: expected one of %(known)s",
                                  state=state, known=", ".join(sorted(states))),
                                column="state"))
    if problems:
        raise ValidationError(problems)
    day = as_of or today_cst()
    codes = dict(session.execute(select(TailingsFacility.id, TailingsFacility.code)).all())
    records = []
    for row in visible_hazards(session, actor, site):
        h = hazard_dict(row, day)
        records.append({k: h.get(k) for k in HAZARD_COLUMNS} | {
            "monitoring": codes.get(row.tailings_facility_id or 0),
            "lon": row.lon if row.lon is not None else row.site.lon,
            "lat": row.lat if row.lat is not None else row.site.lat})
    frame = pd.DataFrame(records[::-1], columns=HAZARD_COLUMNS)  # newest first
    keep = pd.Series(True, index=frame.index)
    if monitoring:
        keep &= frame["monitoring"].eq(monitoring)
    if level == "unclassified":
        keep &= frame["level"].isna()
    elif level:
        keep &= frame["level"].eq(level)
    if state == "open":
        keep &= frame["state"].ne(HazardState.CLOSED.value)
    elif state:
        keep &= frame["state"].eq(state)
    if overdue is not None:
        keep &= frame["overdue"].astype(bool).eq(overdue)
    return frame[keep].reset_index(drop=True)


def criteria_table() -> pd.DataFrame:
    """The major-hazard criteria (矿安〔2022〕88号): ``id``, ``facility``, ``clause``, ``zh``,
    ``en``."""
    table = load_criteria()
    return pd.DataFrame([{"id": c.id, "facility": c.facility.value, "clause": c.clause,
                          "zh": c.zh, "en": c.en} for c in table.items.values()])


_SEVERITY = {None: 0, HazardLevel.GENERAL.value: 1, HazardLevel.MAJOR.value: 2}


def severity(level: str | None) -> int:
    """0 for no hazard, 1 general, 2 major (to compare monitoring hazards)."""
    return _SEVERITY.get(level, 0)


def open_monitoring_severity(session: Session, facility: TailingsFacility) -> int:
    """The most severe level (see :func:`severity`) among the facility's hazards that its
    monitoring opened and that are not closed yet."""
    levels = session.scalars(select(SafetyHazard.level).where(
        SafetyHazard.tailings_facility_id == facility.id,
        SafetyHazard.state != HazardState.CLOSED.value))
    return max((severity(lv) for lv in levels), default=0)


def open_monitoring_hazard(session: Session, facility: TailingsFacility,
                           proposal: HazardProposal, at: datetime) -> SafetyHazard:
    """Open the hazard a facility's alarm calls for, reported and classified by the online
    monitoring (:data:`MONITORING`), under the criteria item the alarm meets when major.

    Parameters
    ----------
    facility : TailingsFacility
    proposal : HazardProposal
        What :func:`aurum.safety.tailings.facility_alarm` proposes.
    at : datetime
        Time of the alarming reading (UTC).
    """
    when = in_cst(at)
    site = facility.site
    # Stored for every reader: in the platform's language, not the reading's sender's.
    with i18n.using(i18n.default_locale()):
        step = register.report("new", site=site.code, description=proposal.description,
                               by=MONITORING, at=when, facility=Facility.TAILINGS,
                               enterprise=site.organisation.name, province=site.province,
                               note=_("opened by the online monitoring of %(facility)s",
                                      facility=facility.code))
        classified = register.classify(step.hazard, level=proposal.level, by=MONITORING,
                                       at=when, criterion=proposal.criterion)
        title = _("%(facility)s: %(level)s alarm of the online monitoring",
                  facility=facility.name, level=register.NAMES[proposal.level])
    row = SafetyHazard(
        site_id=site.id, title=title[:200], description=proposal.description,
        area=facility.code,
        facility=Facility.TAILINGS.value, state=HazardState.REPORTED.value,
        reported_by=MONITORING, reporter_id=None, reported_at=when.astimezone(UTC),
        reported_on=step.hazard.reported_on, photos=[], evidence=[], escalation=0,
        reopened=0, tailings_facility_id=facility.id)
    row.site = site
    session.add(row)
    session.flush()
    _record(session, row, step, None)
    _record(session, row, classified, None)
    session.flush()
    return row
