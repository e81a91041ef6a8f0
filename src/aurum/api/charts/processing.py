"""Charts of the processing plants: solid-waste utilisation, metal accounts and circuits."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    GREY,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    colour_of,
    target_line,
)
from aurum.api.labels import column, label
from aurum.core.i18n import _

WASTE_ROUTE_COLOURS = {"backfill": "#4c78a8", "building_materials": "#54a24b",
                       "metal_recovery": GOLD, "other": "#9d755d"}
"""Colour of each utilisation route of solid waste (the report's route keys)."""


def utilisation_rate_chart(frame: pd.DataFrame, x: str, target_pct: float,
                           title: str) -> Figure:
    """Solid-waste utilisation rates (fractions in ``utilisation_rate``, the plan's
    utilised / generated, and ``comprehensive_utilisation_rate``) per ``x`` in %, with the
    plan's target as a dashed line."""
    labels = frame[x].astype(str).tolist()
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": name, "x": labels,
         "y": (frame[col].astype(float) * 100).round(3).tolist(),
         "line": {"color": colour, "dash": dash}}
        for col, name, colour, dash in (
            ("utilisation_rate", _("utilised / generated (plan)"),
             colour_of("solid_waste_utilisation_pct"), "solid"),
            ("comprehensive_utilisation_rate", _("comprehensive utilisation rate"), "#4c78a8",
             "dot"))]
    target = _("target %(pct)s", pct=format(target_pct, "g") + " %")
    data.append(target_line(labels, target_pct, target))
    return {"data": data, "layout": base_layout(title, xaxis=axis(column(x), type="category"),
                                                yaxis=axis(_("utilisation rate (%)"),
                                                           rangemode="tozero"))}


def waste_routes_chart(frame: pd.DataFrame, x: str, title: str,
                       generated: bool = True) -> Figure:
    """Utilised solid waste per ``x`` stacked by route (``utilised_<route>_t``, t), with the
    tonnes generated as a line when ``generated``."""
    labels = frame[x].astype(str).tolist()
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": label(route), "x": labels,
         "y": frame[f"utilised_{route}_t"].astype(float).round(1).tolist(),
         "marker": {"color": colour}}
        for route, colour in WASTE_ROUTE_COLOURS.items()]
    if generated:
        data.append({"type": "scatter", "mode": "lines+markers", "name": _("generated"),
                     "x": labels, "y": frame["generated_t"].astype(float).round(1).tolist(),
                     "line": {"color": "#24292f"}})
    return {"data": data, "layout": base_layout(title, barmode="stack",
                                                xaxis=axis(column(x), type="category"),
                                                yaxis=axis(_("solid waste (t)")))}


def recovery_chart(accounts: pd.DataFrame, k: float = 2.0) -> Figure:
    """Monthly gold recovery (``period``, ``recovery`` and ``recovery_sd`` as fractions) in
    %, with a band of ± ``k`` standard deviations."""
    x = accounts["period"].astype(str).tolist()
    pct = accounts["recovery"].astype(float) * 100
    sd = accounts["recovery_sd"].astype(float) * 100
    band = {"type": "scatter", "mode": "lines", "x": x, "line": {"width": 0},
            "hoverinfo": "skip", "showlegend": False}
    return {"data": [
        band | {"y": (pct - k * sd).round(4).tolist()},
        band | {"y": (pct + k * sd).round(4).tolist(), "fill": "tonexty",
                "fillcolor": "rgba(184,134,11,0.2)", "name": _("± %(k)s sd", k=format(k, "g")),
                "showlegend": True},
        {"type": "scatter", "mode": "lines+markers", "name": _("recovery"), "x": x,
         "y": pct.round(4).tolist(), "line": {"color": GOLD}}],
        "layout": base_layout(_("Recovery of the monthly metal accounts"),
                              xaxis=axis(_("month"), type="category"),
                              yaxis=axis(_("recovery (%)")))}


