"""The home page of each role (``/``) and the plan's indicators (``/dashboard``): the route
asks :func:`aurum.services.home.home_view` for the actor's home and draws its charts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, PageActor
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.core.checks import Year
from aurum.core.i18n import _
from aurum.services import cache, home, monitor
from aurum.services.auth import Actor
from aurum.services.monitor import Monitor

router = APIRouter(include_in_schema=False)
Page = HTMLResponse


def _dashboard(m: Monitor) -> dict[str, Any]:
    """What ``dashboard.html`` draws of the indicators ``m``: each indicator's trajectory,
    the resources by GB/T 17766-2020 category, the provinces' map and the largest
    provinces."""
    figures = {ind.id: charts.trajectory(ind) for ind in m.report.indicators}
    if not m.resources_by_category.empty:
        figures["resources_by_category"] = charts.resources_by_category(m.resources_by_category)
    prov = m.provinces
    figures["map"] = charts.province_map(prov, "large_mine_output_share_pct",
                                         _("large-mine share %")) if not prov.empty else {}
    return {"m": m, "figures": figures, "years": m.years, "provinces": records(prov.head(12)),
            "below_floor": m.below_floor}


def _late_chart(quality: home.Quality) -> dict[str, Any]:
    late = quality.late_per_period
    return charts.bars(late.index.tolist(), late.tolist(), _("Late reports by period"),
                       _("reports")) if len(late) else {}


def _regulator(view: home.RegulatorHome, _session: DB, _actor: Actor) -> dict[str, Any]:
    context = _dashboard(view.monitor)
    per_period = view.per_period
    context["figures"]["received"] = charts.bars(
        per_period.index, per_period.to_numpy(), _("Reports received per period"),
        _("reports"), colour="#4c78a8") if len(per_period) else {}
    return context | {"pending": records(view.pending), "received": records(view.received)}


def _enterprise(view: home.EnterpriseHome, session: DB, actor: Actor) -> dict[str, Any]:
    sites = view.sites
    # The sites page's map, kept per data version like it.
    site_map = cache.cached(cache.scope_key(session, actor, "home-site-map"),
                            lambda: charts.site_map(sites) if not sites.empty else {})
    return {"figures": {"sites": site_map}, "due": records(view.due),
            "returned": records(view.returned), "sites": records(sites),
            "hazards": records(view.hazards), "alerts": records(view.alerts)}


def _recycler(view: home.RecyclerHome, _session: DB, _actor: Actor) -> dict[str, Any]:
    return {"figures": {"daily": charts.recycling_daily(view.daily)},
            "purchases": records(view.purchases)}


def _auditor(view: home.AuditorHome, _session: DB, _actor: Actor) -> dict[str, Any]:
    return {"figures": {"late": _late_chart(view.quality)},
            "corrected": records(view.corrected), "changes": records(view.changes)}


def _admin(view: home.AdminHome, _session: DB, _actor: Actor) -> dict[str, Any]:
    context = _dashboard(view.monitor)
    context["figures"]["jobs"] = charts.job_durations(view.jobs)
    return context | {"changes": records(view.changes)}


_FIGURES: dict[type, Callable[[Any, DB, Actor], dict[str, Any]]] = {
    home.RegulatorHome: _regulator, home.EnterpriseHome: _enterprise,
    home.RecyclerHome: _recycler, home.AuditorHome: _auditor, home.AdminHome: _admin}
"""The charts and rows of each kind of home, by the type of its view."""


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
              ) -> Page:
    view = home.home_view(session, actor, as_of)
    return render(request, f"home_{actor.role.value}.html", actor=actor, view=view,
                  **_FIGURES[type(view)](view, session, actor))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
              ) -> Page:
    return render(request, "dashboard.html", actor=actor,
                  **_dashboard(monitor.build(session, actor, as_of)))
