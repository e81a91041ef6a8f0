"""Location on synthetic arrays with known hypocentres.

The picks come from :func:`aurum.seismic.synthetic.synthetic_picks`: exact travel times from
the known hypocentres through the model, plus Gaussian noise of 1 ms on P and 2 ms on S
(about 6 samples at 6 kHz, the scatter of automatic picks on good mine records), every
station with a P pick and 80 % of them with an S pick. The array is
:func:`aurum.seismic.synthetic.mine_array`: 16 stations on four levels of an 800 × 800 ×
300 m block; the events lie inside it, at least 100 m from its sides and 30 m from its top
and bottom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from aurum.seismic.locate import LocateSettings, Locator, station_corrections
from aurum.seismic.synthetic import mine_array, synthetic_picks
from aurum.seismic.velocity import HomogeneousModel, LayeredModel

MODEL = HomogeneousModel(5500.0, 3200.0)


def events(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform([100, 100, 30], [700, 700, 270], (n, 3)), rng.uniform(0, 3600, n)


def errors(located: pd.DataFrame, hyp: np.ndarray) -> np.ndarray:
    idx = located["event"].astype(int).to_numpy()
    return np.linalg.norm(located[["x", "y", "z"]].to_numpy() - hyp[idx], axis=1)


def test_median_error_inside_the_array_homogeneous() -> None:
    inventory = mine_array(16, seed=1)
    hyp, t0 = events(40, seed=5)
    picks = synthetic_picks(inventory, hyp, t0, MODEL, seed=2)
    result = Locator(inventory, MODEL).locate_all(picks)
    assert result.problems == []
    assert len(result.events) == 40
    err = errors(result.events, hyp)
    assert np.median(err) < 10.0
    assert np.percentile(err, 90) < 20.0
    idx = result.events["event"].astype(int).to_numpy()
    assert np.median(np.abs(result.events["t0"] - t0[idx])) < 1e-3
    # residual RMS near the pick noise (1 ms on P, 2 ms on S)
    assert 0.8e-3 < result.events["rms"].median() < 2.0e-3


def test_error_ellipsoid_covers_the_truth() -> None:
    """With the a priori pick error right, about 68 % of the true hypocentres fall inside
    the 68 % ellipsoid (40 events: accept 45–90 %)."""
    inventory = mine_array(16, seed=1)
    hyp, t0 = events(40, seed=8)
    picks = synthetic_picks(inventory, hyp, t0, MODEL, p_std_s=1e-3, s_std_s=1e-3, seed=4)
    locator = Locator(inventory, MODEL, settings=LocateSettings(pick_std_s=1e-3,
                                                                loss="linear"))
    inside = 0
    for event, rows in picks.groupby("event"):
        h = locator.locate(event, rows)
        delta = h.position - hyp[int(event)]
        inside += float(delta @ np.linalg.solve(h.covariance[:3, :3], delta)) \
            <= chi2.ppf(0.68, 3)
    assert 0.45 <= inside / 40 <= 0.9


def test_layered_model() -> None:
    inventory = mine_array(16, seed=1)
    model = LayeredModel((150.0,), (5000.0, 6000.0), (2900.0, 3500.0))
    hyp, t0 = events(20, seed=6)
    picks = synthetic_picks(inventory, hyp, t0, model, seed=3)
    result = Locator(inventory, model).locate_all(picks)
    assert np.median(errors(result.events, hyp)) < 10.0
    # the same picks located as if the ground were homogeneous are worse
    homogeneous = Locator(inventory, HomogeneousModel(5500.0, 3200.0)).locate_all(picks)
    assert np.median(errors(homogeneous.events, hyp)) > np.median(errors(result.events, hyp))


def test_a_wrong_pick_does_not_drag_the_location() -> None:
    inventory = mine_array(16, seed=1)
    hyp, t0 = events(10, seed=9)
    picks = synthetic_picks(inventory, hyp, t0, MODEL, seed=5)
    first_p = picks.groupby("event").head(1).index
    picks.loc[first_p, "time"] += 0.05  # each event's first P picked 50 ms late
    result = Locator(inventory, MODEL).locate_all(picks)
    assert np.median(errors(result.events, hyp)) < 10.0


def test_station_corrections_from_calibration_blasts() -> None:
    inventory = mine_array(16, seed=1)
    rng = np.random.default_rng(12)
    delay = pd.Series(rng.uniform(-0.004, 0.004, 16), index=inventory.codes)
    blasts_xyz, blasts_t0 = events(8, seed=13)
    hyp, t0 = events(20, seed=14)

    def delayed(picks: pd.DataFrame) -> pd.DataFrame:
        return picks.assign(time=picks["time"] + delay[picks["station"]].to_numpy())

    blast_picks = delayed(synthetic_picks(inventory, blasts_xyz, blasts_t0, MODEL,
                                          p_std_s=2e-4, s_std_s=4e-4, seed=15))
    blasts = pd.DataFrame({"event": range(8), "x": blasts_xyz[:, 0], "y": blasts_xyz[:, 1],
                           "z": blasts_xyz[:, 2], "t0": blasts_t0})
    corrections = station_corrections(blast_picks, blasts, inventory, MODEL)
    p = corrections[corrections["phase"] == "P"].set_index("station")["correction"]
    assert np.abs(p - delay[p.index]).max() < 5e-4
    assert (corrections["n"] <= 8).all() and (corrections["n"] >= 1).all()

    picks = delayed(synthetic_picks(inventory, hyp, t0, MODEL, seed=16))
    plain = Locator(inventory, MODEL).locate_all(picks)
    corrected = Locator(inventory, MODEL, corrections=corrections).locate_all(picks)
    assert np.median(errors(corrected.events, hyp)) < np.median(errors(plain.events, hyp))
    assert np.median(errors(corrected.events, hyp)) < 10.0


def test_bad_picks_are_reported_and_the_batch_goes_on() -> None:
    inventory = mine_array(12, seed=2)
    hyp, t0 = events(4, seed=3)
    picks = synthetic_picks(inventory, hyp, t0, MODEL, seed=1)
    extra = pd.DataFrame([
        {"event": 0, "station": "NOPE", "phase": "P", "time": 1.0, "weight": 1.0},
        {"event": 1, "station": "S01", "phase": "P", "time": np.nan, "weight": 1.0},
        {"event": 1, "station": "S02", "phase": "Pg", "time": 1.0, "weight": 1.0},
        {"event": 9, "station": "S01", "phase": "P", "time": 1.0, "weight": 1.0},
        {"event": 9, "station": "S02", "phase": "P", "time": 1.1, "weight": 1.0},
        {"event": 9, "station": "S03", "phase": "P", "time": 1.2, "weight": 1.0},
        {"event": 9, "station": "S03", "phase": "P", "time": 1.3, "weight": 1.0},
    ])
    result = Locator(inventory, MODEL).locate_all(pd.concat([picks, extra]), source="p.csv")
    assert sorted(result.events["event"].astype(int)) == [0, 1, 2, 3]
    messages = [str(p) for p in result.problems]
    assert any("station 'NOPE' is not in the inventory" in m for m in messages)
    assert any("time is not a number" in m for m in messages)
    assert any("phase 'PG' is not P or S" in m for m in messages)
    assert any("second P pick at station S03" in m for m in messages)
    assert any("event 9: picks at 3 station(s), at least 4 needed" in m for m in messages)
    assert all(m.startswith("p.csv") for m in messages)
    assert np.median(errors(result.events, hyp)) < 10.0
