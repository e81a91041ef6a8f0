"""Plotly figures (as plain JSON-ready dictionaries) for the pages. Presentation only."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from aurum.industry.kpi import IndicatorResult
from aurum.industry.registry import PROVINCE_CENTRES

Figure = dict[str, Any]
GOLD = "#b8860b"
GREY = "#888"
STATUS_COLOURS = {"on_track": "#1a7f37", "at_risk": "#bf8700", "off_track": "#cf222e",
                  "no_data": "#6e7781"}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title, "font": {"size": 14}}, "margin": {"l": 50, "r": 20,
            "t": 40, "b": 40}, "height": 300, "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "#fafafa", "legend": {"orientation": "h", "y": -0.2}, **extra}


def trajectory(ind: IndicatorResult, target_year: int = 2027) -> Figure:
    """The indicator from the baseline year, its projection to 2027 and the target."""
    years = [y for y, _ in ind.trajectory]
    values = [v for _, v in ind.trajectory]
    data: list[dict[str, Any]] = [{"type": "scatter", "mode": "lines+markers", "name": "actual",
                                   "x": years, "y": values, "line": {"color": GOLD}}]
    if years and ind.projection_2027 is not None:
        data.append({"type": "scatter", "mode": "lines", "name": "projection",
                     "x": [years[-1], target_year], "y": [values[-1], ind.projection_2027],
                     "line": {"color": GOLD, "dash": "dot"}})
    x0 = years[0] if years else target_year - 3
    data.append({"type": "scatter", "mode": "lines", "name": f"target {ind.target:g} %",
                 "x": [x0, target_year], "y": [ind.target, ind.target],
                 "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}})
    if ind.target_max is not None:
        data.append({"type": "scatter", "mode": "lines", "name": f"upper {ind.target_max:g} %",
                     "x": [x0, target_year], "y": [ind.target_max, ind.target_max],
                     "line": {"color": GREY, "dash": "dash"}})
    return {"data": data, "layout": _layout(ind.label, xaxis={"dtick": 1},
                                            yaxis={"title": {"text": ind.unit}})}


def province_map(table: pd.DataFrame, value: str, label: str) -> Figure:
    """Provinces at their geographic centres: bubble size by gold output, colour by ``value``."""
    lon = [PROVINCE_CENTRES.get(p, (math.nan, math.nan))[0] for p in table["province"]]
    lat = [PROVINCE_CENTRES.get(p, (math.nan, math.nan))[1] for p in table["province"]]
    gold = table["gold_output_t"].fillna(0).astype(float)
    size = (8 + 40 * (gold / gold.max()) ** 0.5).round(1) if gold.max() > 0 else gold + 10
    text = [f"{p}<br>{g:,.1f} t gold<br>{label}: {'n/a' if pd.isna(v) else f'{v:,.1f}'}"
            for p, g, v in zip(table["province"], gold, table[value], strict=True)]
    return {"data": [{
        "type": "scatter", "mode": "markers+text", "x": lon, "y": lat,
        "text": list(table["province"]), "textposition": "top center", "hovertext": text,
        "hoverinfo": "text", "marker": {
            "size": size.tolist(), "color": table[value].astype(float).tolist(),
            "colorscale": "YlOrBr", "showscale": True, "colorbar": {"title": {"text": label}},
            "line": {"color": "#555", "width": 1}}}],
        "layout": _layout(f"Gold output and {label} by province", height=460,
                          xaxis={"title": {"text": "longitude (°E)"}, "range": [73, 136]},
                          yaxis={"title": {"text": "latitude (°N)"}, "range": [17, 54],
                                 "scaleanchor": "x"})}


def bars(labels: Iterable[str], values: Iterable[float], title: str, unit: str,
         colour: str = GOLD, reference: float | None = None) -> Figure:
    """A bar chart, optionally with a horizontal reference line (a target or floor)."""
    shapes = [] if reference is None else [{
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": reference, "y1": reference,
        "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}}]
    return {"data": [{"type": "bar", "x": list(labels), "y": list(values),
                      "marker": {"color": colour}}],
            "layout": _layout(title, yaxis={"title": {"text": unit}}, shapes=shapes)}


def time_series(frame: pd.DataFrame, x: str, series: dict[str, str], title: str,
                unit: str, stacked: bool = False) -> Figure:
    """Lines (or stacked bars) of several columns over reporting periods."""
    palette = [GOLD, "#4c78a8", "#54a24b", "#e45756", "#72b7b2", "#9d755d"]
    data = []
    for i, (column, name) in enumerate(series.items()):
        trace: dict[str, Any] = {"x": frame[x].astype(str).tolist(), "name": name,
                                 "y": frame[column].astype(float).tolist(),
                                 "marker": {"color": palette[i % len(palette)]}}
        trace.update({"type": "bar"} if stacked else {"type": "scatter",
                                                       "mode": "lines+markers"})
        data.append(trace)
    layout = _layout(title, yaxis={"title": {"text": unit}})
    if stacked:
        layout["barmode"] = "stack"
    return {"data": data, "layout": layout}


def capacity_vs_floor(plants: pd.DataFrame) -> Figure:
    """New plants' design capacity against the plan's floor for their type (log scale)."""
    colours = [STATUS_COLOURS["off_track"] if s == "below_floor" else STATUS_COLOURS["on_track"]
               for s in plants["status"]]
    names = (plants["site"] + " " + plants["site_type"]).tolist()
    return {"data": [
        {"type": "bar", "name": "design capacity", "x": names,
         "y": plants["daily_capacity_t"].astype(float).tolist(),
         "marker": {"color": colours}},
        {"type": "scatter", "mode": "markers", "name": "floor", "x": names,
         "y": plants["floor_t_per_day"].astype(float).tolist(),
         "marker": {"symbol": "line-ew-open", "size": 30, "color": "#000",
                    "line": {"width": 3}}}],
        "layout": _layout("New plants: design capacity against the plan's floor",
                          yaxis={"title": {"text": "t/d"}, "type": "log"}, height=360)}


def site_map(sites: pd.DataFrame) -> Figure:
    """Sites by location, coloured by kind, sized by design capacity."""
    data = []
    for (kind, colour) in (("mine", GOLD), ("plant", "#4c78a8"), ("tailings", "#9d755d")):
        part = sites[sites["kind"] == kind]
        if part.empty:
            continue
        cap = part["design_capacity_tpd"].fillna(300).astype(float)
        data.append({"type": "scatter", "mode": "markers", "name": kind,
                     "x": part["lon"].tolist(), "y": part["lat"].tolist(),
                     "hovertext": (part["site"] + " " + part["site_name"]).tolist(),
                     "hoverinfo": "text",
                     "marker": {"color": colour, "size": (6 + 3 * cap.pow(0.25)).round(1)
                                .clip(upper=30).tolist(), "opacity": 0.8}})
    return {"data": data, "layout": _layout(
        "Sites", height=420, xaxis={"title": {"text": "longitude (°E)"}},
        yaxis={"title": {"text": "latitude (°N)"}, "scaleanchor": "x"})}


def _slice(blocks: pd.DataFrame, fixed: str, at: float, across: str, title: str,
           value: str, unit: str, height: int) -> Figure:
    level = blocks[np.isclose(blocks[fixed], at)]
    table = level.pivot_table(index=across, columns="x", values=value, aggfunc="first")
    return {"data": [{"type": "heatmap", "x": table.columns.tolist(),
                      "y": table.index.tolist(), "z": table.to_numpy().tolist(),
                      "colorscale": "YlOrRd", "colorbar": {"title": {"text": unit}}}],
            "layout": _layout(title, height=height, xaxis={"title": {"text": "x (m)"}},
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
    return {"data": data, "layout": _layout("Blocks and composites", height=520,
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
        "layout": _layout("Grade-tonnage curve", xaxis={"title": {"text": "cut-off (g/t)"}},
                          yaxis={"title": {"text": "Mt"}},
                          yaxis2={"title": {"text": "g/t"}, "overlaying": "y",
                                  "side": "right"})}


def waterfall_chart(steps: list[tuple[str, float]], title: str) -> Figure:
    """Movements of contained gold between two statements."""
    labels = [k.replace("_", " ") for k, _ in steps]
    measure = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    return {"data": [{"type": "waterfall", "x": labels, "y": [v for _, v in steps],
                      "measure": measure, "connector": {"line": {"color": GREY}}}],
            "layout": _layout(title, yaxis={"title": {"text": "t of gold"}})}


def variogram_chart(experimental: list[tuple[str, np.ndarray, np.ndarray]],
                    model_curves: list[tuple[str, np.ndarray, np.ndarray]]) -> Figure:
    """Experimental semivariograms (points) and the fitted model (lines), per direction."""
    palette = [GOLD, "#4c78a8", "#54a24b"]
    data: list[dict[str, Any]] = []
    for i, (name, h, g) in enumerate(experimental):
        data.append({"type": "scatter", "mode": "markers", "name": f"{name} (data)",
                     "x": h.tolist(), "y": g.tolist(),
                     "marker": {"color": palette[i % 3], "size": 7}})
    for i, (name, h, g) in enumerate(model_curves):
        data.append({"type": "scatter", "mode": "lines", "name": f"{name} (model)",
                     "x": h.tolist(), "y": g.tolist(), "line": {"color": palette[i % 3]}})
    return {"data": data, "layout": _layout("Variograms along the model's axes",
                                            xaxis={"title": {"text": "lag (m)"}},
                                            yaxis={"title": {"text": "γ (g/t)²"}})}


def log_probability_chart(points: pd.DataFrame, unit: str) -> Figure:
    """Grades on a log axis against normal scores (a straight line is lognormal)."""
    pos = points[points["value"] > 0]
    return {"data": [{"type": "scattergl", "mode": "markers", "x": pos["normal_score"].tolist(),
                      "y": pos["value"].tolist(), "marker": {"size": 3, "color": GOLD}}],
            "layout": _layout("Log-probability plot", xaxis={"title": {"text": "normal score"}},
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
            "layout": _layout("Drillhole composites", height=560, scene={"aspectmode": "data"})}


def swath_chart(tables: dict[str, pd.DataFrame]) -> Figure:
    """Block means against (declustered) composite means, slice by slice, per axis."""
    palette = {"x": GOLD, "y": "#4c78a8", "z": "#54a24b"}
    data: list[dict[str, Any]] = []
    for axis, t in tables.items():
        data.append({"type": "scatter", "mode": "lines", "name": f"blocks along {axis}",
                     "x": t["centre"].tolist(), "y": t["block_mean"].tolist(),
                     "line": {"color": palette[axis]}})
        data.append({"type": "scatter", "mode": "markers", "name": f"composites along {axis}",
                     "x": t["centre"].tolist(), "y": t["sample_mean"].tolist(),
                     "marker": {"color": palette[axis], "size": 6}})
    return {"data": data, "layout": _layout("Swath plots",
                                            xaxis={"title": {"text": "slice centre (m)"}},
                                            yaxis={"title": {"text": "mean grade (g/t)"}})}


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
        "type": "surface", "name": "ultimate pit", "x": floor.columns.tolist(),
        "y": floor.index.tolist(), "z": floor.to_numpy().tolist(), "opacity": 0.55,
        "colorscale": [[0, "#8c6d46"], [1, "#d9c7a7"]], "showscale": False}]
    pit = blocks[in_pit & (blocks["destination"] != "waste")]
    for number in sorted(int(v) for v in pit["pushback"].unique()):
        group = pit[pit["pushback"] == number]
        sample = group.sample(min(len(group), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers", "name": f"ore, pushback {number + 1}",
                     "x": sample["x"].tolist(), "y": sample["y"].tolist(),
                     "z": sample["z"].tolist(),
                     "marker": {"size": 3, "opacity": 0.7,
                                "color": PUSHBACK_COLOURS[number % len(PUSHBACK_COLOURS)]}})
    left = blocks[~in_pit & (blocks["destination"] != "waste")]
    if len(left):
        sample = left.sample(min(len(left), max_points), random_state=0)
        data.append({"type": "scatter3d", "mode": "markers", "name": "ore left in the ground",
                     "x": sample["x"].tolist(), "y": sample["y"].tolist(),
                     "z": sample["z"].tolist(), "marker": {"size": 2, "color": GREY,
                                                           "opacity": 0.4}})
    return {"data": data, "layout": _layout("Ultimate pit, pushbacks and ore", height=560,
                                            scene={"aspectmode": "data"})}


def pit_by_pit_chart(table: pd.DataFrame) -> Figure:
    """Ore and waste tonnes of each nested pit with its best- and worst-case discounted
    value, as Whittle shows them."""
    factors = table["factor"].tolist()
    return {"data": [
        {"type": "bar", "name": "ore (Mt)", "x": factors, "y": (table["ore_t"] / 1e6).tolist(),
         "marker": {"color": GOLD}},
        {"type": "bar", "name": "waste (Mt)", "x": factors,
         "y": (table["waste_t"] / 1e6).tolist(), "marker": {"color": "#bbb"}},
        {"type": "scatter", "mode": "lines+markers", "name": "best case (M CNY)",
         "yaxis": "y2", "x": factors, "y": (table["best_npv"] / 1e6).tolist(),
         "line": {"color": "#1a7f37"}},
        {"type": "scatter", "mode": "lines+markers", "name": "worst case (M CNY)",
         "yaxis": "y2", "x": factors, "y": (table["worst_npv"] / 1e6).tolist(),
         "line": {"color": "#cf222e"}}],
        "layout": _layout("Pit by pit", barmode="stack", height=380,
                          xaxis={"title": {"text": "revenue factor"}},
                          yaxis={"title": {"text": "Mt"}},
                          yaxis2={"title": {"text": "discounted value, M CNY"},
                                  "overlaying": "y", "side": "right"})}


def cutoff_chart(table: pd.DataFrame, lines: dict[str, float]) -> Figure:
    """The grade-tonnage curve of the pit's material with the cut-off grades marked."""
    figure = grade_tonnage_chart(table)
    top = float(table["tonnes_mt"].max()) if len(table) else 1.0
    for k, (name, grade) in enumerate(lines.items()):
        if np.isfinite(grade):
            figure["data"].append({
                "type": "scatter", "mode": "lines", "name": f"{name} {grade:.2f} g/t",
                "x": [grade, grade], "y": [0, top],
                "line": {"dash": "dot", "color": PUSHBACK_COLOURS[k % len(PUSHBACK_COLOURS)]}})
    figure["layout"]["title"]["text"] = "Cut-off grades on the pit's grade-tonnage curve"
    return figure


