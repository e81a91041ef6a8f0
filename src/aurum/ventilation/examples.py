"""Generated mine networks: levels off an intake and a return column, as network documents.

One shape serves the tests, the benchmark and the demo (as :mod:`aurum.processing.examples`
serves them a plant): a main fan at the top of the return column draws the air down the
intake column (a shaft, optionally a decline ramp beside it from a portal), along each
level from its intake station through ``places`` junctions (drives, stopes) to its return
station and up. Optional airways: leakage through each level's doors from the intake to the
return station, and raises joining each place to the same place of the level above (a
ladder: every level a mesh with the next).

:func:`level_mine` builds the topology, the names and the layout; the caller gives each
airway its properties (a resistance, or length, perimeter, area and friction factor; fans,
regulators, column densities) by a function, and leaves an airway out by giving it none.
:func:`ladder_name` names the junctions and airways as the tests and the benchmark do, and
:func:`ladder_mine` is their mine: a main fan, leakage, raises, a booster on the bottom
level's intake crosscut and a regulator on the top level's return crosscut.

Airway kinds, each with its level ``n`` (1 the top level) and place ``s`` (0-based):

* ``main_fan``: fanhouse → surface (n = 0);
* ``intake``: the intake station above (the surface for level 1) → this level's;
* ``return``: this level's return station → the one above (the fanhouse for level 1);
* ``ramp``: the ramp station above (the portal for level 1) → this level's, and
  ``ramp_crosscut``: the ramp station → the intake station; with ``portal_entry``
  (surface → portal, n = 0), present when ``airway("ramp", 1, 0)`` gives properties;
* ``leak``: intake station → return station;
* ``in``: intake station → place 0; ``along``: place s → s + 1; ``out``: the last place →
  the return station;
* ``raise``: place s → place s of the level above (n ≥ 2).

Junction kinds for :func:`ladder_name`: ``intake_station``, ``return_station``,
``ramp_station`` and ``place``; ``surface``, ``fanhouse`` and ``portal`` are named so.
Units: m, N s²/m⁸, Pa, m³/s, kg/m³.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Airway = Callable[[str, int, int], dict[str, Any] | None]
"""An airway's properties by kind, level and place (None: no such airway)."""
Namer = Callable[[str, int, int], str]
"""A junction's or an airway's name by kind, level and place."""

SURFACE, FANHOUSE, PORTAL = "surface", "fanhouse", "portal"
MAIN_FAN, PORTAL_ENTRY = "main_fan", "portal_entry"
_LADDER = {"intake_station": "dc{n}", "return_station": "rr{n}", "ramp_station": "ramp{n}",
           "place": "l{n}_{s}", "intake": "dc_{n}", "return": "rr_{n}", "ramp": "ramp_{n}",
           "ramp_crosscut": "xr{n}", "leak": "leak_{n}", "in": "x{n}_in",
           "along": "d{n}_{s}", "out": "x{n}_out", "raise": "raise{n}_{s}"}


def ladder_name(kind: str, level: int, place: int) -> str:
    """The names of the tests' and the benchmark's mines: ``dc3`` and ``rr3`` the stations
    of level 3, ``l3_0`` its first place; ``dc_3``, ``rr_3``, ``leak_3``, ``x3_in``,
    ``d3_0``, ``x3_out``, ``raise3_0`` its airways."""
    return _LADDER[kind].format(n=level, s=place)


