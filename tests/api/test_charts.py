"""The chart package: its shared pieces draw what the charts drew before they were factored."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurum.api import charts
from aurum.api.charts.common import (
    INDICATOR_COLOURS,
    LEGEND,
    REPORT_STATE_COLOURS,
    STATUS_COLOURS,
    china_axes,
    colour_of,
    count_axis,
)
from aurum.industry.kpi import INDICATOR_IDS, IndicatorResult, Status
from aurum.services.safety import HAZARD_STATES


def test_hazard_timeline_orders_the_axis_by_the_registers_states() -> None:
    events = pd.DataFrame({"at": pd.to_datetime(["2024-01-01T01:00Z", "2024-01-02T02:30Z"]),
                           "to_state": ["reported", "classified"],
                           "action": ["report", "classify"], "by": ["ann", "bo"]})
    figure = charts.hazard_timeline(events, deadline="2024-01-05")
    yaxis = figure["layout"]["yaxis"]
    assert yaxis["categoryarray"] == list(HAZARD_STATES) == [
        "reported", "classified", "assigned", "rectified", "verified", "closed"]
    assert yaxis["range"] == [-0.5, 5.5]
    assert figure["data"][0]["x"] == ["2024-01-01 01:00", "2024-01-02 02:30"]


def test_reference_and_target_lines() -> None:
    bars = charts.bars(["a", "b"], [1.0, 2.0], "Output", "t", reference=1.5)
    assert bars["layout"]["shapes"] == [{
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1.5, "y1": 1.5,
        "line": {"color": "#1a7f37", "dash": "dash"}}]
    frame = pd.DataFrame({"period": ["2024", "2025"], "utilisation_rate": [0.5, 0.6],
                          "comprehensive_utilisation_rate": [0.7, 0.8]})
    target = charts.utilisation_rate_chart(frame, "period", 73.0, "Rates")["data"][-1]
    assert target == {"type": "scatter", "mode": "lines", "name": "target 73 %",
                      "x": ["2024", "2025"], "y": [73.0, 73.0],
                      "line": {"color": "#1a7f37", "dash": "dash"}}


def test_roc_and_success_rate_curves_share_the_chance_line_and_unit_axes() -> None:
    roc = charts.roc_curve_chart([0.2, 1.0], [0.6, 1.0], 0.8123, cv_note=" (5-fold)")
    success = charts.success_rate_chart([0.1, 1.0], [0.5, 1.0], 0.75)
    chance = {"type": "scatter", "mode": "lines", "name": "chance", "x": [0, 1], "y": [0, 1],
              "line": {"color": charts.GREY, "dash": "dash"}}
    assert roc["data"][1] == success["data"][1] == chance
    assert roc["data"][0]["name"] == "posterior (AUC 0.8123)"
    assert roc["data"][0]["x"] == [0.0, 0.2, 1.0]
    assert success["data"][0]["mode"] == "lines+markers"
    assert roc["layout"]["title"]["text"] == "ROC curve (5-fold)"
    assert success["layout"]["xaxis"] == {
        "title": {"text": "study area, best first (fraction)"}, "range": [0, 1],
        "automargin": True}


def test_maps_of_china_and_second_axes() -> None:
    layout = china_axes()  # the hazards' map (the provinces' map is tests/api/test_maps.py)
    assert layout["xaxis"] == {"title": {"text": "longitude (°E)"}, "range": [73, 136]}
    assert layout["yaxis"] == {"title": {"text": "latitude (°N)"}, "range": [17, 54],
                               "scaleanchor": "x"}
    curve = pd.DataFrame({"cutoff_gpt": [0.0, 1.0], "tonnes_mt": [2.0, 1.0],
                          "grade_gpt": [1.0, 2.0]})
    assert charts.grade_tonnage_chart(curve)["layout"]["yaxis2"] == {
        "title": {"text": "mean grade (g/t)"}, "overlaying": "y", "side": "right",
        "automargin": True}


def test_series_colours_repeat_after_nine_lines_and_nine_stacks() -> None:
    frame = pd.DataFrame({"period": ["2024"], **{f"c{i}": [float(i)] for i in range(10)}})
    lines = charts.time_series(frame, "period", {f"c{i}": f"c{i}" for i in range(10)}, "T", "u")
    assert [t["marker"]["color"] for t in lines["data"]][::9] == [charts.GOLD, charts.GOLD]
    stacked = pd.DataFrame({"month": ["2024-01"] * 10, "kind": [f"k{i}" for i in range(10)]})
    bars = charts.stacked_totals(stacked, "month", "kind", "Reports", "reports")
    colours = [t["marker"]["color"] for t in bars["data"]]
    assert colours[0] == colours[9] == charts.GOLD and colours[8] == "#bab0ac"


# --- every chart readable: axes that fit and say their unit, the legend outside, counts whole

def _indicator(indicator_id: str) -> IndicatorResult:
    return IndicatorResult(id=indicator_id, label=indicator_id, unit="%", quantity_unit="t",
                           baseline=1.0, current=1.1, value=3.0, target=5.0, target_max=None,
                           status=Status.AT_RISK, trajectory=((2024, 1.0), (2025, 3.0)),
                           projection_2027=6.0, gap=None, gap_unit="t of gold")


def _figures() -> dict[str, charts.Figure]:
    """A figure of every chart function with axes, on small sample data."""
    periods = pd.DataFrame({"period": ["2024-01", "2024-02"], "gold_output_t": [1.0, 2.0],
                            "utilisation_rate": [0.5, 0.6],
                            "comprehensive_utilisation_rate": [0.7, 0.8],
                            "generated_t": [10.0, 12.0], "recovery": [0.9, 0.91],
                            "recovery_sd": [0.01, 0.01], "unaccounted_g": [1.0, -2.0],
                            "ci_low_g": [-1.0, -4.0], "ci_high_g": [3.0, 0.5],
                            **{f"utilised_{r}_t": [1.0, 2.0] for r in charts.WASTE_ROUTE_COLOURS}})
    reports = pd.DataFrame({"month": ["2024-01", "2024-01", "2024-02"],
                            "status": ["submitted", "accepted", "accepted"]})
    times = pd.to_datetime(["2024-01-01T01:00Z", "2024-01-02T02:00Z", "2024-01-02T05:00Z"])
    blocks = pd.DataFrame({"x": [0.0, 10.0, 0.0, 10.0], "y": [0.0, 0.0, 10.0, 10.0],
                           "z": [0.0] * 4, "estimate": [1.0, 2.0, 3.0, 4.0]})
    curve = pd.DataFrame({"cutoff_gpt": [0.0, 1.0], "tonnes_mt": [2.0, 1.0],
                          "grade_gpt": [1.0, 2.0]})
    line = pd.DataFrame({"centre": [5.0, 15.0], "block_mean": [1.0, 2.0],
                         "sample_mean": [1.1, 1.9]})
    hazards = pd.DataFrame({"id": [1, 2], "site": ["A", "B"], "site_name": ["a", "b"],
                            "lon": [110.0, 115.0], "lat": [30.0, 35.0],
                            "state": ["reported", "closed"], "level": ["major", "general"],
                            "overdue": [True, False]})
    quakes = pd.DataFrame({"time": times, "mw": [0.5, 1.2, 0.8], "moment": [1e9, 1e10, 5e9],
                           "energy": [1e3, 1e4, 5e3]})
    return {
        "bars": charts.bars(["a", "b"], [3.0, 4.0], "T", "gold output (t)", x_title="province"),
        "bars of counts": charts.bars(["a", "b"], [3, 4], "T", "events", x_title="site",
                                      count=True),
        "time_series": charts.time_series(periods, "period", {"gold_output_t": "gold"}, "T",
                                          "gold output (t)"),
        "stacked counts": charts.stacked_totals(reports, "month", "status", "T", "reports"),
        "trajectory": charts.trajectory(_indicator("gold_output_growth_pct")),
        "capacity": charts.capacity_vs_floor(pd.DataFrame({
            "status": ["below_floor"], "site": ["P"], "site_type": ["processing_plant"],
            "daily_capacity_t": [100.0], "floor_t_per_day": [300.0]})),
        "jobs": charts.job_durations([{"id": 1, "kind": "pit_study", "state": "done",
                                       "seconds": 2.0}]),
        "pit by pit": charts.pit_by_pit_chart(pd.DataFrame({
            "factor": [0.5, 1.0], "ore_t": [1e6, 2e6], "waste_t": [3e6, 5e6],
            "best_npv": [1e7, 2e7], "worst_npv": [5e6, 1e7]})),
        "cut-offs": charts.cutoff_chart(curve, {"break-even": 0.5}),
        "roc": charts.roc_curve_chart([0.2, 1.0], [0.6, 1.0], 0.8),
        "success": charts.success_rate_chart([0.1, 1.0], [0.5, 1.0], 0.75),
        "prospect": charts.prospect_heatmap([0.0, 1.0], [0.0, 1.0], [[1.0, 2.0], [3.0, 4.0]],
                                            "T"),
        "utilisation": charts.utilisation_rate_chart(periods, "period", 35.0, "T"),
        "waste routes": charts.waste_routes_chart(periods, "period", "T"),
        "recovery": charts.recovery_chart(periods),
        "unaccounted": charts.unaccounted_chart(periods),
        "recycling daily": charts.recycling_daily(pd.DataFrame({
            "business_date": ["2024-01-01", "2024-01-02"], "fine_gold_g": [3.0, 4.0],
            "amount_cny": [1500.0, 2000.0]})),
        "mass balance": charts.mass_balance_chart([
            {"lot": "L1", "status": "balanced", "declared_g": 10.0, "assayed_g": 9.9}]),
        "plan view": charts.plan_view(blocks, 0.0),
        "waterfall": charts.waterfall_chart([("opening", 10.0), ("mined", -2.0),
                                             ("closing", 8.0)], "T"),
        "variogram": charts.variogram_chart([("major", np.array([10.0]), np.array([0.5]))],
                                            [("major", np.array([10.0]), np.array([0.4]))]),
        "log probability": charts.log_probability_chart(pd.DataFrame({
            "normal_score": [-1.0, 1.0], "value": [0.5, 2.0]}), "g/t"),
        "swath": charts.swath_chart({"x": line}),
        "grade-tonnage": charts.grade_tonnage_chart(curve),
        "hazard map": charts.hazard_map(hazards),
        "hazard timeline": charts.hazard_timeline(pd.DataFrame({
            "at": times[:2], "to_state": ["reported", "classified"],
            "action": ["report", "classify"], "by": ["ann", "bo"]}), deadline="2024-01-05"),
        "clearing": charts.clearing_by_province(pd.DataFrame({
            "province": ["Shandong"], "overdue_major": [1], "open_major": [2],
            "overdue_general": [0], "open_general": [3]})),
        "ages": charts.age_distribution({"age_0_30d": 2, "age_over_180d": 1}),
        "indicator history": charts.indicator_history(pd.DataFrame({
            "as_of": ["2024-01-31", "2024-02-29"], "overdue_major": [1, 0],
            "open_major": [2, 1]})),
        "sensor levels": charts.sensor_levels_chart(pd.DataFrame({
            "time": times, "point": ["p1"] * 3, "quantity": [1.0, 2.0, 3.0]}),
            {"yellow": 2.5}, "T", "water level (m)"),
        "alerts": charts.alerts_chart(pd.DataFrame({"time": times,
                                                    "level": ["red", "blue", "red"]})),
        "alarm levels": charts.alarm_levels_chart(["TSF-1"], ["yellow"], "T"),
        "magnitudes": charts.magnitude_time_chart(quakes),
        "b-value": charts.b_value_time_chart(pd.DataFrame({
            "time": times, "b": [1.0, 1.1, 1.2], "b_std": [0.1] * 3,
            "rate_per_day": [3.0, 4.0, 5.0]})),
        "energy": charts.energy_moment_chart(quakes),
        "frequency-magnitude": charts.frequency_magnitude_chart(
            np.array([0.5, 1.2, 0.8]), 0.1, {"mc": 0.5, "a": 2.0, "b": 1.0, "b_std": 0.1}),
    }


COUNTS = {"bars of counts": "yaxis", "stacked counts": "yaxis", "clearing": "yaxis",
          "ages": "yaxis", "indicator history": "yaxis", "alerts": "yaxis",
          "frequency-magnitude": "yaxis"}
"""The figures with an axis of counts, and that axis."""
UNITLESS = {("alarm levels", "yaxis"), ("hazard timeline", "yaxis"), ("trajectory", "xaxis")}
"""Numeric axes that show named classes (warning levels, states) or calendar years rather
than quantities."""


def _numeric(figure: charts.Figure, axis: str) -> bool:
    """Whether the traces on ``axis`` plot numbers along it."""
    key = "x" if axis.startswith("x") else "y"
    on = ("y2" if axis == "yaxis2" else "y")
    values = [v for trace in figure["data"] if key == "x" or trace.get("yaxis", "y") == on
              for v in trace.get(key, []) if v is not None]
    return bool(values) and all(isinstance(v, int | float) for v in values)


def test_every_chart_fits_its_labels_says_its_units_and_keeps_the_legend_outside() -> None:
    for name, figure in _figures().items():
        layout = figure["layout"]
        assert layout["legend"] == LEGEND, name
        assert layout["legend"]["yref"] == "container" and layout["legend"]["y"] == 0
        for axis in ("xaxis", "yaxis", "yaxis2"):
            if axis not in layout:
                continue
            assert layout[axis]["automargin"] is True, (name, axis)
            title = layout[axis].get("title", {}).get("text")
            assert title, (name, axis)
            # A count's unit is what it counts ("hazards"): its title names it.
            if _numeric(figure, axis) and (name, axis) not in UNITLESS \
                    and COUNTS.get(name) != axis:
                assert "(" in title or "（" in title, (name, axis, title)
        if name in COUNTS:
            counts = layout[COUNTS[name]]
            assert counts["tickformat"] == ",d", name
            assert counts.get("dtick") == 1 or counts.get("type") == "log", name


def test_count_axes_tick_each_unit_only_while_counts_are_small() -> None:
    assert count_axis("hazards", [0, 3, 10])["dtick"] == 1
    many = count_axis("events", [0, 250.0, float("nan")])
    assert "dtick" not in many and many["tickformat"] == ",d" and many["rangemode"] == "tozero"


def test_3d_views_title_their_axes_in_metres() -> None:
    blocks = pd.DataFrame({"x": [0.0, 10.0], "y": [0.0, 0.0], "z": [0.0, -10.0],
                           "estimate": [1.0, 2.0]})
    samples = pd.DataFrame({"x": [0.0], "y": [0.0], "z": [0.0], "value": [1.0], "hole": ["H"]})
    for figure in (charts.blocks_3d(blocks, samples, 0.5), charts.drillholes_3d(samples)):
        scene = figure["layout"]["scene"]
        assert [scene[a]["title"]["text"] for a in ("xaxis", "yaxis", "zaxis")] == [
            "x (m)", "y (m)", "z (m)"]


def test_an_indicator_has_one_colour_on_every_page() -> None:
    """The dashboard's and a province's trajectories, the plant pages' utilisation rate and
    the bars and lines of an indicator's quantity draw it in the palette's colour."""
    for indicator in INDICATOR_IDS:
        assert indicator in INDICATOR_COLOURS
        line = charts.trajectory(_indicator(indicator))["data"][0]["line"]["color"]
        assert line == colour_of(indicator) == INDICATOR_COLOURS[indicator]
    assert len(set(INDICATOR_COLOURS.values())) == len(INDICATOR_COLOURS)
    waste = "solid_waste_utilisation_pct"
    frame = pd.DataFrame({"period": ["2024"], "utilisation_rate": [0.5],
                          "comprehensive_utilisation_rate": [0.6], "gold_output_t": [1.0]})
    plants = charts.utilisation_rate_chart(frame, "period", 35.0, "T")
    assert plants["data"][0]["line"]["color"] == INDICATOR_COLOURS[waste]
    share = "large_mine_output_share_pct"
    assert charts.bars(["a"], [1.0], "T", "share (%)", key=share)["data"][0]["marker"][
        "color"] == INDICATOR_COLOURS[share]
    gold = charts.time_series(frame, "period", {"gold_output_t": "gold"}, "T", "t")
    assert gold["data"][0]["marker"]["color"] == INDICATOR_COLOURS["gold_output_growth_pct"]


def test_a_status_has_one_colour_on_every_page() -> None:
    reports = pd.DataFrame({"month": ["2024-01", "2024-02"], "status": ["accepted", "draft"]})
    stacks = charts.stacked_totals(reports, "month", "status", "T", "reports")
    assert [t["marker"]["color"] for t in stacks["data"]] == [
        REPORT_STATE_COLOURS["accepted"], REPORT_STATE_COLOURS["draft"]]
    balance = charts.mass_balance_chart([{"lot": "L", "status": "exception",
                                          "declared_g": 1.0, "assayed_g": 0.5}])
    assert balance["data"][1]["marker"]["color"] == [STATUS_COLOURS["off_track"]]
    alerts = charts.alerts_chart(pd.DataFrame({"time": pd.to_datetime(["2024-01-01T00:00Z"]),
                                               "level": ["red"]}))
    assert alerts["data"][0]["marker"]["color"] == charts.ALARM_COLOURS["red"] == colour_of(
        "red")


def test_compared_scenarios_draw_a_colour_each_on_titled_axes() -> None:
    pits = [{"tonnes_t": 1e6, "value": 2e6, "best_npv": 1.5e6},
            {"tonnes_t": 3e6, "value": 4e6, "best_npv": 3e6}]
    figure = charts.scenario_comparison([("steep", pits), ("flat", pits)])
    assert [t["line"]["color"] for t in figure["data"]] == [charts.GOLD] * 2 + ["#4c78a8"] * 2
    assert figure["data"][0]["x"] == [1.0, 3.0] and figure["data"][1]["y"] == [1.5, 3.0]
    layout = figure["layout"]
    assert layout["xaxis"]["title"]["text"] == "material mined (Mt)"
    assert layout["yaxis"]["title"]["text"] == "value (M CNY)" and layout["legend"] == LEGEND
