"""Geological blocks in the vertical longitudinal projection, checked against a peer library
(shapely's GEOS Voronoi for the cells ours takes from scipy's Qhull) and closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

import aurum.resources.geoblocks as geoblocks_module
from aurum.core.errors import ValidationError
from aurum.resources.geoblocks import (
    SpacingRules,
    geological_blocks,
    read_intercepts,
    read_outline,
)

DENSITY = 2.7


def plane_frame(strike: float, dip: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors along the strike, down the dip and the upward normal (east, north, up)."""
    s, d = np.radians(strike), np.radians(dip)
    along = np.array([np.sin(s), np.cos(s), 0.0])
    # Right-hand rule: the plane dips towards strike + 90°.
    down = np.array([np.cos(d) * np.sin(s + np.pi / 2), np.cos(d) * np.cos(s + np.pi / 2),
                     -np.sin(d)])
    return along, down, np.cross(down, along)


def hole_vector(azimuth: np.ndarray, dip: np.ndarray) -> np.ndarray:
    a, b = np.radians(azimuth), np.radians(dip)
    return np.column_stack([np.cos(b) * np.sin(a), np.cos(b) * np.cos(a), -np.sin(b)])


def vein(strike: float, dip: float, along_m: np.ndarray, down_m: np.ndarray,
         true_m: np.ndarray, grade: np.ndarray, azimuth: np.ndarray, hole_dip: np.ndarray,
         ) -> pd.DataFrame:
    """Intercepts of holes through a vein of known true thickness at each pierce point: the
    along-hole length is the true thickness over the cosine between hole and normal."""
    along, down, normal = plane_frame(strike, dip)
    mid = along_m[:, None] * along + down_m[:, None] * down + np.array([5e5, 4.2e6, 300.0])
    cosine = np.abs(hole_vector(azimuth, hole_dip) @ normal)
    n = len(along_m)
    return pd.DataFrame({
        "hole": [f"ZK{i:03d}" for i in range(n)], "from_m": 100.0,
        "to_m": 100.0 + true_m / cosine, "length_m": true_m / cosine, "grade": grade,
        "metre_grade": grade * true_m / cosine, "true_thickness_m": true_m,
        "category": "industrial", "x": mid[:, 0], "y": mid[:, 1], "z": mid[:, 2],
        "azimuth": azimuth, "dip": hole_dip})


def projected(frame: pd.DataFrame, strike: float) -> np.ndarray:
    s = np.radians(strike)
    return np.column_stack([frame["x"] * np.sin(s) + frame["y"] * np.cos(s), frame["z"]])


# (a) A generated dipping vein against Voronoi cells by GEOS, clipped with shapely.

