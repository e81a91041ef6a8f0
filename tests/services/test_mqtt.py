"""No silent sensor loss over MQTT (issue 14, finding 8), through the real Mosquitto at
127.0.0.1:1883: a QoS-1 flood is stored whole, an oversized message in a flood is refused
and counted while the rest is stored, readings published while the listener is down arrive
when it is back, implausible times are refused and counted, refused messages are logged
truncated, and ``stored`` counts the rows the database inserted.

Each test listens on a site of its own (``aurum/sensors/<unique site>/#``) so that runs in
parallel on one broker do not see each other's messages."""

from __future__ import annotations

import getpass
import ipaddress
import json
import logging
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as paho
import pandas as pd
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from aurum.cli import cli
from aurum.core.errors import ValidationError
from aurum.services import registry, safety
from aurum.services.auth import SYSTEM, Actor
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.services.safety import mqtt, readings
from aurum.store.db import transaction
from aurum.store.models import SensorReading

START = datetime(2025, 7, 1, tzinfo=UTC)
FLOOD = 20_000
"""Messages of the flood, as in the finding."""
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"
DEADLINE_S = 60.0
"""Longest wait for what a test published to be stored (a bound against hanging, not a
measured time)."""


@pytest.fixture
def broker() -> tuple[str, int]:
    host, port = mqtt.parse_broker(mqtt.DEFAULT_BROKER)
    if not mqtt.broker_reachable(host, port):
        pytest.skip(f"no MQTT broker on {host}:{port} (start Mosquitto for this test)")
    return host, port


@pytest.fixture
def site(platform: Platform, admin: Actor) -> str:
    """A site of a unique code with sensors S1 and S2 (kPa, no rules)."""
    code = f"MQ-{uuid.uuid4().hex[:8].upper()}"
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "ENT-MQ", "Mqtt Gold Co.", "mining", "Shandong")
        registry.create_site(s, admin, SiteSpec(code, "ENT-MQ", "Mqtt Mine", "mine",
                                                "Shandong", "underground",
                                                design_capacity_tpd=500))
        for sensor in ("S1", "S2"):
            safety.register_sensor(s, admin, safety.SensorSpec(code, sensor, "pressure",
                                                                 "kPa"))
    return code


@contextmanager
def listening(platform: Platform, broker: tuple[str, int], site: str,
              client_id: str | None = None) -> Iterator[mqtt.SensorListener]:
    """A listener on the site's topics running in a thread (a session that expires a minute
    after the test)."""
    listener = mqtt.SensorListener(platform, *broker, flush_seconds=0.2,
                                   client_id=client_id or f"aurum-test-{uuid.uuid4().hex[:8]}",
                                   topic_filter=f"{mqtt.TOPIC_ROOT}/{site}/#",
                                   session_expiry_s=60, settings=mqtt.MqttSettings())
    stop = threading.Event()
    runner = threading.Thread(target=listener.run, kwargs={"stop": stop}, daemon=True)
    runner.start()
    try:
        assert listener._subscribed.wait(10), "the broker did not confirm the subscription"
        yield listener
    finally:
        stop.set()
        runner.join(timeout=30)
        assert not runner.is_alive()


def publish(broker: tuple[str, int], messages: list[tuple[str, bytes]]) -> None:
    """Publish at QoS 1 as fast as paho goes and wait until the broker has taken all."""
    client = paho.Client(paho.CallbackAPIVersion.VERSION2)
    client.connect(*broker)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(DEADLINE_S)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def reading(site: str, sensor: str, at: datetime | str, value: float) -> tuple[str, bytes]:
    stamp = at if isinstance(at, str) else at.isoformat()
    return mqtt.topic_for(site, sensor), json.dumps({"time": stamp, "value": value}).encode()


def wait_for(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)


def stored_count(platform: Platform) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(SensorReading)) or 0)


def settled(listener: mqtt.SensorListener, expected: int) -> Callable[[], bool]:
    """Whether the listener has accounted for ``expected`` messages."""
    return lambda: listener.stats.messages >= expected and listener._queue.empty()


def test_a_flood_of_20000_qos1_messages_is_stored_whole(platform: Platform,
                                                        broker: tuple[str, int],
                                                        site: str) -> None:
    messages = [reading(site, "S1", START + timedelta(seconds=i), float(i))
                for i in range(FLOOD)]
    with listening(platform, broker, site) as listener:
        publish(broker, messages)
        wait_for(lambda: listener.stats.stored >= FLOOD)
    stats = listener.stats
    assert (stats.messages, stats.readings, stats.stored) == (FLOOD, FLOOD, FLOOD)
    assert (stats.duplicates, stats.malformed, stats.oversized, stats.implausible,
            stats.unknown, stats.failed, stats.errors) == (0, 0, 0, 0, 0, 0, 0)
    assert stored_count(platform) == FLOOD
    with platform.sessions() as s:
        stored = safety.sensor_readings(s, SYSTEM, site, "S1")
    assert stored["value"].tolist() == [float(i) for i in range(FLOOD)]
    assert stored["time"].iloc[-1] == pd.Timestamp(START + timedelta(seconds=FLOOD - 1))


