"""The live demo source of ``aurum serve``: through the real MQTT broker, the simulated
readings of the facility arrive in the platform's database, exactly as the domain's
simulator made them, and the source stops cleanly; without a broker the server says so in
one line and serves anyway."""

from __future__ import annotations

import socket
import time

import numpy as np
import pandas as pd
import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import func, select

from aurum.cli import cli
from aurum.demo.seed.live import start_demo_source
from aurum.safety.tailings import simulate_stream
from aurum.services import safety
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.safety import mqtt
from aurum.store.models import SensorReading
from tests.factories import small_registry
from tests.services.test_sensors import _facility

STEPS = 4
"""Time steps of the facility's seven points to see stored."""


def _stored(platform: Platform) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(SensorReading)) or 0)


def test_demo_source_stores_the_simulated_readings(platform: Platform, admin: Actor) -> None:
    host, port = mqtt.parse_broker(mqtt.DEFAULT_BROKER)
    if not mqtt.broker_reachable(host, port):
        pytest.skip(f"no MQTT broker on {host}:{port} (start Mosquitto for this test)")
    reg = small_registry(platform, admin)
    _facility(platform, reg.ent_a)  # TF1 on SD-A-01, with the simulator's seven points
    # 36000 times the readings' clock: a time step every 0.1 s.
    source = start_demo_source(platform, host, port, speed=36_000.0, days=2,
                               flush_seconds=0.2)
    try:
        deadline = time.monotonic() + 30
        while _stored(platform) < 7 * STEPS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        assert source.stop(timeout_s=15)
    assert (source.facility, source.site) == ("TF1", "SD-A-01")
    assert not any(t.is_alive() for t in source.threads)
    assert source.listener.stats.errors == 0
    with platform.sessions() as s:
        design = safety.design_of(safety.get_facility(s, reg.admin, "TF1"))
        stored = pd.concat([safety.sensor_readings(s, reg.admin, "SD-A-01", p).assign(sensor=p)
                            for p in ("PL1", "RG1", "PZ1", "PZ2", "PZ3", "SD1", "SD2")])
    assert len(stored) >= 7 * STEPS
    # The first pass starts now, on the hour (the facility had no reading), and the stored
    # readings are the simulator's own for that start (the JSON round trip keeps floats).
    assert stored["time"].min() == pd.Timestamp(source.first)
    expected = simulate_stream(start=source.first, days=2, seed=0, design=design).readings
    merged = stored.merge(expected.rename(columns={"point": "sensor"}),
                          on=["sensor", "time"], how="left", suffixes=("", "_simulated"))
    np.testing.assert_array_equal(merged["value"], merged["value_simulated"])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("demo", ["on", "off"])
def test_serve_without_a_broker_says_so_and_serves(platform: Platform, admin: Actor,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   demo: str) -> None:
    served: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.append(app))
    monkeypatch.setenv("AURUM_DEMO_SOURCE", demo)
    broker = f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("AURUM_MQTT", broker)

    def said() -> list[str]:
        result = CliRunner().invoke(cli, ["serve"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert "Alerts: not sent out (no target set)" in lines
        return [line for line in lines if line.startswith("Live demo source")]

    # An empty registry has no facility to play, which is said before the broker is tried.
    assert said() == (["Live demo source off: no tailings facility is registered: seed the "
                       "demo (aurum demo seed) or register one first"]
                      if demo == "on" else [])
    _facility(platform, small_registry(platform, admin).ent_a)
    assert said() == ([f"Live demo source off: the MQTT broker at {broker} is not "
                       f"reachable"] if demo == "on" else [])
    assert served == ["aurum.api.asgi:app"] * 2


def test_bad_alert_settings_stop_the_server(platform: Platform,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: pytest.fail("served"))
    monkeypatch.setenv("AURUM_ALERT_SMTP", "relay.example:2525")
    monkeypatch.delenv("AURUM_ALERT_EMAIL_TO", raising=False)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 2
    assert "AURUM_ALERT_EMAIL_TO" in result.output
