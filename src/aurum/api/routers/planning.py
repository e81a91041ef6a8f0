"""Pit studies: API and pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import charts, forms
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.planning import (
    PitModelOut,
    PitScenarioIn,
    PitScenarioOut,
    PitStudyOut,
    PitWhatIf,
)
from aurum.api.templating import render
from aurum.core.checks import (
    MAX_SCENARIO_NAME_CHARS,
    DbId,
)
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
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


@router.get("/api/v1/pit/{model_id}/scenarios", response_model=list[PitScenarioOut])
def list_scenarios(model_id: DbId, request: Request, session: DB, actor: ApiActor
                   ) -> list[dict[str, Any]]:
    """The saved scenarios of a resource model, newest first: pit studies kept under a name
    until a user deletes one (a study run as a job is saved as one)."""
    home = request.app.state.platform.settings.home
    return [s.as_dict() for s in service.scenarios(session, actor, home, model_id)]


@router.post("/api/v1/pit/{model_id}/scenarios", status_code=201,
             response_model=PitScenarioOut)
def save_scenario(model_id: DbId, body: PitScenarioIn, request: Request, session: DB,
                  actor: ApiActor) -> dict[str, Any]:
    """Save the pit study of a resource model with the pit page's economics as a named
    scenario (the same economics saved again: renamed). A model holds at most
    ``MAX_SCENARIOS_KEPT`` (409 beyond); a large model's study must have been run first
    (422: run it as a job, which saves it)."""
    home = request.app.state.platform.settings.home
    given = body.model_dump(exclude={"name"})
    return service.save_scenario(session, actor, home, model_id, given, body.name).as_dict()


@router.delete("/api/v1/pit/{model_id}/scenarios/{scenario}", status_code=204,
               response_class=Response)
def delete_scenario(model_id: DbId, scenario: str, request: Request, session: DB,
                    actor: ApiActor) -> Response:
    """Delete a saved scenario (its author, or whoever writes the model's site)."""
    service.delete_scenario(session, actor, request.app.state.platform.settings.home,
                            model_id, scenario)
    return Response(status_code=204)


@router.get("/pit", response_class=HTMLResponse, include_in_schema=False)
def pit_index(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    models = service.study_models(session, actor)
    rows = [{"model_id": m.id, "site": m.site.code, "name": m.name, "n_blocks": m.n_blocks,
             "n_estimated": m.n_estimated} for m in models]
    figure = charts.bars([m.name for m in models], [m.n_estimated for m in models],
                         _("Estimated blocks per resource model"), _("blocks"),
                         x_title=_("resource model"), count=True) if rows else {}
    return render(request, "pits.html", actor=actor, rows=rows, figure=figure,
                  command="aurum pit ultimate --model BLOCKS.csv --economics ECON.yaml")


Typed = Annotated[str, Query(max_length=64)]
"""A number of the pit form as typed: parsed by the route, so a refusal keeps the form."""


@router.get("/pit/{model_id}", response_class=HTMLResponse, include_in_schema=False)
def pit_page(model_id: DbId, request: Request, session: DB, actor: PageActor,
             price_cny_per_g: Typed = "", recovery: Typed = "", processing_cny_per_t: Typed = "",
             mining_cny_per_t: Typed = "", slope_deg: Typed = "",
             min_mining_width_m: Typed = "") -> HTMLResponse:
    typed = {"price_cny_per_g": price_cny_per_g, "recovery": recovery,
             "processing_cny_per_t": processing_cny_per_t,
             "mining_cny_per_t": mining_cny_per_t, "slope_deg": slope_deg,
             "min_mining_width_m": min_mining_width_m}
    home = request.app.state.platform.settings.home
    try:
        given = forms.parse(PitWhatIf, typed).model_dump()
    except ValidationError as exc:
        return _refused_pit_page(request, session, actor, model_id, typed, exc)
    return _pit_page(request, session, actor, service.pit_view(session, actor, home, model_id,
                                                                given))


def _refused_pit_page(request: Request, session: DB, actor: PageActor, model_id: int,
                      typed: dict[str, str], exc: ValidationError) -> HTMLResponse:
    """The pit page again with the refused form as typed (blank fields at their defaults),
    each problem at its field, and no study (none was run)."""
    view = service.pit_view(session, actor, request.app.state.platform.settings.home,
                            model_id, {})
    shown = view.form | {k: v for k, v in typed.items() if v.strip()}
    return _pit_page(request, session, actor, replace(view, figures=None),
                     form=forms.refused(shown, exc.problems), status_code=422)


def _pit_page(request: Request, session: DB, actor: PageActor, view: service.PitView,
              scenario: service.Scenario | None = None, form: forms.FormState | None = None,
              status_code: int = 200) -> HTMLResponse:
    """The pit page of a study (of a saved scenario's with ``scenario``), with the model's
    saved scenarios; ``form`` is a refused form shown again."""
    model_id = view.model.id
    home = request.app.state.platform.settings.home
    job = {"kind": "pit_study", "params": {"model_id": model_id}} if jobs.may_submit(actor) \
        else None
    scenarios = service.scenarios(session, actor, home, model_id)
    page: dict[str, Any] = {
        "actor": actor, "model": view.model, "form": form or forms.FormState(
            view.form | ({"name": scenario.name} if scenario else {})),
        "job": job, "scenario": scenario, "scenarios": scenarios,
        "deletable": {s.key for s in scenarios
                      if service.may_delete_scenario(actor, view.model, s)},
        "may_save": service.may_change_scenarios(actor), "name_chars": MAX_SCENARIO_NAME_CHARS}
    pit = view.figures
    if pit is None:
        return render(request, "pit.html", status_code, summary=None, figures=None, final=None,
                      **page)
    figures = {"shell": charts.pit_shell_3d(pit.blocks, pit.final_index),
               "pitbypit": charts.pit_by_pit_chart(pit.pit_by_pit),
               "cutoffs": charts.cutoff_chart(pit.grade_tonnage, pit.cutoff_lines)}
    return render(request, "pit.html", status_code, summary=pit.summary, figures=figures,
                  final=pit.final, **page)


@router.post("/pit/{model_id}/scenarios", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
def save_scenario_page(model_id: DbId, request: Request, session: DB, actor: PageActor,
                       name: Annotated[str, Form(max_length=MAX_SCENARIO_NAME_CHARS)] = "",
                       price_cny_per_g: Annotated[str, Form(max_length=64)] = "",
                       recovery: Annotated[str, Form(max_length=64)] = "",
                       processing_cny_per_t: Annotated[str, Form(max_length=64)] = "",
                       mining_cny_per_t: Annotated[str, Form(max_length=64)] = "",
                       slope_deg: Annotated[str, Form(max_length=64)] = "",
                       min_mining_width_m: Annotated[str, Form(max_length=64)] = ""
                       ) -> Response:
    typed = {"price_cny_per_g": price_cny_per_g, "recovery": recovery,
             "processing_cny_per_t": processing_cny_per_t,
             "mining_cny_per_t": mining_cny_per_t, "slope_deg": slope_deg,
             "min_mining_width_m": min_mining_width_m}
    service.scenario_model(session, actor, model_id)  # who may save, before what was typed
    try:
        given = forms.parse(PitScenarioIn, typed | {"name": name}).model_dump()
    except ValidationError as exc:
        return _refused_pit_page(request, session, actor, model_id, typed | {"name": name}, exc)
    scenario_name = given.pop("name")
    scenario = service.save_scenario(session, actor, request.app.state.platform.settings.home,
                                     model_id, given, scenario_name)
    return RedirectResponse(scenario.url, status_code=303)


@router.get("/pit/{model_id}/scenarios/{scenario}", response_class=HTMLResponse,
            include_in_schema=False)
def scenario_page(model_id: DbId, scenario: str, request: Request, session: DB,
                  actor: PageActor) -> HTMLResponse:
    view = service.scenario_view(session, actor, request.app.state.platform.settings.home,
                                 model_id, scenario)
    return _pit_page(request, session, actor, view.pit, view.scenario)


@router.post("/pit/{model_id}/scenarios/{scenario}/delete", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
def delete_scenario_page(model_id: DbId, scenario: str, request: Request, session: DB,
                         actor: PageActor) -> RedirectResponse:
    service.delete_scenario(session, actor, request.app.state.platform.settings.home,
                            model_id, scenario)
    return RedirectResponse(f"/pit/{model_id}#scenarios", status_code=303)


@router.get("/pit/{model_id}/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(model_id: DbId, request: Request, session: DB, actor: PageActor,
                 a: Annotated[str, Query(max_length=64)] = "",
                 b: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    """Two saved scenarios side by side: their figures, and the value of their nested pits
    against the tonnes mined (cumulative, smallest pit first)."""
    home = request.app.state.platform.settings.home
    model, compared = service.compared_scenarios(session, actor, home, model_id, [a, b])
    figure = charts.scenario_comparison([(s.name, pits) for s, pits in compared])
    return render(request, "pit_compare.html", actor=actor, model=model,
                  scenarios=[s for s, _pits in compared], figure=finite(figure))
