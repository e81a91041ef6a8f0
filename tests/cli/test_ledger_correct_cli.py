"""``aurum ledger correct``: a purchase reversed or amended from the command line, as new
entries under a signed head."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aurum.services import recycling
from tests.cli.test_ledger_cli import _run, home  # noqa: F401 (fixture)
from tests.recycling.helpers import purchase, seller_id, write_csv


def test_correct_reverses_and_amends(home: Path, database_url: str) -> None:  # noqa: F811
    rows = [purchase(seller_id_number=seller_id(n)) for n in (1, 2)]
    appended = _run(database_url, "append", "--file", str(write_csv(home / "p.csv", rows)),
                    "--format", "json")
    assert appended.exit_code == 0, appended.output
    reversed_ = _run(database_url, "correct", "0", "--reason", "entered twice", "--format",
                     "json")
    assert reversed_.exit_code == 0, reversed_.output
    out = json.loads(reversed_.stdout)
    assert (out["target"], out["action"], out["correction_seq"], out["replacement_seq"],
            out["size"], out["signed_tree_head"]["tree_size"]) == (0, "reverse", 2, None, 3, 3)
    fixed = write_csv(home / "fixed.csv", [purchase(seller_id_number=seller_id(2),
                                                    amount_cny="7900")])
    amended = _run(database_url, "correct", "1", "--reason", "price", "--file", str(fixed))
    assert amended.exit_code == 0, amended.output
    assert amended.stdout.startswith("purchase 1: amend as entry 3, replaced by purchase 4; "
                                      "ledger size 5")
    again = _run(database_url, "correct", "1", "--reason", "again")
    assert again.exit_code != 0
    assert "purchase 1 was corrected already" in again.output
    verified = json.loads(_run(database_url, "verify", "--format", "json").stdout)
    assert (verified["ok"], verified["size"], verified["covered"]) == (True, 5, 5)


def test_append_stores_nothing_when_the_head_cannot_be_signed(
        home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # Validation, append and signing are one transaction: the command line used to commit
    # the entries before it signed, in a second transaction.
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the signing key is unreadable")

    monkeypatch.setattr(recycling, "sign_tree_head", broken)
    monkeypatch.setattr(recycling.intake, "sign_tree_head", broken)
    path = write_csv(home / "p.csv", [purchase()])
    failed = _run(database_url, "append", "--file", str(path))
    assert failed.exit_code != 0 and isinstance(failed.exception, RuntimeError)
    monkeypatch.undo()
    verified = json.loads(_run(database_url, "verify", "--format", "json").stdout)
    assert (verified["ok"], verified["size"]) == (True, 0)
