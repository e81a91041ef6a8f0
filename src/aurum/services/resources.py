"""Resource models and statements: store block models as files, publish year-end
statements, and carry a statement's contained gold into the mine's statistical report.

A statement feeds the report of the period that ends the year at the site's reporting
granularity (``YYYY-Q4``, ``YYYY-12`` or ``YYYY``): the stored report is amended (a new
version whose provenance names the statement) or, when there is none yet, created with the
resource fields only. The resource indicator is then fed from the model, not retyped.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.errors import NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.files import file_sha256, write_atomic
from aurum.core.grid import BlockGrid
from aurum.resources import runfile
from aurum.resources.blockmodel import BlockModel, write_omf
from aurum.resources.classify import ClassificationRules, classify
from aurum.resources.estimate import EstimationResult, SearchNeighbourhood, estimate
from aurum.resources.ledger import ModelAtCutoff, reserve_waterfall
from aurum.resources.report import grade_tonnage, resource_statement
from aurum.resources.validate import cell_declustering, cross_validation, swath
from aurum.resources.variogram import VariogramModel
from aurum.resources.variography import experimental_variogram
from aurum.services import cache, derived, jobs, registry, reporting
from aurum.services.auth import Actor
from aurum.store.models import Report, ReportVersion, ResourceModel, ResourceStatement, Site

CLASSES = ("measured", "indicated", "inferred")


@dataclass(frozen=True)
class ClassFigures:
    """Tonnes (t), grade (g/t) and contained gold (t) of one resource class."""

    tonnes: float
    grade_gpt: float | None
    gold_t: float


def save_model(session: Session, actor: Actor, home: Path, site_code: str, name: str,
               blocks: pd.DataFrame, method: str, parameters: dict[str, Any],
               samples_sha256: str, samples: pd.DataFrame | None = None) -> ResourceModel:
    """Write a block model to ``home/models/SITE/`` as Parquet and record it.

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME).
    blocks : pandas.DataFrame
        One row per block (x, y, z in m and the attributes).
    parameters : dict
        Grid, variogram, search and other settings (provenance).
    samples_sha256 : str
        Hash of the input samples (provenance).
    samples : pandas.DataFrame, optional
        The samples themselves (x, y, z, value, hole), kept beside the blocks.

    The model's checks (:class:`ModelChecks`) are computed and stored with it when its
    blocks have the columns they need (:data:`CHECKED_COLUMNS`), so that its page computes
    nothing.
    """
    site = registry.get_writable_site(session, actor, site_code)
    folder = home / "models" / site.code
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{uuid.uuid4().hex}.parquet"
    if samples is not None:
        _write_parquet(samples, samples_file(final))
    _write_parquet(blocks, final)
    estimated = int(blocks["estimate"].notna().sum()) if "estimate" in blocks else 0
    # As the JSON column gives them back (tuples as lists): the checks read them at once.
    parameters = json.loads(json.dumps(parameters))
    model = ResourceModel(site_id=site.id, name=name, created_by=actor.user_id, method=method,
                          parameters=parameters, samples_sha256=samples_sha256,
                          file_path=str(final.relative_to(home)), file_sha256=file_sha256(final),
                          n_blocks=len(blocks), n_estimated=estimated,
                          code_version=__version__)
    session.add(model)
    session.flush()
    if set(blocks.columns) >= CHECKED_COLUMNS:
        derived.refresh(session, home, MODEL_CHECKS, str(model.id))
    return model


def samples_file(blocks_file: Path) -> Path:
    """Where a model's input samples are kept, beside its blocks."""
    return blocks_file.with_suffix(".samples.parquet")


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    # Written aside and renamed into place: a crash never leaves half a file under its name.
    write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


def readable_model(session: Session, actor: Actor, model_id: int) -> ResourceModel:
    """A stored model ``actor`` may read.

    Raises
    ------
    NotFoundError
        No such model, or one of a site the actor may not read (the same answer).
    """
    model = session.get(ResourceModel, model_id)
    if model is None or not actor.can_read_site(model.site):
        raise NotFoundError(i18n._("no resource model %(id)s", id=model_id))
    return model


def load_samples(session: Session, actor: Actor, home: Path, model_id: int
                 ) -> pd.DataFrame | None:
    """The samples a model was estimated from, when they were kept."""
    return _read_samples(home, readable_model(session, actor, model_id))


