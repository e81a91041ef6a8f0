"""Contract fuzzing: every operation of the OpenAPI document, called with values generated
from its declared types (and with values just outside them), never answers a server error.

Schemathesis generates the requests from the application's own ``/openapi.json`` and calls
the application in-process (ASGI, no network), authenticated as an administrator and as an
enterprise user. The examples are few and derandomised, so the run is the same every time
and takes a minute or two; each operation gets :data:`EXAMPLES` valid requests from each
role and :data:`EXAMPLES` invalid ones from the administrator (the declared types refuse
those before any service sees who asks), and those whose path names stored objects (the
enterprise's mine, one of its reports and hazards) :data:`EXAMPLES` more on those objects,
so that their bodies reach the services instead of a 404. Every failure is collected
(operation, what was sent, the error) before the test fails, so one run names every
operation to fix.

The run is on SQLite; on PostgreSQL (``AURUM_TEST_DATABASE_URL``) it finds the same, the
bounds being the OpenAPI types (ids within the ``integer`` id columns, for one).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
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
from tests.factories import GOOD_ROW, PASSWORD, report_csv, small_registry

EXAMPLES = 4
"""Requests per operation and generation mode (valid, invalid)."""

SLOW = {
    # Each call runs a whole study (minutes of raster work): its inputs are bounded and
    # tested in tests/api/test_prospect_api.py.
    "POST /api/v1/prospect/demo",
    "POST /api/v1/prospect/studies",
    # Revoke tokens, the run's own among them (tests/api cover them).
    "DELETE /api/v1/tokens/current",
    "DELETE /api/v1/tokens/{token_id}",
}
"""Operations left out of fuzzing, with the reason beside each."""


def _fuzz(app: Any, headers: dict[str, str], known: dict[str, object],
          modes: tuple[GenerationMode, ...]) -> list[str]:
    """Every server error the generated requests provoke, one line each.

    Each operation is called with generated values of each of ``modes`` (valid, invalid);
    one whose path parameters all name objects in ``known`` (a site code, a report id...) is
    called again on those objects, so that its body and query reach the service behind the
    404.
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" in SLOW:
            continue
        for mode in modes:
            # Unsatisfiable: no invalid request exists (an operation without parameters).
            with contextlib.suppress(Unsatisfiable):
                _examples(operation, mode, headers, failures)
        names = re.findall(r"\{(\w+)\}", operation.path)
        if names and all(n in known for n in names):
            _examples(operation, GenerationMode.POSITIVE, headers, failures,
                      {n: known[n] for n in names})
    return failures


_CASES: dict[tuple[str, str, str], list[schemathesis.Case]] = {}
"""Generated requests by operation, mode and stored objects. The generation is derandomised
and the roles' worlds are built alike, so each role would draw the same requests: they are
drawn once for the module and sent as each role."""


def _cases(operation: Any, mode: GenerationMode,
           path: dict[str, object] | None) -> list[schemathesis.Case]:
    key = (f"{operation.method.upper()} {operation.path}", mode.value,
           json.dumps(path, sort_keys=True, default=str))
    if key not in _CASES:
        drawn: list[schemathesis.Case] = []

        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def draw(case: schemathesis.Case) -> None:
            drawn.append(case)

        draw()
        _CASES[key] = drawn
    return _CASES[key]


def _examples(operation: Any, mode: GenerationMode, headers: dict[str, str],
              failures: list[str], path: dict[str, object] | None = None) -> None:
    label = (f"{operation.method.upper()} {operation.path} ({mode.value}"
             f"{', on stored objects' if path else ''})")
    for case in _cases(operation, mode, path):
        try:
            response = case.call(headers=headers, app=operation.app)
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as exc:  # each failure is named, then the test fails on them all
            sent = {"path": case.path_parameters, "query": case.query,
                    "body": case.body if isinstance(case.body, dict | list | str | int)
                    else type(case.body).__name__}
            failures.append(f"{label} {json.dumps(sent, default=str)[:300]}: "
                            f"{type(exc).__name__}: {str(exc)[:300]}")


@dataclass
class World:
    tokens: dict[str, str]
    """Bearer token by user name: an administrator and an enterprise user."""
    known: dict[str, object]
    """Stored objects by path parameter name: the enterprise's mine, a report, a hazard."""


@pytest.fixture
def fuzz_world(platform: Platform, admin: Actor) -> World:
    """The small registry, a report and a hazard of ENT-A's mine SD-A-01, and two tokens."""
    small_registry(platform, admin)
    with transaction(platform.sessions) as s:
        create_user(s, "fuzz-admin", PASSWORD, Role.ADMIN)
    client = TestClient(create_app(platform))
    tokens = {}
    for name in ("fuzz-admin", "alpha"):
        r = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD})
        assert r.status_code == 201, r.text
        tokens[name] = r.json()["token"]
    alpha = {"Authorization": f"Bearer {tokens['alpha']}"}
    report = client.post("/api/v1/reports/upload", headers=alpha,
                         files={"file": ("r.csv", report_csv([GOOD_ROW]), "text/csv")})
    assert report.status_code == 201, report.text
    hazard = client.post("/api/v1/safety/hazards", headers=alpha, json={
        "site": "SD-A-01", "title": "Loose rock", "description": "Not scaled"})
    assert hazard.status_code == 201, hazard.text
    report_id = client.get("/api/v1/reports", headers=alpha).json()[0]["report_id"]
    return World(tokens, {"code": "SD-A-01", "site": "SD-A-01", "site_code": "SD-A-01",
                          "period": str(GOOD_ROW["period"]), "report_id": report_id,
                          "hazard_id": hazard.json()["id"]})


# SQLite only: the bounds are the types of the OpenAPI document, the same on either backend,
# and one backend keeps the run to a minute or two per role.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("username", ["fuzz-admin", "alpha"])
def test_no_operation_answers_a_server_error(platform: Platform, fuzz_world: World,
                                             username: str) -> None:
    # Invalid requests are refused by the declared types before any service sees who asks,
    # so one role sends them; the valid ones reach the services, whose answers depend on it.
    modes = ((GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if username == "fuzz-admin"
             else (GenerationMode.POSITIVE,))
    failures = _fuzz(create_app(platform),
                     {"Authorization": f"Bearer {fuzz_world.tokens[username]}"},
                     fuzz_world.known, modes)
    assert failures == [], "\n".join(failures)
