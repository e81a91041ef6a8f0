"""``aurum resources geoblocks``: the command-line contract scripts rely on, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from aurum.cli import cli

COLUMNS = ["hole", "area_m2", "thickness_h_m", "tonnes", "grade", "metal_kg", "category"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["resources", "geoblocks", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def intercepts(tmp_path: Path) -> Path:
    # A vertical vein striking east (u = x, v = z) drilled by horizontal holes to the north on
    # a 3 × 3 grid of 40 m: every hole's horizontal thickness is its length.
    x, z = np.meshgrid([0.0, 40.0, 80.0], [0.0, -40.0, -80.0], indexing="ij")
    n = x.size
    frame = pd.DataFrame({
        "hole": [f"ZK{i}" for i in range(n)], "from_m": 50.0, "to_m": 52.0, "length_m": 2.0,
        "grade": np.linspace(1.0, 9.0, n), "metre_grade": 2.0 * np.linspace(1.0, 9.0, n),
        "true_thickness_m": 2.0, "category": ["industrial"] * (n - 1) + ["low_grade"],
        "x": x.ravel(), "y": 100.0, "z": z.ravel(), "azimuth": 0.0, "dip": 0.0})
    path = tmp_path / "INTERCEPTS.csv"
    frame.to_csv(path, index=False)
    return path


def outline_file(tmp_path: Path, vertices: list[tuple[float, float]]) -> Path:
    path = tmp_path / "OUTLINE.csv"
    pd.DataFrame(vertices, columns=["u", "v"]).to_csv(path, index=False)
    return path


def test_contract_csv_and_json(intercepts: Path, tmp_path: Path) -> None:
    outline = outline_file(tmp_path, [(-20, 20), (100, 20), (100, -100), (-20, -100)])
    out = tmp_path / "BLOCKS.csv"
    code, stdout, stderr = run("--intercepts", str(intercepts), "--strike", "90", "--dip", "90",
                               "--density", "2.7", "--outline", str(outline), "--out", str(out),
                               "--format", "json")
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert set(doc) == {"tonnes", "grade", "metal_kg", "blocks"}
    blocks = pd.read_csv(out)
    assert list(blocks.columns) == COLUMNS
    assert [set(b) for b in doc["blocks"]] == [set(COLUMNS)] * 8
    assert list(blocks["hole"]) == [f"ZK{i}" for i in range(8)]  # the low-grade hole left out
    # The 120 × 120 m outline, 2 m thick: every block's tonnes add up to it.
    assert blocks["area_m2"].sum() == pytest.approx(120 * 120)
    assert doc["tonnes"] == pytest.approx(120 * 120 * 2.0 * 2.7)
    assert blocks["tonnes"].sum() == pytest.approx(doc["tonnes"])
    assert doc["metal_kg"] == pytest.approx((blocks["tonnes"] * blocks["grade"]).sum() / 1000)
    assert doc["grade"] == pytest.approx(doc["metal_kg"] * 1000 / doc["tonnes"])
    assert set(blocks["category"]) <= {"measured", "indicated", "inferred"}


def test_text_output_names_the_categories(intercepts: Path, tmp_path: Path) -> None:
    out = tmp_path / "BLOCKS.csv"
    code, stdout, stderr = run("--intercepts", str(intercepts), "--strike", "90", "--dip", "90",
                               "--density", "2.7", "--out", str(out))
    assert code == 0, stderr
    assert "8" in stdout and str(out) in stdout
    assert len(stdout.strip().splitlines()) == 4  # the totals, then the three categories
    assert out.exists()


@pytest.mark.parametrize(("args", "words"), [
    (("--strike", "400", "--dip", "60", "--density", "2.7"), ("--strike", "360")),
    (("--strike", "90", "--dip", "0", "--density", "2.7"), ("--dip",)),
    (("--strike", "90", "--dip", "90", "--density", "0"), ("--density",)),
])
def test_bad_numbers(intercepts: Path, tmp_path: Path, args: tuple[str, ...],
                     words: tuple[str, ...]) -> None:
    out = tmp_path / "BLOCKS.csv"
    code, stdout, stderr = run("--intercepts", str(intercepts), *args, "--out", str(out))
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    for word in words:
        assert word in stderr
    assert not out.exists() and stdout == ""


def test_outline_not_containing_the_pierce_points(intercepts: Path, tmp_path: Path) -> None:
    outline = outline_file(tmp_path, [(-20, 20), (60, 20), (60, -100), (-20, -100)])
    out = tmp_path / "BLOCKS.csv"
    code, _stdout, stderr = run("--intercepts", str(intercepts), "--strike", "90", "--dip", "90",
                                "--density", "2.7", "--outline", str(outline), "--out", str(out))
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert "OUTLINE.csv" in stderr and "ZK6" in stderr and "ZK7" in stderr
    assert not out.exists()


def test_missing_column_and_bad_cell(intercepts: Path, tmp_path: Path) -> None:
    out = tmp_path / "BLOCKS.csv"
    frame = pd.read_csv(intercepts)
    frame.drop(columns="azimuth").to_csv(intercepts, index=False)
    code, _stdout, stderr = run("--intercepts", str(intercepts), "--strike", "90", "--dip", "90",
                                "--density", "2.7", "--out", str(out))
    assert code == 2
    assert "INTERCEPTS.csv" in stderr and "row 1" in stderr and "azimuth" in stderr
    frame = frame.astype({"grade": object})
    frame.loc[4, "grade"] = "n/a"
    frame.to_csv(intercepts, index=False)
    code, _stdout, stderr = run("--intercepts", str(intercepts), "--strike", "90", "--dip", "90",
                                "--density", "2.7", "--out", str(out))
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert "row 6" in stderr and "grade" in stderr and "'n/a'" in stderr
    assert not out.exists()


def test_a_refusal_leaves_an_existing_file_as_it_was(intercepts: Path, tmp_path: Path) -> None:
    out = tmp_path / "BLOCKS.csv"
    out.write_text("kept\n")
    code, _stdout, _stderr = run("--intercepts", str(intercepts), "--strike", "-5", "--dip",
                                 "90", "--density", "2.7", "--out", str(out))
    assert code == 2
    assert out.read_text() == "kept\n"
