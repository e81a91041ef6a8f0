"""From period reports (months, quarters, years) to the annual site rows of the KPI engine.

Rules, chosen so that nothing is counted twice and nothing is invented:

* Flows (ore, gold, silver, waste) of a site in a year come from its annual report when there
  is one, else from the sum of its quarterly reports, else of its monthly reports. A year with
  fewer than 12 months covered is marked by ``months_covered``.
* Stocks (resources at period end) come from the report of that year whose period ends last.
* Empty cells stay empty: a sum over nothing reported is NaN, not zero.
* ``months`` restricts the reports to those lying wholly inside the given months of every
  year, which gives the like-for-like comparison of a year to date (e.g. Q1-Q3 of 2026 with
  Q1-Q3 of 2024).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from aurum.industry.reporting import WASTE_ROUTES, WASTE_TYPES, waste_column

_KIND_PRIORITY = {"year": 0, "quarter": 1, "month": 2}
_FLOW_COLUMNS = ("ore_treated_t", "gold_kg", "silver_kg", "solid_waste_generated_t",
                 "solid_waste_utilised_t")
SITE_COLUMNS = ("site", "enterprise", "group", "province", "site_type", "daily_capacity_t")
RESOURCE_COLUMNS = ("resources_measured_t", "resources_indicated_t", "resources_inferred_t")
"""The resource categories (GB/T 17766-2020 探明, 控制, 推断) whose sum is
``gold_resources_t``, kept per site and year beside it so a breakdown adds up to the
indicator's quantity."""


def period_table(labels: pd.Series) -> pd.DataFrame:
    """Split period labels into year, kind, first and last month (vectorised).

    Parameters
    ----------
    labels : pandas.Series of str
        ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM`` (already validated).
    """
    s = labels.astype(str)
    year = s.str.slice(0, 4).astype(int)
    tail = s.str.slice(5)
    is_q = tail.str.startswith("Q")
    is_y = tail == ""
    idx = pd.to_numeric(tail.str.lstrip("Q").replace("", "1")).astype(int)
    first = np.where(is_y, 1, np.where(is_q, 3 * idx - 2, idx))
    last = np.where(is_y, 12, np.where(is_q, 3 * idx, idx))
    kind = np.where(is_y, "year", np.where(is_q, "quarter", "month"))
    return pd.DataFrame({"year": year.to_numpy(), "kind": kind, "first_month": first,
                         "last_month": last}, index=labels.index)


