"""The ledger service on SQLite and PostgreSQL: appends, idempotency, proofs, verification
against tampering (changed, deleted, reordered rows), corrections, personal data, reports."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from aurum.core.errors import ConflictError, PermissionDenied, ValidationError
from aurum.recycling import merkle, sealing
from aurum.recycling.checkpoint import Checkpoint, sign_checkpoint
from aurum.recycling.sealing import (
    PersonalDataKeys,
    SealError,
    TreeHeadSigner,
    verify_tree_head,
)
from aurum.services import recycling
from aurum.services.auth import SYSTEM, Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import AuditRecord, RecyclingSeller
from tests.recycling.helpers import purchase, seller_id, validated
from tests.store.tamper import drop_append_only_triggers

OP = SYSTEM
LOG_TABLES = ("ledger_entries", "ledger_nodes", "ledger_tree_heads", "recycling_purchases",
              "recycling_corrections", "custody_lots", "custody_lot_purchases",
              "custody_assays", "custody_bars", "custody_bar_inputs")


@pytest.fixture
def keys(platform: Platform) -> recycling.LedgerKeys:
    return recycling.LedgerKeys.load(platform.settings)


def _append(platform: Platform, keys: recycling.LedgerKeys, rows: list[dict[str, str]],
            actor: Actor = OP) -> recycling.AppendResult:
    with transaction(platform.sessions, actor.user_id or None) as s:
        result = recycling.append_purchases(s, actor, keys, validated(rows),
                                            create_missing=True)
    with transaction(platform.sessions) as s:
        recycling.sign_tree_head(s, keys)
    return result


def _verify(platform: Platform, keys: recycling.LedgerKeys,
            chunk: int = 128) -> recycling.Verification:
    with platform.sessions() as s:
        return recycling.verify_ledger(s, keys, chunk=chunk)


def _tamper(platform: Platform, *statements: str) -> None:
    """Change stored rows as someone with the database password would: triggers first."""
    with platform.engine.begin() as conn:
        drop_append_only_triggers(conn, LOG_TABLES)
        for statement in statements:
            conn.execute(text(statement))


def _rows(n: int, day: int = 4) -> list[dict[str, str]]:
    return [purchase(seller_id_number=seller_id(i % 5), shop=f"S-{i % 3}",
                     amount_cny=str(1000 + i), gross_weight_g=f"{1 + i / 1000:.3f}",
                     occurred_at=f"2025-08-{day:02d}T{8 + i % 10:02d}:{i % 60:02d}:00+08:00")
            for i in range(n)]


def test_append_is_idempotent_and_the_log_verifies(platform: Platform,
                                                   keys: recycling.LedgerKeys) -> None:
    first = _append(platform, keys, _rows(300))
    assert (first.appended, first.duplicates, first.size) == (300, 0, 300)
    again = _append(platform, keys, _rows(300)[100:] + _rows(10, day=5))
    assert (again.appended, again.duplicates, again.size) == (10, 200, 310)
    assert again.seqs[:200] == list(range(100, 300))
    report = _verify(platform, keys)
    assert report.ok, report.problems
    assert (report.size, report.tree_heads) == (310, 2)
    # The root is RFC 6962's over the stored bodies, in order.
    with platform.sessions() as s:
        bodies = s.execute(text("SELECT body FROM ledger_entries ORDER BY seq")).scalars()
        tree = merkle.MerkleTree(merkle.leaf_hashes(b.encode() for b in bodies))
        assert report.root == tree.root().hex() == again.root
        status = recycling.ledger_status(s)
    assert status["size"] == 310 and status["signed_tree_head"]["tree_size"] == 310


def test_proofs_from_the_store_verify(platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(300))
    _append(platform, keys, _rows(40, day=6))
    with platform.sessions() as s:
        heads = recycling.list_tree_heads(s)
        assert [h["tree_size"] for h in heads] == [340, 300]
        for seq in (0, 1, 255, 256, 299, 339):
            proof = recycling.inclusion_proof(s, seq)
            merkle.verify_inclusion(seq, 340, bytes.fromhex(proof["leaf_hash"]),
                                    [bytes.fromhex(h) for h in proof["proof"]],
                                    bytes.fromhex(heads[0]["root"]))
        old = recycling.inclusion_proof(s, 17, tree_size=300)
        assert old["root"] == heads[1]["root"] == old["signed_tree_head"]["root"]
        assert recycling.inclusion_proof(s, 17, tree_size=299)["signed_tree_head"] is None
        public = keys.signer.public_key
        assert verify_tree_head(public, 300, bytes.fromhex(heads[1]["root"]),
                                heads[1]["timestamp_ms"], bytes.fromhex(heads[1]["signature"]))
        c = recycling.consistency_proof(s, 300)
        merkle.verify_consistency(300, 340, [bytes.fromhex(h) for h in c["proof"]],
                                  bytes.fromhex(heads[1]["root"]),
                                  bytes.fromhex(heads[0]["root"]))
        entries = recycling.list_entries(s, OP, limit=3)
    assert [e["seq"] for e in entries] == [339, 338, 337]
    assert entries[0]["entry"]["kind"] == "purchase"
    assert len(entries[0]["entry"]["seller"]) == 64


def test_the_database_refuses_updates_and_deletes(platform: Platform,
                                                  keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(3))
    with transaction(platform.sessions) as s:
        recycling.witness_checkpoint(s, OP, "RC-1", recycling.latest_checkpoint(s),
                                     str(keys.verifier))
    # The checkpoint column added later kept the triggers of its table; what a witness
    # keeps has its own.
    for statement in ("UPDATE ledger_entries SET kind = 'x' WHERE seq = 1",
                      "DELETE FROM recycling_purchases WHERE entry_seq = 2",
                      "UPDATE ledger_tree_heads SET checkpoint = NULL",
                      "DELETE FROM ledger_witnessed_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_changed_row_is_detected(platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(20))
    # The amount in the purchase table only: the row no longer says what the entry says.
    _tamper(platform, "UPDATE recycling_purchases SET amount_cny = 1.0 WHERE entry_seq = 5")
    found = _verify(platform, keys)
    assert not found.ok
    assert any("entries 5: the stored purchase" in p for p in found.problems)
    # The entry itself, leaf hash left alone...
    _tamper(platform, "UPDATE ledger_entries SET body = replace(body, '\"1011.00\"', "
                      "'\"1.00\"') WHERE seq = 11")
    found = _verify(platform, keys)
    assert any("entries 11: the body does not hash" in p for p in found.problems)
    # ... and with its leaf hash recomputed: the root no longer matches the signed head.
    with platform.sessions() as s:
        body = s.execute(text("SELECT body FROM ledger_entries WHERE seq = 11")).scalar_one()
    leaf = merkle.leaf_hash(body.encode()).hex()
    literal = f"X'{leaf}'" if platform.engine.dialect.name == "sqlite" else \
        f"decode('{leaf}', 'hex')"
    _tamper(platform, f"UPDATE ledger_entries SET leaf_hash = {literal} WHERE seq = 11")
    found = _verify(platform, keys)
    assert not any("entries 11: the body" in p for p in found.problems)
    assert any("signed tree head" in p and "history rewritten" in p for p in found.problems)
    assert any("the head says root" in p for p in found.problems)


def test_a_deleted_row_is_detected(platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(20))
    # Entry 8, first of the third chunk of 4 entries read.
    _tamper(platform, "DELETE FROM recycling_purchases WHERE entry_seq = 8",
            "DELETE FROM ledger_entries WHERE seq = 8")
    found = _verify(platform, keys, chunk=4)
    assert not found.ok and found.size == 19
    assert "entries 8-8 are missing (deleted rows)" in found.problems
    assert any("signed tree head" in p for p in found.problems)
    # The last entry, with the head wound back to match: the signed head still remembers.
    with platform.sessions() as s:
        frontier = merkle.MerkleTree(merkle.leaf_hashes(
            b.encode() for b in s.execute(text(
                "SELECT body FROM ledger_entries WHERE seq < 19 ORDER BY seq")).scalars()))
    _tamper(platform, "DELETE FROM recycling_purchases WHERE entry_seq = 19",
            "DELETE FROM ledger_entries WHERE seq = 19")
    found = _verify(platform, keys)
    assert any("covers 20 entries; only 18 are stored" in p for p in found.problems)
    assert frontier.size == 18
    # A purchase row alone.
    _tamper(platform, "DELETE FROM recycling_purchases WHERE entry_seq = 3")
    found = _verify(platform, keys)
    assert any("entries 3: their purchase, correction or custody row is missing" in p
               for p in found.problems)


def test_reordered_rows_are_detected(platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(20))
    # Swap entries 4 and 9 whole (body, leaf hash, key and the purchase rows' contents):
    # every row agrees with its entry, only the order changed.
    with platform.sessions() as s:
        a, b = (s.execute(text("SELECT body, leaf_hash, idempotency_key FROM ledger_entries "
                               "WHERE seq = :s"), {"s": seq}).one() for seq in (4, 9))
        pa, pb = (s.execute(text("SELECT * FROM recycling_purchases WHERE entry_seq = :s"),
                            {"s": seq}).mappings().one() for seq in (4, 9))
    _tamper(platform)
    with platform.engine.begin() as conn:
        for seq in (4, 9):  # keys are unique: park them first
            conn.execute(text("UPDATE ledger_entries SET idempotency_key = :k WHERE seq = :s"),
                         {"k": f"parked-{seq}", "s": seq})
        for seq, row in ((4, b), (9, a)):
            conn.execute(text("UPDATE ledger_entries SET body = :b, leaf_hash = :h, "
                              "idempotency_key = :k WHERE seq = :s"),
                         {"b": row.body, "h": row.leaf_hash, "k": row.idempotency_key,
                          "s": seq})
        columns = [c for c in pa if c != "entry_seq"]
        for seq, values in ((4, pb), (9, pa)):
            conn.execute(text("UPDATE recycling_purchases SET "
                              + ", ".join(f"{c} = :{c}" for c in columns)
                              + " WHERE entry_seq = :seq"),
                         {**{c: values[c] for c in columns}, "seq": seq})
    found = _verify(platform, keys)
    assert not found.ok
    assert not any("purchase, correction" in p or "does not hash" in p for p in found.problems)
    assert any("history rewritten" in p for p in found.problems)


def test_corrections_reverse_or_amend_never_update(platform: Platform,
                                                   keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, [purchase(amount_cny="60000"),
                             purchase(amount_cny="60000", shop="S-2",
                                      occurred_at="2025-08-04T15:00:00+08:00"),
                             purchase(amount_cny="500", seller_id_number=seller_id(2))])
    with transaction(platform.sessions) as s:
        fixed = recycling.correct_purchase(
            s, OP, keys, 1, "keyed 60,000 for 6,000",
            validated([purchase(amount_cny="6000", shop="S-2",
                                occurred_at="2025-08-04T15:00:00+08:00")]))
        gone = recycling.correct_purchase(s, OP, keys, 2, "duplicate ticket")
    assert fixed.seqs == [3, 4] and gone.seqs == [5] and gone.size == 6
    with transaction(platform.sessions) as s:
        assert recycling.screen_reports(s, OP) == []  # 66,000 CNY: no large-cash report
        in_force = recycling.purchases_in_force(s)
        with pytest.raises(ConflictError, match="corrected already"):
            recycling.correct_purchase(s, OP, keys, 1, "again")
    assert in_force["seq"].tolist() == [0, 4]
    assert in_force["amount_cny"].tolist() == [60000.0, 6000.0]
    with platform.sessions() as s:
        amended = json.loads(s.execute(text("SELECT body FROM ledger_entries WHERE seq = 4")
                                       ).scalar_one())
        reversal = json.loads(s.execute(text("SELECT body FROM ledger_entries WHERE seq = 3")
                                        ).scalar_one())
    assert amended["amends"] == 1 and amended["amount_cny"] == "6000.00"
    assert reversal == {"action": "amend", "kind": "correction",
                        "reason": "keyed 60,000 for 6,000", "target": 1, "v": 1}
    with transaction(platform.sessions) as s:
        recycling.sign_tree_head(s, keys)
    assert _verify(platform, keys).ok
    _tamper(platform, "UPDATE recycling_corrections SET reason = 'nothing' WHERE entry_seq = 5")
    assert any("entries 5: the stored" in p for p in _verify(platform, keys).problems)


def test_a_statement_whose_seal_ends_in_a_nul_byte_opens(
        platform: Platform, keys: recycling.LedgerKeys, monkeypatch: pytest.MonkeyPatch) -> None:
    """A seal is stored as sealed, whatever its last bytes (a numpy bytes array on the way
    would drop trailing NUL bytes, and the statement would never open again)."""
    context = "purchase:0:origin_statement"
    real_urandom = os.urandom
    nonce = next(n for n in (i.to_bytes(12, "big") for i in range(100_000))
                 if keys.personal._aead.encrypt(n, "金镯".encode(), context.encode())[-1] == 0)
    monkeypatch.setattr(sealing.os, "urandom",
                        lambda k: nonce if k == len(nonce) else real_urandom(k))
    _append(platform, keys, [purchase(origin="inherited", origin_statement="金镯")])
    with platform.sessions() as s:
        stored = s.execute(text("SELECT origin_statement_sealed FROM recycling_purchases")
                           ).scalar_one()
    assert bytes(stored).endswith(b"\0")
    assert keys.personal.open(bytes(stored), context) == "金镯"


def test_personal_data_is_sealed_masked_and_revealed_with_an_audit_record(
        platform: Platform, keys: recycling.LedgerKeys, admin: Actor) -> None:
    number = seller_id(4)
    _append(platform, keys, [purchase(seller_id_number=number, seller_name="李四光",
                                      origin="inherited", origin_statement="祖母的金镯子")])
    with platform.engine.connect() as conn:
        dump = "\n".join(str(row) for table in ("recycling_sellers", "recycling_purchases",
                                                "ledger_entries", "audit_records")
                         for row in conn.execute(text(f"SELECT * FROM {table}")))
    for secret in (number, "李四光", "祖母的金镯子"):
        assert secret not in dump
    with transaction(platform.sessions, admin.user_id) as s:
        seller = s.scalars(select(RecyclingSeller)).one()
        view = recycling.seller_view(s, admin, seller.id)
        assert view["id_masked"] == number[:4] + "*" * 10 + number[-4:]
        assert view["name_masked"] == "李**"
        with pytest.raises(ValidationError, match="say why"):
            recycling.reveal_seller(s, admin, keys, seller.id, " ")
        clear = recycling.reveal_seller(s, admin, keys, seller.id, "STR 2025-17 filing")
        auditor = actor_for(s, create_user(s, "aud", "a-long-password", Role.AUDITOR))
        with pytest.raises(PermissionDenied):
            recycling.reveal_seller(s, auditor, keys, seller.id, "curious")
    assert (clear["name"], clear["id_number"]) == ("李四光", number)
    with platform.sessions() as s:
        trail = s.scalars(select(AuditRecord).where(AuditRecord.action == "reveal")).all()
    assert [(t.user_id, t.entity, t.after["purpose"]) for t in trail] == [
        (admin.user_id, "recycling_sellers", "STR 2025-17 filing")]
    # Another key opens nothing and names sellers differently.
    other = recycling.LedgerKeys(PersonalDataKeys(b"\x01" * 32), keys.signer)
    with transaction(platform.sessions, admin.user_id) as s, pytest.raises(SealError):
        recycling.reveal_seller(s, admin, other, seller.id, "wrong key")


def test_reports_large_cash_across_shops_submitted_to_the_inbox(
        platform: Platform, keys: recycling.LedgerKeys, admin: Actor) -> None:
    _append(platform, keys, [
        purchase(shop="S-1", amount_cny="60000", occurred_at="2025-08-04T09:00:00+08:00"),
        purchase(shop="S-2", amount_cny="60000", occurred_at="2025-08-04T17:00:00+08:00"),
        purchase(amount_cny="99999", seller_id_number=seller_id(7))])
    with transaction(platform.sessions) as s:
        made = recycling.screen_reports(s, OP)
        assert recycling.screen_reports(s, OP) == []  # nothing new the second time
    assert len(made) == 1
    with platform.sessions() as s:
        due = recycling.list_reports(s, OP, today=date(2025, 8, 6))
    assert len(due) == 1
    report = due[0]
    assert (report["kind"], report["recycler"], report["entries"], report["amount_cny"],
            report["date"], report["due_on"], report["status"]) == (
        "large_cash", "RC-1", [0, 1], 120000.0, "2025-08-04", "2025-08-11", "due")
    hashed = keys.personal.identity_hashes(pd.Series(["resident_id"]),
                                           pd.Series([seller_id(1)]))[0]
    assert report["seller_id_number_hash"] == hashed
    # A third cash purchase the same day: a new revision supersedes the first.
    _append(platform, keys, [purchase(shop="S-3", amount_cny="100",
                                      occurred_at="2025-08-04T18:00:00+08:00")])
    with transaction(platform.sessions) as s:
        assert [r.revision for r in recycling.screen_reports(s, OP)] == [2]
        document = recycling.report_document(s, OP, report["id"] + 1)
        submitted = recycling.submit_report(s, OP, report["id"] + 1)
        with pytest.raises(ConflictError, match="submitted"):
            recycling.submit_report(s, OP, report["id"] + 1)
    assert "LARGE-VALUE CASH TRANSACTION REPORT" in document
    assert "CNY 120,100.00 in 3 purchase(s)" in document and "signed tree head" in document
    assert submitted["document_sha256"] == hashlib.sha256(document.encode()).hexdigest()
    with transaction(platform.sessions, admin.user_id) as s:
        assert recycling.list_reports(s, OP) == []
        inbox = recycling.regulator_inbox(s, admin)
        assert [(i["report"]["revision"], i["acknowledged_at"]) for i in inbox] == [(2, None)]
        recycling.acknowledge_submission(s, admin, inbox[0]["submission_id"])
        assert recycling.regulator_inbox(s, admin)[0]["acknowledged_at"] is not None


def test_recyclers_write_and_read_their_own(platform: Platform, keys: recycling.LedgerKeys,
                                           admin: Actor) -> None:
    from aurum.services import registry

    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "RC-1", "Golden Phoenix Recycling",
                                     "recycling", "Shandong")
        registry.create_organisation(s, admin, "RC-2", "Jade River Recycling", "recycling",
                                     "Henan")
        recycling.register_participant(s, admin, "RC-1", "Golden Phoenix", org_code="RC-1",
                                       uscc="91350100M000100Y43", licence_no="SD-0001")
        recycling.register_participant(s, admin, "RC-2", "Jade River", org_code="RC-2")
        with pytest.raises(ValidationError, match="GB 32100"):
            recycling.register_participant(s, admin, "RC-3", "X", uscc="91350100M000100Y44")
        mine = actor_for(s, create_user(s, "rc1", "a-long-password", Role.RECYCLER,
                                        org_code="RC-1"))
    _append(platform, keys, [purchase(recycler="RC-1")], actor=mine)
    _append(platform, keys, [purchase(recycler="RC-2", amount_cny="1")])
    with pytest.raises(PermissionDenied):
        _append(platform, keys, [purchase(recycler="RC-2", amount_cny="2")], actor=mine)
    with pytest.raises(ValidationError, match="unknown recycler 'RC-9'"), \
            transaction(platform.sessions) as s:
        recycling.append_purchases(s, mine, keys, validated([purchase(recycler="RC-9")]))
    with platform.sessions() as s:
        assert [e["entry"]["recycler"] for e in recycling.list_entries(s, mine)] == ["RC-1"]
        totals = recycling.recycled_totals(s, OP)
        assert recycling.recycled_totals(s, mine) == [totals[0]]
    assert [(t["recycler"], t["province"], t["month"], t["purchases"], t["fine_gold_g"])
            for t in totals] == [("RC-1", "Shandong", "2025-08", 1, 9.99),
                                 ("RC-2", "Henan", "2025-08", 1, 9.99)]
    # A recycler created on first use has no province until an administrator gives it one.
    _append(platform, keys, [purchase(recycler="RC-7", gross_weight_g="1000",
                                      occurred_at="2025-09-30T23:00:00+08:00")])
    with transaction(platform.sessions, admin.user_id) as s:
        before = recycling.recycled_totals(s, OP, by=("province", "month"))
        with pytest.raises(ValidationError, match="unknown province"):
            recycling.update_participant(s, admin, "RC-7", province="Atlantis")
        recycling.update_participant(s, admin, "RC-7", province="Gansu", licence_no="GS-7")
        after = recycling.recycled_totals(s, OP, by=("province", "month"))
    assert ("unknown", "2025-09", 999.0) in [(t["province"], t["month"], t["fine_gold_g"])
                                             for t in before]
    assert ("Gansu", "2025-09", 999.0, 0.999) in [
        (t["province"], t["month"], t["fine_gold_g"], t["fine_gold_kg"]) for t in after]


def test_custody_from_purchases_to_a_bar(platform: Platform, keys: recycling.LedgerKeys,
                                         admin: Actor) -> None:
    _append(platform, keys, [purchase(gross_weight_g="100", fineness_permille="916",
                                      seller_id_number=seller_id(i), amount_cny="70000",
                                      payment_method="bank_transfer") for i in range(4)]
            + [purchase(recycler="RC-2", gross_weight_g="50", fineness_permille="750")])
    at = datetime(2025, 9, 1, 8, tzinfo=UTC)
    with transaction(platform.sessions, admin.user_id) as s:
        recycling.register_participant(s, admin, "RF-1", "Shandong Refinery", role="refiner",
                                       province="Shandong")
        lot_a = recycling.dispatch_lot(s, admin, keys, "LOT-A", "RC-1", "RF-1", [0, 1], at)
        # The same lot sent again is taken once.
        recycling.dispatch_lot(s, admin, keys, "LOT-A", "RC-1", "RF-1", [0, 1], at)
        with pytest.raises(ValidationError) as caught:
            recycling.dispatch_lot(s, admin, keys, "LOT-B", "RC-1", "RF-1", [1, 2, 4, 99], at)
        assert {p.message for p in caught.value.problems} == {
            "purchase 1: already in a lot", "purchase 4: not a purchase of RC-1",
            "purchase 99: no such purchase"}
        recycling.dispatch_lot(s, admin, keys, "LOT-B", "RC-1", "RF-1", [2, 3], at)
        # Declared 2 x 91.6 = 183.2 g each; the refiner finds 182.0 g in A (-0.66 %, within
        # 2 % + 0.05 g = 3.714 g) and 170.0 g in B (-13.2 g: an exception).
        a = recycling.record_assay(s, admin, keys, "LOT-A", 182.0, 1000, "fire_assay", at)
        b = recycling.record_assay(s, admin, keys, "LOT-B", 200.0, 850, "fire_assay", at)
        with pytest.raises(ConflictError, match="assayed already"):
            recycling.record_assay(s, admin, keys, "LOT-B", 201.0, 850, "fire_assay", at)
        with pytest.raises(ValidationError, match="left"):
            recycling.record_bar(s, admin, keys, "BAR-0", "RF-1", 400, 999.9,
                                 {"LOT-A": 400 * 0.9999}, at)
        recycling.record_bar(s, admin, keys, "AU-2025-0001", "RF-1", 250, 999.9,
                             {"LOT-A": 150.0, "LOT-B": 99.975}, at)
        balances = recycling.mass_balances(s, admin)
        graph = recycling.custody_chain(s, admin, "AU-2025-0001")
        recycling.sign_tree_head(s, keys)
    assert lot_a.seqs == [5]
    assert (a["declared_g"], a["assayed_g"], a["tolerance_g"], a["status"]) == (
        183.2, 182.0, 3.714, "balanced")
    assert (b["difference_g"], b["status"]) == (-13.2, "exception")
    assert [x["status"] for x in balances] == ["balanced", "exception"]
    purchases = sorted(n["seq"] for n in graph["nodes"] if n["kind"] == "purchase")
    assert purchases == [0, 1, 2, 3]
    into_bar = [e for e in graph["edges"] if e["target"] == "bar:AU-2025-0001"]
    assert sorted(e["fine_gold_g"] for e in into_bar) == [99.975, 150.0]
    assert all("*" in n["seller_id_masked"] for n in graph["nodes"] if n["kind"] == "purchase")
    assert _verify(platform, keys).ok
    _tamper(platform, "UPDATE custody_bar_inputs SET fine_gold_g = 100 WHERE fine_gold_g < 100")
    assert any("the stored purchase, correction or custody row differs" in p
               for p in _verify(platform, keys).problems)


def test_photos_by_hash_and_the_watch_list(platform: Platform, keys: recycling.LedgerKeys,
                                           admin: Actor) -> None:
    home = platform.settings.home
    photos = [recycling.store_photo(home, keys, data) for data in (b"\xff\xd8ring", b"bar")]
    assert photos[0] == hashlib.sha256(b"\xff\xd8ring").hexdigest()
    assert b"ring" not in next((home / "recycling").rglob(photos[0])).read_bytes()
    rows = validated([purchase(seller_id_number=seller_id(9))])
    with transaction(platform.sessions) as s:
        recycling.append_purchases(s, OP, keys, rows.assign(photos=[photos]),
                                   create_missing=True)
        with pytest.raises(ValidationError, match="SHA-256"):
            recycling.append_purchases(s, OP, keys, rows.assign(photos=[["ring.jpg"]]))
        body = json.loads(s.execute(text("SELECT body FROM ledger_entries")).scalar_one())
    assert body["photos"] == sorted(photos)
    assert recycling.load_photo(home, keys, photos[1]) == b"bar"
    with transaction(platform.sessions, admin.user_id) as s:
        listed = recycling.change_watch_list(s, admin, keys, "resident_id", seller_id(9),
                                             "court order 17")
        assert recycling.watched_sellers(s) == {listed}
        made = recycling.screen_reports(s, OP)
        recycling.change_watch_list(s, admin, keys, "resident_id", seller_id(9), "lifted",
                                    remove=True)
        assert recycling.watched_sellers(s) == frozenset()
    assert [(r.rule_id, r.kind, r.entries) for r in made] == [
        ("watch_list", "suspicious", [0])]


def _rehash(platform: Platform) -> None:
    """Wind the head to the stored entries, as a forger who rewrote them would."""
    with platform.sessions() as s:
        tree = merkle.MerkleTree(merkle.leaf_hashes(b.encode() for b in s.execute(text(
            "SELECT body FROM ledger_entries ORDER BY seq")).scalars()))
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_heads SET size = :n, root = :r, frontier = :f"),
                     {"n": tree.size, "r": tree.root(), "f": tree.frontier().to_bytes()})


def test_a_rewritten_re_signed_log_fails_against_an_earlier_checkpoint(
        platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(20))
    with platform.sessions() as s:
        earlier = recycling.latest_checkpoint(s)
    assert earlier.split("\n")[:2] == [keys.log_origin, "20"]
    # Entry 11's amount rewritten in its row, its body and its leaf hash, the head re-hashed
    # and every signed tree head deleted: nothing stored disagrees any more...
    with platform.sessions() as s:
        body = s.execute(text("SELECT body FROM ledger_entries WHERE seq = 11")).scalar_one()
    forged = body.replace('"1011.00"', '"1.00"')
    _tamper(platform, "DELETE FROM ledger_tree_heads",
            "UPDATE recycling_purchases SET amount_cny = 1.0 WHERE entry_seq = 11")
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET body = :b, leaf_hash = :h WHERE seq = 11"),
                     {"b": forged, "h": merkle.leaf_hash(forged.encode())})
    _rehash(platform)
    found = _verify(platform, keys)
    # ... but the entries are covered by no signed head.
    assert found.problems == ["entries 0-19 are covered by no signed tree head (appended "
                              "without one, or the heads were deleted)"]
    assert (found.ok, found.covered, found.tree_heads) == (False, 0, 0)
    # Re-signed with the ledger's own key, the forgery passes every check inside...
    with transaction(platform.sessions) as s:
        recycling.sign_tree_head(s, keys)
    assert _verify(platform, keys).ok
    # ... and fails against the checkpoint kept outside.
    with platform.sessions() as s:
        found = recycling.verify_ledger(s, keys, against=[("earlier.checkpoint", earlier)])
    assert not found.ok
    assert found.problems == ["checkpoint earlier.checkpoint (size 20): the stored log is not "
                              "consistent with it (its first 20 entries were rewritten)"]
    assert found.checkpoints == [{"source": "earlier.checkpoint", "origin": keys.log_origin,
                                  "tree_size": 20, "consistent": False}]


def test_a_truncated_log_and_a_forged_checkpoint_fail_against_the_published_key(
        platform: Platform, keys: recycling.LedgerKeys) -> None:
    _append(platform, keys, _rows(12))
    with platform.sessions() as s:
        at_12 = recycling.latest_checkpoint(s)
    _append(platform, keys, _rows(8, day=5))
    with platform.sessions() as s:
        at_20 = recycling.latest_checkpoint(s)
        found = recycling.verify_ledger(s, keys, against=[("a", at_12), ("b", at_20)],
                                        published_key=str(keys.verifier))
    assert found.ok and [c["consistent"] for c in found.checkpoints] == [True, True]
    # The last 8 entries removed, the head wound back, heads deleted and re-signed.
    _tamper(platform, "DELETE FROM ledger_tree_heads",
            "DELETE FROM recycling_purchases WHERE entry_seq >= 12",
            "DELETE FROM ledger_entries WHERE seq >= 12")
    _rehash(platform)
    with transaction(platform.sessions) as s:
        recycling.sign_tree_head(s, keys)
    with platform.sessions() as s:
        found = recycling.verify_ledger(s, keys, against=[("a", at_12), ("b", at_20)])
    assert found.problems == ["checkpoint b covers 20 entries; the log holds 12 (entries "
                              "removed since)"]
    # A checkpoint of the truncated log signed by another key under the ledger's name does not
    # pass for the ledger's: the published key decides, not the key at hand.
    other = recycling.LedgerKeys(keys.personal, TreeHeadSigner(b"\x09" * 32), keys.log_origin)
    with platform.sessions() as s:
        root = bytes.fromhex(recycling.ledger_status(s)["root"])
        forged = sign_checkpoint(Checkpoint(keys.log_origin, 12, root), other.signer)
        found = recycling.verify_ledger(s, other, against=[("forged", forged)],
                                        published_key=str(keys.verifier))
    key_hash = keys.verifier.key_hash.hex()
    assert f"checkpoint forged: the note carries no signature by {keys.log_origin} " \
           f"({key_hash})" in found.problems
    assert not found.ok and found.checkpoints[0]["consistent"] is False


def test_heads_written_out_of_order_are_reported(platform: Platform,
                                                 keys: recycling.LedgerKeys) -> None:
    # As racing signers of earlier versions left them: a head of 4 entries written after the
    # head of 6, every signature valid.
    _append(platform, keys, _rows(4))
    with platform.sessions() as s:
        root_4 = bytes.fromhex(recycling.ledger_status(s)["root"])
    _append(platform, keys, _rows(2, day=5))
    with transaction(platform.sessions) as s:
        recycling.ledger._insert_tree_head(s, keys, 4, root_4)
    found = _verify(platform, keys)
    assert found.problems == ["signed tree head 3 covers 4 entries, written after one that "
                              "covers 6 (heads out of order)"]
    assert (found.ok, found.covered, found.tree_heads) == (False, 6, 3)