def test_an_oversized_message_in_a_flood_is_refused_counted_and_logged_short(
        platform: Platform, broker: tuple[str, int], site: str,
        caplog: pytest.LogCaptureFixture) -> None:
    n = 5_000
    messages = [reading(site, "S2", START + timedelta(minutes=i), float(i)) for i in range(n)]
    big = b'{"time": "2025-07-01T00:00:00Z", "value": "' + b"9" * (5 * 2**20) + b'"}'
    messages.insert(n // 2, (mqtt.topic_for(site, "S2"), big))
    caplog.set_level(logging.WARNING, logger="aurum.mqtt")
    with listening(platform, broker, site) as listener:
        publish(broker, messages)
        wait_for(settled(listener, n + 1))
    stats = listener.stats
    assert (stats.messages, stats.oversized, stats.stored, stats.errors) == (n + 1, 1, n, 0)
    assert stored_count(platform) == n
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1
    assert f"{len(big):,} bytes, over the limit of 65,536" in refused[0]
    # The payload's first 200 characters, not its 5 MiB.
    assert refused[0].count("9") <= mqtt.LOG_EXCERPT_CHARS + 20
    assert len(refused[0]) < 400


def test_readings_published_while_the_listener_is_down_arrive_when_it_is_back(
        platform: Platform, broker: tuple[str, int], site: str) -> None:
    client_id = f"aurum-test-{uuid.uuid4().hex[:8]}"
    with listening(platform, broker, site, client_id) as first:
        publish(broker, [reading(site, "S1", START, 0.0)])
        wait_for(lambda: first.stats.stored == 1)
    assert first.stats.stored == 1
    # The listener is down: the broker queues these in its session.
    publish(broker, [reading(site, "S1", START + timedelta(hours=h), float(h))
                     for h in range(1, 101)])
    assert stored_count(platform) == 1
    with listening(platform, broker, site, client_id) as second:
        wait_for(lambda: second.stats.stored >= 100)
    assert (second.stats.messages, second.stats.stored) == (100, 100)
    with platform.sessions() as s:
        stored = safety.sensor_readings(s, SYSTEM, site, "S1")
    assert stored["value"].tolist() == [float(h) for h in range(101)]


def test_implausible_times_are_refused_and_counted(platform: Platform,
                                                  broker: tuple[str, int],
                                                  site: str) -> None:
    soon = datetime.now(UTC) + timedelta(hours=2)
    items = [{"time": "0001-01-01T00:00:00Z", "value": 1.0},
             {"time": "9999-12-31T23:59:59Z", "value": 2.0},
             {"time": "1999-12-31T23:59:59Z", "value": 3.0},
             {"time": soon.isoformat(), "value": 4.0},
             {"time": "2025-07-01T08:00:00+08:00", "value": 5.0}]
    messages = [(mqtt.topic_for(site, "S1"), json.dumps(items).encode()),
                # Year 1 eight hours east of Greenwich has no UTC time: malformed.
                reading(site, "S1", "0001-01-01T00:00:00+08:00", 6.0)]
    with listening(platform, broker, site) as listener:
        publish(broker, messages)
        wait_for(settled(listener, 2))
    stats = listener.stats
    assert (stats.messages, stats.malformed, stats.readings, stats.implausible,
            stats.stored) == (2, 1, 5, 4, 1)
    with platform.sessions() as s:
        stored = safety.sensor_readings(s, SYSTEM, site, "S1")
    assert stored["time"].tolist() == [pd.Timestamp("2025-07-01T00:00:00Z")]
    assert stored["value"].tolist() == [5.0]


def test_the_service_refuses_implausible_times(platform: Platform, site: str) -> None:
    frame = pd.DataFrame({"sensor": ["S1"] * 3,
                          "time": ["2025-07-01T00:00:00Z", "0001-01-01T00:00:00Z",
                                   "9999-12-31T23:59:59Z"],
                          "value": [1.0, 2.0, 3.0]})
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as err:
        safety.ingest(s, SYSTEM, site, frame)
    assert [(p.column, p.message.split(" to ")[0]) for p in err.value.problems] == [
        ("time", "reading 2: expected a time from 2000-01-01T00:00:00+00:00"),
        ("time", "reading 3: expected a time from 2000-01-01T00:00:00+00:00")]
    assert "1 h after the receiving clock" in err.value.problems[0].message
    assert stored_count(platform) == 0
    # A time-lapse source widens the window ahead of the clock.
    later = pd.DataFrame({"sensor": ["S1"], "time": [datetime.now(UTC) + timedelta(days=3)],
                          "value": [1.0]})
    with transaction(platform.sessions) as s:
        result = safety.ingest(s, SYSTEM, site, later,
                                window=safety.ReadingWindow(ahead=pd.Timedelta(days=4)))
    assert result.inserted == 1


def test_stored_counts_the_rows_the_database_inserted(platform: Platform, site: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"sensor": "S1", "time": [START + timedelta(hours=h)
                                                   for h in range(5)],
                          "value": [0.0, 1.0, 2.0, 3.0, 4.0]})
    with transaction(platform.sessions) as s:
        assert safety.ingest(s, SYSTEM, site, frame.iloc[:3]).inserted == 3
    # Another writer stores the first three after this one looked for them: the insert skips
    # them and they count as duplicates, not as stored.
    empty = readings.readings_frame([])
    monkeypatch.setattr(readings, "stored_readings", lambda *args: empty)
    with transaction(platform.sessions) as s:
        result = safety.ingest(s, SYSTEM, site, frame)
    assert (result.inserted, result.duplicates) == (2, 3)
    assert stored_count(platform) == 5


