"""The real Babbitt drillholes end to end: import with their real problems, desurvey,
composite, variogram, ordinary kriging, validation, classification and statement.

Babbitt is a Cu-Ni deposit measured in feet; the chain is unit-agnostic (grades in % Cu,
lengths in ft), which is what this test exercises on real, faulty data.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.grid import BlockGrid
from aurum.resources.classify import ClassificationRules, classify
from aurum.resources.composite import composite_by_length
from aurum.resources.desurvey import desurvey
from aurum.resources.drillholes import read_drillholes
from aurum.resources.estimate import SearchNeighbourhood, estimate
from aurum.resources.report import resource_statement
from aurum.resources.validate import cell_declustering, cross_validation
from aurum.resources.variogram import Structure, VariogramModel
from aurum.resources.variography import experimental_variogram, fit_variogram


def test_babbitt_from_drillholes_to_statement(shared_data: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    db = read_drillholes(folder / "collar_BABBITT.csv", folder / "survey_BABBITT.csv",
                         folder / "assay_BABBITT.csv")
    # The real faults: 70 survey stations at a placeholder depth of 90,000 ft, and unassayed
    # stretches; nothing else (no overlaps, no FROM >= TO, no text grades).
    counts = db.report.counts()
    assert counts["beyond_hole_length"] == 70
    assert counts["missing_grade"] == 71_771
    assert len(db.collars) == 399 and len(db.intervals) == 35_616

    comp = desurvey(db.collars, db.surveys).locate(
        composite_by_length(db.intervals, 20.0, grades=["CU"])).dropna(subset=["CU"])
    xyz = comp[["x", "y", "z"]].to_numpy()
    cu = comp["CU"].to_numpy()
    holes = comp["hole"].astype("category").cat.codes.to_numpy()

    # North and east (45 degrees either side, within 10 degrees of flat, 40 ft thick) and
    # down the holes: the three ranges of one spherical structure.
    north, east = (experimental_variogram(xyz, cu, az, 0.0, 300.0, 8, angle_tolerance=45.0,
                                          bandwidth_v=40.0, dip_tolerance=10.0)
                   for az in (0.0, 90.0))
    down = experimental_variogram(xyz, cu, 0.0, -90.0, 20.0, 10, angle_tolerance=10.0)
    fit = fit_variogram([north, east, down], ("spherical",), anisotropy="full")
    assert 0.5 * cu.var() < fit.sill < 1.5 * cu.var()
    model = VariogramModel(fit.nugget, tuple(Structure(s.type, s.sill, s.ranges, s.angles)
                                             for s in fit.structures))

    grid = BlockGrid((2_288_400.0, 413_900.0, -1_200.0), (400.0, 400.0, 100.0), (40, 29, 29))
    search = SearchNeighbourhood((2_000.0, 2_000.0, 600.0), min_samples=6, max_samples=24,
                                 max_per_hole=6)
    result = estimate(xyz, cu, grid, search, "ordinary", model, holes=holes,
                      discretisation=(2, 2, 2))
    est = result.estimate[~np.isnan(result.estimate)]
    assert est.size > 5_000

    # The model honours the data: its mean sits near the declustered mean of the composites
    # (clustered drilling inflates the naive mean), and leave-one-hole-out errors are
    # unbiased and close to conditionally unbiased.
    declus = cell_declustering(xyz[:, :2], cu, np.array([400.0, 800.0, 1600.0]))
    assert est.mean() == pytest.approx(declus.mean, rel=0.2)
    cv = cross_validation(xyz, cu, search, "ordinary", model, holes=holes)
    assert abs(cv.stats["mean_error"]) < 0.05 * cu.mean()
    assert 0.7 < cv.stats["slope"] < 1.3

    # Drilling at about 670 ft against short horizontal ranges: classify on the support
    # (samples used) and the kriging variance rather than the slope.
    tight = float(np.nanpercentile(result.variance, 25))
    rules = ClassificationRules.from_dict({"measured": {"min_samples": 24,
                                                        "max_variance": tight},
                                           "indicated": {"min_samples": 12}})
    classes = classify(rules, result.estimate, result.n_samples, result.slope,
                       result.variance)
    tonnes = np.full(grid.n_blocks, 400.0 * 400.0 * 100.0 * 0.0283168 * 3.0)  # ft3 -> m3
    table = resource_statement(tonnes, result.estimate, classes, [0.2],
                               date(2024, 12, 31)).table.set_index("category")
    m, i, mi = (table.loc[k] for k in ("Measured", "Indicated", "Measured + Indicated"))
    assert mi["tonnes_t"] == pytest.approx(m["tonnes_t"] + i["tonnes_t"])
    assert mi["metal_t"] == pytest.approx(m["metal_t"] + i["metal_t"])
    assert mi["grade_gpt"] == pytest.approx(mi["metal_t"] * 1e6 / mi["tonnes_t"])
    assert m["tonnes_t"] > 0 and i["tonnes_t"] > 0


def test_drillholes_command_feeds_a_run_file(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "drillholes" / "babbitt"
    samples = tmp_path / "composites.csv"
    result = CliRunner().invoke(cli, [
        "resources", "drillholes", "--collar", str(folder / "collar_BABBITT.csv"),
        "--survey", str(folder / "survey_BABBITT.csv"), "--assay",
        str(folder / "assay_BABBITT.csv"), "--grade", "CU", "--composite", "20",
        "--out", str(samples), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["holes"] == 399
    assert summary["problems"] == {"missing_grade": 71_771, "beyond_hole_length": 70}
    frame = pd.read_csv(samples)
    assert list(frame.columns) == ["x", "y", "z", "value", "hole"]
    assert len(frame) == summary["composites"]
    bad = CliRunner().invoke(cli, [
        "resources", "drillholes", "--collar", str(folder / "collar_BABBITT.csv"),
        "--survey", str(folder / "survey_BABBITT.csv"), "--assay",
        str(folder / "assay_BABBITT.csv"), "--grade", "CU", "--strict"])
    assert (bad.exit_code == 2 and "beyond" in bad.stderr) or "deeper" in bad.stderr
