"""Data quality of the statistical reporting: late and missing reports.

A report is late when its first version arrived after its due date (the reporting calendar of
:mod:`aurum.industry.reporting`, in Beijing days). A site-quarter is missing when an operating
mine or plant has no report covering any month of that quarter, between the later of the
baseline quarter and its commissioning and the last quarter that is both past its due date and
reported by anyone: a quarter whose reports are not due yet is never missing.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from aurum.core.periods import Period, PeriodKind
from aurum.core.time import CHINA_STANDARD_TIME
from aurum.industry.aggregate import period_table
from aurum.industry.reporting import due_date


def late_reports(reports: pd.DataFrame) -> pd.DataFrame:
    """Reports whose first submission came after the due date.

    Parameters
    ----------
    reports : pandas.DataFrame
        ``site, period, first_submitted_at`` (datetime; UTC when naive).

    Returns
    -------
    pandas.DataFrame
        ``site, period, due_on, first_submitted_at`` (UTC), ``days_late`` (d, counted in
        Beijing days), latest first.
    """
    if reports.empty:
        return pd.DataFrame(columns=["site", "period", "due_on", "first_submitted_at",
                                     "days_late"])
    # A few distinct periods for many reports: the calendar is asked once per period.
    labels = reports["period"].astype(str)
    due = pd.to_datetime(labels.map({label: due_date(Period.parse(label))
                                     for label in labels.unique()}))
    submitted = pd.to_datetime(reports["first_submitted_at"], utc=True)
    day = submitted.dt.tz_convert(CHINA_STANDARD_TIME).dt.tz_localize(None).dt.normalize()
    late = (day - due).dt.days
    out = reports[["site", "period"]].assign(due_on=due.dt.date,
                                             first_submitted_at=submitted.dt.tz_localize(None),
                                             days_late=late)
    return out[out["days_late"] > 0].sort_values("days_late", ascending=False,
                                                 ignore_index=True)


def missing_quarters(reports: pd.DataFrame, sites: pd.DataFrame, today: date,
                     first_year: int = 2024) -> pd.DataFrame:
    """Site-quarters with no report covering them, once their reports are due.

    Parameters
    ----------
    reports : pandas.DataFrame
        ``site, period`` of every stored report.
    sites : pandas.DataFrame
        ``site, kind, status, commissioned_on``: operating mines and plants are expected to
        report.
    today : date
        Day of the check in the reporting calendar: a quarter is expected only after its due
        date.
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
    last_q = min(int(q_last.max()), _last_quarter_due(today))
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


def _last_quarter_due(today: date) -> int:
    """The latest quarter (as year x 4 + quarter - 1) whose reports are due before ``today``."""
    q = today.year * 4 + (today.month - 1) // 3
    while due_date(Period(q // 4, PeriodKind.QUARTER, q % 4 + 1)) >= today:
        q -= 1
    return q
