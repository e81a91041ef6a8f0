"""``aurum demo``: the demo district."""

from __future__ import annotations

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, progress_bar
from aurum.core.i18n import _


@click.group(name="demo")
def demo() -> None:
    """The demo district (about 60 enterprises, 150 mines and plants, 2024-2026)."""


@demo.command("seed")
@click.option("--seed", "seed_value", default=2025, show_default=True,
              help="Generator seed; the same seed gives the same district.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds "
              "a registry (for 'make demo', which runs every time).")
@click.option("--database", "url", help="SQLAlchemy URL (default: the configured one).")
@FORMAT_OPTION
def seed(seed_value: int, if_empty: bool, url: str | None, fmt: str) -> None:
    """Generate the demo district and store it (migrating the database first)."""
    # Imported here: the command line loads a group's dependencies only when it is called.
    from aurum.demo import seed as demo_seed
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    if if_empty and demo_seed.read_logins(platform):
        click.echo(_("demo district already seeded"))
        return
    with progress_bar(_("seeding the demo district")) as advance:
        result = demo_seed.seed(platform, seed_value, advance)
    if fmt == "json":
        echo_json({"organisations": result.organisations, "sites": result.sites,
                   "reports": result.reports, "amendments": result.amendments,
                   "logins": sorted(result.logins)})
        return
    click.echo(_("seeded %(organisations)s organisations, %(sites)s sites, %(reports)s reports "
                 "and %(amendments)s amendments", organisations=result.organisations,
                 sites=result.sites, reports=result.reports, amendments=result.amendments))
    click.echo(_("an upload that the validation refuses: %(example)s",
                 example=result.rejected_example))
    if result.babbitt_example is not None:
        command = f"aurum resources estimate {result.babbitt_example / 'run.yaml'}"
        click.echo(_("real drillholes (Babbitt) ready to estimate: %(command)s",
                     command=command))
