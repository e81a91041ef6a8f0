"""Scope on every route: each route with path parameters (and each write naming its site in
its body), called by every role with the ids of objects outside the caller's organisation and
province, neither reveals nor changes them.

The calls are generated from the application's route table: a new route is covered as soon as
it exists, and a route with a path parameter no provider below can fill fails
:func:`test_every_path_parameter_has_an_id_provider`. For each call:

- never a server error (5xx), whoever calls;
- a read of an object outside the caller's scope answers 403 or 404 (the services answer 404,
  the same as for a missing object, so as not to reveal what exists);
- a write outside the caller's scope answers 403 or 404 and leaves every table (but the
  caller's own login bookkeeping) and every file of the data directory as they were;
- a read without path parameters (a list, a page, a table) mentions no code or key of an
  object outside the caller's scope;
- an auditor, who writes nothing, changes nothing through any write route (those without
  path parameters included; a refusal of what it sent is an answer too), and through a route
  naming an object answers 403 or 404, or computes a what-if that stores nothing.

Bodies are the smallest the route's declared types accept, so that each write reaches its
service; the services check the scope before they look at what is sent.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, UploadFile, params
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from tests.contracts import snapshot
from tests.contracts.scope_world import World
from tests.factories import PASSWORD

READ_METHODS = {"GET", "HEAD"}
OWN_LOGIN = re.compile(r"^/(login|logout)$|^/api/v1/tokens")
"""Routes of the caller's own login, session and tokens, which a reader uses like anybody."""
FORBIDDEN_OR_MISSING = {403, 404}
AUTH_TABLES = {"users", "api_tokens", "user_sessions", "login_failures"}
"""The caller's own login bookkeeping, which every request may touch (last use of a token or
a session); every other table must stay as it was after a refused write."""
CACHES = {"pits", "maps"}
"""Folders of the data directory holding derived data any reader's question may add to (a pit
study is computed once and kept, whoever asked it first; the maps' outlines, simplified once):
not a write of anybody's data."""
RECYCLING_KINDS = {"seq", "serial", "recycling_report", "submission"}
"""Kinds of objects a recycler owns; the others belong to a mining enterprise."""

PROVIDERS: tuple[tuple[str, str, str], ...] = (
    # (pattern the route's path matches, path parameter, kind of object in the world);
    # the first match wins.
    (r"/recycling/", "report_id", "recycling_report"),
    (r"", "report_id", "report"),
    (r"/safety/tailings/", "code", "facility"),
    (r"/sensors/\{site\}/\{code\}", "code", "sensor"),
    (r"^/enterprises/|/briefings/enterprise/", "code", "organisation"),
    (r"/briefings/province/", "code", "province"),
    (r"^/provinces/", "code", "province_code"),
    (r"processing/", "code", "plant"),
    (r"", "code", "site"),
    (r"", "site", "site"),
    (r"", "site_code", "site"),
    (r"", "statement_id", "statement"),
    (r"", "model_id", "model"),
    (r"", "estimate_id", "block_estimate"),
    (r"", "plan_id", "stope_plan"),
    (r"", "network_id", "vent_network"),
    (r"", "need_id", "need"),
    (r"", "study_id", "structure_study"),
    (r"", "study", "study"),
    (r"", "hazard_id", "hazard"),
    (r"", "digest", "digest"),
    (r"", "alert_id", "alert"),
    (r"", "event_id", "event"),
    (r"", "seq", "seq"),
    (r"", "serial", "serial"),
    (r"", "submission_id", "submission"),
    (r"", "circuit_id", "circuit"),
    (r"", "job_id", "job"),
    (r"/audit/", "entity_id", "site"),
    (r"^/api/v1/tokens/", "token_id", "token"),
)
CONSTANTS: tuple[tuple[str, str, str], ...] = (
    # Path parameters that name no object of anybody: (pattern, parameter, value).
    (r"/template\.", "fmt", "csv"),
    (r"/data-quality/", "kind", "missing"),
    (r"/report-figures/", "period", "2025-Q3"),
    (r"/reserve-report/", "year", "2025"),  # a mine's annual reserve report, by the mine
    (r"^/docs/assets/", "name", "swagger-ui.css"),
    (r"/audit/", "entity", "sites"),  # a site's history, by the site's code
    # A saved pit scenario is read through its model (the path's model_id): any key of a
    # model outside the caller's scope is refused as that model is.
    (r"/scenarios/", "scenario", "0" * 32),
)
BODY_PROVIDERS: tuple[tuple[str, str, str], ...] = (
    # A write that names its object in what it sends rather than in its path: (pattern the
    # route's path matches, body or form field, kind of object in the world).
    (r"", "site", "site"),
)
FIELD_EXAMPLES = {"quarter": "2025-Q3", "period": "2025-07"}
"""Values of body and form fields (and of a body model's properties) whose type is plain text
but whose content is read before the scope (a report's period; a page shown again with a
refused form reads its quarter)."""


