"""Memory of a server under contract fuzzing: the ceiling one worker process keeps.

The demo district is seeded (``aurum db upgrade``, ``aurum demo seed``) into a temporary
``AURUM_HOME`` with its own ``AURUM_KEYS``, and ``aurum serve`` (one worker,
``AURUM_DEMO_SOURCE=off``) listens on 127.0.0.1 and a free port. While a thread samples the
server process's resident set every ``--interval`` s, two phases run:

1. *Heavy requests*, each valid and as large as the bounds allow, so that the peak includes the
   bounded worst cases: the pit what-if at 30° and 60° on every demo block model
   (``POST /api/v1/pit/models/{id}/study``), the indicators at every as-of year the types admit
   (``/api/v1/indicators?as_of=2000…2035``; the years outside the data are 422), the province
   and group tables and the site rows as Excel at the latest year with data, the prospectivity
   demo study, an upload of ``MAX_ROWS`` report rows padded to just under ``MAX_UPLOAD_BYTES``
   (parsed in full, then refused: its sites are unknown; ``--concurrent-uploads`` copies at
   once) and an upload one byte over ``MAX_UPLOAD_BYTES`` (refused, 413). Each must answer the
   status listed for it.
2. *Fuzzing*: schemathesis generates requests from the live ``/openapi.json`` for every
   operation (the token revocations excepted: they would end the fuzzer's own tokens), as the
   demo's administrator and as an enterprise user: ``--examples`` valid and ``--examples``
   invalid requests per operation and role, and ``--examples`` more on stored objects (the
   enterprise's site, report, hazard and block model) where the path names them, until every
   operation is done or the time budget is spent.

Printed: the resident set (psutil, else ``/proc/<pid>/status``) at start (server up, before any
request), its sampled peak and the step in progress then, the kernel's high-water mark
(``VmHWM``), the count of requests, of 5xx answers and of requests that got no answer, each
heavy request and the fuzzed operations whose requests grew the resident set most; the peak
checked is the larger of the sampled peak and ``VmHWM``. The exit status is 1
when any request got a 5xx or no answer, a heavy request answered another status than
expected, or the peak exceeds ``--ceiling-mib``; the server's tracebacks are then printed.

Run from the repository root::

    .venv/bin/python benchmarks/bench_fuzz_memory.py [--examples 10] [--max-seconds 300]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
import schemathesis
from _common import add_common_arguments, emit, note, scratch_database
from bench_dashboard import HOST, free_port, stop, wait_until_up
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err

from aurum.core.checks import FIRST_YEAR, LAST_YEAR
from aurum.core.tables import MAX_ROWS, MAX_UPLOAD_BYTES

try:
    import psutil
except ImportError:  # the /proc files give the same figure on Linux
    psutil = None

MIB = 2**20
ADMIN = "admin"
ENTERPRISE = "group"
"""The demo's enterprise user of a group, whose mines include the showcase SD-SSD-01."""
DEFAULT_CEILING_MIB = 2048
"""The stated ceiling of one worker process, MiB (see benchmarks/README.md)."""
REQUEST_TIMEOUT_S = 120.0
STOP_RESERVE_S = 20.0
"""Seconds of the budget kept for stopping the server and printing the result."""
PIT_SLOPES_DEG = (30.0, 60.0)
EXCLUDED = {
    # They revoke tokens, the fuzzer's own among them (tests/api covers them).
    "DELETE /api/v1/tokens/current",
    "DELETE /api/v1/tokens/{token_id}",
}
"""Operations left out of fuzzing, with the reason beside them."""
ERROR_LOG_LINE = re.compile(
    r"^.*\b((unexpected error|database unavailable) on |Exception in ASGI application)",
    re.MULTILINE)
"""The first line of an error record in the server log: the app's own (logger ``aurum.api``)
or uvicorn's, for an exception that escaped the app."""


