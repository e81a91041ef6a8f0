"""Proficiency-test rounds through the service (issue 22): who may do what, the results
ledger, the statistics stored on closing, and what each reader sees."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from aurum.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from aurum.metrology.robust import algorithm_a
from aurum.services import metrology as service
from aurum.services import registry
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import PASSWORD, Registry

VALUES = [5.02, 4.97, 5.10, 4.88, 5.05, 5.60, 4.99]
"""Seven laboratories' fire-assay results, g/t: the sixth is 0.6 g/t high."""


@pytest.fixture
def labs(platform: Platform, reg: Registry) -> dict[str, Actor]:
    """Seven laboratories (LAB-1 … LAB-7, LAB-1 in Shandong, the rest in Henan), a user of
    LAB-1 and of LAB-2."""
    with transaction(platform.sessions, reg.admin.user_id) as s:
        for k in range(1, 8):
            registry.create_organisation(s, reg.admin, f"LAB-{k}", f"Lab {k}", "laboratory",
                                         "Shandong" if k == 1 else "Henan")
        users = {f"lab{k}": create_user(s, f"lab{k}", PASSWORD, Role.ENTERPRISE,
                                        org_code=f"LAB-{k}") for k in (1, 2)}
        return {k: actor_for(s, u) for k, u in users.items()}


def open_round(platform: Platform, reg: Registry, code: str = "PT-1", rm: str | None = None,
               rule: str = "robust_sd", value: float | None = None) -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        service.create_round(s, reg.regulator, service.RoundSpec(
            code, "Fire assay of a gold ore", None, "Au", "g/t", "fire_assay", "gold ore", rm,
            rule, value, date(2026, 3, 1), date(2026, 4, 30)))


def submit_all(platform: Platform, reg: Registry, code: str = "PT-1") -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        for k, v in enumerate(VALUES, start=1):
            service.submit_result(s, reg.admin, code, v, 0.05, lab_code=f"LAB-{k}")


def test_consensus_round_closed_and_stored(platform: Platform, reg: Registry,
                                           labs: dict[str, Actor]) -> None:
    open_round(platform, reg)
    submit_all(platform, reg)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        stats = service.close_round(s, reg.regulator, "PT-1")
        robust = algorithm_a(np.array(VALUES))
        assert stats.source == "consensus" and stats.n_results == 7
        assert stats.assigned_value == pytest.approx(robust.x_star)
        assert stats.sigma_pt == pytest.approx(robust.s_star)
        assert stats.u_assigned == pytest.approx(1.25 * robust.s_star / np.sqrt(7))
        high = stats.scores[5]
        assert high["participant"] == "P06" and high["flag"] == "unsatisfactory"
    with transaction(platform.sessions) as s, pytest.raises(ConflictError):
        service.submit_result(s, labs["lab1"], "PT-1", 5.0)


def test_reference_material_round(platform: Platform, reg: Registry,
                                  labs: dict[str, Actor]) -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        service.create_reference_material(s, reg.admin, service.MaterialSpec(
            "RM-AU-5", "Gold ore RM", "金矿石标准物质", "gold ore", "Au", "g/t", 5.00, 0.08, 2.0,
            "demo producer", "demo values"))
    open_round(platform, reg, rm="RM-AU-5", rule="percent", value=5.0)
    submit_all(platform, reg)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        stats = service.close_round(s, reg.admin, "PT-1")
        assert (stats.source, stats.assigned_value) == ("reference", 5.0)
        assert stats.u_assigned == pytest.approx(0.04)
        assert stats.sigma_pt == pytest.approx(0.25)
        assert stats.scores[5]["z"] == pytest.approx(0.60 / 0.25)
        assert stats.scores[5]["flag"] == "questionable"
        assert stats.scores[5]["en"] == pytest.approx(0.60 / np.hypot(0.1, 0.08))


