"""Orebody geometry: attitude, normal, hole direction, true thickness, longitudinal projection.

Conventions
-----------
- Coordinates: x east, y north, z up (elevation), m.
- A hole's direction as :mod:`aurum.resources.desurvey` gives it: azimuth in degrees clockwise
  from north, dip in degrees below the horizontal, positive downward (90 = vertical down).
- An orebody's attitude by the right-hand rule: the strike is an azimuth (degrees clockwise
  from north) and the orebody dips towards strike + 90° at the dip angle (degrees below the
  horizontal). Strike 0°, dip 60° is a plane dipping 60° to the east.
- The vertical longitudinal projection (垂直纵投影) is onto the vertical plane along the strike:
  ``u = x·sin(strike) + y·cos(strike)`` (m along the strike) and ``v = z`` (elevation, m).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.resources.desurvey import tangents

STRIKES = Interval(0.0, 360.0, "°")
"""Strikes an orebody may have, degrees clockwise from north (360 is north again)."""

MAX_DIP = 90.0
"""Steepest orebody dip, degrees below the horizontal (vertical); the dip must be above 0°:
a horizontal orebody has no strike and no longitudinal projection."""


def check_attitude(strike_deg: float, dip_deg: float) -> None:
    """Refuse an orebody attitude outside strike 0–360° and dip (0, 90]°.

    Parameters
    ----------
    strike_deg : float
        Strike, degrees clockwise from north (right-hand rule: dips towards strike + 90°).
    dip_deg : float
        Dip, degrees below the horizontal, above 0 and at most 90.

    Raises
    ------
    ValidationError
        One :class:`~aurum.core.errors.Problem` per bad field (``strike``, ``dip``).
    """
    problems: list[Problem] = []
    try:
        STRIKES.check("strike", strike_deg)
    except ValidationError as err:
        problems.extend(err.problems)
    if not _is_number(dip_deg) or not 0.0 < dip_deg <= MAX_DIP:
        problems.append(Problem(
            _("expected a dip above 0 and at most %(max)s°, got %(value)s", max=MAX_DIP,
              value=repr(dip_deg)), column="dip"))
    if problems:
        raise ValidationError(problems)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, bool) and bool(np.isfinite(value)))


def orebody_normal(strike_deg: float, dip_deg: float) -> np.ndarray:
    """Unit normal of an orebody plane (its upward pole).

    Parameters
    ----------
    strike_deg : float
        Strike, degrees clockwise from north, right-hand rule (the orebody dips towards
        strike + 90°).
    dip_deg : float
        Dip, degrees below the horizontal, in (0, 90].

    Returns
    -------
    numpy.ndarray
        ``(3,)`` east, north, up components:
        ``(sin dip · cos strike, −sin dip · sin strike, cos dip)``, perpendicular to the strike
        line ``(sin strike, cos strike, 0)`` and to the down-dip line.

    Raises
    ------
    ValidationError
        The attitude is outside :func:`check_attitude`'s ranges.
    """
    check_attitude(strike_deg, dip_deg)
    s, d = np.radians(strike_deg), np.radians(dip_deg)
    return np.array([np.sin(d) * np.cos(s), -np.sin(d) * np.sin(s), np.cos(d)])


def hole_direction(azimuth_deg: ArrayLike, dip_deg: ArrayLike) -> np.ndarray:
    """Unit direction of a hole, pointing down the hole.

    Parameters
    ----------
    azimuth_deg : array_like
        Degrees clockwise from north.
    dip_deg : array_like
        Degrees below the horizontal, positive downward.

    Returns
    -------
    numpy.ndarray
        ``(..., 3)`` east, north, up components, the broadcast shape of the inputs plus one
        axis: ``(cos dip · sin az, cos dip · cos az, −sin dip)``.
    """
    az, dp = np.broadcast_arrays(np.asarray(azimuth_deg, float), np.asarray(dip_deg, float))
    return tangents(az.ravel(), dp.ravel()).reshape((*az.shape, 3))


def true_thickness(length_m: ArrayLike, azimuth_deg: ArrayLike, dip_deg: ArrayLike,
                   strike_deg: float, orebody_dip_deg: float) -> np.ndarray:
    """True thickness of intercepts: the along-hole length times ``|hole direction · normal|``.

    Parameters
    ----------
    length_m : array_like
        Intercept length along the hole, m.
    azimuth_deg : array_like
        Hole azimuth at the intercept, degrees clockwise from north.
    dip_deg : array_like
        Hole dip at the intercept, degrees below the horizontal, positive downward.
    strike_deg : float
        Orebody strike, degrees clockwise from north (right-hand rule).
    orebody_dip_deg : float
        Orebody dip, degrees below the horizontal, in (0, 90].

    Returns
    -------
    numpy.ndarray
        True thickness, m, the broadcast shape of the first three inputs.

    Raises
    ------
    ValidationError
        The attitude is outside :func:`check_attitude`'s ranges.
    """
    cosine = np.abs(hole_direction(azimuth_deg, dip_deg) @ orebody_normal(strike_deg,
                                                                          orebody_dip_deg))
    return np.asarray(length_m, float) * cosine


def project(x: ArrayLike, y: ArrayLike, z: ArrayLike,
            strike_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Points in the vertical longitudinal projection along the strike.

    Parameters
    ----------
    x, y, z : array_like
        East, north, elevation, m.
    strike_deg : float
        Strike of the projection plane, degrees clockwise from north, 0–360.

    Returns
    -------
    tuple of numpy.ndarray
        ``u = x·sin(strike) + y·cos(strike)`` (m along the strike) and ``v = z`` (m).

    Raises
    ------
    ValidationError
        The strike is outside 0–360°.
    """
    STRIKES.check("strike", strike_deg)
    s = np.radians(strike_deg)
    u = np.asarray(x, float) * np.sin(s) + np.asarray(y, float) * np.cos(s)
    return u, np.asarray(z, float).copy()
