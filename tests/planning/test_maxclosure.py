"""The ultimate pit: MineLib's published optima to the unit, closed-form cases, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.planning.maxclosure import maximum_closure
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
