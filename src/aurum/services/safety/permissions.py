"""Who may do what in work safety and its monitoring, checked on every read and write.

The organisation scope of :mod:`aurum.services.auth` applies throughout: an enterprise user
sees and acts only on its organisation's sites, a provincial regulator only in its province,
and anything outside the scope is "not found".

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
write the monitoring          own sites            no                     yes    no
(sensors, readings, alerts)
============================  ===================  =====================  =====  =======

Two decisions behind the table. The enterprise bears the rectification (企业主体责任), so
assigning an owner and a deadline and recording the fix are the enterprise's acts; a
regulator reports what its inspection finds and classifies it. A major hazard (重大事故隐患)
is under the regulator's supervision until it is signed off (挂牌督办, 销号): its
verification, rejection and closing are a regulator's (or an administrator's), never the
enterprise's own. Whoever verifies, the register's own rule holds on top: nobody verifies a
rectification they own or did.

The monitoring is also written by the platform's own processes (:data:`~aurum.services.auth.SYSTEM`:
the MQTT listener, the command line); acknowledging an alert is the operator's (the
enterprise's) or an admin's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, PermissionDenied
from aurum.core.i18n import _
from aurum.safety.register import NAMES, Action, HazardLevel
from aurum.services.auth import Actor, Role
from aurum.store.models import SafetyHazard, Site

_REGULATOR_ACTIONS = frozenset({Action.REPORT, Action.CLASSIFY, Action.VERIFY, Action.REJECT,
                                Action.CLOSE, Action.REOPEN, Action.ESCALATE})
_SIGN_OFF = frozenset({Action.VERIFY, Action.REJECT, Action.CLOSE})
_REPORTERS = frozenset({Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE})


def user_id(actor: Actor) -> int | None:
    """The actor's account id, or None for actors without one (the command line, the
    monitoring: id 0)."""
    return actor.user_id or None


def require_action(actor: Actor, site: Site, action: Action, level: str | None = None) -> None:
    """Refuse a step of the hazard register the actor's role or scope does not allow (see the
    module's table); ``level`` is the hazard's (``general``, ``major`` or None)."""
    actor.require_read_site(site)
    if actor.role is Role.ADMIN:
        return
    if actor.role is Role.REGULATOR and action in _REGULATOR_ACTIONS:
        return
    if actor.role is Role.ENTERPRISE and actor.can_write_site(site) \
            and action is not Action.ESCALATE:
        if action in _SIGN_OFF and level == HazardLevel.MAJOR.value:
            raise PermissionDenied(_(
                "cannot %(action)s a major hazard of %(site)s as its enterprise: a major "
                "hazard is signed off by a regulator", action=NAMES[action], site=site.code))
        return
    raise PermissionDenied(_("%(role)s users cannot %(action)s hazards of %(site)s",
                             role=actor.role.value, action=NAMES[action], site=site.code))


def can_report(actor: Actor) -> bool:
    """Whether the actor's role reports hazards on some site (the register page offers the
    form; :func:`require_action` judges each site)."""
    return actor.role in _REPORTERS


def get_hazard(session: Session, actor: Actor, hazard_id: int) -> SafetyHazard:
    """A hazard the actor may read (else NotFoundError, whether it exists or not)."""
    row = session.get(SafetyHazard, hazard_id)
    if row is None or not actor.can_read_site(row.site):
        raise NotFoundError(_("no hazard %(hazard)s", hazard=hazard_id))
    return row


def require_monitoring_write(actor: Actor, site: Site) -> None:
    """Refuse writing a site's monitoring (sensors, rules, readings, alerts) to an actor who
    may not (see the module's table)."""
    actor.require_read_site(site)
    if not actor.can_write_site(site):
        raise PermissionDenied(_("%(role)s users cannot write the monitoring of %(site)s",
                                 role=actor.role.value, site=site.code))


def writable_sites(session: Session, actor: Actor) -> set[str] | None:
    """Codes of the sites whose monitoring the actor may write (None: every site)."""
    if actor.role is Role.ADMIN:
        return None
    if actor.role is not Role.ENTERPRISE or actor.org_ids is None:
        return set()
    return set(session.scalars(select(Site.code).where(Site.org_id.in_(actor.org_ids))))
