"""Fixtures shared by the tests of derived results and the pages that read them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from aurum.services import cache, jobs
from aurum.services.platform import Platform


@pytest.fixture
def empty_cache() -> Iterator[None]:
    """No view model of another test's data is kept (used through ``usefixtures``, which
    sets it up before the registry)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queue(platform: Platform) -> Iterator[jobs.JobQueue]:
    """A queue on Huey's SQLite storage, of this test alone."""
    made = jobs.JobQueue(platform, f"sqlite:///{platform.settings.home / 'jobs.sqlite3'}",
                         name=f"aurum-test-{uuid.uuid4().hex[:8]}")
    yield made
    made.huey.flush()