# --- work safety ---------------------------------------------------------------------------

ALARM_COLOURS = {"none": "#8c959f", "blue": "#1f6feb", "yellow": "#d4a72c",
                 "orange": "#f0883e", "red": "#cf222e"}
HAZARD_STATES = ("reported", "classified", "assigned", "rectified", "verified", "closed")


def hazard_map(hazards: pd.DataFrame) -> Figure:
    """Sites with hazards by location: size by open hazards, colour by the worst of them
    (a major one past its deadline, a major one, a general one, none open)."""
    open_ = hazards[hazards["state"] != "closed"]
    major = open_["level"] == "major"
    per_site = hazards.groupby("site").agg(site_name=("site_name", "first"),
                                           lon=("lon", "first"), lat=("lat", "first"),
                                           total=("id", "size"))
    per_site["open"] = open_.groupby("site").size()
    per_site["major"] = open_[major].groupby("site").size()
    per_site["overdue_major"] = open_[major & open_["overdue"].astype(bool)].groupby(
        "site").size()
    per_site = per_site.fillna(0)
    classes = (("major hazard past deadline", per_site["overdue_major"] > 0,
                STATUS_COLOURS["off_track"]),
               ("major hazard open", (per_site["major"] > 0) & (per_site["overdue_major"] == 0),
                ALARM_COLOURS["orange"]),
               ("general hazards open", (per_site["open"] > 0) & (per_site["major"] == 0),
                GOLD),
               ("all closed", per_site["open"] == 0, STATUS_COLOURS["on_track"]))
    data = []
    for name, mask, colour in classes:
        part = per_site[mask]
        if part.empty:
            continue
        text = [f"{s} {n}<br>{int(o)} open ({int(m)} major, {int(d)} past deadline), "
                f"{int(t)} in all" for s, n, o, m, d, t in zip(
                    part.index, part["site_name"], part["open"], part["major"],
                    part["overdue_major"], part["total"], strict=True)]
        data.append({"type": "scatter", "mode": "markers", "name": name,
                     "x": part["lon"].tolist(), "y": part["lat"].tolist(),
                     "hovertext": text, "hoverinfo": "text",
                     "marker": {"color": colour, "opacity": 0.85,
                                "size": (8 + 4 * part["open"] ** 0.5).round(1).tolist(),
                                "line": {"color": "#555", "width": 1}}})
    return {"data": data, "layout": _layout(
        "Hazards by site", height=420,
        xaxis={"title": {"text": "longitude (°E)"}, "range": [73, 136]},
        yaxis={"title": {"text": "latitude (°N)"}, "range": [17, 54], "scaleanchor": "x"})}


