"""One colour per GB/T 17766-2020 category in every chart that colours by category (issue 19's
browser walk found 探明 blue on one page and gold on another): the resources index chart, the
dashboard's breakdown, the reserve movements chart, the GB/T projection and the PDF briefing's
chart all carry :data:`aurum.api.charts.common.CATEGORY_COLOURS`."""

from __future__ import annotations

import base64
from typing import Any

import pandas as pd

from aurum.api import charts
from aurum.api.charts.common import CATEGORY_COLOURS, colour_of
from aurum.api.charts.gbt import longitudinal_projection
from aurum.api.labels import label
from aurum.resources.gbt17766 import RESERVE_CODES, RESOURCE_CODES
from aurum.services.briefings import _resources_by_category

SQUARE = {"polygon_u": [0.0, 1.0, 1.0, 0.0], "polygon_v": [0.0, 0.0, 1.0, 1.0], "u": 0.5,
          "v": 0.5, "tonnes": 10.0, "grade": 3.0, "thickness_h_m": 2.0}


def _by_name(figure: dict[str, Any], key: str = "marker") -> dict[str, str]:
    """Each trace's colour by its name (a projection's blocks: their fill)."""
    return {t["name"]: (t["fillcolor"] if key == "fill" else t["marker"]["color"])
            for t in figure["data"] if key != "fill" or "fillcolor" in t}


def test_every_category_has_its_own_colour() -> None:
    codes = (*RESOURCE_CODES, *RESERVE_CODES)
    assert set(CATEGORY_COLOURS) == set(codes)
    assert len(set(CATEGORY_COLOURS.values())) == len(codes)
    assert all(colour_of(code) == CATEGORY_COLOURS[code] for code in codes)


def test_the_charts_carry_the_same_colour_for_each_category() -> None:
    expected = {label(code): CATEGORY_COLOURS[code] for code in RESOURCE_CODES}
    index = charts.latest_by_category(["A", "B"], {c: [1.0, 2.0] for c in RESOURCE_CODES})
    dashboard = charts.resources_by_category(pd.DataFrame(
        {"year": [2024, 2025]} | {f"resources_{c}_t": [1.0, 2.0] for c in RESOURCE_CODES}))
    items = [("opening", "opening"), ("closing", "closing")]
    movements = charts.reserve_movements_chart(
        [{"code": c, "label": label(c), "opening_metal_kg": 1.0, "closing_metal_kg": 2.0}
         for c in (*RESOURCE_CODES, "proved")], items, 2025)
    categories = {c: label(c) for c in RESOURCE_CODES}
    projection = longitudinal_projection(
        [SQUARE | {"hole": f"H{i}", "category": c} for i, c in enumerate(RESOURCE_CODES)],
        [], categories, "projection")
    for figure in (index, dashboard, movements):
        assert _by_name(figure) == expected
    assert _by_name(projection, "fill") == expected


def test_the_pdf_briefing_chart_draws_the_same_colours() -> None:
    uri = _resources_by_category(pd.DataFrame(
        {"year": [2024, 2025]} | {f"resources_{c}_t": [1.0, 2.0] for c in RESOURCE_CODES}))
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    for code in RESOURCE_CODES:
        assert CATEGORY_COLOURS[code] in svg, code
