"""A mine's ventilation network drawn (issue 21): the schematic (junctions placed by their
elevation, branches as lines whose colour and width grow with the flow, arrows for its
direction, fans and regulators marked), the same in 3D when every junction has coordinates,
the fans' curves with their operating points, and the air's dry and wet bulb along the main
routes against depth with the GB 16423-2020 limit.

Schematic layout rule: a junction's height is its elevation z (m); across, junctions at the
same elevation are spread in the order the network document lists them, one unit apart and
centred (:func:`aurum.services.ventilation.site_view` places them).

Junctions, branches and fans are labelled by their names in the reader's language
(:class:`aurum.services.ventilation.Names`); their ids appear only in the hovers, beside the
name."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from aurum.api.charts.common import GREY, Figure, axis, base_layout, colour_of
from aurum.api.charts.underground import whole_scene
from aurum.core.i18n import _
from aurum.services.ventilation import Names, shown_name

FLOW_CLASSES = 5
"""Classes of |flow| the branches are drawn in (colour and width)."""
FLOW_COLOURS = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
"""Light to dark blue, least flow to most."""
FAN_COLOUR = "#b8860b"
REGULATOR_COLOUR = "#cf222e"
NETWORK_EYE = {"x": 1.6, "y": -1.6, "z": 0.8}
"""The 3D network's camera eye, in units of the scene's box (longest side 1): from the side
the levels' drives run along, a little above, far enough out to see the whole box."""
CURVE_POINTS = 60
"""Points drawn along a fan's curve."""


def _classes(branches: Sequence[Mapping[str, Any]]) -> list[tuple[float, float]]:
    """The flow classes' bounds (m³/s): equal steps from 0 to the largest |flow|."""
    top = max((abs(float(b["flow_m3s"] or 0.0)) for b in branches), default=0.0) or 1.0
    step = top / FLOW_CLASSES
    return [(k * step, (k + 1) * step) for k in range(FLOW_CLASSES)]


def _class_of(flow: float, bounds: list[tuple[float, float]]) -> int:
    return next((k for k, (_low, high) in enumerate(bounds) if abs(flow) <= high + 1e-12),
                len(bounds) - 1)


def _lines(branches: Sequence[Mapping[str, Any]], place: Mapping[str, Sequence[float]],
           bounds: list[tuple[float, float]], three_d: bool, names: Names
           ) -> list[dict[str, Any]]:
    """One trace per flow class, its branches as segments broken by None."""
    traces = []
    for k, (low, high) in enumerate(bounds):
        xs: list[float | None] = []
        ys: list[float | None] = []
        zs: list[float | None] = []
        texts: list[str | None] = []
        for b in branches:
            if _class_of(float(b["flow_m3s"] or 0.0), bounds) != k:
                continue
            for end in (b["from"], b["to"]):
                xs.append(place[end][0])
                ys.append(place[end][1])
                if three_d:
                    zs.append(place[end][2])
                texts.append(_("%(name)s: %(q)s m³/s, %(p)s Pa", name=names.with_id(b["name"]),
                               q=f"{float(b['flow_m3s'] or 0):.1f}",
                               p=f"{float(b['drop_pa'] or 0):.0f}"))
            xs.append(None)
            ys.append(None)
            zs.append(None)
            texts.append(None)
        if not texts:
            continue
        trace = {"type": "scatter3d" if three_d else "scatter", "mode": "lines",
                 "name": _("%(low)s–%(high)s m³/s", low=f"{low:.0f}", high=f"{high:.0f}"),
                 "x": xs, "y": ys, "text": texts, "hoverinfo": "text",
                 "line": {"color": FLOW_COLOURS[k], "width": 2 + 2 * k}}
        if three_d:
            trace["z"] = zs
        traces.append(trace)
    return traces


def _marks(branches: Sequence[Mapping[str, Any]], place: Mapping[str, Sequence[float]],
           three_d: bool, names: Names) -> list[dict[str, Any]]:
    """Fans and regulators marked at their branches' middles."""
    traces = []
    for kind, name, colour, symbol in (
            ("fan", _("fans"), FAN_COLOUR, "diamond"),
            ("regulator", _("regulators"), REGULATOR_COLOUR, "square")):
        chosen = [b for b in branches if b["kind"] == kind]
        if not chosen:
            continue
        mids = [[(place[b["from"]][i] + place[b["to"]][i]) / 2 for i in range(3 if three_d
                                                                              else 2)]
                for b in chosen]
        trace = {"type": "scatter3d" if three_d else "scatter", "mode": "markers",
                 "name": name, "x": [m[0] for m in mids], "y": [m[1] for m in mids],
                 "text": [names.with_id(b["name"]) for b in chosen], "hoverinfo": "text",
                 "marker": {"color": colour, "symbol": symbol, "size": 8 if three_d else 12}}
        if three_d:
            trace["z"] = [m[2] for m in mids]
        traces.append(trace)
    return traces


