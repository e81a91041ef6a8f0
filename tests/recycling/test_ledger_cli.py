"""``aurum ledger append | verify | reports`` in process: the command-line contract."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from aurum.cli import cli
from tests.recycling.helpers import purchase, seller_id, write_csv


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AURUM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AURUM_DATABASE_URL", raising=False)
    return tmp_path


def _run(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["ledger", *args, "--database", database_url])


def _json(result: Result) -> dict:  # type: ignore[type-arg]
    assert result.exit_code in (0, 1), result.output + result.stderr
    return json.loads(result.stdout)


def _day(offset: int, hour: int = 10) -> str:
    return f"{date(2025, 8, 4) + timedelta(days=offset)}T{hour:02d}:00:00+08:00"


def test_append_verify_and_reports(home: Path, database_url: str) -> None:
    rows = ([purchase(shop="S-1", amount_cny="60000", occurred_at=_day(0, 9)),
             purchase(shop="S-2", amount_cny="60000", occurred_at=_day(0, 16)),
             purchase(amount_cny="99999", seller_id_number=seller_id(2))]
            + [purchase(amount_cny="95000", seller_id_number=seller_id(3),
                        occurred_at=_day(i)) for i in range(9)])
    path = write_csv(home / "purchases.csv", rows)
    first = _json(_run(database_url, "append", "--file", str(path), "--format", "json"))
    assert (first["appended"], first["duplicates"], first["size"]) == (12, 0, 12)
    assert first["signed_tree_head"]["tree_size"] == 12
    again = _json(_run(database_url, "append", "--file", str(path), "--format", "json"))
    assert (again["appended"], again["duplicates"], again["root"]) == (0, 12, first["root"])
    verified = _json(_run(database_url, "verify", "--format", "json"))
    assert verified == {"ok": True, "size": 12, "root": first["root"], "problems": []}
    listed = _json(_run(database_url, "reports", "--format", "json"))["reports"]
    found = sorted((r["kind"], r["rule"], r["entries"], r["amount_cny"], r["date"])
                   for r in listed)
    assert found == [("large_cash", "large_cash", [0, 1], 120000.0, "2025-08-04"),
                     ("suspicious", "structuring", list(range(3, 12)), 855000.0,
                      "2025-08-12")]
    assert all(len(r["seller_id_number_hash"]) == 64 and "*" in r["seller_id_masked"]
               for r in listed)
    assert "large_cash" in _run(database_url, "reports").stdout


def test_a_file_with_an_invalid_row_is_refused_whole(home: Path, database_url: str) -> None:
    rows = [purchase(), purchase(amount_cny="abc", seller_id_number="110105194912310021"),
            purchase(occurred_at="2025-08-04T10:00:00")]
    result = _run(database_url, "append", "--file", str(write_csv(home / "bad.csv", rows)))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: bad.csv, row 3, column seller_id_number: wrong check character "
        "(GB 11643 / ISO 7064 MOD 11-2): the number was mistyped",
        "error: bad.csv, row 3, column amount_cny: expected a number in CNY with at most 2 "
        "decimals",
        "error: bad.csv, row 4, column occurred_at: expected ISO 8601 date and time with its "
        "UTC offset, e.g. 2025-08-04T10:30:00+08:00"]
    assert _json(_run(database_url, "verify", "--format", "json"))["size"] == 0


def test_verify_fails_when_a_row_was_changed_behind_its_back(home: Path,
                                                             database_url: str) -> None:
    path = write_csv(home / "p.csv", [purchase(amount_cny=str(100 + i)) for i in range(5)])
    assert _run(database_url, "append", "--file", str(path)).exit_code == 0
    engine = create_engine(database_url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER recycling_purchases_no_update"))
        else:
            conn.execute(text("DROP TRIGGER recycling_purchases_append_only "
                              "ON recycling_purchases"))
        conn.execute(text("UPDATE recycling_purchases SET payment_method = 'cash', "
                          "amount_cny = 90000 WHERE entry_seq = 2"))
    engine.dispose()
    result = _run(database_url, "verify", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["ok"] is False and found["size"] == 5
    assert found["problems"] == ["entries 2: the stored purchase, correction or custody row "
                                 "differs from the entry (changed behind the ledger's back)"]
    text_result = _run(database_url, "verify")
    assert text_result.exit_code == 1 and "NOT OK (1 problem(s))" in text_result.stdout