def hazard_timeline(events: pd.DataFrame, deadline: Any = None) -> Figure:
    """A hazard's path through the register's states over time, with its deadline."""
    times = pd.to_datetime(events["at"], utc=True).dt.strftime("%Y-%m-%d %H:%M").tolist()
    data = [{"type": "scatter", "mode": "lines+markers+text", "name": "state",
             "x": times, "y": events["to_state"].tolist(), "line": {"shape": "hv",
                                                                     "color": GOLD},
             "text": events["action"].tolist(), "textposition": "top center",
             "hovertext": [f"{a} by {b}" for a, b in zip(events["action"], events["by"],
                                                         strict=True)],
             "marker": {"size": 9}}]
    shapes = []
    if deadline is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": str(deadline),
                       "x1": str(deadline), "y0": 0, "y1": 1,
                       "line": {"color": STATUS_COLOURS["off_track"], "dash": "dash"}})
        data.append({"type": "scatter", "mode": "lines", "name": f"deadline {deadline}",
                     "x": [str(deadline)], "y": [None],
                     "line": {"color": STATUS_COLOURS["off_track"], "dash": "dash"}})
    return {"data": data, "layout": _layout(
        "Timeline", shapes=shapes, xaxis={"type": "date"},
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": list(HAZARD_STATES), "range": [-0.5, 5.5]})}


def clearing_by_province(table: pd.DataFrame) -> Figure:
    """Open hazards per province: major and general, within and past their deadline."""
    provinces = table["province"].astype(str).tolist()
    parts = (("major, past deadline", table["overdue_major"], STATUS_COLOURS["off_track"]),
             ("major, within deadline", table["open_major"] - table["overdue_major"],
              ALARM_COLOURS["orange"]),
             ("general, past deadline", table["overdue_general"], "#9d755d"),
             ("general, within deadline", table["open_general"] - table["overdue_general"],
              GOLD))
    return {"data": [{"type": "bar", "name": name, "x": provinces,
                      "y": values.astype(int).tolist(), "marker": {"color": colour}}
                     for name, values, colour in parts],
            "layout": _layout("Open hazards by province", barmode="stack",
                              yaxis={"title": {"text": "hazards"}})}


def age_distribution(ages: dict[str, int]) -> Figure:
    """Open hazards by age class (days since the report)."""
    labels = [k.removeprefix("age_").replace("_", "–").replace("over–", "over ")
              .replace("d", " d") for k in ages]
    return {"data": [{"type": "bar", "x": labels, "y": list(ages.values()),
                      "marker": {"color": GOLD}}],
            "layout": _layout("Age of the open hazards", yaxis={"title": {"text": "hazards"}},
                              xaxis={"title": {"text": "days since the report"}})}


def indicator_history(frame: pd.DataFrame, target: float = 0.0) -> Figure:
    """Open major hazards past their deadline at month ends, against the target."""
    x = pd.to_datetime(frame["as_of"]).dt.strftime("%Y-%m-%d").tolist()
    return {"data": [
        {"type": "scatter", "mode": "lines+markers", "name": "major past deadline",
         "x": x, "y": frame["overdue_major"].tolist(),
         "line": {"color": STATUS_COLOURS["off_track"]}},
        {"type": "scatter", "mode": "lines+markers", "name": "major open", "x": x,
         "y": frame["open_major"].tolist(), "line": {"color": ALARM_COLOURS["orange"],
                                                     "dash": "dot"}},
        {"type": "scatter", "mode": "lines", "name": f"target {target:g}", "x": x,
         "y": [target] * len(x), "line": {"color": STATUS_COLOURS["on_track"],
                                          "dash": "dash"}}],
        "layout": _layout("Open major hazards past their deadline (target 0)",
                          yaxis={"title": {"text": "hazards"}, "rangemode": "tozero"})}


def sensor_levels_chart(series: pd.DataFrame, thresholds: dict[str, float], title: str,
                        unit: str) -> Figure:
    """Readings of one quantity (``time``, ``point``, ``quantity``) with the alarm levels
    as horizontal lines in the warning colours."""
    palette = ["#24292f", "#4c78a8", "#54a24b", "#72b7b2", "#9d755d", GOLD]
    data: list[dict[str, Any]] = []
    for k, (point, part) in enumerate(series.groupby("point", sort=True)):
        data.append({"type": "scatter", "mode": "lines", "name": str(point),
                     "x": pd.to_datetime(part["time"], utc=True)
                     .dt.strftime("%Y-%m-%d %H:%M").tolist(),
                     "y": part["quantity"].astype(float).round(4).tolist(),
                     "line": {"color": palette[k % len(palette)], "width": 1.5}})
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
               "line": {"color": ALARM_COLOURS[level], "dash": "dash", "width": 1.5}}
              for level, value in thresholds.items()]
    for level, value in thresholds.items():  # legend entries for the lines
        data.append({"type": "scatter", "mode": "lines", "name": f"{level} {value:g}",
                     "x": [None], "y": [None],
                     "line": {"color": ALARM_COLOURS[level], "dash": "dash"}})
    return {"data": data, "layout": _layout(title, shapes=shapes, height=320,
                                            yaxis={"title": {"text": unit}})}


