"""``aurum sensors``: monitoring sensors over MQTT and from files.

Contracts relied on by scripts:

- ``aurum sensors listen [--broker HOST:PORT] [--seconds N] [--max-ahead H]``: subscribe to
  ``aurum/sensors/<site>/<sensor>`` (a persistent MQTT session: what is published while it
  is down arrives when it is back) and store the readings; JSON output is the listener's
  counts (``messages``, ``readings``, ``malformed``, ``unknown``, ``stored``,
  ``duplicates``, ``alerts``, ``hazards``, ``batches``, ``errors``, and ``oversized``,
  ``implausible``, ``failed``). The broker account, TLS and client id come from
  ``AURUM_MQTT_USERNAME``, ``AURUM_MQTT_PASSWORD``, ``AURUM_MQTT_CA_FILE`` and
  ``AURUM_MQTT_CLIENT_ID`` (:class:`aurum.services.safety.mqtt.MqttSettings`).
- ``aurum sensors simulate [--broker HOST:PORT] [--facility CODE] [--speed X]``: publish the
  simulated stream of a registered tailings facility (:func:`aurum.safety.tailings.
  simulate_stream` on its design) on its sensors' topics.
- ``aurum sensors import-pressure-cells FILE.xlsx --site CODE``: register and ingest a
  borehole pressure-cell workbook (NIOSH Elk Creek layout).

The commands act as the platform's own process (no account; audit records carry no user).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, progress_bar
from aurum.core.i18n import _

# The safety service is imported inside the verbs: it loads pandas and SQLAlchemy, which
# ``aurum sensors --help`` should not pay for. Its defaults are written out in the options
# below (tests/cli/test_startup.py keeps them alike): mqtt.DEFAULT_BROKER, and MAX_AHEAD
# in hours.
if TYPE_CHECKING:
    from aurum.services.safety import mqtt

BROKER_OPTION = click.option("--broker", envvar="AURUM_MQTT", default="127.0.0.1:1883",
                             show_default=True, show_envvar=True, metavar="HOST:PORT",
                             help="The MQTT broker (as aurum serve's, from AURUM_MQTT).")
@click.group(name="sensors")
def sensors() -> None:
    """Monitoring sensors: MQTT listener, simulator, pressure-cell import."""


@sensors.command("listen")
@BROKER_OPTION
@click.option("--seconds", type=click.FloatRange(min=0), default=None,
              help="Stop after this many seconds (default: until interrupted).")
@click.option("--flush", "flush_seconds", type=click.FloatRange(min=0.05), default=1.0,
              show_default=True, help="Seconds between two writes to the store.")
@click.option("--max-ahead", "max_ahead_h", type=click.FloatRange(min=0, max=24 * 3660),
              default=1.0, show_default=True,
              help="Hours ahead of this clock a reading's time may lie (raise it to store "
                   "the time-lapse of aurum sensors simulate).")
@DATABASE_OPTION
@FORMAT_OPTION
def listen(broker: str, seconds: float | None, flush_seconds: float, max_ahead_h: float,
           url: str | None, fmt: str) -> None:
    """Store the readings published on aurum/sensors/<site>/<sensor> (JSON {"time": ISO
    8601, "value": number} or a list of them), judge them and raise alerts. Messages over
    64 KiB, malformed messages, times before 2000 or beyond --max-ahead and unknown
    sensors are counted and logged, never fatal; each message is acknowledged once its
    readings are committed."""
    import pandas as pd

    from aurum.services import safety as service
    from aurum.services.platform import Platform
    from aurum.services.safety import mqtt

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    host, port = mqtt.parse_broker(broker)
    platform = Platform.open(url, migrate_to_head=True)
    window = service.ReadingWindow(ahead=pd.Timedelta(hours=max_ahead_h))
    listener = mqtt.SensorListener(platform, host, port, flush_seconds=flush_seconds,
                                   window=window)
    if fmt == "text":
        topics = f"{host}:{port} {mqtt.TOPIC_ROOT}/#"
        click.echo(_("listening on %(topics)s (Ctrl-C stops)", topics=topics) if seconds is None
                   else _("listening on %(topics)s for %(seconds)s s", topics=topics,
                          seconds=format(seconds, "g")))
    try:
        with progress_bar(_("listening (s)")) as advance:
            total = int(seconds) if seconds is not None else 0

            def tick(elapsed: float, _stats: mqtt.ListenerStats) -> None:
                if seconds is not None:
                    advance(min(int(elapsed), total), total)

            stats = listener.run(seconds, tick=tick)
    except KeyboardInterrupt:
        stats = listener.stats
    if fmt == "json":
        echo_json(stats.as_dict())
        return
    click.echo(_("%(messages)s message(s), %(readings)s reading(s): %(stored)s stored, "
                 "%(duplicates)s already stored, %(unknown)s of unknown sensors, %(malformed)s "
                 "malformed message(s), %(errors)s failed batch(es); %(alerts)s alert(s), "
                 "%(hazards)s hazard(s) opened; %(oversized)s message(s) over the size limit, "
                 "%(implausible)s reading(s) with an implausible time, %(failed)s in failed "
                 "batches", **{k: getattr(stats, k) for k in (
                     "messages", "readings", "stored", "duplicates", "unknown", "malformed",
                     "errors", "alerts", "hazards", "oversized", "implausible", "failed")}))


@sensors.command("simulate")
@BROKER_OPTION
@click.option("--facility", "code", default=None,
              help="Code of a registered tailings facility (default: the first one).")
@click.option("--speed", type=float, default=3600.0, show_default=True,
              help="Times faster than the readings' clock (3600: an hour of readings per "
                   "second; 0: as fast as possible).")
@click.option("--days", type=click.IntRange(min=1, max=366), default=20, show_default=True,
              help="Days of readings.")
@click.option("--storm-day", type=float, default=10.0, show_default=True,
              help="Day of the storm after the start (d).")
@click.option("--rain", "rain_mm", type=click.FloatRange(min=0), default=260.0,
              show_default=True, help="Total rain of the storm (mm).")
@click.option("--start", type=click.DateTime(), default=None,
              help="Time of the first reading, UTC (default: an hour after the facility's "
                   "latest reading, or now).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the noise.")
@click.option("--ventilation", "vent_site", default=None, metavar="SITE",
              help="Play instead the ventilation-on-demand sensors of a mine's working places "
                   "(airflow, CO, NO2, temperature, humidity, people, diesel kW; registered "
                   "when missing) over its shifts.")
@DATABASE_OPTION
@FORMAT_OPTION
def simulate(broker: str, code: str | None, speed: float, days: int, storm_day: float,
             rain_mm: float, start: datetime | None, seed: int, vent_site: str | None,
             url: str | None, fmt: str) -> None:
    """Publish hourly readings of a tailings facility through a storm (pond, piezometers,
    displacement, rain), on the topics of the facility's sensors named as the simulated
    points (PL1, RG1, PZ1-PZ3, SD1-SD2); points the facility lacks are left out."""
    from aurum.services import safety as service
    from aurum.services.platform import Platform
    from aurum.services.safety import mqtt

    host, port = mqtt.parse_broker(broker)
    platform = Platform.open(url, migrate_to_head=True)
    if vent_site is not None:
        from aurum.services import vod
        from aurum.store.db import transaction

        with transaction(platform.sessions) as s:
            source: Any = vod.simulation(s, vent_site)
    else:
        with platform.sessions() as s:
            source = service.facility_simulation(s, code)
    readings = source.readings(start.replace(tzinfo=UTC) if start is not None else source.first,
                               days, seed, storm_day, rain_mm)
    site = source.site
    with progress_bar(_("publishing %(facility)s", facility=source.facility)) as advance:
        sent = mqtt.publish_readings(host, port, site, readings, speed=speed,
                                     progress=advance)
    summary = {"facility": source.facility, "site": site, "messages": sent,
               "first": readings["time"].min().isoformat(),
               "last": readings["time"].max().isoformat()}
    if fmt == "json":
        echo_json(summary)
        return
    broker_address = f"{host}:{port}"
    click.echo(_("published %(sent)s reading(s) of %(facility)s (%(site)s) from %(first)s to "
                 "%(last)s to %(broker)s", sent=sent, facility=source.facility, site=site,
                 first=summary["first"], last=summary["last"], broker=broker_address))


@sensors.command("import-pressure-cells")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="FILE.xlsx")
@click.option("--site", "site_code", required=True, help="Code of the site of the cells.")
@click.option("--prefix", default=None,
              help="Prefix of the sensor codes, <prefix>.<cell> (default: the file's stem; "
                   "'' for none).")
@DATABASE_OPTION
@FORMAT_OPTION
def import_pressure_cells(path: Path, site_code: str, prefix: str | None, url: str | None,
                          fmt: str) -> None:
    """Register the cells and string pots of a borehole pressure-cell workbook (NIOSH Elk
    Creek layout: pressures in psi, stored in MPa; displacements in inches, stored in mm)
    on a site and store their readings; readings already stored are skipped."""
    from aurum.services import safety as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(url, migrate_to_head=True)
    with progress_bar(_("importing %(file)s", file=path.name)) as advance, \
            transaction(platform.sessions) as s:
        result = service.import_pressure_cells(s, SYSTEM, path, site_code, prefix,
                                               progress=advance)
    if fmt == "json":
        echo_json(result)
        return
    click.echo(_("%(file)s: %(sensors_registered)s sensor(s) registered (%(sensors_existing)s "
                 "already), %(inserted)s reading(s) stored from %(first)s to %(last)s; "
                 "%(duplicates)s skipped (sensor and time stored already or repeated in the "
                 "file), %(conflicts)s of them with another value than the one kept",
                 **{k: result[k] for k in ("file", "sensors_registered", "sensors_existing",
                                           "inserted", "first", "last", "duplicates",
                                           "conflicts")}))
