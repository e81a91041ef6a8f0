"""What the benchmark scripts share: command-line options, a throw-away database, the output.

Every benchmark runs on a database that exists only for the run: a SQLite file in a temporary
directory, or a fresh schema ``bench_<random>`` in the PostgreSQL database named by
``AURUM_BENCH_DATABASE_URL`` (dropped at the end). Only loopback servers are accepted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text

from aurum.store.db import dispose_engines

PG_URL_ENV = "AURUM_BENCH_DATABASE_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--database`` and ``--format`` to a benchmark's parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Parser of the benchmark script.
    """
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help=f"backend; PostgreSQL from ${PG_URL_ENV} (default "
                             f"{DEFAULT_PG_URL}), in a schema dropped at the end")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format")


def postgresql_url() -> str:
    """The PostgreSQL server URL for benchmarks, checked to be on the loopback interface.

    Returns
    -------
    str
        ``AURUM_BENCH_DATABASE_URL`` or :data:`DEFAULT_PG_URL`.

    Raises
    ------
    SystemExit
        When the URL names a host other than a loopback address (a Unix socket is accepted).
    """
    url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    host = make_url(url).host
    if host is not None and host not in LOOPBACK_HOSTS:
        raise SystemExit(f"benchmarks use loopback servers only; {PG_URL_ENV} names {host!r}")
    return url


@contextmanager
def scratch_database(kind: str, workdir: Path) -> Iterator[str]:
    """An empty database that lives as long as the ``with`` block.

    Parameters
    ----------
    kind : {"sqlite", "postgresql"}
        Backend.
    workdir : Path
        Temporary directory of the run (holds the SQLite file).

    Yields
    ------
    str
        SQLAlchemy URL of the database; for PostgreSQL it carries
        ``options=-csearch_path=<schema>`` so that every connection lands in the new schema.
    """
    if kind == "sqlite":
        try:
            yield f"sqlite:///{workdir / 'aurum.db'}"
        finally:
            dispose_engines()
        return
    base = postgresql_url()
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
        finally:
            dispose_engines()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def machine(engine: Engine) -> dict[str, Any]:
    """What the figures were measured on.

    Parameters
    ----------
    engine : Engine
        Engine of the run's database.

    Returns
    -------
    dict
        CPU count, load average over the last minute (the machine may be shared), Python
        and OS, the database backend and its server version.
    """
    with engine.connect() as conn:
        version = ".".join(map(str, conn.dialect.server_version_info or ()))
    return {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "system": platform.platform(terse=True),
            "database": f"{engine.dialect.name} {version}"}


def note(message: str) -> None:
    """A progress line on stderr (stdout carries only the result)."""
    print(message, file=sys.stderr, flush=True)


def emit(result: Mapping[str, Any], fmt: str, lines: list[str]) -> None:
    """Print the result: as JSON, or as the given text lines.

    Parameters
    ----------
    result : mapping
        Everything measured, JSON-serialisable.
    fmt : {"text", "json"}
        Output format.
    lines : list of str
        The human-readable report.
    """
    print(json.dumps(result, indent=2) if fmt == "json" else "\n".join(lines))
