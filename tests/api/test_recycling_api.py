"""The recycling ledger through the API and its pages, with the roles and organisation scopes:
two recyclers in two provinces, regulators, an auditor."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from aurum.demo.seed import recycling as recycling_demo
from aurum.recycling import merkle
from aurum.recycling.checkpoint import Checkpoint, sign_checkpoint, verifier_key
from aurum.recycling.purchases import CSV_COLUMNS
from aurum.recycling.sealing import TreeHeadSigner
from aurum.services import recycling, registry, reporting
from aurum.services.auth import Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.factories import PASSWORD, Registry
from tests.recycling.helpers import purchase, seller_id, validated
from tests.services.test_safety import fast_password_hashing  # noqa: F401 (autouse)

API = "/api/v1/recycling"


@pytest.fixture
def recyclers(platform: Platform, reg: Registry) -> Registry:
    """RC-1 (Shandong) and RC-2 (Henan), registered under their organisations' codes, a
    user each (rc1, rc2), and a refiner RF-1."""
    admin = reg.admin
    with transaction(platform.sessions, admin.user_id) as s:
        for code, name, province in (("RC-1", "Golden Phoenix Recycling", "Shandong"),
                                     ("RC-2", "Jade River Recycling", "Henan")):
            registry.create_organisation(s, admin, code, name, "recycling", province)
            recycling.register_participant(s, admin, code, name, org_code=code)
            create_user(s, code.lower().replace("-", ""), PASSWORD, Role.RECYCLER,
                        org_code=code)
        recycling.register_participant(s, admin, "RF-1", "Shandong Refinery", role="refiner",
                                       province="Shandong")
    return reg


def _size(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get(f"{API}/status", headers=headers).json()["size"])


def _csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def test_append_read_prove_and_report_with_scopes(app_client: TestClient,
                                                  recyclers: Registry) -> None:
    rc1, rc2, miit, sd_miit, auditor = (bearer(app_client, u) for u in (
        "rc1", "rc2", "miit", "sd-miit", "audit"))
    # Two cash purchases of one seller at two shops on one day: 120,000 CNY, a large-cash
    # report (threshold 100,000 CNY per business day).
    mine = [purchase(shop="S-1", amount_cny="60000", occurred_at="2025-08-04T09:00:00+08:00"),
            purchase(shop="S-2", amount_cny="60000", occurred_at="2025-08-04T17:00:00+08:00"),
            purchase(amount_cny="500", seller_id_number=seller_id(2))]
    r = app_client.post(f"{API}/purchases", headers=rc1, json=mine)
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["appended"], first["duplicates"], first["seqs"]) == (3, 0, [0, 1, 2])
    assert first["signed_tree_head"]["tree_size"] == 3
    again = app_client.post(f"{API}/purchases", headers=rc1, json=mine).json()
    assert (again["appended"], again["duplicates"], again["root"]) == (0, 3, first["root"])
    r = app_client.post(f"{API}/purchases", headers=rc2,
                        json=[purchase(recycler="RC-2", gross_weight_g="20")])
    assert r.status_code == 201 and r.json()["seqs"] == [3]
    # Nobody writes for another organisation; regulators and auditors write nothing.
    for headers in (rc1, miit, auditor):
        r = app_client.post(f"{API}/purchases", headers=headers,
                            json=[purchase(recycler="RC-2", amount_cny="7")])
        assert r.status_code == 403, r.text
    assert _size(app_client, auditor) == 4
    # Each recycler reads its own entries; a regulator of Shandong those of Shandong.
    seen = {name: [e["seq"] for e in app_client.get(f"{API}/entries", headers=h).json()]
            for name, h in (("rc1", rc1), ("rc2", rc2), ("sd", sd_miit), ("aud", auditor))}
    assert seen == {"rc1": [2, 1, 0], "rc2": [3], "sd": [2, 1, 0], "aud": [3, 2, 1, 0]}
    entry = app_client.get(f"{API}/entries", headers=rc2).json()[0]["entry"]
    assert len(entry["seller"]) == 64 and seller_id(1) not in str(entry)
    table = pd.read_csv(io.StringIO(app_client.get(f"{API}/entries?format=csv",
                                                   headers=rc1).text))
    assert table["entry.amount_cny"].tolist() == [500.0, 60000.0, 60000.0]
    # Proofs: the owner gets one that reaches the signed root; another recycler gets 404.
    head = app_client.get(f"{API}/tree-heads/latest", headers=rc1).json()
    assert (head["tree_size"], head["signature_valid"]) == (4, True)
    proof = app_client.get(f"{API}/proofs/inclusion/1", headers=rc1).json()
    assert proof["verified"] and proof["root"] == head["root"]
    merkle.verify_inclusion(1, 4, bytes.fromhex(proof["leaf_hash"]),
                            [bytes.fromhex(h) for h in proof["proof"]],
                            bytes.fromhex(head["root"]))
    assert app_client.get(f"{API}/proofs/inclusion/1", headers=rc2).status_code == 404
    c = app_client.get(f"{API}/proofs/consistency?size1=3", headers=rc2).json()
    merkle.verify_consistency(3, 4, [bytes.fromhex(h) for h in c["proof"]],
                              bytes.fromhex(first["root"]), bytes.fromhex(head["root"]))
    assert app_client.get(f"{API}/verify", headers=rc1).status_code == 403
    # Heads of size 3 and 4: sending the same purchases again signed nothing new.
    assert app_client.get(f"{API}/verify", headers=auditor).json() == {
        "ok": True, "size": 4, "root": head["root"], "problems": [], "tree_heads": 2,
        "covered": 4, "checkpoints": []}
    # Reports: screened, due with its date, only the recycler's; submitted to the inbox.
    assert app_client.post(f"{API}/reports/screen", headers=auditor).status_code == 403
    created = app_client.post(f"{API}/reports/screen", headers=rc1).json()["created"]
    assert len(created) == 1
    due = app_client.get(f"{API}/reports", headers=rc1).json()
    assert [(d["kind"], d["entries"], d["amount_cny"], d["date"]) for d in due] == [
        ("large_cash", [0, 1], 120000.0, "2025-08-04")]
    rid = due[0]["id"]
    assert app_client.get(f"{API}/reports", headers=rc2).json() == []
    assert app_client.get(f"{API}/reports/{rid}/document", headers=rc2).status_code == 404
    document = app_client.get(f"{API}/reports/{rid}/document", headers=rc1).text
    assert "LARGE-VALUE CASH TRANSACTION REPORT" in document
    assert "CNY 120,000.00 in 2 purchase(s)" in document
    assert app_client.post(f"{API}/reports/{rid}/submit", headers=rc2).status_code == 404
    sent = app_client.post(f"{API}/reports/{rid}/submit", headers=rc1)
    assert sent.status_code == 201
    assert app_client.post(f"{API}/reports/{rid}/submit", headers=rc1).status_code == 409
    assert app_client.get(f"{API}/inbox", headers=rc1).status_code == 403
    inbox = app_client.get(f"{API}/inbox", headers=miit).json()
    assert [(i["submission_id"], i["report"]["id"], i["acknowledged_at"]) for i in inbox] == [
        (sent.json()["submission_id"], rid, None)]
    sid = inbox[0]["submission_id"]
    assert app_client.post(f"{API}/inbox/{sid}/acknowledge", headers=auditor).status_code == 403
    ack = app_client.post(f"{API}/inbox/{sid}/acknowledge", headers=miit).json()
    assert ack["acknowledged_at"] is not None
    # Statistics: 10 g at 999 ‰ = 9.99 g per default purchase; 20 g → 19.98 g.
    totals = pd.read_csv(io.StringIO(app_client.get(
        f"{API}/totals?by=province,month&format=csv", headers=miit).text))
    assert totals[["province", "month", "purchases", "fine_gold_g"]].values.tolist() == [
        ["Henan", "2025-08", 1, 19.98], ["Shandong", "2025-08", 3, 29.97]]
    assert [t["province"] for t in app_client.get(f"{API}/totals", headers=rc2).json()] == [
        "Henan"]
    assert app_client.get(f"{API}/totals?by=seller", headers=miit).status_code == 422


def test_a_regulator_acknowledges_its_own_provinces_reports_once(
        app_client: TestClient, recyclers: Registry) -> None:
    rc2, miit, sd_miit = (bearer(app_client, u) for u in ("rc2", "miit", "sd-miit"))
    henan = [purchase(recycler="RC-2", shop=f"S-{i}", amount_cny="60000",
                      occurred_at=f"2025-08-04T{9 + i:02d}:00:00+08:00") for i in range(2)]
    assert app_client.post(f"{API}/purchases", headers=rc2, json=henan).status_code == 201
    [rid] = app_client.post(f"{API}/reports/screen", headers=rc2).json()["created"]
    sid = app_client.post(f"{API}/reports/{rid}/submit", headers=rc2).json()["submission_id"]
    # Shandong's regulator neither sees nor acknowledges a Henan recycler's report...
    assert app_client.get(f"{API}/inbox", headers=sd_miit).json() == []
    wrongful = app_client.post(f"{API}/inbox/{sid}/acknowledge", headers=sd_miit)
    assert (wrongful.status_code, wrongful.json()["detail"]) == (404, f"no submission {sid}")
    # ... so the rightful one still can, once; again is a conflict, not a server error.
    ack = app_client.post(f"{API}/inbox/{sid}/acknowledge", headers=miit)
    assert ack.status_code == 200 and ack.json()["acknowledged_at"] is not None
    again = app_client.post(f"{API}/inbox/{sid}/acknowledge", headers=miit)
    assert again.status_code == 409
    assert again.json()["detail"] == (f"submission {sid} was acknowledged already, at "
                                      f"{ack.json()['acknowledged_at']}")


def test_checkpoints_published_and_witnessed(app_client: TestClient, platform: Platform,
                                             recyclers: Registry) -> None:
    rc1, rc2, miit = (bearer(app_client, u) for u in ("rc1", "rc2", "miit"))
    keys = recycling.LedgerKeys.load(platform.settings)
    rows = [purchase(amount_cny=str(100 + i)) for i in range(4)]
    assert app_client.post(f"{API}/purchases", headers=rc1, json=rows[:3]).status_code == 201
    note = app_client.get(f"{API}/checkpoint", headers=rc2)
    assert note.headers["content-type"].startswith("text/plain")
    assert note.text.split("\n")[:2] == [keys.log_origin, "3"]
    first = app_client.get(f"{API}/checkpoint/witness", headers=rc1).json()
    assert (first["checkpoint"], first["verifier_key"]) == (note.text, str(keys.verifier))
    r = app_client.post(f"{API}/witness", headers=rc1, json={"recycler": "RC-1", **first})
    assert r.status_code == 201 and (r.json()["tree_size"], r.json()["recycler"]) == (3, "RC-1")
    assert app_client.post(f"{API}/purchases", headers=rc1, json=rows[3:]).status_code == 201
    later = app_client.get(f"{API}/checkpoint/witness?witnessed_size=3", headers=rc1).json()
    assert len(later["proof"]) == 3
    r = app_client.post(f"{API}/witness", headers=rc1, json={"recycler": "RC-1", **later})
    assert r.status_code == 201 and r.json()["tree_size"] == 4
    # Another recycler's user may not publish for RC-1.
    assert app_client.post(f"{API}/witness", headers=rc2,
                           json={"recycler": "RC-1", **later}).status_code == 403

    def refused(checkpoint: str, key: str, proof: list[str]) -> str:
        r = app_client.post(f"{API}/witness", headers=rc1, json={
            "recycler": "RC-1", "checkpoint": checkpoint, "verifier_key": key, "proof": proof})
        assert r.status_code == 409, r.text
        return str(r.json()["detail"])

    # Rolled back, forked (a size-5 tree that does not extend the witnessed one), re-keyed.
    assert "a checkpoint of 3 would roll it back" in refused(first["checkpoint"],
                                                             first["verifier_key"], [])
    fork = sign_checkpoint(Checkpoint(keys.log_origin, 5, b"\x01" * 32), keys.signer)
    assert "is not consistent with the one witnessed at 4" in refused(
        fork, str(keys.verifier), ["00" * 32])
    stranger = TreeHeadSigner(b"\x05" * 32)
    forged = sign_checkpoint(Checkpoint(keys.log_origin, 5, b"\x01" * 32), stranger)
    assert "witnessed for another recycler or under the key" in refused(
        forged, str(verifier_key(keys.log_origin, stranger)), [])
    kept = app_client.get(f"{API}/witness", headers=miit).json()
    assert [(k["origin"], k["recycler"], k["tree_size"]) for k in kept] == [
        (keys.log_origin, "RC-1", 4)]
    assert app_client.get(f"{API}/witness", headers=rc2).json() == []


def test_a_bad_purchase_is_refused_by_row_and_column(app_client: TestClient,
                                                     recyclers: Registry) -> None:
    rc1 = bearer(app_client, "rc1")
    rows = [purchase(), purchase(fineness_permille="1200", seller_id_number=seller_id(3))]
    r = app_client.post(f"{API}/purchases/upload", headers=rc1,
                        files={"file": ("counter-0804.csv", _csv(rows), "text/csv")})
    assert r.status_code == 422
    assert [(p["source"], p["row"], p["column"]) for p in r.json()["problems"]] == [
        ("counter-0804.csv", 3, "fineness_permille")]
    assert "at most 1,000 ‰" in r.json()["problems"][0]["message"]
    r = app_client.post(f"{API}/purchases", headers=rc1,
                        json=[purchase(), purchase(seller_id_number="110105199001011230",
                                                   colour="yellow")])
    assert r.status_code == 422
    assert [(p["row"], p["column"]) for p in r.json()["problems"]] == [(3, "colour")]
    r = app_client.post(f"{API}/purchases", headers=rc1,
                        json=[purchase(seller_id_number="110105199001011230")])
    assert r.status_code == 422
    assert [(p["row"], p["column"]) for p in r.json()["problems"]] == [(2, "seller_id_number")]
    assert _size(app_client, rc1) == 0
    header = b"recycler,shop\nRC-1,S-1\n"
    r = app_client.post(f"{API}/purchases/upload", headers=rc1,
                        files={"file": ("short.csv", header, "text/csv")})
    assert r.status_code == 422 and {p["column"] for p in r.json()["problems"]} == set(
        CSV_COLUMNS) - {"recycler", "shop"}
    r = app_client.post(f"{API}/purchases/upload", headers=rc1,
                        files={"file": ("good.csv", _csv([purchase()]), "text/csv")})
    assert r.status_code == 201 and r.json()["appended"] == 1 and _size(app_client, rc1) == 1


def _custody(platform: Platform, reg: Registry) -> None:
    """Two purchases of RC-1 in lot L-1, assayed short by 0.5 g (within 2 % + 0.05 g), and
    bar AU-1 cast from it."""
    keys = recycling.LedgerKeys.load(platform.settings)
    at = datetime(2025, 9, 1, 8, tzinfo=UTC)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        recycling.append_purchases(s, reg.admin, keys, validated(
            [purchase(gross_weight_g="100", fineness_permille="916", amount_cny="70000",
                      payment_method="bank_transfer", seller_id_number=seller_id(i))
             for i in range(2)]))
        recycling.dispatch_lot(s, reg.admin, keys, "L-1", "RC-1", "RF-1", [0, 1], at)
        recycling.record_assay(s, reg.admin, keys, "L-1", 182.7, 1000, "fire_assay", at)
        recycling.record_bar(s, reg.admin, keys, "AU-1", "RF-1", 100, 999.9, {"L-1": 99.99},
                             at)


def _login(client: TestClient, user: str) -> str:
    html = client.get("/login").text
    r = client.post("/login", data={"username": user, "password": PASSWORD,
                                    "csrf": _csrf(html)}, follow_redirects=False)
    assert r.status_code == 303
    return _csrf(client.get("/recycling").text)


def _figure(html: str, chart: str) -> dict[str, Any]:
    attribute = html.split(f'id="chart-{chart}" data-figure=\'')[1].split("'")[0]
    return dict(json.loads(unescape(attribute)))


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_custody_through_the_api(app_client: TestClient, platform: Platform,
                                 recyclers: Registry) -> None:
    _custody(platform, recyclers)
    miit, rc1, rc2 = (bearer(app_client, u) for u in ("miit", "rc1", "rc2"))
    graph = app_client.get(f"{API}/custody/AU-1", headers=miit).json()
    assert sorted(n["seq"] for n in graph["nodes"] if n["kind"] == "purchase") == [0, 1]
    assert [e["fine_gold_g"] for e in graph["edges"] if e["target"] == "bar:AU-1"] == [99.99]
    assert app_client.get(f"{API}/custody/AU-1", headers=rc2).status_code == 404
    balances = app_client.get(f"{API}/mass-balances", headers=rc1).json()
    # 2 × 91.6 = 183.2 g declared, 182.7 g assayed: −0.5 g within 0.02 × 183.2 + 0.05 g.
    assert [(b["lot"], b["declared_g"], b["assayed_g"], b["difference_g"], b["tolerance_g"],
             b["status"]) for b in balances] == [
        ("L-1", 183.2, 182.7, -0.5, 3.714, "balanced")]
    assert app_client.get(f"{API}/mass-balances", headers=rc2).json() == []


def test_pages_intake_refusal_and_charts(app_client: TestClient, platform: Platform,
                                        recyclers: Registry) -> None:
    _custody(platform, recyclers)
    csrf = _login(app_client, "rc1")
    page = app_client.get("/recycling")
    assert 'data-testid="intake"' in page.text and 'id="chart-daily"' in page.text
    assert '<option value="RC-1">' in page.text
    form = {"csrf": csrf, "recycler": "RC-1", "shop": "S-9", "seller_id_type": "resident_id",
            "seller_id_number": seller_id(5), "seller_name": "王五", "item_type": "jewellery",
            "gross_weight_g": "12.5", "fineness_permille": "1200", "assay_method": "xrf",
            "price_per_g_cny": "780", "amount_cny": "9750", "payment_method": "cash",
            "occurred_at": "2025-08-05T10:30", "origin": "personal_jewellery"}
    refused = app_client.post("/recycling/purchases", data=form)
    assert refused.status_code == 422
    assert 'data-testid="error-fineness_permille"' in refused.text
    assert "at most 1,000 ‰" in refused.text and seller_id(5) not in refused.text
    assert _size(app_client, {}) == 5  # two purchases, lot, assay, bar: nothing refused
    assert app_client.post("/recycling/purchases", data=form | {"csrf": "x"}).status_code == 403
    done = app_client.post("/recycling/purchases", data=form | {"fineness_permille": "750"})
    assert done.status_code == 200, done.text
    assert 'data-testid="appended-seq">5<' in done.text
    assert 'data-testid="proof-verified">proof verified' in done.text
    assert 'data-testid="tree-head-size">6<' in done.text
    assert "9.375" in done.text  # 12.5 g × 750 ‰
    ledger = app_client.get("/recycling/ledger?proof=5")
    assert ledger.status_code == 200 and 'id="chart-daily"' in ledger.text
    assert 'data-testid="proof-verified">proof verified' in ledger.text
    # The ledger page shows the checkpoint to keep outside, and the key that checks it.
    keys = recycling.LedgerKeys.load(platform.settings)
    with platform.sessions() as s:
        note = recycling.latest_checkpoint(s)
    assert f'data-testid="tree-head-checkpoint">{note}</pre>' in unescape(ledger.text)
    assert f'data-testid="tree-head-verifier-key">{keys.verifier}<' in ledger.text
    # RC-1 sees its purchases (0, 1, 5) and its lot (2), not the refiner's assay and bar.
    assert ledger.text.count('href="/recycling/ledger?proof=') == 4
    for path, chart in (("/recycling/reports", "reports"), ("/recycling/custody", "balances")):
        r = app_client.get(path)
        assert r.status_code == 200 and f'id="chart-{chart}"' in r.text, path
    # The bar is the refiner's: a recycler does not trace it, nor read the regulator's page.
    assert app_client.get("/recycling/custody/AU-1").status_code == 404
    assert app_client.get("/recycling/regulator").status_code == 403
    _login(app_client, "miit")
    custody = app_client.get("/recycling/custody/AU-1")
    assert custody.status_code == 200 and 'id="chart-custody"' in custody.text
    sankey = _figure(custody.text, "custody")["data"][0]
    flows = {(sankey["node"]["label"][a].split(" ")[0], sankey["node"]["label"][b].split(" ")[0]):
             v for a, b, v in zip(sankey["link"]["source"], sankey["link"]["target"],
                                  sankey["link"]["value"], strict=True)}
    # 91.6 g from each purchase into the lot; 182.7 g through the melt, 0.5 g lost; 99.99 g
    # into the bar, 82.71 g kept for other bars.
    assert sankey["type"] == "sankey"
    assert sorted(flows.values()) == [0.5, 82.71, 91.6, 91.6, 99.99, 182.7]
    assert flows[("lot", "lost")] == 0.5 and flows[("melt", "bar")] == 99.99
    regulator = app_client.get("/recycling/regulator")
    assert regulator.status_code == 200
    assert 'id="chart-reports"' in regulator.text and 'id="chart-volumes"' in regulator.text


def test_pages_of_an_empty_ledger(app_client: TestClient, recyclers: Registry) -> None:
    _login(app_client, "miit")
    for path, chart in (("/recycling", "daily"), ("/recycling/ledger", "daily"),
                        ("/recycling/reports", "reports"), ("/recycling/custody", "balances"),
                        ("/recycling/regulator", "volumes")):
        r = app_client.get(path)
        assert r.status_code == 200 and f'id="chart-{chart}"' in r.text, path
    assert "No signed tree head yet" in app_client.get("/recycling/ledger").text
    assert 'data-testid="intake"' not in app_client.get("/recycling").text
    assert app_client.get("/recycling/custody/NOPE").status_code == 404


def test_the_ledger_beside_the_statistical_reports(app_client: TestClient, platform: Platform,
                                                   recyclers: Registry) -> None:
    with transaction(platform.sessions, recyclers.admin.user_id) as s:
        reporting.submit(s, recyclers.admin, "SD-A-02", "2025-Q3", {"gold_recycled_kg": 0.05})
    rc1, miit = bearer(app_client, "rc1"), bearer(app_client, "miit")
    app_client.post(f"{API}/purchases", headers=rc1, json=[
        purchase(gross_weight_g="20", fineness_permille="750"),
        purchase(gross_weight_g="10", occurred_at="2025-09-30T23:30:00+08:00",
                 seller_id_number=seller_id(2))])
    # 15 g + 9.99 g = 24.99 g bought in 2025-Q3 (Beijing time) against 50 g reported.
    link = app_client.get(f"{API}/statistics", headers=miit).json()
    assert [(r["province"], r["period"], r["ledger_purchases"], r["ledger_fine_gold_kg"],
             r["reported_gold_recycled_kg"], r["ledger_share_pct"]) for r in link] == [
        ("Shandong", "2025-Q3", 2, 0.02499, 0.05, 49.98)]
    _login(app_client, "miit")
    page = app_client.get("/recycling/regulator")
    assert page.status_code == 200 and 'id="chart-statistics"' in page.text
    lines = _figure(page.text, "statistics")["data"]
    assert [(t["x"], t["y"]) for t in lines] == [(["2025-Q3"], [0.02499]),
                                                 (["2025-Q3"], [0.05])]


def test_the_demo_ledger(app_client: TestClient, platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        for code, kind, province in (("RC-1", "recycling", "Shandong"),
                                     ("RC-2", "recycling", "Henan"),
                                     ("RF-1", "smelting_refining", "Shandong")):
            registry.create_organisation(s, reg.admin, code, code, kind, province)
    logins = recycling_demo.seed_demo(platform, reg.admin, 7)
    assert list(logins) == ["recycler"]
    token = app_client.post("/api/v1/tokens", json={
        "username": "recycler", "password": logins["recycler"]["password"]}).json()["token"]
    mine, miit = {"Authorization": f"Bearer {token}"}, bearer(app_client, "miit")
    # 2 × 150 counter purchases, the large-cash pair and 9 structuring ones, two lots, two
    # assays, one bar: 316 entries, all verified.
    verified = app_client.get(f"{API}/verify", headers=miit).json()
    assert (verified["ok"], verified["size"]) == (True, 316)
    found = {(r["rule"], r["status"], len(r["entries"]), r["amount_cny"])
             for r in app_client.get(f"{API}/reports?status=all", headers=miit).json()}
    assert {("large_cash", "submitted", 2, 115000.0),
            ("structuring", "overdue", 9, 855000.0)} <= found
    assert [i["report"]["rule"] for i in app_client.get(f"{API}/inbox", headers=miit).json()
            ] == ["large_cash"]
    balances = app_client.get(f"{API}/mass-balances", headers=mine).json()
    assert [b["status"] for b in balances] == ["balanced", "exception"]
    assert app_client.get(f"{API}/custody/RF-1-2025-0001", headers=miit).status_code == 200
    entries = app_client.get(f"{API}/entries?limit=1000", headers=mine).json()
    assert {e["entry"]["recycler"] for e in entries} == {"RC-1"} and len(entries) == 163
