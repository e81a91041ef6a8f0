"""``aurum resources reserve-report``: the annual reserve report written as Excel in the asked
language; a file that is neither .xlsx nor .pdf and an unknown mine each give one line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from aurum.cli import cli
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from tests.factories import small_registry
from tests.services.test_reserve_report import HEADINGS, _history


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["resources", "reserve-report", *args, "--database", url])
    return result.exit_code, result.output


def test_writes_the_workbook(platform: Platform, admin: Actor, database_url: str,
                             tmp_path: Path) -> None:
    _history(platform, small_registry(platform, admin))
    out = tmp_path / "report.xlsx"
    code, output = _run(database_url, "--site", "SD-A-01", "--year", "2025", "--out", str(out),
                        "--lang", "zh-CN")
    assert code == 0, output
    sheet = load_workbook(out).active
    assert sheet is not None
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert all(h in text for h in HEADINGS)
    code, output = _run(database_url, "--site", "SD-A-01", "--year", "2025", "--out",
                        str(tmp_path / "report.csv"))
    assert code == 2 and ".xlsx or .pdf" in output
    code, output = _run(database_url, "--site", "NOPE", "--year", "2025", "--out", str(out))
    assert code != 0 and "NOPE" in output
