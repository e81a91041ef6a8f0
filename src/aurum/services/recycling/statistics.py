"""Recycled gold for statistics: the ledger's purchases per recycler, province and
month, and beside the statistical reports' recycled gold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pandas as pd
from sqlalchemy.orm import Session

from aurum.recycling.custody import recycled_gold_totals
from aurum.services import reporting
from aurum.services.auth import Actor
from aurum.services.recycling.purchases import purchases_in_force


def recycled_totals(session: Session, actor: Actor,
                    by: Sequence[str] = ("recycler", "province", "month")
                    ) -> list[dict[str, Any]]:
    """Recycled gold per recycler, province and month (Beijing time) for statistics:
    ``purchases``, ``fine_gold_g`` (g), ``fine_gold_kg`` (kg), ``amount_cny`` (CNY)."""
    purchases = purchases_in_force(session, actor)
    if purchases.empty:
        return []
    return cast(list[dict[str, Any]], recycled_gold_totals(purchases, by).to_dict("records"))


def statistics_link(session: Session, actor: Actor) -> pd.DataFrame:
    """The ledger's recycled gold beside the statistical reports', per province and quarter.

    The ledger counts the fine gold recyclers bought (Beijing-time months folded into
    quarters); the quarterly reports carry ``gold_recycled_kg``, the gold refiners produced
    from recycled material. They measure two stages of one flow, so the table puts them side
    by side (with the ledger's share of the reported figure) rather than equating them.
    """
    columns = ["province", "period", "ledger_purchases", "ledger_fine_gold_kg",
               "ledger_amount_cny", "reported_gold_recycled_kg", "ledger_share_pct"]
    ledger = pd.DataFrame(recycled_totals(session, actor, ("province", "month")))
    if not ledger.empty:
        months = pd.PeriodIndex(ledger["month"], freq="M")
        ledger = (ledger.assign(period=[f"{m.year}-Q{m.quarter}" for m in months])
                  .groupby(["province", "period"], as_index=False)
                  .agg(ledger_purchases=("purchases", "sum"),
                       ledger_fine_gold_kg=("fine_gold_kg", "sum"),
                       ledger_amount_cny=("amount_cny", "sum")))
    reports = reporting.current_reports(session, actor)
    reported = pd.DataFrame(columns=["province", "period", "reported_gold_recycled_kg"])
    if not reports.empty:
        sites = reporting.registry_frame(session, actor)[["site", "province"]]
        recycled = reports.merge(sites, on="site")
        recycled = recycled[recycled["gold_recycled_kg"].notna()]
        reported = (recycled.groupby(["province", "period"], as_index=False)
                    .agg(reported_gold_recycled_kg=("gold_recycled_kg", "sum")))
    if ledger.empty and reported.empty:
        return pd.DataFrame(columns=columns)
    parts = [f for f in (ledger, reported) if not f.empty]
    table = parts[0] if len(parts) == 1 else parts[0].merge(parts[1], how="outer",
                                                          on=["province", "period"])
    table = table.reindex(columns=columns).sort_values(["period", "province"])
    table["ledger_share_pct"] = (100 * table["ledger_fine_gold_kg"]
                                 / table["reported_gold_recycled_kg"]).round(2)
    table["ledger_fine_gold_kg"] = table["ledger_fine_gold_kg"].round(6)
    return table.reset_index(drop=True)
