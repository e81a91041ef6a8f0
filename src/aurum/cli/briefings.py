"""``aurum briefings``: the PDF briefings (:mod:`aurum.services.briefings`).

``aurum briefings make`` writes the month's national and provincial briefings under
``AURUM_HOME/briefings/`` and keeps the newest months: run it from cron on the first day of
each month (``5 0 1 * * aurum briefings make``, Beijing time), for the month just ended.
"""

from __future__ import annotations

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json
from aurum.core.i18n import ngettext


@click.group(name="briefings")
def briefings_group() -> None:
    """Briefings as PDF: the plan's indicators, plant scale, safety, recycling, data quality."""


@briefings_group.command("make")
@click.option("--month", metavar="YYYY-MM",
              help="The month of the briefings (default: the month before today, Beijing).")
@click.option("--lang", "langs", type=click.Choice(["zh-CN", "en"]), multiple=True,
              help="Language of the briefings; repeat for both (default: both).")
@DATABASE_OPTION
@FORMAT_OPTION
def make(month: str | None, langs: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Write the month's national and provincial briefings and keep the newest months."""
    # Imported here: WeasyPrint and matplotlib load only when a briefing is made.
    from aurum.core import i18n
    from aurum.services import briefings
    from aurum.services.platform import Platform

    locales = [i18n.parse_tag(tag) or tag for tag in langs] or list(i18n.LOCALES)
    platform = Platform.open(url, migrate_to_head=True)
    written = briefings.make_month(platform, month, locales)
    if fmt == "json":
        echo_json({"files": [str(path) for path in written]})
        return
    for path in written:
        click.echo(str(path))
    click.echo(ngettext("%(num)s briefing written to %(folder)s",
                        "%(num)s briefings written to %(folder)s", len(written),
                        folder=briefings.folder(platform.settings.home)), err=True)
