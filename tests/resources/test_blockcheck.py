"""Kriging beside the geological blocks (aurum.resources.blockcheck), against closed forms:
each reference total is worked out by hand in the test, for both methods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from aurum.core.checks import MAX_KRIGING_CELLS
from aurum.core.errors import ValidationError
from aurum.resources.blockcheck import KrigingCheck, _cell_side, kriging_check
from aurum.resources.geoblocks import GeoBlocks, geological_blocks
from aurum.resources.variogram import Structure, VariogramModel

DENSITY = 2.7
RECTANGLE = np.array([[0.0, -200.0], [300.0, -200.0], [300.0, 0.0], [0.0, 0.0]])
"""A 300 m × 200 m orebody in the projection: u along the strike, v the elevation."""
OCTAGON = np.array([[50.0, -200.0], [250.0, -200.0], [300.0, -150.0], [300.0, -50.0],
                    [250.0, 0.0], [50.0, 0.0], [0.0, -50.0], [0.0, -150.0]])
"""The rectangle with its corners cut by 50 m × 50 m triangles: 60,000 − 4 × 1,250 =
55,000 m², symmetric about u = 150 and v = −100 like the rectangle."""
GRID_UV = np.array([[u, v] for v in (-50.0, -150.0) for u in (50.0, 150.0, 250.0)])
"""Six pierce points at a 100 m spacing, symmetric about u = 150 and v = −100."""
SPHERICAL = VariogramModel(0.5, (Structure("spherical", 2.0, (250.0, 250.0, 250.0)),))


def geoblocks(uv: np.ndarray, thickness: np.ndarray, grade: np.ndarray,
              outline: np.ndarray | None, extrapolation: float = 0.0) -> GeoBlocks:
    """The geological blocks of a vertical vein striking north (u = y, v = z) cut by
    horizontal holes drilled east, so that an intercept's length is its horizontal
    thickness."""
    n = len(uv)
    intercepts = pd.DataFrame({
        "hole": [f"H{i}" for i in range(n)], "from_m": 10.0, "to_m": 10.0 + thickness,
        "length_m": thickness, "grade": grade, "metre_grade": thickness * grade,
        "true_thickness_m": thickness, "category": "industrial", "x": 0.0, "y": uv[:, 0],
        "z": uv[:, 1], "azimuth": 90.0, "dip": 0.0})
    return geological_blocks(intercepts, 0.0, 90.0, DENSITY, outline=outline,
                             extrapolation=extrapolation)


def scattered(seed: int, n: int) -> np.ndarray:
    """n random pierce points inside the octagon, m."""
    rng = np.random.default_rng(seed)
    uv = np.column_stack([rng.uniform(5, 295, 4 * n), rng.uniform(-195, -5, 4 * n)])
    return uv[shapely.contains_xy(shapely.Polygon(OCTAGON), uv[:, 0], uv[:, 1])][:n]


def intercepts_of(blocks: GeoBlocks) -> pd.DataFrame:
    return pd.DataFrame({"hole": blocks.blocks["hole"], "category": "industrial"})


def check(blocks: GeoBlocks, cell_m: float | None = None,
          model: VariogramModel | None = None) -> KrigingCheck:
    return kriging_check(intercepts_of(blocks), blocks, DENSITY, cell_m, model)


def linear_field(uv: np.ndarray) -> np.ndarray:
    """Accumulation A = 10 + 0.02 (u − 150) − 0.01 (v + 100), m·g/t: at the six grid points
    7.5, 9.5, 11.5 (v = −50) and 8.5, 10.5, 12.5 (v = −150), mean 10."""
    return 10.0 + 0.02 * (uv[:, 0] - 150.0) - 0.01 * (uv[:, 1] + 100.0)


@pytest.mark.parametrize("model", [SPHERICAL, None], ids=["spherical", "fallback"])
def test_a_constant_field_gives_the_blocks_totals(model: VariogramModel | None) -> None:
    # Irregular points; kriging of a constant is the constant (the weights sum to 1), so
    # tonnes = ρ · area · h and metal = ρ · area · h · g / 1000 for both methods.
    uv = scattered(19, 14)
    blocks = geoblocks(uv, np.full(14, 1.8), np.full(14, 4.2), OCTAGON)
    result = check(blocks, model=model)
    assert result.cells["area_m2"].sum() == pytest.approx(55_000.0, rel=1e-9)
    assert result.tonnes == pytest.approx(blocks.tonnes, rel=1e-9)
    assert result.tonnes == pytest.approx(DENSITY * 55_000.0 * 1.8, rel=1e-9)
    assert result.metal_kg == pytest.approx(blocks.metal_kg, rel=1e-9)
    assert result.grade == pytest.approx(4.2, rel=1e-9)
    assert np.allclose(result.cells["grade"], 4.2, rtol=1e-9)
    assert abs(result.effects["tonnage_kg"]) < 1e-6 and abs(result.effects["grade_kg"]) < 1e-6


@pytest.mark.parametrize("outline, area, metal", [
    # Rectangle: six 100 m × 100 m blocks, ρ · 10^4 · ΣA / 1000 = 2.7 · 10^4 · 60 / 1000.
    (RECTANGLE, 60_000.0, 1_620.0),
    # Octagon: the four corner blocks (A = 7.5, 11.5, 8.5, 12.5: 40) lose 1,250 m² each:
    # 2.7 · (10^4 · 60 − 1,250 · 40) / 1000 = 2.7 · 550 = 1,485 kg.
    (OCTAGON, 55_000.0, 1_485.0),
], ids=["rectangle", "octagon"])
@pytest.mark.parametrize("cell_m", [None, 30.0], ids=["default-cell", "30m-cell"])
def test_a_linear_field_on_a_symmetric_layout(outline: np.ndarray, area: float, metal: float,
                                              cell_m: float | None) -> None:
    # Both totals are ρ · a · area / 1000 with a = 10 the field's value at the centre. The
    # polygonal one by the arithmetic above. The kriged one because kriging is linear in the
    # data: A*(c) = 10 + Σ λ_i(c) (0.02 (u_i − 150) − 0.01 (v_i + 100)) (the weights sum to
    # 1), and the layout, the outline and the cell grid (centred on the outline) are
    # symmetric about u = 150 and about v = −100, so a cell and its mirror image have mirrored
    # weights and equal areas: the linear terms cancel in Σ area · A*. A constant thickness of
    # 2 m gives ρ · area · 2 t and a grade of 10 / 2 = 5 g/t.
    accumulation = linear_field(GRID_UV)
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), accumulation / 2.0, outline)
    assert blocks.metal_kg == pytest.approx(metal, rel=1e-12)
    result = check(blocks, model=SPHERICAL, cell_m=cell_m)
    cells = result.cells
    assert cells["area_m2"].sum() == pytest.approx(area, rel=1e-9)
    assert result.metal_kg == pytest.approx(metal, rel=1e-9)
    assert result.tonnes == pytest.approx(DENSITY * area * 2.0, rel=1e-9)
    assert result.grade == pytest.approx(5.0, rel=1e-9)
    # The kriged field does vary: up the grade gradient the cells are richer.
    east, west = cells["u"] > 250, cells["u"] < 50
    assert cells.loc[east, "grade"].mean() > 5.5 > 4.5 > cells.loc[west, "grade"].mean()


def test_the_pure_nugget_fallback_is_the_mean_of_the_neighbours() -> None:
    # Six points (fewer than a variogram is fitted to): every cell takes the plain mean of all
    # six accumulations, 60 / 6 = 10 m·g/t, whatever its distance to them; said so in words.
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), linear_field(GRID_UV) / 2.0, RECTANGLE)
    result = check(blocks)
    assert result.model.structures == () and result.model.nugget > 0
    assert np.allclose(result.cells["grade"], 5.0, rtol=1e-12)
    assert any("no weighting by distance" in line for line in result.explanation)


def test_the_metal_difference_splits_exactly_into_tonnage_and_grade_effects() -> None:
    n = 40
    uv = scattered(7, n)
    rng = np.random.default_rng(7)
    thickness = rng.uniform(0.8, 4.0, n)
    grade = rng.lognormal(1.0, 0.6, n)
    blocks = geoblocks(uv, thickness, grade, OCTAGON)
    result = check(blocks)
    assert result.model.structures  # forty points: a fitted variogram, not the fallback
    delta = result.metal_kg - blocks.metal_kg
    assert abs(delta) > 1.0  # a real difference to split
    # ΔM = ΔT · g_blocks + T_kriging · Δg, kg (÷ 1000: t · g/t = g).
    assert result.effects["tonnage_kg"] == pytest.approx(
        (result.tonnes - blocks.tonnes) * blocks.grade / 1000.0, rel=1e-12)
    assert result.effects["tonnage_kg"] + result.effects["grade_kg"] == pytest.approx(
        delta, rel=1e-9, abs=1e-9)
    assert result.differences["metal_pct"] == pytest.approx(
        delta / blocks.metal_kg * 100.0, rel=1e-12)
    assert result.differences["tonnes_pct"] == pytest.approx(
        (result.tonnes / blocks.tonnes - 1) * 100.0, rel=1e-9)
    assert len(result.explanation) == 7
    assert list(result.cells.columns) == ["u", "v", "area_m2", "thickness_h_m", "grade"]


@pytest.mark.parametrize("outline, words", [
    (RECTANGLE, "40,000 m² of the given outline (66.7 per cent) lies beyond"),
    # The hull pushed out by 50 m (a vertical vein: the projection is the orebody plane) is
    # the rectangle again.
    (None, "40,000 m² of the outline (66.7 per cent), drawn 50.0 m (in the orebody plane) "
           "beyond"),
], ids=["given", "extrapolated"])
def test_the_extrapolated_part_of_the_outline(outline: np.ndarray | None, words: str) -> None:
    # The six grid points' convex hull is [50, 250] × [−150, −50], 20,000 m² of the
    # rectangle's 60,000: 40,000 m² (66.7 per cent) beyond it.
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), outline, 50.0)
    line = check(blocks, model=SPHERICAL).explanation[6]
    assert line.startswith(words)
    # Constant field: 2/3 of either method's metal (ρ · 40,000 · 10 / 1000 = 1,080 kg).
    assert "1,080.00 kg of the kriged metal (66.7 per cent)" in line
    assert "1,080.00 kg of the blocks' (66.7 per cent)" in line


def test_too_many_cells_are_refused_with_one_message() -> None:
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), RECTANGLE)
    with pytest.raises(ValidationError) as refused:
        check(blocks, cell_m=0.2)  # 1,500 × 1,000 cells
    assert len(refused.value.problems) == 1
    problem = refused.value.problems[0]
    assert problem.column == "cell_m"
    assert problem.message == (
        "cells of 0.2 m would make 1,500,000 cells over the outline's 300 m × 200 m, more than "
        "the 200,000 allowed; expected a cell of at least 0.55 m")


def test_the_default_cell_is_enlarged_to_stay_within_the_bound() -> None:
    # A 20 km × 100 m outline at a 1 m spacing would take 80,000 × 400 cells of 0.25 m.
    outline = shapely.box(0.0, 0.0, 20_000.0, 100.0)
    side = _cell_side(outline, 1.0, None)
    count = np.ceil(20_000.0 / side) * np.ceil(100.0 / side)
    assert count <= MAX_KRIGING_CELLS
    # The smallest such side: (W/c + 1)(H/c + 1) reaches the bound exactly.
    assert (20_000.0 / side + 1) * (100.0 / side + 1) == pytest.approx(MAX_KRIGING_CELLS,
                                                                      rel=1e-9)
    assert _cell_side(shapely.box(0.0, 0.0, 300.0, 200.0), 100.0, None) == 25.0


@pytest.mark.parametrize("cell_m", [0.0, float("nan"), 5000.0])
def test_a_cell_size_outside_its_bounds_is_refused(cell_m: float) -> None:
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), RECTANGLE)
    with pytest.raises(ValidationError) as refused:
        check(blocks, cell_m=cell_m)
    assert [p.column for p in refused.value.problems] == ["cell_m"]


def test_a_density_outside_its_bounds_is_refused() -> None:
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), RECTANGLE)
    with pytest.raises(ValidationError, match="density_t_m3"):
        kriging_check(intercepts_of(blocks), blocks, 27.0)


def test_blocks_of_other_intercepts_are_refused() -> None:
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), RECTANGLE)
    other = intercepts_of(blocks).replace({"hole": {"H5": "ZK9"}})
    with pytest.raises(ValidationError) as refused:
        kriging_check(other, blocks, DENSITY)
    assert "ZK9" in str(refused.value) and "H5" in str(refused.value)


def test_two_holes_at_one_pierce_point_are_refused() -> None:
    blocks = geoblocks(GRID_UV, np.full(6, 2.0), np.full(6, 5.0), RECTANGLE)
    blocks.blocks.loc[5, ["u", "v"]] = blocks.blocks.loc[4, ["u", "v"]].to_numpy()
    with pytest.raises(ValidationError, match="H4, H5"):
        check(blocks)
