"""What the plant pages show: the view models of the plants index (:func:`index_view`) and of
a plant (:func:`site_view`), read from the plants' stored records (:mod:`.records`) — a page
view computes none of them. A plant whose records are not stored yet is shown as being
computed, and its computation is queued once (:func:`aurum.services.derived.pending`).

Units: t (ore, waste), g/t (grades), g (gold in accounts); rates are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError
from aurum.core.i18n import _
from aurum.industry.targets import load_targets
from aurum.processing import waste as rules
from aurum.services import cache, derived, jobs, registry, reporting
from aurum.services.auth import Actor, Role
from aurum.services.processing import circuit, records, report
from aurum.services.processing.records import PLANT_RECORDS, PlantRecords, circuit_record
from aurum.store.models import Organisation, PlantCircuit, Report, ReportVersion, Site

# --- view models of the pages -----------------------------------------------------------------

WASTE_INDICATOR = "solid_waste_utilisation_pct"
"""The plan indicator the waste utilisation rate is held to (35 % by 2027)."""
ROLLUP_ROLES = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Roles that see the plants index rolled up per enterprise."""


def waste_target_pct() -> float:
    """The plan's target for the solid-waste utilisation rate, %."""
    return load_targets().indicator(WASTE_INDICATOR).target


YEARLY_SUMS = ("enterprise", "plant", "year", *rules.TONNE_COLUMNS, "utilised_t",
               "closing_stock_t")
"""The columns of a plant's yearly ledger tonnages (t) that roll up to enterprises and the
nation (:func:`aurum.processing.waste.utilisation` sums them, then divides)."""


@dataclass(frozen=True)
class PlantsIndex:
    """The plants page.

    Attributes
    ----------
    plants : pandas.DataFrame
        Every visible plant with records, one row each: ``site, name, enterprise`` (code),
        ``enterprise_name, province``; ``last_month`` (latest month with an account),
        ``recovery`` (of that month's account in force, fraction), ``last_closed`` (latest
        month whose account in force is closed); ``year`` (latest year of the visible
        ledgers) with the site's ``generated_t``, ``utilised_t`` (t), ``utilisation_rate``
        and ``comprehensive_utilisation_rate`` (fractions) of that year; ``pending``, whether
        its records are being computed (its figures blank meanwhile). Empty text or NaN
        where a site has no such record.
    yearly : pandas.DataFrame
        The visible ledgers' utilisation by year (t; rates as fractions).
    target_pct : float
        The plan's target, %.
    enterprises : pandas.DataFrame or None
        For regulators, the latest year per enterprise (None for others).
    """

    plants: pd.DataFrame
    yearly: pd.DataFrame
    target_pct: float
    enterprises: pd.DataFrame | None

    @property
    def pending(self) -> list[str]:
        """The plants whose records are being computed."""
        return self.plants.loc[self.plants["pending"], "site"].tolist()


def index_view(session: Session, actor: Actor, queue: jobs.JobQueue) -> PlantsIndex:
    """The plants page of a caller, from the stored records of the visible plants
    (:func:`aurum.services.processing.records.summaries`), kept per scope and versions of
    those records (:mod:`aurum.services.cache`); the computation of those not stored yet is
    queued on ``queue``, once per plant and version."""
    sites = pd.DataFrame(session.execute(actor.where_visible(
        select(Site.id, Site.code.label("site"), Site.name,
               Organisation.code.label("enterprise"), Organisation.name.label("enterprise_name"),
               Site.province).join(Organisation, Organisation.id == Site.org_id)
        .order_by(Site.code))).all(),
        columns=["id", "site", "name", "enterprise", "enterprise_name", "province"])
    current, missing = records.stored(session, dict(zip(sites["id"], sites["site"],
                                                        strict=True)))
    for code in missing:
        derived.pending(session, actor, queue, PLANT_RECORDS, code)
    rollup = actor.role in ROLLUP_ROLES
    key = ("plants-index", cache.database_of(session), actor.org_ids, actor.province, rollup,
           tuple(sorted(current.items())), tuple(missing))
    return cache.cached(key, lambda: _index(
        sites.drop(columns="id").set_index("site"),
        records.summaries(session, sorted(set(current) - set(missing))), missing, rollup))


