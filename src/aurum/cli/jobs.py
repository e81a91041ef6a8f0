"""``aurum jobs``: the background job queue (:mod:`aurum.services.jobs`).

``aurum jobs worker`` runs jobs in this process until interrupted: in production, beside
servers started with ``AURUM_JOBS_WORKERS=0`` and a shared ``AURUM_JOBS_URL`` (Redis).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from aurum.cli.common import DATABASE_OPTION
from aurum.core.i18n import _


@click.group(name="jobs")
def jobs_group() -> None:
    """Background jobs: pit studies and other long work."""


@jobs_group.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Jobs run at once (threads).")
@DATABASE_OPTION
def worker(workers: int, url: str | None) -> None:
    """Run queued jobs until interrupted (Ctrl-C or SIGTERM finish the running jobs first)."""
    # Imported here: the command line loads a group's dependencies only when it is called.
    from aurum.services.jobs import JobQueue
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    queue = JobQueue(platform)
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with queue.running(workers):
        # The queue's host or file, never a password the URL may carry.
        where = (queue.url or "").rsplit("@", 1)[-1] or platform.settings.home / "jobs.sqlite3"
        click.echo(_("aurum jobs worker: %(workers)s worker(s) on %(where)s", workers=workers,
                     where=where), err=True)
        stop.wait()
    click.echo(_("aurum jobs worker: stopped"), err=True)
