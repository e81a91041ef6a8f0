"""``aurum underground`` (also ``aurum stopes``, the contract's name): underground stope
optimisation on a block model."""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

# The domain module is imported inside the verb: it loads numpy, pandas, SciPy and numba,
# which ``aurum underground --help`` should not pay for.

FILE = click.Path(dir_okay=False, path_type=Path)


@click.group(name="underground")
def underground() -> None:
    """Underground stopes: the non-conflicting box stopes of greatest value."""


@underground.command("optimise")
@click.option("--model", type=FILE, required=True,
              help="Block values, CSV: i, j, k (block indices from 0; i along strike, j across, "
                   "k up) and value (CNY if the block is mined), every block of the grid.")
@click.option("--params", type=FILE, required=True,
              help="Stope geometry, YAML: length: [min, max], width: [min, max], level_height, "
                   "pillar and optionally sill_pillar (blocks).")
@click.option("--exact", is_flag=True,
              help="Prove the optimum (set-packing MIP) instead of the fast method.")
@click.option("--out", type=FILE, required=True,
              help="Stopes, CSV: level, i0, i1, j0, j1, k0, k1 (inclusive) and value (CNY).")
@FORMAT_OPTION
def optimise(model: Path, params: Path, exact: bool, out: Path, fmt: str) -> None:
    """Choose the stopes of greatest total value: boxes of whole blocks within the length and
    width ranges, one level high, keeping the pillar between stopes of a level; report the
    value, an upper bound on any layout's value and the time taken."""
    import yaml

    from aurum.core.files import write_atomic
    from aurum.core.tables import for_export
    from aurum.underground.stopes import StopeParams, optimise_stopes, read_block_values

    if not out.parent.is_dir():
        raise ValidationError(Problem(_("the folder %(folder)s does not exist",
                                        folder=str(out.parent)), column="--out"))
    try:
        document = yaml.safe_load(params.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        error = (_("%(problem)s at line %(line)s, column %(column)s",
                   problem=getattr(exc, "problem", None) or exc, line=mark.line + 1,
                   column=mark.column + 1) if mark is not None else exc)
        raise ValidationError(Problem(_("cannot read the parameters: %(error)s", error=error),
                                      source=params.name)) from exc
    geometry = StopeParams.from_mapping(document, source=params.name)
    values = read_block_values(model)
    result = optimise_stopes(values, geometry, exact=exact)
    write_atomic(out, lambda tmp: for_export(result.frame).to_csv(tmp, index=False))
    if fmt == "json":
        echo_json({"value": result.value, "stopes": len(result.frame),
                   "upper_bound": result.upper_bound, "seconds": result.seconds})
        return
    click.echo(_("%(stopes)s stopes worth %(value)s CNY (upper bound %(bound)s CNY, gap "
                 "%(gap)s per cent) chosen among %(candidates)s candidates in %(seconds)s s; "
                 "written to %(path)s", stopes=format(len(result.frame), ","),
                 value=format(result.value, ",.0f"), bound=format(result.upper_bound, ",.0f"),
                 gap=format(100 * result.gap, ".3f"),
                 candidates=format(result.candidates, ","),
                 seconds=format(result.seconds, ".2f"), path=str(out)))
