"""Backfill in the solid-waste ledger: each month's tailings sent to the stopes
(:func:`aurum.underground.backfill.fill_balance`) booked as utilisation by the route
``backfill`` (:mod:`aurum.processing.waste`), so that the plan's 35 % waste indicator rises
with the stope plan once the ledger is carried into the statistical report
(:func:`aurum.services.processing.carry_into_report`).

A booking goes through the waste-ledger service (:func:`aurum.services.processing.record_waste`):
the ledger stays append-only, a month already in it gets a new line that supersedes the old
one with the booking's reason, and the caller's scope is checked there and here.

* A month with a tailings line: the tonnes to backfill move from the tailings sent to the
  facility (``disposed_t``) to ``utilised_backfill_t``; generated tonnes and the closing stock
  stay as they were, so the chain of opening stocks of later months holds. More backfill than
  the line disposes of is refused (it would have to come out of stock and break that chain).
* A month without one: a new line with ``generated_t`` = the tailings produced (the balance's
  ``tailings_produced_t``), the backfill, and the rest disposed; its opening stock is the
  closing stock of the month before.

Units: t; rates in %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _
from aurum.industry import kpi
from aurum.industry.targets import load_targets
from aurum.processing import waste as rules
from aurum.services import monitor, registry
from aurum.services.auth import Actor
from aurum.services.processing.common import _month
from aurum.services.processing.waste import record_waste, waste_ledger

SOURCE = "backfill plan"
"""The ``source`` of the ledger lines a booking writes (and of its messages)."""
_WASTE_INDICATOR = "solid_waste_utilisation_pct"
_TOLERANCE_T = 1e-6


def plan_last_month() -> str:
    """The last month a booking may name: December of the plan's target year (``YYYY-MM``)."""
    return f"{load_targets().target_year}-12"


def book_backfill(session: Session, actor: Actor, site_code: str, balance: pd.DataFrame,
                  reason: str) -> list[int]:
    """Book each month's tailings to backfill in a plant's waste ledger, all or nothing.

    Parameters
    ----------
    site_code : str
        The site whose tailings fill the stopes (the ledger's ``plant``).
    balance : pandas.DataFrame
        One row per month: ``month`` (``YYYY-MM``, up to :func:`plan_last_month`),
        ``tailings_to_backfill_t`` (t, >= 0; a month of 0 t is left out) and, for a month
        the ledger has no tailings line for, ``tailings_produced_t`` (t, >= the tonnes to
        backfill): the rows of :func:`aurum.underground.backfill.fill_balance` with a
        ``month`` column naming each period; other columns are ignored.
    reason : str
        Why (stored with every line; the lines a booking supersedes need it).

    Returns
    -------
    list of int
        Ids of the new ledger lines.

    Raises
    ------
    ValidationError
        Listing every bad row (spreadsheet rows of ``balance``: header = 1); nothing is
        written.
    NotFoundError
        A site the caller may not read (whether it exists or not).
    PermissionDenied
        A site the caller reads but may not write.
    """
    site = registry.get_writable_site(session, actor, site_code)
    why = (reason or "").strip()
    if not why:
        raise ValidationError(Problem(_("a booking of backfill needs a reason"),
                                      column="reason"))
    missing = [c for c in ("month", "tailings_to_backfill_t") if c not in balance.columns]
    if missing:
        raise ValidationError([Problem(_("missing column %(column)r", column=c), column=c,
                                       source=SOURCE) for c in missing])
    data = balance.reset_index(drop=True)
    unread: list[Problem] = []
    months = [_month(p, unread, i + 2, SOURCE) for i, p in enumerate(data["month"])]
    problems = [Problem(p.message, row=p.row, column="month", source=SOURCE) for p in unread]
    tonnes = _tonnes(data["tailings_to_backfill_t"], "tailings_to_backfill_t", problems)
    produced = (_tonnes(data["tailings_produced_t"], "tailings_produced_t", problems,
                        blank_ok=True)
                if "tailings_produced_t" in data.columns
                else pd.Series(np.nan, index=data.index))
    last = plan_last_month()
    seen: set[str] = set()
    for i, month in enumerate(months):
        if not month:  # not a month: its problem is listed already
            continue
        if month > last:
            problems.append(Problem(_("%(month)s is after %(last)s, the last month of the "
                                      "plan", month=month, last=last),
                                    row=i + 2, column="month", source=SOURCE))
        elif month in seen:
            problems.append(Problem(_("%(month)s: a second row for the same month",
                                      month=month), row=i + 2, column="month", source=SOURCE))
        seen.add(month)
    if problems:
        raise ValidationError(problems)
    ledger = waste_ledger(session, actor, [site.code])
    tailings = dict(ledger[ledger["waste_type"] == "tailings"].set_index("period").iterrows())
    lines = []
    for i, month in enumerate(months):
        booked = float(tonnes.iloc[i])
        if booked <= 0:
            continue
        if month in tailings:
            line = _moved_to_backfill(tailings[month], booked, i, problems)
        else:
            line = _new_line(month, booked, float(produced.iloc[i]), i, problems)
        lines.append({"plant": site.code, "period": month, "waste_type": "tailings", **line})
    if problems:
        raise ValidationError(problems)
    if not lines:
        return []
    return record_waste(session, actor, pd.DataFrame(lines), reason=why, source=SOURCE)