def alerts_chart(alerts: pd.DataFrame) -> Figure:
    """Alerts per day, stacked by level."""
    days = pd.to_datetime(alerts["time"], utc=True).dt.strftime("%Y-%m-%d")
    data = []
    for level in ("blue", "yellow", "orange", "red"):
        counts = days[alerts["level"] == level].value_counts().sort_index()
        if counts.empty:
            continue
        data.append({"type": "bar", "name": level, "x": counts.index.tolist(),
                     "y": counts.astype(int).tolist(),
                     "marker": {"color": ALARM_COLOURS[level]}})
    return {"data": data, "layout": _layout("Alerts per day", barmode="stack",
                                            xaxis={"type": "date"},
                                            yaxis={"title": {"text": "alerts"}})}


def alarm_levels_chart(names: list[str], levels: list[str], title: str) -> Figure:
    """Current alarm level of several facilities or sensors (0 none .. 4 red)."""
    order = list(ALARM_COLOURS)
    return {"data": [{"type": "bar", "x": names, "y": [order.index(lv) for lv in levels],
                      "text": levels, "marker": {"color": [ALARM_COLOURS[lv] for lv in levels]}}],
            "layout": _layout(title, yaxis={"title": {"text": "level"}, "range": [0, 4.2],
                                            "tickvals": list(range(5)), "ticktext": order})}


