"""Ventilation on demand (issue 21): a mine's latest sensor readings in, the fan speeds that
meet every working place's requirement with the least power out, stored as a derived result.

The sensors are the site's monitoring sensors (:mod:`aurum.services.safety`, MQTT topics
``aurum/sensors/<site>/<sensor>``) of the kinds in :data:`KINDS`, coded
``<branch>.<quantity>``: the working place is the network branch that ventilates it (the
``working_places`` of the mine's latest network version, :mod:`aurum.services.ventilation`).
``people`` and ``diesel_kw`` are what the personnel and machine positioning systems report
present at the place; a place without them counts its design figures (the most at once).

A decision (:func:`decision_payload`): each place's required flow from its readings
(:func:`aurum.ventilation.demand.required_flows`: the regulation's rules with the people and
diesel kW present, and the dilution of the measured CO and NO2); a regulated place's
regulator is set to its requirement (its door opens or closes); the fan speeds of least power
meeting every requirement (:func:`aurum.ventilation.demand.fan_speeds_for`); the flows
delivered at those speeds, the energy saved against the fans at rated speed, and the alarms.
It is stored as the derived result :data:`VOD` of the site, versioned by the network version
and the latest reading, so a page reads it and never computes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import derived, jobs, registry
from aurum.services.auth import SYSTEM, Actor
from aurum.services.safety.common import iso_utc, utc_times
from aurum.store.models import DerivedResult, Sensor, SensorReading, Site, VentNetwork

KINDS = {"airflow": "m3/s", "co": "ppm", "no2": "ppm", "dry_bulb": "degC",
         "rel_humidity": "%", "people": "count", "diesel_kw": "kW"}
"""The quantities a place's sensors measure and their units; the sensor's kind is
``vent_<quantity>``."""
KIND_PREFIX = "vent_"
PERIOD_HOURS = 24.0
"""Period the energy saving is reckoned over, h (a day at the present demand)."""
PRICE_CNY_PER_KWH = 0.7
"""Electricity price, CNY/kWh: a large industrial user's round figure in Shandong (not a
published tariff; the mine's own replaces it)."""
SPEED_BOUNDS = (0.5, 1.2)
"""Relative speeds the fans' variable-frequency drives allow."""


@dataclass(frozen=True)
class Decision:
    """A stored VOD decision of a site (the payload of :data:`VOD`, as pages read it).

    Attributes
    ----------
    places : pandas.DataFrame
        Per working place: ``place`` (its branch), ``required_m3s``, ``governing``,
        ``delivered_m3s`` (solved at the decided speeds), ``measured_m3s``, ``co_ppm``,
        ``no2_ppm``, ``dry_bulb_c``, ``people``, ``diesel_kw``.
    speeds : dict of str to float
        Relative speed per fan.
    power_kw, fixed_power_kw : dict of str to float
        Per fan: power at those speeds and at rated speed, kW.
    saved_kwh, saved_cny : float
        Saved over ``period_hours`` against rated speed (kWh, CNY at ``price_cny_per_kwh``).
    alarms : list of dict
        ``{place, kind, value, limit}`` (m³/s or °C).
    """

    network_version: int
    as_of: str | None
    places: pd.DataFrame
    speeds: dict[str, float]
    power_kw: dict[str, float]
    fixed_power_kw: dict[str, float]
    period_hours: float
    price_cny_per_kwh: float
    saved_kwh: float
    saved_cny: float
    feasible: bool
    method: str
    evaluations: int
    alarms: list[dict[str, Any]]


def _no_network(code: str) -> ValidationError:
    return ValidationError(_("site %(site)s has no ventilation network: store one first (aurum "
                             "demo seed stores the deep mine's)", site=code))


def _latest_network(session: Session, site: Site) -> VentNetwork | None:
    return session.scalar(select(VentNetwork).where(VentNetwork.site_id == site.id)
                          .order_by(VentNetwork.version.desc()).limit(1))


def _sensors(session: Session, site: Site) -> list[Sensor]:
    return list(session.scalars(select(Sensor).where(
        Sensor.site_id == site.id, Sensor.kind.in_([KIND_PREFIX + k for k in KINDS]))
        .order_by(Sensor.id)))


def latest_readings(session: Session, site: Site) -> dict[str, dict[str, float]]:
    """Per branch: the latest value of each quantity its VOD sensors measure."""
    sensors = {s.id: s for s in _sensors(session, site)}
    if not sensors:
        return {}
    last = (select(SensorReading.sensor_id, func.max(SensorReading.time).label("t"))
            .where(SensorReading.sensor_id.in_(list(sensors)))
            .group_by(SensorReading.sensor_id).subquery())
    rows = session.execute(select(SensorReading.sensor_id, SensorReading.value).join(
        last, (last.c.sensor_id == SensorReading.sensor_id) & (last.c.t == SensorReading.time)))
    out: dict[str, dict[str, float]] = {}
    for sensor_id, value in rows:
        sensor = sensors[sensor_id]
        branch = sensor.code.rsplit(".", 1)[0]
        out.setdefault(branch, {})[sensor.kind.removeprefix(KIND_PREFIX)] = float(value)
    return out


