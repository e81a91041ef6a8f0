"""Chinese enterprises' overseas gold projects, their social-responsibility records, and the
output that flows back as imports.

A project (a mine or a plant abroad) is reported by year: its ``stage`` (:data:`STAGES`), the
enterprise's ``ownership_pct`` (equity, %), the year's ``annual_output_kg`` (gold, kg; above
0 only in production) and whether the host country has signed a Belt and Road cooperation
document (``belt_and_road``, as the enterprise reports it). Its social-responsibility record
of a year, in the spirit of the plan's "fulfil social responsibilities": community
investment (CNY), local and total employees, environmental incidents, grievances raised and
resolved (resolved ones may include grievances raised in earlier years, so the resolution
rate is capped at 100 %).

Output flowing back (:func:`flow_back`): a production project's output attributable to the
enterprise is its output × ownership; summed by host country and year, it is compared with
the contained gold imported from that country that year (:mod:`.imports`): the share of those
imports the equity output could account for, capped at 100 % (equity gold may also be sold
elsewhere; the customs do not say whose gold arrived).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from aurum.core.checks import FIRST_YEAR, LAST_YEAR
from aurum.core.errors import Problem
from aurum.core.i18n import _
from aurum.trade.countries import is_country

Stage = Literal["exploration", "construction", "production", "closed"]
STAGES: tuple[str, ...] = get_args(Stage)
"""A project's stage."""
Kind = Literal["mine", "plant"]
KINDS: tuple[str, ...] = get_args(Kind)
MAX_OUTPUT_KG = 1e6
"""Largest yearly output of one project, kg (a thousand tonnes: far above any mine)."""
MAX_CNY = 1e12
MAX_PEOPLE = 10_000_000
MAX_NAME_CHARS = 200
MAX_CODE_CHARS = 32


@dataclass(frozen=True)
class Project:
    """A project's entry for one year (module docstring); ``lon``, ``lat`` in degrees (None:
    drawn at its country)."""

    code: str
    name: str
    country: str
    kind: str
    stage: str
    ownership_pct: float
    annual_output_kg: float
    belt_and_road: bool
    year: int
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class CsrRecord:
    """A project's social-responsibility record of one year (module docstring)."""

    code: str
    year: int
    community_investment_cny: float
    local_employees: int
    total_employees: int
    environmental_incidents: int
    grievances_raised: int
    grievances_resolved: int


def _bad(problems: list[Problem], column: str, message: str) -> None:
    problems.append(Problem(message, column=column))


def _common(problems: list[Problem], code: str, year: int) -> None:
    if not code.strip() or len(code) > MAX_CODE_CHARS:
        _bad(problems, "code", _("expected the project's code, 1 to %(n)s characters",
                                 n=MAX_CODE_CHARS))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        _bad(problems, "year", _("expected a year from %(first)s to %(last)s",
                                 first=FIRST_YEAR, last=LAST_YEAR))


def check_project(p: Project) -> list[Problem]:
    """Every problem of a project's entry, by field (empty when it is sound)."""
    problems: list[Problem] = []
    _common(problems, p.code, p.year)
    if not p.name.strip() or len(p.name) > MAX_NAME_CHARS:
        _bad(problems, "name", _("expected the project's name, 1 to %(n)s characters",
                                 n=MAX_NAME_CHARS))
    if not is_country(p.country):
        _bad(problems, "country", _("country %(code)s is not an ISO 3166-1 alpha-2 country "
                                    "code", code=repr(p.country)))
    if p.country == "CN":
        _bad(problems, "country", _("an overseas project lies outside China"))
    if p.kind not in KINDS:
        _bad(problems, "kind", _("expected one of %(options)s", options=", ".join(KINDS)))
    if p.stage not in STAGES:
        _bad(problems, "stage", _("expected one of %(options)s", options=", ".join(STAGES)))
    if not 0 < p.ownership_pct <= 100:
        _bad(problems, "ownership_pct", _("expected an ownership above 0 and at most 100 %%"))
    if not 0 <= p.annual_output_kg <= MAX_OUTPUT_KG:
        _bad(problems, "annual_output_kg", _("expected an output from 0 to %(max)s kg",
                                             max=f"{MAX_OUTPUT_KG:g}"))
    elif p.annual_output_kg > 0 and p.stage not in ("production", "closed"):
        _bad(problems, "annual_output_kg", _(
            "a project in %(stage)s produces no gold: output above 0 kg needs the stage "
            "production (or closed, for its last year)", stage=p.stage))
    if (p.lon is None) != (p.lat is None):
        _bad(problems, "lat", _("give both longitude and latitude, or neither"))
    if p.lon is not None and not -180 <= p.lon <= 180:
        _bad(problems, "lon", _("expected a longitude from -180 to 180°"))
    if p.lat is not None and not -90 <= p.lat <= 90:
        _bad(problems, "lat", _("expected a latitude from -90 to 90°"))
    return problems


