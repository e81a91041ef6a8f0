"""The append-only solid-waste ledger of the plants and its utilisation rates
(:mod:`aurum.processing.waste`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.processing import waste as rules
from aurum.services.auth import Actor
from aurum.services.processing import records
from aurum.services.processing.common import (
    _LEDGER_COLUMNS,
    _STOCK_TOLERANCE_T,
    _month,
    _records,
    _writable_sites,
    ledger_frame,
)
from aurum.store import audit
from aurum.store.models import (
    Organisation,
    Site,
    WasteEntry,
)


def record_waste(session: Session, actor: Actor, frame: pd.DataFrame,
                 reason: str | None = None, source: str | None = None) -> list[int]:
    """Append lines to the waste ledger, all or nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per site (``plant``: site code), month (``period``, ``YYYY-MM``) and waste
        type: the columns of :func:`aurum.processing.waste.validate_ledger` (t); the
        ``enterprise`` column may be left out (the site's organisation). A blank
        ``opening_stock_t`` is taken from the closing stock of the month before.
    reason : str, optional
        Why; required when a line corrects one already in the ledger (the new line
        supersedes it).
    source : str, optional
        File name for the messages (rows counted as in a spreadsheet, header = 1).

    Returns
    -------
    list of int
        Ids of the new entries.

    Raises
    ------
    ValidationError
        Listing every problem; nothing is written.
    """
    if "plant" not in frame.columns:
        raise ValidationError(Problem(_("missing column 'plant' (site code)"), column="plant",
                                      source=source))
    problems: list[Problem] = []
    data = frame.reset_index(drop=True).copy()
    data["plant"] = data["plant"].astype(str)
    data["period"] = [_month(p, problems, i + 2, source)
                      for i, p in enumerate(data.get("period", pd.Series([""] * len(data))))]
    first_row = {code: int(i) + 2 for i, code in reversed(list(enumerate(data["plant"])))}
    sites, site_problems = _writable_sites(session, actor, data["plant"], source, first_row)
    problems += [Problem(p.message, row=p.row, column="plant", source=source)
                 for p in site_problems]
    if problems:
        raise ValidationError(problems)
    orgs = {oid: code for oid, code in session.execute(select(
        Organisation.id, Organisation.code).where(
        Organisation.id.in_({s.org_id for s in sites.values()})))}
    data["enterprise"] = data["plant"].map({c: orgs[s.org_id] for c, s in sites.items()})
    stored = ledger_frame(session, [s.id for s in sites.values()])
    checked = rules.validate_ledger(_fill_opening_stock(data, stored), source)
    _check_opening_stock(checked, stored, source)
    keys = [*rules.KEY_COLUMNS]
    existing = stored.set_index(keys)["id"] if not stored.empty else pd.Series(dtype="Int64")
    supersedes = pd.array(existing.reindex(pd.MultiIndex.from_frame(checked[keys])).to_numpy(),
                          dtype="Int64")
    why = (reason or "").strip() or None
    if why is None:
        for i in np.flatnonzero(~pd.isna(supersedes)):
            r = checked.iloc[i]
            problems.append(Problem(_("%(plant)s %(month)s %(type)s is in the ledger already: a "
                                      "correction needs a reason", plant=r["plant"],
                                      month=r["period"], type=r["waste_type"]),
                                    row=int(i) + 2, column="waste_type", source=source))
    if problems:
        raise ValidationError(problems)
    rows = _records(checked[["period", "waste_type", *_LEDGER_COLUMNS]].assign(
        site_id=checked["plant"].map({c: s.id for c, s in sites.items()}),
        supersedes_id=supersedes,
        reason=why, source=source, created_by=actor.user_id or None))
    ids = list(session.scalars(insert(WasteEntry).returning(WasteEntry.id), rows))
    audit.record(session, "record", "waste_entries", source, None,
                 {"rows": len(rows), "sites": sorted(sites), "reason": why})
    records.refresh(session, [s.id for s in sites.values()])
    return ids


def _previous_month(period: pd.Series) -> pd.Series:
    stamp = pd.PeriodIndex(period, freq="M") - 1
    return pd.Series(stamp.strftime("%Y-%m"), index=period.index)


def _closing_lookup(ledger: pd.DataFrame) -> pd.Series:
    keys = [*rules.KEY_COLUMNS]
    return ledger.drop_duplicates(keys, keep="last").set_index(keys)["closing_stock_t"]


def _stock_before(rows: pd.DataFrame, lookup: pd.Series) -> np.ndarray:
    """Closing stock of the month before each row (NaN where that month is not known), t."""
    before = pd.MultiIndex.from_arrays([rows["plant"], _previous_month(rows["period"]),
                                        rows["waste_type"]])
    return lookup.reindex(before).to_numpy(dtype=float)


def _fill_opening_stock(data: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Blank opening stocks from the closing stock of the month before (in the ledger or
    earlier in ``data``); 0 where there is no month before."""
    out = data.copy()
    raw = out["opening_stock_t"] if "opening_stock_t" in out.columns else pd.Series(
        np.nan, index=out.index)
    blank = raw.isna() | raw.astype(str).str.strip().isin(("", "nan", "None"))
    if not blank.any():
        return out
    out["opening_stock_t"] = raw.where(~blank, np.nan).astype(object)
    number = {c: pd.to_numeric(out[c], errors="coerce").fillna(0.0) if c in out.columns
              else pd.Series(0.0, index=out.index)
              for c in (*rules.ROUTE_COLUMNS, "generated_t", "disposed_t")}
    flow = (number["generated_t"] - sum(number[c] for c in rules.ROUTE_COLUMNS)
            - number["disposed_t"])
    lookup = _closing_lookup(stored) if not stored.empty else pd.Series(dtype=float)
    # Month by month, so that a blank month takes the stock of a month filled just before.
    for period in sorted(out["period"].unique()):
        rows = out["period"] == period
        opening = pd.to_numeric(out.loc[rows, "opening_stock_t"], errors="coerce")
        previous = pd.Series(_stock_before(out.loc[rows], lookup), index=opening.index)
        fill = blank[rows] & opening.isna()
        opening = opening.where(~fill, previous.fillna(0.0))
        out.loc[rows[rows].index[fill.to_numpy()], "opening_stock_t"] = opening[fill]
        closing = (opening.fillna(0.0) + flow[rows]).clip(lower=0.0)
        keys = pd.MultiIndex.from_frame(out.loc[rows, list(rules.KEY_COLUMNS)])
        lookup = pd.concat([lookup, pd.Series(closing.to_numpy(), index=keys)])
    return out


def _check_opening_stock(ledger: pd.DataFrame, stored: pd.DataFrame,
                         source: str | None) -> None:
    """An opening stock must be the closing stock of the month before, where it is known."""
    known = pd.concat([stored[[*rules.KEY_COLUMNS, "closing_stock_t"]],
                       ledger[[*rules.KEY_COLUMNS, "closing_stock_t"]]])
    previous = _stock_before(ledger, _closing_lookup(known))
    gap = np.abs(ledger["opening_stock_t"].to_numpy() - previous)
    problems = [Problem(_("opening stock %(opening)s t differs from the closing stock "
                          "%(closing)s t of the month before",
                          opening=format(ledger['opening_stock_t'].iloc[i], ",.1f"),
                          closing=format(previous[i], ",.1f")),
                        row=int(i) + 2, column="opening_stock_t", source=source)
                for i in np.flatnonzero(gap > _STOCK_TOLERANCE_T)]
    if problems:
        raise ValidationError(problems)


def waste_ledger(session: Session, actor: Actor,
                 site_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """The entries in force of the visible waste ledgers (corrections applied).

    Returns
    -------
    pandas.DataFrame
        ``id, enterprise, plant, period, waste_type``, the tonnage columns,
        ``detox_status``, ``reason``, ``created_at``, ``utilised_t`` and
        ``closing_stock_t`` (t).
    """
    stmt = actor.where_visible(select(Site.id))
    if site_codes is not None:
        stmt = stmt.where(Site.code.in_(list(site_codes)))
    return ledger_frame(session, list(session.scalars(stmt)))


def waste_utilisation(session: Session, actor: Actor, level: str = "plant",
                      by: Sequence[str] = ("year",),
                      site_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Utilisation of the visible waste ledgers per plant, enterprise or nation.

    Parameters
    ----------
    level : {"plant", "enterprise", "nation"}
        Aggregation level.
    by : sequence of str
        ``"year"``, ``"period"`` (month), ``"waste_type"`` or nothing.

    Returns
    -------
    pandas.DataFrame
        See :func:`aurum.processing.rules.utilisation` (t; rates as fractions).
    """
    ledger = waste_ledger(session, actor, site_codes)
    ledger["year"] = ledger["period"].str[:4]
    return rules.utilisation(ledger, level, by)