def test_totals_match_geos_voronoi_on_a_generated_vein() -> None:
    rng = np.random.default_rng(20261207)
    n, strike, dip = 60, 62.0, 55.0
    along_m, down_m = rng.uniform(0, 600, n), rng.uniform(0, 350, n)
    true_m = rng.uniform(0.8, 6.0, n)
    grade = rng.lognormal(1.0, 0.8, n)
    azimuth = (strike + 270.0 + rng.uniform(-20, 20, n)) % 360.0
    hole_dip = rng.uniform(40, 85, n)
    frame = vein(strike, dip, along_m, down_m, true_m, grade, azimuth, hole_dip)
    frame.loc[[3, 17], "category"] = "low_grade"  # left out of the blocks
    # Low-grade rows in the middle of the table: the blocks follow the industrial rows' order.
    ore = frame[frame["category"] == "industrial"].reset_index(drop=True)
    points = projected(ore, strike)
    # A concave outline around the pierce points: a notched box.
    lo, hi = points.min(axis=0) - 25.0, points.max(axis=0) + 25.0
    mid_u = (lo[0] + hi[0]) / 2
    outline = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [mid_u + 30, hi[1]],
                        [mid_u, hi[1] - 5.0], [mid_u - 30, hi[1]], [lo[0], hi[1]]])
    notch = shapely.Polygon(outline)
    assert shapely.covers(notch, shapely.points(points)).all()

    ours = geological_blocks(frame, strike, dip, DENSITY, outline=outline)

    shape = shapely.Polygon(outline)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points),
                                                       extend_to=shape))
    clipped = shapely.intersection(cells, shape)
    # GEOS gives the cells in its own order: each belongs to the pierce point it holds.
    holder = shapely.contains(cells[None, :], shapely.points(points)[:, None])
    assert (holder.sum(axis=1) == 1).all()
    area = shapely.area(clipped)[holder.argmax(axis=1)]
    thickness_h = ore["true_thickness_m"].to_numpy() / np.sin(np.radians(dip))
    tonnes = area * thickness_h * DENSITY
    metal = tonnes * ore["grade"].to_numpy() / 1000.0

    assert list(ours.blocks["hole"]) == list(ore["hole"])
    np.testing.assert_allclose(ours.blocks["area_m2"], area, rtol=1e-9)
    np.testing.assert_allclose(ours.blocks["thickness_h_m"], thickness_h, rtol=1e-9)
    assert ours.tonnes == pytest.approx(tonnes.sum(), rel=1e-6)
    assert ours.metal_kg == pytest.approx(metal.sum(), rel=1e-6)
    assert ours.grade == pytest.approx(metal.sum() * 1000 / tonnes.sum(), rel=1e-6)
    assert ours.blocks["area_m2"].sum() == pytest.approx(shape.area, rel=1e-9)
    table = ours.by_category().set_index("category")
    assert table["tonnes"].sum() == pytest.approx(ours.tonnes, rel=1e-12)
    assert table["metal_kg"].sum() == pytest.approx(ours.metal_kg, rel=1e-12)
    # The polygons drawn are the blocks.
    np.testing.assert_allclose([drawn_area(p) for p in ours.polygons], area, rtol=1e-9)


def drawn_area(ring: np.ndarray) -> float:
    pieces = np.split(ring, np.flatnonzero(np.isnan(ring[:, 0])))
    return float(sum(shapely.Polygon(p[~np.isnan(p[:, 0])]).area for p in pieces))


def test_a_block_cut_in_two_by_a_concave_outline() -> None:
    # A U-shaped outline with its arms to the west; hole A in the upper arm, hole B in the
    # bar joining the arms: A's cell holds the west ends of both arms, apart.
    strike, dip = 90.0, 90.0
    frame = vein(strike, dip, np.array([0.0, 140.0]), np.array([-30.0, 0.0]), np.ones(2),
                 np.ones(2), np.zeros(2), np.zeros(2))
    origin = projected(frame, strike)[1] - np.array([140.0, 0.0])
    outline = origin + np.array([[-50, 40], [150, 40], [150, -40], [-50, -40], [-50, -20],
                                 [130, -20], [130, 20], [-50, 20]], dtype=float)
    blocks = geological_blocks(frame, strike, dip, DENSITY, outline=outline)
    ring = blocks.polygons[0]
    assert np.isnan(ring[:, 0]).sum() == 1  # two pieces
    assert not np.isnan(blocks.polygons[1]).any()
    np.testing.assert_allclose([drawn_area(p) for p in blocks.polygons],
                               blocks.blocks["area_m2"], rtol=1e-12)
    assert blocks.blocks["area_m2"].sum() == pytest.approx(shapely.Polygon(outline).area)


# (b) Closed forms: a rectangular vein, four holes on a regular grid.