def _tonnes(column: pd.Series, name: str, problems: list[Problem],
            blank_ok: bool = False) -> pd.Series:
    """A column of tonnes (t) as floats; each cell that is not a number >= 0 a problem (a
    blank cell is NaN when ``blank_ok``)."""
    values = pd.to_numeric(column, errors="coerce")
    blank = column.isna() | column.astype(str).str.strip().isin(("", "nan", "None"))
    bad = (values.isna() & ~(blank & blank_ok)) | (values < 0) | np.isinf(values.fillna(0.0))
    problems += [Problem(_("%(cell)s: expected tonnes, a number >= 0",
                           cell=shown_cell(column.iloc[i])),
                         row=int(i) + 2, column=name, source=SOURCE)
                 for i in np.flatnonzero(bad.to_numpy())]
    return values.astype(float)


def _moved_to_backfill(line: pd.Series, booked: float, i: int,
                       problems: list[Problem]) -> dict[str, object]:
    """A month's tailings line with ``booked`` t moved from disposal to backfill."""
    disposed = float(line["disposed_t"])
    if booked > disposed + _TOLERANCE_T:
        problems.append(Problem(
            _("%(month)s: backfill of %(tonnes)s t exceeds the %(disposed)s t of tailings the "
              "ledger sends to the facility that month", month=line.name,
              tonnes=format(booked, ",.1f"), disposed=format(disposed, ",.1f")),
            row=i + 2, column="tailings_to_backfill_t", source=SOURCE))
    values: dict[str, object] = {c: float(line[c]) for c in rules.TONNE_COLUMNS}
    values["utilised_backfill_t"] = float(line["utilised_backfill_t"]) + booked
    values["disposed_t"] = max(disposed - booked, 0.0)
    values["detox_status"] = line["detox_status"]
    return values


def _new_line(month: str, booked: float, produced: float, i: int,
              problems: list[Problem]) -> dict[str, object]:
    """A new tailings line: ``produced`` t generated, ``booked`` t to backfill, the rest
    disposed; the opening stock left blank (the closing stock of the month before)."""
    if not produced >= booked - _TOLERANCE_T:  # NaN (not given) fails too
        problems.append(Problem(
            _("%(month)s has no tailings line in the ledger: expected tailings_produced_t of "
              "at least the %(tonnes)s t to backfill", month=month,
              tonnes=format(booked, ",.1f")),
            row=i + 2, column="tailings_produced_t", source=SOURCE))
    return {"generated_t": produced, "opening_stock_t": np.nan, "utilised_backfill_t": booked,
            "disposed_t": max(produced - booked, 0.0)}


@dataclass(frozen=True)
class WasteIndicator:
    """The national solid-waste indicator of one year as the caller's scope sees it.

    Parameters
    ----------
    year : int
        Calendar year.
    generated_t, utilised_t : float
        Solid waste generated and utilised in the year over the sites reporting both (the
        rows the indicator counts), t.
    value_pct : float or None
        The indicator, 100 × utilised / generated (%; None without data).
    target_pct : float
        The plan's 2027 target (%).
    """

    year: int
    generated_t: float
    utilised_t: float
    value_pct: float | None
    target_pct: float


def indicator_effect(session: Session, actor: Actor, year: int) -> WasteIndicator:
    """The 35 % waste indicator of ``year`` from the statistical reports in force (the
    annual rows of :func:`aurum.services.monitor.kpi_frame`, computed by
    :func:`aurum.industry.kpi.compute_indicators`), with the tonnes it counts: compared
    before and after a booking carried into the reports, it shows the booking's effect.

    Parameters
    ----------
    year : int
        Calendar year, from the plan's baseline year to the latest year reported.

    Raises
    ------
    ValidationError
        A year outside that range.
    """
    annual = monitor.kpi_frame(session, actor)
    result = kpi.compute_indicators(annual, year).indicator(_WASTE_INDICATOR)
    rows = annual[annual["year"] == year]
    generated, utilised = rows["solid_waste_generated_t"], rows["solid_waste_utilised_t"]
    # The indicator counts the rows reporting both figures (aurum.industry.kpi).
    paired = generated.notna() & utilised.notna()
    return WasteIndicator(year, float(generated[paired].sum()), float(utilised[paired].sum()),
                          result.value, result.target)
