"""``aurum ledger append | verify | checkpoint | reports`` in process: the command-line
contract."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from aurum.cli import cli
from aurum.recycling import merkle
from tests.recycling.helpers import purchase, seller_id, write_csv
from tests.store.tamper import drop_append_only_triggers


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
    assert verified == {"ok": True, "size": 12, "root": first["root"], "problems": [],
                        "tree_heads": 1, "covered": 12, "checkpoints": []}
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
        drop_append_only_triggers(conn, ["recycling_purchases"])
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


def test_verify_against_checkpoints_kept_outside(home: Path, database_url: str) -> None:
    first = write_csv(home / "a.csv", [purchase(amount_cny=str(100 + i)) for i in range(5)])
    second = write_csv(home / "b.csv", [purchase(amount_cny=str(200 + i)) for i in range(3)])
    assert _run(database_url, "append", "--file", str(first)).exit_code == 0
    early = home / "early.checkpoint"
    assert _run(database_url, "checkpoint", "--out", str(early)).exit_code == 0
    assert _run(database_url, "append", "--file", str(second)).exit_code == 0
    printed = _run(database_url, "checkpoint").stdout
    origin, size, root, blank, signature, end = printed.split("\n")
    assert (size, blank, end) == ("8", "", "")
    assert signature.startswith(f"\u2014 {origin} ") and early.read_text().split("\n")[1] == "5"
    witness = _json(_run(database_url, "checkpoint", "--format", "json",
                         "--witnessed-size", "5"))
    assert (witness["checkpoint"], witness["tree_size"]) == (printed, 8)
    assert witness["verifier_key"].startswith(origin + "+") and len(witness["proof"]) == 4
    merkle.verify_consistency(5, 8, [bytes.fromhex(h) for h in witness["proof"]],
                              base64.b64decode(early.read_text().split("\n")[2]),
                              base64.b64decode(root))
    late = home / "late.checkpoint"
    late.write_text(printed)
    ok = _json(_run(database_url, "verify", "--format", "json", "--against", str(early),
                    "--against", str(late), "--key", witness["verifier_key"]))
    assert ok["ok"] is True and [c["consistent"] for c in ok["checkpoints"]] == [True, True]
    assert base64.b64decode(root).hex() == ok["root"]
    garbage = home / "garbage.checkpoint"
    garbage.write_bytes(b"\xff\xfe not a note\n")
    refused = json.loads(_run(database_url, "verify", "--format", "json", "--against",
                              str(garbage)).stdout)
    assert refused["problems"] == ["checkpoint garbage.checkpoint: a signed note is text, a "
                                   "blank line, then signature lines"]
    # Truncated behind its back: the last 3 entries, their rows and every head deleted, the
    # head wound back to the first 5 (as the early checkpoint had it) and signed again.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        drop_append_only_triggers(conn, ["ledger_entries", "ledger_tree_heads",
                                         "recycling_purchases"])
        conn.execute(text("DELETE FROM ledger_tree_heads"))
        conn.execute(text("DELETE FROM recycling_purchases WHERE entry_seq >= 5"))
        conn.execute(text("DELETE FROM ledger_entries WHERE seq >= 5"))
        tree = merkle.MerkleTree(merkle.leaf_hashes(b.encode() for b in conn.execute(text(
            "SELECT body FROM ledger_entries ORDER BY seq")).scalars()))
        conn.execute(text("UPDATE ledger_heads SET size = 5, root = :r, frontier = :f"),
                     {"r": tree.root(), "f": tree.frontier().to_bytes()})
    engine.dispose()
    assert _run(database_url, "checkpoint").exit_code == 0  # re-signed with the key at hand
    assert _json(_run(database_url, "verify", "--format", "json"))["ok"] is True
    result = _run(database_url, "verify", "--format", "json", "--against", str(early),
                  "--against", str(late))
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["ok"] is False
    assert found["problems"] == ["checkpoint late.checkpoint covers 8 entries; the log holds "
                                 "5 (entries removed since)"]
    assert [(c["source"], c["tree_size"], c["consistent"]) for c in found["checkpoints"]] == [
        ("early.checkpoint", 5, True), ("late.checkpoint", 8, False)]
