"""The notification centre and the reporting reminders.

What needs an actor's attention now, in its scope: the statistics reports of its sites due soon
or overdue (an enterprise), the recycling reports due of its organisation (a recycler, or an
enterprise that recycles), its reports returned by the reviewer, the reports it may review (a
regulator, :mod:`aurum.services.review`) and the standing alerts of its sites raised in the
last :data:`ALERT_DAYS` days, and the supply–demand matches that wait for a buyer or a maker
(:mod:`aurum.services.matching`). Each item leaves the list once acted on (the report sent, the
review done, the alert acknowledged, the need closed or withdrawn), so nothing is stored per
user: the count is what waits.

Every query is bounded (the actor's sites and the reports of the last years, the newest
alerts with a count), and the result is kept per scope, day and data version
(:mod:`aurum.services.cache`), so the page header shows the count on every page for the price
of one query.

The reminders are the same due reports seen on one day across the platform: those whose due
date is a reminder offset of the reporting calendar (:mod:`aurum.industry.calendar`) away from
that day. :func:`send_reminders` sends each once per day to the alert targets
(:mod:`aurum.services.delivery`), remembering what went out in :data:`SENT_FILE` in the data
directory; ``aurum reports remind`` runs it (daily, from cron).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.i18n import _
from aurum.core.periods import Period, PeriodKind
from aurum.core.time import CHINA_STANDARD_TIME, today_cst
from aurum.industry.calendar import ReportingCalendar, load_calendar
from aurum.industry.reporting import reporting_day
from aurum.safety.sensors import LEVEL_NAMES, AlarmLevel
from aurum.services import cache, delivery, review
from aurum.services.auth import SYSTEM, Actor, Role
from aurum.services.matching import waiting as matching_waiting
from aurum.services.recycling.reports import list_reports
from aurum.store.models import Alert, Report, Site

KINDS = ("overdue", "returned", "review", "due", "alert", "match")
"""Kinds of notification, in the order a list shows them at equal severity."""
SEVERITIES = ("danger", "warning", "info")
"""Severities, most pressing first."""
ALERT_DAYS = 7
"""Standing alerts raised on this many days before today (Beijing) or today are notified, d."""
ALERT_ROWS = 50
"""Newest alerts listed at most (all are counted), count."""
REPORT_YEARS = 2
"""Years of reports read back to tell which periods a site has reported (the overdue window
of the calendar is at most a year), years."""
LIST_LIMIT = 200
"""Notifications listed at most (all are counted), count."""
SENT_FILE = "reminders_sent.json"
"""File in the data directory that remembers the reminders sent, per day."""
SENT_KEPT_DAYS = 31
"""Days of sent reminders remembered (older days are dropped from the file), d."""
STATISTICS_SITE_KINDS = ("mine", "plant")
"""Sites that file statistics reports, when operating (as the data-quality check expects)."""


@dataclass(frozen=True)
class Notification:
    """One thing that waits for the actor.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    title : str
        What it is, in the reader's language (its day is ``date``).
    link : str
        The page where it is acted on.
    date : date
        Its day (Beijing): the due date, the day of the return, of the submission, of the alert.
    severity : str
        One of :data:`SEVERITIES`.
    """

    kind: str
    title: str
    link: str
    date: date
    severity: str


@dataclass(frozen=True)
class Notifications:
    """What waits for an actor.

    Parameters
    ----------
    items : tuple of Notification
        The most pressing first (severity, then kind, then the oldest report or the newest
        alert), at most the limit asked for.
    count : int
        How many wait in all (count).
    counts : Mapping[str, int]
        Per kind of :data:`KINDS` (count).
    """

    items: tuple[Notification, ...]
    count: int
    counts: Mapping[str, int]


@dataclass(frozen=True)
class DueReport:
    """A statistics report not sent for a period whose report can be (the period ended).

    Parameters
    ----------
    site : str
        Site code.
    org_id : int
        The site's organisation.
    period : Period
        The period.
    due : date
        Its due date.
    """

    site: str
    org_id: int
    period: Period
    due: date


# ---------------------------------------------------------------------------------------------
# Reports due


def statistics_due(session: Session, today: date, actor: Actor | None = None,
                   calendar: ReportingCalendar | None = None) -> list[DueReport]:
    """The statistics reports of operating mines and plants that ``today`` shows as due soon
    or overdue (:meth:`~aurum.industry.calendar.ReportingCalendar.periods_open`), by site then
    period.

    A site is expected at the period kind of its latest report (the calendar's default kind
    when it never reported); a period counts as reported when a report of the site covers any
    of its months (as :func:`aurum.industry.quality.missing_quarters` counts), and is expected
    only once the site was commissioned.

    Parameters
    ----------
    session : Session
        Database session.
    today : date
        Day of the reporting calendar (Beijing).
    actor : Actor, optional
        Only the sites it may read; every site when None (the reminders).
    calendar : ReportingCalendar, optional
        Default: the shipped calendar.
    """
    calendar = calendar or load_calendar()
    stmt = (select(Site.id, Site.code, Site.org_id, Site.commissioned_on)
            .where(Site.kind.in_(STATISTICS_SITE_KINDS), Site.status == "operating")
            .order_by(Site.code))
    if actor is not None:
        stmt = actor.where_visible(stmt)
    sites = session.execute(stmt).all()
    if not sites:
        return []
    reported = session.execute(
        select(Report.site_id, Report.period).where(
            Report.site_id.in_([s.id for s in sites]),
            Report.year >= today.year - REPORT_YEARS)).all()
    months: dict[int, set[tuple[int, int]]] = {}
    latest: dict[int, Period] = {}
    for site_id, label in reported:
        period = Period.parse(label)
        months.setdefault(site_id, set()).update((period.year, m) for m in period.months)
        if site_id not in latest or (period.end, period.start) > (latest[site_id].end,
                                                                 latest[site_id].start):
            latest[site_id] = period
    open_by_kind = {kind: calendar.periods_open(kind, today) for kind in PeriodKind}
    out = []
    for site in sites:
        kind = latest[site.id].kind if site.id in latest else calendar.default_period_kind
        covered = months.get(site.id, set())
        for period in reversed(open_by_kind[kind]):
            if site.commissioned_on is not None and period.end < site.commissioned_on:
                continue
            if any((period.year, m) in covered for m in period.months):
                continue
            out.append(DueReport(site.code, site.org_id, period, calendar.due_date(period)))
    return out


def recycling_due(session: Session, actor: Actor, today: date,
                  calendar: ReportingCalendar | None = None) -> list[dict[str, Any]]:
    """The recycling reports the actor may read that are overdue or due within the notice of
    their kind's reminders (:attr:`~aurum.industry.calendar.Reminders.notice_days`), as
    :func:`aurum.services.recycling.list_reports` gives them, earliest due first."""
    calendar = calendar or load_calendar()
    out = []
    for report in list_reports(session, actor, "due", today):
        reminders = calendar.recycling.get(report["kind"])
        notice = reminders.notice_days if reminders is not None else 0
        if (date.fromisoformat(report["due_on"]) - today).days <= notice:
            out.append(report)
    return out


# ---------------------------------------------------------------------------------------------
# The notification centre


def _day(moment: Any) -> date:
    """The Beijing day of a stored moment (a frame's timestamp or a datetime)."""
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    return today_cst(moment)


def _report_items(session: Session, actor: Actor, today: date) -> list[Notification]:
    items = []
    if actor.role is Role.ENTERPRISE:
        for due in statistics_due(session, today, actor):
            overdue = due.due < today
            title = (_("Report of %(site)s for %(period)s overdue", site=due.site,
                       period=due.period.label) if overdue else
                     _("Report of %(site)s for %(period)s due", site=due.site,
                       period=due.period.label))
            items.append(Notification("overdue" if overdue else "due", title,
                                      f"/reports/new?site={due.site}&period={due.period.label}",
                                      due.due, "danger" if overdue else "warning"))
    if actor.role in (Role.ENTERPRISE, Role.RECYCLER):
        for report in recycling_due(session, actor, today):
            on = date.fromisoformat(report["due_on"])
            overdue = report["status"] == "overdue"
            title = (_("Recycling report no. %(id)s overdue", id=report["id"]) if overdue
                     else _("Recycling report no. %(id)s due", id=report["id"]))
            items.append(Notification("overdue" if overdue else "due", title,
                                      "/recycling/reports", on,
                                      "danger" if overdue else "warning"))
    for row in review.returned_reports(session, actor).to_dict("records"):
        items.append(Notification(
            "returned", _("Report of %(site)s for %(period)s returned: %(reason)s",
                          site=row["site"], period=row["period"], reason=row["reason"] or ""),
            f"/reports/{int(row['report_id'])}", _day(row["returned_at"]), "danger"))
    for row in review.pending_review(session, actor).to_dict("records"):
        items.append(Notification(
            "review", _("Report of %(site)s for %(period)s to review (version %(version)s)",
                        site=row["site"], period=row["period"], version=int(row["version"])),
            f"/reports/{int(row['report_id'])}", _day(row["submitted_at"]), "info"))
    return items


def _alert_items(session: Session, actor: Actor, today: date) -> tuple[list[Notification], int]:
    """The standing alerts of the actor's sites raised from the start of the Beijing day
    :data:`ALERT_DAYS` days before ``today``: the newest :data:`ALERT_ROWS` and how many there
    are."""
    # From midnight, not from this instant: what is listed depends on the day alone, so it
    # can be kept for the day.
    since = datetime.combine(today - timedelta(days=ALERT_DAYS), time(),
                             tzinfo=CHINA_STANDARD_TIME)
    standing = actor.where_visible(
        select(Alert.id).join(Site, Alert.site_id == Site.id)
        .where(Alert.acknowledged_at.is_(None), Alert.time >= since))
    count = session.scalar(select(func.count()).select_from(standing.subquery())) or 0
    rows = session.execute(actor.where_visible(
        select(Alert.level, Alert.time, Alert.message, Site.code)
        .join(Site, Alert.site_id == Site.id)
        .where(Alert.acknowledged_at.is_(None), Alert.time >= since)
        .order_by(Alert.time.desc(), Alert.id.desc()).limit(ALERT_ROWS))).all()
    items = [Notification(
        "alert", _("%(level)s alert at %(site)s: %(message)s",
                   level=LEVEL_NAMES[AlarmLevel(level).label], site=code, message=message),
        f"/safety/alerts?site={code}&standing=yes", _day(at),
        "danger" if level >= AlarmLevel.ORANGE else "warning")
        for level, at, message, code in rows]
    return items, int(count)


def _match_items(session: Session, actor: Actor, limit: int) -> list[Notification]:
    """Supply–demand matching (:func:`aurum.services.matching.waiting`): a buyer's open
    needs with qualified products, and the open needs a maker's products qualify for."""
    items = []
    for w in matching_waiting(session, actor, limit):
        title = (_("Need no. %(id)s (%(title)s): %(n)s qualified product(s) to consider",
                   id=w.need_id, title=w.title, n=w.qualified) if w.side == "buyer" else
                 _("Need no. %(id)s (%(title)s) of %(buyer)s: your product(s) %(products)s "
                   "qualify", id=w.need_id, title=w.title, buyer=w.buyer,
                   products=", ".join(w.products)))
        items.append(Notification("match", title, f"/materials/needs/{w.need_id}",
                                  _day(w.day), "info"))
    return items


def _sort_key(item: Notification) -> tuple[int, int, int]:
    # Reports: the oldest due first; alerts: the newest first.
    day = item.date.toordinal()
    return (SEVERITIES.index(item.severity), KINDS.index(item.kind),
            -day if item.kind == "alert" else day)


def notifications(session: Session, actor: Actor, *, today: date | None = None,
                  limit: int = LIST_LIMIT) -> Notifications:
    """What waits for the actor now, in its scope (see the module's description); kept per
    scope, role, day and data version (:func:`aurum.services.cache.scope_key`).

    Parameters
    ----------
    session : Session
        Database session.
    actor : Actor
        Caller; only what it may read is listed.
    today : date, optional
        Day of the reporting calendar (default: today in Beijing).
    limit : int
        Items listed at most (all are counted), count.
    """
    today = today or reporting_day()
    key = cache.scope_key(session, actor, "notifications", actor.role.value, today, limit)
    return cache.cached(key, lambda: _notifications(session, actor, today, limit))


def _notifications(session: Session, actor: Actor, today: date, limit: int) -> Notifications:
    reports = _report_items(session, actor, today) + _match_items(session, actor, limit)
    alerts, alert_count = _alert_items(session, actor, today)
    items = sorted(reports + alerts, key=_sort_key)
    counts = {kind: sum(i.kind == kind for i in reports) for kind in KINDS}
    counts["alert"] = alert_count
    return Notifications(tuple(items[:limit]), sum(counts.values()),
                         MappingProxyType(counts))


# ---------------------------------------------------------------------------------------------
# Reminders


def reminders_on(session: Session, day: date,
                 calendar: ReportingCalendar | None = None) -> list[dict[str, Any]]:
    """The reminders falling on ``day`` across the platform, as JSON-ready payloads.

    Each payload has ``id`` (unique per day and report), ``type`` (``reminder``), ``report``
    (``statistics`` or ``recycling``), ``site`` or ``recycler``, ``period`` or ``report_id``,
    ``due_on``, ``days`` (signed days from the due date: -7 is a week before) and ``message``
    in the platform's language (:func:`aurum.core.i18n.default_locale`).
    """
    calendar = calendar or load_calendar()
    out = []
    with i18n.using(i18n.default_locale()):
        for due in statistics_due(session, day, None, calendar):
            offset = calendar.reminder_on(due.period, day)
            if offset is None:
                continue
            out.append({"id": f"{day.isoformat()}|statistics|{due.site}|{due.period.label}",
                        "type": "reminder", "report": "statistics", "site": due.site,
                        "period": due.period.label, "due_on": due.due.isoformat(),
                        "days": offset, "message": _reminder_text(
                            _("the statistics report of %(site)s for %(period)s",
                              site=due.site, period=due.period.label), due.due, offset)})
        for report in list_reports(session, SYSTEM, "due", day):
            reminders = calendar.recycling.get(report["kind"])
            on = date.fromisoformat(report["due_on"])
            offset = reminders.offset_on(on, day) if reminders is not None else None
            if offset is None:
                continue
            out.append({"id": f"{day.isoformat()}|recycling|{report['id']}",
                        "type": "reminder", "report": "recycling",
                        "recycler": report["recycler"], "report_id": report["id"],
                        "kind": report["kind"], "due_on": report["due_on"], "days": offset,
                        "message": _reminder_text(
                            _("recycling report no. %(id)s of %(recycler)s",
                              id=report["id"], recycler=report["recycler"] or "-"),
                            on, offset)})
    return out


def _reminder_text(what: str, due: date, offset: int) -> str:
    if offset < 0:
        return _("Reminder: %(what)s is due on %(date)s, in %(days)s day(s).", what=what,
                 date=due.isoformat(), days=-offset)
    return _("Reminder: %(what)s was due on %(date)s and is %(days)s day(s) overdue.",
             what=what, date=due.isoformat(), days=offset)


def reminder_email(reminder: Mapping[str, Any], sender: str, recipients: Sequence[str]
                   ) -> EmailMessage:
    """The e-mail of a reminder (a :data:`aurum.services.delivery.Compose`): its message as
    subject and body, the reminder's fields under it."""
    message = EmailMessage()
    with i18n.using(i18n.default_locale()):
        message["Subject"] = _("[Aurum] %(message)s", message=reminder.get("message", ""))
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    fields = "\n".join(f"{k}: {v}" for k, v in reminder.items()
                       if v is not None and k != "message")
    message.set_content(f"{reminder.get('message', '')}\n\n{fields}\n")
    return message


@dataclass(frozen=True)
class RemindResult:
    """What :func:`send_reminders` did on one day.

    Parameters
    ----------
    day : date
        The day.
    reminders : tuple of dict
        The day's reminders (payloads of :func:`reminders_on`).
    sent : tuple of str
        Keys ``<reminder id>|<channel>`` sent by this run.
    already : tuple of str
        Keys sent by an earlier run of the same day (not sent again).
    failed : tuple of delivery.Attempt
        Attempts that failed (tried again by the next run of the day).
    """

    day: date
    reminders: tuple[dict[str, Any], ...]
    sent: tuple[str, ...]
    already: tuple[str, ...]
    failed: tuple[delivery.Attempt, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, attempts as mappings."""
        return {"day": self.day.isoformat(), "reminders": list(self.reminders),
                "sent": list(self.sent), "already": list(self.already),
                "failed": [dataclasses.asdict(a) for a in self.failed]}


def _read_sent(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): [str(x) for x in v] for k, v in data.items()} if isinstance(data, dict) else {}


def _write_sent(path: Path, sent: dict[str, list[str]], day: date) -> None:
    oldest = (day - timedelta(days=SENT_KEPT_DAYS)).isoformat()
    kept = {k: v for k, v in sorted(sent.items()) if k >= oldest}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a file


def send_reminders(session: Session, day: date, home: Path,
                   found: delivery.Targets | None = None, *,
                   pause_s: float = delivery.RETRY_PAUSE_S) -> RemindResult:
    """Send the reminders of ``day`` to the alert targets, each once per channel and day.

    What each run sent is remembered in ``home/`` :data:`SENT_FILE`; a second run of the same
    day sends only what failed before (a target that was down) and what became due since.

    Parameters
    ----------
    session : Session
        Database session (read only).
    day : date
        Day of the reminders (Beijing).
    home : Path
        The data directory.
    found : delivery.Targets, optional
        Where they go (default: the environment's, :func:`aurum.services.delivery.targets`).
    pause_s : float
        Pause before a retry, s.

    Raises
    ------
    ValidationError
        A target set wrongly in the environment.
    """
    found = found or delivery.targets()
    path = home / SENT_FILE
    sent = _read_sent(path)
    done = set(sent.get(day.isoformat(), []))
    reminders = tuple(reminders_on(session, day))
    channels = {"webhook": dataclasses.replace(found, smtp_host=None),
                "email": dataclasses.replace(found, webhook=None)}
    configured = {"webhook": found.webhook is not None, "email": found.smtp_host is not None}
    new: list[str] = []
    already: list[str] = []
    failed: list[delivery.Attempt] = []
    for channel, targets in channels.items():
        if not configured[channel]:
            continue
        todo = [r for r in reminders if f"{r['id']}|{channel}" not in done]
        already += [f"{r['id']}|{channel}" for r in reminders
                    if f"{r['id']}|{channel}" in done]
        for attempt in delivery.deliver(todo, targets, pause_s=pause_s, what="reminder",
                                        compose=reminder_email):
            if attempt.ok:
                new.append(f"{attempt.alert_id}|{channel}")
            else:
                failed.append(attempt)
    if new:
        sent[day.isoformat()] = sorted(done | set(new))
        _write_sent(path, sent, day)
    return RemindResult(day, reminders, tuple(new), tuple(already), tuple(failed))
