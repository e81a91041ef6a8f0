"""Consolidation studies through the service: stored and solved on write, the demo's
province lifted by its central mill, scope (a provincial regulator its own province only,
enterprises nothing), append-only rows, bad input."""

from __future__ import annotations

import pytest

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.demo.district import generate_district
from aurum.demo.seed.structure import study_inputs
from aurum.services import structure as service
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import StructureStudy
from tests.factories import Registry


@pytest.fixture(scope="module")
def demo() -> tuple[str, dict]:
    return study_inputs(generate_district(20261207))


def test_demo_study_lifts_the_large_mine_share(platform: Platform, reg: Registry,
                                               demo: tuple[str, dict]) -> None:
    province, inputs = demo
    with transaction(platform.sessions, reg.admin.user_id) as s:
        study = service.create_study(s, reg.admin, province, "demo", inputs)
        assert isinstance(study, StructureStudy)
        study_id = study.id
    with transaction(platform.sessions) as s:
        record = service.study_record(service.study(s, reg.regulator, study_id))
    rows = {r["key"]: r for r in record["scenarios"]}
    assert list(rows) == ["status_quo", "close_backward", "central_mill", "price"]
    assert rows["status_quo"]["share_after_pct"] == rows["status_quo"]["share_before_pct"]
    assert rows["central_mill"]["share_after_pct"] > rows["central_mill"]["share_before_pct"]
    assert "central-mill" in rows["central_mill"]["open"]
    assert all(r["gap"] == 0.0 for r in rows.values())
    assert record["proposals"] and record["proposals"][0]["ore_tpd"] >= 500
    # every mine to an open plant within its capacity
    for row in rows.values():
        assert set(row["assignment"].values()) <= set(row["open"])
        assert sum(row["loads_tpd"].values()) == pytest.approx(
            sum(m["ore_tpd"] for m in inputs["mines"]))


def test_scope(platform: Platform, reg: Registry, demo: tuple[str, dict]) -> None:
    province, inputs = demo
    small = dict(inputs, mines=inputs["mines"][:6], plants=inputs["plants"][:6])
    with transaction(platform.sessions, reg.admin.user_id) as s:
        gansu = service.create_study(s, reg.admin, "Gansu", "elsewhere", small)
        assert isinstance(gansu, StructureStudy)
        gansu_id = gansu.id
    with transaction(platform.sessions) as s:
        with pytest.raises(PermissionDenied):
            service.create_study(s, reg.ent_a, province, "x", small)
        with pytest.raises(PermissionDenied):
            service.create_study(s, reg.regulator_sd, "Gansu", "x", small)
        with pytest.raises(NotFoundError):
            service.study(s, reg.regulator_sd, gansu_id)
        with pytest.raises(NotFoundError):
            service.study(s, reg.ent_a, gansu_id)
        assert service.studies(s, reg.ent_a) == []
        assert [r.id for r in service.studies(s, reg.auditor)] == [gansu_id]
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        row = s.get(StructureStudy, gansu_id)
        assert row is not None
        row.name = "changed"


def test_bad_inputs(platform: Platform, reg: Registry, demo: tuple[str, dict]) -> None:
    province, inputs = demo
    plants = [dict(inputs["plants"][0], fixed_cny_per_day=-1.0), *inputs["plants"][1:]]
    with transaction(platform.sessions, reg.admin.user_id) as s:
        with pytest.raises(ValidationError, match="costs must not be negative"):
            service.create_study(s, reg.admin, province, "bad", dict(inputs, plants=plants))
        with pytest.raises(ValidationError, match="more than any plant"):
            service.create_study(s, reg.admin, province, "big", dict(
                inputs, mines=[*inputs["mines"], dict(inputs["mines"][0], id="BIG",
                                                        ore_tpd=1e5)]))
