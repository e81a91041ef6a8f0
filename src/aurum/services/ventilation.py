"""A mine's ventilation network (issue 21), kept as versions, each solved when it is stored.

A version is the network document ``aurum vent solve`` reads (``nodes``, ``branches``), with
three optional sections only the service reads:

- ``climate``: the air entering at the surface (``surface_dry_bulb_c``,
  ``surface_wet_bulb_c`` °C, ``surface_pressure_pa`` Pa), the mean surface temperature the
  virgin rock temperature rises from (``surface_rock_c`` °C) by ``gradient_c_per_100m``
  (°C per 100 m, Jiaodong's by default), the surface elevation ``surface_z`` (m, the highest
  junction's by default), the wall's ``wetness`` (fraction of the rock heat that evaporates
  water) and ``age_days`` (days since the walls were exposed);
- ``routes``: the main routes, each ``{name, branches: [...]}`` in the direction of the air;
- ``working_places``: ``{branch, people, diesel_kw, area_m2, place}`` for the airflow the
  regulation requires (:func:`aurum.ventilation.airflow.required_airflow`), optionally with
  a ``name``.

A route's or a working place's ``name`` is data in English (as the organisations' are); an
optional ``name_zh`` gives it in Chinese. Both are stored with the solution and a page shows
the reader's language, the other when it lacks one (:func:`shown_name`). A junction's or a
branch's ``name`` is its id in the network; an optional ``label`` (English) and ``label_zh``
name it for people, and a working place's names name its branch: a page shows these names
through :class:`Names`, the id where there is none (and beside the name where an engineer
needs it).

A junction may give ``x`` and ``y`` (m) besides ``z`` for the 3D view; a branch ``length``,
``area`` and ``perimeter`` (m, m², m) besides its resistance, for the heat its walls give.

The climate along a route: the surface air falls down the intake (autocompression: the
energy balance adds g·Δz per kilogram), picks up the heat of the rock at each branch's depth
(virgin rock temperature from the gradient, Jaeger's cylinder at the wall's age,
:func:`aurum.ventilation.climate.rock_heat_kw`) and of the people and diesels of its working
places, step by step (:func:`aurum.ventilation.climate.along_airway`, steps of at most
:data:`STEP_M`); where the dry bulb passes the GB 16423-2020 limit the cooling load is the
refrigeration that brings the route's air back to it there.

Every read and write checks the scope here, as a stope plan's
(:func:`aurum.services.underground.mine_site`): a role outside
:data:`~aurum.services.underground.MINE_ROLES` (a recycler) is refused the area, a site the
actor may not read is "not found", one it reads but may not write is refused. Pages read
the stored solution; nothing is solved on a read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.checks import Interval
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.jsonsafe import finite
from aurum.services.auth import Actor
from aurum.services.underground import MINE_ROLES, mine_site
from aurum.store.models import Site, VentNetwork, VentSolution

MAX_REASON = 500
"""Longest reason stored with a version, characters."""
MAX_NAME = 200
"""Longest name of a route or a working place, characters (either language)."""
MAX_VERSIONS_LISTED = 200
"""Versions a mine's list shows, at most (the newest)."""
STEP_M = 100.0
"""Longest step of the climate along a route, m of airway: the rock heat is taken at each
step's inlet air, so a long shaft is walked in steps."""
MIN_FLOW_M3S = 0.01
"""Least flow (m³/s) a route's branch must carry for the air's state along it to mean
anything; a stagnant branch ends the route's profile."""
DEFAULT_CLIMATE = {"surface_dry_bulb_c": 28.0, "surface_wet_bulb_c": 23.0,
                   "surface_pressure_pa": 101_325.0, "surface_rock_c": 14.0,
                   "gradient_c_per_100m": None, "wetness": 0.2, "age_days": 3650.0}
