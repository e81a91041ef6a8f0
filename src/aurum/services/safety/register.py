"""Work safety: the hazard register over the store, its dynamic-clearing statistics, the
evidence files and the design data of tailings facilities.

Every step of a hazard goes through the pure state machine :mod:`aurum.safety.register`
(which refuses illegal transitions, deadlines before the report date, closing without
evidence, a verification by the hazard's owner or rectifier); this module adds who may act
where, stores the new state and appends the step to the hazard's timeline
(:class:`~aurum.store.models.SafetyHazardEvent`), and the audit hook records every write.

Who may do what (the organisation scope of :mod:`aurum.services.auth` applies throughout:
an enterprise user sees and acts only on its organisation's sites, a provincial regulator
only in its province, and anything outside the scope is "not found"):

============================  ===================  =====================  =====  =======
action                        enterprise           regulator              admin  auditor
============================  ===================  =====================  =====  =======
read, statistics              own sites            all in scope           all    all
report, classify, reopen      own sites            yes                    yes    no
assign, rectify               own sites            no                     yes    no
verify, reject, close         general hazards of   yes                    yes    no
                              own sites
escalate overdue hazards      no                   yes                    yes    no
register a tailings facility  own sites            no                     yes    no
============================  ===================  =====================  =====  =======

Two decisions behind the table. The enterprise bears the rectification (企业主体责任), so
assigning an owner and a deadline and recording the fix are the enterprise's acts; a
regulator reports what its inspection finds and classifies it. A major hazard (重大事故隐患)
is under the regulator's supervision until it is signed off (挂牌督办, 销号): its
verification, rejection and closing are a regulator's (or an administrator's), never the
enterprise's own. Whoever verifies, the register's own rule holds on top: nobody verifies a
rectification they own or did.

Dates of the register (report day, deadlines, closing day) are days in China Standard Time
(UTC+8); times are stored in UTC.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.safety import register, stats
from aurum.safety.criteria import Facility, load_criteria
from aurum.safety.register import Action, Hazard, HazardLevel, HazardState, Transition
from aurum.safety.tailings import (
    DamType,
    HazardProposal,
    TailingsDesign,
    facility_grade,
)
from aurum.services.auth import Actor, Role
from aurum.services.registry import get_site
from aurum.store.models import (
    SafetyHazard,
    SafetyHazardEvent,
    Site,
    TailingsFacility,
    utcnow,
)

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
MONITORING = "online-monitoring"
"""Who reports the hazards that the online monitoring of a tailings facility opens."""
MAX_FILE_BYTES = 20 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

_REGULATOR_ACTIONS = frozenset({Action.REPORT, Action.CLASSIFY, Action.VERIFY, Action.REJECT,
                                Action.CLOSE, Action.REOPEN, Action.ESCALATE})
_SIGN_OFF = frozenset({Action.VERIFY, Action.REJECT, Action.CLOSE})
_ACTIONS = ("classify", "assign", "rectify", "verify", "reject", "close", "reopen")
"""The steps :func:`act` takes (reporting is :func:`report_hazard`)."""

HAZARD_COLUMNS = ["id", "site", "site_name", "enterprise", "province", "title", "area",
                  "facility", "level", "criterion", "state", "owner", "deadline",
                  "reported_on", "reported_by", "closed_on", "days_overdue", "overdue",
                  "escalation", "monitoring", "lon", "lat"]


def now_utc() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def today_cst() -> date:
    """Today's date in China Standard Time."""
    return datetime.now(CHINA_STANDARD_TIME).date()


def _cst(at: datetime | None) -> datetime:
    """``at`` (naive = UTC; default now) as China Standard Time, for the register's days."""
    at = at or now_utc()
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA_STANDARD_TIME)


def _user_id(actor: Actor) -> int | None:
    # Actors without an account (the command line, the monitoring) have id 0.
    return actor.user_id or None


# --- permissions --------------------------------------------------------------------------------


