"""``aurum resources``: resource estimation."""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, progress_bar
from aurum.resources import runfile


@click.group(name="resources")
def resources() -> None:
    """3D resource modelling: block estimation."""


@resources.command("estimate")
@click.argument("run_file", type=click.Path(dir_okay=False, path_type=Path))
@FORMAT_OPTION
def estimate(run_file: Path, fmt: str) -> None:
    """Estimate a block grid from a RUN.yaml (ordinary or simple kriging, inverse distance)."""
    run = runfile.read_run(run_file)
    with progress_bar("estimating blocks") as advance:
        summary = runfile.execute(run, advance)
    if fmt == "json":
        echo_json({k: summary[k] for k in ("blocks", "estimated", "mean", "seconds")})
        return
    mean = "n/a" if summary["mean"] is None else f"{summary['mean']:.4g}"
    click.echo(f"{summary['estimated']:,} of {summary['blocks']:,} blocks estimated "
               f"(mean {mean}) in {summary['seconds']:.2f} s from {summary['samples']:,} "
               f"samples; written to {summary['output']}")
