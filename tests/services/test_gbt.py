"""A mine's industrial indicators as append-only versions, and its geological-block estimate
stored, read back and published, on a synthetic dipping vein cut by inclined holes; bad input
stores nothing; the scope of every read and write."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.resources.orebody import hole_direction, orebody_normal
from aurum.services import gbt, reporting
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import BlockEstimate, IndustrialIndicatorVersion, ResourceStatement
from tests.factories import Registry

STRIKE, DIP = 90.0, 60.0
"""The vein strikes east and dips 60° south (right-hand rule: towards strike + 90°)."""
THICKNESS_M = 2.0
"""The vein's true thickness, m."""
VEIN_GPT, HOST_GPT = 6.0, 0.05
HOLE_AZIMUTH, HOLE_DIP = 0.0, 50.0
"""Holes drilled north, 50° down, from collars south of the vein's outcrop: they cut it."""


def vein_files(columns: int = 4, levels: int = 3, spacing_m: float = 40.0
               ) -> tuple[bytes, bytes, bytes]:
    """Collar, survey and assay CSV (``aurum resources drillholes`` headers, dip positive
    down) of ``columns × levels`` straight inclined holes through a vein of
    :data:`THICKNESS_M` m at :data:`VEIN_GPT` g/t through (0, 0, 0), 1 m assays."""
    normal = orebody_normal(STRIKE, DIP)
    h = hole_direction(np.array(HOLE_AZIMUTH), np.array(HOLE_DIP)).reshape(3)
    collars, surveys, assays = [], [], []
    for i in range(columns):
        for k in range(levels):
            hole = f"ZK{i}-{k}"
            # Collars at 100 m, further south for deeper pierce points.
            c = np.array([i * spacing_m, -60.0 - k * spacing_m, 100.0])
            t0 = -float(normal @ c) / float(normal @ h)  # along the hole to the mid-plane
            half = THICKNESS_M / 2 / abs(float(normal @ h))
            length = int(np.ceil(t0 + half + 10))
            collars.append({"BHID": hole, "XCOLLAR": c[0], "YCOLLAR": c[1], "ZCOLLAR": c[2]})
            surveys.append({"BHID": hole, "AT": 0.0, "AZ": HOLE_AZIMUTH, "DIP": HOLE_DIP})
            for top in range(length):
                overlap = max(0.0, min(top + 1, t0 + half) - max(top, t0 - half))
                grade = HOST_GPT + (VEIN_GPT - HOST_GPT) * overlap
                assays.append({"BHID": hole, "FROM": float(top), "TO": float(top + 1),
                               "AU": round(grade, 4)})
    return tuple(pd.DataFrame(rows).to_csv(index=False).encode()  # type: ignore[return-value]
                 for rows in (collars, surveys, assays))


INDICATORS = {"cutoff_gpt": 1.0, "min_industrial_gpt": 2.0, "min_thickness_m": 1.0,
              "max_waste_m": 2.0, "min_metre_grade": None}


def _estimate(platform: Platform, reg: Registry, **changes: object) -> BlockEstimate:
    collar, survey, assay = vein_files()
    args: dict[str, object] = {"site_code": "SD-A-01", "year": 2025, "collar": collar,
                               "survey": survey, "assay": assay, "grade": "AU",
                               "strike_deg": STRIKE, "dip_deg": DIP, "density_t_m3": 2.7}
    args |= changes
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        estimate = gbt.estimate_blocks(s, reg.ent_a, platform.settings.home, **args)
        s.expunge(estimate)
        return estimate


