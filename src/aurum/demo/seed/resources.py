"""The showcase mines' kriged block models and year-end statements, and a run prepared on
the public Babbitt drillholes when they lie beside the repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from aurum.core.grid import BlockGrid
from aurum.demo import orebodies
from aurum.demo.district import District
from aurum.resources.classify import ClassificationRules
from aurum.resources.drillholes import read_drillholes
from aurum.resources.estimate import SearchNeighbourhood
from aurum.resources.samples import composite_samples
from aurum.resources.variogram import Structure, VariogramModel
from aurum.resources.variography import experimental_variogram, fit_variogram
from aurum.services import reporting, resources
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.services.resources import EstimationSpec
from aurum.store.db import transaction

SHOWCASE_MINES = 6
STATEMENT_YEARS = (2024, 2025)


def mine_seed(index: int) -> int:
    """Seed of the deposits of the ``index``-th showcase mine (0 first)."""
    return 7919 * (index + 1)


def showcase_mines(district: District) -> list[str]:
    """Codes of the district's largest operating underground mines: they carry block models
    and statements."""
    mines = [s for s in district.sites if s.kind.value == "mine"
             and s.status.value == "operating" and s.mine_method is not None
             and s.mine_method.value == "underground"]
    mines.sort(key=lambda s: (-(s.design_capacity_tpd or 0), s.code))
    return [m.code for m in mines[:SHOWCASE_MINES]]


def _demo_spec(scale: float, variance: float, cutoff_gpt: float = 0.5) -> EstimationSpec:
    """The estimation of a showcase mine whose licence is ``scale`` times the base size and
    whose composites have ``variance`` ((g/t)²): a 30 % nugget of that variance, ranges and
    search scaled with the deposit."""
    return EstimationSpec(
        grid=BlockGrid((10.0 * scale, 10.0 * scale, -295.0 * scale),
                       (20.0 * scale, 20.0 * scale, 10.0 * scale), (20, 20, 30)),
        model=VariogramModel(0.3 * variance, (Structure(
            "spherical", 0.7 * variance, (100.0 * scale, 70.0 * scale, 50.0 * scale)),)),
        search=SearchNeighbourhood((110.0 * scale, 80.0 * scale, 60.0 * scale),
                                   min_samples=8, max_samples=24, max_per_hole=4),
        rules=ClassificationRules.from_dict({
            "measured": {"min_samples": 24, "min_slope": 0.85},
            "indicated": {"min_samples": 16, "min_slope": 0.7}}),
        density_t_m3=2.7, cutoff_gpt=cutoff_gpt, discretisation=(2, 2, 2))


BASE_DEPOSIT_T = 10.0
"""About the gold (t) of a base-size demo deposit: a mine stating more is larger, not richer."""


def showcase_drilling(seed: int, year_index: int, resources_t: float, reserves_t: float
                      ) -> tuple[orebodies.Composites, EstimationSpec]:
    """The composites and estimation of a showcase mine's model for one statement year.

    The deposit is sized from the resources of the mine's first year-end report, so that the
    grades stay those of the synthetic lenses; grades are then nudged so that measured +
    indicated gold is never below the year's reserves (a statement below the reserves would
    be refused).

    Parameters
    ----------
    seed : int
        The mine's seed (the same deposit every year).
    year_index : int
        0 for the first statement year, 1 for the next (step-out drilling).
    resources_t : float
        Measured + indicated + inferred gold of the first year-end report, t.
    reserves_t : float
        Proved + probable gold of this year's year-end report, t.
    """
    scale = max(1.0, (resources_t / BASE_DEPOSIT_T) ** (1 / 3))
    comp = orebodies.drillholes(seed, year_index, scale)
    spec = _demo_spec(scale, float(np.var(comp.grade)))
    trial = resources.model_statement(comp.xyz, comp.grade, spec,
                                      STATEMENT_YEARS[year_index], comp.holes)
    mi = trial.figures["measured"].gold_t + trial.figures["indicated"].gold_t
    factor = max(1.0, 1.05 * reserves_t / mi)
    return orebodies.Composites(comp.xyz, comp.grade * factor, comp.holes), spec


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Kriged models and year-end statements for the showcase mines
    (:func:`showcase_drilling`); the 2025 model is on the same grid as the 2024 one, with the
    step-out drilling.

    Parameters
    ----------
    platform : Platform
        Database holding the district's registry and reports.
    admin : Actor
        The administrator who estimates and states.
    district : District
        The generated district.
    """
    for i, code in enumerate(showcase_mines(district)):
        seed = mine_seed(i)
        with platform.sessions() as s:
            reports = reporting.current_reports(s, None, [code]).set_index("period")
        if f"{STATEMENT_YEARS[0]}-Q4" not in reports.index:
            continue
        target = float(reports.loc[[f"{STATEMENT_YEARS[0]}-Q4"],
                                   ["resources_measured_t", "resources_indicated_t",
                                    "resources_inferred_t"]].to_numpy().sum())
        for index, year in enumerate(STATEMENT_YEARS):
            period = f"{year}-Q4"
            if period not in reports.index:
                continue
            reserves = float(reports.loc[[period], ["reserves_proved_t",
                                                    "reserves_probable_t"]].to_numpy().sum())
            comp, spec = showcase_drilling(seed, index, target, reserves)
            with transaction(platform.sessions, admin.user_id) as s:
                resources.estimate_and_state(s, admin, platform.settings.home, code, year,
                                             comp.xyz, comp.grade, spec, comp.holes)


