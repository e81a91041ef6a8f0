"""``aurum kpi``: the plan's 2027 indicators from a file of annual site rows.

Contract relied on by scripts: ``aurum kpi --reports FILE.csv --as-of YEAR [--format json]``;
JSON output is :meth:`aurum.industry.kpi.IndicatorReport.as_dict`. No server or database.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, pad, width
from aurum.core.checks import FIRST_YEAR, LAST_YEAR
from aurum.core.i18n import _
from aurum.core.units import KG_PER_T

if TYPE_CHECKING:
    from aurum.industry.kpi import IndicatorReport
    from aurum.industry.targets import PlanTargets


def _header() -> tuple[str, ...]:
    """The table's column headers, in the current language."""
    return (_("indicator"), _("baseline"), _("current"), _("value %"), _("target %"),
            _("2027 proj. %"), _("gap"), _("status"))


@click.command(name="kpi")
@click.option("--reports", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True,
              help="CSV (or .xlsx) of annual site rows: year, enterprise, province, site, "
                   "site_type, daily_capacity_t, ore_treated_t, gold_kg, silver_kg, "
                   "gold_resources_t, solid_waste_generated_t, solid_waste_utilised_t "
                   "[, group]. Empty cells mean not reported.")
@click.option("--as-of", "as_of", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True,
              metavar="YEAR",
              help="Year to report: from the baseline year 2024 to the latest year in the file.")
@FORMAT_OPTION
def kpi(reports: Path, as_of: int, fmt: str) -> None:
    """The plan's five 2027 indicators, projected to 2027, with status and gap."""
    # Imported here: the indicators need pandas, which ``aurum kpi --help`` should not load.
    from aurum.industry.kpi import compute_indicators, read_kpi_csv
    from aurum.industry.targets import load_targets

    plan = load_targets()
    report = compute_indicators(read_kpi_csv(reports), as_of, plan)
    if fmt == "json":
        echo_json(report.as_dict())
        return
    reported_kg = report.indicator("gold_output_growth_pct").baseline
    reported = _("n/a") if reported_kg is None else f"{reported_kg / KG_PER_T:,.1f} t"
    click.echo(_table(report, plan))
    click.echo("\n" + _("Gold reported for %(year)s: %(reported)s; published national mine "
                        "output: %(published)s t.", year=plan.baseline_year, reported=reported,
                        published=format(plan.published_mine_gold_output_t, ",.0f")))
    click.echo(_("Targets: %(title)s, %(document)s (targets version %(version)s).",
                 title=plan.title, document=plan.document, version=plan.version))


def _table(report: IndicatorReport, plan: PlanTargets) -> str:
    header = _header()
    rows = [header]
    for r in report.indicators:
        target = f"{r.target:g}" + (f"-{r.target_max:g}" if r.target_max is not None else "")
        gap = _("n/a") if r.gap is None else f"{r.gap:,.2f} {r.gap_unit}"
        rows.append((r.label, _quantity(r.baseline, r.quantity_unit),
                     _quantity(r.current, r.quantity_unit), _number(r.value), target,
                     _number(r.projection_2027), gap, r.status.value))
    widths = [max(width(row[i]) for row in rows) for i in range(len(header))]
    lines = [_("Indicators %(year)s against %(baseline)s, targets for %(target)s",
               year=report.as_of, baseline=report.baseline_year, target=plan.target_year), ""]
    lines += ["  ".join(pad(cell, w, right=i not in (0, len(widths) - 1))
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
              for row in rows]
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return _("n/a") if value is None else f"{value:,.2f}"


def _quantity(value: float | None, unit: str) -> str:
    return _("n/a") if value is None else f"{value:,.2f} {unit}"
