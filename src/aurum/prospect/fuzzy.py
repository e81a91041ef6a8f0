"""Fuzzy logic: membership functions and overlays (Bonham-Carter 1994, ch. 9; An et al. 1991).

Memberships (values in [0, 1], NaN stays NaN):

- linear: 0 at ``low``, 1 at ``high``, straight in between (decreasing when low > high);
- large: ``1 / (1 + (x / midpoint)^-spread)`` — large values favourable (0 for x ≤ 0);
- small: ``1 / (1 + (x / midpoint)^spread)`` — small values favourable (1 for x ≤ 0);
- Gaussian: ``exp(-spread (x - midpoint)²)`` — values near the midpoint favourable.

Overlays of memberships μ_i: AND = min, OR = max, product = Π μ_i, (algebraic) sum =
1 - Π (1 - μ_i), gamma = sum^γ · product^(1 - γ).

The formulas are one numpy expression each; a library would add a dependency for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aurum.core.errors import ValidationError
from aurum.core.i18n import _


def linear(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """Linear membership.

    Parameters
    ----------
    x : numpy.ndarray
        Evidence values (layer unit: m, ppm, count per km²...).
    low, high : float
        Values of membership 0 and 1, layer unit (low > high: decreasing).

    Returns
    -------
    numpy.ndarray
        Membership in [0, 1].
    """
    if low == high:
        raise ValidationError(_("linear membership needs low != high, got %(low)s twice",
                                low=low))
    return np.clip((np.asarray(x, float) - low) / (high - low), 0.0, 1.0)


def large(x: np.ndarray, midpoint: float, spread: float = 5.0) -> np.ndarray:
    """Membership of large values: 1 / (1 + (x / midpoint)^-spread), 0 where x ≤ 0.

    Parameters
    ----------
    x : numpy.ndarray
        Evidence values (layer unit).
    midpoint : float
        Value of membership 0.5, layer unit (> 0).
    spread : float
        Steepness (dimensionless, > 0).

    Returns
    -------
    numpy.ndarray
        Membership in [0, 1].
    """
    return _ratio_membership(x, midpoint, spread, -1.0, 0.0)


def small(x: np.ndarray, midpoint: float, spread: float = 5.0) -> np.ndarray:
    """Membership of small values (e.g. distance to a fault): 1 / (1 + (x / midpoint)^spread),
    1 where x ≤ 0; ``x``, ``midpoint`` and ``spread`` as in :func:`large`."""
    return _ratio_membership(x, midpoint, spread, 1.0, 1.0)


def _ratio_membership(x: np.ndarray, midpoint: float, spread: float, sign: float,
                      at_or_below_zero: float) -> np.ndarray:
    """1 / (1 + (x / midpoint)^(sign · spread)) where x > 0; NaN stays NaN."""
    _check_positive(midpoint=midpoint, spread=spread)
    x = np.asarray(x, float)
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(x > 0, 1.0 / (1.0 + (np.maximum(x, 0) / midpoint) ** (sign * spread)),
                        np.where(np.isnan(x), np.nan, at_or_below_zero))


def gaussian(x: np.ndarray, midpoint: float, spread: float) -> np.ndarray:
    """Gaussian membership.

    Parameters
    ----------
    x : numpy.ndarray
        Evidence values (layer unit).
    midpoint : float
        Value of membership 1, layer unit.
    spread : float
        Width parameter, 1 / (layer unit)² (> 0).

    Returns
    -------
    numpy.ndarray
        Membership in (0, 1].
    """
    _check_positive(spread=spread)
    return np.exp(-spread * (np.asarray(x, float) - midpoint) ** 2)


def fuzzy_and(memberships: Sequence[np.ndarray]) -> np.ndarray:
    """Fuzzy AND: the smallest membership of each cell.

    Parameters
    ----------
    memberships : sequence of numpy.ndarray
        Memberships in [0, 1], same shape.
    """
    return np.min(_stack(memberships), axis=0)


def fuzzy_or(memberships: Sequence[np.ndarray]) -> np.ndarray:
    """Fuzzy OR: the largest membership of each cell (``memberships`` as in
    :func:`fuzzy_and`)."""
    return np.max(_stack(memberships), axis=0)


def fuzzy_product(memberships: Sequence[np.ndarray]) -> np.ndarray:
    """Fuzzy algebraic product (decreasive: at most the smallest membership;
    ``memberships`` as in :func:`fuzzy_and`)."""
    return np.prod(_stack(memberships), axis=0)


def fuzzy_sum(memberships: Sequence[np.ndarray]) -> np.ndarray:
    """Fuzzy algebraic sum 1 - Π(1 - μ) (increasive: at least the largest membership;
    ``memberships`` as in :func:`fuzzy_and`)."""
    return 1.0 - np.prod(1.0 - _stack(memberships), axis=0)


def fuzzy_gamma(memberships: Sequence[np.ndarray], gamma: float) -> np.ndarray:
    """Fuzzy gamma operator: sum^γ · product^(1 - γ).

    ``memberships`` as in :func:`fuzzy_and`.

    Parameters
    ----------
    gamma : float
        In [0, 1] (dimensionless): 0 gives the product, 1 the sum.
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValidationError(_("fuzzy gamma must be in [0, 1], got %(gamma)s", gamma=gamma))
    return fuzzy_sum(memberships) ** gamma * fuzzy_product(memberships) ** (1.0 - gamma)


def _stack(memberships: Sequence[np.ndarray]) -> np.ndarray:
    if len(memberships) == 0:
        raise ValidationError(_("a fuzzy overlay needs at least one membership layer"))
    stack = np.stack([np.asarray(m, float) for m in memberships])
    finite = stack[~np.isnan(stack)]
    if finite.size and (finite.min() < 0.0 or finite.max() > 1.0):
        low, high = format(finite.min(), "g"), format(finite.max(), "g")
        raise ValidationError(_("fuzzy memberships must lie in [0, 1], got values from "
                                "%(low)s to %(high)s", low=low, high=high))
    return stack


def _check_positive(**values: float) -> None:
    bad = [f"{k} = {v}" for k, v in values.items() if not v > 0]
    if bad:
        raise ValidationError(_("fuzzy membership parameters must be > 0, got %(bad)s",
                                bad=", ".join(bad)))
