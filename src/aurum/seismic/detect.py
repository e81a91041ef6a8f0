"""Event detection: recursive STA/LTA per channel, network coincidence, picks per detection.

Per channel segment, ObsPy's C recursive STA/LTA (``recursive_sta_lta``) gives the
characteristic function and ``trigger_onset`` its on/off times; an optional causal
Butterworth band-pass comes first. Channels of one station are merged into station triggers,
and a detection is declared wherever at least ``min_stations`` stations are triggered at
once (a sweep over the sorted trigger edges). Each detection gets P and S picks
(:mod:`aurum.seismic.pick`) at every station that triggered in it.

Channels are independent until the coincidence step, so they are processed by a thread
pool: the C routine and numpy release the GIL.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from obspy.signal.trigger import recursive_sta_lta, trigger_onset
from scipy.signal import sosfilt

from aurum.core.errors import Problem
from aurum.core.i18n import _
from aurum.seismic.pick import Pick, PickSettings, pick_station
from aurum.seismic.waveforms import ChannelData, bandpass

TRIGGER_COLUMNS = ["trace_id", "station", "channel", "on", "off", "peak"]
"""Channel triggers: ids, on and off times (s), peak STA/LTA ratio."""


@dataclass(frozen=True)
class DetectSettings:
    """STA/LTA and coincidence settings.

    Parameters
    ----------
    sta_s : float
        Short-term average window, s.
    lta_s : float
        Long-term average window, s.
    on : float
        STA/LTA ratio that switches a channel trigger on.
    off : float
        Ratio below which it switches off.
    min_stations : int
        Stations triggered at once for a detection.
    max_trigger_s : float
        Longest channel trigger, s (a longer one is cut there).
    coincidence_s : float
        Each station trigger is extended by this time after its off time when testing
        coincidence, s (lets a near station's short trigger meet a far station's: about the
        largest P moveout across the array); a detection also reaches back this long before
        its coincidence window.
    band : tuple of float, optional
        Causal Butterworth band-pass (low, high) before STA/LTA, Hz.
    post_s : float
        The detection window (where S is searched) extends this long after the last
        station trigger's off time, s.
    """

    sta_s: float = 0.01
    lta_s: float = 0.1
    on: float = 5.0
    off: float = 1.5
    min_stations: int = 4
    max_trigger_s: float = 2.0
    coincidence_s: float = 0.25
    band: tuple[float, float] | None = None
    post_s: float = 0.1


@dataclass
class Detection:
    """A network detection with its picks.

    Parameters
    ----------
    id : str
        Detection id (``det_`` and a running number).
    start, end : float
        Window: first trigger-on of its stations and their last trigger-off plus
        ``post_s``, s.
    stations : list of str
        Stations triggered in the window.
    peak : float
        Highest STA/LTA ratio of any channel in the window.
    picks : list of Pick
        P and S picks.
    """

    id: str
    start: float
    end: float
    stations: list[str]
    peak: float
    picks: list[Pick] = field(default_factory=list)

    def picks_frame(self) -> pd.DataFrame:
        """Picks as a frame: ``event, station, channel, phase, time`` (s), ``uncertainty`` (s),
        ``quality``, ``weight``, ``snr`` — ready for :meth:`Locator.locate_all`."""
        return picks_frame([self])


PICK_FRAME_COLUMNS = ["event", "station", "channel", "phase", "time", "uncertainty",
                      "quality", "weight", "snr"]


def picks_frame(detections: list[Detection]) -> pd.DataFrame:
    """Picks of several detections as one frame (columns :data:`PICK_FRAME_COLUMNS`)."""
    rows = [(d.id, p.station, p.channel, p.phase, p.time, p.uncertainty, p.quality, p.weight,
             p.snr) for d in detections for p in d.picks]
    return pd.DataFrame(rows, columns=PICK_FRAME_COLUMNS)


@dataclass
class DetectionResult:
    """What a detection run found.

    Parameters
    ----------
    detections : list of Detection
        In time order.
    triggers : pandas.DataFrame
        Every channel trigger (:data:`TRIGGER_COLUMNS`).
    problems : list of Problem
        Segments too short for the LTA window, and any other per-channel problem.
    """

    detections: list[Detection]
    triggers: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def channel_triggers(ch: ChannelData, settings: DetectSettings) -> np.ndarray:
    """On/off times and peak ratio of every STA/LTA trigger of one segment.

    Parameters
    ----------
    ch : ChannelData
        The segment.
    settings : DetectSettings
        Windows (s), thresholds, band (Hz).

    Returns
    -------
    numpy.ndarray
        Shape (n, 3): on time (s), off time (s), peak STA/LTA ratio.
    """
    sr = ch.sampling_rate
    nsta = max(round(settings.sta_s * sr), 1)
    nlta = max(round(settings.lta_s * sr), nsta + 1)
    # The recursive averages start at zero; a mirrored copy of the first LTA window run in
    # front lets the LTA settle on the noise before the first real sample.
    warm = 2 * nlta
    buffer = np.empty(warm + ch.data.size)
    x = buffer[warm:]
    np.subtract(ch.data, ch.data[:nlta].mean(), out=x)
    if settings.band is not None:
        x[:] = sosfilt(bandpass(settings.band, sr), x)
    buffer[:warm] = np.pad(x[:nlta], (warm, 0), mode="symmetric")[:warm]
    cft = recursive_sta_lta(buffer, nsta, nlta)[warm:]
    onsets = trigger_onset(cft, settings.on, settings.off,
                           max_len=int(settings.max_trigger_s * sr))
    if len(onsets) == 0:
        return np.empty((0, 3))
    onsets = np.asarray(onsets, dtype=np.int64)
    ends = np.minimum(onsets[:, 1], cft.size - 1)
    bounds = np.column_stack((onsets[:, 0], ends + 1)).ravel()
    peaks = np.maximum.reduceat(cft, bounds[bounds < cft.size])[::2]
    return np.column_stack((ch.start + onsets[:, 0] / sr, ch.start + ends / sr, peaks))


def _station_intervals(triggers: pd.DataFrame, extension: float) -> pd.DataFrame:
    """Merge each station's channel triggers into disjoint intervals (extended off times)."""
    t = triggers.assign(off=triggers["off"] + extension).sort_values(["station", "on"])
    running_off = t.groupby("station")["off"].cummax()
    previous_off = running_off.groupby(t["station"]).shift()
    t = t.assign(block=(t["on"] > previous_off).fillna(True).cumsum())
    return (t.groupby(["station", "block"]).agg(on=("on", "min"), off=("off", "max"))
            .reset_index())