def test_refused_messages_are_quoted_truncated() -> None:
    huge = "x" * 60_000
    with pytest.raises(mqtt.MalformedMessage) as err:
        mqtt.parse_message("aurum/sensors/SD-A-01/BP1",
                           json.dumps({"time": huge, "value": 1}).encode())
    assert str(err.value).startswith("item 1: expected an ISO 8601 time, got 'xxx")
    assert str(err.value).endswith("... (60,000 characters)")
    assert len(str(err.value)) < 300
    assert mqtt.excerpt(b"\xff" + b"y" * (20 * 2**20)).endswith("... (20,971,521 bytes)")
    assert len(mqtt.excerpt(b"y" * (20 * 2**20))) < 250
    assert mqtt.excerpt("short") == "'short'"
    with pytest.raises(mqtt.MalformedMessage, match="is not aurum/sensors"):
        mqtt.parse_message("aurum/sensors/" + "a/" * 50_000, b"{}")


def test_broker_settings_from_the_environment(tmp_path: Path) -> None:
    assert mqtt.MqttSettings.from_env({}) == mqtt.MqttSettings()
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    settings = mqtt.MqttSettings.from_env({
        "AURUM_MQTT_USERNAME": " aurum-listener ", "AURUM_MQTT_PASSWORD": "s3cret pass",
        "AURUM_MQTT_CA_FILE": str(ca), "AURUM_MQTT_CLIENT_ID": "aurum-listener-2"})
    assert settings == mqtt.MqttSettings("aurum-listener", "s3cret pass", ca,
                                         "aurum-listener-2")
    with pytest.raises(ValidationError) as err:
        mqtt.MqttSettings.from_env({"AURUM_MQTT_PASSWORD": "x",
                                    "AURUM_MQTT_CA_FILE": str(tmp_path / "none.pem")})
    assert [p.column for p in err.value.problems] == ["AURUM_MQTT_USERNAME",
                                                      "AURUM_MQTT_CA_FILE"]


def forget_session(broker: tuple[str, int], client_id: str) -> None:
    """End a client's session at the broker (a clean start, then a disconnection)."""
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                         protocol=paho.MQTTv5)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(*broker, clean_start=True)
    client.loop_start()
    try:
        assert connected.wait(10)
    finally:
        client.disconnect()
        client.loop_stop()