@pytest.mark.parametrize("thickness", [(2.0, 2.0, 2.0, 2.0), (1.0, 2.5, 3.0, 0.5)])
def test_rectangle_with_holes_at_its_corners(thickness: tuple[float, ...]) -> None:
    # A vertical vein striking east (u = x), holes drilled horizontally north through it:
    # horizontal thickness = length; each hole's cell is a quarter of the 200 × 100 m vein.
    strike, dip = 90.0, 90.0
    frame = vein(strike, dip, np.array([0.0, 200.0, 0.0, 200.0]),
                 np.array([0.0, 0.0, 100.0, 100.0]), np.array(thickness),
                 np.array([3.0, 5.0, 7.0, 1.0]), np.zeros(4), np.zeros(4))
    u, v = projected(frame, strike).T
    outline = np.array([[u.min(), v.min()], [u.max(), v.min()], [u.max(), v.max()],
                        [u.min(), v.max()]])
    blocks = geological_blocks(frame, strike, dip, DENSITY, outline=outline)
    np.testing.assert_allclose(blocks.blocks["area_m2"], 5000.0, rtol=1e-12)
    volume = 5000.0 * sum(thickness)
    assert blocks.tonnes == pytest.approx(volume * DENSITY, rel=1e-12)
    assert blocks.metal_kg == pytest.approx(
        5000.0 * DENSITY * np.dot(thickness, [3.0, 5.0, 7.0, 1.0]) / 1000.0, rel=1e-12)
    # The outline is the hull: nothing extrapolated; 200 × 100 m is within the type II grid
    # (80 × 80 m indicated) nowhere, so every block is inferred, none extrapolated.
    assert (blocks.classing["extrapolated_m2"] < 1e-6).all()
    assert set(blocks.blocks["category"]) == {"inferred"}


def test_rectangle_drawn_by_a_fixed_extrapolation_of_half_the_grid() -> None:
    # A vein dipping 30°: holes at the centres of a 2 × 2 grid of 80 m cells in the plane; the
    # hull pushed out by 40 m in the plane is the 160 × 160 m vein, 160 × 160 · sin 30° in the
    # projection; each block a quarter.
    strike, dip = 45.0, 30.0
    frame = vein(strike, dip, np.array([40.0, 120.0, 40.0, 120.0]),
                 np.array([40.0, 40.0, 120.0, 120.0]), np.full(4, 3.0), np.full(4, 4.0),
                 np.full(4, 315.0), np.full(4, 90.0))
    blocks = geological_blocks(frame, strike, dip, DENSITY, extrapolation=40.0)
    sin_dip = np.sin(np.radians(dip))
    assert shapely.Polygon(blocks.outline).area == pytest.approx(160 * 160 * sin_dip, rel=1e-12)
    np.testing.assert_allclose(blocks.blocks["area_m2"], 80 * 80 * sin_dip, rtol=1e-12)
    # Volume in the plane: 160 × 160 m × 3 m true thickness.
    assert blocks.tonnes == pytest.approx(160 * 160 * 3.0 * DENSITY, rel=1e-12)
    assert blocks.extrapolation_m == 40.0


def test_half_spacing_extrapolation_of_two_and_of_collinear_holes() -> None:
    strike, dip = 0.0, 90.0
    # Two holes 100 m apart along the strike: half the spacing (50 m) all round.
    two = vein(strike, dip, np.array([0.0, 100.0]), np.zeros(2), np.ones(2), np.ones(2),
               np.full(2, 90.0), np.zeros(2))
    blocks = geological_blocks(two, strike, dip, DENSITY)
    assert shapely.Polygon(blocks.outline).area == pytest.approx(200.0 * 100.0, rel=1e-12)
    np.testing.assert_allclose(blocks.blocks["area_m2"], 100.0 * 100.0, rtol=1e-12)
    assert set(blocks.blocks["category"]) == {"inferred"}  # no area between the holes
    # Three holes in one line down the dip, 60 m apart: 30 m beyond, 3 × 60 m cells.
    three = vein(strike, dip, np.zeros(3), np.array([0.0, 60.0, 120.0]), np.ones(3),
                 np.ones(3), np.full(3, 90.0), np.zeros(3))
    blocks = geological_blocks(three, strike, dip, DENSITY)
    np.testing.assert_allclose(blocks.blocks["area_m2"], 60.0 * 60.0, rtol=1e-12)
    np.testing.assert_allclose(blocks.classing["spacing_dip_m"], 60.0, rtol=1e-12)
    # One hole: a square of twice the fixed distance.
    one = three.iloc[:1]
    blocks = geological_blocks(one, strike, dip, DENSITY, extrapolation=25.0)
    assert blocks.blocks["area_m2"].iloc[0] == pytest.approx(50.0 * 50.0, rel=1e-12)
    assert np.isnan(blocks.classing["spacing_strike_m"].iloc[0])


