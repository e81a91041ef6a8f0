"""Regional consolidation studies (issue 23): a province's mines and plants, the standard
scenarios solved when the study is stored (never on a read), and the province's ≥ 500 t/d
share before and after each, computed with the plan indicators' own definition
(:func:`aurum.industry.kpi.compute_indicators`, ``large_mine_output_share_pct``) from the
capacities the regional-mine rule of :mod:`aurum.structure.scenarios` counts.

Who: administrators and regulators write and read (a provincial regulator its province
only), auditors read (:data:`WRITERS`, :data:`READERS`). A study holds every mine of a
province with its capacity and grade, each owner's own data: enterprises (mining groups
included) and recyclers are refused the area outright (:class:`PermissionDenied`, every read
and write), not shown an empty one. A study of at most
:data:`INLINE_PAIRS` mine × plant pairs is solved in the request; a larger one, up to
:data:`aurum.structure.consolidation.MAX_MINES` × ``MAX_PLANTS``, is solved and then stored
by a ``structure_solve`` job, with its progress by scenario and the user's cancel between
scenarios.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.jsonsafe import finite
from aurum.industry import kpi
from aurum.industry.targets import load_targets
from aurum.services import jobs
from aurum.services.auth import Actor, Role
from aurum.store.models import StructureResult, StructureStudy
from aurum.structure.consolidation import Mine, Plant, check_region
from aurum.structure.scenarios import (
    ScenarioResult,
    proposals,
    run_scenario,
    standard_scenarios,
)

INLINE_PAIRS = 20_000
"""Largest study (mines × plants) solved in the request; larger ones run as a job."""
TIME_LIMIT_S = 60.0
"""Solver time limit of each scenario, s."""
LIST_LIMIT = 200
"""Most studies a listing returns."""

WRITERS = (Role.ADMIN, Role.REGULATOR)
"""Who stores studies (a provincial regulator: of its province)."""
READERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Who opens the consolidation area at all (the navigation offers it to them alone)."""


def _check(actor: Actor, province: str, roles: Sequence[Role]) -> None:
    if actor.role not in roles or (actor.province is not None and actor.province != province):
        raise PermissionDenied(i18n._("consolidation studies of %(province)s are not open to "
                                      "you", province=province))


def region(inputs: Mapping[str, Any]) -> tuple[list[Mine], list[Plant], Plant | None]:
    """The mines, plants and central mill of a study's inputs (dataclasses' fields)."""
    mine_fields = {"id", "x_km", "y_km", "ore_tpd", "grade_g_per_t"}
    plant_fields = set(Plant.__dataclass_fields__)
    try:
        mines = [Mine(**{k: v for k, v in m.items() if k in mine_fields})
                 for m in inputs["mines"]]
        plants = [Plant(**{k: v for k, v in p.items() if k in plant_fields})
                  for p in inputs["plants"]]
        mill = inputs.get("central_mill")
        return mines, plants, None if mill is None else Plant(
            **{k: v for k, v in mill.items() if k in plant_fields})
    except (KeyError, TypeError) as exc:
        raise ValidationError(Problem(i18n._("a study's inputs lack %(what)s", what=str(exc)),
                                      column="inputs")) from exc


