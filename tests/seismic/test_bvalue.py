"""b-value, Mc and moving windows against the published reference and closed forms."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aurum.core.errors import ValidationError
from aurum.seismic.stats import (
    activity_rate,
    b_value,
    bin_magnitudes,
    magnitude_of_completeness,
    mc_b_stability,
    mc_maximum_curvature,
    moving_b_value,
)

PUBLISHED_B = 0.9985052731
"""Column ``b_value = 1``, Mc 0, Δm 0.1, Aki/Tinti–Mulargia estimator with binning
(``shared/data/README.md``)."""


@pytest.fixture(scope="module")
def simulated(seismic_data: Path) -> pd.DataFrame:
    return pd.read_csv(seismic_data / "bvalue" / "simulated_magnitudes.csv")


def closed_form(m: np.ndarray, mc: float, dm: float) -> tuple[float, float, float]:
    """Written out independently of the package: Tinti & Mulargia (1987) on magnitudes
    rounded to the bin, Utsu's form, Shi & Bolt's standard error."""
    binned = np.round(m / dm) * dm
    above = binned[binned >= mc - 1e-9]
    mean = above.mean()
    tinti = np.log(1 + dm / (mean - mc)) / (dm * np.log(10))
    utsu = 1 / (np.log(10) * (mean - mc + dm / 2))
    shi_bolt = 2.3 * tinti ** 2 * np.sqrt(((above - mean) ** 2).sum() / (len(above)
                                                                      * (len(above) - 1)))
    return tinti, utsu, shi_bolt


def test_published_reference(simulated: pd.DataFrame) -> None:
    fit = b_value(simulated["b_value = 1"], mc=0.0, delta_m=0.1)
    assert fit.b == pytest.approx(PUBLISHED_B, abs=1e-6)
    assert fit.n == 6278
    assert fit.a == pytest.approx(np.log10(6278) + 0.0, abs=1e-12)


@pytest.mark.parametrize(("column", "true_b"), [("b_value = 1", 1.0), ("b_value = 1.5", 1.5),
                                                ("b_value = 0.5", 0.5)])
def test_every_column_against_closed_form(simulated: pd.DataFrame, column: str,
                                          true_b: float) -> None:
    m = np.array(simulated[column])
    tinti, utsu, shi_bolt = closed_form(m, 0.0, 0.1)
    fit = b_value(m, 0.0, 0.1)
    assert fit.b == pytest.approx(tinti, rel=1e-12)
    assert fit.b_std == pytest.approx(shi_bolt, rel=1e-12)
    assert b_value(m, 0.0, 0.1, method="utsu").b == pytest.approx(utsu, rel=1e-12)
    # the draws were made with these b-values: within three standard errors
    assert abs(fit.b - true_b) < 3 * fit.b_std


def test_estimators_agree_without_binning() -> None:
    rng = np.random.default_rng(7)
    m = rng.exponential(1 / (1.2 * np.log(10)), 20_000)  # continuous, b = 1.2, Mc = 0
    a = b_value(m, 0.0, 0.0)
    assert a.b == pytest.approx(np.log10(np.e) / m.mean(), rel=1e-12)
    assert a.b == pytest.approx(1.2, abs=3 * a.b_std)


def incomplete_catalogue(seed: int) -> np.ndarray:
    """Gutenberg–Richter magnitudes (b = 1) from 0, detected with probability m⁴ below 1
    (a steep detection ramp) and always from 1 up: complete from Mc = 1."""
    rng = np.random.default_rng(seed)
    m = rng.exponential(1 / np.log(10), 200_000)
    return m[rng.random(m.size) < np.clip(m, 0.0, 1.0) ** 4]


def test_mc_maximum_curvature_and_stability() -> None:
    m = incomplete_catalogue(3)
    assert mc_maximum_curvature(m, 0.1, correction=0.0) == pytest.approx(1.0)
    assert mc_maximum_curvature(m, 0.1) == pytest.approx(1.2)
    mbs = mc_b_stability(m, 0.1)
    assert 1.0 <= mbs <= 1.3
    fit = b_value(m, mbs, 0.1)
    assert fit.b == pytest.approx(1.0, abs=3 * fit.b_std)
    assert magnitude_of_completeness(m, 0.1, "maxc") == mc_maximum_curvature(m, 0.1)
    assert magnitude_of_completeness(m, 0.1, "mbs") == mbs


def test_binning_is_to_the_nearest_bin() -> None:
    assert list(bin_magnitudes(np.array([0.04, 0.06, -0.26, 1.149]), 0.1)) == \
        [0.0, 0.1, -0.3, 1.1]


def test_moving_window_matches_direct_fits() -> None:
    rng = np.random.default_rng(11)
    m = np.round(rng.exponential(1 / np.log(10), 3000) / 0.1) * 0.1
    times = pd.date_range("2024-01-01", periods=3000, freq="h", tz="UTC")
    cat = pd.DataFrame({"time": times, "mw": m})
    trend = moving_b_value(cat, "mw", 0.0, 0.1, window_events=500, step_events=250)
    assert len(trend) == 11
    for i, row in enumerate(trend.itertuples()):
        direct = b_value(m[i * 250: i * 250 + 500], 0.0, 0.1)
        assert row.b == pytest.approx(direct.b, rel=1e-10)
        assert row.b_std == pytest.approx(direct.b_std, rel=1e-8)
        assert row.rate_per_day == pytest.approx(500 / (499 / 24), rel=1e-9)
    daily = activity_rate(cat, "1D")
    assert daily.iloc[0] == 24 and daily.sum() == 3000


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValidationError, match="too few"):
        b_value(np.array([0.1, 0.2, np.nan]), mc=0.2, delta_m=0.1)
    with pytest.raises(ValidationError, match="method"):
        b_value(np.arange(10) / 10, 0.0, 0.1, method="aki")
    with pytest.raises(ValidationError, match="Mc method"):
        magnitude_of_completeness(np.arange(10) / 10, 0.1, "goodness")
