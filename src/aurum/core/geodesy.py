"""Distances on the Earth between points given by latitude and longitude.

One great-circle distance for the whole platform (materials matching weighs a maker's distance
from a buyer, prospectivity hands a target over to the nearest site): the haversine formula on
a sphere, accurate to about 0.5 % against the ellipsoid — ample for "how far", not for survey
work.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["EARTH_RADIUS_KM", "great_circle_km"]

EARTH_RADIUS_KM = 6371.0
"""Radius of the sphere the distances are measured on, km (the Earth's mean radius, 6371.0088
km for the IUGG, rounded)."""


@overload
def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float,
                    radius_km: float = EARTH_RADIUS_KM) -> float: ...


@overload
def great_circle_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike,
                    radius_km: float = EARTH_RADIUS_KM) -> NDArray[np.float64]: ...


def great_circle_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike,
                    radius_km: float = EARTH_RADIUS_KM) -> float | NDArray[np.float64]:
    """Great-circle distance between points on a sphere, by the haversine formula.

    .. math:: d = 2 R \\arcsin \\sqrt{\\sin^2 \\frac{\\varphi_2 - \\varphi_1}{2}
              + \\cos \\varphi_1 \\cos \\varphi_2 \\sin^2 \\frac{\\lambda_2 - \\lambda_1}{2}}

    The haversine stays accurate for nearby points (where the spherical law of cosines loses
    digits); its argument is clipped to 1 so rounding cannot make antipodes a NaN.

    Parameters
    ----------
    lat1, lon1 : float or array_like
        Latitude and longitude of the first point(s), degrees (north and east positive).
    lat2, lon2 : float or array_like
        Latitude and longitude of the second point(s), degrees; all four broadcast together
        (one point against many, or pairwise).
    radius_km : float, optional
        Radius of the sphere, km (default :data:`EARTH_RADIUS_KM`).

    Returns
    -------
    float or numpy.ndarray
        The distance(s), km, from 0 to π ``radius_km``: a float when all four are scalars,
        else an array of the broadcast shape.

    Examples
    --------
    >>> round(great_circle_km(0.0, 0.0, 0.0, 90.0), 1)  # a quarter of the equator
    10007.5
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dlat = (phi2 - phi1) / 2
    half_dlon = np.radians(np.subtract(lon2, lon1)) / 2
    h = np.sin(half_dlat) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlon) ** 2
    km = 2 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(km) if np.ndim(km) == 0 else np.asarray(km, dtype=np.float64)
