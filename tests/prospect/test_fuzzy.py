"""Fuzzy memberships and overlays against their closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.core.errors import ValidationError
from aurum.prospect.fuzzy import (
    fuzzy_and,
    fuzzy_gamma,
    fuzzy_or,
    fuzzy_product,
    fuzzy_sum,
    gaussian,
    large,
    linear,
    small,
)


def test_memberships() -> None:
    x = np.array([5.0, 10.0, 15.0, 20.0, 25.0, np.nan])
    np.testing.assert_allclose(linear(x, 10, 20), [0, 0, 0.5, 1, 1, np.nan])
    np.testing.assert_allclose(linear(x, 20, 10), [1, 1, 0.5, 0, 0, np.nan])
    y = np.array([0.0, 4.0, 8.0, np.nan])
    np.testing.assert_allclose(large(y, midpoint=4, spread=2), [0, 0.5, 1 / 1.25, np.nan])
    np.testing.assert_allclose(small(y, midpoint=4, spread=2), [1, 0.5, 1 / 5, np.nan])
    np.testing.assert_allclose(gaussian(np.array([5.0, 7.0]), midpoint=5, spread=0.5),
                               [1.0, math.exp(-2.0)])


def test_overlays() -> None:
    a, b = np.array([0.2, 0.9, 0.0]), np.array([0.5, 0.5, 1.0])
    np.testing.assert_allclose(fuzzy_and([a, b]), [0.2, 0.5, 0.0])
    np.testing.assert_allclose(fuzzy_or([a, b]), [0.5, 0.9, 1.0])
    np.testing.assert_allclose(fuzzy_product([a, b]), [0.1, 0.45, 0.0])
    np.testing.assert_allclose(fuzzy_sum([a, b]), [0.6, 0.95, 1.0])
    np.testing.assert_allclose(fuzzy_gamma([a, b], 0.5), np.sqrt([0.6 * 0.1, 0.95 * 0.45, 0]))
    np.testing.assert_allclose(fuzzy_gamma([a, b], 0.0), fuzzy_product([a, b]))
    np.testing.assert_allclose(fuzzy_gamma([a, b], 1.0), fuzzy_sum([a, b]))
    # decreasive product below AND, increasive sum above OR
    assert (fuzzy_product([a, b]) <= fuzzy_and([a, b])).all()
    assert (fuzzy_sum([a, b]) >= fuzzy_or([a, b])).all()


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError, match=r"must lie in \[0, 1\], got values from 0 to 1\.5"):
        fuzzy_sum([np.array([0.0, 1.5])])
    with pytest.raises(ValidationError, match=r"gamma must be in \[0, 1\]"):
        fuzzy_gamma([np.array([0.5])], 1.2)
    with pytest.raises(ValidationError, match="low != high"):
        linear(np.array([1.0]), 3, 3)
    with pytest.raises(ValidationError, match="midpoint = 0"):
        large(np.array([1.0]), midpoint=0)
    with pytest.raises(ValidationError, match="at least one membership"):
        fuzzy_and([])
