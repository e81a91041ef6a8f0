"""Demo data of processing plants: every demo site's monthly metal accounts and waste ledger,
consistent with its quarterly statistical reports, every month closed but the last, and the
showcase CIL plant's circuit surveyed month by month (one survey with a planted gross error).

Everything goes through :mod:`aurum.services.processing`, as a plant's own records would. One
ledger line of the showcase plant is corrected after its quarter was reported (a weighbridge
recount), so the plant's page shows a report that differs from its records and the carry
into the report that closes the gap.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy.orm import Session

from aurum.demo.district import District
from aurum.demo.plants import (
    monthly_circuit_surveys,
    monthly_metal_accounts,
    monthly_waste_ledger,
    showcase_plant,
)
from aurum.processing.waste import ROUTE_COLUMNS
from aurum.services import processing
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction

CORRECTION_REASON = "weighbridge recount of the backfill plant's tailings intake"


def seed_demo(platform: Platform, admin: Actor, district: District, seed_value: int,
              progress: Callable[[int, int], None] | None = None) -> str:
    """Write the plants' records of the demo district.

    Parameters
    ----------
    platform : Platform
        Database holding the district's registry.
    admin : Actor
        The administrator who writes them.
    district : District
        The generated district (its reports are in the store already).
    seed_value : int
        Seed of the monthly splits and the survey errors.
    progress : callable, optional
        Called with (sites closed, sites in all).

    Returns
    -------
    str
        Code of the showcase plant.
    """
    accounts = monthly_metal_accounts(district, seed_value)
    ledger = monthly_waste_ledger(district, seed_value)
    showcase = showcase_plant(district)
    # One transaction: the plants' records shown by their pages are computed once, for all of
    # them, when it commits (aurum.services.processing.records).
    with transaction(platform.sessions, admin.user_id) as s:
        processing.record_accounts(s, admin, accounts, source="demo-metal-accounts.csv")
        processing.record_waste(s, admin, ledger.drop(columns=["enterprise"]),
                                source="demo-waste-ledger.csv")
        sites = sorted(accounts["site"].unique())
        for done, code in enumerate(sites, 1):
            months = sorted(accounts.loc[accounts["site"] == code, "period"])
            processing.close_months(s, admin, code, months[:-1])
            if progress is not None:
                progress(done, len(sites))
    surveys = monthly_circuit_surveys(district, showcase, seed_value)
    with transaction(platform.sessions, admin.user_id) as s:
        for month in sorted(surveys):
            processing.save_circuit(s, admin, showcase, "CIL", surveys[month], period=month,
                                    note=f"monthly survey {month}")
        _recount(s, admin, ledger, showcase)
    return showcase


def _recount(session: Session, admin: Actor, ledger: pd.DataFrame, site: str) -> None:
    """Correct the showcase plant's last tailings line: more went to backfill than booked."""
    lines = ledger[(ledger["plant"] == site) & (ledger["waste_type"] == "tailings")]
    last = lines.sort_values("period").iloc[[-1]].drop(columns=["enterprise"])
    utilised = last[list(ROUTE_COLUMNS)].sum(axis=1)
    room = float((last["generated_t"] + last["opening_stock_t"] - utilised).iloc[0])
    extra = min(1_200.0, room)
    from_stock = (utilised + extra - last["generated_t"]).clip(lower=0.0)
    corrected = last.assign(utilised_backfill_t=last["utilised_backfill_t"] + extra,
                            utilised_from_stock_t=from_stock)
    processing.record_waste(session, admin, corrected, reason=CORRECTION_REASON,
                            source="demo-recount.csv")
