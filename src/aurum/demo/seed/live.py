"""The live demo source: the first tailings facility's readings played through the MQTT broker
through a storm, and stored by a listener, as ``aurum sensors simulate`` and ``aurum sensors
listen`` would, in daemon threads of the server (``aurum serve`` starts it unless
``AURUM_DEMO_SOURCE=off``)."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from aurum.services import safety as sensor_service
from aurum.services.platform import Platform
from aurum.services.safety import mqtt

log = logging.getLogger("aurum.demo")

DEMO_SPEED = 720.0
"""Times faster than the readings' clock the demo source plays (an hour of readings every
5 s)."""
DEMO_DAYS = 20
"""Days of readings per pass of the demo source; it starts another pass after each."""
DEMO_AHEAD = pd.Timedelta(days=10 * 366)
"""How far ahead of the clock the demo's listener takes readings: the time-lapse plays the
coming days (ten years of it take five at :data:`DEMO_SPEED`)."""


class _Stopped(Exception):
    """Raised from the publisher's progress callback to end it between two time steps."""


@dataclass
class DemoSource:
    """The running demo source: the facility it plays and its threads.

    Parameters
    ----------
    facility, site : str
        Codes of the facility played and of its site.
    first : datetime
        Time of its first reading, UTC.
    listener : SensorListener
        The listener storing what the broker delivers.
    threads : tuple of Thread
        The listener's and the simulator's threads.
    """

    facility: str
    site: str
    first: datetime
    listener: mqtt.SensorListener
    threads: tuple[threading.Thread, ...]
    _stop: threading.Event

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop the simulator and the listener (which writes what it holds); waits at most
        ``timeout_s`` s for each thread. True when both have ended."""
        self._stop.set()
        for thread in self.threads:
            thread.join(timeout_s)
        return not any(t.is_alive() for t in self.threads)


def start_demo_source(platform: Platform, host: str, port: int, *, speed: float = DEMO_SPEED,
                      days: int = DEMO_DAYS, flush_seconds: float = 1.0,
                      seed: int = 0) -> DemoSource:
    """Start the live demo: listener and simulator of the first tailings facility.

    Parameters
    ----------
    platform : Platform
        Where the listener stores the readings.
    host, port : str, int
        The MQTT broker.
    speed : float
        Times faster than the readings' clock (720: an hour of hourly readings every 5 s).
    days : int
        Days of readings per pass, d.
    flush_seconds : float
        Time between two writes of the listener, s.
    seed : int
        Seed of the first pass's noise (the next passes take the following seeds).

    Raises
    ------
    BrokerUnreachable
        When the broker does not answer.
    ValidationError
        When no tailings facility with simulated points is registered.
    """
    with platform.sessions() as s:
        simulation = sensor_service.facility_simulation(s)
    readings = simulation.readings(simulation.first, days, seed)
    if not mqtt.broker_reachable(host, port):
        raise mqtt.BrokerUnreachable(f"the MQTT broker at {host}:{port} is not reachable")
    # A session of its own that ends with the server: the demo's readings need no queue.
    listener = mqtt.SensorListener(platform, host, port, flush_seconds=flush_seconds,
                                   client_id=f"aurum-serve-{uuid.uuid4().hex[:8]}",
                                   window=sensor_service.ReadingWindow(ahead=DEMO_AHEAD),
                                   session_expiry_s=0)
    listener.start()
    stop = threading.Event()

    def listen() -> None:
        try:
            while not stop.wait(flush_seconds):
                listener.flush()
        finally:
            listener.stop()

    def check(_done: int, _total: int) -> None:
        if stop.is_set():
            raise _Stopped

    def play() -> None:
        pass_readings, n = readings, 0
        try:
            while not stop.is_set():
                mqtt.publish_readings(host, port, simulation.site, pass_readings, speed=speed,
                                      progress=check)
                n += 1
                start = pd.Timestamp(pass_readings["time"].max()).to_pydatetime()
                pass_readings = simulation.readings(start + timedelta(hours=1), days,
                                                    seed + n)
        except _Stopped:
            return
        except Exception:  # the server goes on without its demo source
            log.exception("the demo source of %s stopped", simulation.facility)

    threads = (threading.Thread(target=listen, name="aurum-demo-listener", daemon=True),
               threading.Thread(target=play, name="aurum-demo-simulator", daemon=True))
    for thread in threads:
        thread.start()
    return DemoSource(simulation.facility, simulation.site, simulation.first, listener, threads,
                      stop)
