"""Shared fixtures: a migrated database on SQLite and, when AURUM_TEST_DATABASE_URL is set,
on PostgreSQL too (each test in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import dispose_engines, transaction

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PG_URL = os.environ.get("AURUM_TEST_DATABASE_URL")
# Keys the tests generate (in-process or in the commands they run) never reach the user's own
# keys directory.
os.environ.setdefault("AURUM_KEYS", tempfile.mkdtemp(prefix="aurum-test-keys-"))
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only reference data folder ``../shared/data``."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return path


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """URL of an empty database on ``backend``: a SQLite file in ``folder``, or a PostgreSQL
    schema of its own, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'aurum.db'}"
        dispose_engines()
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        dispose_engines()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database on each backend under test."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def platform(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """A migrated database with its session factory; AURUM_HOME and AURUM_KEYS in a temporary
    folder."""
    monkeypatch.setenv("AURUM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AURUM_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("AURUM_DATABASE_URL", database_url)
    return Platform.open(database_url, migrate_to_head=True)


@pytest.fixture
def admin(platform: Platform) -> Actor:
    """An administrator."""
    with transaction(platform.sessions) as s:
        return actor_for(s, create_user(s, "root-admin", "correct horse battery", Role.ADMIN))
