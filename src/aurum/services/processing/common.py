"""What the plant services share: the columns of a metal account and a ledger line, months
and sites of uploaded rows, rows for bulk inserts, and the queries of the accounts, their
closings and the ledger in force of many plants at once (for the writers, the pages and the
stored records of :mod:`.records` alike)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    PermissionDenied,
    Problem,
)
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.core.periods import Period, PeriodKind
from aurum.core.tables import read_table
from aurum.processing import waste
from aurum.services.auth import Actor
from aurum.store.frames import frame_of
from aurum.store.models import (
    MetalAccount,
    MetalAccountClosing,
    Organisation,
    Site,
    WasteEntry,
)

ACCOUNT_GOLD_TERMS = ("check_in", "products", "tailings", "opening", "closing")
ACCOUNT_COLUMNS = ("ore_treated_t", "head_grade_gpt",
                   *(f"{t}{s}" for t in ACCOUNT_GOLD_TERMS for s in ("_g", "_sd_g")),
                   "share_own_mine", "share_associated", "share_imported")
"""Input columns of a metal account besides ``site`` and ``period``."""
SHARE_FIELDS = {"share_own_mine": "gold_own_mine_kg", "share_associated": "gold_associated_kg",
                "share_imported": "gold_imported_kg"}
"""Report field that receives each share of the gold in products."""
_RESULT_COLUMNS = ("unaccounted_g", "unaccounted_sd_g", "recovery", "recovery_sd")
_LEDGER_COLUMNS = (*waste.TONNE_COLUMNS, "detox_status")
_STOCK_TOLERANCE_T = 0.5


def _month(text: Any, problems: list[Problem], row: int | None, source: str | None) -> str:
    try:
        period = Period.parse(str(text))
    except ValueError as exc:
        problems.append(Problem(str(exc), row=row, column="period", source=source))
        return ""
    if period.kind is not PeriodKind.MONTH:
        problems.append(Problem(_("'%(text)s': expected a month, YYYY-MM", text=text), row=row,
                                column="period", source=source))
        return ""
    return period.label


def _writable_sites(session: Session, actor: Actor, codes: Iterable[str],
                    source: str | None, rows: Mapping[str, int] | None = None
                    ) -> tuple[dict[str, Site], list[Problem]]:
    """Sites by code; problems name the first row of an unknown site (or one outside the
    caller's scope, which reads the same).

    Raises
    ------
    PermissionDenied
        When a visible site may not be written by the caller (a matter of role, not of the
        file's rows).
    """
    wanted = sorted(set(codes))
    sites = {s.code: s for s in session.scalars(select(Site).where(Site.code.in_(wanted)))}
    problems = []
    for code in wanted:
        site = sites.get(code)
        if site is None or not actor.can_read_site(site):
            problems.append(Problem(_("unknown site %(site)r", site=code),
                                    row=rows.get(code) if rows else None, column="site",
                                    source=source))
        elif not actor.can_write_site(site):
            raise PermissionDenied(_("%(role)s users cannot write the records of %(site)s",
                                     role=actor.role.value, site=code))
    return sites, problems


def read_records(data: bytes, name: str) -> pd.DataFrame:
    """An uploaded CSV or Excel file of accounts or ledger lines as text cells, blank cells
    missing (as :func:`record_accounts` and :func:`record_waste` take them)."""
    return read_table(data, name).replace(r"^\s*$", np.nan, regex=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for an insert: numpy scalars as Python ones, missing values as None."""
    return [{str(k): (None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                 else v.item() if isinstance(v, np.generic) else v)
             for k, v in row.items()} for row in frame.to_dict(orient="records")]


ACCOUNT_FIELDS = ("id", "site_id", "period", "version", *ACCOUNT_COLUMNS, *_RESULT_COLUMNS)
"""Fields of a stored account that its closing's SHA-256 covers (with ``previous``)."""


def closing_digest(account: Mapping[str, Any], previous: str | None) -> str:
    """SHA-256 (hex) of an account's :data:`ACCOUNT_FIELDS` and the previous closing's."""
    body = {"site_id": account["site_id"], "period": account["period"],
            "version": account["version"], "previous": previous,
            **{c: account[c] for c in (*ACCOUNT_COLUMNS, *_RESULT_COLUMNS)}}
    text = json.dumps(finite(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def accounts_frame(session: Session, site_ids: Sequence[int],
                   history: bool = False) -> pd.DataFrame:
    """The metal accounts of plants, by site and month (see
    :func:`aurum.services.processing.accounting.accounts`), with ``site_id``.

    Parameters
    ----------
    history : bool
        Every version rather than the current one of each site and month.
    """
    stmt = (select(MetalAccount.site_id, MetalAccount.id, MetalAccount.period,
                   MetalAccount.version,
                   *(getattr(MetalAccount, c) for c in (*ACCOUNT_COLUMNS, *_RESULT_COLUMNS)),
                   MetalAccount.circuit_id, MetalAccount.reason, MetalAccount.created_at,
                   MetalAccountClosing.closed_at, MetalAccountClosing.sha256)
            .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id)
            .where(MetalAccount.site_id.in_(list(site_ids)))
            .order_by(MetalAccount.site_id, MetalAccount.period, MetalAccount.version))
    frame = frame_of(session, stmt)
    if not history and not frame.empty:
        frame = frame.drop_duplicates(["site_id", "period"], keep="last").reset_index(drop=True)
    return frame


def broken_links(session: Session, site_ids: Sequence[int]) -> dict[int, list[str]]:
    """The chain of closed months of plants recomputed: per site id, one line per broken link
    (a site whose chain holds, or with no closing, is left out)."""
    stmt = (select(MetalAccountClosing.sha256, MetalAccountClosing.previous_sha256,
                   *(getattr(MetalAccount, f) for f in ACCOUNT_FIELDS))
            .join(MetalAccount, MetalAccount.id == MetalAccountClosing.account_id)
            .where(MetalAccountClosing.site_id.in_(list(site_ids)))
            .order_by(MetalAccountClosing.site_id, MetalAccountClosing.id))
    broken: dict[int, list[str]] = {}
    previous: dict[int, str | None] = {}
    for row in session.execute(stmt).mappings():
        site_id = row["site_id"]
        lines = []
        if row["previous_sha256"] != previous.get(site_id):
            lines.append(_("closing of %(month)s: previous hash does not match",
                           month=row["period"]))
        if closing_digest(dict(row), row["previous_sha256"]) != row["sha256"]:
            lines.append(_("closing of %(month)s: the account differs from what was closed",
                           month=row["period"]))
        if lines:
            broken.setdefault(site_id, []).extend(lines)
        previous[site_id] = row["sha256"]
    return broken


def ledger_frame(session: Session, site_ids: Sequence[int] | None) -> pd.DataFrame:
    """The waste ledger lines in force (corrections applied) of plants (all: None), completed
    by :func:`aurum.processing.waste.validate_ledger` (see
    :func:`aurum.services.processing.waste.waste_ledger`)."""
    superseded = select(WasteEntry.supersedes_id).where(WasteEntry.supersedes_id.is_not(None))
    stmt = (select(WasteEntry.id, Organisation.code.label("enterprise"),
                   Site.code.label("plant"), WasteEntry.period, WasteEntry.waste_type,
                   *(getattr(WasteEntry, c) for c in _LEDGER_COLUMNS), WasteEntry.reason,
                   WasteEntry.created_at)
            .join(Site, Site.id == WasteEntry.site_id)
            .join(Organisation, Organisation.id == Site.org_id)
            .where(WasteEntry.id.not_in(superseded))
            .order_by(Site.code, WasteEntry.period, WasteEntry.waste_type))
    if site_ids is not None:
        stmt = stmt.where(WasteEntry.site_id.in_(list(site_ids)))
    frame = frame_of(session, stmt)
    if frame.empty:
        return frame.assign(utilised_t=pd.Series(dtype=float),
                            closing_stock_t=pd.Series(dtype=float))
    return waste.validate_ledger(frame)
