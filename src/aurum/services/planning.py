"""Pit studies on stored resource models: the block model a geologist published becomes the
planner's ultimate pit, nested pits, pushbacks and cut-offs without an export.

A study is derived data: it is recomputed from the model's file (checked against its recorded
hash) and the economics, and kept under ``AURUM_HOME/pits/`` keyed by both, so the same
question is answered once. One process runs :data:`~aurum.core.checks.MAX_CONCURRENT_STUDIES`
study at a time and keeps :data:`~aurum.core.checks.MAX_STUDIES_KEPT` per site, so neither its
memory nor its disk grows with the what-ifs its users send.

A study worth keeping is saved as a named *scenario* (a study run as a job always is) under
``AURUM_HOME/pit-scenarios/``, which that bound never reaches: at most
:data:`~aurum.core.checks.MAX_SCENARIOS_KEPT` per model, each kept until a user deletes it,
read by whoever reads the model.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import checks
from aurum.core.errors import (
    Busy,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.files import write_atomic
from aurum.core.i18n import _, lazy_gettext
from aurum.core.jsonsafe import finite
from aurum.planning.study import (
    Progress,
    economics_from_dict,
    pit_study,
    study_blocks,
    study_footprint,
)
from aurum.resources.blockmodel import BlockModel
from aurum.resources.estimate import Method
from aurum.resources.report import grade_tonnage
from aurum.services import cache, jobs, resources
from aurum.services.auth import Actor
from aurum.store import audit
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


ESTIMATED = frozenset(m.value for m in Method)
"""Methods of the models a pit study takes: estimated grades (kriging or inverse distance).
Other resource models (an underground planning model regularised from a vein, say) carry no
estimate to price."""


def study_models(session: Session, actor: Actor) -> list[ResourceModel]:
    """The estimated resource models the actor may read, newest first."""
    models = session.scalars(select(ResourceModel).where(ResourceModel.method.in_(ESTIMATED))
                             .order_by(ResourceModel.id.desc())).all()
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
    stored = _stored_study(home, model, doc)
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
        raise NotFoundError(_("no resource model %(id)s", id=model_id))
    if model.method not in ESTIMATED:
        raise ValidationError(Problem(_(
            "resource model %(id)s (%(method)s) has no estimated grades: a pit study takes a "
            "kriged or inverse-distance model", id=model_id, method=model.method),
            column="model_id"))
    return model


def _study_key(model: ResourceModel, doc: Mapping[str, Any]) -> str:
    """The name of the study of ``model`` with the economics ``doc``: a hash of the model
    file's hash and the economics (32 hex digits)."""
    return hashlib.sha256(json.dumps([model.file_sha256, doc], sort_keys=True,
                                     default=str).encode()).hexdigest()[:32]


def _study_files(home: Path, model: ResourceModel, doc: Mapping[str, Any]
                 ) -> tuple[Path, Path]:
    """Where the study of ``model`` with the economics ``doc`` is kept: its blocks (Parquet)
    and its summary (JSON)."""
    key = _study_key(model, doc)
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


def _stored_study(home: Path, model: ResourceModel, doc: Mapping[str, Any]
                  ) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """The study of ``model`` with the economics ``doc`` if it is kept, or saved as a scenario
    (which answers once the cache has forgotten the study), else None."""
    return _kept_study(*_study_files(home, model, doc)) or _kept_study(
        *_scenario_files(_scenario_folder(home, model), _study_key(model, doc)))


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
    if model.n_blocks > INLINE_STUDY_BLOCKS and _stored_study(
            home, model, merged_economics(changes)) is None:
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
    lines = {_("break-even (%(process)s)", process=c["process"]): c["breakeven_gpt"]
             for c in summary["cutoffs"]}
    lines |= {_("marginal (%(process)s)", process=c["process"]): c["marginal_gpt"]
              for c in summary["cutoffs"]}
    if summary["lane"]:
        lines[_("Lane optimum")] = summary["lane"]["optimum"]
    return PitFigures(summary, blocks, final_index, pd.DataFrame(summary["pit_by_pit"]), gt,
                      lines)


# --- saved scenarios ------------------------------------------------------------------------

SCENARIOS = "pit-scenarios"
"""Folder of the data directory keeping saved pit scenarios, one folder per site and model:
apart from ``pits/``, so the bound on kept studies (:func:`_forget_beyond`) never reaches
them."""
_SCENARIO_KEY = re.compile(r"[0-9a-f]{32}")

_NAME_PARTS = (("price_cny_per_g", "{:g} CNY/g"), ("recovery", "recovery {:g}"),
               ("processing_cny_per_t", "processing {:g} CNY/t"),
               ("mining_cny_per_t", "mining {:g} CNY/t"), ("slope_deg", "slope {:g}°"),
               ("min_mining_width_m", "width {:g} m"))
