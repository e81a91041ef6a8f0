"""``aurum metrology``: proficiency testing of laboratories by ISO 13528.

Contract relied on by scripts: ``aurum metrology pt --results RESULTS.csv [--assigned VALUE
--assigned-u U] [--sigma-pt S] [--format json]`` reads ``lab, value`` (and an optional
``uncertainty``, the standard uncertainty of each result) and prints ``{"assigned_value",
"robust_sd", "u_assigned", "sigma_pt", "labs": [{"lab", "z", "flag"}]}``, each laboratory with
``zeta`` and ``en`` too when the file has uncertainties. Without ``--assigned`` the assigned
value and its uncertainty are Algorithm A's consensus (x*, 1.25 s*/√p); σ_pt is
``--sigma-pt`` or s*. No server or database; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, echo_table, fixed
from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

NUMBERS = click.FloatRange(-1e12, 1e12)
UNCERTAINTIES = Interval(0.0, 1e12)
"""A standard uncertainty, the results' unit: checked by the command (one line, the
option named) rather than by click's usage error."""
SIGMAS = Interval(1e-12, 1e12)


@click.group(name="metrology")
def metrology() -> None:
    """Proficiency testing and inter-laboratory comparison of assays (ISO 13528)."""


def _flag_names() -> dict[str, str]:
    return {"satisfactory": _("satisfactory"), "questionable": _("questionable"),
            "unsatisfactory": _("unsatisfactory")}


@metrology.command("pt")
@click.option("--results", "results_file", required=True, metavar="RESULTS.csv",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="lab, value [, uncertainty] (standard uncertainty, the results' unit).")
@click.option("--assigned", type=NUMBERS, help="Assigned value (e.g. a reference material's "
              "certified value); without it, Algorithm A's robust mean.")
@click.option("--assigned-u", "assigned_u", type=float,
              help="Standard uncertainty of --assigned (given with it).")
@click.option("--sigma-pt", "sigma_pt", type=float,
              help="Standard deviation for proficiency assessment; without it, s*.")
@FORMAT_OPTION
def pt(results_file: Path, assigned: float | None, assigned_u: float | None,
       sigma_pt: float | None, fmt: str) -> None:
    """Scores of a proficiency-test round: z (and z', zeta, E_n) with their flags:
    satisfactory |z| <= 2, questionable 2 < |z| < 3, unsatisfactory |z| >= 3."""
    # Imported here: numpy and pandas, which ``aurum metrology --help`` should not load.
    from aurum.core.tables import read_table
    from aurum.metrology.results import read_results
    from aurum.metrology.scores import evaluate

    if (assigned is None) != (assigned_u is None):
        raise ValidationError(Problem(_("--assigned and --assigned-u are given together: "
                                        "the assigned value with its standard uncertainty"),
                                      column="--assigned-u" if assigned is not None
                                      else "--assigned"))
    if assigned_u is not None:
        UNCERTAINTIES.check("--assigned-u", assigned_u)
    if sigma_pt is not None:
        SIGMAS.check("--sigma-pt", sigma_pt)
    results = read_results(read_table(results_file, results_file.name), results_file.name)
    try:
        evaluation = evaluate(results.labs, results.values, results.uncertainties, assigned,
                              assigned_u, sigma_pt)
    except ValidationError as exc:  # name the file the results came from
        raise ValidationError([Problem(p.message, p.row, p.column, results_file.name)
                               for p in exc.problems]) from exc
    with_u = results.uncertainties is not None
    if fmt == "json":
        labs = []
        for s in evaluation.labs:
            entry: dict[str, object] = {"lab": s.lab, "z": s.z, "flag": s.flag}
            if with_u:
                entry |= {"zeta": s.zeta, "en": s.en}
            labs.append(entry)
        echo_json({"assigned_value": evaluation.assigned_value,
                   "robust_sd": None if evaluation.robust is None else evaluation.robust.s_star,
                   "u_assigned": evaluation.u_assigned, "sigma_pt": evaluation.sigma_pt,
                   "labs": labs})
        return
    robust = evaluation.robust
    click.echo(_("assigned value %(x)s (%(source)s), u %(u)s, sigma_pt %(s)s",
                 x=f"{evaluation.assigned_value:.4g}",
                 source=_("consensus, Algorithm A") if evaluation.source == "consensus"
                 else _("given"), u=f"{evaluation.u_assigned:.3g}",
                 s=f"{evaluation.sigma_pt:.3g}"))
    if robust is not None:
        click.echo(_("robust mean x* %(x)s, robust standard deviation s* %(s)s (%(p)s results, "
                     "%(n)s iterations%(warn)s)", x=f"{robust.x_star:.4g}",
                     s=f"{robust.s_star:.3g}", p=robust.p, n=robust.iterations,
                     warn="" if robust.converged else _(", NOT converged")))
    if evaluation.z_prime_advised:
        click.echo(_("u of the assigned value > 0.3 sigma_pt: read z', which allows for it, "
                     "rather than z (ISO 13528)"))
    names = _flag_names()
    header = (_("lab"), _("value"), *((_("u"),) if with_u else ()), "z", "z'",
              *(("zeta", "En") if with_u else ()), _("flag"))
    rows = [header] + [(s.lab, f"{s.value:.4g}",
                        *((fixed(s.uncertainty, 3, ""),) if with_u else ()),
                        fixed(s.z, 2, ""), fixed(s.z_prime, 2, ""),
                        *((fixed(s.zeta, 2, ""), fixed(s.en, 2, "")) if with_u else ()),
                        names[s.flag])
                       for s in evaluation.labs]
    echo_table(rows, right=lambda i: 0 < i < len(header) - 1)
