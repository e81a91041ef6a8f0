"""What every chart shares: the figure type, the colours and the layout, and the generic
bar, line and stacked-bar charts.

The colours are declared here once: an indicator, a status, an alarm level, a job state or a
GB/T 17766-2020 category has one colour on every page (:data:`PALETTE`, :func:`colour_of`,
:data:`CATEGORY_COLOURS`). Every figure starts from
:func:`base_layout`, whose axes grow their margins to fit their labels and whose legend sits
below the plot, outside it; an axis of counts is :func:`count_axis` (whole-number ticks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from aurum.api.labels import column
from aurum.core.i18n import _

Figure = dict[str, Any]
GOLD = "#b8860b"
GREY = "#888"
STATUS_COLOURS = {"on_track": "#1a7f37", "at_risk": "#bf8700", "off_track": "#cf222e",
                  "no_data": "#6e7781"}
"""Colour of each status of a target (and of what reads the same: balanced, exception)."""
INDICATOR_COLOURS = {"gold_resources_growth_pct": "#9d755d", "gold_output_growth_pct": GOLD,
                     "silver_output_growth_pct": "#5b7083",
                     "large_mine_output_share_pct": "#4c78a8",
                     "solid_waste_utilisation_pct": "#54a24b"}
"""Colour of each of the plan's five indicators (:data:`aurum.industry.kpi.INDICATOR_IDS`)."""
QUANTITY_COLOURS = {"gold_output_t": GOLD, "gold_kg": GOLD, "resources_t": "#9d755d",
                    "silver_output_t": "#5b7083", "large_mine_output_t": "#4c78a8",
                    "utilised_t": "#54a24b"}
"""Colour of the quantities an indicator is made of: its indicator's."""
ALARM_COLOURS = {"none": "#8c959f", "blue": "#1f6feb", "yellow": "#d4a72c",
                 "orange": "#f0883e", "red": "#cf222e"}
"""Colour of each warning level (the national four-colour scale)."""
JOB_STATE_COLOURS = {"done": GOLD, "failed": "#cf222e", "cancelled": GREY,
                     "running": "#4c78a8", "queued": "#bab0ac"}
"""Colour of each state of a background job."""
REPORT_STATE_COLOURS = {"draft": "#bab0ac", "submitted": "#4c78a8", "accepted": "#1a7f37",
                        "returned": "#cf222e", "amended": "#bf8700",
                        "balanced": STATUS_COLOURS["on_track"],
                        "exception": STATUS_COLOURS["off_track"]}
"""Colour of each state of a report or a check."""
CATEGORY_COLOURS = {"measured": "#8c510a", "indicated": "#bf812d", "inferred": "#dfc27d",
                    "proved": "#01665e", "probable": "#35978f"}
"""Colour of each GB/T 17766-2020 category (:data:`aurum.resources.gbt17766.CATEGORIES`) in
every chart that colours by category, the darker the more certain (the custom of the survey's
projections: 探明 dark, 控制 lighter, 推断 lightest); reserves in another hue, since they are
never stacked onto resources. The resources indicator's quantity of a category
(``resources_<code>_t``) takes its category's colour."""
PALETTE: dict[str, str] = {**JOB_STATE_COLOURS, **REPORT_STATE_COLOURS, **ALARM_COLOURS,
                           **STATUS_COLOURS, **QUANTITY_COLOURS, **INDICATOR_COLOURS,
                           **CATEGORY_COLOURS,
                           **{f"resources_{code}_t": colour
                              for code, colour in CATEGORY_COLOURS.items()}}
"""Every key with a colour of its own, whatever the page: see :func:`colour_of`."""
SERIES_COLOURS = [GOLD, "#4c78a8", "#54a24b", "#e45756", "#72b7b2", "#9d755d", "#b279a2",
                  "#ff9da6", "#bab0ac"]
"""Colours of the series of one chart, in order (gold first, then the Tableau colours)."""


FONT_FAMILY = ('system-ui, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
               '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans", sans-serif')
"""The charts' font stack, the stylesheet's: Chinese glyphs from the first CJK font found."""


def colour_of(key: object, order: int = 0) -> str:
    """The colour of ``key`` (an indicator, a quantity, a status, a level, a state) on every
    page; a key without one takes the ``order``-th of :data:`SERIES_COLOURS`."""
    return PALETTE.get(str(key), SERIES_COLOURS[order % len(SERIES_COLOURS)])


LEGEND = {"orientation": "h", "xref": "paper", "x": 0, "xanchor": "left",
          "yref": "container", "y": 0, "yanchor": "bottom"}
"""A horizontal legend at the foot of the figure: placed on the container, it reserves its
own margin below the axes, so it never covers the plot, the tick labels or an axis title."""
AXES = ("xaxis", "yaxis", "yaxis2")


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
    """The layout every chart starts from: a small title, narrow margins that the axes widen
    to fit their labels (``automargin``), 300 px high, the legend below the plot
    (:data:`LEGEND`), in the CJK font stack; ``extra`` adds or replaces layout keys (axes,
    height, shapes), an axis's keys added to the defaults."""
    axes = {axis: {"automargin": True, **extra.pop(axis, {})} for axis in AXES
            if axis in extra or axis != "yaxis2"}
    return {"title": {"text": title, "font": {"size": 14}}, "font": {"family": FONT_FAMILY},
            "margin": {"l": 50, "r": 20, "t": 40, "b": 30}, "height": 300,
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#fafafa", "legend": LEGEND,
            **axes, **extra}


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis titled with what it shows and its unit."""
    return {"title": {"text": title}, **extra}


def count_axis(title: str, values: Iterable[float] = (), **extra: Any) -> dict[str, Any]:
    """An axis of counts (hazards, events, blocks): whole-number ticks from zero, one tick
    per unit while the largest of ``values`` is at most 10 (Plotly would tick halves)."""
    top = max((float(v) for v in values if v is not None and v == v), default=0.0)
    ticks = {"dtick": 1} if top <= 10 else {}
    return {"title": {"text": title}, "tickformat": ",d", "rangemode": "tozero", **ticks,
            **extra}


def mine_scene() -> dict[str, Any]:
    """The ``scene`` of a 3D view in a mine's grid: true proportions, axes in metres."""
    return {"aspectmode": "data", "xaxis": axis(_("x (m)")), "yaxis": axis(_("y (m)")),
            "zaxis": axis(_("z (m)"))}