def network_schematic(nodes: Sequence[Mapping[str, Any]],
                      branches: Sequence[Mapping[str, Any]], title: str,
                      names: Names | None = None) -> Figure:
    """The network as a schematic (module docstring's layout rule).

    Parameters
    ----------
    nodes : sequence of mappings
        ``name``, ``x`` (order at its elevation) and ``y`` (elevation, m); optionally
        ``label``, the hover's name of the junction.
    branches : sequence of mappings
        ``name``, ``from``, ``to``, ``flow_m3s`` (m³/s), ``drop_pa`` (Pa) and ``kind``
        (``airway``, ``fan`` or ``regulator``).
    title : str
        The chart's title.
    names : Names, optional
        The branches' names (their ids where none is given).
    """
    names = names or Names()
    place = {n["name"]: (float(n["x"]), float(n["y"])) for n in nodes}
    bounds = _classes(branches)
    data = _lines(branches, place, bounds, False, names) + _marks(branches, place, False, names)
    data.append({"type": "scatter", "mode": "markers", "name": _("junctions"),
                 "x": [p[0] for p in place.values()], "y": [p[1] for p in place.values()],
                 "text": [n.get("label", n["name"]) for n in nodes], "hoverinfo": "text",
                 "marker": {"color": GREY, "size": 5}})
    arrows = []
    for b in branches:
        flow = float(b["flow_m3s"] or 0.0)
        a, c = (b["from"], b["to"]) if flow >= 0 else (b["to"], b["from"])
        (x0, y0), (x1, y1) = place[a], place[c]
        if (x0, y0) == (x1, y1):
            continue
        # An arrow from the first third to the middle of the branch, in the air's direction.
        arrows.append({"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "ax": x0 + (x1 - x0) / 3,
                       "ay": y0 + (y1 - y0) / 3, "xref": "x", "yref": "y", "axref": "x",
                       "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1,
                       "arrowwidth": 1.2, "arrowcolor": "#555", "text": ""})
    return {"data": data, "layout": base_layout(
        title, height=560, annotations=arrows,
        xaxis=axis(_("Junctions at the same elevation, in the document's order"),
                   showticklabels=False, zeroline=False),
        yaxis=axis(_("Elevation z (m)")))}


def network_3d(nodes: Sequence[Mapping[str, Any]], branches: Sequence[Mapping[str, Any]],
               title: str, names: Names | None = None) -> Figure | None:
    """The network in 3D at its junctions' coordinates (m), or None when any lacks them.

    Parameters
    ----------
    nodes : sequence of mappings
        ``name`` and ``x3``, ``y3``, ``z`` (m), None when not given.
    branches : sequence of mappings
        As :func:`network_schematic` takes them.
    title : str
        The chart's title.
    names : Names, optional
        The branches' names (their ids where none is given).
    """
    if not nodes or any(n.get("x3") is None for n in nodes):
        return None
    place = {n["name"]: (float(n["x3"]), float(n["y3"]), float(n["z"])) for n in nodes}
    bounds = _classes(branches)
    names = names or Names()
    data = _lines(branches, place, bounds, True, names) + _marks(branches, place, True, names)
    extent = {a: (min(p[k] for p in place.values()), max(p[k] for p in place.values()))
              for k, a in enumerate("xyz")}
    return {"data": data, "layout": base_layout(title, height=560,
                                                scene=whole_scene(extent, 0.05, NETWORK_EYE))}


def free_delivery(c0: float, c1: float, c2: float) -> float | None:
    """The flow (m³/s) at which the curve ``p = c0 + c1 Q + c2 Q²`` (Pa) falls to zero
    pressure, its free delivery: the least positive root, None when it has none."""
    if c2 == 0.0:
        return -c0 / c1 if c1 < 0.0 < c0 else None
    disc = c1 * c1 - 4.0 * c2 * c0
    if disc < 0.0:
        return None
    roots = [(-c1 + sign * math.sqrt(disc)) / (2.0 * c2) for sign in (-1.0, 1.0)]
    positive = [r for r in roots if r > 0.0]
    return min(positive) if positive else None


def _curve(curve: Mapping[str, Any], top: float) -> tuple[list[float], list[float]]:
    """Flows (m³/s) and pressures (Pa) along a fan's curve where it is a fan's: a table's
    points of pressure 0 or more, a polynomial from shut-off to its free delivery (or to
    ``top`` m³/s when it has none, cut where the pressure would fall below 0)."""
    if curve.get("table"):
        table = [(float(q), float(p)) for q, p in curve["table"]]
        kept = [(q, p) for q, p in table if p >= 0.0]
        return [q for q, _p in kept], [p for _q, p in kept]
    c0, c1, c2 = (float(c) for c in curve.get("coefficients", (0.0, 0.0, 0.0)))
    end = free_delivery(c0, c1, c2) or top
    qs = [end * k / (CURVE_POINTS - 1) for k in range(CURVE_POINTS)]
    # A curve without a free delivery may still dip below 0 before ``top`` (c0 < 0).
    points = [(q, c0 + c1 * q + c2 * q * q) for q in qs]
    kept = [(round(q, 3), round(max(p, 0.0), 1)) for q, p in points if p >= -1e-6]
    return [q for q, _p in kept], [p for _q, p in kept]