def load_blocks(session: Session, actor: Actor, home: Path, model_id: int) -> pd.DataFrame:
    """The blocks of a stored model, after checking the file still has its recorded hash."""
    return _read_blocks(home, readable_model(session, actor, model_id))


def _read_samples(home: Path, model: ResourceModel) -> pd.DataFrame | None:
    path = samples_file(home / model.file_path)
    return pd.read_parquet(path) if path.exists() else None


def _read_blocks(home: Path, model: ResourceModel) -> pd.DataFrame:
    path = home / model.file_path
    if not path.exists() or file_sha256(path) != model.file_sha256:
        raise ValidationError(i18n._("the block file of model %(id)s is missing or was changed "
                                     "after it was recorded (%(path)s)", id=model.id,
                                     path=model.file_path))
    return pd.read_parquet(path)


def _year_end_period(session: Session, site: Site, year: int) -> str:
    kinds = set(session.scalars(select(Report.period_kind).where(Report.site_id == site.id,
                                                                 Report.year == year)))
    if "quarter" in kinds:
        return f"{year}-Q4"
    if "month" in kinds:
        return f"{year}-12"
    return str(year)


def publish_statement(session: Session, actor: Actor, site_code: str, year: int,
                      figures: dict[str, ClassFigures], cutoff_gpt: float,
                      model_id: int | None = None, waterfall: dict[str, float] | None = None,
                      reason: str | None = None) -> ResourceStatement:
    """Record a year-end statement and feed its contained gold to the year-end report.

    Parameters
    ----------
    figures : dict
        ``measured``, ``indicated``, ``inferred`` → :class:`ClassFigures`.
    cutoff_gpt : float
        Cut-off grade of the statement, g/t.
    waterfall : dict, optional
        Movements from the previous statement (:class:`aurum.resources.ledger.Waterfall`).
    """
    site = registry.get_writable_site(session, actor, site_code)
    missing = [c for c in CLASSES if c not in figures]
    if missing:
        raise ValidationError(i18n._("a statement needs the classes %(classes)s",
                                     classes=", ".join(missing)))
    version = (session.scalar(select(func.max(ResourceStatement.version)).where(
        ResourceStatement.site_id == site.id, ResourceStatement.year == year)) or 0) + 1
    columns: dict[str, Any] = {}
    for c in CLASSES:
        f = figures[c]
        columns |= {f"{c}_tonnes": f.tonnes, f"{c}_grade_gpt": f.grade_gpt,
                    f"{c}_gold_t": f.gold_t}
    statement = ResourceStatement(site_id=site.id, year=year, version=version,
                                  effective_date=date(year, 12, 31), cutoff_gpt=cutoff_gpt,
                                  model_id=model_id, created_by=actor.user_id, reason=reason,
                                  waterfall=waterfall, **columns)
    session.add(statement)
    session.flush()
    _feed_report(session, actor, site, year, statement)
    return statement


def _feed_report(session: Session, actor: Actor, site: Site, year: int,
                 statement: ResourceStatement) -> None:
    period = _year_end_period(session, site, year)
    current = reporting.current_reports(session, None, [site.code])
    row = current[current["period"] == period]
    values: dict[str, object] = {}
    if not row.empty:
        values = {k: v for k, v in row.iloc[0].items()
                  if k in reporting.reporting.FIELD_BY_NAME and pd.notna(v)}
    for c in CLASSES:
        values[f"resources_{c}_t"] = round(getattr(statement, f"{c}_gold_t"), 6)
    why = (f"resources from statement {statement.id} ({year} v{statement.version}, cut-off "
           f"{statement.cutoff_gpt:g} g/t)")
    reporting.submit(session, actor, site.code, period, values,
                     reason=why if not row.empty else None,
                     resource_statement_id=statement.id)


def statements(session: Session, actor: Actor, site_code: str) -> list[ResourceStatement]:
    """Every statement of a site, oldest first (versions included)."""
    site = registry.get_site(session, actor, site_code)
    return list(session.scalars(select(ResourceStatement).where(
        ResourceStatement.site_id == site.id).order_by(ResourceStatement.year,
                                                       ResourceStatement.version)))


