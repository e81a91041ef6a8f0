"""The deepest showcase mine's ventilation network (issue 21), stored through the service.

A Sanshandao-style deep mine ventilated by exhaust: fresh air goes down the intake shaft to
:data:`LEVELS` working levels :data:`LEVEL_M` apart at the bottom of the mine (the deepest at
the site's depth), and down a decline ramp from a surface portal in parallel; on each level
it crosses a drive, a working place (a drift stope) and a crosscut to the return raise, up
which the main fan at the surface draws it. A booster fan helps the deepest level's drive; a
regulator holds the top level's working place, nearest the fan, to its share. Natural
ventilation comes from the columns' weights: the intake air (cool, dense) down the shaft and
the ramp against the return air (warm, lighter) up the raise (``column_density`` on every
branch with a fall, junctions with their elevations).

Resistances are Atkinson's (``R = k L per / A³``) with McPherson's friction factors for the
airway's kind (ch. 5, table 5.1: a smooth concrete-lined shaft 0.004, a rock drive
0.012–0.014 kg/m³), so that the document gives each branch its length, perimeter and area
as the service's climate needs them. The layout puts each level's junctions along ``x`` (the
drive's length) and the ramp to one side, in metres, so the page draws the network in 3D.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aurum.core import i18n
from aurum.demo.district import District
from aurum.demo.seed.resources import showcase_mines
from aurum.demo.seed.underground import DEEP_MINE_M
from aurum.services import ventilation
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Site

LEVELS = 6
"""Working levels at the bottom of the mine."""
LEVEL_M = 100.0
"""Height between two levels, m."""
DRIVE_M = 600.0
"""Length of a level's drive from the shaft station to its working place, m."""
INTAKE_DENSITY = 1.24
RETURN_DENSITY = 1.18
"""Mean densities of the intake and return air columns, kg/m³ (about 20 and 32 °C near the
mine's mean pressure): their difference drives the natural ventilation."""
SHAFT = {"friction_factor": 0.004, "area": 38.5, "perimeter": 22.0}
"""A 7 m concrete-lined intake shaft (m², m, kg/m³)."""
RAISE = {"friction_factor": 0.008, "area": 28.3, "perimeter": 18.8}
"""A 6 m bored return raise."""
DRIVE = {"friction_factor": 0.012, "area": 16.0, "perimeter": 16.0}
"""A 4 × 4 m rock drive or crosscut."""
STOPE = {"friction_factor": 0.02, "area": 20.0, "perimeter": 18.0}
"""A 5 × 4 m drift stope, rougher than a drive (muck, services)."""
CHAMBER = {"friction_factor": 0.02, "area": 30.0, "perimeter": 22.0}
"""The deepest level's 6 × 5 m chamber stope: the whole column's natural ventilation drives
the most air through the deepest level, which a drift stope could not take below its highest
velocity."""
RAMP = {"friction_factor": 0.012, "area": 20.0, "perimeter": 18.0}
"""A 5 × 4 m decline ramp at 1 in 7."""
RAMP_SLOPE = 7.0
"""Ramp length per metre of fall."""
MAIN_FAN = [2600.0, 0.0, -0.02]
"""The main fan's curve: p = c0 + c1 Q + c2 Q² Pa (Q m³/s): 2.6 kPa shut, about 360 m³/s
free delivery."""
BOOSTER = [600.0, 0.0, -0.05]
"""The deepest level's booster fan (Pa, m³/s)."""
REGULATED_M3S = 20.0
"""Flow the top level's regulator holds its working place to, m³/s."""


def _branch(name: str, frm: str, to: str, length: float, kind: dict[str, float],
            **extra: Any) -> dict[str, Any]:
    return {"name": name, "from": frm, "to": to, "length": length, **kind, **extra}


