"""Clearing statistics and ``aurum safety status`` against a hand-computed case."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.safety import register as reg
from aurum.safety.stats import (
    clearing_summary,
    clearing_table,
    hazards_frame,
    read_hazards_csv,
    validate_hazard_frame,
)

HEADER = "id,site,province,level,reported_on,deadline,closed_on"
ROWS = (
    "H1,S1,Shandong,major,2025-01-10,2025-02-10,2025-02-05",  # closed in 26 d
    "H2,S1,Shandong,major,2025-05-01,2025-06-15,",  # open 60 d, overdue
    "H3,S2,Shandong,general,2025-06-01,2025-07-15,",  # open 29 d
    "H4,S2,Shandong,general,2025-03-01,2025-04-01,2025-04-11",  # closed in 41 d
    "H5,S3,Henan,major,2025-06-20,2025-07-20,",  # open 10 d
    "H6,S3,Henan,general,2024-12-01,2025-01-01,",  # open 211 d, overdue
    "H7,S3,Henan,general,2025-04-01,2025-05-01,2025-07-10",  # closed later: open 90 d, overdue
    "H8,S4,Henan,major,2025-07-05,2025-07-30,",  # reported after as-of: not counted
    "H9,S4,Henan,general,2025-06-10,2025-06-30,",  # due on the day itself: open 20 d, not overdue
)
AS_OF = date(2025, 6, 30)
# Hand-computed: open major H2 H5, overdue major H2; open general H3 H6 H7 H9, overdue general
# H6 H7; closed H1 (26 d) and H4 (41 d): median 33.5 d. Ages of the open: 60 29 10 211 90 20.
EXPECTED = {
    "open_major": 2, "overdue_major": 1, "open_general": 4, "overdue_general": 2,
    "median_days_to_close": 33.5,
    "by_province": {
        "Henan": {"open_major": 1, "overdue_major": 0, "open_general": 3,
                  "overdue_general": 2, "median_days_to_close": None},
        "Shandong": {"open_major": 1, "overdue_major": 1, "open_general": 1,
                     "overdue_general": 0, "median_days_to_close": 33.5}}}


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "hazards.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_national_and_provincial_figures(tmp_path: Path) -> None:
    frame = read_hazards_csv(write(tmp_path, *ROWS))
    assert clearing_summary(frame, AS_OF) == EXPECTED


def test_table_by_site_with_ages_and_indicator(tmp_path: Path) -> None:
    frame = read_hazards_csv(write(tmp_path, *ROWS))
    nation = clearing_table(frame, AS_OF).iloc[0]
    assert nation[["age_0_30d", "age_31_90d", "age_91_180d", "age_over_180d"]].tolist() == [
        3, 2, 0, 1]
    assert (nation["closed"], bool(nation["target_met"])) == (2, False)
    sites = clearing_table(frame, AS_OF, by="site")
    assert sites.index.tolist() == ["S1", "S2", "S3", "S4"]
    assert sites["overdue_major"].tolist() == [1, 0, 0, 0]
    assert sites["target_met"].tolist() == [False, True, True, True]
    assert sites.loc["S1", "median_days_to_close"] == 26.0
    assert sites.loc["S2", "median_days_to_close"] == 41.0
    assert math.isnan(sites.loc["S3", "median_days_to_close"])
    assert sites.loc["S3", "age_over_180d"] == 1 and sites.loc["S3", "age_31_90d"] == 1
    # no enterprise column: each site is its own enterprise
    assert clearing_table(frame, AS_OF, by="enterprise").index.tolist() == sites.index.tolist()
    # a month later H2 and H5 are still open, H5 now overdue too; H8 counts
    later = clearing_table(frame, date(2025, 7, 31)).iloc[0]
    assert (later["open_major"], later["overdue_major"]) == (3, 3)


def test_enterprise_grouping(tmp_path: Path) -> None:
    rows = [r + ("," + ("E1" if ",S1," in r or ",S2," in r else "E2")) for r in ROWS]
    frame = read_hazards_csv(write(tmp_path, *rows, header=HEADER + ",enterprise"))
    table = clearing_table(frame, AS_OF, by="enterprise")
    assert table["open_general"].to_dict() == {"E1": 1, "E2": 3}
    with pytest.raises(ValidationError, match="unknown grouping 'county'"):
        clearing_table(frame, AS_OF, by="county")


def test_register_hazards_feed_the_statistics() -> None:
    t0 = datetime(2025, 6, 1, 8)
    h = reg.report("R1", site="S9", description="d", by="i", at=t0, province="Yunnan").hazard
    h = reg.classify(h, level="general", by="e", at=t0).hazard
    h = reg.assign(h, owner="o", deadline=date(2025, 6, 10), by="m", at=t0).hazard
    unclassified = reg.report("R2", site="S9", description="d", by="i", at=t0).hazard
    frame = hazards_frame([h, unclassified])
    assert frame["id"].tolist() == ["R1"]
    assert clearing_summary(frame, AS_OF)["by_province"] == {"Yunnan": {
        "open_major": 0, "overdue_major": 0, "open_general": 1, "overdue_general": 1,
        "median_days_to_close": None}}


def test_empty_frame() -> None:
    empty = validate_hazard_frame(pd.DataFrame(columns=HEADER.split(",")))
    assert clearing_summary(empty, AS_OF) == {
        "open_major": 0, "overdue_major": 0, "open_general": 0, "overdue_general": 0,
        "median_days_to_close": None, "by_province": {}}


def test_cli_json(tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards", str(path), "--as-of",
                                      "2025-06-30", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == EXPECTED


def test_cli_text(tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards", str(path), "--as-of",
                                      "2025-06-30"])
    assert result.exit_code == 0, result.output
    assert "2 major open (1 overdue), 4 general open (2 overdue)" in result.stdout
    assert "median days to close: 33.5" in result.stdout
    assert "past deadline: 1 (target 0, NOT met)" in result.stdout
    assert "Shandong" in result.stdout and "Henan" in result.stdout


@pytest.mark.parametrize(("row", "where", "what"), [
    ("X1,S1,Shandong,major,2025-05-01,2025-04-30,", "row 3, column deadline",
     "deadline 2025-04-30 is before the report date"),
    ("X1,S1,Shandong,critical,2025-05-01,2025-06-01,", "row 3, column level",
     "unknown level 'critical': expected general or major"),
    ("X1,S1,Shandong,major,2025-13-01,2025-06-01,", "row 3, column reported_on",
     "expected a date as YYYY-MM-DD, got '2025-13-01'"),
    ("X1,S1,Shandong,major,2025-05-01,30/06/2025,", "row 3, column deadline",
     "expected a date as YYYY-MM-DD, got '30/06/2025'"),
    ("X1,S1,Shandong,major,2025-05-01,2025-06-01,2025-04-01", "row 3, column closed_on",
     "closing date 2025-04-01 is before the report date"),
    ("H1,S1,Shandong,major,2025-05-01,2025-06-01,", "row 3, column id",
     "id 'H1' repeats an earlier row"),
    ("X1,,Shandong,major,2025-05-01,2025-06-01,", "row 3, column site", "expected site"),
])
def test_cli_bad_input(tmp_path: Path, row: str, where: str, what: str) -> None:
    path = write(tmp_path, ROWS[0], row)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards", str(path), "--as-of",
                                      "2025-06-30", "--format", "json"])
    assert result.exit_code == 2
    assert f"hazards.csv, {where}: {what}" in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cli_reports_every_problem_and_missing_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "X1,S1,Shandong,critical,2025-05-01,2025-04-30,",
                 "X2,S1,Shandong,major,2025-05-32,2025-06-01,")
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards", str(path), "--as-of",
                                      "2025-06-30"])
    assert result.exit_code == 2
    assert result.stderr.count("error:") == 3
    path = write(tmp_path, "X1,S1,major,2025-05-01,2025-06-01,",
                 header="id,site,level,reported_on,deadline,closed_on")
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards", str(path), "--as-of",
                                      "2025-06-30"])
    assert result.exit_code == 2
    assert "row 1, column province: missing required column 'province'" in result.stderr


def test_cli_bad_as_of_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["safety", "status", "--hazards",
                                      str(write(tmp_path, *ROWS)), "--as-of", "30.06.2025"])
    assert result.exit_code == 2
    assert "--as-of" in result.stderr
