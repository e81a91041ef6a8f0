"""Concurrent writers lose and duplicate nothing and write their signed tree heads in order; a
writer killed mid-append (SIGKILL) leaves a log that verifies, every entry under a signed head
— on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from sqlalchemy import text

from aurum.services import recycling
from aurum.services.auth import SYSTEM
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.recycling.helpers import purchase, seller_id, validated

WRITERS = 8
BATCHES = 3
OWN = 12
SHARED = 4


def _purchase(n: int) -> dict[str, str]:
    """The n-th distinct purchase (distinct time and amount)."""
    return purchase(recycler=f"RC-{n % 3}", shop=f"S-{n % 2}",
                    seller_id_number=seller_id(n % 40), amount_cny=str(100 + n),
                    occurred_at=f"2025-09-{1 + n // 1440 % 28:02d}T{n // 60 % 24:02d}:"
                                f"{n % 60:02d}:00+08:00")


def test_eight_concurrent_writers_lose_and_duplicate_nothing_heads_in_order(
        platform: Platform) -> None:
    keys = recycling.LedgerKeys.load(platform.settings)
    # Writer w sends BATCHES batches, each twice: its own purchases plus some of writer
    # w + 1's, so that every purchase is sent by two writers, at least twice each.
    batches = {w: [validated([_purchase((w * BATCHES + b) * OWN + i) for i in range(OWN)]
                             + [_purchase((((w + 1) % WRITERS) * BATCHES + b) * OWN + i)
                                for i in range(SHARED)])
                   for b in range(BATCHES)] for w in range(WRITERS)}
    failures: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def write(w: int) -> None:
        try:
            start.wait()
            for batch in batches[w]:
                for _ in range(2):
                    with transaction(platform.sessions) as s:
                        recycling.append_purchases(s, SYSTEM, keys, batch,
                                                   create_missing=True)
                    # As the command line does: a head asked for after the append.
                    with transaction(platform.sessions) as s:
                        recycling.sign_tree_head(s, keys)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not failures, failures
    expected = WRITERS * BATCHES * OWN
    with platform.sessions() as s:
        seqs = s.execute(text("SELECT seq FROM ledger_entries ORDER BY seq")).scalars().all()
        keys_stored = s.execute(text("SELECT count(DISTINCT idempotency_key) FROM "
                                     "ledger_entries")).scalar_one()
        amounts = s.execute(text("SELECT amount_cny FROM recycling_purchases")).scalars().all()
        participants = s.execute(text("SELECT count(*) FROM recycling_participants")
                                 ).scalar_one()
        heads = s.execute(text("SELECT tree_size, checkpoint FROM ledger_tree_heads ORDER BY "
                               "id")).all()
        verified = recycling.verify_ledger(s, keys)
    assert seqs == list(range(expected)) and keys_stored == expected
    # One head per append that stored something, each larger than the one written before
    # it, each with its checkpoint of that size; the last covers the whole log.
    sizes = [size for size, _ in heads]
    assert sizes == sorted(set(sizes)) and sizes[-1] == expected
    assert [int(note.split("\n")[1]) for _, note in heads] == sizes
    assert verified.covered == expected
    assert sorted(amounts) == [100.0 + n for n in range(expected)]
    assert participants == 3
    assert verified.ok, verified.problems


CHILD = textwrap.dedent("""
    import sys, time
    from aurum.services import recycling
    from aurum.services.auth import SYSTEM
    from aurum.services.recycling import purchases
    from aurum.services.platform import Platform
    from aurum.store.db import transaction
    from tests.recycling.helpers import validated
    from tests.services.test_recycling_concurrency import _purchase

    url, marker, per_batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    platform = Platform.open(url)
    keys = recycling.LedgerKeys.load(platform.settings)
    write_entries = purchases._write_entries

    def slow_write(*args, **kwargs):
        # Entries, nodes and head are written but not committed: say so, and linger.
        out = write_entries(*args, **kwargs)
        with open(marker, "a") as fh:
            fh.write("in\\n")
        time.sleep(0.5)
        return out

    # Patched where append_purchases looks it up.
    purchases._write_entries = slow_write
    for b in range(1000):
        with transaction(platform.sessions) as s:
            recycling.append_purchases(
                s, SYSTEM, keys,
                validated([_purchase(b * per_batch + i) for i in range(per_batch)]),
                create_missing=True)
""")


def test_a_writer_killed_mid_append_leaves_a_log_that_verifies(platform: Platform,
                                                               database_url: str,
                                                               tmp_path: Path) -> None:
    keys = recycling.LedgerKeys.load(platform.settings)
    marker, per_batch = tmp_path / "inside", 40
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    # As a context, the child's pipe is closed when it has ended.
    with subprocess.Popen([sys.executable, "-c", CHILD, database_url, str(marker),
                           str(per_batch)], env=env, cwd=root, stderr=subprocess.PIPE) as child:
        try:
            deadline = time.monotonic() + 180
            # The third time the writer is inside an append, two batches are committed.
            while not (marker.exists() and marker.read_text().count("in") >= 3):
                assert child.poll() is None, child.stderr.read() if child.stderr else ""
                assert time.monotonic() < deadline, "the writer never got going"
                time.sleep(0.02)
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == -signal.SIGKILL
    with platform.sessions() as s:
        found = recycling.verify_ledger(s, keys)
    assert found.ok, found.problems
    assert found.size == found.covered == 2 * per_batch
    # The log takes the lost batch again afterwards, and still verifies.
    with transaction(platform.sessions) as s:
        again = recycling.append_purchases(
            s, SYSTEM, keys,
            validated([_purchase(2 * per_batch + i) for i in range(per_batch)]))
        recycling.sign_tree_head(s, keys)
    assert (again.appended, again.size) == (per_batch, 3 * per_batch)
    with platform.sessions() as s:
        assert recycling.verify_ledger(s, keys).ok
