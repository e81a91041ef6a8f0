"""``aurum db``, ``aurum demo`` and ``aurum user`` through the installed script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aurum.store import migrate
from tests.demo_home import DemoTemplate, copy_demo

AURUM = str(Path(sys.executable).with_name("aurum"))


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AURUM_HOME": str(home)}
    env.pop("AURUM_DATABASE_URL", None)
    return subprocess.run([AURUM, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_upgrade_seed_and_user(demo_seeded: DemoTemplate, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    # `db upgrade` then `demo seed`, both with --format json, run once for the whole test run
    # (tests/demo_home.py; a non-zero exit fails there); the verbs below run on a copy.
    assert demo_seeded.upgrade["revision"] == migrate.head_revision()
    assert demo_seeded.seeded["logins"] == sorted(["admin", "auditor", "buyer", "group", "lab",
                                                   "maker", "mine", "miit", "recycler",
                                                   "shandong"])
    home, keys = copy_demo(demo_seeded, tmp_path)
    monkeypatch.setenv("AURUM_KEYS", str(keys))
    again = _run(home, "demo", "seed", "--if-empty")
    assert again.returncode == 0 and "already seeded" in again.stdout
    refused = _run(home, "demo", "seed")
    assert refused.returncode == 2 and "already holds a registry" in refused.stderr
    made = _run(home, "user", "create", "analyst", "--role", "regulator",
                "--province", "Gansu", "--password", "a-long-password-1")
    assert made.returncode == 0, made.stderr
    short = _run(home, "user", "create", "x", "--role", "auditor", "--password", "short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    orphan = _run(home, "user", "create", "y", "--role", "enterprise",
                  "--password", "a-long-password-2")
    assert orphan.returncode == 2 and "needs an organisation" in orphan.stderr