def test_indicators_are_versions_never_changed(platform: Platform, reg: Registry) -> None:
    with platform.sessions() as s:
        reference = gbt.current_indicators(s, reg.ent_a, "SD-A-01")
        assert gbt.indicator_versions(s, reg.ent_a, "SD-A-01") == []
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        first = gbt.set_indicators(s, reg.ent_a, "SD-A-01", INDICATORS, "approved 2024")
        second = gbt.set_indicators(s, reg.ent_a, "SD-A-01",
                                    INDICATORS | {"cutoff_gpt": 1.5}, "new study")
        assert (first.version, second.version) == (1, 2)
    with platform.sessions() as s:
        versions = gbt.indicator_versions(s, reg.regulator, "SD-A-01")
        assert [v.version for v in versions] == [2, 1]
        assert [v.cutoff_gpt for v in versions] == [1.5, 1.0]
        assert gbt.current_indicators(s, reg.auditor, "SD-A-01").cutoff_gpt == 1.5
        assert reference.cutoff_gpt != 1.5  # the reference was in force before
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.scalars(select(IndustrialIndicatorVersion)).first().cutoff_gpt = 9.0  # type: ignore
    with pytest.raises(Exception, match="append-only"), transaction(platform.sessions) as s:
        s.execute(update(IndustrialIndicatorVersion).values(cutoff_gpt=9.0))


def test_bad_indicators_are_refused_field_by_field(platform: Platform, reg: Registry) -> None:
    with pytest.raises(ValidationError) as refused, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        gbt.set_indicators(s, reg.ent_a, "SD-A-01",
                           INDICATORS | {"cutoff_gpt": 3.0, "max_waste_m": -1.0}, "x")
    assert {p.column for p in refused.value.problems} == {"cutoff_gpt", "max_waste_m"}
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(IndustrialIndicatorVersion)) == 0


def test_an_estimate_is_stored_read_back_and_published(platform: Platform,
                                                       reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        gbt.set_indicators(s, reg.ent_a, "SD-A-01", INDICATORS, "approved")
    estimate = _estimate(platform, reg)
    assert (estimate.year, estimate.version, estimate.indicators_version) == (2025, 1, 1)
    with platform.sessions() as s:
        view = gbt.site_view(s, reg.regulator, platform.settings.home, "SD-A-01")
        assert view.latest is not None and view.latest.estimate.id == estimate.id
        intercepts, blocks = view.latest.intercepts, view.latest.blocks
        # Twelve holes through a 2 m vein at 6 g/t: one industrial intercept each, holding
        # the vein's metal (its 1 m assays share it in proportion), its true thickness the
        # length times the cosine between hole and normal.
        industrial = intercepts[intercepts["category"] == "industrial"]
        assert len(industrial) == 12
        cosine = abs(float(orebody_normal(STRIKE, DIP) @ hole_direction(
            np.array(HOLE_AZIMUTH), np.array(HOLE_DIP)).reshape(3)))
        np.testing.assert_allclose(industrial["metre_grade"],
                                   VEIN_GPT * THICKNESS_M / cosine, rtol=0.02)
        np.testing.assert_allclose(industrial["true_thickness_m"],
                                   industrial["length_m"] * cosine, rtol=1e-6)
        # The stored totals are the stored blocks' sums; horizontal thickness = true / sin(dip).
        totals = view.latest.estimate.totals
        assert totals["tonnes"] == pytest.approx(blocks["tonnes"].sum(), rel=1e-9)
        assert totals["metal_kg"] == pytest.approx(blocks["metal_kg"].sum(), rel=1e-9)
        np.testing.assert_allclose(blocks["tonnes"], blocks["area_m2"]
                                   * blocks["thickness_h_m"] * 2.7, rtol=1e-9)
        true = industrial.set_index("hole")["true_thickness_m"]
        np.testing.assert_allclose(blocks["thickness_h_m"], true.loc[blocks["hole"]]
                                   / np.sin(np.radians(DIP)), rtol=1e-6)
        by_category = {r["category"]: r for r in totals["by_category"]}
        assert set(by_category) == {"measured", "indicated", "inferred"}
        assert sum(r["tonnes"] for r in by_category.values()) == pytest.approx(
            totals["tonnes"], rel=1e-9)
        assert view.latest.estimate.kriging is not None
        assert len(view.latest.resources) == 4  # three categories and their total
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        statement = gbt.publish_block_estimate(s, reg.ent_a, estimate.id, "verified")
        assert statement.year == 2025 and statement.cutoff_gpt == 1.0
        gold_t = sum(r["metal_kg"] for r in estimate.totals["by_category"]) / 1000
        assert (statement.measured_gold_t + statement.indicated_gold_t
                + statement.inferred_gold_t) == pytest.approx(gold_t, rel=1e-9)
    with platform.sessions() as s:
        year_end = reporting.current_reports(s, reg.ent_a, ["SD-A-01"])
        assert year_end["period"].tolist() == ["2025"]
    # A second estimate of the year is a new version; the first is kept.
    assert _estimate(platform, reg, density_t_m3=2.8).version == 2


def test_bad_input_stores_nothing(platform: Platform, reg: Registry) -> None:
    assay = vein_files()[2]
    bad_assay = assay.replace(b"ZK0-0,0.0,1.0", b"ZK0-0,0.0,abc", 1)
    cases = [
        ({"strike_deg": 400.0}, None),
        ({"density_t_m3": 27.0}, "density_t_m3"),
        ({"assay": bad_assay}, None),
        ({"grade": "CU"}, "grade"),
        ({"outline": b"u,v\n0,0\n1,0\n1,1\n"}, None),  # contains no pierce point
        ({"extrapolation": "far"}, "extrapolation"),
    ]
    for change, column in cases:
        with pytest.raises(ValidationError) as refused:
            _estimate(platform, reg, **change)
        if column is not None:
            assert column in {p.column for p in refused.value.problems}, change
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(BlockEstimate)) == 0
    assert not list((platform.settings.home / gbt.FOLDER).glob("*/*.parquet"))


