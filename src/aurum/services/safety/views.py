"""What the safety pages and tables show, composed here so that a route parses, makes one
call and renders: the register and a hazard, the clearing dashboard, the tailings facilities
and the API tables that flatten service data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.time import today_cst
from aurum.safety.stats import AGE_CLASSES, INDICATOR_TARGET
from aurum.services import cache, derived, jobs
from aurum.services.auth import Actor
from aurum.services.safety.alerts import alarm_label, list_alerts
from aurum.services.safety.clearing import clearing, clearing_summary, indicator_history
from aurum.services.safety.facilities import (
    FACILITY_SERIES,
    SERIES_DAYS,
    FacilitySeries,
    ItemSeries,
    facility_dict,
    facility_view,
    get_facility,
    item_series,
    list_facilities,
)
from aurum.services.safety.permissions import can_report, get_hazard, writable_sites
from aurum.services.safety.register import (
    HAZARD_LEVELS,
    HAZARD_STATES,
    available_actions,
    criteria_table,
    hazard_dict,
    list_hazards,
    timeline,
)

ENTERPRISES_SHOWN = 30
"""Enterprises listed on the clearing dashboard, most overdue major hazards first (count)."""


def _criteria() -> list[dict[str, Any]]:
    """The major-hazard criteria as records (:func:`criteria_table`)."""
    return [{str(k): v for k, v in c.items()} for c in criteria_table().to_dict("records")]


@dataclass(frozen=True)
class RegisterView:
    """The register page: the hazards the filters keep, all the actor's hazards (for the
    map), the states and levels to filter by, the criteria a major hazard names and whether
    the actor may report."""

    hazards: pd.DataFrame
    everything: pd.DataFrame
    states: tuple[str, ...]
    levels: tuple[str, ...]
    criteria: list[dict[str, Any]]
    can_report: bool


def register_view(session: Session, actor: Actor, site: str = "", level: str = "",
                  state: str = "", overdue: str = "") -> RegisterView:
    """The register page's data; empty filters keep everything, ``overdue`` is ``yes``,
    ``no`` or empty. Kept per filters, role, day (days overdue count in whole days) and data
    version (:func:`aurum.services.cache.scope_key`)."""
    late = {"yes": True, "no": False}.get(overdue)

    def compute() -> RegisterView:
        hazards = list_hazards(session, actor, site=site or None, level=level or None,
                               state=state or None, overdue=late)
        everything = hazards if not (site or level or state or overdue) else \
            list_hazards(session, actor)
        return RegisterView(hazards, everything, HAZARD_STATES, HAZARD_LEVELS, _criteria(),
                            can_report(actor))

    return cache.cached(cache.scope_key(session, actor, "hazard-register", site, level, state,
                                        overdue, actor.role, today_cst()), compute)


@dataclass(frozen=True)
class HazardView:
    """A hazard's page: the hazard (:func:`hazard_dict`), the code of the tailings facility
    whose monitoring opened it, its timeline, the steps the actor may take and the criteria
    that fit its facility."""

    hazard: dict[str, Any]
    facility: str | None
    events: pd.DataFrame
    deadline: date | None
    actions: list[str]
    criteria: list[dict[str, Any]]


def hazard_view(session: Session, actor: Actor, hazard_id: int) -> HazardView:
    """A hazard's page data (NotFoundError outside the actor's scope)."""
    row = get_hazard(session, actor, hazard_id)
    facility = None
    if row.tailings_facility_id is not None:
        facility = next((f.code for f in list_facilities(session, actor)
                         if f.id == row.tailings_facility_id), None)
    criteria = [c for c in _criteria() if row.facility in (None, c["facility"])]
    return HazardView(hazard_dict(row), facility, timeline(session, actor, hazard_id),
                      row.deadline, available_actions(actor, row), criteria)


@dataclass(frozen=True)
class DashboardView:
    """The clearing dashboard: the summary and indicator (:func:`clearing_summary`), the
    statistics per province and of the most overdue enterprises, the open hazards by age
    class (count), the indicator at month ends and its target (0)."""

    summary: dict[str, Any]
    provinces: pd.DataFrame
    enterprises: pd.DataFrame
    ages: dict[str, int]
    history: pd.DataFrame
    target: float


def dashboard_view(session: Session, actor: Actor, as_of: date | None = None
                   ) -> DashboardView:
    """The clearing dashboard's data on ``as_of`` (default today, China Standard Time), kept
    per day and data version (:func:`aurum.services.cache.scope_key`)."""
    day = as_of or today_cst()

    def compute() -> DashboardView:
        summary = clearing_summary(session, actor, day)
        nation = clearing(session, actor, day)
        ages = {name: int(nation[name].iloc[0]) if len(nation) else 0
                for name, _ in AGE_CLASSES}
        enterprises = clearing(session, actor, day, "enterprise").sort_values(
            ["overdue_major", "open_major", "open_general"], ascending=False)
        return DashboardView(summary, clearing(session, actor, day, "province"),
                             enterprises.head(ENTERPRISES_SHOWN), ages,
                             indicator_history(session, actor, day), INDICATOR_TARGET)

    return cache.cached(cache.scope_key(session, actor, "safety-dashboard", day), compute)


def facility_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The facilities the actor may read (:func:`facility_dict`) with ``alarm``, the name of
    their alarm level."""
    return [facility_dict(f) | {"alarm": alarm_label(f.alarm_level)}
            for f in list_facilities(session, actor)]