def data_version(session: Session, code: str) -> str:
    """The VOD data of a site now: its network version, its VOD sensors and their latest
    reading time (a new reading is a new decision)."""
    site = registry.get_site(session, SYSTEM, code)
    network = _latest_network(session, site)
    ids = [s.id for s in _sensors(session, site)]
    last = (session.scalar(select(func.max(SensorReading.time))
                           .where(SensorReading.sensor_id.in_(ids))) if ids else None)
    return (f"network {None if network is None else network.id} sensors {len(ids)}:"
            f"{max(ids, default=0)} last {None if last is None else iso_utc(last)}")


def decision_payload(doc: Mapping[str, Any], readings: Mapping[str, Mapping[str, float]],
                     flows: Mapping[str, float]) -> dict[str, Any]:
    """The VOD decision of a network given its places' latest readings.

    Parameters
    ----------
    doc : mapping
        The network document with its ``working_places``
        (:mod:`aurum.services.ventilation`).
    readings : mapping of str to mapping
        Per branch: latest ``airflow`` (m³/s), ``co``, ``no2`` (ppm), ``dry_bulb`` (°C),
        ``rel_humidity`` (per cent), ``people`` (count), ``diesel_kw`` (kW).
    flows : mapping of str to float
        The stored solution's flows at rated speed, m³/s (a place without an airflow
        sensor is taken to carry its solved flow).

    Returns
    -------
    dict
        The JSON payload :func:`decode` reads.
    """
    from aurum.ventilation.demand import (
        Machine,
        Place,
        PlaceReading,
        alarms,
        fan_speeds_for,
        required_flows,
    )
    from aurum.ventilation.network import Network

    network = Network.from_mapping(doc, source="NETWORK.yaml")
    places, present, machines = {}, {}, []
    for entry in doc.get("working_places") or []:
        branch = str(entry["branch"])
        got = readings.get(branch, {})
        places[branch] = Place(branch, float(entry.get("area_m2", 16.0)),
                               str(entry.get("place", "drift")))
        humidity = got.get("rel_humidity")
        present[branch] = PlaceReading(
            flow_m3s=float(got.get("airflow", abs(flows.get(branch, 0.0)))),
            people=round(float(got.get("people", entry.get("people", 0)))),
            co_ppm=got.get("co"), no2_ppm=got.get("no2"), dry_bulb_c=got.get("dry_bulb"),
            rel_humidity=None if humidity is None else min(max(humidity / 100.0, 0.0), 1.0))
        diesel = float(got.get("diesel_kw", entry.get("diesel_kw", 0.0)))
        if diesel > 0:
            machines.append(Machine(f"diesel@{branch}", branch, diesel))
    need = required_flows(present, places, machines)
    required = {p.branch: p.required_m3s for p in need.values()}
    # A regulated place's regulator is set to its requirement; if the network cannot then be
    # solved at rated speed the regulators stay as designed (the alarms show the shortfall).
    regulated = replace(network, branches=tuple(
        replace(b, fixed_flow=required[b.name]) if b.fixed_flow is not None and b.name in
        required else b for b in network.branches))
    try:
        result = fan_speeds_for(regulated, required, SPEED_BOUNDS, period_hours=PERIOD_HOURS,
                                price_cny_per_kwh=PRICE_CNY_PER_KWH)
    except ValidationError:
        result = fan_speeds_for(network, required, SPEED_BOUNDS, period_hours=PERIOD_HOURS,
                                price_cny_per_kwh=PRICE_CNY_PER_KWH)
    found = alarms(need, result.flows, present)
    rows = [{"place": name, "required_m3s": p.required_m3s, "governing": p.governing,
             "delivered_m3s": abs(result.flows[p.branch]),
             # Measured only when an airflow was read (the requirement's dilution falls
             # back to the solved flow, the chart's marker does not).
             "measured_m3s": readings.get(name, {}).get("airflow"),
             "co_ppm": present[name].co_ppm,
             "no2_ppm": present[name].no2_ppm, "dry_bulb_c": present[name].dry_bulb_c,
             "people": present[name].people,
             "diesel_kw": sum(m.diesel_kw for m in machines if m.place == name)}
            for name, p in need.items()]
    return {"places": rows, "speeds": result.speeds, "power_kw": result.power_kw,
            "fixed_power_kw": result.fixed_power_kw, "period_hours": result.period_hours,
            "price_cny_per_kwh": PRICE_CNY_PER_KWH, "saved_kwh": result.saved_kwh,
            "saved_cny": result.saved_cny, "feasible": result.feasible,
            "method": result.method, "evaluations": result.evaluations,
            "alarms": [{"place": a.place, "kind": a.kind, "value": a.value, "limit": a.limit}
                       for a in found]}