def _index(sites: pd.DataFrame, found: dict[str, dict[str, Any]], missing: list[str],
           rollup: bool) -> PlantsIndex:
    """The plants page from the visible sites (by code) and the stored summaries of those
    with records (:func:`aurum.services.processing.records.summaries`)."""
    per_year = pd.DataFrame([r for s in found.values() for r in s["yearly"]],
                            columns=list(YEARLY_SUMS))
    # The site's organisation now, as the ledger's own rows would name it.
    per_year["enterprise"] = per_year["plant"].map(sites["enterprise"])
    per_year = per_year.astype({c: float for c in YEARLY_SUMS[3:]})
    rates = rules.utilisation(per_year, "plant", ("year",))
    rates = rates[rates["year"] == rates["year"].max()].set_index("plant")
    summary = pd.DataFrame.from_dict(
        {code: {k: s[k] for k in ("last_month", "recovery", "last_closed")}
         for code, s in found.items()}, orient="index",
        columns=["last_month", "recovery", "last_closed"])
    shown = sorted(set(summary.index[summary["last_month"] != ""]) | set(rates.index)
                   | set(missing))
    plants = sites.loc[shown]
    plants["last_month"] = summary["last_month"].reindex(plants.index).fillna("")
    plants["recovery"] = summary["recovery"].reindex(plants.index).astype(float)
    plants["last_closed"] = summary["last_closed"].reindex(plants.index).fillna("")
    for col in ("year", "generated_t", "utilised_t", "utilisation_rate",
                "comprehensive_utilisation_rate"):
        plants[col] = rates[col].reindex(plants.index)
    plants["year"] = plants["year"].fillna("")
    plants["pending"] = plants.index.isin(missing)
    enterprises = None
    if rollup:
        rows = rules.utilisation(per_year, "enterprise", ("year",))
        latest = rows[rows["year"] == rows["year"].max()]
        enterprises = (latest.assign(enterprise_name=latest["enterprise"].map(
            sites.drop_duplicates("enterprise").set_index("enterprise")["enterprise_name"]))
            .sort_values("utilisation_rate"))
    return PlantsIndex(plants.rename_axis("site").reset_index(),
                       rules.utilisation(per_year, "nation", ("year",)), waste_target_pct(),
                       enterprises)


@dataclass(frozen=True)
class QuarterFigures:
    """A quarter's figures from the records beside the report in force."""

    figures: report.ReportFigures
    compared: pd.DataFrame

    @property
    def differs(self) -> bool:
        """Whether a field of the records differs from the report (beyond its rounding)."""
        return bool(len(self.compared)) and not bool(self.compared["matches"].all())


NO_RECORDS = PlantRecords(pd.DataFrame({"period": [], "recovery": [], "closed": []}), [], [],
                         pd.DataFrame(), pd.DataFrame(),
                         pd.DataFrame({"quarter": [], "complete": []}))
"""What a plant page shows of records not stored yet: none."""


@dataclass(frozen=True)
class PlantView:
    """The page of a plant: its stored records (None while they are being computed:
    ``pending`` is the job computing them), the circuit shown (``circuit``: its record with
    ``definition`` and ``reconciliation``; None without circuits), the quarter compared with
    its report (None without records) and the waste target (%)."""

    site: Site
    can_write: bool
    records: PlantRecords | None
    circuit: dict[str, Any] | None
    quarter: QuarterFigures | None
    target_pct: float
    pending: derived.Pending | None = None


def site_view(session: Session, actor: Actor, home: Path, queue: jobs.JobQueue,
              site_code: str, circuit_id: int | None = None, quarter: str | None = None
              ) -> PlantView:
    """The page of a plant, from its stored records (:data:`~aurum.services.processing.
    records.PLANT_RECORDS`); when they are not stored, their computation is queued on
    ``queue`` (once) and the view says how far it has got.

    Parameters
    ----------
    home : Path
        The data directory.
    circuit_id : int, optional
        Circuit version to show; the newest by default.
    quarter : str, optional
        Quarter (``YYYY-Qn``) to compare with its report; by default the newest complete
        one, else the newest with records. Its figures are summed from the stored records
        and compared with the report in force, kept per records and report version.

    Raises
    ------
    NotFoundError
        A site the caller may not read, or a circuit of another site.
    """
    site = registry.get_site(session, actor, site_code)
    kept = derived.read(session, home, PLANT_RECORDS, site.code)
    pending = None if kept is not None else derived.pending(session, actor, queue,
                                                            PLANT_RECORDS, site.code)
    chosen = None
    if circuit_id is not None:
        chosen = circuit.get_circuit(session, actor, circuit_id)
        if chosen.site_id != site.id:
            raise NotFoundError(_("no circuit %(id)s at %(site)s", id=circuit_id,
                                   site=site.code))
    elif kept is not None and kept.circuits:
        chosen = session.get(PlantCircuit, max(c["id"] for c in kept.circuits))
    figures = None
    if kept is not None:
        quarters = kept.quarters
        complete = quarters.loc[quarters["complete"], "quarter"]
        quarter = quarter or (complete.iloc[0] if len(complete) else
                              quarters["quarter"].iloc[0] if len(quarters) else None)
        if quarter is not None:
            figures = _quarter_figures(session, actor, site, kept, quarter)
    return PlantView(site, actor.can_write_site(site), kept,
                     None if chosen is None else circuit_record(chosen) | {
                         "definition": chosen.definition,
                         "reconciliation": chosen.reconciliation},
                     figures, waste_target_pct(), pending)


def _quarter_figures(session: Session, actor: Actor, site: Site, kept: PlantRecords,
                     quarter: str) -> QuarterFigures:
    """A quarter's figures summed from the stored records (a few milliseconds) beside the
    report in force: the comparison is kept per figures and newest report version of the
    site, so that a report amended since the records were stored is compared as it is."""
    figures = report.figures_of(site.code, report.reporting_period(quarter), kept.accounts,
                                kept.ledger)
    newest = session.scalar(select(func.max(ReportVersion.id))
                            .join(Report, Report.id == ReportVersion.report_id)
                            .where(Report.site_id == site.id))
    compared = cache.cached(
        ("plant-quarter-report", cache.database_of(session), site.id, newest, figures.period,
         tuple(sorted(figures.values.items()))),
        lambda: report.compared(figures, reporting.current_reports(session, actor,
                                                                   [site.code])))
    return QuarterFigures(figures, compared)
