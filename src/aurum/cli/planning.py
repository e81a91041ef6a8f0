"""``aurum planning`` (also ``aurum pit``, the name scripts use): open-pit optimisation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, progress_bar
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

# Domain modules are imported where they are used: the pit study loads pandas, SciPy and
# numba (seconds on a busy machine), which ``aurum planning --help`` should not pay for and a
# MineLib instance does not need.
if TYPE_CHECKING:
    import numpy as np

FILE = click.Path(dir_okay=False, path_type=Path)


@click.group(name="planning")
def planning() -> None:
    """Open-pit optimisation: the ultimate pit by maximum closure, nested pits, pushbacks and
    cut-off grades."""


@planning.command("ultimate")
@click.option("--upit", type=FILE, help="MineLib block values (NAME.upit).")
@click.option("--prec", type=FILE, help="MineLib precedences (NAME.prec).")
@click.option("--model", type=FILE,
              help="Block model, CSV or Parquet: x, y, z (block centres, m) and the grade "
                   "(g/t) and any density, tonnes or region columns the economics name.")
@click.option("--economics", type=FILE,
              help="Pit economics (YAML): price, costs, processes, slopes, revenue factors, "
                   "schedule, pushbacks; see aurum.planning.study.")
@click.option("--out", type=FILE, help="Write the pit's block ids, one per line (for a block "
              "model: the block index in GSLIB order, x fastest, from 0).")
@FORMAT_OPTION
def ultimate(upit: Path | None, prec: Path | None, model: Path | None,
             economics: Path | None, out: Path | None, fmt: str) -> None:
    """The ultimate pit (exact maximum closure) of a MineLib instance (--upit, --prec), or the
    full pit study of a block model (--model, --economics): nested pits, pit-by-pit values,
    pushbacks with a minimum mining width, and cut-off grades."""
    if (upit is None) != (prec is None) or (model is None) != (economics is None) \
            or (upit is None) == (model is None):
        raise ValidationError(Problem(_("give either --upit and --prec (a MineLib instance) or "
                                        "--model and --economics (a block model)")))
    if upit is not None and prec is not None:
        summary, in_pit = _minelib(upit, prec)
    else:
        assert model is not None and economics is not None
        summary, in_pit = _block_model(model, economics)
    if out is not None:
        import numpy as np

        np.savetxt(out, np.flatnonzero(in_pit), fmt="%d")
    if fmt == "json":
        echo_json(summary)
        return
    click.echo(_("%(instance)s: ultimate pit of %(blocks)s of %(total)s blocks, value "
                 "%(value)s, solved in %(seconds)s s", instance=summary["instance"],
                 blocks=format(summary["n_blocks"], ","),
                 total=format(summary["blocks_total"], ","),
                 value=format(summary["value"], ",.2f"),
                 seconds=format(summary["seconds"], ".3f")))
    for row in summary.get("pushbacks", []):
        click.echo("  " + _("pushback %(pushback)s: %(mt)s Mt, %(kg)s kg Au, value %(value)s "
                            "CNY, %(narrow)s %% narrower than %(width)s m",
                            pushback=row["pushback"], mt=format(row["tonnes_t"] / 1e6, ",.2f"),
                            kg=format(row["gold_kg"], ",.0f"), value=format(row["value"], ",.0f"),
                            narrow=format(row["narrow_pct"], ".1f"),
                            width=format(summary["min_mining_width_m"], "g")))


def _minelib(upit: Path, prec: Path) -> tuple[dict[str, Any], np.ndarray]:
    from aurum.planning.maxclosure import maximum_closure
    from aurum.planning.minelib import read_instance

    instance = read_instance(upit, prec)
    t0 = time.perf_counter()
    result = maximum_closure(instance.values, instance.pred_ptr, instance.pred_idx)
    seconds = time.perf_counter() - t0
    return ({"value": result.value, "n_blocks": result.n_blocks, "seconds": seconds,
             "instance": instance.name, "blocks_total": instance.n_blocks,
             "precedences": instance.n_arcs}, result.in_pit)


def _block_model(path: Path, economics_path: Path) -> tuple[dict[str, Any], np.ndarray]:
    from aurum.planning.study import STAGES, pit_study, read_economics
    from aurum.resources.blockmodel import BlockModel

    economics = read_economics(economics_path)
    blocks = (BlockModel.read_parquet(path) if path.suffix.lower() in (".parquet", ".pq")
              else BlockModel.read_csv(path))
    t0 = time.perf_counter()
    with progress_bar(_("pit study")) as advance:
        study = pit_study(blocks.grid, blocks.attributes, economics, advance)
    seconds = time.perf_counter() - t0
    return {**study.summary(), "seconds": seconds, "instance": path.stem,
            "blocks_total": blocks.grid.n_blocks, "stages": list(STAGES)}, study.in_pit

