"""Start-up of the command line (issue 16): ``aurum --help`` and a group's ``--help`` load
neither the numeric nor the web stack, since a group's module imports its domain and service
modules inside the verbs; and what a help text or an option writes out instead of importing
it from a heavy module says the same as the module."""

from __future__ import annotations

import subprocess
import sys

import click
import pandas as pd
import pytest

from aurum.cli import COMMANDS

HEAVY = ("numpy", "pandas", "scipy", "numba", "sqlalchemy", "fastapi", "starlette", "rich")

def _loaded_by(args: list[str]) -> list[str]:
    """The heavy modules a fresh interpreter holds after ``aurum ARGS``."""
    code = ("import sys\nfrom aurum.cli import cli\n"
            f"try: cli({args!r})\n"
            "except SystemExit as exc: assert exc.code in (0, None), exc.code\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return out[-1].split()


@pytest.mark.parametrize("group", [None, *COMMANDS], ids=lambda g: g or "aurum")
def test_help_loads_no_numeric_or_web_stack(group: str | None) -> None:
    args = ["--help"] if group is None else [group, "--help"]
    assert _loaded_by(args) == []


def _option(group: str, verb: str, name: str) -> click.Parameter:
    from aurum.cli import cli

    command = cli.get_command(click.Context(cli), group)
    assert isinstance(command, click.Group)
    found = command.get_command(click.Context(command), verb)
    assert found is not None
    return next(p for p in found.params if p.name == name)


def test_values_written_out_agree_with_their_modules() -> None:
    from aurum.processing.reconcile import ALPHA
    from aurum.prospect.layers import RESAMPLING_METHODS
    from aurum.recycling.purchases import CSV_COLUMNS
    from aurum.services.auth import Role
    from aurum.services.safety import MAX_AHEAD, mqtt

    append_file = _option("recycling", "append", "path")
    assert isinstance(append_file, click.Option)
    assert f"columns {', '.join(CSV_COLUMNS)};" in " ".join((append_file.help or "").split())
    assert _option("processing", "reconcile", "alpha").default == ALPHA
    resampling = _option("prospect", "wofe", "resampling").type
    assert isinstance(resampling, click.Choice)
    assert tuple(resampling.choices) == RESAMPLING_METHODS
    assert _option("sensors", "listen", "broker").default == mqtt.DEFAULT_BROKER
    assert _option("sensors", "simulate", "broker").default == mqtt.DEFAULT_BROKER
    assert _option("sensors", "listen", "max_ahead_h").default == MAX_AHEAD / pd.Timedelta(
        hours=1)
    role = _option("user", "create", "role").type
    assert isinstance(role, click.Choice)
    assert tuple(role.choices) == tuple(r.value for r in Role)
