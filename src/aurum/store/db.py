"""Engine and sessions for SQLite (default, embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from aurum.store import audit

_ENGINES: dict[str, Engine] = {}


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout for many readers.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``sqlite:///path/aurum.db`` or
        ``postgresql+psycopg://user@host:5432/db``.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(url: str) -> Engine:
    """One engine per URL for the life of the process."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every pooled connection (tests, forks)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` that write the audit trail on every flush."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    audit.install(factory)
    return factory


@contextmanager
def transaction(factory: sessionmaker[Session], user_id: int | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error.

    Parameters
    ----------
    factory : sessionmaker
        From :func:`session_factory`.
    user_id : int, optional
        The acting user, recorded in every audit record of the transaction.
    """
    with factory() as session, session.begin():
        session.info["user_id"] = user_id
        yield session
