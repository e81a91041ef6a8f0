"""The plants index, a plant's page and a tailings facility's page read stored derived results
(:mod:`aurum.services.derived`): a plant's records are computed and stored when they are
written, a facility's series when its readings are judged (once per hour of readings), and no
view computes them. A result that is missing (data written before results were stored) is
queued once as a ``derive`` job, the page says it is being computed, and shows it once the
job has stored it. What is stored equals the direct computation after its JSON round trip.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from aurum.api.app import create_app
from aurum.processing.examples import gold_plant
from aurum.safety.tailings import SimulatedStream
from aurum.services import jobs, processing
from aurum.services.auth import SYSTEM
from aurum.services.platform import Platform
from aurum.services.processing import records
from aurum.services.processing import views as plant_views
from aurum.services.safety import facilities
from aurum.services.safety import views as safety_views
from aurum.store.db import transaction
from aurum.store.models import DerivedResult, Job, Site
from tests.api.test_jobs_api import _login
from tests.factories import Registry
from tests.services.test_page_views import counted
from tests.services.test_processing import MONTHS, PLANT, _accounts, _waste
from tests.services.test_sensors import _facility, _ingest

PLANT_LOADS = ("accounts_frame", "ledger_frame", "broken_links", "plant_payloads")
"""What computing a plant's records reads and computes (names in :mod:`.records`)."""


pytestmark = pytest.mark.usefixtures("empty_cache")


def _loads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    return {name: counted(monkeypatch, records, name) for name in PLANT_LOADS}


def _calls(counts: dict[str, list[int]]) -> int:
    return sum(len(c) for c in counts.values())


def _write_plant(platform: Platform, reg: Registry, months: int = 2) -> None:
    a = reg.ent_a
    with transaction(platform.sessions, a.user_id) as s:
        processing.save_circuit(s, a, PLANT, "CIL", gold_plant(seed=3), period="2025-07")
        processing.record_accounts(s, a, _accounts().iloc[:months], source="accounts.csv")
        processing.record_waste(s, a, _waste(), source="ledger.csv")
        processing.close_months(s, a, PLANT, MONTHS[:1])


