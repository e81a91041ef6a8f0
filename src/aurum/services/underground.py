"""A deep mine's stope plan (issue 20): the stopes of greatest value on a block model
(:mod:`aurum.underground.stopes`), their NPV-maximising schedule with the fill cycle
(:mod:`aurum.underground.schedule`) and the backfill balance month by month
(:mod:`aurum.underground.backfill`), stored as a version of the mine's plans with its three
files (stopes, schedule, balance) under ``AURUM_HOME/underground/<site>/``.

The block values come either from a stored resource model (its grade and tonnes turned into
CNY by an economics mapping, :class:`Economics`) or from an uploaded ``BLOCKS.csv`` (``i, j,
k, value``, as ``aurum stopes optimise`` reads it).

The stopes are boxes (:func:`aurum.underground.stopes.optimise_stopes`) or shapes whose walls
follow a dipping vein slice by slice (``shape="vein"``,
:func:`aurum.underground.shapes.vein_stopes`, each wall moving at most ``max_wall_step``
blocks between slices); a vein plan keeps each shape's walls per slice as a fourth file.

**Dilution** is the walls' skin, not a fraction: ``skin_m`` metres of waste broken on each wall
across ``j`` are taken as ``ceil(skin_m / block size across)`` whole blocks (the skin broken is
at least the width asked), each worth ``waste_value`` = −(the block's tonnes at the rock's
density) × (mining + processing cost per tonne) for a model, or the ``waste_value_cny`` given
with an upload. The skin replaces the earlier dilution fraction rather than joining it: the
fraction charged every block's tonnes, ore inside the walls included, as if dilution grew with
a stope's volume, while the waste a stope takes in is the rock of its walls, growing with their
area (length × height); keeping both would charge the same waste twice. Grade dilution follows
by itself: the skin's tonnes join the stope's ore at no grade. A stope's ore (t) and void (m³)
count its skins.

Every read and write checks the scope here: a role outside :data:`MINE_ROLES` (a recycler,
which owns no mine) is refused the area whatever it names, a site the actor may not read is
"not found", one it reads but may not write is refused
(:class:`~aurum.core.errors.PermissionDenied`). A plan
on at most :data:`INLINE_PLAN_BLOCKS` blocks runs in the request (the demo's 12,000-block
models); a larger one, up to :data:`MAX_PLAN_BLOCKS`, runs as a ``stope_plan`` job with
progress and cancel between its steps. A page reads the stored plan and computes nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.checks import ORE_DENSITIES, Interval
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.files import file_sha256, write_atomic
from aurum.core.grid import BlockGrid
from aurum.core.jsonsafe import finite
from aurum.core.tables import read_table
from aurum.services import cache, jobs, registry
from aurum.services import resources as resource_service
from aurum.services.auth import Actor, Role
from aurum.services.underground_sources import Economics as Economics
from aurum.services.underground_sources import ModelSource as ModelSource
from aurum.services.underground_sources import PlanGrid as PlanGrid
from aurum.services.underground_sources import UploadSource as UploadSource
from aurum.services.underground_sources import problems_of
from aurum.store.models import Site, StopePlan

FOLDER = "underground"
"""Folder of the data directory holding the plans' files, one folder per site."""
INLINE_PLAN_BLOCKS = 50_000
"""Blocks a plan takes in the request, at most (count): the demo's models (12,000 blocks)
plan in a few seconds; a larger model is planned by a ``stope_plan`` job."""
MAX_PLAN_BLOCKS = 2_000_000
"""Blocks one plan takes at all (count), the benchmarks' largest class."""
MAX_BLOCKS_FILE_BYTES = 64 * 2**20
"""Largest uploaded ``BLOCKS.csv``, bytes (about 2 million rows of ``i, j, k, value``)."""
MAX_PLANS_LISTED = 200
"""Plans a mine's list shows, at most (the newest)."""
TAILINGS_PER_ORE_T = 1.0
"""Tailings per tonne of ore milled, t/t: a gold mill keeps grams per tonne, the rest of the
ore leaves as tailings."""
SKINS_M = Interval(0.0, 10.0, "m")
"""Dilution skin broken on each wall, m across the strike (taken as whole blocks)."""
UPLOAD_WASTE_VALUES = Interval(-1e9, 0.0, "CNY")
"""Value of a block of waste in an uploaded model's skins, CNY per block."""
SHAPES = ("box", "vein")
"""Stope shapes: boxes, or shapes whose walls follow the vein slice by slice."""
WALL_STEPS = Interval(0, 20, "blocks")
"""Greatest wall move between the slices of a vein shape, blocks (the service's bound)."""
STRIKE_AXES = ("x", "y")
"""The model axis along the strike (the plan's i); the other horizontal axis is j."""
PERIOD_RE = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
SCHEDULE_TIME_LIMIT_S = 20.0
"""Time the schedule's MIP is given in the request, s (its gap is reported)."""
STOPE_TIME_LIMIT_S = 30.0
"""Time the exact stope optimisation is given, s."""
MINE_ROLES = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR, Role.ENTERPRISE)
"""Who opens a mine's underground planning and its ventilation, each within its scope (an
enterprise its own mines and its group's, a provincial regulator its province's): a recycler
owns no mine, so it is refused these areas rather than shown empty ones."""


