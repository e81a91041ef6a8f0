"""GSLIB kt3d reproduced through a RUN.yaml: every node's estimate and kriging variance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from aurum.cli import cli
from aurum.core.grid import BlockGrid
from aurum.resources.estimate import SearchNeighbourhood, estimate
from aurum.resources.gslib import read_gslib
from aurum.resources.variogram import Structure, VariogramModel
from tests.resources.test_cluster_parts import _nothing_left


def test_kt3d_case_through_the_run_file(shared_data: Path, tmp_path: Path) -> None:
    gslib = shared_data / "gslib"
    data = read_gslib(gslib / "data3D_samples.gslib")
    # kt3d_case.par: columns 1, 2, 3 are x, y, z and column 4 the variable (clay).
    samples = data.iloc[:, [0, 1, 2, 3]].set_axis(["x", "y", "z", "value"], axis=1)
    samples.to_csv(tmp_path / "samples.csv", index=False, float_format="%.9g")
    run = {
        "samples": "samples.csv",
        "grid": {"origin": [0.5, 0.5, 2200.5], "size": [1, 1, 1], "count": [100, 100, 1]},
        "variogram": {"nugget": 0.2, "structures": [
            {"type": "spherical", "sill": 0.8, "ranges": [50, 40, 10],
             "angles": [45, 10, -5]}]},
        "search": {"radii": [500, 500, 500], "angles": [0, 0, 0], "min_samples": 1,
                   "max_samples": 50, "max_per_octant": 0, "max_per_hole": 0},
        "method": "ordinary",
        "discretisation": [1, 1, 1],
        "output": "blocks.csv",
    }
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(run))
    result = CliRunner().invoke(cli, ["resources", "estimate", str(tmp_path / "run.yaml"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["blocks"] == summary["estimated"] == 10_000
    ours = pd.read_csv(tmp_path / "blocks.csv")
    ref = read_gslib(gslib / "kt3d_output.gslib")
    assert list(ours.columns) == ["x", "y", "z", "estimate", "variance", "n_samples"]
    # GSLIB order: x fastest, then y.
    assert ours["x"].iloc[:3].tolist() == [0.5, 1.5, 2.5] and ours["y"].iloc[100] == 1.5
    np.testing.assert_allclose(ours["estimate"], ref["Estimate"], rtol=1e-4)
    np.testing.assert_allclose(ours["variance"], ref["EstimationVariance"], rtol=1e-4)
    assert summary["mean"] == pytest.approx(ref["Estimate"].mean(), rel=1e-5)


MODEL = VariogramModel(0.1, (Structure("spherical", 0.9, (100, 100, 100)),))


def test_closed_form_cases() -> None:
    xyz = np.array([[0.0, 0.0, 0.0], [50.0, 0.0, 0.0]])
    z = np.array([1.0, 3.0])
    grid = BlockGrid((0.0, 0.0, 0.0), (1, 1, 1), (1, 1, 1))
    search = SearchNeighbourhood((500, 500, 500), max_samples=8)
    ok = estimate(xyz, z, grid, search, "ordinary", MODEL)
    # At a sample, point ordinary kriging returns it with zero variance (exact interpolator).
    assert ok.estimate[0] == pytest.approx(1.0) and ok.variance[0] == pytest.approx(0, abs=1e-12)
    # Midway between two samples the weights are 1/2 each by symmetry.
    mid = BlockGrid((25.0, 0.0, 0.0), (1, 1, 1), (1, 1, 1))
    ok = estimate(xyz, z, mid, search, "ordinary", MODEL)
    assert ok.estimate[0] == pytest.approx(2.0)
    # Variance in closed form: C(0) - 2 * 0.5 * C(25) - mu, with mu from the unbias row:
    # 0.5 C(0) + 0.5 C(50) + mu = C(25).
    c0, c25, c50 = MODEL.covariance(np.zeros((3, 3)), np.array([[0, 0, 0], [25, 0, 0],
                                                                [50, 0, 0.0]]))
    mu = c25 - 0.5 * (c0 + c50)
    assert ok.variance[0] == pytest.approx(c0 - c25 - mu)
    # Simple kriging with one sample far beyond the range returns the mean.
    far = BlockGrid((400.0, 0.0, 0.0), (1, 1, 1), (1, 1, 1))
    sk = estimate(xyz, z, far, search, "simple", MODEL, mean=7.0)
    assert sk.estimate[0] == pytest.approx(7.0) and sk.variance[0] == pytest.approx(1.0)
    # Inverse distance squared: weights 1/25^2 and 1/75^2 at x = -25.
    left = BlockGrid((-25.0, 0.0, 0.0), (1, 1, 1), (1, 1, 1))
    idw = estimate(xyz, z, left, search, "idw", power=2)
    w1, w2 = 1 / 25**2, 1 / 75**2
    assert idw.estimate[0] == pytest.approx((w1 * 1 + w2 * 3) / (w1 + w2))


def test_search_limits_octants_and_holes() -> None:
    rng = np.random.default_rng(3)
    xyz = rng.uniform(-50, 50, (400, 3))
    z = rng.normal(size=400)
    holes = np.repeat(np.arange(40), 10)
    grid = BlockGrid((0.0, 0.0, 0.0), (10, 10, 10), (3, 3, 3))
    base = SearchNeighbourhood((80, 80, 80), max_samples=16)
    assert (estimate(xyz, z, grid, base, "idw").n_samples == 16).all()
    few = SearchNeighbourhood((5, 5, 5), min_samples=3, max_samples=16)
    sparse = estimate(xyz, z, grid, few, "ordinary", MODEL)
    assert np.isnan(sparse.estimate[sparse.n_samples < 3]).all()
    per_hole = SearchNeighbourhood((80, 80, 80), max_samples=16, max_per_hole=2)
    res = estimate(xyz, z, grid, per_hole, "ordinary", MODEL, holes=holes)
    assert (res.n_samples == 16).all()
    per_octant = SearchNeighbourhood((80, 80, 80), max_samples=16, max_per_octant=2)
    assert (estimate(xyz, z, grid, per_octant, "ordinary", MODEL).n_samples == 16).all()


def test_block_discretisation_lowers_the_variance() -> None:
    rng = np.random.default_rng(5)
    xyz = rng.uniform(0, 100, (200, 3))
    z = rng.normal(size=200)
    grid = BlockGrid((50.0, 50.0, 50.0), (20, 20, 20), (1, 1, 1))
    search = SearchNeighbourhood((200, 200, 200), max_samples=24)
    point = estimate(xyz, z, grid, search, "ordinary", MODEL)
    block = estimate(xyz, z, grid, search, "ordinary", MODEL, discretisation=(4, 4, 4))
    assert block.variance[0] < point.variance[0]
    assert 0 < block.efficiency[0] <= 1 and 0 < block.slope[0] <= 1


def _invoke(tmp_path: Path, run: dict[str, object], samples: str) -> tuple[int, str]:
    (tmp_path / "s.csv").write_text(samples)
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(run))
    result = CliRunner().invoke(cli, ["resources", "estimate", str(tmp_path / "run.yaml")])
    return result.exit_code, result.output


GOOD_RUN = {"samples": "s.csv", "output": "out.csv", "method": "ordinary",
            "grid": {"origin": [0, 0, 0], "size": [1, 1, 1], "count": [2, 2, 1]},
            "variogram": {"nugget": 0.1, "structures": [
                {"type": "spherical", "sill": 1, "ranges": [10, 10, 10]}]},
            "search": {"radii": [50, 50, 50], "max_samples": 8}}


@pytest.mark.parametrize(("change", "samples", "words"), [
    ({"method": "cokriging"}, None, "expected ordinary, simple or idw"),
    ({"grid": {"origin": [0, 0], "size": [1, 1, 1], "count": [2, 2, 1]}}, None,
     "grid.origin"),
    ({"variogram": {"nugget": 0.1, "structures": [
        {"type": "cubic", "sill": -1, "ranges": [0, 1, 1]}]}}, None, "structures[0].type"),
    ({"method": "simple"}, None, "simple kriging needs the mean"),
    ({}, "x,y,z,value\n1,2,3,0.5\n1,2,x3,0.7\n", "row 3, column z"),
    ({}, "x,y,value\n1,2,0.5\n", "column z: missing column"),
])
def test_bad_run_files_are_refused_with_a_clear_message(tmp_path: Path, change: dict,
                                                        samples: str | None,
                                                        words: str) -> None:
    code, output = _invoke(tmp_path, {**GOOD_RUN, **change},
                           samples or "x,y,z,value\n0,0,0,1\n1,1,0,2\n")
    assert code != 0
    assert words in output
    assert not (tmp_path / "out.csv").exists()


def test_cluster_chunks_equal_the_local_run() -> None:
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(21)
    xyz = rng.uniform(0, 200, (3000, 3))
    z = rng.lognormal(size=3000)
    grid = BlockGrid((5.0, 5.0, 5.0), (10, 10, 10), (20, 20, 20))
    search = SearchNeighbourhood((80, 80, 80), min_samples=4, max_samples=16)
    local = estimate(xyz, z, grid, search, "ordinary", MODEL)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        remote = estimate(xyz, z, grid, search, "ordinary", MODEL, chunk=250, client=client)
    np.testing.assert_array_equal(remote.n_samples, local.n_samples)
    np.testing.assert_allclose(remote.estimate, local.estimate, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(remote.variance, local.variance, rtol=1e-12, equal_nan=True)


def test_consecutive_cluster_runs_on_one_client() -> None:
    # Three runs on one client, with the same samples: before, the second reused the first's
    # content-hashed keys while they were being released, and hung or lost its inputs.
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(5)
    xyz = rng.uniform(0, 200, (2000, 3))
    z = rng.lognormal(size=2000)
    holes = rng.integers(0, 50, 2000)
    grid = BlockGrid((5.0, 5.0, 5.0), (10, 10, 10), (20, 20, 10))
    search = SearchNeighbourhood((80, 80, 80), min_samples=4, max_samples=16, max_per_hole=4)
    local = estimate(xyz, z, grid, search, "ordinary", MODEL, holes=holes)
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        for _ in range(3):
            remote = estimate(xyz, z, grid, search, "ordinary", MODEL, chunk=100,
                              holes=holes, client=client)
            np.testing.assert_allclose(remote.estimate, local.estimate, rtol=1e-12,
                                       equal_nan=True)
        assert _nothing_left(client)  # nothing of the runs left on the cluster
