"""``aurum resources delineate``: the command-line contract (columns, JSON keys, refusals) on
holes built for the purpose, and the real Babbitt drillholes delineated with a Cu cut-off."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from aurum.cli import cli

COLUMNS = ["hole", "from_m", "to_m", "length_m", "grade", "metre_grade", "true_thickness_m",
           "category", "x", "y", "z", "azimuth", "dip"]
INDICATORS = ["--cutoff", "1", "--min-industrial", "2.5", "--min-thickness", "1",
              "--max-waste", "2"]


@pytest.fixture
def holes(tmp_path: Path) -> dict[str, Path]:
    """Two holes in the Babbitt layout: S inclined (azimuth 90, 60° down) from (100, 200, 50),
    V vertical from (0, 0, 10)."""
    files = {"collar": tmp_path / "collar.csv", "survey": tmp_path / "survey.csv",
             "assay": tmp_path / "assay.csv"}
    pd.DataFrame({"BHID": ["S", "V"], "XCOLLAR": [100.0, 0.0], "YCOLLAR": [200.0, 0.0],
                  "ZCOLLAR": [50.0, 10.0]}).to_csv(files["collar"], index=False)
    pd.DataFrame({"BHID": ["S", "V"], "AT": [0.0, 0.0], "AZ": [90.0, 0.0],
                  "DIP": [60.0, 90.0]}).to_csv(files["survey"], index=False)
    pd.DataFrame({"BHID": ["S", "S", "S", "V", "V", "V"],
                  "FROM": [0.0, 10.0, 14.0, 0.0, 1.0, 1.4],
                  "TO": [10.0, 14.0, 20.0, 1.0, 1.4, 3.0],
                  "AU": [0.0, 3.0, 0.0, 1.5, 0.0, 1.5]}).to_csv(files["assay"], index=False)
    return files


def _run(files: dict[str, Path], out: Path, *extra: str, grade: str = "AU") -> Result:
    return CliRunner().invoke(cli, [
        "resources", "delineate", "--collar", str(files["collar"]), "--survey",
        str(files["survey"]), "--assay", str(files["assay"]), "--grade", grade, *extra,
        "--out", str(out)])


def test_intercept_csv_columns_and_values(holes: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "intercepts.csv"
    result = _run(holes, out, *INDICATORS, "--strike", "0", "--dip", "90")
    assert result.exit_code == 0, result.output + result.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == COLUMNS
    s, v = frame.iloc[0], frame.iloc[1]
    # S: 10-14 m at 3.0 g/t, 12 m·g/t, industrial; mid-depth 12 m on the line
    # (100, 200, 50) + 12 × (0.5, 0, −0.8660); a vertical vein striking north (n = (1, 0, 0))
    # against h = (0.5, 0, −0.8660): true thickness 4 × 0.5 = 2 m.
    assert (s["hole"], s["from_m"], s["to_m"], s["category"]) == ("S", 10.0, 14.0, "industrial")
    assert (s["length_m"], s["grade"], s["metre_grade"]) == pytest.approx((4.0, 3.0, 12.0))
    assert s["true_thickness_m"] == pytest.approx(2.0, abs=1e-6)
    assert (s["x"], s["y"], s["z"]) == pytest.approx((106.0, 200.0, 50.0 - 12.0 * 0.8660254),
                                                     abs=1e-6)
    assert (s["azimuth"], s["dip"]) == pytest.approx((90.0, 60.0), abs=1e-6)
    # V: 0-1 (1.5), 1-1.4 (0), 1.4-3 (1.5): waste 0.4 m < 2 m, (1.5 + 0 + 2.4) / 3 = 1.3 ≥ 1
    # joins; 1.3 < 2.5 and 3 m ≥ 1 m: low grade; vertical (azimuth 0) in a vertical vein:
    # true thickness 0.
    assert (v["hole"], v["from_m"], v["to_m"], v["category"]) == ("V", 0.0, 3.0, "low_grade")
    assert (v["grade"], v["metre_grade"], v["true_thickness_m"]) == pytest.approx(
        (1.3, 3.9, 0.0), abs=1e-6)
    assert (v["azimuth"], v["dip"], v["z"]) == pytest.approx((0.0, 90.0, 8.5), abs=1e-6)


def test_json_summary_and_default_thickness(holes: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "intercepts.csv"
    result = _run(holes, out, *INDICATORS, "--format", "json")
    assert result.exit_code == 0, result.output + result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) == {"holes", "holes_with_ore", "orebodies", "industrial", "low_grade",
                            "indicators", "problems", "out", "intercepts"}
    assert (summary["orebodies"], summary["industrial"], summary["low_grade"]) == (2, 1, 1)
    # --min-metre-grade defaults to min-industrial × min-thickness = 2.5.
    assert summary["indicators"]["metre_grade_floor"] == pytest.approx(2.5)
    assert summary["indicators"]["min_metre_grade"] is None
    assert [list(r) for r in summary["intercepts"]] == [COLUMNS, COLUMNS]
    # Without --strike/--dip the true thickness is the length.
    frame = pd.read_csv(out)
    np.testing.assert_allclose(frame["true_thickness_m"], frame["length_m"])
    # A metre-grade floor above S's 12 m·g/t does not matter: S is 4 m thick.
    result = _run(holes, out, *INDICATORS, "--min-metre-grade", "20", "--format", "json")
    assert json.loads(result.stdout)["indicators"]["metre_grade_floor"] == 20.0


@pytest.mark.parametrize("flags, named", [
    (["--cutoff", "3", "--min-industrial", "2.5", "--min-thickness", "1", "--max-waste", "2"],
     "--cutoff"),
    (["--cutoff", "1", "--min-industrial", "2.5", "--min-thickness", "-1", "--max-waste", "2"],
     "--min-thickness"),
    (["--cutoff", "1", "--min-industrial", "2.5", "--min-thickness", "1", "--max-waste", "0"],
     "--max-waste"),
    (["--cutoff", "1", "--min-industrial", "2.5", "--min-thickness", "1", "--max-waste", "nan"],
     "--max-waste"),
    ([*INDICATORS, "--strike", "400", "--dip", "60"], "strike"),
    ([*INDICATORS, "--strike", "40"], "dip"),
])
def test_bad_input_one_clear_message_and_nothing_written(holes: dict[str, Path],
                                                         tmp_path: Path, flags: list[str],
                                                         named: str) -> None:
    out = tmp_path / "intercepts.csv"
    result = _run(holes, out, *flags)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
    # Nothing written, not even a temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assay.csv", "collar.csv",
                                                          "survey.csv"]


def test_missing_output_folder_refused(holes: dict[str, Path], tmp_path: Path) -> None:
    result = _run(holes, tmp_path / "absent" / "intercepts.csv", *INDICATORS)
    assert result.exit_code == 2 and "--out" in result.stderr


def test_babbitt_delineates_with_a_copper_cutoff(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    files = {"collar": folder / "collar_BABBITT.csv", "survey": folder / "survey_BABBITT.csv",
             "assay": folder / "assay_BABBITT.csv"}
    out = tmp_path / "intercepts.csv"
    # Cu in per cent, lengths in feet: cut-off 0.2 %, minimum industrial 0.4 %, 20 ft minimum
    # and 20 ft internal waste; the orebody dipping 30° south-east (strike 45).
    result = _run(files, out, "--cutoff", "0.2", "--min-industrial", "0.4", "--min-thickness",
                  "20", "--max-waste", "20", "--strike", "45", "--dip", "30", "--format", "json",
                  grade="CU")
    assert result.exit_code == 0, result.output + result.stderr
    summary = json.loads(result.stdout)
    assert summary["holes"] == 399
    frame = pd.read_csv(out, dtype={"hole": str})
    assert len(frame) == summary["orebodies"] > 100
    assert list(frame.columns) == COLUMNS
    assert set(frame["category"]) == {"industrial", "low_grade"}
    assert (frame["length_m"] > 0).all()
    np.testing.assert_allclose(frame["length_m"], frame["to_m"] - frame["from_m"], atol=2e-6)
    np.testing.assert_allclose(frame["metre_grade"], frame["length_m"] * frame["grade"],
                               rtol=1e-5, atol=1e-5)
    assert (frame["grade"] >= 0.2 - 1e-6).all()
    industrial = frame["category"] == "industrial"
    assert (frame.loc[industrial, "grade"] >= 0.4 - 1e-6).all()
    # Thinner than 20 ft only when industrial by its metre-grade (0.4 × 20 = 8 ft·%).
    assert ((frame["length_m"] >= 20 - 1e-6)
            | (industrial & (frame["metre_grade"] >= 0.4 * 20 - 1e-5))).all()
    # The CSV rounds to 6 decimals: a low grade of 0.3999999 reads 0.4.
    assert (frame.loc[~industrial, "grade"] < 0.4 + 1e-6).all()
    # No two orebodies of a hole overlap, and within a hole they come top down.
    for _, hole in frame.groupby("hole", sort=False):
        assert (hole["from_m"].to_numpy()[1:] >= hole["to_m"].to_numpy()[:-1]).all()
    # True thickness never exceeds the length; directions are bearings and downward dips.
    assert (frame["true_thickness_m"] <= frame["length_m"] + 1e-6).all()
    assert frame["azimuth"].between(0, 360, inclusive="left").all()
    assert frame["dip"].between(-90, 90).all()
