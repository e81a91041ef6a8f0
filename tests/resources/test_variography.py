"""Experimental variograms against brute-force O(n²) references written independently here,
and variogram fitting against synthetic variograms of known models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.resources import variography
from aurum.resources.variography import (
    ExperimentalVariogram,
    experimental_variogram,
    fit_variogram,
    omnidirectional_variogram,
    read_gslib,
    variogram_map,
)

RTOL = 1e-9


@pytest.fixture(scope="module")
def walker(request: pytest.FixtureRequest) -> pd.DataFrame:
    shared: Path = request.getfixturevalue("shared_data")
    return read_gslib(shared / "gslib" / "walker.dat")


def _xy_v(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    xy = frame[["Xlocation in meter", "Ylocation in meter"]].to_numpy()
    return xy, frame["V variable, concentration in ppm"].to_numpy()


# ---- independent references ---------------------------------------------------------------


def _all_pairs(coords: np.ndarray, values: np.ndarray):
    """Every unordered pair i < j: separation vectors and squared value differences."""
    i, j = np.triu_indices(len(values), k=1)
    return coords[j] - coords[i], (values[j] - values[i]) ** 2


def _binned(h: np.ndarray, sq: np.ndarray, keep: np.ndarray, lag: float, n_lags: int,
            tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean distance, gamma and pair count per class k = 0..n_lags by explicit masks."""
    dist, gam, num = [], [], []
    for k in range(n_lags + 1):
        m = keep & (h > 0) & (h >= k * lag - tol) & (h <= k * lag + tol)
        n = int(m.sum())
        num.append(n)
        dist.append(h[m].mean() if n else np.nan)
        gam.append(sq[m].sum() / (2 * n) if n else np.nan)
    return np.array(dist), np.array(gam), np.array(num)


def _assert_same(ev: ExperimentalVariogram, ref: tuple[np.ndarray, ...]) -> None:
    dist, gam, num = ref
    np.testing.assert_array_equal(ev.n_pairs, num)
    np.testing.assert_allclose(ev.distance, dist, rtol=RTOL, equal_nan=True)
    np.testing.assert_allclose(ev.gamma, gam, rtol=RTOL, equal_nan=True)


def _angle_filter(d: np.ndarray, azimuth: float, dip: float, atol: float, dtol: float,
                  band_h: float, band_v: float) -> np.ndarray:
    """Direction test written with angles (not GSLIB's cosines and unit vectors)."""
    dx, dy = d[:, 0], d[:, 1]
    dz = d[:, 2] if d.shape[1] == 3 else np.zeros(len(d))
    dxy = np.hypot(dx, dy)
    h = np.sqrt(dxy**2 + dz**2)
    pair_az = np.degrees(np.arctan2(dx, dy))                      # clockwise from north
    delta = (pair_az - azimuth + 180.0) % 360.0 - 180.0           # in [-180, 180)
    flip = np.abs(delta) > 90.0                                   # pair points backwards
    axial = np.where(flip, 180.0 - np.abs(delta), np.abs(delta))  # in [0, 90]
    ok = (axial <= atol) & (dxy * np.sin(np.radians(axial)) <= band_h)
    plunge = np.degrees(np.arctan2(np.where(flip, -dz, dz), dxy))  # oriented pair's plunge
    ddip = np.abs(plunge - dip)
    ok &= (np.minimum(ddip, 180.0 - ddip) <= dtol)
    ok &= h * np.abs(np.sin(np.radians(plunge - dip))) <= band_v
    return ok


# ---- GSLIB reader -------------------------------------------------------------------------


def test_read_gslib_walker(walker: pd.DataFrame, shared_data: Path) -> None:
    # The Walker Lake sample set: 470 samples of V, U measured at 275 of them (1E31 missing).
    assert walker.attrs["title"] == "The Sample Walker Lake Data Sets"
    assert len(walker) == 470
    assert walker.shape[1] == 6
    assert walker["V variable, concentration in ppm"].notna().all()
    assert walker["U variable, concentration in ppm"].notna().sum() == 275
    raw = read_gslib(shared_data / "gslib" / "walker.dat", trimming_limits=None)
    assert (raw["U variable, concentration in ppm"] == 1e31).sum() == 195


