"""Orebody geometry against closed forms: normals, hole directions, true thickness, projection."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.resources.orebody import (
    check_attitude,
    hole_direction,
    orebody_normal,
    project,
    true_thickness,
)


def test_right_hand_rule_strike_north_dip_60_dips_east():
    n = orebody_normal(0.0, 60.0)
    # The pole of a plane dipping 60° east leans 60° from the vertical towards the east.
    np.testing.assert_allclose(n, [np.sin(np.radians(60)), 0.0, 0.5], atol=1e-15)
    # The down-dip line (strike + 90° = east, 60° down) lies in the plane.
    down_dip = hole_direction(90.0, 60.0)
    assert abs(down_dip @ n) < 1e-15
    assert down_dip[0] > 0 and down_dip[2] < 0


@pytest.mark.parametrize("strike, dip", [(0, 90), (45, 30), (123.4, 75), (270, 10), (360, 45)])
def test_normal_is_unit_and_perpendicular_to_strike_and_dip_lines(strike, dip):
    n = orebody_normal(strike, dip)
    assert np.linalg.norm(n) == pytest.approx(1.0, abs=1e-15)
    assert hole_direction(strike, 0.0) @ n == pytest.approx(0.0, abs=1e-15)
    assert hole_direction(strike + 90.0, dip) @ n == pytest.approx(0.0, abs=1e-15)


def test_hole_direction_shape_and_values():
    assert hole_direction(0.0, 90.0).shape == (3,)
    np.testing.assert_allclose(hole_direction(0.0, 90.0), [0, 0, -1], atol=1e-15)
    np.testing.assert_allclose(hole_direction(90.0, 0.0), [1, 0, 0], atol=1e-15)
    d = hole_direction(np.array([[0.0, 90.0], [180.0, 270.0]]), 45.0)
    assert d.shape == (2, 2, 3)
    np.testing.assert_allclose(np.linalg.norm(d, axis=-1), 1.0)
    np.testing.assert_allclose(d[1, 0], [0, -np.sqrt(0.5), -np.sqrt(0.5)], atol=1e-15)


def test_vertical_hole_through_vertical_vein_has_no_thickness():
    # A vertical hole runs inside a vertical vein: h = (0, 0, -1), n horizontal, h·n = 0.
    assert true_thickness(10.0, 0.0, 90.0, 0.0, 90.0) == pytest.approx(0.0, abs=1e-14)


def test_inclined_hole_through_vertical_vein_north_striking():
    # Vein striking north, vertical: n = (1, 0, 0). A hole to azimuth 90 (east) dipping δ has
    # h = (cos δ, 0, -sin δ): true = length × cos δ.
    dips = np.array([0.0, 30.0, 45.0, 60.0, 80.0])
    np.testing.assert_allclose(true_thickness(12.0, 90.0, dips, 0.0, 90.0),
                               12.0 * np.cos(np.radians(dips)), atol=1e-13)
    # Towards azimuth α at dip 0: |h·n| = |sin α|.
    az = np.array([0.0, 30.0, 90.0, 135.0, 250.0])
    np.testing.assert_allclose(true_thickness(5.0, az, 0.0, 0.0, 90.0),
                               5.0 * np.abs(np.sin(np.radians(az))), atol=1e-13)


def test_hole_normal_to_vein_measures_true_thickness():
    # Vein 040/60 (dips 60° towards 130°): a hole drilled along the pole, i.e. towards the
    # azimuth 310 at 30° below the horizontal, crosses it at right angles.
    assert true_thickness(7.5, 310.0, 30.0, 40.0, 60.0) == pytest.approx(7.5, abs=1e-13)
    # A vertical hole through a vein dipping δ: true = length × cos δ.
    assert true_thickness(10.0, 0.0, 90.0, 200.0, 35.0) == pytest.approx(
        10.0 * np.cos(np.radians(35.0)), abs=1e-13)


def test_projection_of_points():
    x, y, z = np.array([1.0, 0.0, 3.0]), np.array([0.0, 1.0, 4.0]), np.array([5.0, -2.0, 0.0])
    u, v = project(x, y, z, 0.0)        # strike north: u = y
    np.testing.assert_allclose(u, y, atol=1e-15)
    np.testing.assert_allclose(v, z)
    u, _ = project(x, y, z, 90.0)       # strike east: u = x
    np.testing.assert_allclose(u, x, atol=1e-15)
    u, _ = project(x, y, z, 30.0)
    np.testing.assert_allclose(u, x * 0.5 + y * np.sqrt(3) / 2, atol=1e-15)
    # Distances along the strike are kept: points on the strike line 5 m apart stay 5 m apart.
    s = np.radians(30.0)
    u, _ = project([0.0, 5 * np.sin(s)], [0.0, 5 * np.cos(s)], [0.0, 0.0], 30.0)
    assert u[1] - u[0] == pytest.approx(5.0)


@pytest.mark.parametrize("strike, dip, fields", [
    (-1.0, 45.0, ["strike"]), (360.5, 45.0, ["strike"]), (10.0, 0.0, ["dip"]),
    (10.0, 91.0, ["dip"]), (float("nan"), float("inf"), ["strike", "dip"])])
def test_bad_attitude_one_problem_per_field(strike, dip, fields):
    with pytest.raises(ValidationError) as err:
        check_attitude(strike, dip)
    assert [p.column for p in err.value.problems] == fields
    with pytest.raises(ValidationError):
        orebody_normal(strike, dip)


def test_bad_strike_refused_by_projection():
    with pytest.raises(ValidationError, match="strike"):
        project([0.0], [0.0], [0.0], 400.0)
