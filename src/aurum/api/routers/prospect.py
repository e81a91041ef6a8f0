"""Prospectivity studies: API and pages."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from aurum.api import charts
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.prospect import StudyBriefOut, StudySummaryOut
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.core.tables import MAX_STUDY_REQUEST_BYTES
from aurum.services import jobs
from aurum.services import prospect as service

router = APIRouter(tags=["prospect"])
GEOTIFF, GEOPACKAGE = "image/tiff", "application/geopackage+sqlite3"


def _home(request: Request) -> Any:
    return request.app.state.platform.settings.home


def _brief(study: service.Study) -> dict[str, Any]:
    s = study.summary
    return {"study": study.key, "name": s["name"], "created": s["created"],
            "n_deposits": s["n_deposits"], "layers": len(s["layers"]), "auc": s["auc"],
            "ml_spatial_auc": s["ml"]["spatial_auc"], "ml_random_auc": s["ml"]["random_auc"],
            "targets": s["targets"]["count"]}


# The summary routes leave unset keys out: a summary names its owner's province only when it
# has one.
@router.post("/api/v1/prospect/studies", status_code=201,
             max_body_size=MAX_STUDY_REQUEST_BYTES, response_model=StudySummaryOut,
             response_model_exclude_unset=True)
async def create_study(request: Request, actor: ApiActor, evidence: list[UploadFile],
                       deposits: UploadFile, mask: UploadFile | None = None,
                       name: str = Form(""), params: str = Form("{}")) -> dict[str, Any]:
    """Run a prospectivity study on uploaded files: ``evidence`` GeoTIFFs on one grid
    (several), ``deposits`` as a GeoPackage or a zipped shapefile of points, an optional
    study-area ``mask`` GeoTIFF, and ``params`` as JSON (``thresholds`` {layer: value in layer
    units}, ``cumulative`` {layer: ascending|descending}, ``unit_area_km2``, ``confidence``,
    ``target_area_fraction``, ``estimator``, ``block_size_m``...). Returns the summary:
    weights tables, AUC, success-rate curve, conditional-independence test, spatial and
    random-split cross-validated AUC of the model, the best targets."""
    try:
        doc = json.loads(params or "{}")
    except json.JSONDecodeError as exc:
        raise ValidationError(Problem(_("params is not JSON: %(error)s", error=exc),
                                      column="params")) from exc
    if not isinstance(doc, dict):
        raise ValidationError(Problem(_("params must be a JSON object"), column="params"))
    study_params = service.StudyParams.from_dict(doc)
    files = [await received(f, "layer.tif") for f in evidence]
    masked = await received(mask, "mask.tif") if mask and mask.filename else None
    study = service.study_from_uploads(actor, _home(request), name, files,
                                       await received(deposits, "deposits.gpkg"), masked,
                                       study_params)
    return finite(study.summary)


@router.post("/api/v1/prospect/demo", status_code=201, response_model=StudySummaryOut,
             response_model_exclude_unset=True)
def run_demo(request: Request, actor: ApiActor) -> dict[str, Any]:
    """Run (or fetch) the demo study on the Cloncurry IOCG data beside the repository."""
    study = service.demo_study(actor, _home(request))
    if study is None:
        raise NotFoundError(_("the demo data (shared/data/prospect/mpm_wofe) is not beside "
                              "the repository"))
    return finite(study.summary)


@router.get("/api/v1/prospect/studies", response_model=list[StudyBriefOut])
def list_studies(request: Request, actor: ApiActor) -> list[dict[str, Any]]:
    """The studies the caller may read, newest first."""
    return finite([_brief(s) for s in service.list_studies(actor, _home(request))])


@router.get("/api/v1/prospect/studies/{study}", response_model=StudySummaryOut,
            response_model_exclude_unset=True)
def get_study(study: str, request: Request, actor: ApiActor) -> dict[str, Any]:
    """A study's summary (JSON)."""
    return finite(service.get_study(actor, _home(request), study).summary)


@router.get("/api/v1/prospect/studies/{study}/posterior.tif", response_class=FileResponse,
            responses={200: {"description": "Posterior probability, its standard deviation "
                             "and confidence (3 bands)", "content": {GEOTIFF: {}}}})