def _frames_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal columns and values (numbers within 1e-9 relative, times to the second)."""
    got, expected = got.reset_index(drop=True), expected.reset_index(drop=True)
    assert set(expected.columns) <= set(got.columns)
    for col in expected.columns:
        a, b = got[col], expected[col]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9)
        elif pd.api.types.is_datetime64_any_dtype(b):
            assert (pd.to_datetime(a, utc=True) - pd.to_datetime(b, utc=True)).abs().max() \
                < pd.Timedelta(seconds=1) or b.isna().all()
        else:
            assert a.where(a.notna(), None).tolist() == b.where(b.notna(), None).tolist(), col


def test_plant_records_are_stored_when_written_and_no_view_computes_them(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _loads(monkeypatch)
    _write_plant(platform, reg)
    # One computation for the transaction's four writes, when it commits.
    assert len(counts["plant_payloads"]) == 1
    home = platform.settings.home
    with platform.sessions() as s:
        site_id = s.scalar(select(Site.id).where(Site.code == PLANT))
        stored = s.execute(select(DerivedResult.kind, DerivedResult.subject,
                                  DerivedResult.version)).all()
        assert [tuple(r) for r in stored] == [
            ("plant-records", PLANT, records.plant_versions(s, [site_id])[site_id])]
    written = _calls(counts)
    with platform.sessions() as s:
        first = plant_views.site_view(s, reg.ent_a, home, queue, PLANT)
        again = plant_views.site_view(s, reg.regulator, home, queue, PLANT)
        index = plant_views.index_view(s, reg.regulator, queue)
        assert s.scalar(select(func.count()).select_from(Job)) == 0
    assert _calls(counts) == written  # the views read, they compute nothing
    assert first.pending is None and again.records is first.records
    kept = first.records
    assert kept is not None
    # Stored equals direct, after the JSON round trip.
    with platform.sessions() as s:
        accounts = processing.accounts(s, reg.ent_a, PLANT)
        _frames_equal(kept.accounts, records.account_table(accounts))
        assert kept.accounts["closed"].tolist() == [True, False]
        assert kept.broken == processing.verify_closings(s, reg.ent_a, PLANT) == []
        _frames_equal(kept.ledger, processing.waste_ledger(s, reg.ent_a, [PLANT]).sort_values(
            ["period", "waste_type"], ascending=[False, True]))
        _frames_equal(kept.monthly, processing.waste_utilisation(s, reg.ent_a, "plant",
                                                                 ("period",), [PLANT]))
        assert [c["version"] for c in kept.circuits] == [1]
        assert first.quarter is not None
        direct = processing.report_figures(s, reg.ent_a, PLANT, "2025-Q3")
        assert first.quarter.figures.missing_accounts == direct.missing_accounts == (
            "2025-09",)
        assert first.quarter.figures.values == pytest.approx(direct.values, rel=1e-12)
        _frames_equal(first.quarter.compared,
                      processing.compare_with_report(s, reg.ent_a, PLANT, "2025-Q3"))
        # The index: the plant's row and the roll-ups equal the ledger's own.
        row = index.plants.set_index("site").loc[PLANT]
        assert (row["last_month"], row["last_closed"], bool(row["pending"])) == (
            "2025-08", "2025-07", False)
        assert row["recovery"] == pytest.approx(accounts["recovery"].iloc[-1], rel=1e-12)
        _frames_equal(index.yearly, processing.waste_utilisation(s, reg.regulator, "nation",
                                                                 ("year",)))
        assert index.enterprises is not None
        _frames_equal(index.enterprises.drop(columns="enterprise_name"),
                      processing.waste_utilisation(s, reg.regulator, "enterprise",
                                                   ("year",)))
    assert first.circuit is not None and first.circuit["version"] == 1
    assert (first.can_write, again.can_write) == (True, False)
    # A new circuit version and a new account are new versions, each stored when written:
    # the page shows the new circuit and the full quarter.
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.save_circuit(s, reg.ent_a, PLANT, "CIL", gold_plant(seed=4),
                                period="2025-08")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        processing.record_accounts(s, reg.ent_a, _accounts().iloc[2:], source="september.csv")
    assert len(counts["plant_payloads"]) == 3
    with platform.sessions() as s:
        latest = plant_views.site_view(s, reg.ent_a, home, queue, PLANT)
        assert s.scalar(select(func.count()).select_from(DerivedResult)) == 1  # superseded
    assert len(counts["plant_payloads"]) == 3
    assert latest.circuit is not None and latest.circuit["version"] == 2
    assert latest.records is not None and latest.quarter is not None
    assert latest.records.accounts["period"].tolist() == list(MONTHS)
    assert latest.quarter.figures.complete


def test_missing_plant_records_are_queued_once_and_the_pages_say_so(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _write_plant(platform, reg, months=3)
    with transaction(platform.sessions) as s:  # records written before results were stored
        s.execute(delete(DerivedResult))
    counts = _loads(monkeypatch)
    app = create_app(platform)
    app.state.jobs = queue
    client = TestClient(app)
    _login(client, "audit")  # any reader causes the job: the platform's own bookkeeping
    for path in (f"/processing/{PLANT}", f"/processing/{PLANT}", "/processing"):
        page = client.get(path)
        assert page.status_code == 200, page.text
        assert "being computed" in page.text and 'http-equiv="refresh"' in page.text
    assert _calls(counts) == 0  # no GET computed anything
    with platform.sessions() as s:
        queued = list(s.scalars(select(Job)))
    # Queued once, not once per request: two plant pages and the index, one job.
    assert [(j.kind, j.state, j.params["subject"]) for j in queued] == [
        ("derive", "queued", PLANT)]
    with queue.running():
        done = jobs.wait(platform.sessions, queued[0].id, timeout_s=120)
    assert done.state == "done", done.message
    assert len(counts["plant_payloads"]) == 1  # in the job
    page = client.get(f"/processing/{PLANT}")
    assert page.status_code == 200 and "being computed" not in page.text
    assert 'data-period="2025-09"' in page.text and 'data-testid="in-step"' not in page.text
    index = client.get("/processing")
    assert index.status_code == 200 and "being computed" not in index.text
    assert f'href="/processing/{PLANT}"' in index.text
    assert len(counts["plant_payloads"]) == 1


def _stored_series(platform: Platform) -> list[tuple[str, str]]:
    with platform.sessions() as s:
        return [tuple(r) for r in s.execute(select(DerivedResult.subject,
                                                   DerivedResult.version)
                                            .where(DerivedResult.kind == "tailings-facility-"
                                                   "series"))]


def _readings(stream: SimulatedStream) -> pd.DataFrame:
    return stream.readings.rename(columns={"point": "sensor"})


def test_a_facility_s_series_are_stored_when_its_readings_are_judged(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _facility(platform, reg.ent_a)
    readings = _readings(stream)
    views = counted(monkeypatch, facilities, "facility_view")
    last = readings["time"].max()
    _ingest(platform, SYSTEM, "SD-A-01", readings[readings["time"] < last])
    assert len(views) == 1
    [(subject, version)] = _stored_series(platform)
    assert subject == "TF1"
    home = platform.settings.home
    with platform.sessions() as s:
        page = safety_views.facility_page(s, reg.regulator, home, queue, "TF1")
        again = safety_views.facility_page(s, reg.ent_a, home, queue, "TF1")
        direct = facilities.facility_view(s, reg.ent_a, "TF1", days=facilities.SERIES_DAYS)
    assert len(views) == 2  # the direct one: the pages read
    assert page.pending is None and page.state is not None and page.items
    assert again.items is page.items
    expected = facilities.item_series(direct)
    assert [i.item for i in page.items] == [i.item for i in expected]
    for got, want in zip(page.items, expected, strict=True):
        assert (got.label, got.unit, got.other_rules) == (want.label, want.unit,
                                                          want.other_rules)
        assert got.thresholds == pytest.approx(want.thresholds)
        _frames_equal(got.series, want.series)
    assert direct.state is not None and page.state == direct.state.as_dict()
    # The same readings again store nothing; the next hour's are a new version.
    _ingest(platform, SYSTEM, "SD-A-01", readings[readings["time"] < last])
    assert len(views) == 2
    _ingest(platform, SYSTEM, "SD-A-01", readings[readings["time"] == last])
    assert len(views) == 3
    [(_, newer)] = _stored_series(platform)
    assert newer != version


def test_missing_facility_series_are_queued_once_and_the_page_says_so(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _facility(platform, reg.ent_a)
    _ingest(platform, SYSTEM, "SD-A-01", _readings(stream))
    with transaction(platform.sessions) as s:  # readings stored before series were
        s.execute(delete(DerivedResult))
    views = counted(monkeypatch, facilities, "facility_view")
    app = create_app(platform)
    app.state.jobs = queue
    client = TestClient(app)
    _login(client, "audit")
    for _ in range(2):
        page = client.get("/safety/tailings/TF1")
        assert page.status_code == 200, page.text
        assert 'data-testid="derived-pending"' in page.text and "being computed" in page.text
        assert 'data-testid="items"' not in page.text
    assert len(views) == 0
    with platform.sessions() as s:
        queued = list(s.scalars(select(Job)))
    assert [(j.kind, j.params["kind"], j.params["subject"]) for j in queued] == [
        ("derive", "tailings-facility-series", "TF1")]
    with queue.running():
        done = jobs.wait(platform.sessions, queued[0].id, timeout_s=120)
    assert done.state == "done", done.message
    page = client.get("/safety/tailings/TF1")
    assert page.status_code == 200 and 'data-testid="items"' in page.text
    assert "being computed" not in page.text
    assert len(views) == 1