def _compute(session: Session, _home: Path, code: str, report: derived.Progress
             ) -> tuple[str, Any]:
    report(0.0, f"ventilation on demand at {code}")
    version = data_version(session, code)
    site = registry.get_site(session, SYSTEM, code)
    network = _latest_network(session, site)
    if network is None:
        raise _no_network(code)
    readings = latest_readings(session, site)
    last = version.rsplit("last ", 1)[1]
    payload = decision_payload(network.document, readings, network.solution.flows)
    return version, payload | {"network_version": network.version,
                               "as_of": None if last == "None" else last}


def decode(payload: Mapping[str, Any]) -> Decision:
    """The stored payload as the page reads it."""
    places = pd.DataFrame(payload["places"], columns=[
        "place", "required_m3s", "governing", "delivered_m3s", "measured_m3s", "co_ppm",
        "no2_ppm", "dry_bulb_c", "people", "diesel_kw"])
    return Decision(int(payload["network_version"]), payload["as_of"], places,
                    dict(payload["speeds"]), dict(payload["power_kw"]),
                    dict(payload["fixed_power_kw"]), float(payload["period_hours"]),
                    float(payload["price_cny_per_kwh"]), float(payload["saved_kwh"]),
                    float(payload["saved_cny"]), bool(payload["feasible"]),
                    str(payload["method"]), int(payload["evaluations"]),
                    list(payload["alarms"]))


def _owner(session: Session, actor: Actor, code: str) -> jobs.Owner:
    site = registry.get_site(session, actor, code)
    return site.org_id, site.province


VOD = derived.register(derived.Derivation("ventilation-vod", data_version, _compute, decode,
                                          _owner))
"""A site's VOD decision (:class:`Decision`): subject the site's code, version
:func:`data_version`."""


def refresh(session: Session, home: Path, site_code: str) -> Decision:
    """Compute and store a site's decision from its latest readings unless that of its current
    data is stored (the VOD step after a batch of readings).

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    home : Path
        The data directory.
    site_code : str
        The mine's code.
    """
    version = data_version(session, site_code)
    stored = session.scalar(select(DerivedResult.payload).where(
        DerivedResult.kind == VOD.kind, DerivedResult.subject == site_code,
        DerivedResult.version == version))
    if stored is not None:
        return decode(stored)
    return derived.refresh(session, home, VOD, site_code)


def read(session: Session, actor: Actor, home: Path, site_code: str) -> Decision | None:
    """The stored decision of a site's current data, or None (then :func:`derived.pending`)."""
    registry.get_site(session, actor, site_code)
    return derived.read(session, home, VOD, site_code)


@dataclass(frozen=True)
class VodView:
    """What the ventilation page's VOD section shows: the stored decision of the site's
    current data, or the job computing it (``pending``); both None without a network."""

    decision: Decision | None
    pending: derived.Pending | None


def view(session: Session, actor: Actor, home: Path, queue: jobs.JobQueue, site_code: str
         ) -> VodView:
    """The VOD section of a mine's page, read from the store: a missing decision is queued
    once on ``queue`` as a ``derive`` job (:func:`aurum.services.derived.pending`).

    Parameters
    ----------
    session : Session
        A reading session.
    actor : Actor
        The reader (NotFoundError for a site it may not read).
    home : Path
        The data directory.
    queue : JobQueue
        Where a missing decision is computed.
    site_code : str
        The mine's code.
    """
    site = registry.get_site(session, actor, site_code)
    if _latest_network(session, site) is None:
        return VodView(None, None)
    decision = derived.read(session, home, VOD, site_code)
    return VodView(decision, None if decision is not None else derived.pending(
        session, actor, queue, VOD, site_code))


def register_sensors(session: Session, actor: Actor, site_code: str) -> list[str]:
    """Register the VOD sensors of the working places of a site's latest network
    (:data:`KINDS` at each place, coded ``<branch>.<quantity>``), those not registered yet.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        Who registers them (an administrator or the site's enterprise).
    site_code : str
        The mine's code.

    Returns
    -------
    list of str
        The codes registered now.
    """
    from aurum.services import safety

    site = registry.get_writable_site(session, actor, site_code)
    network = _latest_network(session, site)
    if network is None:
        raise _no_network(site_code)
    known = set(session.scalars(select(Sensor.code).where(Sensor.site_id == site.id)))
    made = []
    for p in network.document.get("working_places") or []:
        for q, unit in KINDS.items():
            code = f"{p['branch']}.{q}"
            if code not in known:
                safety.register_sensor(session, actor, safety.SensorSpec(
                    site_code, code, KIND_PREFIX + q, unit))
                made.append(code)
    return made