def test_assay_problems_name_file_row_and_column(platform: Platform, reg: Registry) -> None:
    lines = vein_files()[2].decode().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",abc"
    with pytest.raises(ValidationError) as refused:
        _estimate(platform, reg, assay=("\n".join(lines) + "\n").encode())
    problem = refused.value.problems[0]
    assert (problem.source, problem.row, problem.column) == ("assay.csv", 4, "AU")


def test_scope_of_every_read_and_write(platform: Platform, reg: Registry) -> None:
    estimate = _estimate(platform, reg)
    home = platform.settings.home
    with platform.sessions() as s:
        for read in (lambda: gbt.site_view(s, reg.ent_b, home, "SD-A-01"),
                     lambda: gbt.indicator_versions(s, reg.ent_b, "SD-A-01"),
                     lambda: gbt.readable_estimate(s, reg.ent_b, estimate.id),
                     lambda: gbt.estimate_detail(s, reg.ent_b, home, "SD-A-01", estimate.id)):
            with pytest.raises(NotFoundError):
                read()
        # The auditor reads everything and writes nothing.
        assert gbt.site_view(s, reg.auditor, home, "SD-A-01").can_write is False
        assert gbt.estimate_detail(s, reg.auditor, home, "SD-A-01", estimate.id)["id"] \
            == estimate.id
    collar, survey, assay = vein_files()
    for actor, error in ((reg.ent_b, NotFoundError), (reg.auditor, PermissionDenied),
                         (reg.regulator, PermissionDenied)):
        with pytest.raises(error), transaction(platform.sessions, actor.user_id) as s:
            gbt.set_indicators(s, actor, "SD-A-01", INDICATORS, "x")
        with pytest.raises(error), transaction(platform.sessions, actor.user_id) as s:
            gbt.estimate_blocks(s, actor, home, "SD-A-01", 2025, collar, survey, assay, "AU",
                                STRIKE, DIP, 2.7)
        with pytest.raises(error), transaction(platform.sessions, actor.user_id) as s:
            gbt.publish_block_estimate(s, actor, estimate.id, "x")
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(BlockEstimate)) == 1
        assert s.scalar(select(func.count()).select_from(ResourceStatement)) == 0


def test_a_tampered_file_is_refused(platform: Platform, reg: Registry) -> None:
    estimate = _estimate(platform, reg)
    path = platform.settings.home / estimate.blocks_path
    frame = pd.read_parquet(path)
    buffer = io.BytesIO()
    frame.assign(tonnes=frame["tonnes"] * 2).to_parquet(buffer, index=False)
    path.write_bytes(buffer.getvalue())
    with platform.sessions() as s, pytest.raises(ValidationError, match="changed"):
        gbt.site_view(s, reg.ent_a, platform.settings.home, "SD-A-01")