def test_read_gslib_cluster(shared_data: Path) -> None:
    frame = read_gslib(shared_data / "gslib" / "cluster.dat")
    assert list(frame.columns) == ["Xlocation", "Ylocation", "Primary", "Secondary",
                                   "Declustering Weight"]
    assert len(frame) == 140
    assert frame.iloc[0].tolist() == pytest.approx([39.5, 18.5, 0.06, 0.22, 1.619])


def test_read_gslib_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.dat"
    bad.write_text("title\n2\nx\nv\n1 2\n3 abc\n5\n")
    with pytest.raises(ValidationError) as err:
        read_gslib(bad)
    text = str(err.value)
    assert "'abc'" in text and "data row 2" in text and "data row 3" in text
    header = tmp_path / "header.dat"
    header.write_text("title\ntwo\nx\n")
    with pytest.raises(ValidationError, match="number of variables"):
        read_gslib(header)
    with pytest.raises(ValidationError, match="file not found"):
        read_gslib(tmp_path / "missing.dat")


# ---- experimental variograms on walker.dat ------------------------------------------------


def test_walker_omnidirectional_matches_brute_force(walker: pd.DataFrame) -> None:
    xy, v = _xy_v(walker)
    ev = omnidirectional_variogram(xy, v, lag=5.0, n_lags=20, lag_tolerance=2.5)
    d, sq = _all_pairs(xy, v)
    h = np.sqrt((d**2).sum(axis=1))
    ref = _binned(h, sq, np.ones(len(h), bool), 5.0, 20, 2.5)
    _assert_same(ev, ref)
    assert ev.omnidirectional
    # Checks of the reference itself: every pair up to 102.5 m counted once.
    assert ev.n_pairs.sum() == np.count_nonzero((h > 0) & (h <= 102.5))
    # Pin of the values verified above (class 1: 2.5 m <= h <= 7.5 m).
    assert ev.n_pairs[1] == 242 and ev.gamma[1] == pytest.approx(43178.181178, rel=1e-9)


@pytest.mark.parametrize("azimuth", [0.0, 90.0])
def test_walker_directional_matches_brute_force(walker: pd.DataFrame, azimuth: float) -> None:
    xy, v = _xy_v(walker)
    ev = experimental_variogram(xy, v, azimuth, 0.0, 10.0, 10, 5.0, 22.5, 1e9, 1e9)
    d, sq = _all_pairs(xy, v)
    h = np.hypot(d[:, 0], d[:, 1])
    keep = _angle_filter(d, azimuth, 0.0, 22.5, 22.5, np.inf, np.inf)
    _assert_same(ev, _binned(h, sq, keep, 10.0, 10, 5.0))
    assert not ev.omnidirectional and ev.n_pairs[1:].min() > 300


def test_walker_directional_bandwidth_matches_brute_force(walker: pd.DataFrame) -> None:
    xy, v = _xy_v(walker)
    ev = experimental_variogram(xy, v, 45.0, 0.0, 10.0, 10, 5.0, 30.0, 12.5)
    d, sq = _all_pairs(xy, v)
    h = np.hypot(d[:, 0], d[:, 1])
    keep = _angle_filter(d, 45.0, 0.0, 30.0, 30.0, 12.5, np.inf)
    wide = _angle_filter(d, 45.0, 0.0, 30.0, 30.0, np.inf, np.inf)
    assert (keep != wide).sum() > 1000  # the bandwidth does bite
    _assert_same(ev, _binned(h, sq, keep, 10.0, 10, 5.0))


