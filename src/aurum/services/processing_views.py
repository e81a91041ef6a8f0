"""What the plant pages show: the plants index, a plant's accounts, records by quarter, and
the view models of both pages (:func:`index_view`, :func:`site_view`), computed once per data
version and kept (:mod:`aurum.services.cache`).

Units: t (ore, waste), g/t (grades), g (gold in accounts); rates are fractions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.processing import accounting
from aurum.services import processing, registry
from aurum.services.auth import Actor
from aurum.store.frames import frame_of
from aurum.store.models import MetalAccount, MetalAccountClosing, Organisation, Site


def plants_index(session: Session, actor: Actor) -> pd.DataFrame:
    """The visible sites that keep metal accounts or a waste ledger, one row each.

    Returns
    -------
    pandas.DataFrame
        ``site, name, enterprise`` (code), ``enterprise_name, province``; ``last_month``
        (latest month with an account), ``recovery`` (of that month's account in force,
        fraction), ``last_closed`` (latest month whose account in force is closed);
        ``year`` (latest year of the visible ledgers) with the site's ``generated_t``,
        ``utilised_t`` (t), ``utilisation_rate`` and ``comprehensive_utilisation_rate``
        (fractions) of that year. Empty text or NaN where a site has no such record.
    """
    stmt = actor.where_visible(
        select(Site.code.label("site"), MetalAccount.period, MetalAccount.recovery,
               MetalAccountClosing.id.label("closing_id"))
        .join(MetalAccount, MetalAccount.site_id == Site.id)
        .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id)
        .order_by(Site.code, MetalAccount.period, MetalAccount.version))
    acc = frame_of(session, stmt).drop_duplicates(["site", "period"], keep="last")
    latest = acc.drop_duplicates("site", keep="last").set_index("site")
    closed = acc[acc["closing_id"].notna()].groupby("site")["period"].max()
    rates = processing.waste_utilisation(session, actor, "plant", ("year",))
    if not rates.empty:
        rates = rates[rates["year"] == rates["year"].max()].set_index("plant")
    codes = sorted(set(latest.index) | set(rates.index))
    sites = frame_of(session, select(
        Site.code.label("site"), Site.name, Organisation.code.label("enterprise"),
        Organisation.name.label("enterprise_name"), Site.province)
        .join(Organisation, Organisation.id == Site.org_id)
        .where(Site.code.in_(codes)).order_by(Site.code)).set_index("site")
    sites["last_month"] = latest["period"].reindex(sites.index).fillna("")
    sites["recovery"] = latest["recovery"].reindex(sites.index).astype(float)
    sites["last_closed"] = closed.reindex(sites.index).fillna("")
    for col in ("year", "generated_t", "utilised_t", "utilisation_rate",
                "comprehensive_utilisation_rate"):
        sites[col] = (rates[col].reindex(sites.index) if col in rates.columns
                      else pd.Series(np.nan, index=sites.index))
    sites["year"] = sites["year"].fillna("")
    return sites.reset_index()


def account_table(session: Session, actor: Actor, site_code: str,
                  confidence: float = accounting.CONFIDENCE) -> pd.DataFrame:
    """A plant's metal accounts in force by month, with what the page tables beside them.

    Parameters
    ----------
    site_code : str
        The plant.
    confidence : float
        Level of the interval of the unaccounted gold, dimensionless (default 0.95).

    Returns
    -------
    pandas.DataFrame
        :func:`aurum.services.processing.accounts` with ``inventory_change_g`` (closing −
        opening in-circuit inventory, g), ``ci_low_g`` and ``ci_high_g`` (interval of the
        unaccounted gold, g) and ``closed`` (whether the month's account in force is locked).
    """
    frame = processing.accounts(session, actor, site_code)
    half = stats.norm.ppf(0.5 + confidence / 2) * frame["unaccounted_sd_g"].astype(float)
    return frame.assign(
        inventory_change_g=frame["closing_g"].astype(float) - frame["opening_g"].astype(float),
        ci_low_g=frame["unaccounted_g"].astype(float) - half,
        ci_high_g=frame["unaccounted_g"].astype(float) + half,
        closed=frame["sha256"].notna())


def record_quarters(session: Session, actor: Actor, site_code: str) -> pd.DataFrame:
    """The quarters in which a plant has records, newest first.

    Returns
    -------
    pandas.DataFrame
        ``quarter`` (``YYYY-Qn``), ``account_months`` and ``ledger_months`` (months of the
        quarter with a metal account, with a waste ledger line) and ``complete`` (all
        three months have both, so :func:`aurum.services.processing.carry_into_report` can
        carry it).
    """
    site = registry.get_site(session, actor, site_code)
    acc = processing.accounts(session, actor, site.code)["period"]
    ledger = processing.waste_ledger(session, actor, [site.code])["period"].drop_duplicates()

    def per_quarter(months: pd.Series) -> pd.Series:
        if months.empty:
            return pd.Series(dtype=int)
        quarters = pd.PeriodIndex(months, freq="M").asfreq("Q").strftime("%Y-Q%q")
        return pd.Series(1, index=quarters).groupby(level=0).sum()

    table = pd.concat({"account_months": per_quarter(acc),
                       "ledger_months": per_quarter(ledger)}, axis=1).fillna(0).astype(int)
    table = table.sort_index(ascending=False).rename_axis("quarter").reset_index()
    table["complete"] = (table["account_months"] == 3) & (table["ledger_months"] == 3)
    return table
