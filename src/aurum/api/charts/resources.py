"""Charts of a resource estimate: block-model views, grade-tonnage, variograms and checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aurum.api.charts.common import (
    CATEGORY_COLOURS,
    GOLD,
    GREY,
    SERIES_COLOURS,
    Figure,
    axis,
    base_layout,
    mine_scene,
    right_axis,
)
from aurum.api.labels import label
from aurum.core.i18n import _, lazy_gettext
from aurum.resources.gbt17766 import RESOURCE_CODES

DIRECTIONS = {"major": lazy_gettext("major axis"), "minor": lazy_gettext("minor axis"),
              "vertical": lazy_gettext("vertical axis")}
"""The model's axes a variogram is computed along, by the name the checks give them."""


def _slice(blocks: pd.DataFrame, fixed: str, at: float, across: str, title: str,
           value: str, unit: str, height: int) -> Figure:
    level = blocks[np.isclose(blocks[fixed], at)]
    table = level.pivot_table(index=across, columns="x", values=value, aggfunc="first")
    return {"data": [{"type": "heatmap", "x": table.columns.tolist(),
                      "y": table.index.tolist(), "z": table.to_numpy().tolist(),
                      "colorscale": "YlOrRd", "colorbar": {"title": {"text": unit}}}],
            "layout": base_layout(title, height=height, xaxis=axis(_("x (m)")),
                                  yaxis=axis(_("%(axis)s (m)", axis=across), scaleanchor="x"))}


def plan_view(blocks: pd.DataFrame, z: float, value: str = "estimate",
              unit: str | None = None) -> Figure:
    """A bench of the block model seen from above (one z level), coloured by ``value``."""
    return _slice(blocks, "z", z, "y", _("Plan view at z = %(z)s m", z=format(z, "g")), value,
                  unit or _("g/t"), 420)


def section_view(blocks: pd.DataFrame, y: float, value: str = "estimate",
                 unit: str | None = None) -> Figure:
    """A vertical east-west section of the block model at one northing."""
    return _slice(blocks, "y", y, "z", _("Section at y = %(y)s m", y=format(y, "g")), value,
                  unit or _("g/t"), 360)


def blocks_3d(blocks: pd.DataFrame, samples: pd.DataFrame | None, cutoff: float,
              max_points: int = 20_000) -> Figure:
    """Blocks above the cut-off and the composites, in 3D."""
    above = blocks[blocks["estimate"] >= cutoff]
    if len(above) > max_points:
        above = above.sample(max_points, random_state=0)
    data: list[dict[str, Any]] = [{
        "type": "scatter3d", "mode": "markers",
        "name": _("blocks at or above %(cutoff)s g/t", cutoff=format(cutoff, "g")),
        "x": above["x"].tolist(), "y": above["y"].tolist(), "z": above["z"].tolist(),
        "marker": {"size": 3, "color": above["estimate"].tolist(), "colorscale": "YlOrRd",
                   "opacity": 0.5, "colorbar": axis(_("g/t"))}}]
    if samples is not None and len(samples):
        pts = samples.sample(min(len(samples), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers", "name": _("composites"),
                     "x": pts["x"].tolist(), "y": pts["y"].tolist(), "z": pts["z"].tolist(),
                     "marker": {"size": 2, "color": "#222"}})
    return {"data": data, "layout": base_layout(_("Blocks and composites"), height=520,
                                                scene=mine_scene())}


def grade_tonnage_chart(table: pd.DataFrame) -> Figure:
    """Tonnes and mean grade above each cut-off."""
    return {"data": [
        {"type": "scatter", "mode": "lines", "name": _("tonnes (Mt)"),
         "x": table["cutoff_gpt"].tolist(), "y": table["tonnes_mt"].tolist(),
         "line": {"color": "#4c78a8"}},
        {"type": "scatter", "mode": "lines", "name": _("grade (g/t)"), "yaxis": "y2",
         "x": table["cutoff_gpt"].tolist(), "y": table["grade_gpt"].tolist(),
         "line": {"color": GOLD}}],
        "layout": base_layout(_("Grade-tonnage curve"),
                              xaxis=axis(_("cut-off grade (g/t)")),
                              yaxis=axis(_("tonnes above the cut-off (Mt)")),
                              yaxis2=right_axis(_("mean grade (g/t)")))}


def waterfall_chart(steps: list[tuple[str, float]], title: str) -> Figure:
    """Movements of contained gold between two statements."""
    labels = [label(k) for k, _t in steps]
    measure = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    return {"data": [{"type": "waterfall", "x": labels, "y": [v for _, v in steps],
                      "measure": measure, "connector": {"line": {"color": GREY}}}],
            "layout": base_layout(title, xaxis=axis(_("movement")),
                                  yaxis=axis(_("contained gold (t)")))}


def latest_by_category(sites: Sequence[str], gold_t: Mapping[str, Sequence[float]]) -> Figure:
    """Each site's contained gold (t) of its latest statement, stacked by GB/T 17766-2020
    resource category in the categories' colours.

    Parameters
    ----------
    sites : sequence of str
        The sites' codes, one bar each.
    gold_t : mapping
        Each resource category's code to the sites' contained gold, t (in ``sites``' order).
    """
    data = [{"type": "bar", "name": label(code), "x": list(sites), "y": list(values),
             "marker": {"color": CATEGORY_COLOURS[code]}} for code, values in gold_t.items()]
    return {"data": data, "layout": base_layout(
        _("Contained gold by class, latest statement"), barmode="stack", height=340,
        yaxis=axis(_("t")))}