# (c) Horizontal thickness of an inclined hole, closed form.

@pytest.mark.parametrize(("azimuth", "hole_dip", "angle"), [
    (270.0, 50.0, 110.0),  # against the dip: the hole meets the vein at 50° + 60°
    (90.0, 50.0, 10.0),    # with the dip: at 60° − 50°
    (0.0, 90.0, 30.0),     # vertical: at 90° − 60°
    (90.0, 0.0, 60.0),     # horizontal, east across the strike: at the dip, 60°
])
def test_horizontal_thickness_of_an_inclined_hole(azimuth: float, hole_dip: float,
                                                  angle: float) -> None:
    strike, dip, length = 0.0, 60.0, 4.0  # strikes north, dips 60° east
    frame = pd.DataFrame({"hole": ["ZK1"], "length_m": [length], "grade": [5.0],
                          "category": ["industrial"], "x": [0.0], "y": [0.0], "z": [0.0],
                          "azimuth": [azimuth], "dip": [hole_dip]})
    blocks = geological_blocks(frame, strike, dip, DENSITY, extrapolation=10.0)
    expected = length * np.sin(np.radians(angle)) / np.sin(np.radians(dip))
    assert blocks.blocks["thickness_h_m"].iloc[0] == pytest.approx(expected, rel=1e-12)


# (d) Categories on a regular grid against the spacing rules.

def grid(strike: float, dip: float, a: float, b: float, n: int = 5) -> pd.DataFrame:
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    m = n * n
    return vein(strike, dip, a * i.ravel(), b * j.ravel(), np.full(m, 2.0), np.full(m, 3.0),
                np.full(m, (strike + 270.0) % 360.0), np.full(m, 60.0))


@pytest.mark.parametrize(("a", "b", "category"), [
    (40.0, 40.0, "measured"), (40.0, 80.0, "indicated"), (80.0, 80.0, "indicated"),
    (80.0, 100.0, "inferred"), (120.0, 40.0, "inferred")])
def test_categories_on_a_regular_grid(a: float, b: float, category: str) -> None:
    strike, dip = 30.0, 65.0
    frame = grid(strike, dip, a, b)
    hull = shapely.convex_hull(shapely.multipoints(projected(frame, strike)))
    outline = shapely.get_coordinates(hull)[:-1]
    blocks = geological_blocks(frame, strike, dip, DENSITY, outline=outline,
                               spacing=SpacingRules.reference("II"))
    assert set(blocks.blocks["category"]) == {category}
    # Every four holes of the grid lie on one circle: the cells still tile the outline (to
    # the float noise of the holes' coordinates, some 1e-9 m at millions of metres).
    assert blocks.blocks["area_m2"].sum() == pytest.approx(
        4 * a * 4 * b * np.sin(np.radians(dip)), rel=1e-10)
    np.testing.assert_allclose(blocks.blocks["area_m2"].max(), a * b * np.sin(np.radians(dip)),
                               rtol=1e-9)
    np.testing.assert_allclose(blocks.classing["spacing_strike_m"], a, rtol=1e-9)
    np.testing.assert_allclose(blocks.classing["spacing_dip_m"], b, rtol=1e-9)


