"""Prospectivity studies: evidence rasters and known deposits taken to weights of evidence, a
posterior map, its validation, a machine-learning check and ranked drilling targets.

A study is derived data, kept as files (no database table) under
``AURUM_HOME/prospect/<study>/``: the uploaded inputs, ``summary.json`` (weights tables, AUCs,
the conditional-independence test, the spatial and random-split cross-validation, the best
targets), ``preview.json`` (rasters downsampled for the browser), ``posterior.tif``
(probability, standard deviation, confidence) and ``targets.gpkg``. The study id is a hash of
the input files, the parameters and the owner's scope, so the same question is answered once;
a study is computed in a temporary folder renamed into place when complete.

Scope: enterprise, regulator and admin users run and read studies; an enterprise reads the
studies of its own organisation (and a group those of its members), a provincial regulator
those run under its province, national regulators and admins read them all, and everyone
allowed reads the public demo study. (A study records its owner's organisations, not their
provinces: a provincial regulator does not read an enterprise's study.)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from aurum.core import checks, i18n
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.geodesy import great_circle_km
from aurum.core.jsonsafe import finite
from aurum.core.tables import save_upload, unpack_shapefile
from aurum.prospect.layers import (
    Deposits,
    EvidenceLayer,
    grid_of,
    read_deposits,
    read_layer,
    read_layers,
    study_area,
    write_raster,
)
from aurum.prospect.ml import (
    ESTIMATORS,
    NegativeSampling,
    cross_validate,
    make_estimator,
    training_set,
)
from aurum.prospect.targets import extract_targets, write_targets
from aurum.prospect.validation import (
    RateCurve,
    presence_absence,
    rate_curve,
    roc_auc,
    threshold_table,
)
from aurum.prospect.wofe import (
    WeightsTable,
    WeightsType,
    conditional_independence,
    layer_weights,
    posterior,
)
from aurum.services import jobs
from aurum.services.auth import Actor, Role
from aurum.store.models import Site

STUDY_ROLES = (Role.ADMIN, Role.REGULATOR, Role.ENTERPRISE)
FOLDER = "prospect"
SUMMARY, PREVIEW, POSTERIOR, TARGETS = ("summary.json", "preview.json", "posterior.tif",
                                        "targets.gpkg")
PREVIEW_CELLS = 160
"""Longest side of the rasters sent to the browser, cells."""
CURVE_POINTS = 500
"""Points kept of the ROC and success-rate curves in the summary."""
TOP_TARGETS = 50
"""Targets listed in the summary (the GeoPackage holds them all)."""
HANDOVER_KM = 50.0
"""A target hands over to a registered site at most this far from its centroid, km."""
DEMO_NAME = "demo: Cloncurry IOCG"
DEMO_LAYERS = ("Dist2Breccia", "Dist2Fault", "FaultDensity", "StratNo")
DEMO_SUBPATH = Path("shared") / "data" / "prospect" / "mpm_wofe" / "CalculateResponse"
DEMO_SOURCES = (Path("..") / DEMO_SUBPATH, Path(__file__).resolve().parents[3] / ".." /
                DEMO_SUBPATH)
"""Where the Geoscience Australia MPM-WofE example may lie beside the repository (from the
working directory, as ``aurum serve`` runs, or from the source tree); read in place."""


@dataclass(frozen=True)
class StudyParams:
    """How a study treats its evidence.

    Parameters
    ----------
    thresholds : mapping of str to float
        Layers split into two classes at a value (layer units, e.g. m for distances).
    cumulative : mapping of str to str
        Layers weighted cumulatively (``ascending``: small values favourable, or
        ``descending``) and generalised at the maximum significant contrast.
    unit_area_km2 : float
        Unit cell: the area a deposit stands for, km².
    confidence : float
        Studentised contrast a threshold must reach (dimensionless).
    target_area_fraction : float
        Targets are the best fraction of the study area (0–1, dimensionless).
    min_target_cells : int
        Smaller targets are dropped, raster cells.
    estimator : str
        Machine-learning model checked beside the weights (see :data:`ESTIMATORS`).
    block_size_m : float
        Side of the spatial cross-validation blocks, m.
    negative_ratio : float
        Negatives drawn per deposit for the model (dimensionless).
    negative_buffer_m : float
        No negative within this distance of a deposit, m.
    seed : int
        Seed of the negative draw and the folds.
    """

    thresholds: Mapping[str, float] = field(default_factory=dict)
    cumulative: Mapping[str, str] = field(default_factory=dict)
    unit_area_km2: float = 1.0
    confidence: float = 2.0
    target_area_fraction: float = 0.05
    min_target_cells: int = 10
    estimator: str = "random_forest"
    block_size_m: float = 10_000.0
    negative_ratio: float = 5.0
    negative_buffer_m: float = 500.0
    seed: int = 1

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any] | None, source: str = "params") -> StudyParams:
        """Parameters from JSON keys of the same names; unknown keys and bad values are
        refused, every one listed."""
        doc = dict(doc or {})
        names = set(cls.__dataclass_fields__)
        problems = [Problem(i18n._("unknown parameter; expected one of %(names)s",
                                    names=", ".join(sorted(names))),
                            column=k, source=source) for k in doc if k not in names]
        values: dict[str, Any] = {}
        for key, value in doc.items():
            if key not in names:
                continue
            try:
                values[key] = _coerce(key, value)
            except (TypeError, ValueError) as exc:
                problems.append(Problem(str(exc), column=key, source=source))
        if problems:
            raise ValidationError(problems)
        params = cls(**values)
        params.check(source)
        return params

    def check(self, source: str = "params") -> None:
        """Refuse values out of range, naming each."""
        checks = [("unit_area_km2", self.unit_area_km2 > 0, i18n._("must be > 0 km²")),
                  ("confidence", self.confidence > 0, i18n._("must be > 0")),
                  ("target_area_fraction", 0 < self.target_area_fraction <= 1,
                   i18n._("must be in (0, 1]")),
                  ("min_target_cells", self.min_target_cells >= 1, i18n._("must be >= 1 cell")),
                  ("estimator", self.estimator in ESTIMATORS,
                   i18n._("must be one of %(names)s", names=", ".join(ESTIMATORS))),
                  ("block_size_m", self.block_size_m > 0, i18n._("must be > 0 m")),
                  ("negative_ratio", self.negative_ratio > 0, i18n._("must be > 0")),
                  ("negative_buffer_m", self.negative_buffer_m >= 0, i18n._("must be >= 0 m"))]
        problems = [Problem(i18n._("%(rule)s, got %(value)r", rule=message,
                                   value=getattr(self, key)), column=key, source=source)
                    for key, ok, message in checks if not ok]
        problems += [Problem(i18n._("cumulative type must be ascending or descending, got "
                                    "%(value)r", value=v),
                             column=k, source=source) for k, v in self.cumulative.items()
                     if v not in (WeightsType.ASCENDING, WeightsType.DESCENDING)]
        problems += [Problem(i18n._("a layer is either split by a threshold or cumulative, not "
                                    "both"),
                             column=k, source=source)
                     for k in sorted(set(self.thresholds) & set(self.cumulative))]
        if problems:
            raise ValidationError(problems)

    def as_dict(self) -> dict[str, Any]:
        return {k: dict(v) if isinstance(v, Mapping) else v
                for k, v in ((n, getattr(self, n)) for n in self.__dataclass_fields__)}


def _coerce(key: str, value: Any) -> Any:
    if key == "thresholds":
        if not isinstance(value, Mapping):
            raise TypeError(i18n._("expected an object {layer: value}"))
        return {str(k): float(v) for k, v in value.items()}
    if key == "cumulative":
        if not isinstance(value, Mapping):
            raise TypeError(i18n._("expected an object {layer: ascending|descending}"))
        return {str(k): str(v) for k, v in value.items()}
    if key == "estimator":
        return str(value)
    if key in ("min_target_cells", "seed"):
        return int(value)
    return float(value)


@dataclass(frozen=True)
class StudyFiles:
    """The inputs of a study on disk.

    Parameters
    ----------
    evidence : sequence of Path
        Evidence GeoTIFFs on one grid (layer name = file name without extension).
    deposits : Path
        Known deposits (points: shapefile or GeoPackage).
    mask : Path or None
        Study-area raster (valid non-zero cells), optional.
    """

    evidence: tuple[Path, ...]
    deposits: Path
    mask: Path | None = None


@dataclass(frozen=True)
class Study:
    """A computed study.

    Attributes
    ----------
    key : str
        Its id.
    folder : Path
        ``AURUM_HOME/prospect/<key>``.
    summary : dict
        The figures (see the module notes).
    """

    key: str
    folder: Path
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.summary["name"])

    @property
    def posterior_path(self) -> Path:
        return self.folder / POSTERIOR

    @property
    def targets_path(self) -> Path:
        return self.folder / TARGETS

    def preview(self) -> dict[str, Any]:
        """Rasters downsampled for the browser: ``x``, ``y`` (cell centres, m), ``layers``
        (name → rows) and ``posterior`` (rows; null outside the study area)."""
        loaded: dict[str, Any] = json.loads((self.folder / PREVIEW).read_text())
        return loaded


# --- scope -----------------------------------------------------------------------------------

def _owner(actor: Actor, public: bool = False) -> dict[str, Any]:
    owner = {"username": actor.username, "public": public,
             "org_ids": None if public or actor.org_ids is None else sorted(actor.org_ids)}
    # Only a provincial regulator's study records a province (earlier studies keep their ids).
    return owner | ({"province": actor.province} if actor.province and not public else {})


def _can_read(actor: Actor, owner: Mapping[str, Any]) -> bool:
    if owner.get("public") or actor.reads_all:
        return True
    if actor.org_ids is None:  # a provincial regulator: the studies run under its province
        return owner.get("org_ids") is None and owner.get("province") == actor.province
    orgs = owner.get("org_ids")
    return orgs is not None and set(orgs) <= actor.org_ids


# --- running ---------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _study_key(files: StudyFiles, params: StudyParams, owner: Mapping[str, Any]) -> str:
    inputs = [[p.name, _sha256(p)] for p in (*files.evidence, files.deposits,
                                               *([files.mask] if files.mask else []))]
    doc = [inputs, params.as_dict(), owner.get("org_ids"), owner.get("public"),
           *([owner["province"]] if owner.get("province") else [])]
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]


def _root(home: Path) -> Path:
    return home / FOLDER


def run_study(actor: Actor, home: Path, name: str, files: StudyFiles,
              params: StudyParams | None = None, *, public: bool = False,
              keep_inputs: bool = False,
              progress: Callable[[int, int], None] | None = None) -> Study:
    """Run (or fetch) a study.

    Parameters
    ----------
    actor : Actor
        The caller (enterprise, regulator or admin); the study is kept in its scope.
    home : Path
        The data directory (AURUM_HOME).
    name : str
        Display name.
    files : StudyFiles
        Inputs (read in place; see ``keep_inputs``).
    params : StudyParams, optional
        Defaults: categorical weights, 1 km² unit cell, studentised contrast 2, targets the
        best 5 % of the study area, a random forest checked on 10 km blocks.
    public : bool
        Readable by every user allowed to run studies (the demo).
    keep_inputs : bool
        Move the input files into the study folder (uploads), instead of leaving them.
    progress : callable, optional
        ``progress(stage_done, n_stages)`` over :data:`COMPUTE_STAGES` (not for a study kept
        from before); it may raise to stop the study (a cancelled job).

    Raises
    ------
    PermissionDenied
        A role that does not run studies.
    ValidationError
        Unreadable rasters or deposits, grids that differ, deposits outside the study area,
        parameters naming no layer, a threshold outside a layer's values.
    """
    actor.require_role(*STUDY_ROLES)
    params = params or StudyParams()
    owner = _owner(actor, public)
    key = _study_key(files, params, owner)
    folder = _root(home) / key
    if (folder / SUMMARY).exists():
        return Study(key, folder, json.loads((folder / SUMMARY).read_text()))
    _root(home).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".run-", dir=_root(home)))
    try:
        if keep_inputs:
            inputs = work / "inputs"
            inputs.mkdir()
            files = _moved(files, inputs)
        summary = _compute(files, params, work, progress)
        summary |= {"study": key, "name": name, "owner": owner,
                    "created": datetime.now(UTC).isoformat(timespec="seconds")}
        (work / SUMMARY).write_text(json.dumps(finite(summary), allow_nan=False))
        try:
            os.replace(work, folder)
        except OSError:
            if not (folder / SUMMARY).exists():  # not a concurrent run of the same study
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Study(key, folder, json.loads((folder / SUMMARY).read_text()))


def _moved(files: StudyFiles, inputs: Path) -> StudyFiles:
    def move(path: Path) -> Path:
        target = inputs / path.name
        shutil.move(path, target)
        return target

    deposits = files.deposits
    if deposits.suffix.lower() == ".shp":  # with its .shx, .dbf, .prj... beside it
        shutil.move(deposits.parent, inputs / "deposits")
        deposits = inputs / "deposits" / deposits.name
    else:
        deposits = move(deposits)
    return StudyFiles(tuple(move(p) for p in files.evidence), deposits,
                      move(files.mask) if files.mask else None)


def _check_size(files: StudyFiles) -> None:
    """Refuse rasters whose grids exceed the declared limits, from their headers alone."""
    rasters = [*files.evidence, *([files.mask] if files.mask is not None else [])]
    cells = {path.name: grid_of(path).n_cells for path in rasters}
    problems = [Problem(i18n._("the raster has %(n)s cells; a study on the server takes at most "
                               "%(most)s (MAX_STUDY_CELLS): coarsen or clip it", n=format(n, ","),
                               most=format(checks.MAX_STUDY_CELLS, ",")),
                        source=name) for name, n in cells.items() if n > checks.MAX_STUDY_CELLS]
    total = sum(cells.values())
    if not problems and total > checks.MAX_STUDY_LAYER_CELLS:
        problems.append(Problem(
            i18n._("the evidence rasters hold %(n)s cells together; a study on the server "
                   "takes at most %(most)s (MAX_STUDY_LAYER_CELLS): use fewer layers or a "
                   "coarser grid", n=format(total, ","),
                   most=format(checks.MAX_STUDY_LAYER_CELLS, ","))))
    if problems:
        raise ValidationError(problems)


COMPUTE_STAGES = ("reading the layers", "weights of evidence", "posterior and validation",
                  "machine learning", "targets")
"""The stages a study reports its progress by."""


def _compute(files: StudyFiles, params: StudyParams, out: Path,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    step = progress or (lambda done, total: None)
    n = len(COMPUTE_STAGES)
    _check_size(files)
    step(0, n)
    layers = read_layers(files.evidence)
    grid = layers[0].grid
    mask = (read_layer(files.mask, grid, reference_name=files.evidence[0].name)
            if files.mask is not None else None)
    area = study_area(layers, mask)
    deposits = read_deposits(files.deposits, grid, area)
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        raise ValidationError(i18n._("two evidence files have the same name: layer names are "
                                     "the file names without extension and must differ"))
    unknown = sorted((set(params.thresholds) | set(params.cumulative)) - set(names))
    if unknown:
        raise ValidationError([Problem(i18n._("names layer %(layer)r, which is not an evidence "
                                              "layer; layers: %(layers)s", layer=n,
                                              layers=", ".join(names)), column=n)
                               for n in unknown])
    step(1, n)
    tables, used = zip(*(layer_weights(layer.values, area, deposits.cells, layer=layer.name,
                                       cell_area_km2=layer.grid.cell_area_km2,
                                       unit_cell_km2=params.unit_area_km2,
                                       confidence=params.confidence,
                                       threshold=params.thresholds.get(layer.name),
                                       kind=params.cumulative.get(layer.name))
                         for layer in layers), strict=True)
    step(2, n)
    result = posterior(list(tables), list(used), area)
    write_raster(out / POSTERIOR, (result.probability, result.std, result.confidence), grid,
                 ("posterior_probability", "posterior_std", "posterior_confidence"))
    presence, absence = presence_absence(result.probability, area, deposits.cells)
    levels = _thinned(np.unique(result.probability[area])[::-1])
    roc = threshold_table(result.probability, area, deposits.cells, levels)
    success = rate_curve(result.probability, area, deposits.cells)
    ci = conditional_independence(result, len(deposits), cell_area_km2=grid.cell_area_km2,
                                  unit_cell_km2=params.unit_area_km2)
    step(3, n)
    learned = _machine_learning(layers, area, deposits, params)
    step(4, n)
    targets = _targets(result.probability, result.std, area, deposits, params, success, out)
    (out / PREVIEW).write_text(json.dumps(finite(_preview(layers, result.probability)),
                                          allow_nan=False))
    first = tables[0]
    return {
        "grid": _stored(grid.describe), "crs": grid.crs.to_string() if grid.crs else None,
        "cell_area_km2": grid.cell_area_km2,
        "study_area_km2": float(area.sum() * grid.cell_area_km2),
        "n_deposits": len(deposits), "deposits_file": Path(deposits.source).name,
        "evidence_files": [p.name for p in files.evidence],
        "params": params.as_dict(),
        "prior_probability": first.total_deposits / first.total_area_units,
        "layers": [_table_doc(t) for t in tables],
        "auc": roc_auc(presence, absence),
        "roc": {"false_positive_rate": (1.0 - roc["specificity"]).round(6).tolist(),
                "true_positive_rate": roc["sensitivity"].round(6).tolist()},
        "success_rate": {"area_fraction": _thinned(success.area_fraction).round(6).tolist(),
                         "deposit_fraction": _thinned(success.deposit_fraction).round(6)
                         .tolist(),
                         "auc": success.auc,
                         "captured_at_10pct": success.captured_at(0.1),
                         "captured_at_20pct": success.captured_at(0.2)},
        "unique_conditions": int(result.condition.max()) + 1,
        "conditional_independence": {
            "observed": ci.observed, "expected": ci.expected, "std_expected": ci.std_expected,
            "ratio": ci.ratio, "z": ci.z, "p_value": ci.p_value},
        "ml": learned,
        "targets": targets,
        "deposits": {"x": deposits.x.round(2).tolist(), "y": deposits.y.round(2).tolist()},
    }


def _thinned(values: np.ndarray) -> np.ndarray:
    """At most :data:`CURVE_POINTS` of an ordered array, first and last kept (a continuous
    map has a level per cell)."""
    if len(values) <= CURVE_POINTS:
        return values
    return values[np.linspace(0, len(values) - 1, CURVE_POINTS).round().astype(int)]


def _table_doc(table: WeightsTable) -> dict[str, Any]:
    s = table.stats
    threshold = table.threshold_class
    rows = [{"class": c, "label": str(table.label(c)), "area_km2": float(table.area_km2[i]),
             "deposits": int(table.deposits[i]), "w_plus": float(s.w_plus[i]),
             "s_w_plus": float(s.s_w_plus[i]), "w_minus": float(s.w_minus[i]),
             "s_w_minus": float(s.s_w_minus[i]), "contrast": float(s.contrast[i]),
             "studentized_contrast": float(s.studentized_contrast[i]),
             "gen_class": int(table.gen_class[i]), "weight": float(table.weight[i]),
             "w_std": float(table.w_std[i])}
            for i, c in enumerate(table.classes.tolist())]
    return {"layer": table.layer, "kind": table.kind.value, "significant": table.significant,
            "threshold_class": threshold,
            "threshold_label": None if threshold is None else str(table.label(threshold)),
            "rows": rows}


def _stored(text: Callable[[], str]) -> str:
    """A text kept in a study's summary: written once, in the platform's language."""
    with i18n.using(i18n.default_locale()):
        return text()


def _machine_learning(layers: Sequence[EvidenceLayer], area: np.ndarray, deposits: Deposits,
                      params: StudyParams) -> dict[str, Any]:
    sampling = NegativeSampling(params.negative_ratio, params.negative_buffer_m, params.seed)
    sample = training_set(layers, area, deposits, sampling)
    # one thread: the machine is shared by the web server's other requests
    with threadpool_limits(1):
        cv = cross_validate(make_estimator(params.estimator, params.seed), sample,
                            block_size_m=params.block_size_m, n_splits=5, seed=params.seed,
                            importance_repeats=1)
    return {"estimator": params.estimator, "spatial_auc": cv.spatial_auc,
            "random_auc": cv.random_auc, "spatial_fold_auc": cv.spatial_fold_auc.tolist(),
            "random_fold_auc": cv.random_fold_auc.tolist(), "block_size_m": cv.block_size_m,
            "n_splits": cv.n_splits, "n_blocks": cv.n_blocks,
            "sampling": _stored(lambda: sampling.statement(len(deposits))),
            "importance": cv.importance.to_dict(orient="records")}


def _targets(probability: np.ndarray, std: np.ndarray, area: np.ndarray, deposits: Deposits,
             params: StudyParams, success: RateCurve, out: Path) -> dict[str, Any]:
    # The lowest score level whose cells stay within the asked fraction of the area: a
    # weights-of-evidence posterior has few levels, and a quantile would take all the cells
    # tied at it (a quarter of the study area for the demo's 5 %).
    within = np.flatnonzero(success.area_fraction <= params.target_area_fraction + 1e-12)
    level = int(within[-1]) if len(within) else 0
    cut = float(success.score[level])
    found = extract_targets(probability, deposits.grid, threshold=cut, area=area, std=std,
                            deposits=deposits, unit_cell_km2=params.unit_area_km2,
                            min_cells=params.min_target_cells)
    lon = lat = np.full(len(found), np.nan)
    if len(found) and found.crs is not None:
        centres = gpd.GeoSeries(gpd.points_from_xy(found["centroid_x"], found["centroid_y"]),
                                crs=found.crs).to_crs(4326)
        lon, lat = centres.x.to_numpy(), centres.y.to_numpy()
    found["lon"], found["lat"] = lon, lat
    write_targets(found, out / TARGETS)
    rows = found.drop(columns="geometry").head(TOP_TARGETS).to_dict(orient="records")
    return {"threshold": cut, "asked_area_fraction": params.target_area_fraction,
            "area_fraction": float(success.area_fraction[level]),
            "count": len(found), "rows": rows}


def _preview(layers: Sequence[EvidenceLayer], probability: np.ndarray) -> dict[str, Any]:
    grid = layers[0].grid
    step = max(1, -(-max(grid.shape) // PREVIEW_CELLS))
    rows, cols = np.arange(0, grid.height, step), np.arange(0, grid.width, step)
    x, _ = grid.centres(np.zeros_like(cols), cols)
    _, y = grid.centres(rows, np.zeros_like(rows))

    def thin(values: np.ndarray, valid: np.ndarray) -> list[list[float | None]]:
        band = np.where(valid, values.astype(float), np.nan)[::step, ::step]
        return np.round(band, 6).tolist()

    return {"x": x.tolist(), "y": y.tolist(), "step_cells": step,
            "layers": {layer.name: thin(layer.values, layer.valid) for layer in layers},
            "posterior": thin(probability, np.isfinite(probability))}


# --- uploads, demo, reading ------------------------------------------------------------------

def study_from_uploads(actor: Actor, home: Path, name: str,
                       evidence: Sequence[tuple[str, bytes]], deposits: tuple[str, bytes],
                       mask: tuple[str, bytes] | None = None,
                       params: StudyParams | None = None,
                       progress: Callable[[int, int], None] | None = None) -> Study:
    """Run a study on uploaded files.

    Parameters
    ----------
    evidence : sequence of (file name, content)
        GeoTIFFs (``.tif`` / ``.tiff``) on one grid.
    deposits : (file name, content)
        A GeoPackage (``.gpkg``) or a zipped shapefile (``.zip`` holding one ``.shp``).
    mask : (file name, content), optional
        Study-area GeoTIFF.

    See :func:`run_study` for the rest.
    """
    actor.require_role(*STUDY_ROLES)
    problems = [Problem(i18n._("an evidence layer must be a GeoTIFF (.tif or .tiff)"), source=n)
                for n, _ in [*evidence, *([mask] if mask else [])]
                if Path(n).suffix.lower() not in (".tif", ".tiff")]
    if not evidence:
        problems.append(Problem(i18n._("no evidence layer: upload at least one GeoTIFF")))
    if Path(deposits[0]).suffix.lower() not in (".gpkg", ".zip"):
        problems.append(Problem(i18n._("deposits must be a GeoPackage (.gpkg) or a zipped "
                                       "shapefile (.zip)"), source=deposits[0]))
    if problems:
        raise ValidationError(problems)
    _root(home).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".upload-", dir=_root(home)) as tmp:
        folder = Path(tmp)
        paths = tuple(save_upload(folder, n, content) for n, content in evidence)
        mask_path = save_upload(folder / "mask", *mask) if mask else None
        deposits_path = unpack_shapefile(folder / "deposits", *deposits)
        return run_study(actor, home, name or paths[0].stem,
                         StudyFiles(paths, deposits_path, mask_path), params, keep_inputs=True,
                         progress=progress)


def demo_source() -> Path | None:
    """The MPM-WofE *CalculateResponse* folder beside the repository, if present."""
    return next((p.resolve() for p in DEMO_SOURCES
                 if all((p / f"{n}.tif").exists() for n in DEMO_LAYERS)
                 and (p / "IOCG_Deposits.shp").exists()), None)


def _demo_files(source: Path) -> StudyFiles:
    return StudyFiles(tuple(source / f"{n}.tif" for n in DEMO_LAYERS),
                      source / "IOCG_Deposits.shp")


def demo_study(actor: Actor, home: Path, source: Path | None = None,
               progress: Callable[[int, int], None] | None = None) -> Study | None:
    """The demo study: Geoscience Australia's Cloncurry IOCG example (four binary evidence
    maps, 258 deposits), read in place; None when the data is not beside the repository.
    ``progress`` as in :func:`run_study`."""
    source = source or demo_source()
    if source is None:
        return None
    return run_study(actor, home, DEMO_NAME, _demo_files(source), public=True,
                     progress=progress)


def kept_demo_study(actor: Actor, home: Path) -> Study | None:
    """The demo study if it has been run (nothing is computed), else None."""
    actor.require_role(*STUDY_ROLES)
    source = demo_source()
    if source is None:
        return None
    key = _study_key(_demo_files(source), StudyParams(), _owner(actor, public=True))
    folder = _root(home) / key
    if not (folder / SUMMARY).exists():
        return None
    return Study(key, folder, json.loads((folder / SUMMARY).read_text()))


def list_studies(actor: Actor, home: Path) -> list[Study]:
    """The studies the actor may read, newest first."""
    actor.require_role(*STUDY_ROLES)
    found = []
    root = _root(home)
    for path in sorted(root.glob("*/" + SUMMARY)) if root.is_dir() else []:
        summary = json.loads(path.read_text())
        if _can_read(actor, summary["owner"]):
            found.append(Study(path.parent.name, path.parent, summary))
    return sorted(found, key=lambda s: s.summary["created"], reverse=True)


def get_study(actor: Actor, home: Path, key: str) -> Study:
    """A study the actor may read.

    Raises
    ------
    NotFoundError
        No such study, or one outside the actor's scope (the same answer, so as not to reveal
        what exists).
    """
    actor.require_role(*STUDY_ROLES)
    path = _root(home) / key / SUMMARY
    if not key.isalnum() or not path.exists():
        raise NotFoundError(i18n._("no prospectivity study %(key)r", key=key))
    summary = json.loads(path.read_text())
    if not _can_read(actor, summary["owner"]):
        raise NotFoundError(i18n._("no prospectivity study %(key)r", key=key))
    return Study(key, path.parent, summary)


def site_locations(session: Session, actor: Actor) -> list[tuple[str, float | None,
                                                                   float | None]]:
    """Code, longitude and latitude (degrees) of the sites the actor may read."""
    return [(s.code, s.lon, s.lat) for s in session.scalars(select(Site).order_by(Site.code))
            if actor.can_read_site(s)]


def handover(targets: Sequence[Mapping[str, Any]],
             sites: Sequence[tuple[str, float | None, float | None]]) -> list[dict[str, Any]]:
    """Each target with the registered site it hands over to.

    Parameters
    ----------
    targets : sequence of mapping
        Target rows (``lon``, ``lat`` in degrees).
    sites : sequence of (code, lon, lat)
        Sites the user may read, longitude and latitude in degrees (None when unknown).

    Returns
    -------
    list of dict
        The rows with ``site`` (the nearest site within :data:`HANDOVER_KM`, else None) and
        ``site_km`` (its great-circle distance, km).
    """
    located = [(c, lo, la) for c, lo, la in sites if lo is not None and la is not None]
    out = []
    for row in targets:
        site, distance = None, None
        if located and row.get("lon") is not None and row.get("lat") is not None:
            km = great_circle_km(row["lat"], row["lon"], [s[2] for s in located],
                                 [s[1] for s in located])
            best = int(np.argmin(km))
            if km[best] <= HANDOVER_KM:
                site, distance = located[best][0], float(km[best])
        out.append({**row, "site": site, "site_km": distance})
    return out


# --- the study as a job ---------------------------------------------------------------------


def _runner_scope(_session: Session, actor: Actor, _home: Path, _params: Mapping[str, Any]
                  ) -> jobs.Owner:
    """A study is kept in the scope of who runs it."""
    actor.require_role(*STUDY_ROLES)
    return (None if actor.org_ids is None else min(actor.org_ids)), actor.province


def _study_job_owner(_session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                     ) -> jobs.Owner:
    actor.require_role(*STUDY_ROLES)
    for file in [*params["evidence"], params["deposits"], *([params["mask"]]
                                                             if params.get("mask") else [])]:
        jobs.read_input(home, file["digest"])  # every input is there before the job queues
    StudyParams.from_dict(params.get("params") or {})  # refused now, not in the worker
    return _runner_scope(_session, actor, home, params)


def _study_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    def kept(file: Mapping[str, str]) -> tuple[str, bytes]:
        return file["name"], jobs.read_input(context.home, file["digest"])

    with context.session() as (_session, actor):
        study = study_from_uploads(
            actor, context.home, str(params.get("name") or ""),
            [kept(f) for f in params["evidence"]], kept(params["deposits"]),
            kept(params["mask"]) if params.get("mask") else None,
            StudyParams.from_dict(params.get("params") or {}), context.steps("study"))
    return {"study": study.key, "name": study.summary.get("name"),
            "auc": study.summary.get("auc"), "url": f"/prospect/{study.key}"}


def _demo_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    with context.session() as (_session, actor):
        study = demo_study(actor, context.home, progress=context.steps("demo study"))
    if study is None:
        raise NotFoundError(i18n._("the demo data (shared/data/prospect/mpm_wofe) is not beside "
                                   "the repository"))
    return {"study": study.key, "name": study.summary.get("name"),
            "auc": study.summary.get("auc"), "url": f"/prospect/{study.key}"}


PROSPECTIVITY_DEMO_JOB = jobs.register(jobs.JobKind("prospectivity_demo", _runner_scope,
                                                    _demo_job))
"""The demo study (:func:`demo_study`) as a job: no parameters."""
PROSPECTIVITY_JOB = jobs.register(jobs.JobKind("prospectivity", _study_job_owner, _study_job))
"""A prospectivity study as ``POST /api/v1/prospect/studies`` runs it, from files sent first:
``evidence`` (GeoTIFFs), ``deposits`` (GeoPackage or zipped shapefile), optional ``mask``, each
``{"digest", "name"}``; ``name`` and ``params`` as that route takes them."""
