"""A mine's industrial indicators and geological-block estimates (GB/T 17766-2020,
DZ/T 0205-2020): API and page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from aurum.api import forms
from aurum.api.charts.gbt import longitudinal_projection
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.gbt import (
    BlockEstimateDetailOut,
    BlockEstimateOut,
    IndicatorsIn,
    IndicatorsOut,
    IndicatorVersionOut,
    PublishIn,
)
from aurum.api.schemas.resources import StatementOut
from aurum.api.tables import Col, Spec, table_page
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import (
    EXTRAPOLATIONS,
    MAX_GRADE_COLUMN_CHARS,
    MAX_INDICATOR_REASON_CHARS,
    ORE_DENSITIES,
    DbId,
    Year,
)
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import gbt as service
from aurum.services import resources
from aurum.services.auth import Actor

router = APIRouter(tags=["resources"])

Strike = Annotated[float, Field(ge=0.0, le=360.0, allow_inf_nan=False,
                                description="strike, degrees (right-hand rule)")]
Dip = Annotated[float, Field(gt=0.0, le=90.0, allow_inf_nan=False, description="dip, degrees")]
Density = Annotated[float, Field(ge=ORE_DENSITIES.low, le=ORE_DENSITIES.high,
                                 allow_inf_nan=False, description="ore density, t/m³")]


def _home(request: Request) -> Any:
    return request.app.state.platform.settings.home


@router.get("/api/v1/sites/{code}/industrial-indicators", response_model=IndicatorsOut)
def get_indicators(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A mine's industrial indicators in force (DZ/T 0205-2020's reference values when it set
    none) with every version."""
    return service.current_record(session, actor, code)


@router.post("/api/v1/sites/{code}/industrial-indicators", status_code=201,
             response_model=IndicatorVersionOut)
def post_indicators(code: str, body: IndicatorsIn, session: DB,
                    actor: ApiActor) -> dict[str, Any]:
    """Set a new version of a mine's industrial indicators (versions are never changed)."""
    values = body.model_dump(exclude={"reason"})
    return service.indicator_record(service.set_indicators(session, actor, code, values,
                                                           body.reason))


