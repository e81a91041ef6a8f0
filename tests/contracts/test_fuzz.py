"""Contract fuzzing: every operation of the OpenAPI document, called with values generated
from its declared types (and with values just outside them), never answers a server error.

Schemathesis generates the requests from the application's own ``/openapi.json`` and calls
the application in-process (ASGI, no network), authenticated as an administrator and as an
enterprise user. The examples are few and derandomised, so the run is the same every time
and takes a minute or two; each operation gets :data:`EXAMPLES` valid and :data:`EXAMPLES`
invalid requests. Every failure is collected (operation, status, what was sent) before the
test fails, so one run names every operation to fix.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from aurum.api.app import create_app
from aurum.services.auth import Actor, Role, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import PASSWORD, small_registry

EXAMPLES = 4
"""Requests per operation and generation mode (valid, invalid)."""

SLOW = {
    # Each call runs a whole study (minutes of raster work): its inputs are bounded and
    # tested in tests/api/test_prospect_api.py.
    "POST /api/v1/prospect/demo",
    "POST /api/v1/prospect/studies",
    # Revokes the very token the run is authenticated with (tests/api cover it).
    "DELETE /api/v1/tokens/current",
}
"""Operations left out of fuzzing, with the reason beside each."""


def _fuzz(app: Any, headers: dict[str, str]) -> list[str]:
    """Every server error the generated requests provoke, one line each."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" in SLOW:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # Unsatisfiable: no invalid request exists (an operation without parameters).
            with contextlib.suppress(Unsatisfiable):
                _examples(operation, mode, headers, failures)
    return failures


def _examples(operation: Any, mode: GenerationMode, headers: dict[str, str],
              failures: list[str]) -> None:
    label = f"{operation.method.upper()} {operation.path} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        try:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as exc:  # each failure is named, then the test fails on them all
            sent = {"path": case.path_parameters, "query": case.query,
                    "body": case.body if isinstance(case.body, dict | list | str | int)
                    else type(case.body).__name__}
            failures.append(f"{label} {json.dumps(sent, default=str)[:300]}: "
                            f"{type(exc).__name__}: {str(exc)[:300]}")

    call()


@pytest.fixture
def users(platform: Platform, admin: Actor) -> dict[str, str]:
    """Bearer headers of an administrator and of an enterprise user of the small registry."""
    small_registry(platform, admin)
    with transaction(platform.sessions) as s:
        create_user(s, "fuzz-admin", PASSWORD, Role.ADMIN)
    client = TestClient(create_app(platform))
    tokens = {}
    for name in ("fuzz-admin", "alpha"):
        r = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
        assert r.status_code == 201, r.text
        tokens[name] = r.json()["token"]
    return tokens


# SQLite only: the bounds are the types of the OpenAPI document, the same on either backend,
# and one backend keeps the run to a minute or two per role.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("username", ["fuzz-admin", "alpha"])
def test_no_operation_answers_a_server_error(platform: Platform, users: dict[str, str],
                                             username: str) -> None:
    failures = _fuzz(create_app(platform), {"Authorization": f"Bearer {users[username]}"})
    assert failures == [], "\n".join(failures)
