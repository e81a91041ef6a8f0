"""Waveforms as plain arrays: reading miniSEED (or any format ObsPy reads) and screening it.

A :class:`ChannelData` is one contiguous segment of one channel: a float64 array with its
start time (POSIX s) and sampling rate (Hz). Reading and screening never stop on one bad
file or trace: each problem (unreadable file, gap, NaN, station missing from the inventory)
is collected with the trace id and the rest of the batch goes on.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import butter

from aurum.core.errors import Problem
from aurum.core.i18n import _
from aurum.seismic.inventory import Inventory


@dataclass(frozen=True)
class ChannelData:
    """One contiguous segment of one channel.

    Parameters
    ----------
    trace_id : str
        ``NET.STA.LOC.CHA``.
    station : str
        Station code.
    channel : str
        Channel code.
    start : float
        Time of the first sample, s (POSIX seconds for real data).
    sampling_rate : float
        Samples per second, Hz.
    data : numpy.ndarray
        Samples (counts, or m/s after response removal), float64.
    source : str
        File it was read from ("" when built in memory).
    """

    trace_id: str
    station: str
    channel: str
    start: float
    sampling_rate: float
    data: np.ndarray
    source: str = ""

    @property
    def component(self) -> str:
        """Last letter of the channel code: ``Z``, ``N``, ``E``, ``1``, ``2``..."""
        return self.channel[-1:].upper()

    @property
    def end(self) -> float:
        """Time of the last sample, s."""
        return self.start + (self.data.size - 1) / self.sampling_rate

    def index(self, time: float) -> int:
        """Sample index nearest to a time (s), clipped to the segment."""
        return int(np.clip(round((time - self.start) * self.sampling_rate), 0,
                           self.data.size - 1))


def from_obspy(stream: Iterable[object], source: str = "") -> list[ChannelData]:
    """Segments of an ObsPy stream (one per trace), data as float64.

    Parameters
    ----------
    stream : obspy.Stream
        Traces.
    source : str
        File name recorded with each segment.

    Returns
    -------
    list of ChannelData
    """
    out = []
    for tr in stream:
        st = tr.stats  # type: ignore[attr-defined]
        out.append(ChannelData(tr.id, st.station, st.channel,  # type: ignore[attr-defined]
                               float(st.starttime.timestamp), float(st.sampling_rate),
                               np.asarray(tr.data, dtype=np.float64),  # type: ignore[attr-defined]
                               source))
    return out


def read_waveforms(path: str | Path) -> tuple[list[ChannelData], list[Problem]]:
    """Read a waveform file, or every file of a directory, with ObsPy.

    Parameters
    ----------
    path : str or Path
        A miniSEED file (or any format ObsPy recognises), or a directory of them (read in
        name order, not recursively).

    Returns
    -------
    channels : list of ChannelData
        Every trace segment read.
    problems : list of Problem
        Files that do not exist, or that ObsPy cannot read (left out).
    """
    import obspy

    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        return [], [Problem(_("waveform file or directory not found: %(path)s", path=path),
                            source=str(path))]
    channels: list[ChannelData] = []
    problems: list[Problem] = []
    for file in files:
        try:
            stream = obspy.read(str(file))
        except Exception as exc:  # ObsPy raises many unrelated types for a bad file
            problems.append(Problem(_("not a readable waveform file (%(kind)s: %(error)s); "
                                      "file left out", kind=type(exc).__name__, error=exc),
                                    source=file.name))
            continue
        channels.extend(from_obspy(stream, file.name))
    if not files:
        problems.append(Problem(_("no file in the waveform directory"), source=str(path)))
    return channels, problems


def screen(channels: list[ChannelData], inventory: Inventory | None = None,
           source: str | None = None) -> tuple[list[ChannelData], list[Problem]]:
    """Keep the segments that can be processed, and say why the others cannot.

    Left out, each with a problem: segments holding NaN or infinite samples, empty or
    constant segments, segments of a station missing from the inventory (when one is given).
    Kept but reported: gaps and overlaps between the segments of one channel within one file
    (each segment is then processed on its own; separate files of triggered recordings are
    expected to be apart in time).

    Parameters
    ----------
    channels : list of ChannelData
        Segments as read.
    inventory : Inventory, optional
        Stations whose positions are known.
    source : str, optional
        Name of the input for the messages.

    Returns
    -------
    kept : list of ChannelData
    problems : list of Problem
    """
    kept: list[ChannelData] = []
    problems: list[Problem] = []
    missing: set[str] = set()
    for ch in channels:
        where = source or ch.source or ch.trace_id
        bad = ~np.isfinite(ch.data)
        if bad.any():
            first = ch.start + np.flatnonzero(bad)[0] / ch.sampling_rate
            problems.append(Problem(_("%(trace)s: %(n)s NaN or infinite sample(s), first at "
                                      "%(first)s; segment left out", trace=ch.trace_id,
                                      n=int(bad.sum()), first=utc_text(first)), source=where))
            continue
        if ch.data.size < 2 or np.ptp(ch.data) == 0:
            problems.append(Problem(_("%(trace)s: empty or constant segment at %(start)s; "
                                      "segment left out", trace=ch.trace_id,
                                      start=utc_text(ch.start)), source=where))
            continue
        if inventory is not None and ch.station not in inventory:
            if ch.station not in missing:
                problems.append(Problem(_("station %(station)s (%(trace)s) is not in the "
                                          "inventory; its channels are left out",
                                          station=ch.station, trace=ch.trace_id), source=where))
                missing.add(ch.station)
            continue
        kept.append(ch)
    by_id: dict[tuple[str, str], list[ChannelData]] = {}
    for ch in kept:
        by_id.setdefault((ch.source, ch.trace_id), []).append(ch)
    for (file, trace_id), segments in by_id.items():
        segments.sort(key=lambda c: c.start)
        for a, b in itertools.pairwise(segments):
            jump = b.start - a.end - 1.0 / a.sampling_rate
            if abs(jump) > 0.5 / a.sampling_rate:
                values = {"trace": trace_id, "size": f"{abs(jump):.4f}",
                          "at": utc_text(a.end)}
                problems.append(Problem(
                    _("%(trace)s: gap of %(size)s s at %(at)s; segments processed separately",
                      **values) if jump > 0 else
                    _("%(trace)s: overlap of %(size)s s at %(at)s; segments processed "
                      "separately", **values), source=source or file or trace_id))
    return kept, problems


def bandpass(band: tuple[float, float], sampling_rate: float) -> np.ndarray:
    """Second-order sections of a 4-pole Butterworth band-pass.

    Parameters
    ----------
    band : tuple of float
        Corner frequencies (low, high), Hz; the high corner is kept below 95 % of Nyquist.
    sampling_rate : float
        Hz.

    Returns
    -------
    numpy.ndarray
        SOS array for ``scipy.signal.sosfilt`` / ``sosfiltfilt``.
    """
    nyquist = 0.5 * sampling_rate
    low, high = band
    return butter(4, [low / nyquist, min(high / nyquist, 0.95)], btype="band", output="sos")


def utc_text(seconds: float) -> str:
    """ISO 8601 UTC text of a POSIX time (s), to the microsecond."""
    return np.datetime64(round(seconds * 1e6), "us").astype(str) + "Z"
