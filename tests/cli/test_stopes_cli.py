"""``aurum stopes optimise``: the command-line contract scripts rely on, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli

COLUMNS = ["level", "i0", "i1", "j0", "j1", "k0", "k1", "value"]
PARAMS = {"length": [2, 8], "width": [1, 4], "level_height": 4, "pillar": 1}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["stopes", "optimise", *args])
    return result.exit_code, result.stdout, result.stderr


def write_blocks(path: Path, values: np.ndarray) -> Path:
    i, j, k = np.indices(values.shape)
    pd.DataFrame({"i": i.ravel(), "j": j.ravel(), "k": k.ravel(), "value": values.ravel(),
                  "au_gpt": 1.0}).to_csv(path, index=False)
    return path


def write_params(path: Path, document: object) -> Path:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    # Two levels; a 6 × 3 box of 10 CNY blocks in the upper one, waste at −1 around it.
    values = -np.ones((12, 8, 8))
    values[3:9, 2:5, 4:8] = 10.0
    return (write_blocks(tmp_path / "BLOCKS.csv", values),
            write_params(tmp_path / "STOPES.yaml", PARAMS))


@pytest.mark.parametrize("exact", [False, True])
def test_contract_csv_and_json(files: tuple[Path, Path], tmp_path: Path, exact: bool) -> None:
    model, params = files
    out = tmp_path / "STOPES.csv"
    code, stdout, stderr = run("--model", str(model), "--params", str(params), "--out",
                               str(out), "--format", "json", *(["--exact"] if exact else []))
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert set(doc) == {"value", "stopes", "upper_bound", "seconds"}
    assert doc["value"] == 6 * 3 * 4 * 10.0
    assert doc["upper_bound"] == pytest.approx(doc["value"], rel=1e-9)
    assert doc["stopes"] == 1
    frame = pd.read_csv(out)
    assert list(frame.columns) == COLUMNS
    assert frame.values.tolist() == [[1, 3, 8, 2, 4, 4, 7, 720.0]]


def test_text_output(files: tuple[Path, Path], tmp_path: Path) -> None:
    model, params = files
    out = tmp_path / "STOPES.csv"
    code, stdout, stderr = run("--model", str(model), "--params", str(params), "--out",
                               str(out))
    assert code == 0, stderr
    assert stdout.startswith("1 stopes worth 720 CNY (upper bound 720 CNY, gap 0.000 per "
                             "cent)")


def test_help_names_the_files() -> None:
    code, stdout, _stderr = run("--help")
    assert code == 0
    for flag in ("--model", "--params", "--exact", "--out", "--format"):
        assert flag in stdout


@pytest.mark.parametrize(("case", "message"), [
    ("missing block", "error: BLOCKS.csv: missing block i=11, j=7, k=7; expected every block "
                      "of the 12 × 8 × 8 grid (indices from 0)"),
    ("min > max", "error: STOPES.yaml, column width: the minimum 4 is greater than the maximum "
                  "1; expected [min, max] with min at most max"),
    ("level height", "error: column level_height: the model has 8 blocks along k, not a "
                     "multiple of the level height 3; expected whole levels"),
    ("unknown key", "error: STOPES.yaml, column level: unknown field; expected one of length, "
                    "width, level_height, pillar, sill_pillar"),
    ("bad yaml", "error: STOPES.yaml: cannot read the parameters: expected ',' or ']', but "
                 "got '<stream end>' at line 2, column 1"),
])
def test_bad_input_one_message_nothing_written(files: tuple[Path, Path], tmp_path: Path,
                                               case: str, message: str) -> None:
    model, params = files
    if case == "missing block":
        pd.read_csv(model).iloc[:-1].to_csv(model, index=False)
    elif case == "min > max":
        write_params(params, {**PARAMS, "width": [4, 1]})
    elif case == "level height":
        write_params(params, {**PARAMS, "level_height": 3})
    elif case == "unknown key":
        write_params(params, {**PARAMS, "level": 2})
    else:
        params.write_text("length: [2, 8\n", encoding="utf-8")
    out = tmp_path / "STOPES.csv"
    code, stdout, stderr = run("--model", str(model), "--params", str(params), "--out",
                               str(out), "--format", "json")
    assert code == 2
    assert stdout == ""
    assert len(stderr.splitlines()) == 1 and stderr.startswith(message), stderr
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BLOCKS.csv", "STOPES.yaml"]


def test_a_missing_folder_is_refused_before_the_work(files: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    model, params = files
    code, _stdout, stderr = run("--model", str(model), "--params", str(params), "--out",
                                str(tmp_path / "nowhere" / "STOPES.csv"))
    assert code == 2
    assert "nowhere" in stderr and "does not exist" in stderr
