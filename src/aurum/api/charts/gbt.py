"""The vertical longitudinal projection (垂直纵投影图) of a geological-block estimate, drawn as
the field draws it: each block filled with its GB/T 17766-2020 category's colour (every
chart's, :data:`~aurum.api.charts.common.CATEGORY_COLOURS`), the orebody outline, the pierce
points named by their holes (printed where they do not crowd, on hover everywhere); u (m along
the strike) across, elevation up, both to one scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from aurum.api.charts.common import CATEGORY_COLOURS, Figure, axis, base_layout
from aurum.core.i18n import _

OUTLINE_COLOUR = "#333333"
POINT_COLOUR = "#08519c"
LABEL_CLEARANCE = 0.05
"""A pierce point's hole is printed beside it only when its nearest other pierce point is
farther than this fraction of the chart's wider axis span: a hole name (some six characters
at 10 px) takes about a twentieth of the plot's width, so closer labels would overlap. Every
point keeps its name as hover text."""


def clear_of_others(u: np.ndarray, v: np.ndarray, span_u: Sequence[float],
                    span_v: Sequence[float]) -> np.ndarray:
    """Which points are far enough from every other one to print their label.

    Parameters
    ----------
    u, v : numpy.ndarray
        The points, m in the projection.
    span_u, span_v : sequence of float
        Every coordinate drawn (points and outline), m: their extent is the axis span.

    Returns
    -------
    numpy.ndarray of bool
        True where the nearest other point is farther than :data:`LABEL_CLEARANCE` × the
        wider of the two spans (a lone point: True).
    """
    if len(u) < 2:
        return np.ones(len(u), dtype=bool)
    span = max(float(np.ptp(span_u)), float(np.ptp(span_v)))
    nearest = np.empty(len(u))
    # Pairwise by blocks of rows: at most MAX_GBT_HOLES points, a block's distances a few MB.
    for start in range(0, len(u), _ROWS):
        rows = slice(start, start + _ROWS)
        distance = np.hypot(u[rows, None] - u[None, :], v[rows, None] - v[None, :])
        distance[np.arange(distance.shape[0]), np.arange(start, start + distance.shape[0])] = (
            np.inf)
        nearest[rows] = distance.min(axis=1)
    return nearest > LABEL_CLEARANCE * span


_ROWS = 256


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
    u = np.array([float(b["u"]) for b in blocks])
    v = np.array([float(b["v"]) for b in blocks])
    holes = [str(b["hole"]) for b in blocks]
    printed = clear_of_others(u, v, [p[0] for p in ring] + u.tolist(),
                              [p[1] for p in ring] + v.tolist())
    data.append({"type": "scatter", "mode": "markers+text", "name": _("pierce points"),
                 "x": u.tolist(), "y": v.tolist(),
                 "text": [h if keep else "" for h, keep in zip(holes, printed, strict=True)],
                 "hovertext": holes, "textposition": "top center",
                 "textfont": {"size": 10}, "hoverinfo": "text",
                 "marker": {"color": POINT_COLOUR, "size": 7, "symbol": "circle"}})
    return {"data": data, "layout": base_layout(
        title, height=520, xaxis=axis(_("u along the strike (m)")),
        yaxis=axis(_("Elevation (m)"), scaleanchor="x", scaleratio=1))}
