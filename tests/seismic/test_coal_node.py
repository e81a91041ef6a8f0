"""Relocating the coal-mine node array's catalogue events (QuakeML picks, StationXML).

The stations and origins are geographic; both are projected onto one local grid (tangent
plane at the stations' mean position). The catalogue used P picks only, rounded to 10 ms,
with NonLinLoc's time weights (two picks of event 1 are weighted down to 0.01 and 0.09);
we use the same picks and weights in a homogeneous model.

Velocity: Vp = 4,000 m/s. The summed misfit of the five relocations is flat between 3,400
and 4,200 m/s (weighted RMS of the four well-recorded events 3.98–3.99 ms) — the picks
cannot resolve the velocity — and the apparent velocities of the manual P picks from the
catalogue origins lie between 3,800 and 4,700 m/s; 4,000 m/s is inside both ranges.
Vs = Vp / 1.73 (no S pick is used).

Distances to the catalogue origins (m), with our 68 % ellipsoid's semi-major axis:
event 1 (2019-01-19 10:02) 29 (70), event 2 (13:57) 42 (437), event 3 (2019-01-21) 19 (86),
event 4 (2019-01-24) 90 (344), event 5 (2019-01-28) 2,874 (75,000: outside the array, on
one side of it, with an origin time 0.5 s off its own picks; unconstrained). Every
catalogue origin lies within 1.4 standard deviations of ours.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from aurum.seismic.catalog import read_quakeml
from aurum.seismic.detect import detect, picks_frame
from aurum.seismic.inventory import read_stationxml
from aurum.seismic.locate import Locator
from aurum.seismic.velocity import HomogeneousModel
from aurum.seismic.waveforms import read_waveforms, screen

VP = 4000.0
MODEL = HomogeneousModel(VP, VP / 1.73)


@pytest.fixture(scope="module")
def coal_node(seismic_data: Path) -> tuple:
    folder = seismic_data / "coal_node"
    inventory = read_stationxml(folder / "inv.xml")
    catalogue, picks = read_quakeml(sorted((folder / "events").glob("*.xml")), inventory.grid)
    return folder, inventory, catalogue, picks


def distances(located: pd.DataFrame, catalogue: pd.DataFrame) -> np.ndarray:
    merged = located.merge(catalogue, on="event", suffixes=("", "_cat"))
    return np.linalg.norm(merged[["x", "y", "z"]].to_numpy()
                          - merged[["x_cat", "y_cat", "z_cat"]].to_numpy(), axis=1)


def test_catalogue_picks_relocate_near_the_catalogue_origins(coal_node: tuple) -> None:
    _, inventory, catalogue, picks = coal_node
    used = picks[picks["in_origin"]]
    locator = Locator(inventory, MODEL)
    limit = np.sqrt(chi2.ppf(0.95, 3))
    found = []
    for event, rows in used.groupby("event", sort=False):
        hypo = locator.locate(event, rows.reset_index(drop=True))
        cat = catalogue.set_index("event").loc[event]
        delta = hypo.position - cat[["x", "y", "z"]].to_numpy(float)
        sigma = float(np.sqrt(delta @ np.linalg.solve(hypo.covariance[:3, :3], delta)))
        found.append((float(np.linalg.norm(delta)), hypo.ellipsoid.semi_axes[0], sigma))
    distance, major, sigma = map(np.array, zip(*found, strict=True))
    assert (sigma < limit).all()  # every catalogue origin inside our 95 % ellipsoid
    assert (distance[:4] < 100.0).all()  # the four events the array surrounds or faces
    assert np.median(distance[:4]) < 50.0
    assert major[4] > 10_000.0  # the fifth: our ellipsoid says it is unconstrained


def test_detected_p_picks_relocate_too(coal_node: tuple) -> None:
    """From the waveforms: our detections and automatic P picks, located the same way."""
    folder, inventory, catalogue, picks = coal_node
    channels, _ = screen(read_waveforms(folder / "waveforms")[0], inventory)
    detections = detect(channels, workers=2).detections
    auto = picks_frame(detections)
    locator = Locator(inventory, MODEL)
    distance = []
    for event in catalogue["event"][:3]:
        first = picks.loc[picks["event"] == event, "time"].min()
        (det,) = [d for d in detections if d.start - 0.05 <= first <= d.end]
        rows = auto[(auto["event"] == det.id) & (auto["phase"] == "P")]
        hypo = locator.locate(det.id, rows.reset_index(drop=True))
        cat = catalogue.set_index("event").loc[event]
        distance.append(np.linalg.norm(hypo.position - cat[["x", "y", "z"]].to_numpy(float)))
        assert abs(hypo.t0 - cat["time"].timestamp()) < 0.1
    assert distance[0] < 60.0 and distance[2] < 100.0
