"""Consolidation studies through the service: stored and solved on write, the demo's
province lifted by its central mill, scope (a provincial regulator its own province only,
enterprises refused), append-only rows, bad input."""

from __future__ import annotations

import pytest

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.demo.district import generate_district
from aurum.demo.seed.structure import CENTRAL_MILL, seed_demo, study_inputs
from aurum.services import jobs
from aurum.services import structure as service
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import StructureStudy
from tests.factories import Registry


def small_study() -> dict:
    """Four small mines and a large one around two old mills and a large mine's mill, with a
    central mill to build: the inputs of a study (as the API takes them)."""
    mines = [{"id": f"M{i}", "x_km": x, "y_km": y, "ore_tpd": ore, "grade_g_per_t": 3.0,
              "lon": 120.0 + x / 90, "lat": 37.0 + y / 111}
             for i, (x, y, ore) in enumerate([(0, 0, 150), (5, 3, 200), (9, -2, 120),
                                              (3, 8, 180), (30, 0, 800)])]
    plants = [{"id": "old-1", "x_km": 0, "y_km": 0, "capacity_tpd": 350,
               "fixed_cny_per_day": 3000, "processing_cny_per_t": 120, "existing": True,
               "recovery": 0.8, "lon": 120.0, "lat": 37.0},
              {"id": "old-2", "x_km": 9, "y_km": -2, "capacity_tpd": 300,
               "fixed_cny_per_day": 3000, "processing_cny_per_t": 120, "existing": True,
               "recovery": 0.8, "lon": 120.1, "lat": 36.98},
              {"id": "big", "x_km": 30, "y_km": 0, "capacity_tpd": 1000,
               "fixed_cny_per_day": 5000, "processing_cny_per_t": 60, "existing": True,
               "recovery": 0.92, "lon": 120.33, "lat": 37.0}]
    mill = {"id": "central-mill", "x_km": 4, "y_km": 2, "capacity_tpd": 700,
            "fixed_cny_per_day": 6000, "processing_cny_per_t": 55, "existing": False,
            "recovery": 0.93, "lon": 120.04, "lat": 37.02}
    return {"mines": mines, "plants": plants, "central_mill": mill,
            "transport_cny_per_tkm": 1.5, "road_factor": 1.3, "radius_km": 30.0,
            "gold_price_cny_per_g": 600.0}


@pytest.fixture(scope="module")
def demo() -> tuple[str, dict]:
    return study_inputs(generate_district(20261207))


def test_demo_study_lifts_the_large_mine_share(platform: Platform, reg: Registry,
                                               demo: tuple[str, dict]) -> None:
    province, inputs = demo
    seed_demo(platform, reg.admin, generate_district(20261207))  # as the demo seeds it
    with transaction(platform.sessions) as s:
        (study,) = service.studies(s, reg.regulator, province)
        record = service.study_record(study)
    rows = {r["key"]: r for r in record["scenarios"]}
    assert list(rows) == ["status_quo", "close_backward", "central_mill", "price"]
    assert rows["status_quo"]["share_after_pct"] == rows["status_quo"]["share_before_pct"]
    assert rows["central_mill"]["share_after_pct"] > rows["central_mill"]["share_before_pct"]
    assert CENTRAL_MILL in rows["central_mill"]["open"]
    assert all(r["feasible"] and r["gap"] == 0.0 for r in rows.values())
    assert record["proposals"] and record["proposals"][0]["ore_tpd"] >= 500
    # every mine to an open plant within its capacity
    for row in rows.values():
        loads = {p: 0.0 for p in row["open"]}
        for mine in inputs["mines"]:
            loads[row["assignment"][mine["id"]]] += mine["ore_tpd"]
        assert loads == pytest.approx(row["loads_tpd"])
        assert set(row["assignment"].values()) <= set(row["open"])
        assert sum(row["loads_tpd"].values()) == pytest.approx(
            sum(m["ore_tpd"] for m in inputs["mines"]))


def test_scope(platform: Platform, reg: Registry, demo: tuple[str, dict]) -> None:
    province, _ = demo
    small = small_study()
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
        with pytest.raises(PermissionDenied):  # the area is refused, not shown empty
            service.study(s, reg.ent_a, gansu_id)
        with pytest.raises(PermissionDenied):
            service.studies(s, reg.ent_a)
        assert [r.id for r in service.studies(s, reg.auditor)] == [gansu_id]
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        row = s.get(StructureStudy, gansu_id)
        assert row is not None
        row.name = "changed"


def test_an_infeasible_scenario_is_an_answer(platform: Platform, reg: Registry) -> None:
    """Closing the small study's two old mills leaves 1,000 t/d for 1,450 t/d of ore."""
    with transaction(platform.sessions, reg.admin.user_id) as s:
        study = service.create_study(s, reg.admin, "Shandong", "small", small_study())
        assert isinstance(study, StructureStudy)
        rows = {r["key"]: r for r in service.study_record(study)["scenarios"]}
    assert not rows["close_backward"]["feasible"]
    assert "capacities" in rows["close_backward"]["infeasible"]
    assert rows["central_mill"]["feasible"]
    assert rows["central_mill"]["share_after_pct"] > rows["status_quo"]["share_after_pct"]


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


def test_a_large_study_is_solved_by_a_job(platform: Platform, reg: Registry,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "INLINE_PAIRS", 1)
    queue = jobs.JobQueue(platform)
    with transaction(platform.sessions, reg.regulator_sd.user_id) as s:
        job = service.create_study(s, reg.regulator_sd, "Shandong", "large", small_study(),
                                   queue)
        assert isinstance(job, jobs.JobView) and job.kind == "structure_solve"
        assert service.studies(s, reg.regulator_sd) == []  # nothing stored before the job
    queue.execute(job.id)
    with transaction(platform.sessions) as s:
        done = jobs.status(s, reg.regulator_sd, job.id)
        assert done.state == "done", done.message
        assert done.result is not None
        study = service.study(s, reg.regulator_sd, int(done.result["id"]))
        assert study.result is not None and study.result.data_version == study.data_version
        assert done.result["url"] == f"/structure/{study.id}"
