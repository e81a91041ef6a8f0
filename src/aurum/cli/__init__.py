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
from aurum.core import i18n

COMMANDS = {
    "briefings": "aurum.cli.briefings:briefings_group",
    "db": "aurum.cli.db:db",
    "demo": "aurum.cli.demo:demo",
    "jobs": "aurum.cli.jobs:jobs_group",
    "kpi": "aurum.cli.kpi:kpi",
    "materials": "aurum.cli.materials:materials",
    "metrology": "aurum.cli.metrology:metrology",
    "planning": "aurum.cli.planning:planning",
    "processing": "aurum.cli.processing:processing",
    "prospect": "aurum.cli.prospect:prospect",
    "recycling": "aurum.cli.recycling:recycling_group",
    "reports": "aurum.cli.reports:reports_group",
    "resources": "aurum.cli.resources:resources",
    "safety": "aurum.cli.safety:safety",
    "seismic": "aurum.cli.seismic:seismic",
    "sensors": "aurum.cli.sensors:sensors",
    "serve": "aurum.cli.serve:serve",
    "standards": "aurum.cli.standards:standards",
    "structure": "aurum.cli.structure:structure",
    "trade": "aurum.cli.trade:trade",
    "underground": "aurum.cli.underground:underground",
    "user": "aurum.cli.user:user",
    "ventilation": "aurum.cli.ventilation:ventilation",
}
"""Each group's module, imported only when the group is called: a numeric verb never loads
the web stack, and ``aurum --version`` loads nothing but click."""

ALIASES = {"ledger": "recycling", "pit": "planning", "stopes": "underground",
           "vent": "ventilation"}
"""Names scripts call a group by (the contract) → the group's name."""


@click.group(cls=common.AurumGroup, lazy=COMMANDS, aliases=ALIASES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aurum")
def cli() -> None:
    """Aurum: the gold industry's enterprise tools and the regulator's monitor."""


def main() -> None:
    """Entry point of the ``aurum`` script: its human-readable output in the language of the
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), English when the locale names none Aurum
    speaks; ``--format json`` keeps its English machine keys in every language."""
    with i18n.using(common.locale_of_environment()):
        cli()
