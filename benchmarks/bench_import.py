"""Import throughput of a large statistical-report upload, against ``read_csv`` + ``to_sql``.

OURS: ``aurum.services.reporting.import_file`` on one CSV of ``--rows`` monthly mine reports
inside one transaction: parsing, cell and cross-field validation, the scope and duplicate
checks against the registry, the versioned write with its waste rows and the audit record.
PEER, on the same CSV and the same database: what a user would otherwise do, ``pandas.read_csv``
followed by ``DataFrame.to_sql`` into a plain table, with no validation at all.

The registry (an admin, enterprises of 20 mines each, enough mines for 50 months each) is built
through the services first and is not timed. Run from the repository root::

    .venv/bin/python benchmarks/bench_import.py --database sqlite
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _common import add_common_arguments, emit, machine, note, scratch_database
from sqlalchemy import func, select, text

from aurum.core.tables import read_table
from aurum.industry import reporting as rp
from aurum.industry.registry import PROVINCES
from aurum.services import registry, reporting
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.store.db import transaction
from aurum.store.models import ReportVersion

MONTHS_PER_SITE = 50
SITES_PER_ENTERPRISE = 20
FIRST_YEAR = 2021
SEED = 20261121
PEER_TABLE = "bench_peer_reports"


def site_code(i: int) -> str:
    """Code of the ``i``-th benchmark mine."""
    return f"BM-{i:05d}"


def build_registry(platform: Platform, n_sites: int, capacity_tpd: np.ndarray) -> Actor:
    """An admin, enterprises of :data:`SITES_PER_ENTERPRISE` mines and ``n_sites`` mines.

    Parameters
    ----------
    platform : Platform
        Migrated, empty database.
    n_sites : int
        Number of mines.
    capacity_tpd : numpy.ndarray
        Design capacity of each mine, t/d.

    Returns
    -------
    Actor
        The admin, who uploads the reports.
    """
    with transaction(platform.sessions) as s:
        password = secrets.token_urlsafe(18)
        admin = actor_for(s, create_user(s, "bench-admin", password, Role.ADMIN))
    n_orgs = -(-n_sites // SITES_PER_ENTERPRISE)
    with transaction(platform.sessions, admin.user_id) as s:
        for o in range(n_orgs):
            registry.create_organisation(s, admin, f"BE-{o:04d}", f"Bench Gold Co. {o}",
                                         "mining", PROVINCES[o % len(PROVINCES)])
        for i in range(n_sites):
            o = i // SITES_PER_ENTERPRISE
            registry.create_site(s, admin, SiteSpec(
                site_code(i), f"BE-{o:04d}", f"Bench mine {i}", "mine",
                PROVINCES[o % len(PROVINCES)], mine_method=("underground", "open_pit")[i % 2],
                design_capacity_tpd=float(capacity_tpd[i]), depth_m=200.0 + i % 900))
    return admin


def report_frame(n_rows: int, capacity_tpd: np.ndarray, rng: np.random.Generator
                 ) -> pd.DataFrame:
    """Monthly mine reports that pass the validation, :data:`MONTHS_PER_SITE` per mine.

    Ore, grade and gold are consistent (gold at 85-95 % recovery of the contained gold, from
    the figures as written), reserves stay below measured + indicated resources, waste used
    below waste generated.

    Parameters
    ----------
    n_rows : int
        Number of reports.
    capacity_tpd : numpy.ndarray
        Design capacity of each mine, t/d (one entry per mine).
    rng : numpy.random.Generator
        Source of the figures.

    Returns
    -------
    pandas.DataFrame
        Columns of the upload template (a subset), one row per report.
    """
    i = np.arange(n_rows)
    site, month = np.divmod(i, MONTHS_PER_SITE)

    def u(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, n_rows)

    def floor3(x: np.ndarray) -> np.ndarray:
        return np.floor(x * 1000.0) / 1000.0

    ore_treated = np.round(capacity_tpd[site] * 30.0 * u(0.7, 1.0))
    ore_mined = np.round(ore_treated * u(0.95, 1.1))
    grade = np.round(np.clip(rng.lognormal(np.log(3.0), 0.5, n_rows), 0.3, 30.0), 2)
    gold = floor3(ore_treated * grade / 1000.0 * u(0.85, 0.95))
    resource_base = np.clip(rng.lognormal(np.log(20.0), 1.0, len(capacity_tpd)), 0.5, 1500.0)
    measured = np.round(resource_base[site] * u(0.95, 1.05), 3)
    indicated = np.round(measured * u(1.0, 1.5), 3)
    tailings = np.round(ore_treated * u(0.9, 0.98))
    waste_rock = np.round(ore_mined * u(0.5, 3.0))
    return pd.DataFrame({
        "site": [site_code(s) for s in site],
        "period": [f"{FIRST_YEAR + m // 12}-{m % 12 + 1:02d}" for m in month],
        "ore_mined_t": ore_mined,
        "ore_treated_t": ore_treated,
        "head_grade_gpt": grade,
        "gold_own_mine_kg": gold,
        "silver_kg": floor3(gold * u(0.1, 2.0)),
        "resources_measured_t": measured,
        "resources_indicated_t": indicated,
        "resources_inferred_t": np.round(measured * u(0.5, 2.0), 3),
        "reserves_proved_t": floor3(measured * u(0.5, 0.9)),
        "reserves_probable_t": floor3(indicated * u(0.4, 0.8)),
        "waste_tailings_generated_t": tailings,
        "waste_tailings_stock_t": np.round(u(0.0, 1e6)),
        "waste_tailings_used_backfill_t": np.floor(tailings * u(0.1, 0.5)),
        "waste_tailings_used_building_materials_t": np.floor(tailings * u(0.0, 0.2)),
        "waste_waste_rock_generated_t": waste_rock,
        "waste_waste_rock_used_building_materials_t": np.floor(waste_rock * u(0.0, 0.3)),
        "cyanide_consumed_t": floor3(ore_treated * u(0.2, 0.6) / 1000.0),
        "energy_tce": np.round(ore_treated * u(0.005, 0.015), 1),
    })


def time_ours(platform: Platform, admin: Actor, csv_path: Path) -> dict[str, float]:
    """Time the upload through the service, and the parse + validate step alone.

    The parse + validate step is timed on its own first (it touches no database); the store
    step is the rest of the upload: scope and duplicate checks, the write and the commit.

    Parameters
    ----------
    platform : Platform
        Database holding the registry.
    admin : Actor
        Uploader.
    csv_path : Path
        The upload.

    Returns
    -------
    dict
        ``seconds`` of the upload, ``parse_validate_s`` and ``store_s``.
    """
    t0 = time.perf_counter()
    rp.parse_table(read_table(csv_path.read_bytes(), csv_path.name), csv_path.name)
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction(platform.sessions, admin.user_id) as s:
        reporting.import_file(s, admin, csv_path.read_bytes(), csv_path.name)
    total = time.perf_counter() - t0
    return {"seconds": total, "parse_validate_s": parse_s, "store_s": total - parse_s}


def time_peer(platform: Platform, csv_path: Path) -> dict[str, float]:
    """Time ``pandas.read_csv`` + ``DataFrame.to_sql`` (default options) into a new table.

    Parameters
    ----------
    platform : Platform
        Same database as ours (its engine).
    csv_path : Path
        The same upload.

    Returns
    -------
    dict
        ``seconds`` of the load.
    """
    t0 = time.perf_counter()
    pd.read_csv(csv_path).to_sql(PEER_TABLE, platform.engine, index=False)
    return {"seconds": time.perf_counter() - t0}


def run(database: str, n_rows: int) -> dict[str, Any]:
    """Build the registry, write the CSV, time ours and the peer; check both stored it all.

    Parameters
    ----------
    database : {"sqlite", "postgresql"}
        Backend.
    n_rows : int
        Report rows in the upload.

    Returns
    -------
    dict
        The measurements (see :func:`main` for the text form).
    """
    rng = np.random.default_rng(SEED)
    n_sites = -(-n_rows // MONTHS_PER_SITE)
    capacity = np.round(np.clip(rng.lognormal(np.log(600.0), 0.7, n_sites), 50.0, 3000.0))
    with tempfile.TemporaryDirectory(prefix="aurum-bench-") as tmp, \
            scratch_database(database, Path(tmp)) as url:
        workdir = Path(tmp)
        os.environ["AURUM_HOME"] = str(workdir / "home")  # nothing lands in ./.aurum
        platform = Platform.open(url, migrate_to_head=True)
        env = machine(platform.engine)
        note(f"building the registry ({n_sites} mines) ...")
        t0 = time.perf_counter()
        admin = build_registry(platform, n_sites, capacity)
        setup_s = time.perf_counter() - t0
        csv_path = workdir / "bench.csv"
        report_frame(n_rows, capacity, rng).to_csv(csv_path, index=False)
        note(f"importing {n_rows} rows through aurum ...")
        ours = time_ours(platform, admin, csv_path)
        note("importing the same file with read_csv + to_sql ...")
        peer = time_peer(platform, csv_path)
        with platform.sessions() as s:
            stored = s.scalar(select(func.count()).select_from(ReportVersion))
            peer_stored = s.scalar(text(f"SELECT count(*) FROM {PEER_TABLE}"))
        if stored != n_rows or peer_stored != n_rows:
            raise SystemExit(f"expected {n_rows} rows, aurum stored {stored} and the peer "
                             f"{peer_stored}")
        for result in (ours, peer):
            result["rows_per_s"] = n_rows / result["seconds"]
        return {"benchmark": "import", "rows": n_rows, "sites": n_sites,
                "csv_bytes": csv_path.stat().st_size, "setup_s": setup_s,
                "machine": env, "ours": ours,
                "peer": {"name": "pandas read_csv + to_sql (no validation)", **peer},
                "ratio_rows_per_s": ours["rows_per_s"] / peer["rows_per_s"]}


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    add_common_arguments(parser)
    parser.add_argument("--rows", type=int, default=100_000,
                        help="report rows in the upload (default 100000)")
    args = parser.parse_args()
    if not 1 <= args.rows <= 1_000_000:
        parser.error("--rows must be between 1 and 1000000")
    r = run(args.database, args.rows)
    ours, peer = r["ours"], r["peer"]
    emit(r, args.format, [
        f"import of {r['rows']:,} report rows ({r['sites']:,} mines, "
        f"{r['csv_bytes'] / 2**20:.1f} MiB CSV) on {r['machine']['database']}, "
        f"{r['machine']['cpus']} CPUs (load {r['machine']['load_1m']})",
        f"  aurum import_file   {ours['seconds']:8.2f} s  {ours['rows_per_s']:10,.0f} rows/s"
        f"  (parse+validate {ours['parse_validate_s']:.2f} s, "
        f"checks+store {ours['store_s']:.2f} s)",
        f"  read_csv + to_sql   {peer['seconds']:8.2f} s  {peer['rows_per_s']:10,.0f} rows/s",
        f"  ratio ours/peer     {r['ratio_rows_per_s']:.2f}x rows/s",
        f"  (registry set-up, not timed: {r['setup_s']:.1f} s)",
    ])


if __name__ == "__main__":
    main()
