"""The world of :mod:`tests.contracts.scope_world` and an application over it, built once per
module on SQLite: the contracts that call every route call them on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from aurum.api.app import create_app
from aurum.services import auth
from aurum.services.auth import Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import dispose_engines, transaction
from tests.conftest import TEST_HASHER
from tests.contracts.scope_world import World, build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world on SQLite, built once for the module (argon2 at test strength)."""
    folder = tmp_path_factory.mktemp("scope")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AURUM_HOME", str(folder / "home"))
        mp.setenv("AURUM_KEYS", str(folder / "keys"))
        url = f"sqlite:///{folder / 'aurum.db'}"
        mp.setenv("AURUM_DATABASE_URL", url)
        mp.setattr(auth, "_HASHER", TEST_HASHER)
        platform = Platform.open(url, migrate_to_head=True)
        with transaction(platform.sessions) as s:
            admin = actor_for(s, create_user(s, "root-admin", "correct horse battery",
                                             Role.ADMIN))
        for owner in ("A", "B"):
            (folder / "world" / owner).mkdir(parents=True)
        yield build_world(platform, admin, folder / "world")
        dispose_engines()


@pytest.fixture(scope="module")
def app(world: World) -> FastAPI:
    """The application over the world."""
    return create_app(world.platform)
