"""Ventilation on demand over the store: a site's network and the readings of its places'
sensors in, a stored decision (fan speeds, required against delivered flows, energy saved,
alarms) out, read by the page until a new reading makes it out of date."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pandas as pd
import pytest

from aurum.services import jobs, registry, safety, ventilation, vod
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.services.safety import mqtt
from aurum.store.db import transaction
from tests.factories import Registry
from tests.services.test_mqtt import broker, listening  # noqa: F401  (the broker fixture)

FAN = {"coefficients": [2500.0, 0.0, -0.3], "efficiency": 0.8}
START = pd.Timestamp("2025-07-01T08:00:00Z")


def network_doc() -> dict[str, Any]:
    return {"nodes": ["s", "j", "a", "b"],
            "branches": [{"name": "intake", "from": "s", "to": "j", "resistance": 0.02},
                         {"name": "east", "from": "j", "to": "a", "resistance": 0.6},
                         {"name": "west", "from": "j", "to": "b", "resistance": 0.9},
                         {"name": "cross", "from": "a", "to": "b", "resistance": 2.0},
                         {"name": "fan_e", "from": "a", "to": "s", "resistance": 0.05,
                          "fan": FAN},
                         {"name": "fan_w", "from": "b", "to": "s", "resistance": 0.05,
                          "fan": FAN}],
            "working_places": [
                {"branch": "east", "people": 4, "diesel_kw": 0.0, "area_m2": 12.0},
                {"branch": "west", "people": 4, "diesel_kw": 0.0, "area_m2": 12.0}]}


def readings(values: dict[str, float], at: pd.Timestamp = START) -> pd.DataFrame:
    return pd.DataFrame({"sensor": list(values), "time": at, "value": list(values.values())})


def test_readings_in_a_stored_decision_out(platform: Platform, reg: Registry) -> None:
    home = platform.settings.home
    with transaction(platform.sessions, reg.admin.user_id) as s:
        ventilation.save_network(s, reg.admin, "SD-A-01", network_doc(), "two districts")
        made = vod.register_sensors(s, reg.admin, "SD-A-01")
    assert len(made) == 2 * len(vod.KINDS)
    # East: 30 m³/s carrying 36 ppm CO needs 30 × 36 / 24 = 45 m³/s; west: 3 people and a
    # 200 kW loader present need 200 × 4 / 60 = 13.3 m³/s, and its air is too hot.
    frame = readings({"east.airflow": 30.0, "east.co": 36.0, "east.people": 2.0,
                      "east.diesel_kw": 0.0, "west.airflow": 25.0, "west.people": 3.0,
                      "west.diesel_kw": 200.0, "west.dry_bulb": 29.0, "west.co": 2.0})
    with transaction(platform.sessions, reg.admin.user_id) as s:
        safety.ingest(s, reg.admin, "SD-A-01", frame)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        assert vod.read(s, reg.ent_a, home, "SD-A-01") is None
        decision = vod.refresh(s, home, "SD-A-01")
    places = decision.places.set_index("place")
    # The measured flows are the readings'.
    assert places["measured_m3s"].to_dict() == {"east": 30.0, "west": 25.0}
    assert places.loc["east", "required_m3s"] == pytest.approx(45.0)
    assert places.loc["east", "governing"] == "co"
    assert places.loc["west", "required_m3s"] == pytest.approx(200 * 4 / 60)
    assert places.loc["west", "governing"] == "diesel"
    assert decision.feasible and decision.method == "slsqp"
    assert set(decision.speeds) == {"fan_e", "fan_w"}
    assert all(0.5 <= n <= 1.2 for n in decision.speeds.values())
    assert (places["delivered_m3s"] >= places["required_m3s"] - 1e-6).all()
    assert sum(decision.power_kw.values()) <= sum(decision.fixed_power_kw.values())
    assert decision.saved_cny == pytest.approx(decision.saved_kwh * vod.PRICE_CNY_PER_KWH)
    assert decision.as_of == START.isoformat()
    assert [(a["place"], a["kind"]) for a in decision.alarms] == [("west", "too_hot_dry_bulb")]
    with platform.sessions() as s:
        again = vod.read(s, reg.ent_a, home, "SD-A-01")
    assert again is not None and again.speeds == decision.speeds
    # A new reading makes the stored decision out of date: the page asks for it again.
    with transaction(platform.sessions, reg.admin.user_id) as s:
        safety.ingest(s, reg.admin, "SD-A-01", readings({"east.co": 80.0},
                                                        START + pd.Timedelta(hours=1)))
    with transaction(platform.sessions, reg.admin.user_id) as s:
        assert vod.read(s, reg.ent_a, home, "SD-A-01") is None
        worse = vod.refresh(s, home, "SD-A-01")
    # 80 ppm at 30 m³/s needs 100 m³/s: more than the fans give, an under-ventilation alarm.
    assert not worse.feasible
    assert ("east", "under_ventilated") in {(a["place"], a["kind"]) for a in worse.alarms}


def test_simulated_readings_cover_every_sensor(platform: Platform, reg: Registry) -> None:
    frame = vod.simulated_readings(network_doc(), {"east": 40.0, "west": 30.0}, START, 24)
    assert set(frame["sensor"]) == {f"{b}.{k}" for b in ("east", "west") for k in vod.KINDS}
    assert len(frame) == 2 * len(vod.KINDS) * 24
    with transaction(platform.sessions, reg.admin.user_id) as s:
        ventilation.save_network(s, reg.admin, "SD-A-01", network_doc(), "two districts")
        vod.register_sensors(s, reg.admin, "SD-A-01")
        result = safety.ingest(s, reg.admin, "SD-A-01", frame)
        decision = vod.refresh(s, platform.settings.home, "SD-A-01")
    assert result.inserted == len(frame)
    # The last hour (07:00, the day shift) is the decision's: its people are present.
    assert decision.as_of == (START + pd.Timedelta(hours=23)).isoformat()
    assert decision.places.set_index("place").loc["east", "people"] == 4


def test_simulation_registers_the_sensors_and_follows_the_stored_readings(
        platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.admin.user_id) as s:
        ventilation.save_network(s, reg.admin, "SD-A-01", network_doc(), "two districts")
    with transaction(platform.sessions) as s:
        source = vod.simulation(s, "SD-A-01")
    assert source.facility == "SD-A-01/ventilation"
    frame = source.readings(START.to_pydatetime(), 1, 0)
    with transaction(platform.sessions, reg.admin.user_id) as s:
        assert safety.ingest(s, reg.admin, "SD-A-01", frame).inserted == len(frame)
    with transaction(platform.sessions) as s:
        after = vod.simulation(s, "SD-A-01")
    assert pd.Timestamp(after.first) == frame["time"].max() + pd.Timedelta(hours=1)


def test_the_loop_over_mqtt(platform: Platform, admin: Actor, broker: tuple[str, int]  # noqa: F811
                            ) -> None:
    """Simulated readings published on the real broker, stored by the listener, decided."""
    code = f"VOD-{uuid.uuid4().hex[:8].upper()}"
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "ENT-VOD", "Vod Gold Co.", "mining", "Shandong")
        registry.create_site(s, admin, SiteSpec(code, "ENT-VOD", "Vod Mine", "mine",
                                                "Shandong", "underground",
                                                design_capacity_tpd=500))
        ventilation.save_network(s, admin, code, network_doc(), "two districts")
    with transaction(platform.sessions) as s:
        source = vod.simulation(s, code)
    frame = source.readings(START.to_pydatetime(), 1, 0)
    with listening(platform, broker, code) as listener:
        sent = mqtt.publish_readings(*broker, code, frame, settings=mqtt.MqttSettings())
        deadline = time.monotonic() + 30
        while listener.stats.stored < len(frame) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sent > 0 and listener.stats.stored == len(frame)
    with transaction(platform.sessions) as s:
        decision = vod.refresh(s, platform.settings.home, code)
    assert decision.as_of == frame["time"].max().isoformat()
    assert set(decision.places["place"]) == {"east", "west"}
    assert (decision.places["delivered_m3s"] >= decision.places["required_m3s"] - 1e-6).all()


def test_the_page_view_queues_a_missing_decision_once(platform: Platform, reg: Registry,
                                                      queue: jobs.JobQueue) -> None:
    home = platform.settings.home
    with transaction(platform.sessions, reg.admin.user_id) as s:
        assert vod.view(s, reg.ent_a, home, queue, "SD-A-01") == vod.VodView(None, None)
        ventilation.save_network(s, reg.admin, "SD-A-01", network_doc(), "two districts")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        first = vod.view(s, reg.ent_a, home, queue, "SD-A-01")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        second = vod.view(s, reg.ent_a, home, queue, "SD-A-01")
    assert first.decision is None and first.pending is not None
    assert second.pending is not None and second.pending.job_id == first.pending.job_id
    with queue.running():  # the derive job computes and stores it
        job = jobs.wait(platform.sessions, first.pending.job_id, timeout_s=120)
    assert job.state == "done", job.message
    with platform.sessions() as s:
        done = vod.view(s, reg.ent_a, home, queue, "SD-A-01")
    assert done.decision is not None and done.pending is None
    # No airflow read yet: nothing measured (the chart draws no marker).
    assert done.decision.places["measured_m3s"].isna().all()
