"""The deep showcase mines' stope plans (issue 20): on each showcase mine deeper than
:data:`DEEP_MINE_M` (the Jiaojia-, Sanshandao-style veins below 1,000 m), stopes on its latest
kriged model, their schedule with the fill cycle and the monthly backfill balance, the
backfill booked into the mine's waste ledger (:func:`aurum.services.backfill.book_backfill`).

The plans start the month after the last seeded statistical report (``2026-Q3``) and end
with the plan's last month (2027-12): the reports, and the national indicators calibrated on
them, stay as they were seeded; the ledger's later months carry the plan's backfill.
"""

from __future__ import annotations

from sqlalchemy import select

from aurum.core import i18n
from aurum.demo.district import District
from aurum.demo.seed.resources import showcase_mines
from aurum.services import backfill, underground
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import ResourceModel, Site

DEEP_MINE_M = 1000.0
"""Depth from which a showcase mine is planned underground, m."""
PLAN_START = "2026-10"
"""The plans' first month: the one after the last seeded report's quarter (2026-Q3)."""
DILUTION = 0.1
"""Waste broken with the walls of a stope, t per t of ore."""
PLAN_FIELDS: dict[str, object] = {
    # A Jiaodong deep gold mine's economics at 2026 prices: 650 CNY/g, 92 per cent recovered,
    # 260 CNY/t to mine (sublevel stoping with backfill), 120 CNY/t to mill, 10 per cent
    # dilution from the walls.
    "price_cny_g": 650.0, "recovery": 0.92, "mining_cost_cny_t": 260.0,
    "processing_cost_cny_t": 120.0, "skin_m": 0.0, "strike_axis": "x",
    # The demo's kriged models have blocks of 47-61 m by 24-30 m high (20 × 20 × 30 blocks
    # over a licence): a stope is one block, a level one block high; no rib pillar, as in
    # sublevel stoping with cemented fill, whose primary and secondary stopes wait for their
    # neighbours' fill to cure instead. The fast method with its bound.
    "length_min": 1, "length_max": 1, "width_min": 1, "width_max": 1, "level_height": 1,
    "pillar": 0, "sill_pillar": 0, "exact": False,
    # Fifteen months to the plan's end, a level developed every month from the bottom, one
    # month of cure between neighbours, 8 per cent a year; capacities per month in stopes
    # (:data:`STOPES_PER_MONTH`), set per mine from its blocks.
    "start_period": PLAN_START, "periods": 15, "cure_periods": 1, "direction": "bottom_up",
    "discount_rate": 0.08, "level_interval_periods": 1,
    # Cemented paste: 75 per cent solids by mass, 6 per cent binder, 2.0 t/m³ placed.
    "recipe": "cemented_paste", "solids_mass_fraction": 0.75, "binder_fraction": 0.06,
    "bulk_density_t_m3": 2.0}
STOPES_PER_MONTH = 2.5
"""Stopes (blocks) a deep demo mine mines and fills in a month, at most: its ore and fill
capacities are this many blocks' tonnes and voids, with the plan's dilution."""
SCHEDULE_SECONDS = 0.1
"""Time each demo schedule's MIP is given, s (its gap is stored with the plan)."""


def deep_mines(platform: Platform, district: District) -> list[str]:
    """The showcase mines deeper than :data:`DEEP_MINE_M` that carry a block model."""
    codes = showcase_mines(district)
    with platform.sessions() as s:
        deep = set(s.scalars(select(Site.code).where(Site.code.in_(codes),
                                                     Site.depth_m >= DEEP_MINE_M)))
        with_model = set(s.scalars(select(Site.code).join(
            ResourceModel, ResourceModel.site_id == Site.id).where(Site.code.in_(codes))))
    return [c for c in codes if c in deep and c in with_model]


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """A stope plan on each deep showcase mine's latest model, its backfill booked.

    Parameters
    ----------
    platform : Platform
        Database holding the district, its models and its waste ledgers.
    admin : Actor
        The administrator who plans and books.
    district : District
        The generated district.
    """
    home = platform.settings.home
    with i18n.using(i18n.default_locale()):  # a stored reason: in the platform's language
        reason = i18n._("backfill of the stope plan from %(month)s", month=PLAN_START)
    # One transaction: the ledgers' records are computed once, for every mine, when it
    # commits (aurum.services.processing.records).
    with transaction(platform.sessions, admin.user_id) as s:
        for code in deep_mines(platform, district):
            model = s.scalars(select(ResourceModel).join(Site).where(
                Site.code == code).order_by(ResourceModel.id.desc()).limit(1)).one()
            size = model.parameters["grid"]["size"]
            void = STOPES_PER_MONTH * size[0] * size[1] * size[2] * (1.0 + DILUTION)
            capacity = {"model_id": model.id, "fill_capacity_m3": void,
                        "ore_capacity_t": void * float(model.parameters["density_t_m3"])}
            plan = underground.plan_from_fields(s, admin, home, code, PLAN_FIELDS | capacity,
                                                time_limit_s=SCHEDULE_SECONDS)
            balance = underground.plan_frames(home, plan).balance
            backfill.book_backfill(s, admin, code, balance, reason)
