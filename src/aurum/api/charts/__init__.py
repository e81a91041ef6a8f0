"""Plotly figures (as plain JSON-ready dictionaries) for the pages. Presentation only.

One module per kind of page (what the charts show); ``common`` holds the colours, the base
layout and the generic bar, line and stacked-bar charts. Routers use ``charts.<name>``.
"""

from aurum.api.charts.common import (
    GOLD,
    GREY,
    STATUS_COLOURS,
    Figure,
    bars,
    stacked_totals,
    time_series,
)
from aurum.api.charts.indicators import capacity_vs_floor, resources_by_category, trajectory
from aurum.api.charts.jobs import job_durations
from aurum.api.charts.maps import province_map, site_map
from aurum.api.charts.planning import (
    PUSHBACK_COLOURS,
    cutoff_chart,
    pit_by_pit_chart,
    pit_shell_3d,
    scenario_comparison,
)
from aurum.api.charts.processing import (
    WASTE_ROUTE_COLOURS,
    circuit_sankey,
    pm_text,
    recovery_chart,
    sig_text,
    unaccounted_chart,
    utilisation_rate_chart,
    waste_routes_chart,
)
from aurum.api.charts.prospect import prospect_heatmap, roc_curve_chart, success_rate_chart
from aurum.api.charts.recycling import (
    CUSTODY_COLOURS,
    custody_sankey,
    mass_balance_chart,
    recycling_daily,
)
from aurum.api.charts.resources import (
    blocks_3d,
    drillholes_3d,
    grade_tonnage_chart,
    latest_by_category,
    log_probability_chart,
    plan_view,
    reserve_movements_chart,
    section_view,
    swath_chart,
    variogram_chart,
    waterfall_chart,
)
from aurum.api.charts.safety import (
    ALARM_COLOURS,
    age_distribution,
    alarm_levels_chart,
    alerts_chart,
    clearing_by_province,
    hazard_map,
    hazard_timeline,
    indicator_history,
    sensor_levels_chart,
)
from aurum.api.charts.seismic import (
    b_value_time_chart,
    energy_moment_chart,
    frequency_magnitude_chart,
    magnitude_time_chart,
    seismic_events_3d,
)

__all__ = [
    "ALARM_COLOURS", "CUSTODY_COLOURS", "GOLD", "GREY", "PUSHBACK_COLOURS",
    "STATUS_COLOURS", "WASTE_ROUTE_COLOURS", "Figure", "age_distribution", "alarm_levels_chart",
    "alerts_chart", "b_value_time_chart", "bars", "blocks_3d", "capacity_vs_floor",
    "circuit_sankey", "clearing_by_province", "custody_sankey", "cutoff_chart", "drillholes_3d",
    "energy_moment_chart", "frequency_magnitude_chart", "grade_tonnage_chart", "hazard_map",
    "hazard_timeline", "indicator_history", "job_durations", "latest_by_category",
    "log_probability_chart", "magnitude_time_chart",
    "mass_balance_chart", "pit_by_pit_chart", "pit_shell_3d", "plan_view", "pm_text",
    "prospect_heatmap", "province_map", "recovery_chart", "recycling_daily",
    "reserve_movements_chart", "resources_by_category", "roc_curve_chart",
    "scenario_comparison", "section_view", "seismic_events_3d", "sensor_levels_chart",
    "sig_text", "site_map",
    "stacked_totals", "success_rate_chart", "swath_chart", "time_series", "trajectory",
    "unaccounted_chart", "utilisation_rate_chart", "variogram_chart", "waste_routes_chart",
    "waterfall_chart",
]
