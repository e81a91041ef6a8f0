"""The standards registry drawn (issue 22): the standards map (how many standards of each
status each priority area has, a heat-map), a standard's status history along time, and the
change each implementation record measured per indicator (positive is better)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from aurum.api.charts.common import Figure, axis, base_layout, colour_of
from aurum.api.labels import label
from aurum.core.i18n import _

STATUS_ORDER = ("planned", "drafting", "published", "under_revision", "withdrawn")
"""The lifecycle's order, bottom to top of the map and the history."""
AREA_ORDER = ("deep_mining", "green_low_carbon", "digital_intelligent", "new_materials",
              "safety", "testing_methods", "products", "untagged")
"""The plan's four priority areas first, then the registry's working areas."""
MAP_COLOURS = [[0.0, "#fbf6e9"], [1.0, "#8a6508"]]
"""Few to many standards: pale to dark gold."""


def standards_map(cells: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """Heat-map of counts: priority areas across, statuses up, the count in each cell.

    Parameters
    ----------
    cells : sequence of mappings
        ``{status, tag, count}`` (:func:`aurum.services.standards.map_counts`).
    title : str
        The figure's title.
    """
    areas = [a for a in AREA_ORDER if any(c["tag"] == a for c in cells)]
    counts = {(c["status"], c["tag"]): int(c["count"]) for c in cells}
    z = [[counts.get((s, a), 0) for a in areas] for s in STATUS_ORDER]
    return {"data": [{
        "type": "heatmap", "x": [label(a) for a in areas],
        "y": [label(s) for s in STATUS_ORDER], "z": z,
        "text": [[str(v) if v else "" for v in row] for row in z], "texttemplate": "%{text}",
        "colorscale": MAP_COLOURS, "showscale": False, "xgap": 2, "ygap": 2,
        "hovertemplate": _("%(status)s, %(area)s: %(n)s standard(s)", status="%{y}",
                           area="%{x}", n="%{z}") + "<extra></extra>"}],
        "layout": base_layout(title, height=340, xaxis=axis(_("Priority area")),
                              yaxis=axis(_("Status")))}


def status_history(events: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """A standard's status along time: one step per change, at its date (the day it took
    effect, else the day it was recorded).

    Parameters
    ----------
    events : sequence of mappings
        ``{to_status, on (date or None), created_at (datetime), reason}``, oldest first.
    """
    xs: list[date] = [e["on"] or e["created_at"].date() for e in events]
    ys = [label(e["to_status"]) for e in events]
    return {"data": [{
        "type": "scatter", "mode": "lines+markers", "x": [x.isoformat() for x in xs],
        "y": ys, "line": {"shape": "hv", "color": colour_of("gold_output_t")},
        "marker": {"size": 10}, "text": [e["reason"] for e in events],
        "hovertemplate": "%{x}: %{y}<br>%{text}<extra></extra>"}],
        "layout": base_layout(title, height=260, xaxis=axis(_("Date"), type="date"),
                              yaxis=axis(_("Status"), type="category",
                                         categoryorder="array",
                                         categoryarray=[label(s) for s in STATUS_ORDER]))}


def effect_chart(records: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """Each record's change per indicator, in per cent, signed so that positive is better
    (indicators whose value before was 0 have no relative change and are left out; the table
    beside gives their values), one bar series per organisation.

    Parameters
    ----------
    records : sequence of mappings
        ``{organisation, indicators: [{name, unit, before, after, improvement}]}``.
    """
    traces = []
    for k, r in enumerate(records):
        shown = [x for x in r["indicators"] if x["improvement"] is not None]
        ys = [100.0 * x["improvement"] for x in shown]
        traces.append({
            "type": "bar", "name": r["organisation"],
            "x": [f"{x['name']} ({x['unit']})" for x in shown], "y": ys,
            "marker": {"color": colour_of(r["organisation"], k)},
            "customdata": [[x["before"], x["after"]] for x in shown],
            "hovertemplate": _("%(indicator)s: %(before)s → %(after)s, %(change)s better",
                               indicator="%{x}", before="%{customdata[0]}",
                               after="%{customdata[1]}", change="%{y:.1f} %")
            + "<extra>%{fullData.name}</extra>"})
    improvement = axis(_("Improvement, %(unit)s (positive is better)", unit="%"),
                       zeroline=True)
    return {"data": traces,
            "layout": base_layout(title, barmode="group", xaxis=axis(_("Indicator (unit)")),
                                  yaxis=improvement)}