def prospect_heatmap(x: list[float], y: list[float], z: list[list[float | None]], title: str,
                     colorscale: str = "YlOrBr", points: tuple[list[float], list[float]]
                     | None = None, height: int = 300) -> Figure:
    """A raster (rows from the top, cell centres in m) as a heatmap, with points on it."""
    data: list[dict[str, Any]] = [{"type": "heatmap", "x": x, "y": y, "z": z,
                                   "colorscale": colorscale, "showscale": True}]
    if points is not None:
        data.append({"type": "scatter", "mode": "markers", "name": "known deposits",
                     "x": points[0], "y": points[1],
                     "marker": {"size": 4, "color": "#1f3a93", "symbol": "circle-open"}})
    return {"data": data, "layout": _layout(title, height=height,
                                            xaxis={"title": {"text": "easting (m)"}},
                                            yaxis={"title": {"text": "northing (m)"},
                                                   "scaleanchor": "x"})}


def roc_curve_chart(fpr: list[float], tpr: list[float], auc: float,
                    cv_note: str = "") -> Figure:
    """ROC curve of a prospectivity map, with the chance line."""
    return {"data": [
        {"type": "scatter", "mode": "lines", "name": f"posterior (AUC {auc:.4f})",
         "x": [0.0, *fpr], "y": [0.0, *tpr], "line": {"color": GOLD}},
        {"type": "scatter", "mode": "lines", "name": "chance", "x": [0, 1], "y": [0, 1],
         "line": {"color": GREY, "dash": "dash"}}],
        "layout": _layout(f"ROC curve{cv_note}",
                          xaxis={"title": {"text": "false-positive rate"}, "range": [0, 1]},
                          yaxis={"title": {"text": "true-positive rate"}, "range": [0, 1]})}


def success_rate_chart(area_fraction: list[float], deposit_fraction: list[float],
                       auc: float) -> Figure:
    """Fraction of deposits captured against the fraction of the study area, best first."""
    return {"data": [
        {"type": "scatter", "mode": "lines+markers", "name": f"success rate (AUC {auc:.4f})",
         "x": [0.0, *area_fraction], "y": [0.0, *deposit_fraction], "line": {"color": GOLD}},
        {"type": "scatter", "mode": "lines", "name": "chance", "x": [0, 1], "y": [0, 1],
         "line": {"color": GREY, "dash": "dash"}}],
        "layout": _layout("Success-rate curve",
                          xaxis={"title": {"text": "fraction of study area"}, "range": [0, 1]},
                          yaxis={"title": {"text": "fraction of deposits"}, "range": [0, 1]})}


# --- microseismic monitoring ---------------------------------------------------------------------


def _utc_text(times: pd.Series) -> list[str]:
    return pd.to_datetime(times, utc=True).dt.strftime("%Y-%m-%d %H:%M:%S").tolist()


def seismic_events_3d(events: pd.DataFrame, stations: pd.DataFrame,
                      magnitude: str = "mw", max_points: int = 20_000) -> Figure:
    """Events in the mine grid (m), sized and coloured by magnitude; stations as diamonds;
    blasts in grey."""
    located = events.dropna(subset=["x", "y", "z"]).tail(max_points)
    m = located[magnitude].astype(float)
    size = (3 + 4 * (m - m.min()).fillna(0)).clip(3, 24).round(1) if len(m) else m
    quakes = located["event_type"] != "blast"
    data: list[dict[str, Any]] = []
    for mask, name, colour in ((quakes, "events", None), (~quakes, "blasts", GREY)):
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
        data.append({"type": "scatter3d", "mode": "markers+text", "name": "stations",
                     "x": stations["x"].tolist(), "y": stations["y"].tolist(),
                     "z": stations["z"].tolist(), "text": stations["station"].tolist(),
                     "marker": {"symbol": "diamond", "size": 5, "color": "#24292f"}})
    scene = {"aspectmode": "data", "xaxis": {"title": {"text": "x (m)"}},
             "yaxis": {"title": {"text": "y (m)"}}, "zaxis": {"title": {"text": "z (m)"}}}
    return {"data": data, "layout": _layout("Events in the mine grid", height=520,
                                            scene=scene)}


