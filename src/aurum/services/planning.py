"""Pit studies on stored resource models: the block model a geologist published becomes the
planner's ultimate pit, nested pits, pushbacks and cut-offs without an export.

A study is derived data: it is recomputed from the model's file (checked against its recorded
hash) and the economics, and kept under ``AURUM_HOME/pits/`` keyed by both, so the same
question is answered once. One process runs :data:`~aurum.core.checks.MAX_CONCURRENT_STUDIES`
study at a time and keeps :data:`~aurum.core.checks.MAX_STUDIES_KEPT` per site, so neither its
memory nor its disk grows with the what-ifs its users send.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import checks
from aurum.core.errors import Busy, NotFoundError
from aurum.core.files import write_atomic
from aurum.planning.study import (
    Progress,
    economics_from_dict,
    pit_study,
    study_blocks,
    study_footprint,
)
from aurum.resources.blockmodel import BlockModel
from aurum.resources.report import grade_tonnage
from aurum.services import cache, jobs, resources
from aurum.services.auth import Actor
from aurum.store.models import ResourceModel

INLINE_STUDY_BLOCKS = 5_000
"""The largest model (blocks) whose pit study a page request runs itself: about 0.1 s on two
cores. A larger model's study runs as a job, with progress and a cancel button."""
STUDY_WAIT_S = 60.0
"""How long a study waits for the process's study slot before a 503, s."""
_STUDY_SLOTS = threading.BoundedSemaphore(checks.MAX_CONCURRENT_STUDIES)

DEFAULT_ECONOMICS: dict[str, Any] = {
    "market": {"price_cny_per_g": 650.0, "selling_cny_per_g": 5.0},
    "mining": {"base_cny_per_t": 25.0, "increment_cny_per_t": 1.0, "interval_m": 10.0,
               "reference_elevation_m": 0.0},
    "processes": [{"name": "mill", "recovery": 0.9, "cost_cny_per_t": 120.0}],
    "grade": "estimate", "tonnes": "tonnes", "slopes": 45.0, "n_benches": 8,
    "revenue_factors": {"start": 0.2, "stop": 1.5, "step": 0.05},
    "schedule": {"rate_t_per_year": None, "discount_rate": 0.08},
    "pushbacks": {"count": 4, "min_mining_width_m": 40.0, "max_narrow_fraction": 0.1},
    "lane": {"fixed_cny_per_year": 6.0e7, "mine_t_per_year": 6.0e6,
             "mill_t_per_year": 1.5e6, "market_g_per_year": float("inf")},
}
"""Economics of a study when the user gives none: a 2026 gold price of about CNY 650/g, a
CIL mill at 90 % recovery, 45° overall slopes, the mining rate by Taylor's rule."""


@dataclass(frozen=True)
class StoredStudy:
    """A pit study of a stored model.

    Attributes
    ----------
    model : ResourceModel
        The resource model studied.
    economics : dict
        The economics it was run with (YAML keys, see :mod:`aurum.planning.study`).
    summary : dict
        The study's figures (:meth:`aurum.planning.study.PitStudy.summary`).
    blocks : pandas.DataFrame
        Per block: x, y, z, tonnes_t, grade_gpt, destination, value, first_pit, pushback.
    """

    model: ResourceModel
    economics: dict[str, Any]
    summary: dict[str, Any]
    blocks: pd.DataFrame


