"""``aurum prospect``: the weights-of-evidence contract and its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner, Result
from shapely.geometry import Point

from aurum.cli import cli
from tests.prospect.conftest import RESPONSE_LAYERS

KEYS = ["layer", "class", "w_plus", "s_w_plus", "w_minus", "s_w_minus", "contrast",
        "studentized_contrast", "deposits", "area_km2"]


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["prospect", *map(str, args)])


def _read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read()


def test_wofe_json_with_binary_thresholds(mpm: Path, tmp_path: Path) -> None:
    weights = mpm / "CalculateWeights"
    result = _run("wofe", "--evidence", weights / "Dist2Breccia.tif",
                  weights / "FaultDensity.tif", "--deposits", weights / "IOCG_Deposits.shp",
                  "--binary-threshold", "Dist2Breccia=5000", "FaultDensity=5",
                  "--format", "json", "--out", tmp_path / "post.tif")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert all(list(row) == KEYS for row in rows)
    by_class = {(row["layer"], row["class"]): row for row in rows}
    assert set(by_class) == {("Dist2Breccia", "<=5000"), ("Dist2Breccia", ">5000"),
                             ("FaultDensity", "<=5"), ("FaultDensity", ">5")}
    breccia = by_class["Dist2Breccia", "<=5000"]
    assert (round(breccia["w_plus"], 4), round(breccia["s_w_plus"], 4)) == (0.4361, 0.0701)
    assert (round(breccia["w_minus"], 4), round(breccia["s_w_minus"], 4)) == (-0.8756, 0.1389)
    assert (round(breccia["contrast"], 4), round(breccia["studentized_contrast"], 2)) == (
        1.3117, 8.43)
    assert (breccia["deposits"], breccia["area_km2"]) == (206, pytest.approx(16_236.52))
    # the split rasters are the published binary maps: their tables and their posterior
    published = {name: pd.read_csv(mpm / "CalculateResponse" / f"{name}_CT.csv")
                 for name in ("Dist2Breccia", "FaultDensity")}
    fault = by_class["FaultDensity", ">5"]
    row = published["FaultDensity"].set_index("CLASS").loc[2]
    assert fault["w_plus"] == pytest.approx(row["WPLUS"], rel=1e-12)
    assert fault["studentized_contrast"] == pytest.approx(row["STUDC"], rel=1e-12)
    prior = 258 / 31_311.33
    logit = np.log(prior / (1 - prior))
    for name in published:
        with rasterio.open(mpm / "CalculateResponse" / f"{name}.tif") as src:
            classes = src.read(1)
        logit = logit + published[name].set_index("CLASS")["WEIGHT"].to_numpy()[classes - 1]
    bands = _read(tmp_path / "post.tif")
    assert bands.shape == (3, 2487, 1259)
    np.testing.assert_allclose(bands[0], 1 / (1 + np.exp(-logit)), rtol=1e-6)


def test_wofe_four_binary_maps_give_the_published_posterior(mpm: Path, tmp_path: Path) -> None:
    response = mpm / "CalculateResponse"
    evidence = [response / f"{name}.tif" for name in RESPONSE_LAYERS]
    # both forms of a repeated option: one flag with several values, and the flag repeated
    result = _run("wofe", "--evidence", *evidence[:3], "--evidence", evidence[3],
                  "--deposits", response / "IOCG_Deposits.shp", "--out", tmp_path / "p.tif")
    assert result.exit_code == 0, result.output
    assert "posterior AUC 0.7145" in result.output
    assert "observed 258" in result.output
    np.testing.assert_allclose(_read(tmp_path / "p.tif")[0],
                               _read(response / "PosteriorProbability.tif")[0], rtol=2e-7)


def test_wofe_cumulative_table(mpm: Path) -> None:
    weights = mpm / "CalculateWeights"
    result = _run("wofe", "--evidence", weights / "FaultDensity.tif", "--deposits",
                  weights / "IOCG_Deposits.shp", "--cumulative", "FaultDensity=descending",
                  "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    published = pd.read_csv(weights / "FaultDensity_CD.csv")
    assert [row["class"] for row in rows] == [f">={c}" for c in published["CLASS"]]
    np.testing.assert_allclose([row["contrast"] for row in rows], published["CONTRAST"],
                               rtol=1e-12)
    assert [row["deposits"] for row in rows] == published["NO_POINTS"].tolist()


def test_wofe_refuses_rasters_on_different_grids(mpm: Path, tmp_path: Path) -> None:
    response = mpm / "CalculateResponse"
    with rasterio.open(response / "StratNo.tif") as src:
        values, t, crs = src.read(1), src.transform, src.crs
    coarse = tmp_path / "StratNo.tif"
    with rasterio.open(coarse, "w", driver="GTiff", width=630, height=1244, count=1,
                       dtype="uint8", crs=crs, transform=Affine(200, 0, t.c, 0, -200, t.f),
                       nodata=3) as dst:
        dst.write(np.ascontiguousarray(values[::2, ::2]), 1)
    args = ("wofe", "--evidence", response / "Dist2Breccia.tif", coarse, "--deposits",
            response / "IOCG_Deposits.shp", "--format", "json")
    refused = _run(*args)
    assert refused.exit_code == 2
    assert f"error: {coarse}: raster is on a different grid" in refused.output
    assert "choose a resampling method" in refused.output
    accepted = _run(*args, "--resampling", "nearest")
    assert accepted.exit_code == 0, accepted.output
    assert {row["layer"] for row in json.loads(accepted.output)} == {"Dist2Breccia", "StratNo"}


def test_wofe_refuses_deposits_outside_the_study_area(mpm: Path, tmp_path: Path) -> None:
    response = mpm / "CalculateResponse"
    frame = gpd.read_file(response / "IOCG_Deposits.shp")
    frame.loc[2, "geometry"] = Point(0.0, 0.0)
    frame.to_file(tmp_path / "deposits.gpkg", driver="GPKG")
    result = _run("wofe", "--evidence", response / "Dist2Fault.tif", "--deposits",
                  tmp_path / "deposits.gpkg")
    assert result.exit_code == 2
    assert "feature 3 at (0.00, 0.00) lies outside the study area (off the grid)" in (
        result.output)


@pytest.mark.parametrize(("option", "message"), [
    (["--binary-threshold", "Dist2Breccia=1000000"],
     "Dist2Breccia: class >1e+06 holds no cell of the study area"),
    (["--binary-threshold", "Dist2Fault=3"], "names layer 'Dist2Fault', which is not an "
                                             "evidence layer; layers: Dist2Breccia"),
    (["--binary-threshold", "Dist2Breccia"], "expects NAME=VALUE, got 'Dist2Breccia'"),
    (["--cumulative", "Dist2Breccia=sideways"], "must be ascending or descending"),
    ([], "categorical weights need integer classes"),
])
def test_wofe_bad_options(mpm: Path, tmp_path: Path, option: list[str], message: str) -> None:
    weights = mpm / "CalculateWeights"
    distance = tmp_path / "Dist2Breccia.tif"
    with rasterio.open(weights / "Dist2Breccia.tif") as src:
        profile = src.profile | {"dtype": "float32", "nodata": np.nan}
        values = np.where(src.read(1) < 0, np.nan, src.read(1)).astype(np.float32)
    with rasterio.open(distance, "w", **profile) as dst:
        dst.write(values, 1)
    result = _run("wofe", "--evidence", distance, "--deposits", weights / "IOCG_Deposits.shp",
                  *option)
    assert result.exit_code == 2
    assert message in result.output


def test_targets_command(mpm: Path, tmp_path: Path) -> None:
    result = _run("targets", "--prospectivity", mpm / "CalculateAUC" / "PosteriorProbability.tif",
                  "--threshold", "0.1", "--deposits", mpm / "CalculateAUC" / "IOCG_Deposits.shp",
                  "--out", tmp_path / "targets.gpkg", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert sum(row["known_deposits"] for row in rows) == 33
    assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
    assert len(gpd.read_file(tmp_path / "targets.gpkg")) == len(rows)
    neither = _run("targets", "--prospectivity",
                   mpm / "CalculateAUC" / "PosteriorProbability.tif",
                   "--out", tmp_path / "t.gpkg")
    assert neither.exit_code == 2
    assert "exactly one of --threshold and --top-area" in neither.output
