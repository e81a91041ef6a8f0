"""Synthetic mine arrays, picks and waveforms with known answers, for tests, benchmarks and
demonstrations.

- :func:`mine_array`: stations spread through a block of ground on a few mining levels.
- :func:`synthetic_picks`: exact P and S travel times plus Gaussian pick noise
  (``p_std_s``, ``s_std_s``), each pick kept with a probability, so that the answer of a
  location is known.
- :func:`synthetic_waveforms`: continuous three-component (or vertical) records, Gaussian
  white noise plus, for every event, a P and an S wavelet (exponentially damped sine starting
  at the arrival, amplitude decaying as 1/distance) projected on the components: P along
  the ray, S across it in the horizontal plane.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurum.seismic.inventory import Channel, Inventory, Station
from aurum.seismic.velocity import VelocityModel, travel_times
from aurum.seismic.waveforms import ChannelData

COMPONENT_AXES = {"E": np.array([1.0, 0.0, 0.0]), "N": np.array([0.0, 1.0, 0.0]),
                  "Z": np.array([0.0, 0.0, 1.0])}


def mine_array(n_stations: int, size_m: tuple[float, float, float] = (800.0, 800.0, 300.0),
               levels: int = 4, components: str = "ZNE", sampling_rate: float = 6000.0,
               seed: int = 0) -> Inventory:
    """Stations at random places on ``levels`` horizontal mining levels of a block.

    Parameters
    ----------
    n_stations : int
        Number of stations.
    size_m : tuple of float
        Block size along x, y, z, m; the block starts at the origin, levels equally spaced
        from its bottom to its top.
    levels : int
        Mining levels carrying stations.
    components : str
        Channel components of each station (``"ZNE"`` or ``"Z"``).
    sampling_rate : float
        Sampling rate of every channel, Hz.
    seed : int
        Random seed.

    Returns
    -------
    Inventory
        Stations ``S01``, ``S02``..., channels ``GP`` + component.
    """
    rng = np.random.default_rng(seed)
    sx, sy, sz = size_m
    level_z = np.linspace(0.0, sz, levels)
    channels = tuple(Channel(f"GP{c}", sampling_rate=sampling_rate, sensor_type="geophone",
                             azimuth=90.0 if c == "E" else 0.0, dip=-90.0 if c == "Z" else 0.0)
                     for c in components)
    stations = tuple(Station(f"S{i + 1:02d}", float(rng.uniform(0, sx)),
                             float(rng.uniform(0, sy)), float(level_z[i % levels]),
                             network="XX", channels=channels)
                     for i in range(n_stations))
    return Inventory(stations)


def synthetic_picks(inventory: Inventory, hypocentres: np.ndarray, origin_times: np.ndarray,
                    model: VelocityModel, p_std_s: float = 0.001, s_std_s: float = 0.002,
                    keep_p: float = 1.0, keep_s: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Noisy P and S picks of known events.

    Parameters
    ----------
    inventory : Inventory
        Stations, m.
    hypocentres : numpy.ndarray
        Event positions, shape (n, 3), m.
    origin_times : numpy.ndarray
        Origin times, s.
    model : HomogeneousModel or LayeredModel
        Velocities, m/s.
    p_std_s, s_std_s : float
        Standard deviation of the Gaussian error added to P and S picks, s.
    keep_p, keep_s : float
        Probability that a station has a P (S) pick.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``event`` (0, 1, ...), ``station``, ``phase``, ``time`` (s), ``weight`` (1).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for phase, std, keep in (("P", p_std_s, keep_p), ("S", s_std_s, keep_s)):
        tt = travel_times(model, phase, hypocentres, inventory.positions())
        t = np.asarray(origin_times, float)[:, None] + tt + rng.normal(0.0, std, tt.shape)
        ev, st = np.nonzero(rng.random(tt.shape) < keep)
        rows.append(pd.DataFrame({"event": ev, "station": np.array(inventory.codes)[st],
                                  "phase": phase, "time": t[ev, st], "weight": 1.0}))
    return pd.concat(rows, ignore_index=True).sort_values(["event", "time"],
                                                          ignore_index=True)


def wavelet(t: np.ndarray, frequency_hz: float, damping_s: float) -> np.ndarray:
    """Damped sine starting at t = 0: sin(2π f t) exp(−t / τ) for t ≥ 0, else 0.

    Parameters
    ----------
    t : numpy.ndarray
        Time after the arrival, s.
    frequency_hz : float
        Frequency, Hz.
    damping_s : float
        Decay time τ, s.
    """
    return np.where(t >= 0.0, np.sin(2 * np.pi * frequency_hz * t) * np.exp(-t / damping_s),
                    0.0)


def synthetic_waveforms(inventory: Inventory, hypocentres: np.ndarray, origin_times: np.ndarray,
                        amplitudes: np.ndarray, model: VelocityModel, start: float,
                        duration_s: float, sampling_rate: float = 6000.0,
                        noise_std: float = 1.0, p_frequency_hz: float = 300.0,
                        s_frequency_hz: float = 150.0, s_to_p: float = 1.5,
                        dtype: type = np.float64, seed: int = 0) -> list[ChannelData]:
    """Continuous records of known events on every channel of an inventory.

    Parameters
    ----------
    inventory : Inventory
        Stations and their channels (components ``Z``, ``N``, ``E``), m.
    hypocentres : numpy.ndarray
        Event positions, shape (n, 3), m.
    origin_times : numpy.ndarray
        Origin times, s.
    amplitudes : numpy.ndarray
        P amplitude of each event at 100 m, in noise standard deviations.
    model : HomogeneousModel or LayeredModel
        Velocities, m/s.
    start : float
        Time of the first sample, s.
    duration_s : float
        Record length, s.
    sampling_rate : float
        Hz.
    noise_std : float
        Standard deviation of the white noise (arbitrary units).
    p_frequency_hz, s_frequency_hz : float
        Wavelet frequencies, Hz; decay times are 1.5 periods.
    s_to_p : float
        S amplitude over P amplitude.
    dtype : type
        Sample type (``numpy.float32`` halves memory for long records).
    seed : int
        Random seed of the noise.

    Returns
    -------
    list of ChannelData
        One segment per channel.
    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * sampling_rate)
    positions = inventory.positions()
    hyp = np.asarray(hypocentres, float).reshape(-1, 3)
    t_p = np.asarray(origin_times, float)[:, None] + travel_times(model, "P", hyp, positions)
    t_s = np.asarray(origin_times, float)[:, None] + travel_times(model, "S", hyp, positions)
    length = int(10 * 1.5 / min(p_frequency_hz, s_frequency_hz) * sampling_rate)
    out = []
    for j, station in enumerate(inventory.stations):
        ray = positions[j] - hyp
        distance = np.linalg.norm(ray, axis=1)
        ray /= np.maximum(distance, 1e-9)[:, None]
        sh = np.cross(ray, COMPONENT_AXES["Z"])
        sh /= np.maximum(np.linalg.norm(sh, axis=1), 1e-9)[:, None]
        scale = np.asarray(amplitudes, float) * 100.0 / np.maximum(distance, 1.0) * noise_std
        for ch in station.channels:
            data: np.ndarray = rng.normal(0.0, noise_std, n).astype(dtype)
            axis = COMPONENT_AXES[ch.component]
            for k in range(len(hyp)):  # per event, a few thousand samples each
                for t_arr, f, amp in ((t_p[k, j], p_frequency_hz, scale[k] * (ray[k] @ axis)),
                                      (t_s[k, j], s_frequency_hz,
                                       scale[k] * s_to_p * (sh[k] @ axis))):
                    i0 = int(np.ceil((t_arr - start) * sampling_rate))
                    if i0 >= n or i0 + length <= 0 or amp == 0.0:
                        continue
                    idx = np.arange(max(i0, 0), min(i0 + length, n))
                    data[idx] += (amp * wavelet(start + idx / sampling_rate - t_arr, f,
                                                1.5 / f)).astype(dtype)
            out.append(ChannelData(f"{station.network}.{station.code}..{ch.code}",
                                   station.code, ch.code, start, sampling_rate, data))
    return out