def provenance(session: Session, version_id: int) -> ResourceStatement | None:
    """The statement a report version's resource figures came from, if any."""
    version = session.get(ReportVersion, version_id)
    if version is None or version.resource_statement_id is None:
        return None
    return session.get(ResourceStatement, version.resource_statement_id)


@dataclass(frozen=True)
class EstimationSpec:
    """How a mine's model is made.

    Parameters
    ----------
    grid : BlockGrid
        Blocks to estimate.
    model : VariogramModel
        Variogram of the gold grade.
    search : SearchNeighbourhood
        Search ellipsoid and sample limits.
    rules : ClassificationRules
        Measured / indicated / inferred rules.
    density_t_m3 : float
        Dry bulk density, t/m³.
    cutoff_gpt : float
        Reporting cut-off, g/t.
    method : str
        ordinary, simple or idw.
    discretisation : tuple of 3 int
        Block discretisation.
    """

    grid: BlockGrid
    model: VariogramModel
    search: SearchNeighbourhood
    rules: ClassificationRules
    density_t_m3: float
    cutoff_gpt: float
    method: str = "ordinary"
    discretisation: tuple[int, int, int] = (2, 2, 2)

    def parameters(self) -> dict[str, Any]:
        """The settings as plain data (stored with the model as provenance)."""
        return {"grid": asdict(self.grid), "variogram": asdict(self.model),
                "search": asdict(self.search), "density_t_m3": self.density_t_m3,
                "cutoff_gpt": self.cutoff_gpt, "method": self.method,
                "discretisation": list(self.discretisation)}


