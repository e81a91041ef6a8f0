"""Stope optimisation: known optima, an independent pairwise formulation, a vein model of
10,000 blocks (fast against exact), the bounds, the envelope and bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from aurum.core.errors import ValidationError
from aurum.underground import stopes
from aurum.underground.stopes import (
    FRAME_COLUMNS,
    StopeParams,
    Stopes,
    floating_stope_envelope,
    optimise_stopes,
    read_block_values,
)


def gaps(a: pd.Series, b: pd.Series) -> tuple[int, int]:
    """Whole blocks between two stopes along i and along j (negative when they overlap)."""
    return (max(a.i0, b.i0) - min(a.i1, b.i1) - 1, max(a.j0, b.j0) - min(a.j1, b.j1) - 1)


def check_layout(values: np.ndarray, params: StopeParams, result: Stopes) -> None:
    """Every rule a layout must keep, re-checked from the definitions."""
    frame = result.frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    h = params.level_height
    for row in frame.itertuples():
        assert params.length[0] <= row.i1 - row.i0 + 1 <= params.length[1]
        assert params.width[0] <= row.j1 - row.j0 + 1 <= params.width[1]
        assert (row.k0, row.k1) == (row.level * h + params.sill_pillar, row.level * h + h - 1)
        block_sum = values[row.i0:row.i1 + 1, row.j0:row.j1 + 1, row.k0:row.k1 + 1].sum()
        assert row.value == pytest.approx(block_sum, rel=1e-12, abs=1e-9)
    for _level, level in frame.groupby("level"):
        for (_a, a), (_b, b) in itertools.combinations(level.iterrows(), 2):
            gap_i, gap_j = gaps(a, b)
            assert gap_i >= params.pillar or gap_j >= params.pillar, (a, b)
    assert result.value == pytest.approx(frame["value"].sum(), rel=1e-12)
    assert result.upper_bound >= result.value


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("sill", [0, 1])
def test_a_single_rich_box_is_the_stope(exact: bool, sill: int) -> None:
    # Waste at −1 CNY a block around a 6 × 3 box of 10 CNY blocks in the upper of two levels:
    # any other box takes waste or leaves ore, and splitting the box leaves a pillar of ore.
    values = -np.ones((12, 8, 8))
    values[3:9, 2:5, 4:8] = 10.0
    params = StopeParams(length=(2, 8), width=(1, 4), level_height=4, pillar=1,
                         sill_pillar=sill)
    result = optimise_stopes(values, params, exact=exact)
    check_layout(values, params, result)
    assert result.frame.drop(columns="value").values.tolist() == [[1, 3, 8, 2, 4, 4 + sill, 7]]
    assert result.value == 6 * 3 * (4 - sill) * 10.0
    assert result.upper_bound == pytest.approx(result.value, rel=1e-9)
    assert result.method == ("exact" if exact else "fast")


def two_zones(gap: int, across: bool) -> np.ndarray:
    """Zones of 4 × 3 blocks at 5 and at 3 CNY, ``gap`` blocks of −100 CNY waste apart along
    i (or along j when ``across``, the model transposed), one level of 2 blocks."""
    values = np.full((16, 6, 2), -100.0)
    values[2:6, 1:4] = 5.0
    values[6 + gap:10 + gap, 1:4] = 3.0
    return values.transpose(1, 0, 2) if across else values


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("across", [False, True])
@pytest.mark.parametrize(("gap", "expected"), [(1, 4 * 3 * 2 * 5.0),
                                               (2, 4 * 3 * 2 * (5.0 + 3.0))])
def test_two_zones_closer_than_the_pillar_force_a_choice(exact: bool, across: bool, gap: int,
                                                          expected: float) -> None:
    values = two_zones(gap, across)
    # A stope is 4 blocks long exactly where the zones are: any other box takes waste at −100.
    length, width = ((4, 6), (1, 3)) if not across else ((1, 3), (4, 6))
    params = StopeParams(length=length, width=width, level_height=2, pillar=2)
    result = optimise_stopes(values, params, exact=exact)
    check_layout(values, params, result)
    assert result.value == expected
    assert result.upper_bound == pytest.approx(expected, rel=1e-9)
    first = result.frame.iloc[0]
    lo, hi = ("j0", "j1") if across else ("i0", "i1")
    assert (first[lo], first[hi]) == (2, 5)  # the richer zone, whole
    if gap == 2:
        assert (result.frame.iloc[1][lo], result.frame.iloc[1][hi]) == (8, 11)


def pairwise_optimum(values: np.ndarray, params: StopeParams) -> float:
    """The optimum by another formulation: every positive box (no dominance filter), one row
    per conflicting pair, conflicts from the pillar rule's own words (between the skins:
    ``skin`` blocks each side across j, each worth ``waste_value``)."""
    ni, nj, nk = values.shape
    h, s = params.level_height, params.sill_pillar
    boxes = []
    for level in range(nk // h):
        for a, b in params.sizes():
            for i0 in range(ni - a + 1):
                for j0 in range(nj - b + 1):
                    v = values[i0:i0 + a, j0:j0 + b, level * h + s:level * h + h].sum()
                    v += 2 * params.skin * a * (h - s) * params.waste_value
                    if v > 0:
                        boxes.append((level, i0, i0 + a - 1, j0 - params.skin,
                                      j0 + b - 1 + params.skin, v))
    pairs = []
    for x, y in itertools.combinations(range(len(boxes)), 2):
        p, q = boxes[x], boxes[y]
        gap_i = max(p[1], q[1]) - min(p[2], q[2]) - 1
        gap_j = max(p[3], q[3]) - min(p[4], q[4]) - 1
        if p[0] == q[0] and gap_i < params.pillar and gap_j < params.pillar:
            pairs.append((x, y))
    value = np.array([box[-1] for box in boxes])
    rows = np.repeat(np.arange(len(pairs)), 2)
    conflicts = sparse.coo_array((np.ones(rows.size), (rows, np.ravel(pairs))),
                                 shape=(len(pairs), len(boxes)))
    constraints = [LinearConstraint(conflicts, -np.inf, 1.0)] if pairs else []
    result = milp(-value, integrality=np.ones(len(boxes)), bounds=Bounds(0, 1),
                  constraints=constraints, options={"mip_rel_gap": 0.0})
    return float(value @ np.round(result.x))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimum_matches_the_pairwise_formulation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.normal(0.2, 1.0, (9, 7, 4))
    params = StopeParams(length=(1, 3), width=(1, 2), level_height=2, pillar=seed % 3,
                         sill_pillar=seed % 2)
    expected = pairwise_optimum(values, params)
    for exact in (False, True):
        result = optimise_stopes(values, params, exact=exact)
        check_layout(values, params, result)
        assert result.value == pytest.approx(expected, rel=1e-9)
        assert result.upper_bound == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize(("seed", "skin"), [(3, 1), (4, 2), (5, 1)])
def test_skins_match_the_pairwise_formulation(seed: int, skin: int) -> None:
    """With skins, the optimum of the pairwise formulation (pillars between skins)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.6, 1.0, (8, 9, 4))
    params = StopeParams(length=(1, 3), width=(1, 3), level_height=2, pillar=seed % 2,
                         skin=skin, waste_value=-0.3)
    expected = pairwise_optimum(values, params)
    for exact in (False, True):
        result = optimise_stopes(values, params, exact=exact)
        assert result.value == pytest.approx(expected, rel=1e-9)
        assert result.upper_bound == pytest.approx(expected, rel=1e-7)


