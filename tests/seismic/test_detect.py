"""Detection and picking: synthetic records with known arrivals, the coal-mine node array and
the Elk Creek burst against their QuakeML picks, bad traces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import obspy
import pandas as pd
import pytest

from aurum.seismic.detect import DetectSettings, coincidence_windows, detect, picks_frame
from aurum.seismic.inventory import read_stationxml
from aurum.seismic.pick import PickSettings, aic_onset
from aurum.seismic.synthetic import mine_array, synthetic_waveforms
from aurum.seismic.velocity import HomogeneousModel, travel_times
from aurum.seismic.waveforms import ChannelData, from_obspy, read_waveforms, screen

MODEL = HomogeneousModel(5500.0, 3200.0)


def test_aic_finds_a_step_in_variance() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate((rng.normal(0, 1, 400), rng.normal(0, 8, 200)))
    k, uncertainty, snr = aic_onset(x, PickSettings())
    assert abs(k - 400) <= 2
    assert uncertainty <= 2.0
    assert snr > 5.0
    assert aic_onset(rng.normal(0, 1, 600), PickSettings(snr_min=2.0)) is None


def test_coincidence_counts_stations_not_channels() -> None:
    triggers = pd.DataFrame({
        "station": ["A", "A", "B", "C", "D", "E"],
        "on": [10.0, 10.01, 10.05, 10.1, 10.12, 50.0],
        "off": [10.3, 10.2, 10.3, 10.4, 10.2, 50.2]})
    assert coincidence_windows(triggers, 4).tolist() == [[10.12, 10.2]]
    assert coincidence_windows(triggers, 5).size == 0
    # extended by 1 s, two stations stay on until the second-last extended off (B, 11.3 s);
    # E, alone 40 s later, makes no window
    assert coincidence_windows(triggers, 2, extension=1.0).tolist() == [[10.05, 11.3]]


@pytest.fixture(scope="module")
def synthetic() -> tuple[object, np.ndarray, np.ndarray, list[ChannelData]]:
    inventory = mine_array(8, seed=4)
    rng = np.random.default_rng(1)
    hyp = rng.uniform([150, 150, 50], [650, 650, 250], (6, 3))
    t0 = np.array([3.0, 11.0, 19.5, 27.0, 36.0, 52.0])
    channels = synthetic_waveforms(inventory, hyp, t0, np.full(6, 60.0), MODEL, start=0.0,
                                   duration_s=60.0, seed=3)
    return inventory, hyp, t0, channels


def test_synthetic_events_are_detected_and_picked(synthetic: tuple) -> None:
    inventory, hyp, t0, channels = synthetic
    result = detect(channels, workers=2)
    assert len(result.detections) == len(t0)
    tp = t0[:, None] + travel_times(MODEL, "P", hyp, inventory.positions())
    ts = t0[:, None] + travel_times(MODEL, "S", hyp, inventory.positions())
    codes = inventory.codes
    errors = {"P": [], "S": []}
    for det, k in zip(result.detections, range(len(t0)), strict=True):
        assert det.start - 0.01 <= tp[k].min() <= det.end
        for p in det.picks:
            truth = (tp if p.phase == "P" else ts)[k, codes.index(p.station)]
            errors[p.phase].append(p.time - truth)
    p_err, s_err = np.abs(errors["P"]), np.abs(errors["S"])
    assert len(p_err) >= 0.9 * tp.size and len(s_err) >= 0.7 * ts.size
    assert np.median(p_err) < 2 / 6000 and np.median(s_err) < 2 / 6000
    # a station whose P is too weak to trigger is picked on its S: ~15 % of the P picks
    assert np.mean(p_err < 5e-3) > 0.8


def test_band_pass_before_sta_lta(synthetic: tuple) -> None:
    _, _, t0, channels = synthetic
    result = detect(channels, DetectSettings(band=(100.0, 1000.0)), workers=2)
    assert len(result.detections) == len(t0)


def test_coal_node_events_are_found(seismic_data: Path) -> None:
    """Each of the five records holds one catalogued event (and other, smaller ones): a
    detection contains the catalogue's first P pick, and our P picks match the catalogue's
    manual P picks within 5 ms (2.5 samples) at most stations."""
    folder = seismic_data / "coal_node"
    channels, problems = read_waveforms(folder / "waveforms")
    channels, screened = screen(channels, read_stationxml(folder / "inv.xml"))
    assert problems == [] and screened == []
    result = detect(channels, workers=2)
    matched, within = 0, 0
    for file in sorted((folder / "events").glob("*.xml")):
        event = obspy.read_events(str(file))[0]
        manual = {p.waveform_id.station_code: p.time.timestamp for p in event.picks
                  if p.phase_hint == "P" and p.evaluation_mode == "manual"}
        first = min(p.time.timestamp for p in event.picks)
        hits = [d for d in result.detections if d.start - 0.05 <= first <= d.end]
        assert len(hits) == 1, file.name
        for pick in hits[0].picks:
            if pick.phase == "P" and pick.station in manual:
                matched += 1
                within += abs(pick.time - manual[pick.station]) <= 0.005
    assert matched >= 40  # of the 43 manual P picks of the five events
    assert within / matched >= 0.7


def test_elk_creek_burst_is_found(seismic_data: Path) -> None:
    folder = seismic_data / "elkcreek"
    channels, _ = read_waveforms(folder / "burst_event_1.mseed")
    result = detect(channels)
    event = obspy.read_events(str(folder / "burst_events.qml"))[0]
    origin = event.preferred_origin().time.timestamp
    catalogue = {(p.waveform_id.station_code, p.phase_hint): p.time.timestamp
                 for p in event.picks}
    hits = [d for d in result.detections if d.start - 0.05 <= origin <= d.end]
    assert len(hits) == 1
    diffs = [abs(p.time - catalogue[(p.station, "P")]) for p in hits[0].picks
             if p.phase == "P" and (p.station, "P") in catalogue]
    assert len(diffs) >= 10
    assert np.median(diffs) < 0.003


def test_bad_traces_are_reported_and_the_rest_processed(synthetic: tuple) -> None:
    inventory, _, t0, channels = synthetic
    bad = list(channels)
    nan = bad[0].data.copy()
    nan[1000] = np.nan
    bad[0] = ChannelData(bad[0].trace_id, bad[0].station, bad[0].channel, bad[0].start,
                         bad[0].sampling_rate, nan)
    # a 2 s gap in the second channel, read from one file as two segments
    second = bad[1]
    cut = int(20 * second.sampling_rate)
    bad[1:2] = [ChannelData(second.trace_id, second.station, second.channel, second.start,
                            second.sampling_rate, second.data[:cut], "f.mseed"),
                ChannelData(second.trace_id, second.station, second.channel,
                            second.start + (cut + 12000) / second.sampling_rate,
                            second.sampling_rate, second.data[cut + 12000:], "f.mseed")]
    stranger = ChannelData("XX.ZZ9..GPZ", "ZZ9", "GPZ", 0.0, 6000.0, np.arange(100.0))
    short = ChannelData("XX.S01..GPX", "S01", "GPX", 0.0, 6000.0, np.arange(100.0))
    kept, problems = screen([*bad, stranger, short], inventory)
    messages = [str(p) for p in problems]
    assert any("1 NaN or infinite sample(s)" in m and bad[0].trace_id in m for m in messages)
    assert any("gap of 2.0000 s" in m and second.trace_id in m for m in messages)
    assert any("station ZZ9" in m and "not in the inventory" in m for m in messages)
    result = detect(kept, workers=2)
    assert any("shorter than the LTA window" in str(p) for p in result.problems)
    assert len(result.detections) == len(t0)


def test_picks_frame_feeds_the_locator(synthetic: tuple) -> None:
    _, _, _, channels = synthetic
    frame = picks_frame(detect(channels[:12], DetectSettings(min_stations=3)).detections)
    assert list(frame.columns[:5]) == ["event", "station", "channel", "phase", "time"]
    assert set(frame["phase"]) <= {"P", "S"} and frame["weight"].between(0.25, 1).all()


def test_obspy_stream_conversion() -> None:
    tr = obspy.Trace(np.arange(10, dtype=np.int32), header={
        "network": "XX", "station": "A", "channel": "HHZ", "sampling_rate": 100.0,
        "starttime": obspy.UTCDateTime(2020, 1, 1)})
    (ch,) = from_obspy(obspy.Stream([tr]), "a.mseed")
    assert ch.trace_id == "XX.A..HHZ" and ch.data.dtype == np.float64
    assert ch.start == obspy.UTCDateTime(2020, 1, 1).timestamp and ch.end == ch.start + 0.09
    assert ch.component == "Z" and ch.source == "a.mseed"