def coincidence_windows(triggers: pd.DataFrame, min_stations: int,
                        extension: float = 0.0) -> np.ndarray:
    """Time intervals during which at least ``min_stations`` stations are triggered.

    Parameters
    ----------
    triggers : pandas.DataFrame
        Channel triggers (``station, on, off``, s).
    min_stations : int
        Coincidence threshold.
    extension : float
        Added to every off time, s.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): start and end of each interval, s.
    """
    if triggers.empty:
        return np.empty((0, 2))
    st = _station_intervals(triggers, extension)
    times = np.concatenate((st["on"].to_numpy(float), st["off"].to_numpy(float)))
    steps = np.concatenate((np.ones(len(st)), -np.ones(len(st))))
    order = np.lexsort((steps, times))  # an off before an on at the same instant
    count = np.cumsum(steps[order])
    t = times[order]
    above = count >= min_stations
    rises = np.flatnonzero(above & ~np.r_[False, above[:-1]])
    falls = np.flatnonzero(~above & np.r_[False, above[:-1]])
    return np.column_stack((t[rises], t[falls]))


def detect(channels: list[ChannelData], settings: DetectSettings | None = None,
           pick_settings: PickSettings | None = None, workers: int = 1,
           progress: Callable[[int, int], None] | None = None) -> DetectionResult:
    """Detect events in a set of channel segments and pick them.

    Parameters
    ----------
    channels : list of ChannelData
        Screened segments (see :func:`aurum.seismic.waveforms.screen`), any stations and
        times: files of different times may be mixed.
    settings : DetectSettings, optional
        STA/LTA and coincidence settings.
    pick_settings : PickSettings, optional
        Picking windows and quality limits; ``None`` uses the defaults.
    workers : int
        Threads for the per-channel STA/LTA.
    progress : callable, optional
        Called as ``progress(done, total)`` per channel segment.

    Returns
    -------
    DetectionResult
    """
    settings = settings or DetectSettings()
    pick_settings = pick_settings or PickSettings()
    problems: list[Problem] = []
    usable = []
    for ch in channels:
        if ch.data.size <= settings.lta_s * ch.sampling_rate:
            problems.append(Problem(_("%(trace)s: segment of %(n)s samples is shorter than "
                                      "the LTA window (%(lta)s s); left out of detection",
                                      trace=ch.trace_id, n=ch.data.size, lta=settings.lta_s),
                                    source=ch.trace_id))
        else:
            usable.append(ch)
    rows: list[tuple[object, ...]] = []
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        for i, (ch, found) in enumerate(zip(usable, pool.map(
                lambda c: channel_triggers(c, settings), usable), strict=True)):
            rows.extend((ch.trace_id, ch.station, ch.channel, *r) for r in found)
            if progress is not None:
                progress(i + 1, len(usable))
    triggers = pd.DataFrame(rows, columns=TRIGGER_COLUMNS)
    windows = coincidence_windows(triggers, settings.min_stations, settings.coincidence_s)
    associated = _associate(triggers, windows, settings)
    by_station: dict[str, list[ChannelData]] = {}
    for ch in usable:
        by_station.setdefault(ch.station, []).append(ch)
    for det, hit in associated:
        for station, on in hit.groupby("station")["on"].min().items():
            segments = [c for c in by_station[str(station)] if c.start <= on <= c.end]
            det.picks.extend(pick_station(segments, float(on), det.end, pick_settings))
    detections = [det for det, _picks in associated]
    return DetectionResult(detections, triggers, problems)


def _associate(triggers: pd.DataFrame, windows: np.ndarray,
               settings: DetectSettings) -> list[tuple[Detection, pd.DataFrame]]:
    """One detection per coincidence window, with the triggers that made it (those whose
    extended span overlaps the window); windows sharing a trigger are one detection."""
    on = triggers["on"].to_numpy(float)
    reach = triggers["off"].to_numpy(float) + settings.coincidence_s
    groups: list[np.ndarray] = []
    for rise, fall in windows:
        members = np.flatnonzero((on <= fall) & (reach >= rise))
        if groups and np.intersect1d(groups[-1], members).size:
            groups[-1] = np.union1d(groups[-1], members)
        else:
            groups.append(members)
    out = []
    for k, members in enumerate(groups):
        hit = triggers.iloc[members]
        out.append((Detection(f"det_{k + 1:05d}", float(hit["on"].min()),
                              float(hit["off"].max()) + settings.post_s,
                              sorted(hit["station"].unique().tolist()),
                              float(hit["peak"].max())), hit))
    return out
