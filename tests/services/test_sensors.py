"""Sensors over the store: ingestion is idempotent, rules raise alerts on level rises (once
while they stand), a tailings storm opens hazards where the domain says, bad frames change
nothing, pressure-cell workbooks import, and readings make the round trip through the real
MQTT broker."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import paho.mqtt.client as paho
import pandas as pd
import pytest
from sqlalchemy import func, select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.safety.sensors import AlarmLevel, rate_of_change
from aurum.safety.tailings import (
    SimulatedStream,
    alarm_history,
    facility_alarm,
    simulate_stream,
)
from aurum.services import safety
from aurum.services.auth import SYSTEM, Actor
from aurum.services.platform import Platform
from aurum.services.safety import mqtt
from aurum.store.db import transaction
from aurum.store.models import Alert, AuditRecord, SafetyHazard, SensorReading
from tests.factories import Registry

HOUR = pd.Timedelta(hours=1)
START = pd.Timestamp("2025-07-01T00:00:00Z")


def _frame(sensor: str, values: list[float], start: pd.Timestamp = START) -> pd.DataFrame:
    return pd.DataFrame({"sensor": sensor, "time": start + HOUR * np.arange(len(values)),
                         "value": values})


def _ingest(platform: Platform, actor: Actor, site: str, frame: pd.DataFrame
            ) -> safety.IngestResult:
    with transaction(platform.sessions, actor.user_id) as s:
        return safety.ingest(s, actor, site, frame)


def _count(platform: Platform, model: type) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _cell(platform: Platform, actor: Actor, rules: list[dict[str, object]]) -> None:
    with transaction(platform.sessions, actor.user_id) as s:
        safety.register_sensor(s, actor, safety.SensorSpec(
            "SD-A-01", "BP1", "pressure_cell", "MPa", depth_m=61.0, rules=rules))


def test_ingest_is_idempotent_and_alerts_on_rises(platform: Platform, reg: Registry) -> None:
    _cell(platform, reg.ent_a, [{"kind": "threshold", "levels": {"yellow": 1.0, "red": 2.0}},
                                {"kind": "rate", "window_h": 1, "per_h": 1,
                                 "levels": {"orange": 1.5}}])
    values = [0.5, 1.2, 1.5, 2.5, 0.4, 2.6]
    first = _ingest(platform, reg.ent_a, "SD-A-01", _frame("BP1", values))
    assert (first.inserted, first.duplicates) == (6, 0)
    # 1.2 reaches yellow; 2.5 is red; 2.6 after 0.4 rises to red again while the red alert
    # stands: no second alert.
    assert [(a["level"], a["rule"], a["value"]) for a in first.alerts] == [
        ("yellow", "value", 1.2), ("red", "value", 2.5)]
    # Delivered again, as a gateway may: nothing stored twice, no alert twice.
    again = _ingest(platform, reg.ent_a, "SD-A-01", _frame("BP1", values))
    assert (again.inserted, again.duplicates, again.alerts) == (0, 6, [])
    assert _count(platform, SensorReading) == 6
    # Once the red alert is acknowledged, the next rise to red alerts again.
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        red = safety.list_alerts(s, reg.ent_a, min_level="red")
        assert red["id"].tolist() == [first.alerts[1]["id"]]
        safety.acknowledge(s, reg.ent_a, int(red["id"].iloc[0]), "cell re-seated")
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                            match="acknowledged already"):
        safety.acknowledge(s, reg.ent_a, int(red["id"].iloc[0]))
    later = _ingest(platform, reg.ent_a, "SD-A-01",
                    _frame("BP1", [0.3, 2.7], START + 6 * HOUR))
    assert [(a["level"], a["value"]) for a in later.alerts] == [("red", 2.7)]
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        safety.acknowledge(s, reg.ent_a, later.alerts[0]["id"])
    # A steep hour below the red value fires the rate rule: +1.6 MPa in one hour against
    # orange at 1.5 MPa/h, the figure of the domain's rate_of_change on the stored series.
    steep = _ingest(platform, reg.ent_a, "SD-A-01",
                    _frame("BP1", [0.2, 0.3, 1.9], START + 8 * HOUR))
    assert [(a["level"], a["rule"]) for a in steep.alerts] == [("orange", "rate")]
    with platform.sessions() as s:
        stored = safety.sensor_readings(s, reg.regulator, "SD-A-01", "BP1")
        assert len(stored) == 11
        rate = rate_of_change(stored["time"], stored["value"], HOUR, HOUR)
        assert rate[-1] == pytest.approx(1.6, rel=1e-12)
        assert float(steep.alerts[0]["message"].split("rate ")[1].split()[0]) == \
            pytest.approx(rate[-1], rel=1e-3)
        cell = safety.get_sensor(s, reg.regulator, "SD-A-01", "BP1")
        assert cell.alarm_level == int(AlarmLevel.ORANGE)


def test_bad_frames_change_nothing(platform: Platform, reg: Registry) -> None:
    _cell(platform, reg.ent_a, [])
    audits = _count(platform, AuditRecord)
    bad = pd.DataFrame({"sensor": ["BP1", "BP1", "", "BP1"],
                        "time": ["2025-07-01T00:00:00Z", "yesterday", "2025-07-01T02:00:00Z",
                                 "2025-07-01T03:00:00+08:00"],
                        "value": [1.0, 2.0, 3.0, "high"]})
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as err:
        safety.ingest(s, reg.ent_a, "SD-A-01", bad)
    assert [(p.column, p.message.split(":")[0]) for p in err.value.problems] == [
        ("sensor", "reading 3"), ("time", "reading 2"), ("value", "reading 4")]
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                            match=r"unknown sensor.*BP9"):
        safety.ingest(s, reg.ent_a, "SD-A-01", _frame("BP9", [1.0]))
    with transaction(platform.sessions) as s, pytest.raises(NotFoundError):
        safety.ingest(s, reg.ent_a, "NO-SITE", _frame("BP1", [1.0]))
    with transaction(platform.sessions) as s, pytest.raises(NotFoundError):
        safety.ingest(s, reg.ent_b, "SD-A-01", _frame("BP1", [1.0]))
    with transaction(platform.sessions) as s, pytest.raises(PermissionDenied):
        safety.ingest(s, reg.regulator, "SD-A-01", _frame("BP1", [1.0]))
    assert (_count(platform, SensorReading), _count(platform, AuditRecord)) == (0, audits)
    with pytest.raises(ValidationError) as err:
        safety.parse_rules([{"kind": "slope", "levels": {}},
                             {"kind": "rate", "levels": {"red": 1, "yellow": 2}},
                             {"kind": "trend", "levels": {"red": 1}, "window_h": -3}])
    assert [p.column for p in err.value.problems] == [
        "rules[1].kind", "rules[2].levels", "rules[3].window_h"]
    rules = [{"kind": "trend", "direction": "above", "levels": {"yellow": 0.5, "red": 1.0},
              "window_h": 72.0, "per_h": 24.0, "min_points": 3}]
    assert safety.rules_to_data(safety.parse_rules(rules)) == rules
    # Another monitoring's alerts follow the same rule: none while one as high stands.
    with transaction(platform.sessions) as s:
        fields = {"source": "seismic", "rule": "event_rate", "time": START.to_pydatetime()}
        first = safety.raise_alert(s, SYSTEM, "SD-A-01", level=2,
                                    message="12 events/h against yellow >= 10", **fields)
        assert first is not None and first["level"] == "yellow"
        assert safety.raise_alert(s, SYSTEM, "SD-A-01", level=2, message="again",
                                   **fields) is None
        assert safety.raise_alert(s, SYSTEM, "SD-A-01", level=3, message="orange",
                                   **fields) is not None
        with pytest.raises(ValidationError) as err:
            safety.raise_alert(s, SYSTEM, "SD-A-01", source="rumour", rule="x",
                                level=5, time=START.to_pydatetime(), message="?")
        assert [p.column for p in err.value.problems] == ["source", "level"]


def _facility(platform: Platform, actor: Actor) -> SimulatedStream:
    stream = simulate_stream(start="2025-07-01", days=8, storm_day=3.0)
    d = stream.design
    with transaction(platform.sessions, actor.user_id) as s:
        safety.register_facility(s, actor, safety.FacilitySpec(
            "SD-A-01", "TF1", "Alpha tailings", d.dam_type.value, d.crest_elevation_m,
            d.beach_slope, d.control_phreatic_depth_m, grade=d.grade,
            design_flood_level_m=d.design_flood_level_m,
            flood_control_level_m=d.flood_control_level_m,
            operating_control_level_m=d.operating_control_level_m))
        for p in stream.points:
            safety.register_sensor(s, actor, safety.SensorSpec(
                "SD-A-01", p.id, p.kind.value, facility="TF1",
                surface_elevation_m=p.surface_elevation_m))
    return stream


def test_tailings_storm_raises_alerts_and_opens_hazards(platform: Platform,
                                                        reg: Registry) -> None:
    stream = _facility(platform, reg.ent_a)
    readings = stream.readings.rename(columns={"point": "sensor"})
    half = readings["time"] < pd.Timestamp("2025-07-04T20:00")  # mid-storm
    results = [_ingest(platform, SYSTEM, "SD-A-01", readings[part])
               for part in (half, ~half)]
    alerts = [a for r in results for a in r.alerts]
    levels = [a["level"] for a in alerts]
    assert levels == sorted(levels, key=lambda lv: int(AlarmLevel.parse(lv)))
    assert levels[-1] == "red" and len(levels) == len(set(zip(levels, [a["time"] for a in
                                                                       alerts], strict=True)))
    # The red alert is at the first reading where the domain's own judgement of all the
    # readings turns red.
    history = alarm_history(stream.design, stream.points, stream.readings)
    # Red needs a point at orange at least (two orange points of an item roll up to red).
    candidates = sorted(history.loc[history["level"] >= AlarmLevel.ORANGE, "time"].unique())
    first_red = next(t for t in candidates if facility_alarm(
        stream.design, stream.points, stream.readings, as_of=t).level == AlarmLevel.RED)
    red = next(a for a in alerts if a["level"] == "red")
    assert pd.Timestamp(red["time"]) == pd.Timestamp(first_red).tz_localize("UTC")
    with platform.sessions() as s:
        hazards = safety.list_hazards(s, reg.regulator, monitoring="TF1")
        assert sorted(zip(hazards["level"], hazards["criterion"].fillna(""), strict=True)) == [
            ("general", ""), ("major", "TF-08")]
        assert set(hazards["state"]) == {"classified"}
        assert set(hazards["reported_by"]) == {safety.MONITORING}
        major = hazards[hazards["level"] == "major"]["id"].iloc[0]
        assert red["hazard_id"] == major
        view = safety.facility_view(s, reg.ent_a, "TF1", days=None)
        assert len(view.readings) == len(stream.readings)
        assert [i.item for i in safety.item_series(view)] == [
            "phreatic_depth", "freeboard", "beach_length", "pond_level",
            "surface_displacement", "rainfall"]
    # The whole stream again: nothing new.
    again = _ingest(platform, SYSTEM, "SD-A-01", readings)
    assert (again.inserted, again.alerts, again.hazards) == (0, [], [])
    assert _count(platform, SafetyHazard) == 2
    assert _count(platform, Alert) == len(alerts)


def test_import_pressure_cells(platform: Platform, reg: Registry, shared_data: Path) -> None:
    path = shared_data / "seismic" / "elkcreek" / "pressure_cells" / \
        "1_north_inby_panel1_bpc.xlsx"
    if not path.exists():
        pytest.skip("the Elk Creek pressure cells are not in ../shared/data")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        result = safety.import_pressure_cells(s, reg.ent_a, path, "SD-A-01")
    # 13 sensors and 10,700 readings (the workbook's cells, tests/safety/test_sensors.py),
    # of which SP4 and SP5 repeat 14:23 and 15:07 on 5 November and 12:48 (three times) on
    # 6 November 2009: 8 repeats, 7 of them with another value than the first, kept.
    assert (result["sensors_registered"], result["readings"]) == (13, 10_700)
    assert (result["inserted"], result["duplicates"], result["conflicts"]) == (10_692, 8, 7)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        again = safety.import_pressure_cells(s, reg.ent_a, path, "SD-A-01")
    assert (again["sensors_existing"], again["inserted"], again["duplicates"]) == (
        13, 0, 10_700)
    with platform.sessions() as s:
        bp1 = safety.sensor_readings(s, reg.regulator, "SD-A-01",
                                      "1_north_inby_panel1_bpc.BP1")
        assert len(bp1) == 816
        # The last reading: 1774.3098502788816 psi on 2009-12-15 10:00.
        assert bp1["time"].iloc[-1] == pd.Timestamp("2009-12-15 10:00", tz="UTC")
        assert bp1["value"].iloc[-1] == pytest.approx(1774.3098502788816 * 0.006894757293168,
                                                      rel=1e-9)


def test_mqtt_round_trip(platform: Platform, reg: Registry) -> None:
    host, port = mqtt.parse_broker(mqtt.DEFAULT_BROKER)
    if not mqtt.broker_reachable(host, port):
        pytest.skip(f"no MQTT broker on {host}:{port} (start Mosquitto for this test)")
    _cell(platform, reg.ent_a, [{"kind": "threshold", "levels": {"red": 2.0}}])
    # A session that ends with the test: a persistent one would queue every later test's
    # readings at the broker.
    listener = mqtt.SensorListener(platform, host, port, flush_seconds=0.2,
                                   client_id=f"aurum-test-{uuid.uuid4().hex[:8]}",
                                   session_expiry_s=0, settings=mqtt.MqttSettings())
    stop = threading.Event()
    runner = threading.Thread(target=listener.run, kwargs={"stop": stop}, daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while not listener._subscribed.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        frame = _frame("BP1", [1.0, 1.5, 2.5, 1.0])
        assert mqtt.publish_readings(host, port, "SD-A-01", frame) == 4
        raw = paho.Client(paho.CallbackAPIVersion.VERSION2)
        raw.connect(host, port)
        raw.loop_start()
        for topic, payload in (("aurum/sensors/SD-A-01/BP1", b"{not json"),
                               ("aurum/sensors/SD-A-01/BP1", b'{"time": "noon", "value": 1}'),
                               ("aurum/sensors/SD-A-01/BP9",
                                json.dumps({"time": "2025-07-01T05:00:00Z", "value": 1})),
                               ("aurum/sensors/SD-A-01/BP1", json.dumps(
                                   [{"time": "2025-07-01T04:00:00+00:00", "value": 0.5},
                                    {"time": "2025-07-01T13:00:00+08:00", "value": 0.6}]))):
            raw.publish(topic, payload, qos=1).wait_for_publish(5)
        raw.loop_stop()
        raw.disconnect()
        # The same readings again: the broker delivers, the store keeps one copy.
        mqtt.publish_readings(host, port, "SD-A-01", frame)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (
                listener.stats.stored + listener.stats.duplicates < 10
                or listener.stats.malformed < 2):
            time.sleep(0.1)
    finally:
        stop.set()
        runner.join(timeout=10)
    stats = listener.stats
    assert stats.malformed >= 2 and stats.unknown >= 1 and stats.errors == 0
    # The 4 readings, and 04:00 and 05:00 (13:00+08:00) of the list; then 4 duplicates.
    assert (stats.stored, stats.duplicates) == (6, 4)
    with platform.sessions() as s:
        stored = safety.sensor_readings(s, reg.regulator, "SD-A-01", "BP1")
        assert len(stored) == 6
        assert stored["time"].iloc[-1] == pd.Timestamp("2025-07-01T05:00:00Z")
        alerts = safety.list_alerts(s, reg.regulator, site="SD-A-01")
        assert alerts["level"].tolist() == ["red"]
    with pytest.raises(ValidationError, match="HOST:PORT"):
        mqtt.parse_broker("localhost:notaport")
    with pytest.raises(mqtt.MalformedMessage, match="is not aurum/sensors"):
        mqtt.parse_message("aurum/sensors/SD-A-01", b"{}")