def samples_digest(xyz: np.ndarray, values: np.ndarray) -> str:
    """SHA-256 of the samples' coordinates and values (provenance of a model)."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(xyz, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return digest.hexdigest()


def depletion_t(session: Session, site: Site, year: int) -> float:
    """Gold in the ore mined at a site during a year, t (ore mined x head grade)."""
    frame = reporting.current_reports(session, None, [site.code])
    frame = frame[frame["period"].astype(str).str.startswith(str(year))]
    metal = (frame["ore_mined_t"] * frame["head_grade_gpt"]).sum(min_count=1)
    return 0.0 if pd.isna(metal) else float(metal) / 1e6


@dataclass(frozen=True)
class ModelStatement:
    """A model and its statement, before anything is stored."""

    result: EstimationResult
    classes: np.ndarray
    tonnes: np.ndarray
    figures: dict[str, ClassFigures]


def model_statement(xyz: np.ndarray, values: np.ndarray, spec: EstimationSpec, year: int,
                    holes: np.ndarray | None = None,
                    progress: Callable[[int, int], None] | None = None) -> ModelStatement:
    """Estimate, classify and state a model at the spec's cut-off (no store involved).

    Parameters
    ----------
    xyz : numpy.ndarray
        Composite centres, shape (n, 3), m.
    values : numpy.ndarray
        Gold grades, g/t.
    year : int
        Year of the statement (effective 31 December).
    holes : numpy.ndarray, optional
        Integer hole id per composite (for per-hole search limits).
    progress : callable, optional
        ``progress(blocks_done, n_blocks)`` during the estimation; it may raise to stop it
        (a cancelled job).
    """
    result = estimate(xyz, values, spec.grid, spec.search, spec.method, spec.model,
                      discretisation=spec.discretisation, holes=holes, progress=progress)
    classes = classify(spec.rules, result.estimate, result.n_samples, result.slope,
                       result.variance)
    volume = float(np.prod(spec.grid.size))
    tonnes = np.full(spec.grid.n_blocks, volume * spec.density_t_m3)
    table = resource_statement(tonnes, result.estimate, classes, spec.cutoff_gpt,
                               date(year, 12, 31)).table
    rows = {str(r["category"]).lower(): r for r in table.to_dict("records")}
    figures = {c: ClassFigures(float(rows[c]["tonnes_t"]), _grade_or_none(rows[c]["grade_gpt"]),
                               float(rows[c]["metal_t"])) for c in CLASSES}
    return ModelStatement(result, classes, tonnes, figures)


def _kriging_basis(method: str, n_composites: int) -> str:
    """A statement's basis as it is stored: written once, in the platform's language."""
    with i18n.using(i18n.default_locale()):
        if method == "simple":
            return i18n.ngettext("simple kriging of %(num)s composite",
                                 "simple kriging of %(num)s composites", n_composites)
        return i18n.ngettext("ordinary kriging of %(num)s composite",
                             "ordinary kriging of %(num)s composites", n_composites)


def estimate_and_state(session: Session, actor: Actor, home: Path, site_code: str,
                       year: int, xyz: np.ndarray, values: np.ndarray, spec: EstimationSpec,
                       holes: np.ndarray | None = None,
                       progress: Callable[[int, int], None] | None = None
                       ) -> ResourceStatement:
    """From composites to a published statement: :func:`model_statement`, the model stored
    with its samples, the waterfall from last year's model when it is on the same grid, and
    the year-end report fed with the contained gold.

    ``xyz`` (m), ``values`` (g/t), ``spec``, ``year``, ``holes`` and ``progress`` are as in
    :func:`model_statement`; the model is stored under ``home`` for the site ``site_code``.
    """
    made = model_statement(xyz, values, spec, year, holes, progress)
    frame = BlockModel.from_estimation(spec.grid, made.result, "estimate").with_attributes(
        resource_class=made.classes.astype(np.int8), tonnes=made.tonnes).to_frame()
    kept = pd.DataFrame({"x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2], "value": values,
                         "hole": -1 if holes is None else holes})
    with i18n.using(i18n.default_locale()):  # a stored name: in the platform's language
        name = i18n._("%(site)s %(year)s model", site=site_code, year=year)
    model = save_model(session, actor, home, site_code, name, frame,
                       spec.method, spec.parameters(), samples_digest(xyz, values), kept)
    site = registry.get_site(session, actor, site_code)
    waterfall = None
    previous = _statement_of(session, site, year - 1)
    if previous is not None and previous.model is not None and (
            stored_grid(previous.model) == spec.grid):
        old = load_blocks(session, actor, home, previous.model.id)
        steps = reserve_waterfall(
            ModelAtCutoff(old["tonnes"].to_numpy(), old["estimate"].to_numpy(),
                          previous.cutoff_gpt),
            ModelAtCutoff(made.tonnes, made.result.estimate, spec.cutoff_gpt),
            depletion_t(session, site, year))
        waterfall = dict(steps.as_rows())
    return publish_statement(session, actor, site_code, year, made.figures, spec.cutoff_gpt,
                             model.id, waterfall,
                             reason=_kriging_basis(spec.method, len(values)))


def stored_grid(model: ResourceModel) -> BlockGrid | None:
    """The grid a stored model was made on (JSON keeps tuples as lists)."""
    grid = model.parameters.get("grid")
    if not isinstance(grid, dict):
        return None
    return BlockGrid(*(tuple(grid[k]) for k in ("origin", "size", "count")))


def _grade_or_none(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _statement_of(session: Session, site: Site, year: int) -> ResourceStatement | None:
    return session.scalars(select(ResourceStatement).where(
        ResourceStatement.site_id == site.id, ResourceStatement.year == year)
        .order_by(ResourceStatement.version.desc())).first()


def statement_workbook(session: Session, actor: Actor, home: Path, statement_id: int,
                       path: Path) -> None:
    """Write a statement as a JORC / NI 43-101-shaped Excel workbook, recomputed from its
    stored model (checked against the file's hash): the statement at its cut-off and the
    grade-tonnage table."""
    statement = session.get(ResourceStatement, statement_id)
    if statement is None or not actor.can_read_site(statement.site):
        raise NotFoundError(i18n._("no resource statement %(id)s", id=statement_id))
    if statement.model_id is None:
        raise ValidationError(i18n._("statement %(id)s was entered without a block model",
                                     id=statement_id))
    blocks = load_blocks(session, actor, home, statement.model_id)
    tonnes = blocks["tonnes"].to_numpy()
    grade = blocks["estimate"].to_numpy()
    table = resource_statement(tonnes, grade, blocks["resource_class"].to_numpy(),
                               statement.cutoff_gpt, statement.effective_date)
    top = float(np.nanpercentile(grade, 99)) if np.isfinite(grade).any() else 1.0
    cutoffs = np.round(np.linspace(0.0, max(top, statement.cutoff_gpt), 21), 2)
    table.to_excel(path, grade_tonnage=grade_tonnage(tonnes, grade, np.unique(cutoffs)))


def model_omf(session: Session, actor: Actor, home: Path, model_id: int, path: Path) -> None:
    """Write a stored model as an OMF file (grade, variance, class and tonnes per block)."""
    blocks = load_blocks(session, actor, home, model_id)
    model = session.get(ResourceModel, model_id)
    assert model is not None
    grid = stored_grid(model)
    block_model = BlockModel.from_frame(blocks, grid=grid)
    write_omf(block_model, path, model.name)


# --- view models of the pages ---------------------------------------------------------------

STATEMENT_COLUMNS = ["site", "year", "version", "effective_date", "cutoff_gpt", "model_id",
                     *(f"{c}_{m}" for c in CLASSES for m in ("tonnes", "grade_gpt", "gold_t")),
                     "reason"]
"""Columns of a statement table (API lists and pages): tonnes t, grades g/t, gold t."""


def statement_frame(rows: list[ResourceStatement]) -> pd.DataFrame:
    """Statements as a table of :data:`STATEMENT_COLUMNS`."""
    return pd.DataFrame([{"site": r.site.code, **{c: getattr(r, c) for c in
                                                  STATEMENT_COLUMNS[1:]}} for r in rows],
                        columns=STATEMENT_COLUMNS)


def latest_statements(session: Session, actor: Actor) -> pd.DataFrame:
    """The latest statement (year, then version) of each site the actor may read."""
    rows = [s for site in registry.list_sites_with_statements(session, actor)
            for s in statements(session, actor, site)]
    frame = statement_frame(rows).sort_values(["site", "year", "version"])
    return frame.groupby("site").tail(1)


Curve = tuple[str, np.ndarray, np.ndarray]
"""A named curve: direction, lag distances (m) and semivariances (grade²)."""


@dataclass(frozen=True)
class ModelChecks:
    """The checks of a stored model that its page shows, computed when the model is saved and
    stored with its file's hash (:data:`MODEL_CHECKS`).

    Attributes
    ----------
    grade_tonnage : pandas.DataFrame
        Tonnes and grade above 25 cut-offs from 0 to the 99th percentile of the grades.
    experimental, model_curves : list of Curve
        Experimental variograms of the composites along the model's three axes and the
        stored model's curve along them (empty without composites).
    swaths : dict
        ``x``, ``y``, ``z`` → block means against declustered composite means per slice.
    stats : dict
        Model, declustered and naive means (g/t) and the cross-validation statistics.
    """

    grade_tonnage: pd.DataFrame
    experimental: list[Curve]
    model_curves: list[Curve]
    swaths: dict[str, pd.DataFrame]
    stats: dict[str, float]


@dataclass(frozen=True)
class ModelView:
    """A stored model as its page shows it.

    Attributes
    ----------
    blocks : pandas.DataFrame
        The model's blocks (x, y, z in m, estimate g/t, tonnes t, resource_class).
    samples : pandas.DataFrame or None
        The composites it was estimated from (x, y, z, value g/t, hole), when kept.
    richest_z, richest_y : float
        The bench and the section whose blocks have the highest mean grade, m.
    checks : ModelChecks or None
        Its stored checks; None while they are being computed (a model saved before they
        were stored with it).
    pending : Pending or None
        The job computing the checks, when they are not stored.
    """

    blocks: pd.DataFrame
    samples: pd.DataFrame | None
    richest_z: float
    richest_y: float
    checks: ModelChecks | None
    pending: derived.Pending | None


@dataclass(frozen=True)
class ResourceSiteView:
    """A mine's resource page: its statements and its latest model with the model's checks."""

    site: Site
    statements: pd.DataFrame
    latest: ResourceStatement | None
    model: ModelView | None


CHECKED_COLUMNS = frozenset({"x", "y", "z", "estimate", "tonnes"})
"""Columns of a model's blocks its checks read (:func:`model_checks`)."""
MIN_SAMPLES_CHECKED = 11
"""Composites a model needs for its variograms and cross-validation on the page (count)."""


def site_view(session: Session, actor: Actor, home: Path, queue: jobs.JobQueue,
              site_code: str) -> ResourceSiteView:
    """The resource page of a mine: its statements, and the latest statement's model with its
    stored checks (:class:`ModelChecks`). Nothing is computed here: checks missing for a
    model saved before they were stored are queued once on ``queue`` as a ``derive`` job
    (:func:`aurum.services.derived.pending`) and the view says how far it has got.

    The model's blocks and composites are read from its files once per file and then kept
    (:mod:`aurum.services.cache`): a model is never changed, a new one is a new key.
    """
    site = registry.get_site(session, actor, site_code)
    rows = statements(session, actor, site_code)
    latest = rows[-1] if rows else None
    view = None
    if latest is not None and latest.model is not None:
        model = latest.model
        blocks, samples, richest_z, richest_y = cache.cached(
            ("resource-model-files", cache.database_of(session), str(home), model.id,
             model.file_sha256), lambda: _model_files(home, model))
        subject = str(model.id)
        checks = derived.read(session, home, MODEL_CHECKS, subject)
        pending = None if checks is not None else derived.pending(
            session, actor, queue, MODEL_CHECKS, subject)
        view = ModelView(blocks, samples, richest_z, richest_y, checks, pending)
    return ResourceSiteView(site, statement_frame(rows), latest, view)


def _model_files(home: Path, model: ResourceModel
                 ) -> tuple[pd.DataFrame, pd.DataFrame | None, float, float]:
    """A model's blocks and composites, and its richest bench and section (m)."""
    blocks = _read_blocks(home, model)
    estimated = blocks.dropna(subset=["estimate"])
    return (blocks, _read_samples(home, model), _richest(estimated, "z"),
            _richest(estimated, "y"))


def model_checks(blocks: pd.DataFrame, samples: pd.DataFrame | None,
                 parameters: dict[str, Any], report: derived.Progress) -> ModelChecks:
    """The checks of a model (:class:`ModelChecks`) from its blocks, its composites (when
    kept) and its stored parameters; ``report`` takes the progress
    (:data:`aurum.services.derived.Progress`)."""
    gt = grade_tonnage(blocks["tonnes"].to_numpy(), blocks["estimate"].to_numpy(),
                       np.round(np.linspace(0, np.nanpercentile(blocks["estimate"], 99), 25),
                                2))
    experimental: list[Curve] = []
    curves: list[Curve] = []
    swaths: dict[str, pd.DataFrame] = {}
    stats: dict[str, float] = {}
    if samples is not None and len(samples) >= MIN_SAMPLES_CHECKED:
        report(0.1, jobs.stored_text(i18n.lazy_gettext("experimental variograms")))
        experimental, curves = _variograms(samples, parameters)
        report(0.3, jobs.stored_text(i18n.lazy_gettext("swaths and cross-validation")))
        swaths, stats = _validation(blocks, samples, parameters)
    return ModelChecks(gt, experimental, curves, swaths, stats)


def _validation(blocks: pd.DataFrame, samples: pd.DataFrame, parameters: dict[str, Any]
                ) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Swaths along x, y and z against declustered composites, the model mean against the
    declustered mean, and leave-one-hole-out cross-validation with the model's settings."""
    xyz, v = samples[["x", "y", "z"]].to_numpy(), samples["value"].to_numpy()
    size = parameters["grid"]["size"]
    declus = cell_declustering(xyz, v, np.array([2.0, 4.0]) * size[0],
                               anisotropy=(size[1] / size[0], size[2] / size[0]))
    bxyz = blocks[["x", "y", "z"]].to_numpy()
    est = blocks["estimate"].to_numpy()
    swaths = {axis: swath(bxyz, est, xyz, v, i, 2 * size[i], declus.weights)
              for i, axis in enumerate("xyz")}
    search = SearchNeighbourhood(**parameters["search"])
    model = VariogramModel.from_dict(parameters["variogram"])
    holes = samples["hole"].to_numpy() if (samples["hole"] >= 0).all() else None
    cv = cross_validation(xyz, v, search, parameters.get("method", "ordinary"), model,
                          holes=holes)
    stats = {"model_mean": float(np.nanmean(est)), "declustered_mean": declus.mean,
             "naive_mean": float(v.mean()), **cv.stats}
    return swaths, stats


def _richest(blocks: pd.DataFrame, axis: str) -> float:
    """The coordinate along ``axis`` whose blocks have the highest mean grade, m."""
    means = blocks.groupby(axis)["estimate"].mean()
    return float(means.index.to_numpy()[int(np.argmax(means.to_numpy()))])


VARIOGRAM_SAMPLES = 5_000
"""Composites the page's experimental variograms use, at most (a random subset, count)."""


def _variograms(samples: pd.DataFrame, parameters: dict[str, Any]
                ) -> tuple[list[Curve], list[Curve]]:
    """Experimental variograms of the kept composites along the model's three axes, with the
    stored model's curve along the same axes."""
    model = VariogramModel.from_dict(parameters["variogram"])
    first = model.structures[0]
    az, dip, _ = first.angles
    pts = samples.sample(min(len(samples), VARIOGRAM_SAMPLES), random_state=0)
    xyz, v = pts[["x", "y", "z"]].to_numpy(), pts["value"].to_numpy()
    axes = [("major", az, dip, first.ranges[0]), ("minor", az + 90.0, 0.0, first.ranges[1]),
            ("vertical", az, dip - 90.0, first.ranges[2])]
    experimental, curves = [], []
    for name, a, d, rng in axes:
        lag = max(rng / 8.0, 1.0)
        exp = experimental_variogram(xyz, v, a, d, lag, 12, angle_tolerance=22.5,
                                     bandwidth_h=lag * 2, bandwidth_v=lag * 2)
        keep = exp.n_pairs > 0
        experimental.append((name, exp.distance[keep], exp.gamma[keep]))
        h = np.linspace(0.0, 12 * lag, 60)
        unit = np.array([np.sin(np.radians(a)) * np.cos(np.radians(d)),
                         np.cos(np.radians(a)) * np.cos(np.radians(d)), np.sin(np.radians(d))])
        curves.append((name, h, model.gamma(np.zeros((60, 3)), h[:, None] * unit)))
    return experimental, curves


# --- the model's checks as a stored derived result ------------------------------------------


def _curves_payload(curves: list[Curve]) -> list[Any]:
    return [[name, derived.encode_array(h), derived.encode_array(g)] for name, h, g in curves]


def _curves(payload: list[Any]) -> list[Curve]:
    return [(name, derived.decode_array(h), derived.decode_array(g)) for name, h, g in payload]


def _checks_payload(checks: ModelChecks) -> dict[str, Any]:
    """The JSON form of :class:`ModelChecks` (read back by :func:`_checks_of_payload`)."""
    return {"grade_tonnage": derived.encode_frame(checks.grade_tonnage),
            "experimental": _curves_payload(checks.experimental),
            "model_curves": _curves_payload(checks.model_curves),
            "swaths": {axis: derived.encode_frame(f) for axis, f in checks.swaths.items()},
            "stats": {k: float(v) for k, v in checks.stats.items()}}


def _checks_of_payload(payload: dict[str, Any]) -> ModelChecks:
    return ModelChecks(
        derived.decode_frame(payload["grade_tonnage"]), _curves(payload["experimental"]),
        _curves(payload["model_curves"]),
        {axis: derived.decode_frame(f) for axis, f in payload["swaths"].items()},
        # JSON keeps a missing figure (NaN) as null.
        {k: float("nan") if v is None else float(v) for k, v in payload["stats"].items()})


def _stored_model(session: Session, subject: str) -> ResourceModel:
    model = session.get(ResourceModel, int(subject))
    if model is None:
        raise NotFoundError(i18n._("no resource model %(id)s", id=subject))
    return model


def _compute_checks(session: Session, home: Path, subject: str, report: derived.Progress
                    ) -> tuple[str, dict[str, Any]]:
    model = _stored_model(session, subject)
    report(0.0, jobs.stored_text(i18n.lazy_gettext("reading the model")))
    checks = model_checks(_read_blocks(home, model), _read_samples(home, model),
                          model.parameters, report)
    return model.file_sha256, _checks_payload(checks)


def _checks_owner(session: Session, actor: Actor, subject: str) -> jobs.Owner:
    site = readable_model(session, actor, int(subject)).site
    return site.org_id, site.province


MODEL_CHECKS = derived.register(derived.Derivation(
    "resource-model-checks", lambda session, subject: _stored_model(session, subject).file_sha256,
    _compute_checks, _checks_of_payload, _checks_owner))
"""A stored model's checks (:class:`ModelChecks`): subject the model's id, version its block
file's SHA-256 (a model's file is never changed, so one version per model)."""


ESTIMATE_SPEC_KEYS = ("site", "year", "density", "cutoff", "classification")
"""Keys an estimation spec needs beside those of a run file."""


def _spec_doc(spec: bytes, spec_name: str) -> dict[str, Any]:
    """An estimation spec file read as YAML (a mapping)."""
    try:
        doc = yaml.safe_load(spec)
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(i18n._("cannot read the spec: %(error)s", error=exc),
                                      source=spec_name)) from exc
    if not isinstance(doc, dict):
        raise ValidationError(Problem(i18n._("the spec must be a YAML mapping of keys to values"),
                                      source=spec_name))
    return doc


