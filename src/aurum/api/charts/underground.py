"""A deep mine's stope plan drawn (issue 20): the stopes in 3D over the block model coloured
by the month they are mined, the schedule as a Gantt chart with its fill cycle (mining,
filling, curing), and the backfill balance against the plan's 35 % solid-waste line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aurum.api.charts.common import (
    GREY,
    Figure,
    axis,
    base_layout,
    colour_of,
    mine_scene,
    right_axis,
)
from aurum.core.i18n import _
from aurum.services.underground_views import BOX_FACES

WASTE_TARGET_PCT = 35.0
"""The plan's floor of solid-waste utilisation, per cent (Column 2, the 2027 indicator)."""
CYCLE_COLOURS = {"mining": "#b8860b", "filling": "#4c78a8", "curing": "#9ecae9"}
"""A stope's fill cycle on the Gantt chart: mined, filled, the fill curing."""
FACES = [tuple(int(v) for v in face) for face in BOX_FACES]
"""The 12 triangles of a box, as the OMF export's mesh has them."""


MIN_ASPECT = 0.25
"""A flat axis's share of the longest one in a 3D view: a mine's workings are often
kilometres long and deep but a few metres across, which true proportions draw as a sheet
seen edge-on."""
STOPES_EYE = {"x": 0.95, "y": 0.95, "z": 0.95}
"""The stopes' camera eye, in units of the scene's box: Plotly's default direction, nearer
than its 1.25, as the box's longest side is 1 and the whole box with its axis titles still
shows. (In Plotly's ``aspectmode: data`` the box is scaled to unit volume instead: a long
orebody's box outgrew the view and its foot, the y axis's title and the last stope's corner,
was clipped.)"""


def whole_scene(extent: Mapping[str, tuple[float, float]], margin: float,
                eye: Mapping[str, float]) -> dict[str, Any]:
    """A 3D scene of a mine that shows all of it.

    Each axis's range is its extent with a margin, the box in true proportions but no axis
    flatter than :data:`MIN_ASPECT` of the longest, which is 1 (``aspectmode: manual``), so
    that an eye about twice as far from the centre sees the whole box.

    Parameters
    ----------
    extent : mapping of str to (float, float)
        Lowest and highest ``x``, ``y`` and ``z`` drawn, m.
    margin : float
        Each side's margin as a fraction of the axis's extent (plus 1 m, so that a flat
        extent still has a range).
    eye : mapping of str to float
        The camera's eye ``x``, ``y``, ``z`` in units of the box.

    Returns
    -------
    dict
        The layout's ``scene``.
    """
    scene = mine_scene()
    spans = []
    for a in "xyz":
        low, high = extent[a]
        pad = margin * (high - low) + 1.0
        scene[f"{a}axis"] |= {"range": [round(low - pad, 2), round(high + pad, 2)],
                              "autorange": False}
        spans.append(high - low + 2 * pad)
    longest = max(spans)
    ratio = [round(max(s / longest, MIN_ASPECT), 4) for s in spans]
    return scene | {"aspectmode": "manual", "aspectratio": dict(zip("xyz", ratio, strict=True)),
                    "camera": {"center": {"x": 0, "y": 0, "z": 0}, "eye": dict(eye)}}


