"""Sensor readings over MQTT: a listener that stores them through the sensors service without
losing any, and a publisher that plays a simulated stream.

Topics are ``aurum/sensors/<site>/<sensor>`` (site and sensor codes as registered); a
message is one reading ``{"time": "2025-07-01T10:00:00+08:00", "value": 1.23}`` or a list of
them (ISO 8601 times; without an offset they are taken as UTC; values in the sensor's unit).

How nothing is lost silently:

- **Persistent session.** The listener connects with MQTT 5, a fixed client id
  (``AURUM_MQTT_CLIENT_ID``, default :data:`DEFAULT_CLIENT_ID`), ``clean_start=False`` and a
  session expiry of :data:`SESSION_EXPIRY_S`, and subscribes at QoS 1: what is published
  while it is down is queued by the broker and delivered when it comes back.
- **Acknowledged after commit.** A QoS-1 message is acknowledged only once the batch that
  holds it is committed (paho's ``manual_ack``), so the broker redelivers whatever a crash
  or a stop left unwritten; readings delivered twice are stored once (sensor and time are
  the readings' key). The listener tells the broker it takes up to :data:`RECEIVE_MAXIMUM`
  unacknowledged messages: Mosquitto then holds a flood in flight instead of queueing it
  behind its 20 in-flight slots and dropping beyond its queue limit.
- **Back-pressure.** Messages go from paho's network thread through a bounded queue
  (:data:`QUEUE_MESSAGES`) to the writer, which stores them in batches
  (:data:`BATCH_MESSAGES`, one transaction per site). When the queue is full the network
  thread waits, and the broker holds the rest. When the database is unreachable, the writer
  retries; nothing is acknowledged meanwhile.
- **Bounds, counted.** A payload over :data:`MAX_PAYLOAD_BYTES` is refused unread; a message
  that is not a reading (bad topic, JSON, time or value) is refused; a reading whose time
  lies outside the plausible window
  (:class:`aurum.services.safety.readings.ReadingWindow`: from 2000 to an hour ahead of the
  clock) is refused; a reading of an unknown site or sensor is
  dropped. Each is counted in :class:`ListenerStats` and logged with at most
  :data:`LOG_EXCERPT_CHARS` characters of what was received. ``stored`` counts the rows the
  database inserted in committed transactions.

Credentials and TLS come from the environment (:meth:`MqttSettings.from_env`): a production
broker refuses anonymous clients (``deploy/mosquitto/aurum.conf``).

Uses paho-mqtt 2 (callback API version 2).
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pandas as pd
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy.exc import DBAPIError, OperationalError

from aurum.core.errors import AurumError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.services.auth import SYSTEM
from aurum.services.platform import Platform
from aurum.services.safety import sensors
from aurum.services.safety.readings import ReadingWindow
from aurum.store.db import transaction

log = logging.getLogger("aurum.mqtt")

TOPIC_ROOT = "aurum/sensors"
DEFAULT_BROKER = "127.0.0.1:1883"
DEFAULT_CLIENT_ID = "aurum-listener"
"""The listener's MQTT client id: its session (subscription and queued messages) at the
broker is kept under it. Two listeners must not share one."""
MAX_PAYLOAD_BYTES = 64 * 1024
"""Largest message payload the listener reads, bytes (about 1,500 readings in a list)."""
LOG_EXCERPT_CHARS = 200
"""Characters of a refused message (topic, payload, reason) written to the log."""
QUEUE_MESSAGES = 2048
"""Messages between the network thread and the writer (at most 128 MiB of payload)."""
BATCH_MESSAGES = 1000
"""Most messages the writer stores in one batch."""
BATCH_BYTES = 1024 * 1024
"""Most payload bytes the writer stores in one batch."""
SESSION_EXPIRY_S = 7 * 24 * 3600
"""How long the broker keeps the listener's session while it is down, s (a week)."""
RECEIVE_MAXIMUM = 65535
"""Unacknowledged messages the listener lets the broker send (MQTT 5's largest)."""
RETRY_DELAY_S = (0.5, 30.0)
"""First and longest pause between two attempts to store a batch the database could not
take (unreachable, locked), s; the pause doubles in between."""


class BrokerUnreachable(AurumError):
    """The MQTT broker could not be reached or refused the connection."""


class MalformedMessage(ValueError):
    """A message that is not a reading of a sensor."""


