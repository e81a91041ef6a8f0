"""Seed the demo district into the store: registry, users, three years of quarterly reports.

Reports go through the same import path as an enterprise's upload (one file per enterprise
and quarter), so the demo exercises the real validation and audit trail. Demo passwords are
random, written to ``AURUM_HOME/demo-logins.json`` (mode 600) and printed by ``aurum serve``:
no password lives in the repository.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy import func, select

from aurum.core.errors import ConflictError
from aurum.core.grid import BlockGrid
from aurum.core.periods import Period
from aurum.core.time import CHINA_STANDARD_TIME
from aurum.demo import orebodies
from aurum.demo.district import District, generate_district
from aurum.industry.reporting import TEMPLATE_COLUMNS, ReportRow
from aurum.resources.classify import ClassificationRules
from aurum.resources.drillholes import read_drillholes
from aurum.resources.estimate import SearchNeighbourhood
from aurum.resources.samples import composite_samples
from aurum.resources.variogram import Structure, VariogramModel
from aurum.resources.variography import experimental_variogram, fit_variogram
from aurum.services import (
    processing_demo,
    registry,
    reporting,
    resources,
    safety,
    seismic,
)
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.services.recycling import demo as recycling_demo
from aurum.services.registry import SiteSpec
from aurum.services.resources import EstimationSpec
from aurum.store.db import transaction
from aurum.store.models import Organisation

LOGINS_FILE = "demo-logins.json"


@dataclass(frozen=True)
class SeedResult:
    """What the seeding wrote."""

    organisations: int
    sites: int
    reports: int
    amendments: int
    logins: dict[str, dict[str, str]]
    rejected_example: Path
    babbitt_example: Path | None = None


def _submitted(day: date) -> datetime:
    # 10:00 China Standard Time on the day the district says the report arrived.
    return datetime.combine(day, time(10), CHINA_STANDARD_TIME).astimezone(UTC)


def _logins_path(platform: Platform) -> Path:
    return platform.settings.home / LOGINS_FILE


def read_logins(platform: Platform) -> dict[str, dict[str, str]]:
    """The demo logins written by :func:`seed`, or an empty dict."""
    path = _logins_path(platform)
    return json.loads(path.read_text()) if path.exists() else {}


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


DemoUser = tuple[str, Role, str, str | None, str | None]


def _users(district: District) -> list[DemoUser]:
    """(username, role, display name, organisation code, province) of the demo users."""
    groups = [o for o in district.organisations if o.org_type.value == "group"]
    independents = [o for o in district.organisations
                    if o.parent_code is None and o.org_type.value == "mining"]
    users: list[DemoUser] = [
        ("admin", Role.ADMIN, "Platform administrator", None, None),
        ("miit", Role.REGULATOR, "MIIT raw materials department", None, None),
        ("shandong", Role.REGULATOR, "Shandong industry department", None, "Shandong"),
        ("auditor", Role.AUDITOR, "Statistics auditor", None, None)]
    if groups:
        users.append(("group", Role.ENTERPRISE, groups[0].name, groups[0].code, None))
    if independents:
        users.append(("mine", Role.ENTERPRISE, independents[0].name, independents[0].code,
                      None))
    return users


def seed(platform: Platform, seed_value: int = 2025,
         progress: Callable[[int, int], None] | None = None) -> SeedResult:
    """Write the demo district into an empty database.

    Parameters
    ----------
    platform : Platform
        Migrated database.
    seed_value : int
        Seed of the generator; the same seed gives the same district.
    progress : callable, optional
        Called with (uploads done, uploads in all) while the reports load.

    Raises
    ------
    ConflictError
        When the database already holds organisations.
    """
    district = generate_district(seed_value)
    with platform.sessions() as s:
        if s.scalar(select(func.count()).select_from(Organisation)):
            raise ConflictError("the database already holds a registry; the demo seeds an "
                                "empty one (remove AURUM_HOME or point AURUM_DATABASE_URL "
                                "elsewhere)")
    logins: dict[str, dict[str, str]] = {}
    with transaction(platform.sessions) as s:
        admin_user = None
        for username, role, name, org_code, province in _users(district)[:1]:
            password = secrets.token_urlsafe(12)
            admin_user = create_user(s, username, password, role, name, org_code, province)
            logins[username] = {"password": password, "role": role.value}
        assert admin_user is not None
        admin = actor_for(s, admin_user)
        s.info["user_id"] = admin.user_id
        # Groups before their members: a member names its parent.
        for org in sorted(district.organisations, key=lambda o: o.parent_code is not None):
            registry.create_organisation(s, admin, org.code, org.name, org.org_type.value,
                                         org.province, org.parent_code)
        for site in district.sites:
            registry.create_site(s, admin, SiteSpec(
                site.code, site.org_code, site.name, site.kind.value, site.province,
                site.mine_method.value if site.mine_method else None,
                site.plant_type.value if site.plant_type else None, site.design_capacity_tpd,
                site.depth_m, site.status.value, site.lon, site.lat, site.commissioned_on))
        for username, role, name, org_code, province in _users(district)[1:]:
            password = secrets.token_urlsafe(12)
            create_user(s, username, password, role, name, org_code, province)
            logins[username] = {"password": password, "role": role.value}
    n_reports = _load_reports(platform, admin, district, progress)
    _resource_models(platform, admin, district)
    processing_demo.seed_demo(platform, admin, district, seed_value)
    safety.seed_demo(platform, admin, seed_value)
    seismic.seed_demo(platform, admin)
    logins.update(recycling_demo.seed_demo(platform, admin, seed_value))
    _write_private(_logins_path(platform), json.dumps(logins, indent=2))
    example = _write_rejected_example(platform, district)
    babbitt = _babbitt_example(platform)
    return SeedResult(len(district.organisations), len(district.sites), n_reports,
                      len(district.amendments), logins, example, babbitt)


def _load_reports(platform: Platform, admin: Actor, district: District,
                  progress: Callable[[int, int], None] | None) -> int:
    org_of = {s.code: s.org_code for s in district.sites}
    batches: dict[tuple[str, str], list[tuple[ReportRow, datetime]]] = defaultdict(list)
    for r in district.reports:
        row = ReportRow(0, r.site_code, Period.parse(r.period), dict(r.values))
        batches[(org_of[r.site_code], r.period)].append((row, _submitted(r.submitted_on)))
    for a in district.amendments:
        row = ReportRow(0, a.site_code, Period.parse(a.period), dict(a.values), a.reason)
        batches[(org_of[a.site_code], f"{a.period}-amendment")].append(
            (row, _submitted(a.submitted_on)))
    # Chronological order: amendments come after the reports they amend.
    order = sorted(batches, key=lambda k: min(t for _, t in batches[k]))
    for done, (org_code, label) in enumerate(order, 1):
        items = batches[(org_code, label)]
        with transaction(platform.sessions, admin.user_id) as s:
            reporting.import_rows(s, admin, [r for r, _ in items], f"{org_code}-{label}.csv",
                                  submitted_at=[t for _, t in items])
        if progress is not None:
            progress(done, len(order))
    return len(district.reports)


SHOWCASE_MINES = 6
STATEMENT_YEARS = (2024, 2025)


def _showcase(district: District) -> list[str]:
    """The largest operating underground mines: they carry block models and statements."""
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


def _resource_models(platform: Platform, admin: Actor, district: District) -> None:
    """Kriged models and year-end statements for the showcase mines
    (:func:`showcase_drilling`); the 2025 model is on the same grid as the 2024 one, with the
    step-out drilling."""
    for i, code in enumerate(_showcase(district)):
        seed = 7919 * (i + 1)
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


def _babbitt_example(platform: Platform, source: Path = BABBITT) -> Path | None:
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


def _write_rejected_example(platform: Platform, district: District) -> Path:
    """A file of the district's inconsistent submissions, to try the upload's refusal."""
    path = platform.settings.home / "demo" / "inconsistent-reports.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for r in district.rejected:
            writer.writerow({"site": r.site_code, "period": r.period,
                             **{k: v for k, v in r.values.items() if v is not None}})
    return path
