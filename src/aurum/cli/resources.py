"""``aurum resources``: resource estimation."""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, progress_bar
from aurum.core.checks import FIRST_YEAR, LAST_YEAR
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


# The indicator fields as the delineate verb's flags, so that a refusal names what was typed.
@resources.command("reserve-report")
@click.option("--site", "site_code", required=True, help="The mine's code.")
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), required=True,
              help="The year reported (its statement closes the report).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.xlsx (Excel) or FILE.pdf (PDF).")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), default=None,
              help="Language of the report (default: the platform's).")
@DATABASE_OPTION
@FORMAT_OPTION
def reserve_report(site_code: str, year: int, out: Path, lang: str | None, url: str | None,
                   fmt: str) -> None:
    """Write a mine's annual reserve report (矿山储量年报): opening, mined, lost, exploration,
    re-estimation and closing by GB/T 17766-2020 category, as Excel or PDF."""
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "pdf"):
        raise click.BadParameter(_("the file must end in .xlsx or .pdf"), param_hint="--out")
    # Imported here: the platform, pandas and WeasyPrint load only when a report is written.
    from aurum.core import i18n
    from aurum.services import reserve_report as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    with platform.sessions() as s, i18n.using(i18n.parse_tag(lang) or i18n.default_locale()):
        data, _name = service.document(s, SYSTEM, platform.settings.home, site_code, year, kind)
    out.write_bytes(data)
    if fmt == "json":
        echo_json({"site": site_code, "year": year, "file": str(out), "bytes": len(data)})
        return
    click.echo(_("%(site)s %(year)s reserve report written to %(path)s", site=site_code,
                 year=year, path=out))


_INDICATOR_FLAGS = {"cutoff_gpt": "--cutoff", "min_industrial_gpt": "--min-industrial",
                    "min_thickness_m": "--min-thickness", "max_waste_m": "--max-waste",
                    "min_metre_grade": "--min-metre-grade"}