def deep_mine_network(depth_m: float) -> dict[str, Any]:
    """The network document of a mine ``depth_m`` deep (module docstring).

    Parameters
    ----------
    depth_m : float
        Depth of the mine's deepest level below the collar, m.

    Returns
    -------
    dict
        The document :func:`aurum.services.ventilation.save_network` stores.
    """
    levels = [round(-depth_m + k * LEVEL_M) for k in range(LEVELS)][::-1]  # top first
    nodes: list[dict[str, Any]] = [{"name": "surface", "x": 0.0, "y": 0.0, "z": 0.0},
                                   {"name": "portal", "x": -300.0, "y": 0.0, "z": 0.0},
                                   {"name": "fanhouse", "x": DRIVE_M + 100.0, "y": 0.0,
                                    "z": 0.0}]
    # The portal opens to the same atmosphere as the shaft collar (its entry shock loss).
    branches: list[dict[str, Any]] = [{"name": "portal_entry", "from": "surface",
                                       "to": "portal", "resistance": 0.0001}]
    down = {"column_density": INTAKE_DENSITY}
    up = {"column_density": RETURN_DENSITY}
    above, ramp_above, raise_above = "surface", "portal", "fanhouse"
    z_above = 0.0
    for n, z in enumerate(levels):
        lv = f"{-z}"
        station, ramp, work, back, raise_ = (f"shaft_{lv}", f"ramp_{lv}", f"drive_{lv}",
                                            f"stope_{lv}", f"raise_{lv}")
        nodes += [{"name": station, "x": 0.0, "y": 0.0, "z": float(z)},
                  {"name": ramp, "x": -300.0, "y": 50.0, "z": float(z)},
                  {"name": work, "x": DRIVE_M / 2, "y": 0.0, "z": float(z)},
                  {"name": back, "x": DRIVE_M, "y": 0.0, "z": float(z)},
                  {"name": raise_, "x": DRIVE_M + 100.0, "y": 0.0, "z": float(z)}]
        fall = z_above - z
        branches += [
            _branch(f"shaft_{lv}", above, station, fall, SHAFT, **down),
            _branch(f"ramp_{lv}", ramp_above, ramp, fall * RAMP_SLOPE, RAMP, **down),
            _branch(f"xc_ramp_{lv}", ramp, station, 300.0, DRIVE),
            _branch(f"raise_{lv}", raise_, raise_above, fall, RAISE, **up)]
        drive = _branch(f"drive_{lv}", station, work, DRIVE_M / 2, DRIVE)
        if n == len(levels) - 1:  # the deepest level's booster, for the drive's own loss
            drive["fan"] = {"coefficients": BOOSTER, "efficiency": 0.7}
        deepest = n == len(levels) - 1
        stope = _branch(f"stope_{lv}", work, back, DRIVE_M / 2, CHAMBER if deepest else STOPE)
        if n == 0:  # the top level, nearest the fan, is regulated
            stope["fixed_flow"] = REGULATED_M3S
        branches += [drive, stope, _branch(f"return_{lv}", back, raise_, 100.0, DRIVE)]
        above, ramp_above, raise_above, z_above = station, ramp, raise_, float(z)
    branches.append(_branch("main_fan", "fanhouse", "surface", 50.0, DRIVE,
                            fan={"coefficients": MAIN_FAN, "efficiency": 0.8}))
    bottom = f"{-levels[-1]}"
    return {
        "nodes": nodes, "branches": branches,
        "climate": {"surface_dry_bulb_c": 24.0, "surface_wet_bulb_c": 19.0,
                    "surface_pressure_pa": 101_325.0, "surface_rock_c": 14.0},
        "routes": [
            {"name": "shaft to the deepest level",
             "branches": [f"shaft_{-z}" for z in levels]
             + [f"drive_{bottom}", f"stope_{bottom}", f"return_{bottom}"]},
            {"name": "ramp to the deepest level",
             "branches": [f"ramp_{-z}" for z in levels]
             + [f"xc_ramp_{bottom}", f"drive_{bottom}", f"stope_{bottom}"]}],
        "working_places": [{"branch": f"stope_{-z}", "people": 6, "diesel_kw": 150.0,
                            "area_m2": STOPE["area"], "place": "drift"} for z in levels[:-1]]
        + [{"branch": f"stope_{bottom}", "people": 8, "diesel_kw": 300.0,
            "area_m2": CHAMBER["area"], "place": "chamber_stope"}]}


def deepest_mine(platform: Platform, district: District) -> str | None:
    """The code of the deepest showcase mine below :data:`DEEP_MINE_M`, or None."""
    codes = showcase_mines(district)
    with platform.sessions() as s:
        return s.scalar(select(Site.code).where(Site.code.in_(codes),
                                                Site.depth_m >= DEEP_MINE_M)
                        .order_by(Site.depth_m.desc(), Site.code))


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Store the deepest showcase mine's ventilation network through the service.

    Parameters
    ----------
    platform : Platform
        Database holding the district.
    admin : Actor
        The administrator who stores it.
    district : District
        The generated district.
    """
    code = deepest_mine(platform, district)
    if code is None:
        return
    with i18n.using(i18n.default_locale()):  # a stored reason: in the platform's language
        reason = i18n._("the mine's ventilation network as designed")
    with transaction(platform.sessions, admin.user_id) as s:
        site = s.scalars(select(Site).where(Site.code == code)).one()
        ventilation.save_network(s, admin, code, deep_mine_network(float(site.depth_m or
                                                                         DEEP_MINE_M)), reason)