def facilities_table(session: Session, actor: Actor) -> pd.DataFrame:
    """The facilities the actor may read as a table: one row each, the sensors' codes and the
    displacement limits (mm by level name) as text."""
    return pd.DataFrame([r | {"sensors": ", ".join(r["sensors"]),
                              "displacement_limits_mm": None if not r["displacement_limits_mm"]
                              else str(r["displacement_limits_mm"])}
                         for r in map(facility_dict, list_facilities(session, actor))])


@dataclass(frozen=True)
class FacilityPage:
    """A facility's page: its data (:func:`facility_dict`), the series of its items, its
    state, its alerts and the hazards its monitoring opened, the sites whose monitoring
    the actor may write (None: all), and while its stored series are being computed the job
    computing them (``pending``; no items and no state meanwhile)."""

    facility: dict[str, Any]
    items: list[ItemSeries]
    state: dict[str, Any] | None
    alerts: pd.DataFrame
    hazards: pd.DataFrame
    writable: set[str] | None
    pending: derived.Pending | None = None


FACILITY_ALERTS = 200
"""Alerts listed on a facility's page, newest first (count)."""


def facility_page(session: Session, actor: Actor, home: Path, queue: jobs.JobQueue,
                  code: str, days: float = SERIES_DAYS) -> FacilityPage:
    """A facility's page data over the last ``days`` of readings (d).

    The default window's series and state are read as stored (:data:`~aurum.services.
    safety.facilities.FACILITY_SERIES`, computed when readings arrive); when they are not
    stored, their computation is queued on ``queue`` once and the page says so. Another
    window is computed for the asking caller and kept per data version
    (:func:`aurum.services.cache.scope_key`). The facility, its alerts and hazards are read
    as they are now.
    """
    row = get_facility(session, actor, code)
    pending = None
    if days == SERIES_DAYS:
        series = derived.read(session, home, FACILITY_SERIES, code)
        if series is None:
            pending = derived.pending(session, actor, queue, FACILITY_SERIES, code)
            series = FacilitySeries([], None)
    else:
        def compute() -> FacilitySeries:
            view = facility_view(session, actor, code, days=days)
            return FacilitySeries(item_series(view),
                                  None if view.state is None else view.state.as_dict())

        series = cache.cached(cache.scope_key(session, actor, "tailings-facility", code, days),
                              compute)
    facility = facility_dict(row)
    return FacilityPage(
        facility, series.items, series.state,
        list_alerts(session, actor, facility=code, limit=FACILITY_ALERTS),
        list_hazards(session, actor, site=facility["site"], monitoring=code),
        writable_sites(session, actor), pending)