def excerpt(text: str | bytes, limit: int = LOG_EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of ``text`` for a log line, with the length left out.

    Parameters
    ----------
    text : str or bytes
        What was received (bytes are decoded as UTF-8, bad bytes replaced).
    limit : int
        Characters kept.
    """
    if isinstance(text, bytes):
        # A UTF-8 character takes at most 4 bytes: no need to decode more.
        size, unit, whole = len(text), "bytes", len(text) <= 4 * limit
        text = text[:4 * limit].decode("utf-8", errors="replace")
    else:
        size, unit, whole = len(text), "characters", True
    if whole and len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r} ... ({size:,} {unit})"


@dataclass(frozen=True)
class MqttSettings:
    """How to reach the broker: account, TLS and the listener's client id.

    Parameters
    ----------
    username, password : str, optional
        The broker account (a site's gateway publishes as the site's code; the listener as
        the account the broker lets read ``aurum/sensors/#``). None: anonymous, which only
        the local demo broker allows.
    ca_file : Path, optional
        CA certificates (PEM) to verify the broker by; when set, the connection uses TLS.
    client_id : str
        The listener's client id (:data:`DEFAULT_CLIENT_ID`).
    """

    username: str | None = None
    password: str | None = None
    ca_file: Path | None = None
    client_id: str = DEFAULT_CLIENT_ID

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MqttSettings:
        """Read ``AURUM_MQTT_USERNAME``, ``AURUM_MQTT_PASSWORD``, ``AURUM_MQTT_CA_FILE`` and
        ``AURUM_MQTT_CLIENT_ID`` (unset or empty: anonymous, no TLS, the default id).

        Raises
        ------
        ValidationError
            A password without a user name, or a CA file that does not exist.
        """
        env = os.environ if environ is None else environ

        def read(name: str) -> str | None:
            return env.get(name, "").strip() or None

        username, password = read("AURUM_MQTT_USERNAME"), env.get("AURUM_MQTT_PASSWORD") or None
        ca = read("AURUM_MQTT_CA_FILE")
        problems = []
        if password is not None and username is None:
            problems.append(Problem(_("AURUM_MQTT_PASSWORD is set but AURUM_MQTT_USERNAME is "
                                      "not: set the broker account's user name"),
                                    column="AURUM_MQTT_USERNAME"))
        if ca is not None and not Path(ca).is_file():
            problems.append(Problem(_("AURUM_MQTT_CA_FILE: no file %(path)s (expected the CA "
                                      "certificates of the broker, PEM)", path=ca),
                                    column="AURUM_MQTT_CA_FILE"))
        if problems:
            raise ValidationError(problems)
        return cls(username, password, None if ca is None else Path(ca),
                   read("AURUM_MQTT_CLIENT_ID") or DEFAULT_CLIENT_ID)

    def configure(self, client: mqtt.Client) -> None:
        """Give a client the account and the TLS settings."""
        if self.username is not None:
            client.username_pw_set(self.username, self.password)
        if self.ca_file is not None:
            client.tls_set(ca_certs=str(self.ca_file))


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
        raise ValidationError(Problem(_("expected the broker as HOST:PORT, got %(text)r",
                                        text=text),
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
        or an item without an ISO 8601 ``time`` (that has a UTC equivalent) and a finite
        number ``value``. The message quotes at most :data:`LOG_EXCERPT_CHARS` characters of
        what it got.
    """
    parts = topic.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != TOPIC_ROOT or not parts[2] or not parts[3]:
        raise MalformedMessage(_("topic %(topic)s is not %(root)s/<site>/<sensor>",
                                 topic=excerpt(topic), root=TOPIC_ROOT))
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MalformedMessage(_("payload is not UTF-8 JSON: %(error)s",
                                 error=excerpt(str(exc)))) from None
    items = document if isinstance(document, list) else [document]
    readings = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise MalformedMessage(_("item %(n)s: expected an object with time and value",
                                     n=n))
        value, text = item.get("value"), item.get("time")
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise MalformedMessage(_("item %(n)s: expected a finite number value, got "
                                     "%(value)s", n=n, value=excerpt(repr(value))))
        try:
            when = datetime.fromisoformat(str(text))
            when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 with an offset
            raise MalformedMessage(_("item %(n)s: expected an ISO 8601 time, got %(value)s",
                                     n=n, value=excerpt(str(text)))) from None
        readings.append((when, float(value)))
    return parts[2], parts[3], readings


@dataclass
class ListenerStats:
    """Counts since the listener started.

    ``messages`` received (a message the broker delivers again after a restart counts
    again); of them ``malformed`` (not a reading) and ``oversized`` (over
    :data:`MAX_PAYLOAD_BYTES`). ``readings`` in the well-formed messages; of them
    ``implausible`` (time outside the window), ``unknown`` (site or sensor not registered),
    ``stored`` (rows inserted), ``duplicates`` (stored already) and ``failed`` (in a batch the
    store refused; ``errors`` counts those batches). ``batches`` written; ``alerts`` raised
    and ``hazards`` opened.
    """

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
    oversized: int = 0
    implausible: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Delivery:
    """A message on its way from the network thread to the writer.

    ``payload`` is cut to what the log may show when ``size`` is over the limit;
    ``connection`` counts the broker connections, so that a message is acknowledged only on
    the connection that delivered it (after a reconnection the broker delivers it again).
    """

    mid: int
    qos: int
    connection: int
    topic: str
    payload: bytes
    size: int


def _transient(exc: BaseException) -> bool:
    """Whether a store error may pass by waiting (database unreachable, locked)."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


class SensorListener:
    """Subscribe to the sensors' topics and store what arrives, in batches, acknowledging
    each message once it is committed.

    Parameters
    ----------
    platform : Platform
        Where the readings go.
    host, port : str, int
        The broker.
    flush_seconds : float
        Longest time a reading waits before it is written, s (a batch is written sooner
        when :data:`BATCH_MESSAGES` messages wait).
    client_id : str, optional
        MQTT client id (default the settings', :data:`DEFAULT_CLIENT_ID`).
    settings : MqttSettings, optional
        Account and TLS (default :meth:`MqttSettings.from_env`).
    topic_filter : str
        What to subscribe to (default every site, ``aurum/sensors/#``; one site's
        ``aurum/sensors/<site>/#`` to split the load between listeners).
    window : ReadingWindow
        The plausible times of a reading.
    session_expiry_s : int
        How long the broker keeps the session while the listener is down, s (0: the session
        ends with the connection, for a listener that runs only beside a demo).
    """

    def __init__(self, platform: Platform, host: str = "127.0.0.1", port: int = 1883, *,
                 flush_seconds: float = 1.0, client_id: str | None = None,
                 settings: MqttSettings | None = None, topic_filter: str = f"{TOPIC_ROOT}/#",
                 window: ReadingWindow = ReadingWindow(),
                 session_expiry_s: int = SESSION_EXPIRY_S) -> None:
        settings = settings or MqttSettings.from_env()
        self.platform = platform
        self.host, self.port = host, port
        self.flush_seconds = flush_seconds
        self.topic_filter = topic_filter
        self.window = window
        self.session_expiry_s = session_expiry_s
        self.client_id = client_id or settings.client_id
        self.stats = ListenerStats()
        self._queue: queue.Queue[_Delivery] = queue.Queue(maxsize=QUEUE_MESSAGES)
        self._lock = threading.Lock()  # the stats, read by other threads
        self._writing = threading.Lock()  # one batch at a time: acknowledgements in order
        self._connection = 0
        self._subscribed = threading.Event()
        self._answered = threading.Event()  # subscribed, or refused
        self._refusal: str | None = None
        self._closing = threading.Event()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                                   protocol=mqtt.MQTTv5, manual_ack=True)
        settings.configure(self._client)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    # --- the network thread -----------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, _userdata: Any, flags: Any, reason: Any,
                    _properties: Any) -> None:
        if reason.is_failure:
            log.error("the broker at %s:%d refused the connection: %s", self.host, self.port,
                      reason)
            self._refusal = str(reason)
            self._answered.set()
            return
        self._connection += 1
        log.info("connected to %s:%d as %s (session %s)", self.host, self.port,
                 self.client_id, "resumed" if flags.session_present else "new")
        # The session keeps the subscription; subscribing again costs nothing and makes a
        # session the broker expired whole again.
        client.subscribe(self.topic_filter, qos=1)

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int, codes: Any,
                      _properties: Any) -> None:
        refused = [str(c) for c in codes if c.is_failure]
        if refused:
            log.error("the broker refused the subscription to %s: %s", self.topic_filter,
                      ", ".join(refused))
            self._refusal = f"subscription to {self.topic_filter} refused: {refused[0]}"
        else:
            self._subscribed.set()
        self._answered.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: Any) -> None:
        if self._closing.is_set():
            return  # left unacknowledged: the broker delivers it at the next connection
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = "<topic not UTF-8>"
        payload = message.payload
        size = len(payload)
        if size > MAX_PAYLOAD_BYTES:
            payload = payload[:4 * LOG_EXCERPT_CHARS]  # refused unread: only the log's part
        item = _Delivery(message.mid, message.qos, self._connection, topic, payload, size)
        # Back-pressure: while the writer is behind, this thread waits and the broker holds
        # the messages, unacknowledged.
        while True:
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                if self._closing.is_set():
                    return

    # --- the caller's thread: connecting, writing, stopping -----------------------------------

    def start(self, timeout: float = 5.0) -> None:
        """Connect and subscribe (waits at most ``timeout`` s for the subscription).

        Raises
        ------
        BrokerUnreachable
            When the broker cannot be reached, refuses the account or the subscription, or
            does not confirm the subscription.
        """
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry_s
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        broker = f"{self.host}:{self.port}"
        try:
            self._client.connect(self.host, self.port, keepalive=30, clean_start=False,
                                 properties=properties)
        except OSError as exc:
            raise BrokerUnreachable(_("cannot reach the MQTT broker at %(broker)s: %(error)s",
                                      broker=broker, error=exc)) from exc
        self._client.loop_start()
        if not self._answered.wait(timeout) or self._refusal is not None:
            refusal = self._refusal
            self._client.disconnect()
            self._client.loop_stop()
            if refusal is not None:
                raise BrokerUnreachable(_(
                    "the MQTT broker at %(broker)s refused %(client)s: %(refusal)s (set "
                    "AURUM_MQTT_USERNAME and AURUM_MQTT_PASSWORD to an account that may read "
                    "%(topics)s)", broker=broker, client=self.client_id, refusal=refusal,
                    topics=self.topic_filter))
            raise BrokerUnreachable(_("the MQTT broker at %(broker)s did not confirm the "
                                      "subscription within %(timeout)s s", broker=broker,
                                      timeout=format(timeout, "g")))
        log.info("listening on %s:%d %s", self.host, self.port, self.topic_filter)

    def stop(self) -> None:
        """Take no more messages, write what is queued, and disconnect; what the broker
        delivered meanwhile stays unacknowledged and comes again at the next start."""
        self._closing.set()
        self.flush()
        self._client.disconnect()  # after the acknowledgements queued by the last flush
        self._client.loop_stop()

    def flush(self) -> int:
        """Write every message queued now, in batches; returns how many readings were
        stored."""
        stored = 0
        while batch := self._collect(time.monotonic()):
            stored += self._write(batch)
        return stored

    def _collect(self, due: float) -> list[_Delivery]:
        """Queued messages, waiting until ``due`` (monotonic s) for them, until a batch is
        full (:data:`BATCH_MESSAGES` messages or :data:`BATCH_BYTES` bytes)."""
        batch: list[_Delivery] = []
        size = 0
        while len(batch) < BATCH_MESSAGES and size < BATCH_BYTES:
            wait = due - time.monotonic()
            try:
                item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            size += len(item.payload)
        return batch

    def _write(self, batch: list[_Delivery]) -> int:
        """Store a batch (one transaction per site) and acknowledge its messages."""
        with self._writing:
            frame = self._readings(batch)
            stored = 0
            for site, part in frame.groupby("site", sort=True):
                done = self._store(str(site), part)
                if done is None:  # stopping while the store is down: the broker keeps them
                    return stored
                stored += done
            for item in batch:
                if item.qos > 0 and item.connection == self._connection:
                    self._client.ack(item.mid, item.qos)
            return stored

    def _readings(self, batch: list[_Delivery]) -> pd.DataFrame:
        """The batch's plausible readings (``site``, ``sensor``, ``time``, ``value``); what
        is refused is counted and logged."""
        rows: list[tuple[str, str, datetime, float]] = []
        malformed = oversized = implausible = 0
        earliest = self.window.earliest.to_pydatetime()
        latest = self.window.latest().to_pydatetime()
        for item in batch:
            if item.size > MAX_PAYLOAD_BYTES:
                oversized += 1
                log.warning("message on %s refused: %s bytes, over the limit of %s; it "
                            "starts %s", excerpt(item.topic), f"{item.size:,}",
                            f"{MAX_PAYLOAD_BYTES:,}", excerpt(item.payload))
                continue
            try:
                site, sensor, readings = parse_message(item.topic, item.payload)
            except MalformedMessage as exc:
                malformed += 1
                log.warning("malformed message on %s: %s; payload %s", excerpt(item.topic),
                            exc, excerpt(item.payload))
                continue
            kept = [(site, sensor, t, v) for t, v in readings if earliest <= t <= latest]
            if len(kept) < len(readings):
                implausible += len(readings) - len(kept)
                log.warning("%d reading(s) of %s/%s refused: expected %s", len(readings)
                            - len(kept), excerpt(site), excerpt(sensor),
                            self.window.describe())
            rows += kept
        with self._lock:
            self.stats.messages += len(batch)
            self.stats.malformed += malformed
            self.stats.oversized += oversized
            self.stats.readings += len(rows) + implausible
            self.stats.implausible += implausible
        return pd.DataFrame(rows, columns=["site", "sensor", "time", "value"])

    def _store(self, site: str, part: pd.DataFrame) -> int | None:
        """Store one site's readings; returns the rows inserted, or None when stopping while
        the store is unreachable (nothing of them is stored)."""
        delay = RETRY_DELAY_S[0]
        while True:
            try:
                with transaction(self.platform.sessions) as session:
                    known = sensors.sensor_codes(session, site)
                    keep = part["sensor"].isin(list(known or ()))
                    result = None
                    if keep.any():
                        result = sensors.ingest(session, SYSTEM, site,
                                                part.loc[keep, ["sensor", "time", "value"]],
                                                source="mqtt", window=self.window)
                break
            except Exception as exc:  # a batch the store refuses must not stop the listener
                if not _transient(exc):
                    log.error("could not store %d reading(s) of %s: %s", len(part), site,
                              excerpt(str(exc), 4 * LOG_EXCERPT_CHARS), exc_info=exc)
                    with self._lock:
                        self.stats.errors += 1
                        self.stats.failed += len(part)
                    return 0
                if self._closing.is_set():
                    return None
                log.warning("the store cannot take %d reading(s) of %s now (%s); trying "
                            "again in %g s", len(part), site, excerpt(str(exc)), delay)
                if self._closing.wait(delay):
                    return None
                delay = min(2 * delay, RETRY_DELAY_S[1])
        dropped = int((~keep).sum())
        if dropped:
            missing = sorted(set(part.loc[~keep, "sensor"]))
            log.warning("%d reading(s) of unknown %s dropped: %s", dropped,
                        "site" if known is None else f"sensors of {site}",
                        excerpt(site if known is None else ", ".join(missing[:10])))
        with self._lock:
            self.stats.unknown += dropped
            if result is None:
                return 0
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
        """Listen for ``seconds`` s (until ``stop`` is set when None), writing a batch when
        it is full or every ``flush_seconds``; ``tick`` is called with (seconds elapsed,
        stats) every ``flush_seconds``.
        """
        stop = stop or threading.Event()
        self.start()
        began = time.monotonic()
        end = math.inf if seconds is None else began + seconds
        due = began + self.flush_seconds
        try:
            while not stop.is_set() and time.monotonic() < end:
                batch = self._collect(min(due, end))
                if batch:
                    self._write(batch)
                if time.monotonic() >= due:
                    due = time.monotonic() + self.flush_seconds
                    if tick is not None:
                        tick(time.monotonic() - began, self.stats)
        finally:
            self.stop()
        return self.stats


def publish_readings(host: str, port: int, site: str, readings: pd.DataFrame, *,
                     speed: float = 0.0, qos: int = 1, timeout: float = 10.0,
                     progress: Callable[[int, int], None] | None = None,
                     settings: MqttSettings | None = None) -> int:
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
    settings : MqttSettings, optional
        Account and TLS (default :meth:`MqttSettings.from_env`; a production broker lets a
        site's account publish that site's topics only).

    Returns
    -------
    int
        Messages published.

    Raises
    ------
    BrokerUnreachable
        When the broker cannot be reached or refuses the account.
    """
    answered = threading.Event()
    refusal: list[str] = []

    def on_connect(_client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any,
                   _properties: Any) -> None:
        if reason.is_failure:
            refusal.append(str(reason))
        answered.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    (settings or MqttSettings.from_env()).configure(client)
    client.on_connect = on_connect
    broker = f"{host}:{port}"
    try:
        client.connect(host, port, keepalive=30)
    except OSError as exc:
        raise BrokerUnreachable(_("cannot reach the MQTT broker at %(broker)s: %(error)s",
                                  broker=broker, error=exc)) from exc
    client.loop_start()
    try:
        if not answered.wait(timeout):
            raise BrokerUnreachable(_("no answer from the MQTT broker at %(broker)s",
                                      broker=broker))
        if refusal:
            raise BrokerUnreachable(_("the MQTT broker at %(broker)s refused the connection: "
                                      "%(refusal)s (set AURUM_MQTT_USERNAME and "
                                      "AURUM_MQTT_PASSWORD to the account of %(site)s)",
                                      broker=broker, refusal=refusal[0], site=site))
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
        client.disconnect()
        client.loop_stop()