def test_extrapolated_blocks_are_inferred_and_the_rules_overridable() -> None:
    strike, dip = 30.0, 65.0
    frame = grid(strike, dip, 40.0, 40.0)
    blocks = geological_blocks(frame, strike, dip, DENSITY)  # half the mean spacing beyond
    category = blocks.blocks["category"].to_numpy().reshape(5, 5)
    assert (category[1:-1, 1:-1] == "measured").all()
    edge = np.ones((5, 5), bool)
    edge[1:-1, 1:-1] = False
    assert (category[edge] == "inferred").all()
    assert (blocks.classing["extrapolated_m2"].to_numpy().reshape(5, 5)[edge] > 0).all()
    table = blocks.by_category().set_index("category")
    assert list(table.index) == ["measured", "indicated", "inferred"]
    assert np.isnan(table.loc["indicated", "grade"])
    assert table.loc["measured", "tonnes"] == pytest.approx(
        blocks.blocks["tonnes"].to_numpy().reshape(5, 5)[1:-1, 1:-1].sum())
    # A type III deposit (40 m indicated, 20 m measured): the same interior is indicated.
    blocks = geological_blocks(frame, strike, dip, DENSITY,
                               spacing=SpacingRules.from_mapping({"exploration_type": "III"}))
    assert set(blocks.blocks["category"].to_numpy().reshape(5, 5)[1:-1, 1:-1].ravel()) == {
        "indicated"}
    wide = SpacingRules.from_mapping({"exploration_type": "III", "measured_strike_m": 40.0,
                                      "measured_dip_m": 40.0})
    blocks = geological_blocks(frame, strike, dip, DENSITY, spacing=wide)
    assert blocks.blocks["category"].to_numpy().reshape(5, 5)[2, 2] == "measured"


def test_reference_spacings_are_the_data_file() -> None:
    doc = yaml.safe_load((Path(geoblocks_module.__file__).parent / "data"
                          / "spacing_rules.yaml").read_text(encoding="utf-8"))
    assert doc["standard"] == "DZ/T 0205-2020"
    for kind, row in doc["exploration_types"].items():
        rules = SpacingRules.reference(kind)
        assert (rules.indicated_strike_m, rules.indicated_dip_m) == (
            row["indicated_strike_m"], row["indicated_dip_m"])
        assert rules.measured_strike_m == row["indicated_strike_m"] / 2
        assert float(row["range_m"].split("~")[1]) == rules.indicated_strike_m
    assert SpacingRules.reference() == SpacingRules.reference("II")
    assert SpacingRules.from_mapping(SpacingRules.reference("I").as_dict()) == \
        SpacingRules.reference("I")


# (e) Bad input: one clear message each.

