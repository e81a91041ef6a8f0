"""What every command shares: error rendering, JSON output, progress bars, table cells padded
to the terminal columns their text takes."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from aurum.core import i18n
from aurum.core.errors import AurumError, ValidationError
from aurum.core.jsonsafe import finite

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                             default="text", show_default=True, help="Output format.")

DATABASE_OPTION = click.option(
    "--database", "url", help="SQLAlchemy URL (default: AURUM_DATABASE_URL or the embedded "
    "SQLite in AURUM_HOME).")


class AurumGroup(click.Group):
    """A command group that turns Aurum errors into one line per problem and exit code 2,
    whoever invokes it (the installed script, ``CliRunner``, another program).

    ``lazy`` maps a command's name to ``"module:attribute"``, imported when the command is
    called (or listed by ``--help``). ``aliases`` maps a further name to a command's name: a
    group is named after its domain package (``recycling``, ``planning``) and keeps the name
    scripts already call it by (``ledger``, ``pit``).
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None,
                 aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self.aliases = dict(aliases or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = self.aliases.get(cmd_name, cmd_name)
        if name not in self.commands and name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_commands(ctx, formatter)
        if self.aliases:
            with formatter.section("Also answers to"):
                formatter.write_dl(sorted((alias, f"= {name}")
                                          for alias, name in self.aliases.items()))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            for problem in exc.problems:
                click.echo(i18n.gettext("error: %(problem)s", problem=problem), err=True)
            if exc.omitted:
                click.echo(i18n.gettext("error: … and %(omitted)s more problems",
                                        omitted=exc.omitted), err=True)
            ctx.exit(2)
        except AurumError as exc:
            click.echo(i18n.gettext("error: %(error)s", error=exc), err=True)
            ctx.exit(2)


def locale_of_environment() -> str:
    """The language of the command's output: the first of ``LC_ALL``, ``LC_MESSAGES`` and
    ``LANG`` that is set (as POSIX does), if it names a language Aurum speaks, else English
    (``C`` and ``POSIX``, the locales of scripts and servers, included)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return i18n.parse_tag(value) or "en"
    return "en"


def width(text: str) -> int:
    """The terminal columns ``text`` takes: East Asian wide and full-width characters (a
    Chinese header's) take two."""
    return i18n.text_width(text)


def pad(text: str, columns: int, right: bool = False) -> str:
    """``text`` filled with spaces to ``columns`` terminal columns, on the right (or on the
    left with ``right``, for numbers), so a table lines up in either language."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def fixed(value: float | None, digits: int, missing: str = "—") -> str:
    """``value`` with ``digits`` decimals, or ``missing`` where there is none."""
    return missing if value is None else f"{value:.{digits}f}"


def echo_table(rows: Sequence[Sequence[str]], right: Callable[[int], bool]) -> None:
    """Print ``rows`` (the header first) in columns two spaces apart, each as wide as its
    widest cell in terminal columns; column ``i`` is filled on the left (numbers) where
    ``right(i)``."""
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(pad(cell, w, right=right(i))
                             for i, (cell, w) in enumerate(zip(row, widths, strict=True))))


def echo_json(payload: Any) -> None:
    """Print a JSON document (NaN and infinities as null)."""
    click.echo(json.dumps(finite(payload), indent=2, ensure_ascii=False, default=str))


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, driven by ``advance(done, total)`` calls (silent when stderr
    is not a terminal, so logs and pipes stay clean)."""
    # Imported here: rich costs more to import than the whole command line's start-up.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