def test_skins_closed_form() -> None:
    """Blocks worth 10 on a 4 × 9 × 2 grid, stopes 4 × 2 blocks a level high, pillar 1:
    without skins three stopes fit across j (period 3), each 16 × 10 = 160; a skin of one
    block each side widens the packed box to 4 columns, so with the pillar between skins only
    two fit (period 5: walls at j0 = 0 and 5), each worth 160 + 2·1·4·2·(−3) = 112; a skin
    worth nothing still takes the room (two stopes of 160)."""
    values = np.full((4, 9, 2), 10.0)
    base = {"length": (4, 4), "width": (2, 2), "level_height": 2, "pillar": 1}
    for exact in (False, True):
        plain = optimise_stopes(values, StopeParams(**base), exact=exact)  # type: ignore[arg-type]
        assert plain.value == pytest.approx(480.0) and len(plain.frame) == 3
        skins = optimise_stopes(values, StopeParams(**base, skin=1, waste_value=-3.0),  # type: ignore[arg-type]
                                exact=exact)
        assert skins.value == pytest.approx(224.0)
        assert skins.frame["value"].tolist() == pytest.approx([112.0, 112.0])
        walls = sorted(zip(skins.frame["j0"], skins.frame["j1"], strict=True))
        assert walls[1][0] - 1 - (walls[0][1] + 1) - 1 >= 1  # the pillar between the skins
        free = optimise_stopes(values, StopeParams(**base, skin=1), exact=exact)  # type: ignore[arg-type]
        assert free.value == pytest.approx(320.0) and len(free.frame) == 2