def one_problem(call, *words: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        call()
    assert len(err.value.problems) == 1, err.value.problems
    message = str(err.value)
    for word in words:
        assert word in message, message
    return message


@pytest.fixture
def square() -> pd.DataFrame:
    return grid(0.0, 60.0, 40.0, 40.0, n=2)


def test_bad_attitude_density_and_extrapolation(square: pd.DataFrame) -> None:
    one_problem(lambda: geological_blocks(square, 400.0, 60.0, DENSITY), "strike", "360")
    one_problem(lambda: geological_blocks(square, -1.0, 60.0, DENSITY), "strike")
    one_problem(lambda: geological_blocks(square, 10.0, 0.0, DENSITY), "dip")
    one_problem(lambda: geological_blocks(square, 10.0, 60.0, 27.0), "density", "10")
    one_problem(lambda: geological_blocks(square, 0.0, 60.0, DENSITY, extrapolation=-5.0),
                "extrapolation")
    one_problem(lambda: geological_blocks(square.iloc[:1], 0.0, 60.0, DENSITY),
                "outline", "fixed")
    one_problem(lambda: geological_blocks(square.iloc[:2], 0.0, 60.0, DENSITY,
                                          extrapolation=0.0), "no area")
    one_problem(lambda: SpacingRules.from_mapping({"measured_dip_m": 200.0}), "measured_dip_m")
    one_problem(lambda: SpacingRules.reference("IV"), "exploration type", "'IV'")
    with pytest.raises(ValidationError) as err:
        SpacingRules.from_mapping({"exploration_type": "own", "indicated_strike_m": -1})
    assert len(err.value.problems) == 4  # the bad one and the three missing


def test_outlines_refused(square: pd.DataFrame) -> None:
    points = projected(square, 0.0)
    lo, hi = points.min(axis=0), points.max(axis=0)
    box = np.array([[lo[0] - 1, lo[1] - 1], [hi[0] + 1, lo[1] - 1], [hi[0] + 1, hi[1] + 1],
                    [lo[0] - 1, hi[1] + 1]])
    short = box.copy()
    short[2, 0] = hi[0] - 10  # the corner hole at (hi u, hi v) falls outside
    message = one_problem(lambda: geological_blocks(square, 0.0, 60.0, DENSITY, outline=short,
                                                    outline_source="OUTLINE.csv"),
                          "OUTLINE.csv", "does not contain")
    inside = shapely.covers(shapely.Polygon(short), shapely.points(points))
    assert next(h for h, ok in zip(square["hole"], inside, strict=True) if not ok) in message
    bowtie = box[[0, 2, 1, 3]]
    one_problem(lambda: geological_blocks(square, 0.0, 60.0, DENSITY, outline=bowtie),
                "not a simple polygon")
    one_problem(lambda: geological_blocks(square, 0.0, 60.0, DENSITY, outline=box[:2]),
                "at least 3")
    # The first vertex repeated at the end is the same polygon.
    closed = np.vstack([box, box[:1]])
    assert geological_blocks(square, 0.0, 60.0, DENSITY, outline=closed).tonnes == \
        pytest.approx(geological_blocks(square, 0.0, 60.0, DENSITY, outline=box).tonnes)


def test_intercepts_refused(square: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    low = square.assign(category="low_grade")
    one_problem(lambda: geological_blocks(low, 0.0, 60.0, DENSITY), "no industrial")
    twice = pd.concat([square, square.iloc[[1]]], ignore_index=True)
    twice.loc[4, "x"] += 30.0
    one_problem(lambda: geological_blocks(twice, 0.0, 60.0, DENSITY), "ZK001", "row 3")
    same = square.copy()
    same.loc[3, ["x", "y", "z"]] = same.loc[0, ["x", "y", "z"]].to_numpy()
    one_problem(lambda: geological_blocks(same, 0.0, 60.0, DENSITY), "ZK000", "ZK003",
                "same point")
    bad = square.copy()
    bad["azimuth"] = bad["azimuth"].astype(object)
    bad.loc[2, "azimuth"] = "north"
    one_problem(lambda: geological_blocks(bad, 0.0, 60.0, DENSITY), "row 4", "azimuth",
                "'north'")
    bad = square.assign(category=["industrial", "ore", "industrial", "industrial"])
    one_problem(lambda: geological_blocks(bad, 0.0, 60.0, DENSITY), "row 3", "'ore'")
    one_problem(lambda: geological_blocks(square.drop(columns="dip"), 0.0, 60.0, DENSITY),
                "dip")
    monkeypatch.setattr(geoblocks_module, "MAX_BLOCK_INTERCEPTS", 3)
    one_problem(lambda: geological_blocks(square, 0.0, 60.0, DENSITY), "4", "3")


def test_files_refused_with_file_row_and_column(tmp_path: Path, square: pd.DataFrame) -> None:
    path = tmp_path / "INTERCEPTS.csv"
    square.drop(columns="grade").to_csv(path, index=False)
    one_problem(lambda: read_intercepts(path), "INTERCEPTS.csv", "row 1", "grade")
    frame = square.astype(object)
    frame.loc[1, "length_m"] = ""
    frame.to_csv(path, index=False)
    one_problem(lambda: read_intercepts(path), "INTERCEPTS.csv", "row 3", "length_m", "blank")
    frame.loc[1, "length_m"] = -2.0
    frame.to_csv(path, index=False)
    one_problem(lambda: read_intercepts(path), "row 3", "length_m", "above 0")
    outline = tmp_path / "OUTLINE.csv"
    pd.DataFrame({"u": [0, 1, "x"], "v": [0, 0, 1]}).to_csv(outline, index=False)
    one_problem(lambda: read_outline(outline), "OUTLINE.csv", "row 4", "column u")
    pd.DataFrame({"x": [0, 1, 1], "v": [0, 0, 1]}).to_csv(outline, index=False)
    one_problem(lambda: read_outline(outline), "OUTLINE.csv", "column u")
