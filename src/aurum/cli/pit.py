"""``aurum pit``: open-pit optimisation."""

from __future__ import annotations

import time
from pathlib import Path

import click
import numpy as np

from aurum.cli.common import FORMAT_OPTION, echo_json
from aurum.planning.maxclosure import maximum_closure
from aurum.planning.minelib import read_instance


@click.group(name="pit")
def pit() -> None:
    """Open-pit optimisation: the ultimate pit by maximum closure."""


@pit.command("ultimate")
@click.option("--upit", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="MineLib block values (NAME.upit).")
@click.option("--prec", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="MineLib precedences (NAME.prec).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the pit's block ids, one per line.")
@FORMAT_OPTION
def ultimate(upit: Path, prec: Path, out: Path | None, fmt: str) -> None:
    """The ultimate pit (exact maximum closure) of a MineLib instance."""
    instance = read_instance(upit, prec)
    t0 = time.perf_counter()
    result = maximum_closure(instance.values, instance.pred_ptr, instance.pred_idx)
    seconds = time.perf_counter() - t0
    if out is not None:
        np.savetxt(out, np.flatnonzero(result.in_pit), fmt="%d")
    summary = {"value": result.value, "n_blocks": result.n_blocks, "seconds": seconds,
               "instance": instance.name, "blocks_total": instance.n_blocks,
               "precedences": instance.n_arcs}
    if fmt == "json":
        echo_json(summary)
    else:
        click.echo(f"{instance.name}: ultimate pit of {result.n_blocks:,} of "
                   f"{instance.n_blocks:,} blocks, value {result.value:,.2f}, "
                   f"solved in {seconds:.3f} s")