def estimate_from_files(session: Session, actor: Actor, home: Path, spec_name: str,
                        spec: bytes, samples_name: str, samples: bytes,
                        progress: Callable[[int, int], None] | None = None
                        ) -> ResourceStatement:
    """:func:`estimate_and_state` from uploaded files: composites (CSV: x, y, z, value[,
    hole]) and a spec (YAML: the run-file keys without paths, plus ``site``, ``year``,
    ``density`` (t/m³), ``cutoff`` (g/t) and ``classification``); ``progress`` as in
    :func:`model_statement`.

    Raises
    ------
    ValidationError
        An unreadable spec or one missing a key (each named), a spec without kriging, or bad
        composites (row and column named).
    """
    doc = _spec_doc(spec, spec_name)
    settings = runfile.parse_settings(doc, spec_name)
    problems = [Problem(i18n._("missing key"), column=k, source=spec_name)
                for k in ESTIMATE_SPEC_KEYS if k not in doc]
    if settings.model is None:
        problems.append(Problem(i18n._("a statement needs kriging (ordinary or simple)"),
                                column="method", source=spec_name))
    if problems or settings.model is None:
        raise ValidationError(problems)
    rules = ClassificationRules.from_dict(doc["classification"], spec_name)
    data = runfile.read_samples(io.BytesIO(samples), samples_name)
    how = EstimationSpec(settings.grid, settings.model, settings.search, rules,
                         float(doc["density"]), float(doc["cutoff"]), settings.method.value,
                         settings.discretisation)
    return estimate_and_state(session, actor, home, str(doc["site"]), int(doc["year"]),
                              data.xyz, data.values, how, data.holes, progress)


