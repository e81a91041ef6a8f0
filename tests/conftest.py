"""Shared fixtures: a migrated database on SQLite and, when AURUM_TEST_DATABASE_URL is set,
on PostgreSQL too (each test in a database of its own, dropped afterwards); an administrator,
the small registry of :mod:`tests.factories`, and passwords hashed at test strength.

A test that uses :func:`platform` gets its database as a copy of one migrated once per worker
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL): migrating every test's
database from nothing cost a quarter of a second on SQLite and over half a second on PostgreSQL,
about a thousand times a run. The migrations themselves are tested from an empty database
(``tests/store/test_migrations.py``, and every test that asks for :func:`database_url` alone)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, make_url, text

from aurum.services import auth, prospect
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import dispose_engines, transaction
from tests.demo_home import DemoTemplate, demo_template, only_one_worker, run_folder
from tests.factories import Registry, small_registry

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PG_URL = os.environ.get("AURUM_TEST_DATABASE_URL")
# Keys the tests generate (in-process or in the commands they run) never reach the user's own
# keys directory.
os.environ.setdefault("AURUM_KEYS", tempfile.mkdtemp(prefix="aurum-test-keys-"))
# The suite reads pages in English unless a test asks for Chinese (Accept-Language, ?lang=):
# the default for a visitor who states no language is Chinese (aurum.core.i18n).
os.environ.setdefault("AURUM_LOCALE", "en")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
ONE_BACKEND = ("api/", "services/test_briefings.py")
"""Tests (folders and files) run on SQLite only: routes, pages and documents, which read and
write through the services, whose own tests (tests/services, tests/store, the contracts) run on
both backends."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL run of the tests of :data:`ONE_BACKEND`."""
    root = Path(__file__).parent
    kept, left = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        where = Path(item.path).relative_to(root).as_posix()
        if backend == "postgresql" and where.startswith(ONE_BACKEND):
            left.append(item)
        else:
            kept.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""argon2id at test strength: a registry's seven users cost seconds at full strength, and no
test is about the hashing's cost (the commands the tests run as subprocesses keep the full
strength)."""


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed with :data:`TEST_HASHER` in every test."""
    monkeypatch.setattr(auth, "_HASHER", TEST_HASHER)


@pytest.fixture(autouse=True)
def reports_count_when_submitted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports count in the indicators once submitted (``AURUM_REPORT_REVIEW=off``), as the
    figures of the tests written before the review expect; the review's tests turn it on."""
    monkeypatch.setenv("AURUM_REPORT_REVIEW", "off")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only reference data folder ``../shared/data``."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return path


@pytest.fixture(scope="session")
def seismic_data(shared_data: Path) -> Path:
    """``../shared/data/seismic`` (skips when absent)."""
    path = shared_data / "seismic"
    if not path.is_dir():
        pytest.skip("../shared/data/seismic is not beside the repository")
    return path


@pytest.fixture(scope="session")
def mpm(shared_data: Path) -> Path:
    """``prospect/mpm_wofe`` of the shared data: Geoscience Australia's MPM-WofE reference
    (Cloncurry IOCG district)."""
    path = shared_data / "prospect" / "mpm_wofe"
    if not (path / "CalculateResponse" / "IOCG_Deposits.shp").exists():
        pytest.skip("prospect/mpm_wofe is not in the shared data")
    return path


@pytest.fixture(scope="session")
def prospect_demo(mpm: Path, tmp_path_factory: pytest.TempPathFactory) -> prospect.Study:
    """The prospectivity demo study of a national regulator, computed once for the run (about
    20 s) in a data directory of its own, which the xdist workers share (the first computes,
    the others find it kept); a test that needs it in another copies it."""
    folder = run_folder(tmp_path_factory.getbasetemp(), "prospect-demo")
    with only_one_worker(folder):
        study = prospect.demo_study(Actor(1, "miit", Role.REGULATOR, None), folder / "home",
                                    mpm / "CalculateResponse")
    assert study is not None
    return study


@pytest.fixture(scope="session")
def demo_seeded(tmp_path_factory: pytest.TempPathFactory) -> DemoTemplate:
    """The demo district seeded once for the run by the installed commands, as ``make demo``
    does (:mod:`tests.demo_home`): the xdist workers share it through the run's common
    temporary folder. A test copies it (:func:`tests.demo_home.copy_demo`) before use."""
    return demo_template(tmp_path_factory.getbasetemp())


def _pg_admin(statement: str) -> None:
    """Run ``statement`` on the test server outside a transaction (CREATE and DROP DATABASE
    cannot run inside one), leaving no connection open."""
    assert PG_URL is not None
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def _pg_url(database: str) -> str:
    assert PG_URL is not None
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@contextmanager
def empty_database(backend: str, folder: Path, template: str | Path | None = None
                   ) -> Iterator[str]:
    """URL of a database on ``backend``, empty or a copy of ``template``: a SQLite file in
    ``folder`` (``template`` a migrated file), or a PostgreSQL database of its own
    (``template`` a database name), dropped afterwards."""
    if backend == "sqlite":
        if template is not None:
            shutil.copyfile(template, folder / "aurum.db")
        yield f"sqlite:///{folder / 'aurum.db'}"
        dispose_engines()
        return
    name = f"aurum_t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield _pg_url(name)
    finally:
        dispose_engines()
        _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Per backend, a database migrated to head once for this worker: the SQLite file, the
    PostgreSQL database's name (no connection is left open on it, so that it can be copied)."""
    folder = tmp_path_factory.mktemp("migrated")
    home = {"AURUM_HOME": str(folder / "home"), "AURUM_KEYS": str(folder / "keys")}
    saved = {k: os.environ.get(k) for k in home}
    os.environ.update(home)
    templates: dict[str, Any] = {}
    try:
        Platform.open(f"sqlite:///{folder / 'aurum.db'}", migrate_to_head=True)
        templates["sqlite"] = folder / "aurum.db"
        if PG_URL:
            name = f"aurum_tpl_{uuid.uuid4().hex[:12]}"
            _pg_admin(f'CREATE DATABASE "{name}"')
            Platform.open(_pg_url(name), migrate_to_head=True)
            templates["postgresql"] = name
        dispose_engines()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    yield templates
    if "postgresql" in templates:
        _pg_admin(f'DROP DATABASE IF EXISTS "{templates["postgresql"]}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a database on each backend under test: empty, or already migrated (a copy of
    :func:`migrated_templates`) when the test also uses :func:`platform`, which would migrate
    it."""
    template = (request.getfixturevalue("migrated_templates")[request.param]
                if "platform" in request.fixturenames else None)
    with empty_database(request.param, tmp_path, template) as url:
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


@pytest.fixture
def reg(platform: Platform, admin: Actor) -> Registry:
    """The small registry of :func:`tests.factories.small_registry`."""
    return small_registry(platform, admin)
