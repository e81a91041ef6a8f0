"""Names line up: a command group fronting a domain package is named after it, and the names
scripts already use (the contract) still answer."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import click
from click.testing import CliRunner

from aurum.cli import ALIASES, cli


def test_groups_fronting_a_domain_are_named_after_it() -> None:
    for name in ("planning", "processing", "prospect", "recycling", "resources", "safety",
                 "seismic", "underground"):
        assert cli.get_command(click.Context(cli), name) is not None, name
        assert importlib.util.find_spec(f"aurum.{name}") is not None
        assert importlib.util.find_spec(f"aurum.services.{name}") is not None


def test_contract_names_answer_as_their_group() -> None:
    runner = CliRunner()
    for alias, name in ALIASES.items():
        assert alias not in cli.list_commands(click.Context(cli))
        by_alias = runner.invoke(cli, [alias, "--help"])
        by_name = runner.invoke(cli, [name, "--help"])
        assert by_alias.exit_code == by_name.exit_code == 0
        # Same verbs, same text, but for the name the usage line shows.
        assert by_alias.output.splitlines()[1:] == by_name.output.splitlines()[1:]
        assert f" {alias} " in by_alias.output.splitlines()[0]
    listing = runner.invoke(cli, ["--help"]).output
    assert "ledger  = recycling" in listing and "pit     = planning" in listing


def test_version_loads_no_group() -> None:
    # The command line imports a group's module only when the group is called: ``--version``
    # loads neither the numeric nor the web stack (issue 16's start-up floor).
    code = ("import sys; from aurum.cli import cli\n"
            "try: cli(['--version'])\n"
            "except SystemExit: pass\n"
            "print(' '.join(m for m in ('numpy', 'fastapi', 'sqlalchemy', 'rich', 'pandas')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[-1] == "", out
