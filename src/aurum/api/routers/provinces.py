"""The provinces' pages: the choropleth and table of the provinces, a page per province
(``/provinces/<administrative code>``) with its indicators, enterprises, sites and hazards, and
the provinces' outlines the maps draw (public reference geometry, no login needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from aurum.api import charts
from aurum.api.charts import maps
from aurum.api.deps import DB, PageActor
from aurum.api.labels.regulator import province
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.core.checks import Year
from aurum.core.errors import NotFoundError
from aurum.core.i18n import _
from aurum.services import provinces
from aurum.services.maps import province_outlines_file
from aurum.services.monitor import INDICATOR_COLUMNS

router = APIRouter(include_in_schema=False)


@router.get(maps.OUTLINES_PATH)
def outlines(request: Request) -> Response:
    return maps.kept_outlines(province_outlines_file(request.app.state.platform.settings.home))


@router.get("/provinces", response_class=HTMLResponse)
def provinces_page(request: Request, session: DB, actor: PageActor, as_of: Year | None = None
                   ) -> HTMLResponse:
    m = provinces.provinces_table(session, actor, as_of)
    prov = m.provinces
    names = [province(p) for p in prov["province"]]  # in the reader's language
    figures = {} if prov.empty else {
        "map": charts.province_map(prov, "solid_waste_utilisation_pct",
                                   _("waste utilisation")),
        "gold": charts.bars(names, prov["gold_output_t"],
                            _("Gold output %(year)s", year=m.as_of), _("t")),
        "share": charts.bars(names, prov["large_mine_output_share_pct"],
                             _("Output share of mines >= 500 t/d"), "%", reference=70)}
    rows = records(prov.assign(code=prov["province"].map(maps.adcode)))
    return render(request, "provinces.html", actor=actor, m=m, rows=rows, figures=figures,
                  indicator_columns=INDICATOR_COLUMNS)


@router.get("/provinces/{code}", response_class=HTMLResponse)
def province_page(code: str, request: Request, session: DB, actor: PageActor,
                  as_of: Year | None = None) -> HTMLResponse:
    name = maps.province_of(code)
    if name is None:
        raise NotFoundError(_("no province %(name)s", name=repr(code)))
    view = provinces.province_view(session, actor, name, as_of)
    figures = {ind.id: charts.trajectory(ind) for ind in view.report.indicators}
    if not view.sites.empty:
        figures["sites"] = charts.site_map(view.sites)
    return render(request, "province.html", actor=actor, view=view, code=code,
                  name=province(name), figures=figures, figures_row=records(view.figures),
                  enterprises=records(view.enterprises), sites=records(view.sites),
                  hazards=records(view.hazards), indicator_columns=INDICATOR_COLUMNS)