# --- the estimation as a job ----------------------------------------------------------------


def _estimation_owner(session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                      ) -> jobs.Owner:
    doc = _spec_doc(jobs.read_input(home, params["spec"]["digest"]), params["spec"]["name"])
    if "site" not in doc:
        raise ValidationError(Problem(i18n._("missing key"), column="site", source="spec"))
    site = registry.get_site(session, actor, str(doc["site"]))
    if not actor.can_write_site(site):
        raise PermissionDenied(f"{actor.username} may not publish statements of {site.code}")
    return site.org_id, site.province


def _estimation_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    samples = jobs.read_input(context.home, params["samples"]["digest"])
    spec = jobs.read_input(context.home, params["spec"]["digest"])
    with context.session() as (session, actor):
        context.report(0.0, jobs.stored_text(i18n.lazy_gettext("reading the composites")))
        statement = estimate_from_files(
            session, actor, context.home, params["spec"]["name"], spec,
            params["samples"]["name"], samples,
            context.steps(jobs.stored_text(i18n.lazy_gettext("estimating blocks")), 0.0, 0.95))
        return {c: getattr(statement, c) for c in STATEMENT_COLUMNS[1:]} | {
            "id": statement.id, "site": statement.site.code,
            "url": f"/resources/{statement.site.code}"}


ESTIMATION_JOB = jobs.register(jobs.JobKind("estimation", _estimation_owner, _estimation_job))
"""A mine's model estimated and its statement published, as ``POST
/api/v1/resources/estimate`` does: ``spec`` and ``samples``, the spec (YAML) and composites
(CSV) files kept by :func:`aurum.services.jobs.put_input`, each as ``{"digest", "name"}``."""