Progress = Callable[[float, str], None]
"""``report(fraction, message)``: how far a plan has got; it may raise to stop it."""


def _model_grid(session: Session, actor: Actor, home: Path, site: Site, source: ModelSource
                ) -> tuple[PlanGrid, str]:
    """A stored model of the mine as block values, with its file's hash."""
    model = resource_service.readable_model(session, actor, source.model_id)
    if model.site_id != site.id:
        raise NotFoundError(i18n._("no resource model %(id)s", id=source.model_id))
    grid = resource_service.stored_grid(model)
    if grid is None:
        raise ValidationError(Problem(i18n._("model %(id)s was stored without its grid",
                                             id=model.id), column="model_id"))
    _bounded_blocks(grid.n_blocks)
    problems = source.economics.problems()
    if source.strike_axis not in STRIKE_AXES:
        problems.append(Problem(i18n._("expected one of %(choices)s", choices=", ".join(
            STRIKE_AXES)), column="strike_axis"))
    if problems:
        raise ValidationError(problems)
    blocks = resource_service.load_blocks(session, actor, home, model.id)
    nx, ny, nz = grid.count
    idx = _grid_index(blocks, grid)
    tonnes = np.zeros(grid.n_blocks)
    grade = np.full(grid.n_blocks, np.nan)
    tonnes[idx] = blocks["tonnes"].to_numpy(float) if "tonnes" in blocks else (
        float(np.prod(grid.size)) * float(model.parameters.get("density_t_m3", 2.7)))
    grade[idx] = blocks["estimate"].to_numpy(float)
    values = source.economics.values(tonnes, grade)
    waste_t = float(np.prod(grid.size)) * float(model.parameters.get("density_t_m3", 2.7))
    # GSLIB order (x fastest) to (x, y, z) arrays; the strike axis becomes i.
    shape = (nz, ny, nx)
    as_xyz = [a.reshape(shape).transpose(2, 1, 0) for a in (values, tonnes)]
    if source.strike_axis == "y":
        as_xyz = [a.transpose(1, 0, 2) for a in as_xyz]
    return (PlanGrid(np.ascontiguousarray(as_xyz[0]), np.ascontiguousarray(as_xyz[1]), grid,
                     source.strike_axis, waste_t, source.economics.waste_value(waste_t)),
            model.file_sha256)


def _grid_index(blocks: pd.DataFrame, grid: BlockGrid) -> np.ndarray:
    """Each block's GSLIB index on ``grid`` from its centre."""
    cells = [np.rint((blocks[a].to_numpy(float) - o) / s).astype(np.int64)
             for a, o, s in zip("xyz", grid.origin, grid.size, strict=True)]
    nx, ny, _ = grid.count
    return np.asarray(cells[0] + nx * (cells[1] + ny * cells[2]))


def _bounded_blocks(n: int) -> None:
    if n > MAX_PLAN_BLOCKS:
        raise ValidationError(Problem(i18n._("%(n)s blocks; a plan takes at most %(limit)s",
                                             n=n, limit=MAX_PLAN_BLOCKS)))


