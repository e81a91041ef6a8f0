"""``aurum processing``: processing-plant metal accounting and the solid-waste ledger.

``reconcile`` works on a file alone; the other commands act on the platform's database as the
platform's own process (:data:`aurum.services.auth.SYSTEM`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, pad
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

# Domain and service modules are imported inside the verbs: they load numpy, pandas, SciPy
# and SQLAlchemy, which ``aurum processing --help`` and a verb on a file alone should not pay
# for.
if TYPE_CHECKING:
    import pandas as pd


@click.group(name="processing")
def processing() -> None:
    """Processing plants: mass and metal balances of a circuit."""


@processing.command("reconcile")
@click.argument("circuit", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--alpha", type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
              default=0.05, show_default=True,  # reconcile.ALPHA, which loads SciPy
              help="Significance level of the global test (gross-error detection).")
@click.option("--gross-errors/--no-gross-errors", "gross_errors", default=True,
              show_default=True, help="Remove suspect measurements by serial elimination.")
@FORMAT_OPTION
def reconcile_command(circuit: Path, alpha: float, gross_errors: bool, fmt: str) -> None:
    """Reconcile the masses (t) and assays (g/t) of CIRCUIT (YAML) so that every balance
    closes; print the adjusted values with their standard deviations, the global test and the
    measurements found to be gross errors."""
    from aurum.processing.circuit import read_circuit
    from aurum.processing.reconcile import reconcile

    result = reconcile(read_circuit(circuit), alpha=alpha, detect_gross_errors=gross_errors)
    if fmt == "json":
        echo_json(result.as_dict())
        return
    comps = result.components
    stream, mass, sd = _("stream"), _("mass t"), _("± sd")
    header = pad(stream, 24) + pad(mass, 14, right=True) + pad(sd, 12, right=True) + "".join(
        f"{c + ' g/t':>14}" + pad(sd, 12, right=True) for c in comps)
    click.echo(header)
    for j, name in enumerate(result.streams):
        cells = [f"{result.mass[j]:>14,.4f}{result.mass_sd[j]:>12,.4f}"]
        cells += [f"{result.assays[j, k]:>14,.4f}{result.assays_sd[j, k]:>12,.4f}"
                  for k in range(len(comps))]
        click.echo(f"{name:<24}" + "".join(cells))
    click.echo(_("global test: chi2 = %(chi2)s, dof = %(dof)s, p = %(p)s; largest relative "
                 "imbalance %(imbalance)s", chi2=format(result.chi2, ".4f"), dof=result.dof,
                 p=format(result.p_value, ".4f"),
                 imbalance=format(result.max_relative_imbalance, ".1e")))
    for g in result.gross_errors:
        click.echo(_("gross error: %(stream)s %(field)s measured %(value)s ± %(sd)s, estimated "
                     "%(estimate)s without it (MT statistic %(statistic)s; chi2 %(before)s -> "
                     "%(after)s)", stream=g.stream, field=g.field, value=format(g.value, ",.6g"),
                     sd=format(g.sd, ",.3g"), estimate=format(g.estimate, ",.6g"),
                     statistic=format(g.statistic, ".2f"), before=format(g.chi2_before, ".2f"),
                     after=format(g.chi2_after, ".2f")))
    if not result.gross_errors:
        click.echo(_("gross errors: none"))


@processing.command("cil")
@click.argument("run", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="RUN.yaml")
@FORMAT_OPTION
def cil_what_if(run: Path, fmt: str) -> None:
    """What-if of a CIL/CIP tank series: RUN.yaml holds `series` (volume_m3, carbon_g_l,
    cyanide_kg_h per tank; solids_t_h, solution_m3_h, carbon_t_h, feed_solids_gpt, ...),
    `kinetics` (leach_rate_per_h, residue_gpt, adsorption_rate_per_h, adsorption_constant,
    ...) and `scenarios` (name: changed series fields). Prints residence (h), dissolution and
    recovery, tails (g/t, mg/L), loaded carbon (g/t), soluble loss (g/h) and cyanide
    consumed (kg/t) of the base case and each scenario."""
    import yaml

    from aurum.processing.cil import what_if, what_if_from_mapping

    try:
        data = yaml.safe_load(run.read_text())
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(_("not valid YAML: %(error)s", error=exc),
                                      source=run.name)) from exc
    frame = what_if(*what_if_from_mapping(data, run.name))
    if fmt == "json":
        echo_json(frame.to_dict(orient="records"))
        return
    widths = (24, 12, 12, 12, 11, 11, 12, 11)
    heads = (_("scenario"), _("residence h"), _("dissolved %"), _("recovery %"), _("tails g/t"),
             _("tails mg/L"), _("carbon g/t"), _("NaCN kg/t"))
    click.echo("".join(pad(h, w, right=i > 0)
                       for i, (h, w) in enumerate(zip(heads, widths, strict=True))))
    for _index, r in frame.iterrows():
        click.echo(f"{r['scenario']:<24}{r['residence_h']:>12.1f}"
                   f"{100 * r['dissolution']:>12.2f}{100 * r['recovery']:>12.2f}"
                   f"{r['tails_solids_gpt']:>11.3f}{r['tails_solution_mg_l']:>11.4f}"
                   f"{r['loaded_carbon_gpt']:>12,.0f}{r['cyanide_consumed_kg_t']:>11.3f}")


def _read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem(_("not a readable CSV file: %(error)s", error=exc),
                                      source=path.name)) from exc


def _record(record: Callable[..., list[int]], path: Path, reason: str | None, url: str | None,
            fmt: str, recorded: str) -> None:
    """Record the rows of a CSV file with a service writer, in one transaction; ``recorded``
    is the line printed, translated, with the placeholders ``%(file)s`` and ``%(count)s``."""
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(url, migrate_to_head=True)
    with transaction(platform.sessions) as s:
        ids = record(s, SYSTEM, _read_csv(path), reason, path.name)
    if fmt == "json":
        echo_json({"file": path.name, "recorded": len(ids)})
        return
    click.echo(recorded % {"file": path.name, "count": len(ids)})


CSV_FILE = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                          metavar="FILE.csv")
REASON_OPTION = click.option("--reason", default=None,
                             help="Why: required to amend a closed month or correct a line.")


@processing.group("accounts")
def accounts_group() -> None:
    """Monthly metal accounts of plants (AMIRA P754): record, close, verify."""


@accounts_group.command("import")
@CSV_FILE
@REASON_OPTION
@DATABASE_OPTION
@FORMAT_OPTION
def accounts_import(path: Path, reason: str | None, url: str | None, fmt: str) -> None:
    """Record the metal accounts of FILE.csv (columns site, period YYYY-MM, ore_treated_t,
    head_grade_gpt, check_in_g, products_g, tailings_g, opening_g, closing_g, their
    <term>_sd_g, share_own_mine, share_associated, share_imported), all or nothing."""
    from aurum.services import processing as service

    _record(service.record_accounts, path, reason, url, fmt,
            _("%(file)s: %(count)s account(s) recorded"))


@accounts_group.command("close")
@click.argument("site")
@click.argument("months", nargs=-1, required=True, metavar="YYYY-MM...")
@DATABASE_OPTION
@FORMAT_OPTION
def accounts_close(site: str, months: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Close MONTHS of SITE: lock their accounts and extend the site's hash chain."""
    from aurum.services import processing as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(url, migrate_to_head=True)
    with transaction(platform.sessions) as s:
        closings = [(c.period, c.sha256) for c in service.close_months(s, SYSTEM, site,
                                                                        months)]
    if fmt == "json":
        echo_json({"site": site, "closed": [{"period": p, "sha256": h} for p, h in closings]})
        return
    for period, digest in closings:
        click.echo(_("%(site)s %(period)s closed: sha256 %(digest)s", site=site, period=period,
                     digest=digest))


