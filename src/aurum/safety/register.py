"""The hazard register as a pure state machine.

A hazard (事故隐患) moves reported → classified (general or major, a major one against an item
of the criteria table) → assigned (owner and deadline) → rectified (with evidence) → verified
(by someone who neither owns nor rectified it) → closed. A verifier may send a rectification
back (rejected → assigned); a closed hazard may be re-opened (→ assigned, with a new deadline);
an open hazard past its deadline is escalated in tiers.

Every function takes a :class:`Hazard` and returns a :class:`Transition`: the new hazard (the
old one is never changed) and the :class:`HazardEvent` to append to the audit trail. Refusals
raise :class:`~aurum.core.errors.ValidationError` (illegal transition, bad field) or
:class:`~aurum.core.errors.PermissionDenied` (verifying one's own work). Who may act at all
(roles, organisation scope) is the service's business, not this module's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from aurum.core.errors import PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _, lazy_gettext
from aurum.safety.criteria import Facility, HazardCriteria, load_criteria


class HazardState(StrEnum):
    REPORTED = "reported"
    CLASSIFIED = "classified"
    ASSIGNED = "assigned"
    RECTIFIED = "rectified"
    VERIFIED = "verified"
    CLOSED = "closed"


class HazardLevel(StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class Action(StrEnum):
    REPORT = "report"
    CLASSIFY = "classify"
    ASSIGN = "assign"
    RECTIFY = "rectify"
    VERIFY = "verify"
    REJECT = "reject"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"


NAMES: Mapping[str, Any] = MappingProxyType({
    "reported": lazy_gettext("reported"),
    "classified": lazy_gettext("classified"),
    "assigned": lazy_gettext("assigned"),
    "rectified": lazy_gettext("rectified"),
    "verified": lazy_gettext("verified"),
    "closed": lazy_gettext("closed"),
    "general": lazy_gettext("general"),
    "major": lazy_gettext("major"),
    "report": lazy_gettext("report"),
    "classify": lazy_gettext("classify"),
    "assign": lazy_gettext("assign"),
    "rectify": lazy_gettext("rectify"),
    "verify": lazy_gettext("verify"),
    "reject": lazy_gettext("reject"),
    "close": lazy_gettext("close"),
    "reopen": lazy_gettext("reopen"),
    "escalate": lazy_gettext("escalate"),
})
"""What a person reads for each state, level and action (:class:`HazardState`,
:class:`HazardLevel`, :class:`Action`), in the current language."""

_S = HazardState
# action -> (states it may start from, state it leads to; None = stays where it is)
TRANSITIONS: Mapping[Action, tuple[frozenset[HazardState], HazardState | None]] = \
    MappingProxyType({
        Action.CLASSIFY: (frozenset({_S.REPORTED}), _S.CLASSIFIED),
        Action.ASSIGN: (frozenset({_S.CLASSIFIED, _S.ASSIGNED}), _S.ASSIGNED),
        Action.RECTIFY: (frozenset({_S.ASSIGNED}), _S.RECTIFIED),
        Action.VERIFY: (frozenset({_S.RECTIFIED}), _S.VERIFIED),
        Action.REJECT: (frozenset({_S.RECTIFIED}), _S.ASSIGNED),
        Action.CLOSE: (frozenset({_S.VERIFIED}), _S.CLOSED),
        Action.REOPEN: (frozenset({_S.CLOSED}), _S.ASSIGNED),
        Action.ESCALATE: (frozenset({_S.ASSIGNED, _S.RECTIFIED, _S.VERIFIED}), None),
    })

# Days past the deadline at which an open hazard reaches escalation tier 1, 2, 3 (a product
# choice: the enterprise's head at once, its regulator after a week, the province after a
# month).
ESCALATION_TIERS_DAYS: tuple[int, ...] = (1, 8, 31)


@dataclass(frozen=True)
class Hazard:
    """One hazard and where it stands.

    Parameters
    ----------
    id, site, description : str
        Identifier, site code and what was found.
    reported_by : str
        Who reported it.
    reported_on : date
        Day it was reported.
    facility : Facility or None
        Kind of facility (underground, open pit, tailings) when the criteria apply.
    enterprise, province : str
        For the clearing statistics.
    state : HazardState
    level : HazardLevel or None
        None until classified.
    criterion : str or None
        Id of the criteria item a major hazard meets.
    owner : str or None
        Who must rectify it.
    deadline : date or None
        Day by which it must be rectified.
    rectified_by, rectified_on, evidence
        Who rectified it, when, and the references (file hashes, photo ids...) proving it.
    verified_by, verified_on, closed_on
        The verification and the closing day.
    escalation : int
        Escalation tier reached (0 = none).
    reopened : int
        Times the hazard was re-opened.
    """

    id: str
    site: str
    description: str
    reported_by: str
    reported_on: date
    facility: Facility | None = None
    enterprise: str = ""
    province: str = ""
    state: HazardState = HazardState.REPORTED
    level: HazardLevel | None = None
    criterion: str | None = None
    owner: str | None = None
    deadline: date | None = None
    rectified_by: str | None = None
    rectified_on: date | None = None
    evidence: tuple[str, ...] = ()
    verified_by: str | None = None
    verified_on: date | None = None
    closed_on: date | None = None
    escalation: int = 0
    reopened: int = 0

    @property
    def is_open(self) -> bool:
        return self.state is not HazardState.CLOSED

    def days_overdue(self, as_of: date) -> int:
        """Days past the deadline on ``as_of`` (0 when closed, not due or without deadline)."""
        if not self.is_open or self.deadline is None:
            return 0
        return max(0, (as_of - self.deadline).days)


@dataclass(frozen=True)
class HazardEvent:
    """One line of the audit trail: who did what, when, from which state to which.

    ``details`` holds what the action set (level, criterion, owner, deadline, evidence...), as
    text.
    """

    hazard_id: str
    action: Action
    by: str
    at: datetime
    from_state: HazardState | None
    to_state: HazardState
    note: str = ""
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def as_dict(self) -> dict[str, Any]:
        return {"hazard_id": self.hazard_id, "action": self.action.value, "by": self.by,
                "at": self.at.isoformat(),
                "from": None if self.from_state is None else self.from_state.value,
                "to": self.to_state.value, "note": self.note, "details": dict(self.details)}


@dataclass(frozen=True)
class Transition:
    """The hazard after an action and the event recording it."""

    hazard: Hazard
    event: HazardEvent


def _required(value: str | None, column: str, expected: str) -> str:
    """``value`` stripped; refused (``expected``, the message) when blank."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(Problem(expected, column=column))
    return text


