"""A mine's ventilation network kept as versions, each solved when stored (issue 21)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import func, select, text

from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.demo.seed.ventilation import deep_mine_network
from aurum.services import ventilation as service
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import VentNetwork, VentSolution
from aurum.ventilation.climate import CP_DRY_AIR, GRAVITY
from tests.factories import Registry

SITE = "SD-A-01"
R_SHAFT, R_A, R_B, R_FAN = 0.002, 0.08, 0.02, 0.001
"""Resistances of the test network, N s²/m⁸: the shaft, two parallel stopes, the fan's
drift."""
C0, C2 = 2000.0, -0.05
"""The fan's curve p = C0 + C2 Q², Pa."""


def small_network(**changes: Any) -> dict[str, Any]:
    """A shaft to two parallel stopes, back up a raise through a fan: solvable by hand."""
    doc: dict[str, Any] = {
        "nodes": [{"name": "surface", "z": 0}, {"name": "bottom", "z": -500},
                  {"name": "raise", "z": -500}, {"name": "fanhouse", "z": 0}],
        "branches": [
            {"name": "shaft", "from": "surface", "to": "bottom", "resistance": R_SHAFT,
             "length": 500, "area": 30, "perimeter": 20},
            {"name": "stope_a", "from": "bottom", "to": "raise", "resistance": R_A},
            {"name": "stope_b", "from": "bottom", "to": "raise", "resistance": R_B},
            {"name": "up", "from": "raise", "to": "fanhouse", "resistance": 0.0},
            {"name": "fan", "from": "fanhouse", "to": "surface", "resistance": R_FAN,
             "fan": {"coefficients": [C0, 0.0, C2]}}],
        "climate": {"surface_dry_bulb_c": 20.0, "surface_wet_bulb_c": 15.0},
        "routes": [{"name": "down", "branches": ["shaft", "stope_a"]}],
        "working_places": [{"branch": "stope_a", "people": 60, "diesel_kw": 0,
                            "area_m2": 10}]}
    return doc | changes


def store(platform: Platform, reg: Registry, doc: dict[str, Any] | None = None,
          reason: str = "as designed") -> VentNetwork:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        row = service.save_network(s, reg.ent_a, SITE, doc or small_network(), reason)
        s.expunge_all()
        return row


def test_solution_is_stored_with_the_version(platform: Platform, reg: Registry) -> None:
    first = store(platform, reg)
    second = store(platform, reg, reason="second")
    assert (first.version, second.version) == (1, 2)
    # Closed form: the stopes in parallel, R_p = 1 / (1/√Ra + 1/√Rb)², in series with the
    # rest; the fan meets the system where C0 + C2 Q² = R Q².
    r_p = 1.0 / (1.0 / math.sqrt(R_A) + 1.0 / math.sqrt(R_B)) ** 2
    q = math.sqrt(C0 / (R_SHAFT + r_p + R_FAN - C2))
    with platform.sessions() as s:
        detail = service.network_detail(s, reg.ent_a, SITE, first.id)
        solution = detail["solution"]
        assert solution["flows"]["shaft"] == pytest.approx(q, rel=1e-6)
        assert solution["flows"]["stope_a"] / solution["flows"]["stope_b"] == pytest.approx(
            math.sqrt(R_B / R_A), rel=1e-6)
        assert solution["fans"]["fan"]["pressure_pa"] == pytest.approx(C0 + C2 * q * q,
                                                                        rel=1e-6)
        assert detail["max_residual_pa"] < 0.01
        # Airflow of the working place: 60 people at 4 m³/min each (more than 0.25 m/s).
        [place] = solution["airflow"]
        assert place["required_m3s"] == pytest.approx(60 * 4.0 / 60.0)
        assert place["solved_m3s"] == pytest.approx(solution["flows"]["stope_a"])
        # Down the shaft the air warms by autocompression, g·Δz/c_p for dry air (the moisture
        # it carries takes a little); the rock, near the air's temperature this shallow, adds
        # or takes little.
        stations = solution["climate"]["routes"][0]["stations"]
        bottom = [st for st in stations if st["branch"] == "shaft"][-1]
        assert bottom["depth_m"] == pytest.approx(500.0)
        assert bottom["dry_bulb_c"] - 20.0 == pytest.approx(GRAVITY * 500 / CP_DRY_AIR, abs=0.3)
        assert bottom["wet_bulb_c"] - 15.0 < bottom["dry_bulb_c"] - 20.0
        assert [v.version for v in service.versions(s, reg.ent_a, SITE)] == [2, 1]
        view = service.site_view(s, reg.ent_a, SITE)
        assert view.latest is not None and view.latest.version == 2 and view.can_write
        assert {b["kind"] for b in view.branches} == {"airway", "fan"}


