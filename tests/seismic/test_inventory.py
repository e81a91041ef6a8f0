"""Stations from StationXML and CSV; the local grid against PROJ's topocentric conversion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.seismic.inventory import LocalGrid, read_inventory, read_station_csv, read_stationxml


def test_local_grid_matches_proj_topocentric() -> None:
    pyproj = pytest.importorskip("pyproj")
    grid = LocalGrid(47.683, -117.406, 550.0)
    rng = np.random.default_rng(0)
    lat = 47.683 + rng.uniform(-0.04, 0.04, 50)
    lon = -117.406 + rng.uniform(-0.05, 0.05, 50)
    h = rng.uniform(0.0, 1200.0, 50)
    ours = grid.to_local(lat, lon, h)
    transformer = pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=cart +ellps=WGS84 "
        "+step +proj=topocentric +ellps=WGS84 +lat_0=47.683 +lon_0=-117.406 +h_0=550")
    peer = np.column_stack(transformer.transform(lon, lat, h))
    assert np.abs(ours - peer).max() < 1e-6
    back = grid.to_geographic(ours)
    assert np.abs(back[0] - lat).max() < 1e-10 and np.abs(back[1] - lon).max() < 1e-10
    assert np.abs(back[2] - h).max() < 1e-6


def test_stationxml(seismic_data: Path) -> None:
    inventory = read_stationxml(seismic_data / "coal_node" / "inv.xml")
    assert len(inventory.stations) == 12
    assert inventory.channels_frame()["sampling_rate"].eq(250.0).all()
    assert set(inventory.channels_frame()["channel"]) == {"DPZ", "DPN", "DPE"}
    # station 1 lies about 3 km south-west of the others
    xyz = inventory.positions()
    assert 3000 < np.linalg.norm(inventory.station("1").position - xyz.mean(0)) < 3500
    # the aperture against ObsPy's geodesic distances (and the height differences)
    from obspy import read_inventory as obspy_inventory
    from obspy.geodetics import gps2dist_azimuth

    stations = [s for net in obspy_inventory(str(seismic_data / "coal_node" / "inv.xml"))
                for s in net]
    peer = max(np.hypot(gps2dist_azimuth(a.latitude, a.longitude, b.latitude,
                                         b.longitude)[0], a.elevation - b.elevation)
               for a in stations for b in stations)
    assert inventory.aperture() == pytest.approx(peer, abs=0.5)
    assert read_inventory(seismic_data / "coal_node" / "inv.xml").codes == inventory.codes


def test_station_csv_with_channels(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    pd.DataFrame({"station": ["A", "A", "B"], "x": [1, 1, 5.5], "y": [2, 2, 0],
                  "z": [-300, -300, -310], "channel": ["GPZ", "GPN", ""],
                  "sampling_rate": [6000, 6000, np.nan]}).to_csv(path, index=False)
    inventory = read_inventory(path)
    assert inventory.codes == ["A", "B"]
    assert [c.code for c in inventory.station("A").channels] == ["GPZ", "GPN"]
    assert inventory.station("B").channels == ()
    assert inventory.stations_frame()["n_channels"].tolist() == [2, 0]


def test_station_csv_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("station,x,y,z\nA,1,2,abc\nB,1,,3\nC,1,1,1\nC,2,1,1\n")
    with pytest.raises(ValidationError) as info:
        read_station_csv(bad)
    text = [str(p) for p in info.value.problems]
    assert text == ["bad.csv, row 3, column y: expected a finite number, got ''",
                    "bad.csv, row 2, column z: expected a finite number, got 'abc'"]
    bad.write_text("station,x,y,z\nC,1,1,1\nC,2,1,1\n")
    with pytest.raises(ValidationError, match="station C is given at 2 different positions"):
        read_station_csv(bad)
    bad.write_text("name,x,y\nC,1,1\n")
    with pytest.raises(ValidationError, match="missing column") as info:
        read_station_csv(bad)
    assert {p.column for p in info.value.problems} == {"station", "z"}
    with pytest.raises(ValidationError, match="not found"):
        read_station_csv(tmp_path / "none.csv")