def level_mine(elevations_m: Sequence[float], places: int, airway: Airway,
               name: Namer = ladder_name, x_m: Sequence[float] | None = None,
               ramp_xy_m: tuple[float, float] = (0.0, 0.0)) -> dict[str, Any]:
    """A mine's network document (module docstring): ``nodes`` and ``branches``.

    Parameters
    ----------
    elevations_m : sequence of float
        The levels' elevations, m, the top level first (level 1).
    places : int
        Junctions along each level between its stations (1 or more).
    airway : callable
        ``airway(kind, level, place)``: the airway's properties (any keys of a branch but
        its name and ends: ``resistance`` or ``length``, ``perimeter``, ``area``,
        ``friction_factor``; ``fan``, ``fixed_flow``, ``column_density``, ``nvp``), or None
        to leave it out.
    name : callable
        ``name(kind, level, place)`` of the junctions and airways (:func:`ladder_name`).
    x_m : sequence of float, optional
        The x of the intake station, of each place and of the return station (``places``
        + 2 values, m): junctions then carry x, y and z (the surface and the fanhouse above
        the stations, the portal and the ramp at ``ramp_xy_m``); without it, z only.
    ramp_xy_m : tuple of float
        The ramp's x and y, m.

    Returns
    -------
    dict
        ``{"nodes": [...], "branches": [...]}`` as :meth:`aurum.ventilation.network.
        Network.from_mapping` reads it.

    Raises
    ------
    ValueError
        No levels, no place, or ``x_m`` of the wrong length.
    """
    if not elevations_m or places < 1:
        raise ValueError("a level mine needs at least one level and one place")
    if x_m is not None and len(x_m) != places + 2:
        raise ValueError(f"x_m: expected {places + 2} values (stations and places)")
    ramp = airway("ramp", 1, 0) is not None

    def node(label: str, z: float, x: float, y: float = 0.0) -> dict[str, Any]:
        return {"name": label, "z": float(z)} | (
            {"x": float(x), "y": float(y)} if x_m is not None else {})

    def branch(kind: str, level: int, place: int, start: str, end: str,
               label: str | None = None) -> None:
        given = airway(kind, level, place)
        if given is not None:
            branches.append({"name": label or name(kind, level, place), "from": start,
                             "to": end, **given})

    xs = list(x_m) if x_m is not None else [0.0] * (places + 2)
    nodes = [node(SURFACE, 0.0, xs[0]), node(FANHOUSE, 0.0, xs[-1])]
    branches: list[dict[str, Any]] = []
    branch(MAIN_FAN, 0, 0, FANHOUSE, SURFACE, MAIN_FAN)
    if ramp:
        nodes.append(node(PORTAL, 0.0, ramp_xy_m[0]))
        branch(PORTAL_ENTRY, 0, 0, SURFACE, PORTAL, PORTAL_ENTRY)
    intake_above, return_above, ramp_above = SURFACE, FANHOUSE, PORTAL
    for n, z in enumerate(elevations_m, start=1):
        intake, back = name("intake_station", n, 0), name("return_station", n, 0)
        spots = [name("place", n, s) for s in range(places)]
        nodes.append(node(intake, z, xs[0]))
        if ramp:
            nodes.append(node(name("ramp_station", n, 0), z, *ramp_xy_m))
        nodes += [node(spot, z, xs[1 + s]) for s, spot in enumerate(spots)]
        nodes.append(node(back, z, xs[-1]))
        branch("intake", n, 0, intake_above, intake)
        branch("return", n, 0, back, return_above)
        if ramp:
            station = name("ramp_station", n, 0)
            branch("ramp", n, 0, ramp_above, station)
            branch("ramp_crosscut", n, 0, station, intake)
            ramp_above = station
        branch("leak", n, 0, intake, back)
        branch("in", n, 0, intake, spots[0])
        for s in range(places - 1):
            branch("along", n, s, spots[s], spots[s + 1])
        branch("out", n, 0, spots[-1], back)
        if n > 1:
            for s in range(places):
                branch("raise", n, s, spots[s], name("place", n - 1, s))
        intake_above, return_above = intake, back
    return {"nodes": nodes, "branches": branches}


def ladder_mine(levels: int, stopes: int, level_m: float, airways: Mapping[str, dict[str, Any]],
                drive: Callable[[int], float], raise_: Callable[[int], float],
                booster: Mapping[str, Any], regulated_m3s: float) -> dict[str, Any]:
    """The tests' and the benchmark's mine (:func:`level_mine` with :func:`ladder_name`).

    Parameters
    ----------
    levels, stopes : int
        Levels, and stopes (places) along each level.
    level_m : float
        Height between levels, m (level n at −n · ``level_m``).
    airways : mapping of str to dict
        The properties of the ``main_fan``, ``intake``, ``return``, ``leak``, ``in`` and
        ``out`` airways of every level (a kind missing: no such airway).
    drive, raise_ : callable
        The resistance (N s²/m⁸) of the drive from stope s to s + 1, and of the raise from
        stope s to the level above, by s (called level by level, the drives first).
    booster : mapping
        The fan on the bottom level's ``in`` airway.
    regulated_m3s : float
        The flow the top level's ``out`` airway is held to, m³/s.
    """
    def airway(kind: str, level: int, place: int) -> dict[str, Any] | None:
        if kind == "along":
            return {"resistance": drive(place)}
        if kind == "raise":
            return {"resistance": raise_(place)}
        given = airways.get(kind)
        if given is None:
            return None
        if kind == "in" and level == levels:
            return given | {"fan": dict(booster)}
        if kind == "out" and level == 1:
            return given | {"fixed_flow": regulated_m3s}
        return given

    return level_mine([-level_m * n for n in range(1, levels + 1)], stopes, airway)