"""The climate section's defaults: a Jiaodong summer day at a collar near sea level (°C,
Pa), a mean annual surface temperature of 14 °C, the district's gradient, a fifth of the rock
heat evaporating water, walls ten years old."""
DEFAULT_AREA_M2 = 16.0
DEFAULT_PERIMETER_M = 16.0
"""A 4 × 4 m airway (m², m), for branches that give no cross-section."""
CLIMATE_FIELDS = {"surface_dry_bulb_c": Interval(-40, 50, "°C"),
                  "surface_wet_bulb_c": Interval(-40, 50, "°C"),
                  "surface_pressure_pa": Interval(60_000, 110_000, "Pa"),
                  "surface_rock_c": Interval(-10, 40, "°C"),
                  "gradient_c_per_100m": Interval(0, 10, "°C/100 m"),
                  "surface_z": Interval(-2e4, 2e4, "m"),
                  "wetness": Interval(0, 1), "age_days": Interval(1, 1e5, "d")}


@dataclass(frozen=True)
class SiteView:
    """What a mine's ventilation page shows: the site, its versions (newest first), the
    latest with its solution, whether the actor may store a new one, the junctions' layout
    and the branches of the latest version (each with its ends, flow and kind)."""

    site: Site
    versions: list[VentNetwork]
    latest: VentNetwork | None
    solution: VentSolution | None
    can_write: bool
    nodes: list[dict[str, Any]]
    branches: list[dict[str, Any]]
    names: Names

    @staticmethod
    def shown(entry: Mapping[str, Any]) -> str | None:
        """A route's or a working place's name in the reader's language
        (:func:`shown_name`)."""
        return shown_name(entry)


def shown_name(entry: Mapping[str, Any], key: str = "name") -> str | None:
    """The ``<key>_zh`` of a stored route, working place, junction or branch for a reader of
    Chinese, else its ``<key>``; either when the other is missing (None when it has
    neither)."""
    zh, en = entry.get(f"{key}_zh"), entry.get(key)
    first, second = (zh, en) if i18n.is_chinese() else (en, zh)
    return str(first or second) if (first or second) else None


class Names(dict[str, str]):
    """Junction and branch ids to their names in the reader's language
    (:func:`network_names`); an id without a name stands for itself."""

    def __missing__(self, key: str) -> str:
        return key

    def with_id(self, key: str) -> str:
        """The name with the id in brackets, for an engineer (a hover, a table's cell); the
        id alone when it has no name."""
        name = self[key]
        return key if name == key else f"{name} ({key})"


def network_names(doc: Mapping[str, Any], kind: str = "branches") -> Names:
    """The names a stored network document gives its branches (``kind`` "branches") or its
    junctions ("nodes"; a junction and a branch may share an id), in the reader's language:
    a branch's own ``label``/``label_zh``, else its working place's ``name``/``name_zh``
    (module docstring)."""
    names = Names()
    if kind == "branches":
        for place in doc.get("working_places") or []:
            if isinstance(place, Mapping) and (shown := shown_name(place)):
                names[str(place.get("branch"))] = shown
    for entry in doc.get(kind) or []:
        if isinstance(entry, Mapping) and (shown := shown_name(entry, "label")):
            names[str(entry["name"])] = shown
    return names


def _names(entry: Mapping[str, Any], column: str, k: int, problems: list[Problem],
           key: str = "name") -> dict[str, str | None]:
    """An entry's optional ``<key>`` and ``<key>_zh`` (text of at most :data:`MAX_NAME`
    characters each), a problem for each that is not."""
    out: dict[str, str | None] = {}
    for field in (key, f"{key}_zh"):
        value = entry.get(field)
        if value is not None and (not isinstance(value, str | int) or isinstance(value, bool)
                                  or not 0 < len(str(value)) <= MAX_NAME):
            problems.append(Problem(i18n._("expected a name of 1 to %(n)s characters",
                                           n=MAX_NAME), row=k, column=f"{column}.{field}"))
            value = None
        out[field] = None if value is None else str(value)
    return out


def writable_site(session: Session, actor: Actor, site_code: str) -> Site:
    """The site if ``actor`` may store its network (else NotFoundError or
    PermissionDenied), before anything sent is read."""
    return mine_site(session, actor, site_code, write=True)


