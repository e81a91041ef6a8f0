"""The chart package: its shared pieces draw what the charts drew before they were factored."""

from __future__ import annotations

import pandas as pd

from aurum.api import charts
from aurum.api.charts.common import china_axes
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
    assert success["layout"]["xaxis"] == {"title": {"text": "fraction of study area"},
                                          "range": [0, 1]}


def test_maps_of_china_and_second_axes() -> None:
    layout = china_axes()  # the hazards' map (the provinces' map is tests/api/test_maps.py)
    assert layout["xaxis"] == {"title": {"text": "longitude (°E)"}, "range": [73, 136]}
    assert layout["yaxis"] == {"title": {"text": "latitude (°N)"}, "range": [17, 54],
                               "scaleanchor": "x"}
    curve = pd.DataFrame({"cutoff_gpt": [0.0, 1.0], "tonnes_mt": [2.0, 1.0],
                          "grade_gpt": [1.0, 2.0]})
    assert charts.grade_tonnage_chart(curve)["layout"]["yaxis2"] == {
        "title": {"text": "g/t"}, "overlaying": "y", "side": "right"}


def test_series_colours_repeat_after_six_lines_and_nine_stacks() -> None:
    frame = pd.DataFrame({"period": ["2024"], **{f"c{i}": [float(i)] for i in range(7)}})
    lines = charts.time_series(frame, "period", {f"c{i}": f"c{i}" for i in range(7)}, "T", "u")
    assert [t["marker"]["color"] for t in lines["data"]][::6] == [charts.GOLD, charts.GOLD]
    stacked = pd.DataFrame({"month": ["2024-01"] * 10, "kind": [f"k{i}" for i in range(10)]})
    bars = charts.stacked_totals(stacked, "month", "kind", "Reports", "reports")
    colours = [t["marker"]["color"] for t in bars["data"]]
    assert colours[0] == colours[9] == charts.GOLD and colours[8] == "#bab0ac"