"""How a scenario's name given by nobody tells each parameter that differs from the default."""


@dataclass(frozen=True)
class Scenario:
    """A pit study kept under a name until a user deletes it.

    Attributes
    ----------
    key : str
        Its name in the store: the study's (model file and economics), so one what-if is
        saved once.
    model_id : int
        The resource model.
    name : str
        Its name for people.
    form : dict
        The pit page's parameters it was run with (:data:`PIT_FORM_FIELDS`).
    value : float
        Undiscounted value of the ultimate pit, CNY.
    ultimate_pit : dict
        The ultimate pit's row of the pit-by-pit table (tonnes, ore t, grade g/t, gold kg,
        discounted values CNY, life in years).
    created_by : str
        Who saved it (user name).
    created_at : datetime
        When, UTC.
    job_id : int or None
        The job that ran it, if one did.
    """

    key: str
    model_id: int
    name: str
    form: dict[str, float]
    value: float
    ultimate_pit: dict[str, Any]
    created_by: str
    created_at: datetime
    job_id: int | None

    @property
    def url(self) -> str:
        """Its page."""
        return f"/pit/{self.model_id}/scenarios/{self.key}"

    def as_dict(self) -> dict[str, Any]:
        """Its JSON form (``GET /api/v1/pit/{model_id}/scenarios``)."""
        final = self.ultimate_pit
        return {"key": self.key, "model_id": self.model_id, "name": self.name,
                "params": self.form, "value": self.value, "tonnes_t": final["tonnes_t"],
                "ore_t": final["ore_t"], "grade_gpt": final["grade_gpt"],
                "gold_kg": final["gold_kg"], "best_npv": final["best_npv"],
                "created_by": self.created_by, "created_at": self.created_at,
                "job_id": self.job_id, "url": self.url}


def _scenario_folder(home: Path, model: ResourceModel) -> Path:
    return home / SCENARIOS / model.site.code / str(model.id)


def _scenario_files(folder: Path, key: str) -> tuple[Path, Path]:
    """A scenario's blocks (Parquet) and summary (JSON); its record is ``KEY.scenario.json``,
    written last and deleted first, so a scenario with a record is whole."""
    return folder / f"{key}.blocks.parquet", folder / f"{key}.summary.json"


def _record_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.scenario.json"


def _read_scenario(path: Path) -> Scenario | None:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:  # deleted meanwhile
        return None
    return Scenario(doc["key"], doc["model_id"], doc["name"], doc["form"], doc["value"],
                    doc["ultimate_pit"], doc["created_by"],
                    datetime.fromisoformat(doc["created_at"]), doc["job_id"])


def _write_record(folder: Path, scenario: Scenario) -> None:
    doc = {"key": scenario.key, "model_id": scenario.model_id, "name": scenario.name,
           "form": scenario.form, "value": scenario.value,
           "ultimate_pit": scenario.ultimate_pit, "created_by": scenario.created_by,
           "created_at": scenario.created_at.isoformat(), "job_id": scenario.job_id}
    write_atomic(_record_path(folder, scenario.key), json.dumps(finite(doc)).encode())


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The model's scenarios to oneself: counted, written or deleted by one saver at a time,
    in this process or another (a job worker)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def scenario_name(form: Mapping[str, float]) -> str:
    """The name of a scenario saved without one: the parameters that differ from the
    defaults (``900 CNY/g, slope 50°``), or ``default economics``."""
    defaults, _economics = pit_form({})
    parts = [text.format(form[k]) for k, text in _NAME_PARTS if form[k] != defaults[k]]
    return ", ".join(parts) or "default economics"


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not 0 < len(name) <= checks.MAX_SCENARIO_NAME_CHARS:
        raise ValidationError(Problem(
            _("a scenario's name has 1 to %(most)s characters",
              most=checks.MAX_SCENARIO_NAME_CHARS),
            column="name"))
    return name


def scenario_model(session: Session, actor: Actor, model_id: int) -> ResourceModel:
    """The model whose scenarios ``actor`` may save, checked before anything it sends is read
    (a refusal by role or scope comes before a complaint about the form).

    Raises
    ------
    PermissionDenied
        An auditor (who writes nothing).
    NotFoundError
        A model the actor may not read.
    """
    actor.require_role(*jobs.JOB_ROLES)
    return _readable_model(session, actor, model_id)


