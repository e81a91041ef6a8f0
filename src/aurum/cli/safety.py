"""``aurum safety``: hazard clearing statistics from a file of hazards.

Contract relied on by scripts: ``aurum safety status --hazards HAZARDS.csv --as-of DATE
[--format json]``; JSON output is :func:`aurum.safety.stats.clearing_summary`. No server or
database; nothing is written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, echo_table
from aurum.core.i18n import _


@click.group(name="safety")
def safety() -> None:
    """Safety oversight: the hazard register's clearing statistics."""


@safety.command("status")
@click.option("--hazards", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True,
              help="CSV of hazards: id, site, province, level (general|major), reported_on, "
                   "deadline, closed_on (empty while open) [, enterprise]; dates YYYY-MM-DD.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              metavar="DATE", help="Day of the statistics (YYYY-MM-DD).")
@FORMAT_OPTION
def status(hazards: Path, as_of: datetime, fmt: str) -> None:
    """Open and overdue hazards, nationally and per province (overdue = open, deadline
    before DATE); the target is no open major hazard past its deadline."""
    # Imported here: the statistics need pandas, which ``aurum safety --help`` should not load.
    from aurum.safety.stats import clearing_summary, read_hazards_csv

    summary = clearing_summary(read_hazards_csv(hazards), as_of.date())
    if fmt == "json":
        echo_json(summary)
        return
    median = summary["median_days_to_close"]
    met = _("met") if summary["overdue_major"] == 0 else _("NOT met")
    click.echo(_("Hazards as of %(day)s: %(open_major)s major open (%(overdue_major)s overdue), "
                 "%(open_general)s general open (%(overdue_general)s overdue); median days to "
                 "close: %(median)s", day=as_of.date().isoformat(),
                 median=_("n/a") if median is None else f"{median:g}",
                 **{k: summary[k] for k in ("open_major", "overdue_major", "open_general",
                                            "overdue_general")}))
    click.echo(_("Open major hazards past deadline: %(overdue)s (target 0, %(met)s)",
                 overdue=summary["overdue_major"], met=met))
    header = (_("province"), _("major open"), _("major overdue"), _("general open"),
              _("general overdue"))
    rows = [header] + [(p, *(str(f[k]) for k in ("open_major", "overdue_major", "open_general",
                                                   "overdue_general")))
                       for p, f in summary["by_province"].items()]
    click.echo("")
    echo_table(rows, right=lambda i: i > 0)
