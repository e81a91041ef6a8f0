"""Sensor readings over MQTT: a listener that batches them into the sensors service, and a
publisher that plays a simulated stream.

Topics are ``aurum/sensors/<site>/<sensor>`` (site and sensor codes as registered); a
message is one reading ``{"time": "2025-07-01T10:00:00+08:00", "value": 1.23}`` or a list of
them (ISO 8601 times; without an offset they are taken as UTC; values in the sensor's unit).
The listener buffers what arrives and writes it every ``flush_seconds`` through
:func:`aurum.services.sensors.ingest`, one transaction per site, as the platform's own
process (:data:`aurum.services.sensors.SYSTEM`). A message it cannot read (bad topic, JSON,
time or value), a reading of an unknown site or sensor, or a batch the store refuses is
counted and logged, never fatal; readings delivered twice are stored once.

Uses paho-mqtt 2 (callback API version 2).
"""

from __future__ import annotations

import json
import logging
import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
import pandas as pd

from aurum.core.errors import AurumError, Problem, ValidationError
from aurum.services import sensors
from aurum.services.platform import Platform
from aurum.store.db import transaction

log = logging.getLogger("aurum.mqtt")

TOPIC_ROOT = "aurum/sensors"
DEFAULT_BROKER = "127.0.0.1:1883"


class BrokerUnreachable(AurumError):
    """The MQTT broker could not be reached or refused the connection."""


class MalformedMessage(ValueError):
    """A message that is not a reading of a sensor."""


def parse_broker(text: str) -> tuple[str, int]:
    """``HOST[:PORT]`` as (host, port); the port defaults to 1883."""
    text = (text or "").strip()
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, "1883"
    try:
        number = int(port)
    except ValueError:
        number = -1
    if not host or not 0 < number < 65536:
        raise ValidationError(Problem(f"expected the broker as HOST:PORT, got {text!r}",
                                      column="broker"))
    return host, number


def broker_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to the broker opens within ``timeout`` (s)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def topic_for(site: str, sensor: str) -> str:
    """The topic a sensor's readings are published on."""
    return f"{TOPIC_ROOT}/{site}/{sensor}"


def parse_message(topic: str, payload: bytes) -> tuple[str, str, list[tuple[datetime, float]]]:
    """Read one message: (site, sensor, [(time UTC, value)...]).

    Raises
    ------
    MalformedMessage
        A topic outside ``aurum/sensors/<site>/<sensor>``, a payload that is not UTF-8 JSON,
        or an item without an ISO 8601 ``time`` and a finite number ``value``.
    """
    parts = topic.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != TOPIC_ROOT or not parts[2] or not parts[3]:
        raise MalformedMessage(f"topic {topic!r} is not {TOPIC_ROOT}/<site>/<sensor>")
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedMessage(f"payload is not UTF-8 JSON: {exc}") from None
    items = document if isinstance(document, list) else [document]
    readings = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise MalformedMessage(f"item {n}: expected an object with time and value")
        value, text = item.get("value"), item.get("time")
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise MalformedMessage(f"item {n}: expected a finite number value, got {value!r}")
        try:
            when = datetime.fromisoformat(str(text))
        except ValueError:
            raise MalformedMessage(f"item {n}: expected an ISO 8601 time, got {text!r}") \
                from None
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        readings.append((when, float(value)))
    return parts[2], parts[3], readings