def right_axis(title: str, **extra: Any) -> dict[str, Any]:
    """A second y axis on the right, over the first (``yaxis2``), titled with its unit."""
    return {"title": {"text": title}, "overlaying": "y", "side": "right", **extra}


def china_axes() -> dict[str, Any]:
    """The longitude and latitude axes (degrees) of a map of China, one degree as long on
    both, as ``xaxis`` and ``yaxis`` layout keys."""
    return {"xaxis": {"title": {"text": _("longitude (°E)")}, "range": [73, 136]},
            "yaxis": {"title": {"text": _("latitude (°N)")}, "range": [17, 54],
                      "scaleanchor": "x"}}


def horizontal_line(y: float, line: dict[str, Any]) -> dict[str, Any]:
    """A layout shape across the whole plot at ``y`` (a target, floor or alarm level)."""
    return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def target_line(x: list[Any], target: float, name: str) -> dict[str, Any]:
    """A trace at the ``target`` over every ``x``, dashed in the on-track colour."""
    return {"type": "scatter", "mode": "lines", "name": name, "x": x, "y": [target] * len(x),
            "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}}


def legend_line(name: str, line: dict[str, Any]) -> dict[str, Any]:
    """A trace with no points: the legend entry of a line drawn as a layout shape."""
    return {"type": "scatter", "mode": "lines", "name": name, "x": [None], "y": [None],
            "line": line}


def utc_text(times: pd.Series, seconds: bool = False) -> list[str]:
    """Times as UTC text to the minute (or to the second), as the chart's x values."""
    return pd.to_datetime(times, utc=True).dt.strftime(
        "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M").tolist()


def bars(labels: Iterable[str], values: Iterable[float], title: str, unit: str,
         colour: str = GOLD, reference: float | None = None, x_title: str = "",
         key: str | None = None, count: bool = False) -> Figure:
    """A bar chart, optionally with a horizontal reference line (a target or floor).

    ``unit`` titles the y axis (what and its unit), ``x_title`` the x axis; the bars take the
    colour of ``key`` (an indicator, a quantity) when it has one (:func:`colour_of`), else
    ``colour``; ``count`` makes the y axis one of counts (:func:`count_axis`).
    """
    values = list(values)
    shapes = [] if reference is None else [horizontal_line(
        reference, {"color": STATUS_COLOURS["on_track"], "dash": "dash"})]
    return {"data": [{"type": "bar", "x": list(labels), "y": values,
                      "marker": {"color": PALETTE.get(str(key), colour)}}],
            "layout": base_layout(title, yaxis=count_axis(unit, values) if count else axis(unit),
                                  xaxis=axis(x_title), shapes=shapes)}


def time_series(frame: pd.DataFrame, x: str, series: dict[str, str], title: str,
                unit: str, stacked: bool = False) -> Figure:
    """Lines (or stacked bars) of several columns over reporting periods (the x axis titled
    by the column ``x``'s header), each column in its colour (:func:`colour_of`)."""
    data = []
    for i, (column_key, name) in enumerate(series.items()):
        trace: dict[str, Any] = {"x": frame[x].astype(str).tolist(), "name": name,
                                 "y": frame[column_key].astype(float).tolist(),
                                 "marker": {"color": colour_of(column_key, i)}}
        trace.update({"type": "bar"} if stacked else {"type": "scatter",
                                                       "mode": "lines+markers"})
        data.append(trace)
    layout = base_layout(title, xaxis=axis(column(x)), yaxis=axis(unit))
    if stacked:
        layout["barmode"] = "stack"
    return {"data": data, "layout": layout}


def stacked_totals(frame: pd.DataFrame, x: str, colour: str, title: str, unit: str,
                   value: str | None = None, names: Callable[[Any], str] = str) -> Figure:
    """Stacked bars of ``value`` summed (or rows counted, when None: an axis of counts) per
    ``x`` and ``colour`` (e.g. reports per month and kind, recycled gold per month and
    province); a stack is named ``names(key)`` and coloured by its key (:func:`colour_of`)."""
    xaxis = axis(column(x), type="category")
    if frame.empty:
        return {"data": [], "layout": base_layout(_("%(title)s (none yet)", title=title),
                                                  xaxis=xaxis, yaxis=axis(unit))}
    values = frame[value].astype(float) if value else pd.Series(1.0, index=frame.index)
    table = (frame.assign(_v=values).pivot_table(index=x, columns=colour, values="_v",
                                                 aggfunc="sum", fill_value=0.0)
             .sort_index())
    data = [{"type": "bar", "name": names(key), "x": [str(i) for i in table.index],
             "y": table[key].round(3).tolist(), "marker": {"color": colour_of(key, i)}}
            for i, key in enumerate(table.columns)]
    yaxis = axis(unit) if value else count_axis(unit, table.sum(axis=1))
    return {"data": data, "layout": base_layout(title, barmode="stack", xaxis=xaxis,
                                                yaxis=yaxis)}
