"""A plant's records summed into the fields of its statistical report, compared with the
report in force and carried into it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import (
    ConflictError,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.core.periods import Period
from aurum.industry.reporting import WASTE_ROUTES, waste_column
from aurum.services import registry, reporting
from aurum.services.auth import Actor
from aurum.services.processing import accounting, waste
from aurum.services.processing.common import (
    SHARE_FIELDS,
)


@dataclass(frozen=True)
class ReportFigures:
    """What a plant's records give for one reporting period.

    Parameters
    ----------
    site : str
        Site code.
    period : str
        Reporting period (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``).
    values : dict
        Report field → value in its unit (t, g/t, kg).
    missing_accounts, missing_ledger : tuple of str
        Months of the period with no metal account, or no ledger line.
    """

    site: str
    period: str
    values: dict[str, float]
    missing_accounts: tuple[str, ...]
    missing_ledger: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every month of the period has its records."""
        return not self.missing_accounts and not self.missing_ledger


def reporting_period(text: str) -> Period:
    """A reporting period (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``) from its text.

    Raises
    ------
    ValidationError
        Text that names no period.
    """
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise ValidationError(Problem(str(exc), column="period")) from exc


def report_figures(session: Session, actor: Actor, site_code: str,
                   period: str) -> ReportFigures:
    """Sum a plant's monthly accounts and waste ledger into report fields
    (:func:`figures_of`)."""
    site = registry.get_site(session, actor, site_code)
    return figures_of(site.code, reporting_period(period),
                      accounting.accounts(session, actor, site.code),
                      waste.waste_ledger(session, actor, [site.code]))


def figures_of(site_code: str, period: Period, accounts: pd.DataFrame,
               ledger: pd.DataFrame) -> ReportFigures:
    """A plant's accounts and ledger lines summed into the report fields of a period.

    Ore treated (t) and gold by source (kg) are sums over the months; the head grade (g/t) is
    gold checked in over ore; waste per type: generated and utilised by route (t) are sums,
    the stock (t) is the opening stock of the first month.

    Parameters
    ----------
    accounts : pandas.DataFrame
        The plant's accounts in force (:func:`~aurum.services.processing.accounting.
        accounts`), any months.
    ledger : pandas.DataFrame
        Its ledger lines in force (:func:`~aurum.services.processing.waste.waste_ledger`).
    """
    months = [f"{period.year}-{m:02d}" for m in period.months]
    values: dict[str, float] = {}
    acc = accounts[accounts["period"].isin(months)] if not accounts.empty else accounts
    if not acc.empty:
        ore = float(acc["ore_treated_t"].sum())
        values["ore_treated_t"] = ore
        if ore > 0:
            values["head_grade_gpt"] = float(acc["check_in_g"].sum()) / ore
        for share, field in SHARE_FIELDS.items():
            kg = float((acc["products_g"] * acc[share]).sum()) / 1000.0
            if kg > 0:
                values[field] = kg
    ledger = ledger[ledger["period"].isin(months)]
    for wtype, rows in ledger.sort_values("period").groupby("waste_type", sort=True):
        values[waste_column(str(wtype), "generated_t")] = float(rows["generated_t"].sum())
        values[waste_column(str(wtype), "stock_t")] = float(rows["opening_stock_t"].iloc[0])
        for route in WASTE_ROUTES:
            values[waste_column(str(wtype), f"used_{route}_t")] = float(
                rows[f"utilised_{route}_t"].sum())
    have_acc = set(acc["period"]) if not acc.empty else set()
    return ReportFigures(site_code, period.label,
                         {k: round(v, 6) for k, v in values.items()},
                         tuple(m for m in months if m not in have_acc),
                         tuple(m for m in months if m not in set(ledger["period"])))


def compare_with_report(session: Session, actor: Actor, site_code: str,
                        period: str) -> pd.DataFrame:
    """The figures of a plant's records beside those of its report in force
    (:func:`compared`)."""
    figures = report_figures(session, actor, site_code, period)
    return compared(figures, reporting.current_reports(session, actor, [figures.site]))


def compared(figures: ReportFigures, reports: pd.DataFrame) -> pd.DataFrame:
    """Report figures of a plant's records beside those of its reports in force.

    Parameters
    ----------
    reports : pandas.DataFrame
        The plant's reports in force (:func:`aurum.services.reporting.current_reports`).

    Returns
    -------
    pandas.DataFrame
        ``field, unit, records, report, matches`` (values in the field's unit; ``report`` NaN
        when the report does not carry the field or there is no report).
    """
    row = reports[reports["period"] == figures.period]
    fields = reporting.reporting.FIELD_BY_NAME
    out = pd.DataFrame({"field": list(figures.values),
                        "unit": [fields[f].unit for f in figures.values],
                        "records": list(figures.values.values())})
    out["report"] = [float(row.iloc[0][f]) if not row.empty else np.nan for f in out["field"]]
    scale = np.maximum(np.abs(out["records"]), 1.0)
    # Reports carry 0.1 kg and 0.01 g/t: a difference within the report's rounding matches.
    tolerance = np.where(out["unit"] == "g/t", 0.005, 0.05 + 1e-9 * scale)
    out["matches"] = (out["records"] - out["report"]).abs() <= tolerance
    return out


def carry_into_report(session: Session, actor: Actor, site_code: str,
                      period: str) -> int:
    """Submit the figures of a plant's records as its report of the period.

    The report in force keeps its other fields; the account and ledger fields replace
    theirs. With no report yet, one is created with these fields.

    Returns
    -------
    int
        Id of the new report version.

    Raises
    ------
    ValidationError
        When a month of the period has no account or no ledger line.
    ConflictError
        When the report already carries these figures.
    """
    figures = report_figures(session, actor, site_code, period)
    if not figures.complete:
        gaps = [_("no metal account for %(months)s",
                  months=", ".join(figures.missing_accounts))
                if figures.missing_accounts else "",
                _("no waste ledger for %(months)s", months=", ".join(figures.missing_ledger))
                if figures.missing_ledger else ""]
        raise ValidationError(_("%(site)s %(period)s is not complete: %(gaps)s",
                                site=figures.site, period=figures.period,
                                gaps="; ".join(g for g in gaps if g)))
    compared = compare_with_report(session, actor, site_code, period)
    if compared["matches"].all():
        raise ConflictError(_("the report of %(site)s for %(period)s already carries the "
                              "figures of its records", site=figures.site,
                              period=figures.period))
    current = reporting.current_reports(session, actor, [figures.site])
    row = current[current["period"] == figures.period]
    values: dict[str, object] = {}
    if not row.empty:
        values = {k: v for k, v in row.iloc[0].items()
                  if k in reporting.reporting.FIELD_BY_NAME and pd.notna(v)}
    values.update(figures.values)
    # The reason is stored with the report's version: in the platform's language.
    with i18n.using(i18n.default_locale()):
        why = _("gold, ore and solid waste from the metal accounts and the waste ledger of "
                "%(period)s", period=figures.period)
    version = reporting.submit(session, actor, figures.site, figures.period, values,
                               reason=why if not row.empty else None)
    return version.id