def _row_sum(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    cols = [c for c in columns if c in frame.columns]
    if not cols:
        return pd.Series(np.nan, index=frame.index)
    return frame[cols].astype(float).sum(axis=1, min_count=1)


def report_quantities(reports: pd.DataFrame) -> pd.DataFrame:
    """The indicator quantities of each report row.

    Parameters
    ----------
    reports : pandas.DataFrame
        Columns ``site``, ``period`` and report fields (:data:`~aurum.industry.reporting.FIELDS`
        names, values in their units; NaN when not reported).

    Returns
    -------
    pandas.DataFrame
        ``site, period, year, kind, first_month, last_month`` and ``ore_treated_t`` (t),
        ``gold_kg`` (mine gold: own mine + associated, kg), ``silver_kg`` (kg),
        ``gold_resources_t`` (measured + indicated + inferred, t), its parts
        :data:`RESOURCE_COLUMNS` (t), ``solid_waste_generated_t`` and
        ``solid_waste_utilised_t`` (t).
    """
    out = pd.concat([reports[["site", "period"]].reset_index(drop=True),
                     period_table(reports["period"]).reset_index(drop=True)], axis=1)
    r = reports.reset_index(drop=True)
    out["ore_treated_t"] = r.get("ore_treated_t", np.nan)
    out["gold_kg"] = _row_sum(r, ["gold_own_mine_kg", "gold_associated_kg"])
    out["silver_kg"] = r.get("silver_kg", np.nan)
    for name in RESOURCE_COLUMNS:
        out[name] = r.get(name, np.nan)
    out["gold_resources_t"] = _row_sum(r, RESOURCE_COLUMNS)
    out["solid_waste_generated_t"] = _row_sum(
        r, [waste_column(w, "generated_t") for w in WASTE_TYPES])
    out["solid_waste_utilised_t"] = _row_sum(
        r, [waste_column(w, f"used_{route}_t") for w in WASTE_TYPES for route in WASTE_ROUTES])
    return out


def annual_site_rows(reports: pd.DataFrame, sites: pd.DataFrame,
                     months: Iterable[int] | None = None) -> pd.DataFrame:
    """Annual rows per site in the layout of :data:`aurum.industry.kpi.KPI_COLUMNS`.

    Parameters
    ----------
    reports : pandas.DataFrame
        Current version of every report: ``site``, ``period`` and the report fields.
    sites : pandas.DataFrame
        Registry: ``site, enterprise, group, province, site_type, daily_capacity_t`` (t/d).
    months : iterable of int, optional
        Keep only reports lying wholly within these months (1-12) of each year.

    Returns
    -------
    pandas.DataFrame
        One row per site and year with the KPI columns, ``group``, ``months_covered`` and
        :data:`RESOURCE_COLUMNS` (from the same report as ``gold_resources_t``).
    """
    q = report_quantities(reports)
    if months is not None:
        allowed = np.zeros(13, dtype=bool)
        allowed[list(months)] = True
        cum = np.cumsum(~allowed)
        # A period fits when no disallowed month lies in [first, last].
        fits = cum[q["last_month"].to_numpy()] == cum[q["first_month"].to_numpy() - 1]
        q = q[fits]
    if q.empty:
        return pd.DataFrame(columns=[*SITE_COLUMNS, "year", *_FLOW_COLUMNS,
                                     "gold_resources_t", *RESOURCE_COLUMNS, "months_covered"])
    q = q.assign(priority=q["kind"].map(_KIND_PRIORITY),
                 n_months=q["last_month"] - q["first_month"] + 1)
    best = q.groupby(["site", "year"])["priority"].transform("min")
    chosen = q[q["priority"] == best]
    keys = ["site", "year"]
    flows = chosen.groupby(keys)[list(_FLOW_COLUMNS)].sum(min_count=1)
    flows["months_covered"] = chosen.groupby(keys)["n_months"].sum()
    # The total and its categories from one report (the last of the year with a resource
    # figure), so that the categories add up to the total row by row.
    stocks = (q.dropna(subset=["gold_resources_t"]).sort_values("last_month", kind="stable")
              .drop_duplicates(keys, keep="last")
              .set_index(keys)[["gold_resources_t", *RESOURCE_COLUMNS]])
    annual = flows.join(stocks, how="outer").reset_index()
    annual["months_covered"] = annual["months_covered"].fillna(0).astype(int)
    return annual.merge(sites[list(SITE_COLUMNS)], on="site", how="left")


def resources_by_category(annual: pd.DataFrame) -> pd.DataFrame:
    """Contained gold by resource category and year, summed over the annual site rows.

    The same rows and the same reports as the resources indicator's national quantity
    (``gold_resources_t`` summed over the rows of a year), so each year's categories add up
    to it (a category a report left empty counts as 0, as in ``gold_resources_t``).

    Parameters
    ----------
    annual : pandas.DataFrame
        Annual site rows (:func:`annual_site_rows`): ``year`` and :data:`RESOURCE_COLUMNS`, t.

    Returns
    -------
    pandas.DataFrame
        One row per year with a resource figure, ascending: ``year`` and
        :data:`RESOURCE_COLUMNS` (contained gold, t).
    """
    columns = [c for c in RESOURCE_COLUMNS if c in annual.columns]
    if len(columns) < len(RESOURCE_COLUMNS) or annual.empty:
        return pd.DataFrame(columns=["year", *RESOURCE_COLUMNS])
    rows = annual.dropna(subset=["gold_resources_t"])
    sums = rows.groupby("year")[list(RESOURCE_COLUMNS)].sum(min_count=0).fillna(0.0)
    return sums.reset_index().astype({"year": int})
