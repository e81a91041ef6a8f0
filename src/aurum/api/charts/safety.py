"""Charts of work safety: the hazard register, its clearing and the sensors' alarm levels."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    STATUS_COLOURS,
    Figure,
    base_layout,
    china_axes,
    horizontal_line,
    legend_line,
    target_line,
    utc_text,
)
from aurum.services.safety import HAZARD_STATES

ALARM_COLOURS = {"none": "#8c959f", "blue": "#1f6feb", "yellow": "#d4a72c",
                 "orange": "#f0883e", "red": "#cf222e"}


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
    return {"data": data, "layout": base_layout("Hazards by site", height=420, **china_axes())}


def hazard_timeline(events: pd.DataFrame, deadline: Any = None) -> Figure:
    """A hazard's path through the register's states over time, with its deadline."""
    times = utc_text(events["at"])
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
    return {"data": data, "layout": base_layout(
        "Timeline", shapes=shapes, xaxis={"type": "date"},
        yaxis={"type": "category", "categoryorder": "array",
               "categoryarray": list(HAZARD_STATES),
               "range": [-0.5, len(HAZARD_STATES) - 0.5]})}


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
            "layout": base_layout("Open hazards by province", barmode="stack",
                                  yaxis={"title": {"text": "hazards"}})}


def age_distribution(ages: dict[str, int]) -> Figure:
    """Open hazards by age class (days since the report)."""
    labels = [k.removeprefix("age_").replace("_", "–").replace("over–", "over ")
              .replace("d", " d") for k in ages]
    return {"data": [{"type": "bar", "x": labels, "y": list(ages.values()),
                      "marker": {"color": GOLD}}],
            "layout": base_layout("Age of the open hazards", yaxis={"title": {"text": "hazards"}},
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
        target_line(x, target, f"target {target:g}")],
        "layout": base_layout("Open major hazards past their deadline (target 0)",
                              yaxis={"title": {"text": "hazards"}, "rangemode": "tozero"})}


def sensor_levels_chart(series: pd.DataFrame, thresholds: dict[str, float], title: str,
                        unit: str) -> Figure:
    """Readings of one quantity (``time``, ``point``, ``quantity``) with the alarm levels
    as horizontal lines in the warning colours."""
    palette = ["#24292f", "#4c78a8", "#54a24b", "#72b7b2", "#9d755d", GOLD]
    data: list[dict[str, Any]] = []
    for k, (point, part) in enumerate(series.groupby("point", sort=True)):
        data.append({"type": "scatter", "mode": "lines", "name": str(point),
                     "x": utc_text(part["time"]),
                     "y": part["quantity"].astype(float).round(4).tolist(),
                     "line": {"color": palette[k % len(palette)], "width": 1.5}})
    shapes = [horizontal_line(value, {"color": ALARM_COLOURS[level], "dash": "dash",
                                      "width": 1.5})
              for level, value in thresholds.items()]
    for level, value in thresholds.items():  # legend entries for the lines
        data.append(legend_line(f"{level} {value:g}",
                                {"color": ALARM_COLOURS[level], "dash": "dash"}))
    return {"data": data, "layout": base_layout(title, shapes=shapes, height=320,
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
    return {"data": data, "layout": base_layout("Alerts per day", barmode="stack",
                                                xaxis={"type": "date"},
                                                yaxis={"title": {"text": "alerts"}})}


def alarm_levels_chart(names: list[str], levels: list[str], title: str) -> Figure:
    """Current alarm level of several facilities or sensors (0 none .. 4 red)."""
    order = list(ALARM_COLOURS)
    return {"data": [{"type": "bar", "x": names, "y": [order.index(lv) for lv in levels],
                      "text": levels, "marker": {"color": [ALARM_COLOURS[lv] for lv in levels]}}],
            "layout": base_layout(title, yaxis={"title": {"text": "level"}, "range": [0, 4.2],
                                                "tickvals": list(range(5)), "ticktext": order})}
