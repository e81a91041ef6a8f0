"""Data quality of the statistical reporting: late and missing reports.

A report is late when its first version arrived after its due date. A site-quarter is missing
when an operating mine or plant has no report covering any month of that quarter, between the
later of the baseline quarter and its commissioning and the last quarter anyone reported.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from aurum.industry.aggregate import period_table


def late_reports(reports: pd.DataFrame, due_days: int = 30) -> pd.DataFrame:
    """Reports whose first submission came after the due date.

    Parameters
    ----------
    reports : pandas.DataFrame
        ``site, period, first_submitted_at`` (datetime).
    due_days : int
        Days after the end of a month or quarter when a report is due (90 for a year), d.

    Returns
    -------
    pandas.DataFrame
        ``site, period, due_on, first_submitted_at, days_late``, latest first.
    """
    if reports.empty:
        return pd.DataFrame(columns=["site", "period", "due_on", "first_submitted_at",
                                     "days_late"])
    p = period_table(reports["period"])
    month_end = (pd.to_datetime(dict(year=p["year"], month=p["last_month"], day=1))
                 + pd.offsets.MonthEnd(0))
    days = np.where(p["kind"] == "year", 90, due_days)
    due = month_end + pd.to_timedelta(days, unit="D")
    submitted = pd.to_datetime(reports["first_submitted_at"], utc=True).dt.tz_localize(None)
    late = (submitted.dt.normalize() - due).dt.days
    out = reports[["site", "period"]].assign(due_on=due.dt.date, first_submitted_at=submitted,
                                             days_late=late)
    return out[out["days_late"] > 0].sort_values("days_late", ascending=False,
                                                 ignore_index=True)


def missing_quarters(reports: pd.DataFrame, sites: pd.DataFrame, first_year: int = 2024
                     ) -> pd.DataFrame:
    """Site-quarters with no report covering them.

    Parameters
    ----------
    reports : pandas.DataFrame
        ``site, period`` of every stored report.
    sites : pandas.DataFrame
        ``site, kind, status, commissioned_on``: operating mines and plants are expected to
        report.
    first_year : int
        First year expected (the baseline year).

    Returns
    -------
    pandas.DataFrame
        ``site, period`` (``YYYY-Qn``) in order.
    """
    if reports.empty:
        return pd.DataFrame(columns=["site", "period"])
    p = period_table(reports["period"])
    # A report covers a quarter when any of its months falls in it.
    q_first = (p["year"] * 4 + (p["first_month"] - 1) // 3).to_numpy()
    q_last = (p["year"] * 4 + (p["last_month"] - 1) // 3).to_numpy()
    lengths = q_last - q_first + 1
    covered = pd.DataFrame({"site": np.repeat(reports["site"].to_numpy(), lengths),
                            "q": np.concatenate([np.arange(a, b + 1)
                                                 for a, b in zip(q_first, q_last, strict=True)])})
    last_q = int(q_last.max())
    expected_sites = sites[sites["kind"].isin(["mine", "plant"])
                           & sites["status"].eq("operating")]
    start = pd.to_datetime(expected_sites["commissioned_on"]).fillna(
        pd.Timestamp(date(first_year, 1, 1)))
    first_q = np.maximum(first_year * 4, (start.dt.year * 4 + (start.dt.month - 1) // 3 + 1)
                         .to_numpy())
    n = np.clip(last_q - first_q + 1, 0, None)
    expected = pd.DataFrame({"site": np.repeat(expected_sites["site"].to_numpy(), n),
                             "q": np.concatenate([np.arange(a, last_q + 1) for a in first_q])
                             if len(first_q) else np.array([], dtype=int)})
    merged = expected.merge(covered.drop_duplicates(), how="left", indicator=True)
    gaps = merged[merged["_merge"] == "left_only"]
    return pd.DataFrame({"site": gaps["site"].to_numpy(),
                         "period": [f"{q // 4}-Q{q % 4 + 1}" for q in gaps["q"]]})
