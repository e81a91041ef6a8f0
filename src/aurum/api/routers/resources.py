"""Resource models and statements: API and pages."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import yaml
from fastapi import APIRouter, Form, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.tables import XLSX, TableFormat, display_records, tabular
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId
from aurum.core.errors import Problem, ValidationError
from aurum.resources import report, runfile
from aurum.resources.classify import ClassificationRules
from aurum.resources.composite import log_probability, top_cut_analysis
from aurum.resources.drillholes import read_drillholes
from aurum.resources.estimate import SearchNeighbourhood
from aurum.resources.samples import composite_samples
from aurum.resources.validate import cell_declustering, cross_validation, swath
from aurum.resources.variogram import VariogramModel
from aurum.resources.variography import experimental_variogram
from aurum.services import registry
from aurum.services import resources as service
from aurum.services.resources import EstimationSpec
from aurum.store.models import ResourceStatement

router = APIRouter(tags=["resources"])
STATEMENT_COLUMNS = ["site", "year", "version", "effective_date", "cutoff_gpt", "model_id",
                     *(f"{c}_{m}" for c in service.CLASSES
                       for m in ("tonnes", "grade_gpt", "gold_t")), "reason"]


def _statement_frame(rows: list[ResourceStatement]) -> pd.DataFrame:
    return pd.DataFrame([{"site": r.site.code, **{c: getattr(r, c) for c in
                                                  STATEMENT_COLUMNS[1:]}} for r in rows],
                        columns=STATEMENT_COLUMNS)


@router.get("/api/v1/resources/statements")
def list_statements(session: DB, actor: ApiActor, site: str,
                    format: TableFormat = "json") -> Response:
    """Every resource statement of a site, versions included."""
    return tabular(_statement_frame(service.statements(session, actor, site)), format,
                   f"statements-{site}")


@router.get("/api/v1/resources/statements/{statement_id}/workbook")
def statement_workbook(statement_id: DbId, request: Request, session: DB,
                       actor: ApiActor) -> Response:
    """A statement as an Excel workbook (statement with its notes, grade-tonnage table)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"statement-{statement_id}.xlsx"
        service.statement_workbook(session, actor, request.app.state.platform.settings.home,
                                   statement_id, path)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="statement-{statement_id}.xlsx"'})


@router.get("/api/v1/resources/models/{model_id}/blocks")
def model_blocks(model_id: DbId, request: Request, session: DB, actor: ApiActor,
                 format: str = "csv") -> Response:
    """The blocks of a model as CSV, Parquet or OMF."""
    home = request.app.state.platform.settings.home
    if format == "omf":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"model-{model_id}.omf"
            service.model_omf(session, actor, home, model_id, path)
            return Response(path.read_bytes(), media_type="application/octet-stream",
                            headers={"Content-Disposition":
                                     f'attachment; filename="model-{model_id}.omf"'})
    blocks = service.load_blocks(session, actor, home, model_id)
    if format == "parquet":
        buf = io.BytesIO()
        blocks.to_parquet(buf, index=False)
        return Response(buf.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition":
                                 f'attachment; filename="model-{model_id}.parquet"'})
    return tabular(blocks, "csv", f"model-{model_id}")


@router.post("/api/v1/resources/estimate", status_code=201)
async def run_estimate(request: Request, session: DB, actor: ApiActor, samples: UploadFile,
                       spec: UploadFile) -> dict[str, Any]:
    """Estimate a mine's model from composites (CSV: x, y, z, value[, hole]) and a spec
    (YAML: the run-file keys without paths, plus ``site``, ``year``, ``density``
    (t/m³), ``cutoff`` (g/t) and ``classification``) and publish its statement."""
    name, text = await received(spec, "spec.yaml")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(Problem(f"cannot read the spec: {exc}", source=name)) from exc
    settings = runfile.parse_settings(doc, name)
    problems = [Problem("missing key", column=k, source=name)
                for k in ("site", "year", "density", "cutoff", "classification")
                if k not in doc]
    if settings.model is None:
        problems.append(Problem("a statement needs kriging (ordinary or simple)",
                                column="method", source=name))
    if problems:
        raise ValidationError(problems)
    rules = ClassificationRules.from_dict(doc["classification"], name)
    samples_name, content = await received(samples, "samples.csv")
    data = runfile.read_samples(io.BytesIO(content), samples_name)
    assert settings.model is not None
    est = EstimationSpec(settings.grid, settings.model, settings.search, rules,
                         float(doc["density"]), float(doc["cutoff"]), settings.method.value,
                         settings.discretisation)
    statement = service.estimate_and_state(
        session, actor, request.app.state.platform.settings.home, str(doc["site"]),
        int(doc["year"]), data.xyz, data.values, est, data.holes)
    return {c: getattr(statement, c) for c in STATEMENT_COLUMNS[1:]} | {"id": statement.id}


@router.get("/resources", response_class=HTMLResponse, include_in_schema=False)
def resources_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    rows = [s for site in registry.list_sites_with_statements(session, actor)
            for s in service.statements(session, actor, site)]
    latest = _statement_frame(rows).sort_values(["site", "year", "version"])
    latest = latest.groupby("site").tail(1)
    figure = {}
    if not latest.empty:
        figure = {"data": [{"type": "bar", "name": c, "x": latest["site"].tolist(),
                            "y": latest[f"{c}_gold_t"].tolist()} for c in service.CLASSES],
                  "layout": {"title": {"text": "Contained gold by class, latest statement"},
                             "barmode": "stack", "height": 340,
                             "yaxis": {"title": {"text": "t"}}}}
    return render(request, "resources.html", actor=actor, rows=display_records(latest),
                  figure=figure)


