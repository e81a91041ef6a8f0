"""Pit studies: API and pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.planning import PitModelOut, PitStudyOut
from aurum.api.templating import render
from aurum.core.checks import DbId, GoldPrice, MiningWidth, Recovery, SlopeAngle, UnitCost
from aurum.core.jsonsafe import finite
from aurum.services import jobs
from aurum.services import planning as service

router = APIRouter(tags=["planning"])


def _result(study: service.StoredStudy) -> dict[str, Any]:
    return {"model_id": study.model.id, "site": study.model.site.code,
            "economics": study.economics, **study.summary}


@router.get("/api/v1/pit/models", response_model=list[PitModelOut])
def list_models(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """Resource models a pit study can run on."""
    return [{"model_id": m.id, "site": m.site.code, "name": m.name, "n_blocks": m.n_blocks}
            for m in service.study_models(session, actor)]


# Unset keys left out: the economics echo only the optional keys the caller gave.
@router.post("/api/v1/pit/models/{model_id}/study", response_model=PitStudyOut,
             response_model_exclude_unset=True)
def run_study(model_id: DbId, request: Request, session: DB, actor: ApiActor,
              economics: dict[str, Any] | None = Body(default=None)) -> dict[str, Any]:
    """The pit study of a resource model: ultimate pit, nested pits (pit by pit with best and
    worst discounted values), pushbacks with their minimum mining width, and cut-offs.

    The body holds the economics that differ from the defaults (``GET`` the same path for
    them), with the keys of ``aurum.planning.study``: prices in CNY/g, costs in CNY/t, slopes
    in degrees, widths in m, within the bounds of ``aurum.core.checks``; a study that would
    take more memory than ``MAX_PIT_STUDY_BYTES`` is refused (422)."""
    home = request.app.state.platform.settings.home
    return finite(_result(service.pit_study_of_model(session, actor, home, model_id,
                                                     economics)))


@router.get("/api/v1/pit/models/{model_id}/study", response_model=PitStudyOut,
            response_model_exclude_unset=True)
def default_study(model_id: DbId, request: Request, session: DB, actor: ApiActor
                  ) -> dict[str, Any]:
    """The pit study of a resource model with the default economics."""
    home = request.app.state.platform.settings.home
    return finite(_result(service.pit_study_of_model(session, actor, home, model_id)))


@router.get("/pit", response_class=HTMLResponse, include_in_schema=False)
def pit_index(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    models = service.study_models(session, actor)
    rows = [{"model_id": m.id, "site": m.site.code, "name": m.name, "n_blocks": m.n_blocks,
             "n_estimated": m.n_estimated} for m in models]
    figure = {"data": [{"type": "bar", "x": [r["name"] for r in rows],
                        "y": [r["n_estimated"] for r in rows], "marker": {"color": "#b8860b"}}],
              "layout": {"title": {"text": "Estimated blocks per resource model"},
                         "height": 280, "yaxis": {"title": {"text": "blocks"}}}} if rows else {}
    return render(request, "pits.html", actor=actor, rows=rows, figure=figure)


@router.get("/pit/{model_id}", response_class=HTMLResponse, include_in_schema=False)
def pit_page(model_id: DbId, request: Request, session: DB, actor: PageActor,
             price_cny_per_g: GoldPrice | None = None, recovery: Recovery | None = None,
             processing_cny_per_t: UnitCost | None = None,
             mining_cny_per_t: UnitCost | None = None, slope_deg: SlopeAngle | None = None,
             min_mining_width_m: MiningWidth | None = None) -> HTMLResponse:
    given = {"price_cny_per_g": price_cny_per_g, "recovery": recovery,
             "processing_cny_per_t": processing_cny_per_t,
             "mining_cny_per_t": mining_cny_per_t, "slope_deg": slope_deg,
             "min_mining_width_m": min_mining_width_m}
    view = service.pit_view(session, actor, request.app.state.platform.settings.home,
                            model_id, given)
    job = {"kind": "pit_study", "params": {"model_id": model_id}} if jobs.may_submit(actor) \
        else None
    pit = view.figures
    if pit is None:
        return render(request, "pit.html", actor=actor, model=view.model, form=view.form,
                      job=job, summary=None, figures=None, final=None)
    figures = {"shell": charts.pit_shell_3d(pit.blocks, pit.final_index),
               "pitbypit": charts.pit_by_pit_chart(pit.pit_by_pit),
               "cutoffs": charts.cutoff_chart(pit.grade_tonnage, pit.cutoff_lines)}
    return render(request, "pit.html", actor=actor, model=view.model, summary=pit.summary,
                  figures=figures, form=view.form, final=pit.final, job=job)
