"""The ventilation pages' charts: the 3D view holds the whole network and its camera sees
it all; fan curves drawn only where they are a fan's (pressure 0 or more, up to free
delivery or the table's end); the VOD chart marks measured flows only once read."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aurum.api.charts.ventilation import fan_curves, free_delivery, network_3d
from aurum.api.charts.vod import vod_flows_chart
from aurum.demo.seed.ventilation import deep_mine_network


def test_the_3d_view_fits_the_whole_network() -> None:
    doc = deep_mine_network(1450.0)
    nodes = [{"name": n["name"], "x3": n["x"], "y3": n["y"], "z": n["z"]} for n in doc["nodes"]]
    branches = [{"name": b["name"], "from": b["from"], "to": b["to"], "flow_m3s": 10.0,
                 "drop_pa": 1.0, "kind": "airway"} for b in doc["branches"]]
    figure = network_3d(nodes, branches, "3D")
    assert figure is not None
    scene = figure["layout"]["scene"]
    for axis, key in (("xaxis", "x3"), ("yaxis", "y3"), ("zaxis", "z")):
        low, high = scene[axis]["range"]
        assert all(low < n[key] < high for n in nodes), axis
    ratio = scene["aspectratio"]
    assert max(ratio.values()) == 1.0 and min(ratio.values()) >= 0.25  # not a flat sheet
    eye = scene["camera"]["eye"]
    # The eye stands outside the box (half its ratio each way from the centre).
    assert math.hypot(eye["x"], eye["y"], eye["z"]) > math.hypot(*ratio.values())


def test_fan_curves_end_at_free_delivery() -> None:
    fans = {"main": {"flow_m3s": 324.0, "pressure_pa": 499.0, "warnings": [],
                     "curve": {"coefficients": [2600.0, 0.0, -0.02]}},
            "tab": {"flow_m3s": 20.0, "pressure_pa": 300.0, "warnings": [],
                    "curve": {"table": [[0, 800], [20, 300], [30, 0], [40, -500]]}}}
    figure = fan_curves(fans, "fans")
    main, tab = (t for t in figure["data"] if t["mode"] == "lines")
    assert min(main["y"]) >= 0 and main["y"][0] == 2600.0
    assert main["x"][-1] == pytest.approx(math.sqrt(2600 / 0.02), abs=1e-3)
    assert tab["x"] == [0.0, 20.0, 30.0] and min(tab["y"]) == 0.0
    assert free_delivery(600.0, -10.0, 0.0) == 60.0
    assert free_delivery(600.0, 0.0, 0.05) is None  # rises for ever: no free delivery


def test_measured_flows_only_once_read() -> None:
    places = pd.DataFrame({"place": ["east", "west"], "required_m3s": [45.0, 13.3],
                           "delivered_m3s": [46.0, 20.0], "measured_m3s": [None, None]})
    figure = vod_flows_chart(places)
    assert figure is not None and len(figure["data"]) == 2  # no measured markers
    read = vod_flows_chart(places.assign(measured_m3s=[30.0, None]))
    assert read is not None
    measured = read["data"][-1]
    assert measured["x"] == ["east"] and measured["y"] == [30.0]
