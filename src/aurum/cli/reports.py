"""``aurum reports``: the reporting calendar's reminders (:mod:`aurum.services.notifications`).

Contract relied on by cron: ``aurum reports remind [--date YYYY-MM-DD] [--database URL]
[--format json]`` sends the day's reminders to the alert targets (``AURUM_ALERT_WEBHOOK``,
``AURUM_ALERT_SMTP``...), each once per day: run it daily, again after a failure. JSON output
is :meth:`aurum.services.notifications.RemindResult.as_dict`.
"""

from __future__ import annotations

from datetime import datetime

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json
from aurum.core.i18n import _


@click.group(name="reports")
def reports_group() -> None:
    """Statistical reports: the reporting calendar's reminders."""


@reports_group.command("remind")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="DATE", help="Day of the reminders (YYYY-MM-DD; default: today in "
              "Beijing).")
@DATABASE_OPTION
@FORMAT_OPTION
def remind(day: datetime | None, url: str | None, fmt: str) -> None:
    """Send the reminders falling on DATE (reports due soon or overdue by the reporting
    calendar) by webhook and e-mail, each once per day; exit 1 when a target failed."""
    # Imported here: the command line loads a group's dependencies only when it is called.
    from aurum.industry.reporting import reporting_day
    from aurum.services.delivery import describe, targets
    from aurum.services.notifications import send_reminders
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    found = targets()
    platform = Platform.open(url)
    with transaction(platform.sessions) as session:
        result = send_reminders(session, day.date() if day else reporting_day(),
                                platform.settings.home, found)
    if fmt == "json":
        echo_json(result.as_dict())
    else:
        click.echo(describe(found))
        click.echo(_("Reminders of %(day)s: %(total)s; sent now %(sent)s, sent before "
                     "%(already)s, failed %(failed)s", day=result.day.isoformat(),
                     total=len(result.reminders), sent=len(result.sent),
                     already=len(result.already), failed=len(result.failed)))
        for attempt in result.failed:
            click.echo(_("not sent: %(id)s by %(channel)s to %(target)s: %(error)s",
                         id=attempt.alert_id, channel=attempt.channel, target=attempt.target,
                         error=attempt.error), err=True)
    if result.failed:
        raise SystemExit(1)
