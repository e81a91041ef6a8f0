"""``aurum trade import-customs`` and ``aurum trade concentration`` on the platform's database:
the JSON contract, and one clear line per problem with exit 2 and nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aurum.cli import cli
from aurum.demo.seed.trade import customs_rows
from aurum.services.auth import Actor
from aurum.services.platform import Platform


@pytest.fixture
def url(platform: Platform, admin: Actor, database_url: str) -> str:
    return database_url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["trade", *args, "--database", url])


def test_import_then_concentration(url: str, tmp_path: Path) -> None:
    path = tmp_path / "customs-2025.csv"
    rows = customs_rows()
    rows[rows["month"].str.startswith("2025")].to_csv(path, index=False)
    result = run(url, "import-customs", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)
    assert stored["rows"] == int(rows["month"].str.startswith("2025").sum())
    assert (stored["first_month"], stored["last_month"]) == ("2025-01", "2025-12")
    assert stored["risk"]["year"] == 2025 and stored["currency"] == "USD"

    result = run(url, "concentration", "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bands"] == {"low_below": 1500, "high_above": 2500}
    periods = out["periods"]
    assert {p["kind"] for p in periods} == {"year", "month"}
    assert len([p for p in periods if p["kind"] == "month" and p["commodity"] == "all"]) == 12
    year_all = next(p for p in periods if p["kind"] == "year" and p["commodity"] == "all")
    assert year_all["hhi"] == pytest.approx(out["risk"]["hhi"])
    assert 0 < year_all["hhi"] <= 10_000 and year_all["basis"] == "gold_kg"
    text = run(url, "concentration")
    assert text.exit_code == 0 and "2025" in text.stdout and "HHI" in text.stdout


def test_a_bad_file_gives_one_line_per_problem_and_stores_nothing(url: str, tmp_path: Path
                                                                   ) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("hs_code,partner,customs_district,month,quantity_kg,value_usd\n"
                    "71081200,XX,上海海关,2025-01,1,1\n71081200,XX,上海海关,2025-02,1,1\n"
                    "71081200,CH,上海海关,2099-01,1,1\n", encoding="utf-8")
    result = run(url, "import-customs", str(path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "bad.csv" in lines[0] and "'XX'" in lines[0] and "ISO 3166-1" in lines[0]
    assert "2099-01" in lines[1]
    empty = json.loads(run(url, "concentration", "--format", "json").stdout)
    assert empty["periods"] == [] and empty["risk"] is None