def reserve_movements_chart(rows: Sequence[Mapping[str, Any]],
                            items: Sequence[tuple[str, str]], year: int) -> Figure:
    """The annual reserve report's contained gold (kg) by resource category, stacked per
    movement: opening, mined and lost (drawn below zero, as taken out), exploration,
    re-estimation and closing. Reserves are left out: they are never added to resources.

    Parameters
    ----------
    rows : sequence of mapping
        :func:`aurum.services.reserve_report.rows` (``code``, ``label``, ``<item>_metal_kg``).
    items : sequence of (str, str)
        The movements' codes and headings, in order.
    year : int
        The year reported.
    """
    taken = {"mined", "lost"}
    data = [{"type": "bar", "name": row["label"], "x": [heading for _i, heading in items],
             "y": [(-1.0 if item in taken else 1.0) * (row[f"{item}_metal_kg"] or 0.0)
                   for item, _h in items],
             "marker": {"color": CATEGORY_COLOURS[row["code"]]}}
            for row in rows if row["code"] in RESOURCE_CODES]
    return {"data": data, "layout": base_layout(
        _("Contained gold by GB/T 17766-2020 category, %(year)s", year=year),
        barmode="relative", xaxis=axis(_("movement")), yaxis=axis(_("contained gold (kg)")))}


def variogram_chart(experimental: list[tuple[str, np.ndarray, np.ndarray]],
                    model_curves: list[tuple[str, np.ndarray, np.ndarray]]) -> Figure:
    """Experimental semivariograms (points) and the fitted model (lines), per direction."""
    palette = SERIES_COLOURS[:3]
    data: list[dict[str, Any]] = []
    for i, (name, h, g) in enumerate(experimental):
        data.append({"type": "scatter", "mode": "markers",
                     "name": _("%(direction)s (data)", direction=DIRECTIONS.get(name, name)),
                     "x": h.tolist(), "y": g.tolist(),
                     "marker": {"color": palette[i % 3], "size": 7}})
    for i, (name, h, g) in enumerate(model_curves):
        data.append({"type": "scatter", "mode": "lines",
                     "name": _("%(direction)s (model)",
                                               direction=DIRECTIONS.get(name, name)),
                     "x": h.tolist(), "y": g.tolist(), "line": {"color": palette[i % 3]}})
    return {"data": data, "layout": base_layout(_("Variograms along the model's axes"),
                                                xaxis=axis(_("lag (m)")),
                                                yaxis=axis(_("semivariance γ ((g/t)²)")))}


def log_probability_chart(points: pd.DataFrame, unit: str) -> Figure:
    """Grades on a log axis against normal scores (a straight line is lognormal)."""
    pos = points[points["value"] > 0]
    return {"data": [{"type": "scattergl", "mode": "markers", "x": pos["normal_score"].tolist(),
                      "y": pos["value"].tolist(), "marker": {"size": 3, "color": GOLD}}],
            "layout": base_layout(_("Log-probability plot"),
                                  xaxis=axis(_("normal score (standard deviations)")),
                                  yaxis=axis(_("grade (%(unit)s)", unit=unit), type="log"))}


def drillholes_3d(samples: pd.DataFrame, max_points: int = 30_000) -> Figure:
    """Composite centres in 3D coloured by grade (log colour scale)."""
    pts = samples.sample(min(len(samples), max_points), random_state=0)
    colour = np.log10(pts["value"].clip(lower=1e-3))
    return {"data": [{"type": "scatter3d", "mode": "markers", "x": pts["x"].tolist(),
                      "y": pts["y"].tolist(), "z": pts["z"].tolist(),
                      "text": pts["hole"].astype(str).tolist(),
                      "marker": {"size": 2, "color": colour.tolist(), "colorscale": "YlOrRd",
                                 "colorbar": axis(_("log10 grade"))}}],
            "layout": base_layout(_("Drillhole composites"), height=560,
                                  scene=mine_scene())}


def swath_chart(tables: dict[str, pd.DataFrame]) -> Figure:
    """Block means against (declustered) composite means, slice by slice, per axis."""
    palette = dict(zip("xyz", SERIES_COLOURS, strict=False))
    data: list[dict[str, Any]] = []
    for along, t in tables.items():
        data.append({"type": "scatter", "mode": "lines",
                     "name": _("blocks along %(axis)s", axis=along),
                     "x": t["centre"].tolist(), "y": t["block_mean"].tolist(),
                     "line": {"color": palette[along]}})
        data.append({"type": "scatter", "mode": "markers",
                     "name": _("composites along %(axis)s", axis=along),
                     "x": t["centre"].tolist(), "y": t["sample_mean"].tolist(),
                     "marker": {"color": palette[along], "size": 6}})
    return {"data": data, "layout": base_layout(_("Swath plots"),
                                                xaxis=axis(_("slice centre (m)")),
                                                yaxis=axis(_("mean grade (g/t)")))}
