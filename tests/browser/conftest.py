"""A real server on the demo district and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.demo_home import copy_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass
class Server:
    url: str
    home: Path
    logins: dict[str, dict[str, str]]

    def password(self, user: str) -> str:
        return self.logins[user]["password"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory,
           request: pytest.FixtureRequest) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser installs it)")
    # The run's demo, seeded as `make demo` seeds it (texts stored at write time, such as
    # model names and statement bases, in the platform's default language, Chinese; the
    # pages follow each browser's), copied for this worker's server.
    demo = request.getfixturevalue("demo_seeded")
    home, keys = copy_demo(demo, tmp_path_factory.mktemp("aurum-demo"))
    env = {**os.environ, "AURUM_HOME": str(home), "AURUM_KEYS": str(keys)}
    env.pop("AURUM_DATABASE_URL", None)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "aurum.api.asgi:app",
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/login", timeout=1)
                break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start: " + (
                        proc.stderr.read().decode() if proc.stderr else "")) from exc
                time.sleep(0.2)
        logins = json.loads((home / "demo-logins.json").read_text())
        yield Server(url, home, logins)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make browser installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
