"""``aurum resources``: resource estimation."""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, progress_bar
from aurum.core.i18n import _

# Domain modules are imported inside the verbs: they load numpy, pandas, SciPy and numba,
# which ``aurum resources --help`` and the other verb should not pay for.


@click.group(name="resources")
def resources() -> None:
    """3D resource modelling: block estimation."""


@resources.command("estimate")
@click.argument("run_file", type=click.Path(dir_okay=False, path_type=Path))
@FORMAT_OPTION
def estimate(run_file: Path, fmt: str) -> None:
    """Estimate a block grid from a RUN.yaml (ordinary or simple kriging, inverse distance)."""
    from aurum.resources import runfile

    run = runfile.read_run(run_file)
    with progress_bar(_("estimating blocks")) as advance:
        summary = runfile.execute(run, advance)
    if fmt == "json":
        echo_json({k: summary[k] for k in ("blocks", "estimated", "mean", "seconds")})
        return
    mean = _("n/a") if summary["mean"] is None else f"{summary['mean']:.4g}"
    click.echo(_("%(estimated)s of %(blocks)s blocks estimated (mean %(mean)s) in %(seconds)s s "
                 "from %(samples)s samples; written to %(path)s",
                 estimated=format(summary["estimated"], ","), blocks=format(summary["blocks"], ","),
                 mean=mean, seconds=format(summary["seconds"], ".2f"),
                 samples=format(summary["samples"], ","), path=summary["output"]))


@resources.command("drillholes")
@click.option("--collar", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--survey", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--assay", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lithology", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--grade", required=True, help="Grade column to composite, e.g. AU.")
@click.option("--composite", "length", type=float, default=2.0, show_default=True,
              help="Composite length, m.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Samples CSV (x, y, z, value, hole) for a run file.")
@click.option("--strict", is_flag=True, help="Refuse the files on any error.")
@FORMAT_OPTION
def drillholes(collar: Path, survey: Path, assay: Path, lithology: Path | None, grade: str,
               length: float, out: Path | None, strict: bool, fmt: str) -> None:
    """Validate drillholes (every problem by hole and interval), desurvey by minimum
    curvature and composite one grade; optionally write the samples for a run file."""
    from aurum.resources.drillholes import read_drillholes
    from aurum.resources.samples import composite_samples

    db = read_drillholes(collar, survey, assay, lithology, strict=strict)
    samples = composite_samples(db, grade, length)
    if out is not None:
        samples.drop(columns=["from", "to"]).to_csv(out, index=False, float_format="%.6f")
    counts = db.report.counts()
    summary = {"holes": int(db.collars["hole"].nunique()), "intervals": len(db.intervals),
               "composites": len(samples), "problems": counts,
               "mean": float(samples["value"].mean()) if len(samples) else None}
    if fmt == "json":
        echo_json(summary)
        return
    for problem in db.report.problems[:20]:
        click.echo(_("warning: %(problem)s", problem=problem), err=True)
    click.echo(_("%(holes)s holes, %(intervals)s intervals, %(composites)s composites of "
                 "%(length)s m (mean %(grade)s %(mean)s); problems: %(problems)s",
                 holes=summary["holes"], intervals=format(summary["intervals"], ","),
                 composites=format(summary["composites"], ","), length=format(length, "g"),
                 grade=grade,
                 mean=format(summary["mean"] or float("nan"), ".4g"),
                 problems=", ".join(f"{k} {v}" for k, v in counts.items()) or _("none")))
