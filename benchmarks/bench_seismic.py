"""Microseismic processing speed: detection, picking and location as a real-time factor,
ours against the same steps written with plain ObsPy calls.

The record: 8 three-component stations (24 channels) at 6 kHz
(:func:`aurum.seismic.synthetic.mine_array`, an 800 × 800 × 300 m block), one hour of
Gaussian noise with one event a minute (:func:`aurum.seismic.synthetic.synthetic_waveforms`:
P and S damped-sine wavelets, P amplitude 30–200 noise standard deviations at 100 m,
falling as 1/distance, S 1.5 times P), delivered in 60 s chunks as a real-time system
receives them. Each chunk is generated before the clocks start; both pipelines get the
same float64 arrays.

OURS (per chunk): :func:`aurum.seismic.detect.detect` (recursive STA/LTA 10 ms / 100 ms,
on 5, off 1.5, four stations in coincidence; AIC P and S picks) with ``--workers`` threads,
then :meth:`aurum.seismic.locate.Locator.locate_all` on the picks (homogeneous model; the
locator's coarse travel-time table is built once, before the clock).
OBSPY (per chunk, the overlapping steps): ``coincidence_trigger("recstalta", 5, 1.5,
stream, 4, sta=0.01, lta=0.1, trigger_off_extension=0.25)`` on an ``obspy.Stream`` of the
chunk, then ``aic_simple`` on every triggered trace over [trigger − 0.1 s, trigger +
duration]; ObsPy has no locator, so location is ours only.

Real-time factor = seconds of record / seconds of processing (wall clock); process CPU
seconds are printed too, since the machine may be shared (all threads count). Checks, same
run: events detected by each pipeline (a detection within 0.2 s of the first arrival),
our P- and S-pick errors against the true arrivals, our location errors. Nothing is
written to disk. Run from the repository root::

    .venv/bin/python benchmarks/bench_seismic.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from importlib.metadata import version
from typing import Any

import numpy as np
import obspy
from _common import emit, note
from obspy.signal.trigger import aic_simple, coincidence_trigger

from aurum.seismic.detect import DetectSettings, detect, picks_frame
from aurum.seismic.locate import Locator
from aurum.seismic.synthetic import mine_array, synthetic_waveforms
from aurum.seismic.velocity import HomogeneousModel, travel_times

SEED = 20261121
RATE_HZ = 6000.0
MODEL = HomogeneousModel(5500.0, 3200.0)
SETTINGS = DetectSettings()
TARGET_RTF = 100.0


def chunk_events(index: int, chunk_s: float, per_minute: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events of one chunk: positions (m), origin times (s), P amplitudes at 100 m."""
    rng = np.random.default_rng(SEED + index)
    n = max(round(per_minute * chunk_s / 60.0), 0)
    spacing = (chunk_s - 2.0) / max(n, 1)
    t0 = index * chunk_s + 1.0 + spacing * (np.arange(n) + rng.uniform(0.1, 0.9, n))
    return (rng.uniform([150, 150, 50], [650, 650, 250], (n, 3)), t0,
            rng.uniform(30.0, 200.0, n))