def test_skins_that_cost_more_than_the_ore_leave_no_stope() -> None:
    """A stope one block wide: its column of 2 blocks at 10 and its two skins of 2 blocks at
    −5 are worth 20 − 20 = 0, and no stope of value 0 is taken; the envelope is empty too."""
    values = np.full((3, 1, 2), 10.0)
    params = StopeParams(length=(1, 3), width=(1, 1), level_height=2, pillar=0, skin=1,
                         waste_value=-5.0)
    assert optimise_stopes(values, params).frame.empty
    assert not floating_stope_envelope(values, params).any()


def vein(ni: int = 50, nj: int = 20, nk: int = 10, seed: int = 4) -> np.ndarray:
    """A dipping vein, 1.5 to 4.5 blocks thick, with lognormal grades about a trend, in waste:
    block values in CNY for blocks of 337.5 t (5 m cubes at 2.7 t/m³), gold at 585 CNY/g
    recovered, 400 CNY/t to mine and process."""
    rng = np.random.default_rng(seed)
    i, j, k = np.meshgrid(np.arange(ni), np.arange(nj), np.arange(nk), indexing="ij")
    centre = nj / 2 + 0.35 * (k - nk / 2) + 1.5 * np.sin(i / 9.0)
    inside = np.abs(j - centre) < (3.0 + 1.5 * np.sin(i / 13.0 + k / 7.0)) / 2
    trend = np.maximum(3.0 + 2.5 * np.sin(i / 11.0) * np.cos(k / 5.0), 0.3)
    grade = np.where(inside, trend * rng.lognormal(-0.18, 0.6, i.shape), 0.15)
    return 337.5 * (grade * 585.0 - 400.0)


VEIN_PARAMS = StopeParams(length=(4, 10), width=(1, 6), level_height=5, pillar=2)


@pytest.fixture(scope="module")
def vein_results() -> tuple[np.ndarray, Stopes, Stopes]:
    values = vein()
    return (values, optimise_stopes(values, VEIN_PARAMS),
            optimise_stopes(values, VEIN_PARAMS, exact=True))


def test_vein_fast_within_half_a_per_cent_of_exact(vein_results: tuple[np.ndarray, Stopes,
                                                                        Stopes]) -> None:
    values, fast, exact = vein_results
    assert values.size == 10_000
    assert len(exact.frame) >= 10
    for result in (fast, exact):
        check_layout(values, VEIN_PARAMS, result)
    assert exact.upper_bound == pytest.approx(exact.value, rel=1e-9)
    assert fast.value >= 0.995 * exact.value
    assert fast.upper_bound >= exact.value * (1 - 1e-9)
    assert fast.candidates == exact.candidates > 0


def test_the_floating_envelope_holds_every_stope(vein_results: tuple[np.ndarray, Stopes,
                                                                     Stopes]) -> None:
    values, _fast, exact = vein_results
    envelope = floating_stope_envelope(values, VEIN_PARAMS)
    for row in exact.frame.itertuples():
        assert envelope[row.i0:row.i1 + 1, row.j0:row.j1 + 1, row.k0:row.k1 + 1].all()


def test_floating_envelope_closed_form() -> None:
    # One block worth 100 in waste at −1: a box of up to 2 × 2 holding it is positive, one
    # without it is not, so the envelope is its 3 × 3 neighbourhood in its stope layer.
    values = -np.ones((6, 5, 4))
    values[2, 0, 3] = 100.0
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=0, sill_pillar=1)
    envelope = floating_stope_envelope(values, params)
    expected = np.zeros(values.shape, dtype=bool)
    expected[1:4, 0:2, 3] = True
    np.testing.assert_array_equal(envelope, expected)