@accounts_group.command("verify")
@click.argument("site")
@DATABASE_OPTION
@FORMAT_OPTION
def accounts_verify(site: str, url: str | None, fmt: str) -> None:
    """Recompute the hash chain of SITE's closed months; exit 1 when a link is broken."""
    from aurum.services import processing as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    with platform.sessions() as s:
        broken = service.verify_closings(s, SYSTEM, site)
    if fmt == "json":
        echo_json({"site": site, "ok": not broken, "broken": broken})
    else:
        for line in broken:
            click.echo(_("broken: %(line)s", line=line))
        if not broken:
            click.echo(_("%(site)s: every closed month matches its closing", site=site))
    if broken:
        raise SystemExit(1)


@processing.group("waste")
def waste_group() -> None:
    """The solid-waste ledger: record lines, utilisation rates."""


@waste_group.command("import")
@CSV_FILE
@REASON_OPTION
@DATABASE_OPTION
@FORMAT_OPTION
def waste_import(path: Path, reason: str | None, url: str | None, fmt: str) -> None:
    """Append the lines of FILE.csv to the waste ledger (columns plant, period YYYY-MM,
    waste_type, generated_t, opening_stock_t (blank: the month before's closing stock),
    utilised_<route>_t, utilised_from_stock_t, disposed_t, detox_status), all or nothing."""
    from aurum.services import processing as service

    _record(service.record_waste, path, reason, url, fmt,
            _("%(file)s: %(count)s ledger line(s) recorded"))


