"""Regional consolidation studies (issue 23): API and pages. A study is solved when it is
stored (or by a ``structure_solve`` job when it is large); the pages read the stored result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from aurum.api.charts.common import bars
from aurum.api.charts.structure import flow_map, scenario_chart
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.structure import StudyDetailOut, StudyIn, StudyOut, StudyPostOut
from aurum.api.templating import render
from aurum.core.checks import DbId
from aurum.core.i18n import _
from aurum.services import jobs
from aurum.services import structure as service

router = APIRouter(tags=["structure"])
API = "/api/v1/structure/studies"


@router.get(API, response_model=list[StudyOut])
def list_studies(session: DB, actor: ApiActor,
                 province: str | None = Query(default=None, max_length=32)
                 ) -> list[dict[str, Any]]:
    """The consolidation studies the caller may read, newest first (at most 200)."""
    return [service.study_record(s, detail=False)
            for s in service.studies(session, actor, province)]


@router.post(API, status_code=201, response_model=StudyPostOut)
def post_study(body: StudyIn, request: Request, session: DB, actor: ApiActor
               ) -> dict[str, Any]:
    """Store a study and solve its four scenarios (status quo, closing backward capacity, a
    new central mill, a price change): now when it has at most 20,000 mine × plant pairs
    (``study``), else by a ``structure_solve`` job (``job``, followed at /api/v1/jobs)."""
    inputs = body.model_dump(exclude={"province", "name"})
    queue: jobs.JobQueue = request.app.state.jobs
    done = service.create_study(session, actor, body.province, body.name, inputs, queue)
    if isinstance(done, jobs.JobView):
        return {"study": None, "job": done.as_dict()}
    return {"study": service.study_record(done), "job": None}


@router.get(API + "/{study_id}", response_model=StudyDetailOut)
def get_study(study_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A study with its solved scenarios and its regional-mine proposals."""
    return service.study_record(service.study(session, actor, study_id))


# --- the pages ------------------------------------------------------------------------------


@router.get("/structure", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    rows = service.index_rows(session, actor)
    target = service.large_mine_target_pct()
    shown = [r for r in rows if r["best_share_after_pct"] is not None]
    figure = bars([f"{r['name']} ({r['id']})" for r in shown],
                  [r["best_share_after_pct"] for r in shown],
                  _("Share of mines ≥ 500 t/d after the best scenario"), _("share (%)"),
                  reference=target, key="large_mine_output_share_pct") if shown else None
    return render(request, "structure_index.html", actor=actor, studies=rows, figure=figure)


@router.get("/structure/{study_id}", response_class=HTMLResponse, include_in_schema=False)
def study_page(study_id: DbId, request: Request, session: DB, actor: PageActor,
               scenario: str | None = Query(default=None, max_length=32)) -> HTMLResponse:
    row = service.study(session, actor, study_id)
    record = service.study_record(row)
    scenarios = record["scenarios"]
    chosen = next((s for s in scenarios if s["key"] == scenario), None) or next(
        (s for s in scenarios if s["key"] == "central_mill"), scenarios[-1] if scenarios
        else None)
    figures = {} if chosen is None else {
        "map": flow_map(row.province, row.inputs, chosen),
        "scenarios": scenario_chart(scenarios, service.large_mine_target_pct())}
    return render(request, "structure_study.html", actor=actor, study=record,
                  inputs=row.inputs, chosen=chosen, figures=figures)