@router.get("/api/v1/sites/{code}/block-estimates", response_model=list[BlockEstimateOut])
def list_estimates(code: str, session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """A mine's geological-block estimates, newest first."""
    return [service.estimate_record(e) for e in service.estimates(session, actor, code)]


@router.get("/api/v1/sites/{code}/block-estimates/{estimate_id}",
            response_model=BlockEstimateDetailOut)
def get_estimate(code: str, estimate_id: DbId, request: Request, session: DB,
                 actor: ApiActor) -> dict[str, Any]:
    """An estimate with its intercepts (见矿工程一览表), blocks and outline."""
    return service.estimate_detail(session, actor, _home(request), code, estimate_id)


def _writer(code: str, session: DB, actor: ApiActor) -> None:
    """Refuse a caller who may not write the site before the form's fields are validated
    (a reader who may not write is told so, whatever it sent)."""
    service.writable_site(session, actor, code)


@router.post("/api/v1/sites/{code}/block-estimates", status_code=201,
             response_model=BlockEstimateOut, dependencies=[Depends(_writer)])
async def post_estimate(code: str, request: Request, session: DB, actor: ApiActor,
                        collar: UploadFile, survey: UploadFile, assay: UploadFile,
                        year: Annotated[Year, Form()],
                        grade: Annotated[str, Form(min_length=1,
                                                   max_length=MAX_GRADE_COLUMN_CHARS)],
                        strike_deg: Annotated[Strike, Form()], dip_deg: Annotated[Dip, Form()],
                        density_t_m3: Annotated[Density, Form()],
                        outline: UploadFile | None = None,
                        extrapolation: Annotated[str, Form(max_length=32)] = "half_spacing"
                        ) -> dict[str, Any]:
    """Estimate a mine's orebody by geological blocks from its drillholes (collar, survey,
    assay CSV as ``aurum resources drillholes`` reads them) with its industrial indicators in
    force, check it by kriging and store it; ``outline`` (CSV: u, v in m) or the
    extrapolation (``half_spacing`` or a distance in m) bounds the orebody."""
    files = [await received(f, default) for f, default in (
        (collar, "collar.csv"), (survey, "survey.csv"), (assay, "assay.csv"))]
    shape = (await received(outline, "outline.csv"))[1] if outline is not None else None
    estimate = service.estimate_blocks(
        session, actor, _home(request), code, year, files[0][1], files[1][1], files[2][1],
        grade, strike_deg, dip_deg, density_t_m3, outline=shape, extrapolation=extrapolation)
    return service.estimate_record(estimate)


@router.post("/api/v1/block-estimates/{estimate_id}/publish", status_code=201,
             response_model=StatementOut)
def publish(estimate_id: DbId, body: PublishIn, session: DB, actor: ApiActor
            ) -> dict[str, Any]:
    """Publish an estimate's figures by GB/T category as its year's resource statement."""
    statement = service.publish_block_estimate(session, actor, estimate_id, body.reason)
    return {c: getattr(statement, c) for c in resources.STATEMENT_COLUMNS[1:]} | {
        "id": statement.id}


# --- the page -------------------------------------------------------------------------------

INTERCEPTS = Spec("intercepts", (
    Col("hole"), Col("from_m"), Col("to_m"), Col("length_m"), Col("orebody_grade", digits=2),
    Col("metre_grade", digits=2), Col("true_thickness_m"), Col("category", "label",
                                                                  choices=True),
    Col("x"), Col("y"), Col("z"), Col("azimuth", digits=1), Col("dip", digits=1)))
"""The intercept table (见矿工程一览表) of the latest estimate."""


class IndicatorsForm(IndicatorsIn):
    """The indicators form's typed fields (the API's, with the same bounds)."""


class EstimateForm(BaseModel):
    """The estimate form's typed fields, with the API's bounds."""

    model_config = ConfigDict(extra="forbid")

    year: Year
    grade: str = Field(min_length=1, max_length=MAX_GRADE_COLUMN_CHARS)
    strike_deg: Strike
    dip_deg: Dip
    density_t_m3: Density
    extrapolation: str = Field("half_spacing", max_length=32)


class PublishForm(PublishIn):
    """The publish button's reason."""


_ESTIMATE_FORM = {"grade": "AU", "density_t_m3": "2.7", "extrapolation": ""}
"""The estimate form's first values (a blank extrapolation: half the drill spacing)."""


def _page(request: Request, session: DB, actor: Actor, site_code: str,
          indicators: forms.FormState | None = None, estimate: forms.FormState | None = None,
          publishing: forms.FormState | None = None, status_code: int = 200) -> HTMLResponse:
    view = service.site_view(session, actor, _home(request), site_code)
    current = view.indicators.as_dict()
    figure, table = {}, None
    if view.latest is not None:
        e = view.latest.estimate
        figure = longitudinal_projection(
            view.latest.blocks.to_dict("records"), e.outline or [], view.categories,
            _("Vertical longitudinal projection, %(year)s v%(version)s", year=e.year,
              version=e.version))
        table = table_page(request, view.latest.intercept_rows, INTERCEPTS)
    return render(
        request, "resource_gbt.html", status_code=status_code, actor=actor, view=view,
        figure=figure, intercepts=table,
        indicators_form=indicators or forms.FormState(
            {k: "" if v is None else v for k, v in current.items()}),
        estimate_form=estimate or forms.FormState(_ESTIMATE_FORM),
        publish_form=publishing or forms.FormState({}),
        extrapolation_bounds=EXTRAPOLATIONS.describe(),
        reason_limit=MAX_INDICATOR_REASON_CHARS)


@router.get("/resources/{site_code}/gbt", response_class=HTMLResponse, include_in_schema=False)
def gbt_page(site_code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _page(request, session, actor, site_code)


@router.post("/resources/{site_code}/gbt/indicators", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
def indicators_page(site_code: str, request: Request, session: DB, actor: PageActor,
                    cutoff_gpt: Annotated[str, Form(max_length=64)] = "",
                    min_industrial_gpt: Annotated[str, Form(max_length=64)] = "",
                    min_thickness_m: Annotated[str, Form(max_length=64)] = "",
                    max_waste_m: Annotated[str, Form(max_length=64)] = "",
                    min_metre_grade: Annotated[str, Form(max_length=64)] = "",
                    reason: Annotated[str, Form(max_length=4096)] = "") -> Any:
    """A new version of the mine's indicators from the page's form."""
    typed = {"cutoff_gpt": cutoff_gpt, "min_industrial_gpt": min_industrial_gpt,
             "min_thickness_m": min_thickness_m, "max_waste_m": max_waste_m,
             "min_metre_grade": min_metre_grade, "reason": reason}
    service.writable_site(session, actor, site_code)  # who may write, before what was typed
    try:
        given = forms.parse(IndicatorsForm, typed)
        service.set_indicators(session, actor, site_code,
                               given.model_dump(exclude={"reason"}), given.reason)
    except ValidationError as exc:
        return _page(request, session, actor, site_code,
                     indicators=forms.refused(typed, exc.problems), status_code=422)
    return RedirectResponse(f"/resources/{site_code}/gbt#indicators", status_code=303)


@router.post("/resources/{site_code}/gbt/estimates", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def estimate_page(site_code: str, request: Request, session: DB, actor: PageActor,
                        collar: UploadFile, survey: UploadFile, assay: UploadFile,
                        outline: UploadFile | None = None,
                        year: Annotated[str, Form(max_length=64)] = "",
                        grade: Annotated[str, Form(max_length=256)] = "",
                        strike_deg: Annotated[str, Form(max_length=64)] = "",
                        dip_deg: Annotated[str, Form(max_length=64)] = "",
                        density_t_m3: Annotated[str, Form(max_length=64)] = "",
                        extrapolation: Annotated[str, Form(max_length=64)] = "") -> Any:
    """An estimate from the page's upload form."""
    typed = {"year": year, "grade": grade, "strike_deg": strike_deg, "dip_deg": dip_deg,
             "density_t_m3": density_t_m3, "extrapolation": extrapolation}
    service.writable_site(session, actor, site_code)  # who may write, before what was sent
    try:
        given = forms.parse(EstimateForm, typed)
        files = [(await received(f, name))[1] for f, name in (
            (collar, "collar.csv"), (survey, "survey.csv"), (assay, "assay.csv"))]
        # A browser sends an empty part for a file input left empty.
        shape = (await received(outline, "outline.csv"))[1] if outline is not None else None
        service.estimate_blocks(
            session, actor, _home(request), site_code, given.year, files[0], files[1],
            files[2], given.grade, given.strike_deg, given.dip_deg, given.density_t_m3,
            outline=shape or None, extrapolation=given.extrapolation)
    except ValidationError as exc:
        return _page(request, session, actor, site_code,
                     estimate=forms.refused(typed, exc.problems), status_code=422)
    return RedirectResponse(f"/resources/{site_code}/gbt#latest", status_code=303)


@router.post("/resources/{site_code}/gbt/estimates/{estimate_id}/publish",
             response_class=HTMLResponse, include_in_schema=False, dependencies=[CSRF])
def publish_page(site_code: str, estimate_id: DbId, request: Request, session: DB,
                 actor: PageActor, reason: Annotated[str, Form(max_length=4096)] = "") -> Any:
    """Publish the estimate as the year's statement from the page's button."""
    service.writable_site(session, actor, site_code)  # who may write, before what was typed
    typed = {"reason": reason}
    try:
        given = forms.parse(PublishForm, typed)
        service.publish_block_estimate(session, actor, estimate_id, given.reason)
    except ValidationError as exc:
        return _page(request, session, actor, site_code,
                     publishing=forms.refused(typed, exc.problems), status_code=422)
    return RedirectResponse(f"/resources/{site_code}", status_code=303)