def obspy_pipeline(channels: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """Plain ObsPy on one chunk: coincidence trigger and AIC on every triggered trace."""
    stream = obspy.Stream([obspy.Trace(c.data.copy(), header={
        "network": c.trace_id.split(".")[0], "station": c.station, "channel": c.channel,
        "sampling_rate": c.sampling_rate, "starttime": obspy.UTCDateTime(c.start)})
        for c in channels])
    by_id = {tr.id: tr for tr in stream}
    triggers = coincidence_trigger("recstalta", SETTINGS.on, SETTINGS.off, stream.copy(),
                                   SETTINGS.min_stations, sta=SETTINGS.sta_s,
                                   lta=SETTINGS.lta_s,
                                   trigger_off_extension=SETTINGS.coincidence_s)
    onsets = []
    for trig in triggers:
        for trace_id in trig["trace_ids"]:
            tr = by_id[trace_id]
            window = tr.slice(trig["time"] - 0.1, trig["time"] + trig["duration"])
            if window.stats.npts > 16:
                k = 8 + int(np.argmin(aic_simple(window.data)[8:-8]))
                onsets.append(window.stats.starttime + k / window.stats.sampling_rate)
    return triggers, len(onsets)


def run(minutes: int, chunk_s: float, per_minute: float, workers: int,
        peer: bool) -> dict[str, Any]:
    """Generate, time both pipelines chunk by chunk, check.

    Returns
    -------
    dict
        Totals, the real-time factors, the ratio and the checks.
    """
    inventory = mine_array(8, seed=4, sampling_rate=RATE_HZ)
    locator = Locator(inventory, MODEL)
    # compile and build the coarse table before any clock
    warm = synthetic_waveforms(inventory, np.array([[400.0, 400.0, 150.0]]), np.array([1.0]),
                               np.array([80.0]), MODEL, 0.0, 3.0, RATE_HZ, seed=1)
    locator.locate_all(picks_frame(detect(warm, SETTINGS, workers=workers).detections))
    n_chunks = round(minutes * 60.0 / chunk_s)
    totals = {"ours_detect_s": 0.0, "ours_locate_s": 0.0, "obspy_s": 0.0, "generate_s": 0.0,
              "ours_detect_cpu_s": 0.0, "ours_locate_cpu_s": 0.0, "obspy_cpu_s": 0.0}
    found_ours = found_obspy = n_events = 0
    p_err: list[float] = []
    s_err: list[float] = []
    loc_err: list[float] = []
    for index in range(n_chunks):
        t = time.perf_counter()
        hyp, t0, amp = chunk_events(index, chunk_s, per_minute)
        channels = synthetic_waveforms(inventory, hyp, t0, amp, MODEL, index * chunk_s,
                                       chunk_s, RATE_HZ, seed=SEED + 7919 * index)
        totals["generate_s"] += time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        result = detect(channels, SETTINGS, workers=workers)
        totals["ours_detect_s"] += time.perf_counter() - t
        totals["ours_detect_cpu_s"] += time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        located = locator.locate_all(picks_frame(result.detections))
        totals["ours_locate_s"] += time.perf_counter() - t
        totals["ours_locate_cpu_s"] += time.process_time() - c
        tp = t0[:, None] + travel_times(MODEL, "P", hyp, inventory.positions())
        ts = t0[:, None] + travel_times(MODEL, "S", hyp, inventory.positions())
        first = tp.min(axis=1) if len(t0) else np.empty(0)
        n_events += len(t0)
        codes = inventory.codes
        for det in result.detections:
            k = int(np.argmin(np.abs(first - det.start))) if len(first) else -1
            if k < 0 or abs(first[k] - det.start) > 0.2:
                continue
            found_ours += 1
            for p in det.picks:
                truth = (tp if p.phase == "P" else ts)[k, codes.index(p.station)]
                (p_err if p.phase == "P" else s_err).append(abs(p.time - truth))
            row = located.events[located.events["event"] == det.id]
            if len(row):
                loc_err.append(float(np.linalg.norm(
                    row[["x", "y", "z"]].to_numpy()[0] - hyp[k])))
        if peer:
            t, c = time.perf_counter(), time.process_time()
            triggers, _ = obspy_pipeline(channels)
            totals["obspy_s"] += time.perf_counter() - t
            totals["obspy_cpu_s"] += time.process_time() - c
            starts = np.array([trig["time"].timestamp for trig in triggers])
            found_obspy += int(sum(np.any(np.abs(starts - f) <= 0.2) for f in first))
        note(f"chunk {index + 1}/{n_chunks}: ours {totals['ours_detect_s']:.1f} + "
             f"{totals['ours_locate_s']:.1f} s, obspy {totals['obspy_s']:.1f} s")
    seconds = n_chunks * chunk_s
    ours_s = totals["ours_detect_s"] + totals["ours_locate_s"]
    out: dict[str, Any] = {
        "record_s": seconds, "channels": 24, "rate_hz": RATE_HZ, "events": n_events,
        "workers": workers, "totals": totals,
        "rtf_ours_detect_pick": seconds / totals["ours_detect_s"],
        "rtf_ours_with_location": seconds / ours_s,
        "rtf_ours_with_location_per_cpu_s": seconds / (totals["ours_detect_cpu_s"]
                                                        + totals["ours_locate_cpu_s"]),
        "found_ours": found_ours,
        "p_pick_error_ms": {"median": 1000 * float(np.median(p_err)),
                            "p90": 1000 * float(np.percentile(p_err, 90)), "n": len(p_err)},
        "s_pick_error_ms": {"median": 1000 * float(np.median(s_err)),
                            "p90": 1000 * float(np.percentile(s_err, 90)), "n": len(s_err)},
        "location_error_m": {"median": float(np.median(loc_err)),
                             "p90": float(np.percentile(loc_err, 90)), "n": len(loc_err)},
        "machine": {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
                    "python": platform.python_version(), "obspy": version("obspy"),
                    "numpy": np.__version__},
    }
    if peer:
        out["rtf_obspy_detect_pick"] = seconds / totals["obspy_s"]
        out["ratio_obspy_over_ours_detect_pick_cpu"] = (totals["obspy_cpu_s"]
                                                        / totals["ours_detect_cpu_s"])
        out["found_obspy"] = found_obspy
        out["ratio_obspy_over_ours_detect_pick"] = totals["obspy_s"] / totals["ours_detect_s"]
    return out


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")
    parser.add_argument("--minutes", type=int, default=60, help="record length (default 60)")
    parser.add_argument("--chunk-s", type=float, default=60.0,
                        help="seconds per chunk (default 60)")
    parser.add_argument("--events-per-minute", type=float, default=1.0,
                        help="synthetic events per minute (default 1)")
    parser.add_argument("--workers", type=int, default=2,
                        help="threads of our STA/LTA (default 2)")
    parser.add_argument("--no-peer", action="store_true", help="skip the ObsPy pipeline")
    args = parser.parse_args()
    if not 1 <= args.minutes <= 24 * 60 or not 5 <= args.chunk_s <= 600:
        parser.error("--minutes must be 1–1440 and --chunk-s 5–600")
    r = run(args.minutes, args.chunk_s, args.events_per_minute, args.workers,
            not args.no_peer)
    t, m = r["totals"], r["machine"]
    lines = [
        f"{r['record_s'] / 60:.0f} min of 24 channels at {r['rate_hz']:.0f} Hz, "
        f"{r['events']} synthetic events, chunks of {args.chunk_s:.0f} s; {m['cpus']} CPUs "
        f"(load {m['load_1m']}), ObsPy {m['obspy']}, our workers {r['workers']}",
        f"{'pipeline':<34} {'wall s':>7} {'CPU s':>7} {'real-time factor':>17} "
        f"{'events found':>13}",
        f"{'ours: detect + pick':<34} {t['ours_detect_s']:>7.2f} "
        f"{t['ours_detect_cpu_s']:>7.2f} {r['rtf_ours_detect_pick']:>16.0f}x "
        f"{r['found_ours']:>13}",
        f"{'ours: detect + pick + locate':<34} {t['ours_detect_s'] + t['ours_locate_s']:>7.2f}"
        f" {t['ours_detect_cpu_s'] + t['ours_locate_cpu_s']:>7.2f} "
        f"{r['rtf_ours_with_location']:>16.0f}x",
    ]
    if "rtf_obspy_detect_pick" in r:
        lines.append(f"{'obspy: coincidence_trigger + AIC':<34} {t['obspy_s']:>7.2f} "
                     f"{t['obspy_cpu_s']:>7.2f} {r['rtf_obspy_detect_pick']:>16.0f}x "
                     f"{r['found_obspy']:>13}")
        lines.append(f"ratio obspy / ours (detect + pick): wall "
                     f"{r['ratio_obspy_over_ours_detect_pick']:.2f}, CPU "
                     f"{r['ratio_obspy_over_ours_detect_pick_cpu']:.2f}")
    lines += [
        f"our picks vs truth: P median {r['p_pick_error_ms']['median']:.2f} ms "
        f"(90 % {r['p_pick_error_ms']['p90']:.2f}), S median "
        f"{r['s_pick_error_ms']['median']:.2f} ms (90 % {r['s_pick_error_ms']['p90']:.2f})",
        f"our locations vs truth: median {r['location_error_m']['median']:.1f} m "
        f"(90 % {r['location_error_m']['p90']:.1f} m, {r['location_error_m']['n']} events)",
        f"target ≥ {TARGET_RTF:.0f}x real time with location: "
        f"{'met' if r['rtf_ours_with_location'] >= TARGET_RTF else 'NOT met'} in wall time; "
        f"record seconds per CPU second {r['rtf_ours_with_location_per_cpu_s']:.0f}",
        f"(generating the record took {t['generate_s']:.1f} s, not counted)",
    ]
    emit(r, args.format, lines)


if __name__ == "__main__":
    main()
