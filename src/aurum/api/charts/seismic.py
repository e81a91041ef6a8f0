"""Charts of microseismic monitoring: events, magnitudes, b-value, energy and moment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    GREY,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    count_axis,
    legend_line,
    mine_scene,
    right_axis,
    utc_text,
)
from aurum.core.i18n import _


def seismic_events_3d(events: pd.DataFrame, stations: pd.DataFrame,
                      magnitude: str = "mw", max_points: int = 20_000) -> Figure:
    """Events in the mine grid (m), sized and coloured by magnitude; stations as diamonds;
    blasts in grey."""
    located = events.dropna(subset=["x", "y", "z"]).tail(max_points)
    m = located[magnitude].astype(float)
    size = (3 + 4 * (m - m.min()).fillna(0)).clip(3, 24).round(1) if len(m) else m
    quakes = located["event_type"] != "blast"
    data: list[dict[str, Any]] = []
    for mask, name, colour in ((quakes, _("events"), None), (~quakes, _("blasts"), GREY)):
        part = located[mask]
        marker: dict[str, Any] = {"size": size[mask].tolist(), "opacity": 0.7}
        if colour is None:
            marker |= {"color": part[magnitude].astype(float).round(2).tolist(),
                       "colorscale": "YlOrRd", "showscale": True,
                       "colorbar": {"title": {"text": magnitude.upper()}}}
        else:
            marker["color"] = colour
        data.append({"type": "scatter3d", "mode": "markers", "name": name,
                     "x": part["x"].round(1).tolist(), "y": part["y"].round(1).tolist(),
                     "z": part["z"].round(1).tolist(), "marker": marker,
                     "text": [f"{r} {magnitude.upper()} {v:.1f}" for r, v in
                              zip(part["resource_id"], part[magnitude].astype(float),
                                  strict=True)]})
    if len(stations):
        data.append({"type": "scatter3d", "mode": "markers+text", "name": _("stations"),
                     "x": stations["x"].tolist(), "y": stations["y"].tolist(),
                     "z": stations["z"].tolist(), "text": stations["station"].tolist(),
                     "marker": {"symbol": "diamond", "size": 5, "color": "#24292f"}})
    return {"data": data, "layout": base_layout(_("Events in the mine grid"), height=520,
                                                scene=mine_scene())}


def magnitude_time_chart(events: pd.DataFrame, magnitude: str = "mw") -> Figure:
    """Magnitude of every event against its origin time."""
    part = events.dropna(subset=[magnitude])
    return {"data": [{"type": "scattergl", "mode": "markers", "name": magnitude.upper(),
                      "x": utc_text(part["time"], seconds=True),
                      "y": part[magnitude].astype(float).round(2).tolist(),
                      "marker": {"size": 4, "color": GOLD, "opacity": 0.6}}],
            "layout": base_layout(_("Magnitude against time"),
                                  xaxis=axis(_("origin time (UTC)"), type="date"),
                                  yaxis=axis(_("magnitude (%(scale)s)",
                                               scale=magnitude.upper())))}


def b_value_time_chart(moving: pd.DataFrame, rate: bool = True) -> Figure:
    """Moving-window b-value with its Shi & Bolt band and the event rate (events/day)."""
    x = utc_text(moving["time"], seconds=True)
    b = moving["b"].astype(float)
    std = moving["b_std"].astype(float)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "b + σ", "x": x,
         "y": (b + std).round(3).tolist(), "line": {"width": 0}, "showlegend": False},
        {"type": "scatter", "mode": "lines", "name": _("b ± σ (Shi & Bolt)"), "x": x,
         "y": (b - std).round(3).tolist(), "fill": "tonexty", "line": {"width": 0},
         "fillcolor": "rgba(184,134,11,0.2)"},
        {"type": "scatter", "mode": "lines", "name": _("b-value"), "x": x,
         "y": b.round(3).tolist(), "line": {"color": GOLD}}]
    if rate:
        data.append({"type": "scatter", "mode": "lines", "name": _("rate (events/day)"), "x": x,
                     "y": moving["rate_per_day"].astype(float).round(2).tolist(),
                     "yaxis": "y2", "line": {"color": GREY, "dash": "dot"}})
    return {"data": data, "layout": base_layout(
        _("b-value against time (moving window)"),
        xaxis=axis(_("time (UTC)"), type="date"), yaxis=axis(_("b-value (dimensionless)")),
        yaxis2=right_axis(_("event rate (events/day)")))}


def energy_moment_chart(events: pd.DataFrame, stresses_pa: Iterable[float] = (1e4, 1e5, 1e6,
                                                                               1e7),
                        rigidity_pa: float = 3.3e10) -> Figure:
    """Radiated energy (J) against seismic moment (N·m), log–log, with the lines of constant
    apparent stress E = σa M0 / μ."""
    part = events[(events["energy"] > 0) & (events["moment"] > 0)]
    data: list[dict[str, Any]] = [{
        "type": "scattergl", "mode": "markers", "name": _("events"),
        "x": part["moment"].astype(float).tolist(), "y": part["energy"].astype(float).tolist(),
        "marker": {"size": 4, "color": GOLD, "opacity": 0.6}}]
    if len(part):
        m0 = np.array([part["moment"].min(), part["moment"].max()], float)
        for sigma in stresses_pa:
            data.append({"type": "scatter", "mode": "lines", "name": f"σa {sigma:.0e} Pa",
                         "x": m0.tolist(), "y": (sigma * m0 / rigidity_pa).tolist(),
                         "line": {"color": GREY, "dash": "dash", "width": 1}})
    return {"data": data, "layout": base_layout(
        _("Energy against moment"),
        xaxis=axis(_("moment (N·m)"), type="log"), yaxis=axis(_("energy (J)"), type="log"))}


def frequency_magnitude_chart(magnitudes: np.ndarray, delta_m: float,
                              fit: dict[str, float | int] | None, label: str = "Mw"
                              ) -> Figure:
    """Cumulative and incremental counts per magnitude bin (log scale) with the fitted
    Gutenberg–Richter line log10 N = a − b M above Mc and Mc marked."""
    m = np.round(np.round(np.asarray(magnitudes, float) / delta_m) * delta_m, 10)
    bins, counts = np.unique(m, return_counts=True)
    cumulative = counts[::-1].cumsum()[::-1]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": "N(≥ M)", "x": bins.tolist(),
         "y": cumulative.tolist(), "marker": {"color": GOLD}},
        {"type": "scatter", "mode": "markers", "name": _("per bin"), "x": bins.tolist(),
         "y": counts.tolist(), "marker": {"color": GREY, "symbol": "triangle-up"}}]
    shapes = []
    if fit is not None and bins.size:
        mm = np.array([fit["mc"], bins.max()], float)
        data.append({"type": "scatter", "mode": "lines",
                     "name": f"b {fit['b']:.2f} ± {fit['b_std']:.2f}, a {fit['a']:.2f}",
                     "x": mm.tolist(), "y": (10 ** (fit["a"] - fit["b"] * mm)).tolist(),
                     "line": {"color": STATUS_COLOURS["off_track"]}})
        shapes.append({"type": "line", "x0": fit["mc"], "x1": fit["mc"], "yref": "paper",
                       "y0": 0, "y1": 1, "line": {"color": GREY, "dash": "dot"}})
        data.append(legend_line(f"Mc {fit['mc']:g}", {"color": GREY, "dash": "dot"}))
    return {"data": data, "layout": base_layout(
        _("Frequency–magnitude"), shapes=shapes,
        xaxis=axis(_("magnitude (%(scale)s)", scale=label)),
        yaxis=count_axis(_("events"), type="log"))}
