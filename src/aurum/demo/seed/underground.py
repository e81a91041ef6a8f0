"""The deep showcase mines' stope plans (issue 20): on each showcase mine deeper than
:data:`DEEP_MINE_M` (the Jiaojia-, Sanshandao-style veins below 1,000 m), a stope plan on a
vein block model made for planning, their schedule with the fill cycle and the monthly
backfill balance, the backfill booked into the mine's waste ledger
(:func:`aurum.services.backfill.book_backfill`).

**The planning model.** The kriged models of the showcase mines (:mod:`.resources`) have
blocks 47–61 m wide, one block a stope: no plan anyone would recognise. Each deep mine gets a
second model, made from the vein its issue-19 drilling was generated from
(:func:`aurum.demo.veins.vein_model` of the mine's seed): regular blocks of
:data:`BLOCK_M` (5 m along strike × 2.5 m across × 5 m up) in the vein's strike frame (``x``
along the strike, ``y`` horizontal across it towards the dip, ``z`` up), :data:`LEVELS`
levels of 50 m over :data:`STRIKE_WINDOW_M` of strike about the ore shoot's centre. A block's
grade is the generating vein's: each of its :data:`SUBSAMPLES` × :data:`SUBSAMPLES` points
across and up (the vein dips through a block) takes the vein's mean grade where it falls in
the vein, the halo's or the wall rock's (:mod:`aurum.demo.veins`' zone grades) elsewhere, and
the block their mean (the barren lenses and the nugget are left out: a planning model is the
trend). The band is set at the mine's depth: its floor at ``−depth_m`` (the vein's geometry
kept, its elevation moved down). The model is stored as a resource model of the mine
(``method`` ``vein_model``, its parameters naming the seed, the attitude, the frame and the
depth), so its page and the plan's show where the values came from.

**The plan.** Vein shapes (walls following the dip slice by slice, each wall moving at most
the blocks the mean dip needs per 5 m slice), levels of 50 m (10 blocks, no sill pillar: the
level below is filled), stopes 10–50 m along strike and 2.5–15 m across per slice, a 5 m rib
pillar, a 1 m dilution skin on each wall (one whole 2.5 m block: the whole-block skin takes
more waste than the metre asked, on the safe side), mined bottom-up with cemented paste
backfill (as Sanshandao mines under the sea: each stope filled and cured before the one above
is opened), one month to fill and cure; the ore capacity a month of the mine's design
capacity (t/d × 30 d), the fill capacity the void that ore leaves.

The plans start the month after the last seeded statistical report (``2026-Q3``) and end
with the plan's last month (2027-12): the reports, and the national indicators calibrated on
them, stay as they were seeded; the ledger's later months carry the plan's backfill.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sqlalchemy import select

from aurum.core import i18n
from aurum.demo import veins
from aurum.demo.district import District
from aurum.demo.seed.resources import mine_seed, showcase_mines
from aurum.services import backfill, underground
from aurum.services import resources as resource_service
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Site

DEEP_MINE_M = 1000.0
"""Depth from which a showcase mine is planned underground, m."""
PLAN_START = "2026-10"
"""The plans' first month: the one after the last seeded report's quarter (2026-Q3)."""
BLOCK_M = (5.0, 2.5, 5.0)
"""The planning model's blocks: along the strike, across it, up, m."""
LEVEL_BLOCKS = 10
"""Blocks of a 50 m level."""
LEVELS = 2
"""Levels of the planning model (its band is 100 m high)."""
STRIKE_WINDOW_M = 300.0
"""Strike length of the planning model, m, about the ore shoot's centre."""
ACROSS_MARGIN_M = 15.0
"""Rock kept on each side of the vein across the strike, m: more than half the thickest
vein's horizontal width with its halo."""
SUBSAMPLES = 5
"""Points across and up a block at which its grade is taken (each way)."""
WALL_GPT, HALO_GPT = 0.02, 0.3
"""Grades of the wall rock and of the altered halo, g/t (:mod:`aurum.demo.veins`)."""
PLAN_FIELDS: dict[str, object] = {
    # A Jiaodong deep gold mine's economics at 2026 prices: 650 CNY/g, 92 per cent recovered,
    # 260 CNY/t to mine (sublevel stoping with backfill), 120 CNY/t to mill.
    "price_cny_g": 650.0, "recovery": 0.92, "mining_cost_cny_t": 260.0,
    "processing_cost_cny_t": 120.0, "strike_axis": "x",
    # Vein shapes on 5 × 2.5 × 5 m blocks: 10-50 m along strike, 2.5-15 m across, levels of
    # 50 m, a 5 m rib pillar, no sill pillar (bottom-up: the floor is the fill below), a 1 m
    # skin on each wall. The wall step is set per mine from its dip.
    "shape": "vein", "length_min": 2, "length_max": 10, "width_min": 1, "width_max": 6,
    "level_height": LEVEL_BLOCKS, "pillar": 1, "sill_pillar": 0, "skin_m": 1.0,
    "exact": False,
    # Fifteen months to the plan's end, the upper level developed three months after the
    # lower, one month to fill and cure, 8 per cent a year.
    "start_period": PLAN_START, "periods": 15, "cure_periods": 1, "direction": "bottom_up",
    "discount_rate": 0.08, "level_interval_periods": 3,
    # Cemented paste: 75 per cent solids by mass, 6 per cent binder, 2.0 t/m³ placed.
    "recipe": "cemented_paste", "solids_mass_fraction": 0.75, "binder_fraction": 0.06,
    "bulk_density_t_m3": 2.0}