def magnitude_time_chart(events: pd.DataFrame, magnitude: str = "mw") -> Figure:
    """Magnitude of every event against its origin time."""
    part = events.dropna(subset=[magnitude])
    return {"data": [{"type": "scattergl", "mode": "markers", "name": magnitude.upper(),
                      "x": _utc_text(part["time"]),
                      "y": part[magnitude].astype(float).round(2).tolist(),
                      "marker": {"size": 4, "color": GOLD, "opacity": 0.6}}],
            "layout": _layout("Magnitude against time", xaxis={"type": "date"},
                              yaxis={"title": {"text": magnitude.upper()}})}


def b_value_time_chart(moving: pd.DataFrame, rate: bool = True) -> Figure:
    """Moving-window b-value with its Shi & Bolt band and the event rate (events/day)."""
    x = _utc_text(moving["time"])
    b = moving["b"].astype(float)
    std = moving["b_std"].astype(float)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "b + σ", "x": x,
         "y": (b + std).round(3).tolist(), "line": {"width": 0}, "showlegend": False},
        {"type": "scatter", "mode": "lines", "name": "b ± σ (Shi & Bolt)", "x": x,
         "y": (b - std).round(3).tolist(), "fill": "tonexty", "line": {"width": 0},
         "fillcolor": "rgba(184,134,11,0.2)"},
        {"type": "scatter", "mode": "lines", "name": "b-value", "x": x,
         "y": b.round(3).tolist(), "line": {"color": GOLD}}]
    if rate:
        data.append({"type": "scatter", "mode": "lines", "name": "rate (events/day)", "x": x,
                     "y": moving["rate_per_day"].astype(float).round(2).tolist(),
                     "yaxis": "y2", "line": {"color": GREY, "dash": "dot"}})
    return {"data": data, "layout": _layout(
        "b-value against time (moving window)", xaxis={"type": "date"},
        yaxis={"title": {"text": "b"}},
        yaxis2={"title": {"text": "events/day"}, "overlaying": "y", "side": "right"})}


def energy_moment_chart(events: pd.DataFrame, stresses_pa: Iterable[float] = (1e4, 1e5, 1e6,
                                                                               1e7),
                        rigidity_pa: float = 3.3e10) -> Figure:
    """Radiated energy (J) against seismic moment (N·m), log–log, with the lines of constant
    apparent stress E = σa M0 / μ."""
    part = events[(events["energy"] > 0) & (events["moment"] > 0)]
    data: list[dict[str, Any]] = [{
        "type": "scattergl", "mode": "markers", "name": "events",
        "x": part["moment"].astype(float).tolist(), "y": part["energy"].astype(float).tolist(),
        "marker": {"size": 4, "color": GOLD, "opacity": 0.6}}]
    if len(part):
        m0 = np.array([part["moment"].min(), part["moment"].max()], float)
        for sigma in stresses_pa:
            data.append({"type": "scatter", "mode": "lines", "name": f"σa {sigma:.0e} Pa",
                         "x": m0.tolist(), "y": (sigma * m0 / rigidity_pa).tolist(),
                         "line": {"color": GREY, "dash": "dash", "width": 1}})
    return {"data": data, "layout": _layout(
        "Energy against moment", xaxis={"type": "log", "title": {"text": "moment (N·m)"}},
        yaxis={"type": "log", "title": {"text": "energy (J)"}})}


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
        {"type": "scatter", "mode": "markers", "name": "per bin", "x": bins.tolist(),
         "y": counts.tolist(), "marker": {"color": GREY, "symbol": "triangle-up"}}]
    shapes = []
    if fit is not None and bins.size:
        mm = np.array([fit["mc"], bins.max()], float)
        data.append({"type": "scatter", "mode": "lines",
                     "name": f"b {fit['b']:.2f} ± {fit['b_std']:.2f}, a {fit['a']:.2f}",
                     "x": mm.tolist(), "y": (10 ** (fit["a"] - fit["b"] * mm)).tolist(),
                     "line": {"color": "#cf222e"}})
        shapes.append({"type": "line", "x0": fit["mc"], "x1": fit["mc"], "yref": "paper",
                       "y0": 0, "y1": 1, "line": {"color": GREY, "dash": "dot"}})
        data.append({"type": "scatter", "mode": "lines", "name": f"Mc {fit['mc']:g}",
                     "x": [None], "y": [None], "line": {"color": GREY, "dash": "dot"}})
    return {"data": data, "layout": _layout(
        "Frequency–magnitude", shapes=shapes, xaxis={"title": {"text": label}},
        yaxis={"type": "log", "title": {"text": "events"}})}


# --- gold recycling ledger ---------------------------------------------------------------------

CUSTODY_COLOURS = {"purchase": "#4c78a8", "shop": "#72b7b2", "lot": GOLD, "assay": "#9d755d",
                   "bar": "#e45756", "loss": GREY, "stock": "#bab0ac"}


