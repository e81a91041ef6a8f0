"""Monthly metal accounts of a plant (AMIRA P754 check-in / check-out, by
:mod:`aurum.processing.accounting`): every save a new version, closed months locked and
chained by SHA-256."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    Problem,
    ValidationError,
    shown_cell,
)
from aurum.core.i18n import _
from aurum.processing.accounting import metal_accounts
from aurum.services import registry
from aurum.services.auth import Actor
from aurum.services.processing import records
from aurum.services.processing.common import (
    _RESULT_COLUMNS,
    ACCOUNT_COLUMNS,
    ACCOUNT_FIELDS,
    ACCOUNT_GOLD_TERMS,
    SHARE_FIELDS,
    _month,
    _records,
    _writable_sites,
    accounts_frame,
    broken_links,
    closing_digest,
)
from aurum.store import audit
from aurum.store.models import (
    MetalAccount,
    MetalAccountClosing,
)


def record_accounts(session: Session, actor: Actor, frame: pd.DataFrame,
                    reason: str | None = None, source: str | None = None,
                    circuit_id: int | None = None) -> list[int]:
    """Record metal accounts of one or more plants and months, all or nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per account: ``site``, ``period`` (``YYYY-MM``), ``ore_treated_t`` (t),
        ``head_grade_gpt`` (g/t, optional), the gold terms ``check_in_g``, ``products_g``,
        ``tailings_g``, ``opening_g``, ``closing_g`` (g; inventories optional) with their
        standard deviations ``<term>_sd_g`` (g, optional), and the shares of the gold in
        products reported as own-mine, associated and imported gold (``share_own_mine``,
        ``share_associated``, ``share_imported``, fractions summing to 1; default all
        own-mine).
    reason : str, optional
        Why; required when a row replaces the account of a closed month.
    source : str, optional
        File name for the messages (rows counted as in a spreadsheet, header = 1).
    circuit_id : int, optional
        The reconciled circuit the figures come from (provenance).

    Returns
    -------
    list of int
        Ids of the new account versions.

    Raises
    ------
    ValidationError
        Listing every problem; nothing is written.
    """
    problems: list[Problem] = []
    for col in ("site", "period", "ore_treated_t", "check_in_g", "products_g", "tailings_g"):
        if col not in frame.columns:
            problems.append(Problem(_("missing column %(column)r", column=col), column=col,
                                    source=source))
    if problems:
        raise ValidationError(problems)
    data = frame.reset_index(drop=True).copy()
    # Optional figures: a missing column or a blank cell is 0 (no inventory, no precision
    # given, no gold of that source); own-mine gold is what the other sources leave.
    for col in ("opening_g", "closing_g", *(f"{t}_sd_g" for t in ACCOUNT_GOLD_TERMS),
                "share_associated", "share_imported", "share_own_mine"):
        if col not in data.columns:
            data[col] = np.nan
        blank = data[col].isna() | data[col].astype(str).str.strip().eq("")
        if col == "share_own_mine":
            others = data[["share_associated", "share_imported"]].apply(pd.to_numeric,
                                                                       errors="coerce")
            data[col] = data[col].where(~blank, 1.0 - others.sum(axis=1, min_count=2))
        else:
            data[col] = data[col].where(~blank, 0.0)
    if "head_grade_gpt" not in data.columns:
        data["head_grade_gpt"] = np.nan
    data["period"] = [_month(p, problems, i + 2, source) for i, p in enumerate(data["period"])]
    data["site"] = data["site"].astype(str)
    for col in ("ore_treated_t", *SHARE_FIELDS):
        values = pd.to_numeric(data[col], errors="coerce")
        for i in np.flatnonzero(~(np.isfinite(values) & (values >= 0)).to_numpy()):
            problems.append(Problem(_("%(cell)s: expected a number >= 0",
                                      cell=shown_cell(data[col].iloc[i])),
                                    row=int(i) + 2, column=col, source=source))
        data[col] = values
    grade = pd.to_numeric(data["head_grade_gpt"], errors="coerce")
    for i in np.flatnonzero((grade < 0).to_numpy()):
        problems.append(Problem(_("%(grade)s: expected a grade >= 0 g/t", grade=grade.iloc[i]),
                                row=int(i) + 2,
                                column="head_grade_gpt", source=source))
    data["head_grade_gpt"] = grade
    shares = data[list(SHARE_FIELDS)].sum(axis=1)
    for i in np.flatnonzero((np.abs(shares - 1.0) > 1e-6).to_numpy()):
        problems.append(Problem(_("the gold shares sum to %(sum)s: expected 1",
                                  sum=format(shares.iloc[i], ".6g")),
                                row=int(i) + 2, column="share_own_mine", source=source))
    try:
        results = metal_accounts(data)
    except ValidationError as exc:
        problems += [Problem(p.message, row=p.row, column=p.column, source=source)
                     for p in exc.problems]
        results = None
    duplicated = data.duplicated(["site", "period"], keep="first")
    for i in np.flatnonzero(duplicated.to_numpy()):
        problems.append(Problem(_("a second account for the same site and month"),
                                row=int(i) + 2, column="period", source=source))
    first_row = {code: int(i) + 2 for i, code in reversed(list(enumerate(data["site"])))}
    sites, site_problems = _writable_sites(session, actor, data["site"], source, first_row)
    problems += site_problems
    if problems or results is None:
        raise ValidationError(problems)
    site_ids = data["site"].map({c: s.id for c, s in sites.items()})
    current = _current_accounts(session, site_ids.unique().tolist())
    key = list(zip(site_ids, data["period"], strict=True))
    versions = [current.get(k, (0, False))[0] + 1 for k in key]
    why = (reason or "").strip() or None
    for n, k in enumerate(key):
        if current.get(k, (0, False))[1] and why is None:
            problems.append(Problem(_("%(month)s of %(site)s is closed: an amendment needs a "
                                      "reason",
                                      month=data["period"].iloc[n], site=data["site"].iloc[n]),
                                    row=n + 2,
                                    column="period", source=source))
    if problems:
        raise ValidationError(problems)
    figures = results[[*ACCOUNT_COLUMNS, *_RESULT_COLUMNS]].astype(float)
    rows = _records(figures.assign(
        site_id=site_ids.astype(int), period=data["period"], version=versions,
        circuit_id=circuit_id, reason=why, created_by=actor.user_id or None))
    ids = list(session.scalars(insert(MetalAccount).returning(MetalAccount.id), rows))
    audit.record(session, "record", "metal_accounts", source, None,
                 {"rows": len(rows), "sites": sorted(sites), "reason": why})
    records.refresh(session, [s.id for s in sites.values()])
    return ids


def record_site_accounts(session: Session, actor: Actor, site_code: str,
                         rows: pd.DataFrame | Sequence[Mapping[str, Any]],
                         reason: str | None = None, source: str | None = None) -> list[int]:
    """:func:`record_accounts` of one plant: a blank or missing ``site`` is that plant, and a
    row of another site is refused (rows numbered as in a spreadsheet, header = row 1)."""
    frame = pd.DataFrame(rows).copy()
    given = (frame["site"].fillna("").astype(str).str.strip() if "site" in frame.columns
             else pd.Series("", index=frame.index))
    other = ((given != "") & (given != site_code)).to_numpy()
    if other.any():
        raise ValidationError([Problem(_("%(site)r: this upload is for %(plant)s",
                                         site=given.iloc[i], plant=site_code),
                                       row=int(i) + 2, column="site", source=source)
                               for i in other.nonzero()[0]])
    frame["site"] = site_code
    return record_accounts(session, actor, frame, reason=reason, source=source)


def _current_accounts(session: Session, site_ids: Sequence[int]
                      ) -> dict[tuple[int, str], tuple[int, bool]]:
    """(site id, month) → (current version, whether that version is closed)."""
    latest = (select(MetalAccount.site_id, MetalAccount.period,
                     func.max(MetalAccount.version).label("v"))
              .where(MetalAccount.site_id.in_(site_ids))
              .group_by(MetalAccount.site_id, MetalAccount.period).subquery())
    rows = session.execute(
        select(latest.c.site_id, latest.c.period, latest.c.v, MetalAccountClosing.id)
        .join(MetalAccount, (MetalAccount.site_id == latest.c.site_id)
              & (MetalAccount.period == latest.c.period) & (MetalAccount.version == latest.c.v))
        .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id))
    return {(sid, p): (v, closing is not None) for sid, p, v, closing in rows}


def close_months(session: Session, actor: Actor, site_code: str,
                 periods: Sequence[str]) -> list[MetalAccountClosing]:
    """Close months of a plant: lock the current version of each month's account.

    Parameters
    ----------
    site_code : str
        The plant.
    periods : sequence of str
        Months ``YYYY-MM``, closed in calendar order.

    Raises
    ------
    NotFoundError
        When a month has no account.
    ConflictError
        When a month's current version is closed already.
    """
    site = registry.get_writable_site(session, actor, site_code)
    problems: list[Problem] = []
    months = sorted({_month(p, problems, None, None) for p in periods})
    if not periods:
        problems.append(Problem(_("name at least one month to close (YYYY-MM)"),
                                column="periods"))
    if problems:
        raise ValidationError(problems)
    current = _current_accounts(session, [site.id])
    for m in months:
        if (site.id, m) not in current:
            raise NotFoundError(_("%(site)s has no metal account for %(month)s",
                                   site=site.code, month=m))
        if current[(site.id, m)][1]:
            raise ConflictError(_("%(month)s of %(site)s is closed already; amend it with a "
                                  "reason to change it", month=m, site=site.code))
    accounts = {a.period: a for a in session.scalars(select(MetalAccount).where(
        MetalAccount.site_id == site.id, MetalAccount.period.in_(months)))
        if a.version == current[(site.id, a.period)][0]}
    previous = session.scalar(select(MetalAccountClosing.sha256).where(
        MetalAccountClosing.site_id == site.id).order_by(MetalAccountClosing.id.desc())
        .limit(1))
    rows = []
    for m in months:
        account = accounts[m]
        digest = closing_digest({f: getattr(account, f) for f in ACCOUNT_FIELDS}, previous)
        rows.append({"account_id": account.id, "site_id": site.id, "period": m,
                     "sha256": digest, "previous_sha256": previous,
                     "closed_by": actor.user_id or None})
        previous = digest
    session.execute(insert(MetalAccountClosing), rows)
    audit.record(session, "close", "metal_accounts", site.code, None,
                 {"months": months, "sha256": previous})
    records.refresh(session, [site.id])
    return list(session.scalars(select(MetalAccountClosing).where(
        MetalAccountClosing.site_id == site.id, MetalAccountClosing.period.in_(months))
        .order_by(MetalAccountClosing.id)))


def verify_closings(session: Session, actor: Actor, site_code: str) -> list[str]:
    """Recompute the hash chain of a plant's closed months.

    Returns
    -------
    list of str
        One line per broken link (empty when every closing matches its account and the one
        before it).
    """
    site = registry.get_site(session, actor, site_code)
    return broken_links(session, [site.id]).get(site.id, [])


def accounts(session: Session, actor: Actor, site_code: str,
             history: bool = False) -> pd.DataFrame:
    """A plant's metal accounts, by month.

    Parameters
    ----------
    history : bool
        Every version rather than the current one of each month.

    Returns
    -------
    pandas.DataFrame
        ``id, period, version`` and the account columns (t, g/t, g, fractions), ``reason``,
        ``created_at``, ``closed_at``, ``sha256`` (of the closing; empty for an open month).
    """
    site = registry.get_site(session, actor, site_code)
    return accounts_frame(session, [site.id], history).drop(columns="site_id")
