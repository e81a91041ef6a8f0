"""A consolidation study of the demo province with the most small mines (issue 23), stored
and solved through the service at seed time.

Every mine of the province (lon/lat projected onto a local plane, km) with its design
capacity; its grade from a fixed spread (2–6 g/t by the mine's code). The existing plants:
each mine's own mill — a mine of ≥ 500 t/d a modern one with 50 % spare capacity (fixed
2,000 CNY/d + 3 CNY/d per t/d of capacity, 60 CNY/t, recovery 92 %), a small mine an old mill
of its own size (3,000 CNY/d, 120 CNY/t, 80 %: below the plan's 500 t/d floor, backward
capacity). The candidate central mill sits at the ore-weighted centroid of the small mines,
sized to their ore (≥ the floor; 30,000 CNY/d, 55 CNY/t, 93 %). Haulage 1.5 CNY/t·km, road
factor 1.4, regional-mine radius 80 km, gold at 600 CNY/g. Closing the backward mills sends
the small mines to the large mines' mills and the central mill, where they form regional
mines: the province's ≥ 500 t/d share rises.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Any

from aurum.core import i18n
from aurum.demo.district import District
from aurum.industry.registry import PROVINCE_NAMES_ZH
from aurum.industry.targets import load_targets
from aurum.services import structure
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.structure.consolidation import Mine
from aurum.structure.scenarios import central_mill_site

KM_PER_DEGREE = 111.32
"""Length of a degree of latitude (and of longitude at the equator), km."""
OWN_MILL, CENTRAL_MILL = "选厂", "区域中心选厂"
"""The plants' names as the study shows them (a mine's own mill after its code)."""


def study_inputs(district: District) -> tuple[str, dict[str, Any]]:
    """The province with the most mines below the large-mine threshold and its study's
    inputs (module docstring)."""
    threshold = load_targets().large_mine_capacity_t_per_day
    mines = [s for s in district.sites if s.kind == "mine" and s.lon is not None
             and s.lat is not None and (s.design_capacity_tpd or 0) > 0]
    small = Counter(s.province for s in mines if (s.design_capacity_tpd or 0) < threshold)
    province = small.most_common(1)[0][0]
    here = [s for s in mines if s.province == province]
    lon0 = sum(float(s.lon or 0) for s in here) / len(here)
    lat0 = sum(float(s.lat or 0) for s in here) / len(here)
    scale = KM_PER_DEGREE * math.cos(math.radians(lat0))
    rows: list[dict[str, Any]] = []
    plants: list[dict[str, Any]] = []
    region: list[Mine] = []
    for s in here:
        ore = float(s.design_capacity_tpd or 0)
        x, y = (float(s.lon or 0) - lon0) * scale, (float(s.lat or 0) - lat0) * KM_PER_DEGREE
        grade = 2.0 + (zlib.crc32(s.code.encode()) % 41) / 10
        region.append(Mine(s.code, x, y, ore))
        rows.append({"id": s.code, "site": s.code, "x_km": x, "y_km": y, "ore_tpd": ore,
                     "grade_g_per_t": grade, "lon": s.lon, "lat": s.lat})
        large = ore >= threshold
        capacity = math.ceil(ore * 1.5) if large else ore
        plants.append({"id": f"{s.code} {OWN_MILL}", "x_km": x, "y_km": y, "capacity_tpd": capacity,
                       "fixed_cny_per_day": 2000 + 3 * capacity if large else 3000.0,
                       "processing_cny_per_t": 60.0 if large else 120.0, "existing": True,
                       "recovery": 0.92 if large else 0.80, "kind": "processing_plant",
                       "lon": s.lon, "lat": s.lat})
    small_ore = sum(m.ore_tpd for m in region if m.ore_tpd < threshold)
    cx, cy = central_mill_site(region, threshold)
    mill = {"id": CENTRAL_MILL, "x_km": cx, "y_km": cy,
            "capacity_tpd": max(threshold, math.ceil(small_ore / 100) * 100),
            "fixed_cny_per_day": 30000.0, "processing_cny_per_t": 55.0, "existing": False,
            "recovery": 0.93, "kind": "processing_plant", "lon": lon0 + cx / scale,
            "lat": lat0 + cy / KM_PER_DEGREE}
    return province, {"mines": rows, "plants": plants, "central_mill": mill,
                      "transport_cny_per_tkm": 1.5, "road_factor": 1.4, "radius_km": 80.0,
                      "gold_price_cny_per_g": 600.0}


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Store and solve the demo province's consolidation study.

    Parameters
    ----------
    platform : Platform
        Database holding the district.
    admin : Actor
        The administrator who stores it.
    district : District
        The generated district.
    """
    province, inputs = study_inputs(district)
    with i18n.using(i18n.default_locale()):  # a stored name: in the platform's language
        # the province too (its stored key is English): a Chinese name with "Shandong" in it
        where = PROVINCE_NAMES_ZH.get(province, province) if i18n.is_chinese() else province
        name = i18n._("Regional consolidation of %(province)s's small mines",
                      province=where)
    with transaction(platform.sessions, admin.user_id) as s:
        structure.create_study(s, admin, province, name, inputs)
