"""Slope precedence: minimum search patterns against closed forms, minimality and cone
coverage checked by brute force, the analytic pit of a single ore block, bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from aurum.core.errors import ValidationError
from aurum.core.grid import BlockGrid
from aurum.planning.maxclosure import maximum_closure
from aurum.planning.minelib import check_acyclic, is_closed
from aurum.planning.precedence import (
    SlopeTable,
    minimum_search_pattern,
    precedence_accuracy,
    slope_precedence,
)

CUBE = (10.0, 10.0, 10.0)


def _offsets(pattern: np.ndarray) -> set[tuple[int, int, int]]:
    return {(int(a), int(b), int(c)) for a, b, c in pattern}


def _circle(d: int) -> int:
    """Blocks of the exact 45° cone d benches up on cubic blocks: dx² + dy² <= d²."""
    r = np.arange(-d, d + 1)
    return int((r[:, None] ** 2 + r[None, :] ** 2 <= d * d).sum())


def _diamond(d: int) -> int:
    """Blocks reached d benches up through the 5-block pattern: |dx| + |dy| <= d."""
    return 2 * d * d + 2 * d + 1


def test_45_degrees_on_cubes_one_bench_is_the_five_blocks_above() -> None:
    # Centre-to-centre, the edge neighbours one bench up are at exactly 45° (inside, the
    # surface counts), the corner neighbours at 35.3° (outside): 5 blocks, not 9.
    pattern = minimum_search_pattern(45.0, CUBE, 1)
    assert _offsets(pattern) == {(0, 0, 1), (1, 0, 1), (-1, 0, 1), (0, 1, 1), (0, -1, 1)}


@pytest.mark.parametrize(("n", "size"), [(1, 5), (2, 5), (3, 9), (4, 9), (8, 17)])
def test_45_degree_pattern_sizes(n: int, size: int) -> None:
    # Benches 2 and 4 add nothing (the closure of the 5-block pattern is the diamond, equal to
    # the circle at 2 benches); bench 3 adds the 4 diagonals (2, 2, 3) (8 <= 9).
    pattern = minimum_search_pattern(45.0, CUBE, n)
    assert len(pattern) == size
    if n >= 3:
        assert {(2, 2, 3), (-2, 2, 3), (2, -2, 3), (-2, -2, 3)} <= _offsets(pattern)


def test_flat_blocks_need_two_benches_for_a_side_step() -> None:
    # 10 x 10 x 5 m blocks, 45°: a side neighbour one bench up is at atan(5/10) = 26.6°,
    # outside; two benches up at exactly 45°, inside.
    pattern = minimum_search_pattern(45.0, (10.0, 10.0, 5.0), 2)
    assert _offsets(pattern) == {(0, 0, 1), (1, 0, 2), (-1, 0, 2), (0, 1, 2), (0, -1, 2)}


def test_sector_azimuths_are_clockwise_from_north() -> None:
    # North wall (azimuth 0, +y) at 45°, the other three quadrants at 80°.
    pattern = minimum_search_pattern([45.0, 80.0, 80.0, 80.0], CUBE, 1)
    assert _offsets(pattern) == {(0, 0, 1), (0, 1, 1)}
    pattern = minimum_search_pattern([80.0, 45.0, 80.0, 80.0], CUBE, 1)
    assert _offsets(pattern) == {(0, 0, 1), (1, 0, 1)}


def test_sector_angles_constant_or_interpolated() -> None:
    steps = SlopeTable((40.0, 60.0))
    assert steps.angle_at(np.array([0.0, 89.0, 91.0, 180.0, 271.0])).tolist() == \
        [40.0, 40.0, 60.0, 60.0, 40.0]
    assert steps.angle_at(np.array([90.0]))[0] == 40.0  # on a boundary the flatter one
    smooth = SlopeTable((40.0, 60.0), interpolate=True)
    assert smooth.angle_at(np.array([90.0, 45.0, 270.0])) == pytest.approx([50.0, 45.0, 50.0])


@pytest.mark.parametrize("n", [1, 4, 8])
def test_closure_against_the_exact_cone_by_bench(n: int) -> None:
    # One block at the bottom centre of a model wide enough for its cone 12 benches up.
    grid = BlockGrid((5.0, 5.0, 5.0), CUBE, (25, 25, 13))
    prec = slope_precedence(grid, 45.0, n)
    acc = precedence_accuracy(grid, prec, 45.0, blocks=np.array([12 + 25 * 12]))
    depths = range(1, 13)
    assert acc.cone[1:].tolist() == [_circle(d) for d in depths]
    # 45° on cubes is a convex cone: never a false inclusion, and exact up to n benches.
    assert acc.n_false_inclusions == 0
    assert acc.false_exclusions[1:n + 1].sum() == 0
    if n == 1:
        assert acc.false_exclusions[1:].tolist() == [_circle(d) - _diamond(d) for d in depths]
    # Above n benches some of the cone's rim is missed, less as n grows (of 2024 blocks in
    # the cone up to 12 benches).
    expected_pct = {1: 556 / 2024, 4: 180 / 2024, 8: 32 / 2024}[n] * 100
    assert acc.false_exclusion_pct == pytest.approx(expected_pct, rel=1e-12)


def test_arc_count_of_the_five_block_pattern_by_closed_form() -> None:
    nx, ny, nz = 40, 30, 20
    prec = slope_precedence(BlockGrid((0.0, 0.0, 0.0), CUBE, (nx, ny, nz)), 45.0, 1)
    per_bench = nx * ny + 2 * (nx - 1) * ny + 2 * nx * (ny - 1)
    assert prec.n_arcs == (nz - 1) * per_bench
    assert prec.n_searched == 0
    # Block 0 (corner, bottom) needs the block above it and its two neighbours above.
    assert sorted(prec.idx[prec.ptr[0]:prec.ptr[1]].tolist()) == [nx * ny, nx * ny + 1,
                                                                   nx * ny + nx]


def test_interior_blocks_carry_the_pattern() -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), CUBE, (21, 21, 10))
    prec = slope_precedence(grid, 45.0, 4)
    i = 10 + 21 * 10  # bottom bench, centre
    got = prec.idx[prec.ptr[i]:prec.ptr[i + 1]]
    dx, dy, dz = got % 21 - 10, got // 21 % 21 - 10, got // 441
    assert set(zip(dx.tolist(), dy.tolist(), dz.tolist(), strict=True)) == \
        _offsets(prec.patterns[0])


def _dense_closure(ptr: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(ptr) - 1
    adj = np.zeros((n, n), dtype=np.float32)
    adj[np.repeat(np.arange(n), np.diff(ptr)), idx] = 1.0
    reach = adj.copy()
    while True:
        nxt = ((reach + reach @ reach) > 0).astype(np.float32)
        if np.array_equal(nxt, reach):
            return adj > 0, reach > 0
        reach = nxt


CASES = {
    "45 all round": (45.0, None),
    "8 stepped sectors": ([40.0, 50.0, 60.0, 45.0, 35.0, 55.0, 45.0, 50.0], None),
    "two rock types": ({3: 45.0, 4: 60.0}, "halves"),
    "rock types with sectors": ({3: 38.0, 4: SlopeTable((60.0, 50.0, 40.0, 50.0), True)},
                                "halves"),
    "three scattered codes": ({0: 45.0, 1: 60.0, 2: 38.0}, "random"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_arcs_are_minimal_and_cover_the_cone(case: str) -> None:
    slopes, layout = CASES[case]
    grid = BlockGrid((0.0, 0.0, 0.0), (10.0, 12.0, 8.0), (14, 12, 8))
    n_benches = 3
    regions = None
    if layout == "halves":
        regions = (np.arange(grid.n_blocks) % 14 >= 7).astype(np.int64) + 3
    elif layout == "random":
        regions = np.random.default_rng(1).integers(0, 3, grid.n_blocks)
    prec = slope_precedence(grid, slopes, n_benches, regions)
    check_acyclic(prec.ptr, prec.idx)
    adj, reach = _dense_closure(prec.ptr, prec.idx)
    # No arc i -> j with j reached from i through another arc.
    redundant = adj & ((adj.astype(np.float32) @ reach.astype(np.float32)) > 0)
    assert not redundant.any()
    # Every block of every exact cone within n_benches is implied.
    acc = precedence_accuracy(grid, prec, slopes, regions, blocks=np.arange(grid.n_blocks),
                              benches=n_benches)
    assert acc.n_false_exclusions == 0
    assert acc.n_cone > 0


def test_flat_slopes_across_two_regions_with_a_wide_search_window() -> None:
    # 20° over 12 benches reaches 32 blocks sideways: a search window wider than 64 blocks,
    # so the bit rows span two words.
    grid = BlockGrid((0.0, 0.0, 0.0), CUBE, (90, 8, 14))
    x = np.arange(grid.n_blocks) % 90
    regions = (x >= 45).astype(np.int64)
    slopes = {0: 20.0, 1: [45.0, 30.0, 50.0, 35.0]}
    prec = slope_precedence(grid, slopes, 12, regions)
    assert prec.n_searched > 0
    rng = np.random.default_rng(5)
    bottom = np.flatnonzero((np.arange(grid.n_blocks) // 720 < 2) & (x > 30) & (x < 60))
    sample = rng.choice(bottom, 12, replace=False)
    acc = precedence_accuracy(grid, prec, slopes, regions, blocks=sample, benches=12)
    assert acc.n_false_exclusions == 0
    rows = np.repeat(np.arange(grid.n_blocks), np.diff(prec.ptr))
    graph = csr_matrix((np.ones(len(rows)), (rows, prec.idx)),
                       shape=(grid.n_blocks, grid.n_blocks))
    for i in sample:
        arcs = prec.idx[prec.ptr[i]:prec.ptr[i + 1]]
        implied = np.zeros(grid.n_blocks, dtype=np.int64)
        for t in arcs:
            implied[breadth_first_order(graph, int(t), return_predecessors=False)[1:]] += 1
        assert not implied[arcs].any()


def test_a_single_ore_block_gives_the_analytic_inverted_cone() -> None:
    # 13 x 13 x 6 cubes, z up: the ore block at the bottom (k = 0) centre, waste at -1.
    nx, ny, nz = 13, 13, 6
    grid = BlockGrid((5.0, 5.0, 5.0), CUBE, (nx, ny, nz))
    centre = 6 + nx * 6
    ix, iy, iz = np.unravel_index(np.arange(grid.n_blocks), (nx, ny, nz), order="F")
    cone = (ix - 6) ** 2 + (iy - 6) ** 2 <= iz ** 2
    n_cone = sum(_circle(d) for d in range(nz))
    assert cone.sum() == n_cone == 178
    values = -np.ones(grid.n_blocks)
    prec = slope_precedence(grid, 45.0, nz - 1)
    values[centre] = n_cone - 1 + 0.5
    pit = maximum_closure(values, prec.ptr, prec.idx)
    assert np.array_equal(pit.in_pit, cone)
    assert pit.value == pytest.approx(0.5)
    assert is_closed(pit.in_pit, prec.ptr, prec.idx)
    values[centre] = n_cone - 1 - 0.5
    assert maximum_closure(values, prec.ptr, prec.idx).n_blocks == 0
    # With one bench searched the pit is the diamond |dx| + |dy| <= dz (146 blocks): the
    # steeper walls the 5-block pattern gives beyond its bench.
    prec1 = slope_precedence(grid, 45.0, 1)
    values[centre] = 200.0
    pit1 = maximum_closure(values, prec1.ptr, prec1.idx)
    assert pit1.n_blocks == sum(_diamond(d) for d in range(nz)) == 146
    assert np.array_equal(pit1.in_pit, np.abs(ix - 6) + np.abs(iy - 6) <= iz)


@pytest.mark.parametrize(("slopes", "message"), [
    (-5.0, "greater than 0 and less than 90"),
    (90.0, "greater than 0 and less than 90"),
    (95.0, "less than 90"),
    (float("nan"), "slope angle nan"),
    ([45.0, 45.0, 0.0, 45.0], "sector 2 (azimuth 180°)"),
    ([], "empty"),
])
def test_bad_slopes_are_refused(slopes: object, message: str) -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), CUBE, (4, 4, 3))
    with pytest.raises(ValidationError, match=re.escape(message)):
        slope_precedence(grid, slopes, 2)  # type: ignore[arg-type]


def test_bad_regions_are_refused() -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), CUBE, (4, 4, 3))
    codes = np.repeat([1, 2], 24)
    with pytest.raises(ValidationError, match=r"region code 2 \(24 blocks\) has no slope sector"):
        slope_precedence(grid, {1: 45.0}, 2, codes)
    with pytest.raises(ValidationError, match=r"sector 1 \(azimuth 180°\) of region 2"):
        slope_precedence(grid, {1: 45.0, 2: [45.0, -1.0]}, 2, codes)
    with pytest.raises(ValidationError, match=r"shape \(48,\)"):
        slope_precedence(grid, {1: 45.0}, 2, codes[:10])
    with pytest.raises(ValidationError, match="integer"):
        slope_precedence(grid, {1: 45.0}, 2, codes.astype(float))
    with pytest.raises(ValidationError, match="no regions"):
        slope_precedence(grid, {1: 45.0}, 2)
    with pytest.raises(ValidationError, match="at least 1"):
        slope_precedence(grid, 45.0, 0)
    with pytest.raises(ValidationError, match="greater than 0"):
        SlopeTable((30.0, -2.0))
    with pytest.raises(ValidationError, match="too wide a cone"):
        slope_precedence(grid, 1.0, 50)
