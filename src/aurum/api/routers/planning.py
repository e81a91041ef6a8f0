"""Pit studies: API and pages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.templating import render
from aurum.core.checks import DbId, GoldPrice, MiningWidth, Recovery, SlopeAngle, UnitCost
from aurum.core.jsonsafe import finite
from aurum.resources.report import grade_tonnage
from aurum.services import planning as service

router = APIRouter(tags=["planning"])


def _result(study: service.StoredStudy) -> dict[str, Any]:
    return {"model_id": study.model.id, "site": study.model.site.code,
            "economics": study.economics, **study.summary}


@router.get("/api/v1/pit/models")
def list_models(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """Resource models a pit study can run on."""
    return [{"model_id": m.id, "site": m.site.code, "name": m.name, "n_blocks": m.n_blocks}
            for m in service.study_models(session, actor)]


@router.post("/api/v1/pit/models/{model_id}/study")
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


@router.get("/api/v1/pit/models/{model_id}/study")
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
    defaults = service.DEFAULT_ECONOMICS
    mill = defaults["processes"][0]
    given = {"price_cny_per_g": (price_cny_per_g, defaults["market"]["price_cny_per_g"]),
             "recovery": (recovery, mill["recovery"]),
             "processing_cny_per_t": (processing_cny_per_t, mill["cost_cny_per_t"]),
             "mining_cny_per_t": (mining_cny_per_t, defaults["mining"]["base_cny_per_t"]),
             "slope_deg": (slope_deg, defaults["slopes"]),
             "min_mining_width_m": (min_mining_width_m,
                                    defaults["pushbacks"]["min_mining_width_m"])}
    form = {k: default if v is None else v for k, (v, default) in given.items()}
    changes = {"market": {"price_cny_per_g": form["price_cny_per_g"]},
               "processes": [{**mill, "recovery": form["recovery"],
                              "cost_cny_per_t": form["processing_cny_per_t"]}],
               "mining": {"base_cny_per_t": form["mining_cny_per_t"]},
               "slopes": form["slope_deg"],
               "pushbacks": {"min_mining_width_m": form["min_mining_width_m"]}}
    home = request.app.state.platform.settings.home
    study = service.pit_study_of_model(session, actor, home, model_id, changes)
    summary = study.summary
    final_index = int(np.flatnonzero(np.isclose(
        [r["factor"] for r in summary["pit_by_pit"]], 1.0))[0])
    blocks = study.blocks
    pit = blocks[(blocks["first_pit"] >= 0) & (blocks["first_pit"] <= final_index)]
    top = float(np.nanpercentile(blocks["grade_gpt"], 99)) if len(blocks) else 1.0
    gt = grade_tonnage(pit["tonnes_t"].to_numpy(), pit["grade_gpt"].to_numpy(),
                       np.round(np.linspace(0.0, max(top, 0.1), 30), 3))
    lines = {f"break-even ({c['process']})": c["breakeven_gpt"] for c in summary["cutoffs"]}
    lines |= {f"marginal ({c['process']})": c["marginal_gpt"] for c in summary["cutoffs"]}
    if summary["lane"]:
        lines["Lane optimum"] = summary["lane"]["optimum"]
    figures = {"shell": charts.pit_shell_3d(blocks, final_index),
               "pitbypit": charts.pit_by_pit_chart(
                   pd.DataFrame(summary["pit_by_pit"])),
               "cutoffs": charts.cutoff_chart(gt, lines)}
    return render(request, "pit.html", actor=actor, model=study.model, summary=summary,
                  figures=figures, form=form, final=summary["pit_by_pit"][final_index])