def save_network(session: Session, actor: Actor, site_code: str, doc: Any, reason: str
                 ) -> VentNetwork:
    """Store a network as the mine's next version, with its solution and climate profile.

    Parameters
    ----------
    session : Session
        Open session (the caller commits).
    actor : Actor
        Who stores it; must be able to write the site.
    site_code : str
        The mine's code.
    doc : mapping
        The network document (module docstring; flows m³/s, pressures Pa, resistances
        N s²/m⁸, elevations m, temperatures °C).
    reason : str
        Why this version (at most :data:`MAX_REASON` characters).

    Returns
    -------
    VentNetwork
        The stored version (``.solution`` its solution).

    Raises
    ------
    NotFoundError, PermissionDenied
        A site the actor may not read, or may not write.
    ValidationError
        Every problem of the document (by branch and field), or a network with no solution;
        nothing is stored.
    """
    from aurum.ventilation.network import Network, solve

    site = writable_site(session, actor, site_code)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError(Problem(i18n._("expected a reason of 1 to %(n)s characters",
                                             n=MAX_REASON), column="reason"))
    network = Network.from_mapping(doc, source="NETWORK.yaml")
    _labels(doc)
    climate = _climate_settings(doc)
    places = _working_places(doc, network)
    routes = _routes(doc, network)
    solution = solve(network, method="newton")
    depth = None if site.depth_m is None else float(site.depth_m)
    profile = climate_profile(network, solution.flows, doc, climate, routes, places, depth)
    for entry, given in zip(profile["routes"], doc.get("routes") or [], strict=True):
        entry["name_zh"] = _names(given, "routes", 0, [])["name_zh"]
    airflow = _airflow(places, solution.flows)
    version = (session.scalar(select(func.max(VentNetwork.version))
                              .where(VentNetwork.site_id == site.id)) or 0) + 1
    row = VentNetwork(site_id=site.id, version=version, document=finite(dict(doc)),
                      reason=reason, created_by=actor.user_id)
    session.add(row)
    session.flush()
    power = solution.fan_power_kw()
    fan_specs = {b["name"]: b["fan"] for b in doc["branches"] if "fan" in b}
    session.add(VentSolution(
        network_id=row.id, method=solution.method,
        flows=finite(solution.flows),
        pressures=finite({"drops": solution.pressure_drops, "nodes": solution.node_pressures,
                          "reversals": solution.reversals}),
        fans=finite({name: {"flow_m3s": q, "pressure_pa": p, "air_kw": power[name][0],
                            "shaft_kw": power[name][1], "curve": fan_specs.get(name, {}),
                            "warnings": solution.fan_warnings.get(name, [])}
                     for name, (q, p) in solution.fans.items()}),
        regulators=finite(solution.regulators),
        max_residual_pa=solution.max_residual_pa,
        max_node_imbalance_m3s=solution.max_node_imbalance_m3s,
        iterations=solution.iterations, climate=finite(profile), airflow=finite(airflow),
        code_version=__version__))
    session.flush()
    session.refresh(row)
    return row


def save_network_text(session: Session, actor: Actor, site_code: str, text: str | bytes,
                      reason: str, source: str = "NETWORK.yaml") -> VentNetwork:
    """Store a NETWORK.yaml's text as the mine's next version (:func:`save_network`).

    Parameters
    ----------
    session, actor, site_code, reason
        As :func:`save_network` takes them.
    text : str or bytes
        The YAML document (UTF-8).
    source : str
        The file's name, for the messages.

    Raises
    ------
    ValidationError
        Not a YAML document (the ``document`` field), or any problem :func:`save_network`
        finds; nothing is stored.
    """
    import yaml

    writable_site(session, actor, site_code)
    try:
        raw = text.decode("utf-8") if isinstance(text, bytes) else text
        doc = yaml.safe_load(raw)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem(i18n._("not a YAML file: %(error)s", error=str(
            exc).split("\n")[0]), column="document", source=source)) from exc
    return save_network(session, actor, site_code, doc, reason)


