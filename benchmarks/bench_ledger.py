"""The recycling ledger at 10^6 entries: appends/s, verifications/s, proof size and time.

OURS: ``aurum.services.recycling.append_purchases`` in transactions of ``--batch`` validated
purchases (hashes of the sellers' documents, canonical entries, leaf hashes, the frontier
append with its stored nodes, the purchase rows, sellers sealed with AES-GCM), then
``verify_ledger`` over the whole log (every body rehashed, every purchase row rebuilt and
compared, the tree recomputed and checked against the head, the stored nodes and the signed
tree head), then ``inclusion_proof`` and ``consistency_proof`` from the store at tree sizes
10^3 … 10^6 and their verification by a client. One-purchase appends (one transaction each)
are timed at the end, on the full log: the frontier makes them independent of its size.

PEERS, on the same entries: the plain insert of the same rows — every row an append wrote
(participants and shops met first, new sellers, entries, tree nodes, purchase rows, the signed
tree head) read back and ``INSERT``-ed by a Core ``executemany`` into a second database of the
same schema (same keys, indexes and foreign keys), in the same batches, one transaction each:
what storing those rows costs without computing them (issue 16's bound: an append at least
0.5x of it); the plain store — the canonical bodies alone ``INSERT``-ed into a bare table (the
peer of the 2026-11-21 results, kept for comparison); and the reference tree — RFC 6962's
recursive definition of the root coded directly in Python on the same leaf hashes (what the
batched levels replace), together with what a log without a frontier pays per append:
recomputing that root.

Run from the repository root (``--entries`` defaults to 10^6)::

    .venv/bin/python benchmarks/bench_ledger.py --database sqlite
    .venv/bin/python benchmarks/bench_ledger.py --database postgresql --entries 100000
    .venv/bin/python benchmarks/bench_ledger.py --entries 100000 --appends-only
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import add_common_arguments, emit, machine, note, scratch_database
from sqlalchemy import Engine, Table, insert, select, text

from aurum.recycling import merkle
from aurum.recycling.identity import resident_id_check
from aurum.recycling.purchases import validate_purchases
from aurum.services import recycling
from aurum.services.auth import SYSTEM
from aurum.services.platform import Platform
from aurum.store import migrate
from aurum.store.db import make_engine, transaction
from aurum.store.models import (
    LedgerEntry,
    LedgerNode,
    LedgerTreeHead,
    RecyclingParticipant,
    RecyclingPurchase,
    RecyclingSeller,
    RecyclingShop,
)

SEED = 20261121
SELLERS = 50_000
RECYCLERS = 200
SHOPS_PER_RECYCLER = 5
PROOF_SIZES = (1_000, 10_000, 100_000, 1_000_000)
PROOFS_PER_SIZE = 50
SINGLE_APPENDS = 100
PEER_TABLE = "bench_plain_entries"
WRITTEN: tuple[tuple[Any, str], ...] = (
    (RecyclingParticipant, "id"), (RecyclingShop, "id"), (RecyclingSeller, "id"),
    (LedgerEntry, "seq"), (LedgerNode, "node_index"), (RecyclingPurchase, "entry_seq"),
    (LedgerTreeHead, "id"))
"""The tables an append writes, in the order of their foreign keys, each with the integer
key that tells a batch's rows from earlier ones (see :func:`written`)."""
NOW = datetime(2026, 11, 21, tzinfo=UTC)


def seller_pool(rng: np.random.Generator) -> np.ndarray:
    """:data:`SELLERS` valid resident IDs (Beijing area codes, born 1950-2004)."""
    born = np.datetime64("1950-01-01") + rng.integers(0, 20_000, SELLERS)
    days = np.char.replace(np.datetime_as_string(born, unit="D"), "-", "")
    area = np.char.add("1101", np.char.zfill(rng.integers(1, 20, SELLERS).astype(str), 2))
    first17 = np.char.add(np.char.add(area, days),
                          np.char.zfill((np.arange(SELLERS) % 1000).astype(str), 3))
    return np.array([s + resident_id_check(s) for s in first17.tolist()])