class MemorySampler(threading.Thread):
    """Samples a process's resident set every ``interval_s`` seconds until stopped, and
    keeps the peak of each step the caller names.

    Parameters
    ----------
    pid : int
        Process sampled.
    interval_s : float
        Time between two samples, s.

    Attributes
    ----------
    label : str
        The step in progress (:meth:`begin`).
    start_bytes, peak_bytes : int
        First and largest sample, bytes.
    peak_label : str
        The step in progress when the peak was sampled.
    at_begin, peak_during : dict of str to int
        Resident set when each step began and its largest sample during the step, bytes.
    samples : int
        Samples taken.
    """

    def __init__(self, pid: int, interval_s: float) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pid, self.interval_s = pid, interval_s
        self.label = self.peak_label = "start"
        self.start_bytes = self.peak_bytes = resident_bytes(pid)
        self.at_begin = {self.label: self.start_bytes}
        self.peak_during = {self.label: self.start_bytes}
        self.samples = 1
        self._halt = threading.Event()

    def begin(self, label: str) -> None:
        """Start a step: later samples count towards its peak."""
        self.label = label
        self.at_begin.setdefault(label, self.sample())

    def sample(self) -> int:
        """Take one sample now (also between the periodic ones); the resident set, bytes."""
        rss, label = resident_bytes(self.pid), self.label
        self.samples += 1
        self.peak_during[label] = max(self.peak_during.get(label, 0), rss)
        if rss > self.peak_bytes:
            self.peak_bytes, self.peak_label = rss, label
        return rss

    def growth(self, label: str) -> int:
        """Largest sample during a step above the resident set when it began, bytes."""
        return max(self.peak_during.get(label, 0) - self.at_begin[label], 0)

    def run(self) -> None:
        while not self._halt.wait(self.interval_s):
            try:
                self.sample()
            except (OSError, ValueError):  # the process has ended: nothing more to see
                return

    def stop(self) -> None:
        """End the periodic sampling."""
        self._halt.set()
        self.join(5.0)


def _proc_status_bytes(pid: int, key: str) -> int:
    """A ``kB`` line of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``), bytes."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    raise ValueError(f"no {key} in /proc/{pid}/status")


def resident_bytes(pid: int) -> int:
    """Resident set of a process now, bytes (psutil, else ``/proc/<pid>/status``)."""
    if psutil is not None:
        try:
            return int(psutil.Process(pid).memory_info().rss)
        except psutil.Error as exc:
            raise OSError(str(exc)) from exc
    return _proc_status_bytes(pid, "VmRSS")


def high_water_bytes(pid: int) -> int | None:
    """The kernel's peak resident set of a process (``VmHWM``), bytes; None off Linux."""
    try:
        return _proc_status_bytes(pid, "VmHWM")
    except (OSError, ValueError):
        return None


@dataclass
class Tally:
    """Every request sent and what came back.

    Parameters
    ----------
    statuses : Counter
        Requests per HTTP status.
    server_errors : list of dict
        Each 5xx: operation, role, what was sent, the answer's start.
    no_answer : list of dict
        Each request that got no HTTP answer (time-out, connection refused or reset).
    """

    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[dict[str, Any]] = field(default_factory=list)
    no_answer: list[dict[str, Any]] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + len(self.no_answer)

    @property
    def count_5xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


@dataclass(frozen=True)
class Heavy:
    """One deliberately heavy, valid request.

    Parameters
    ----------
    label : str
        Name in the output.
    method, path : str
        What is requested.
    role : str
        User sending it (a key of the tokens).
    expected : tuple of int
        The statuses that show the bound holds.
    options : dict
        More ``httpx.Client.request`` arguments (``json``, ``files``).
    copies : int
        How many of it are sent at once.
    """

    label: str
    method: str
    path: str
    role: str
    expected: tuple[int, ...]
    options: dict[str, Any] = field(default_factory=dict)
    copies: int = 1


def aurum_command() -> str:
    """The ``aurum`` console script of this interpreter's environment."""
    beside = Path(sys.executable).with_name("aurum")
    found = str(beside) if beside.exists() else shutil.which("aurum")
    if found is None:
        raise SystemExit("no 'aurum' command beside the interpreter or on PATH")
    return found