@waste_group.command("utilisation")
@click.option("--level", type=click.Choice(["plant", "enterprise", "nation"]),
              default="nation", show_default=True)
@click.option("--by", type=click.Choice(["year", "period", "waste_type", "none"]),
              default="year", show_default=True, help="Further grouping (period = month).")
@click.option("--site", "sites", multiple=True, help="Only these sites (repeatable).")
@DATABASE_OPTION
@FORMAT_OPTION
def waste_utilisation(level: str, by: str, sites: tuple[str, ...], url: str | None,
                      fmt: str) -> None:
    """Waste generated and utilised (t) and the utilisation rates: utilised / generated (the
    plan's 35 % indicator) and utilised / (generated + utilised from stock)."""
    from aurum.services import processing as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    with platform.sessions() as s:
        frame = service.waste_utilisation(s, SYSTEM, level, () if by == "none" else (by,),
                                          list(sites) or None)
    if fmt == "json":
        echo_json(frame.to_dict(orient="records"))
        return
    keys = [c for c in frame.columns if c in ("enterprise", "plant", by)]
    click.echo("".join(f"{k:<14}" for k in keys) + pad(_("generated t"), 16, right=True)
               + pad(_("utilised t"), 16, right=True) + pad(_("rate %"), 9, right=True)
               + pad(_("comprehensive %"), 17, right=True))
    for _index, r in frame.iterrows():
        click.echo("".join(f"{r[k]!s:<14}" for k in keys)
                   + f"{r['generated_t']:>16,.0f}{r['utilised_t']:>16,.0f}"
                   f"{100 * r['utilisation_rate']:>9.1f}"
                   f"{100 * r['comprehensive_utilisation_rate']:>17.1f}")


@processing.command("report")
@click.argument("site")
@click.argument("period")
@click.option("--carry", is_flag=True,
              help="Submit the figures as the site's report of PERIOD (amends the one in force).")
@DATABASE_OPTION
@FORMAT_OPTION
def report(site: str, period: str, carry: bool, url: str | None, fmt: str) -> None:
    """Sum SITE's monthly accounts and waste ledger over PERIOD (YYYY-Qn, YYYY-MM or YYYY)
    into statistical-report fields, beside the report in force."""
    from aurum.services import processing as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(url, migrate_to_head=True)
    version_id = None
    if carry:
        with transaction(platform.sessions) as s:
            version_id = service.carry_into_report(s, SYSTEM, site, period)
    with platform.sessions() as s:
        compared = service.compare_with_report(s, SYSTEM, site, period)
    if fmt == "json":
        echo_json({"site": site, "period": period, "report_version_id": version_id,
                   "fields": compared.to_dict(orient="records")})
        return
    click.echo(pad(_("field"), 44) + pad(_("records"), 16, right=True)
               + pad(_("report"), 16, right=True) + "  " + _("unit"))
    differs = "  " + _("differs")
    for _index, r in compared.iterrows():
        flag = "" if r["matches"] else differs
        click.echo(f"{r['field']:<44}{r['records']:>16,.2f}{r['report']:>16,.2f}  "
                   f"{r['unit']}{flag}")
    if version_id is not None:
        click.echo(_("carried into the report of %(period)s (version id %(version)s)",
                     period=period, version=version_id))
