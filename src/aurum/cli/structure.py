"""``aurum structure``: regional consolidation of small mines onto plants.

Contract relied on by scripts: ``aurum structure consolidate --mines MINES.csv --plants
PLANTS.csv --transport-cny-per-tkm C [--format json]``. MINES.csv has ``mine, x_km, y_km,
ore_tpd``; PLANTS.csv has ``plant, x_km, y_km, capacity_tpd, fixed_cny_per_day,
processing_cny_per_t, existing``. Every mine sends all its ore to exactly one open plant; an
open plant's load stays within its capacity; cost per day = fixed costs of the open plants +
Σ over mines of ore × (C × straight-line km + the plant's processing cost). JSON:
``{"cost_cny_per_day", "open": [plant…], "assignment": {mine: plant}, "gap"}``, the proven
optimum (gap 0) or, past the time limit, the best plan and its relative gap. ``existing``
means already built: it pays its fixed cost per day when it runs and may be idled; it is
not forced open. With ``--plan-floors`` a candidate plant is held to the plan's floor for its
kind (optional column ``kind``, default ``processing_plant``). Nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import FORMAT_OPTION, echo_json, echo_table
from aurum.core.i18n import _

CSV = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group(name="structure")
def structure() -> None:
    """Industry structure: regional consolidation planning."""


@structure.command("consolidate")
@click.option("--mines", "mines_file", type=CSV, required=True, metavar="MINES.csv",
              help="mine, x_km, y_km, ore_tpd [, grade_g_per_t].")
@click.option("--plants", "plants_file", type=CSV, required=True, metavar="PLANTS.csv",
              help="plant, x_km, y_km, capacity_tpd, fixed_cny_per_day, processing_cny_per_t, "
                   "existing [, recovery, kind].")
@click.option("--transport-cny-per-tkm", "transport", type=float, required=True,
              help="Haulage cost, CNY per tonne-kilometre (>= 0).")
@click.option("--road-factor", type=click.FloatRange(1.0, 5.0), default=1.0, show_default=True,
              help="Road / straight-line distance ratio.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(0.1, 3600.0), default=60.0,
              show_default=True, help="Solver time limit, s.")
@click.option("--plan-floors", is_flag=True,
              help="Leave out candidate plants below the plan's floor for their kind "
                   "(500 t/d mills, 2,000 t/d heap leach, 200 t/d concentrate smelters).")
@FORMAT_OPTION
def consolidate(mines_file: Path, plants_file: Path, transport: float, road_factor: float,
                time_limit_s: float, plan_floors: bool, fmt: str) -> None:
    """The plan of least daily cost: which plants run and where each mine sends its ore."""
    # Imported here: HiGHS and pandas are not loaded by ``aurum structure --help``.
    from aurum.industry.targets import load_targets
    from aurum.structure.consolidation import consolidate as solve_region
    from aurum.structure.tables import read_mines, read_plants

    mines = read_mines(mines_file)
    plants = read_plants(plants_file)
    floors = dict(load_targets().plant_floors_t_per_day) if plan_floors else None
    plan = solve_region(mines, plants, transport, road_factor=road_factor, floors_tpd=floors,
                        time_limit_s=time_limit_s)
    if fmt == "json":
        echo_json(plan.as_json())
        return
    click.echo(_("cost %(cost)s CNY/d (fixed %(fixed)s, haulage %(haul)s, processing "
                 "%(treat)s), gap %(gap)s", cost=f"{plan.cost_cny_per_day:,.2f}",
                 fixed=f"{plan.fixed_cny_per_day:,.0f}", haul=f"{plan.haulage_cny_per_day:,.0f}",
                 treat=f"{plan.processing_cny_per_day:,.0f}", gap=f"{plan.gap:.2%}"))
    if plan.below_floor:
        click.echo(_("candidates below the plan's floor, left out: %(plants)s",
                     plants=", ".join(plan.below_floor)))
    header = (_("mine"), _("plant"), _("road km"))
    rows = [header] + [(mine, plant, f"{plan.road_km[mine]:.1f}")
                       for mine, plant in plan.assignment.items()]
    echo_table(rows, right=lambda i: i > 1)
