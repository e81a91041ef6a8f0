"""``aurum ventilation`` (alias ``aurum vent``): the mine's airway network solved.

Contract relied on by scripts: ``aurum vent solve NETWORK.yaml [--format json]`` prints
``{"branches": {NAME: {"flow_m3s", "pressure_drop_pa"}}, "fans": {NAME: {"flow_m3s",
"pressure_pa"}}, "regulators": {NAME: pressure_pa}, "iterations", "max_residual_pa"}``: flows
positive in the branch direction, ``pressure_drop_pa = R Q|Q|``, a regulator's pressure the
extra drop it adds. No server or database; nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, echo_table
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


@click.group(name="ventilation")
def ventilation() -> None:
    """Deep-mine ventilation: the airway network's flows, fans and regulators."""


@ventilation.command("solve")
@click.argument("network_file", metavar="NETWORK.yaml",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["newton", "hardy-cross"]), default="newton",
              show_default=True, help="Newton on the meshes (sparse) or Hardy Cross.")
@click.option("--tolerance", "tol_pa", type=click.FloatRange(1e-12, 1e3), default=1e-6,
              show_default=True, help="Largest mesh pressure closure accepted, Pa.")
@FORMAT_OPTION
def solve(network_file: Path, method: str, tol_pa: float, fmt: str) -> None:
    """Airflows (m3/s), pressure drops (Pa), fan duties and regulator drops of the network in
    NETWORK.yaml: nodes (names, or {name, z}) and branches {name, from, to, resistance (N s2
    m-8) or length, perimeter, area, friction_factor [, shock_factor], fan: {coefficients:
    [c0, c1, c2] | table: [[Q, p], ...], efficiency}, nvp (Pa), fixed_flow (m3/s)}."""
    import yaml

    # Imported here: the solver needs numpy and scipy, which ``aurum vent --help`` should not load.
    from aurum.ventilation.network import Network
    from aurum.ventilation.network import solve as solve_network

    try:
        doc = yaml.safe_load(network_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValidationError(Problem(_("not a YAML file: %(error)s", error=str(exc).split(
            "\n")[0]), source=network_file.name)) from exc
    network = Network.from_mapping(doc, source=network_file.name)
    solution = solve_network(network, method=method.replace("-", "_"), tol_pa=tol_pa)
    if fmt == "json":
        echo_json({
            "branches": {name: {"flow_m3s": q, "pressure_drop_pa": solution.pressure_drops[name]}
                         for name, q in solution.flows.items()},
            "fans": {name: {"flow_m3s": q, "pressure_pa": p}
                     for name, (q, p) in solution.fans.items()},
            "regulators": solution.regulators,
            "iterations": solution.iterations,
            "max_residual_pa": solution.max_residual_pa,
        })
        return
    click.echo(_("%(method)s: %(n)s iterations, largest mesh closure %(res)s Pa, largest "
                 "junction imbalance %(imb)s m3/s", method=solution.method, n=solution.iterations,
                 res=f"{solution.max_residual_pa:.3g}",
                 imb=f"{solution.max_node_imbalance_m3s:.3g}"))
    header = (_("branch"), _("flow m3/s"), _("drop Pa"))
    rows = [header] + [(name, f"{q:.3f}", f"{solution.pressure_drops[name]:.1f}")
                       for name, q in solution.flows.items()]
    echo_table(rows, right=lambda i: i > 0)
    power = solution.fan_power_kw()
    for name, (q, p) in solution.fans.items():
        air, shaft = power[name]
        click.echo(_("fan %(name)s: %(q)s m3/s at %(p)s Pa, air power %(air)s kW%(shaft)s%(warn)s",
                     name=name, q=f"{q:.2f}", p=f"{p:.0f}", air=f"{air:.1f}",
                     shaft="" if shaft is None else _(", shaft power %(kw)s kW",
                                                      kw=f"{shaft:.1f}"),
                     warn="" if name not in solution.fan_warnings else _(
                         " (WARNING: %(w)s)", w=", ".join(
                             _("in stall") if w == "stall" else _("beyond the curve's range")
                             for w in solution.fan_warnings[name]))))
    for name, p in solution.regulators.items():
        click.echo(_("regulator %(name)s: adds %(p)s Pa", name=name, p=f"{p:.1f}"))
    if solution.reversals:
        click.echo(_("flow against the branch direction: %(names)s",
                     names=", ".join(solution.reversals)))
