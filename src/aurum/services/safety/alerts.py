"""Alerts of the monitoring (sensors, tailings facilities, the seismic monitoring): raised
once while they stand, listed, acknowledged, and sent once their transaction commits
(:mod:`aurum.services.delivery`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.sensors import AlarmLevel
from aurum.services import delivery
from aurum.services.auth import Actor
from aurum.services.registry import get_site
from aurum.services.safety.common import iso_utc
from aurum.services.safety.facilities import get_facility
from aurum.store.models import Alert, Site, User, utcnow

SOURCES = ("sensor", "tailings", "seismic")


def alarm_label(level: int) -> str:
    """The name of an alarm level (0 none, 1 blue to 4 red) of a sensor or facility."""
    return AlarmLevel(level).label


def alert_dict(alert: Alert, site: str, sensor: str | None = None, facility: str | None = None,
               acknowledged_by: str | None = None) -> dict[str, Any]:
    """An alert as JSON-ready data (``level`` as its name, ``level_value`` 1-4)."""
    return {"id": alert.id, "time": iso_utc(alert.time), "site": site, "source": alert.source,
            "sensor": sensor, "facility": facility, "rule": alert.rule,
            "level": AlarmLevel(alert.level).label, "level_value": alert.level,
            "value": alert.value, "message": alert.message,
            "acknowledged": alert.acknowledged_at is not None,
            "acknowledged_by": acknowledged_by, "acknowledged_at": iso_utc(alert.acknowledged_at),
            "ack_note": alert.ack_note, "hazard_id": alert.hazard_id}


ALERT_COLUMNS = ["id", "time", "site", "source", "sensor", "facility", "rule", "level",
                 "level_value", "value", "message", "acknowledged", "acknowledged_by",
                 "acknowledged_at", "ack_note", "hazard_id"]


def list_alerts(session: Session, actor: Actor, *, site: str | None = None,
                facility: str | None = None, acknowledged: bool | None = None,
                min_level: str | None = None, limit: int = 2000) -> pd.DataFrame:
    """Alerts the actor may read, newest first (columns :data:`ALERT_COLUMNS`).

    Parameters
    ----------
    site, facility : str, optional
        Only those of a site or a tailings facility (codes).
    acknowledged : bool, optional
        Only acknowledged (True) or standing (False) alerts.
    min_level : str, optional
        Only alerts at this level (``blue``..``red``) or above.
    limit : int
        At most this many (count).
    """
    stmt = (select(Alert, Site.code).join(Site, Alert.site_id == Site.id)
            .order_by(Alert.time.desc(), Alert.id.desc()).limit(limit))
    stmt = actor.where_visible(stmt)
    if site:
        stmt = stmt.where(Site.id == get_site(session, actor, site).id)
    if facility:
        stmt = stmt.where(Alert.facility_id == get_facility(session, actor, facility).id)
    if acknowledged is not None:
        stmt = stmt.where(Alert.acknowledged_at.is_not(None) if acknowledged
                          else Alert.acknowledged_at.is_(None))
    if min_level:
        stmt = stmt.where(Alert.level >= int(AlarmLevel.parse(min_level)))
    rows = session.execute(stmt).all()
    users = dict(session.execute(select(User.id, User.username).where(User.id.in_(
        {a.acknowledged_by for a, _ in rows if a.acknowledged_by is not None}))).all())
    frame = pd.DataFrame([alert_dict(a, code, a.sensor.code if a.sensor else None,
                                     a.facility.code if a.facility else None,
                                     users.get(a.acknowledged_by) if a.acknowledged_by
                                     else None) for a, code in rows], columns=ALERT_COLUMNS)
    for column in ("time", "acknowledged_at"):
        # Seismic alerts carry fractional seconds, readings' alerts often none: a format
        # inferred from the first row would reject the others.
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def acknowledge(session: Session, actor: Actor, alert_id: int, note: str = "") -> Alert:
    """Acknowledge an alert (its site's enterprise or an admin): who, when and a note.

    Parameters
    ----------
    alert_id : int
    note : str
        What was done (free text).

    Raises
    ------
    NotFoundError
        Unknown alert, or outside the actor's scope.
    ValidationError
        The alert was acknowledged already.
    """
    alert = session.get(Alert, alert_id)
    if alert is None or not actor.can_read_site(alert.site):
        raise NotFoundError(_("no alert %(alert)s", alert=alert_id))
    if not actor.can_write_site(alert.site):
        raise PermissionDenied(_("%(role)s users cannot acknowledge alerts of %(site)s",
                                 role=actor.role.value, site=alert.site.code))
    if alert.acknowledged_at is not None:
        raise ValidationError(Problem(_("alert %(alert)s was acknowledged already, at %(at)s",
                                        alert=alert_id, at=iso_utc(alert.acknowledged_at)),
                                      column="alert"))
    alert.acknowledged_by = actor.user_id or None
    alert.acknowledged_at = utcnow()
    alert.ack_note = note.strip() or None
    return alert


def standing_level(session: Session, **source: Any) -> int:
    """Highest level among the unacknowledged alerts of a source (a sensor, a facility...;
    the keywords are columns of :class:`~aurum.store.models.Alert`)."""
    stmt = select(func.max(Alert.level)).where(Alert.acknowledged_at.is_(None))
    for column, value in source.items():
        stmt = stmt.where(getattr(Alert, column) == value)
    return int(session.scalar(stmt) or 0)


def record_alert(session: Session, alert: Alert, site: str, sensor: str | None = None,
                 facility: str | None = None) -> dict[str, Any]:
    """Store a raised alert and send it once the transaction commits (to the webhook and
    e-mail recipients configured, :mod:`aurum.services.delivery`).

    Parameters
    ----------
    alert : Alert
        The new alert.
    site, sensor, facility : str
        Codes of its site, and of its sensor or tailings facility if any.

    Returns
    -------
    dict
        The alert (:func:`alert_dict`).
    """
    session.add(alert)
    session.flush()
    raised = alert_dict(alert, site=site, sensor=sensor, facility=facility)
    delivery.deliver_on_commit(session, raised)
    return raised