def unaccounted_chart(accounts: pd.DataFrame) -> Figure:
    """Unaccounted gold per month (``unaccounted_g``, g) with the bars of its interval
    (``ci_low_g`` to ``ci_high_g``); a month whose interval excludes 0 in red."""
    value = accounts["unaccounted_g"].astype(float)
    low, high = accounts["ci_low_g"].astype(float), accounts["ci_high_g"].astype(float)
    significant = (low > 0) | (high < 0)
    return {"data": [{
        "type": "scatter", "mode": "markers", "name": _("unaccounted gold"),
        "x": accounts["period"].astype(str).tolist(), "y": value.round(3).tolist(),
        "error_y": {"type": "data", "symmetric": False, "array": (high - value).round(3)
                    .tolist(), "arrayminus": (value - low).round(3).tolist(),
                    "color": GREY},
        "marker": {"size": 8, "color": [STATUS_COLOURS["off_track"] if s else GOLD
                                        for s in significant]}}],
        "layout": base_layout(_("Unaccounted gold with its %(level)s interval", level="95 %"),
                              xaxis=axis(_("month"), type="category"),
                              yaxis=axis(_("unaccounted gold (g)"), zeroline=True,
                                         zerolinecolor="#24292f"))}


def sig_text(value: float | None) -> str:
    """A measured value as text: whole units from 1,000 up, else four significant
    digits; a dash for a missing value."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def pm_text(value: float | None, sd: float | None) -> str:
    """A value with its standard deviation as text (``2,000 ± 30``)."""
    return f"{sig_text(value)} ± {sig_text(sd)}"


def _measured_adjusted(what: str, measured: str, adjusted: str | None) -> str:
    """A line of a stream's hover: a quantity measured, and adjusted when reconciled."""
    if adjusted is None:
        return _("%(what)s: measured %(measured)s", what=what, measured=measured)
    return _("%(what)s: measured %(measured)s; adjusted %(adjusted)s", what=what,
             measured=measured, adjusted=adjusted)


def circuit_sankey(definition: dict[str, Any], reconciliation: dict[str, Any] | None,
                   title: str) -> Figure:
    """A plant circuit as a Sankey diagram: one link per stream, as wide as its reconciled
    mass (t or t/d, as the survey gives it), streams with a gross error in red; the hover
    shows measured and adjusted mass and assays (g/t) with their standard deviations.

    Parameters
    ----------
    definition : dict
        ``nodes``, ``streams``, ``measurements`` (``aurum processing reconcile`` form).
    reconciliation : dict or None
        The stored reconciliation (``summary`` as :meth:`Reconciliation.as_dict`); None for
        a circuit saved without a survey (every link then drawn the same width).
    title : str
        Chart title.
    """
    names = [n["name"] for n in definition["nodes"]]
    index = {n: i for i, n in enumerate(names)}
    boundary = {"feed", "product", "tailings", "other"}
    summary = (reconciliation or {}).get("summary") or {}
    adjusted = summary.get("streams") or {}
    flagged = set(summary.get("gross_errors") or [])
    gross, none = _("gross error"), "–"
    measured = definition.get("measurements") or {}
    values, colours, hover = [], [], []
    for stream in definition["streams"]:
        name = stream["name"]
        est = adjusted.get(name)
        meas = measured.get(name) or {}
        mass = meas.get("mass")
        lines = [f"<b>{name}</b> {stream['from']} → {stream['to']}"
                 + (f" · <b>{gross}</b>" if name in flagged else ""),
                 _measured_adjusted(label("mass"), pm_text(*mass) if mass else none,
                                    pm_text(est["mass"], est["mass_sd"]) if est else None)]
        assays = meas.get("assays") or {}
        for comp in sorted(set(assays) | set((est or {}).get("assays") or {})):
            m = assays.get(comp)
            lines.append(_measured_adjusted(
                _("%(component)s (g/t)", component=comp), pm_text(*m) if m else none,
                pm_text(est["assays"][comp], est["assays_sd"][comp]) if est else None))
        values.append(round(float(est["mass"]), 4) if est else 1.0)
        colours.append("rgba(207,34,46,0.75)" if name in flagged else "rgba(110,119,129,0.35)")
        hover.append("<br>".join(lines))
    kinds = [n.get("kind", "other") for n in definition["nodes"]]
    return {"data": [{
        "type": "sankey", "arrangement": "snap", "valueformat": ",.4g",
        "node": {"label": names, "pad": 14, "thickness": 14,
                 "color": [GREY if k in boundary else GOLD for k in kinds]},
        "link": {"source": [index[s["from"]] for s in definition["streams"]],
                 "target": [index[s["to"]] for s in definition["streams"]],
                 "value": values, "color": colours, "customdata": hover,
                 "label": [s["name"] for s in definition["streams"]],
                 "hovertemplate": "%{customdata}<extra></extra>"}}],
        "layout": base_layout(title, height=520)}
