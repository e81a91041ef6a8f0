"""Minimum-curvature desurvey against closed forms and the textbook station formula."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import NotFoundError
from aurum.resources.desurvey import desurvey
from aurum.resources.drillholes import read_drillholes

COLLAR = np.array([1000.0, 2000.0, 300.0])


def one_hole(stations: list[tuple[float, float, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    collars = pd.DataFrame({"hole": ["H"], "x": [COLLAR[0]], "y": [COLLAR[1]],
                            "z": [COLLAR[2]]})
    surveys = pd.DataFrame(stations, columns=["at", "az", "dip"]).assign(hole="H")
    return collars, surveys


def unit(az_deg: float, dip_deg: float) -> np.ndarray:
    az, dip = np.radians(az_deg), np.radians(dip_deg)
    return np.array([np.cos(dip) * np.sin(az), np.cos(dip) * np.cos(az), -np.sin(dip)])


def test_vertical_hole() -> None:
    trajectories = desurvey(*one_hole([(0, 0, 90), (40, 123, 90), (80, 0, 90)]))
    depth = np.array([0.0, 12.5, 40.0, 63.2, 80.0, 150.0])
    expected = np.column_stack([np.full(6, COLLAR[0]), np.full(6, COLLAR[1]),
                                COLLAR[2] - depth])
    np.testing.assert_allclose(trajectories.positions(["H"] * 6, depth), expected, atol=1e-9)


def test_straight_inclined_hole_and_first_station_below_collar() -> None:
    az, dip = np.radians(30.0), np.radians(60.0)
    trajectories = desurvey(*one_hole([(25, 30, 60), (90, 30, 60)]))
    depth = np.array([0.0, 10.0, 25.0, 57.3, 90.0, 120.0])
    expected = COLLAR + np.column_stack([depth * np.cos(dip) * np.sin(az),
                                         depth * np.cos(dip) * np.cos(az),
                                         -depth * np.sin(dip)])
    np.testing.assert_allclose(trajectories.positions(["H"] * 6, depth), expected, atol=1e-9)


def circle_arc(t1: np.ndarray, t2: np.ndarray, course: float, s: np.ndarray) -> np.ndarray:
    """Points at arc length ``s`` on the circle leaving the origin along t1, arriving along t2."""
    beta = np.arccos(np.clip(t1 @ t2, -1.0, 1.0))
    radius = course / beta
    normal = (t2 - np.cos(beta) * t1) / np.sin(beta)    # in the arc's plane, ⟂ t1, towards t2
    theta = s[:, None] / radius
    return radius * (np.sin(theta) * t1 + (1.0 - np.cos(theta)) * normal)


@pytest.mark.parametrize(("first", "second", "course"), [
    ((0.0, 90.0), (0.0, 0.0), 100.0),          # vertical to horizontal north: a quarter circle
    ((30.0, 45.0), (80.0, 70.0), 120.0),       # a general arc: azimuth and dip both change
    ((200.0, 60.0), (201.0, 60.5), 30.0),      # a gentle dogleg
])
def test_constant_curvature_arc(first: tuple[float, float], second: tuple[float, float],
                                course: float) -> None:
    top = 15.0
    trajectories = desurvey(*one_hole([(top, *first), (top + course, *second)]))
    t1, t2 = unit(*first), unit(*second)
    s = np.linspace(0.0, course, 9)
    start = COLLAR + top * t1
    expected = start + circle_arc(t1, t2, course, s)
    got = trajectories.positions(["H"] * s.size, top + s)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    below = trajectories.positions(["H"], [top + course + 40.0])[0]
    np.testing.assert_allclose(below, expected[-1] + 40.0 * t2, atol=1e-9)


def test_quarter_circle_in_closed_form() -> None:
    radius = 200.0 / np.pi                        # 100 m course turning 90°
    trajectories = desurvey(*one_hole([(0, 0, 90), (100, 0, 0)]))
    theta = np.radians([0.0, 30.0, 45.0, 90.0])
    got = trajectories.positions(["H"] * 4, radius * theta)
    expected = COLLAR + np.column_stack([np.zeros(4), radius * (1 - np.cos(theta)),
                                         -radius * np.sin(theta)])
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_unknown_hole_is_named() -> None:
    trajectories = desurvey(*one_hole([(0, 0, 90)]))
    with pytest.raises(NotFoundError, match="1 hole\\(s\\) not desurveyed: NOPE"):
        trajectories.positions(["H", "NOPE"], [1.0, 2.0])


def textbook(collar: np.ndarray, at: np.ndarray, az: np.ndarray, dip: np.ndarray
             ) -> np.ndarray:
    """Station positions by the textbook minimum-curvature formula (inclination from vertical)."""
    inc, azi = np.radians(90.0 - dip), np.radians(az)
    out = [collar + at[0] * np.array([np.sin(inc[0]) * np.sin(azi[0]),
                                      np.sin(inc[0]) * np.cos(azi[0]), -np.cos(inc[0])])]
    for k in range(1, at.size):
        i1, i2, a1, a2 = inc[k - 1], inc[k], azi[k - 1], azi[k]
        cos_beta = np.cos(i2 - i1) - np.sin(i1) * np.sin(i2) * (1.0 - np.cos(a2 - a1))
        beta = np.arccos(np.clip(cos_beta, -1.0, 1.0))
        rf = 1.0 if beta == 0.0 else 2.0 / beta * np.tan(beta / 2.0)
        half = 0.5 * (at[k] - at[k - 1]) * rf
        out.append(out[-1] + half * np.array([
            np.sin(i1) * np.sin(a1) + np.sin(i2) * np.sin(a2),
            np.sin(i1) * np.cos(a1) + np.sin(i2) * np.cos(a2),
            -(np.cos(i1) + np.cos(i2))]))
    return np.array(out)


def test_babbitt_against_the_textbook_formula(shared_data: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    db = read_drillholes(folder / "collar_BABBITT.csv", folder / "survey_BABBITT.csv",
                         folder / "assay_BABBITT.csv")
    trajectories = desurvey(db.collars, db.surveys)
    assert len(trajectories.holes) == 399
    stations = trajectories.stations()
    assert len(stations) == 2_558
    collars = db.collars.set_index("hole")[["x", "y", "z"]]
    expected = np.concatenate([
        textbook(collars.loc[hole].to_numpy(float), g["at"].to_numpy(), g["az"].to_numpy(),
                 g["dip"].to_numpy())
        for hole, g in db.surveys.groupby("hole", sort=False)])
    np.testing.assert_allclose(stations[["x", "y", "z"]].to_numpy(), expected, rtol=0,
                               atol=1e-6)
    at_stations = trajectories.positions(stations["hole"], stations["at"])
    np.testing.assert_allclose(at_stations, expected, rtol=0, atol=1e-6)
    # Every interval placed: mid-points below their collars, chords no longer than the arcs
    # (and not much shorter: the longest unsampled intervals, 1,000 ft and more, bend most).
    located = trajectories.locate(db.intervals)
    assert len(located) == 35_616 and np.isfinite(located[["x", "y", "z"]]).all(axis=None)
    assert (located["z"] < located["hole"].map(collars["z"])).all()
    chord = np.linalg.norm(located[["x_to", "y_to", "z_to"]].to_numpy()
                           - located[["x_from", "y_from", "z_from"]].to_numpy(), axis=1)
    length = (located["to"] - located["from"]).to_numpy()
    assert (chord <= length + 1e-9).all() and (chord >= 0.99 * length).all()