def _box(stope: Mapping[str, Any]) -> list[tuple[float, float, float]]:
    x0, x1, y0, y1, z0, z1 = (float(stope[k]) for k in (
        "x_min", "x_max", "y_min", "y_max", "z_min", "z_max"))
    return [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
            (x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]


def _mesh(stopes: Sequence[Mapping[str, Any]], name: str, **extra: Any) -> dict[str, Any]:
    """One ``mesh3d`` trace of boxes (corners to the centimetre)."""
    x: list[float] = []
    y: list[float] = []
    z: list[float] = []
    i: list[int] = []
    j: list[int] = []
    k: list[int] = []
    for n, stope in enumerate(stopes):
        for cx, cy, cz in _box(stope):
            x.append(round(cx, 2))
            y.append(round(cy, 2))
            z.append(round(cz, 2))
        for a, b, c in FACES:
            i.append(8 * n + a)
            j.append(8 * n + b)
            k.append(8 * n + c)
    return {"type": "mesh3d", "name": name, "x": x, "y": y, "z": z, "i": i, "j": j, "k": k,
            "flatshading": True, "showlegend": True, **extra}


def _extent(stopes: Sequence[Mapping[str, Any]], model: Mapping[str, Any] | None
            ) -> dict[str, tuple[float, float]]:
    """The smallest box (m) holding every stope and the model's extent, by axis."""
    out: dict[str, tuple[float, float]] = {}
    for a in ("x", "y", "z"):
        low = [float(s[f"{a}_min"]) for s in stopes]
        high = [float(s[f"{a}_max"]) for s in stopes]
        if model is not None:
            low.append(float(model[f"{a}_min"]))
            high.append(float(model[f"{a}_max"]))
        if low:
            out[a] = (min(low), max(high))
    return out


def _outline(box: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The 12 edges of a box as one line trace (None breaks the line between edges)."""
    corners = _box(box)
    edges = [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4),
             (0, 4), (1, 5), (2, 6), (3, 7)]
    xyz: list[list[float | None]] = [[], [], []]
    for a, b in edges:
        for axis_values, p, q in zip(xyz, corners[a], corners[b], strict=True):
            axis_values += [round(p, 2), round(q, 2), None]
    return {"type": "scatter3d", "mode": "lines", "name": name, "x": xyz[0], "y": xyz[1],
            "z": xyz[2], "hoverinfo": "skip", "line": {"color": GREY, "width": 2}}


def _centres(solids: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A point at the middle of each stope carrying its hover text: one text per stope
    (Plotly's mesh would hover by corner, eight texts for every slice of a vein shape)."""
    stopes: dict[Any, list[Mapping[str, Any]]] = {}
    for s in solids:
        stopes.setdefault(s["id"], []).append(s)
    middle: list[list[float]] = [[], [], []]
    text = []
    for parts in stopes.values():
        for n, a in enumerate("xyz"):
            low = min(float(p[f"{a}_min"]) for p in parts)
            high = max(float(p[f"{a}_max"]) for p in parts)
            middle[n].append(round((low + high) / 2, 2))
        s = parts[0]
        text.append(_("stope %(id)s, level %(level)s, mined %(month)s: %(ore)s t, %(value)s CNY",
                      id=s["id"], level=s["level"], month=s["month"],
                      ore=format(float(s["ore_t"]), ",.0f"),
                      value=format(float(s["value_cny"]), ",.0f")))
    return {"type": "scatter3d", "mode": "markers", "name": _("stopes by month mined"),
            "x": middle[0], "y": middle[1], "z": middle[2], "hovertext": text,
            "hoverinfo": "text", "showlegend": False,
            "marker": {"size": 3, "color": "white", "line": {"color": "#333", "width": 1}}}


def stopes_3d(stopes: Sequence[Mapping[str, Any]], blocks: Sequence[Mapping[str, Any]],
              title: str, months: Sequence[str] = (),
              model: Mapping[str, Any] | None = None) -> Figure:
    """The plan's stopes as boxes coloured by the month they are mined (unscheduled ones
    grey), over the block model: its outline and its richest blocks of positive value.

    Parameters
    ----------
    stopes : sequence of mappings
        One per stope (or vein slice): ``x_min`` … ``z_max`` (m), ``id``, ``level``,
        ``period`` (month mined, 1-based, None when unscheduled), ``month``
        (``YYYY-MM``), ``ore_t`` (t) and ``value_cny`` (CNY).
    blocks : sequence of mappings
        Blocks drawn under them: ``x``, ``y``, ``z`` (m) and ``value_cny`` (CNY).
    title : str
        The chart's title.
    months : sequence of str
        The schedule's months (``YYYY-MM``), the first one month 1: the colour bar's labels.
    model : mapping, optional
        The model's extent, ``x_min`` … ``z_max`` (m), drawn as an outline; the axes hold it
        and every stope whole.
    """
    data: list[dict[str, Any]] = []
    if model is not None:
        data.append(_outline(model, _("block model")))
    if blocks:
        data.append({"type": "scatter3d", "mode": "markers", "name": _("blocks of positive "
                                                                       "value"),
                     "x": [round(float(b["x"]), 2) for b in blocks],
                     "y": [round(float(b["y"]), 2) for b in blocks],
                     "z": [round(float(b["z"]), 2) for b in blocks], "hoverinfo": "skip",
                     "marker": {"size": 2, "opacity": 0.35, "color": [
                         round(float(b["value_cny"])) for b in blocks],
                         "colorscale": "YlOrBr"}})
    mined = [s for s in stopes if s.get("period") is not None]
    idle = [s for s in stopes if s.get("period") is None]
    if mined:
        periods = [int(s["period"]) for s in mined]
        # The colour bar in calendar months: a tick at each month mined (at most 12).
        shown = sorted(set(periods))
        shown = shown[::max(1, -(-len(shown) // 12))]
        bar: dict[str, Any] = {"title": {"text": _("month mined")}, "x": 1.02}
        if months:
            bar |= {"tickvals": shown, "ticktext": [months[p - 1] if p <= len(months)
                                                    else str(p) for p in shown]}
        data.append(_mesh(
            mined, _("stopes by month mined"), opacity=1.0, intensitymode="cell",
            intensity=[p for p in periods for _face in FACES], colorscale="Viridis",
            cmin=min(periods), cmax=max(max(periods), min(periods) + 1), colorbar=bar,
            hoverinfo="skip"))
        data.append(_centres(mined))
    if idle:
        data.append(_mesh(idle, _("stopes not scheduled"), color=GREY, opacity=0.4,
                          hoverinfo="skip"))
    extent = _extent(stopes, model)
    scene = whole_scene(extent, 0.02, STOPES_EYE) if len(extent) == 3 else mine_scene()
    return {"data": data, "layout": base_layout(title, height=560, scene=scene)}


def stope_gantt(schedule: Sequence[Mapping[str, Any]], months: Sequence[str],
                title: str) -> Figure:
    """The schedule as a Gantt chart: per stope (by month mined) the month it is mined, the
    month it is filled and the months its fill cures before a neighbour may be mined.

    Parameters
    ----------
    schedule : sequence of mappings
        One per stope: ``id``, ``level``, ``period``, ``fill_period`` and
        ``cure_end_period`` (months, 1-based; None when not scheduled).
    months : sequence of str
        The schedule's months (``YYYY-MM``), the first one month 1.
    title : str
        The chart's title.
    """
    rows = sorted((s for s in schedule if s.get("period") is not None),
                  key=lambda s: (int(s["period"]), int(s["id"])))
    names = [_("S%(id)s (L%(level)s)", id=s["id"], level=s["level"]) for s in rows]
    bars: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in CYCLE_COLOURS}
    for s in rows:
        mined, filled = int(s["period"]), int(s["fill_period"])
        cured = int(s["cure_end_period"]) if s.get("cure_end_period") is not None else filled
        for key, start, end in (("mining", mined - 1, mined), ("filling", filled - 1, filled),
                                ("curing", filled, cured)):
            bars[key][0].append(float(start))
            bars[key][1].append(float(max(end - start, 0)))
    labels = {"mining": _("mining"), "filling": _("filling"), "curing": _("curing")}
    data = [{"type": "bar", "orientation": "h", "name": labels[key], "y": names,
             "base": base, "x": width, "marker": {"color": CYCLE_COLOURS[key]},
             "hovertemplate": "%{y}: " + labels[key] + "<extra></extra>"}
            for key, (base, width) in bars.items()]
    step = max(1, len(months) // 12)
    ticks = list(range(0, len(months), step))
    return {"data": data, "layout": base_layout(
        title, barmode="overlay", height=max(300, 18 * len(rows) + 120),
        xaxis=axis(_("Month"), tickvals=ticks, ticktext=[months[t] for t in ticks]),
        yaxis=axis(_("Stope (level)"), autorange="reversed", type="category"))}


def fill_balance_chart(balance: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """The tailings of each month: the month's tailings to the stopes as backfill, the
    tailings its fill needs beyond them (none produced that month: from storage), and the
    rest of the month's tailings to the facility, with the share backfilled against the
    plan's 35 % line.

    A month's bars of backfill and shortfall together are the tailings of the fill placed
    that month: the fill of the stopes whose fill month (the stope table's) it is.

    Parameters
    ----------
    balance : sequence of mappings
        One per month: ``month``, ``tailings_to_backfill_t``, ``tailings_shortfall_t``,
        ``tailings_to_facility_t`` (t) and ``backfill_share`` (fraction, None when nothing
        is produced).
    title : str
        The chart's title.
    """
    months = [str(b["month"]) for b in balance]
    share = [None if b.get("backfill_share") is None else 100.0 * float(b["backfill_share"])
             for b in balance]
    target = {"color": colour_of("on_track"), "dash": "dash"}

    def tonnes(key: str) -> list[float]:
        return [round(float(b.get(key) or 0.0)) for b in balance]
    data = [
        {"type": "bar", "name": _("tailings to backfill (t)"), "x": months,
         "y": tonnes("tailings_to_backfill_t"), "marker": {"color": colour_of("utilised_t")}},
        {"type": "bar", "name": _("fill's tailings beyond the month's production (t)"),
         "x": months, "y": tonnes("tailings_shortfall_t"),
         "marker": {"color": colour_of("utilised_t"), "pattern": {"shape": "/"},
                    "opacity": 0.5}},
        {"type": "bar", "name": _("tailings to the facility (t)"), "x": months,
         "y": tonnes("tailings_to_facility_t"), "marker": {"color": GREY}},
        # A month that produces no tailings has no share: the line breaks there.
        {"type": "scatter", "mode": "lines+markers", "name": _("share backfilled (per cent)"),
         "x": months, "y": [None if v is None else round(v, 1) for v in share],
         "yaxis": "y2", "connectgaps": False, "cliponaxis": False,
         "line": {"color": "#1f6feb"}},
        {"type": "scatter", "mode": "lines", "name": _("the plan's 35 per cent line"),
         "x": months, "y": [WASTE_TARGET_PCT] * len(months), "yaxis": "y2", "line": target}]
    # 0-100 % whole, with room above the top tick for a point at 100 %.
    return {"data": data, "layout": base_layout(
        title, barmode="stack", height=360, xaxis=axis(_("Month"), type="category"),
        yaxis=axis(_("Tailings (t)")),
        yaxis2=right_axis(_("Share backfilled (per cent)"), range=[0, 105], autorange=False,
                          tickvals=[0, 20, 40, 60, 80, 100]))}
