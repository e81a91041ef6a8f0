"""The regulator's monitor: the plan's indicators, roll-ups, concentration, compliance and
data quality, computed from the stored reports with the same engine as ``aurum kpi``.

Everything is computed over what the caller may read: a national regulator sees the nation,
a provincial regulator its province, an enterprise its own organisation.

Every view is as of a day of the reporting calendar (``today``, the current Beijing day unless
given): by default it shows the latest complete year, compares the running year to date over
the months whose reports are due, and counts a report missing only after its due date (the
calendar of :mod:`aurum.industry.reporting`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum.core.checks import YEARS
from aurum.core.config import report_review
from aurum.core.i18n import _, lazy_gettext
from aurum.industry import aggregate, kpi, quality
from aurum.industry.kpi import Concentration, IndicatorReport
from aurum.industry.reporting import last_complete_year, months_due, reporting_day
from aurum.industry.targets import load_targets
from aurum.services import cache, reporting, trade
from aurum.services.auth import Actor
from aurum.services.registry import get_organisation
from aurum.store.frames import frame_of
from aurum.store.models import Organisation, Report, ReportVersion, Site, User


@dataclass(frozen=True)
class YearToDate:
    """A partial year compared like for like with the same months of earlier years."""

    year: int
    months: int
    report: IndicatorReport


SHORT_NAMES = {"gold_resources_growth_pct": lazy_gettext("resources growth %"),
               "gold_output_growth_pct": lazy_gettext("gold growth %"),
               "silver_output_growth_pct": lazy_gettext("silver growth %"),
               "large_mine_output_share_pct": lazy_gettext("large-mine share %"),
               "solid_waste_utilisation_pct": lazy_gettext("waste utilisation %")}
"""Each plan indicator's short column heading on the pages' tables (in the reader's language
when shown)."""

INDICATOR_COLUMNS = [(i, SHORT_NAMES[i], "n1") for i in kpi.INDICATOR_IDS]
"""The pages' indicator columns: (indicator id, heading, number format)."""


