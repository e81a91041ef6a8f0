"""``aurum seismic``: the command-line contracts scripts rely on, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.seismic.synthetic import mine_array, synthetic_picks
from aurum.seismic.velocity import HomogeneousModel


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["seismic", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    inventory = mine_array(12, seed=3)
    stations = tmp_path / "stations.csv"
    inventory.stations_frame()[["station", "x", "y", "z"]].to_csv(stations, index=False)
    hyp = np.array([[400.0, 400.0, 150.0], [200.0, 600.0, 100.0], [500.0, 300.0, 250.0]])
    picks = synthetic_picks(inventory, hyp, np.array([10.0, 20.0, 30.0]),
                            HomogeneousModel(5500.0, 3200.0), seed=1)
    picks = picks[["event", "station", "phase", "time"]]
    # event 2 keeps picks at three stations only; one pick names an unknown station
    picks = picks[(picks["event"] != 2) | picks["station"].isin(["S01", "S02", "S03"])]
    picks.loc[len(picks) + 100] = [1, "XX99", "P", 20.1]
    path = tmp_path / "picks.csv"
    picks.to_csv(path, index=False)
    return path, stations, hyp


def test_locate_contract(files: tuple[Path, Path, np.ndarray]) -> None:
    picks, stations, hyp = files
    code, out, err = run("locate", "--picks", str(picks), "--stations", str(stations),
                         "--vp", "5500", "--vs", "3200", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload) == ["events"]
    events = payload["events"]
    assert [e["event"] for e in events] == [0, 1]
    for e in events:
        assert list(e) == ["event", "x", "y", "z", "t0", "rms"]
        assert np.linalg.norm([e["x"], e["y"], e["z"]] - hyp[e["event"]]) < 10.0
        assert abs(e["t0"] - 10.0 * (e["event"] + 1)) < 0.002
    assert "station 'XX99' is not in the inventory" in err
    assert "event 2: picks at 3 station(s), at least 4 needed to locate" in err


def test_locate_bad_files(files: tuple[Path, Path, np.ndarray], tmp_path: Path) -> None:
    picks, stations, _ = files
    broken = tmp_path / "broken.csv"
    broken.write_text("event,station,time\n1,S01,0.5\n")
    code, _, err = run("locate", "--picks", str(broken), "--stations", str(stations),
                       "--vp", "5500", "--vs", "3200")
    assert code == 2 and "broken.csv, column phase: missing column" in err
    code, _, err = run("locate", "--picks", str(picks), "--stations", str(stations),
                       "--vp", "3000", "--vs", "3200")
    assert code == 2 and "P velocity must exceed S velocity" in err


def test_bvalue_contract(seismic_data: Path) -> None:
    path = seismic_data / "bvalue" / "simulated_magnitudes.csv"
    code, out, err = run("bvalue", "--magnitudes", str(path), "--column", "b_value = 1",
                         "--mc", "0", "--delta-m", "0.1", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload) == ["b", "b_std", "mc", "n", "a"]
    assert payload["b"] == pytest.approx(0.9985052731, abs=1e-6)
    assert payload["n"] == 6278 and payload["mc"] == 0.0
    code, out, _ = run("bvalue", "--magnitudes", str(path), "--column", "b_value = 1.5",
                       "--mc", "auto", "--delta-m", "0.1", "--format", "json")
    assert code == 0 and json.loads(out)["mc"] == pytest.approx(0.0)
    code, _, err = run("bvalue", "--magnitudes", str(path), "--mc", "0", "--delta-m", "0.1")
    assert code == 2 and "choose one with --column" in err
    code, _, err = run("bvalue", "--magnitudes", str(path), "--column", "b", "--mc", "low",
                       "--delta-m", "0.1")
    assert code == 2 and "no column 'b'" in err


def test_detect_contract(seismic_data: Path) -> None:
    code, out, err = run("detect", "--waveforms",
                         str(seismic_data / "elkcreek" / "burst_event_1.mseed"),
                         "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload) == ["detections", "problems"]
    (det,) = payload["detections"]
    assert det["start"].startswith("2010-12-04T00:37:10.")
    assert len(det["stations"]) >= 12 and det["location"] is None
    phases = {p["phase"] for p in det["picks"]}
    assert phases == {"P", "S"}
    assert all(set(p) >= {"station", "phase", "time", "weight", "quality"}
               for p in det["picks"])


def test_detect_and_locate_with_an_inventory(seismic_data: Path) -> None:
    folder = seismic_data / "coal_node"
    code, out, err = run("detect", "--waveforms", str(folder / "waveforms"),
                         "--inventory", str(folder / "inv.xml"), "--vp", "4000",
                         "--phases", "P", "--format", "json")
    assert code == 0, err
    detections = json.loads(out)["detections"]
    located = [d for d in detections if d["location"] is not None]
    assert len(detections) >= 5 and len(located) >= 5
    code, _, err = run("detect", "--waveforms", str(folder / "missing"))
    assert code == 0 and "waveform file or directory not found" in err