@dataclass
class ListenerStats:
    """Counts since the listener started."""

    messages: int = 0
    readings: int = 0
    malformed: int = 0
    unknown: int = 0
    stored: int = 0
    duplicates: int = 0
    alerts: int = 0
    hazards: int = 0
    batches: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class SensorListener:
    """Subscribe to the sensors' topics and write what arrives, in batches.

    Parameters
    ----------
    platform : Platform
        Where the readings go.
    host, port : str, int
        The broker.
    flush_seconds : float
        Time between two writes, s.
    client_id : str, optional
        MQTT client id (default a random one).
    """

    def __init__(self, platform: Platform, host: str = "127.0.0.1", port: int = 1883, *,
                 flush_seconds: float = 1.0, client_id: str | None = None) -> None:
        self.platform = platform
        self.host, self.port = host, port
        self.flush_seconds = flush_seconds
        self.stats = ListenerStats()
        self._buffer: list[tuple[str, str, datetime, float]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or "")
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any,
                    _properties: Any) -> None:
        if reason.is_failure:
            log.error("the broker refused the connection: %s", reason)
            return
        # Subscribing here subscribes again after every reconnection.
        client.subscribe(f"{TOPIC_ROOT}/#", qos=1)

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int, _codes: Any,
                      _properties: Any) -> None:
        self._subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: Any) -> None:
        try:
            site, sensor, readings = parse_message(message.topic, message.payload)
        except MalformedMessage as exc:
            with self._lock:
                self.stats.messages += 1
                self.stats.malformed += 1
            log.warning("malformed message on %s: %s", message.topic, exc)
            return
        with self._lock:
            self.stats.messages += 1
            self.stats.readings += len(readings)
            self._buffer += [(site, sensor, t, v) for t, v in readings]

    def start(self, timeout: float = 5.0) -> None:
        """Connect and subscribe (waits at most ``timeout`` s for the subscription).

        Raises
        ------
        BrokerUnreachable
            When the broker cannot be reached or does not confirm the subscription.
        """
        try:
            self._client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            raise BrokerUnreachable(f"cannot reach the MQTT broker at {self.host}:{self.port}:"
                                    f" {exc}") from exc
        self._client.loop_start()
        if not self._subscribed.wait(timeout):
            self.stop()
            raise BrokerUnreachable(f"the MQTT broker at {self.host}:{self.port} did not "
                                    f"confirm the subscription within {timeout:g} s")
        log.info("listening on %s:%d %s/#", self.host, self.port, TOPIC_ROOT)

    def stop(self) -> None:
        """Write what is buffered and disconnect."""
        self.flush()
        self._client.loop_stop()
        self._client.disconnect()

    def flush(self) -> int:
        """Write the buffered readings (one transaction per site); returns how many were
        stored."""
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        frame = pd.DataFrame(batch, columns=["site", "sensor", "time", "value"])
        stored = 0
        for site, part in frame.groupby("site", sort=True):
            stored += self._write(str(site), part)
        return stored

    def _write(self, site: str, part: pd.DataFrame) -> int:
        try:
            with transaction(self.platform.sessions) as session:
                known = sensors.sensor_codes(session, site)
                keep = part["sensor"].isin(list(known or ()))
                if not keep.all():
                    missing = sorted(set(part.loc[~keep, "sensor"]))
                    log.warning("%d reading(s) of unknown %s dropped: %s", int((~keep).sum()),
                                "site" if known is None else f"sensors of {site}",
                                site if known is None else ", ".join(missing[:10]))
                with self._lock:
                    self.stats.unknown += int((~keep).sum())
                if not keep.any():
                    return 0
                result = sensors.ingest(session, sensors.SYSTEM, site,
                                        part.loc[keep, ["sensor", "time", "value"]],
                                        source="mqtt")
        except Exception:  # a batch the store refuses must not stop the listener
            log.exception("could not store %d reading(s) of %s", len(part), site)
            with self._lock:
                self.stats.errors += 1
            return 0
        with self._lock:
            self.stats.batches += 1
            self.stats.stored += result.inserted
            self.stats.duplicates += result.duplicates
            self.stats.alerts += len(result.alerts)
            self.stats.hazards += len(result.hazards)
        for alert in result.alerts:
            log.warning("alert %s: %s", alert["level"], alert["message"])
        return result.inserted

    def run(self, seconds: float | None = None, stop: threading.Event | None = None,
            tick: Callable[[float, ListenerStats], None] | None = None) -> ListenerStats:
        """Listen for ``seconds`` s (until ``stop`` is set when None), writing every
        ``flush_seconds``; ``tick`` is called with (seconds elapsed, stats) after each write.
        """
        stop = stop or threading.Event()
        self.start()
        began = time.monotonic()
        try:
            while not stop.is_set():
                elapsed = time.monotonic() - began
                if seconds is not None and elapsed >= seconds:
                    break
                wait = self.flush_seconds if seconds is None else min(
                    self.flush_seconds, max(seconds - elapsed, 0.0))
                stop.wait(wait)
                self.flush()
                if tick is not None:
                    tick(time.monotonic() - began, self.stats)
        finally:
            self.stop()
        return self.stats


def publish_readings(host: str, port: int, site: str, readings: pd.DataFrame, *,
                     speed: float = 0.0, qos: int = 1, timeout: float = 10.0,
                     progress: Callable[[int, int], None] | None = None) -> int:
    """Publish readings as a gateway would: each time step's readings, then a pause.

    Parameters
    ----------
    host, port : str, int
        The broker.
    site : str
        Site code of the topics.
    readings : pandas.DataFrame
        ``sensor``, ``time`` (datetime), ``value``.
    speed : float
        How many times faster than the readings' own clock to play them (3600: an hour of
        readings per second); 0 or less publishes without pausing.
    qos : int
        MQTT quality of service of the messages.
    timeout : float
        Seconds to wait for the connection and for the broker to take the last message.
    progress : callable, optional
        Called with (time steps published, time steps).

    Returns
    -------
    int
        Messages published.

    Raises
    ------
    BrokerUnreachable
        When the broker cannot be reached.
    """
    connected = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_connect = lambda *args: connected.set()
    try:
        client.connect(host, port, keepalive=30)
    except OSError as exc:
        raise BrokerUnreachable(f"cannot reach the MQTT broker at {host}:{port}: {exc}") \
            from exc
    client.loop_start()
    try:
        if not connected.wait(timeout):
            raise BrokerUnreachable(f"no answer from the MQTT broker at {host}:{port}")
        frame = readings.sort_values("time", kind="stable")
        times = pd.DatetimeIndex(pd.to_datetime(frame["time"], utc=True))
        steps = times.unique()
        sent, info = 0, None
        # One message per reading is what a gateway sends; the loop is over messages.
        for k, (step, group) in enumerate(frame.groupby(times, sort=True)):
            stamp = pd.Timestamp(step).isoformat()
            for sensor, value in zip(group["sensor"].astype(str), group["value"].astype(float),
                                     strict=True):
                info = client.publish(topic_for(site, sensor),
                                      json.dumps({"time": stamp, "value": value}), qos=qos)
                sent += 1
            if progress is not None:
                progress(k + 1, len(steps))
            if speed > 0 and k + 1 < len(steps):
                time.sleep((steps[k + 1] - pd.Timestamp(step)).total_seconds() / speed)
        if info is not None:
            info.wait_for_publish(timeout)
        return sent
    finally:
        client.loop_stop()
        client.disconnect()
