"""``aurum metrology pt``: the command-line contract scripts rely on, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from aurum.cli import cli

E3 = [1.69, 0.74, 2.05, 1.14, 2.19, 1.39, 1.52, 1.50, 1.58, 0.80, 1.21, 1.63]
"""ISO 13528:2015 E.3's twelve results (tests/metrology/test_robust.py)."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "results.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_json_contract_consensus(tmp_path: Path) -> None:
    path = write(tmp_path, "lab,value\n" + "".join(f"L{i:02d},{v}\n" for i, v in enumerate(E3)))
    code, out, err = run("metrology", "pt", "--results", str(path), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"assigned_value", "robust_sd", "u_assigned", "sigma_pt", "labs"}
    x = np.array(E3)
    assert result["assigned_value"] == pytest.approx(x.mean())
    assert result["robust_sd"] == pytest.approx(1.134 * x.std(ddof=1))
    assert result["sigma_pt"] == result["robust_sd"]
    assert result["u_assigned"] == pytest.approx(1.25 * result["robust_sd"] / np.sqrt(12))
    assert all(set(lab) == {"lab", "z", "flag"} for lab in result["labs"])
    assert result["labs"][0]["z"] == pytest.approx((1.69 - x.mean()) / result["sigma_pt"])


def test_json_contract_with_uncertainties_and_assigned(tmp_path: Path) -> None:
    path = write(tmp_path, "lab,value,uncertainty\nA,5.0,0.1\nB,5.5,0.1\nC,5.8,\n")
    code, out, err = run("metrology", "pt", "--results", str(path), "--assigned", "5.0",
                         "--assigned-u", "0.05", "--sigma-pt", "0.25", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["robust_sd"] is None  # three results: too few for Algorithm A
    assert [lab["flag"] for lab in result["labs"]] == ["satisfactory", "satisfactory",
                                                       "unsatisfactory"]
    assert set(result["labs"][0]) == {"lab", "z", "flag", "zeta", "en"}
    assert result["labs"][1]["zeta"] == pytest.approx(0.5 / np.hypot(0.1, 0.05))
    assert result["labs"][1]["en"] == pytest.approx(0.5 / np.hypot(0.2, 0.1))
    assert result["labs"][2]["zeta"] is None


def test_text_table(tmp_path: Path) -> None:
    path = write(tmp_path, "lab,value\n" + "".join(f"L{i:02d},{v}\n" for i, v in enumerate(E3)))
    code, out, _err = run("metrology", "pt", "--results", str(path))
    assert code == 0
    assert "Algorithm A" in out and "L00" in out and "satisfactory" in out


@pytest.mark.parametrize(("text", "args", "words"), [
    ("lab,value\nA,1\nA,2\nB,3\nC,4\nD,5\n", (), "laboratory 'A' is named twice"),
    ("lab,value\nA,1\nB,x\nC,3\nD,4\nE,5\n", (), "results.csv, row 3, column value: expected "
                                              "a number, got 'x'"),
    ("lab,value\nA,1\nB,2\nC,3\n", (), "Algorithm A needs at least 5 results"),
    ("lab,value\nA,1\nB,2\nC,3\n", ("--assigned", "2"), "given together"),
    ("lab,value\nA,1\nB,2\nC,3\n", ("--assigned", "2", "--assigned-u", "-1"), "--assigned-u"),
    ("lab,value,uncertainty\nA,1,-0.2\n", (), "at least 0"),
])
def test_bad_input(tmp_path: Path, text: str, args: tuple[str, ...], words: str) -> None:
    path = write(tmp_path, text)
    code, out, err = run("metrology", "pt", "--results", str(path), *args)
    assert code == 2 and not out
    assert words in err
    assert len(err.strip().splitlines()) <= 2
