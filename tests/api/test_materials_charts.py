"""The shelf product's control chart: the batch axis sits under the spread panel."""

from aurum.api.charts.materials import control_chart


def test_the_batch_axis_is_under_the_spread_panel():
    entry = {"lower": 99.99, "upper": None, "chart": {
        "kind": "i_mr", "batches": ["B-1", "B-2", "B-3"], "location": [99.995, 99.996, 99.994],
        "spread": [0.001, 0.002], "beyond": [],
        "location_limits": {"center": 99.995, "upper": 99.999, "lower": 99.991},
        "spread_limits": {"center": 0.0015, "upper": 0.005, "lower": 0.0}}}
    layout = control_chart("Purity", "%", entry)["layout"]
    # Under the upper panel, slanted batch codes ran into the spread panel below it.
    assert layout["xaxis"]["anchor"] == "y2"
    assert layout["yaxis2"]["domain"][0] == 0.0