def save_scenario(session: Session, actor: Actor, home: Path, model_id: int,
                  given: Mapping[str, float | None], name: str | None = None,
                  job_id: int | None = None, progress: Progress | None = None) -> Scenario:
    """Keep the pit study of a model with the pit page's economics as a named scenario.

    The same economics saved again are the same scenario: a name given renames it.

    Parameters
    ----------
    given : mapping
        The pit page's parameters (:func:`pit_form`; those not given are the defaults).
    name : str, optional
        Its name; by default :func:`scenario_name`.
    job_id : int, optional
        The job running the study: it may run it (with ``progress``). Without a job, the
        study of a model of more than :data:`INLINE_STUDY_BLOCKS` blocks must be kept
        already (the page shows it), as a request runs no large study.

    Raises
    ------
    PermissionDenied
        An auditor (who writes nothing).
    NotFoundError
        A model the actor may not read.
    ValidationError
        A name too long or empty; a large model's study not kept (without a job).
    ConflictError
        The model has :data:`~aurum.core.checks.MAX_SCENARIOS_KEPT` saved scenarios already.
    """
    model = scenario_model(session, actor, model_id)
    form, changes = pit_form(given)
    name = None if name is None else _checked_name(name)
    doc = merged_economics(changes)
    key = _study_key(model, doc)
    folder = _scenario_folder(home, model)
    if (job_id is None and model.n_blocks > INLINE_STUDY_BLOCKS
            and _stored_study(home, model, doc) is None):
        raise ValidationError(Problem(_("this study is no longer kept: run it again (as a job) "
                                        "before saving it")))
    study = pit_study_of_model(session, actor, home, model_id, changes, progress)
    with _locked(folder):
        kept = _read_scenario(_record_path(folder, key))
        if kept is not None:
            if name is None or name == kept.name:
                return kept
            scenario = dataclasses.replace(kept, name=name)
            _write_record(folder, scenario)
            audit.record(session, "rename", "pit_scenarios", f"{model.id}/{key}",
                         {"name": kept.name}, {"name": name})
            return scenario
        held = len(list(folder.glob("*.scenario.json")))
        if held >= checks.MAX_SCENARIOS_KEPT:
            raise ConflictError(
                _("resource model %(id)s has %(held)s saved scenarios, the most kept "
                  "(MAX_SCENARIOS_KEPT): delete one to save another", id=model.id, held=held))
        blocks_path, summary_path = _scenario_files(folder, key)
        write_atomic(blocks_path, lambda p: study.blocks.to_parquet(p, index=False))
        write_atomic(summary_path, json.dumps(study.summary, default=str,
                                              allow_nan=True).encode())
        scenario = Scenario(key, model.id, name or scenario_name(form), form,
                            float(study.summary["value"]),
                            finite(study.summary["pit_by_pit"][_final_index(study.summary)]),
                            actor.username, datetime.now(UTC), job_id)
        _write_record(folder, scenario)
    audit.record(session, "create", "pit_scenarios", f"{model.id}/{key}", None,
                 {"name": scenario.name, "form": form, "job_id": job_id})
    return scenario


def scenarios(session: Session, actor: Actor, home: Path, model_id: int) -> list[Scenario]:
    """The saved scenarios of a model the actor may read, newest first.

    Raises
    ------
    NotFoundError
        A model the actor may not read.
    """
    folder = _scenario_folder(home, _readable_model(session, actor, model_id))
    found = [s for s in map(_read_scenario, folder.glob("*.scenario.json")) if s is not None]
    return sorted(found, key=lambda s: s.created_at, reverse=True)


def _scenario(session: Session, actor: Actor, home: Path, model_id: int, key: str
              ) -> tuple[ResourceModel, Scenario]:
    model = _readable_model(session, actor, model_id)
    scenario = None
    if _SCENARIO_KEY.fullmatch(key):  # a key names a file: nothing else reaches the disk
        scenario = _read_scenario(_record_path(_scenario_folder(home, model), key))
    if scenario is None:
        raise NotFoundError(_("no saved scenario %(key)r of resource model %(id)s",
                              key=key[:40], id=model_id))
    return model, scenario


def may_change_scenarios(actor: Actor) -> bool:
    """Whether the actor's role saves scenarios (pages offer the forms only then)."""
    return jobs.may_submit(actor)


def may_delete_scenario(actor: Actor, model: ResourceModel, scenario: Scenario) -> bool:
    """Whether the actor may delete a scenario of a model it reads: its author, or whoever
    writes the model's site (pages offer the button only then)."""
    return actor.role in jobs.JOB_ROLES and (
        scenario.created_by == actor.username or actor.can_write_site(model.site))