def test_floating_envelope_against_every_box() -> None:
    for seed in range(20):
        rng = np.random.default_rng(seed)
        (ni, nj), h = rng.integers(2, 9, 2), int(rng.integers(1, 3))
        values = rng.normal(-0.3, 1.0, (ni, nj, 2 * h))
        low_l, low_w = (int(x) for x in rng.integers(1, 4, 2))
        params = StopeParams((low_l, low_l + int(rng.integers(0, 3))),
                             (low_w, low_w + int(rng.integers(0, 2))), h, 0,
                             int(rng.integers(0, h)))
        expected = np.zeros(values.shape, dtype=bool)
        for level, (a, b) in itertools.product(range(2), params.sizes()):
            k = slice(level * h + params.sill_pillar, level * h + h)
            for i0, j0 in itertools.product(range(ni - a + 1), range(nj - b + 1)):
                if values[i0:i0 + a, j0:j0 + b, k].sum() > 0:
                    expected[i0:i0 + a, j0:j0 + b, k] = True
        np.testing.assert_array_equal(floating_stope_envelope(values, params), expected)


def five_cycle() -> stopes._Candidates:
    """Five stopes of value 1 in a ring, each meeting only its two neighbours: the LP takes
    each at one half (2.5), a layout at most two (2)."""
    boxes = [(1, 4, 2, 2), (4, 4, 2, 3), (3, 4, 3, 3), (0, 3, 3, 4), (0, 1, 1, 4)]
    i0, i1, j0, j1 = (np.array(x, dtype=np.int64) for x in zip(*boxes, strict=True))
    return stopes._Candidates(i0, j0, i1 - i0 + 1, j1 - j0 + 1, np.ones(5))


@pytest.mark.parametrize(("exact", "bound"), [(False, 2.5), (True, 2.0)])
def test_a_fractional_lp_is_rounded_by_the_heuristics(exact: bool, bound: float) -> None:
    chosen, level_bound = stopes._solve_level(five_cycle(), 0, 5, 5, exact, 10.0)
    assert chosen.sum() == 2
    assert level_bound == pytest.approx(bound, rel=1e-9)


class OutOfTime:
    """What :func:`scipy.optimize.linprog` returns when its time runs out."""

    status, x, fun = 1, None, None


def test_the_mip_proves_the_vein_optimum_on_its_own(
        vein_results: tuple[np.ndarray, Stopes, Stopes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every level's LP of the vein is integral, so --exact stops there: without the LP, the
    # MIP must find the same optimum and prove it.
    values, _fast, exact = vein_results
    monkeypatch.setattr(stopes, "linprog", lambda *args, **kwargs: OutOfTime())
    mip = optimise_stopes(values, VEIN_PARAMS, exact=True)
    check_layout(values, VEIN_PARAMS, mip)
    assert mip.value == pytest.approx(exact.value, rel=1e-9)
    assert mip.upper_bound == pytest.approx(mip.value, rel=1e-9)


def test_the_density_bound_when_the_lp_runs_out_of_time(
        vein_results: tuple[np.ndarray, Stopes, Stopes], monkeypatch: pytest.MonkeyPatch
) -> None:
    values, _fast, exact = vein_results
    monkeypatch.setattr(stopes, "linprog", lambda *args, **kwargs: OutOfTime())
    fast = optimise_stopes(values, VEIN_PARAMS)
    check_layout(values, VEIN_PARAMS, fast)
    assert fast.upper_bound >= exact.value
    assert fast.value >= 0.98 * exact.value  # the packings alone, no LP to order them


def test_read_block_values_round_trip(tmp_path: Path) -> None:
    values = np.arange(24.0).reshape(2, 3, 4) - 10
    i, j, k = np.indices(values.shape)
    frame = pd.DataFrame({"k": k.ravel(), "j": j.ravel(), "i": i.ravel(),
                          "value": values.ravel(), "grade": 1.0}).sample(frac=1.0,
                                                                         random_state=1)
    path = tmp_path / "BLOCKS.csv"
    frame.to_csv(path, index=False)
    np.testing.assert_array_equal(read_block_values(path), values)
    np.testing.assert_array_equal(read_block_values(frame), values)


def blocks(shape: tuple[int, int, int] = (2, 2, 2)) -> pd.DataFrame:
    i, j, k = np.indices(shape)
    return pd.DataFrame({"i": i.ravel(), "j": j.ravel(), "k": k.ravel(), "value": 1.0})


def refusal(call: object) -> list[str]:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda f: f.drop(index=5), ["BLOCKS.csv: missing block i=1, j=0, k=1; expected every "
                                 "block of the 2 × 2 × 2 grid (indices from 0)"]),
    (lambda f: pd.concat([f, f.iloc[[3]]]),
     ["BLOCKS.csv, row 10, column i: duplicate block i=0, j=1, k=1; first on row 5"]),
    (lambda f: f.assign(j=f["j"].where(f.index != 2, 0.5)),
     ["BLOCKS.csv, row 4, column j: expected a whole number of at least 0, got '0.5'"]),
    (lambda f: f.assign(value=f["value"].where(f.index != 6, np.inf)),
     ["BLOCKS.csv, row 8, column value: expected a finite number (CNY), got 'inf'"]),
])
def test_read_block_values_names_each_problem(tmp_path: Path, edit: object,
                                              expected: list[str]) -> None:
    path = tmp_path / "BLOCKS.csv"
    edit(blocks()).to_csv(path, index=False)  # type: ignore[operator]
    assert refusal(lambda: read_block_values(path)) == expected