DAYS_PER_MONTH = 30.0
"""Days of a month of the mine's design capacity."""
SCHEDULE_SECONDS = 0.1
"""Time each demo schedule's MIP is given, s (its gap is stored with the plan)."""


def deep_mines(platform: Platform, district: District) -> list[tuple[str, int]]:
    """The showcase mines deeper than :data:`DEEP_MINE_M`, each with its deposit's seed."""
    codes = showcase_mines(district)
    with platform.sessions() as s:
        deep = set(s.scalars(select(Site.code).where(Site.code.in_(codes),
                                                     Site.depth_m >= DEEP_MINE_M)))
    return [(c, mine_seed(n)) for n, c in enumerate(codes) if c in deep]


def vein_blocks(seed: int, depth_m: float) -> tuple[pd.DataFrame, dict[str, object]]:
    """The planning model of a seed's vein at a mine's depth (module docstring).

    Parameters
    ----------
    seed : int
        The deposit's seed (:func:`aurum.demo.seed.resources.mine_seed`).
    depth_m : float
        The mine's depth, m: the band's floor is at ``−depth_m``.

    Returns
    -------
    tuple
        The blocks (``x`` along the strike, ``y`` across, ``z`` up, m, block centres in
        GSLIB order; ``estimate``, g/t) and the model's parameters (``grid``,
        ``density_t_m3`` in t/m³, and the vein's seed, attitude and frame).
    """
    vein = veins.vein_model(seed)
    strike, dip = np.radians(vein.strike_deg), np.radians(vein.dip_deg)
    along = np.array([np.sin(strike), np.cos(strike), 0.0])
    across = np.array([np.cos(strike), -np.sin(strike), 0.0])  # horizontal, towards the dip
    pc, qc = (float(v) for v in vein.shoot[:2])
    start_p = min(max(pc - STRIKE_WINDOW_M / 2, 0.0), max(vein.length_m - STRIKE_WINDOW_M, 0.0))
    centre = vein.position(np.array([start_p]), np.array([qc]))[0]
    height = LEVELS * LEVEL_BLOCKS * BLOCK_M[2]
    # Over the band's height the vein's mean plane moves height / tan(dip) across.
    drift = 0.5 * height / math.tan(dip)
    size = np.array(BLOCK_M)
    extent = np.array([STRIKE_WINDOW_M, 2 * (drift + ACROSS_MARGIN_M), height])
    count = np.floor(extent / size + 1e-9).astype(int)
    count[1] = math.ceil(extent[1] / size[1])
    corner = np.array([0.0, -drift - ACROSS_MARGIN_M, -height / 2])  # about `centre`
    z, y, x = np.meshgrid(*(corner[a] + size[a] * (np.arange(count[a]) + 0.5)
                            for a in (2, 1, 0)), indexing="ij")
    up = np.array([0.0, 0.0, 1.0])
    points = (centre + np.multiply.outer(x.ravel(), along)
              + np.multiply.outer(y.ravel(), across) + np.multiply.outer(z.ravel(), up))
    p, q, w = vein.coordinates(points).T
    # The vein's thickness, centre and grade change over tens of metres: taken at the block's
    # centre; only the distance from the vein's middle (w, linear in position) per point.
    middle_w, half = vein.centre_m(p, q), 0.5 * vein.thickness_m(p, q)
    inside = vein.mean_grade_gpt(p, q)
    normal = vein.frame()[2]
    grade = np.zeros(p.shape)
    offsets = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES - 0.5
    for dy in offsets * size[1]:
        for dz in offsets * size[2]:
            off = np.abs(w + dy * (across @ normal) + dz * (up @ normal) - middle_w)
            grade += np.where(off <= half, inside,
                              np.where(off <= half + veins.HALO_M, HALO_GPT, WALL_GPT))
    grade = (grade / SUBSAMPLES**2).reshape(x.shape)
    middle = -depth_m + height / 2  # the band's middle, its floor at the mine's depth
    blocks = pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "z": middle + z.ravel(),
                           "estimate": grade.ravel()})
    origin = [float(corner[0] + size[0] / 2), float(corner[1] + size[1] / 2),
              float(middle + corner[2] + size[2] / 2)]
    parameters: dict[str, object] = {
        "grid": {"origin": origin, "size": [float(v) for v in size],
                 "count": [int(v) for v in count]},
        "density_t_m3": veins.DENSITY_T_M3,
        "vein": {"seed": seed, "strike_deg": vein.strike_deg, "dip_deg": vein.dip_deg,
                 "frame": "x along the strike, y across towards the dip, z up",
                 "strike_from_m": start_p, "depth_m": depth_m,
                 "vein_centre_xyz_m": [float(v) for v in centre],
                 "elevation_shift_m": float(middle - centre[2])}}
    return blocks, parameters


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """A planning model and a stope plan on each deep showcase mine, its backfill booked.

    Parameters
    ----------
    platform : Platform
        Database holding the district and its waste ledgers.
    admin : Actor
        The administrator who plans and books.
    district : District
        The generated district.
    """
    home = platform.settings.home
    with i18n.using(i18n.default_locale()):  # a stored reason: in the platform's language
        reason = i18n._("backfill of the stope plan from %(month)s", month=PLAN_START)
        name = i18n._("vein planning model (5 × 2.5 × 5 m blocks)")
    # One transaction: the ledgers' records are computed once, for every mine, when it
    # commits (aurum.services.processing.records).
    with transaction(platform.sessions, admin.user_id) as s:
        for code, seed in deep_mines(platform, district):
            site = s.scalars(select(Site).where(Site.code == code)).one()
            blocks, parameters = vein_blocks(seed, float(site.depth_m or DEEP_MINE_M))
            # Without a tonnes column the model carries no resource checks (it has no
            # samples); the plan gives each block its volume at the stated density.
            model = resource_service.save_model(s, admin, home, code, name, blocks,
                                                "vein_model", parameters, "0" * 64)
            # Each wall moves across what the mean dip needs over a 5 m slice.
            dip = math.radians(veins.vein_attitude(seed)[1])
            step = math.ceil(BLOCK_M[2] / math.tan(dip) / BLOCK_M[1] - 1e-9)
            ore_t = float(site.design_capacity_tpd or 0.0) * DAYS_PER_MONTH
            fields = PLAN_FIELDS | {"model_id": model.id, "max_wall_step": step,
                                    "ore_capacity_t": ore_t,
                                    "fill_capacity_m3": ore_t / veins.DENSITY_T_M3}
            plan = underground.plan_from_fields(s, admin, home, code, fields,
                                                time_limit_s=SCHEDULE_SECONDS)
            balance = underground.plan_frames(home, plan).balance
            backfill.book_backfill(s, admin, code, balance, reason)
