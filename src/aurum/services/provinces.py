"""A province's page: its indicators, enterprises, sites and open hazards, over what the
caller may read (the national monitor of :mod:`aurum.services.monitor` restricted to the
province, and the hazard register of :mod:`aurum.services.safety`).

A province the caller may not read is not found: a provincial regulator reads only its own,
an enterprise only a province where it has a site. The recyclers, who report no mine, are
refused the provinces' pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError
from aurum.core.i18n import _
from aurum.industry import kpi
from aurum.industry.kpi import IndicatorReport
from aurum.industry.registry import PROVINCES
from aurum.industry.reporting import reporting_day
from aurum.services import cache, monitor
from aurum.services.auth import Actor, Role
from aurum.services.safety import list_hazards

ENTERPRISE_COLUMNS = ["enterprise_code", "enterprise", "sites", "gold_output_t",
                      *kpi.INDICATOR_IDS]
"""Columns of a province's enterprises: code, name, number of sites in the province, gold
output of those sites in the as-of year (t) and the plan's indicators over them (%)."""


@dataclass(frozen=True)
class ProvinceView:
    """One province as of a year: the plan's indicators over its sites, its row of the
    province table (:func:`aurum.industry.kpi.rollup`; empty without reports), its
    enterprises (:data:`ENTERPRISE_COLUMNS`), its sites (columns of
    :func:`aurum.services.reporting.registry_frame`) and its hazards not yet closed
    (:data:`aurum.services.safety.HAZARD_COLUMNS`)."""

    province: str
    as_of: int
    report: IndicatorReport
    figures: pd.DataFrame
    enterprises: pd.DataFrame
    sites: pd.DataFrame
    hazards: pd.DataFrame


READERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR, Role.ENTERPRISE)
"""Who reads the provinces' pages (each within its scope)."""


def provinces_table(session: Session, actor: Actor, as_of: int | None = None) -> monitor.Monitor:
    """The monitor whose province table the provinces' page shows (:func:`monitor.build`).

    Raises
    ------
    PermissionDenied
        For a role of no :data:`READERS`.
    """
    actor.require_role(*READERS)
    return monitor.build(session, actor, as_of)


def _visible(data: monitor.ScopeData, actor: Actor, name: str) -> bool:
    if name not in PROVINCES or actor.province not in (None, name):
        return False
    if actor.org_ids is None:
        return True
    return not data.sites.empty and bool((data.sites["province"] == name).any())


def province_view(session: Session, actor: Actor, name: str, as_of: int | None = None,
                  today: date | None = None) -> ProvinceView:
    """The province ``name`` (its stored English name) for the caller, as of ``as_of`` (the
    latest complete year of the caller's data on ``today`` by default, as the monitor's).

    Raises
    ------
    PermissionDenied
        For a role of no :data:`READERS`.
    NotFoundError
        When ``name`` is not a province of the registry or the caller may not read it.
    ValidationError
        When ``as_of`` is refused (:func:`aurum.services.monitor.build`).
    """
    actor.require_role(*READERS)
    data = monitor.scope_data(session, actor)
    if not _visible(data, actor, name):
        raise NotFoundError(_("no province %(name)s", name=repr(name)))
    m = monitor.build(session, actor, as_of, today)
    day = today or reporting_day()

    def compute() -> ProvinceView:
        sites = data.sites[data.sites["province"] == name] if not data.sites.empty \
            else data.sites
        annual = m.annual[m.annual["province"] == name] if not m.annual.empty else m.annual
        figures = m.provinces[m.provinces["province"] == name].reset_index(drop=True) \
            if not m.provinces.empty else m.provinces
        hazards = list_hazards(session, actor, state="open")
        hazards = hazards[hazards["province"] == name]
        return ProvinceView(name, m.as_of, kpi.compute_indicators(annual, m.as_of), figures,
                            _enterprises(sites, annual, m.as_of), sites.reset_index(drop=True),
                            hazards.reset_index(drop=True))

    return cache.cached(cache.scope_key(session, actor, "province", name, m.as_of, day),
                        compute)


def _enterprises(sites: pd.DataFrame, annual: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """The enterprises owning ``sites``, most gold first (:data:`ENTERPRISE_COLUMNS`)."""
    if sites.empty:
        return pd.DataFrame(columns=ENTERPRISE_COLUMNS)
    owners = (sites.groupby(["enterprise_code", "enterprise"], as_index=False)
              .agg(sites=("site", "size")))
    if annual.empty:
        return owners.reindex(columns=ENTERPRISE_COLUMNS)
    figures = kpi.rollup(annual, as_of, "enterprise").drop(columns="gold_output_baseline_t")
    return (owners.merge(figures, on="enterprise", how="left")
            .sort_values(["gold_output_t", "enterprise"], ascending=[False, True],
                         na_position="last", ignore_index=True)[ENTERPRISE_COLUMNS])
