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


def _box(stope: Mapping[str, Any]) -> list[tuple[float, float, float]]:
    x0, x1, y0, y1, z0, z1 = (float(stope[k]) for k in (
        "x_min", "x_max", "y_min", "y_max", "z_min", "z_max"))
    return [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
            (x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]


def _mesh(stopes: Sequence[Mapping[str, Any]], name: str, **extra: Any) -> dict[str, Any]:
    """One ``mesh3d`` trace of boxes."""
    x: list[float] = []
    y: list[float] = []
    z: list[float] = []
    i: list[int] = []
    j: list[int] = []
    k: list[int] = []
    for n, stope in enumerate(stopes):
        for cx, cy, cz in _box(stope):
            x.append(cx)
            y.append(cy)
            z.append(cz)
        for a, b, c in FACES:
            i.append(8 * n + a)
            j.append(8 * n + b)
            k.append(8 * n + c)
    return {"type": "mesh3d", "name": name, "x": x, "y": y, "z": z, "i": i, "j": j, "k": k,
            "flatshading": True, "showlegend": True, **extra}


def stopes_3d(stopes: Sequence[Mapping[str, Any]], blocks: Sequence[Mapping[str, Any]],
              title: str) -> Figure:
    """The plan's stopes as boxes coloured by the month they are mined (unscheduled ones
    grey), over the block model's blocks of positive value.

    Parameters
    ----------
    stopes : sequence of mappings
        One per stope: ``x_min`` … ``z_max`` (m), ``id``, ``level``, ``period`` (month
        mined, 1-based, None when unscheduled), ``month`` (``YYYY-MM``), ``ore_t`` (t) and
        ``value_cny`` (CNY).
    blocks : sequence of mappings
        Blocks drawn under them: ``x``, ``y``, ``z`` (m) and ``value_cny`` (CNY).
    title : str
        The chart's title.
    """
    data: list[dict[str, Any]] = []
    if blocks:
        data.append({"type": "scatter3d", "mode": "markers", "name": _("blocks of positive "
                                                                       "value"),
                     "x": [b["x"] for b in blocks], "y": [b["y"] for b in blocks],
                     "z": [b["z"] for b in blocks], "hoverinfo": "skip",
                     "marker": {"size": 2, "opacity": 0.35, "color": [
                         b["value_cny"] for b in blocks], "colorscale": "YlOrBr"}})
    mined = [s for s in stopes if s.get("period") is not None]
    idle = [s for s in stopes if s.get("period") is None]
    if mined:
        periods = [float(s["period"]) for s in mined]
        data.append(_mesh(
            mined, _("stopes by month mined"), opacity=1.0, intensitymode="cell",
            intensity=[p for p in periods for _face in FACES], colorscale="Viridis",
            colorbar={"title": {"text": _("month mined")}, "x": 1.02},
            hovertext=[_("stope %(id)s, level %(level)s, mined %(month)s: %(ore)s t, "
                         "%(value)s CNY", id=s["id"], level=s["level"], month=s["month"],
                         ore=format(float(s["ore_t"]), ",.0f"),
                         value=format(float(s["value_cny"]), ",.0f"))
                       for s in mined for _vertex in range(8)], hoverinfo="text"))
    if idle:
        data.append(_mesh(idle, _("stopes not scheduled"), color=GREY, opacity=0.4,
                          hoverinfo="skip"))
    return {"data": data, "layout": base_layout(title, height=560, scene=mine_scene())}


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
    """The tailings of each month: to the stopes as backfill and to the tailings facility
    (stacked, together the tailings produced), with the share backfilled against the
    plan's 35 % line.

    Parameters
    ----------
    balance : sequence of mappings
        One per month: ``month``, ``tailings_to_backfill_t``, ``tailings_to_facility_t``
        (t) and ``backfill_share`` (fraction, None when nothing is produced).
    title : str
        The chart's title.
    """
    months = [str(b["month"]) for b in balance]
    share = [None if b.get("backfill_share") is None else 100.0 * float(b["backfill_share"])
             for b in balance]
    target = {"color": colour_of("on_track"), "dash": "dash"}
    data = [
        {"type": "bar", "name": _("tailings to backfill (t)"), "x": months,
         "y": [b["tailings_to_backfill_t"] for b in balance],
         "marker": {"color": colour_of("utilised_t")}},
        {"type": "bar", "name": _("tailings to the facility (t)"), "x": months,
         "y": [b["tailings_to_facility_t"] for b in balance], "marker": {"color": GREY}},
        {"type": "scatter", "mode": "lines+markers", "name": _("share backfilled (per cent)"),
         "x": months, "y": share, "yaxis": "y2", "line": {"color": "#1f6feb"}},
        {"type": "scatter", "mode": "lines", "name": _("the plan's 35 per cent line"),
         "x": months, "y": [WASTE_TARGET_PCT] * len(months), "yaxis": "y2", "line": target}]
    return {"data": data, "layout": base_layout(
        title, barmode="stack", height=360, xaxis=axis(_("Month"), type="category"),
        yaxis=axis(_("Tailings produced (t)")),
        yaxis2=right_axis(_("Share backfilled (per cent)"), range=[0, 100]))}