def _check_deadline(hazard: Hazard, deadline: date) -> None:
    if deadline < hazard.reported_on:
        raise ValidationError(Problem(_(
            "the deadline %(day)s is before the report date %(reported)s of hazard %(hazard)s",
            day=deadline.isoformat(), reported=hazard.reported_on.isoformat(),
            hazard=hazard.id), column="deadline"))


def _check_state(hazard: Hazard, action: Action) -> None:
    """Refuse an action the hazard's state does not allow (checked before anything else, so
    the message names the real obstacle)."""
    sources = TRANSITIONS[action][0]
    if hazard.state not in sources:
        allowed = _(", ").join(str(NAMES[s]) for s in sorted(sources))
        raise ValidationError(Problem(_(
            "cannot %(action)s hazard %(hazard)s: it is %(state)s; %(action)s needs a hazard "
            "that is %(allowed)s", action=NAMES[action], hazard=hazard.id,
            state=NAMES[hazard.state], allowed=allowed), column="state"))


def _transition(hazard: Hazard, action: Action, by: str, at: datetime, note: str,
                details: Mapping[str, str], **changes: Any) -> Transition:
    _check_state(hazard, action)
    target = TRANSITIONS[action][1]
    by = _required(by, "by", _("expected who acts"))
    if at.date() < hazard.reported_on:
        raise ValidationError(Problem(_(
            "the %(action)s date %(day)s is before the report date %(reported)s of hazard "
            "%(hazard)s", action=NAMES[action], day=at.date().isoformat(),
            reported=hazard.reported_on.isoformat(), hazard=hazard.id), column="at"))
    to_state = target or hazard.state
    new = dataclasses.replace(hazard, state=to_state, **changes)
    event = HazardEvent(hazard.id, action, by, at, hazard.state, to_state, note.strip(),
                        MappingProxyType(dict(details)))
    return Transition(new, event)