def purchase_cells(start: int, n: int, sellers: np.ndarray,
                   rng: np.random.Generator) -> pd.DataFrame:
    """The text cells of purchases ``start`` … ``start + n - 1`` (one every 13 s from
    1 August 2025, distinct times, so no two purchases are the same entry)."""
    idx = np.arange(start, start + n)
    recycler = idx % RECYCLERS
    when = np.datetime64("2025-08-01T00:00:00") + idx * 13
    gross = rng.integers(1_000, 200_000, n) / 1000
    fineness = rng.choice(np.array([999.9, 999.0, 916.0, 750.0, 585.0]), n)
    price = np.round(rng.uniform(500, 900, n), 2)
    return pd.DataFrame({
        "recycler": np.char.add("RC-", recycler.astype(str)),
        "shop": np.char.add("S-", (idx // RECYCLERS % SHOPS_PER_RECYCLER).astype(str)),
        "seller_id_type": "resident_id", "seller_id_number": sellers[rng.integers(
            0, SELLERS, n)], "seller_name": "张三", "item_type": "jewellery",
        "gross_weight_g": gross.astype(str), "fineness_permille": fineness.astype(str),
        "price_per_g_cny": price.astype(str),
        "amount_cny": np.round(gross * price, 2).astype(str),
        "payment_method": rng.choice(np.array(["cash", "bank_transfer"]), n),
        "occurred_at": np.char.add(np.datetime_as_string(when, unit="s"), "+08:00")})


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1's MTH, written as the RFC defines it (the peer tree)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return hashlib.sha256(b"\x01" + reference_root(leaves[:k])
                          + reference_root(leaves[k:])).digest()


def written(platform: Platform, start: int, last: dict[str, int]
            ) -> list[tuple[Table, list[dict[str, Any]]]]:
    """The rows an append wrote on top of a log of ``start`` entries: those keyed above
    ``last`` (the largest key of each table before it, updated here) and the tree nodes it
    completed (node ``i`` of level ``l`` covers the leaves from ``i << l``)."""
    tables = []
    with platform.sessions() as s:
        for model, key in WRITTEN:
            table = model.__table__
            if key == "node_index":
                rows = [dict(r._mapping) for r in s.execute(select(table))
                        if r.node_index >= start >> r.level]
            else:
                rows = [dict(r._mapping) for r in s.execute(
                    select(table).where(table.c[key] > last.get(table.name, -1)))]
                last[table.name] = max([last.get(table.name, -1), *(r[key] for r in rows)])
            tables.append((table, rows))
    return tables


def time_appends(platform: Platform, peer: Engine, keys: recycling.LedgerKeys, n: int,
                 batch: int, sellers: np.ndarray, rng: np.random.Generator
                 ) -> dict[str, Any]:
    """Append ``n`` purchases in batches: ours, then the plain insert of the rows it wrote
    into ``peer`` (a database of the same schema), then the plain store on its bodies."""
    validate_s = ours_s = rows_s = peer_s = 0.0
    # Seconds of each batch, ours and the plain insert: the append must stay linear.
    batch_s: list[float] = []
    rows_batch_s: list[float] = []
    last: dict[str, int] = {}
    with platform.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {PEER_TABLE} (seq BIGINT PRIMARY KEY, body TEXT)"))
    for start in range(0, n, batch):
        size = min(batch, n - start)
        cells = purchase_cells(start, size, sellers, rng)
        t0 = time.perf_counter()
        purchases = validate_purchases(cells, "bench.csv", now=NOW)
        t1 = time.perf_counter()
        with transaction(platform.sessions) as s:
            result = recycling.append_purchases(s, SYSTEM, keys, purchases,
                                                create_missing=True)
        t2 = time.perf_counter()
        if result.appended != size:
            raise SystemExit(f"batch at {start}: {result.appended} of {size} appended")
        new_rows = written(platform, start, last)
        t3 = time.perf_counter()
        with peer.begin() as conn:
            for table, rows in new_rows:
                if rows:
                    conn.execute(insert(table), rows)
        t4 = time.perf_counter()
        with platform.sessions() as s:
            bodies = s.execute(text("SELECT seq, body FROM ledger_entries WHERE seq >= :a "
                                    "ORDER BY seq"), {"a": start}).all()
        t5 = time.perf_counter()
        with platform.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {PEER_TABLE} (seq, body) VALUES (:seq, :body)"),
                         [{"seq": q, "body": b} for q, b in bodies])
        peer_s += time.perf_counter() - t5
        validate_s += t1 - t0
        ours_s += t2 - t1
        rows_s += t4 - t3
        batch_s.append(t2 - t1)
        rows_batch_s.append(t4 - t3)
        note(f"  {start + size:,} entries: ours {ours_s:.1f} s, plain insert of the same rows "
             f"{rows_s:.1f} s, plain store {peer_s:.1f} s")
    return {"entries": n, "batch": batch, "validate_s": validate_s, "ours_s": ours_s,
            "rows_s": rows_s, "peer_s": peer_s, "ours_per_s": n / ours_s,
            "rows_per_s": n / rows_s, "peer_per_s": n / peer_s,
            "validate_per_s": n / validate_s, "batch_s": batch_s,
            "rows_batch_s": rows_batch_s}


