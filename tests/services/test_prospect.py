"""Prospectivity studies through the service: the Geoscience Australia MPM-WofE demo, uploads,
scope and bad inputs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import prospect
from aurum.services.auth import Actor, Role

REGULATOR = Actor(1, "miit", Role.REGULATOR, None)
ALPHA = Actor(2, "alpha", Role.ENTERPRISE, frozenset({10}))
BETA = Actor(3, "beta", Role.ENTERPRISE, frozenset({20}))
GROUP = Actor(4, "group", Role.ENTERPRISE, frozenset({9, 10}))
AUDITOR = Actor(5, "audit", Role.AUDITOR, None)
SHANDONG = Actor(6, "sd-miit", Role.REGULATOR, None, "Shandong")
HENAN = Actor(7, "ha-miit", Role.REGULATOR, None, "Henan")
SITE_LON, SITE_LAT = 120.3, 37.4  # SD-A-01 of tests.factories
CELL_M, SIZE = 100.0, 100


def test_demo_reproduces_the_published_figures(prospect_demo: prospect.Study, mpm: Path) -> None:
    s = prospect_demo.summary
    published_auc = float(pd.read_csv(mpm / "CalculateAUC" / "IOCG_PostProb_AUC.csv")
                          ["AUC"].iloc[0])
    assert s["auc"] == pytest.approx(0.7145, abs=0.001)
    assert s["auc"] == pytest.approx(published_auc, abs=1e-9)
    assert s["n_deposits"] == 258
    breccia = next(t for t in s["layers"] if t["layer"] == "Dist2Breccia")
    inside = next(r for r in breccia["rows"] if r["class"] == 2)  # within 5 km of breccia
    assert (round(inside["w_plus"], 4), round(inside["s_w_plus"], 4)) == (0.4361, 0.0701)
    assert (round(inside["w_minus"], 4), round(inside["contrast"], 4)) == (-0.8756, 1.3117)
    assert inside["deposits"] == 206
    with rasterio.open(prospect_demo.posterior_path) as ours, \
            rasterio.open(mpm / "CalculateResponse" / "PosteriorProbability.tif") as theirs:
        np.testing.assert_allclose(ours.read(1), theirs.read(1), rtol=2e-7)
        np.testing.assert_allclose(ours.read(2), rasterio.open(
            mpm / "CalculateResponse" / "PosteriorProbability_StdDev.tif").read(1), rtol=2e-7)
    # the four maps overlap: more deposits predicted than observed (Bonham-Carter's 0.85)
    assert s["conditional_independence"]["ratio"] < 0.85
    assert s["unique_conditions"] == 16
    ml = s["ml"]
    assert 0.6 < ml["spatial_auc"] < 0.9 and 0.6 < ml["random_auc"] < 0.9
    assert ml["sampling"].startswith("1,290 negatives (5 per deposit)")
    targets = gpd.read_file(prospect_demo.targets_path)
    assert len(targets) == s["targets"]["count"] > 0
    assert targets["area_km2"].sum() <= 0.05 * s["study_area_km2"] + 1e-6
    assert (targets["expected_deposits"].diff().dropna() <= 0).all()
    assert s["success_rate"]["deposit_fraction"][-1] == pytest.approx(1.0)


def test_demo_is_cached_and_public(prospect_demo: prospect.Study, mpm: Path) -> None:
    demo = prospect_demo
    home = demo.folder.parent.parent
    again = prospect.demo_study(ALPHA, home, mpm / "CalculateResponse")
    assert again is not None and again.key == demo.key
    assert [s.key for s in prospect.list_studies(BETA, home)] == [demo.key]
    assert prospect.get_study(BETA, home, demo.key).summary["auc"] == demo.summary["auc"]
    assert "posterior" in demo.preview() and max(len(demo.preview()["x"]),
                                                  len(demo.preview()["y"])) <= 160


def _raster(values: np.ndarray, transform: Affine) -> bytes:
    with rasterio.MemoryFile() as memory:
        with memory.open(driver="GTiff", width=SIZE, height=SIZE, count=1,
                         dtype=values.dtype, crs="EPSG:32651", transform=transform) as dst:
            dst.write(values, 1)
        return bytes(memory.read())


def synthetic_inputs(folder: Path) -> tuple[list[tuple[str, bytes]], tuple[str, bytes],
                                            np.ndarray, np.ndarray]:
    """A 10 × 10 km district around site SD-A-01 (UTM 51N): distance (m) to a north-south
    fault and a two-unit rock map; 60 deposits, 45 of them within 500 m of the fault.
    Returns the evidence, the deposits as a zipped shapefile and the deposit rows and cols."""
    x0, y0 = Transformer.from_crs(4326, 32651, always_xy=True).transform(SITE_LON, SITE_LAT)
    transform = Affine(CELL_M, 0, x0 - 5_000, 0, -CELL_M, y0 + 5_000)
    cols = np.arange(SIZE)
    dist = np.tile(np.abs(cols - 30) * CELL_M, (SIZE, 1)).astype(np.float32)
    rock = np.where(np.arange(SIZE)[:, None] < 50, 1, 2).astype(np.uint8) * np.ones(
        (1, SIZE), np.uint8)
    rng = np.random.default_rng(7)
    rows = rng.integers(0, SIZE, 60)
    dep_cols = np.r_[rng.integers(26, 35, 45), rng.integers(0, SIZE, 15)]
    x, y = transform @ (dep_cols + 0.5, rows + 0.5)
    gpd.GeoDataFrame({"id": np.arange(60)}, geometry=gpd.points_from_xy(x, y),
                     crs="EPSG:32651").to_file(folder / "deposits.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.glob("deposits.*"):
            archive.write(path, path.name)
    evidence = [("dist.tif", _raster(dist, transform)), ("rock.tif", _raster(rock, transform))]
    return evidence, ("deposits.zip", buffer.getvalue()), rows, dep_cols


SYNTHETIC_PARAMS = prospect.StudyParams.from_dict(
    {"thresholds": {"dist": 500}, "block_size_m": 2000, "negative_buffer_m": 0,
     "min_target_cells": 2, "target_area_fraction": 0.2, "unit_area_km2": 0.01,
     "estimator": "logistic_regression"})


def test_uploaded_study_weights_scope_and_handover(tmp_path: Path) -> None:
    evidence, deposits, _, cols = synthetic_inputs(tmp_path)
    home = tmp_path / "home"
    study = prospect.study_from_uploads(ALPHA, home, "fault", evidence, deposits,
                                        params=SYNTHETIC_PARAMS)
    dist = next(t for t in study.summary["layers"] if t["layer"] == "dist")
    near = next(r for r in dist["rows"] if r["label"] == "<=500")
    # closed form, unit cell = one raster cell: W+ = ln[(d/N) / ((b - d)/(S - N))]
    b = np.count_nonzero(np.abs(np.arange(SIZE) - 30) * CELL_M <= 500) * SIZE
    d = int(np.count_nonzero(np.abs(cols - 30) * CELL_M <= 500))
    n, s = 60, SIZE * SIZE
    assert near["deposits"] == d
    assert near["w_plus"] == pytest.approx(np.log((d / n) / ((b - d) / (s - n))), rel=1e-12)
    assert study.summary["auc"] > 0.7 and (study.folder / "inputs" / "dist.tif").exists()
    # scope: the owner, its group and regulators read it; another enterprise does not
    assert prospect.get_study(GROUP, home, study.key).key == study.key
    assert prospect.get_study(REGULATOR, home, study.key).key == study.key
    with pytest.raises(NotFoundError, match="no prospectivity study"):
        prospect.get_study(BETA, home, study.key)
    assert prospect.list_studies(BETA, home) == []
    # a provincial regulator reads the studies run under its province, not an enterprise's
    # (a study does not record its owner's province)
    with pytest.raises(NotFoundError, match="no prospectivity study"):
        prospect.get_study(SHANDONG, home, study.key)
    own = prospect.study_from_uploads(SHANDONG, home, "fault", evidence, deposits,
                                      params=SYNTHETIC_PARAMS)
    assert own.key != study.key and own.summary["owner"]["province"] == "Shandong"
    assert [s.key for s in prospect.list_studies(SHANDONG, home)] == [own.key]
    assert prospect.get_study(REGULATOR, home, own.key).key == own.key
    for outsider in (HENAN, ALPHA):
        with pytest.raises(NotFoundError, match="no prospectivity study"):
            prospect.get_study(outsider, home, own.key)
    # the best target lies on the fault, 2 km west of the site: it hands over to the site
    rows_out = prospect.handover(study.summary["targets"]["rows"],
                                 [("SD-A-01", SITE_LON, SITE_LAT), ("FAR", 100.0, 30.0),
                                  ("NOWHERE", None, None)])
    assert rows_out[0]["site"] == "SD-A-01" and rows_out[0]["site_km"] == pytest.approx(
        2.0, abs=0.3)
    assert prospect.handover(rows_out[:1], [("FAR", 100.0, 30.0)])[0]["site"] is None


def test_bad_inputs_are_refused_clearly(tmp_path: Path) -> None:
    evidence, deposits, _, _ = synthetic_inputs(tmp_path)
    home = tmp_path / "home"
    with pytest.raises(ValidationError, match="must be a GeoTIFF") as bad:
        prospect.study_from_uploads(ALPHA, home, "x", [("dist.csv", b"a,b")], deposits)
    assert bad.value.problems[0].source == "dist.csv"
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no shapefile")
    with pytest.raises(ValidationError, match="one shapefile"):
        prospect.study_from_uploads(ALPHA, home, "x", evidence, ("d.zip", empty.getvalue()))
    with pytest.raises(ValidationError, match="not an evidence layer"):
        prospect.study_from_uploads(ALPHA, home, "x", evidence, deposits,
                                    params=prospect.StudyParams(thresholds={"gravity": 1.0}))
    with pytest.raises(ValidationError, match="class >99999 holds no cell"):
        prospect.study_from_uploads(ALPHA, home, "x", evidence, deposits,
                                    params=prospect.StudyParams(thresholds={"dist": 99999}))
    with pytest.raises(ValidationError, match="unknown parameter"):
        prospect.StudyParams.from_dict({"colour": "red"})
    with pytest.raises(ValidationError) as params:
        prospect.StudyParams.from_dict({"confidence": -1, "cumulative": {"dist": "sideways"}})
    assert {p.column for p in params.value.problems} == {"confidence", "dist"}
    with pytest.raises(PermissionDenied):
        prospect.list_studies(AUDITOR, home)


def test_a_raster_declaring_a_huge_grid_is_refused_from_its_header(tmp_path: Path) -> None:
    # A sparse, compressed GeoTIFF of a few hundred KB that declares 2.5·10⁹ cells: read in
    # full it would take hundreds of GB; refused before any band is read.
    bomb = tmp_path / "bomb.tif"
    with rasterio.open(bomb, "w", driver="GTiff", width=50_000, height=50_000, count=1,
                       dtype="uint8", crs="EPSG:32651", transform=Affine(10, 0, 0, 0, -10, 0),
                       tiled=True, compress="deflate", sparse_ok=True):
        pass
    assert bomb.stat().st_size < 1_000_000
    evidence, deposits, _, _ = synthetic_inputs(tmp_path)
    with pytest.raises(ValidationError) as huge:
        prospect.study_from_uploads(ALPHA, tmp_path / "home", "bomb",
                                    [("bomb.tif", bomb.read_bytes()), *evidence], deposits)
    problem = huge.value.problems[0]
    assert problem.source == "bomb.tif"
    assert "2,500,000,000 cells" in problem.message and "MAX_STUDY_CELLS" in problem.message