def report(hazard_id: str, *, site: str, description: str, by: str, at: datetime,
           facility: Facility | str | None = None, enterprise: str = "", province: str = "",
           note: str = "") -> Transition:
    """Enter a new hazard in the register (state ``reported``, report date ``at``'s day).

    Parameters
    ----------
    hazard_id, site, description : str
        Identifier, site code and what was found (all required).
    by : str
        Who reports it.
    at : datetime
        When it is reported.
    facility : Facility or str, optional
        ``underground``, ``open_pit`` or ``tailings`` when the major-hazard criteria apply.
    enterprise, province : str
        Grouping for the statistics.
    note : str
        Free text for the audit trail.
    """
    hazard = Hazard(id=_required(hazard_id, "id", _("expected a hazard id")),
                    site=_required(site, "site", _("expected a site")),
                    description=_required(description, "description",
                                          _("expected a description")),
                    reported_by=_required(by, "by", _("expected who reports")),
                    reported_on=at.date(),
                    facility=_facility(facility), enterprise=enterprise.strip(),
                    province=province.strip())
    event = HazardEvent(hazard.id, Action.REPORT, hazard.reported_by, at, None,
                        HazardState.REPORTED, note.strip(),
                        MappingProxyType({"site": hazard.site, "description": description}))
    return Transition(hazard, event)


def _facility(value: Facility | str | None) -> Facility | None:
    if value is None or value == "":
        return None
    try:
        return Facility(value)
    except ValueError:
        raise ValidationError(Problem(_(
            "unknown facility %(value)r: expected one of %(known)s", value=value,
            known=", ".join(f.value for f in Facility)), column="facility")) from None


def classify(hazard: Hazard, *, level: HazardLevel | str, by: str, at: datetime,
             criterion: str | None = None, criteria: HazardCriteria | None = None,
             note: str = "") -> Transition:
    """Classify a reported hazard as general or major.

    A major hazard must name the criteria item it meets (of its facility's part when the
    hazard's facility is known); an item of the criteria makes a hazard major by definition,
    so a general hazard may not name one.

    Parameters
    ----------
    level : HazardLevel or str
        ``general`` or ``major``.
    criterion : str, optional
        Id of the criteria item (``TF-07``...); required for a major hazard.
    criteria : HazardCriteria, optional
        The table to check against (default: the shipped one).
    """
    _check_state(hazard, Action.CLASSIFY)
    level = _level(level)
    table = criteria or load_criteria()
    details = {"level": level.value}
    if level is HazardLevel.MAJOR:
        if not criterion:
            raise ValidationError(Problem(_(
                "a major hazard must name the item of %(document)s it meets",
                document=table.document), column="criterion"))
        item = table.get(criterion)
        if hazard.facility is not None and item.facility is not hazard.facility:
            raise ValidationError(Problem(_(
                "criterion %(criterion)s (%(clause)s) is for %(kind)s facilities, hazard "
                "%(hazard)s is at a %(facility)s facility", criterion=item.id,
                clause=item.clause, kind=item.facility.value, hazard=hazard.id,
                facility=hazard.facility.value), column="criterion"))
        details |= {"criterion": item.id, "clause": item.citation(table.document)}
    elif criterion:
        item = table.get(criterion)
        raise ValidationError(Problem(_(
            "criterion %(criterion)s (%(citation)s) defines a major hazard: classify the "
            "hazard as major", criterion=item.id, citation=item.citation(table.document)),
            column="level"))
    return _transition(hazard, Action.CLASSIFY, by, at, note, details, level=level,
                       criterion=criterion if level is HazardLevel.MAJOR else None)


def _level(value: HazardLevel | str) -> HazardLevel:
    try:
        return HazardLevel(str(value).strip().lower())
    except ValueError:
        raise ValidationError(Problem(_("unknown level %(value)r: expected general or major",
                                        value=value), column="level")) from None


def assign(hazard: Hazard, *, owner: str, deadline: date, by: str, at: datetime,
           note: str = "") -> Transition:
    """Give a classified hazard an owner and a deadline (or re-assign an assigned one).

    Raises
    ------
    ValidationError
        Without an owner, or with a deadline before the report date.
    """
    _check_state(hazard, Action.ASSIGN)
    owner = _required(owner, "owner", _("expected an owner"))
    _check_deadline(hazard, deadline)
    return _transition(hazard, Action.ASSIGN, by, at, note,
                       {"owner": owner, "deadline": deadline.isoformat()},
                       owner=owner, deadline=deadline)


def rectify(hazard: Hazard, *, evidence: Sequence[str], by: str, at: datetime,
            note: str = "") -> Transition:
    """Record the rectification of an assigned hazard.

    Parameters
    ----------
    evidence : sequence of str
        References to the proof (document hashes, photo ids); at least one is required.
    """
    _check_state(hazard, Action.RECTIFY)
    refs = tuple(e.strip() for e in evidence if e and e.strip())
    if not refs:
        raise ValidationError(Problem(_("rectifying hazard %(hazard)s needs evidence",
                                        hazard=hazard.id), column="evidence"))
    return _transition(hazard, Action.RECTIFY, by, at, note, {"evidence": "; ".join(refs)},
                       rectified_by=by.strip(), rectified_on=at.date(), evidence=refs)