def check_csr(r: CsrRecord) -> list[Problem]:
    """Every problem of a social-responsibility record, by field (empty when it is sound)."""
    problems: list[Problem] = []
    _common(problems, r.code, r.year)
    if not 0 <= r.community_investment_cny <= MAX_CNY:
        _bad(problems, "community_investment_cny", _(
            "expected an amount from 0 to %(max)s CNY", max=f"{MAX_CNY:g}"))
    for column in ("local_employees", "total_employees", "environmental_incidents",
                   "grievances_raised", "grievances_resolved"):
        if not 0 <= getattr(r, column) <= MAX_PEOPLE:
            _bad(problems, column, _("expected a count from 0 to %(max)s", max=MAX_PEOPLE))
    if r.local_employees > r.total_employees:
        _bad(problems, "local_employees", _("more local employees (%(local)s) than employees "
                                            "(%(total)s)", local=r.local_employees,
                                            total=r.total_employees))
    return problems


FLOW_BACK_COLUMNS = ["year", "country", "projects", "attributable_output_kg",
                     "imported_gold_kg", "flow_back_share_pct"]


def flow_back(projects: pd.DataFrame, imports: pd.DataFrame) -> pd.DataFrame:
    """Equity output of production projects against the gold imported from their countries.

    Parameters
    ----------
    projects : pandas.DataFrame
        One entry per project and year (the current one): ``year``, ``country``, ``stage``,
        ``ownership_pct`` (%), ``annual_output_kg`` (kg).
    imports : pandas.DataFrame
        Customs rows: ``year``, ``partner``, ``gold_kg`` (NaN where unknown).

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_BACK_COLUMNS` per year and host country with output: ``projects`` in
        production, ``attributable_output_kg`` Σ output × ownership / 100,
        ``imported_gold_kg`` (NaN when no contained gold is known),
        ``flow_back_share_pct`` min(attributable, imported) / imported, %.
    """
    producing = projects[(projects["annual_output_kg"] > 0)]
    if producing.empty:
        return pd.DataFrame(columns=FLOW_BACK_COLUMNS)
    equity = producing.assign(attributable_output_kg=producing["annual_output_kg"]
                              * producing["ownership_pct"] / 100.0)
    table = equity.groupby(["year", "country"]).agg(
        projects=("annual_output_kg", "size"),
        attributable_output_kg=("attributable_output_kg", "sum")).reset_index()
    gold = (imports.groupby(["year", "partner"])["gold_kg"].sum(min_count=1)
            if not imports.empty else pd.Series(dtype=float))
    keys = list(zip(table["year"], table["country"], strict=True))
    table["imported_gold_kg"] = [float(gold.get(k, np.nan)) for k in keys]
    imported = table["imported_gold_kg"]
    table["flow_back_share_pct"] = np.where(
        imported > 0, 100.0 * np.minimum(table["attributable_output_kg"], imported)
        / imported.where(imported > 0), np.nan)
    return table[FLOW_BACK_COLUMNS]


def resolution_rate_pct(raised: int, resolved: int) -> float:
    """Grievances resolved per grievance raised in the year, %, capped at 100 (NaN when none
    was raised)."""
    return float("nan") if raised == 0 else min(100.0, 100.0 * resolved / raised)