def test_chunked_pair_search_gives_the_same(walker: pd.DataFrame,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    xy, v = _xy_v(walker)
    whole = experimental_variogram(xy, v, 90.0, 0.0, 10.0, 10, 5.0, 22.5)
    monkeypatch.setattr(variography, "_CHUNK", 64)
    parts = experimental_variogram(xy, v, 90.0, 0.0, 10.0, 10, 5.0, 22.5)
    np.testing.assert_array_equal(parts.n_pairs, whole.n_pairs)
    np.testing.assert_allclose(parts.gamma, whole.gamma, rtol=RTOL)


def test_3d_dip_and_bandwidths_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    xyz = rng.uniform([0, 0, 0], [200, 200, 80], size=(400, 3))
    v = rng.normal(size=400) + 0.01 * xyz[:, 0]
    d, sq = _all_pairs(xyz, v)
    h = np.sqrt((d**2).sum(axis=1))
    for az, dip, atol, dtol, bh, bv in [(45.0, -30.0, 22.5, 15.0, np.inf, np.inf),
                                        (120.0, 20.0, 30.0, 20.0, 15.0, 8.0),
                                        (0.0, 0.0, 90.0, 10.0, np.inf, 5.0)]:
        ev = experimental_variogram(xyz, v, az, dip, 12.0, 8, 8.0, atol, bh, bv,
                                    dip_tolerance=dtol)
        keep = _angle_filter(d, az, dip, atol, dtol, bh, bv)
        _assert_same(ev, _binned(h, sq, keep, 12.0, 8, 8.0))  # tolerance > lag/2: overlap
    omni = omnidirectional_variogram(xyz, v, 12.0, 8)
    _assert_same(omni, _binned(h, sq, np.ones(len(h), bool), 12.0, 8, 6.0))


def test_coincident_points_enter_no_class() -> None:
    xyz = np.array([[0.0, 0, 0], [0, 0, 0], [3, 0, 0]])
    ev = omnidirectional_variogram(xyz, [1.0, 2.0, 4.0], 3.0, 1)
    assert ev.n_pairs.tolist() == [0, 2]
    assert ev.gamma[1] == pytest.approx((9 + 4) / 4)


def test_variogram_map_matches_brute_force(walker: pd.DataFrame) -> None:
    xy, v = _xy_v(walker)
    vm = variogram_map(xy, v, 7.0, 7.0, 6, 5)  # 7 m cells: no pair on a cell boundary
    assert vm.gamma.shape == (11, 13) and vm.x_lags[0] == -42.0 and vm.y_lags[-1] == 35.0
    d, sq = _all_pairs(xy, v)
    cx, cy = np.rint(d[:, 0] / 7.0), np.rint(d[:, 1] / 7.0)
    for r, ly in enumerate(range(-5, 6)):
        for c, lx in enumerate(range(-6, 7)):
            m = ((cx == lx) & (cy == ly)) | ((cx == -lx) & (cy == -ly))
            assert vm.n_pairs[r, c] == m.sum()
            if m.any():
                assert vm.gamma[r, c] == pytest.approx(sq[m].sum() / (2 * m.sum()), rel=RTOL)
    np.testing.assert_array_equal(vm.n_pairs, vm.n_pairs[::-1, ::-1])
    assert len(vm.to_frame()) == 11 * 13


def test_variogram_map_max_dz_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    xyz = rng.uniform([0, 0, 0], [100, 100, 60], size=(300, 3))
    v = rng.normal(size=300)
    vm = variogram_map(xyz, v, 6.0, 4.0, 5, 7, max_dz=10.0)
    d, sq = _all_pairs(xyz, v)
    near = np.abs(d[:, 2]) <= 10.0
    cx, cy = np.rint(d[:, 0] / 6.0), np.rint(d[:, 1] / 4.0)
    for r, ly in enumerate(range(-7, 8)):
        for c, lx in enumerate(range(-5, 6)):
            m = near & (((cx == lx) & (cy == ly)) | ((cx == -lx) & (cy == -ly)))
            assert vm.n_pairs[r, c] == m.sum()
            if m.any():
                assert vm.gamma[r, c] == pytest.approx(sq[m].sum() / (2 * m.sum()), rel=RTOL)


# ---- bad input ----------------------------------------------------------------------------


def test_bad_input_is_refused() -> None:
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [20.0, 5.0]])
    with pytest.raises(ValidationError, match="NaN"):
        omnidirectional_variogram(xy, [1.0, np.nan, 2.0], 5.0, 4)
    with pytest.raises(ValidationError, match="at least 2 samples"):
        omnidirectional_variogram(xy[:1], [1.0], 5.0, 4)
    for lag in (0.0, -5.0, np.nan):
        with pytest.raises(ValidationError, match="lag"):
            experimental_variogram(xy, [1.0, 2.0, 3.0], 0.0, 0.0, lag, 4)
    with pytest.raises(ValidationError, match="n_lags"):
        omnidirectional_variogram(xy, [1.0, 2.0, 3.0], 5.0, 0)
    with pytest.raises(ValidationError, match="one value per sample"):
        omnidirectional_variogram(xy, [1.0, 2.0], 5.0, 4)
    with pytest.raises(ValidationError, match="coordinates"):
        omnidirectional_variogram(np.array([[np.inf, 0.0], [1.0, 1.0]]), [1.0, 2.0], 5.0, 4)
    with pytest.raises(ValidationError, match="dx"):
        variogram_map(xy, [1.0, 2.0, 3.0], 0.0, 5.0, 3, 3)
    with pytest.raises(ValidationError) as err:  # every problem is reported, not the first
        experimental_variogram(xy, [1.0, 2.0, 3.0], 0.0, 0.0, -1.0, 0, None, -3.0)
    assert len(err.value.problems) >= 3