def _check_independent(hazard: Hazard, by: str, action: Action) -> None:
    actor = by.strip()
    if actor and actor in {hazard.owner, hazard.rectified_by}:
        raise PermissionDenied(_(
            "cannot %(action)s hazard %(hazard)s: %(actor)s owns or rectified it; the "
            "verification must be done by someone else", action=NAMES[action],
            hazard=hazard.id, actor=actor))


def verify(hazard: Hazard, *, by: str, at: datetime, note: str = "") -> Transition:
    """Accept a rectification.

    Raises
    ------
    PermissionDenied
        When ``by`` is the hazard's owner or its rectifier.
    """
    _check_state(hazard, Action.VERIFY)
    _check_independent(hazard, by, Action.VERIFY)
    return _transition(hazard, Action.VERIFY, by, at, note, {}, verified_by=by.strip(),
                       verified_on=at.date())


def reject(hazard: Hazard, *, by: str, at: datetime, note: str) -> Transition:
    """Send a rectification back to its owner (the reason in ``note`` is required)."""
    _check_state(hazard, Action.REJECT)
    _check_independent(hazard, by, Action.REJECT)
    reason = _required(note, "note", _("expected the reason for rejecting the rectification"))
    return _transition(hazard, Action.REJECT, by, at, reason, {}, rectified_by=None,
                       rectified_on=None, evidence=())


def close(hazard: Hazard, *, by: str, at: datetime, note: str = "") -> Transition:
    """Close a verified hazard.

    Raises
    ------
    ValidationError
        When the hazard carries no evidence or no verification.
    """
    _check_state(hazard, Action.CLOSE)
    if not hazard.evidence:
        raise ValidationError(Problem(_("cannot close hazard %(hazard)s without evidence of "
                                        "its rectification", hazard=hazard.id),
                                      column="evidence"))
    if hazard.verified_by is None:
        raise ValidationError(Problem(_("cannot close hazard %(hazard)s: not verified",
                                        hazard=hazard.id), column="verified_by"))
    return _transition(hazard, Action.CLOSE, by, at, note, {}, closed_on=at.date())


def reopen(hazard: Hazard, *, by: str, at: datetime, note: str, deadline: date,
           owner: str | None = None) -> Transition:
    """Re-open a closed hazard (it recurred or the fix failed): back to ``assigned`` with a new
    deadline, the same owner unless another is given; the rectification is cleared."""
    _check_state(hazard, Action.REOPEN)
    reason = _required(note, "note", _("expected the reason for re-opening"))
    owner = _required(owner or hazard.owner, "owner", _("expected an owner"))
    _check_deadline(hazard, deadline)
    return _transition(hazard, Action.REOPEN, by, at, reason,
                       {"owner": owner, "deadline": deadline.isoformat()}, owner=owner,
                       deadline=deadline, rectified_by=None, rectified_on=None, evidence=(),
                       verified_by=None, verified_on=None, closed_on=None,
                       reopened=hazard.reopened + 1, escalation=0)


def escalation_tier(days_overdue: int, tiers_days: Sequence[int] = ESCALATION_TIERS_DAYS) -> int:
    """Tier reached after ``days_overdue`` days (d) past the deadline (0 = none)."""
    return sum(days_overdue >= d for d in tiers_days)


def escalate_overdue(hazard: Hazard, *, as_of: date, at: datetime, by: str = "system",
                     tiers_days: Sequence[int] = ESCALATION_TIERS_DAYS) -> Transition | None:
    """Raise the escalation tier of an open hazard past its deadline.

    Parameters
    ----------
    as_of : date
        Day to judge the deadline against.
    at : datetime
        When the escalation is recorded.
    by : str
        Who escalates (default ``system``, the scheduled check).
    tiers_days : sequence of int
        Days (d) past the deadline at which tiers 1, 2, ... are reached.

    Returns
    -------
    Transition or None
        None when the hazard is not overdue or already at the tier its delay calls for (so a
        daily check records one event per tier, not one per day).
    """
    if hazard.state not in TRANSITIONS[Action.ESCALATE][0]:
        return None
    days = hazard.days_overdue(as_of)
    tier = escalation_tier(days, tiers_days)
    if tier <= hazard.escalation:
        return None
    return _transition(hazard, Action.ESCALATE, by, at,
                       _("%(days)s days past the deadline %(deadline)s", days=days,
                         deadline=hazard.deadline),
                       {"tier": str(tier), "days_overdue": str(days)}, escalation=tier)