def _require(actor: Actor, site: Site, action: Action, level: str | None = None) -> None:
    """Refuse an action the actor's role or scope does not allow (see the module's table)."""
    actor.require_read_site(site)
    if actor.role is Role.ADMIN:
        return
    if actor.role is Role.REGULATOR and action in _REGULATOR_ACTIONS:
        return
    if actor.role is Role.ENTERPRISE and actor.can_write_site(site) \
            and action is not Action.ESCALATE:
        if action in _SIGN_OFF and level == HazardLevel.MAJOR.value:
            raise PermissionDenied(
                f"cannot {action.value} a major hazard of {site.code} as its enterprise: a "
                "major hazard is signed off by a regulator")
        return
    raise PermissionDenied(f"{actor.role.value} users cannot {action.value} hazards of "
                           f"{site.code}")



# --- evidence files -----------------------------------------------------------------------------


def files_dir(home: Path) -> Path:
    """Folder of the photos and evidence files, named by their SHA-256."""
    return home / "safety" / "files"


def put_file(home: Path, data: bytes) -> str:
    """Keep a file under its SHA-256 (written aside, then moved in: never half a file).

    Parameters
    ----------
    home : Path
        Data directory (``AURUM_HOME``).
    data : bytes
        The file's content, at most :data:`MAX_FILE_BYTES` bytes.

    Returns
    -------
    str
        The SHA-256 (hex) that names it.
    """
    if not data:
        raise ValidationError(Problem("the file is empty", column="file"))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(Problem(f"the file has {len(data)} bytes; at most "
                                      f"{MAX_FILE_BYTES} are accepted", column="file"))
    digest = hashlib.sha256(data).hexdigest()
    folder = files_dir(home)
    path = folder / digest
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return digest


def _check_files(home: Path, refs: Iterable[str], column: str) -> tuple[str, ...]:
    """The references as stored SHA-256 names, else every problem."""
    refs = tuple(r.strip().lower() for r in refs if r and r.strip())
    problems = [Problem(f"{r!r} is not the SHA-256 of a stored file: upload the file to the "
                        "hazard first", column=column)
                for r in refs if not _SHA256.match(r) or not (files_dir(home) / r).exists()]
    if problems:
        raise ValidationError(problems)
    return refs


def upload_file(session: Session, actor: Actor, home: Path, hazard_id: int, data: bytes,
                photo: bool = False) -> str:
    """Store a file for a hazard.

    Parameters
    ----------
    home : Path
        Data directory (``AURUM_HOME``).
    hazard_id : int
    data : bytes
        The file, at most :data:`MAX_FILE_BYTES` bytes.
    photo : bool
        A photo of the hazard (added to its photos; whoever may report may add one), else
        evidence of its rectification, to name in the ``rectify`` step (whoever may
        rectify).

    Returns
    -------
    str
        The file's SHA-256 (hex).
    """
    row = _hazard_row(session, actor, hazard_id)
    _require(actor, row.site, Action.REPORT if photo else Action.RECTIFY, row.level)
    digest = put_file(home, data)
    if photo and digest not in row.photos:
        row.photos = [*row.photos, digest]
        row.updated_at = utcnow()
    return digest


def hazard_file(session: Session, actor: Actor, home: Path, hazard_id: int,
                digest: str) -> Path:
    """The path of a photo or evidence file of a hazard the actor may read."""
    row = _hazard_row(session, actor, hazard_id)
    named = set(row.photos) | {e for ev in row.events for e in ev.evidence}
    path = files_dir(home) / digest
    if digest not in named or not path.exists():
        raise NotFoundError(f"no file {digest} for hazard {hazard_id}")
    return path


# --- the register -------------------------------------------------------------------------------


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
        problems.append(Problem("expected a title of at most 200 characters", column="title"))
    if not spec.title.strip():
        problems.append(Problem("expected a title", column="title"))
    if spec.lon is not None and not -180 <= spec.lon <= 180:
        problems.append(Problem(f"expected a longitude in degrees, got {spec.lon}",
                                column="lon"))
    if spec.lat is not None and not -90 <= spec.lat <= 90:
        problems.append(Problem(f"expected a latitude in degrees, got {spec.lat}",
                                column="lat"))
    if problems:
        raise ValidationError(problems)


