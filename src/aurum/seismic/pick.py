"""P and S onsets refined with the Akaike information criterion, with a quality weight.

The AIC of a window split at sample k (Maeda, 1985) is computed by ObsPy's C routine
(``obspy.signal.trigger.aic_simple``); its minimum is the onset. Quality comes from the AIC
curve itself and from the signal-to-noise ratio around the onset:

- uncertainty: half the width of the run of samples around the minimum whose AIC stays within
  :attr:`PickSettings.aic_delta` of it (a relative likelihood above exp(−Δ/2), e^-2 ≈ 0.14 for
  Δ = 4), at least one sample;
- class 0–3 (Hypoinverse convention, 0 best) from that uncertainty in samples
  (≤ 2, 4, 8, 16), weight 1, 0.75, 0.5, 0.25; picks beyond, or with a signal-to-noise ratio
  below :attr:`PickSettings.snr_min`, are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from obspy.signal.trigger import aic_simple
from scipy.signal import sosfiltfilt

from aurum.seismic.waveforms import ChannelData, bandpass

CLASS_LIMITS_SAMPLES = (2.0, 4.0, 8.0, 16.0)
"""Uncertainty (samples) at or below which a pick is of class 0, 1, 2, 3."""
CLASS_WEIGHTS = (1.0, 0.75, 0.5, 0.25)
"""Location weight of each class."""
MIN_SIDE_SAMPLES = 8
"""Fewest samples on either side of an AIC split."""
VERTICAL = frozenset("Z3")
HORIZONTAL = frozenset("NE12")


@dataclass(frozen=True)
class PickSettings:
    """Where and how onsets are searched.

    Parameters
    ----------
    p_before_s : float
        Start of the P window before the trigger-on time, s.
    p_after_s : float
        End of the P window after the trigger-on time, s.
    s_min_after_p_s : float
        The S window starts this long after the P pick, s.
    s_max_after_p_s : float
        The S window ends this long after the P pick (largest S − P time expected), s.
    snr_min : float
        Smallest ratio of the RMS amplitude just after the onset to that before it.
    snr_window_s : float
        Length of the "just after" window, s (at least eight samples).
    aic_delta : float
        AIC rise that bounds the onset's uncertainty interval (dimensionless).
    band : tuple of float, optional
        Zero-phase Butterworth band-pass applied to the pick window (low, high), Hz.
    pick_s : bool
        Also pick S (on the horizontal channels, or the vertical when a station has none).
    """

    p_before_s: float = 0.1
    p_after_s: float = 0.05
    s_min_after_p_s: float = 0.01
    s_max_after_p_s: float = 0.5
    snr_min: float = 2.0
    snr_window_s: float = 0.01
    aic_delta: float = 4.0
    band: tuple[float, float] | None = None
    pick_s: bool = True


@dataclass(frozen=True)
class Pick:
    """One phase onset.

    Parameters
    ----------
    station, channel, trace_id : str
        Where it was picked.
    phase : str
        ``P`` or ``S``.
    time : float
        Onset, s (POSIX for real data).
    uncertainty : float
        Half-width of the onset interval, s.
    quality : int
        Class 0 (best) to 3.
    weight : float
        Location weight of the class (1, 0.75, 0.5, 0.25).
    snr : float
        RMS amplitude just after / before the onset.
    """

    station: str
    channel: str
    trace_id: str
    phase: str
    time: float
    uncertainty: float
    quality: int
    weight: float
    snr: float


def _window(ch: ChannelData, t_start: float, t_end: float, settings: PickSettings
            ) -> tuple[int, np.ndarray]:
    i0, i1 = ch.index(t_start), ch.index(t_end) + 1
    x = ch.data[i0:i1] - ch.data[i0:i1].mean()
    if settings.band is not None and x.size > 30:
        x = sosfiltfilt(bandpass(settings.band, ch.sampling_rate), x)
    return i0, x


def aic_onset(x: np.ndarray, settings: PickSettings, snr_samples: int = MIN_SIDE_SAMPLES
              ) -> tuple[int, float, float] | None:
    """Onset of a window by the AIC minimum, with its uncertainty and SNR.

    Parameters
    ----------
    x : numpy.ndarray
        Window of samples (any unit), noise first.
    settings : PickSettings
        ``aic_delta`` and ``snr_min``.
    snr_samples : int
        Samples after the onset whose RMS is compared with the RMS of everything before it.

    Returns
    -------
    tuple or None
        (onset index in the window, uncertainty in samples, signal-to-noise ratio), or None
        when the window is too short or the SNR is below ``snr_min``.
    """
    n = x.size
    if n < 2 * MIN_SIDE_SAMPLES:
        return None
    aic = aic_simple(x)
    edge = max(MIN_SIDE_SAMPLES, n // 20)  # variances of a handful of samples mean nothing
    inner = aic[edge:n - MIN_SIDE_SAMPLES]
    if inner.size == 0 or not np.all(np.isfinite(inner)):
        return None
    k = edge + int(np.argmin(inner))
    level = x[:k].mean()  # the noise's own mean: the window's is pulled by the signal
    noise = np.sqrt(np.mean((x[:k] - level) ** 2))
    signal = np.sqrt(np.mean((x[k:k + snr_samples] - level) ** 2))
    snr = float(signal / noise) if noise > 0 else float("inf")
    if snr < settings.snr_min:
        return None
    within = aic <= aic[k] + settings.aic_delta
    lo = k - int(np.argmin(within[k::-1])) if not within[:k + 1].all() else 0
    hi = k + int(np.argmin(within[k:])) if not within[k:].all() else n
    return k, max(0.5 * (hi - lo - 1), 1.0), snr


def _pick(ch: ChannelData, phase: str, t_start: float, t_end: float,
          settings: PickSettings) -> Pick | None:
    i0, x = _window(ch, t_start, t_end, settings)
    snr_samples = max(round(settings.snr_window_s * ch.sampling_rate), MIN_SIDE_SAMPLES)
    # End the window soon after its largest amplitude: beyond it the strongest change of
    # variance can be the decay of the wave back into noise, not its onset.
    x = x[: int(np.argmax(np.abs(x))) + snr_samples]
    found = aic_onset(x, settings, snr_samples)
    if found is None:
        return None
    k, uncertainty, snr = found
    quality = int(np.searchsorted(CLASS_LIMITS_SAMPLES, uncertainty))
    if quality >= len(CLASS_WEIGHTS):
        return None
    return Pick(ch.station, ch.channel, ch.trace_id, phase, ch.start + (i0 + k) / ch.sampling_rate,
                uncertainty / ch.sampling_rate, quality, CLASS_WEIGHTS[quality], snr)


def pick_station(channels: list[ChannelData], trigger_on: float, window_end: float,
                 settings: PickSettings) -> list[Pick]:
    """P and S picks of one station around its trigger.

    P is searched on the vertical channel in ``[trigger_on − p_before_s, trigger_on +
    p_after_s]``, and on the horizontals too when the vertical gives no pick of class 0 or 1
    (a P wave arriving sideways is stronger there); S on each horizontal channel (the
    vertical when there is none) in ``[P + s_min_after_p_s, min(P + s_max_after_p_s,
    window_end)]``. Of each phase the pick of best class is kept (the earliest on ties).

    Parameters
    ----------
    channels : list of ChannelData
        The station's segments covering the trigger.
    trigger_on : float
        Earliest trigger-on time of the station, s.
    window_end : float
        End of the detection window, s.
    settings : PickSettings
        Windows and quality limits.

    Returns
    -------
    list of Pick
        Zero, one or two picks.
    """
    vertical = [c for c in channels if c.component in VERTICAL]
    horizontal = [c for c in channels if c.component in HORIZONTAL]
    p_window = (trigger_on - settings.p_before_s, trigger_on + settings.p_after_s)
    p_candidates = [p for c in (vertical or channels)
                    if (p := _pick(c, "P", *p_window, settings)) is not None]
    if vertical and horizontal and min((p.quality for p in p_candidates), default=4) > 1:
        p_candidates += [p for c in horizontal
                         if (p := _pick(c, "P", *p_window, settings)) is not None]
    if not p_candidates:
        return []
    p_pick = min(p_candidates, key=lambda p: (p.quality, p.time))
    picks = [p_pick]
    if settings.pick_s:
        s_start = p_pick.time + settings.s_min_after_p_s
        s_end = min(p_pick.time + settings.s_max_after_p_s, window_end)
        s_candidates = [p for c in (horizontal or vertical or channels)
                        if s_end > s_start
                        and (p := _pick(c, "S", s_start, s_end, settings)) is not None]
        if s_candidates:
            picks.append(min(s_candidates, key=lambda p: (p.quality, p.time)))
    return picks
