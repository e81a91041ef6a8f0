"""The stopes' 3D chart shows its whole scene: the box scaled so its longest side is 1
(``aspectmode: manual``, not Plotly's ``data``, which scales it to unit volume and let a long
orebody's foot be clipped), the axes holding every stope, the camera outside the box."""

from __future__ import annotations

import math

import pytest

from aurum.api.charts.underground import stopes_3d


def _stope(n: int) -> dict[str, object]:
    return {"id": n, "level": -1200, "period": n, "month": f"2027-0{n}", "ore_t": 1e4,
            "value_cny": 1e6, "x_min": 50.0 * n, "x_max": 50.0 * n + 40.0,
            "y_min": -60.0, "y_max": 60.0, "z_min": -1230.0, "z_max": -1140.0}


def test_the_scene_is_scaled_to_its_longest_side_and_seen_from_outside() -> None:
    stopes = [_stope(n) for n in range(1, 7)]
    scene = stopes_3d(stopes, [], "stopes")["layout"]["scene"]
    assert scene["aspectmode"] == "manual"
    ratio = scene["aspectratio"]
    spans = {a: scene[f"{a}axis"]["range"][1] - scene[f"{a}axis"]["range"][0] for a in "xyz"}
    assert max(ratio.values()) == 1.0
    # True proportions: x spans 290 m (+ margins), y 120 m, z 90 m.
    assert ratio["y"] == pytest.approx(spans["y"] / spans["x"], abs=1e-4)
    assert ratio["z"] == pytest.approx(spans["z"] / spans["x"], abs=1e-4)
    assert scene["xaxis"]["range"][0] < 50.0 and scene["xaxis"]["range"][1] > 340.0
    eye = scene["camera"]["eye"]
    # Outside the box's corners (half its ratio each way from the centre).
    assert math.hypot(*eye.values()) > math.hypot(*ratio.values()) / 2