@pytest.mark.parametrize(("mapping", "expected"), [
    ({"length": [5, 3], "width": [1, 2], "level_height": 2, "pillar": 1},
     ["column length: the minimum 5 is greater than the maximum 3; expected [min, max] with "
      "min at most max"]),
    ({"length": [1, 3], "width": [1, 2], "level_height": 2, "pillar": 1, "pilar": 2},
     ["column pilar: unknown field; expected one of length, width, level_height, pillar, "
      "sill_pillar, skin, waste_value"]),
    ({"length": [1, 3], "width": [1, 2], "level_height": 2, "pillar": 1, "skin": -1,
      "waste_value": 5.0},
     ["column skin: expected a whole number of blocks from 0 to 1000, got -1",
      "column waste_value: expected a number from -1000000000000.0 to 0.0 CNY per block (the "
      "cost of a block of waste, at most 0), got 5.0"]),
    ({"length": [1, 3], "width": [0, 2], "level_height": 2},
     ["column pillar: missing; expected a whole number of blocks from 0 to 1000",
      "column width: expected [min, max], two whole numbers of blocks from 1 to 1000, got "
      "[0, 2]"]),
    ({"length": [1, 3], "width": [1, 2], "level_height": 2, "pillar": 1, "sill_pillar": 2},
     ["column sill_pillar: a sill pillar of 2 blocks leaves no stope in a level of 2 blocks; "
      "expected fewer blocks than the level height"]),
])
def test_params_name_each_bad_field(mapping: dict[str, object], expected: list[str]) -> None:
    assert refusal(lambda: StopeParams.from_mapping(mapping)) == expected


def test_params_from_mapping() -> None:
    params = StopeParams.from_mapping({"length": [2, 4], "width": [1.0, 3], "level_height": 5,
                                       "pillar": 1, "sill_pillar": 1})
    assert params == StopeParams((2, 4), (1, 3), 5, 1, 1)
    assert params.stope_height == 4


def test_a_level_height_that_does_not_divide_the_model() -> None:
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=3, pillar=0)
    assert refusal(lambda: optimise_stopes(np.ones((4, 4, 10)), params)) == [
        "column level_height: the model has 10 blocks along k, not a multiple of the level "
        "height 3; expected whole levels"]


def test_the_limits_are_checked_before_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=0)
    values = np.ones((10, 10, 4))
    monkeypatch.setattr(stopes, "MAX_STOPE_BOXES", 700)  # 2 levels × (100 + 90 + 90 + 81)
    assert refusal(lambda: optimise_stopes(values, params)) == [
        "the model and the length and width ranges give 722 boxes to value; the limit is 700: "
        "narrow the ranges or split the model"]
    monkeypatch.setattr(stopes, "MAX_STOPE_CANDIDATES", 50)
    monkeypatch.setattr(stopes, "MAX_STOPE_BOXES", 10**6)
    assert refusal(lambda: optimise_stopes(values, params)) == [
        "the model gives more than 50 candidate stopes: narrow the length or width ranges or "
        "split the model"]


def test_a_model_of_waste_has_no_stopes() -> None:
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=1)
    result = optimise_stopes(-np.ones((5, 4, 4)), params, exact=True)
    assert result.frame.empty and list(result.frame.columns) == list(FRAME_COLUMNS)
    assert (result.value, result.upper_bound, result.candidates) == (0.0, 0.0, 0)
    assert not floating_stope_envelope(-np.ones((5, 4, 4)), params).any()


def test_a_time_limit_out_of_range_is_refused() -> None:
    params = StopeParams(length=(1, 2), width=(1, 2), level_height=2, pillar=1)
    assert refusal(lambda: optimise_stopes(np.ones((3, 3, 2)), params, time_limit_s=0)) == [
        "column time_limit_s: expected a number from 0.01 to 86400.0 s, got 0"]
