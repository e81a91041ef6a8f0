"""``aurum materials capability``: the command-line contract and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli

SPEC = {"breaking_load": {"min": 4.0, "max": 9.0, "unit": "cN"},
        "purity": {"min": 99.99}}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def files(tmp_path: Path, rows: list[tuple[str, str, str]], spec: object = None
          ) -> tuple[str, str]:
    batches = tmp_path / "B.csv"
    batches.write_text("batch,property,value\n" + "".join(f"{b},{p},{v}\n" for b, p, v in rows),
                       encoding="utf-8")
    spec_file = tmp_path / "S.yaml"
    spec_file.write_text(yaml.safe_dump(SPEC if spec is None else spec), encoding="utf-8")
    return str(batches), str(spec_file)


def test_capability_json_matches_the_hand_computation(tmp_path: Path) -> None:
    loads = [6.0, 6.4, 6.2, 6.8, 6.5, 6.1]
    rows = [(f"B{k}", "breaking_load", str(v)) for k, v in enumerate(loads)]
    rows += [(f"B{k}", "purity", "99.995") for k in range(len(loads))]
    code, out, _err = run("materials", "capability", "--batches", *files(tmp_path, rows)[:1],
                          "--spec", files(tmp_path, rows)[1], "--format", "json")
    assert code == 0, _err
    load = json.loads(out)["properties"]["breaking_load"]
    sigma = np.abs(np.diff(loads)).mean() / (2 / np.sqrt(np.pi))
    assert load["chart"] == "i_mr" and load["n_batches"] == 6
    assert load["cp"] == pytest.approx(5 / (6 * sigma))
    assert load["cpk"] == pytest.approx((np.mean(loads) - 4) / (3 * sigma) if np.mean(
        loads) - 4 < 9 - np.mean(loads) else (9 - np.mean(loads)) / (3 * sigma))
    assert json.loads(out)["properties"]["purity"]["cpk"] is None


def test_subgroups_give_an_xbar_r_chart(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = [(f"B{k}", "breaking_load", f"{v:.3f}") for k in range(20)
            for v in rng.normal(6.5, 0.4, 4)]
    batches, spec = files(tmp_path, rows)
    code, out, _err = run("materials", "capability", "--batches", batches, "--spec", spec)
    assert code == 0
    assert "xbar_r" in out and "Cpk" in out


@pytest.mark.parametrize(("rows", "spec", "message"), [
    ([("B1", "breaking_load", "six")], None, "B.csv, row 2, column value: expected a number"),
    ([("B1", "hue", "1")], None, "row 2, column property: unknown property 'hue'"),
    ([("B1", "elongation", "3")], None, "'elongation' is not in the specification"),
    ([("B1", "breaking_load", "6")], {"breaking_load": {"min": 9, "max": 4}},
     "S.yaml, column breaking_load: breaking_load: the minimum 9.0 is greater than the "
     "maximum 4.0"),
])
def test_bad_input_gives_one_clear_line(tmp_path: Path, rows: list[tuple[str, str, str]],
                                        spec: object, message: str) -> None:
    batches, spec_file = files(tmp_path, rows, spec)
    code, out, err = run("materials", "capability", "--batches", batches, "--spec", spec_file)
    assert code != 0 and out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