def merged_economics(changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The default economics with the given sections or keys replaced (one level deep)."""
    merged = json.loads(json.dumps(DEFAULT_ECONOMICS))
    for key, value in (changes or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def study_models(session: Session, actor: Actor) -> list[ResourceModel]:
    """The resource models the actor may read, newest first."""
    models = session.scalars(select(ResourceModel).order_by(ResourceModel.id.desc())).all()
    return [m for m in models if actor.can_read_site(m.site)]


def pit_study_of_model(session: Session, actor: Actor, home: Path, model_id: int,
                       changes: Mapping[str, Any] | None = None,
                       progress: Progress | None = None) -> StoredStudy:
    """Run (or fetch) the pit study of a stored resource model.

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME).
    model_id : int
        The resource model.
    changes : mapping, optional
        Economics that differ from :data:`DEFAULT_ECONOMICS` (prices CNY/g, costs CNY/t,
        slopes in degrees, widths in m).
    progress : callable, optional
        Called as ``progress(stage_done, n_stages)`` while the study runs (not when it was
        kept); it may raise to stop the study (a cancelled job).

    Raises
    ------
    NotFoundError
        No such model, or one the actor may not read.
    ValidationError
        Malformed economics or economics outside the bounds of :mod:`aurum.core.checks`, a
        study larger than :data:`aurum.core.checks.MAX_PIT_STUDY_BYTES`, or a model file
        changed since it was recorded.
    """
    model = _readable_model(session, actor, model_id)
    doc = merged_economics(changes)
    economics = economics_from_dict(doc, "economics")
    blocks_path, summary_path = _study_files(home, model, doc)
    stored = _kept_study(blocks_path, summary_path)
    if stored is not None:
        return StoredStudy(model, doc, *stored)
    folder = blocks_path.parent
    grid = resources.stored_grid(model)
    if grid is not None and economics.regions is None:
        study_footprint(grid, economics)  # a study too large is refused before any read
    if not _STUDY_SLOTS.acquire(timeout=STUDY_WAIT_S):
        raise Busy("another pit study is running on this server; try again in a minute",
                   retry_after_s=max(1, round(STUDY_WAIT_S)))
    try:
        frame = resources.load_blocks(session, actor, home, model_id)
        block_model = BlockModel.from_frame(frame, grid=grid)
        study = pit_study(block_model.grid, block_model.attributes, economics, progress)
        blocks = study_blocks(block_model.grid, block_model.attributes, economics, study)
    finally:
        _STUDY_SLOTS.release()
    summary = study.summary()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(blocks_path, lambda p: blocks.to_parquet(p, index=False))
    write_atomic(summary_path, lambda p: Path(p).write_text(
        json.dumps(summary, default=str, allow_nan=True)))
    _forget_beyond(folder, checks.MAX_STUDIES_KEPT)
    return StoredStudy(model, doc, summary, blocks)


def _readable_model(session: Session, actor: Actor, model_id: int) -> ResourceModel:
    model = session.get(ResourceModel, model_id)
    if model is None or not actor.can_read_site(model.site):
        raise NotFoundError(f"no resource model {model_id}")
    return model


def _study_files(home: Path, model: ResourceModel, doc: Mapping[str, Any]
                 ) -> tuple[Path, Path]:
    """Where the study of ``model`` with the economics ``doc`` is kept: its blocks (Parquet)
    and its summary (JSON), keyed by the model file's hash and the economics."""
    key = hashlib.sha256(json.dumps([model.file_sha256, doc], sort_keys=True,
                                    default=str).encode()).hexdigest()[:32]
    folder = home / "pits" / model.site.code
    return folder / f"{key}.parquet", folder / f"{key}.json"


def _kept_study(blocks_path: Path, summary_path: Path
                ) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """A study kept from an earlier run (marked as just used), or None."""
    try:
        summary = json.loads(summary_path.read_text())
        blocks = pd.read_parquet(blocks_path)
        for path in (summary_path, blocks_path):
            os.utime(path)
    except FileNotFoundError:  # never run, or evicted meanwhile by another request
        return None
    return summary, blocks