def _domain(row: SafetyHazard) -> Hazard:
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
    _require(actor, site, Action.REPORT)
    _check_report(spec)
    photos = _check_files(home, spec.photos, "photos")
    when = _cst(at)
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
        reported_by=h.reported_by, reporter_id=_user_id(actor),
        reported_at=when.astimezone(UTC), reported_on=h.reported_on, photos=list(photos),
        evidence=[], escalation=0, reopened=0)
    row.site = site
    session.add(row)
    session.flush()
    _record(session, row, step, _user_id(actor))
    if classified is not None:
        _record(session, row, classified, _user_id(actor))
    session.flush()
    return row


def _hazard_row(session: Session, actor: Actor, hazard_id: int) -> SafetyHazard:
    row = session.get(SafetyHazard, hazard_id)
    if row is None or not actor.can_read_site(row.site):
        raise NotFoundError(f"no hazard {hazard_id}")
    return row


def get_hazard(session: Session, actor: Actor, hazard_id: int) -> SafetyHazard:
    """A hazard the actor may read (else NotFoundError, whether it exists or not)."""
    return _hazard_row(session, actor, hazard_id)


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
        raise ValidationError(Problem(f"unknown action {action!r}: expected one of "
                                      f"{', '.join(_ACTIONS)}", column="action"))
    row = _hazard_row(session, actor, hazard_id)
    step_action = Action(action)
    _require(actor, row.site, step_action, row.level)
    hazard, by, when = _domain(row), actor.username, _cst(at)
    step: Transition
    if step_action is Action.CLASSIFY:
        step = register.classify(hazard, level=level or "", by=by, at=when,
                                 criterion=criterion or None, note=note)
    elif step_action is Action.ASSIGN:
        step = register.assign(hazard, owner=owner or "", deadline=_required_day(deadline),
                               by=by, at=when, note=note)
    elif step_action is Action.RECTIFY:
        refs = _check_files(home, evidence, "evidence")
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
    _record(session, row, step, _user_id(actor))
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
            _require(actor, row.site, action, row.level)
        except (PermissionDenied, NotFoundError):
            continue
        allowed.append(name)
    return allowed


def _required_day(day: date | None) -> date:
    if day is None:
        raise ValidationError(Problem("expected a deadline as YYYY-MM-DD", column="deadline"))
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
    when = _cst(at)
    open_states = [s.value for s in register.TRANSITIONS[Action.ESCALATE][0]]
    stmt = actor.where_visible(
        select(SafetyHazard).join(Site, SafetyHazard.site_id == Site.id)
        .where(SafetyHazard.state.in_(open_states), SafetyHazard.deadline < day)
        .order_by(SafetyHazard.id))
    done = []
    for row in session.scalars(stmt):
        step = register.escalate_overdue(_domain(row), as_of=day, at=when, by=actor.username)
        if step is not None:
            _record(session, row, step, _user_id(actor))
            done.append({"hazard": row.id, "site": row.site.code,
                         "tier": step.hazard.escalation,
                         "days_overdue": int(step.event.details["days_overdue"])})
    session.flush()
    return done


def hazard_dict(row: SafetyHazard, as_of: date | None = None) -> dict[str, Any]:
    """A hazard as JSON-ready data."""
    day = as_of or today_cst()
    overdue = _domain(row).days_overdue(day)
    return {
        "id": row.id, "site": row.site.code, "site_name": row.site.name,
        "enterprise": row.site.organisation.name, "province": row.site.province,
        "title": row.title, "description": row.description, "area": row.area,
        "x": row.x, "y": row.y, "lon": row.lon, "lat": row.lat, "facility": row.facility,
        "level": row.level, "criterion": row.criterion, "clause": row.clause,
        "state": row.state, "owner": row.owner,
        "deadline": None if row.deadline is None else row.deadline.isoformat(),
        "reported_by": row.reported_by, "reported_at": _iso(row.reported_at),
        "reported_on": row.reported_on.isoformat(), "photos": list(row.photos),
        "rectified_by": row.rectified_by, "evidence": list(row.evidence),
        "verified_by": row.verified_by, "closed_on": None if row.closed_on is None
        else row.closed_on.isoformat(), "escalation": row.escalation,
        "reopened": row.reopened, "days_overdue": overdue, "overdue": overdue > 0,
        "tailings_facility": None if row.tailings_facility_id is None
        else row.tailings_facility_id}


