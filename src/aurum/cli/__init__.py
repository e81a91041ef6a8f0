"""Command line: ``aurum <domain> <verb>``. Thin: parse, call a domain or service, render.

Every command exits non-zero with one clear line per problem on bad input, and takes
``--format json`` where scripts consume its output.
"""

from __future__ import annotations

import click

from aurum.cli import common
from aurum.cli.db import db
from aurum.cli.demo import demo
from aurum.cli.kpi import kpi
from aurum.cli.ledger import ledger
from aurum.cli.pit import pit
from aurum.cli.processing import processing
from aurum.cli.prospect import prospect
from aurum.cli.resources import resources
from aurum.cli.safety import safety
from aurum.cli.seismic import seismic
from aurum.cli.sensors import sensors
from aurum.cli.serve import serve
from aurum.cli.user import user


@click.group(cls=common.AurumGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aurum")
def cli() -> None:
    """Aurum: the gold industry's enterprise tools and the regulator's monitor."""


for command in (db, demo, kpi, ledger, pit, processing, prospect, resources, safety, seismic,
                sensors, serve, user):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``aurum`` script."""
    cli()
