"""The running platform: settings, engine and session factory, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aurum.core.config import Settings, get_settings
from aurum.store import migrate
from aurum.store.db import get_engine, session_factory


@dataclass
class Platform:
    """What a service needs to reach the store.

    Parameters
    ----------
    settings : Settings
        Resolved configuration.
    engine : Engine
        Database engine.
    sessions : sessionmaker
        Audited session factory.
    """

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, database_url: str | None = None, migrate_to_head: bool = False) -> Platform:
        """Connect to the configured database (or ``database_url``).

        Parameters
        ----------
        database_url : str, optional
            Overrides ``AURUM_DATABASE_URL``.
        migrate_to_head : bool
            Apply pending migrations first.
        """
        settings = get_settings()
        url = database_url or settings.database_url
        engine = get_engine(url)
        if migrate_to_head:
            migrate.upgrade(engine)
        return cls(settings, engine, session_factory(engine))
