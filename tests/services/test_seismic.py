"""The stored seismic catalogue: import, idempotency, statistics, review, scope, alerts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.seismic import stats
from aurum.seismic.catalog import catalogue_frame, read_quakeml, write_quakeml
from aurum.seismic.inventory import Inventory, LocalGrid, Station
from aurum.services import seismic
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Alert, AuditRecord
from tests.factories import Registry

GRID = LocalGrid(37.4, 120.3, 0.0)
VP, VS = 5800.0, 3400.0
STATIONS = Inventory(tuple(Station(f"S{i}", x, y, z) for i, (x, y, z) in enumerate(
    [(0, 0, -500), (800, 0, -450), (0, 800, -520), (800, 800, -480), (400, 400, -900),
     (400, -200, -300)])))
TRUE_POSITION = np.array([350.0, 420.0, -610.0])


def synthetic_catalogue(n: int = 400, b: float = 1.0, mc: float = -0.5, seed: int = 7
                        ) -> pd.DataFrame:
    """Gutenberg–Richter magnitudes of a known b above Mc (binned 0.1), with a big event."""
    rng = np.random.default_rng(seed)
    mw = np.round(mc - 0.05 + rng.exponential(1.0 / (b * np.log(10.0)), n), 1)
    mw[-1] = 2.4  # above the default alarm rule's Mw 2.0
    moment = 10 ** (1.5 * mw + 9.1)
    energy = moment * 10 ** rng.normal(-4.5, 0.3, n)
    times = pd.Timestamp("2025-03-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, 30 * 86400, n)), unit="s")
    return catalogue_frame({
        "event": [f"ev{i:04d}" for i in range(n)], "time": times,
        "x": rng.uniform(0, 800, n), "y": rng.uniform(0, 800, n), "z": rng.uniform(-900, -300, n),
        "mw": mw, "ml": mw - 0.3, "moment": moment, "energy": energy,
        "apparent_stress": 3.3e10 * energy / moment,
        "apparent_volume": moment ** 2 / (2 * 3.3e10 * energy),
        "event_type": ["blast" if i % 50 == 3 else "event" for i in range(n)],
        "evaluation": "automatic"})


def synthetic_picks(event: str, t0: float) -> pd.DataFrame:
    """Exact P and S times at the stations from :data:`TRUE_POSITION` (straight rays)."""
    d = np.linalg.norm(STATIONS.positions() - TRUE_POSITION, axis=1)
    rows = [(event, s.code, ph, t0 + dist / v, 1.0) for s, dist in zip(STATIONS.stations, d,
                                                                         strict=True)
            for ph, v in (("P", VP), ("S", VS))]
    return pd.DataFrame(rows, columns=["event", "station", "phase", "time", "weight"])


@pytest.fixture(scope="module")
def quakeml(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    cat = synthetic_catalogue()
    t0 = cat["time"].iloc[10].timestamp()
    path = tmp_path_factory.mktemp("quakeml") / "events.xml"
    write_quakeml(cat, path, GRID, synthetic_picks("ev0010", t0))
    return path, cat


def test_import_is_idempotent_and_statistics_match_the_domain(
        platform: Platform, reg: Registry, quakeml: tuple[Path, pd.DataFrame]) -> None:
    path, cat = quakeml
    a = reg.ent_a
    with transaction(platform.sessions, a.user_id) as s:
        seismic.configure(s, a, "SD-A-01", grid=GRID)
        first = seismic.import_quakeml(s, a, "SD-A-01", path)
    assert (first.events_read, first.events_added, first.picks_added) == (400, 400, 12)
    # The Mw 2.4 event raises a red alert in the shared alerts table.
    assert [x["rule"] for x in first.alerts if x["level_value"] == 4] == ["mw-high"]
    with transaction(platform.sessions, a.user_id) as s:
        again = seismic.import_quakeml(s, a, "SD-A-01", path)
        n_alerts = len(s.scalars(select(Alert).where(Alert.source == "seismic")).all())
    assert (again.events_added, again.events_skipped, again.picks_added) == (0, 400, 0)
    assert again.alerts == [] and n_alerts == len(first.alerts)
    with transaction(platform.sessions, a.user_id) as s:
        events = seismic.events_frame(s, a, "SD-A-01")
        result = seismic.statistics(s, a, "SD-A-01", delta_m=0.1, window_events=100)
    assert len(events) == 400
    # Grid positions survive the QuakeML round trip through geographic coordinates (mm).
    merged = events.merge(cat, left_on="resource_id", right_on="event", suffixes=("", "_c"))
    assert np.abs(merged[["x", "y", "z"]].to_numpy()
                  - merged[["x_c", "y_c", "z_c"]].to_numpy()).max() < 1e-3
    # b on the stored catalogue equals aurum.seismic.stats on the same magnitudes (blasts out).
    quakes = cat[cat["event_type"] != "blast"]
    mc = stats.mc_maximum_curvature(quakes["mw"], 0.1)
    expected = stats.b_value(quakes["mw"], mc, 0.1)
    assert result.n_events == len(quakes) == 392
    assert result.b is not None
    assert result.b["b"] == pytest.approx(expected.b, rel=1e-12)
    assert result.b["b_std"] == pytest.approx(expected.b_std, rel=1e-12)
    assert result.b["a"] == pytest.approx(expected.a, rel=1e-12)
    assert result.b["b"] == pytest.approx(1.0, abs=3 * result.b["b_std"])  # the true b
    moving = stats.moving_b_value(quakes, "mw", mc, 0.1, 100)
    np.testing.assert_allclose(result.moving["b"], moving["b"], rtol=1e-12)
    assert result.apparent_volume.iloc[-1] == pytest.approx(quakes["apparent_volume"].sum(),
                                                            rel=1e-9)
    assert len(result.energy_index) == 392
    body = result.as_dict()
    assert body["b_value"]["n"] == expected.n and len(body["moving"]) == len(moving)


def test_review_actions_are_audited_and_relocation_finds_the_source(
        platform: Platform, reg: Registry, quakeml: tuple[Path, pd.DataFrame]) -> None:
    path, cat = quakeml
    a = reg.ent_a
    with transaction(platform.sessions, a.user_id) as s:
        seismic.import_quakeml(s, a, "SD-A-01", path, rules=[])
        ids = dict(zip(seismic.events_frame(s, a, "SD-A-01")["resource_id"],
                       seismic.events_frame(s, a, "SD-A-01")["id"], strict=True))
    with transaction(platform.sessions, a.user_id) as s:
        assert seismic.review(s, a, "SD-A-01", ids["ev0001"], "reject").status == "rejected"
        ev = seismic.review(s, a, "SD-A-01", ids["ev0002"], "type", "blast")
        assert (ev.status, ev.event_type) == ("reviewed", "blast")
        assert seismic.review(s, a, "SD-A-01", ids["ev0004"], "accept").status == "reviewed"
        with pytest.raises(ValidationError, match="event type must be one of"):
            seismic.review(s, a, "SD-A-01", ids["ev0005"], "type", "earthquake")
    with transaction(platform.sessions, a.user_id) as s:
        updates = s.scalars(select(AuditRecord).where(
            AuditRecord.entity == "seismic_events", AuditRecord.action == "update")).all()
        imports = s.scalars(select(AuditRecord).where(AuditRecord.action == "import")).all()
    assert len(updates) == 3 and {u.user_id for u in updates} == {a.user_id}
    assert {u.after["status"] for u in updates} == {"rejected", "reviewed"}
    assert len(imports) == 1 and imports[0].after["events_added"] == 400
    # Relocation from the edited picks: exact times put the event back at its source.
    t0 = cat["time"].iloc[10].timestamp() + 0.25
    edited = synthetic_picks("ev0010", t0).drop(columns="event")
    with transaction(platform.sessions, a.user_id) as s, \
            pytest.raises(ValidationError, match="velocities"):
        seismic.relocate(s, a, "SD-A-01", ids["ev0010"], edited)
    with transaction(platform.sessions, a.user_id) as s:
        seismic.configure(s, a, "SD-A-01", vp_m_s=VP, vs_m_s=VS)
        assert seismic.set_stations(s, a, "SD-A-01", STATIONS) == 6
        ev = seismic.relocate(s, a, "SD-A-01", ids["ev0010"], edited)
        position = np.array([ev.x, ev.y, ev.z])
        assert np.linalg.norm(position - TRUE_POSITION) < 0.5
        assert ev.time.timestamp() == pytest.approx(t0, abs=1e-4)
        assert len(ev.picks) == 12
    with transaction(platform.sessions, a.user_id) as s:
        stats_after = seismic.statistics(s, a, "SD-A-01")
        # ev0001 rejected and ev0002 now a blast: both left out of the statistics.
        assert stats_after.n_events == 390


def test_scope_other_enterprise_gets_not_found_regulator_reads(
        platform: Platform, reg: Registry, quakeml: tuple[Path, pd.DataFrame]) -> None:
    path, _ = quakeml
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        seismic.import_quakeml(s, reg.ent_a, "SD-A-01", path, rules=[])
        event_id = int(seismic.events_frame(s, reg.ent_a, "SD-A-01")["id"].iloc[0])
    with transaction(platform.sessions, reg.ent_b.user_id) as s:
        with pytest.raises(NotFoundError):
            seismic.events_frame(s, reg.ent_b, "SD-A-01")
        with pytest.raises(NotFoundError):
            seismic.review(s, reg.ent_b, "SD-A-01", event_id, "reject")
        with pytest.raises(NotFoundError):
            seismic.import_quakeml(s, reg.ent_b, "SD-A-01", path)
        # The scope before the file: refusing its kind would tell the site exists.
        with pytest.raises(NotFoundError):
            seismic.import_upload(s, reg.ent_b, "SD-A-01", "events.txt", b"x")
        assert seismic.catalogue_sites(s, reg.ent_b).empty
    with transaction(platform.sessions, reg.regulator.user_id) as s:
        assert len(seismic.events_frame(s, reg.regulator, "SD-A-01")) == 400
        assert list(seismic.catalogue_sites(s, reg.regulator)["site"]) == ["SD-A-01"]
        with pytest.raises(PermissionDenied):
            seismic.review(s, reg.regulator, "SD-A-01", event_id, "reject")
        with pytest.raises(PermissionDenied):
            seismic.import_upload(s, reg.regulator, "SD-A-01", "events.txt", b"x")


def test_export_round_trip_and_bad_upload(platform: Platform, reg: Registry,
                                          quakeml: tuple[Path, pd.DataFrame],
                                          tmp_path: Path) -> None:
    path, cat = quakeml
    a = reg.ent_a
    with transaction(platform.sessions, a.user_id) as s:
        seismic.configure(s, a, "SD-A-01", grid=GRID)
        seismic.import_upload(s, a, "SD-A-01", "events.xml", path.read_bytes(), rules=[])
        out = tmp_path / "export.xml"
        assert seismic.export_quakeml(s, a, "SD-A-01", out) == 400
        with pytest.raises(ValidationError, match="expected a QuakeML"):
            seismic.import_upload(s, a, "SD-A-01", "events.csv", b"a,b\n")
        with pytest.raises(ValidationError, match="not a readable QuakeML"):
            seismic.import_upload(s, a, "SD-A-01", "broken.xml", b"<not quakeml")
    back, picks = read_quakeml(out, GRID)
    assert sorted(back["event"]) == sorted(cat["event"])
    np.testing.assert_allclose(back.sort_values("event")["mw"], cat.sort_values("event")["mw"])
    assert len(picks) == 12


def test_ims_month_import(platform: Platform, reg: Registry, shared_data: Path) -> None:
    month = shared_data / "seismic" / "elkcreek" / "ims_events" / "2010-10_ims.parquet"
    if not month.exists():
        pytest.skip("Elk Creek IMS catalogue absent")
    a = reg.ent_a
    with transaction(platform.sessions, a.user_id) as s:
        first = seismic.import_ims(s, a, "SD-A-01", month, sample=1500, seed=1)
        again = seismic.import_ims(s, a, "SD-A-01", month, sample=1500, seed=1)
        result = seismic.statistics(s, a, "SD-A-01", delta_m=0.1)
    assert first.events_added == 1500 and again.events_added == 0
    assert result.b is not None and 0.5 < result.b["b"] < 2.0