def seed_demo(env: dict[str, str]) -> dict[str, dict[str, str]]:
    """Migrate and seed the demo district as ``make demo`` does; return its logins."""
    for verb in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([aurum_command(), *verb], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    logins: dict[str, dict[str, str]] = json.loads(
        (Path(env["AURUM_HOME"]) / "demo-logins.json").read_text())
    return logins


@contextlib.contextmanager
def aurum_serve(env: dict[str, str], log_path: Path) -> Iterator[tuple[str, int]]:
    """``aurum serve`` (one worker) on 127.0.0.1 and a free port until the block ends.

    Yields
    ------
    (str, int)
        Base URL, once the server answers, and the server's process id.
    """
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen([aurum_command(), "serve", "--host", HOST, "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(base, proc)
        yield base, proc.pid
    finally:
        stop(proc)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tokens_for(http: httpx.Client, logins: dict[str, dict[str, str]]) -> dict[str, str]:
    """A bearer token for the administrator and for the enterprise user."""
    tokens = {}
    for user in (ADMIN, ENTERPRISE):
        reply = http.post("/api/v1/tokens", json={
            "username": user, "password": logins[user]["password"], "name": "fuzz-memory"})
        reply.raise_for_status()
        tokens[user] = reply.json()["token"]
    return tokens


def stored_objects(http: httpx.Client, token: str) -> dict[str, object]:
    """The enterprise's stored objects by path parameter name: a site, a report, a hazard, a
    block model."""
    def first(path: str) -> dict[str, Any]:
        reply = http.get(path, headers=bearer(token))
        reply.raise_for_status()
        rows = reply.json()
        if not rows:
            raise SystemExit(f"the demo's {ENTERPRISE} user sees nothing at {path}")
        return dict(rows[0])

    report = first("/api/v1/reports")
    return {"code": report["site"], "site": report["site"], "site_code": report["site"],
            "period": report["period"], "report_id": report["report_id"],
            "hazard_id": first("/api/v1/safety/hazards")["id"],
            "model_id": first("/api/v1/pit/models")["model_id"]}


def refused_upload(http: httpx.Client, token: str) -> bytes:
    """A report CSV of :data:`MAX_ROWS` rows, just under :data:`MAX_UPLOAD_BYTES`, that the
    server must parse in full and refuse: a stored report's figures on sites that do not
    exist, each row's amendment reason padded to fill the file."""
    listing = http.get("/api/v1/reports", headers=bearer(token))
    listing.raise_for_status()
    stored = http.get(f"/api/v1/reports/{listing.json()[0]['report_id']}",
                      headers=bearer(token))
    stored.raise_for_status()
    values = {k: v for k, v in stored.json()["versions"][-1]["values"].items()
              if v is not None}
    row = {"site": "ZZ-NONE-000000", "period": stored.json()["period"], **values,
           "amendment_reason": ""}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    header = len(buf.getvalue())
    writer.writerow(row)
    spare = (MAX_UPLOAD_BYTES - 1024 - header) // MAX_ROWS - (len(buf.getvalue()) - header)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    reason = "x" * max(spare, 0)
    for i in range(MAX_ROWS):
        writer.writerow({**row, "site": f"ZZ-NONE-{i:06d}", "amendment_reason": reason})
    data = buf.getvalue().encode()
    assert len(data) <= MAX_UPLOAD_BYTES, len(data)
    return data


def heavy_requests(http: httpx.Client, tokens: dict[str, str], latest_year: int,
                   upload: bytes, concurrent_uploads: int) -> list[Heavy]:
    """The bounded worst cases (see the module docstring); ``concurrent_uploads`` copies of
    the largest upload that is parsed are sent at once."""
    models = http.get("/api/v1/pit/models", headers=bearer(tokens[ADMIN]))
    models.raise_for_status()
    heavy = [Heavy(f"pit what-if {m['name']} at {slope:g}°", "POST",
                   f"/api/v1/pit/models/{m['model_id']}/study", ADMIN, (200,),
                   {"json": {"slopes": slope}})
             for m in models.json() for slope in PIT_SLOPES_DEG]
    heavy += [Heavy(f"{table} as_of={latest_year} xlsx", "GET",
                    f"/api/v1/indicators/{table}?as_of={latest_year}&format=xlsx", ADMIN,
                    (200,)) for table in ("provinces", "groups")]
    heavy += [Heavy("indicator site rows xlsx", "GET", "/api/v1/indicators/rows?format=xlsx",
                    ADMIN, (200,)),
              Heavy("prospectivity demo study", "POST", "/api/v1/prospect/demo", ADMIN,
                    (201, 404)),  # 404: the Cloncurry data is not beside the repository
              Heavy(f"upload of {MAX_ROWS:,} rows, {len(upload) / MIB:.1f} MiB"
                    + (f", {concurrent_uploads} at once" if concurrent_uploads > 1 else ""),
                    "POST", "/api/v1/reports/upload", ENTERPRISE, (422,),
                    {"files": {"file": ("rows.csv", upload, "text/csv")}},
                    concurrent_uploads),
              Heavy(f"upload of {MAX_UPLOAD_BYTES // MIB} MiB + 1 byte", "POST",
                    "/api/v1/reports/upload", ENTERPRISE, (413,),
                    {"files": {"file": ("big.csv", b"0" * (MAX_UPLOAD_BYTES + 1),
                                        "text/csv")}})]
    return heavy


def run_heavy(http: httpx.Client, tokens: dict[str, str], heavy: list[Heavy],
              sampler: MemorySampler, tally: Tally) -> list[dict[str, Any]]:
    """Send each heavy request (its copies at once); the status (the first unexpected one,
    if any), seconds and the resident set before and during each."""
    def send(h: Heavy) -> httpx.Response | httpx.HTTPError:
        try:
            return http.request(h.method, h.path, headers=bearer(tokens[h.role]),
                                **h.options)
        except httpx.HTTPError as exc:
            return exc

    results = []
    for h in heavy:
        label = f"heavy: {h.label}"
        sampler.begin(label)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(h.copies) as pool:
            replies = list(pool.map(send, [h] * h.copies))
        seconds = time.perf_counter() - t0
        sampler.sample()
        statuses: list[int | None] = []
        for reply in replies:
            if isinstance(reply, httpx.HTTPError):
                tally.no_answer.append({"operation": f"{h.method} {h.path}", "role": h.role,
                                        "sent": h.label,
                                        "error": f"{type(reply).__name__}: {reply}"})
                statuses.append(None)
                continue
            statuses.append(reply.status_code)
            tally.statuses[reply.status_code] += 1
            if reply.status_code >= 500:
                tally.server_errors.append({"operation": f"{h.method} {h.path}",
                                            "role": h.role, "sent": h.label,
                                            "status": reply.status_code,
                                            "answer": reply.text[:300]})
        status = next((s for s in statuses if s not in h.expected), statuses[0])
        results.append({"label": h.label, "status": status,
                        "expected": list(h.expected), "seconds": round(seconds, 3),
                        "rss_before_mib": round(sampler.at_begin[label] / MIB, 1),
                        "peak_mib": round(sampler.peak_during[label] / MIB, 1),
                        "growth_mib": round(sampler.growth(label) / MIB, 1)})
        note(f"  {h.label}: {status} in {seconds:.2f} s")
    return results


def as_of_years(http: httpx.Client, token: str, tally: Tally,
                sampler: MemorySampler) -> int:
    """``GET /api/v1/indicators?as_of=Y`` for every year the types admit; the latest that
    answered 200 (the other years must be 422)."""
    latest = None
    sampler.begin(f"heavy: indicators as_of={FIRST_YEAR}...{LAST_YEAR}")
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        reply = http.get(f"/api/v1/indicators?as_of={year}", headers=bearer(token))
        tally.statuses[reply.status_code] += 1
        if reply.status_code == 200:
            latest = year
        elif reply.status_code != 422:
            tally.server_errors.append({"operation": "GET /api/v1/indicators", "role": ADMIN,
                                        "sent": f"as_of={year}",
                                        "status": reply.status_code,
                                        "answer": reply.text[:300]})
    if latest is None:
        raise SystemExit("no as-of year gave the indicators")
    return latest


def fuzz(base: str, tokens: dict[str, str], known: dict[str, object], examples: int,
         deadline: float, sampler: MemorySampler, tally: Tally) -> dict[str, Any]:
    """Schemathesis on every operation of the live ``/openapi.json`` until ``deadline``
    (``time.monotonic``).

    Returns
    -------
    dict
        Operations fuzzed, left out (:data:`EXCLUDED`) and not reached in time.
    """
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    session = requests.Session()
    done: list[str] = []
    not_reached: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation the document describes wrongly
            raise SystemExit(f"/openapi.json: {result.err()}")
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        if name in EXCLUDED:
            continue
        if time.monotonic() > deadline:
            not_reached.append(name)
            continue
        names = re.findall(r"\{(\w+)\}", operation.path)
        on_stored = {n: known[n] for n in names} if names and all(
            n in known for n in names) else None
        sampler.begin(f"fuzz: {name}")
        for role, token in tokens.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                # Unsatisfiable: no invalid request exists (an operation without parameters).
                with contextlib.suppress(Unsatisfiable):
                    _examples(operation, mode, role, token, examples, session, tally)
            if on_stored is not None:
                _examples(operation, GenerationMode.POSITIVE, role, token, examples, session,
                          tally, on_stored)
        sampler.sample()
        done.append(name)
        note(f"  {name}: {tally.requests:,} requests so far, {tally.count_5xx} 5xx, "
             f"peak {sampler.peak_bytes / MIB:.0f} MiB")
    largest = sorted(done, key=lambda n: -sampler.growth(f"fuzz: {n}"))[:5]
    return {"operations": len(done), "excluded": sorted(EXCLUDED), "not_reached": not_reached,
            "largest_growth": [{"operation": n,
                                "growth_mib": round(sampler.growth(f"fuzz: {n}") / MIB, 1),
                                "peak_mib": round(sampler.peak_during[f"fuzz: {n}"] / MIB, 1)}
                               for n in largest]}


def _examples(operation: Any, mode: GenerationMode, role: str, token: str, examples: int,
              session: requests.Session, tally: Tally,
              path: dict[str, object] | None = None) -> None:
    """``examples`` generated requests of one operation, mode and role, each tallied."""
    label = (f"{operation.method.upper()} {operation.path} ({mode.value}"
             f"{', on stored objects' if path else ''})")

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        sent = {"path": case.path_parameters, "query": case.query,
                "body": case.body if isinstance(case.body, dict | list | str | int)
                else type(case.body).__name__}
        try:
            reply = case.call(session=session, headers=bearer(token),
                              timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as exc:
            tally.no_answer.append({"operation": label, "role": role,
                                    "sent": json.dumps(sent, default=str)[:500],
                                    "error": f"{type(exc).__name__}: {exc}"})
            return
        tally.statuses[reply.status_code] += 1
        if reply.status_code >= 500:
            tally.server_errors.append({"operation": label, "role": role,
                                        "sent": json.dumps(sent, default=str)[:500],
                                        "status": reply.status_code,
                                        "answer": reply.text[:300]})

    call()


def server_tracebacks(log: str, limit: int = 10) -> list[str]:
    """The server log's error records (the line naming the request and its traceback)."""
    starts = [m.start() for m in ERROR_LOG_LINE.finditer(log)]
    blocks = [log[a:b].strip() for a, b in zip(starts, [*starts[1:], len(log)], strict=True)]
    return [b[:4000] for b in blocks[:limit]]


def run(database: str, examples: int, max_seconds: float, interval_s: float,
        ceiling_mib: float, concurrent_uploads: int, keep_log: Path | None
        ) -> dict[str, Any]:
    """Seed, serve, send the heavy requests, fuzz; what the server's memory did.

    Returns
    -------
    dict
        The measurements (see :func:`main` for the text form).
    """
    t_start = time.monotonic()
    deadline = t_start + max_seconds - STOP_RESERVE_S
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="aurum-bench-") as tmp, \
            scratch_database(database, Path(tmp)) as url:
        env = {**os.environ, "AURUM_HOME": str(Path(tmp) / "home"),
               "AURUM_KEYS": str(Path(tmp) / "keys"), "AURUM_DATABASE_URL": url,
               "AURUM_DEMO_SOURCE": "off"}
        note("seeding the demo district ...")
        logins = seed_demo(env)
        log_path = Path(tmp) / "server.log"
        note("starting aurum serve ...")
        sampler: MemorySampler | None = None
        try:
            with aurum_serve(env, log_path) as (base, pid), \
                    httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as http:
                sampler = MemorySampler(pid, interval_s)
                sampler.start()
                tokens = tokens_for(http, logins)
                known = stored_objects(http, tokens[ENTERPRISE])
                note("heavy requests ...")
                latest = as_of_years(http, tokens[ADMIN], tally, sampler)
                upload = refused_upload(http, tokens[ENTERPRISE])
                heavy = run_heavy(http, tokens, heavy_requests(
                    http, tokens, latest, upload, concurrent_uploads), sampler, tally)
                del upload
                note(f"fuzzing until {max(deadline - time.monotonic(), 0):.0f} s from now ...")
                fuzzed = fuzz(base, tokens, known, examples, deadline, sampler, tally)
                sampler.stop()
                end = sampler.sample()
                high_water = high_water_bytes(pid)
        finally:
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
            if keep_log is not None:
                keep_log.write_text(log)
    assert sampler is not None
    peak = max(sampler.peak_bytes, high_water or 0)
    return {"benchmark": "fuzz_memory", "database": database, "examples": examples,
            "max_seconds": max_seconds, "seconds": round(time.monotonic() - t_start, 1),
            "interval_s": interval_s, "sampler": "psutil" if psutil else "/proc",
            "load_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
            "rss_start_mib": round(sampler.start_bytes / MIB, 1),
            "rss_peak_sampled_mib": round(sampler.peak_bytes / MIB, 1),
            "rss_peak_during": sampler.peak_label, "samples": sampler.samples,
            "vm_hwm_mib": None if high_water is None else round(high_water / MIB, 1),
            "rss_end_mib": round(end / MIB, 1), "concurrent_uploads": concurrent_uploads,
            "peak_mib": round(peak / MIB, 1), "ceiling_mib": ceiling_mib,
            "latest_as_of": latest, "heavy": heavy, **fuzzed,
            "requests": tally.requests, "statuses": dict(sorted(tally.statuses.items())),
            "server_errors_5xx": tally.count_5xx, "server_errors": tally.server_errors,
            "no_answer": tally.no_answer,
            "tracebacks": server_tracebacks(log) if tally.server_errors or tally.no_answer
            else []}


def failures(r: dict[str, Any]) -> list[str]:
    """Why the run fails (empty when it passes)."""
    found = []
    if r["server_errors_5xx"]:
        found.append(f"{r['server_errors_5xx']} answers were 5xx")
    if r["no_answer"]:
        found.append(f"{len(r['no_answer'])} requests got no answer")
    found += [f"{h['label']}: {h['status']}, expected {' or '.join(map(str, h['expected']))}"
              for h in r["heavy"] if h["status"] not in h["expected"]]
    if r["peak_mib"] > r["ceiling_mib"]:
        found.append(f"peak {r['peak_mib']:.0f} MiB above the ceiling of "
                     f"{r['ceiling_mib']:.0f} MiB")
    return found


def text_lines(r: dict[str, Any], failed: list[str]) -> list[str]:
    """The human-readable report."""
    hwm = "-" if r["vm_hwm_mib"] is None else f"{r['vm_hwm_mib']:.0f} MiB"
    lines = [f"aurum serve (1 worker, {r['database']}, demo district) under fuzzing: "
             f"{r['seconds']:.0f} s, {r['cpus']} CPUs (load {r['load_1m']})",
             f"  resident set at start     {r['rss_start_mib']:>7.0f} MiB",
             f"  peak sampled every {r['interval_s']:g} s {r['rss_peak_sampled_mib']:>6.0f} MiB"
             f"  (during {r['rss_peak_during']})",
             f"  kernel high-water mark    {hwm:>11}",
             f"  resident set at the end   {r['rss_end_mib']:>7.0f} MiB",
             f"  ceiling                   {r['ceiling_mib']:>7.0f} MiB",
             f"  requests {r['requests']:,}; 5xx {r['server_errors_5xx']}; no answer "
             f"{len(r['no_answer'])}; statuses "
             + ", ".join(f"{s}: {n:,}" for s, n in r["statuses"].items()),
             f"  operations fuzzed {r['operations']} ({r['examples']} examples per mode and "
             f"role), left out {len(r['excluded'])}, not reached in time "
             f"{len(r['not_reached'])}" + "".join(f"\n    not reached: {n}"
                                                 for n in r["not_reached"]),
             f"  {'heavy request':<52}{'status':>7}{'s':>7}{'before':>8}{'peak':>7}"
             f"{'growth':>8} (MiB)"]
    lines += [f"  {h['label']:<52}{h['status']!s:>7}{h.get('seconds', 0):>7.2f}"
              f"{h.get('rss_before_mib', 0):>8.0f}{h.get('peak_mib', 0):>7.0f}"
              f"{h.get('growth_mib', 0):>8.0f}" for h in r["heavy"]]
    lines += [f"  fuzzed, largest growth: {g['operation']:<44}{g['peak_mib']:>7.0f}"
              f"{g['growth_mib']:>8.0f}" for g in r["largest_growth"]]
    lines += [f"  5xx: {e['operation']} as {e['role']}: {e['sent']} -> {e['status']} "
              f"{e['answer']}" for e in r["server_errors"]]
    lines += [f"  no answer: {e['operation']} as {e['role']}: {e['error']}"
              for e in r["no_answer"]]
    lines += [f"  server log:\n{t}" for t in r["tracebacks"]]
    lines.append("  FAILED: " + "; ".join(failed) if failed else "  ok")
    return lines


def main() -> None:
    """Parse the options, run, print; exit 1 on a 5xx, no answer, or a peak over the ceiling."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_common_arguments(parser)
    parser.add_argument("--examples", type=int, default=10,
                        help="generated requests per operation, mode and role (10)")
    parser.add_argument("--max-seconds", type=float, default=300.0,
                        help="time budget of the whole run; fuzzing stops in time (300)")
    parser.add_argument("--interval", type=float, default=0.2,
                        help="seconds between two samples of the resident set (0.2)")
    parser.add_argument("--ceiling-mib", type=float, default=DEFAULT_CEILING_MIB,
                        help=f"fail above this peak, MiB ({DEFAULT_CEILING_MIB})")
    parser.add_argument("--concurrent-uploads", type=int, default=1,
                        help="copies of the largest parsed upload sent at once (1)")
    parser.add_argument("--server-log", type=Path, default=None,
                        help="keep the server's log in this file")
    args = parser.parse_args()
    if not (1 <= args.examples <= 100 and 60 <= args.max_seconds <= 3600
            and 0.01 <= args.interval <= 10 and args.ceiling_mib > 0
            and 1 <= args.concurrent_uploads <= 8):
        parser.error("expected 1-100 examples, 60-3600 max seconds, a 0.01-10 s interval, "
                     "a positive ceiling and 1-8 concurrent uploads")
    r = run(args.database, args.examples, args.max_seconds, args.interval, args.ceiling_mib,
            args.concurrent_uploads, args.server_log)
    failed = failures(r)
    emit(r, args.format, text_lines(r, failed))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
