"""The ventilation pages' charts: the 3D view holds the whole network and its camera sees
it all; fan curves drawn only where they are a fan's (pressure 0 or more, up to free
delivery or the table's end); the VOD chart marks measured flows only once read; fans and
working places are labelled by their names in the reader's language, their ids only in the
hovers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aurum.api.charts.ventilation import fan_curves, free_delivery, network_3d
from aurum.api.charts.vod import fan_speeds_chart, vod_flows_chart
from aurum.core import i18n
from aurum.demo.seed.ventilation import deep_mine_network
from aurum.services.ventilation import network_names


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


def test_charts_label_fans_and_places_by_name_the_id_in_the_hover() -> None:
    doc = deep_mine_network(900.0)
    for branch in doc["branches"]:
        if branch["name"] == "main_fan":
            branch |= {"label": "main fan", "label_zh": "主通风机"}
        if branch["name"] == "raise_900":  # a branch the document leaves unnamed
            branch.pop("label", None)
            branch.pop("label_zh", None)
    with i18n.using("zh_CN"):
        names = network_names(doc)
        fans = fan_curves({"main_fan": {"flow_m3s": 300.0, "pressure_pa": 500.0,
                                        "warnings": [],
                                        "curve": {"coefficients": [2600.0, 0.0, -0.02]}}},
                          "fans", names)
        places = pd.DataFrame({"place": ["stope_900"], "required_m3s": [20.0],
                               "delivered_m3s": [21.0], "measured_m3s": [None]})
        flows = vod_flows_chart(places, names)
        power = fan_speeds_chart({"main_fan": 0.8}, {"main_fan": 50.0}, {"main_fan": 200.0},
                                 names)
    assert names["main_fan"] == "主通风机" and names["stope_900"] == "-900 米中段房式采场"
    assert names["raise_900"] == "raise_900"  # no name: the id stands for itself
    curve = fans["data"][0]
    assert curve["name"] == "主通风机" and curve["hovertext"] == "主通风机 (main_fan)"
    assert flows is not None and flows["data"][0]["x"] == ["-900 米中段房式采场"]
    assert flows["data"][0]["hovertext"] == ["-900 米中段房式采场 (stope_900)"]
    assert power is not None and power["data"][1]["x"] == ["主通风机"]
    with i18n.using("en"):
        assert network_names(doc)["main_fan"] == "main fan"