# ---- fitting ------------------------------------------------------------------------------


def _gslib_structure(kind: str, hr: np.ndarray) -> np.ndarray:
    if kind == "spherical":
        return np.where(hr < 1, 1.5 * hr - 0.5 * hr**3, 1.0)
    if kind == "exponential":
        return 1 - np.exp(-3 * hr)
    return 1 - np.exp(-3 * hr**2)


def _synthetic(gamma_of_h, azimuth: float = 0.0, dip: float = 0.0, seed: int = 0,
               noise: float = 0.005, h_max: float = 150.0) -> ExperimentalVariogram:
    rng = np.random.default_rng(seed)
    h = np.arange(5.0, h_max + 1, 5.0) + rng.uniform(-1, 1, int(h_max // 5))
    n = rng.integers(100, 1000, len(h))
    g = gamma_of_h(h) + rng.normal(0, noise, len(h))
    return ExperimentalVariogram(distance=h, gamma=g, n_pairs=n, azimuth=azimuth, dip=dip,
                                 lag=5.0, lag_tolerance=2.5, angle_tolerance=22.5,
                                 dip_tolerance=22.5)


@pytest.mark.parametrize("kind", ["spherical", "exponential", "gaussian"])
@pytest.mark.parametrize("weighting", ["npairs_over_h2", "npairs"])
def test_fit_recovers_isotropic_model_exactly_without_noise(kind: str, weighting: str) -> None:
    ev = _synthetic(lambda h: 0.2 + 0.8 * _gslib_structure(kind, h / 50.0), noise=0.0)
    fit = fit_variogram(ev, [kind], weighting=weighting)  # type: ignore[arg-type]
    (s,) = fit.structures
    assert fit.success and fit.anisotropy == "isotropic"
    assert (fit.nugget, s.sill, s.ranges[0]) == pytest.approx((0.2, 0.8, 50.0), rel=1e-6)
    assert s.ranges[0] == s.ranges[1] == s.ranges[2]
    assert fit.rmse < 1e-8 and fit.n_points == 30
    spec = fit.to_dict()
    assert spec["structures"][0]["type"] == kind and len(spec["structures"][0]["ranges"]) == 3


@pytest.mark.parametrize("kind", ["spherical", "exponential", "gaussian"])
@pytest.mark.parametrize("weighting", ["npairs_over_h2", "npairs"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fit_recovers_isotropic_model_with_noise(kind: str, weighting: str, seed: int) -> None:
    # Noise of standard deviation 0.002 (0.2 % of the sill) on every lag.
    ev = _synthetic(lambda h: 0.2 + 0.8 * _gslib_structure(kind, h / 50.0), seed=seed,
                    noise=0.002)
    fit = fit_variogram(ev, [kind], weighting=weighting)  # type: ignore[arg-type]
    (s,) = fit.structures
    assert fit.nugget == pytest.approx(0.2, abs=0.01)
    assert s.sill == pytest.approx(0.8, rel=0.02)
    assert s.ranges[0] == pytest.approx(50.0, rel=0.04)
    assert fit.rmse < 0.004
    assert fit.to_dict()["structures"][0]["type"] == kind


def test_fit_recovers_nested_structures() -> None:
    ev = _synthetic(lambda h: 0.1 + 0.4 * _gslib_structure("spherical", h / 20.0)
                    + 0.5 * _gslib_structure("spherical", h / 100.0), noise=0.002,
                    h_max=200.0)
    fit = fit_variogram(ev, ["spherical", "spherical"])
    short, long_ = sorted(fit.structures, key=lambda s: s.ranges[0])
    assert fit.nugget == pytest.approx(0.1, abs=0.02)
    assert (short.sill, long_.sill) == pytest.approx((0.4, 0.5), abs=0.03)
    assert short.ranges[0] == pytest.approx(20.0, rel=0.1)
    assert long_.ranges[0] == pytest.approx(100.0, rel=0.05)


def test_fit_recovers_horizontal_anisotropy_from_two_directions() -> None:
    def model(a: float):
        return lambda h: 0.1 + 0.9 * _gslib_structure("spherical", h / a)

    major = _synthetic(model(90.0), azimuth=30.0, seed=1)
    minor = _synthetic(model(30.0), azimuth=120.0, seed=2)
    fit = fit_variogram([major, minor], ["spherical"])
    (s,) = fit.structures
    assert fit.anisotropy == "horizontal" and s.angles == (30.0, 0.0, 0.0)
    assert fit.nugget == pytest.approx(0.1, abs=0.01)
    assert s.sill == pytest.approx(0.9, rel=0.02)
    assert s.ranges[0] == pytest.approx(90.0, rel=0.03)
    assert s.ranges[1] == pytest.approx(30.0, rel=0.03)
    # The fitted model along each direction reproduces the generating model.
    h = np.linspace(1.0, 150.0, 50)
    np.testing.assert_allclose(fit.gamma(h, 30.0), model(90.0)(h), atol=0.02)
    np.testing.assert_allclose(fit.gamma(h, 210.0), model(90.0)(h), atol=0.02)
    np.testing.assert_allclose(fit.gamma(h, 120.0), model(30.0)(h), atol=0.02)
    assert fit.gamma([0.0])[0] == 0.0


def test_fit_recovers_three_ranges_off_axis() -> None:
    # Model: major axis azimuth 30, minor 120, vertical 10 m; data along N-S, E-W, vertical
    # and a dipping direction, none on an axis except the vertical.
    ranges = np.array([90.0, 30.0, 10.0])
    axes = np.array([[np.sin(np.radians(30)), np.cos(np.radians(30)), 0.0],
                     [np.sin(np.radians(120)), np.cos(np.radians(120)), 0.0],
                     [0.0, 0.0, 1.0]])

    def along(az: float, dip: float):
        u = np.array([np.sin(np.radians(az)) * np.cos(np.radians(dip)),
                      np.cos(np.radians(az)) * np.cos(np.radians(dip)), np.sin(np.radians(dip))])
        a_eff = 1.0 / np.sqrt((((axes @ u) / ranges) ** 2).sum())
        return lambda h: 0.2 + 0.8 * _gslib_structure("exponential", h / a_eff)

    dirs = [(0.0, 0.0), (90.0, 0.0), (0.0, 90.0), (60.0, -30.0)]
    evs = [_synthetic(along(az, dp), az, dp, seed=i, noise=0.002) for i, (az, dp) in
           enumerate(dirs)]
    fit = fit_variogram(evs, ["exponential"], angles=(30.0, 0.0, 0.0))
    (s,) = fit.structures
    assert fit.anisotropy == "full"
    assert s.ranges == pytest.approx((90.0, 30.0, 10.0), rel=0.05)
    assert fit.nugget + s.sill == pytest.approx(1.0, rel=0.02)


def test_fit_walker_omnidirectional_sill_near_sample_variance(walker: pd.DataFrame) -> None:
    xy, v = _xy_v(walker)
    fit = fit_variogram(omnidirectional_variogram(xy, v, 5.0, 20), ["spherical"])
    assert fit.success
    assert fit.sill == pytest.approx(np.var(v), rel=0.15)
    assert 10.0 < fit.structures[0].ranges[0] < 100.0


def test_fit_bad_input() -> None:
    ev = _synthetic(lambda h: 1 - np.exp(-3 * h / 50))
    with pytest.raises(ValidationError, match="unknown structure type 'cubic'"):
        fit_variogram(ev, ["cubic"])
    with pytest.raises(ValidationError, match="omnidirectional"):
        omni = ExperimentalVariogram(ev.distance, ev.gamma, ev.n_pairs, omnidirectional=True)
        fit_variogram([omni, ev], anisotropy="horizontal")
    with pytest.raises(ValidationError, match="a_hmin"):
        fit_variogram(ev, anisotropy="horizontal")
    with pytest.raises(ValidationError, match="nugget_bounds"):
        fit_variogram(ev, nugget_bounds=(1.0, 0.5))
    fixed = fit_variogram(ev, ["exponential"], nugget_bounds=(0.0, 0.0), weighting="equal")
    assert fixed.nugget == 0.0
    assert fixed.structures[0].ranges[0] == pytest.approx(50.0, rel=0.05)
