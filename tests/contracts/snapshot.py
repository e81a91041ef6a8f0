"""What a refused request or file must leave as it was: every table's rows and the data
directory's files, as digests to compare before and after."""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from sqlalchemy import select

from aurum.services.platform import Platform
from aurum.store.models import Base

QUEUE_FILE = "jobs.sqlite3"
"""The embedded job queue's storage in the data directory (and its -wal and -shm files)."""


def state(platform: Platform, *, but_tables: Collection[str] = (),
          but_folders: Collection[str] = ()) -> dict[str, str]:
    """A digest of every table's rows and of the list of the data directory's files (with
    their sizes), by table name and ``"files in the data directory"``.

    Parameters
    ----------
    platform : Platform
        The database and data directory.
    but_tables : collection of str
        Tables left out (bookkeeping any request may touch).
    but_folders : collection of str
        Top-level folders of the data directory left out (caches any reader may fill).
    """
    digests = {}
    with platform.sessions() as s:
        for table in Base.metadata.sorted_tables:
            if table.name not in but_tables:
                rows = sorted(repr(tuple(r)) for r in s.execute(select(table)))
                digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    home = platform.settings.home
    # The job queue's own SQLite file is left out: its size changes when SQLite checkpoints
    # its log, at a moment no request chooses; what a job is is the jobs table, compared above.
    files = sorted(f"{p.relative_to(home)} {p.stat().st_size}" for p in home.rglob("*")
                   if p.is_file() and p.relative_to(home).parts[0] not in but_folders
                   and not p.name.startswith(QUEUE_FILE))
    digests["files in the data directory"] = hashlib.sha256("\n".join(files).encode()
                                                            ).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables (and ``"files in the data directory"``) whose digest differs."""
    return [k for k in before if after.get(k) != before[k]]