def fan_curves(fans: Mapping[str, Mapping[str, Any]], title: str,
               names: Names | None = None) -> Figure:
    """Each fan's pressure–quantity curve with its operating point: the curve from
    shut-off to its free delivery (a table's points of pressure 0 or more).

    Parameters
    ----------
    fans : mapping of str to mapping
        Per fan: ``flow_m3s`` (m³/s), ``pressure_pa`` (Pa) at the operating point,
        ``curve`` (``coefficients`` or ``table``) and ``warnings``.
    title : str
        The chart's title.
    names : Names, optional
        The fans' branches' names (their ids where none is given).
    """
    names = names or Names()
    data: list[dict[str, Any]] = []
    for k, (fan_id, fan) in enumerate(fans.items()):
        colour = colour_of(fan_id, k)
        name = names[fan_id]
        q, p = float(fan["flow_m3s"]), float(fan["pressure_pa"])
        qs, ps = _curve(fan["curve"], 1.5 * max(abs(q), 1.0))
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": qs, "y": ps,
                     "hovertext": names.with_id(fan_id), "line": {"color": colour}})
        data.append({"type": "scatter", "mode": "markers", "x": [q], "y": [p],
                     "name": _("%(fan)s operating point", fan=name), "showlegend": False,
                     "text": [names.with_id(fan_id) + ": "
                              + _("%(q)s m³/s at %(p)s Pa", q=f"{q:.1f}", p=f"{p:.0f}")
                              + (" ⚠ " + ", ".join(fan["warnings"]) if fan["warnings"]
                                 else "")],
                     "hoverinfo": "text", "marker": {"color": colour, "size": 11,
                                                     "symbol": "circle"}})
    return {"data": data, "layout": base_layout(
        title, height=360, xaxis=axis(_("Airflow Q (m³/s)"), rangemode="tozero"),
        yaxis=axis(_("Fan pressure (Pa)"), rangemode="tozero"))}


def climate_chart(climate: Mapping[str, Any], title: str, names: Names | None = None
                  ) -> Figure:
    """Dry and wet bulb along each main route against depth, with the limit.

    Parameters
    ----------
    climate : mapping
        The stored profile: ``limit_c`` (°C) and ``routes``, each ``name`` (and
        ``name_zh``, shown to a reader of Chinese) and ``stations`` (``depth_m`` m,
        ``dry_bulb_c``, ``wet_bulb_c``, ``adiabatic_dry_bulb_c``, ``vrt_c`` °C, ``branch``).
    title : str
        The chart's title.
    names : Names, optional
        The stations' branches' names (their ids where none is given).
    """
    names = names or Names()
    data: list[dict[str, Any]] = []
    depths: list[float] = []
    for k, route in enumerate(climate.get("routes", [])):
        stations = route["stations"]
        if not stations:
            continue
        name = shown_name(route) or str(k + 1)  # the reader's language, the other if none
        colour = colour_of(name, k)
        depth = [float(s["depth_m"]) for s in stations]
        depths += depth
        text = [names.with_id(s["branch"]) for s in stations]
        data += [
            {"type": "scatter", "mode": "lines+markers", "name": _(
                "%(route)s: dry bulb", route=name), "x": [s["dry_bulb_c"] for s in
                                                                    stations],
             "y": depth, "text": text, "line": {"color": colour}},
            {"type": "scatter", "mode": "lines", "name": _(
                "%(route)s: wet bulb", route=name), "x": [s["wet_bulb_c"] for s in
                                                                    stations],
             "y": depth, "text": text, "line": {"color": colour, "dash": "dot"}}]
        if k == 0:
            data += [
                {"type": "scatter", "mode": "lines", "name": _(
                    "autocompression alone (dry bulb)"), "x": [s["adiabatic_dry_bulb_c"]
                                                               for s in stations],
                 "y": depth, "line": {"color": GREY, "dash": "dash"}},
                {"type": "scatter", "mode": "lines", "name": _("virgin rock temperature"),
                 "x": [s["vrt_c"] for s in stations], "y": depth,
                 "line": {"color": "#9d755d", "dash": "dashdot"}}]
    limit = float(climate.get("limit_c", 28.0))
    span = [min(depths, default=0.0), max(depths, default=1.0)]
    data.append({"type": "scatter", "mode": "lines", "name": _(
        "GB 16423-2020 limit (%(limit)s °C dry bulb)", limit=f"{limit:g}"),
        "x": [limit, limit], "y": span, "line": {"color": REGULATOR_COLOUR, "width": 2}})
    return {"data": data, "layout": base_layout(
        title, height=480, xaxis=axis(_("Temperature (°C)")),
        yaxis=axis(_("Depth below the collar (m)"), autorange="reversed"))}