def _upload_grid(source: UploadSource) -> tuple[PlanGrid, str]:
    """Uploaded block values (every problem by file, row and field), with the file's hash."""
    from aurum.underground.stopes import read_block_values

    problems = []
    if len(source.content) > MAX_BLOCKS_FILE_BYTES:
        problems.append(Problem(i18n._("the file is larger than %(limit)s MiB",
                                       limit=MAX_BLOCKS_FILE_BYTES // 2**20),
                                source=source.name))
    for axis, length in zip("ijk", source.block_size_m, strict=True):
        if not 0.1 <= length <= 1000.0:
            problems.append(Problem(i18n._("expected a block size from 0.1 to 1000 m, got "
                                           "%(value)s", value=length),
                                    column=f"block_{axis}_m"))
    problems += problems_of(lambda: ORE_DENSITIES.check("density_t_m3", source.density_t_m3))
    problems += problems_of(lambda: UPLOAD_WASTE_VALUES.check("waste_value_cny",
                                                               source.waste_value_cny))
    if problems:
        raise ValidationError(problems)
    values = read_block_values(read_table(source.content, source.name), source=source.name)
    _bounded_blocks(values.size)
    x, y, z = (float(v) for v in source.block_size_m)
    ni, nj, nk = (int(n) for n in values.shape)
    grid = BlockGrid((x / 2, y / 2, z / 2), (x, y, z), (ni, nj, nk))
    tonnes = np.full(values.shape, x * y * z * source.density_t_m3)
    return (PlanGrid(np.asarray(values, float), tonnes, grid, "x",
                     x * y * z * source.density_t_m3, source.waste_value_cny),
            hashlib.sha256(source.content).hexdigest())


def _month(start: str, offset: int) -> str:
    year, month = int(start[:4]), int(start[5:7]) - 1 + offset
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def _slices(stopes: pd.DataFrame, walls: pd.DataFrame | None) -> pd.DataFrame:
    """Each stope's slices: ``stope`` (row of ``stopes``), ``k``, ``j0``, ``j1`` (a box's
    walls in every slice, a vein shape's own)."""
    if walls is not None:
        return walls
    height = (stopes["k1"] - stopes["k0"] + 1).to_numpy(int)
    row = np.repeat(np.arange(len(stopes)), height)
    first = np.repeat(np.cumsum(height) - height, height)
    return pd.DataFrame({"stope": row, "k": stopes["k0"].to_numpy(int)[row]
                         + np.arange(row.size) - first,
                         "j0": stopes["j0"].to_numpy(int)[row],
                         "j1": stopes["j1"].to_numpy(int)[row]})


def _stope_tasks(stopes: pd.DataFrame, walls: pd.DataFrame | None, plan: PlanGrid,
                 skin: int) -> pd.DataFrame:
    """The stopes as the schedule's tasks: ore (t, the blocks within the walls of every slice
    and the ``skin`` blocks of waste on each wall), undiscounted value (CNY) and void (m³,
    the same blocks)."""
    slices = _slices(stopes, walls)
    i0, i1 = (stopes[c].to_numpy(int)[slices["stope"].to_numpy(int)] for c in ("i0", "i1"))
    ore = np.bincount(slices["stope"].to_numpy(int), weights=[
        float(plan.tonnes[a:b + 1, c:d + 1, k].sum()) for a, b, c, d, k in zip(
            i0, i1, slices["j0"], slices["j1"], slices["k"], strict=True)],
        minlength=len(stopes))
    length = (stopes["i1"] - stopes["i0"] + 1).to_numpy(float)
    height = (stopes["k1"] - stopes["k0"] + 1).to_numpy(float)
    inside = np.bincount(slices["stope"].to_numpy(int), weights=(
        (i1 - i0 + 1) * (slices["j1"] - slices["j0"] + 1)).to_numpy(float),
        minlength=len(stopes))
    skins = 2.0 * skin * length * height
    return pd.DataFrame({
        "id": np.arange(1, len(stopes) + 1), "level": stopes["level"].to_numpy(int),
        **{c: stopes[c].to_numpy(int) for c in ("i0", "i1", "j0", "j1", "k0", "k1")},
        "ore_t": ore + skins * plan.waste_tonnes,
        "value_cny": stopes["value"].to_numpy(float),
        "void_m3": (inside + skins) * plan.block_volume_m3})


def _level_ready(levels: np.ndarray, direction: str, interval: int) -> dict[int, int]:
    """The first month (1-based) each level's development allows: the first level mined (the
    top one top-down, the bottom one bottom-up) at once, each next one ``interval`` months
    later."""
    order = sorted({int(v) for v in levels}, reverse=direction == "top_down")
    return {level: 1 + n * interval for n, level in enumerate(order)}


def _write_parquet(frame: pd.DataFrame, path: Path) -> str:
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return file_sha256(path)


def plan_stopes(session: Session, actor: Actor, home: Path, site_code: str,
                source: ModelSource | UploadSource, stope_params: Mapping[str, Any],
                schedule_params: Mapping[str, Any], recipe: Mapping[str, Any],
                start_period: str, exact: bool = False, progress: Progress | None = None,
                time_limit_s: float = SCHEDULE_TIME_LIMIT_S, shape: str = "box",
                max_wall_step: int = 1) -> StopePlan:
    """Optimise a mine's stopes, schedule them with their fill cycle, balance the backfill
    month by month, and store the whole as the mine's next plan version.

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME).
    source : ModelSource or UploadSource
        Where the block values (CNY per block if mined) come from.
    stope_params : mapping
        ``length`` and ``width`` ([min, max], blocks along i and j; a vein shape's width is
        each slice's), ``level_height``, ``pillar`` and ``sill_pillar`` (blocks), as
        :meth:`aurum.underground.stopes.StopeParams.from_mapping` reads them, and
        ``skin_m``: the dilution skin on each wall, m (default 0; whole blocks, module
        docstring).
    schedule_params : mapping
        ``periods`` (months), ``ore_capacity_t`` (t per month), ``fill_capacity_m3`` (m³
        per month), ``cure_periods`` (months of fill and cure before a neighbour is mined),
        ``direction`` (``top_down`` or ``bottom_up``), ``discount_rate`` (per year,
        fraction) and ``level_interval_periods`` (months between two levels' development).
    recipe : mapping
        The fill recipe: ``kind``, ``solids_mass_fraction``, ``binder_fraction`` (of the
        solids) and ``bulk_density_t_m3`` (t/m³), as :class:`aurum.underground.backfill.
        FillRecipe` takes them.
    start_period : str
        The month of the schedule's first period, ``YYYY-MM``.
    exact : bool
        Prove the stopes' optimum (the MIP) instead of the fast method with its bound.
    progress : callable, optional
        ``progress(fraction, message)`` between the steps; it may raise to stop the plan.
    time_limit_s : float
        Time the schedule's MIP may take, s (its gap is stored).
    shape : str
        ``box`` (box stopes) or ``vein`` (walls following the vein slice by slice).
    max_wall_step : int
        A vein shape's greatest wall move between consecutive slices, blocks.

    Raises
    ------
    NotFoundError, PermissionDenied
        A site (or model) the actor may not read, or a site it may not write.
    ValidationError
        Every problem of the parameters, and of an uploaded file by row and field.
    """
    from aurum.underground.backfill import FillRecipe, fill_balance
    from aurum.underground.schedule import ScheduleParams, schedule_stopes
    from aurum.underground.shapes import vein_stopes
    from aurum.underground.stopes import StopeParams, optimise_stopes

    site = mine_site(session, actor, site_code, write=True)
    report = progress or (lambda _fraction, _message: None)
    problems = [] if PERIOD_RE.match(start_period or "") else [Problem(
        i18n._("expected a month YYYY-MM, got %(value)r", value=start_period),
        column="start_period")]
    problems += _schedule_problems(schedule_params)
    geometry = dict(stope_params)
    skin_m = geometry.pop("skin_m", 0.0)
    problems += problems_of(lambda: SKINS_M.check("skin_m", skin_m))
    if shape not in SHAPES:
        problems.append(Problem(i18n._("expected one of %(choices)s", choices=", ".join(
            SHAPES)), column="shape"))
    if (isinstance(max_wall_step, bool) or not isinstance(max_wall_step, int)
            or not WALL_STEPS.contains(max_wall_step)):
        problems.append(Problem(i18n._("expected %(what)s, got %(value)r",
                                       what=WALL_STEPS.describe(), value=max_wall_step),
                                column="max_wall_step"))
    params, fill = None, None
    try:
        params = StopeParams.from_mapping(geometry)
    except ValidationError as exc:
        problems += exc.problems
    try:
        fill = FillRecipe.from_mapping(recipe)
    except ValidationError as exc:
        # The form names the kind "recipe" (a field "kind" would be ambiguous on its page).
        problems += [Problem(p.message, p.row, "recipe" if p.column == "kind" else p.column,
                             p.source) for p in exc.problems]
    if problems or params is None or fill is None:
        raise ValidationError(problems)
    report(0.05, jobs.stored_text(i18n.lazy_gettext("reading the block values")))
    if isinstance(source, ModelSource):
        plan, digest = _model_grid(session, actor, home, site, source)
    else:
        plan, digest = _upload_grid(source)
    params = replace(params, skin=plan.skin_blocks(float(skin_m)),
                     waste_value=plan.waste_value)
    report(0.15, jobs.stored_text(i18n.lazy_gettext("optimising the stopes")))
    if shape == "vein":
        stopes = vein_stopes(plan.values, params, max_wall_step)
    else:
        stopes = optimise_stopes(plan.values, params, exact=exact,
                                 time_limit_s=STOPE_TIME_LIMIT_S)
    if stopes.frame.empty:
        raise ValidationError(Problem(i18n._("no stope of these shapes has a positive value: "
                                             "check the economics or the stope sizes")))
    report(0.5, jobs.stored_text(i18n.lazy_gettext("scheduling the stopes")))
    tasks = _stope_tasks(stopes.frame, stopes.walls, plan, params.skin)
    sched = dict(schedule_params)
    interval = int(sched.pop("level_interval_periods", 0))
    sched["level_ready"] = _level_ready(tasks["level"].to_numpy(), sched["direction"], interval)
    sched["pillar"] = params.pillar
    schedule = schedule_stopes(tasks, ScheduleParams.from_mapping(sched),
                               time_limit_s=time_limit_s)
    report(0.85, jobs.stored_text(i18n.lazy_gettext("balancing the backfill")))
    periods = int(sched["periods"])
    timeline = _schedule_frame(tasks, schedule.frame, periods, start_period)
    mined = timeline.dropna(subset=["period"])
    ore_by_period = np.zeros(periods)
    np.add.at(ore_by_period, mined["period"].to_numpy(int) - 1, mined["ore_t"].to_numpy(float))
    balance = fill_balance(_zero_based(timeline["period"], periods),
                           _zero_based(timeline["fill_period"], periods),
                           timeline["void_m3"].to_numpy(float), fill,
                           ore_by_period * TAILINGS_PER_ORE_T).reset_index(drop=True)
    balance.insert(0, "month", [_month(start_period, p) for p in range(len(balance))])
    return _store(session, actor, home, site, source, digest, stopes, timeline, balance,
                  {"stopes": dict(stope_params) | {"shape": shape,
                                                    "max_wall_step": max_wall_step,
                                                    "skin_blocks": params.skin,
                                                    "waste_value_cny": params.waste_value},
                   "schedule": dict(schedule_params), "recipe": dict(recipe), "exact": exact,
                   "start_period": start_period},
                  plan, schedule)


def _schedule_problems(params: Mapping[str, Any]) -> list[Problem]:
    """The schedule's parameters checked before anything is computed: the months between
    two levels' development here, the others by :class:`ScheduleParams` (with a level
    ready at once standing for the levels not known yet)."""
    from aurum.underground.schedule import ScheduleParams

    sched = dict(params)
    interval = sched.pop("level_interval_periods", 0)
    found = []
    if not isinstance(interval, int) or isinstance(interval, bool) or not 0 <= interval <= 120:
        found.append(Problem(i18n._("expected a whole number from %(low)s to %(high)s, got "
                                    "%(value)r", low=0, high=120, value=interval),
                             column="level_interval_periods"))
    found += problems_of(lambda: ScheduleParams.from_mapping(sched | {"level_ready": {0: 1}}))
    return found


def _zero_based(period: pd.Series, periods: int) -> np.ndarray:
    """1-based months as the fill balance counts them: from 0, -1 for none or beyond the
    schedule (a stope mined in the last month is filled after it)."""
    month = period.astype("Float64").fillna(0).to_numpy(int)
    return np.where((month >= 1) & (month <= periods), month - 1, -1)


def _schedule_frame(tasks: pd.DataFrame, schedule: pd.DataFrame, periods: int, start: str
                    ) -> pd.DataFrame:
    """The tasks with the months (1-based; none when unscheduled) they are mined, filled and
    cured in, and those months as ``YYYY-MM``."""
    frame = tasks.copy()
    for name in ("period", "fill_period", "cure_end_period"):
        frame[name] = schedule[name].astype("Int64").to_numpy()
    for name, period in (("month", "period"), ("fill_month", "fill_period")):
        frame[name] = [None if pd.isna(p) or int(p) > periods else _month(start, int(p) - 1)
                       for p in frame[period]]
    return frame


def _store(session: Session, actor: Actor, home: Path, site: Site,
           source: ModelSource | UploadSource, digest: str, stopes: Any,
           timeline: pd.DataFrame, balance: pd.DataFrame, parameters: dict[str, Any],
           plan: PlanGrid, schedule: Any) -> StopePlan:
    folder = home / FOLDER / site.code
    folder.mkdir(parents=True, exist_ok=True)
    stem = uuid.uuid4().hex
    paths = {name: folder / f"{stem}.{name}.parquet" for name in ("stopes", "schedule",
                                                                   "balance", "walls")}
    frame = stopes.frame.reset_index(drop=True).assign(id=np.arange(1, len(stopes.frame) + 1))
    if isinstance(source, ModelSource):
        parameters |= {"source": "model", "model_id": source.model_id,
                       "economics": asdict(source.economics), "strike_axis": source.strike_axis}
    else:
        parameters |= {"source": "upload", "file": source.name,
                       "block_size_m": list(source.block_size_m),
                       "density_t_m3": source.density_t_m3}
    parameters["grid"] = {"origin": list(plan.grid.origin), "size": list(plan.grid.size),
                          "count": list(plan.grid.count), "strike_axis": plan.strike_axis}
    scheduled = timeline.dropna(subset=["period"])
    summary = finite({
        "candidates": int(stopes.candidates), "seconds": float(stopes.seconds),
        "scheduled": len(scheduled), "ore_t": float(scheduled["ore_t"].sum()),
        "void_m3": float(scheduled["void_m3"].sum()),
        "fill_m3": float(balance["fill_m3"].sum()) if "fill_m3" in balance else None,
        "tailings_to_backfill_t": float(balance["tailings_to_backfill_t"].sum()),
        "tailings_to_facility_t": float(balance["tailings_to_facility_t"].sum()),
        "binder_t": float(balance["binder_t"].sum()) if "binder_t" in balance else None})
    number = (session.scalar(select(func.max(StopePlan.version)).where(
        StopePlan.site_id == site.id)) or 0) + 1
    row = StopePlan(
        site_id=site.id, version=number, parameters=finite(parameters),
        model_id=source.model_id if isinstance(source, ModelSource) else None,
        inputs_sha256=digest, start_period=parameters["start_period"],
        method=str(stopes.method), stopes=len(frame), value_cny=float(stopes.value),
        upper_bound_cny=float(stopes.upper_bound), schedule_method=str(schedule.method),
        npv_cny=float(schedule.npv),
        gap=float(schedule.gap) if np.isfinite(schedule.gap) else None,
        summary=summary, code_version=__version__,
        stopes_path=str(paths["stopes"].relative_to(home)),
        stopes_sha256=_write_parquet(frame, paths["stopes"]),
        schedule_path=str(paths["schedule"].relative_to(home)),
        schedule_sha256=_write_parquet(timeline, paths["schedule"]),
        balance_path=str(paths["balance"].relative_to(home)),
        balance_sha256=_write_parquet(balance, paths["balance"]),
        walls_path=None if stopes.walls is None else str(paths["walls"].relative_to(home)),
        walls_sha256=None if stopes.walls is None else _write_parquet(
            stopes.walls.assign(id=stopes.walls["stope"] + 1), paths["walls"]),
        created_by=actor.user_id)
    session.add(row)
    session.flush()
    return row


# --- the plan from a form's or a job's fields -------------------------------------------------

STOPE_FIELDS = ("length_min", "length_max", "width_min", "width_max", "level_height", "pillar",
                "sill_pillar", "skin_m", "shape", "max_wall_step")
SCHEDULE_FIELDS = ("periods", "ore_capacity_t", "fill_capacity_m3", "cure_periods",
                   "direction", "discount_rate", "level_interval_periods")
RECIPE_FIELDS = ("recipe", "solids_mass_fraction", "binder_fraction", "bulk_density_t_m3")
ECONOMICS_FIELDS = ("price_cny_g", "recovery", "mining_cost_cny_t", "processing_cost_cny_t")
UPLOAD_FIELDS = ("block_i_m", "block_j_m", "block_k_m", "density_t_m3", "waste_value_cny")


def plan_from_fields(session: Session, actor: Actor, home: Path, site_code: str,
                     fields: Mapping[str, Any], upload: tuple[str, bytes] | None = None,
                     progress: Progress | None = None,
                     time_limit_s: float = SCHEDULE_TIME_LIMIT_S) -> StopePlan:
    """:func:`plan_stopes` from the flat fields of the plan's form, API body or job
    (:data:`STOPE_FIELDS`, :data:`SCHEDULE_FIELDS`, :data:`RECIPE_FIELDS`, and either
    ``model_id`` with :data:`ECONOMICS_FIELDS` and ``strike_axis``, or an uploaded
    ``BLOCKS.csv`` (``upload``: name, content) with :data:`UPLOAD_FIELDS`), ``start_period``
    and ``exact``; units as :func:`plan_stopes` and :class:`Economics` state them;
    ``time_limit_s`` (s) bounds the schedule's MIP."""
    source: ModelSource | UploadSource
    if upload is not None:
        source = UploadSource(upload[1], upload[0], (float(fields["block_i_m"]),
                                                     float(fields["block_j_m"]),
                                                     float(fields["block_k_m"])),
                              float(fields["density_t_m3"]),
                              float(fields.get("waste_value_cny", 0.0)))
    elif fields.get("model_id") is not None:
        source = ModelSource(int(fields["model_id"]), Economics(
            *(float(fields[k]) for k in ECONOMICS_FIELDS)), str(fields.get("strike_axis", "x")))
    else:
        raise ValidationError(Problem(i18n._("choose a resource model or upload BLOCKS.csv"),
                                      column="model_id"))
    stope = {"length": [fields["length_min"], fields["length_max"]],
             "width": [fields["width_min"], fields["width_max"]],
             "level_height": fields["level_height"], "pillar": fields["pillar"],
             "sill_pillar": fields.get("sill_pillar", 0),
             "skin_m": float(fields.get("skin_m", 0.0))}
    schedule = {k: fields[k] for k in SCHEDULE_FIELDS}
    recipe = {"kind": fields["recipe"]} | {k: fields[k] for k in RECIPE_FIELDS[1:]}
    return plan_stopes(session, actor, home, site_code, source, stope, schedule, recipe,
                       str(fields["start_period"]), bool(fields.get("exact", False)), progress,
                       time_limit_s, str(fields.get("shape", "box")),
                       int(fields.get("max_wall_step", 1)))


def plan_size(session: Session, actor: Actor, site_code: str, fields: Mapping[str, Any],
              upload: bytes | None = None) -> int:
    """The blocks a plan of these fields reads (count; an upload estimated from its size),
    so that a caller runs a large one as a job (:data:`INLINE_PLAN_BLOCKS`)."""
    mine_site(session, actor, site_code, write=True)
    if upload is not None:
        return upload.count(b"\n")
    if fields.get("model_id") is None:
        return 0
    model = resource_service.readable_model(session, actor, int(fields["model_id"]))
    return int(model.n_blocks)


# --- reading the plans --------------------------------------------------------------------------


def plans(session: Session, actor: Actor, site_code: str) -> list[StopePlan]:
    """A mine's plans, newest first (at most :data:`MAX_PLANS_LISTED`)."""
    site = mine_site(session, actor, site_code)
    return list(session.scalars(select(StopePlan).where(StopePlan.site_id == site.id)
                                .order_by(StopePlan.version.desc()).limit(MAX_PLANS_LISTED)))


def readable_plan(session: Session, actor: Actor, plan_id: int,
                  site_code: str | None = None) -> StopePlan:
    """A stored plan ``actor`` may read (of ``site_code`` when given).

    Raises
    ------
    PermissionDenied
        A role outside :data:`MINE_ROLES`, whatever the id.
    NotFoundError
        No such plan, or one of a site the actor may not read (the same answer).
    """
    actor.require_role(*MINE_ROLES)
    plan = session.get(StopePlan, plan_id)
    if plan is None or not actor.can_read_site(plan.site) or (
            site_code is not None and plan.site.code != site_code):
        raise NotFoundError(i18n._("no stope plan %(id)s", id=plan_id))
    return plan


def _read(home: Path, relative: str, sha256: str) -> pd.DataFrame:
    path = home / relative
    if not path.exists() or file_sha256(path) != sha256:
        raise ValidationError(i18n._("the file %(path)s is missing or was changed after it "
                                     "was recorded", path=relative))
    return pd.read_parquet(path)


@dataclass(frozen=True)
class PlanFrames:
    """A plan's files: ``stopes`` (level, i0…k1, value), ``schedule`` (the stopes as tasks
    with their periods and months), ``balance`` (the fill balance per month) and, for vein
    shapes, ``walls`` (``stope``, ``id``, ``k``, ``j0``, ``j1``: each shape's walls per slice;
    None for boxes)."""

    stopes: pd.DataFrame
    schedule: pd.DataFrame
    balance: pd.DataFrame
    walls: pd.DataFrame | None = None


def plan_frames(home: Path, plan: StopePlan) -> PlanFrames:
    """A plan's files, each checked against its recorded hash, kept once read."""
    def read() -> PlanFrames:
        return PlanFrames(_read(home, plan.stopes_path, plan.stopes_sha256),
                          _read(home, plan.schedule_path, plan.schedule_sha256),
                          _read(home, plan.balance_path, plan.balance_sha256),
                          None if plan.walls_path is None or plan.walls_sha256 is None
                          else _read(home, plan.walls_path, plan.walls_sha256))
    return cache.cached(("stope-plan", str(home), plan.id, plan.stopes_sha256,
                         plan.schedule_sha256, plan.balance_sha256, plan.walls_sha256), read,
                        language_free=True)


STOPE_COLUMNS = ["id", "level", "i0", "i1", "j0", "j1", "k0", "k1", "x_min", "x_max",
                 "y_min", "y_max", "z_min", "z_max", "ore_t", "value_cny", "void_m3", "month",
                 "fill_month"]
"""Columns of a plan's stope list (exports): indices, box in m, ore t, value CNY, void m³,
months mined and filled."""
STOPE_DECIMALS = {"x_min": 2, "x_max": 2, "y_min": 2, "y_max": 2, "z_min": 2, "z_max": 2,
                  "ore_t": 1, "value_cny": 0, "void_m3": 1}
"""Decimals of the stope list's figures: m to 0.01, t and m³ to 0.1, CNY to 1."""


def stope_boxes(plan: StopePlan, frame: pd.DataFrame) -> pd.DataFrame:
    """Each stope's box in the mine's coordinates: ``x_min`` … ``z_max`` (m), from the grid
    the plan was made on (the strike axis of its model as i)."""
    grid = plan.parameters["grid"]
    origin, size = grid["origin"], grid["size"]
    across = grid.get("strike_axis", "x") == "y"  # x is then the plan's j, y its i
    columns = {"x": ("j0", "j1") if across else ("i0", "i1"),
               "y": ("i0", "i1") if across else ("j0", "j1"), "z": ("k0", "k1")}
    out = {}
    for axis, (name, (lo, hi)) in enumerate(columns.items()):
        half = size[axis] / 2
        out[f"{name}_min"] = origin[axis] + frame[lo].to_numpy(float) * size[axis] - half
        out[f"{name}_max"] = origin[axis] + frame[hi].to_numpy(float) * size[axis] + half
    return pd.DataFrame(out, index=frame.index)


def stope_table(session: Session, actor: Actor, home: Path, site_code: str, plan_id: int
                ) -> pd.DataFrame:
    """A plan's stopes with their boxes (m), ore (t), value (CNY), void (m³) and months
    (:data:`STOPE_COLUMNS`), for the API and its CSV and Excel exports."""
    plan = readable_plan(session, actor, plan_id, site_code)
    schedule = plan_frames(home, plan).schedule
    table = pd.concat([schedule, stope_boxes(plan, schedule)], axis=1)[STOPE_COLUMNS]
    # To what the figures mean: a box to the centimetre, ore and void to a tenth, value to
    # the yuan (the grid's origin carries a float's noise into every wall).
    return table.round(STOPE_DECIMALS)


def plan_record(plan: StopePlan) -> dict[str, Any]:
    """A plan's record as the API gives it (its files' contents left out)."""
    return {"id": plan.id, "site": plan.site.code, "version": plan.version,
            "parameters": plan.parameters, "model_id": plan.model_id,
            "inputs_sha256": plan.inputs_sha256, "start_period": plan.start_period,
            "method": plan.method, "stopes": plan.stopes, "value_cny": plan.value_cny,
            "upper_bound_cny": plan.upper_bound_cny, "schedule_method": plan.schedule_method,
            "npv_cny": plan.npv_cny, "gap": plan.gap, "summary": plan.summary,
            "code_version": plan.code_version, "created_at": plan.created_at}


def plan_detail(session: Session, actor: Actor, home: Path, site_code: str, plan_id: int
                ) -> dict[str, Any]:
    """A plan with its schedule and fill balance, as the API gives it."""
    plan = readable_plan(session, actor, plan_id, site_code)
    frames = plan_frames(home, plan)
    schedule = frames.schedule.astype(object).where(frames.schedule.notna(), None)
    return plan_record(plan) | {"schedule": finite(schedule.to_dict("records")),
                                "balance": finite(frames.balance.to_dict("records"))}


# --- a large plan as a job ------------------------------------------------------------------


def _plan_owner(session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                ) -> jobs.Owner:
    site = mine_site(session, actor, str(params["site"]), write=True)
    if params.get("model_id") is not None:
        model = resource_service.readable_model(session, actor, int(params["model_id"]))
        if model.site_id != site.id:
            raise NotFoundError(i18n._("no resource model %(id)s", id=params["model_id"]))
    if params.get("blocks"):
        jobs.read_input(home, params["blocks"]["digest"])  # refused now if not kept
    return site.org_id, site.province


def _plan_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    upload = None
    if params.get("blocks"):
        upload = (str(params["blocks"]["name"]),
                  jobs.read_input(context.home, params["blocks"]["digest"]))
    with context.session() as (session, actor):
        plan = plan_from_fields(session, actor, context.home, str(params["site"]), params,
                                upload, lambda fraction, message: context.report(
                                    fraction, message, now=True))
        return {"id": plan.id, "version": plan.version, "stopes": plan.stopes,
                "value_cny": plan.value_cny, "npv_cny": plan.npv_cny,
                "url": f"/underground/{plan.site.code}"}


STOPE_PLAN_JOB = jobs.register(jobs.JobKind("stope_plan", _plan_owner, _plan_job))
"""A mine's stope plan made as :func:`plan_from_fields` makes it, for a model of more than
:data:`INLINE_PLAN_BLOCKS` blocks: the plan's fields, ``site``, and ``blocks``
(``{"digest", "name"}``, kept by :func:`aurum.services.jobs.put_input`) for an upload."""


def plan_or_submit(session: Session, actor: Actor, home: Path, queue: jobs.JobQueue,
                   site_code: str, fields: Mapping[str, Any],
                   upload: tuple[str, bytes] | None = None) -> StopePlan | jobs.JobView:
    """A plan made in the request when it reads at most :data:`INLINE_PLAN_BLOCKS` blocks,
    else queued as a :data:`STOPE_PLAN_JOB` (its view returned); fields as
    :func:`plan_from_fields`.

    Raises
    ------
    NotFoundError, PermissionDenied, ValidationError
        As :func:`plan_stopes`, and :func:`aurum.services.jobs.submit` for a job.
    """
    size = plan_size(session, actor, site_code, fields, upload[1] if upload else None)
    if size <= INLINE_PLAN_BLOCKS:
        return plan_from_fields(session, actor, home, site_code, fields, upload)
    params = dict(fields) | {"site": site_code}
    if upload is not None:
        params["blocks"] = {"digest": jobs.put_input(actor, home, upload[1]),
                            "name": upload[0]}
    return jobs.submit(session, actor, queue, STOPE_PLAN_JOB.name, params)


def plan_inline(session: Session, actor: Actor, home: Path, site_code: str,
                fields: Mapping[str, Any]) -> StopePlan:
    """A plan made in the request (the API's), fields as :func:`plan_from_fields`.

    Raises
    ------
    ValidationError
        Besides :func:`plan_stopes`'s: a model of more than :data:`INLINE_PLAN_BLOCKS`
        blocks, to be planned by a ``stope_plan`` job.
    """
    size = plan_size(session, actor, site_code, fields)
    if size > INLINE_PLAN_BLOCKS:
        raise ValidationError(Problem(i18n._(
            "%(n)s blocks: a model of more than %(limit)s blocks is planned by a job (POST "
            "/api/v1/jobs, kind stope_plan)", n=size, limit=INLINE_PLAN_BLOCKS),
            column="model_id"))
    return plan_from_fields(session, actor, home, site_code, fields)


def writable_site(session: Session, actor: Actor, site_code: str) -> Site:
    """A mine ``actor`` may plan (asked by a page before it reads what was typed).

    Raises
    ------
    NotFoundError, PermissionDenied
        As :func:`mine_site`.
    """
    return mine_site(session, actor, site_code, write=True)


def mine_site(session: Session, actor: Actor, site_code: str, write: bool = False) -> Site:
    """A mine's site as the underground and ventilation areas open it: the area's role
    first (:data:`MINE_ROLES`), then the site's scope.

    Parameters
    ----------
    site_code : str
        The site's code.
    write : bool
        Whether the actor is to write for the site (store a plan or a network).

    Raises
    ------
    PermissionDenied
        A role outside :data:`MINE_ROLES` (whatever the code names), or, with ``write``, a
        site the actor reads but may not write.
    NotFoundError
        A site the actor may not read (the same answer as a missing one).
    """
    actor.require_role(*MINE_ROLES)
    if write:
        return registry.get_writable_site(session, actor, site_code)
    return registry.get_site(session, actor, site_code)