@resources.command("delineate")
@click.option("--collar", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--survey", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--assay", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--grade", required=True, help="Grade column delineated, e.g. AU.")
@click.option("--cutoff", type=float, required=True, help="Cut-off grade (边界品位), grade unit.")
@click.option("--min-industrial", type=float, required=True,
              help="Minimum industrial grade (最低工业品位), grade unit.")
@click.option("--min-thickness", type=float, required=True,
              help="Minimum mining thickness (最小可采厚度), m.")
@click.option("--max-waste", type=float, required=True,
              help="Internal-waste thickness (夹石剔除厚度), m: waste this long splits.")
@click.option("--min-metre-grade", type=float,
              help="Minimum metre-grade, m × grade unit [default: min-industrial × "
                   "min-thickness].")
@click.option("--strike", type=float, help="Orebody strike, degrees (right-hand rule).")
@click.option("--dip", type=float, help="Orebody dip, degrees below the horizontal.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Intercept table CSV, one row per orebody.")
@FORMAT_OPTION
def delineate(collar: Path, survey: Path, assay: Path, grade: str, cutoff: float,
              min_industrial: float, min_thickness: float, max_waste: float,
              min_metre_grade: float | None, strike: float | None, dip: float | None,
              out: Path, fmt: str) -> None:
    """Delineate orebodies hole by hole with industrial indicators (单工程矿体圈定) and write
    the intercept table: each orebody's depths, grade, metre-grade, true thickness, category
    and desurveyed mid-point."""
    from aurum.core.errors import Problem, ValidationError
    from aurum.core.files import write_atomic
    from aurum.resources.delineate import intercept_table
    from aurum.resources.drillholes import read_drillholes
    from aurum.resources.indicators import IndustrialIndicators

    try:
        indicators = IndustrialIndicators.from_mapping(
            {"cutoff_gpt": cutoff, "min_industrial_gpt": min_industrial,
             "min_thickness_m": min_thickness, "max_waste_m": max_waste,
             "min_metre_grade": min_metre_grade})
    except ValidationError as err:
        raise ValidationError([Problem(p.message, source=_INDICATOR_FLAGS.get(p.column or ""))
                               for p in err.problems]) from None
    if not out.parent.is_dir():
        raise ValidationError(Problem(_("the folder %(folder)s does not exist; expected an "
                                        "existing folder", folder=out.parent), source="--out"))
    db = read_drillholes(collar, survey, assay)
    table = intercept_table(db, grade, indicators, strike, dip)
    write_atomic(out, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6f"))
    counts = db.report.counts()
    categories = table["category"].value_counts()
    summary = {"holes": int(db.collars["hole"].nunique()),
               "holes_with_ore": int(table["hole"].nunique()), "orebodies": len(table),
               "industrial": int(categories.get("industrial", 0)),
               "low_grade": int(categories.get("low_grade", 0)),
               "indicators": {**indicators.as_dict(),
                              "metre_grade_floor": indicators.metre_grade_floor},
               "problems": counts, "out": str(out)}
    if fmt == "json":
        echo_json({**summary, "intercepts": table.to_dict(orient="records")})
        return
    click.echo(_("%(orebodies)s orebodies (%(industrial)s industrial, %(low)s low-grade) in "
                 "%(with_ore)s of %(holes)s holes; drillhole problems: %(problems)s; written "
                 "to %(path)s", orebodies=format(summary["orebodies"], ","),
                 industrial=format(summary["industrial"], ","),
                 low=format(summary["low_grade"], ","), with_ore=summary["holes_with_ore"],
                 holes=summary["holes"],
                 problems=", ".join(f"{k} {v}" for k, v in counts.items()) or _("none"),
                 path=out))


# The geological-block verb's numbers as its flags, so that a refusal names what was typed.
_GEOBLOCK_FLAGS = {"strike": "--strike", "dip": "--dip", "density": "--density"}


@resources.command("geoblocks")
@click.option("--intercepts", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="INTERCEPTS.csv of 'aurum resources delineate' (one orebody).")
@click.option("--strike", type=float, required=True,
              help="Orebody strike, degrees 0-360 (right-hand rule: it dips towards strike + 90).")
@click.option("--dip", type=float, required=True, help="Orebody dip, degrees above 0, at most 90.")
@click.option("--density", type=float, required=True, help="Ore density, t/m3.")
@click.option("--outline", type=click.Path(dir_okay=False, path_type=Path),
              help="OUTLINE.csv (u, v in m; default: the pierce points' hull pushed out by half "
                   "the mean spacing).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="BLOCKS.csv to write.")
@FORMAT_OPTION
def geoblocks(intercepts: Path, strike: float, dip: float, density: float,
              outline: Path | None, out: Path, fmt: str) -> None:
    """Estimate one orebody by geological blocks in the vertical longitudinal projection
    (垂直纵投影地质块段法): each industrial intercept's Voronoi cell clipped to the outline,
    tonnes by GB/T 17766-2020 category."""
    from aurum.core.errors import Problem, ValidationError
    from aurum.resources.gbt17766 import category_label
    from aurum.resources.geoblocks import CSV_COLUMNS, run_geoblocks

    try:
        estimate = run_geoblocks(intercepts, strike, dip, density, outline, out)
    except ValidationError as err:
        raise ValidationError([
            Problem(p.message, source=_GEOBLOCK_FLAGS[p.column or ""])
            if p.source is None and (p.column or "") in _GEOBLOCK_FLAGS else p
            for p in err.problems]) from None
    if fmt == "json":
        echo_json({"tonnes": estimate.tonnes, "grade": estimate.grade,
                   "metal_kg": estimate.metal_kg,
                   "blocks": estimate.blocks[list(CSV_COLUMNS)].to_dict(orient="records")})
        return
    click.echo(_("%(blocks)s blocks: %(tonnes)s t of ore at %(grade)s g/t, %(metal)s kg of "
                 "metal; written to %(path)s", blocks=len(estimate.blocks),
                 tonnes=format(estimate.tonnes, ",.0f"), grade=format(estimate.grade, ".2f"),
                 metal=format(estimate.metal_kg, ",.1f"), path=out))
    for row in estimate.by_category().itertuples():
        click.echo(_("  %(category)s: %(tonnes)s t at %(grade)s g/t, %(metal)s kg",
                     category=category_label(str(row.category)), tonnes=format(row.tonnes, ",.0f"),
                     grade=_("n/a") if row.tonnes == 0 else format(row.grade, ".2f"),
                     metal=format(row.metal_kg, ",.1f")))
