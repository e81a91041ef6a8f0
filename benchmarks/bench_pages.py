"""Every page of the demo under 10 concurrent clients, against the API's cheapest endpoint.

The demo district is seeded (``aurum db upgrade``, ``aurum demo seed``) into a temporary
``AURUM_HOME`` with its own ``AURUM_KEYS``, and ``aurum serve`` (one worker,
``AURUM_DEMO_SOURCE=off``) listens on 127.0.0.1 and a free port. For each demo role measured
(by default the administrator, the national regulator, an enterprise user and the recycler):

1. *Pages*: the links of the navigation bar as the role sees it, and from those pages (and
   theirs, :data:`MAX_DEPTH` deep) the first link of each kind of page in :data:`KINDS` —
   one enterprise, site, report, resource model, pit model, plant, hazard, tailings facility,
   seismic site and its stress page, custody chain, and the sub-pages of safety and
   recycling. Every page is visited once, in that order, by one client (the *first visit*,
   timed: what the first user after a start or a change waits for); a page that does not
   answer 200 (a redirect, a refusal) is left out of the load.
2. *Load*: ``--clients`` clients, each logged in as the role with a session cookie and a
   token of its own, send ``--requests`` requests each to one page after the other, all
   clients at once (every client first sends one unmeasured request: the warm-up).
   PEER, on the same server, data and load: ``GET /api/v1/me``, the cheapest authenticated
   endpoint (token lookup, one transaction, a small JSON body), measured the same way before
   the role's pages.

Printed: per role and page, the first visit (s), p50 and p95 under load (ms) and the ratio of
the p95 to the peer's; a page is flagged when its p95 is both over :data:`RATIO_BOUND` times
the peer's and over :data:`ABSOLUTE_BOUND_S` (issue 16: within 8× of ``/api/v1/me`` or
under 0.5 s). Then the pages whose first visit took over :data:`SLOW_FIRST_VISIT_S`. The
exit status is 1 when a request failed.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pages.py [--requests 5] [--pages REGEX]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _common import add_common_arguments, emit, note, scratch_database
from bench_dashboard import (
    LOGIN_CONCURRENCY,
    REQUEST_TIMEOUT_SECONDS,
    Client,
    Target,
    hammer,
    log_in,
)
from bench_fuzz_memory import aurum_serve, seed_demo

ROLES = ("admin", "miit", "group", "recycler")
"""Demo users measured: administrator, national regulator, enterprise user, recycler."""
PEER = Target("/api/v1/me (peer)", "/api/v1/me", with_token=True)
RATIO_BOUND = 8.0
"""A page's p95 may be this many times the peer's ..."""
ABSOLUTE_BOUND_S = 0.5
"""... or under this, s."""
SLOW_FIRST_VISIT_S = 1.0
"""A first visit over this is listed, s."""
MAX_DEPTH = 3
"""Links followed from the navigation bar: its pages, theirs, and theirs."""
NAV = re.compile(r"<nav>(.*?)</nav>", re.DOTALL)
HREF = re.compile(r'href="(/[^"#?]*)"')
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("enterprise", r"^/enterprises/[^/]+$"),
        ("site", r"^/sites/[^/]+$"),
        ("report form", r"^/reports/new$"),
        ("report", r"^/reports/\d+$"),
        ("drillholes", r"^/resources/drillholes$"),
        ("resource model", r"^/resources/[^/]+$"),
        ("pit model", r"^/pit/\d+$"),
        ("plant", r"^/processing/[^/]+$"),
        ("safety page", r"^/safety/(dashboard|tailings|alerts)$"),
        ("hazard", r"^/safety/hazards/\d+$"),
        ("tailings facility", r"^/safety/tailings/[^/]+$"),
        ("seismic stress", r"^/seismic/[^/]+/stress$"),
        ("seismic site", r"^/seismic/[^/]+$"),
        ("recycling page", r"^/recycling/(ledger|reports|custody|regulator)$"),
        ("custody chain", r"^/recycling/custody/[^/]+$"),
    ))
"""Kinds of pages beyond the navigation bar, the first matching pattern naming a link's kind;
the first link of each kind is measured (each of the safety and recycling sub-pages)."""
SUB_PAGE_KINDS = frozenset({"safety page", "recycling page", "report form", "drillholes"})
"""Kinds whose every link is a page of its own rather than one object among many."""


@dataclass
class Page:
    """One page of one role.

    Parameters
    ----------
    path : str
        URL path.
    kind : str
        ``navigation`` or a kind of :data:`KINDS`.
    first_visit_s : float
        Time of its first request, s.
    status : int
        HTTP status of that request.
    """

    path: str
    kind: str
    first_visit_s: float
    status: int


def kind_of(path: str) -> str | None:
    """The kind of page a link leads to, None for links that are not measured."""
    for kind, pattern in KINDS:
        if pattern.match(path):
            return kind
    return None


async def discover(client: Client, selected: re.Pattern[str]) -> list[Page]:
    """Visit the role's pages once each, breadth first from the navigation bar.

    Parameters
    ----------
    client : Client
        A client logged in as the role.
    selected : re.Pattern
        Only paths it matches (``re.search``) are measured; the others are still visited to
        find the links they hold.

    Returns
    -------
    list of Page
        The role's pages, in visiting order.
    """
    home = await client.http.get("/")
    nav = NAV.search(home.text)
    if nav is None:
        raise SystemExit("no navigation bar on the dashboard")
    queue = [(path, "navigation") for path in dict.fromkeys(HREF.findall(nav.group(1)))]
    seen_paths = {p for p, _ in queue}
    kinds_seen: set[str] = set()
    found: list[Page] = []
    for _depth in range(MAX_DEPTH):
        following: list[tuple[str, str]] = []
        for path, kind in queue:
            t0 = time.perf_counter()
            reply = await client.http.get(path)
            page = Page(path, kind, time.perf_counter() - t0, reply.status_code)
            if selected.search(path):
                found.append(page)
            if reply.status_code != 200 or "text/html" not in reply.headers.get(
                    "content-type", ""):
                continue
            for link in dict.fromkeys(HREF.findall(reply.text)):
                link_kind = kind_of(link)
                if link_kind is None or link in seen_paths or (
                        link_kind in kinds_seen and link_kind not in SUB_PAGE_KINDS):
                    continue
                seen_paths.add(link)
                kinds_seen.add(link_kind)
                following.append((link, link_kind))
        queue = following
    return found


async def measure_role(base: str, username: str, password: str, n_clients: int,
                       requests: int, max_seconds: float, selected: re.Pattern[str]
                       ) -> dict[str, Any]:
    """Discover a role's pages, then load the peer and each page in turn.

    Returns
    -------
    dict
        ``peer`` (its load summary) and ``pages``: per page its kind, first visit, status
        and load summary (None when it was not loaded).
    """
    def new_client() -> Client:
        return Client(httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_SECONDS))

    clients = [new_client() for _ in range(n_clients)]
    try:
        gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

        async def gated(i: int, client: Client) -> None:
            async with gate:
                await log_in(client, f"bench-pages-{i}", username, password)

        await asyncio.gather(*(gated(i, c) for i, c in enumerate(clients)))
        note(f"{username}: first visits ...")
        pages = await discover(clients[0], selected)
        results: dict[str, Any] = {"pages": {}}
        for target, page in [(PEER, None), *((Target(p.path, p.path, with_token=False), p)
                                             for p in pages)]:
            row: dict[str, Any] = {} if page is None else {
                "kind": page.kind, "first_visit_s": page.first_visit_s,
                "status": page.status, "load": None}
            if page is None or page.status == 200:
                note(f"{username}: loading {target.path} ({n_clients} clients x {requests}) ...")
                await hammer(clients, target, 1, time.monotonic() + max_seconds)
                load = await hammer(clients, target, requests, time.monotonic() + max_seconds)
                row["load"] = load.summary()
            if page is None:
                results["peer"] = row["load"]
            else:
                results["pages"][page.path] = row
        return results
    finally:
        await asyncio.gather(*(c.http.aclose() for c in clients))


def over_bound(p95_ms: float | None, peer_p95_ms: float | None) -> bool:
    """Whether a p95 misses both bounds: over 8× the peer's and over 0.5 s."""
    if p95_ms is None or peer_p95_ms is None:
        return False
    return p95_ms > RATIO_BOUND * peer_p95_ms and p95_ms > ABSOLUTE_BOUND_S * 1000.0


