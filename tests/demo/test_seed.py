"""The demo district seeds through the real import path and feeds the indicators."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import ConflictError
from aurum.demo import seed as demo
from aurum.demo.seed import resources as demo_resources
from aurum.services import maps, monitor, processing
from aurum.services.auth import Actor, authenticate
from aurum.services.platform import Platform
from aurum.store.models import (
    BlockEstimate,
    DerivedResult,
    PlantCircuit,
    ReportVersion,
    ResourceStatement,
    Site,
)
from tests.demo_home import DemoTemplate, copy_demo


def test_seed_feeds_the_dashboard(platform: Platform, shared_data: Path, database_url: str,
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  request: pytest.FixtureRequest) -> None:
    on_sqlite = database_url.startswith("sqlite")
    if on_sqlite:
        # On SQLite, the run's demo (tests/demo_home.py: demo.seed through `aurum demo seed`,
        # as make demo seeds it), checked on a copy.
        seeded: DemoTemplate = request.getfixturevalue("demo_seeded")
        home, keys = copy_demo(seeded, tmp_path / "demo")
        url = f"sqlite:///{home / 'aurum.db'}"
        for name, value in (("AURUM_HOME", str(home)), ("AURUM_KEYS", str(keys)),
                            ("AURUM_DATABASE_URL", url)):
            monkeypatch.setenv(name, value)
        platform = Platform.open(url)
        organisations = int(str(seeded.seeded["organisations"]))
        babbitt: Path | None = home / "demo" / "babbitt"
    else:
        # On PostgreSQL the seed leaves out what the backend makes no difference to: the
        # Babbitt example (files only) and the showcase mines' kriged models (CPU; what they
        # store goes through services.resources.estimate_and_state, which
        # tests/services/test_resources.py runs on both backends).
        monkeypatch.setattr(demo_resources, "seed_demo", lambda *args: None)
        monkeypatch.setattr(demo_resources, "babbitt_example", lambda *args: None)
        result = demo.seed(platform)
        organisations, babbitt = result.organisations, result.babbitt_example
    # The maps' outlines are in the demo's home before any server starts.
    assert maps.province_outlines_file(platform.settings.home).is_file()
    assert maps.world_outlines_file(platform.settings.home).is_file()
    if on_sqlite:
        # With the public Babbitt drillholes beside the repository, a run on them is prepared.
        assert babbitt is not None
        assert (babbitt / "run.yaml").exists()
        findings = pd.read_csv(babbitt / "validation.csv")
        assert (findings["kind"] == "beyond_hole_length").sum() == 70
    assert 50 <= organisations - 8 <= 75
    logins = demo.read_logins(platform)
    path = platform.settings.home / demo.LOGINS_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with platform.sessions() as s:
        miit = authenticate(s, "miit", logins["miit"]["password"])
        assert miit is not None
        m = monitor.build(s, miit)
        gold = m.report.indicator("gold_output_growth_pct")
        # Calibrated to the plan's published 2024 figure: 377 t of mine gold.
        assert gold.baseline == pytest.approx(377_000, rel=0.005)
        assert m.as_of == 2025 and m.ytd is not None and m.ytd.months == 9
        below = m.compliance[m.compliance["status"] == "below_floor"]
        assert len(below) >= 3
        quality = monitor.data_quality(s, miit)
        assert len(quality["late"]) > 0 and len(quality["missing"]) > 0
        shandong = authenticate(s, "shandong", logins["shandong"]["password"])
        assert shandong is not None
        assert set(monitor.build(s, shandong).provinces["province"]) == {"Shandong"}
        # The showcase mines' resources come from kriged models: each year-end report names
        # the statement it was fed from, and each waterfall closes.
        statements = s.scalars(select(ResourceStatement)).all()
        assert len(statements) == (demo.SHOWCASE_MINES * len(demo.STATEMENT_YEARS)
                                   if on_sqlite else 0)
        # Each showcase mine also has a geological-block estimate of its vein, not published
        # (the statements above are all the kriged models').
        estimates = s.scalars(select(BlockEstimate)).all()
        assert len(estimates) == demo.SHOWCASE_MINES
        assert all(e.totals["tonnes"] > 0 and "differences" in e.kriging for e in estimates)
        fed = s.scalars(select(ReportVersion).where(
            ReportVersion.resource_statement_id.is_not(None))).all()
        assert len(fed) == len(statements)
        # Their models' checks are stored with them: the first visit of a page computes none.
        assert set(s.scalars(select(DerivedResult.subject).where(
            DerivedResult.kind == "resource-model-checks"))) == {
            str(st.model_id) for st in statements}
        for st in statements:
            if st.waterfall:
                steps = st.waterfall
                assert sum(v for k, v in steps.items() if k != "closing") == pytest.approx(
                    steps["closing"])
                assert steps["depletion"] < 0 and steps["exploration"] > 0
        _plants_feed_the_waste_indicator(s, miit)
    with pytest.raises(ConflictError):
        demo.seed(platform)


def _plants_feed_the_waste_indicator(s: Session, miit: Actor) -> None:
    """Every plant's monthly ledger sums to its reports: the 35 % indicator of the reports is
    the ledgers' utilisation; the showcase plant's recount is the one difference."""
    indicator = monitor.build(s, miit).report.indicator("solid_waste_utilisation_pct")
    rates = processing.waste_utilisation(s, miit, "nation", ("year",)).set_index("year")
    assert 100 * rates.loc["2025", "utilisation_rate"] == pytest.approx(indicator.value,
                                                                        abs=1e-9)
    assert 25 < indicator.value < 35
    plant = s.scalar(select(Site.code).join(PlantCircuit, PlantCircuit.site_id == Site.id))
    assert plant is not None
    compared = processing.compare_with_report(s, miit, plant, "2026-Q3")
    assert compared.loc[~compared["matches"], "field"].tolist() == [
        "waste_tailings_used_backfill_t"]
    assert processing.compare_with_report(s, miit, plant, "2026-Q2")["matches"].all()
    assert processing.verify_closings(s, miit, plant) == []
    surveys = processing.circuits(s, miit, plant)
    flagged = [c.period for c in surveys if c.reconciliation
               and c.reconciliation["summary"]["gross_errors"]]
    assert len(flagged) == 1
    accounts = processing.accounts(s, miit, plant)
    assert accounts["sha256"].isna().tolist()[-1] and accounts["sha256"].notna().sum() == len(
        accounts) - 1