def test_versions_are_append_only(platform: Platform, reg: Registry) -> None:
    row = store(platform, reg)
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.get(VentNetwork, row.id).reason = "changed"  # type: ignore[union-attr]
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.delete(s.scalars(select(VentSolution)).one())
    with pytest.raises(Exception, match=r"(?i)append"), transaction(platform.sessions) as s:
        s.execute(text("UPDATE vent_solutions SET iterations = 0"))


def test_a_bad_network_is_refused_and_nothing_stored(platform: Platform,
                                                     reg: Registry) -> None:
    bad = small_network()
    bad["branches"][1] = bad["branches"][1] | {"to": "nowhere", "resistance": -1}
    with pytest.raises(ValidationError) as caught, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.save_network(s, reg.ent_a, SITE, bad, "bad")
    named = {p.column for p in caught.value.problems}
    assert {"to", "resistance"} <= named
    with pytest.raises(ValidationError, match="stope_x"), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.save_network(s, reg.ent_a, SITE, small_network(routes=[
            {"name": "r", "branches": ["stope_x"]}]), "bad route")
    with pytest.raises(ValidationError) as caught, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.save_network(s, reg.ent_a, SITE, small_network(working_places=[
            {"branch": "stope_a", "people": 6, "name": "a", "name_zh": "长" * 201}]),
            "a name too long")
    assert [p.column for p in caught.value.problems] == ["working_places.name_zh"]
    labelled = small_network()
    labelled["branches"][0] = labelled["branches"][0] | {"label": "", "label_zh": "长" * 201}
    with pytest.raises(ValidationError) as caught, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.save_network(s, reg.ent_a, SITE, labelled, "a branch's names not names")
    assert [p.column for p in caught.value.problems] == ["branches.label", "branches.label_zh"]
    with pytest.raises(ValidationError), \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.save_network(s, reg.ent_a, SITE, small_network(), "")
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(VentNetwork)) == 0
        assert s.scalar(select(func.count()).select_from(VentSolution)) == 0


def test_scope(platform: Platform, reg: Registry) -> None:
    row = store(platform, reg)
    with platform.sessions() as s:
        with pytest.raises(NotFoundError):
            service.versions(s, reg.ent_b, SITE)
        with pytest.raises(NotFoundError):
            service.network_detail(s, reg.ent_b, SITE, row.id)
        with pytest.raises(NotFoundError):  # read through another site
            service.network_detail(s, reg.admin, "GS-B-01", row.id)
        with pytest.raises(NotFoundError):
            service.site_view(s, reg.ent_b, SITE)
        assert SITE not in set(service.sites_frame(s, reg.ent_b)["code"])
        assert SITE in set(service.sites_frame(s, reg.regulator)["code"])
        assert not service.site_view(s, reg.regulator, SITE).can_write
    for actor, error in ((reg.ent_b, NotFoundError), (reg.auditor, PermissionDenied),
                         (reg.regulator, PermissionDenied)):
        with pytest.raises(error), transaction(platform.sessions, actor.user_id) as s:
            service.save_network(s, actor, SITE, small_network(), "not theirs")


def test_the_demo_deep_mine_network(platform: Platform, reg: Registry) -> None:
    """The demo's network at Sanshandao's depth: every node balances, the fans run on their
    curves, the regulator holds its flow, and the air at depth passes the limit."""
    row = store(platform, reg, deep_mine_network(1450.0))
    with platform.sessions() as s:
        solution = service.network_detail(s, reg.ent_a, SITE, row.id)["solution"]
    assert solution["max_node_imbalance_m3s"] < 1e-6
    assert solution["regulators"]["stope_950"] > 0
    assert all(not f["warnings"] for f in solution["fans"].values())
    assert solution["flows"]["stope_950"] == pytest.approx(20.0)
    deep = solution["climate"]["routes"][0]
    assert deep["first_exceeded"] is not None and deep["cooling_kw"] > 0
    assert all(a["ok"] for a in solution["airflow"])
    # Its routes and working places are named in both languages; a page shows the reader's.
    assert [r["name_zh"] for r in solution["climate"]["routes"]] == ["主井至最深中段",
                                                                     "斜坡道至最深中段"]
    place = next(a for a in solution["airflow"] if a["place"] == "stope_1450")
    with i18n.using("zh_CN"):
        assert service.shown_name(place) == "-1450 米中段房式采场"
    with i18n.using("en"):
        assert service.shown_name(place) == "chamber stope, level -1450 m"
        assert service.shown_name({"name_zh": "仅中文"}) == "仅中文"  # the other as fallback