BABBITT = Path("..") / "shared" / "data" / "drillholes" / "babbitt"


def babbitt_example(platform: Platform, source: Path = BABBITT) -> Path | None:
    """When the public Babbitt drillholes lie beside the repository, prepare a run on them in
    ``AURUM_HOME/demo/babbitt``: the validation report (every real problem), 20 ft composites
    of Cu, a variogram fitted along north, east and down the holes, and a ``run.yaml`` for
    ``aurum resources estimate``. The data is read in place, never copied into the project."""
    if not (source / "collar_BABBITT.csv").exists():
        return None
    folder = platform.settings.home / "demo" / "babbitt"
    folder.mkdir(parents=True, exist_ok=True)
    db = read_drillholes(source / "collar_BABBITT.csv", source / "survey_BABBITT.csv",
                         source / "assay_BABBITT.csv")
    db.report.findings.to_csv(folder / "validation.csv", index=False)
    samples = composite_samples(db, "CU", 20.0)
    samples.drop(columns=["from", "to"]).to_csv(folder / "composites.csv", index=False,
                                                 float_format="%.6f")
    xyz, cu = samples[["x", "y", "z"]].to_numpy(), samples["value"].to_numpy()
    north, east = (experimental_variogram(xyz, cu, az, 0.0, 300.0, 8, angle_tolerance=45.0,
                                          bandwidth_v=40.0, dip_tolerance=10.0)
                   for az in (0.0, 90.0))
    down = experimental_variogram(xyz, cu, 0.0, -90.0, 20.0, 10, angle_tolerance=10.0)
    fit = fit_variogram([north, east, down], ("spherical",), anisotropy="full")
    run = {"samples": "composites.csv", "output": "blocks.csv", "method": "ordinary",
           "grid": {"origin": [2288400.0, 413900.0, -1200.0], "size": [400.0, 400.0, 100.0],
                    "count": [40, 29, 29]},
           "variogram": fit.to_dict(),
           "search": {"radii": [2000.0, 2000.0, 600.0], "angles": [0, 0, 0],
                      "min_samples": 6, "max_samples": 24, "max_per_octant": 0,
                      "max_per_hole": 6},
           "discretisation": [2, 2, 2]}
    (folder / "run.yaml").write_text(yaml.safe_dump(run, sort_keys=False))
    return folder