def measure_server(base: str, logins: dict[str, dict[str, str]], roles: tuple[str, ...],
                   n_clients: int, requests: int, max_seconds: float,
                   selected: re.Pattern[str]) -> dict[str, Any]:
    """Every role's measurements on a running server (see :func:`measure_role`)."""
    return {role: asyncio.run(measure_role(base, role, logins[role]["password"], n_clients,
                                           requests, max_seconds, selected))
            for role in roles}


def run(database: str, server: str | None, logins_path: Path | None, roles: tuple[str, ...],
        n_clients: int, requests: int, max_seconds: float, selected: re.Pattern[str]
        ) -> dict[str, Any]:
    """Seed, serve, measure every role, or measure a running server; the measurements
    (see :func:`main` for the text form)."""
    t_start = time.monotonic()
    load_before = os.getloadavg()
    if server is not None and logins_path is not None:
        database = f"the server at {server}"
        measured = measure_server(server, json.loads(logins_path.read_text()), roles,
                                  n_clients, requests, max_seconds, selected)
    else:
        with tempfile.TemporaryDirectory(prefix="aurum-bench-") as tmp, \
                scratch_database(database, Path(tmp)) as url:
            env = {**os.environ, "AURUM_HOME": str(Path(tmp) / "home"),
                   "AURUM_KEYS": str(Path(tmp) / "keys"), "AURUM_DATABASE_URL": url,
                   "AURUM_DEMO_SOURCE": "off"}
            note("seeding the demo district ...")
            logins = seed_demo(env)
            note("starting aurum serve ...")
            load_before = os.getloadavg()
            with aurum_serve(env, Path(tmp) / "server.log") as (base, _pid):
                measured = measure_server(base, logins, roles, n_clients, requests,
                                          max_seconds, selected)
    load_after = os.getloadavg()
    return {"benchmark": "pages", "database": database, "clients": n_clients,
            "requests_per_client": requests, "workers": 1, "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after],
            "seconds": round(time.monotonic() - t_start, 1), "roles": measured}


