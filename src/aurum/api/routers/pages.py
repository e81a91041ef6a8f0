"""Server-rendered pages. Each page calls a service and hands frames and figures to a template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, PageActor
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.core.checks import Year
from aurum.core.i18n import _
from aurum.services import cache, monitor, registry
from aurum.services.monitor import INDICATOR_COLUMNS

router = APIRouter(include_in_schema=False)
Page = HTMLResponse


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
              ) -> Page:
    m = monitor.build(session, actor, as_of)
    figures = {ind.id: charts.trajectory(ind) for ind in m.report.indicators}
    prov = m.provinces
    figures["map"] = charts.province_map(prov, "large_mine_output_share_pct",
                                         _("large-mine share %")) if not prov.empty else {}
    return render(request, "dashboard.html", actor=actor, m=m, figures=figures, years=m.years,
                  provinces=records(prov.head(12)), below_floor=m.below_floor)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises(request: Request, session: DB, actor: PageActor) -> Page:
    m = monitor.build(session, actor)
    groups = m.groups
    orgs = registry.list_organisations(session, actor)
    figure = charts.bars(groups["group"].head(15), groups["gold_output_t"].head(15),
                         _("Gold output by enterprise group %(year)s", year=m.as_of), _("t")
                         ) if len(groups) else {}
    return render(request, "enterprises.html", actor=actor, m=m, groups=records(groups),
                  orgs=orgs, figure=figure, indicator_columns=INDICATOR_COLUMNS)


@router.get("/enterprises/{code}", response_class=HTMLResponse)
def enterprise(code: str, request: Request, session: DB, actor: PageActor) -> Page:
    view = monitor.enterprise_view(session, actor, code)

    def build() -> dict[str, Any]:
        if view.annual.empty:
            return {}
        gold = view.gold_t_by_site
        return {"gold": charts.time_series(
            gold, "year", {c: c for c in gold.columns if c != "year"},
            _("Gold output by site"), _("t"), stacked=True)}

    figures = cache.cached(cache.scope_key(session, actor, "enterprise-figures", code), build)
    return render(request, "enterprise.html", actor=actor, view=view, figures=figures,
                  sites=records(view.sites))


@router.get("/sites", response_class=HTMLResponse)
def sites(request: Request, session: DB, actor: PageActor) -> Page:
    frame = monitor.scope_data(session, actor).sites
    figure = cache.cached(cache.scope_key(session, actor, "site-map"),
                          lambda: charts.site_map(frame) if not frame.empty else {})
    return render(request, "sites.html", actor=actor, rows=records(frame), figure=figure)


@router.get("/sites/{code}", response_class=HTMLResponse)
def site(code: str, request: Request, session: DB, actor: PageActor) -> Page:
    s = registry.get_site(session, actor, code)
    series = monitor.site_series(session, actor, code)
    figures: dict[str, Any] = {}
    if not series.empty:
        figures["gold"] = charts.time_series(series, "period", {"gold_kg": _("mine gold"),
                                             "silver_kg": _("silver")}, _("Gold and silver"),
                                             _("kg"))
        figures["ore"] = charts.time_series(series, "period", {
            "ore_treated_t": _("ore treated")}, _("Ore treated"), _("t"), stacked=True)
        figures["resources"] = charts.time_series(series, "period", {
            "resources_measured_t": _("measured"), "resources_indicated_t": _("indicated"),
            "resources_inferred_t": _("inferred")}, _("Gold resources at period end"), _("t"),
            stacked=True)
        figures["waste"] = charts.time_series(series, "period", {
            "solid_waste_generated_t": _("generated"), "solid_waste_utilised_t": _("utilised")},
            _("Solid waste"), _("t"))
    return render(request, "site.html", actor=actor, site=s, figures=figures,
                  reports=records(series[["report_id", "period", "version", "submitted_at",
                                          "gold_kg", "ore_treated_t", "head_grade_gpt"]])
                  if not series.empty else [],
                  can_write=actor.can_write_site(s))


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, session: DB, actor: PageActor, site: str | None = None) -> Page:
    view = monitor.received_reports(session, actor, site)
    per_period = view.per_period
    figure = charts.bars(per_period.index, per_period.to_numpy(),
                         _("Reports received per period (current versions)"), _("reports"),
                         colour="#4c78a8") if not view.latest.empty else {}
    return render(request, "reports.html", actor=actor, site=site, figure=figure,
                  rows=records(view.latest), can_submit=view.can_submit)


@router.get("/compliance", response_class=HTMLResponse)
def compliance(request: Request, session: DB, actor: PageActor) -> Page:
    m = monitor.build(session, actor)
    table = m.compliance
    figure = charts.capacity_vs_floor(table) if not table.empty else {}
    return render(request, "compliance.html", actor=actor, rows=records(table), figure=figure)


@router.get("/data-quality", response_class=HTMLResponse)
def data_quality(request: Request, session: DB, actor: PageActor) -> Page:
    view = monitor.quality_view(session, actor)
    figure = charts.bars(view.late_per_period.index.tolist(), view.late_per_period.tolist(),
                         _("Late reports by period"), _("reports")) if not view.late.empty else {}
    return render(request, "quality.html", actor=actor, late=records(view.late),
                  missing=records(view.missing), figure=figure)
