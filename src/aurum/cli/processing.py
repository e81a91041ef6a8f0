"""``aurum processing``: processing-plant metal accounting."""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json
from aurum.processing.circuit import read_circuit
from aurum.processing.reconcile import ALPHA, reconcile


@click.group(name="processing")
def processing() -> None:
    """Processing plants: mass and metal balances of a circuit."""


@processing.command("reconcile")
@click.argument("circuit", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--alpha", type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
              default=ALPHA, show_default=True,
              help="Significance level of the global test (gross-error detection).")
@click.option("--gross-errors/--no-gross-errors", "gross_errors", default=True,
              show_default=True, help="Remove suspect measurements by serial elimination.")
@FORMAT_OPTION
def reconcile_command(circuit: Path, alpha: float, gross_errors: bool, fmt: str) -> None:
    """Reconcile the masses (t) and assays (g/t) of CIRCUIT (YAML) so that every balance
    closes; print the adjusted values with their standard deviations, the global test and the
    measurements found to be gross errors."""
    result = reconcile(read_circuit(circuit), alpha=alpha, detect_gross_errors=gross_errors)
    if fmt == "json":
        echo_json(result.as_dict())
        return
    comps = result.components
    header = f"{'stream':<24}{'mass t':>14}{'± sd':>12}" + "".join(
        f"{c + ' g/t':>14}{'± sd':>12}" for c in comps)
    click.echo(header)
    for j, name in enumerate(result.streams):
        cells = [f"{result.mass[j]:>14,.4f}{result.mass_sd[j]:>12,.4f}"]
        cells += [f"{result.assays[j, k]:>14,.4f}{result.assays_sd[j, k]:>12,.4f}"
                  for k in range(len(comps))]
        click.echo(f"{name:<24}" + "".join(cells))
    click.echo(f"global test: chi2 = {result.chi2:.4f}, dof = {result.dof}, "
               f"p = {result.p_value:.4f}; largest relative imbalance "
               f"{result.max_relative_imbalance:.1e}")
    for g in result.gross_errors:
        click.echo(f"gross error: {g.stream} {g.field} measured {g.value:,.6g} ± {g.sd:,.3g}, "
                   f"estimated {g.estimate:,.6g} without it (MT statistic {g.statistic:.2f}; "
                   f"chi2 {g.chi2_before:.2f} -> {g.chi2_after:.2f})")
    if not result.gross_errors:
        click.echo("gross errors: none")