@dataclass(frozen=True)
class Caller:
    """A user of the world and whose objects it is given.

    Parameters
    ----------
    username : str
        Login of the user (password :data:`tests.factories.PASSWORD`).
    mining_owner, recycling_owner : str
        Owner of the mining objects (``A``/``B``) and recycling objects (``RC-1``/``RC-2``)
        put in its paths: outside its scope unless ``reads_all``.
    reads_all : bool
        The caller reads every organisation: the calls only check for server errors and,
        when it may not write, that its writes change nothing.
    writes : bool
        Whether the role writes at all.
    """

    username: str
    mining_owner: str
    recycling_owner: str
    reads_all: bool = False
    writes: bool = True


CALLERS = {
    # Callers outside the owners' scope first; those who may write anything last, so that
    # their writes (which succeed) change the world only after every refusal was checked.
    "provincial regulator": Caller("sd-miit", "B", "RC-2"),
    "enterprise": Caller("beta", "A", "RC-1"),
    "group": Caller("grp", "B", "RC-2"),
    "recycler": Caller("rc1", "A", "RC-2"),
    "auditor": Caller("audit", "B", "RC-2", reads_all=True, writes=False),
    "national regulator": Caller("miit", "B", "RC-2", reads_all=True),
    "admin": Caller("root", "B", "RC-2", reads_all=True),
}


class MissingProvider(LookupError):
    """A path parameter the contract does not know how to fill."""


@dataclass(frozen=True)
class Operation:
    """One method of one route with the values of its enumerated parameters (a ``Literal``
    path parameter gives one operation per value)."""

    method: str
    path: str
    route: Any
    fixed: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + "".join(f" {k}={v}" for k, v in self.fixed)


def operations(app: FastAPI) -> Iterator[Operation]:
    """Every method of every route of ``app``."""
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        choices: list[tuple[tuple[str, str], ...]] = [()]
        for param in route.dependant.path_params:
            annotation = param.field_info.annotation
            if typing.get_origin(annotation) is typing.Literal:
                choices = [(*c, (param.name, str(v))) for c in choices
                           for v in typing.get_args(annotation)]
        for method in sorted(route.methods or ()):
            for fixed in choices:
                yield Operation(method, str(route.path), route, fixed)


def provider(path: str, name: str) -> tuple[str, bool]:
    """What fills a path parameter: the kind of world object it names (and True), or its
    constant value (and False)."""
    for table, names_object in ((PROVIDERS, True), (CONSTANTS, False)):
        for pattern, param, value in table:
            if param == name and re.search(pattern, path):
                return value, names_object
    raise MissingProvider(
        f"{path}: no id provider for the path parameter {name!r}; add one to PROVIDERS (or "
        f"CONSTANTS) in {Path(__file__).name}, and an object of its kind to the world in "
        "scope_world.py")


@dataclass(frozen=True)
class Call:
    """``op`` filled for a caller: its URL, the body fields naming objects, and whether it
    names any object (else it is no scope check, only a server-error check)."""

    url: str
    sent: dict[str, str]
    scoped: bool


def body_kinds(op: Operation) -> dict[str, str]:
    """The body or form fields of ``op`` that name an object, with the object's kind."""
    names = {name for p in _body_params(op.route.dependant) for name in _fields_of(p)}
    return {name: kind for pattern, name, kind in BODY_PROVIDERS
            if name in names and re.search(pattern, op.path)}