def stacked_totals(frame: pd.DataFrame, x: str, colour: str, title: str, unit: str,
                   value: str | None = None) -> Figure:
    """Stacked bars of ``value`` summed (or rows counted, when None) per ``x`` and ``colour``
    (e.g. reports per month and kind, recycled gold per month and province)."""
    if frame.empty:
        return {"data": [], "layout": _layout(title + " (none yet)")}
    values = frame[value].astype(float) if value else pd.Series(1.0, index=frame.index)
    table = (frame.assign(_v=values).pivot_table(index=x, columns=colour, values="_v",
                                                 aggfunc="sum", fill_value=0.0)
             .sort_index())
    palette = [GOLD, "#4c78a8", "#54a24b", "#e45756", "#72b7b2", "#9d755d", "#b279a2",
               "#ff9da6", "#bab0ac"]
    data = [{"type": "bar", "name": str(name), "x": [str(i) for i in table.index],
             "y": table[name].round(3).tolist(),
             "marker": {"color": palette[i % len(palette)]}}
            for i, name in enumerate(table.columns)]
    return {"data": data, "layout": _layout(title, barmode="stack", xaxis={"type": "category"},
                                            yaxis={"title": {"text": unit}})}


def recycling_daily(purchases: pd.DataFrame) -> Figure:
    """Fine gold bought per business day (bars, g) and what was paid (line, CNY)."""
    title = "Fine gold bought and amounts paid per business day (Beijing time)"
    if purchases.empty:
        return {"data": [], "layout": _layout(title + ": no purchases yet")}
    days = (purchases.assign(day=purchases["business_date"].astype(str))
            .groupby("day").agg(fine_gold_g=("fine_gold_g", "sum"),
                                amount_cny=("amount_cny", "sum")).reset_index())
    return {"data": [
        {"type": "bar", "name": "fine gold (g)", "x": days["day"].tolist(),
         "y": days["fine_gold_g"].round(3).tolist(), "marker": {"color": GOLD}},
        {"type": "scatter", "mode": "lines+markers", "name": "amount (CNY)",
         "x": days["day"].tolist(), "y": days["amount_cny"].round(2).tolist(), "yaxis": "y2",
         "line": {"color": "#4c78a8"}}],
        "layout": _layout(title, xaxis={"type": "date"},
                          yaxis={"title": {"text": "g"}, "rangemode": "tozero"},
                          yaxis2={"title": {"text": "CNY"}, "overlaying": "y",
                                  "side": "right", "rangemode": "tozero"},
                          margin={"l": 50, "r": 70, "t": 40, "b": 40})}


def mass_balance_chart(balances: list[dict[str, Any]]) -> Figure:
    """Declared against assayed fine gold of each lot (g), lots beyond tolerance in red."""
    lots = [b["lot"] for b in balances]
    colours = [STATUS_COLOURS["off_track"] if b["status"] == "exception" else
               STATUS_COLOURS["on_track"] if b["status"] == "balanced" else GREY
               for b in balances]
    return {"data": [
        {"type": "bar", "name": "declared at the counters (g)", "x": lots,
         "y": [b["declared_g"] for b in balances], "marker": {"color": GOLD}},
        {"type": "bar", "name": "assayed by the refiner (g)", "x": lots,
         "y": [b["assayed_g"] for b in balances], "marker": {"color": colours}}],
        "layout": _layout("Fine-gold mass balance of the lots", barmode="group",
                          xaxis={"type": "category"}, yaxis={"title": {"text": "g"}})}


