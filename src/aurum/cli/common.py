"""What every command shares: error rendering, JSON output, progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from aurum.core.errors import AurumError, ValidationError

T = TypeVar("T")

FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                             default="text", show_default=True, help="Output format.")


def run(group: click.Group) -> None:
    """Run the CLI; turn Aurum errors into one line per problem and exit code 2."""
    try:
        group.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(2)
    except AurumError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def echo_json(payload: Any) -> None:
    """Print a JSON document (NaN and infinities as null)."""
    click.echo(json.dumps(_finite(payload), indent=2, ensure_ascii=False, default=str))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def progress(items: Iterable[T], total: int | None, description: str) -> Iterator[T]:
    """Iterate with a progress bar on stderr (silent when stderr is not a terminal)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeRemainingColumn(), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
