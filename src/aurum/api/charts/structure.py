"""Charts of a consolidation study (issue 23): the map of mines, plants and the chosen flows
over the province's official outline, and the scenario comparison (cost and the ≥ 500 t/d
share before and after, against the plan's 70 % line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aurum.api.charts.common import (
    GOLD,
    GREY,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    legend_line,
    right_axis,
)
from aurum.api.charts.maps import _lines, _map_layout, _outline_trace, adcode
from aurum.api.labels import label
from aurum.core.i18n import _

PLANT_COLOUR = "#4c78a8"
CANDIDATE_COLOUR = "#e45756"


def flow_map(province: str, inputs: Mapping[str, Any], scenario: Mapping[str, Any]) -> Figure:
    """Mines (gold, sized by ore), plants (open filled, idle hollow, candidates red) and one
    line from each mine to the plant the scenario sends its ore to, over the province's
    outline.

    Parameters
    ----------
    province : str
        Stored English province name (its outline).
    inputs : mapping
        The study's inputs (mines and plants with ``lon``, ``lat``).
    scenario : mapping
        One stored scenario (``assignment``, ``open``).
    """
    code = adcode(province)
    plants = [*inputs.get("plants", []), *([inputs["central_mill"]]
                                           if inputs.get("central_mill") else [])]
    where = {p["id"]: (p.get("lon"), p.get("lat")) for p in plants}
    lon: list[float | None] = []
    lat: list[float | None] = []
    for mine in inputs.get("mines", []):
        to = where.get(scenario["assignment"].get(mine["id"], ""), (None, None))
        if None in (mine.get("lon"), mine.get("lat"), *to):
            continue
        lon += [mine["lon"], to[0], None]
        lat += [mine["lat"], to[1], None]
    mines = [m for m in inputs.get("mines", []) if m.get("lon") is not None]
    opened = set(scenario.get("open", []))
    data: list[dict[str, Any]] = [
        _lines(whole=False), *([_outline_trace([code], hover=False)] if code else []),
        {"type": "scattergeo", "mode": "lines", "lon": lon, "lat": lat, "name": _("ore flows"),
         "line": {"color": GREY, "width": 1}, "hoverinfo": "skip"},
        {"type": "scattergeo", "mode": "markers", "name": _("mines"),
         "lon": [m["lon"] for m in mines], "lat": [m["lat"] for m in mines],
         "text": [_("%(mine)s: %(ore)s t/d", mine=m["id"], ore=format(m["ore_tpd"], ",.0f"))
                  for m in mines], "hovertemplate": "%{text}<extra></extra>",
         "marker": {"color": GOLD, "size": [5 + (m["ore_tpd"] ** 0.5) / 4 for m in mines],
                    "line": {"color": "#fff", "width": 0.5}}}]
    for name, keep, colour, symbol in (
            (_("open plants"), lambda p: p["id"] in opened, PLANT_COLOUR, "square"),
            (_("idle or closed plants"), lambda p: p["id"] not in opened and p["existing"],
             PLANT_COLOUR, "square-open"),
            (_("candidate plants not built"),
             lambda p: p["id"] not in opened and not p["existing"], CANDIDATE_COLOUR,
             "diamond-open")):
        part = [p for p in plants if keep(p) and p.get("lon") is not None]
        if not part:
            continue
        data.append({"type": "scattergeo", "mode": "markers", "name": name,
                     "lon": [p["lon"] for p in part], "lat": [p["lat"] for p in part],
                     "text": [_("%(plant)s: %(capacity)s t/d", plant=p["id"],
                                capacity=format(p["capacity_tpd"], ",.0f")) for p in part],
                     "hovertemplate": "%{text}<extra></extra>",
                     "marker": {"color": colour, "symbol": symbol, "size": 11}})
    return {"data": data, "layout": _map_layout(
        _("Ore flows: %(scenario)s", scenario=label(scenario["key"])),
        legend={"orientation": "h", "y": -0.02})}


def scenario_chart(scenarios: Sequence[Mapping[str, Any]], target_pct: float) -> Figure:
    """Cost per day (bars, left) and the ≥ 500 t/d share after each scenario (points, right)
    with the share before (dotted) and the plan's target (dashed line)."""
    names = [label(s["key"]) for s in scenarios]
    target = {"color": STATUS_COLOURS["on_track"], "dash": "dash"}
    before = scenarios[0]["share_before_pct"] if scenarios else None
    shapes = [{"type": "line", "xref": "paper", "yref": "y2", "x0": 0, "x1": 1,
               "y0": target_pct, "y1": target_pct, "line": target}]
    if before is not None:
        shapes.append({"type": "line", "xref": "paper", "yref": "y2", "x0": 0, "x1": 1,
                       "y0": before, "y1": before, "line": {"color": GREY, "dash": "dot"}})
    return {"data": [
        {"type": "bar", "name": _("cost (CNY per day)"), "x": names,
         "y": [s["cost_cny_per_day"] for s in scenarios], "marker": {"color": PLANT_COLOUR},
         "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>"},
        {"type": "scatter", "mode": "markers", "name": _("share of mines ≥ 500 t/d after (%)"),
         "x": names, "y": [s["share_after_pct"] for s in scenarios], "yaxis": "y2",
         "marker": {"color": GOLD, "size": 12},
         "hovertemplate": "%{x}: %{y:.1f}<extra></extra>"},
        legend_line(_("share before (%)"), {"color": GREY, "dash": "dot"}),
        legend_line(_("the plan's target (%)"), target)],
        "layout": base_layout(_("Scenarios: cost and the share of mines ≥ 500 t/d"),
                              height=360, yaxis=axis(_("CNY per day")),
                              yaxis2=right_axis(_("share (%)"), range=[0, 100]),
                              shapes=shapes)}
