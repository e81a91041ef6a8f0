"""What the plant services share: the columns of a metal account and a ledger line, months
and sites of uploaded rows, and rows for bulk inserts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    PermissionDenied,
    Problem,
)
from aurum.core.periods import Period, PeriodKind
from aurum.core.tables import read_table
from aurum.processing import waste
from aurum.services.auth import Actor
from aurum.store.models import (
    Site,
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
        problems.append(Problem(f"'{text}': expected a month, YYYY-MM", row=row,
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
            problems.append(Problem(f"unknown site {code!r}",
                                    row=rows.get(code) if rows else None, column="site",
                                    source=source))
        elif not actor.can_write_site(site):
            raise PermissionDenied(f"{actor.role.value} users cannot write the records of "
                                   f"{code}")
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
