"""A resource statement feeds the mine's year-end report with its provenance, and a stored
block model refuses a tampered file."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from aurum.core.errors import ValidationError
from aurum.services import monitor, reporting, resources
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.resources import ClassFigures
from aurum.store.db import transaction
from aurum.store.models import ReportVersion
from tests.factories import GOOD_ROW, Registry, small_registry


@pytest.fixture
def reg(platform: Platform, admin: Actor) -> Registry:
    return small_registry(platform, admin)


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
