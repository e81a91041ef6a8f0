"""Pit studies: block model and economics to ultimate pit, nested pits, pushbacks, cut-offs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.core.grid import BlockGrid
from aurum.planning.maxclosure import maximum_closure
from aurum.planning.study import PitStudy, economics_from_dict, narrow_blocks, pit_study
from aurum.resources.blockmodel import BlockModel

ECONOMICS = {
    "market": {"price_cny_per_g": 650.0, "selling_cny_per_g": 5.0},
    "mining": {"base_cny_per_t": 25.0, "increment_cny_per_t": 1.0, "interval_m": 10.0},
    "processes": [{"name": "mill", "recovery": 0.9, "cost_cny_per_t": 120.0},
                  {"name": "heap_leach", "recovery": 0.6, "cost_cny_per_t": 40.0}],
    "slopes": 45.0, "n_benches": 8,
    "revenue_factors": {"start": 0.2, "stop": 1.4, "step": 0.1},
    "pushbacks": {"count": 3, "min_mining_width_m": 30.0, "max_narrow_fraction": 0.1},
    "lane": {"fixed_cny_per_year": 5.0e7, "mine_t_per_year": 2.0e7, "mill_t_per_year": 3.0e6},
}
GRID = BlockGrid((5.0, 5.0, -295.0), (10.0, 10.0, 10.0), (40, 40, 30))


def ellipsoid_grades() -> np.ndarray:
    """An ellipsoidal orebody, richest at its centre (g/t), in weak mineralisation."""
    xyz = GRID.centres()
    d = np.sqrt(((xyz[:, 0] - 200) / 80) ** 2 + ((xyz[:, 1] - 200) / 60) ** 2
                + ((xyz[:, 2] + 120) / 100) ** 2)
    return np.where(d < 1, 4.0 * (1 - d) + 0.3, 0.05)


@pytest.fixture(scope="module")
def study() -> PitStudy:
    """The study of the ellipsoid."""
    return pit_study(GRID, {"estimate": ellipsoid_grades()}, economics_from_dict(ECONOMICS))


def test_ultimate_pit_is_the_maximum_closure_of_best_destination_values(study: PitStudy
                                                                        ) -> None:
    grade = ellipsoid_grades()
    tonnes = np.full(GRID.n_blocks, 1000.0 * 2.7)
    z = GRID.centres()[:, 2]
    mining = tonnes * (25.0 + 1.0 * np.maximum(0.0, -z) / 10.0)
    net = 645.0
    by_hand = np.column_stack([-mining, tonnes * (grade * 0.9 * net - 120.0) - mining,
                               tonnes * (grade * 0.6 * net - 40.0) - mining]).max(axis=1)
    np.testing.assert_allclose(study.values.value, by_hand, rtol=1e-12)
    independent = maximum_closure(by_hand, study.precedence.ptr, study.precedence.idx,
                                  decimals=2)
    assert study.value == pytest.approx(independent.value, rel=1e-12)
    np.testing.assert_array_equal(study.in_pit, independent.in_pit)
    # Both processes are used: rich ore to the mill, low grade to the heap.
    assert {"waste", "mill", "heap_leach"} <= set(study.values.best_names()[study.in_pit])


def test_nested_pits_grow_and_pit_by_pit_adds_up(study: PitStudy) -> None:
    table = study.pit_by_pit
    assert list(table["factor"]) == pytest.approx(list(np.round(np.arange(0.2, 1.45, 0.1), 6)))
    assert (np.diff(table["tonnes_t"]) >= 0).all()
    final = table.iloc[study.final_index]
    assert final["factor"] == 1.0 and final["value"] == pytest.approx(study.value)
    assert final["tonnes_t"] == pytest.approx(2700.0 * study.in_pit.sum())
    assert final["best_npv"] >= final["worst_npv"]
    # No rate given: Taylor's rule, a life of 0.2 × (ore tonnes)^0.25 years.
    assert final["life_years"] == pytest.approx(0.2 * final["ore_t"] ** 0.25)


def test_pushbacks_partition_the_final_pit_and_respect_the_width(study: PitStudy) -> None:
    pushbacks = study.pushbacks
    assert ((pushbacks.of_block >= 0) == study.in_pit).all()
    table = pushbacks.table
    assert len(table) >= 2 and list(table["pushback"]) == list(range(1, len(table) + 1))
    assert (np.diff(table["factor"]) > 0).all() and table["factor"].iloc[-1] == 1.0
    assert table["tonnes_t"].sum() == pytest.approx(2700.0 * study.in_pit.sum())
    assert table["value"].sum() == pytest.approx(study.value)
    # Every increment, the last one included, is mostly wide enough for the equipment.
    assert (table["narrow_pct"] <= 10.0).all()


def test_narrow_blocks_by_opening() -> None:
    grid = BlockGrid((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (12, 12, 2))
    region = np.zeros((2, 12, 12), dtype=bool)
    region[0, 1:5, 1:5] = True  # a 40 m square: mineable at 30 m
    region[0, 8, 1:11] = True  # a 10 m wide strip: too narrow
    region[1, 1:3, 6:11] = True  # 20 m by 50 m: too narrow at 30 m, fine at 20 m
    narrow = narrow_blocks(grid, region.reshape(-1), 30.0).reshape(2, 12, 12)
    assert not narrow[0, 1:5, 1:5].any() and narrow[0, 8, 1:11].all()
    assert narrow[1].sum() == 10
    assert narrow_blocks(grid, region.reshape(-1), 20.0).sum() == 10


def test_cutoffs_closed_form(study: PitStudy) -> None:
    rows = study.cutoffs.set_index("process")
    assert rows.loc["mill", "breakeven_gpt"] == pytest.approx(145.0 / (0.9 * 645.0))
    assert rows.loc["heap_leach", "marginal_gpt"] == pytest.approx(40.0 / (0.6 * 645.0))
    assert study.lane is not None
    assert study.lane.mine == pytest.approx(120.0 / (0.9 * 645.0))
    assert study.lane.mill == pytest.approx((120.0 + 5.0e7 / 3.0e6) / (0.9 * 645.0))


@pytest.mark.parametrize(("change", "column"), [
    ({"market": {"selling_cny_per_g": 5.0}}, "market.price_cny_per_g"),
    ({"processes": []}, "processes"),
    ({"revenue_factors": [-0.5, 1.0]}, "revenue_factors"),
    ({"n_benches": 0}, "n_benches"),
    ({"pushbacks": {"count": 0}}, "pushbacks"),
    ({"colour": "red"}, None),
])
def test_bad_economics_are_named(change: dict, column: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        economics_from_dict({**ECONOMICS, **change}, "econ.yaml")
    problem = info.value.problems[0]
    assert problem.source == "econ.yaml" and problem.column == column


def test_negative_slope_is_refused() -> None:
    with pytest.raises(ValidationError, match="slope"):
        pit_study(GRID, {"estimate": ellipsoid_grades()},
                  economics_from_dict({**ECONOMICS, "slopes": -45.0}))


def test_cli_block_model(tmp_path: Path, study: PitStudy) -> None:
    model, econ, out = tmp_path / "bm.csv", tmp_path / "econ.yaml", tmp_path / "pit.txt"
    BlockModel(GRID, {"estimate": ellipsoid_grades()}).to_csv(model)
    econ.write_text(json.dumps(ECONOMICS))  # JSON is YAML
    result = CliRunner().invoke(cli, ["pit", "ultimate", "--model", str(model), "--economics",
                                      str(econ), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["value"] == pytest.approx(study.value, rel=1e-12)
    assert summary["n_blocks"] == study.in_pit.sum() and summary["seconds"] > 0
    assert len(summary["pushbacks"]) == len(study.pushbacks.table)
    assert set(np.loadtxt(out, dtype=np.int64)) == set(np.flatnonzero(study.in_pit))
    mixed = CliRunner().invoke(cli, ["pit", "ultimate", "--model", str(model)])
    assert mixed.exit_code == 2 and "--model and --economics" in mixed.output
