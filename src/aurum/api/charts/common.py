"""What every chart shares: the figure type, the colours and the layout, and the generic
bar, line and stacked-bar charts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from aurum.core.i18n import _

Figure = dict[str, Any]
GOLD = "#b8860b"
GREY = "#888"
STATUS_COLOURS = {"on_track": "#1a7f37", "at_risk": "#bf8700", "off_track": "#cf222e",
                  "no_data": "#6e7781"}
SERIES_COLOURS = [GOLD, "#4c78a8", "#54a24b", "#e45756", "#72b7b2", "#9d755d", "#b279a2",
                  "#ff9da6", "#bab0ac"]
"""Colours of the series of one chart, in order (gold first, then the Tableau colours)."""


FONT_FAMILY = ('system-ui, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
               '"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans", sans-serif')
"""The charts' font stack, the stylesheet's: Chinese glyphs from the first CJK font found."""


def base_layout(title: str, **extra: Any) -> dict[str, Any]:
    """The layout every chart starts from: a small title, narrow margins, 300 px high and a
    horizontal legend below the plot, in the CJK font stack; ``extra`` adds or replaces
    layout keys (axes, height, shapes)."""
    return {"title": {"text": title, "font": {"size": 14}}, "font": {"family": FONT_FAMILY},
            "margin": {"l": 50, "r": 20,
            "t": 40, "b": 40}, "height": 300, "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "#fafafa", "legend": {"orientation": "h", "y": -0.2}, **extra}


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
         colour: str = GOLD, reference: float | None = None) -> Figure:
    """A bar chart, optionally with a horizontal reference line (a target or floor)."""
    shapes = [] if reference is None else [horizontal_line(
        reference, {"color": STATUS_COLOURS["on_track"], "dash": "dash"})]
    return {"data": [{"type": "bar", "x": list(labels), "y": list(values),
                      "marker": {"color": colour}}],
            "layout": base_layout(title, yaxis={"title": {"text": unit}}, shapes=shapes)}


def time_series(frame: pd.DataFrame, x: str, series: dict[str, str], title: str,
                unit: str, stacked: bool = False) -> Figure:
    """Lines (or stacked bars) of several columns over reporting periods."""
    palette = SERIES_COLOURS[:6]
    data = []
    for i, (column, name) in enumerate(series.items()):
        trace: dict[str, Any] = {"x": frame[x].astype(str).tolist(), "name": name,
                                 "y": frame[column].astype(float).tolist(),
                                 "marker": {"color": palette[i % len(palette)]}}
        trace.update({"type": "bar"} if stacked else {"type": "scatter",
                                                       "mode": "lines+markers"})
        data.append(trace)
    layout = base_layout(title, yaxis={"title": {"text": unit}})
    if stacked:
        layout["barmode"] = "stack"
    return {"data": data, "layout": layout}


def stacked_totals(frame: pd.DataFrame, x: str, colour: str, title: str, unit: str,
                   value: str | None = None) -> Figure:
    """Stacked bars of ``value`` summed (or rows counted, when None) per ``x`` and ``colour``
    (e.g. reports per month and kind, recycled gold per month and province)."""
    if frame.empty:
        return {"data": [], "layout": base_layout(_("%(title)s (none yet)", title=title))}
    values = frame[value].astype(float) if value else pd.Series(1.0, index=frame.index)
    table = (frame.assign(_v=values).pivot_table(index=x, columns=colour, values="_v",
                                                 aggfunc="sum", fill_value=0.0)
             .sort_index())
    palette = SERIES_COLOURS
    data = [{"type": "bar", "name": str(name), "x": [str(i) for i in table.index],
             "y": table[name].round(3).tolist(),
             "marker": {"color": palette[i % len(palette)]}}
            for i, name in enumerate(table.columns)]
    return {"data": data, "layout": base_layout(title, barmode="stack", xaxis={"type": "category"},
                                                yaxis={"title": {"text": unit}})}
