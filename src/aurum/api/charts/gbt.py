"""The vertical longitudinal projection (垂直纵投影图) of a geological-block estimate, drawn as
the field draws it: each block filled with its GB/T 17766-2020 category's colour (every
chart's, :data:`~aurum.api.charts.common.CATEGORY_COLOURS`), the orebody outline, the pierce
points labelled with their holes; u (m along the strike) across, elevation up, both to one
scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aurum.api.charts.common import CATEGORY_COLOURS, Figure, axis, base_layout
from aurum.core.i18n import _

OUTLINE_COLOUR = "#333333"
POINT_COLOUR = "#08519c"


def longitudinal_projection(blocks: Sequence[Mapping[Any, Any]],
                            outline: Sequence[Sequence[float]],
                            categories: Mapping[str, str], title: str) -> Figure:
    """The projection of an estimate's blocks.

    Parameters
    ----------
    blocks : sequence of mappings
        One per block: ``hole``, ``u`` and ``v`` (its pierce point, m), ``category``,
        ``polygon_u`` and ``polygon_v`` (its vertices, m), ``tonnes`` (t), ``grade`` and
        ``thickness_h_m`` (m).
    outline : sequence of (u, v)
        The orebody outline, m.
    categories : mapping
        The label of each category code, in the reader's language.
    title : str
        The chart's title.
    """
    data: list[dict[str, Any]] = []
    shown: set[str] = set()
    for block in blocks:
        code = str(block["category"])
        us, vs = list(block["polygon_u"]), list(block["polygon_v"])
        data.append({
            "type": "scatter", "mode": "lines", "fill": "toself", "x": us, "y": vs,
            "fillcolor": CATEGORY_COLOURS.get(code, "#cccccc"),
            "line": {"color": "#ffffff", "width": 1},
            "name": categories.get(code, code), "legendgroup": code,
            "showlegend": code not in shown, "hoverinfo": "text",
            "text": _("%(hole)s: %(category)s, %(tonnes)s t at %(grade)s, horizontal "
                      "thickness %(thickness)s m", hole=block["hole"],
                      category=categories.get(code, code),
                      tonnes=format(block["tonnes"], ",.0f"), grade=format(block["grade"], ".2f"),
                      thickness=format(block["thickness_h_m"], ".2f"))})
        shown.add(code)
    ring = [list(p) for p in outline]
    if ring:
        ring.append(ring[0])
        data.append({"type": "scatter", "mode": "lines", "name": _("orebody outline"),
                     "x": [p[0] for p in ring], "y": [p[1] for p in ring],
                     "line": {"color": OUTLINE_COLOUR, "width": 2, "dash": "dash"},
                     "hoverinfo": "skip"})
    data.append({"type": "scatter", "mode": "markers+text", "name": _("pierce points"),
                 "x": [b["u"] for b in blocks], "y": [b["v"] for b in blocks],
                 "text": [str(b["hole"]) for b in blocks], "textposition": "top center",
                 "textfont": {"size": 10}, "hoverinfo": "text",
                 "marker": {"color": POINT_COLOUR, "size": 7, "symbol": "circle"}})
    return {"data": data, "layout": base_layout(
        title, height=520, xaxis=axis(_("u along the strike (m)")),
        yaxis=axis(_("Elevation (m)"), scaleanchor="x", scaleratio=1))}
