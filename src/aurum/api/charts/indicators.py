"""Charts of the industry indicators: trajectories and new plants against the plan's floor
(the maps of provinces and sites are in :mod:`aurum.api.charts.maps`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    GREY,
    STATUS_COLOURS,
    Figure,
    axis,
    base_layout,
    colour_of,
    time_series,
)
from aurum.api.labels import label
from aurum.core.i18n import _
from aurum.industry.kpi import IndicatorResult
from aurum.resources.gbt17766 import RESOURCE_CODES


def trajectory(ind: IndicatorResult, target_year: int = 2027) -> Figure:
    """The indicator from the baseline year, its projection to 2027 and the target."""
    years = [y for y, _ in ind.trajectory]
    values = [v for _, v in ind.trajectory]
    colour = colour_of(ind.id)
    data: list[dict[str, Any]] = [{"type": "scatter", "mode": "lines+markers", "name": _("actual"),
                                   "x": years, "y": values, "line": {"color": colour}}]
    if years and ind.projection_2027 is not None:
        data.append({"type": "scatter", "mode": "lines", "name": _("projection"),
                     "x": [years[-1], target_year], "y": [values[-1], ind.projection_2027],
                     "line": {"color": colour, "dash": "dot"}})
    x0 = years[0] if years else target_year - 3
    data.append({"type": "scatter", "mode": "lines",
                 "name": _("target %(target)s %%", target=format(ind.target, "g")),
                 "x": [x0, target_year], "y": [ind.target, ind.target],
                 "line": {"color": STATUS_COLOURS["on_track"], "dash": "dash"}})
    if ind.target_max is not None:
        data.append({"type": "scatter", "mode": "lines",
                     "name": _("upper %(target)s %%", target=format(ind.target_max, "g")),
                     "x": [x0, target_year], "y": [ind.target_max, ind.target_max],
                     "line": {"color": GREY, "dash": "dash"}})
    return {"data": data, "layout": base_layout(label(ind.id),
                                                xaxis=axis(_("year"), dtick=1),
                                                yaxis=axis(_("value (%(unit)s)",
                                                             unit=label(ind.unit))))}


def resources_by_category(table: pd.DataFrame) -> Figure:
    """The resources indicator's contained gold by GB/T 17766-2020 category (探明, 控制,
    推断, their CRIRSCO names beside) and year, stacked: each bar is the indicator's quantity
    of its year (:func:`aurum.industry.aggregate.resources_by_category`)."""
    series = {f"resources_{code}_t": label(code) for code in RESOURCE_CODES}
    figure = time_series(table, "year", series,
                         _("Gold resources by GB/T 17766-2020 category"),
                         _("contained gold (t)"), stacked=True)
    figure["layout"]["xaxis"]["dtick"] = 1
    return figure


def capacity_vs_floor(plants: pd.DataFrame) -> Figure:
    """New plants' design capacity against the plan's floor for their type (log scale)."""
    colours = [STATUS_COLOURS["off_track"] if s == "below_floor" else STATUS_COLOURS["on_track"]
               for s in plants["status"]]
    names = [f"{site} {label(kind)}" for site, kind in zip(plants["site"], plants["site_type"],
                                                          strict=True)]
    return {"data": [
        {"type": "bar", "name": _("design capacity"), "x": names,
         "y": plants["daily_capacity_t"].astype(float).tolist(),
         "marker": {"color": colours}},
        {"type": "scatter", "mode": "markers", "name": _("floor"), "x": names,
         "y": plants["floor_t_per_day"].astype(float).tolist(),
         "marker": {"symbol": "line-ew-open", "size": 30, "color": "#000",
                    "line": {"width": 3}}}],
        "layout": base_layout(_("New plants: design capacity against the plan's floor"),
                              xaxis=axis(_("plant")),
                              yaxis=axis(_("design capacity (t/d)"), type="log"), height=360)}
