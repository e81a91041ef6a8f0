"""Proficiency testing drawn (issue 22): an open round's results received so far as dots
with the reference material's certified value and band, a closed round's z-scores as bars
with the warning (±2) and action (±3) lines, a laboratory's z-scores across rounds with the
same lines, and the flags of every closed round as stacked bars.

Each flag has one colour on every page: satisfactory the on-track green, questionable the
at-risk amber, unsatisfactory the off-track red (:data:`FLAG_COLOURS`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aurum.api.charts.common import (
    GOLD,
    SERIES_COLOURS,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    count_axis,
    horizontal_line,
    legend_line,
)
from aurum.api.labels import label
from aurum.core.i18n import _

FLAG_COLOURS = {"satisfactory": STATUS_COLOURS["on_track"],
                "questionable": STATUS_COLOURS["at_risk"],
                "unsatisfactory": STATUS_COLOURS["off_track"]}
WARNING_LINE = {"color": STATUS_COLOURS["at_risk"], "dash": "dash", "width": 1}
ACTION_LINE = {"color": STATUS_COLOURS["off_track"], "dash": "dot", "width": 1}
"""The ±2 (warning) and ±3 (action) lines of a z chart."""
CERTIFIED_LINE = {"color": GOLD, "width": 2}
CERTIFIED_BAND = "rgba(184, 134, 11, 0.15)"
"""The certified value's line and its ± U band (gold, translucent)."""


def _limit_lines() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The shapes at ±2 and ±3 and their legend entries."""
    shapes = [horizontal_line(y, WARNING_LINE) for y in (-2.0, 2.0)] + [
        horizontal_line(y, ACTION_LINE) for y in (-3.0, 3.0)]
    return shapes, [legend_line(_("|z| = 2 (warning)"), WARNING_LINE),
                    legend_line(_("|z| = 3 (action)"), ACTION_LINE)]


def _z_range(values: Sequence[float]) -> list[float]:
    """An axis range that always shows the ±3 lines."""
    top = max([3.5, *(abs(v) + 0.5 for v in values)])
    return [-top, top]


def z_chart(scores: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """A round's z-scores, one bar per laboratory from lowest to highest.

    Parameters
    ----------
    scores : sequence of mappings
        ``name`` (as the reader may see it), ``z`` and ``flag`` per laboratory; ``own``
        marks the reader's laboratory (outlined).
    title : str
        The chart's title.
    """
    ordered = sorted(scores, key=lambda s: s["z"])
    shapes, legend = _limit_lines()
    data: list[dict[str, Any]] = []
    for flag, colour in FLAG_COLOURS.items():
        chosen = [s for s in ordered if s["flag"] == flag]
        if not chosen:
            continue
        data.append({"type": "bar", "name": label(flag), "x": [s["name"] for s in chosen],
                     "y": [s["z"] for s in chosen],
                     "marker": {"color": colour, "line": {
                         "color": "#000", "width": [3 if s.get("own") else 0
                                                    for s in chosen]}},
                     "hovertemplate": "%{x}: z = %{y:.2f}<extra></extra>"})
    return {"data": data + legend, "layout": base_layout(
        title, shapes=shapes, barmode="overlay",
        xaxis=axis(_("laboratory"), categoryorder="array",
                   categoryarray=[s["name"] for s in ordered]),
        yaxis=axis(_("z-score"), range=_z_range([s["z"] for s in ordered])))}


def received_chart(received: Sequence[Mapping[str, Any]], unit: str, title: str,
                   certified: tuple[float, float, float] | None = None) -> Figure:
    """An open round's results received so far, one dot per laboratory (no scores: they are
    computed when the round closes).

    Parameters
    ----------
    received : sequence of mappings
        ``name`` (as the reader may see it: a participant code ``P01``… or a name),
        ``value`` (in ``unit``) and ``own`` (the reader's laboratory, outlined) per
        laboratory, in the order they first submitted.
    unit : str
        The round's unit (``g/t``…).
    title : str
        The chart's title.
    certified : (float, float, float), optional
        The reference material's certified value, its expanded uncertainty U (both in
        ``unit``) and coverage factor k: drawn as a line in a band of ± U.
    """
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "markers", "name": _("result"),
        "x": [r["name"] for r in received], "y": [r["value"] for r in received],
        "marker": {"size": 11, "color": SERIES_COLOURS[1], "line": {
            "color": "#000", "width": [3 if r.get("own") else 0 for r in received]}},
        "hovertemplate": "%{x}: %{y:.3f}<extra></extra>"}]
    shapes: list[dict[str, Any]] = []
    shown = [float(r["value"]) for r in received]
    if certified is not None:
        value, expanded, k = certified
        shown += [value - expanded, value + expanded]
        shapes = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": value - expanded,
                   "y1": value + expanded, "fillcolor": CERTIFIED_BAND, "line": {"width": 0},
                   "layer": "below"}, horizontal_line(value, CERTIFIED_LINE)]
        data.append(legend_line(_("certified value ± U (k = %(k)s)", k=format(k, "g")),
                                CERTIFIED_LINE))
    # The band's edges stay inside the plot: autorange stops at them, and a laboratory that
    # sees only its own dot inside the band would see no edge at all.
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    pad = 0.15 * (high - low) or 0.05 * abs(high) or 1.0
    return {"data": data, "layout": base_layout(
        title, shapes=shapes, xaxis=axis(_("laboratory"), type="category"),
        yaxis=axis(_("result (%(unit)s)", unit=unit), range=[low - pad, high + pad]))}


def history_chart(history: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """A laboratory's z-scores across rounds (``round``, ``closes_on``, ``z``, ``flag``,
    oldest first), markers coloured by flag, with the ±2 and ±3 lines."""
    shapes, legend = _limit_lines()
    x = [f"{h['round']} ({h['closes_on']})" for h in history]
    data = [{"type": "scatter", "mode": "lines+markers", "name": _("z-score"), "x": x,
             "y": [h["z"] for h in history],
             "line": {"color": "#888"},
             "marker": {"size": 11, "color": [FLAG_COLOURS[h["flag"]] for h in history]},
             "hovertemplate": "%{x}: z = %{y:.2f}<extra></extra>"}]
    return {"data": data + legend, "layout": base_layout(
        title, shapes=shapes, xaxis=axis(_("round (closed on)"), type="category"),
        yaxis=axis(_("z-score"), range=_z_range([h["z"] for h in history])))}


def flags_chart(rounds: Sequence[Mapping[str, Any]], title: str) -> Figure:
    """The laboratories of each closed round by flag, stacked (``code`` and ``flags``: a
    count per flag)."""
    closed = [r for r in rounds if r.get("flags")]
    data = [{"type": "bar", "name": label(flag), "x": [r["code"] for r in closed],
             "y": [r["flags"][flag] for r in closed], "marker": {"color": colour}}
            for flag, colour in FLAG_COLOURS.items()]
    return {"data": data, "layout": base_layout(
        title, barmode="stack", xaxis=axis(_("round"), type="category"),
        yaxis=count_axis(_("laboratories"), [sum(r["flags"].values()) for r in closed]))}
