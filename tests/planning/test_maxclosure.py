"""The ultimate pit: MineLib's published optima to the unit, scipy's maximum flow on random
instances, closed-form cases, nested pits against independent solves, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.planning.maxclosure import maximum_closure, nested_pits
from aurum.planning.minelib import is_closed, read_instance, read_prec, read_solution

PUBLISHED = {"newman1": 26_086_899, "zuck_small": 1_422_726_898, "kd": 652_195_037}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_minelib_optimum_to_the_unit(shared_data: Path, name: str) -> None:
    folder = shared_data / "minelib" / name
    inst = read_instance(folder / f"{name}.upit", folder / f"{name}.prec")
    result = maximum_closure(inst.values, inst.pred_ptr, inst.pred_idx)
    assert round(result.value) == PUBLISHED[name]
    assert is_closed(result.in_pit, inst.pred_ptr, inst.pred_idx)
    published = read_solution(folder / f"{name}_upit.sol", inst.n_blocks)
    assert inst.values[published].sum() == pytest.approx(result.value, abs=0.5)


def test_cli_contract(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "minelib" / "newman1"
    out = tmp_path / "newman1.sol"
    result = CliRunner().invoke(cli, ["pit", "ultimate", "--upit", str(folder / "newman1.upit"),
                                      "--prec", str(folder / "newman1.prec"), "--out",
                                      str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert round(summary["value"]) == PUBLISHED["newman1"]
    ids = np.loadtxt(out, dtype=int)
    assert len(ids) == summary["n_blocks"] and summary["seconds"] >= 0
    assert set(ids) == set(np.flatnonzero(read_solution(folder / "newman1_upit.sol", 1060)))


def _cone_instance(nx: int, nz: int, ore_value: float) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray, np.ndarray]:
    """A 2D section of nx x nz blocks (z = 0 at surface), 45-degree slopes: block (i, k)
    needs (i-1, k-1), (i, k-1), (i+1, k-1). All waste at -1 except one ore block at the
    bottom centre."""
    idx = np.arange(nx * nz).reshape(nz, nx)
    values = -np.ones(nx * nz)
    centre = nx // 2
    values[idx[nz - 1, centre]] = ore_value
    preds = [[int(idx[k - 1, j]) for j in (i - 1, i, i + 1) if 0 <= j < nx] if k else []
             for k in range(nz) for i in range(nx)]
    ptr = np.concatenate([[0], np.cumsum([len(p) for p in preds])])
    return values, ptr, np.array([q for p in preds for q in p], dtype=np.int64), idx


def test_a_single_ore_block_gives_its_inverted_cone() -> None:
    nx, nz = 21, 6
    # The cone over the bottom-centre block holds 1 + 3 + 5 + 7 + 9 + 11 = 36 blocks:
    # 35 of waste. Ore worth 36 pays for them (value +1); worth 34 it does not.
    values, ptr, idx, grid = _cone_instance(nx, nz, 36.0)
    result = maximum_closure(values, ptr, idx)
    expected = np.zeros((nz, nx), dtype=bool)
    for k in range(nz):  # k levels above the ore block: half-width k
        expected[nz - 1 - k, nx // 2 - k: nx // 2 + k + 1] = True
    assert result.value == pytest.approx(1.0)
    np.testing.assert_array_equal(result.in_pit.reshape(nz, nx), expected)
    values[grid[nz - 1, nx // 2]] = 34.0
    assert maximum_closure(values, ptr, idx).n_blocks == 0
    # Worth 35 the cone is worth 0, as much as mining nothing: the smallest pit is returned.
    values[grid[nz - 1, nx // 2]] = 35.0
    assert maximum_closure(values, ptr, idx).n_blocks == 0


def _picard_max_flow(values: np.ndarray, ptr: np.ndarray, idx: np.ndarray
                     ) -> tuple[int, np.ndarray]:
    """Maximum flow of Picard's network by scipy (integer values), the independent check: its
    value and the smallest optimal pit, the blocks the source reaches by residual arcs."""
    n = len(values)
    pos, neg = np.flatnonzero(values > 0), np.flatnonzero(values < 0)
    rows = np.concatenate([np.repeat(np.arange(n), np.diff(ptr)), np.full(len(pos), n), neg])
    cols = np.concatenate([idx, pos, np.full(len(neg), n + 1)])
    caps = np.concatenate([np.full(len(idx), values[pos].sum() + 1), values[pos],
                           -values[neg]]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(n + 2, n + 2))
    result = maximum_flow(graph, n, n + 1)
    residual = graph.toarray() - result.flow.toarray()  # reverse arcs: capacity 0 - (-flow)
    reached = np.zeros(n + 2, dtype=bool)
    reached[n] = True
    todo = [n]
    while todo:
        for v in np.flatnonzero((residual[todo.pop()] > 0) & ~reached):
            reached[v] = True
            todo.append(int(v))
    return int(result.flow_value), reached[:n]


def test_random_closures_match_scipy_maximum_flow() -> None:
    """Random precedence graphs (cycles allowed) and integer values: the pit's value is the
    sum of the positive values minus scipy's maximum flow, the pit is closed and it is the
    smallest optimal one, the blocks reached from the source in scipy's residual network."""
    rng = np.random.default_rng(20261121)
    for _ in range(300):
        n = int(rng.integers(1, 40))
        preds = [np.unique(rng.integers(0, n, size=int(rng.integers(0, 4)))) for _ in range(n)]
        preds = [p[p != i] for i, p in enumerate(preds)]
        ptr = np.concatenate([[0], np.cumsum([len(p) for p in preds])])
        idx = np.concatenate(preds).astype(np.int64)
        values = rng.integers(-20, 21, size=n).astype(float)
        result = maximum_closure(values, ptr, idx, decimals=0)
        assert is_closed(result.in_pit, ptr, idx)
        flow, smallest = _picard_max_flow(values.astype(np.int64), ptr, idx)
        assert result.value == values[values > 0].sum() - flow
        np.testing.assert_array_equal(result.in_pit, smallest)