@router.get("/resources/drillholes", response_class=HTMLResponse, include_in_schema=False)
def drillholes_form(request: Request, actor: PageActor) -> HTMLResponse:
    return render(request, "drillholes.html", actor=actor, result=None)


@router.post("/resources/drillholes", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def drillholes_page(request: Request, actor: PageActor, collar: UploadFile,
                          survey: UploadFile, assay: UploadFile,
                          grade: Annotated[str, Form()],
                          composite: Annotated[float, Form()] = 2.0) -> HTMLResponse:
    """Validate uploaded drillholes, composite one grade and show the result (nothing is
    stored: this is the geologist's check before a model)."""
    with tempfile.TemporaryDirectory() as folder:
        # The uploads keep their names, so every message names the user's own file.
        paths = []
        for default, upload in (("collar.csv", collar), ("survey.csv", survey),
                                ("assay.csv", assay)):
            name, content = await received(upload, default)
            path = Path(folder) / name
            if path.exists():
                path = Path(folder) / default
            path.write_bytes(content)
            paths.append(path)
        try:
            db = read_drillholes(*paths)
            samples = composite_samples(db, grade.strip(), composite)
        except (ValidationError, ValueError) as exc:
            problems = (exc.problems if isinstance(exc, ValidationError)
                        else [Problem(str(exc))])
            return render(request, "drillholes.html", actor=actor, result=None,
                          problems=problems, status_code=422)
    values = samples["value"].to_numpy()
    weights = (samples["to"] - samples["from"]).to_numpy()
    caps = np.unique(np.round(np.nanpercentile(values, [90, 95, 97.5, 99, 99.5]), 3))
    figures = {"holes": charts.drillholes_3d(samples),
               "logprob": charts.log_probability_chart(log_probability(values, weights),
                                                       grade)}
    return render(request, "drillholes.html", actor=actor, figures=figures,
                  result={"holes": int(db.collars["hole"].nunique()),
                          "intervals": len(db.intervals), "composites": len(samples),
                          "counts": db.report.counts(), "grade": grade},
                  problems=db.report.problems[:500],
                  topcut=display_records(top_cut_analysis(values, weights, caps)))


@router.get("/resources/{site_code}", response_class=HTMLResponse, include_in_schema=False)
def site_resources(site_code: str, request: Request, session: DB, actor: PageActor,
                   z: float | None = None, y: float | None = None) -> HTMLResponse:
    site = registry.get_site(session, actor, site_code)
    rows = service.statements(session, actor, site_code)
    figures: dict[str, Any] = {}
    table: list[dict[str, object]] = []
    checks: dict[str, float] = {}
    latest = rows[-1] if rows else None
    if latest is not None and latest.waterfall:
        figures["waterfall"] = charts.waterfall_chart(
            list(latest.waterfall.items()), f"From {latest.year - 1} to {latest.year}")
    if latest is not None and latest.model_id is not None:
        home = request.app.state.platform.settings.home
        blocks = service.load_blocks(session, actor, home, latest.model_id)
        samples = service.load_samples(session, actor, home, latest.model_id)
        est = blocks.dropna(subset=["estimate"])
        # By default show the bench and the section where the gold is richest.
        z_level = z if z is not None else _richest(est, "z")
        y_level = y if y is not None else _richest(est, "y")
        gt = report.grade_tonnage(blocks["tonnes"].to_numpy(), blocks["estimate"].to_numpy(),
                                  np.round(np.linspace(0, np.nanpercentile(
                                      blocks["estimate"], 99), 25), 2))
        if samples is not None and len(samples) > 10:
            params = latest.model.parameters  # type: ignore[union-attr]
            figures["variogram"] = _variograms(samples, params)
            figures["swath"], checks = _validation(blocks, samples, params)
        figures |= {"plan": charts.plan_view(blocks, z_level),
                    "section": charts.section_view(blocks, y_level),
                    "blocks3d": charts.blocks_3d(blocks, samples, latest.cutoff_gpt),
                    "gt": charts.grade_tonnage_chart(gt)}
        table = display_records(gt)
    return render(request, "resource_site.html", actor=actor, site=site,
                  statements=display_records(_statement_frame(rows)), figures=figures,
                  latest=latest, gt=table, checks=checks)


def _validation(blocks: pd.DataFrame, samples: pd.DataFrame, parameters: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, float]]:
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
    return charts.swath_chart(swaths), stats


def _richest(blocks: pd.DataFrame, axis: str) -> float:
    """The coordinate along ``axis`` whose blocks have the highest mean grade, m."""
    means = blocks.groupby(axis)["estimate"].mean()
    return float(means.index.to_numpy()[int(np.argmax(means.to_numpy()))])


def _variograms(samples: pd.DataFrame, parameters: dict[str, Any]) -> dict[str, Any]:
    """Experimental variograms of the kept composites along the model's three axes, with the
    stored model's curve along the same axes (one random 5,000 at most, for speed)."""
    model = VariogramModel.from_dict(parameters["variogram"])
    first = model.structures[0]
    az, dip, _ = first.angles
    pts = samples.sample(min(len(samples), 5_000), random_state=0)
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
    return charts.variogram_chart(experimental, curves)