def data_version(inputs: Mapping[str, Any]) -> str:
    """SHA-256 of the inputs as canonical JSON."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def create_study(session: Session, actor: Actor, province: str, name: str,
                 inputs: Mapping[str, Any], queue: jobs.JobQueue | None = None
                 ) -> StructureStudy | jobs.JobView:
    """Store a study and solve its scenarios: in the request up to :data:`INLINE_PAIRS`
    mine × plant pairs (the study returned), else by a job (its view returned; ``queue``
    needed).

    Parameters
    ----------
    province : str
        The province studied (a provincial regulator's own).
    name : str
        The study's name (1–200 characters).
    inputs : mapping
        ``mines`` and ``plants`` (fields of :class:`~aurum.structure.Mine` and
        :class:`~aurum.structure.Plant`, plus ``site``, ``lon``, ``lat`` for the map),
        ``transport_cny_per_tkm``, ``road_factor``, ``radius_km``, ``gold_price_cny_per_g``,
        ``central_mill`` (a plant or None).

    Raises
    ------
    PermissionDenied, ValidationError
        Not a writer of the province; bad inputs (one problem each).
    """
    mines, plants = _checked(actor, province, name, inputs)
    if len(mines) * (len(plants) + 1) <= INLINE_PAIRS:
        return store_and_solve(session, actor, province, name, inputs)
    if queue is None:
        raise ValidationError(i18n._("a study of %(n)s mine × plant pairs is solved by a job "
                                     "(POST /api/v1/jobs, kind structure_solve)",
                                     n=len(mines) * len(plants)))
    return jobs.submit(session, actor, queue, SOLVE_JOB.name,
                       {"province": province, "name": name, "inputs": dict(inputs)})


def _checked(actor: Actor, province: str, name: str, inputs: Mapping[str, Any]
             ) -> tuple[list[Mine], list[Plant]]:
    """The region of a study ``actor`` may store, refused with every problem found."""
    _check(actor, province, WRITERS)
    if not 0 < len(name.strip()) <= 200:
        raise ValidationError(Problem(i18n._("expected a name of 1 to 200 characters"),
                                      column="name"))
    mines, plants, mill = region(inputs)
    check_region(mines, plants + ([mill] if mill else []),
                 float(inputs.get("transport_cny_per_tkm", -1)),
                 float(inputs.get("road_factor", 1.0)))
    return mines, plants


def store_and_solve(session: Session, actor: Actor, province: str, name: str,
                    inputs: Mapping[str, Any],
                    progress: Callable[[float, str], None] | None = None) -> StructureStudy:
    """Solve a study's scenarios, then store it with its result (arguments as
    :func:`create_study`): nothing is written while the solver runs, so that a job's
    progress reports (their own transactions) never wait on this one."""
    _checked(actor, province, name, inputs)
    started = time.perf_counter()
    rows, proposed = solve_scenarios(inputs, progress)
    study = StructureStudy(province=province, name=name.strip(), inputs=dict(inputs),
                           data_version=data_version(inputs),
                           created_by=actor.user_id or None)  # SYSTEM (0) is no user
    session.add(study)
    session.flush()
    session.add(StructureResult(study_id=study.id, scenarios=rows, proposals=proposed,
                                data_version=study.data_version, code_version=__version__,
                                seconds=time.perf_counter() - started))
    session.flush()
    session.refresh(study)
    return study


def solve_scenarios(inputs: Mapping[str, Any],
                    progress: Callable[[float, str], None] | None = None
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The standard scenarios of a study's inputs solved: a row per scenario (as stored)
    and the regional mines proposed by the scenario that forms the most (JSON-ready)."""
    targets = load_targets()
    floors = dict(targets.plant_floors_t_per_day)
    threshold = targets.large_mine_capacity_t_per_day
    mines, plants, mill = region(inputs)
    scenarios = standard_scenarios(plants, float(inputs["gold_price_cny_per_g"]), floors, mill)
    results: list[tuple[str, ScenarioResult | str]] = []
    for k, scenario in enumerate(scenarios):
        if progress is not None:
            progress(k / len(scenarios), i18n.gettext("solving scenario %(key)s",
                                                      key=scenario.key))
        try:
            results.append((scenario.key, run_scenario(
                scenario, mines, plants, float(inputs["transport_cny_per_tkm"]),
                threshold_tpd=threshold, radius_km=float(inputs.get("radius_km", 50.0)),
                road_factor=float(inputs.get("road_factor", 1.0)), floors_tpd=floors,
                time_limit_s=TIME_LIMIT_S)))
        except ValidationError as exc:
            if k == 0:  # the status quo is the baseline every scenario is compared with
                raise
            # Closing the backward mills may leave too little capacity: an answer, not a fault.
            results.append((scenario.key, str(exc)))
    first = results[0][1]
    assert isinstance(first, ScenarioResult)
    before = large_mine_share_pct(first.counted_capacity_tpd, first.gold_g_per_day)
    rows = [_row(key, r, before) for key, r in results]
    solved = [r for _, r in results if isinstance(r, ScenarioResult)]
    best = max(solved, key=lambda r: sum(g.gold_g_per_day for g in r.regional_mines))
    return finite(rows), finite(list(proposals(best)))


def _row(key: str, r: ScenarioResult | str, before: float | None) -> dict[str, Any]:
    """A scenario as stored: its plan, or why it has none (``infeasible``)."""
    if isinstance(r, str):
        return {"key": key, "feasible": False, "infeasible": r, "cost_cny_per_day": None,
                "margin_cny_per_day": None, "gold_g_per_day": None, "open": [],
                "assignment": {}, "loads_tpd": {}, "gap": None, "regional_mines": [],
                "share_before_pct": before, "share_after_pct": None}
    return {
        "key": key, "feasible": True, "cost_cny_per_day": r.plan.cost_cny_per_day,
        "fixed_cny_per_day": r.plan.fixed_cny_per_day,
        "haulage_cny_per_day": r.plan.haulage_cny_per_day,
        "processing_cny_per_day": r.plan.processing_cny_per_day,
        "gold_g_per_day": r.plan.gold_g_per_day,
        "margin_cny_per_day": r.plan.margin_cny_per_day,
        "gold_price_cny_per_g": r.scenario.gold_price_cny_per_g,
        "open": list(r.plan.open), "closed": list(r.scenario.closed),
        "assignment": r.plan.assignment, "loads_tpd": r.plan.loads_tpd,
        "gap": r.plan.gap, "below_floor": list(r.plan.below_floor),
        "regional_mines": [asdict(g) for g in r.regional_mines],
        "share_before_pct": before,
        "share_after_pct": large_mine_share_pct(r.counted_capacity_tpd, r.gold_g_per_day)}


