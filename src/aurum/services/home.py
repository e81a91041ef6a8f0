"""What each role's home page shows: the work of the day, read from the views the other pages
keep per data version (:mod:`aurum.services.cache`), so a home computes nothing of its own on
a GET beyond choosing rows.

- a regulator (national, or provincial: the same views kept to its province): the plan's
  indicators, the reports waiting for its review and the latest reports received;
- an enterprise (a mine or a group): its reports due, those returned by the reviewer, its
  sites, its open hazards and standing alerts;
- a recycler: its latest purchases, its transaction reports due and the ledger's state;
- an auditor: the ledger's state, the latest corrected reports and the data quality;
- an administrator: the national indicators and the platform's state (jobs, latest changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from aurum.industry.reporting import reporting_day
from aurum.services import cache, jobs, monitor, registry, reporting, review, safety
from aurum.services.auth import Actor, Role
from aurum.services.monitor import Monitor
from aurum.services.notifications import statistics_due
from aurum.services.recycling import views as recycling_views
from aurum.services.recycling.ledger import ledger_status
from aurum.services.recycling.purchases import purchases_in_force

ROWS_SHOWN = 10
"""Rows each list of a home shows; its page (linked beside it) has them all."""
DUE_COLUMNS = ["site", "site_name", "period", "due_on", "state"]
"""Columns of :func:`reports_due`."""
AUDITED_ENTITIES = ("report_versions", "safety_hazards", "ledger_entries")
"""Kinds of records whose changes the auditor's home lists first (reports amended, hazards
moved, ledger entries appended)."""


@dataclass(frozen=True)
class Quality:
    """Counts of the data-quality page (:func:`aurum.services.monitor.quality_view`): reports
    filed after their due date (``late``) and reports not filed by it (``missing``), with
    the late ones per period."""

    late: int
    missing: int
    late_per_period: pd.Series


@dataclass(frozen=True)
class RegulatorHome:
    """A regulator's home: its indicators (``monitor``), the reports ``pending`` its review
    (:data:`aurum.services.review.PENDING_COLUMNS`, oldest first), the latest reports
    ``received`` (newest period first) with the reports received per period, and the data
    quality of its scope."""

    monitor: Monitor
    pending: pd.DataFrame
    pending_count: int
    received: pd.DataFrame
    per_period: pd.Series
    quality: Quality


@dataclass(frozen=True)
class EnterpriseHome:
    """An enterprise's home: its reports ``due`` (:func:`reports_due`), those ``returned``
    by the reviewer (:data:`aurum.services.review.RETURNED_COLUMNS`), its ``sites``, its
    open ``hazards`` (most overdue first) and standing ``alerts`` (newest first), with its
    own indicators (``monitor``)."""

    monitor: Monitor
    due: pd.DataFrame
    returned: pd.DataFrame
    quality: Quality
    sites: pd.DataFrame
    hazards: pd.DataFrame
    open_hazards: int
    alerts: pd.DataFrame


@dataclass(frozen=True)
class RecyclerHome:
    """A recycler's home: its latest ``purchases`` (newest first) and all of them for the
    daily chart (``daily``), its transaction ``reports_due`` (due or overdue) and the
    ledger's ``ledger`` state (:func:`aurum.services.recycling.ledger_status`)."""

    purchases: pd.DataFrame
    daily: pd.DataFrame
    reports_due: list[dict[str, Any]]
    ledger: dict[str, Any]


@dataclass(frozen=True)
class AuditorHome:
    """An auditor's home: the ledger's state, the latest ``corrected`` reports (amended:
    version above 1, newest first), the latest ``changes`` of the audit trail and the data
    quality."""

    ledger: dict[str, Any]
    corrected: pd.DataFrame
    changes: pd.DataFrame
    quality: Quality


@dataclass(frozen=True)
class AdminHome:
    """An administrator's home: the national indicators, the latest ``jobs`` (of every
    user) and their count per state, the latest ``changes`` of the audit trail, the
    organisations and sites registered."""

    monitor: Monitor
    jobs: list[dict[str, Any]]
    job_states: dict[str, int]
    changes: pd.DataFrame
    organisations: int
    sites: int


Home = RegulatorHome | EnterpriseHome | RecyclerHome | AuditorHome | AdminHome


def _quality(session: Session, actor: Actor) -> Quality:
    view = monitor.quality_view(session, actor)
    return Quality(len(view.late), len(view.missing), view.late_per_period)