def _forget_beyond(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used studies of a folder."""
    summaries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for summary in summaries[keep:]:
        for path in (summary, summary.with_suffix(".parquet")):
            path.unlink(missing_ok=True)


# --- view model of the pit page --------------------------------------------------------------

PIT_FORM_FIELDS = ("price_cny_per_g", "recovery", "processing_cny_per_t", "mining_cny_per_t",
                   "slope_deg", "min_mining_width_m")
"""What the pit page lets a planner change: gold price (CNY/g), mill recovery (fraction),
processing and mining costs (CNY/t), overall slope (°) and minimum mining width (m)."""


def pit_form(given: Mapping[str, float | None]) -> tuple[dict[str, float], dict[str, Any]]:
    """The pit page's form with the defaults of :data:`DEFAULT_ECONOMICS` where nothing is
    given, and the economics changes it stands for (see :func:`merged_economics`)."""
    mill = DEFAULT_ECONOMICS["processes"][0]
    defaults = {"price_cny_per_g": DEFAULT_ECONOMICS["market"]["price_cny_per_g"],
                "recovery": mill["recovery"], "processing_cny_per_t": mill["cost_cny_per_t"],
                "mining_cny_per_t": DEFAULT_ECONOMICS["mining"]["base_cny_per_t"],
                "slope_deg": DEFAULT_ECONOMICS["slopes"],
                "min_mining_width_m": DEFAULT_ECONOMICS["pushbacks"]["min_mining_width_m"]}
    form = {k: defaults[k] if given.get(k) is None else given[k] for k in PIT_FORM_FIELDS}
    changes = {"market": {"price_cny_per_g": form["price_cny_per_g"]},
               "processes": [{**mill, "recovery": form["recovery"],
                              "cost_cny_per_t": form["processing_cny_per_t"]}],
               "mining": {"base_cny_per_t": form["mining_cny_per_t"]},
               "slopes": form["slope_deg"],
               "pushbacks": {"min_mining_width_m": form["min_mining_width_m"]}}
    return form, changes  # type: ignore[return-value]


@dataclass(frozen=True)
class PitFigures:
    """What the pit page charts of a study, computed once per model file and economics.

    Attributes
    ----------
    summary : dict
        The study's figures (:meth:`aurum.planning.study.PitStudy.summary`).
    blocks : pandas.DataFrame
        The study's blocks (:class:`StoredStudy`).
    final_index : int
        Index of the ultimate pit (revenue factor 1) among the nested pits.
    pit_by_pit : pandas.DataFrame
        The nested pits, one row each.
    grade_tonnage : pandas.DataFrame
        Tonnes and grade of the ultimate pit's blocks above 30 cut-offs, from 0 to the 99th
        percentile of the grades (g/t).
    cutoff_lines : dict
        Break-even and marginal cut-off of each process and Lane's optimum, g/t.
    """

    summary: dict[str, Any]
    blocks: pd.DataFrame
    final_index: int
    pit_by_pit: pd.DataFrame
    grade_tonnage: pd.DataFrame
    cutoff_lines: dict[str, float]

    @property
    def final(self) -> dict[str, Any]:
        """The ultimate pit's row of the pit-by-pit table."""
        return self.summary["pit_by_pit"][self.final_index]


@dataclass(frozen=True)
class PitView:
    """The pit page of a model: the model, the form as shown and the study's figures (None
    while the study has not been run)."""

    model: ResourceModel
    form: dict[str, float]
    figures: PitFigures | None


def pit_view(session: Session, actor: Actor, home: Path, model_id: int,
             given: Mapping[str, float | None]) -> PitView:
    """The pit page of a stored resource model with the economics of the page's form
    (:func:`pit_form`; values not given are the defaults).

    The figures come from the kept study (:func:`pit_study_of_model`), and are themselves
    kept per model file and economics (:mod:`aurum.services.cache`). A study not yet run is
    run here only for a model of at most :data:`INLINE_STUDY_BLOCKS` blocks; for a larger
    one the view has no figures and the page runs it as a job (:data:`PIT_STUDY_JOB`).
    """
    form, changes = pit_form(given)
    model = _readable_model(session, actor, model_id)
    key = ("pit-figures", cache.database_of(session), model.id, model.file_sha256,
           json.dumps(changes, sort_keys=True))
    if model.n_blocks > INLINE_STUDY_BLOCKS and _kept_study(
            *_study_files(home, model, merged_economics(changes))) is None:
        return PitView(model, form, None)
    figures = cache.cached(key, lambda: _pit_figures(
        pit_study_of_model(session, actor, home, model_id, changes)))
    return PitView(model, form, figures)


def _final_index(summary: Mapping[str, Any]) -> int:
    """Index of the ultimate pit (revenue factor 1) among a study's nested pits."""
    return int(np.flatnonzero(np.isclose([r["factor"] for r in summary["pit_by_pit"]],
                                         1.0))[0])


def _pit_figures(study: StoredStudy) -> PitFigures:
    summary, blocks = study.summary, study.blocks
    final_index = _final_index(summary)
    pit = blocks[(blocks["first_pit"] >= 0) & (blocks["first_pit"] <= final_index)]
    top = float(np.nanpercentile(blocks["grade_gpt"], 99)) if len(blocks) else 1.0
    gt = grade_tonnage(pit["tonnes_t"].to_numpy(), pit["grade_gpt"].to_numpy(),
                       np.round(np.linspace(0.0, max(top, 0.1), 30), 3))
    lines = {f"break-even ({c['process']})": c["breakeven_gpt"] for c in summary["cutoffs"]}
    lines |= {f"marginal ({c['process']})": c["marginal_gpt"] for c in summary["cutoffs"]}
    if summary["lane"]:
        lines["Lane optimum"] = summary["lane"]["optimum"]
    return PitFigures(summary, blocks, final_index, pd.DataFrame(summary["pit_by_pit"]), gt,
                      lines)


# --- the pit study as a job -----------------------------------------------------------------


def _study_job_owner(session: Session, actor: Actor, _home: Path, params: Mapping[str, Any]
                     ) -> jobs.Owner:
    site = _readable_model(session, actor, int(params["model_id"])).site
    return site.org_id, site.province


def _study_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    given = {k: params.get(k) for k in PIT_FORM_FIELDS}
    form, changes = pit_form(given)
    with context.session() as (session, actor):
        context.report(0.0, "reading the block model")
        study = pit_study_of_model(session, actor, context.home, int(params["model_id"]),
                                   changes, context.steps("pit study"))
        final = study.summary["pit_by_pit"][_final_index(study.summary)]
        query = urlencode({k: v for k, v in given.items() if v is not None})
        return {"model_id": study.model.id, "site": study.model.site.code, "form": form,
                "ultimate_pit": final, "url": f"/pit/{study.model.id}" + (
                    f"?{query}" if query else "")}


PIT_STUDY_JOB = jobs.register(jobs.JobKind("pit_study", _study_job_owner, _study_job))
"""The pit study of a stored model with the pit page's economics (:func:`pit_form` fields
and ``model_id``): its result links to the page that shows it."""
