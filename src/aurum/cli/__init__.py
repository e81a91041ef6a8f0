"""Command line: ``aurum <domain> <verb>``. Thin: parse, call a domain or service, render.

A group is named after the domain package and service it fronts (``aurum recycling`` for
:mod:`aurum.recycling` and :mod:`aurum.services.recycling`); the names scripts have used since
the first release (``aurum ledger``, ``aurum pit``) answer too.

Every command exits non-zero with one clear line per problem on bad input, and takes
``--format json`` where scripts consume its output.
"""

from __future__ import annotations

import click

from aurum.cli import common
from aurum.cli.db import db
from aurum.cli.demo import demo
from aurum.cli.kpi import kpi
from aurum.cli.planning import planning
from aurum.cli.processing import processing
from aurum.cli.prospect import prospect
from aurum.cli.recycling import recycling_group
from aurum.cli.resources import resources
from aurum.cli.safety import safety
from aurum.cli.seismic import seismic
from aurum.cli.sensors import sensors
from aurum.cli.serve import serve
from aurum.cli.user import user

ALIASES = {"ledger": "recycling", "pit": "planning"}
"""Names scripts call a group by (the contract) → the group's name."""


@click.group(cls=common.AurumGroup, aliases=ALIASES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aurum")
def cli() -> None:
    """Aurum: the gold industry's enterprise tools and the regulator's monitor."""


for command in (db, demo, kpi, planning, processing, prospect, recycling_group, resources,
                safety, seismic, sensors, serve, user):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``aurum`` script."""
    cli()