def simulated_readings(doc: Mapping[str, Any], flows: Mapping[str, float], start: pd.Timestamp,
                       hours: int, seed: int = 0) -> pd.DataFrame:
    """Hourly readings of a network's VOD sensors over shifts (``sensor``, ``time``, ``value``).

    Each working place works two shifts a day (people and diesels present, 06–14 and
    14–22 h) and stands idle overnight; CO and NO2 follow the diesel power present, diluted
    by the place's solved flow; the air warms with the heat of the work, and each place in
    the document's order is 0.4 °C warmer than the one before (the demo lists its places
    from the top level down).

    Parameters
    ----------
    doc : mapping
        The network document.
    flows : mapping of str to float
        Solved flows at rated speed, m³/s.
    start : pandas.Timestamp
        Time of the first reading (UTC).
    hours : int
        Hours of readings.
    seed : int
        Seed of the noise.
    """
    rng = np.random.default_rng(seed)
    times = start + pd.to_timedelta(np.arange(hours), unit="h")
    working = np.asarray((times.hour >= 6) & (times.hour < 22))
    frames = []
    for k, p in enumerate(doc.get("working_places") or []):
        branch = str(p["branch"])
        q = abs(float(flows.get(branch, 0.0))) or 1.0
        people = np.where(working, float(p.get("people", 0)), 0.0)
        diesel = np.where(working, float(p.get("diesel_kw", 0.0)), 0.0)
        # An exhaust-treated mine diesel gives of the order of 0.1 mL/s of CO and 0.01 mL/s
        # of NO2 per kW (a round figure for a simulation, not a measurement).
        co = diesel * 0.1e-6 / q * 1e6 + rng.normal(0.0, 0.3, hours).clip(0)
        no2 = diesel * 0.01e-6 / q * 1e6 + rng.normal(0.0, 0.03, hours).clip(0)
        values = {"airflow": q * (1 + rng.normal(0.0, 0.02, hours)), "co": co, "no2": no2,
                  "dry_bulb": 25.5 + 0.4 * k + 1.5 * working + rng.normal(0.0, 0.2, hours),
                  "rel_humidity": np.clip(85.0 + rng.normal(0.0, 2.0, hours), 0, 100),
                  "people": people, "diesel_kw": diesel}
        frames += [pd.DataFrame({"sensor": f"{branch}.{k}", "time": times, "value": v})
                   for k, v in values.items()]
    if not frames:
        return pd.DataFrame(columns=["sensor", "time", "value"])
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class VodSimulation:
    """A mine whose VOD sensors are simulated (``aurum sensors simulate --ventilation``), with
    the interface of :class:`aurum.services.safety.FacilitySimulation`.

    Parameters
    ----------
    facility : str
        What is played, as the command reports it (``<site>/ventilation``).
    site : str
        The mine's code.
    document : mapping
        Its latest network document.
    flows : mapping of str to float
        Its stored solution's flows, m³/s.
    first : datetime
        Time of the first reading, UTC (an hour after its latest stored VOD reading, or now).
    """

    facility: str
    site: str
    document: Mapping[str, Any]
    flows: Mapping[str, float]
    first: datetime

    def readings(self, start: datetime, days: int, seed: int, storm_day: float = 0.0,
                 rain_mm: float = 0.0) -> pd.DataFrame:
        """Hourly readings over ``days`` days from ``start`` (:func:`simulated_readings`);
        ``storm_day`` and ``rain_mm`` are the tailings simulation's and play no part."""
        return simulated_readings(self.document, self.flows, pd.Timestamp(start), 24 * days,
                                  seed)


def simulation(session: Session, site_code: str) -> VodSimulation:
    """The VOD sensors of a mine to simulate, registering those its network's working places
    lack (the platform process registers them, as the demo's live source needs them).

    Raises
    ------
    NotFoundError, ValidationError
        No such site, or one without a ventilation network.
    """
    site = registry.get_site(session, SYSTEM, site_code)
    network = _latest_network(session, site)
    if network is None:
        raise _no_network(site_code)
    register_sensors(session, SYSTEM, site_code)
    ids = [s.id for s in _sensors(session, site)]
    last = session.scalar(select(func.max(SensorReading.time))
                          .where(SensorReading.sensor_id.in_(ids)))
    first = (pd.Timestamp(utc_times([last])[0]) + pd.Timedelta(hours=1) if last is not None
             else pd.Timestamp.now(UTC).floor("h"))
    return VodSimulation(f"{site_code}/ventilation", site_code, network.document,
                         dict(network.solution.flows), first.to_pydatetime())
