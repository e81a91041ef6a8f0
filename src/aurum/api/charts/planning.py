"""Charts of a pit study: the ultimate pit and its pushbacks, pit by pit, cut-off grades."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    GREY,
    SERIES_COLOURS,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    mine_scene,
    right_axis,
)
from aurum.api.charts.resources import grade_tonnage_chart
from aurum.core.i18n import _

PUSHBACK_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2",
                    "#ff9da6", "#9d755d"]


def pit_shell_3d(blocks: pd.DataFrame, final_index: int, max_points: int = 20_000) -> Figure:
    """The ultimate pit's shell as a surface over the block model, with its blocks coloured
    by pushback and the ore left outside the pit."""
    dz = float(np.diff(np.unique(blocks["z"])).min()) if blocks["z"].nunique() > 1 else 1.0
    in_pit = (blocks["first_pit"] >= 0) & (blocks["first_pit"] <= final_index)
    top = float(blocks["z"].max()) + dz / 2
    floor = (blocks.assign(bottom=np.where(in_pit, blocks["z"] - dz / 2, top))
             .groupby(["y", "x"])["bottom"].min().unstack("x"))
    data: list[dict[str, Any]] = [{
        "type": "surface", "name": _("ultimate pit"), "x": floor.columns.tolist(),
        "y": floor.index.tolist(), "z": floor.to_numpy().tolist(), "opacity": 0.55,
        "colorscale": [[0, "#8c6d46"], [1, "#d9c7a7"]], "showscale": False}]
    pit = blocks[in_pit & (blocks["destination"] != "waste")]
    for number in sorted(int(v) for v in pit["pushback"].unique()):
        group = pit[pit["pushback"] == number]
        sample = group.sample(min(len(group), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers",
                     "name": _("ore, pushback %(n)s", n=number + 1),
                     "x": sample["x"].tolist(), "y": sample["y"].tolist(),
                     "z": sample["z"].tolist(),
                     "marker": {"size": 3, "opacity": 0.7,
                                "color": PUSHBACK_COLOURS[number % len(PUSHBACK_COLOURS)]}})
    left = blocks[~in_pit & (blocks["destination"] != "waste")]
    if len(left):
        sample = left.sample(min(len(left), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers", "name": _("ore left in the ground"),
                     "x": sample["x"].tolist(), "y": sample["y"].tolist(),
                     "z": sample["z"].tolist(), "marker": {"size": 2, "color": GREY,
                                                           "opacity": 0.4}})
    return {"data": data, "layout": base_layout(_("Ultimate pit, pushbacks and ore"), height=560,
                                                scene=mine_scene())}


def pit_by_pit_chart(table: pd.DataFrame) -> Figure:
    """Ore and waste tonnes of each nested pit with its best- and worst-case discounted
    value, as Whittle shows them."""
    factors = table["factor"].tolist()
    return {"data": [
        {"type": "bar", "name": _("ore (Mt)"), "x": factors, "y": (table["ore_t"] / 1e6).tolist(),
         "marker": {"color": GOLD}},
        {"type": "bar", "name": _("waste (Mt)"), "x": factors,
         "y": (table["waste_t"] / 1e6).tolist(), "marker": {"color": "#bbb"}},
        {"type": "scatter", "mode": "lines+markers", "name": _("best case (M CNY)"),
         "yaxis": "y2", "x": factors, "y": (table["best_npv"] / 1e6).tolist(),
         "line": {"color": STATUS_COLOURS["on_track"]}},
        {"type": "scatter", "mode": "lines+markers", "name": _("worst case (M CNY)"),
         "yaxis": "y2", "x": factors, "y": (table["worst_npv"] / 1e6).tolist(),
         "line": {"color": STATUS_COLOURS["off_track"]}}],
        "layout": base_layout(_("Pit by pit"), barmode="stack", height=380,
                              xaxis=axis(_("revenue factor (fraction of the price)")),
                              yaxis=axis(_("material (Mt)")),
                              yaxis2=right_axis(_("discounted value (M CNY)")))}


def scenario_comparison(compared: list[tuple[str, list[dict[str, Any]]]]) -> Figure:
    """Saved pit scenarios side by side: the value (M CNY) and the best-case NPV of their
    nested pits against the material mined (Mt, cumulative, smallest pit first), a colour
    per scenario.

    Parameters
    ----------
    compared : list of (str, list of dict)
        Each scenario's name and its nested pits (``tonnes_t``, ``value`` and ``best_npv``
        in CNY), as the pit-by-pit table gives them.
    """
    lines: list[dict[str, Any]] = []
    for k, (name, pits) in enumerate(compared):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        tonnes = [p["tonnes_t"] / 1e6 for p in pits]
        lines += [{"type": "scatter", "mode": "lines+markers",
                   "name": _("%(scenario)s: value", scenario=name),
                   "x": tonnes, "y": [p["value"] / 1e6 for p in pits],
                   "line": {"color": colour}},
                  {"type": "scatter", "mode": "lines",
                   "name": _("%(scenario)s: best-case NPV", scenario=name),
                   "x": tonnes, "y": [p["best_npv"] / 1e6 for p in pits],
                   "line": {"color": colour, "dash": "dot"}}]
    return {"data": lines, "layout": base_layout(
        _("Nested pits: value against tonnes mined"), height=380,
        xaxis=axis(_("material mined (Mt)")), yaxis=axis(_("value (M CNY)")))}


def cutoff_chart(table: pd.DataFrame, lines: dict[str, float]) -> Figure:
    """The grade-tonnage curve of the pit's material with the cut-off grades marked."""
    figure = grade_tonnage_chart(table)
    top = float(table["tonnes_mt"].max()) if len(table) else 1.0
    for k, (name, grade) in enumerate(lines.items()):
        if np.isfinite(grade):
            figure["data"].append({
                "type": "scatter", "mode": "lines",
                "name": _("%(name)s %(grade)s g/t", name=name, grade=format(grade, ".2f")),
                "x": [grade, grade], "y": [0, top],
                "line": {"dash": "dot", "color": PUSHBACK_COLOURS[k % len(PUSHBACK_COLOURS)]}})
    figure["layout"]["title"]["text"] = _("Cut-off grades on the pit's grade-tonnage curve")
    return figure
