"""The catalogue frame: Elk Creek IMS months, QuakeML round trip, classification hook."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.seismic.catalog import (
    CATALOGUE_COLUMNS,
    BlastTimeClassifier,
    catalogue_frame,
    classify,
    read_ims_catalogue,
    read_quakeml,
    write_quakeml,
)
from aurum.seismic.inventory import LocalGrid
from aurum.seismic.source import apparent_stress, apparent_volume, moment_magnitude
from aurum.seismic.stats import (
    b_value,
    cumulative_apparent_volume,
    energy_index_trend,
    mc_b_stability,
    mc_maximum_curvature,
)

IMS_RIGIDITY_PA = 3.3e10
"""The shear modulus behind the IMS apparent stresses: σa M0 / E in every row."""


@pytest.fixture(scope="module")
def elk_creek(seismic_data: Path) -> pd.DataFrame:
    return read_ims_catalogue(seismic_data / "elkcreek" / "ims_events")


def test_elk_creek_months_load(elk_creek: pd.DataFrame) -> None:
    assert list(elk_creek.columns) == CATALOGUE_COLUMNS
    assert len(elk_creek) == 111_639  # 9,117 + 11,982 + 15,884 + 37,167 + 26,076 + 11,413
    assert elk_creek["time"].is_monotonic_increasing
    assert str(elk_creek["time"].min()) == "2010-10-01 00:13:58.878000+00:00"
    assert str(elk_creek["time"].max()) == "2011-03-31 23:39:26.513000+00:00"
    assert set(elk_creek["evaluation"]) == {"manual", "automatic"}
    assert elk_creek[["x", "y", "z", "ml", "mw", "moment", "energy"]].notna().all().all()


def test_elk_creek_source_parameters_follow_the_published_definitions(
        elk_creek: pd.DataFrame) -> None:
    """Our formulas give the catalogue's own derived columns back: Hanks–Kanamori Mw (the
    file rounds it to 0.1), σa = μ E / M0 and V_A = M0² / (2 μ E) with μ = 33 GPa (the file
    keeps 3 significant digits)."""
    assert np.abs(moment_magnitude(elk_creek["moment"]) - elk_creek["mw"]).max() < 0.055
    sa = apparent_stress(elk_creek["energy"], elk_creek["moment"], IMS_RIGIDITY_PA)
    ratio = sa / elk_creek["apparent_stress"]
    assert np.percentile(np.abs(ratio - 1), 99) < 0.01
    va = apparent_volume(elk_creek["moment"], elk_creek["energy"], IMS_RIGIDITY_PA)
    assert np.percentile(np.abs(va / elk_creek["apparent_volume"] - 1), 99) < 0.01


def test_elk_creek_statistics_are_sane(elk_creek: pd.DataFrame) -> None:
    """Mc and b of a coal-mine catalogue: ML complete from about −0.7, b near 1 (0.8–1.0
    for ML, steeper for Mw as in mining catalogues); apparent stress around a kilopascal
    (coal: 10² – 10⁴ Pa), energy growing as about M0¹ (constant apparent stress)."""
    mc_ml = mc_maximum_curvature(elk_creek["ml"], 0.1)
    assert mc_ml == pytest.approx(-0.7)
    ml = b_value(elk_creek["ml"], mc_ml, 0.1)
    assert 0.8 < ml.b < 1.0 and ml.n > 40_000 and ml.b_std < 0.01
    mc_mw = mc_b_stability(elk_creek["mw"], 0.1)
    mw = b_value(elk_creek["mw"], mc_mw, 0.1)
    assert 0.3 <= mc_mw <= 0.7 and 1.0 < mw.b < 1.4
    assert 500.0 < elk_creek["apparent_stress"].median() < 2000.0
    trend = energy_index_trend(elk_creek, 1000)
    assert np.nanmedian(np.log10(trend["energy_index"])) == pytest.approx(0.0, abs=0.1)
    volume = cumulative_apparent_volume(elk_creek)
    assert volume.is_monotonic_increasing
    assert volume.iloc[-1] == pytest.approx(elk_creek["apparent_volume"].sum())


def test_ims_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not found"):
        read_ims_catalogue([tmp_path / "none.parquet"])
    pd.DataFrame({"Date": ["2010-10-01"]}).to_parquet(tmp_path / "m.parquet")
    with pytest.raises(ValidationError, match="missing IMS column") as info:
        read_ims_catalogue(tmp_path)
    assert any(p.column == "Location X" for p in info.value.problems)


def test_quakeml_round_trip(tmp_path: Path) -> None:
    grid = LocalGrid(38.96, -107.48, 2000.0)
    catalogue = catalogue_frame([
        {"event": "e1", "time": pd.Timestamp("2010-12-04 00:37:10.697", tz="UTC"),
         "x": 120.5, "y": -40.25, "z": -310.0, "ml": 1.47, "mw": 1.76, "moment": 4.77e11,
         "energy": 4.03e5, "apparent_stress": 2.28e4, "apparent_volume": 1.04e6,
         "corner_frequency": 64.5, "event_type": "event", "evaluation": "manual"},
        {"event": "b2", "time": pd.Timestamp("2010-12-04 12:00:00", tz="UTC"),
         "x": 0.0, "y": 0.0, "z": 0.0, "ml": 0.2, "event_type": "blast"}])
    picks = pd.DataFrame({"event": ["e1", "e1"], "station": ["LAY", "TNE"],
                          "phase": ["P", "S"], "time": [1291423030.859129, 1291423030.8439],
                          "channel": ["Z", "E"], "network": ["EC", "EC"],
                          "uncertainty": [0.0019, np.nan]})
    path = tmp_path / "cat.xml"
    write_quakeml(catalogue, path, grid, picks)
    back, back_picks = read_quakeml(path, grid)
    assert list(back["event"]) == ["e1", "b2"]
    assert list(back["event_type"]) == ["event", "blast"]
    for column in ("x", "y", "z"):
        assert np.allclose(back[column], catalogue[column], atol=1e-6)
    assert (back["time"] == catalogue["time"]).all()
    for column in ("ml", "mw", "moment", "energy", "apparent_stress", "corner_frequency"):
        assert back.loc[0, column] == pytest.approx(catalogue.loc[0, column])
    assert np.isnan(back.loc[1, "mw"])
    assert len(back_picks) == 2 and back_picks["in_origin"].all()
    assert back_picks["time"].to_numpy() == pytest.approx(picks["time"].to_numpy(), abs=1e-6)
    # a reader without our grid gets the same grid coordinates from the extra elements
    plain, _ = read_quakeml(path)
    assert plain.loc[0, "x"] == pytest.approx(120.5)


def test_coal_node_quakeml(seismic_data: Path) -> None:
    files = sorted((seismic_data / "coal_node" / "events").glob("*.xml"))
    catalogue, picks = read_quakeml(files, LocalGrid(47.683, -117.406))
    assert len(catalogue) == 5 and catalogue["ml"].notna().all()
    assert catalogue.loc[0, "ml"] == pytest.approx(-0.7908804499049045)
    assert (picks.groupby("event")["in_origin"].sum() >= 10).all()


def test_classification_hook() -> None:
    times = pd.to_datetime(["2024-05-01 11:55", "2024-05-01 12:20", "2024-05-01 23:58",
                            "2024-05-02 00:05", "2024-05-02 03:00"], utc=True)
    catalogue = catalogue_frame({"event": list("abcde"), "time": times})
    out = classify(catalogue, BlastTimeClassifier(("12:00", "00:00"), window_min=10))
    assert list(out["event_type"]) == ["blast", "event", "blast", "blast", "event"]
    with pytest.raises(ValidationError, match="unknown event types"):
        classify(catalogue, lambda c: pd.Series(["quake"] * len(c)))
    with pytest.raises(ValidationError, match="returned 1 labels"):
        classify(catalogue, lambda c: pd.Series(["event"]))