def test_results_ledger_and_scope(platform: Platform, reg: Registry,
                                  labs: dict[str, Actor]) -> None:
    open_round(platform, reg)
    with transaction(platform.sessions) as s:
        first = service.submit_result(s, labs["lab1"], "PT-1", 5.3, 0.05)
        corrected = service.submit_result(s, labs["lab1"], "PT-1", 5.03, 0.05)
        assert corrected.supersedes_id == first.id
        with pytest.raises(NotFoundError):  # another laboratory: not even named to it
            service.submit_result(s, labs["lab1"], "PT-1", 5.0, lab_code="LAB-2")
        with pytest.raises(ValidationError, match="column uncertainty: expected a number from 0"):
            service.submit_result(s, labs["lab2"], "PT-1", 5.0, -0.1)
        with pytest.raises(ValidationError, match="not a testing laboratory"):
            service.submit_result(s, reg.ent_a, "PT-1", 5.0, lab_code="ENT-A")
        assert [r.value for r in service.current_results(s, service.get_round(
            s, reg.admin, "PT-1").id)] == [5.03]
    with transaction(platform.sessions) as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("UPDATE metrology_results SET value = 1"))


def test_who_sees_names(platform: Platform, reg: Registry, labs: dict[str, Actor]) -> None:
    open_round(platform, reg)
    submit_all(platform, reg)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        service.close_round(s, reg.admin, "PT-1")
    with transaction(platform.sessions) as s:
        as_lab = service.round_view(s, labs["lab1"], "PT-1").scores
        assert [x["lab"] for x in as_lab][:3] == ["LAB-1", "P02", "P03"]
        assert as_lab[0]["own"] and not as_lab[1]["own"]
        assert [x["lab"] for x in service.round_view(s, reg.regulator, "PT-1").scores][:2] \
            == ["LAB-1", "LAB-2"]
        _org, history = service.lab_history(s, labs["lab1"], "LAB-1")
        assert [h["round"] for h in history] == ["PT-1"]
        with pytest.raises(NotFoundError):
            service.lab_history(s, labs["lab1"], "LAB-2")
        with pytest.raises(NotFoundError):  # the Shandong regulator: not a Henan laboratory
            service.lab_history(s, reg.regulator_sd, "LAB-2")
        assert [x["code"] for x in service.laboratories(s, reg.regulator_sd)] == ["LAB-1"]


def test_organisers_only(platform: Platform, reg: Registry, labs: dict[str, Actor]) -> None:
    with pytest.raises(PermissionDenied), transaction(platform.sessions) as s:
        service.create_round(s, reg.regulator_sd, service.RoundSpec(
            "PT-X", "x", None, "Au", "g/t", "xrf", "alloy", None, "robust_sd", None,
            date(2026, 1, 1), date(2026, 2, 1)))


def test_bad_round_and_too_few_results(platform: Platform, reg: Registry,
                                       labs: dict[str, Actor]) -> None:
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as info:
        service.create_round(s, reg.admin, service.RoundSpec(
            "PT-X", "x", None, "Au", "g/t", "nmr", "alloy", "NO-RM", "fixed", None,
            date(2026, 3, 1), date(2026, 2, 1)))
    columns = {p.column for p in info.value.problems}
    assert columns == {"method", "sigma_pt_value", "closes_on", "reference_material"}
    open_round(platform, reg)
    with transaction(platform.sessions) as s:
        for k in (1, 2, 3):
            service.submit_result(s, reg.admin, "PT-1", 5.0 + k / 100, lab_code=f"LAB-{k}")
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                            match="at least 5 results"):
        service.close_round(s, reg.admin, "PT-1")


def test_demo_rounds(platform: Platform, admin: Actor) -> None:

    from aurum.demo.seed.metrology import seed_demo

    logins = seed_demo(platform, admin)
    assert set(logins) == {"lab"}
    with transaction(platform.sessions) as s:
        listed = {r.code: service.round_record(r) for r in service.rounds(s, admin)}
        assert listed["PT-2026-03"]["status"] == "open"
        for code in ("PT-2026-01", "PT-2026-02"):
            flags = listed[code]["flags"]
            assert flags["questionable"] >= 1 and flags["unsatisfactory"] >= 1, code
        assert listed["PT-2026-01"]["reference_material"] == "DEMO-AU-ORE-1"
