"""Charts of work safety: the hazard register, its clearing and the sensors' alarm levels."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    ALARM_COLOURS,
    GOLD,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    china_axes,
    count_axis,
    horizontal_line,
    legend_line,
    target_line,
    utc_text,
)
from aurum.api.labels import label
from aurum.core.i18n import _
from aurum.services.safety import HAZARD_STATES


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
    classes = ((_("major hazard past deadline"), per_site["overdue_major"] > 0,
                STATUS_COLOURS["off_track"]),
               (_("major hazard open"), (per_site["major"] > 0) & (per_site["overdue_major"] == 0),
                ALARM_COLOURS["orange"]),
               (_("general hazards open"), (per_site["open"] > 0) & (per_site["major"] == 0),
                GOLD),
               (_("all closed"), per_site["open"] == 0, STATUS_COLOURS["on_track"]))
    data = []
    for name, mask, colour in classes:
        part = per_site[mask]
        if part.empty:
            continue
        text = [f"{s} {n}<br>" + _("%(open)s open (%(major)s major, %(overdue)s past deadline), "
                                    "%(total)s in all", open=int(o), major=int(m),
                                    overdue=int(d), total=int(t))
                for s, n, o, m, d, t in zip(
                    part.index, part["site_name"], part["open"], part["major"],
                    part["overdue_major"], part["total"], strict=True)]
        data.append({"type": "scatter", "mode": "markers", "name": name,
                     "x": part["lon"].tolist(), "y": part["lat"].tolist(),
                     "hovertext": text, "hoverinfo": "text",
                     "marker": {"color": colour, "opacity": 0.85,
                                "size": (8 + 4 * part["open"] ** 0.5).round(1).tolist(),
                                "line": {"color": "#555", "width": 1}}})
    return {"data": data, "layout": base_layout(_("Hazards by site"), height=420, **china_axes())}


def hazard_timeline(events: pd.DataFrame, deadline: Any = None) -> Figure:
    """A hazard's path through the register's states over time, with its deadline."""
    times = utc_text(events["at"])
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers+text", "name": _("state"),
        "x": times, "y": [label(s) for s in events["to_state"]],
        "line": {"shape": "hv", "color": GOLD},
        "text": [label(a) for a in events["action"]], "textposition": "top center",
        "hovertext": [_("%(step)s by %(who)s", step=label(a), who=b)
                      for a, b in zip(events["action"], events["by"], strict=True)],
        "marker": {"size": 9}}]
    shapes = []
    if deadline is not None:
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": str(deadline),
                       "x1": str(deadline), "y0": 0, "y1": 1,
                       "line": {"color": STATUS_COLOURS["off_track"], "dash": "dash"}})
        data.append({"type": "scatter", "mode": "lines",
                     "name": _("deadline %(day)s", day=deadline),
                     "x": [str(deadline)], "y": [None],
                     "line": {"color": STATUS_COLOURS["off_track"], "dash": "dash"}})
    return {"data": data, "layout": base_layout(
        _("Timeline"), shapes=shapes, xaxis=axis(_("time (UTC)"), type="date"),
        yaxis=axis(_("state"), type="category", categoryorder="array",
                   categoryarray=[label(s) for s in HAZARD_STATES],
                   range=[-0.5, len(HAZARD_STATES) - 0.5]))}


def clearing_by_province(table: pd.DataFrame) -> Figure:
    """Open hazards per province: major and general, within and past their deadline."""
    provinces = table["province"].astype(str).tolist()
    parts = ((_("major, past deadline"), table["overdue_major"], STATUS_COLOURS["off_track"]),
             (_("major, within deadline"), table["open_major"] - table["overdue_major"],
              ALARM_COLOURS["orange"]),
             (_("general, past deadline"), table["overdue_general"], "#9d755d"),
             (_("general, within deadline"), table["open_general"] - table["overdue_general"],
              GOLD))
    return {"data": [{"type": "bar", "name": name, "x": provinces,
                      "y": values.astype(int).tolist(), "marker": {"color": colour}}
                     for name, values, colour in parts],
            "layout": base_layout(_("Open hazards by province"), barmode="stack",
                                  xaxis=axis(_("province")),
                                  yaxis=count_axis(_("open hazards"), table["open_major"]
                                                   + table["open_general"]))}


def age_distribution(ages: dict[str, int]) -> Figure:
    """Open hazards by age class (days since the report; classes ``age_<low>_<high>d``
    and ``age_over_<low>d``)."""
    names = []
    for key in ages:
        low, _sep, high = key.removeprefix("age_").removesuffix("d").partition("_")
        names.append(_("over %(days)s d", days=high) if low == "over"
                     else _("%(low)s–%(high)s d", low=low, high=high))
    return {"data": [{"type": "bar", "x": names, "y": list(ages.values()),
                      "marker": {"color": GOLD}}],
            "layout": base_layout(_("Age of the open hazards"),
                                  yaxis=count_axis(_("open hazards"), ages.values()),
                                  xaxis=axis(_("days since the report")))}


def indicator_history(frame: pd.DataFrame, target: float = 0.0) -> Figure:
    """Open major hazards past their deadline at month ends, against the target."""
    x = pd.to_datetime(frame["as_of"]).dt.strftime("%Y-%m-%d").tolist()
    return {"data": [
        {"type": "scatter", "mode": "lines+markers", "name": _("major past deadline"),
         "x": x, "y": frame["overdue_major"].tolist(),
         "line": {"color": STATUS_COLOURS["off_track"]}},
        {"type": "scatter", "mode": "lines+markers", "name": _("major open"), "x": x,
         "y": frame["open_major"].tolist(), "line": {"color": ALARM_COLOURS["orange"],
                                                     "dash": "dot"}},
        target_line(x, target, _("target %(target)s", target=format(target, "g")))],
        "layout": base_layout(_("Open major hazards past their deadline (target %(target)s)",
                                target=format(target, "g")),
                              xaxis=axis(_("month end")),
                              yaxis=count_axis(_("open major hazards"), [
                                  *frame["overdue_major"], *frame["open_major"]]))}


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
        data.append(legend_line(f"{label(level)} {value:g}",
                                {"color": ALARM_COLOURS[level], "dash": "dash"}))
    return {"data": data, "layout": base_layout(title, shapes=shapes, height=320,
                                                xaxis=axis(_("time (UTC)")),
                                                yaxis=axis(unit))}


def alerts_chart(alerts: pd.DataFrame) -> Figure:
    """Alerts per day, stacked by level."""
    days = pd.to_datetime(alerts["time"], utc=True).dt.strftime("%Y-%m-%d")
    data = []
    per_day = days.value_counts()
    for level in ("blue", "yellow", "orange", "red"):
        counts = days[alerts["level"] == level].value_counts().sort_index()
        if counts.empty:
            continue
        data.append({"type": "bar", "name": label(level), "x": counts.index.tolist(),
                     "y": counts.astype(int).tolist(),
                     "marker": {"color": ALARM_COLOURS[level]}})
    return {"data": data, "layout": base_layout(_("Alerts per day"), barmode="stack",
                                                xaxis=axis(_("day (UTC)"), type="date"),
                                                yaxis=count_axis(_("alerts"), per_day))}


def alarm_levels_chart(names: list[str], levels: list[str], title: str) -> Figure:
    """Current alarm level of several facilities or sensors (0 none .. 4 red)."""
    order = list(ALARM_COLOURS)
    return {"data": [{"type": "bar", "x": names, "y": [order.index(lv) for lv in levels],
                      "text": [label(lv) for lv in levels],
                      "marker": {"color": [ALARM_COLOURS[lv] for lv in levels]}}],
            "layout": base_layout(title, xaxis=axis(_("facility or sensor")),
                                  yaxis=axis(_("warning level"), range=[0, 4.2],
                                             tickvals=list(range(5)),
                                             ticktext=[label(lv) for lv in order]))}
