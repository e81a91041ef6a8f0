"""Server-rendered pages. Each page calls a service and hands frames and figures to a template."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aurum.api import charts
from aurum.api.deps import DB, PageActor
from aurum.api.labels import label
from aurum.api.tables import Col, Spec, table_page
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.core.i18n import _
from aurum.services import cache, monitor, registry, reporting
from aurum.services.monitor import INDICATOR_COLUMNS

router = APIRouter(include_in_schema=False)
Page = HTMLResponse


GROUPS = Spec("groups", (Col("group"), Col("gold_output_baseline_t"), Col("gold_output_t"),
                         *(Col(key) for key, _heading, _format in INDICATOR_COLUMNS)))
"""The enterprises page's groups and their indicators."""

ORGANISATIONS = Spec("organisations", (
    Col("code", "link:/enterprises/"), Col("name"), Col("org_type", "label", choices=True),
    Col("province", "province", choices=True), Col("parent", "link:/enterprises/")),
    prefix="org_")
"""The enterprises page's organisations (its second table: parameters ``org_page`` …)."""


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises(request: Request, session: DB, actor: PageActor) -> Response:
    m = monitor.build(session, actor)
    groups = m.groups
    tables = (table_page(request, groups, GROUPS),
              table_page(request, registry.organisations_frame(session, actor), ORGANISATIONS))
    if asked := next((t for t in tables if t.query.format), None):
        return asked.download()
    figure = charts.bars(groups["group"].head(15), groups["gold_output_t"].head(15),
                         _("Gold output by enterprise group %(year)s", year=m.as_of), _("t")
                         ) if len(groups) else {}
    return render(request, "enterprises.html", actor=actor, m=m, groups=tables[0],
                  orgs=tables[1], figure=figure)


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


SITES = Spec("sites", (
    Col("site", "link:/sites/"), Col("site_name"), Col("enterprise"),
    Col("site_type", "label", choices=True), Col("province", "province", choices=True),
    Col("design_capacity_tpd"), Col("depth_m"), Col("commissioned_on"),
    Col("status", "label", choices=True)))
"""The sites page's table."""


@router.get("/sites", response_class=HTMLResponse)
def sites(request: Request, session: DB, actor: PageActor) -> Response:
    frame = monitor.scope_data(session, actor).sites
    table = table_page(request, frame, SITES)
    if table.query.format:
        return table.download()
    figure = cache.cached(cache.scope_key(session, actor, "site-map"),
                          lambda: charts.site_map(frame) if not frame.empty else {})
    return render(request, "sites.html", actor=actor, table=table, figure=figure)


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
            f"resources_{c}_t": label(c) for c in ("measured", "indicated", "inferred")},
            _("Gold resources at period end"), _("t"), stacked=True)
        figures["waste"] = charts.time_series(series, "period", {
            "solid_waste_generated_t": _("generated"), "solid_waste_utilised_t": _("utilised")},
            _("Solid waste"), _("t"))
    return render(request, "site.html", actor=actor, site=s, figures=figures,
                  reports=records(series[["report_id", "period", "version", "submitted_at",
                                          "gold_kg", "ore_treated_t", "head_grade_gpt"]])
                  if not series.empty else [],
                  can_write=actor.can_write_site(s))


REPORTS = Spec("reports", (
    Col("report_id", "link:/reports/"), Col("site", "link:/sites/"), Col("period", choices=True),
    Col("version"), Col("submitted_at"), Col("ore_treated_t"), Col("head_grade_gpt"),
    Col("gold_own_mine_kg"), Col("silver_kg")))
"""The reports page's table: the current version of every report the reader may see."""


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, session: DB, actor: PageActor, site: str | None = None
            ) -> Response:
    view = monitor.received_reports(session, actor, site)
    # Every current report (not the chart's latest few hundred), newest period first.
    frame = cache.cached(cache.scope_key(session, actor, "reports-table", site),
                         lambda: reporting.reports_table(session, actor, site).sort_values(
                             ["period", "site"], ascending=[False, True], kind="stable"),
                         language_free=True)
    table = table_page(request, frame, REPORTS)
    if table.query.format:
        return table.download()
    per_period = view.per_period
    figure = charts.bars(per_period.index, per_period.to_numpy(),
                         _("Reports received per period (current versions)"), _("reports"),
                         colour="#4c78a8") if not view.latest.empty else {}
    return render(request, "reports.html", actor=actor, site=site, figure=figure,
                  table=table, can_submit=view.can_submit)


COMPLIANCE = Spec("compliance", (
    Col("site", "link:/sites/"), Col("site_name"), Col("enterprise", choices=True),
    Col("province", "province", choices=True), Col("site_type", "label", choices=True),
    Col("commissioned_on"), Col("daily_capacity_t", digits=0), Col("floor_t_per_day", digits=0),
    Col("shortfall_t_per_day", digits=0), Col("status", "label", choices=True)))
"""The plant-scale page's plants against the plan's floors."""


@router.get("/compliance", response_class=HTMLResponse)
def compliance(request: Request, session: DB, actor: PageActor) -> Response:
    frame = monitor.build(session, actor).compliance
    table = table_page(request, frame, COMPLIANCE)
    if table.query.format:
        return table.download()
    figure = charts.capacity_vs_floor(frame) if not frame.empty else {}
    return render(request, "compliance.html", actor=actor, table=table, figure=figure)


LATE = Spec("late", (Col("site", "link:/sites/"), Col("period", choices=True), Col("due_on"),
                     Col("first_submitted_at"), Col("days_late")))
"""The data-quality page's late reports."""

MISSING = Spec("missing", (Col("site", "link:/sites/"), Col("period", choices=True)),
               prefix="missing_")
"""The data-quality page's missing reports (its second table: parameters ``missing_page`` …)."""


@router.get("/data-quality", response_class=HTMLResponse)
def data_quality(request: Request, session: DB, actor: PageActor) -> Response:
    view = monitor.quality_view(session, actor)
    late, missing = (table_page(request, view.late, LATE),
                     table_page(request, view.missing, MISSING))
    if asked := next((t for t in (late, missing) if t.query.format), None):
        return asked.download()
    figure = charts.bars(view.late_per_period.index.tolist(), view.late_per_period.tolist(),
                         _("Late reports by period"), _("reports")) if not view.late.empty else {}
    return render(request, "quality.html", actor=actor, late=late, missing=missing,
                  figure=figure)
