"""Dashboard latency under concurrent regulators, against the API's cheapest endpoint.

The demo district is seeded into a temporary ``AURUM_HOME`` and served by ``uvicorn`` in a
subprocess on 127.0.0.1. ``--clients`` concurrent clients, each logged in as the national
regulator with a token and a session cookie of its own, send their requests one after the
other, to:

OURS: ``GET /api/v1/indicators`` (the plan's indicators computed from the stored reports) and
the dashboard page ``GET /`` (the same computation plus charts and the HTML), each measured
twice: one request per client right after a write (one report uploaded again unchanged, as an
amendment, by the admin, so that whatever the server derived from the data is out of date),
then ``--requests`` per client in the steady state that follows.
PEER, on the same server, data and load: ``GET /api/v1/me``, the cheapest authenticated
endpoint (token lookup, one transaction, a small JSON body) — the framework's floor. The ratio
of p95 latencies shows what the indicator computation costs over that floor.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dashboard.py --database sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from _common import add_common_arguments, emit, machine, note, scratch_database

from aurum.demo import seed as demo
from aurum.services.platform import Platform

HOST = "127.0.0.1"
REGULATOR = "miit"
ADMIN = "admin"
STARTUP_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 120.0
LOGIN_CONCURRENCY = 4
KEEP_ALIVE_SECONDS = 600  # the clients stay connected between phases, as browsers would
CSRF_INPUT = re.compile(r'name="csrf"\s+value="([^"]+)"')


@dataclass(frozen=True)
class Target:
    """One measured URL.

    Parameters
    ----------
    name : str
        Label in the output.
    path : str
        URL path.
    with_token : bool
        Send the bearer token (API); otherwise rely on the session cookie (page).
    """

    name: str
    path: str
    with_token: bool


PEER = Target("me (peer)", "/api/v1/me", with_token=True)
PEER_RUN = f"{PEER.name}, steady"
TARGETS = (PEER, Target("indicators", "/api/v1/indicators", with_token=True),
           Target("dashboard page", "/", with_token=False))


@dataclass
class Client:
    """One simulated regulator: a connection pool, a cookie jar and a token of its own.

    Parameters
    ----------
    http : httpx.AsyncClient
        Connections and the session cookie.
    token : str
        Bearer token, set at login.
    """

    http: httpx.AsyncClient
    token: str = ""

    def headers(self, target: Target) -> dict[str, str]:
        """Authorization header for ``target`` (none for pages: the cookie logs in)."""
        return {"Authorization": f"Bearer {self.token}"} if target.with_token else {}


@dataclass
class Load:
    """Latencies of one target under load.

    Parameters
    ----------
    latencies_s : list of float
        Seconds per successful (HTTP 200) request.
    errors : list of str
        What went wrong with the others.
    wall_s : float
        Duration of the whole phase, s.
    """

    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Count, errors, p50/p95/p99/max in ms (None without a success), requests per s."""
        ms = np.asarray(self.latencies_s) * 1000.0
        stats: dict[str, float | None] = dict.fromkeys(("p50_ms", "p95_ms", "p99_ms", "max_ms"))
        if len(ms):
            p50, p95, p99 = np.percentile(ms, [50, 95, 99])
            stats = {"p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
                     "max_ms": float(ms.max())}
        return {"count": len(ms), "errors": len(self.errors), **stats,
                "requests_per_s": len(ms) / self.wall_s if self.wall_s else 0.0,
                "first_errors": self.errors[:3]}


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(home: Path, database_url: str, workers: int) -> Iterator[str]:
    """``uvicorn aurum.api.asgi:app`` in a subprocess; stopped when the block ends.

    Parameters
    ----------
    home : Path
        ``AURUM_HOME`` of the server.
    database_url : str
        ``AURUM_DATABASE_URL`` of the server.
    workers : int
        Worker processes.

    Yields
    ------
    str
        Base URL, once the server answers.
    """
    port = free_port()
    env = {**os.environ, "AURUM_HOME": str(home), "AURUM_DATABASE_URL": database_url}
    log_path = home / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "aurum.api.asgi:app", "--host", HOST,
             "--port", str(port), "--workers", str(workers), "--log-level", "warning",
             "--no-access-log", "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(base, proc)
        yield base
    except BaseException:
        note(f"server log (tail):\n{log_path.read_text(errors='replace')[-2000:]}")
        raise
    finally:
        stop(proc)


def wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    """Poll the login page until it answers; fail if it does not within the start-up time."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/login", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not come up within {STARTUP_SECONDS:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM, then SIGKILL to its process group after 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


async def log_in(client: Client, name: str, username: str, password: str) -> None:
    """Get a token of its own and a session cookie (login form with its CSRF token)."""
    reply = await client.http.post("/api/v1/tokens", json={
        "username": username, "password": password, "name": name})
    reply.raise_for_status()
    client.token = reply.json()["token"]
    page = await client.http.get("/login")
    found = CSRF_INPUT.search(page.text)
    if found is None:
        raise SystemExit("no csrf field on the login page")
    reply = await client.http.post("/login", data={
        "username": username, "password": password, "csrf": found.group(1)})
    if reply.status_code != 303 or reply.headers.get("location") != "/":
        raise SystemExit(f"page login failed: {reply.status_code} {reply.headers}")


async def resubmit_a_report(admin: Client) -> None:
    """A write that changes no figure: upload the first report again, as an amendment with
    its current values.

    The upload adds a report version and its audit record, as an enterprise's correction
    would, so whatever the server derived from the data before is out of date afterwards.
    """
    auth = {"Authorization": f"Bearer {admin.token}"}
    listing = await admin.http.get("/api/v1/reports", headers=auth)
    listing.raise_for_status()
    report = await admin.http.get(f"/api/v1/reports/{listing.json()[0]['report_id']}",
                                  headers=auth)
    report.raise_for_status()
    stored = report.json()
    row = {"site": stored["site"], "period": stored["period"],
           **{k: v for k, v in stored["versions"][-1]["values"].items() if v is not None},
           "amendment_reason": "benchmark: resubmitted unchanged"}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    reply = await admin.http.post("/api/v1/reports/upload", headers=auth, files={
        "file": ("resubmit.csv", buf.getvalue().encode(), "text/csv")})
    reply.raise_for_status()


async def hammer(clients: list[Client], target: Target, requests: int, deadline: float
                 ) -> Load:
    """Every client sends ``requests`` requests in sequence, all clients at once.

    A client stops early when ``deadline`` (``time.monotonic``) has passed.
    """
    load = Load()

    async def one(client: Client) -> None:
        for _ in range(requests):
            if time.monotonic() > deadline:
                return
            t0 = time.perf_counter()
            try:
                reply = await client.http.get(target.path, headers=client.headers(target))
            except httpx.HTTPError as exc:
                load.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - t0
            if reply.status_code == 200:
                load.latencies_s.append(elapsed)
            else:
                load.errors.append(f"HTTP {reply.status_code}")

    t0 = time.perf_counter()
    await asyncio.gather(*(one(c) for c in clients))
    load.wall_s = time.perf_counter() - t0
    return load


async def measure(base: str, logins: dict[str, dict[str, str]], n_clients: int,
                  requests: int, max_seconds: float) -> dict[str, dict[str, Any]]:
    """Log the clients in, then load each target in turn.

    Each target first gets one unmeasured request per client (every keep-alive connection,
    hence every worker, has served it once). The indicator targets are then measured twice:
    one request per client right after a write (:func:`resubmit_a_report`), then
    ``requests`` per client in the steady state that follows.
    """
    def new_client() -> Client:
        return Client(httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_SECONDS))

    clients = [new_client() for _ in range(n_clients)]
    admin = new_client()
    try:
        gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

        async def gated(i: int, client: Client) -> None:
            async with gate:
                await log_in(client, f"bench-{i}", REGULATOR, logins[REGULATOR]["password"])

        await asyncio.gather(*(gated(i, c) for i, c in enumerate(clients)))
        await log_in(admin, "bench-admin", ADMIN, logins[ADMIN]["password"])
        results = {}
        for target in TARGETS:
            warm = await hammer(clients, target, 1, time.monotonic() + max_seconds)
            if warm.errors:
                raise SystemExit(f"{target.path} fails: {warm.errors[0]}")
            if target is not PEER:
                await resubmit_a_report(admin)
                note(f"loading {target.path} right after a write ({n_clients} clients x 1 "
                     "request) ...")
                load = await hammer(clients, target, 1, time.monotonic() + max_seconds)
                results[f"{target.name}, after a write"] = load.summary()
            note(f"loading {target.path} ({n_clients} clients x {requests} requests) ...")
            load = await hammer(clients, target, requests, time.monotonic() + max_seconds)
            results[f"{target.name}, steady"] = load.summary()
        return results
    finally:
        await asyncio.gather(*(c.http.aclose() for c in [*clients, admin]))


def run(database: str, n_clients: int, requests: int, workers: int, max_seconds: float
        ) -> dict[str, Any]:
    """Seed the demo, serve it, measure every target; the ratios are p95 over the peer's.

    Returns
    -------
    dict
        The measurements (see :func:`main` for the text form).
    """
    with tempfile.TemporaryDirectory(prefix="aurum-bench-") as tmp, \
            scratch_database(database, Path(tmp)) as url:
        home = Path(tmp) / "home"
        os.environ["AURUM_HOME"] = str(home)  # the seeding writes its logins there
        platform = Platform.open(url, migrate_to_head=True)
        note("seeding the demo district ...")
        seeded = demo.seed(platform)
        # One key before the workers start, so that they do not race to create it.
        platform.settings.secret_key()
        env = machine(platform.engine)
        platform.engine.dispose()
        note(f"starting uvicorn with {workers} workers ...")
        with server(home, url, workers) as base:
            results = asyncio.run(measure(base, seeded.logins, n_clients, requests,
                                          max_seconds))
    peer_p95 = results[PEER_RUN]["p95_ms"]
    ratios = {} if peer_p95 is None else {
        name: r["p95_ms"] / peer_p95 for name, r in results.items()
        if name != PEER_RUN and r["p95_ms"] is not None}
    return {"benchmark": "dashboard", "clients": n_clients, "requests_per_client": requests,
            "workers": workers, "sites": seeded.sites, "reports": seeded.reports,
            "machine": env, "results": results, "p95_ratio_to_peer": ratios}


def _ms(value: float | None) -> str:
    """Milliseconds as a table cell."""
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    """Parse the options, run, print; exit 1 when a request failed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_common_arguments(parser)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--requests", type=int, default=20,
                        help="requests per client and target in the steady state (20)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (2)")
    parser.add_argument("--max-seconds", type=float, default=150.0,
                        help="time limit per target; clients stop early after it (150)")
    args = parser.parse_args()
    if not (1 <= args.clients <= 500 and 1 <= args.requests <= 1000
            and 1 <= args.workers <= 16 and 0 < args.max_seconds <= 1800):
        parser.error("expected 1-500 clients, 1-1000 requests, 1-16 workers, "
                     "0-1800 max seconds")
    r = run(args.database, args.clients, args.requests, args.workers, args.max_seconds)
    lines = [f"dashboard under {r['clients']} concurrent clients x {r['requests_per_client']} "
             f"requests, uvicorn {r['workers']} workers, demo district ({r['sites']} sites, "
             f"{r['reports']:,} reports) on {r['machine']['database']}, "
             f"{r['machine']['cpus']} CPUs (load {r['machine']['load_1m']})",
             f"  {'target':<31}{'count':>6}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}"
             f"{'p99 ms':>8}{'max ms':>8}{'req/s':>8}{'p95/peer':>10}"]
    for name, s in r["results"].items():
        ratio = r["p95_ratio_to_peer"].get(name)
        lines.append(f"  {name:<31}{s['count']:>6}{s['errors']:>7}{_ms(s['p50_ms']):>8}"
                     f"{_ms(s['p95_ms']):>8}{_ms(s['p99_ms']):>8}{_ms(s['max_ms']):>8}"
                     f"{s['requests_per_s']:>8.1f}"
                     f"{'' if ratio is None else f'{ratio:.1f}x':>10}")
        lines += [f"    error: {e}" for e in s["first_errors"]]
    emit(r, args.format, lines)
    if any(s["errors"] for s in r["results"].values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