def custody_sankey(graph: dict[str, list[dict[str, Any]]], max_purchases: int = 40) -> Figure:
    """The chain of custody of a bar as a Sankey diagram of fine gold (g): purchases (or their
    shops, when more than ``max_purchases``) → lots as declared → melt and assay → the bar,
    with what the melt lost and what the lots kept for other bars."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    bar = next(n for n in graph["nodes"] if n["kind"] == "bar")
    purchases = [n for n in graph["nodes"] if n["kind"] == "purchase"]
    labels: list[str] = []
    colours: list[str] = []
    index: dict[str, int] = {}
    links: dict[tuple[int, int], float] = {}

    def node(key: str, label: str, kind: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            colours.append(CUSTODY_COLOURS[kind])
        return index[key]

    def flow(source: int, target: int, grams: float) -> None:
        if grams > 0.0005:
            links[(source, target)] = links.get((source, target), 0.0) + grams

    by_shop = len(purchases) > max_purchases
    for p in purchases:
        source = (node(f"shop:{p['recycler']}/{p['shop']}", f"shop {p['recycler']}/{p['shop']}",
                       "shop") if by_shop else
                  node(p["id"], f"#{p['seq']} {p['item_type']} {p['seller_id_masked']}",
                       "purchase"))
        lot = nodes[f"lot:{p['lot']}"]
        flow(source, node(lot["id"], f"lot {lot['lot']} declared {lot['declared_g']:,.3f} g",
                          "lot"), float(p["fine_gold_g"]))
    target = node(bar["id"], f"bar {bar['serial']} {bar['fine_gold_g']:,.3f} g", "bar")
    for edge in graph["edges"]:
        if edge["target"] != bar["id"]:
            continue
        lot = nodes[edge["source"]]
        declared, assayed = float(lot["declared_g"]), float(lot["assayed_g"] or 0.0)
        lot_node = node(lot["id"], f"lot {lot['lot']} declared {declared:,.3f} g", "lot")
        assay = node(f"assay:{lot['lot']}", f"melt and assay {lot['lot']}: {assayed:,.3f} g "
                     f"({lot['status']})", "assay")
        flow(lot_node, assay, min(declared, assayed))
        flow(lot_node, node("loss", "lost in the melt", "loss"), declared - assayed)
        flow(assay, target, float(edge["fine_gold_g"]))
        flow(assay, node("stock", "kept for other bars", "stock"),
             assayed - float(edge["fine_gold_g"]))
    return {"data": [{
        "type": "sankey", "arrangement": "snap", "valueformat": ",.3f", "valuesuffix": " g",
        "node": {"label": labels, "color": colours, "pad": 12, "thickness": 14},
        "link": {"source": [s for s, _ in links], "target": [t for _, t in links],
                 "value": [round(v, 3) for v in links.values()]}}],
        "layout": _layout(f"Fine gold from the counters into bar {bar['serial']}",
                          height=max(360, min(1200, 14 * len(labels))))}


# --- processing plants -------------------------------------------------------------------------

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
            ("utilisation_rate", "utilised / generated (plan)", GOLD, "solid"),
            ("comprehensive_utilisation_rate", "comprehensive rate", "#4c78a8", "dot"))]
    data.append({"type": "scatter", "mode": "lines", "name": f"target {target_pct:g} %",
                 "x": labels, "y": [target_pct] * len(labels),
                 "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}})
    return {"data": data, "layout": _layout(title, xaxis={"type": "category"},
                                            yaxis={"title": {"text": "%"},
                                                   "rangemode": "tozero"})}


def waste_routes_chart(frame: pd.DataFrame, x: str, title: str,
                       generated: bool = True) -> Figure:
    """Utilised solid waste per ``x`` stacked by route (``utilised_<route>_t``, t), with the
    tonnes generated as a line when ``generated``."""
    labels = frame[x].astype(str).tolist()
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": route.replace("_", " "), "x": labels,
         "y": frame[f"utilised_{route}_t"].astype(float).round(1).tolist(),
         "marker": {"color": colour}}
        for route, colour in WASTE_ROUTE_COLOURS.items()]
    if generated:
        data.append({"type": "scatter", "mode": "lines+markers", "name": "generated",
                     "x": labels, "y": frame["generated_t"].astype(float).round(1).tolist(),
                     "line": {"color": "#24292f"}})
    return {"data": data, "layout": _layout(title, barmode="stack", xaxis={"type": "category"},
                                            yaxis={"title": {"text": "t"}})}


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
                "fillcolor": "rgba(184,134,11,0.2)", "name": f"± {k:g} sd",
                "showlegend": True},
        {"type": "scatter", "mode": "lines+markers", "name": "recovery", "x": x,
         "y": pct.round(4).tolist(), "line": {"color": GOLD}}],
        "layout": _layout("Recovery of the monthly metal accounts",
                          xaxis={"type": "category"}, yaxis={"title": {"text": "%"}})}


def unaccounted_chart(accounts: pd.DataFrame) -> Figure:
    """Unaccounted gold per month (``unaccounted_g``, g) with the bars of its interval
    (``ci_low_g`` to ``ci_high_g``); a month whose interval excludes 0 in red."""
    value = accounts["unaccounted_g"].astype(float)
    low, high = accounts["ci_low_g"].astype(float), accounts["ci_high_g"].astype(float)
    significant = (low > 0) | (high < 0)
    return {"data": [{
        "type": "scatter", "mode": "markers", "name": "unaccounted gold",
        "x": accounts["period"].astype(str).tolist(), "y": value.round(3).tolist(),
        "error_y": {"type": "data", "symmetric": False, "array": (high - value).round(3)
                    .tolist(), "arrayminus": (value - low).round(3).tolist(),
                    "color": GREY},
        "marker": {"size": 8, "color": [STATUS_COLOURS["off_track"] if s else GOLD
                                        for s in significant]}}],
        "layout": _layout("Unaccounted gold with its 95 % interval", xaxis={"type": "category"},
                          yaxis={"title": {"text": "g"}, "zeroline": True,
                                 "zerolinecolor": "#24292f"})}


def sig_text(value: float | None) -> str:
    """A measured value as text: whole units from 1,000 up, else four significant
    digits; a dash for a missing value."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def pm_text(value: float | None, sd: float | None) -> str:
    """A value with its standard deviation as text (``2,000 ± 30``)."""
    return f"{sig_text(value)} ± {sig_text(sd)}"


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
    measured = definition.get("measurements") or {}
    values, colours, hover = [], [], []
    for stream in definition["streams"]:
        name = stream["name"]
        est = adjusted.get(name)
        meas = measured.get(name) or {}
        mass = meas.get("mass")
        lines = [f"<b>{name}</b> {stream['from']} → {stream['to']}"
                 + (" · <b>gross error</b>" if name in flagged else ""),
                 "mass: measured " + (pm_text(*mass) if mass else "–")
                 + (f"; adjusted {pm_text(est['mass'], est['mass_sd'])}" if est else "")]
        assays = meas.get("assays") or {}
        for comp in sorted(set(assays) | set((est or {}).get("assays") or {})):
            m = assays.get(comp)
            line = f"{comp} g/t: measured " + (pm_text(*m) if m else "–")
            if est:
                line += f"; adjusted {pm_text(est['assays'][comp], est['assays_sd'][comp])}"
            lines.append(line)
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
        "layout": _layout(title, height=520)}