def time_single_appends(platform: Platform, keys: recycling.LedgerKeys, n: int,
                        sellers: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """One purchase per transaction, on top of the full log."""
    purchases = validate_purchases(purchase_cells(n, SINGLE_APPENDS, sellers, rng),
                                   "bench.csv", now=NOW)
    t0 = time.perf_counter()
    for i in range(SINGLE_APPENDS):
        with transaction(platform.sessions) as s:
            recycling.append_purchases(s, SYSTEM, keys, purchases.iloc[i:i + 1])
    seconds = time.perf_counter() - t0
    return {"appends": SINGLE_APPENDS, "seconds": seconds, "per_s": SINGLE_APPENDS / seconds}


def time_proofs(platform: Platform, size: int, rng: np.random.Generator) -> dict[str, Any]:
    """Inclusion and consistency proofs at one tree size: hashes, bytes, server and client
    times (mean over :data:`PROOFS_PER_SIZE` random leaves)."""
    with platform.sessions() as s:
        root = bytes.fromhex(recycling.consistency_proof(s, size, size)["root2"])
        seqs = rng.integers(0, size, PROOFS_PER_SIZE)
        t0 = time.perf_counter()
        proofs = [recycling.inclusion_proof(s, int(q), size) for q in seqs]
        t1 = time.perf_counter()
        older = max(size // 2 + 1, 1)
        consistency = recycling.consistency_proof(s, older, size)
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    for p in proofs:
        merkle.verify_inclusion(p["seq"], size, bytes.fromhex(p["leaf_hash"]),
                                [bytes.fromhex(h) for h in p["proof"]], root)
    t4 = time.perf_counter()
    merkle.verify_consistency(older, size, [bytes.fromhex(h) for h in consistency["proof"]],
                              bytes.fromhex(consistency["root1"]), root)
    hashes = float(np.mean([len(p["proof"]) for p in proofs]))
    return {"tree_size": size, "inclusion_hashes": hashes,
            "inclusion_bytes": hashes * merkle.HASH_SIZE,
            "inclusion_ms": (t1 - t0) / PROOFS_PER_SIZE * 1000,
            "verify_inclusion_us": (t4 - t3) / PROOFS_PER_SIZE * 1e6,
            "consistency_from": older, "consistency_hashes": len(consistency["proof"]),
            "consistency_ms": (t2 - t1) * 1000}


def time_trees(platform: Platform) -> dict[str, Any]:
    """Our batched levels against the reference root, on the stored leaf hashes."""
    with platform.sessions() as s:
        leaves = [bytes(h) for h in s.execute(text(
            "SELECT leaf_hash FROM ledger_entries ORDER BY seq")).scalars()]
    t0 = time.perf_counter()
    ours = merkle.MerkleTree(np.frombuffer(b"".join(leaves), np.uint8)).root()
    t1 = time.perf_counter()
    peer = reference_root(leaves)
    t2 = time.perf_counter()
    if ours != peer:
        raise SystemExit("!!! our root differs from the reference root")
    frontier = merkle.Frontier.from_bytes(0, b"")
    frontier, _ = frontier.extend(np.frombuffer(b"".join(leaves), np.uint8).reshape(-1, 32))
    one = np.frombuffer(hashlib.sha256(b"one more").digest(), np.uint8).reshape(1, 32)
    t3 = time.perf_counter()
    for _ in range(1000):
        frontier.extend(one)[0].root()
    t4 = time.perf_counter()
    return {"leaves": len(leaves), "ours_root_s": t1 - t0, "reference_root_s": t2 - t1,
            "frontier_append_us": (t4 - t3) / 1000 * 1e6}


def run(database: str, n: int, batch: int, appends_only: bool = False) -> dict[str, Any]:
    """Everything (or the appends and their peers only), on scratch databases."""
    rng = np.random.default_rng(SEED)
    sellers = seller_pool(rng)
    with tempfile.TemporaryDirectory(prefix="aurum-bench-") as tmp, \
            scratch_database(database, Path(tmp)) as url, \
            scratch_database(database, Path(tmp) / "peer") as peer_url:
        os.environ["AURUM_HOME"] = str(Path(tmp) / "home")
        os.environ["AURUM_KEYS"] = str(Path(tmp) / "keys")  # keys land in the temp dir
        platform = Platform.open(url, migrate_to_head=True)
        keys = recycling.LedgerKeys.load(platform.settings)
        peer = make_engine(peer_url)
        migrate.upgrade(peer)
        env = machine(platform.engine)
        note(f"appending {n:,} purchases in batches of {batch:,} ...")
        # Every append signs its tree head and checkpoint: nothing is left to sign here.
        try:
            appends = time_appends(platform, peer, keys, n, batch, sellers, rng)
        finally:
            peer.dispose()
        env["load_1m_after_appends"] = round(os.getloadavg()[0], 2)
        result = {"benchmark": "ledger", "machine": env, "appends": appends}
        if appends_only:
            return result
        note("verifying ...")
        t0 = time.perf_counter()
        with platform.sessions() as s:
            verified = recycling.verify_ledger(s, keys)
        verify_s = time.perf_counter() - t0
        if not verified.ok:
            raise SystemExit(f"!!! the log does not verify: {verified.problems[:3]}")
        note("proofs ...")
        proofs = [time_proofs(platform, size, rng) for size in PROOF_SIZES if size <= n]
        note("trees ...")
        trees = time_trees(platform)
        note(f"{SINGLE_APPENDS} one-purchase appends ...")
        single = time_single_appends(platform, keys, n, sellers, rng)
        return result | {"verify": {"entries": verified.size, "seconds": verify_s,
                                    "per_s": verified.size / verify_s,
                                    "root": verified.root},
                         "single_appends": single, "proofs": proofs, "trees": trees}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_common_arguments(parser)
    parser.add_argument("--entries", type=int, default=1_000_000,
                        help="purchases to append (default 1000000)")
    parser.add_argument("--batch", type=int, default=10_000,
                        help="purchases per append transaction (default 10000)")
    parser.add_argument("--appends-only", action="store_true",
                        help="time the appends and their peers only (no verification, "
                             "proofs, trees or one-purchase appends)")
    args = parser.parse_args()
    if not 1_000 <= args.entries <= 10_000_000:
        parser.error("--entries must be between 1000 and 10000000")
    r = run(args.database, args.entries, args.batch, args.appends_only)
    a, m = r["appends"], r["machine"]
    lines = [
        f"recycling ledger, {a['entries']:,} purchases on {m['database']}, "
        f"{m['cpus']} CPUs (load {m['load_1m']} before, {m['load_1m_after_appends']} after "
        "the appends)",
        f"  append (batches of {a['batch']:,})  {a['ours_s']:9.1f} s  "
        f"{a['ours_per_s']:10,.0f} entries/s",
        f"  plain insert, same rows     {a['rows_s']:9.1f} s  {a['rows_per_s']:10,.0f} entries/s"
        f"   ratio ours/plain {a['ours_per_s'] / a['rows_per_s']:.2f}x",
        f"  plain store, bodies only    {a['peer_s']:9.1f} s  {a['peer_per_s']:10,.0f} rows/s"
        f"   ratio ours/plain {a['ours_per_s'] / a['peer_per_s']:.2f}x",
        f"  linear: seconds per batch, ours first {a['batch_s'][0]:.2f}, last "
        f"{a['batch_s'][-1]:.2f}, median {np.median(a['batch_s']):.2f}; plain insert first "
        f"{a['rows_batch_s'][0]:.2f}, last {a['rows_batch_s'][-1]:.2f}, median "
        f"{np.median(a['rows_batch_s']):.2f}",
        f"  validation (not in append)  {a['validate_s']:7.1f} s  "
        f"{a['validate_per_s']:10,.0f} rows/s"]
    if not args.appends_only:
        v, t, one = r["verify"], r["trees"], r["single_appends"]
        lines += [
            f"  one purchase per append   {one['seconds']:9.2f} s  "
            f"{one['per_s']:10,.1f} appends/s (at {a['entries']:,} entries)",
            f"  verify                    {v['seconds']:9.1f} s  {v['per_s']:10,.0f} "
            "entries/s",
            f"  root of {t['leaves']:,} leaves: ours {t['ours_root_s']:.2f} s, RFC recursion "
            f"{t['reference_root_s']:.2f} s "
            f"(ratio {t['reference_root_s'] / t['ours_root_s']:.1f}x)",
            f"  one append: frontier {t['frontier_append_us']:.0f} us; recomputing the root "
            f"{t['reference_root_s']:.2f} s "
            f"(ratio {t['reference_root_s'] * 1e6 / t['frontier_append_us']:,.0f}x)",
            "  tree size   inclusion: hashes  bytes  from store ms  verify us   "
            "consistency (from n/2+1): hashes  ms"]
        lines += [f"  {p['tree_size']:>9,}   {p['inclusion_hashes']:16.1f}  "
                  f"{p['inclusion_bytes']:5.0f}  {p['inclusion_ms']:13.2f}  "
                  f"{p['verify_inclusion_us']:9.1f}   {p['consistency_hashes']:29d}  "
                  f"{p['consistency_ms']:4.1f}" for p in r["proofs"]]
    emit(r, args.format, lines)


if __name__ == "__main__":
    main()
