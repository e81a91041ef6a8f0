"""Stations and channels of a microseismic network, in the mine's local metric grid.

Two sources: a StationXML file read with ObsPy (geographic coordinates, projected onto a
:class:`LocalGrid`), or a CSV file already in mine-grid metres (``station, x, y, z`` and
optional channel columns). Coordinates are metres, ``z`` up (an elevation, or the mine's own
vertical datum: only differences matter to location).

The projection is the exact local tangent plane (geodetic → Earth-centred → east-north-up
rotation on WGS 84), not a map projection: straight-line distances in the grid are the true
3D distances, which is what travel times need. It is written here (a few lines of closed-form
geodesy) rather than taken from a projection library so the domain stays numpy-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.seismic._tables import Table, read_table

WGS84_A = 6_378_137.0
"""WGS 84 semi-major axis, m."""
WGS84_F = 1.0 / 298.257223563
"""WGS 84 flattening."""
_E2 = WGS84_F * (2.0 - WGS84_F)


def _ecef(lat_deg: np.ndarray, lon_deg: np.ndarray, h_m: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = WGS84_A / np.sqrt(1.0 - _E2 * np.sin(lat) ** 2)
    return np.stack(((n + h_m) * np.cos(lat) * np.cos(lon),
                     (n + h_m) * np.cos(lat) * np.sin(lon),
                     (n * (1.0 - _E2) + h_m) * np.sin(lat)), axis=-1)


@dataclass(frozen=True)
class LocalGrid:
    """A local east-north-up grid tangent to the WGS 84 ellipsoid at an origin.

    Parameters
    ----------
    latitude : float
        Latitude of the grid origin, degrees north.
    longitude : float
        Longitude of the grid origin, degrees east.
    elevation : float
        Ellipsoidal height of the origin, m; ``z = 0`` there.
    """

    latitude: float
    longitude: float
    elevation: float = 0.0

    def _rotation(self) -> np.ndarray:
        lat, lon = np.radians(self.latitude), np.radians(self.longitude)
        return np.array([[-np.sin(lon), np.cos(lon), 0.0],
                         [-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)],
                         [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]])

    def to_local(self, latitude: np.ndarray | float, longitude: np.ndarray | float,
                 elevation: np.ndarray | float) -> np.ndarray:
        """Grid coordinates of geographic points.

        Parameters
        ----------
        latitude, longitude : array_like
            Degrees north, degrees east.
        elevation : array_like
            Height above the ellipsoid, m (heights above sea level are used as such: the
            geoid undulation is nearly constant over a mine and cancels with the origin's).

        Returns
        -------
        numpy.ndarray
            East, north, up, shape (..., 3), m.
        """
        lat, lon, h = np.broadcast_arrays(np.asarray(latitude, float),
                                          np.asarray(longitude, float),
                                          np.asarray(elevation, float))
        origin = _ecef(np.array(self.latitude), np.array(self.longitude),
                       np.array(self.elevation))
        return (_ecef(lat, lon, h) - origin) @ self._rotation().T

    def to_geographic(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geographic coordinates of grid points (inverse of :meth:`to_local`).

        Parameters
        ----------
        xyz : numpy.ndarray
            East, north, up, shape (..., 3), m.

        Returns
        -------
        latitude, longitude, elevation : numpy.ndarray
            Degrees north, degrees east, m above the ellipsoid.
        """
        origin = _ecef(np.array(self.latitude), np.array(self.longitude),
                       np.array(self.elevation))
        x, y, z = np.moveaxis(np.asarray(xyz, float) @ self._rotation() + origin, -1, 0)
        lon = np.arctan2(y, x)
        p = np.hypot(x, y)
        lat = np.arctan2(z, p * (1.0 - _E2))
        # fixed point: converges to 1e-12 rad within 4 steps near the surface
        for _step in range(6):
            n = WGS84_A / np.sqrt(1.0 - _E2 * np.sin(lat) ** 2)
            h = p / np.cos(lat) - n
            lat = np.arctan2(z, p * (1.0 - _E2 * n / (n + h)))
        n = WGS84_A / np.sqrt(1.0 - _E2 * np.sin(lat) ** 2)
        return np.degrees(lat), np.degrees(lon), p / np.cos(lat) - n


@dataclass(frozen=True)
class Channel:
    """One recording channel of a station.

    Parameters
    ----------
    code : str
        SEED channel code (``DPZ``, ``HHN``, ``Z``...).
    location : str
        SEED location code ("" when none).
    sampling_rate : float
        Samples per second, Hz (NaN when unknown).
    azimuth : float
        Orientation, degrees clockwise from grid north (NaN when unknown).
    dip : float
        Degrees below the horizontal (−90 = vertical up; NaN when unknown).
    sensor_type : str
        ``geophone``, ``accelerometer``... ("" when unknown).
    sensitivity : float
        Overall sensitivity, counts per input unit (NaN when unknown).
    input_units : str
        Input unit of the sensitivity (``M/S``, ``M/S**2``...; "" when unknown).
    """

    code: str
    location: str = ""
    sampling_rate: float = float("nan")
    azimuth: float = float("nan")
    dip: float = float("nan")
    sensor_type: str = ""
    sensitivity: float = float("nan")
    input_units: str = ""

    @property
    def component(self) -> str:
        """Last letter of the code: ``Z``, ``N``, ``E``, ``1``, ``2``..."""
        return self.code[-1:].upper()


@dataclass(frozen=True)
class Station:
    """A station at a point of the mine grid.

    Parameters
    ----------
    code : str
        Station code (unique within the inventory).
    x, y, z : float
        Grid coordinates: east, north, up, m.
    network : str
        SEED network code ("" when none).
    channels : tuple of Channel
        Its channels (may be empty when only the position is known).
    """

    code: str
    x: float
    y: float
    z: float
    network: str = ""
    channels: tuple[Channel, ...] = field(default_factory=tuple)

    @property
    def position(self) -> np.ndarray:
        """(x, y, z), m."""
        return np.array([self.x, self.y, self.z])


STATION_COLUMNS = ["network", "station", "x", "y", "z", "n_channels"]
CHANNEL_COLUMNS = ["network", "station", "location", "channel", "sampling_rate", "azimuth",
                   "dip", "sensor_type", "sensitivity", "input_units"]


@dataclass(frozen=True)
class Inventory:
    """The stations of a network, by code.

    Parameters
    ----------
    stations : tuple of Station
        Stations with unique codes.
    grid : LocalGrid or None
        The projection from geographic coordinates, when the inventory came from one.
    """

    stations: tuple[Station, ...]
    grid: LocalGrid | None = None

    def __post_init__(self) -> None:
        codes = [s.code for s in self.stations]
        duplicated = sorted({c for c in codes if codes.count(c) > 1})
        if duplicated:
            raise ValidationError(Problem(_("station codes must be unique, repeated: "
                                            "%(codes)s", codes=", ".join(duplicated)),
                                          column="station"))

    @property
    def codes(self) -> list[str]:
        """Station codes, in inventory order."""
        return [s.code for s in self.stations]

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def station(self, code: str) -> Station:
        """The station with that code (KeyError when absent)."""
        for s in self.stations:
            if s.code == code:
                return s
        raise KeyError(code)

    def positions(self, codes: Sequence[str] | None = None) -> np.ndarray:
        """Station coordinates, shape (n, 3), m, in the order of ``codes`` (default: all)."""
        wanted = self.codes if codes is None else list(codes)
        index = {s.code: s for s in self.stations}
        return np.array([index[c].position for c in wanted], dtype=float).reshape(-1, 3)

    def stations_frame(self) -> pd.DataFrame:
        """One row per station: ``network, station, x, y, z`` (m), ``n_channels``."""
        return pd.DataFrame([(s.network, s.code, s.x, s.y, s.z, len(s.channels))
                             for s in self.stations], columns=STATION_COLUMNS)

    def channels_frame(self) -> pd.DataFrame:
        """One row per channel: codes, sampling rate (Hz), azimuth and dip (degrees), sensor
        type, sensitivity (counts per input unit) and its input unit."""
        return pd.DataFrame([(s.network, s.code, c.location, c.code, c.sampling_rate,
                              c.azimuth, c.dip, c.sensor_type, c.sensitivity, c.input_units)
                             for s in self.stations for c in s.channels],
                            columns=CHANNEL_COLUMNS)

    def aperture(self) -> float:
        """Largest distance between two stations, m (0 for fewer than two)."""
        xyz = self.positions()
        if len(xyz) < 2:
            return 0.0
        return float(np.sqrt(((xyz[:, None, :] - xyz[None, :, :]) ** 2).sum(-1)).max())


def read_station_csv(table: Table) -> Inventory:
    """Stations (and optionally channels) from a CSV file in mine-grid metres.

    Required columns: ``station, x, y, z`` (m). Optional: ``network``, and per channel
    ``channel``, ``location``, ``sampling_rate`` (Hz), ``azimuth`` and ``dip`` (degrees),
    ``sensor_type``, ``sensitivity`` (counts per input unit), ``input_units``: a station with
    several channels takes one row per channel, with the same coordinates.

    Parameters
    ----------
    table : path or DataFrame
        The CSV file or an equivalent frame.

    Returns
    -------
    Inventory

    Raises
    ------
    ValidationError
        Missing columns, non-numeric coordinates, or one station at two positions.
    """
    frame, source = read_table(table, ["station", "x", "y", "z"], ["x", "y", "z"],
                               what=_("stations"))
    optional_numbers = [c for c in ("sampling_rate", "azimuth", "dip", "sensitivity")
                        if c in frame.columns]
    for column in optional_numbers:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    problems: list[Problem] = []
    stations: list[Station] = []
    for code, rows in frame.groupby("station", sort=False):
        xyz = rows[["x", "y", "z"]].to_numpy(dtype=float)
        if np.ptp(xyz, axis=0).max() > 1e-6:
            problems.append(Problem(_("station %(code)s is given at %(n)s different "
                                      "positions; expected one", code=code, n=len(xyz)),
                                    row=int(rows.index[1]) + 2,
                                    source=source))
            continue
        channels = tuple(
            Channel(code=str(r.get("channel", "")), location=str(r.get("location", "")),
                    sampling_rate=float(r.get("sampling_rate", np.nan)),
                    azimuth=float(r.get("azimuth", np.nan)), dip=float(r.get("dip", np.nan)),
                    sensor_type=str(r.get("sensor_type", "")),
                    sensitivity=float(r.get("sensitivity", np.nan)),
                    input_units=str(r.get("input_units", "")))
            for r in rows.to_dict("records") if str(r.get("channel", "")).strip())
        stations.append(Station(str(code), float(xyz[0, 0]), float(xyz[0, 1]),
                                float(xyz[0, 2]),
                                network=str(rows.iloc[0].get("network", "")),
                                channels=channels))
    if problems:
        raise ValidationError(problems)
    return Inventory(tuple(stations))


def _channel_from_obspy(channel: object) -> Channel:
    response = getattr(channel, "response", None)
    sensitivity = getattr(response, "instrument_sensitivity", None) if response else None
    sensor = getattr(channel, "sensor", None)
    sensor_type = str(getattr(sensor, "type", "") or getattr(sensor, "description", "") or "")
    return Channel(code=str(getattr(channel, "code", "")),
                   location=str(getattr(channel, "location_code", "") or ""),
                   sampling_rate=_float(getattr(channel, "sample_rate", None)),
                   azimuth=_float(getattr(channel, "azimuth", None)),
                   dip=_float(getattr(channel, "dip", None)),
                   sensor_type=sensor_type,
                   sensitivity=_float(getattr(sensitivity, "value", None)),
                   input_units=str(getattr(sensitivity, "input_units", "") or ""))


def _float(value: object) -> float:
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def inventory_from_obspy(inventory: object, grid: LocalGrid | None = None) -> Inventory:
    """An :class:`Inventory` from an ObsPy inventory, projected onto a local grid.

    Parameters
    ----------
    inventory : obspy.Inventory
        Networks, stations and channels with geographic coordinates (degrees, m).
    grid : LocalGrid, optional
        The projection; by default one tangent at the stations' mean latitude and longitude,
        at height 0 m (so ``z`` is the height above the ellipsoid, m).

    Returns
    -------
    Inventory
        Station positions in the grid, m; channel metadata kept (a station listed in two
        networks keeps its first entry).
    """
    entries = [(net.code, sta) for net in inventory for sta in net]  # type: ignore[attr-defined]
    if not entries:
        raise ValidationError(Problem(_("the inventory has no station")))
    lat = np.array([s.latitude for _net, s in entries], float)
    lon = np.array([s.longitude for _net, s in entries], float)
    elev = np.array([s.elevation for _net, s in entries], float)
    if grid is None:
        grid = LocalGrid(float(lat.mean()), float(lon.mean()), 0.0)
    xyz = grid.to_local(lat, lon, elev)
    seen: dict[str, Station] = {}
    for (net, sta), p in zip(entries, xyz, strict=True):
        if sta.code not in seen:
            seen[sta.code] = Station(sta.code, float(p[0]), float(p[1]), float(p[2]),
                                     network=net,
                                     channels=tuple(_channel_from_obspy(c) for c in sta))
    return Inventory(tuple(seen.values()), grid)


def read_stationxml(path: str | Path, grid: LocalGrid | None = None) -> Inventory:
    """Stations from a StationXML file (read with ObsPy), projected onto a local grid, as an
    :class:`Inventory`.

    Parameters
    ----------
    path : str or Path
        The StationXML file.
    grid : LocalGrid, optional
        The projection (see :func:`inventory_from_obspy`).

    Raises
    ------
    ValidationError
        File missing or not StationXML.
    """
    import obspy

    path = Path(path)
    if not path.is_file():
        raise ValidationError(Problem(_("inventory file not found: %(path)s", path=path),
                                      source=str(path)))
    try:
        inventory = obspy.read_inventory(str(path))
    except Exception as exc:  # ObsPy raises several unrelated types for a bad file
        raise ValidationError(Problem(_("not a readable StationXML file (%(error)s)", error=exc),
                                      source=path.name)) from exc
    return inventory_from_obspy(inventory, grid)


def read_inventory(path: str | Path, grid: LocalGrid | None = None) -> Inventory:
    """Stations from a CSV file in grid metres (``.csv``) or from StationXML (anything else).

    Parameters
    ----------
    path : str or Path
        The file.
    grid : LocalGrid, optional
        Projection for StationXML (see :func:`inventory_from_obspy`).

    Returns
    -------
    Inventory
    """
    path = Path(path)
    return read_station_csv(path) if path.suffix.lower() == ".csv" else read_stationxml(path, grid)

