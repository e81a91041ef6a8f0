"""Charts of supply–demand matching (issue 22): open needs and supply gaps per material kind,
a need's ranked products by the parts of their score, and each property's ranges (the need's
band, each product's guaranteed range)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    GREY,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    count_axis,
)
from aurum.api.labels import label
from aurum.core.i18n import _

PART_COLOURS = {"margin": GOLD, "capability": "#4c78a8", "evaluation": "#54a24b",
                "distance": "#9d755d"}
"""Colour of each part of the score."""
MATCH_COLOURS = {"qualified": STATUS_COLOURS["on_track"], "unproven": STATUS_COLOURS["at_risk"],
                 "rejected": STATUS_COLOURS["off_track"]}
"""Colour of what a product is for a need."""
MAX_ROWS = 30
"""Products a need's charts draw at most (the best ranked first)."""


def gaps_chart(frame: pd.DataFrame) -> Figure:
    """Open needs per material kind: with a qualified product, and the supply gaps (none),
    split into those with unproven products only and those with nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``kind_name``, ``matched``, ``gaps``, ``unproven_only`` (counts), as
        :func:`aurum.services.matching.gaps_frame` gives it.
    """
    title = _("Open needs and supply gaps by material")
    if frame.empty:
        return {"data": [], "layout": base_layout(_("%(title)s (none yet)", title=title))}
    names = frame["kind_name"].astype(str).tolist()
    series = (("matched", _("with a qualified product"), STATUS_COLOURS["on_track"]),
              ("unproven_only", _("gap: unproven products only"), STATUS_COLOURS["at_risk"]),
              ("nothing", _("gap: no product"), STATUS_COLOURS["off_track"]))
    values = frame.assign(nothing=frame["gaps"] - frame["unproven_only"])
    data = [{"type": "bar", "name": name, "x": names, "y": values[key].astype(int).tolist(),
             "marker": {"color": colour}} for key, name, colour in series]
    return {"data": data, "layout": base_layout(
        title, barmode="stack", xaxis=axis(_("material kind"), type="category"),
        yaxis=count_axis(_("open needs"), frame["needs"]))}


def score_chart(qualified: Sequence[Mapping[str, Any]], weights: Mapping[str, float]
                ) -> Figure | None:
    """A need's qualified products, best first, each bar its score split into the weighted
    parts (margin, capability, evaluations, distance), 0 to 1.

    Parameters
    ----------
    qualified : sequence of mapping
        The ranked matches (``product``, ``parts``), as
        :func:`aurum.services.matching.need_view` gives them.
    weights : mapping
        The weight of each part (summing to 1).

    Returns
    -------
    dict or None
        None without a qualified product.
    """
    rows = [m for m in qualified if m.get("parts")][:MAX_ROWS]
    if not rows:
        return None
    names = [f"{m['rank']}. {m['product']}" for m in rows]
    data = [{"type": "bar", "orientation": "h", "name": label(part),
             "y": names, "x": [weights.get(part, 0.0) * m["parts"][part] for m in rows],
             "marker": {"color": colour}} for part, colour in PART_COLOURS.items()]
    return {"data": data, "layout": base_layout(
        _("Qualified products by score"), barmode="stack",
        xaxis=axis(_("score (0 to 1)"), range=[0, 1]),
        yaxis=axis("", autorange="reversed", type="category"),
        height=max(220, 60 + 28 * len(rows)))}


def ranges_chart(prop: Mapping[str, Any], matches: Sequence[Mapping[str, Any]]) -> Figure:
    """One property of a need: its accepted range as a band, and each product's guaranteed
    range as a segment coloured by what the product is for the need (an open side drawn
    dotted to the chart's edge).

    Parameters
    ----------
    prop : mapping
        The need's range (``property``, ``name``, ``unit``, ``min``, ``max``).
    matches : sequence of mapping
        The matches (``product``, ``status``, ``properties`` with ``product_minimum`` and
        ``product_maximum``), best first.
    """
    rows = []
    for m in matches[:MAX_ROWS]:
        fact = next((f for f in m["properties"] if f["property"] == prop["property"]), None)
        if fact is not None and fact["verdict"] not in ("unit", "unspecified"):
            rows.append((m["product"], m["status"], fact["product_minimum"],
                         fact["product_maximum"]))
    given = [v for v in (prop["min"], prop["max"]) if v is not None]
    given += [v for _p, _s, lo, hi in rows for v in (lo, hi) if v is not None]
    low, high = min(given), max(given)
    pad = 0.15 * (high - low) if high > low else max(abs(high) * 0.05, 1.0)
    edge = (low - pad, high + pad)
    data: list[dict[str, Any]] = []
    for name, status, lo, hi in rows:
        start, end = (edge[0] if lo is None else lo), (edge[1] if hi is None else hi)
        data.append({"type": "scatter", "mode": "lines+markers", "name": name,
                     "showlegend": False, "x": [start, end], "y": [name, name],
                     "line": {"color": MATCH_COLOURS.get(status, GREY), "width": 6,
                              "dash": "dot" if lo is None or hi is None else "solid"},
                     "hovertemplate": f"{name}: %{{x}}<extra>{label(status)}</extra>"})
    band = {"type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
            "x0": edge[0] if prop["min"] is None else prop["min"],
            "x1": edge[1] if prop["max"] is None else prop["max"],
            "fillcolor": "rgba(184,134,11,0.15)", "line": {"color": GOLD, "dash": "dash"}}
    unit = f" ({prop['unit']})" if prop["unit"] else ""
    return {"data": data, "layout": base_layout(
        _("%(property)s: the need's range (band) and the products' ranges",
          property=prop["name"]), shapes=[band],
        xaxis=axis(f"{prop['name']}{unit}", range=list(edge)),
        yaxis=axis("", autorange="reversed", type="category"),
        height=max(200, 80 + 26 * len(rows)))}
