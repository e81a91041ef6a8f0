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
from aurum.ventilation.examples import level_mine

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


NAMES = {"intake_station": "shaft_{lv}", "ramp_station": "ramp_{lv}", "place": "{place}_{lv}",
         "return_station": "raise_{lv}", "intake": "shaft_{lv}", "ramp": "ramp_{lv}",
         "ramp_crosscut": "xc_ramp_{lv}", "return": "raise_{lv}", "in": "drive_{lv}",
         "along": "stope_{lv}", "out": "return_{lv}"}
"""Junctions and airways by kind (:mod:`aurum.ventilation.examples`), ``lv`` a level's
depth (m): a level's two places are the drive's end (``drive_``) and the stope's
(``stope_``)."""
LABELS = {"main_fan": ("main fan", "主通风机"), "portal_entry": ("ramp portal", "斜坡道口"),
          "shaft": ("intake shaft to level {z} m", "主井（至 {z} 米中段）"),
          "ramp": ("ramp to level {z} m", "斜坡道（至 {z} 米中段）"),
          "xc_ramp": ("ramp crosscut, level {z} m", "{z} 米中段斜坡道联络巷"),
          "raise": ("return raise from level {z} m", "回风井（自 {z} 米中段）"),
          "drive": ("drive, level {z} m", "{z} 米中段运输巷"),
          "return": ("return crosscut, level {z} m", "{z} 米中段回风联络巷")}
"""The airways' names in English and Chinese by the prefix of their ids (:data:`NAMES`),
``z`` the level's elevation (m); a stope is named as its working place."""
PLACES = ("drive", "stope")
X_M = (0.0, DRIVE_M / 2, DRIVE_M, DRIVE_M + 100.0)
"""The x of a level's shaft station, drive end, stope end and raise, m."""
RAMP_XY_M = (-300.0, 50.0)
"""Where the ramp runs, beside the shaft, m."""


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
    falls = [(0.0 if n == 0 else levels[n - 1]) - z for n, z in enumerate(levels)]
    down = {"column_density": INTAKE_DENSITY}
    up = {"column_density": RETURN_DENSITY}

    def name(kind: str, level: int, place: int) -> str:
        return NAMES[kind].format(lv=-levels[level - 1], place=PLACES[place])

    def airway(kind: str, level: int, place: int) -> dict[str, Any] | None:
        fall = falls[level - 1] if level else 0.0
        deepest = level == len(levels)
        if kind == "portal_entry":  # the portal opens to the collar's atmosphere
            return {"resistance": 0.0001}
        if kind == "main_fan":
            return {"length": 50.0, **DRIVE, "fan": {"coefficients": MAIN_FAN,
                                                     "efficiency": 0.8}}
        if kind in ("leak", "raise"):
            return None
        given = {"intake": (fall, SHAFT, down), "ramp": (fall * RAMP_SLOPE, RAMP, down),
                 "ramp_crosscut": (300.0, DRIVE, {}), "return": (fall, RAISE, up),
                 "in": (DRIVE_M / 2, DRIVE, {}),
                 "along": (DRIVE_M / 2, CHAMBER if deepest else STOPE, {}),
                 "out": (100.0, DRIVE, {})}
        length, kind_of, extra = given[kind]
        out: dict[str, Any] = {"length": length, **kind_of, **extra}
        if kind == "in" and deepest:  # the deepest level's booster, for the drive's own loss
            out["fan"] = {"coefficients": BOOSTER, "efficiency": 0.7}
        if kind == "along" and level == 1:  # the top level, nearest the fan, is regulated
            out["fixed_flow"] = REGULATED_M3S
        return out

    network = level_mine(levels, len(PLACES), airway, name, X_M, RAMP_XY_M)
    for branch in network["branches"]:  # names are data in both languages, as the places'
        prefix, _sep, depth = branch["name"].rpartition("_")
        given = LABELS.get(prefix) or LABELS.get(branch["name"])
        if given is not None:
            branch |= {"label": given[0].format(z=f"-{depth}"),
                       "label_zh": given[1].format(z=f"-{depth}")}
    bottom = f"{-levels[-1]}"
    return {
        **network,
        "climate": {"surface_dry_bulb_c": 24.0, "surface_wet_bulb_c": 19.0,
                    "surface_pressure_pa": 101_325.0, "surface_rock_c": 14.0},
        # Names are data in both languages (the page shows the reader's).
        "routes": [
            {"name": "shaft to the deepest level", "name_zh": "主井至最深中段",
             "branches": [f"shaft_{-z}" for z in levels]
             + [f"drive_{bottom}", f"stope_{bottom}", f"return_{bottom}"]},
            {"name": "ramp to the deepest level", "name_zh": "斜坡道至最深中段",
             "branches": [f"ramp_{-z}" for z in levels]
             + [f"xc_ramp_{bottom}", f"drive_{bottom}", f"stope_{bottom}"]}],
        "working_places": [{"branch": f"stope_{-z}", "name": f"drift stope, level {z} m",
                            "name_zh": f"{z} 米中段进路采场", "people": 6, "diesel_kw": 150.0,
                            "area_m2": STOPE["area"], "place": "drift"} for z in levels[:-1]]
        + [{"branch": f"stope_{bottom}", "name": f"chamber stope, level {levels[-1]} m",
            "name_zh": f"{levels[-1]} 米中段房式采场", "people": 8, "diesel_kw": 300.0,
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
