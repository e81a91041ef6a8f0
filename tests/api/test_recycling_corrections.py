"""Corrections of purchases through the API, proofs decided by one query on the entry, and the
refiner's assay methods from the domain's vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aurum.core.errors import ValidationError
from aurum.services import recycling
from aurum.services.auth import Actor, Role
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import RecyclingParticipant
from tests.api.conftest import bearer
from tests.api.test_recycling_api import _login, recyclers  # noqa: F401 (fixture)
from tests.factories import Registry
from tests.recycling.helpers import purchase, seller_id

API = "/api/v1/recycling"


def _entries(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    return client.get(f"{API}/entries", headers=headers).json()


def test_a_purchase_is_reversed_then_amended_only_by_its_recycler(
        app_client: TestClient, recyclers: Registry) -> None:  # noqa: F811
    rc1, rc2, auditor = (bearer(app_client, u) for u in ("rc1", "rc2", "audit"))
    rows = [purchase(amount_cny="7800", seller_id_number=seller_id(n)) for n in (1, 2)]
    assert app_client.post(f"{API}/purchases", headers=rc1, json=rows).json()["seqs"] == [0, 1]
    # Another recycler's user and an auditor cannot; a missing purchase is a 404.
    for headers in (rc2, auditor):
        r = app_client.post(f"{API}/entries/0/corrections", headers=headers,
                            json={"reason": "typo"})
        assert r.status_code == 403, r.text
    assert app_client.post(f"{API}/entries/99/corrections", headers=rc1,
                           json={"reason": "typo"}).status_code == 404
    r = app_client.post(f"{API}/entries/0/corrections", headers=rc1,
                        json={"reason": "sold twice by mistake"})
    assert r.status_code == 201, r.text
    reversed_ = r.json()
    assert (reversed_["target"], reversed_["action"], reversed_["correction_seq"],
            reversed_["replacement_seq"], reversed_["size"]) == (0, "reverse", 2, None, 3)
    assert reversed_["signed_tree_head"]["tree_size"] == 3
    # An amendment: the correction entry, then the replacement purchase.
    replacement = purchase(amount_cny="7900", seller_id_number=seller_id(2))
    r = app_client.post(f"{API}/entries/1/corrections", headers=rc1,
                        json={"reason": "price was 790 CNY/g", "replacement": replacement})
    assert r.status_code == 201, r.text
    amended = r.json()
    assert (amended["action"], amended["correction_seq"], amended["replacement_seq"],
            amended["size"]) == ("amend", 3, 4, 5)
    bodies = {e["seq"]: e["entry"] for e in _entries(app_client, rc1)}
    assert (bodies[2]["kind"], bodies[2]["target"], bodies[2]["action"]) == (
        "correction", 0, "reverse")
    assert (bodies[4]["kind"], bodies[4]["amount_cny"], bodies[4]["amends"]) == (
        "purchase", "7900.00", 1)
    # Corrected already: correct the entry that replaced it instead.
    r = app_client.post(f"{API}/entries/1/corrections", headers=rc1, json={"reason": "again"})
    assert r.status_code == 409 and "correct the entry that replaced it" in r.text
    # A replacement of another recycler is refused, naming the recycler it must be of.
    r = app_client.post(f"{API}/entries/4/corrections", headers=rc1, json={
        "reason": "wrong shop", "replacement": purchase(recycler="RC-2")})
    assert r.status_code == 422 and "one purchase of RC-1" in r.text
    assert app_client.get(f"{API}/verify", headers=auditor).json()["ok"] is True


def test_a_proof_is_allowed_by_one_query_not_by_listing_the_log(
        app_client: TestClient, recyclers: Registry,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    rc1, rc2 = bearer(app_client, "rc1"), bearer(app_client, "rc2")
    app_client.post(f"{API}/purchases", headers=rc1, json=[purchase()])
    app_client.post(f"{API}/purchases", headers=rc2, json=[purchase(recycler="RC-2")])

    def listing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a proof must not list the entries")

    # The route used to list up to 10^9 entries of a scoped reader to find this one.
    monkeypatch.setattr(recycling, "list_entries", listing)
    monkeypatch.setattr(recycling.ledger, "list_entries", listing)
    mine = app_client.get(f"{API}/proofs/inclusion/0", headers=rc1)
    assert mine.status_code == 200 and (mine.json()["seq"], mine.json()["verified"]) == (0, True)
    assert app_client.get(f"{API}/proofs/inclusion/1", headers=rc1).status_code == 404
    assert app_client.get(f"{API}/proofs/inclusion/1", headers=rc2).json()["verified"] is True


def test_the_refiners_assay_methods_are_the_domains(platform: Platform,
                                                    recyclers: Registry) -> None:  # noqa: F811
    admin: Actor = recyclers.admin
    keys = recycling.LedgerKeys.load(platform.settings)
    at = datetime(2025, 9, 1, 8, tzinfo=UTC)
    with transaction(platform.sessions, admin.user_id) as s:
        done = recycling.record_purchases(s, admin, keys, [purchase(), purchase(
            seller_id_number=seller_id(2))])
        for lot, seq in (("L-1", 0), ("L-2", 1)):
            recycling.dispatch_lot(s, admin, keys, lot, "RC-1", "RF-1", [seq], at)
        # "density" is a method of the domain's vocabulary; "gravimetric" never was.
        balance = recycling.record_assay(s, admin, keys, "L-1", 10.2, 979.4, "density", at)
        with pytest.raises(ValidationError) as refused:
            recycling.record_assay(s, admin, keys, "L-2", 10.2, 979.4, "gravimetric", at)
    assert done.result.seqs == [0, 1]
    assert balance["status"] == "balanced"
    (problem,) = refused.value.problems
    assert (problem.column, problem.message) == (
        "method", "expected one of xrf, fire_assay, icp, density, touchstone, hallmark, "
                  "unspecified")


def test_the_actors_owner_rule_is_the_sites_and_the_participants(
        platform: Platform, recyclers: Registry) -> None:  # noqa: F811
    sd = Actor(9, "sd", Role.REGULATOR, None, "Shandong")
    org = Actor(8, "rc", Role.RECYCLER, frozenset({5}))
    assert (sd.can_read_owner(1, "Shandong"), sd.can_read_owner(1, "Henan")) == (True, False)
    assert (org.can_read_owner(5, "Henan"), org.can_read_owner(6, "Henan")) == (True, False)
    assert (org.can_write_owner(5), org.can_write_owner(6), sd.can_write_owner(1)) == (
        True, False, False)
    with platform.sessions() as s:
        condition = sd.owner_condition(RecyclingParticipant.org_id,
                                       RecyclingParticipant.province)
        codes = s.scalars(RecyclingParticipant.__table__.select().with_only_columns(
            RecyclingParticipant.code).where(condition).order_by(
            RecyclingParticipant.code)).all()
    assert codes == ["RC-1", "RF-1"]
    assert Actor(1, "a", Role.AUDITOR, None).owner_condition(
        RecyclingParticipant.org_id, RecyclingParticipant.province) is None


@pytest.mark.parametrize(("user", "offered"), [("rc1", False), ("audit", True), ("miit", True)])
def test_the_regulator_page_is_offered_by_the_services_rule(
        app_client: TestClient, recyclers: Registry, user: str,  # noqa: F811
        offered: bool) -> None:
    _login(app_client, user)
    for page in ("/recycling", "/recycling/ledger", "/recycling/reports", "/recycling/custody"):
        html = app_client.get(page).text
        assert ('href="/recycling/regulator"' in html) is offered, page
    assert app_client.get("/recycling/regulator").status_code == (200 if offered else 403)