def _labels(doc: Mapping[str, Any]) -> None:
    """Refuse a junction's or a branch's ``label`` or ``label_zh`` that is not a name."""
    problems: list[Problem] = []
    for column in ("nodes", "branches"):
        for k, entry in enumerate(doc[column], start=1):
            if isinstance(entry, Mapping):
                _names(entry, column, k, problems, key="label")
    if problems:
        raise ValidationError(problems)


def _climate_settings(doc: Mapping[str, Any]) -> dict[str, Any]:
    given = doc.get("climate") or {}
    if not isinstance(given, Mapping):
        raise ValidationError(Problem(i18n._("climate: expected a mapping"), column="climate"))
    problems = []
    for name, value in given.items():
        bounds = CLIMATE_FIELDS.get(str(name))
        if bounds is None:
            problems.append(Problem(i18n._("unknown field, expected one of %(names)s",
                                           names=", ".join(CLIMATE_FIELDS)),
                                    column=f"climate.{name}"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not bounds.contains(value):
            problems.append(Problem(i18n._("expected %(what)s, got %(value)r",
                                           what=bounds.describe(), value=value),
                                    column=f"climate.{name}"))
    settings = DEFAULT_CLIMATE | dict(given)
    if not problems and settings["surface_wet_bulb_c"] > settings["surface_dry_bulb_c"]:
        problems.append(Problem(i18n._("the wet bulb cannot be above the dry bulb"),
                                column="climate.surface_wet_bulb_c"))
    if problems:
        raise ValidationError(problems)
    return settings


def _routes(doc: Mapping[str, Any], network: Any) -> list[tuple[str, list[str]]]:
    given = doc.get("routes") or []
    names = {b.name for b in network.branches}
    out, problems = [], []
    for k, route in enumerate(given if isinstance(given, list) else [None], start=1):
        if not isinstance(route, Mapping) or not isinstance(route.get("branches"), list) or \
                not route["branches"]:
            problems.append(Problem(i18n._("route %(k)s: expected {name, branches: [...]}",
                                           k=k), column="routes"))
            continue
        unknown = [str(b) for b in route["branches"] if b not in names]
        if unknown:
            problems.append(Problem(i18n._("route %(k)s: unknown branches %(names)s", k=k,
                                           names=", ".join(unknown)), column="routes"))
            continue
        _names(route, "routes", k, problems)
        out.append((str(route.get("name") or k), [str(b) for b in route["branches"]]))
    if out and not all(n in network.elevations for n in network.nodes):
        problems.append(Problem(i18n._("the climate along the routes needs every junction's "
                                       "elevation z"), column="z"))
    if problems:
        raise ValidationError(problems)
    return out


def _working_places(doc: Mapping[str, Any], network: Any) -> dict[str, dict[str, Any]]:
    from aurum.ventilation.airflow import required_airflow

    given = doc.get("working_places") or []
    names = {b.name for b in network.branches}
    out: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for k, place in enumerate(given if isinstance(given, list) else [None], start=1):
        if not isinstance(place, Mapping) or place.get("branch") not in names:
            problems.append(Problem(i18n._("working place %(k)s: expected the name of a "
                                           "branch of the network", k=k), row=k,
                                    column="working_places.branch"))
            continue
        try:
            need = required_airflow(int(place.get("people", 0)),
                                    float(place.get("diesel_kw", 0.0)),
                                    float(place.get("area_m2", DEFAULT_AREA_M2)),
                                    place=str(place.get("place", "drift")))
        except (TypeError, ValueError) as exc:
            problems.append(Problem(str(exc), row=k, column="working_places"))
            continue
        except ValidationError as exc:
            problems += [Problem(p.message, k, p.column, p.source) for p in exc.problems]
            continue
        out[str(place["branch"])] = {"need": need, "people": int(place.get("people", 0)),
                                     "diesel_kw": float(place.get("diesel_kw", 0.0)),
                                     **_names(place, "working_places", k, problems)}
    if problems:
        raise ValidationError(problems)
    return out


def _airflow(places: Mapping[str, Mapping[str, Any]], flows: Mapping[str, float]
             ) -> list[dict[str, Any]]:
    from aurum.ventilation.airflow import compare_airflow

    rows = compare_airflow({k: v["need"] for k, v in places.items()}, flows)
    return [{"place": r.place, "solved_m3s": r.solved_m3s, "required_m3s": r.required_m3s,
             "max_m3s": r.max_m3s, "shortfall_m3s": r.shortfall_m3s, "too_fast": r.too_fast,
             "governing": places[r.place]["need"].governing, "ok": r.ok,
             "name": places[r.place].get("name"), "name_zh": places[r.place].get("name_zh")}
            for r in rows]


def climate_profile(network: Any, flows: Mapping[str, float], doc: Mapping[str, Any],
                    settings: Mapping[str, Any], routes: list[tuple[str, list[str]]],
                    places: Mapping[str, Mapping[str, Any]], site_depth_m: float | None
                    ) -> dict[str, Any]:
    """The air along each main route, step by step (module docstring).

    Parameters
    ----------
    network : aurum.ventilation.network.Network
        The network (junction elevations z, m).
    flows : mapping of str to float
        Solved flow per branch, m³/s.
    doc : mapping
        The network document (branch ``length`` m, ``area`` m², ``perimeter`` m).
    settings : mapping
        The climate section with its defaults (°C, Pa, °C/100 m, days).
    routes : list of (str, list of str)
        Each main route's name and branches in the air's direction.
    places : mapping
        Working places by branch: ``people`` and ``diesel_kw`` (kW rated) add their heat.
    site_depth_m : float or None
        The mine's depth (m), for the virgin rock temperature at its bottom.

    Returns
    -------
    dict
        ``limit_c`` (°C), ``vrt_at_site_depth_c`` (°C), ``surface_z`` (m) and ``routes``:
        per route ``name`` and ``stations`` (``branch``, ``distance_m``, ``z`` m,
        ``depth_m``, ``dry_bulb_c``, ``wet_bulb_c``, ``adiabatic_dry_bulb_c`` (°C: the
        surface air compressed alone), ``pressure_pa``, ``vrt_c``, ``flow_m3s``,
        ``exceeded``, ``cooling_kw``), ``first_exceeded`` (the branch where the limit is
        first passed, or None) and ``cooling_kw`` (the largest load along it, kW).
    """
    from aurum.ventilation import climate
    from aurum.ventilation.airflow import load_limits

    limit = load_limits().max_dry_bulb_c
    gradient = settings["gradient_c_per_100m"] or climate.JIAODONG_GRADIENT_C_PER_100M
    z = network.elevations
    top = float(settings.get("surface_z", max(z.values(), default=0.0)))
    surface_rock = float(settings["surface_rock_c"])
    out: dict[str, Any] = {
        "limit_c": limit, "surface_z": top, "gradient_c_per_100m": gradient,
        "vrt_at_site_depth_c": None if site_depth_m is None else float(
            climate.virgin_rock_temperature(site_depth_m, surface_rock, gradient)),
        "routes": []}
    geometry = {b["name"]: b for b in doc["branches"]}
    ends = {b.name: (b.from_node, b.to_node) for b in network.branches}
    surface = climate.air_state(float(settings["surface_dry_bulb_c"]),
                                wet_bulb_c=float(settings["surface_wet_bulb_c"]),
                                pressure_pa=float(settings["surface_pressure_pa"]))
    for name, branches in routes:
        state, distance, stations = surface, 0.0, []
        first_node = ends[branches[0]][0 if flows[branches[0]] >= 0 else 1]
        start_z = z[first_node]
        for branch in branches:
            q = float(flows[branch])
            if abs(q) < MIN_FLOW_M3S:
                break
            a, b = ends[branch] if q >= 0 else ends[branch][::-1]
            spec = geometry[branch]
            fall = z[a] - z[b]
            length = float(spec.get("length", max(abs(fall), 1.0)))
            steps = max(1, math.ceil(length / STEP_M))
            area = float(spec.get("area", DEFAULT_AREA_M2))
            perimeter = float(spec.get("perimeter", DEFAULT_PERIMETER_M))
            place = places.get(branch)
            heat = 0.0 if place is None else (
                climate.people_heat_kw(place["people"])
                + (climate.diesel_heat_kw(place["diesel_kw"]) if place["diesel_kw"] else 0.0))
            # The rock's heat is linear in (VRT - t_air): Jaeger's integral once per branch.
            unit = climate.rock_heat_kw(
                virgin_rock_c=1.0, air_dry_bulb_c=0.0, length_m=length / steps, area_m2=area,
                perimeter_m=perimeter, age_days=float(spec.get("age_days",
                                                               settings["age_days"])))
            wet = float(settings["wetness"])
            for step in range(steps):
                mid_depth = top - (z[a] - fall * (step + 0.5) / steps)
                vrt = float(climate.virgin_rock_temperature(max(mid_depth, 0.0), surface_rock,
                                                            gradient))
                rock = unit * (vrt - state.dry_bulb_c)
                frame = climate.along_airway(state, abs(q), [climate.Segment(
                    length / steps, fall / steps, heat / steps + (1 - wet) * rock, wet * rock)])
                end = frame.iloc[-1]
                state = climate.air_state(float(end["dry_bulb_c"]),
                                          wet_bulb_c=float(end["wet_bulb_c"]),
                                          pressure_pa=float(end["pressure_pa"]))
                distance += length / steps
                here = z[a] - fall * (step + 1) / steps
                dry = climate.autocompression(surface, max(start_z - here, 0.0)).dry_bulb_c \
                    if here <= start_z else surface.dry_bulb_c
                stations.append({
                    "branch": branch, "distance_m": distance, "z": here, "depth_m": top - here,
                    "dry_bulb_c": state.dry_bulb_c, "wet_bulb_c": state.wet_bulb_c,
                    "adiabatic_dry_bulb_c": dry, "pressure_pa": state.pressure_pa,
                    "vrt_c": vrt, "flow_m3s": abs(q),
                    "exceeded": state.dry_bulb_c > limit,
                    "cooling_kw": climate.cooling_load_kw(state, abs(q), limit)})
        hot = [s for s in stations if s["exceeded"]]
        out["routes"].append({
            "name": name, "stations": stations,
            "first_exceeded": hot[0]["branch"] if hot else None,
            "cooling_kw": max((s["cooling_kw"] for s in stations), default=0.0)})
    return out


# --- reading ---------------------------------------------------------------------------------


def versions(session: Session, actor: Actor, site_code: str) -> list[VentNetwork]:
    """A mine's network versions, newest first (at most :data:`MAX_VERSIONS_LISTED`)."""
    site = mine_site(session, actor, site_code)
    return list(session.scalars(select(VentNetwork).where(VentNetwork.site_id == site.id)
                                .order_by(VentNetwork.version.desc())
                                .limit(MAX_VERSIONS_LISTED)))


def readable_network(session: Session, actor: Actor, network_id: int,
                     site_code: str | None = None) -> VentNetwork:
    """A stored version ``actor`` may read (of ``site_code`` when given).

    Raises
    ------
    PermissionDenied
        A role outside :data:`~aurum.services.underground.MINE_ROLES`, whatever the id.
    NotFoundError
        No such version, or one of a site the actor may not read (the same answer).
    """
    actor.require_role(*MINE_ROLES)
    if site_code is not None:
        mine_site(session, actor, site_code)
    row = session.get(VentNetwork, network_id)
    if row is None or not actor.can_read_site(row.site) or (
            site_code is not None and row.site.code != site_code):
        raise NotFoundError(i18n._("no ventilation network %(id)s", id=network_id))
    return row


def network_record(row: VentNetwork) -> dict[str, Any]:
    """A version's record as the API lists it (document and solution left out)."""
    solution = row.solution
    return {"id": row.id, "site": row.site.code, "version": row.version, "reason": row.reason,
            "branches": len(row.document.get("branches", [])),
            "nodes": len(row.document.get("nodes", [])),
            "method": solution.method, "iterations": solution.iterations,
            "max_residual_pa": solution.max_residual_pa,
            "code_version": solution.code_version, "created_at": row.created_at}


def network_detail(session: Session, actor: Actor, site_code: str, network_id: int
                   ) -> dict[str, Any]:
    """A version with its document and its stored solution, as the API gives it."""
    row = readable_network(session, actor, network_id, site_code)
    s = row.solution
    return network_record(row) | {
        "document": row.document,
        "solution": {"flows": s.flows, "pressures": s.pressures, "fans": s.fans,
                     "regulators": s.regulators, "max_node_imbalance_m3s":
                     s.max_node_imbalance_m3s, "climate": s.climate, "airflow": s.airflow}}


def _layout(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The schematic's junctions: ``y`` their elevation (m), ``x`` their order among the
    junctions at the same elevation (the document's order, centred on 0), or their own x when
    every junction gives one; ``x3``, ``y3``, ``z`` (m) for the 3D view when all give x, y, z;
    ``label`` its name with its id (:meth:`Names.with_id`)."""
    entries = [n if isinstance(n, Mapping) else {"name": n} for n in doc.get("nodes", [])]
    names = network_names(doc, "nodes")
    full = bool(entries) and all(all(k in n for k in ("x", "y", "z")) for n in entries)
    by_z: dict[float, list[str]] = {}
    for n in entries:
        by_z.setdefault(float(n.get("z", 0.0)), []).append(str(n["name"]))
    out = []
    for n in entries:
        same = by_z[float(n.get("z", 0.0))]
        out.append({"name": str(n["name"]), "x": same.index(str(n["name"]))
                    - (len(same) - 1) / 2, "y": float(n.get("z", 0.0)),
                    "x3": n.get("x") if full else None, "y3": n.get("y") if full else None,
                    "z": n.get("z"), "label": names.with_id(str(n["name"]))})
    return out


def site_view(session: Session, actor: Actor, site_code: str) -> SiteView:
    """What a mine's ventilation page shows (:class:`SiteView`), read from the store."""
    site = mine_site(session, actor, site_code)
    rows = versions(session, actor, site_code)
    latest = rows[0] if rows else None
    solution = latest.solution if latest is not None else None
    nodes: list[dict[str, Any]] = []
    branches: list[dict[str, Any]] = []
    names = Names()
    if latest is not None and solution is not None:
        names = network_names(latest.document)
        nodes = _layout(latest.document)
        fixed = set(solution.regulators)
        for b in latest.document["branches"]:
            name = b["name"]
            branches.append({"name": name, "from": b["from"], "to": b["to"],
                             "flow_m3s": solution.flows.get(name),
                             "drop_pa": solution.pressures["drops"].get(name),
                             "kind": "fan" if name in solution.fans else
                             "regulator" if name in fixed else "airway"})
    return SiteView(site, rows, latest, solution, actor.can_write_site(site), nodes, branches,
                    names)


def sites_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The mines the actor may read that have a ventilation network: ``code``, ``name``,
    ``province``, ``version``, ``branches``, ``created_at`` (the latest version's).

    Raises
    ------
    PermissionDenied
        A role outside :data:`~aurum.services.underground.MINE_ROLES`.
    """
    actor.require_role(*MINE_ROLES)
    latest = (select(VentNetwork.site_id, func.max(VentNetwork.version).label("v"))
              .group_by(VentNetwork.site_id).subquery())
    stmt = (select(Site, VentNetwork).join(VentNetwork, VentNetwork.site_id == Site.id)
            .join(latest, (latest.c.site_id == Site.id) & (latest.c.v == VentNetwork.version))
            .order_by(Site.code))
    rows = session.execute(actor.where_visible(stmt)).all()
    return pd.DataFrame([{"code": s.code, "name": s.name, "province": s.province,
                          "version": n.version, "branches": len(n.document["branches"]),
                          "created_at": n.created_at} for s, n in rows],
                        columns=["code", "name", "province", "version", "branches",
                                 "created_at"])
