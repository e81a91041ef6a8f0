"""The generated level mine (:mod:`aurum.ventilation.examples`): its junctions and airways
counted from the shape, an airway left out when given none, the layout when asked for."""

from __future__ import annotations

from typing import Any

import pytest

from aurum.ventilation.examples import level_mine
from aurum.ventilation.network import Network, solve


def plain(kind: str, level: int, place: int) -> dict[str, Any] | None:
    if kind in ("ramp", "leak"):
        return None
    if kind == "main_fan":
        return {"resistance": 0.001, "fan": {"coefficients": [2000.0, 0.0, -0.05]}}
    return {"resistance": 0.05}


def test_the_shape_counts() -> None:
    levels, places = 3, 4
    doc = level_mine([-100.0, -200.0, -300.0], places, plain)
    # Surface and fanhouse, each level its two stations and its places.
    assert len(doc["nodes"]) == 2 + levels * (places + 2)
    # The fan; each level down, up, in, along × (places − 1), out; raises below the top.
    assert len(doc["branches"]) == 1 + levels * (3 + places) + (levels - 1) * places
    assert not any(b["name"].startswith("leak") for b in doc["branches"])
    assert all(set(n) == {"name", "z"} for n in doc["nodes"])
    solution = solve(Network.from_mapping(doc), "newton")
    assert solution.max_node_imbalance_m3s < 1e-9


def test_a_ramp_and_a_layout() -> None:
    def with_ramp(kind: str, level: int, place: int) -> dict[str, Any] | None:
        return {"resistance": 0.02} if kind in ("ramp", "ramp_crosscut", "portal_entry") \
            else plain(kind, level, place)
    doc = level_mine([-100.0, -200.0], 1, with_ramp, x_m=[0.0, 50.0, 100.0],
                     ramp_xy_m=(-30.0, 10.0))
    nodes = {n["name"]: n for n in doc["nodes"]}
    assert nodes["portal"] == {"name": "portal", "z": 0.0, "x": -30.0, "y": 0.0}
    assert nodes["ramp2"] == {"name": "ramp2", "z": -200.0, "x": -30.0, "y": 10.0}
    assert nodes["rr1"]["x"] == 100.0 and nodes["l2_0"]["x"] == 50.0
    assert {"portal_entry", "ramp_1", "xr2"} <= {b["name"] for b in doc["branches"]}
    with pytest.raises(ValueError, match="x_m"):
        level_mine([-100.0], 1, plain, x_m=[0.0])