def large_mine_share_pct(capacity_tpd: Mapping[str, float], gold_g_per_day: Mapping[str, float]
                         ) -> float | None:
    """The plan's ≥ 500 t/d indicator for one region, through the indicators' own definition:
    one row per mine of the baseline year with its counted capacity and its gold (per day,
    the share is a ratio), passed to :func:`aurum.industry.kpi.compute_indicators`."""
    return _share(tuple(capacity_tpd.items()),
                  tuple(gold_g_per_day[m] for m in capacity_tpd))


@lru_cache(maxsize=32)
def _share(capacity: tuple[tuple[str, float], ...], gold_g: tuple[float, ...]) -> float | None:
    """:func:`large_mine_share_pct` once per distinct region (the status quo's share is also
    every scenario's "before"; a scenario without regional mines repeats it)."""
    year = load_targets().baseline_year
    frame = pd.DataFrame({
        "year": year, "enterprise": "region", "province": "region",
        "site": [m for m, _ in capacity], "site_type": "mine",
        "daily_capacity_t": [c for _, c in capacity], "ore_treated_t": float("nan"),
        "gold_kg": [g / 1000 for g in gold_g], "silver_kg": float("nan"),
        "gold_resources_t": float("nan"), "solid_waste_generated_t": float("nan"),
        "solid_waste_utilised_t": float("nan")})
    return kpi.compute_indicators(frame, year).indicator("large_mine_output_share_pct").value


def studies(session: Session, actor: Actor, province: str | None = None
            ) -> list[StructureStudy]:
    """The studies ``actor`` may read, newest first (of ``province`` when given).

    Raises
    ------
    PermissionDenied
        A role that does not open the area (:data:`READERS`).
    """
    actor.require_role(*READERS)
    query = select(StructureStudy).order_by(StructureStudy.id.desc()).limit(LIST_LIMIT)
    if actor.province is not None:
        query = query.where(StructureStudy.province == actor.province)
    if province is not None:
        query = query.where(StructureStudy.province == province)
    return list(session.scalars(query))


def study(session: Session, actor: Actor, study_id: int) -> StructureStudy:
    """One study ``actor`` may read.

    Raises
    ------
    PermissionDenied
        A role that does not open the area (:data:`READERS`), whatever the id.
    NotFoundError
        No such study in the actor's scope.
    """
    actor.require_role(*READERS)
    row = session.get(StructureStudy, study_id)
    if row is None or (actor.province is not None and row.province != actor.province):
        raise NotFoundError(i18n._("no consolidation study %(id)s", id=study_id))
    return row


def study_record(row: StructureStudy, detail: bool = True) -> dict[str, Any]:
    """What the API answers for a study: its inputs' size, and (``detail``) the stored
    scenarios and proposals."""
    result = row.result
    record: dict[str, Any] = {
        "id": row.id, "province": row.province, "name": row.name,
        "mines": len(row.inputs.get("mines", [])), "plants": len(row.inputs.get("plants", [])),
        "data_version": row.data_version, "created_at": row.created_at,
        "solved": result is not None}
    if detail:
        record["scenarios"] = [] if result is None else result.scenarios
        record["proposals"] = [] if result is None else result.proposals
    return record


# --- a large study as a job -----------------------------------------------------------------


def _solve_owner(session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                 ) -> jobs.Owner:
    province = str(params.get("province", ""))
    _checked(actor, province, str(params.get("name", "")), dict(params.get("inputs") or {}))
    return None, province


def _solve_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    with context.session() as (session, actor):
        row = store_and_solve(session, actor, str(params["province"]), str(params["name"]),
                              dict(params["inputs"]),
                              lambda f, m: context.report(f, m, now=True))
        return {"id": row.id, "url": f"/structure/{row.id}"}


SOLVE_JOB = jobs.register(jobs.JobKind("structure_solve", _solve_owner, _solve_job))
"""A study of more than :data:`INLINE_PAIRS` pairs stored and solved off the request:
``province``, ``name``, ``inputs`` as :func:`create_study` takes them; the solve reports its
progress by scenario and stops at the user's cancel between scenarios (the job's report)."""


def index_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The studies ``actor`` may read, a row each for the index page: province, name, sizes
    and the share before and the best after (read from the stored results)."""
    rows = []
    for row in studies(session, actor):
        scenarios = row.result.scenarios if row.result is not None else []
        after = [s["share_after_pct"] for s in scenarios if s["share_after_pct"] is not None]
        rows.append({"id": row.id, "name": row.name, "province": row.province,
                     "mines": len(row.inputs.get("mines", [])),
                     "plants": len(row.inputs.get("plants", [])),
                     "share_before_pct": scenarios[0]["share_before_pct"] if scenarios else None,
                     "best_share_after_pct": max(after) if after else None,
                     "created_at": row.created_at.strftime("%Y-%m-%d %H:%M")})
    return rows


def large_mine_target_pct() -> float:
    """The plan's 2027 target of the ≥ 500 t/d share, % (70)."""
    return load_targets().indicator("large_mine_output_share_pct").target
