"""The shelf products drawn (issue 22): the catalogue's products per material kind by
capability class, and a property's control chart over the batches (individuals or subgroup
means with the centre line, the control limits and the specification's limits; the moving
ranges, ranges or standard deviations below)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aurum.api.charts.common import GOLD, GREY, STATUS_COLOURS, Figure, axis, base_layout
from aurum.api.labels import label
from aurum.core.i18n import _

CLASS_COLOURS = {"capable": STATUS_COLOURS["on_track"], "marginal": STATUS_COLOURS["at_risk"],
                 "incapable": STATUS_COLOURS["off_track"], "unproven": "#bab0ac"}
"""Colours of the capability classes (the status colours: on track, at risk, off track)."""
LIMIT_COLOUR = "#cf222e"
SPEC_COLOUR = "#4c78a8"


def catalogue_chart(by_kind: Mapping[str, Mapping[str, int]], kind_names: Mapping[str, str],
                    title: str) -> Figure:
    """Products per material kind, stacked by capability class.

    Parameters
    ----------
    by_kind : mapping
        Per kind, the number of products of each class (``capable``, ``marginal``,
        ``incapable``, ``unproven``).
    kind_names : mapping
        Each kind's name in the reader's language.
    title : str
        The chart's title.
    """
    kinds = [k for k, counts in by_kind.items() if sum(counts.values())]
    data = [{"type": "bar", "name": label(cls), "x": [kind_names[k] for k in kinds],
             "y": [by_kind[k][cls] for k in kinds], "marker": {"color": colour}}
            for cls, colour in CLASS_COLOURS.items()]
    return {"data": data, "layout": base_layout(
        title, barmode="stack", height=360, xaxis=axis(""),
        yaxis=axis(_("Products"), tickformat=",d", rangemode="tozero"))}


def _line(x: list[str], y: float | None, name: str, colour: str, dash: str,
          yaxis: str = "y") -> dict[str, Any] | None:
    if y is None:
        return None
    return {"type": "scatter", "mode": "lines", "name": name, "x": [x[0], x[-1]], "y": [y, y],
            "line": {"color": colour, "dash": dash, "width": 1.5}, "yaxis": yaxis,
            "hoverinfo": "name+y"}


def control_chart(name: str, unit: str, entry: Mapping[str, Any]) -> Figure | None:
    """A property's control chart from its stored capability (None before two batches).

    Parameters
    ----------
    name : str
        The property's name in the reader's language.
    unit : str
        Its unit.
    entry : mapping
        The stored capability of the property (:func:`aurum.services.materials.
        capability_document`): ``chart`` (``kind``, ``batches``, ``location``, ``spread``,
        ``location_limits``, ``spread_limits``, ``beyond``), ``lower``, ``upper``.
    """
    chart = entry.get("chart")
    if not chart:
        return None
    x = [str(b) for b in chart["batches"]]
    loc, spr = chart["location_limits"], chart["spread_limits"]
    kind = chart["kind"]
    spread_x = x[1:] if kind == "i_mr" else x
    beyond = set(chart["beyond"])
    located = _("Individual values") if kind == "i_mr" else _("Batch means")
    spread_name = {"i_mr": _("Moving range"), "xbar_r": _("Range"),
                   "xbar_s": _("Standard deviation")}[kind]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": located, "x": x,
         "y": chart["location"], "line": {"color": GOLD},
         "marker": {"color": [LIMIT_COLOUR if b in beyond else GOLD for b in x], "size": 7}},
        _line(x, loc["center"], _("Centre line"), GREY, "solid"),
        _line(x, loc["upper"], _("Control limits (3σ)"), LIMIT_COLOUR, "dash"),
        _line(x, loc["lower"], _("Control limits (3σ)"), LIMIT_COLOUR, "dash"),
        _line(x, entry.get("upper"), _("Specification limits"), SPEC_COLOUR, "dot"),
        _line(x, entry.get("lower"), _("Specification limits"), SPEC_COLOUR, "dot"),
        {"type": "scatter", "mode": "lines+markers", "name": spread_name, "x": spread_x,
         "y": chart["spread"], "line": {"color": "#72b7b2"}, "yaxis": "y2"},
        _line(x, spr["upper"], _("Control limits (3σ)"), LIMIT_COLOUR, "dash", "y2"),
        _line(x, spr["center"], _("Centre line"), GREY, "solid", "y2"),
    ]
    traces = [t for t in data if t is not None]
    seen: set[str] = set()
    for t in traces:  # one legend entry per kind of line
        t["showlegend"] = t["name"] not in seen
        seen.add(t["name"])
    return {"data": traces, "layout": base_layout(
        _("%(name)s: control chart", name=name), height=440,
        # The batch axis under the spread panel (the panels share it): under the upper panel
        # its slanted batch codes ran into the spread panel.
        xaxis=axis(_("Batch"), type="category", anchor="y2"),
        yaxis=axis(f"{name} ({unit})" if unit else name, domain=[0.38, 1.0]),
        yaxis2=axis(spread_name, domain=[0.0, 0.28], anchor="x", rangemode="tozero"))}
