"""Server-rendered pages. Each page calls a service and hands frames and figures to a template."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import charts
from aurum.api.deps import CSRF, DB, PageActor
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId, Year
from aurum.core.errors import AurumError, ValidationError
from aurum.core.periods import Period
from aurum.industry import reporting as rp
from aurum.industry.kpi import INDICATOR_IDS
from aurum.services import monitor, registry, reporting

router = APIRouter(include_in_schema=False)
Page = HTMLResponse

SHORT = {"gold_resources_growth_pct": "resources growth %",
         "gold_output_growth_pct": "gold growth %", "silver_output_growth_pct": "silver growth %",
         "large_mine_output_share_pct": "large-mine share %",
         "solid_waste_utilisation_pct": "waste utilisation %"}
INDICATOR_COLUMNS = [(i, SHORT[i], "n1") for i in INDICATOR_IDS]


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
              ) -> Page:
    m = monitor.build(session, actor, as_of)
    figures = {ind.id: charts.trajectory(ind) for ind in m.report.indicators}
    years = sorted(int(y) for y in m.annual["year"].unique()) if not m.annual.empty else []
    prov = m.provinces
    figures["map"] = charts.province_map(prov, "large_mine_output_share_pct",
                                         "large-mine share %") if not prov.empty else {}
    below = m.compliance[m.compliance.get("status", pd.Series(dtype=str)) == "below_floor"]
    return render(request, "dashboard.html", actor=actor, m=m, figures=figures, years=years,
                  provinces=records(prov.head(12)), below_floor=len(below))


@router.get("/provinces", response_class=HTMLResponse)
def provinces(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
              ) -> Page:
    m = monitor.build(session, actor, as_of)
    prov = m.provinces
    figures = {} if prov.empty else {
        "map": charts.province_map(prov, "solid_waste_utilisation_pct", "waste utilisation %"),
        "gold": charts.bars(prov["province"], prov["gold_output_t"],
                            f"Gold output {m.as_of}", "t"),
        "share": charts.bars(prov["province"], prov["large_mine_output_share_pct"],
                             "Output share of mines >= 500 t/d", "%", reference=70)}
    return render(request, "provinces.html", actor=actor, m=m, rows=records(prov),
                  figures=figures, indicator_columns=INDICATOR_COLUMNS)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises(request: Request, session: DB, actor: PageActor) -> Page:
    m = monitor.build(session, actor)
    groups = m.groups
    orgs = registry.list_organisations(session, actor)
    figure = charts.bars(groups["group"].head(15), groups["gold_output_t"].head(15),
                         f"Gold output by enterprise group {m.as_of}", "t") if len(groups) else {}
    return render(request, "enterprises.html", actor=actor, m=m, groups=records(groups),
                  orgs=orgs, figure=figure, indicator_columns=INDICATOR_COLUMNS)


@router.get("/enterprises/{code}", response_class=HTMLResponse)
def enterprise(code: str, request: Request, session: DB, actor: PageActor) -> Page:
    view = monitor.enterprise_view(session, actor, code)
    annual = view.annual
    figures: dict[str, Any] = {}
    if not annual.empty:
        by_site = annual.pivot_table(index="year", columns="site", values="gold_kg",
                                     aggfunc="sum").reset_index()
        figures["gold"] = charts.time_series(
            by_site.assign(**{c: by_site[c] / 1000 for c in by_site.columns if c != "year"}),
            "year", {c: c for c in by_site.columns if c != "year"},
            "Gold output by site", "t", stacked=True)
    return render(request, "enterprise.html", actor=actor, view=view, figures=figures,
                  sites=records(view.sites))


@router.get("/sites", response_class=HTMLResponse)
def sites(request: Request, session: DB, actor: PageActor) -> Page:
    frame = reporting.registry_frame(session, actor)
    figure = charts.site_map(frame) if not frame.empty else {}
    return render(request, "sites.html", actor=actor, rows=records(frame), figure=figure)


@router.get("/sites/{code}", response_class=HTMLResponse)
def site(code: str, request: Request, session: DB, actor: PageActor) -> Page:
    s = registry.get_site(session, actor, code)
    series = monitor.site_series(session, actor, code)
    figures: dict[str, Any] = {}
    if not series.empty:
        figures["gold"] = charts.time_series(series, "period", {"gold_kg": "mine gold",
                                             "silver_kg": "silver"}, "Gold and silver", "kg")
        figures["ore"] = charts.time_series(series, "period", {
            "ore_treated_t": "ore treated"}, "Ore treated", "t", stacked=True)
        figures["resources"] = charts.time_series(series, "period", {
            "resources_measured_t": "measured", "resources_indicated_t": "indicated",
            "resources_inferred_t": "inferred"}, "Gold resources at period end", "t",
            stacked=True)
        figures["waste"] = charts.time_series(series, "period", {
            "solid_waste_generated_t": "generated", "solid_waste_utilised_t": "utilised"},
            "Solid waste", "t")
    return render(request, "site.html", actor=actor, site=s, figures=figures,
                  reports=records(series[["report_id", "period", "version", "submitted_at",
                                          "gold_kg", "ore_treated_t", "head_grade_gpt"]])
                  if not series.empty else [],
                  can_write=actor.can_write_site(s))


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, session: DB, actor: PageActor, site: str | None = None) -> Page:
    frame = reporting.current_reports(session, actor, [site] if site else None)
    per_period = frame["period"].value_counts().sort_index()
    figure = charts.bars(per_period.index, per_period.to_numpy(),
                         "Reports received per period (current versions)", "reports",
                         colour="#4c78a8") if not frame.empty else {}
    frame = frame.sort_values(["period", "site"], ascending=[False, True]).head(500)
    return render(request, "reports.html", actor=actor, site=site, figure=figure, rows=records(
        frame[["report_id", "site", "period", "version", "submitted_at", "ore_treated_t",
               "head_grade_gpt", "gold_own_mine_kg", "silver_kg"]]))


def _form_sites(session: DB, actor: PageActor) -> list[dict[str, Any]]:
    frame = reporting.registry_frame(session, actor)
    if frame.empty:
        return []
    writable = frame[frame["kind"] != "tailings"]
    return records(writable[["site", "site_name"]])


def _report_form(request: Request, session: DB, actor: PageActor, **context: Any) -> Page:
    groups: dict[str, list[rp.ReportField]] = {}
    for f in rp.FIELDS:
        groups.setdefault(f.group, []).append(f)
    context.setdefault("values", {})
    context.setdefault("problems", [])
    return render(request, "report_form.html", actor=actor, groups=groups,
                  sites=_form_sites(session, actor), status_code=context.pop("status", 200),
                  **context)


@router.get("/reports/new", response_class=HTMLResponse)
def new_report(request: Request, session: DB, actor: PageActor, site: str | None = None,
               period: str | None = None) -> Page:
    return _report_form(request, session, actor, site=site, period=period)


@router.post("/reports/new", response_class=HTMLResponse, dependencies=[CSRF])
async def post_report(request: Request, session: DB, actor: PageActor) -> Any:
    form = await request.form()
    site_code = str(form.get("site", ""))
    period = str(form.get("period", ""))
    reason = str(form.get("reason", "")).strip() or None
    values = {f.name: str(form.get(f.name, "")).strip() for f in rp.FIELDS}
    try:
        with session.begin_nested():
            version = reporting.submit(session, actor, site_code, period,
                                       {k: v for k, v in values.items() if v}, reason)
    except AurumError as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [str(exc)]
        return _report_form(request, session, actor, site=site_code, period=period,
                            values=values, reason=reason, problems=problems, status=422)
    return RedirectResponse(f"/reports/{version.report_id}", status_code=303)


@router.post("/reports/upload", response_class=HTMLResponse, dependencies=[CSRF])
async def upload(request: Request, session: DB, actor: PageActor,
                 file: Annotated[UploadFile, Form()]) -> Page:
    name, data = await received(file, "upload.csv")
    try:
        with session.begin_nested():
            result = reporting.import_file(session, actor, data, name)
    except ValidationError as exc:
        return render(request, "upload_result.html", actor=actor, filename=name, result=None,
                      problems=exc.problems, omitted=exc.omitted, status_code=422)
    return render(request, "upload_result.html", actor=actor, filename=name, result=result,
                  problems=[], omitted=0)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report(report_id: DbId, request: Request, session: DB, actor: PageActor) -> Page:
    r = reporting.get_report(session, actor, report_id)
    hist = reporting.history(session, actor, report_id)
    changed = [f.name for f in rp.FIELDS
               if len({h["values"].get(f.name) for h in hist}) > 1]
    shown = changed or ["gold_own_mine_kg", "ore_treated_t", "silver_kg"]
    figure = {"data": [{"type": "bar", "name": f"v{h['version']}", "x": shown,
                        "y": [h["values"].get(n) for n in shown]} for h in hist],
              "layout": {"title": {"text": "Values by version" + (
                  " (fields that changed)" if changed else "")}, "barmode": "group",
                  "height": 300, "margin": {"t": 40, "b": 80}}}
    return render(request, "report.html", actor=actor, report=r, history=hist,
                  fields=rp.FIELDS, changed=set(changed), figure=figure,
                  due=reporting.due_date(Period.parse(r.period)),
                  can_write=actor.can_write_site(r.site))


@router.get("/compliance", response_class=HTMLResponse)
def compliance(request: Request, session: DB, actor: PageActor) -> Page:
    m = monitor.build(session, actor)
    table = m.compliance
    figure = charts.capacity_vs_floor(table) if not table.empty else {}
    return render(request, "compliance.html", actor=actor, rows=records(table), figure=figure)


@router.get("/data-quality", response_class=HTMLResponse)
def data_quality(request: Request, session: DB, actor: PageActor) -> Page:
    tables = monitor.data_quality(session, actor)
    late = tables["late"]
    figure = charts.bars(late["period"].value_counts().sort_index().index.tolist(),
                         late["period"].value_counts().sort_index().tolist(),
                         "Late reports by period", "reports") if not late.empty else {}
    return render(request, "quality.html", actor=actor, late=records(late),
                  missing=records(tables["missing"]), figure=figure)
