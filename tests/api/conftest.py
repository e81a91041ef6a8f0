"""An application over the small test registry, with a logged-in client per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aurum.api.app import create_app
from aurum.core import i18n
from aurum.services.platform import Platform
from tests.api.language import Everything
from tests.factories import PASSWORD, Registry


@pytest.fixture
def app_client(platform: Platform, reg: Registry) -> TestClient:
    return TestClient(create_app(platform))


def bearer(client: TestClient, username: str) -> dict[str, str]:
    """Authorization header for a user of the small registry."""
    r = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def everything_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message of the catalogue is 中 (see :mod:`tests.api.language`)."""
    monkeypatch.setattr(i18n, "translations", lambda locale: Everything())
