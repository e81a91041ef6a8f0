"""A resource statement feeds the mine's year-end report with its provenance, and a stored
block model refuses a tampered file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from aurum.core.errors import ValidationError
from aurum.core.grid import BlockGrid
from aurum.resources.classify import ClassificationRules
from aurum.resources.estimate import SearchNeighbourhood
from aurum.resources.variogram import Structure, VariogramModel
from aurum.services import monitor, reporting, resources
from aurum.services.platform import Platform
from aurum.services.resources import ClassFigures, EstimationSpec
from aurum.store.db import transaction
from aurum.store.models import ReportVersion
from tests.factories import GOOD_ROW, Registry

FIGURES = {"measured": ClassFigures(2_400_000, 5.0, 12.0),
           "indicated": ClassFigures(6_000_000, 4.0, 24.0),
           "inferred": ClassFigures(5_000_000, 3.0, 15.0)}


def test_statement_amends_the_year_end_report_and_moves_the_indicator(
        platform: Platform, reg: Registry) -> None:
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        for q in range(1, 5):
            reporting.submit(s, reg.ent_a, "SD-A-01", f"2025-Q{q}", values)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        statement = resources.publish_statement(s, reg.ent_a, "SD-A-01", 2025, FIGURES, 1.0)
        sid = statement.id
    with platform.sessions() as s:
        current = reporting.current_reports(s, reg.regulator).set_index("period")
        q4 = current.loc["2025-Q4"]
        assert (q4["resources_measured_t"], q4["resources_indicated_t"],
                q4["resources_inferred_t"]) == (12.0, 24.0, 15.0)
        assert q4["version"] == 2 and "statement" in q4["reason"]
        # Everything else in the report is kept.
        assert q4["gold_own_mine_kg"] == pytest.approx(260.5)
        version = s.scalars(select(ReportVersion).where(
            ReportVersion.resource_statement_id == sid)).one()
        assert resources.provenance(s, version.id).id == sid  # type: ignore[union-attr]
        annual = monitor.kpi_frame(s, reg.regulator)
        assert annual.set_index(["site", "year"]).loc[("SD-A-01", 2025),
                                                      "gold_resources_t"] == 51.0


def test_statement_without_a_report_creates_the_annual_one(platform: Platform,
                                                           reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_b.user_id) as s:
        resources.publish_statement(s, reg.ent_b, "GS-B-01", 2024, FIGURES, 0.5)
    with platform.sessions() as s:
        current = reporting.current_reports(s, reg.ent_b)
    assert current["period"].tolist() == ["2024"]
    assert current["resources_indicated_t"].tolist() == [24.0]


def test_model_file_is_checked_against_its_hash(platform: Platform, reg: Registry) -> None:
    blocks = pd.DataFrame({"x": [0.5, 1.5], "y": [0.5, 0.5], "z": [0.5, 0.5],
                           "estimate": [1.2, float("nan")]})
    home = platform.settings.home
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        model = resources.save_model(s, reg.ent_a, home, "SD-A-01", "2025 model", blocks,
                                     "ordinary", {"grid": {}}, "0" * 64)
        mid, path = model.id, home / model.file_path
        assert model.n_estimated == 1
    with platform.sessions() as s:
        pd.testing.assert_frame_equal(resources.load_blocks(s, reg.regulator, home, mid),
                                      blocks)
    path.write_bytes(path.read_bytes() + b"tampered")
    with platform.sessions() as s, pytest.raises(ValidationError, match="was changed"):
        resources.load_blocks(s, reg.regulator, home, mid)


def synthetic_orebody(seed: int, n_holes: int, extent: float = 200.0
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertical holes on a jittered grid through a gold lens centred at (100, 100, -50):
    grade = 4 g/t x exp(-r^2 / 2 / 40^2) x lognormal noise, composites every 5 m."""
    rng = np.random.default_rng(seed)
    side = int(np.sqrt(n_holes))
    gx, gy = np.meshgrid(np.linspace(10, extent - 10, side), np.linspace(10, extent - 10, side))
    cx = gx.ravel() + rng.uniform(-3, 3, side * side)
    cy = gy.ravel() + rng.uniform(-3, 3, side * side)
    z = np.arange(-2.5, -100, -5.0)
    xyz = np.column_stack([np.repeat(cx, z.size), np.repeat(cy, z.size), np.tile(z, cx.size)])
    r2 = ((xyz - [100, 100, -50]) ** 2 / [1, 1, 0.25]).sum(1)
    grade = 4.0 * np.exp(-r2 / 2 / 40**2) * rng.lognormal(0, 0.3, len(xyz))
    return xyz, grade, np.repeat(np.arange(cx.size), z.size)


def _spec(cutoff: float) -> EstimationSpec:
    return EstimationSpec(
        grid=BlockGrid((5.0, 5.0, -95.0), (10.0, 10.0, 10.0), (20, 20, 10)),
        model=VariogramModel(0.1, (Structure("spherical", 0.9, (120, 120, 60)),)),
        search=SearchNeighbourhood((150, 150, 75), min_samples=4, max_samples=24,
                                   max_per_hole=6),
        rules=ClassificationRules.from_dict({"measured": {"min_samples": 20, "min_slope": 0.97},
                                             "indicated": {"min_slope": 0.94}}),
        density_t_m3=2.7, cutoff_gpt=cutoff, discretisation=(2, 2, 2))


def test_pipeline_states_two_years_with_a_closing_waterfall(platform: Platform,
                                                            reg: Registry) -> None:
    home = platform.settings.home
    xyz, grade, holes = synthetic_orebody(1, 36)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        first = resources.estimate_and_state(s, reg.ent_a, home, "SD-A-01", 2024, xyz, grade,
                                             _spec(0.5), holes)
        assert first.waterfall is None
        total24 = first.measured_gold_t + first.indicated_gold_t + first.inferred_gold_t
    # Contained gold of the statement equals tonnes x grade of the blocks above cut-off.
    with platform.sessions() as s:
        blocks = resources.load_blocks(s, reg.regulator, home, first.model_id)  # type: ignore[arg-type]
    above = blocks[blocks["estimate"] >= 0.5]
    assert total24 == pytest.approx((above["tonnes"] * above["estimate"]).sum() / 1e6)
    assert first.measured_gold_t > 0 and first.indicated_gold_t > 0
    # A year later: more holes, a higher cut-off and some ore mined.
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    for name in ("resources_measured_t", "resources_indicated_t", "resources_inferred_t",
                 "reserves_proved_t", "reserves_probable_t"):
        values.pop(name)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2025", values)
    xyz2, grade2, holes2 = synthetic_orebody(2, 49)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        second = resources.estimate_and_state(s, reg.ent_a, home, "SD-A-01", 2025, xyz2,
                                              grade2, _spec(0.8), holes2)
        w = second.waterfall
        assert w is not None
    # Depletion: 70,000 t mined at 4.2 g/t = 0.294 t of gold; the waterfall closes.
    assert w["depletion"] == pytest.approx(-0.294)
    assert w["opening"] == pytest.approx(total24)
    assert sum(v for k, v in w.items() if k != "closing") == pytest.approx(w["closing"])
    assert w["economic"] < 0  # raising the cut-off removes metal
    with platform.sessions() as s:
        report = reporting.current_reports(s, reg.regulator).set_index("period").loc["2025"]
    assert report["resources_measured_t"] == pytest.approx(second.measured_gold_t, rel=1e-6)
