"""Charts of the industry indicators: trajectories, provinces, new plants and sites."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from aurum.api.charts.common import GOLD, GREY, STATUS_COLOURS, Figure, base_layout, china_axes
from aurum.api.labels import label
from aurum.api.labels.regulator import province
from aurum.core.i18n import _
from aurum.industry.kpi import IndicatorResult
from aurum.industry.registry import PROVINCE_CENTRES


def trajectory(ind: IndicatorResult, target_year: int = 2027) -> Figure:
    """The indicator from the baseline year, its projection to 2027 and the target."""
    years = [y for y, _ in ind.trajectory]
    values = [v for _, v in ind.trajectory]
    data: list[dict[str, Any]] = [{"type": "scatter", "mode": "lines+markers", "name": _("actual"),
                                   "x": years, "y": values, "line": {"color": GOLD}}]
    if years and ind.projection_2027 is not None:
        data.append({"type": "scatter", "mode": "lines", "name": _("projection"),
                     "x": [years[-1], target_year], "y": [values[-1], ind.projection_2027],
                     "line": {"color": GOLD, "dash": "dot"}})
    x0 = years[0] if years else target_year - 3
    data.append({"type": "scatter", "mode": "lines",
                 "name": _("target %(target)s %%", target=format(ind.target, "g")),
                 "x": [x0, target_year], "y": [ind.target, ind.target],
                 "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}})
    if ind.target_max is not None:
        data.append({"type": "scatter", "mode": "lines",
                     "name": _("upper %(target)s %%", target=format(ind.target_max, "g")),
                     "x": [x0, target_year], "y": [ind.target_max, ind.target_max],
                     "line": {"color": GREY, "dash": "dash"}})
    return {"data": data, "layout": base_layout(label(ind.id), xaxis={"dtick": 1},
                                                yaxis={"title": {"text": label(ind.unit)}})}


def province_map(table: pd.DataFrame, value: str, label: str) -> Figure:
    """Provinces at their geographic centres: bubble size by gold output, colour by ``value``
    (``label`` names it, in the reader's language); provinces named in the reader's language."""
    lon = [PROVINCE_CENTRES.get(p, (math.nan, math.nan))[0] for p in table["province"]]
    lat = [PROVINCE_CENTRES.get(p, (math.nan, math.nan))[1] for p in table["province"]]
    gold = table["gold_output_t"].fillna(0).astype(float)
    size = (8 + 40 * (gold / gold.max()) ** 0.5).round(1) if gold.max() > 0 else gold + 10
    names = [province(p) for p in table["province"]]
    text = [_("%(province)s<br>%(gold)s t gold<br>%(label)s: %(value)s", province=n,
              gold=format(g, ",.1f"), label=label,
              value=_("n/a") if pd.isna(v) else format(v, ",.1f"))
            for n, g, v in zip(names, gold, table[value], strict=True)]
    return {"data": [{
        "type": "scatter", "mode": "markers+text", "x": lon, "y": lat,
        "text": names, "textposition": "top center", "hovertext": text,
        "hoverinfo": "text", "marker": {
            "size": size.tolist(), "color": table[value].astype(float).tolist(),
            "colorscale": "YlOrBr", "showscale": True, "colorbar": {"title": {"text": label}},
            "line": {"color": "#555", "width": 1}}}],
        "layout": base_layout(_("Gold output and %(label)s by province", label=label), height=460,
                                  **china_axes())}


def capacity_vs_floor(plants: pd.DataFrame) -> Figure:
    """New plants' design capacity against the plan's floor for their type (log scale)."""
    colours = [STATUS_COLOURS["off_track"] if s == "below_floor" else STATUS_COLOURS["on_track"]
               for s in plants["status"]]
    names = [f"{site} {label(kind)}" for site, kind in zip(plants["site"], plants["site_type"],
                                                          strict=True)]
    return {"data": [
        {"type": "bar", "name": _("design capacity"), "x": names,
         "y": plants["daily_capacity_t"].astype(float).tolist(),
         "marker": {"color": colours}},
        {"type": "scatter", "mode": "markers", "name": _("floor"), "x": names,
         "y": plants["floor_t_per_day"].astype(float).tolist(),
         "marker": {"symbol": "line-ew-open", "size": 30, "color": "#000",
                    "line": {"width": 3}}}],
        "layout": base_layout(_("New plants: design capacity against the plan's floor"),
                              yaxis={"title": {"text": _("t/d")}, "type": "log"}, height=360)}


def site_map(sites: pd.DataFrame) -> Figure:
    """Sites by location, coloured by kind, sized by design capacity."""
    data = []
    for (kind, colour) in (("mine", GOLD), ("plant", "#4c78a8"), ("tailings", "#9d755d")):
        part = sites[sites["kind"] == kind]
        if part.empty:
            continue
        cap = part["design_capacity_tpd"].fillna(300).astype(float)
        data.append({"type": "scatter", "mode": "markers", "name": label(kind),
                     "x": part["lon"].tolist(), "y": part["lat"].tolist(),
                     "hovertext": (part["site"] + " " + part["site_name"]).tolist(),
                     "hoverinfo": "text",
                     "marker": {"color": colour, "size": (6 + 3 * cap.pow(0.25)).round(1)
                                .clip(upper=30).tolist(), "opacity": 0.8}})
    return {"data": data, "layout": base_layout(
        _("Sites"), height=420, xaxis={"title": {"text": _("longitude (°E)")}},
        yaxis={"title": {"text": _("latitude (°N)")}, "scaleanchor": "x"})}