def fill(op: Operation, world: World, caller: Caller) -> Call:
    """``op`` with the ids of the objects ``caller`` is given, in its path and its body."""
    def given(kind: str) -> str:
        owner = caller.recycling_owner if kind in RECYCLING_KINDS else caller.mining_owner
        if owner not in world.objects.get(kind, {}):
            raise MissingProvider(f"{op.path}: the world has no {kind!r} of {owner}; add one "
                                  "to scope_world.py")
        return world.objects[kind][owner]

    values = dict(op.fixed)
    scoped = False
    for param in op.route.dependant.path_params:
        if param.name in values:
            continue
        value, names_object = provider(op.path, param.name)
        values[param.name] = given(value) if names_object else value
        scoped |= names_object
    sent = {name: given(kind) for name, kind in body_kinds(op).items()}
    url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], op.path)
    return Call(url, sent, scoped or bool(sent))


def example(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """The smallest value of a JSON schema: its required fields, one character strings, the
    lower bound of numbers, empty arrays."""
    if "$ref" in schema:
        return example(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return example(next((o for o in options if o.get("type") != "null"), options[0]), defs)
    kind = schema.get("type")
    if kind == "object":
        return {k: example(v, defs) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", ())}
    if kind == "array":
        return [example(schema.get("items", {}), defs)] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        return schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2025-06-30"
    return "x" * max(1, schema.get("minLength", 1))


def _schema(field: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON schema of a body parameter (an optional one's non-null option) and its
    definitions."""
    schema = TypeAdapter(field.field_info.annotation).json_schema()
    defs = schema.get("$defs", {})
    schema = next((o for o in schema.get("anyOf", ()) if o.get("type") != "null"), schema)
    return defs.get(schema.get("$ref", "").split("/")[-1], schema), defs


def _fields_of(field: Any) -> set[str]:
    """The names a body parameter sends: its own, and its properties when it is an object."""
    return {field.alias, *_schema(field)[0].get("properties", {})}


def _value(field: Any, sent: dict[str, str]) -> Any:
    if field.alias in sent:
        return sent[field.alias]
    if field.alias in FIELD_EXAMPLES:
        return FIELD_EXAMPLES[field.alias]
    schema, defs = _schema(field)
    value = example(schema, defs)
    if isinstance(value, dict):
        value |= {k: v for k, v in (FIELD_EXAMPLES | sent).items()
                  if k in schema.get("properties", {})}
    return value


def _body_params(dependant: Any) -> list[Any]:
    found = list(dependant.body_params)
    for sub in dependant.dependencies:
        found += _body_params(sub)
    return list({p.alias: p for p in found}.values())


def _is_file(param: Any) -> bool:
    # A file is declared File() or, in a form, as an UploadFile.
    return isinstance(param.field_info, params.File) or UploadFile in (
        param.field_info.annotation, *typing.get_args(param.field_info.annotation))


def request_kwargs(op: Operation, csrf: str, sent: dict[str, str]) -> dict[str, Any]:
    """Query, body and files of the smallest request the route's types accept, with the
    fields in ``sent`` (and the form token ``csrf``) as given."""
    dependant = op.route.dependant
    kwargs: dict[str, Any] = {"params": {
        q.alias: _value(q, sent) for q in dependant.query_params if q.field_info.is_required()}}
    body = _body_params(dependant)
    sent = {**sent, "csrf": csrf}
    if any(isinstance(p.field_info, params.Form) for p in body):
        kwargs["data"] = {p.alias: _value(p, sent) for p in body if not _is_file(p)
                          and (p.alias in sent or p.field_info.is_required())}
        kwargs["files"] = {p.alias: ("upload.bin", b"x") for p in body
                           if _is_file(p) and p.field_info.is_required()}
    elif len(body) == 1 and not body[0].field_info.embed:
        kwargs["json"] = _value(body[0], sent)
    elif body:
        kwargs["json"] = {p.alias: _value(p, sent) for p in body
                          if p.alias in sent or p.field_info.is_required()}
    return kwargs


def _clients(app: FastAPI, username: str) -> tuple[TestClient, TestClient, str]:
    """A client with the user's bearer token, a browser logged in as the user, and the form
    token of the browser's session."""
    # A server error is an answer to record, not an exception to stop at.
    api = TestClient(app, raise_server_exceptions=False)
    r = api.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert r.status_code == 201, r.text
    api.headers["Authorization"] = f"Bearer {r.json()['token']}"
    browser = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    csrf = _csrf(browser.get("/login").text)
    r = browser.post("/login", data={"username": username, "password": PASSWORD,
                                     "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return api, browser, _csrf(browser.get("/login").text)


def _gist(text: str) -> str:
    """The start of an answer's text, an HTML page's without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:200]


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def in_contract(op: Operation, caller: Caller) -> bool:
    """Whether ``caller`` makes the call: every route with path parameters, every write naming
    its object in its body, and for a caller who writes nothing every write (but to its own
    login)."""
    write = op.method not in READ_METHODS
    return bool(op.route.dependant.path_params) or (write and bool(body_kinds(op))) or (
        not caller.writes and write and not OWN_LOGIN.search(op.path))


def forbidden_write(op: Operation, caller: Caller, scoped: bool) -> bool:
    """Whether the call is a write the caller may not make: of an object outside its scope,
    or any write of a caller who writes nothing."""
    return op.method not in READ_METHODS and (
        (scoped and not caller.reads_all) or not caller.writes)


def judge(op: Operation, caller: Caller, scoped: bool, status: int,
          changed: list[str]) -> str | None:
    """What is wrong with the answer to ``op`` (None when nothing)."""
    if status >= 500:
        return f"{status} (server error)"
    refused = status in FORBIDDEN_OR_MISSING
    if forbidden_write(op, caller, scoped):
        if changed:
            return f"{status} and changed {', '.join(changed)} (wrongful write)"
        # A computation on what the caller may read (a what-if) may answer: it stores
        # nothing. Another answer than a refusal means the content was looked at first.
        if scoped and not refused and (not caller.reads_all or not 200 <= status < 300):
            return f"{status} (wrongful write: expected 403 or 404)"
    elif scoped and not caller.reads_all and not refused:
        return f"{status} (leak: expected 403 or 404)"
    return None


def test_every_path_parameter_has_an_id_provider(app: FastAPI, world: World) -> None:
    missing = set()
    for op in operations(app):
        for caller in CALLERS.values():
            try:
                fill(op, world, caller)
            except MissingProvider as exc:
                missing.add(str(exc))
    assert not missing, "\n".join(sorted(missing))


@pytest.mark.parametrize("role", list(CALLERS))
def test_no_route_reveals_or_changes_what_is_outside_the_callers_scope(
        app: FastAPI, world: World, role: str) -> None:
    caller = CALLERS[role]
    api, browser, csrf = _clients(app, caller.username)
    problems = []
    for op in filter(lambda op: in_contract(op, caller), operations(app)):
        try:
            call = fill(op, world, caller)
        except MissingProvider:
            continue  # reported by test_every_path_parameter_has_an_id_provider
        client = api if op.path.startswith("/api/") else browser
        compared = forbidden_write(op, caller, call.scoped)
        before = snapshot.state(world.platform, but_tables=AUTH_TABLES,
                                but_folders=CACHES) if compared else {}
        response = client.request(op.method, call.url,
                                  **request_kwargs(op, csrf, call.sent))
        after = snapshot.state(world.platform, but_tables=AUTH_TABLES,
                               but_folders=CACHES) if compared else {}
        problem = judge(op, caller, call.scoped, response.status_code,
                        snapshot.changed(before, after))
        if problem:
            sent = "".join(f" {k}={v}" for k, v in call.sent.items())
            problems.append(f"{op} as {role} ({caller.username}) -> {call.url}{sent}: "
                            f"{problem}; {_gist(response.text)!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [role for role, c in CALLERS.items() if not c.reads_all])
def test_no_list_mentions_what_is_outside_the_callers_scope(
        app: FastAPI, world: World, role: str) -> None:
    caller = CALLERS[role]
    foreign = world.codes(caller.mining_owner) | world.codes(caller.recycling_owner)
    api, browser, csrf = _clients(app, caller.username)
    problems = []
    for op in operations(app):
        if op.route.dependant.path_params or op.method not in READ_METHODS:
            continue
        client = api if op.path.startswith("/api/") else browser
        response = client.request(op.method, op.path, **request_kwargs(op, csrf, {}))
        found = sorted(code for code in foreign if code in response.text)
        if response.status_code >= 500 or found:
            problems.append(f"{op} as {role} ({caller.username}): {response.status_code}, "
                            f"mentions {found}; {_gist(response.text)!r}")
    assert not problems, "\n".join(problems)
