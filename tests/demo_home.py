"""The demo district seeded once for a whole test run, as ``make demo`` seeds it.

``aurum db upgrade`` then ``aurum demo seed`` through the installed script, into a home and a
keys directory of their own, with the platform's default language (texts stored at write
time are Chinese). The xdist workers of a run share one seeding: the first to ask seeds under
a lock in the run's common temporary folder, the others wait for it and read what it wrote.
A test never uses the template itself: :func:`copy_demo` gives it a home and keys of its own.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

AURUM = str(Path(sys.executable).with_name("aurum"))


@dataclass(frozen=True)
class DemoTemplate:
    """A seeded demo home, its keys, and what the two commands printed (their JSON)."""

    home: Path
    keys: Path
    upgrade: dict[str, object]
    seeded: dict[str, object]


def _run(home: Path, keys: Path, *args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("AURUM_DATABASE_URL", "AURUM_LOCALE")}
    env.update(AURUM_HOME=str(home), AURUM_KEYS=str(keys))
    done = subprocess.run([AURUM, *args, "--format", "json"], env=env, capture_output=True,
                          text=True, check=True, timeout=900)
    try:
        result: dict[str, object] = json.loads(done.stdout)
    except json.JSONDecodeError as exc:  # say what the command printed instead
        raise AssertionError(f"aurum {' '.join(args)} printed no JSON: {exc}\nstdout:\n"
                             f"{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}") from exc
    return result


def run_folder(base: Path, name: str) -> Path:
    """The folder ``name`` of the run, which every xdist worker sees: beside the workers'
    own temporary folders (``base``, the worker's) under xdist, in ``base`` otherwise."""
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def only_one_worker(folder: Path) -> Iterator[None]:
    """Held by one worker at a time: what the first makes in ``folder``, the others find."""
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def demo_template(base: Path) -> DemoTemplate:
    """The template of the run (:func:`run_folder`; ``base`` the worker's temporary folder),
    seeded by the first caller."""
    folder = run_folder(base, "demo-template")
    done = folder / "outputs.json"
    with only_one_worker(folder):
        if not done.exists():
            home, keys = folder / "home", folder / "keys"
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(keys, ignore_errors=True)
            outputs = {"upgrade": _run(home, keys, "db", "upgrade"),
                       "seeded": _run(home, keys, "demo", "seed")}
            done.write_text(json.dumps(outputs))
    outputs = json.loads(done.read_text())
    return DemoTemplate(folder / "home", folder / "keys", outputs["upgrade"], outputs["seeded"])


def copy_demo(template: DemoTemplate, dest: Path) -> tuple[Path, Path]:
    """A copy of the template's home and keys in ``dest`` (the home and keys folders)."""
    home, keys = dest / "home", dest / "keys"
    shutil.copytree(template.home, home)
    keys.mkdir(parents=True)
    if template.keys.is_dir():
        shutil.copytree(template.keys, keys, dirs_exist_ok=True)
    return home, keys