def _ms(value: float | None) -> str:
    """Milliseconds as a table cell."""
    return "-" if value is None else f"{value:.0f}"


def report_lines(r: dict[str, Any]) -> list[str]:
    """The text form of a run: a table per role, then the slow first visits."""
    lines = [f"pages under {r['clients']} concurrent clients x {r['requests_per_client']} "
             f"requests, aurum serve (1 worker), demo district on {r['database']}, "
             f"{r['cpus']} CPUs, load average {r['load_before'][0]} before, "
             f"{r['load_after'][0]} after (1 min)"]
    flagged, slow_first = [], []
    for role, m in r["roles"].items():
        peer = m["peer"]
        lines += [f"{role}: {PEER.name} p50 {_ms(peer['p50_ms'])} ms, p95 "
                  f"{_ms(peer['p95_ms'])} ms",
                  f"  {'page':<34}{'kind':<18}{'first s':>8}{'p50 ms':>8}{'p95 ms':>8}"
                  f"{'p95/me':>8}"]
        for path, row in m["pages"].items():
            load = row["load"] or {}
            p95 = load.get("p95_ms")
            ratio = "" if p95 is None or not peer["p95_ms"] else f"{p95 / peer['p95_ms']:.1f}x"
            flag = ""
            if row["status"] != 200:
                flag = f"  (HTTP {row['status']}, not loaded)"
            elif over_bound(p95, peer["p95_ms"]):
                flag = "  OVER"
                flagged.append(f"{role} {path}")
            lines.append(f"  {path:<34}{row['kind']:<18}{row['first_visit_s']:>8.2f}"
                         f"{_ms(load.get('p50_ms')):>8}{_ms(p95):>8}{ratio:>8}{flag}")
            lines += [f"    error: {e}" for e in load.get("first_errors", [])]
            if row["first_visit_s"] > SLOW_FIRST_VISIT_S:
                slow_first.append(f"  {role} {path}: {row['first_visit_s']:.1f} s")
    lines.append(f"over both bounds (p95 > {RATIO_BOUND:.0f}x me and > "
                 f"{ABSOLUTE_BOUND_S} s): {', '.join(flagged) or 'none'}")
    lines.append(f"first visits over {SLOW_FIRST_VISIT_S:.0f} s:"
                 + ("\n" + "\n".join(slow_first) if slow_first else " none"))
    return lines


def main() -> None:
    """Parse the options, run, print; exit 1 when a request failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_common_arguments(parser)
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients (10)")
    parser.add_argument("--requests", type=int, default=5,
                        help="requests per client and page under load (5)")
    parser.add_argument("--roles", default=",".join(ROLES),
                        help=f"demo users measured, comma-separated ({','.join(ROLES)})")
    parser.add_argument("--pages", default="",
                        help="measure only the paths this regular expression finds (all)")
    parser.add_argument("--server", default=None,
                        help="measure this running demo server (e.g. http://127.0.0.1:8000) "
                             "instead of seeding and serving one; needs --logins")
    parser.add_argument("--logins", type=Path, default=None,
                        help="the server's AURUM_HOME/demo-logins.json (with --server)")
    parser.add_argument("--max-seconds", type=float, default=60.0,
                        help="time limit per page; clients stop early after it (60)")
    args = parser.parse_args()
    roles = tuple(r for r in args.roles.split(",") if r)
    if not (1 <= args.clients <= 100 and 1 <= args.requests <= 1000
            and 0 < args.max_seconds <= 1800 and (args.server is None) == (args.logins is None)
            and set(roles) <= {
                "admin", "miit", "shandong", "auditor", "group", "mine", "recycler"}):
        parser.error("expected 1-100 clients, 1-1000 requests, 0-1800 max seconds and "
                     "demo users for --roles; --server and --logins together")
    r = run(args.database, args.server, args.logins, roles, args.clients, args.requests,
            args.max_seconds, re.compile(args.pages))
    emit(r, args.format, report_lines(r))
    if any((row["load"] or {}).get("errors") for m in r["roles"].values()
           for row in [{"load": m["peer"]}, *m["pages"].values()]):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