def delete_scenario(session: Session, actor: Actor, home: Path, model_id: int, key: str
                    ) -> None:
    """Delete a saved scenario: its author, or whoever writes the model's site, may.

    Raises
    ------
    NotFoundError
        No such scenario, or a model the actor may not read.
    PermissionDenied
        Another user's scenario of a site the actor may not write (an auditor's, any).
    """
    actor.require_role(*jobs.JOB_ROLES)
    model, scenario = _scenario(session, actor, home, model_id, key)
    if not may_delete_scenario(actor, model, scenario):
        raise PermissionDenied(f"{actor.username} may not delete {scenario.created_by}'s "
                               f"scenario of {model.site.code}")
    folder = _scenario_folder(home, model)
    with _locked(folder):
        for path in (_record_path(folder, key), *_scenario_files(folder, key)):
            path.unlink(missing_ok=True)
    audit.record(session, "delete", "pit_scenarios", f"{model.id}/{key}",
                 {"name": scenario.name, "form": scenario.form}, None)


@dataclass(frozen=True)
class ScenarioView:
    """A saved scenario's page: the scenario and the pit page of its study."""

    scenario: Scenario
    pit: PitView


def scenario_view(session: Session, actor: Actor, home: Path, model_id: int, key: str
                  ) -> ScenarioView:
    """A saved scenario with the figures of its study, read from the scenario's own files
    (kept per scenario like the pit page's).

    Raises
    ------
    NotFoundError
        No such scenario, or a model the actor may not read.
    """
    model, scenario = _scenario(session, actor, home, model_id, key)

    def figures() -> PitFigures:
        stored = _kept_study(*_scenario_files(_scenario_folder(home, model), key))
        if stored is None:
            raise NotFoundError(_("saved scenario %(key)s was deleted", key=key))
        return _pit_figures(StoredStudy(model, {}, *stored))

    pit = cache.cached(("pit-scenario", cache.database_of(session), model.id, key), figures)
    return ScenarioView(scenario, PitView(model, scenario.form, pit))


def compared_scenarios(session: Session, actor: Actor, home: Path, model_id: int,
                       keys: Sequence[str]
                       ) -> tuple[ResourceModel, list[tuple[Scenario, list[dict[str, Any]]]]]:
    """Saved scenarios of a model side by side: the model, and each scenario with its nested
    pits (pit-by-pit rows, smallest first: tonnes, ore t, value and discounted values CNY),
    for a chart of value against tonnes.

    Raises
    ------
    NotFoundError
        A key of no saved scenario of the model, or a model the actor may not read.
    """
    compared = []
    for key in keys:
        model, scenario = _scenario(session, actor, home, model_id, key)
        _blocks, summary_path = _scenario_files(_scenario_folder(home, model), key)
        try:
            pits = json.loads(summary_path.read_text())["pit_by_pit"]
        except FileNotFoundError as exc:  # deleted meanwhile
            raise NotFoundError(_("saved scenario %(key)s was deleted", key=key)) from exc
        compared.append((scenario, pits))
    return _readable_model(session, actor, model_id), compared


# --- the pit study as a job -----------------------------------------------------------------


def _study_job_owner(session: Session, actor: Actor, _home: Path, params: Mapping[str, Any]
                     ) -> jobs.Owner:
    site = _readable_model(session, actor, int(params["model_id"])).site
    return site.org_id, site.province


def _study_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    given = {k: params.get(k) for k in PIT_FORM_FIELDS}
    form, changes = pit_form(given)
    model_id = int(params["model_id"])
    with context.session() as (session, actor):
        context.report(0.0, jobs.stored_text(lazy_gettext("reading the block model")))
        try:
            scenario = save_scenario(session, actor, context.home, model_id, given,
                                     params.get("scenario_name"), context.job_id,
                                     context.steps(jobs.stored_text(lazy_gettext("pit study"))))
        except ConflictError as exc:  # every scenario taken: the study stays in the cache
            study = pit_study_of_model(session, actor, context.home, model_id, changes)
            query = urlencode({k: v for k, v in given.items() if v is not None})
            return {"model_id": model_id, "site": study.model.site.code, "form": form,
                    "ultimate_pit": study.summary["pit_by_pit"][_final_index(study.summary)],
                    "scenario": None, "note": str(exc),
                    "url": f"/pit/{model_id}" + (f"?{query}" if query else "")}
        site = _readable_model(session, actor, model_id).site.code
    return {"model_id": model_id, "site": site, "form": form,
            "ultimate_pit": scenario.ultimate_pit, "scenario": scenario.key,
            "name": scenario.name, "url": scenario.url}


PIT_STUDY_JOB = jobs.register(jobs.JobKind("pit_study", _study_job_owner, _study_job))
"""The pit study of a stored model with the pit page's economics (:func:`pit_form` fields,
``model_id`` and an optional ``scenario_name``), kept as a saved scenario (:func:`save_scenario`)
whose page its result links to; when the model holds the most scenarios kept, the study is
only cached and its result links to the pit page with its economics."""
