"""The one great-circle distance (haversine) against closed forms and a published value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.core.geodesy import EARTH_RADIUS_KM, great_circle_km

R = EARTH_RADIUS_KM


def test_closed_forms_on_the_sphere() -> None:
    # Along the equator and along a meridian the arc is R times the angle (radians).
    assert great_circle_km(0.0, 10.0, 0.0, 55.0) == pytest.approx(R * math.radians(45), 1e-12)
    assert great_circle_km(-20.0, 116.0, 40.0, 116.0) == pytest.approx(R * math.radians(60),
                                                                       1e-12)
    # Pole to equator: a quarter of a great circle; antipodes: half of one (no NaN).
    assert great_circle_km(90.0, 0.0, 0.0, 123.0) == pytest.approx(math.pi * R / 2, 1e-12)
    assert great_circle_km(30.0, 120.0, -30.0, -60.0) == pytest.approx(math.pi * R, 1e-12)
    # Points on the parallel φ, Δλ apart: cos(d/R) = sin²φ + cos²φ cos Δλ.
    phi, dlon = math.radians(45.0), math.radians(90.0)
    expected = R * math.acos(math.sin(phi) ** 2 + math.cos(phi) ** 2 * math.cos(dlon))
    assert great_circle_km(45.0, 0.0, 45.0, 90.0) == pytest.approx(expected, 1e-12)
    assert great_circle_km(31.2, 121.5, 31.2, 121.5) == 0.0


def test_a_published_distance() -> None:
    # Rosetta Code, "Haversine formula" (https://rosettacode.org/wiki/Haversine_formula):
    # Nashville BNA (N 36°7.2', W 86°40.2') to Los Angeles LAX (N 33°56.4', W 118°24.0') is
    # 2886.44444283798 km on a sphere of 6371.0 km and 2887.25995060711 km on one of 6372.8 km.
    bna = (36 + 7.2 / 60, -(86 + 40.2 / 60))
    lax = (33 + 56.4 / 60, -(118 + 24.0 / 60))
    assert great_circle_km(*bna, *lax) == pytest.approx(2886.44444283798, abs=1e-9)
    assert great_circle_km(*bna, *lax, radius_km=6372.8) == pytest.approx(2887.25995060711,
                                                                          abs=1e-9)


def test_vectorised_as_the_scalar_and_symmetric() -> None:
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-90, 90, 50), rng.uniform(-180, 180, 50)
    one_to_many = great_circle_km(39.9, 116.4, lat, lon)
    assert isinstance(one_to_many, np.ndarray) and one_to_many.shape == (50,)
    scalar = [great_circle_km(39.9, 116.4, float(a), float(o))
              for a, o in zip(lat, lon, strict=True)]
    np.testing.assert_allclose(one_to_many, scalar, rtol=1e-14)
    np.testing.assert_allclose(great_circle_km(lat, lon, 39.9, 116.4), one_to_many, rtol=1e-12)
    assert isinstance(great_circle_km(0.0, 0.0, 1.0, 1.0), float)
    assert ((one_to_many >= 0) & (one_to_many <= math.pi * R)).all()
