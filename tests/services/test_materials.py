"""Shelf products (issue 22): a maker's products, batches with the capability stored when
each is added, documents, downstream users' evaluations with their raw data kept to the
parties, and the products handed to matching."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from aurum.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from aurum.services import materials as service
from aurum.services import materials_views as service_views
from aurum.services import registry
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import MatBatch, MatCapability, User
from tests.factories import PASSWORD, Registry

CODE = "NMA-BW-01"
SPEC = {"purity": {"min": 99.99}, "breaking_load": {"min": 4.0, "max": 9.0, "target": 6.5},
        "elongation": {"min": 2.0, "max": 6.0}}


@pytest.fixture
def parties(platform: Platform, reg: Registry) -> dict[str, Actor]:
    """A maker (NM-A, Shandong), another maker (NM-B), a downstream user (DS-A, Jiangsu)."""
    admin = reg.admin
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "NM-A", "Alpha Alloys", "new_materials",
                                     "Shandong")
        registry.create_organisation(s, admin, "NM-B", "Beta Pastes", "new_materials", "Hunan")
        registry.create_organisation(s, admin, "DS-A", "Delta Packaging", "downstream_user",
                                     "Jiangsu")
        users = {"maker": create_user(s, "maker-a", PASSWORD, Role.ENTERPRISE, org_code="NM-A"),
                 "other": create_user(s, "maker-b", PASSWORD, Role.ENTERPRISE, org_code="NM-B"),
                 "buyer": create_user(s, "buyer-a", PASSWORD, Role.ENTERPRISE, org_code="DS-A")}
        return {k: actor_for(s, u) for k, u in users.items()}


def make_product(platform: Platform, maker: Actor, code: str = CODE) -> None:
    with transaction(platform.sessions, maker.user_id) as s:
        service.create_product(s, maker, code, "bonding_wire", "AuW-25", "Gold bonding wire",
                               "键合金丝", SPEC)


def add_batches(platform: Platform, maker: Actor, loads: list[float]) -> None:
    for k, load in enumerate(loads):
        with transaction(platform.sessions, maker.user_id) as s:
            service.add_batch(s, maker, CODE, f"B{k:03d}", date(2026, 1, 1) + timedelta(k),
                              {"purity": 99.995, "breaking_load": load, "elongation": 4.0})


def test_capability_is_stored_with_each_batch(platform: Platform, parties: dict[str, Actor]
                                              ) -> None:
    make_product(platform, parties["maker"])
    rng = np.random.default_rng(1)
    loads = rng.normal(6.5, 0.3, 25).round(3).tolist()
    add_batches(platform, parties["maker"], loads)
    with transaction(platform.sessions) as s:
        assert s.scalar(select(func.count()).select_from(MatCapability)) == 25
        product = service.get_product(s, parties["buyer"], CODE)
        cap = service.latest_capability(s, product.id)
        assert cap is not None and cap.data_version == 25 and cap.n_batches == 25
        load = cap.properties["breaking_load"]
        mr = np.abs(np.diff(loads)).mean()
        sigma = mr / (2 / np.sqrt(np.pi))
        assert load["chart"]["kind"] == "i_mr"
        assert load["cp"] == pytest.approx(5.0 / (6 * sigma), rel=1e-9)
        assert load["cpk"] == pytest.approx(min(9 - np.mean(loads), np.mean(loads) - 4)
                                            / (3 * sigma), rel=1e-9)
        assert load["ppk"] == pytest.approx(min(9 - np.mean(loads), np.mean(loads) - 4)
                                            / (3 * np.std(loads, ddof=1)), rel=1e-9)
        # One-sided purity, all batches equal: no spread, no index (never a guess).
        assert cap.properties["purity"]["cp"] is None
        assert cap.properties["purity"]["cpk"] is None


def test_a_correction_is_a_new_row_and_counts(platform: Platform, parties: dict[str, Actor]
                                              ) -> None:
    maker = parties["maker"]
    make_product(platform, maker)
    add_batches(platform, maker, [6.0, 6.5, 7.0])
    with transaction(platform.sessions, maker.user_id) as s, \
            pytest.raises(ConflictError, match="give a reason"):
        service.add_batch(s, maker, CODE, "B001", date(2026, 1, 2), {"breaking_load": 6.6})
    with transaction(platform.sessions, maker.user_id) as s:
        service.add_batch(s, maker, CODE, "B001", date(2026, 1, 2),
                          {"purity": 99.995, "breaking_load": 9.5, "elongation": 4.0},
                          reason="load cell recalibrated")
    with transaction(platform.sessions) as s:
        product = service.get_product(s, maker, CODE)
        batches = service.current_batches(s, product.id)
        assert [b.batch_no for b in batches] == ["B000", "B001", "B002"]
        assert batches[1].values["breaking_load"] == [9.5]
        cap = service.latest_capability(s, product.id)
        assert cap is not None and cap.data_version == 4
        assert cap.properties["breaking_load"]["nonconforming"] == 1
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.get(MatBatch, 1).values = {}
        s.flush()


@pytest.mark.parametrize(("values", "message"), [
    ({"breaking_load": "six"}, "expected a number"),
    ({"hue": 3.0}, "'hue' is not a property"),
    ({"breaking_load": -1.0}, "expected a number from 0"),
])
def test_bad_batch_values_give_one_message(platform: Platform, parties: dict[str, Actor],
                                           values: dict[str, object], message: str) -> None:
    maker = parties["maker"]
    make_product(platform, maker)
    with transaction(platform.sessions, maker.user_id) as s, \
            pytest.raises(ValidationError, match=message) as caught:
        service.add_batch(s, maker, CODE, "B1", date(2026, 1, 1), values)
    assert len(caught.value.problems) == 1
    with transaction(platform.sessions) as s:
        assert s.scalar(select(func.count()).select_from(MatBatch)) == 0


def test_a_specification_with_min_above_max_is_refused(platform: Platform,
                                                       parties: dict[str, Actor]) -> None:
    maker = parties["maker"]
    with transaction(platform.sessions, maker.user_id) as s, \
            pytest.raises(ValidationError, match=r"minimum 9\.0 is greater than the maximum 4\.0"):
        service.create_product(s, maker, CODE, "bonding_wire", "G", "n", "n",
                               {"breaking_load": {"min": 9.0, "max": 4.0}})


def test_scope_of_writes(platform: Platform, reg: Registry, parties: dict[str, Actor]) -> None:
    make_product(platform, parties["maker"])
    with transaction(platform.sessions) as s:
        for actor in (parties["other"], parties["buyer"], reg.regulator):
            with pytest.raises(PermissionDenied):
                service.add_batch(s, actor, CODE, "B1", date(2026, 1, 1), {"purity": 99.995})
        with pytest.raises(PermissionDenied):
            service.create_product(s, parties["buyer"], "DS-1", "solder", "g", "n", "n",
                                   {"au_content": {"min": 79}})
        with pytest.raises(PermissionDenied):
            service.add_evaluation(s, parties["maker"], CODE, "electronics", date(2026, 2, 1),
                                   "c", ["breaking_load"], "r", "pass")
        with pytest.raises(NotFoundError):
            service.get_product(s, parties["buyer"], "NO-SUCH")


def test_evaluations_verdict_public_raw_data_to_the_parties(
        platform: Platform, reg: Registry, parties: dict[str, Actor]) -> None:
    make_product(platform, parties["maker"])
    buyer = parties["buyer"]
    with transaction(platform.sessions, buyer.user_id) as s:
        first = service.add_evaluation(
            s, buyer, CODE, "electronics", date(2026, 3, 1), "QFN-48 at 150 °C, 1000 h",
            ["breaking_load"], "pull strength held", "conditional",
            raw_data={"breaking_load": [6.1, 6.3, 6.0]})
        service.add_evaluation(s, buyer, CODE, "electronics", date(2026, 3, 5), "QFN-48 again",
                               ["breaking_load"], "held after re-test", "pass",
                               corrects_id=first.id)
    with transaction(platform.sessions) as s:
        product = service.get_product(s, buyer, CODE)
        rows = service.current_evaluations(s, [product.id])
        assert [r.verdict for r in rows] == ["pass"]
        seen = {name: service.evaluation_record(actor, product, rows[0])
                for name, actor in (("maker", parties["maker"]), ("buyer", buyer),
                                    ("other", parties["other"]), ("admin", reg.admin),
                                    ("regulator", reg.regulator), ("auditor", reg.auditor),
                                    ("ent_a", reg.ent_a), ("sd", reg.regulator_sd))}
        for name, record in seen.items():
            assert record["verdict"] == "pass"
            raw = name in ("maker", "buyer", "admin", "regulator", "sd")
            assert record["raw"] is raw, name
            assert (record["result"] is not None) is raw, name
        with pytest.raises(ValidationError, match="no evaluation 999"):
            service.add_evaluation(s, buyer, CODE, "pv", date(2026, 3, 5), "c",
                                   ["breaking_load"], "r", "pass", corrects_id=999)


def test_products_for_matching(platform: Platform, parties: dict[str, Actor]) -> None:
    make_product(platform, parties["maker"])
    add_batches(platform, parties["maker"], [6.2, 6.6, 6.4, 6.5])
    with transaction(platform.sessions, parties["buyer"].user_id) as s:
        service.add_evaluation(s, parties["buyer"], CODE, "electronics", date(2026, 3, 1), "c",
                               ["breaking_load"], "r", "fail")
    with transaction(platform.sessions) as s:
        [p] = service.products_for_matching(s, "bonding_wire")
        assert p.code == CODE and p.maker_code == "NM-A"
        assert {r.property: (r.unit, r.lower, r.upper) for r in p.specs}["breaking_load"] == (
            "cN", 4.0, 9.0)
        assert p.cpk["breaking_load"] is not None and p.n_batches["breaking_load"] == 4
        assert p.verdicts == {"pass": 0, "conditional": 0, "fail": 1} and p.evaluations == 1
        assert service.products_for_matching(s, "catalyst") == []
        with pytest.raises(ValidationError, match="unknown material kind"):
            service.products_for_matching(s, "paint")


def test_documents_are_content_addressed(platform: Platform, parties: dict[str, Actor],
                                         tmp_path: Path) -> None:
    make_product(platform, parties["maker"])
    with transaction(platform.sessions, parties["maker"].user_id) as s:
        doc = service.add_document(s, parties["maker"], tmp_path, CODE, "datasheet",
                                   "Data sheet", "sheet.pdf", b"%PDF-1.4 data")
        with pytest.raises(ValidationError, match="expected a file of type"):
            service.add_document(s, parties["maker"], tmp_path, CODE, "datasheet", "x",
                                 "page.html", b"<script>")
    with transaction(platform.sessions) as s:
        row, path = service.document_file(s, parties["buyer"], tmp_path, CODE, doc.sha256)
        assert path.read_bytes() == b"%PDF-1.4 data" and path.name == row.sha256


def test_demo_seed(platform: Platform, reg: Registry, parties: dict[str, Actor]) -> None:

    from aurum.demo.seed import materials as demo

    logins = demo.seed_demo(platform, reg.admin)
    assert set(logins) == {"maker", "buyer"}
    with transaction(platform.sessions) as s:
        maker = actor_for(s, s.scalar(select(User).where(User.username == "maker")))
        rows = service_views.catalogue_view(s, maker).rows
        assert len(rows) == len(demo.PRODUCTS) and maker.org_ids is not None
        assert {r["capability"] for r in rows} >= {"capable", "marginal", "incapable"}
        assert all(20 <= r["batches"] <= 30 for r in rows)
        assert sum(r["evaluations"] for r in rows) == len(demo.EVALUATIONS)
        shifted = service_views.product_view(s, maker, "XNM-PV-AG95").specs
        assert {x["property"]: x for x in shifted}["viscosity"]["chart"]["beyond"]
        assert len(demo.DOWNSTREAM_USERS) == 5
