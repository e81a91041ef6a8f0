"""Charts of a resource estimate: block-model views, grade-tonnage, variograms and checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aurum.api.charts.common import GOLD, GREY, SERIES_COLOURS, Figure, base_layout, right_axis


def _slice(blocks: pd.DataFrame, fixed: str, at: float, across: str, title: str,
           value: str, unit: str, height: int) -> Figure:
    level = blocks[np.isclose(blocks[fixed], at)]
    table = level.pivot_table(index=across, columns="x", values=value, aggfunc="first")
    return {"data": [{"type": "heatmap", "x": table.columns.tolist(),
                      "y": table.index.tolist(), "z": table.to_numpy().tolist(),
                      "colorscale": "YlOrRd", "colorbar": {"title": {"text": unit}}}],
            "layout": base_layout(title, height=height, xaxis={"title": {"text": "x (m)"}},
                                  yaxis={"title": {"text": f"{across} (m)"}, "scaleanchor": "x"})}


def plan_view(blocks: pd.DataFrame, z: float, value: str = "estimate",
              unit: str = "g/t") -> Figure:
    """A bench of the block model seen from above (one z level), coloured by ``value``."""
    return _slice(blocks, "z", z, "y", f"Plan view at z = {z:g} m", value, unit, 420)


def section_view(blocks: pd.DataFrame, y: float, value: str = "estimate",
                 unit: str = "g/t") -> Figure:
    """A vertical east-west section of the block model at one northing."""
    return _slice(blocks, "y", y, "z", f"Section at y = {y:g} m", value, unit, 360)


def blocks_3d(blocks: pd.DataFrame, samples: pd.DataFrame | None, cutoff: float,
              max_points: int = 20_000) -> Figure:
    """Blocks above the cut-off and the composites, in 3D."""
    above = blocks[blocks["estimate"] >= cutoff]
    if len(above) > max_points:
        above = above.sample(max_points, random_state=0)
    data: list[dict[str, Any]] = [{
        "type": "scatter3d", "mode": "markers", "name": f"blocks >= {cutoff:g} g/t",
        "x": above["x"].tolist(), "y": above["y"].tolist(), "z": above["z"].tolist(),
        "marker": {"size": 3, "color": above["estimate"].tolist(), "colorscale": "YlOrRd",
                   "opacity": 0.5, "colorbar": {"title": {"text": "g/t"}}}}]
    if samples is not None and len(samples):
        pts = samples.sample(min(len(samples), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers", "name": "composites",
                     "x": pts["x"].tolist(), "y": pts["y"].tolist(), "z": pts["z"].tolist(),
                     "marker": {"size": 2, "color": "#222"}})
    return {"data": data, "layout": base_layout("Blocks and composites", height=520,
                                                scene={"aspectmode": "data"})}


def grade_tonnage_chart(table: pd.DataFrame) -> Figure:
    """Tonnes and mean grade above each cut-off."""
    return {"data": [
        {"type": "scatter", "mode": "lines", "name": "tonnes (Mt)",
         "x": table["cutoff_gpt"].tolist(), "y": table["tonnes_mt"].tolist(),
         "line": {"color": "#4c78a8"}},
        {"type": "scatter", "mode": "lines", "name": "grade (g/t)", "yaxis": "y2",
         "x": table["cutoff_gpt"].tolist(), "y": table["grade_gpt"].tolist(),
         "line": {"color": GOLD}}],
        "layout": base_layout("Grade-tonnage curve", xaxis={"title": {"text": "cut-off (g/t)"}},
                              yaxis={"title": {"text": "Mt"}},
                              yaxis2=right_axis("g/t"))}


def waterfall_chart(steps: list[tuple[str, float]], title: str) -> Figure:
    """Movements of contained gold between two statements."""
    labels = [k.replace("_", " ") for k, _ in steps]
    measure = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    return {"data": [{"type": "waterfall", "x": labels, "y": [v for _, v in steps],
                      "measure": measure, "connector": {"line": {"color": GREY}}}],
            "layout": base_layout(title, yaxis={"title": {"text": "t of gold"}})}


def variogram_chart(experimental: list[tuple[str, np.ndarray, np.ndarray]],
                    model_curves: list[tuple[str, np.ndarray, np.ndarray]]) -> Figure:
    """Experimental semivariograms (points) and the fitted model (lines), per direction."""
    palette = SERIES_COLOURS[:3]
    data: list[dict[str, Any]] = []
    for i, (name, h, g) in enumerate(experimental):
        data.append({"type": "scatter", "mode": "markers", "name": f"{name} (data)",
                     "x": h.tolist(), "y": g.tolist(),
                     "marker": {"color": palette[i % 3], "size": 7}})
    for i, (name, h, g) in enumerate(model_curves):
        data.append({"type": "scatter", "mode": "lines", "name": f"{name} (model)",
                     "x": h.tolist(), "y": g.tolist(), "line": {"color": palette[i % 3]}})
    return {"data": data, "layout": base_layout("Variograms along the model's axes",
                                                xaxis={"title": {"text": "lag (m)"}},
                                                yaxis={"title": {"text": "γ (g/t)²"}})}


def log_probability_chart(points: pd.DataFrame, unit: str) -> Figure:
    """Grades on a log axis against normal scores (a straight line is lognormal)."""
    pos = points[points["value"] > 0]
    return {"data": [{"type": "scattergl", "mode": "markers", "x": pos["normal_score"].tolist(),
                      "y": pos["value"].tolist(), "marker": {"size": 3, "color": GOLD}}],
            "layout": base_layout("Log-probability plot", xaxis={"title": {"text": "normal score"}},
                                  yaxis={"title": {"text": unit}, "type": "log"})}


def drillholes_3d(samples: pd.DataFrame, max_points: int = 30_000) -> Figure:
    """Composite centres in 3D coloured by grade (log colour scale)."""
    pts = samples.sample(min(len(samples), max_points), random_state=0)
    colour = np.log10(pts["value"].clip(lower=1e-3))
    return {"data": [{"type": "scatter3d", "mode": "markers", "x": pts["x"].tolist(),
                      "y": pts["y"].tolist(), "z": pts["z"].tolist(),
                      "text": pts["hole"].astype(str).tolist(),
                      "marker": {"size": 2, "color": colour.tolist(), "colorscale": "YlOrRd",
                                 "colorbar": {"title": {"text": "log10 grade"}}}}],
            "layout": base_layout("Drillhole composites", height=560, scene={"aspectmode": "data"})}


def swath_chart(tables: dict[str, pd.DataFrame]) -> Figure:
    """Block means against (declustered) composite means, slice by slice, per axis."""
    palette = dict(zip("xyz", SERIES_COLOURS, strict=False))
    data: list[dict[str, Any]] = []
    for axis, t in tables.items():
        data.append({"type": "scatter", "mode": "lines", "name": f"blocks along {axis}",
                     "x": t["centre"].tolist(), "y": t["block_mean"].tolist(),
                     "line": {"color": palette[axis]}})
        data.append({"type": "scatter", "mode": "markers", "name": f"composites along {axis}",
                     "x": t["centre"].tolist(), "y": t["sample_mean"].tolist(),
                     "marker": {"color": palette[axis], "size": 6}})
    return {"data": data, "layout": base_layout("Swath plots",
                                                xaxis={"title": {"text": "slice centre (m)"}},
                                                yaxis={"title": {"text": "mean grade (g/t)"}})}
