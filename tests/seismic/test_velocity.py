"""Travel times: homogeneous closed form, layered against Fermat's principle and the
head-wave formula."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from aurum.core.errors import ValidationError
from aurum.seismic.velocity import (
    HomogeneousModel,
    LayeredModel,
    layered_time,
    read_velocity_csv,
    travel_times,
)


def test_homogeneous_is_distance_over_velocity() -> None:
    rng = np.random.default_rng(0)
    src, rcv = rng.uniform(-500, 500, (50, 3)), rng.uniform(-500, 500, (7, 3))
    model = HomogeneousModel(5800.0, 3350.0)
    distance = np.linalg.norm(src[:, None] - rcv[None], axis=-1)
    assert np.allclose(travel_times(model, "P", src, rcv), distance / 5800.0, rtol=1e-14)
    assert np.allclose(travel_times(model, "s", src, rcv), distance / 3350.0, rtol=1e-14)


def test_layers_of_one_velocity_are_homogeneous() -> None:
    rng = np.random.default_rng(1)
    src, rcv = rng.uniform(-300, 300, (200, 3)), rng.uniform(-300, 300, (9, 3))
    layered = LayeredModel((150.0, 0.0, -120.0), (5000.0,) * 4, (2900.0,) * 4)
    homogeneous = HomogeneousModel(5000.0, 2900.0)
    assert np.allclose(travel_times(layered, "P", src, rcv),
                       travel_times(homogeneous, "P", src, rcv), rtol=1e-9)


@pytest.mark.parametrize("r", [0.0, 5.0, 80.0, 300.0])
def test_direct_ray_obeys_fermat(r: float) -> None:
    """Source 60 m above an interface at 0 (2000 m/s), receiver 90 m below it (3000 m/s):
    the time is the minimum over the crossing point, found by brute force."""
    interfaces, v = np.array([0.0, -1000.0]), np.array([2000.0, 3000.0, 3100.0])

    def through(x: float) -> float:
        return float(np.hypot(x, 60.0) / 2000.0 + np.hypot(r - x, 90.0) / 3000.0)

    best = minimize_scalar(through, bounds=(0.0, max(r, 1e-9)), method="bounded",
                           options={"xatol": 1e-10}).fun
    assert layered_time(r, 60.0, -90.0, interfaces, v) == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("r", [200.0, 600.0, 2000.0])
def test_head_wave_closed_form(r: float) -> None:
    """Both points in a 2000 m/s layer over a 4000 m/s half-space 50 and 30 m above it:
    beyond the crossover the head wave, r / v2 + (h1 + h2) √(1/v1² − 1/v2²), arrives
    first."""
    interfaces, v = np.array([0.0]), np.array([2000.0, 4000.0])
    head = r / 4000.0 + 80.0 * np.sqrt(1 / 2000.0 ** 2 - 1 / 4000.0 ** 2)
    direct = np.hypot(r, 20.0) / 2000.0
    assert layered_time(r, 50.0, 30.0, interfaces, v) == pytest.approx(min(head, direct),
                                                                       rel=1e-12)
    if r >= 600.0:
        assert head < direct


def test_model_validation() -> None:
    with pytest.raises(ValidationError, match="strictly decreasing"):
        LayeredModel((0.0, 100.0), (3000.0,) * 3, (1700.0,) * 3)
    with pytest.raises(ValidationError, match="needs 2"):
        LayeredModel((0.0,), (3000.0,), (1700.0,))
    with pytest.raises(ValidationError, match="exceed"):
        HomogeneousModel(3000.0, 3500.0)
    with pytest.raises(ValidationError, match="phase"):
        travel_times(HomogeneousModel(3000.0, 1700.0), "Pn", np.zeros((1, 3)),
                     np.ones((1, 3)))


def test_elk_creek_model_file(seismic_data: Path) -> None:
    model = read_velocity_csv(seismic_data / "elkcreek" / "homogeneous_velocity.csv")
    assert model == HomogeneousModel(3048.0, 2042.0)