def reports_due(session: Session, actor: Actor, day: date | None = None) -> pd.DataFrame:
    """The statistics reports of the actor's sites that the reporting calendar shows on
    ``day`` as due soon or overdue and that are not received yet
    (:func:`aurum.services.notifications.statistics_due`, the notification centre's), kept
    per day and data version.

    Returns
    -------
    pandas.DataFrame
        :data:`DUE_COLUMNS`: the site, its name, the ``period``, ``due_on`` (the last day
        the report is on time) and ``state`` (``due``, or ``overdue`` once that day has
        passed); the earliest due first.
    """
    day = day or reporting_day()

    def compute() -> pd.DataFrame:
        due = statistics_due(session, day, actor)
        names = reporting.writable_sites(session, actor).set_index("site")["site_name"]
        return pd.DataFrame(
            [{"site": d.site, "site_name": names.get(d.site, ""), "period": d.period.label,
              "due_on": d.due, "state": "overdue" if d.due < day else "due"} for d in due],
            columns=DUE_COLUMNS).sort_values(["due_on", "site"], kind="stable")

    return cache.cached(cache.scope_key(session, actor, "reports-due", day), compute)


def _regulator(session: Session, actor: Actor, as_of: int | None) -> RegulatorHome:
    pending = review.pending_review(session, actor)
    received = monitor.received_reports(session, actor)
    return RegulatorHome(monitor.build(session, actor, as_of), pending.head(ROWS_SHOWN),
                         len(pending), received.latest.sort_values(
                             "submitted_at", ascending=False).head(ROWS_SHOWN),
                         received.per_period, _quality(session, actor))


def _enterprise(session: Session, actor: Actor, as_of: int | None) -> EnterpriseHome:
    register = safety.register_view(session, actor)
    hazards = register.everything
    open_hazards = hazards[hazards["state"] != "closed"].sort_values(
        ["days_overdue", "level"], ascending=False) if not hazards.empty else hazards
    return EnterpriseHome(
        monitor.build(session, actor, as_of), reports_due(session, actor),
        review.returned_reports(session, actor), _quality(session, actor),
        monitor.scope_data(session, actor).sites, open_hazards.head(ROWS_SHOWN),
        len(open_hazards),
        safety.list_alerts(session, actor, acknowledged=False, limit=ROWS_SHOWN))


def _recycler(session: Session, actor: Actor) -> RecyclerHome:
    purchases = purchases_in_force(session, actor)
    return RecyclerHome(purchases.tail(ROWS_SHOWN).iloc[::-1], purchases,
                        recycling_views.reports_view(session, actor)["due"],
                        ledger_status(session))


def _changes(session: Session, actor: Actor) -> pd.DataFrame:
    """The latest changes of the audit trail, those of :data:`AUDITED_ENTITIES` first."""
    trail = registry.audit_trail(session, actor, limit=200)
    audited = trail[trail["entity"].isin(AUDITED_ENTITIES)]
    return pd.concat([audited, trail.drop(audited.index)]).head(ROWS_SHOWN)


def _auditor(session: Session, actor: Actor) -> AuditorHome:
    received = monitor.received_reports(session, actor).latest
    corrected = received[received["version"] > 1].sort_values("submitted_at", ascending=False)
    return AuditorHome(ledger_status(session), corrected.head(ROWS_SHOWN),
                       _changes(session, actor), _quality(session, actor))


def _admin(session: Session, actor: Actor, as_of: int | None) -> AdminHome:
    rows = jobs.page_rows(session, actor)
    states: dict[str, int] = {}
    for row in rows:
        states[row["state"]] = states.get(row["state"], 0) + 1
    return AdminHome(monitor.build(session, actor, as_of), rows[:ROWS_SHOWN], states,
                     _changes(session, actor),
                     len(registry.list_organisations(session, actor)),
                     len(monitor.scope_data(session, actor).sites))


def home_view(session: Session, actor: Actor, as_of: int | None = None) -> Home:
    """The home of ``actor``'s role (see the module's description).

    Parameters
    ----------
    as_of : int, optional
        Year of the indicators the home shows (the latest complete one by default); homes
        without indicators ignore it.
    """
    if actor.role is Role.REGULATOR:
        return _regulator(session, actor, as_of)
    if actor.role is Role.ENTERPRISE:
        return _enterprise(session, actor, as_of)
    if actor.role is Role.RECYCLER:
        return _recycler(session, actor)
    if actor.role is Role.AUDITOR:
        return _auditor(session, actor)
    return _admin(session, actor, as_of)