def test_listen_command_keeps_its_contract(platform: Platform, broker: tuple[str, int],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    client_id = f"aurum-test-cli-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AURUM_MQTT_CLIENT_ID", client_id)
    try:
        result = CliRunner().invoke(cli, ["sensors", "listen", "--broker",
                                          mqtt.DEFAULT_BROKER, "--seconds", "0.3",
                                          "--max-ahead", "2", "--format", "json"])
    finally:
        forget_session(broker, client_id)
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert list(counts) == ["messages", "readings", "malformed", "unknown", "stored",
                            "duplicates", "alerts", "hazards", "batches", "errors",
                            "oversized", "implausible", "failed"]
    monkeypatch.setenv("AURUM_MQTT_PASSWORD", "secret")
    monkeypatch.delenv("AURUM_MQTT_USERNAME", raising=False)
    refused = CliRunner().invoke(cli, ["sensors", "listen", "--seconds", "0.1"])
    assert refused.exit_code != 0
    assert "AURUM_MQTT_PASSWORD is set but AURUM_MQTT_USERNAME is not" in refused.output
    monkeypatch.delenv("AURUM_MQTT_PASSWORD")
    monkeypatch.setenv("AURUM_MQTT", "127.0.0.1:1")  # the broker aurum serve uses, by default
    unreachable = CliRunner().invoke(cli, ["sensors", "listen", "--seconds", "0.1"])
    assert unreachable.exit_code != 0
    assert "cannot reach the MQTT broker at 127.0.0.1:1" in unreachable.output


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA, and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aurum test broker")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "server.crt", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@contextmanager
def production_broker(folder: Path, accounts: dict[str, str]) -> Iterator[int]:
    """Mosquitto on a free loopback port with the shipped production configuration
    (deploy/mosquitto/aurum.conf and aurum.acl), its files in ``folder``: the accounts given,
    the TLS certificate of :func:`self_signed`. Yields the port."""
    binary, passwd = shutil.which("mosquitto") or "/usr/sbin/mosquitto", \
        shutil.which("mosquitto_passwd")
    if not Path(binary).exists() or passwd is None:
        pytest.skip("mosquitto and mosquitto_passwd are not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    passwords = folder / "aurum.passwd"
    for n, (user, password) in enumerate(accounts.items()):
        subprocess.run([passwd, *(["-c"] if n == 0 else []), "-b", str(passwords), user,
                        password], check=True, capture_output=True)
    cert, key = self_signed(folder)
    moved = {"listener": f"{port} 127.0.0.1", "password_file": passwords,
             "acl_file": DEPLOY / "aurum.acl", "certfile": cert, "keyfile": key,
             "persistence_location": f"{folder}/"}
    lines = []
    for line in (DEPLOY / "aurum.conf").read_text().splitlines():
        option = line.split(" ", 1)[0]
        lines.append(f"{option} {moved[option]}" if option in moved else line)
    # Started as root, Mosquitto would turn into the mosquitto user, who cannot read here.
    lines.append(f"user {getpass.getuser()}")
    config = folder / "aurum.conf"
    config.write_text("\n".join(lines) + "\n")
    # As a context, the process's pipe is closed when it has ended.
    with subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as process:
        try:
            deadline = time.monotonic() + 10
            while not mqtt.broker_reachable("127.0.0.1", port, 0.2):
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the broker did not open its port"
                time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            process.wait(10)


def test_the_production_broker_admits_accounts_only_each_to_its_site(
        platform: Platform, site: str, tmp_path: Path) -> None:
    listener_password, gateway_password = uuid.uuid4().hex, uuid.uuid4().hex
    with production_broker(tmp_path, {"aurum-listener": listener_password,
                                      site: gateway_password}) as port:
        ca = tmp_path / "server.crt"
        broker = ("127.0.0.1", port)
        frame = pd.DataFrame({"sensor": ["S1"], "time": [START], "value": [1.0]})
        # Anonymous clients are refused, to read and to publish.
        anonymous = mqtt.MqttSettings(ca_file=ca)
        with pytest.raises(mqtt.BrokerUnreachable, match="refused"):
            mqtt.SensorListener(platform, *broker, settings=anonymous,
                                session_expiry_s=0).start()
        with pytest.raises(mqtt.BrokerUnreachable, match="refused the connection"):
            mqtt.publish_readings(*broker, site, frame, settings=anonymous)
        # The listener's account reads, over TLS. A gateway's reading of another site is
        # dropped by the broker, its own site's arrives; a gateway reads nothing (Mosquitto
        # grants its subscription and delivers nothing to it).
        gateway = mqtt.MqttSettings(site, gateway_password, ca)
        accounts = {"aurum-listener": mqtt.MqttSettings("aurum-listener", listener_password,
                                                        ca), site: gateway}
        listeners = {name: mqtt.SensorListener(platform, *broker, flush_seconds=0.2,
                                               client_id=f"aurum-test-{uuid.uuid4().hex[:8]}",
                                               settings=settings, session_expiry_s=0)
                     for name, settings in accounts.items()}
        stop = threading.Event()
        runners = [threading.Thread(target=listener.run, kwargs={"stop": stop}, daemon=True)
                   for listener in listeners.values()]
        for runner in runners:
            runner.start()
        try:
            assert all(listener._subscribed.wait(10) for listener in listeners.values())
            assert mqtt.publish_readings(*broker, "SD-A-01", frame, settings=gateway) == 1
            assert mqtt.publish_readings(*broker, site, frame, settings=gateway) == 1
            wait_for(lambda: listeners["aurum-listener"].stats.stored == 1)
        finally:
            stop.set()
            for runner in runners:
                runner.join(timeout=30)
    assert [(listener.stats.messages, listener.stats.stored)
            for listener in listeners.values()] == [(1, 1), (0, 0)]
