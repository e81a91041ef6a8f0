"""Dynamic-clearing statistics of the hazards an actor may read
(:mod:`aurum.safety.stats`) and the regulator's indicator: open major hazards past their
deadline (target 0). Days are China Standard Time days."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.time import today_cst
from aurum.safety import stats
from aurum.services.auth import Actor
from aurum.services.safety.register import as_domain, visible_hazards


def _stats_frame(session: Session, actor: Actor) -> pd.DataFrame:
    return stats.hazards_frame(as_domain(row) for row in visible_hazards(session, actor))


def clearing(session: Session, actor: Actor, as_of: date | None = None,
             by: str | None = None) -> pd.DataFrame:
    """Dynamic-clearing statistics (:func:`aurum.safety.stats.clearing_table`) of the
    hazards the actor may read. Unclassified hazards are not counted until classified.

    Parameters
    ----------
    as_of : date, optional
        Day of the statistics (default today, China Standard Time).
    by : {'site', 'enterprise', 'province'} or None
        Grouping; None gives one row for the nation.

    Returns
    -------
    pandas.DataFrame
        The grouping column, then counts, median days to close (d) and ``target_met``.
    """
    table = stats.clearing_table(_stats_frame(session, actor), as_of or today_cst(), by)
    return table.reset_index()


def clearing_summary(session: Session, actor: Actor, as_of: date | None = None
                     ) -> dict[str, Any]:
    """The figures of :func:`aurum.safety.stats.clearing_summary` and the regulator's
    indicator.

    Parameters
    ----------
    as_of : date, optional
        Day of the statistics (default today, China Standard Time).

    Returns
    -------
    dict
        ``as_of`` (ISO day), the counts and median days to close (d) nationally and
        ``by_province``, and ``indicator`` = {``id``, ``value`` (open major hazards past
        their deadline), ``target`` (0), ``met``}.
    """
    day = as_of or today_cst()
    summary = stats.clearing_summary(_stats_frame(session, actor), day)
    value = int(summary["overdue_major"])
    return {"as_of": day.isoformat(), **summary, "indicator": {
        "id": stats.INDICATOR, "value": value, "target": stats.INDICATOR_TARGET,
        "met": value == stats.INDICATOR_TARGET}}


def indicator_history(session: Session, actor: Actor, as_of: date | None = None,
                      months: int = 12) -> pd.DataFrame:
    """The indicator and the open hazards at month ends.

    Parameters
    ----------
    as_of : date, optional
        Last day (default today, China Standard Time).
    months : int
        Month ends before ``as_of`` to include (count).

    Returns
    -------
    pandas.DataFrame
        ``as_of`` (the month ends, then ``as_of`` itself), ``open_major``,
        ``overdue_major``, ``open_general``, ``overdue_general`` (counts).
    """
    day = as_of or today_cst()
    frame = _stats_frame(session, actor)
    ends = [d.date() for d in pd.date_range(end=pd.Timestamp(day), periods=months, freq="ME")
            if d.date() < day] + [day]
    rows = []
    for end in ends:  # a dozen month-ends, each a vectorised table
        table = stats.clearing_table(frame, end)
        rows.append({"as_of": end, **{c: int(table[c].iloc[0]) if len(table) else 0
                                      for c in stats.COUNT_COLUMNS}})
    return pd.DataFrame(rows, columns=["as_of", *stats.COUNT_COLUMNS])
