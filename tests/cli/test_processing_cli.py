"""``aurum processing accounts|waste|report`` on the platform's database (SQLite and
PostgreSQL): all-or-nothing imports with row and column named, closings, utilisation, the
report carry."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from aurum.cli import cli
from aurum.industry.reporting import reporting_day
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.models import MetalAccount
from tests.factories import small_registry
from tests.services.test_processing import MONTHS, PLANT, _accounts, _waste


@pytest.fixture
def url(platform: Platform, admin: Actor, database_url: str) -> str:
    small_registry(platform, admin)
    return database_url


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["processing", *args, "--database", url])


def _csv(tmp_path: Path, frame: pd.DataFrame, name: str) -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def test_accounts_import_close_verify(url: str, tmp_path: Path, platform: Platform) -> None:
    bad = _accounts().astype(object)
    bad.loc[1, "products_g"] = "lots"
    refused = _run(url, "accounts", "import", _csv(tmp_path, bad, "bad.csv"))
    assert refused.exit_code == 2
    assert "bad.csv" in refused.output and "row 3" in refused.output
    assert "products_g" in refused.output and "'lots'" in refused.output
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MetalAccount)) == 0
    done = _run(url, "accounts", "import", _csv(tmp_path, _accounts(), "q3.csv"),
                "--format", "json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == {"file": "q3.csv", "recorded": 3}
    closed = _run(url, "accounts", "close", PLANT, *MONTHS[:2], "--format", "json")
    assert closed.exit_code == 0, closed.output
    chain = json.loads(closed.output)["closed"]
    assert [c["period"] for c in chain] == list(MONTHS[:2])
    assert all(len(c["sha256"]) == 64 for c in chain)
    again = _run(url, "accounts", "close", PLANT, MONTHS[0])
    assert again.exit_code == 2 and "closed already" in again.output
    verified = _run(url, "accounts", "verify", PLANT, "--format", "json")
    assert verified.exit_code == 0 and json.loads(verified.output)["ok"] is True


def test_waste_import_utilisation_and_report_carry(url: str, tmp_path: Path) -> None:
    done = _run(url, "waste", "import", _csv(tmp_path, _waste(), "waste.csv"))
    assert done.exit_code == 0, done.output
    assert "4 ledger line(s) recorded" in done.output
    rates = _run(url, "waste", "utilisation", "--level", "plant", "--format", "json")
    row = json.loads(rates.output)[0]
    assert row["plant"] == PLANT and row["year"] == "2025"
    assert row["utilisation_rate"] == pytest.approx(11_100 / 30_400)
    assert _run(url, "accounts", "import",
                _csv(tmp_path, _accounts(), "q3.csv")).exit_code == 0
    carried = _run(url, "report", PLANT, "2025-Q3", "--carry", "--format", "json")
    assert carried.exit_code == 0, carried.output
    body = json.loads(carried.output)
    assert body["report_version_id"] is not None
    assert all(f["matches"] for f in body["fields"])
    twice = _run(url, "report", PLANT, "2025-Q3", "--carry")
    assert twice.exit_code == 2 and "already carries" in twice.output


def test_a_carry_into_a_quarter_still_running_is_refused(url: str, tmp_path: Path) -> None:
    today = reporting_day()
    quarter = (today.month - 1) // 3 + 1
    months = tuple(f"{today.year}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1))
    for kind, frame in (("accounts", _accounts(months)), ("waste", _waste(months))):
        assert _run(url, kind, "import", _csv(tmp_path, frame, f"{kind}.csv")).exit_code == 0
    running = f"{today.year}-Q{quarter}"
    refused = _run(url, "report", PLANT, running, "--carry")
    assert refused.exit_code == 2
    assert f"period {running} has not ended" in refused.output
