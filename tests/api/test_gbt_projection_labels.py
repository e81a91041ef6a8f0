"""The projection's hole labels: every pierce point named on hover, printed only where its
nearest other point is farther than LABEL_CLEARANCE of the axis span, so a dense core stays
readable."""

from __future__ import annotations

import numpy as np

from aurum.api.charts.gbt import LABEL_CLEARANCE, clear_of_others, longitudinal_projection

SQUARE = {"polygon_u": [0.0, 1.0, 1.0, 0.0], "polygon_v": [0.0, 0.0, 1.0, 1.0],
          "category": "measured", "tonnes": 10.0, "grade": 3.0, "thickness_h_m": 2.0}


def test_a_dense_core_is_named_on_hover_only() -> None:
    # A 500 m outline (span 500 m: labels need 25 m of room), four holes 100 m apart and a
    # core of nine holes 5 m apart.
    spread = [(100.0, 100.0), (400.0, 100.0), (100.0, 400.0), (400.0, 400.0)]
    core = [(240.0 + 5 * i, 240.0 + 5 * j) for i in range(3) for j in range(3)]
    blocks = [SQUARE | {"hole": f"H{k}", "u": u, "v": v}
              for k, (u, v) in enumerate(spread + core)]
    outline = [(0.0, 0.0), (500.0, 0.0), (500.0, 500.0), (0.0, 500.0)]
    figure = longitudinal_projection(blocks, outline, {"measured": "探明"}, "t")
    points = figure["data"][-1]
    assert points["hovertext"] == [b["hole"] for b in blocks]
    assert points["text"] == ["H0", "H1", "H2", "H3"] + [""] * 9


def test_the_rule_at_its_bound_and_by_blocks_of_rows() -> None:
    span = 100.0
    gap = LABEL_CLEARANCE * span
    u = np.array([0.0, gap * 1.01, 50.0, 50.0 + gap * 0.99])
    v = np.zeros(4)
    assert clear_of_others(u, v, [0.0, span], [0.0, 0.0]).tolist() == [True, True, False,
                                                                         False]
    # More points than one block of rows: the same answer as all pairs at once.
    rng = np.random.default_rng(7)
    u, v = rng.uniform(0, 1000, 700), rng.uniform(0, 1000, 700)
    d = np.hypot(u[:, None] - u[None, :], v[:, None] - v[None, :])
    np.fill_diagonal(d, np.inf)
    extent = [0.0, 1000.0]
    np.testing.assert_array_equal(clear_of_others(u, v, extent, extent),
                                  d.min(axis=1) > LABEL_CLEARANCE * 1000.0)
    assert clear_of_others(np.array([1.0]), np.array([1.0]), [1.0], [1.0]).tolist() == [True]