def _iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def timeline(session: Session, actor: Actor, hazard_id: int) -> pd.DataFrame:
    """The hazard's steps in order: ``at`` (UTC), ``action``, ``by``, ``from_state``,
    ``to_state``, ``note``, ``details`` (text), ``evidence`` (SHA-256s, ``;``-separated)."""
    row = _hazard_row(session, actor, hazard_id)
    frame = pd.DataFrame([{
        "at": e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC), "action": e.action,
        "by": e.by, "from_state": e.from_state, "to_state": e.to_state, "note": e.note,
        "details": "; ".join(f"{k}: {v}" for k, v in e.details.items()),
        "evidence": "; ".join(e.evidence)} for e in row.events],
        columns=["at", "action", "by", "from_state", "to_state", "note", "details",
                 "evidence"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def _rows(session: Session, actor: Actor, site: str | None = None) -> list[SafetyHazard]:
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
    if level not in (None, "", "general", "major", "unclassified"):
        problems.append(Problem(f"unknown level {level!r}: expected general, major or "
                                "unclassified", column="level"))
    states = {s.value for s in HazardState} | {"open"}
    if state not in (None, "") and state not in states:
        problems.append(Problem(f"unknown state {state!r}: expected one of "
                                f"{', '.join(sorted(states))}", column="state"))
    if problems:
        raise ValidationError(problems)
    day = as_of or today_cst()
    codes = dict(session.execute(select(TailingsFacility.id, TailingsFacility.code)).all())
    records = []
    for row in _rows(session, actor, site):
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


# --- dynamic clearing statistics ----------------------------------------------------------------


def _stats_frame(session: Session, actor: Actor) -> pd.DataFrame:
    return stats.hazards_frame(_domain(row) for row in _rows(session, actor))


def clearing(session: Session, actor: Actor, as_of: date | None = None,
             by: str | None = None) -> pd.DataFrame:
    """Dynamic-clearing statistics (:func:`aurum.safety.stats.clearing_table`) of the
    hazards the actor may read. Unclassified hazards are not counted until classified.

    Parameters
    ----------
    as_of : date, optional
        Day of the statistics (default today, China Standard Time).
    by : {'site', 'enterprise', 'province'} or None
        Grouping; None gives one row for the nation.

    Returns
    -------
    pandas.DataFrame
        The grouping column, then counts, median days to close (d) and ``target_met``.
    """
    table = stats.clearing_table(_stats_frame(session, actor), as_of or today_cst(), by)
    return table.reset_index()


def clearing_summary(session: Session, actor: Actor, as_of: date | None = None
                     ) -> dict[str, Any]:
    """The figures of :func:`aurum.safety.stats.clearing_summary` and the regulator's
    indicator.

    Parameters
    ----------
    as_of : date, optional
        Day of the statistics (default today, China Standard Time).

    Returns
    -------
    dict
        ``as_of`` (ISO day), the counts and median days to close (d) nationally and
        ``by_province``, and ``indicator`` = {``id``, ``value`` (open major hazards past
        their deadline), ``target`` (0), ``met``}.
    """
    day = as_of or today_cst()
    summary = stats.clearing_summary(_stats_frame(session, actor), day)
    value = int(summary["overdue_major"])
    return {"as_of": day.isoformat(), **summary, "indicator": {
        "id": stats.INDICATOR, "value": value, "target": stats.INDICATOR_TARGET,
        "met": value == stats.INDICATOR_TARGET}}


def indicator_history(session: Session, actor: Actor, as_of: date | None = None,
                      months: int = 12) -> pd.DataFrame:
    """The indicator and the open hazards at month ends.

    Parameters
    ----------
    as_of : date, optional
        Last day (default today, China Standard Time).
    months : int
        Month ends before ``as_of`` to include (count).

    Returns
    -------
    pandas.DataFrame
        ``as_of`` (the month ends, then ``as_of`` itself), ``open_major``,
        ``overdue_major``, ``open_general``, ``overdue_general`` (counts).
    """
    day = as_of or today_cst()
    frame = _stats_frame(session, actor)
    ends = [d.date() for d in pd.date_range(end=pd.Timestamp(day), periods=months, freq="ME")
            if d.date() < day] + [day]
    rows = []
    for end in ends:  # a dozen month-ends, each a vectorised table
        table = stats.clearing_table(frame, end)
        rows.append({"as_of": end, **{c: int(table[c].iloc[0]) if len(table) else 0
                                      for c in stats.COUNT_COLUMNS}})
    return pd.DataFrame(rows, columns=["as_of", *stats.COUNT_COLUMNS])


def criteria_table() -> pd.DataFrame:
    """The major-hazard criteria (矿安〔2022〕88号): ``id``, ``facility``, ``clause``, ``zh``,
    ``en``."""
    table = load_criteria()
    return pd.DataFrame([{"id": c.id, "facility": c.facility.value, "clause": c.clause,
                          "zh": c.zh, "en": c.en} for c in table.items.values()])


# --- tailings facilities ------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilitySpec:
    """What a tailings facility needs: a code and the fields of
    :class:`aurum.safety.tailings.TailingsDesign` (elevations and lengths in m, slope m/m,
    displacement limits mm by level name). ``grade`` may be left out when the total
    storage (m³) and dam height (m) are given: it follows from them (GB 50863-2013 3.2.1)."""

    site: str
    code: str
    name: str
    dam_type: str
    crest_elevation_m: float
    beach_slope: float
    control_phreatic_depth_m: float
    grade: int | None = None
    total_storage_m3: float | None = None
    dam_height_m: float | None = None
    design_flood_level_m: float | None = None
    flood_control_level_m: float | None = None
    operating_control_level_m: float | None = None
    design_freeboard_m: float | None = None
    design_beach_length_m: float | None = None
    displacement_limits_mm: dict[str, float] | None = None


_DESIGN_FIELDS = ("crest_elevation_m", "beach_slope", "control_phreatic_depth_m",
                  "design_flood_level_m", "flood_control_level_m", "operating_control_level_m",
                  "design_freeboard_m", "design_beach_length_m", "displacement_limits_mm")


def design_of(row: TailingsFacility) -> TailingsDesign:
    """The design data of a stored facility, as the tailings rules read it."""
    return TailingsDesign(name=row.code, grade=row.grade, dam_type=DamType(row.dam_type),
                          **{f: getattr(row, f) for f in _DESIGN_FIELDS})


def register_facility(session: Session, actor: Actor, spec: FacilitySpec) -> TailingsFacility:
    """Register a tailings facility of a site (an admin, or the site's enterprise).

    Raises
    ------
    ValidationError
        A code in use, no grade and no storage and height to derive it, design data the
        tailings rules refuse (crest below a flood level, a freeboard below the code's...).
    """
    site = get_site(session, actor, spec.site)
    if not actor.can_write_site(site):
        raise PermissionDenied(f"{actor.role.value} users cannot register facilities of "
                               f"{site.code}")
    problems = []
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", spec.code or ""):
        problems.append(Problem("expected a code of letters, digits, '_', '.', '-' (at most "
                                "32)", column="code"))
    elif session.scalar(select(TailingsFacility).where(TailingsFacility.code == spec.code)):
        problems.append(Problem(f"facility {spec.code!r} exists already", column="code"))
    grade = spec.grade
    if grade is None:
        if spec.total_storage_m3 is None or spec.dam_height_m is None:
            problems.append(Problem("expected a grade, or the total storage (m3) and dam "
                                    "height (m) it follows from", column="grade"))
        else:
            grade = facility_grade(spec.total_storage_m3, spec.dam_height_m)
    if problems:
        raise ValidationError(problems)
    assert grade is not None
    design = TailingsDesign(name=spec.code, grade=grade, dam_type=spec.dam_type,  # type: ignore[arg-type]
                            **{f: getattr(spec, f) for f in _DESIGN_FIELDS})
    row = TailingsFacility(site_id=site.id, code=spec.code, name=spec.name or spec.code,
                           grade=design.grade, dam_type=design.dam_type.value,
                           total_storage_m3=spec.total_storage_m3,
                           dam_height_m=spec.dam_height_m, alarm_level=0,
                           created_by=_user_id(actor),
                           **{f: getattr(spec, f) for f in _DESIGN_FIELDS})
    row.site = site
    session.add(row)
    session.flush()
    return row


def get_facility(session: Session, actor: Actor, code: str) -> TailingsFacility:
    """A facility the actor may read."""
    row = session.scalar(select(TailingsFacility).where(TailingsFacility.code == code))
    if row is None or not actor.can_read_site(row.site):
        raise NotFoundError(f"no tailings facility {code!r}")
    return row


def list_facilities(session: Session, actor: Actor) -> list[TailingsFacility]:
    """The facilities the actor may read, by code."""
    stmt = actor.where_visible(
        select(TailingsFacility).join(Site, TailingsFacility.site_id == Site.id)
        .order_by(TailingsFacility.code))
    return list(session.scalars(stmt))


def facility_dict(row: TailingsFacility) -> dict[str, Any]:
    """A facility's registry and design data as JSON-ready data."""
    design = design_of(row)
    return {"code": row.code, "name": row.name, "site": row.site.code,
            "grade": row.grade, "dam_type": row.dam_type,
            "total_storage_m3": row.total_storage_m3, "dam_height_m": row.dam_height_m,
            **{f: getattr(row, f) for f in _DESIGN_FIELDS},
            "min_freeboard_m": design.min_freeboard_m,
            "min_beach_length_m": design.min_beach_length_m,
            "alarm_level": row.alarm_level, "alarm_at": _iso(row.alarm_at),
            "sensors": [s.code for s in row.sensors]}


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
    when = _cst(at)
    site = facility.site
    step = register.report("new", site=site.code, description=proposal.description,
                           by=MONITORING, at=when, facility=Facility.TAILINGS,
                           enterprise=site.organisation.name, province=site.province,
                           note=f"opened by the online monitoring of {facility.code}")
    classified = register.classify(step.hazard, level=proposal.level, by=MONITORING, at=when,
                                   criterion=proposal.criterion)
    row = SafetyHazard(
        site_id=site.id, title=f"{facility.name}: {proposal.level.value} alarm of the online "
        "monitoring"[:200], description=proposal.description, area=facility.code,
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


# --- the demo -----------------------------------------------------------------------------------

_DEMO_GENERAL = (
    ("Loose rock on the roof of the haulage drift", "Scale the roof and bolt the loose slab"),
    ("Guard missing on the tail pulley of the ore conveyor", "Refit the guard"),
    ("Fire extinguishers past their inspection date in the hoist room", "Replace them"),
    ("Ventilation door left open on the return airway", "Close and interlock the door"),
    ("Handrail of the service-shaft ladderway corroded", "Replace the handrail"),
    ("Blasting warning signs missing at the stope entrance", "Post the signs"),
    ("Water standing in the drainage ditch of the ramp", "Clear the ditch"),
    ("Electrical cabinet of the pump station without lock-out", "Fit a lock-out hasp"),
)
_DEMO_MAJOR = (
    ("UG-19", "Roof of the cut-and-fill stope not supported as designed"),
    ("UG-07", "Main pump station runs two pumps where the design asks for three"),
    ("UG-20", "Standby motor of the main fan out of service"),
    ("UG-17", "Mined-out voids of the old stopes not backfilled as designed"),
    ("UG-01", "Second emergency exit of the deep level obstructed by waste rock"),
)
# Where each demo hazard ends: (state, level, overdue), in the order they are made.
_DEMO_PLAN = (
    *[("closed", "general", False)] * 11, *[("closed", "major", False)] * 3,
    ("reopened", "general", False), ("rejected", "general", True),
    *[("verified", "general", False)] * 2, *[("rectified", "general", False)] * 2,
    ("rectified", "major", False),
    *[("assigned", "general", False)] * 3, *[("assigned", "general", True)] * 2,
    *[("assigned", "major", True)] * 3, ("assigned", "major", False),
    *[("classified", "general", False)] * 2, ("classified", "major", False),
    *[("reported", "", False)] * 3,
)


@dataclass(frozen=True)
class DemoActors:
    """Who acts in the demo: an admin, a national regulator and the enterprise user of each
    organisation that has one (by organisation id)."""

    admin: Actor
    regulator: Actor
    enterprise: dict[int, Actor]

    def of(self, site: Site) -> Actor:
        """The site's enterprise user, else the admin."""
        return next((a for a in self.enterprise.values()
                     if a.org_ids is not None and site.org_id in a.org_ids), self.admin)


def seed_demo_hazards(session: Session, home: Path, actors: DemoActors, sites: list[Site],
                      now: datetime, seed: int) -> int:
    """A year of the demo register on underground mines of several enterprises: hazards in
    every state, general and major, some past their deadline; then the regulator's
    escalation of the overdue ones. Returns the number of hazards."""
    rng = np.random.default_rng(seed)
    today = _cst(now).date()
    for n, (target, level, overdue) in enumerate(_DEMO_PLAN):
        site = sites[n % len(sites)]
        worker = actors.of(site)
        finder = actors.regulator if n % 5 == 0 else worker
        if level == "major":
            criterion, title = _DEMO_MAJOR[n % len(_DEMO_MAJOR)]
            fix = "Restore the design and have the restoration accepted"
        else:
            criterion = None
            title, fix = _DEMO_GENERAL[n % len(_DEMO_GENERAL)]
        open_days = int(rng.integers(40, 330)) if target in ("closed", "reopened") \
            or overdue else int(rng.integers(3, 35))
        reported = now - timedelta(days=open_days, hours=float(rng.uniform(0, 8)))
        row = report_hazard(session, finder, home, HazardReport(
            site.code, title, f"{title} (found on inspection, {site.name}).",
            area=f"level {int(rng.integers(2, 12)) * 60} m", level=level or None,
            criterion=criterion), at=reported)
        if target in ("reported", "classified"):
            continue
        term = int(rng.integers(10, 30))
        deadline = (reported + timedelta(days=term)).date() if target == "closed" or overdue \
            else today + timedelta(days=int(rng.integers(5, 40)))
        assigned = reported + timedelta(days=1)
        act(session, worker, home, row.id, "assign", owner=f"{site.name} safety department",
            deadline=deadline, at=assigned, note=fix)
        if target == "assigned":
            continue
        rectified = min(assigned + timedelta(days=int(rng.integers(2, term))),
                        now - timedelta(days=2))
        record = put_file(home, f"Rectification record of hazard {row.id} at {site.code}: "
                                f"{fix}.\n".encode())
        act(session, worker, home, row.id, "rectify", evidence=[record], at=rectified,
            note=fix)
        if target == "rectified":
            continue
        if target == "rejected":
            act(session, actors.regulator, home, row.id, "reject", at=rectified
                + timedelta(days=1), note="The photos do not show the whole length fixed")
            continue
        act(session, actors.regulator, home, row.id, "verify", at=rectified
            + timedelta(hours=20))
        if target == "verified":
            continue
        act(session, actors.regulator, home, row.id, "close", at=rectified
            + timedelta(days=1))
        if target == "reopened":
            act(session, actors.regulator, home, row.id, "reopen", at=rectified
                + timedelta(days=12), deadline=today + timedelta(days=10),
                note="Found again on the follow-up inspection")
    escalate_overdue(session, actors.regulator, today, now)
    return len(_DEMO_PLAN)
