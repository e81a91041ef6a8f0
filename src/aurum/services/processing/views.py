"""What the plant pages show: the plants index, a plant's accounts, records by quarter, and
the view models of both pages (:func:`index_view`, :func:`site_view`), computed once per data
version and kept (:mod:`aurum.services.cache`).

Units: t (ore, waste), g/t (grades), g (gold in accounts); rates are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError
from aurum.core.jsonsafe import finite
from aurum.industry.targets import load_targets
from aurum.processing.accounting import CONFIDENCE
from aurum.services import cache, registry
from aurum.services.auth import Actor, Role
from aurum.services.processing import accounting, circuit, report, waste
from aurum.store.frames import frame_of
from aurum.store.models import (
    MetalAccount,
    MetalAccountClosing,
    Organisation,
    PlantCircuit,
    Report,
    ReportVersion,
    Site,
    WasteEntry,
)


def plants_index(session: Session, actor: Actor) -> pd.DataFrame:
    """The visible sites that keep metal accounts or a waste ledger, one row each.

    Returns
    -------
    pandas.DataFrame
        ``site, name, enterprise`` (code), ``enterprise_name, province``; ``last_month``
        (latest month with an account), ``recovery`` (of that month's account in force,
        fraction), ``last_closed`` (latest month whose account in force is closed);
        ``year`` (latest year of the visible ledgers) with the site's ``generated_t``,
        ``utilised_t`` (t), ``utilisation_rate`` and ``comprehensive_utilisation_rate``
        (fractions) of that year. Empty text or NaN where a site has no such record.
    """
    stmt = actor.where_visible(
        select(Site.code.label("site"), MetalAccount.period, MetalAccount.recovery,
               MetalAccountClosing.id.label("closing_id"))
        .join(MetalAccount, MetalAccount.site_id == Site.id)
        .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id)
        .order_by(Site.code, MetalAccount.period, MetalAccount.version))
    acc = frame_of(session, stmt).drop_duplicates(["site", "period"], keep="last")
    latest = acc.drop_duplicates("site", keep="last").set_index("site")
    closed = acc[acc["closing_id"].notna()].groupby("site")["period"].max()
    rates = waste.waste_utilisation(session, actor, "plant", ("year",))
    if not rates.empty:
        rates = rates[rates["year"] == rates["year"].max()].set_index("plant")
    codes = sorted(set(latest.index) | set(rates.index))
    sites = frame_of(session, select(
        Site.code.label("site"), Site.name, Organisation.code.label("enterprise"),
        Organisation.name.label("enterprise_name"), Site.province)
        .join(Organisation, Organisation.id == Site.org_id)
        .where(Site.code.in_(codes)).order_by(Site.code)).set_index("site")
    sites["last_month"] = latest["period"].reindex(sites.index).fillna("")
    sites["recovery"] = latest["recovery"].reindex(sites.index).astype(float)
    sites["last_closed"] = closed.reindex(sites.index).fillna("")
    for col in ("year", "generated_t", "utilised_t", "utilisation_rate",
                "comprehensive_utilisation_rate"):
        sites[col] = (rates[col].reindex(sites.index) if col in rates.columns
                      else pd.Series(np.nan, index=sites.index))
    sites["year"] = sites["year"].fillna("")
    return sites.reset_index()


def account_table(session: Session, actor: Actor, site_code: str,
                  confidence: float = CONFIDENCE) -> pd.DataFrame:
    """A plant's metal accounts in force by month, with what the page tables beside them.

    Parameters
    ----------
    site_code : str
        The plant.
    confidence : float
        Level of the interval of the unaccounted gold, dimensionless (default 0.95).

    Returns
    -------
    pandas.DataFrame
        :func:`aurum.services.accounting.accounts` with ``inventory_change_g`` (closing −
        opening in-circuit inventory, g), ``ci_low_g`` and ``ci_high_g`` (interval of the
        unaccounted gold, g) and ``closed`` (whether the month's account in force is locked).
    """
    frame = accounting.accounts(session, actor, site_code)
    half = stats.norm.ppf(0.5 + confidence / 2) * frame["unaccounted_sd_g"].astype(float)
    return frame.assign(
        inventory_change_g=frame["closing_g"].astype(float) - frame["opening_g"].astype(float),
        ci_low_g=frame["unaccounted_g"].astype(float) - half,
        ci_high_g=frame["unaccounted_g"].astype(float) + half,
        closed=frame["sha256"].notna())


def record_quarters(session: Session, actor: Actor, site_code: str) -> pd.DataFrame:
    """The quarters in which a plant has records, newest first.

    Returns
    -------
    pandas.DataFrame
        ``quarter`` (``YYYY-Qn``), ``account_months`` and ``ledger_months`` (months of the
        quarter with a metal account, with a waste ledger line) and ``complete`` (all
        three months have both, so :func:`aurum.services.processing.carry_into_report` can
        carry it).
    """
    site = registry.get_site(session, actor, site_code)
    acc = accounting.accounts(session, actor, site.code)["period"]
    ledger = waste.waste_ledger(session, actor, [site.code])["period"].drop_duplicates()

    def per_quarter(months: pd.Series) -> pd.Series:
        if months.empty:
            return pd.Series(dtype=int)
        quarters = pd.PeriodIndex(months, freq="M").asfreq("Q").strftime("%Y-Q%q")
        return pd.Series(1, index=quarters).groupby(level=0).sum()

    table = pd.concat({"account_months": per_quarter(acc),
                       "ledger_months": per_quarter(ledger)}, axis=1).fillna(0).astype(int)
    table = table.sort_index(ascending=False).rename_axis("quarter").reset_index()
    table["complete"] = (table["account_months"] == 3) & (table["ledger_months"] == 3)
    return table


# --- view models of the pages -----------------------------------------------------------------

WASTE_INDICATOR = "solid_waste_utilisation_pct"
"""The plan indicator the waste utilisation rate is held to (35 % by 2027)."""
ROLLUP_ROLES = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Roles that see the plants index rolled up per enterprise."""


def waste_target_pct() -> float:
    """The plan's target for the solid-waste utilisation rate, %."""
    return load_targets().indicator(WASTE_INDICATOR).target


def circuit_record(circuit: PlantCircuit) -> dict[str, Any]:
    """A circuit version as plain data: ids, name, version, survey month, note, creation
    time and, when reconciled, its global test (``chi2, dof, p_value``) and the streams
    flagged with gross errors."""
    out: dict[str, Any] = {"id": circuit.id, "site": circuit.site.code, "name": circuit.name,
                           "version": circuit.version, "period": circuit.period,
                           "note": circuit.note, "created_at": circuit.created_at.isoformat()}
    summary = (circuit.reconciliation or {}).get("summary")
    if summary:
        out |= {k: summary[k] for k in ("chi2", "dof", "p_value", "gross_errors")}
    return finite(out)


@dataclass(frozen=True)
class PlantsIndex:
    """The plants page: every visible plant (:func:`plants_index`), the visible ledgers'
    utilisation by year (t; rates as fractions) against the plan's target (%), and for
    regulators the latest year per enterprise (None for others)."""

    plants: pd.DataFrame
    yearly: pd.DataFrame
    target_pct: float
    enterprises: pd.DataFrame | None


def index_view(session: Session, actor: Actor) -> PlantsIndex:
    """The plants page of a caller, computed once per scope and data version
    (:func:`aurum.services.cache.scope_key`) and kept (:mod:`aurum.services.cache`)."""
    key = cache.scope_key(session, actor, "plants-index", actor.role in ROLLUP_ROLES)
    return cache.cached(key, lambda: _index_view(session, actor))


def _index_view(session: Session, actor: Actor) -> PlantsIndex:
    plants = plants_index(session, actor)
    yearly = waste.waste_utilisation(session, actor, "nation", ("year",))
    enterprises = None
    if actor.role in ROLLUP_ROLES:
        rows = waste.waste_utilisation(session, actor, "enterprise", ("year",))
        latest = rows[rows["year"] == rows["year"].max()]
        names = plants.drop_duplicates("enterprise").set_index("enterprise")["enterprise_name"]
        enterprises = (latest.assign(enterprise_name=latest["enterprise"].map(names))
                       .sort_values("utilisation_rate"))
    return PlantsIndex(plants, yearly, waste_target_pct(), enterprises)


@dataclass(frozen=True)
class PlantRecords:
    """A plant's records as its page shows them, computed once per :func:`plant_version`.

    Attributes
    ----------
    accounts : pandas.DataFrame
        :func:`account_table`, oldest month first.
    broken : list of str
        Broken links of the chain of closed months (:func:`~aurum.services.processing.
        accounting.verify_closings`).
    circuits : list of dict
        Every circuit version (:func:`circuit_record`), by name then version.
    ledger : pandas.DataFrame
        The waste ledger in force, newest month first.
    monthly : pandas.DataFrame
        Utilisation per month (t; rates as fractions).
    quarters : pandas.DataFrame
        :func:`record_quarters`, newest first.
    """

    accounts: pd.DataFrame
    broken: list[str]
    circuits: list[dict[str, Any]]
    ledger: pd.DataFrame
    monthly: pd.DataFrame
    quarters: pd.DataFrame


@dataclass(frozen=True)
class QuarterFigures:
    """A quarter's figures from the records beside the report in force."""

    figures: report.ReportFigures
    compared: pd.DataFrame

    @property
    def differs(self) -> bool:
        """Whether a field of the records differs from the report (beyond its rounding)."""
        return bool(len(self.compared)) and not bool(self.compared["matches"].all())


@dataclass(frozen=True)
class PlantView:
    """The page of a plant: its records, the circuit shown (``circuit``: its record with
    ``definition`` and ``reconciliation``; None without circuits), the quarter compared with
    its report (None without records) and the waste target (%)."""

    site: Site
    can_write: bool
    records: PlantRecords
    circuit: dict[str, Any] | None
    quarter: QuarterFigures | None
    target_pct: float


def plant_version(session: Session, site: Site) -> tuple[Any, ...]:
    """The version of a plant's records: count and newest id of its circuits, accounts,
    closings and ledger lines (all append-only), and its newest report version."""
    parts: list[Any] = []
    for table in (PlantCircuit, MetalAccount, MetalAccountClosing, WasteEntry):
        parts += [select(func.count(table.id)).where(table.site_id == site.id)
                  .scalar_subquery(),
                  select(func.max(table.id)).where(table.site_id == site.id).scalar_subquery()]
    parts.append(select(func.max(ReportVersion.id))
                 .join(Report, Report.id == ReportVersion.report_id)
                 .where(Report.site_id == site.id).scalar_subquery())
    return tuple(session.execute(select(*parts)).one())


def site_view(session: Session, actor: Actor, site_code: str, circuit_id: int | None = None,
              quarter: str | None = None) -> PlantView:
    """The page of a plant. Its records and the quarter's figures are computed once per
    :func:`plant_version` (and quarter) and kept (:mod:`aurum.services.cache`).

    Parameters
    ----------
    circuit_id : int, optional
        Circuit version to show; the newest by default.
    quarter : str, optional
        Quarter (``YYYY-Qn``) to compare with its report; by default the newest complete
        one, else the newest with records.

    Raises
    ------
    NotFoundError
        A site the caller may not read, or a circuit of another site.
    """
    site = registry.get_site(session, actor, site_code)
    # Whoever may read the site sees the same records: the key is the site's, not the caller's.
    version = (cache.database_of(session), site.id, plant_version(session, site))
    records = cache.cached(("plant-records", *version),
                           lambda: _plant_records(session, actor, site.code))
    chosen = None
    if circuit_id is not None:
        chosen = circuit.get_circuit(session, actor, circuit_id)
        if chosen.site_id != site.id:
            raise NotFoundError(f"no circuit {circuit_id} at {site.code}")
    elif records.circuits:
        chosen = session.get(PlantCircuit, max(c["id"] for c in records.circuits))
    quarters = records.quarters
    complete = quarters.loc[quarters["complete"], "quarter"]
    quarter = quarter or (complete.iloc[0] if len(complete) else
                          quarters["quarter"].iloc[0] if len(quarters) else None)
    figures = None
    if quarter is not None:
        shown = quarter
        figures = cache.cached(("plant-quarter", *version, shown), lambda: QuarterFigures(
            report.report_figures(session, actor, site.code, shown),
            report.compare_with_report(session, actor, site.code, shown)))
    return PlantView(site, actor.can_write_site(site), records,
                     None if chosen is None else circuit_record(chosen) | {
                         "definition": chosen.definition,
                         "reconciliation": chosen.reconciliation},
                     figures, waste_target_pct())


def _plant_records(session: Session, actor: Actor, code: str) -> PlantRecords:
    return PlantRecords(
        account_table(session, actor, code), accounting.verify_closings(session, actor, code),
        [circuit_record(c) for c in circuit.circuits(session, actor, code)],
        waste.waste_ledger(session, actor, [code]).sort_values(
            ["period", "waste_type"], ascending=[False, True]),
        waste.waste_utilisation(session, actor, "plant", ("period",), [code]),
        record_quarters(session, actor, code))
