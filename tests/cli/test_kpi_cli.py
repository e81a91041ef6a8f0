"""``aurum kpi`` in process (click's runner) and as the installed script."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.industry.kpi import KPI_COLUMNS

HEADER = ",".join(KPI_COLUMNS)
# Columns: year, enterprise, province, site, site_type, daily_capacity_t, ore_treated_t,
# gold_kg, silver_kg, gold_resources_t, solid_waste_generated_t, solid_waste_utilised_t.
ROWS = (
    "2024,E1,Shandong,A,mine,800,300000,2000,400,50,1000,300",
    "2024,E2,Henan,B,mine,200,50000,1000,,20,500,150",
    "2025,E1,Shandong,A,mine,800,300000,2100,420,52,1000,320",
    "2025,E2,Henan,B,mine,200,50000,1000,,20,500,160",
    "2026,E1,Shandong,A,mine,800,300000,2300,440,55,1000,370",
    "2026,E2,Henan,B,mine,200,50000,1000,,21,500,185",
)
# Hand-computed for --as-of 2026 (x - 2025 = -1, 0, 1 for the least-squares lines):
#   gold: 3000 -> 3100 -> 3300 kg = 0, 3.333, 10 %; slope 5, mean 4.444, 2027: 14.444 %.
#   share of mines >= 500 t/d: 2000/3000, 2100/3100, 2300/3300.
#   waste: 450/1500, 480/1500, 555/1500 = 30, 32, 37 %; 2027: 40 %, gap -0.05 x 1500 t.
GOLD_2027 = (0 + 10 / 3 + 10) / 3 + 2 * 5


def aurum_script() -> Path:
    script = Path(sys.executable).parent / "aurum"
    if not script.exists():
        pytest.skip("the aurum script is not installed beside the interpreter")
    return script


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "reports.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def check_payload(payload: dict[str, object]) -> None:
    assert (payload["as_of"], payload["baseline_year"]) == (2026, 2024)
    indicators = payload["indicators"]
    assert isinstance(indicators, list)
    got = {i["id"]: i for i in indicators}
    gold = got["gold_output_growth_pct"]
    assert (gold["baseline"], gold["current"]) == (3000.0, 3300.0)
    assert gold["value"] == pytest.approx(10.0, rel=1e-12)
    assert gold["projection_2027"] == pytest.approx(GOLD_2027, rel=1e-12)
    assert gold["status"] == "on_track"
    silver = got["silver_output_growth_pct"]  # B never reports silver: A alone, 400 -> 440
    assert silver["value"] == pytest.approx(10.0, rel=1e-12)
    share = got["large_mine_output_share_pct"]
    assert share["value"] == pytest.approx(100 * 2300 / 3300, rel=1e-12)
    assert share["baseline"] == pytest.approx(100 * 2000 / 3000, rel=1e-12)
    waste = got["solid_waste_utilisation_pct"]
    assert waste["value"] == pytest.approx(37.0, rel=1e-12)
    assert waste["projection_2027"] == pytest.approx(40.0, rel=1e-12)
    assert waste["gap"] == pytest.approx(-75.0, rel=1e-12)
    assert waste["status"] == "on_track"
    resources = got["gold_resources_growth_pct"]  # 70 -> 76 t
    assert resources["value"] == pytest.approx(100 * 6 / 70, rel=1e-12)
    assert resources["target_max"] == 10.0


def test_json_in_process(tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    result = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2026",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    check_payload(json.loads(result.output))


def test_text_table_in_process(tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    result = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2026"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    waste = next(line for line in lines if line.startswith("Gold solid waste utilisation"))
    # 30 % in 2024, 37 % in 2026, projected 40 %: 75 t of waste beyond what the target needs.
    assert re.split(r"\s{2,}", waste) == ["Gold solid waste utilisation rate", "30.00 %",
                                          "37.00 %", "37.00", "35", "40.00",
                                          "-75.00 t of waste", "on_track"]
    assert "Gold reported for 2024: 3.0 t; published national mine output: 377 t." in lines


def test_an_as_of_year_beyond_the_platform_or_the_file_is_one_clear_line(tmp_path: Path
                                                                         ) -> None:
    path = write(tmp_path, *ROWS)
    huge = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "20000000"])
    assert huge.exit_code == 2
    assert "20000000 is not in the range 2000<=x<=2035" in huge.stderr
    later = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2030"])
    assert later.exit_code == 2
    assert later.stderr == ("error: column as_of: as-of year 2030 is after 2026, the latest "
                            "year the data reports: expected a year from 2024 to 2026\n")


def test_bad_file_is_reported_in_process(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS[0], ROWS[1].replace(",1000,", ",lots,", 1))
    result = CliRunner().invoke(cli, ["kpi", "--reports", str(path), "--as-of", "2026"])
    assert result.exit_code == 2
    assert "row 3, column gold_kg" in result.stderr


def test_json_through_the_installed_script(tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    done = subprocess.run([str(aurum_script()), "kpi", "--reports", str(path), "--as-of",
                           "2026", "--format", "json"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    check_payload(json.loads(done.stdout))


@pytest.mark.parametrize(("rows", "header", "where"), [
    ((ROWS[0], ROWS[1].replace(",1000,", ",lots,", 1)), HEADER, "row 3, column gold_kg"),
    ((ROWS[0], ROWS[1].replace(",20,", ",-20,", 1)), HEADER, "row 3, column gold_resources_t"),
    ((ROWS[0].replace(",mine,", ",quarry,"),), HEADER, "row 2, column site_type"),
    ((ROWS[0], ROWS[0]), HEADER, "row 3, column site"),
    ((ROWS[0].rsplit(",", 1)[0],), HEADER.rsplit(",", 1)[0],
     "row 1, column solid_waste_utilised_t"),
])
def test_bad_files_exit_2_naming_row_and_column(tmp_path: Path, rows: tuple[str, ...],
                                                header: str, where: str) -> None:
    path = write(tmp_path, *rows, header=header)
    done = subprocess.run([str(aurum_script()), "kpi", "--reports", str(path), "--as-of",
                           "2026"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"error: reports.csv, {where}: ")