@dataclass
class Monitor:
    """Everything the dashboard shows, for one caller and one as-of year."""

    scope: str
    as_of: int
    report: IndicatorReport
    ytd: YearToDate | None
    provinces: pd.DataFrame
    groups: pd.DataFrame
    concentration: Concentration
    compliance: pd.DataFrame
    annual: pd.DataFrame = field(repr=False)
    resources_by_category: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    """The resources indicator's quantity by GB/T 17766 category and year, from the baseline
    to the as-of year (:func:`aurum.industry.aggregate.resources_by_category`), t."""
    supply_risk: dict[str, Any] | None = field(default=None, repr=False)
    """The import-source supply-risk indicator beside the plan's
    (:func:`aurum.services.trade.supply_risk_card`), None without statistics or for a caller
    who does not read them."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope, **self.report.as_dict(),
            "year_to_date": None if self.ytd is None else {
                "year": self.ytd.year, "months": self.ytd.months,
                "indicators": self.ytd.report.as_dict()["indicators"]},
            "concentration": self.concentration.as_dict(),
        }

    @property
    def years(self) -> list[int]:
        """Years with at least one stored report, ascending (the dashboard's year picker)."""
        return [] if self.annual.empty else sorted(int(y) for y in self.annual["year"].unique())

    @property
    def below_floor(self) -> int:
        """How many compliance rows have a capacity below the plan's floor."""
        if "status" not in self.compliance.columns:
            return 0
        return int((self.compliance["status"] == "below_floor").sum())


def scope_label(session: Session, actor: Actor) -> str:
    """What the caller's figures cover, in words (in the current language; a province by its
    stored English name, which pages show in the reader's language)."""
    if actor.province is not None:
        return actor.province
    if actor.org_ids is None:
        return _("National")
    user = session.get(User, actor.user_id)
    org = session.get(Organisation, user.org_id) if user and user.org_id else None
    return org.name if org else _("Own organisation")


def _inputs(session: Session, actor: Actor | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    # The versions that count: the latest accepted one when the review is on.
    return (reporting.current_reports(session, actor, counted=True),
            reporting.registry_frame(session, actor))


def _annual(reports: pd.DataFrame, sites: pd.DataFrame, months: range | None = None
            ) -> pd.DataFrame:
    if reports.empty or sites.empty:
        return pd.DataFrame(columns=[*kpi.KPI_COLUMNS, "group", "months_covered"])
    return aggregate.annual_site_rows(reports, sites, months)


def kpi_frame(session: Session, actor: Actor | None, months: range | None = None
              ) -> pd.DataFrame:
    """Annual site rows (the ``aurum kpi`` CSV layout) from the versions that count.

    Parameters
    ----------
    months : range, optional
        Restrict to reports within these months of each year (like-for-like year to date).
    """
    return _annual(*_inputs(session, actor), months)


def export_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The annual rows with exactly the columns of ``aurum kpi --reports``."""
    return frame[list(kpi.KPI_COLUMNS)].sort_values(["year", "site"], ignore_index=True)


def default_as_of(annual: pd.DataFrame, today: date) -> int:
    """The latest complete year: a year from the baseline on whose reports are all due by
    ``today`` and which at least one site reported in full; else the baseline year.

    A year some sites reported early (or in part) is not complete, so it never becomes the
    default for everyone.

    Parameters
    ----------
    annual : pandas.DataFrame
        Annual site rows with ``months_covered``.
    today : date
        Day of the reporting calendar.
    """
    baseline = load_targets().baseline_year
    years = annual.loc[annual["months_covered"] >= 12, "year"]
    complete = years[years.between(baseline, last_complete_year(today))]
    return int(complete.max()) if not complete.empty else baseline


def build(session: Session, actor: Actor, as_of: int | None = None,
          today: date | None = None) -> Monitor:
    """Compute the monitor for a caller (see module docstring).

    Results are kept per scope, as-of year and day until the next write of data (the
    version of :func:`aurum.services.cache.view_version`) in the cache of view models
    (:mod:`aurum.services.cache`), so a dashboard under load does not recompute what has not
    changed.

    Parameters
    ----------
    as_of : int, optional
        Year to show; the latest complete year (:func:`default_as_of`) by default.
    today : date, optional
        Day of the reporting calendar; the current one by default.

    Raises
    ------
    ValidationError
        When ``as_of`` is outside :data:`aurum.core.checks.YEARS`, before the baseline year or
        after the latest year the caller's data reports.
    """
    if as_of is not None:
        YEARS.check("as_of", as_of)
    day = today or reporting_day()
    return cache.cached(cache.scope_key(session, actor, "monitor", as_of, day,
                                        report_review()),
                        lambda: _compute(session, actor, as_of, day))


@dataclass(frozen=True)
class ScopeData:
    """What the pages of reports and indicators read, over one caller's scope: the current
    reports (:func:`aurum.services.reporting.current_reports`), the sites
    (:func:`aurum.services.reporting.registry_frame`) and the annual site rows
    (:func:`kpi_frame`). Shared by every page: read-only."""

    reports: pd.DataFrame
    sites: pd.DataFrame
    annual: pd.DataFrame


def scope_data(session: Session, actor: Actor) -> ScopeData:
    """The caller's reports, sites and annual site rows, read and aggregated once per data
    version (:func:`aurum.services.cache.scope_key`) for every page of a scope."""
    def read() -> ScopeData:
        reports, sites = _inputs(session, actor)
        return ScopeData(reports, sites, _annual(reports, sites))

    return cache.cached(cache.scope_key(session, actor, "scope-data", report_review()), read)


def _compute(session: Session, actor: Actor, as_of: int | None, today: date) -> Monitor:
    data = scope_data(session, actor)
    reports, sites, annual = data.reports, data.sites, data.annual
    year = default_as_of(annual, today) if as_of is None else as_of
    report = kpi.compute_indicators(annual, year)
    ytd = _year_to_date(reports, sites, year, today)
    plants = sites[sites["kind"] == "plant"] if not sites.empty else sites
    compliance = (kpi.plant_scale_compliance(plants, include_compliant=True)
                  if not plants.empty else pd.DataFrame())
    return Monitor(
        scope=scope_label(session, actor), as_of=year, report=report, ytd=ytd,
        provinces=kpi.rollup(annual, year, "province"),
        groups=kpi.rollup(annual, year, "group"),
        concentration=kpi.concentration(annual, year, "group"),
        compliance=compliance, annual=annual,
        resources_by_category=_resource_years(annual, report.baseline_year, year),
        supply_risk=trade.supply_risk_card(session, actor))


def _resource_years(annual: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The resources by category of the indicator's years ``first`` to ``last``."""
    table = aggregate.resources_by_category(annual)
    return table[table["year"].between(first, last)].reset_index(drop=True)


def _year_to_date(reports: pd.DataFrame, sites: pd.DataFrame, as_of: int, today: date
                  ) -> YearToDate | None:
    """The latest year after ``as_of`` against the same months of earlier years, from January
    to the last month of a report that is due; None when there is no such partial year.

    Only reports already due count: a period some sites reported before its due date would
    compare part of the industry with all of it.
    """
    if reports.empty or sites.empty:
        return None
    periods = aggregate.period_table(reports["period"])
    due_by_year = {year: months_due(year, today) for year in periods["year"].unique().tolist()}
    due = periods[periods["last_month"] <= periods["year"].map(due_by_year)]
    if due.empty:
        return None
    latest = int(due["year"].max())
    months = int(due.loc[due["year"] == latest, "last_month"].max())
    if latest <= as_of or months >= 12:
        return None
    frame = _annual(reports, sites, range(1, months + 1))
    return YearToDate(latest, months, kpi.compute_indicators(frame, latest))


def data_quality(session: Session, actor: Actor, today: date | None = None
                 ) -> dict[str, pd.DataFrame]:
    """Late and missing reports within the caller's scope.

    Parameters
    ----------
    today : date, optional
        Day of the reporting calendar (the current one by default): a report is missing
        only once its due date has passed.
    """
    first = (select(Report.id, Site.code.label("site"), Report.period,
                    func.min(ReportVersion.submitted_at).label("first_submitted_at"))
             .join(ReportVersion, ReportVersion.report_id == Report.id)
             .join(Site, Site.id == Report.site_id)
             .group_by(Report.id, Site.code, Report.period))
    first = actor.where_visible(first)
    reports = frame_of(session, first)
    sites = reporting.registry_frame(session, actor)
    return {"late": quality.late_reports(reports),
            "missing": quality.missing_quarters(reports, sites, today or reporting_day())
            if not sites.empty
            else pd.DataFrame(columns=["site", "period"])}


@dataclass(frozen=True)
class QualityView:
    """The data-quality page: late and missing reports, and the late ones per period."""

    late: pd.DataFrame
    missing: pd.DataFrame
    late_per_period: pd.Series


def quality_view(session: Session, actor: Actor) -> QualityView:
    """Late and missing reports within the caller's scope, on the current reporting day,
    with the number of late reports per period (in period order); kept per data version and
    day (:func:`aurum.services.cache.scope_key`)."""
    day = reporting_day()

    def compute() -> QualityView:
        tables = data_quality(session, actor, day)
        late = tables["late"]
        per_period = (pd.Series(dtype=int) if late.empty
                      else late["period"].value_counts().sort_index())
        return QualityView(late, tables["missing"], per_period)

    return cache.cached(cache.scope_key(session, actor, "quality", day), compute)


def received_reports(session: Session, actor: Actor, site: str | None = None
                     ) -> reporting.ReceivedReports:
    """The reports page's view (:func:`aurum.services.reporting.received_reports`), kept per
    data version (:func:`aurum.services.cache.scope_key`) and role (whether the caller files
    reports)."""
    return cache.cached(cache.scope_key(session, actor, "received-reports", site, actor.role),
                        lambda: reporting.received_reports(session, actor, site))


@dataclass
class EnterpriseView:
    """An enterprise (or group) with its sites and its own indicators."""

    organisation: Organisation
    members: list[Organisation]
    sites: pd.DataFrame
    annual: pd.DataFrame
    report: IndicatorReport

    @property
    def gold_t_by_site(self) -> pd.DataFrame:
        """Gold output per year (``year``) with one column per site, t; empty without
        reports."""
        if self.annual.empty:
            return pd.DataFrame()
        by_site = self.annual.pivot_table(index="year", columns="site", values="gold_kg",
                                          aggfunc="sum").reset_index()
        return by_site.assign(**{c: by_site[c] / 1000 for c in by_site.columns if c != "year"})


def enterprise_view(session: Session, actor: Actor, code: str, as_of: int | None = None,
                    today: date | None = None) -> EnterpriseView:
    """An organisation the caller may read, its sites (with members' for a group) and the
    plan's indicators over them, as of ``as_of`` (the latest complete year on ``today`` by
    default)."""
    org = get_organisation(session, actor, code)
    members = list(session.scalars(select(Organisation).where(Organisation.parent_id == org.id)
                                   .order_by(Organisation.name)))
    codes = frozenset({org.code, *(m.code for m in members)})
    day = today or reporting_day()

    def figures() -> tuple[pd.DataFrame, pd.DataFrame, IndicatorReport]:
        data = scope_data(session, actor)
        sites = data.sites
        sites = sites[sites["enterprise_code"].isin(codes)] if not sites.empty else sites
        annual = data.annual
        annual = annual[annual["site"].isin(sites["site"])] if not sites.empty else annual
        year = default_as_of(annual, day) if as_of is None else as_of
        return sites, annual, kpi.compute_indicators(annual, year)

    # The organisation and its members are read each time (live rows of this session); the
    # frames and indicators are kept per data version.
    key = cache.scope_key(session, actor, "enterprise", codes, as_of, day, report_review())
    return EnterpriseView(org, members, *cache.cached(key, figures))


def site_series(session: Session, actor: Actor, code: str) -> pd.DataFrame:
    """The current reports of one site in period order with the indicator quantities."""
    reports = scope_data(session, actor).reports
    if not reports.empty:
        reports = reports[reports["site"] == code].reset_index(drop=True)
    if reports.empty:
        return reports
    q = aggregate.report_quantities(reports)
    extra = reports.drop(columns=[c for c in q.columns if c in reports.columns])
    return pd.concat([q, extra], axis=1).sort_values(["year", "first_month", "last_month"],
                                                     ignore_index=True)
