"""``aurum db``, ``aurum demo`` and ``aurum user`` through the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aurum.store import migrate

AURUM = str(Path(sys.executable).with_name("aurum"))


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AURUM_HOME": str(home)}
    env.pop("AURUM_DATABASE_URL", None)
    return subprocess.run([AURUM, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=300)


def test_upgrade_seed_and_user(tmp_path: Path) -> None:
    up = _run(tmp_path, "db", "upgrade", "--format", "json")
    assert up.returncode == 0, up.stderr
    assert json.loads(up.stdout)["revision"] == migrate.head_revision()
    seeded = _run(tmp_path, "demo", "seed", "--format", "json")
    assert seeded.returncode == 0, seeded.stderr
    summary = json.loads(seeded.stdout)
    assert summary["logins"] == sorted(["admin", "auditor", "group", "mine", "miit",
                                        "recycler", "shandong"])
    again = _run(tmp_path, "demo", "seed", "--if-empty")
    assert again.returncode == 0 and "already seeded" in again.stdout
    refused = _run(tmp_path, "demo", "seed")
    assert refused.returncode == 2 and "already holds a registry" in refused.stderr
    made = _run(tmp_path, "user", "create", "analyst", "--role", "regulator",
                "--province", "Gansu", "--password", "a-long-password-1")
    assert made.returncode == 0, made.stderr
    short = _run(tmp_path, "user", "create", "x", "--role", "auditor", "--password", "short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    orphan = _run(tmp_path, "user", "create", "y", "--role", "enterprise",
                  "--password", "a-long-password-2")
    assert orphan.returncode == 2 and "needs an organisation" in orphan.stderr