def posterior_tif(study: str, request: Request, actor: ApiActor) -> FileResponse:
    """The posterior probability, its standard deviation and confidence (3-band GeoTIFF)."""
    found = service.get_study(actor, _home(request), study)
    return FileResponse(found.posterior_path, media_type=GEOTIFF,
                        filename=f"{found.key}-posterior.tif")


@router.get("/api/v1/prospect/studies/{study}/targets.gpkg", response_class=FileResponse,
            responses={200: {"description": "The targets, layer targets",
                             "content": {GEOPACKAGE: {}}}})
def targets_gpkg(study: str, request: Request, actor: ApiActor) -> FileResponse:
    """The ranked targets as polygons (GeoPackage, layer ``targets``)."""
    found = service.get_study(actor, _home(request), study)
    return FileResponse(found.targets_path, media_type=GEOPACKAGE,
                        filename=f"{found.key}-targets.gpkg")


@router.get("/prospect", response_class=HTMLResponse, include_in_schema=False)
def prospect_index(request: Request, actor: PageActor, run_demo: bool = False
                   ) -> HTMLResponse:
    rows = [_brief(s) for s in service.list_studies(actor, _home(request))]
    names = [r["name"] for r in rows]
    figure = {"data": [
        {"type": "bar", "name": _("weights of evidence (map)"), "x": names,
         "y": [r["auc"] for r in rows], "marker": {"color": charts.GOLD}},
        {"type": "bar", "name": _("model, spatial-block cross-validation"), "x": names,
         "y": [r["ml_spatial_auc"] for r in rows], "marker": {"color": "#1f3a93"}},
        {"type": "bar", "name": _("model, random-split cross-validation"), "x": names,
         "y": [r["ml_random_auc"] for r in rows], "marker": {"color": charts.GREY}}],
        "layout": {"title": {"text": _("AUC per study") if rows else _("No study yet")},
                   "height": 280, "barmode": "group",
                   "yaxis": {"title": {"text": "AUC"}, "range": [0.5, 1]}}}
    return render(request, "prospect_index.html", actor=actor, rows=rows, figure=figure,
                  demo=service.demo_source() is not None, run_demo=run_demo,
                  jobs=jobs.may_submit(actor), upload="POST /api/v1/prospect/studies",
                  command="aurum prospect wofe")


@router.get("/prospect/demo", include_in_schema=False)
def prospect_demo(request: Request, actor: PageActor) -> RedirectResponse:
    """The demo study's page once it has been run; before, the index runs it as a job."""
    if service.demo_source() is None:
        raise NotFoundError(_("the demo data (shared/data/prospect/mpm_wofe) is not beside "
                              "the repository"))
    study = service.kept_demo_study(actor, _home(request))
    target = f"/prospect/{study.key}" if study is not None else "/prospect?run_demo=true"
    return RedirectResponse(target, status_code=303)


@router.get("/prospect/{study}", response_class=HTMLResponse, include_in_schema=False)
def prospect_page(study: str, request: Request, session: DB, actor: PageActor
                  ) -> HTMLResponse:
    found = service.get_study(actor, _home(request), study)
    s = found.summary
    preview = found.preview()
    x, y = preview["x"], preview["y"]
    ml = s["ml"]
    layers = {name: charts.prospect_heatmap(x, y, z, name, "Viridis", height=260)
              for name, z in preview["layers"].items()}
    figures = {
        "posterior": charts.prospect_heatmap(
            x, y, preview["posterior"], _("Posterior probability per unit cell"),
            points=(s["deposits"]["x"], s["deposits"]["y"]), height=520),
        "roc": charts.roc_curve_chart(
            s["roc"]["false_positive_rate"], s["roc"]["true_positive_rate"], s["auc"],
            _(" — model AUC %(spatial)s spatial cross-validation, %(random)s random",
              spatial=format(ml["spatial_auc"], ".3f"), random=format(ml["random_auc"], ".3f"))),
        "success": charts.success_rate_chart(s["success_rate"]["area_fraction"],
                                             s["success_rate"]["deposit_fraction"],
                                             s["success_rate"]["auc"]),
    }
    targets = service.handover(s["targets"]["rows"],
                               service.site_locations(session, actor))
    return render(request, "prospect_study.html", actor=actor, study=found, s=s, ml=ml,
                  layers=layers, figures=figures, targets=targets)