def test_bad_precedence_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.prec"
    bad.write_text("0 0\n1 1 7\n")
    with pytest.raises(ValidationError, match="names block 7, which does not exist"):
        read_prec(bad, 2)
    bad.write_text("0 1 1\n1 1 0\n")
    with pytest.raises(ValidationError, match="cycle through blocks 0, 1"):
        read_prec(bad, 2)
    upit = tmp_path / "bad.upit"
    upit.write_text("NAME: x\nTYPE: UPIT\nNBLOCKS: 2\nOBJECTIVE_FUNCTION:\n0 1.5\n1 nan\n")
    with pytest.raises(ValidationError, match="no finite value"):
        read_instance(upit, bad)


def test_bad_solver_input() -> None:
    ptr, idx = np.array([0, 0, 1]), np.array([0])
    with pytest.raises(ValidationError, match="pred_ptr: expected 4 integer offsets"):
        maximum_closure(np.ones(3), ptr, idx)
    with pytest.raises(ValidationError, match="names block 5, which does not exist"):
        maximum_closure(np.ones(2), ptr, np.array([5]))
    with pytest.raises(ValidationError, match="offsets rising from 0 to len"):
        maximum_closure(np.ones(2), np.array([0, 0, 2]), idx)
    with pytest.raises(ValidationError, match="one finite value per block"):
        maximum_closure(np.array([1.0, np.nan]), ptr, idx)
    with pytest.raises(ValidationError, match="beyond what int64 holds; give fewer decimals"):
        maximum_closure(np.array([5e12, 1.0]), ptr, idx)
    with pytest.raises(ValidationError, match="finite values >= 0"):
        nested_pits(np.array([1.0, -1.0]), np.ones(2), ptr, idx, np.array([1.0]))
    with pytest.raises(ValidationError, match="increasing revenue factors"):
        nested_pits(np.ones(2), np.ones(2), ptr, idx, np.array([1.0, 0.5]))


def _model_3d(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """n x n x n blocks, z index 0 at the top; block (i, j, k) needs the 3 x 3 blocks above.
    Revenue from a Gaussian ore body plus noise, a flat mining cost of 1 per block."""
    rng = np.random.default_rng(seed)
    k, j, i = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    centre = (n - 1) / 2
    grade = 8 * np.exp(-((i - centre) ** 2 + (j - centre) ** 2 + (k - 0.7 * n) ** 2)
                       / (0.1 * n * n)) * rng.lognormal(0, 0.3, i.shape)
    revenue = grade.ravel()
    cost = np.ones(n**3)
    preds = []
    for kk, jj, ii in zip(k.ravel(), j.ravel(), i.ravel(), strict=True):
        if kk == 0:
            preds.append([])
            continue
        preds.append([int((kk - 1) * n * n + y * n + x)
                      for y in range(max(jj - 1, 0), min(jj + 2, n))
                      for x in range(max(ii - 1, 0), min(ii + 2, n))])
    ptr = np.concatenate([[0], np.cumsum([len(p) for p in preds])])
    return revenue, cost, ptr, np.array([q for p in preds for q in p], dtype=np.int64)


def test_nested_pits_equal_independent_solves() -> None:
    revenue, cost, ptr, idx = _model_3d(12, 4)
    factors = np.array([0.3, 0.5, 0.7, 0.85, 1.0, 1.2])
    nested = nested_pits(revenue, cost, ptr, idx, factors)
    previous = np.zeros(len(revenue), dtype=bool)
    for k, f in enumerate(factors):
        alone = maximum_closure(f * revenue - cost, ptr, idx)
        pit = nested.pit(k)
        assert nested.values[k] == pytest.approx(alone.value, abs=1e-6)
        np.testing.assert_array_equal(pit, alone.in_pit)  # both the smallest optimal pit
        assert is_closed(pit, ptr, idx)
        assert (pit >= previous).all()  # nested: every pit contains the one before
        previous = pit
    sizes = [int(nested.pit(k).sum()) for k in range(len(factors))]
    assert sizes[0] == 0 and sizes[-1] > sizes[3] > 0  # no pit at 0.3, growing from 0.85
