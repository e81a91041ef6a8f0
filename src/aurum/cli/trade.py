"""``aurum trade``: customs import statistics and the concentration of import sources.

Contract relied on by scripts:

- ``aurum trade import-customs FILE [--format json]`` stores a customs statistics file (CSV
  or xlsx: ``hs_code, partner, customs_district, month, quantity_kg, value_usd|value_cny
  [, gold_kg]``) as the platform process, whole or not at all, and prints ``{"batch",
  "file", "rows", "currency", "first_month", "last_month", "risk"}``; a bad file prints one
  line per problem (file, row, column) and exits 2;
- ``aurum trade concentration [--year Y] [--format json]`` prints ``{"scale", "bands",
  "periods": [{"period", "kind", "commodity", "basis", "partners", "hhi",
  "top3_share_pct", "top_partner", "top_partner_share_pct"}], "risk"}`` from the stored
  analysis: every year, or year Y and its months. HHI on shares in %, 0-10,000; ``basis``
  ``gold_kg`` (contained gold) or ``value``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, echo_table
from aurum.core.i18n import _

PERIOD_KEYS = ("period", "kind", "commodity", "basis", "partners", "hhi", "top3_share_pct",
               "top_partner", "top_partner_share_pct")


@click.group(name="trade")
def trade() -> None:
    """Supply security: customs import statistics, the concentration of import sources."""


@trade.command("import-customs")
@click.argument("customs_file", metavar="FILE",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DATABASE_OPTION
@FORMAT_OPTION
def import_customs(customs_file: Path, url: str | None, fmt: str) -> None:
    """Store a customs statistics FILE (CSV or xlsx) of HS 2616.90 and 7108 imports by
    partner (ISO 3166-1 alpha-2), customs district and month, and recompute the analysis."""
    # Imported here: the command line loads a group's dependencies only when it is called.
    from aurum.core.errors import Problem, ValidationError
    from aurum.core.tables import MAX_UPLOAD_BYTES
    from aurum.services import trade as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    if customs_file.stat().st_size > MAX_UPLOAD_BYTES:
        raise ValidationError(Problem(_("the file is larger than %(n)s MiB",
                                        n=MAX_UPLOAD_BYTES // 2**20), source=customs_file.name))
    platform = Platform.open(url)
    with transaction(platform.sessions) as session:
        batch = service.import_customs(session, SYSTEM, customs_file.read_bytes(),
                                       customs_file.name)
        months = service.batch_months(session, batch.id)
        analysis = service.latest_analysis(session, SYSTEM)
        risk = analysis.risk if analysis else None
        result = {"batch": batch.id, "file": batch.filename, "rows": batch.rows,
                  "currency": batch.currency, "first_month": months[0],
                  "last_month": months[1], "risk": risk}
    if fmt == "json":
        echo_json(result)
        return
    click.echo(_("stored %(rows)s rows of %(file)s (%(first)s to %(last)s, values in "
                 "%(currency)s)", rows=result["rows"], file=result["file"],
                 first=months[0], last=months[1], currency=result["currency"]))
    _echo_risk(risk)


@trade.command("concentration")
@click.option("--year", type=click.IntRange(2000, 2035), default=None,
              help="One year and its months (default: every year).")
@DATABASE_OPTION
@FORMAT_OPTION
def concentration(year: int | None, url: str | None, fmt: str) -> None:
    """HHI (shares in %, 0-10,000) and top-3 share of import partners per period and
    commodity (ore: HS 2616.90, gold: HS 7108, all), from the stored analysis."""
    from aurum.services import trade as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform

    platform = Platform.open(url)
    with platform.sessions() as session:
        years = service.concentration_table(session, SYSTEM, "year", year)
        months = (service.concentration_table(session, SYSTEM, "month", year)
                  if year is not None else years.iloc[0:0])
        analysis = service.latest_analysis(session, SYSTEM)
        risk = analysis.risk if analysis else None
    periods = [{k: row[k] for k in PERIOD_KEYS}
               for row in [*years.to_dict("records"), *months.to_dict("records")]]
    if fmt == "json":
        echo_json({"scale": "HHI on shares in %, 0-10,000",
                   "bands": {"low_below": 1500, "high_above": 2500}, "periods": periods,
                   "risk": risk})
        return
    header = (_("period"), _("commodity"), _("basis"), _("partners"), _("HHI"),
              _("top-3 %"), _("largest"))
    rows = [header] + [(p["period"], p["commodity"], p["basis"], str(p["partners"]),
                        f"{p['hhi']:.0f}", f"{p['top3_share_pct']:.1f}",
                        f"{p['top_partner']} {p['top_partner_share_pct']:.1f} %")
                       for p in periods]
    echo_table(rows, right=lambda i: i in (3, 4, 5))
    _echo_risk(risk)


def _echo_risk(risk: dict[str, Any] | None) -> None:
    if risk is None:
        click.echo(_("no supply-risk indicator yet: no imports stored"))
        return
    click.echo(_("supply risk %(year)s: %(level)s (HHI %(hhi)s; below 1,500 low, above 2,500 "
                 "high: US DOJ/FTC Horizontal Merger Guidelines 2010)", year=risk["year"],
                 level=risk["level"], hhi=f"{risk['hhi']:.0f}"))
