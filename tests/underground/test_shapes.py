"""Vein shapes (aurum.underground.shapes): closed forms, brute force, the limits re-checked."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.underground.shapes import WALL_COLUMNS, best_walls, vein_stopes
from aurum.underground.stopes import StopeParams, Stopes, optimise_stopes

ORE, WASTE = 10.0, -4.0


def check_limits(values: np.ndarray, params: StopeParams, step: int, result: Stopes) -> None:
    """Every limit a shape must keep, re-checked from the result alone."""
    ni, nj, _ = values.shape
    frame, walls = result.frame, result.walls
    assert list(walls.columns) == list(WALL_COLUMNS)
    assert result.value == pytest.approx(frame["value"].sum(), abs=1e-9)
    assert result.upper_bound == result.value
    for stope, row in enumerate(frame.itertuples(index=False)):
        own = walls[walls["stope"] == stope].sort_values("k")
        assert own["k"].tolist() == list(range(row.k0, row.k1 + 1))
        assert row.level * params.level_height + params.sill_pillar == row.k0
        assert row.k1 == (row.level + 1) * params.level_height - 1
        assert params.length[0] <= row.i1 - row.i0 + 1 <= params.length[1]
        assert row.i0 >= 0 and row.i1 < ni
        width = own["j1"] - own["j0"] + 1
        assert width.between(*params.width).all()
        assert (own["j0"] >= 0).all() and (own["j1"] < nj).all()
        assert (own["j0"].diff().abs().fillna(0) <= step).all()
        assert (own["j1"].diff().abs().fillna(0) <= step).all()
        assert (row.j0, row.j1) == (own["j0"].min(), own["j1"].max())
        blocks = sum(values[row.i0:row.i1 + 1, w.j0:w.j1 + 1, w.k].sum()
                     for w in own.itertuples(index=False))
        skins = 2 * params.skin * (row.i1 - row.i0 + 1) * params.stope_height * params.waste_value
        assert row.value == pytest.approx(blocks + skins, rel=1e-12, abs=1e-9)
    for _, level in frame.groupby("level"):
        level = level.sort_values("i0")
        gaps = level["i0"].to_numpy()[1:] - level["i1"].to_numpy()[:-1] - 1
        assert (gaps >= params.pillar).all()


def dipping_vein(ni: int = 8, nj: int = 12, nk: int = 6, foot: int = 2, width: int = 2,
                 tan: float = 1.0) -> np.ndarray:
    """Ore where ``foot + k·tan ≤ j < foot + k·tan + width`` (rounded down), waste elsewhere."""
    j = np.arange(nj)[:, None]
    start = np.floor(foot + np.arange(nk) * tan).astype(int)[None, :]
    ore = (j >= start) & (j < start + width)
    return np.broadcast_to(np.where(ore, ORE, WASTE), (ni, nj, nk)).copy()


def test_shapes_follow_a_dipping_vein_and_beat_the_boxes():
    values = dipping_vein()
    params = StopeParams(length=(3, 8), width=(2, 4), level_height=6, pillar=1)
    result = vein_stopes(values, params, max_wall_step=1)
    check_limits(values, params, 1, result)
    # Closed form: one shape the whole strike long, each slice's walls the vein's two blocks:
    # 8 columns × 6 slices × 2 blocks of ore.
    assert result.value == 8 * 6 * 2 * ORE
    assert result.frame[["i0", "i1", "j0", "j1", "k0", "k1"]].values.tolist() == [
        [0, 7, 2, 8, 0, 5]]
    for wall in result.walls.itertuples(index=False):
        assert (wall.j0, wall.j1) == (2 + wall.k, 3 + wall.k)
    boxes = optimise_stopes(values, params, exact=True)
    assert boxes.value < result.value
    # The best single box, by enumeration: the vein moves 5 blocks across the level, so a
    # box at most 4 wide loses ore or takes waste in some slice.
    best_box = max(values[:, j0:j0 + w, :].sum() for w in range(2, 5)
                   for j0 in range(12 - w + 1))
    assert best_box < result.value


def test_vertical_vein_gives_the_boxes():
    values = np.full((11, 9, 8), WASTE)
    values[:, 4:7, :] = ORE
    params = StopeParams(length=(3, 5), width=(2, 4), level_height=4, pillar=1)
    result = vein_stopes(values, params, max_wall_step=2)
    check_limits(values, params, 2, result)
    # Closed form: per level two stopes of length 5 with the one-block pillar between them
    # (5 + 1 + 5 = 11), walls on the vein's three blocks in every slice.
    expected = [[level, i0, i0 + 4, 4, 6, 4 * level, 4 * level + 3]
                for level in (0, 1) for i0 in (0, 6)]
    cols = ["level", "i0", "i1", "j0", "j1", "k0", "k1"]
    assert result.frame[cols].values.tolist() == expected
    assert result.value == 4 * 5 * 3 * 4 * ORE
    assert ((result.walls["j0"] == 4) & (result.walls["j1"] == 6)).all()
    boxes = optimise_stopes(values, params, exact=True)
    assert boxes.value == result.value
    assert sorted(boxes.frame[cols].values.tolist()) == expected


def brute_walls(sums: np.ndarray, width: tuple[int, int], step: int) -> float:
    """The best wall sequence by enumerating every one."""
    nj, h = sums.shape
    states = [(f, f + w - 1) for w in range(width[0], width[1] + 1) for f in range(nj - w + 1)]
    best = -np.inf
    for seq in itertools.product(states, repeat=h):
        if all(abs(a[0] - b[0]) <= step and abs(a[1] - b[1]) <= step
               for a, b in itertools.pairwise(seq)):
            best = max(best, sum(sums[f:g + 1, t].sum() for t, (f, g) in enumerate(seq)))
    return best


@pytest.mark.parametrize(("seed", "step"), [(1, 0), (2, 1), (3, 1), (4, 2)])
def test_dynamic_programme_equals_brute_force(seed: int, step: int):
    rng = np.random.default_rng(seed)
    values = rng.integers(-6, 7, size=(5, 5, 4)).astype(float)
    params = StopeParams(length=(1, 3), width=(1, 3), level_height=4, pillar=1, sill_pillar=1)
    width = params.width
    # The walls of every strike range, against every wall sequence.
    best = {}
    for i0, i1 in itertools.combinations_with_replacement(range(5), 2):
        sums = values[i0:i1 + 1, :, 1:].sum(axis=0)
        value, j0, j1 = best_walls(sums, width, step)
        assert value == brute_walls(sums, width, step)
        walls = enumerate(zip(j0, j1, strict=True))
        assert value == sum(sums[a:b + 1, t].sum() for t, (a, b) in walls)
        best[i0, i1] = value
    # The shapes along strike, against every set of strike ranges a pillar apart.
    ranges = [r for r in best if 1 <= r[1] - r[0] + 1 <= 3]
    brute = 0.0
    for n in range(1, 4):
        for chosen in itertools.combinations(ranges, n):
            chosen = sorted(chosen)
            if all(b[0] - a[1] - 1 >= params.pillar for a, b in itertools.pairwise(chosen)):
                brute = max(brute, sum(best[r] for r in chosen))
    result = vein_stopes(values, params, max_wall_step=step)
    check_limits(values, params, step, result)
    assert result.value == brute


def test_limits_hold_on_a_steeper_vein_with_a_sill_pillar():
    rng = np.random.default_rng(7)
    values = dipping_vein(ni=20, nj=16, nk=12, width=3, tan=1.4) + rng.normal(0, 3, (20, 16, 12))
    params = StopeParams(length=(2, 6), width=(3, 5), level_height=6, pillar=2, sill_pillar=1)
    for step in (0, 1, 2):
        check_limits(values, params, step, vein_stopes(values, params, max_wall_step=step))


@pytest.mark.parametrize("step", [-1, 1.5, True, "2"])
def test_bad_wall_step(step: object):
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=0)
    with pytest.raises(ValidationError, match="max_wall_step"):
        vein_stopes(np.zeros((3, 3, 2)), params, max_wall_step=step)  # type: ignore[arg-type]


def test_bad_model_and_too_much_work(monkeypatch: pytest.MonkeyPatch):
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=0)
    with pytest.raises(ValidationError, match="not a multiple of the level height"):
        vein_stopes(np.zeros((3, 3, 3)), params, max_wall_step=1)
    monkeypatch.setattr("aurum.underground.shapes.MAX_SHAPE_TERMS", 100)
    with pytest.raises(ValidationError, match="the limit is 100"):
        vein_stopes(np.zeros((4, 4, 4)), params, max_wall_step=1)


def test_skins_outside_each_slice_closed_form() -> None:
    """The 8 × 12 × 6 dipping vein (two ore blocks per slice at 10, waste −4): one shape the
    whole strike long follows it, 8 · 6 · 2 · 10 = 960; a skin of one block each side worth
    −1 per block costs 2 · 1 · 8 · 6 · (−1) = −96, and its walls stay the vein's (the skins'
    cost does not depend on them), 864; with skins of −11 per block a shape of length ℓ is
    worth ℓ · 6 · (20 − 22) < 0 and none is taken."""
    values = dipping_vein()
    base = {"length": (3, 8), "width": (2, 4), "level_height": 6, "pillar": 1}
    plain = vein_stopes(values, StopeParams(**base), max_wall_step=1)  # type: ignore[arg-type]
    skins = vein_stopes(values, StopeParams(**base, skin=1, waste_value=-1.0),  # type: ignore[arg-type]
                        max_wall_step=1)
    assert plain.value == pytest.approx(960.0)
    assert skins.value == pytest.approx(864.0)
    check_limits(values, StopeParams(**base, skin=1, waste_value=-1.0), 1, skins)  # type: ignore[arg-type]
    pd_walls = skins.walls.sort_values("k")
    assert pd_walls["j0"].tolist() == [2, 3, 4, 5, 6, 7]
    costly = vein_stopes(values, StopeParams(**base, skin=1, waste_value=-11.0),  # type: ignore[arg-type]
                         max_wall_step=1)
    assert costly.frame.empty and costly.value == 0.0
