"""Background jobs: submit, follow, cancel (:mod:`aurum.services.jobs`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.jobs import JobIn, JobInputOut, JobOut
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId
from aurum.services import jobs

router = APIRouter(tags=["jobs"])
API = "/api/v1/jobs"


def _queue(request: Request) -> jobs.JobQueue:
    queue: jobs.JobQueue = request.app.state.jobs
    return queue


@router.post(API, status_code=202, response_model=JobOut)
def submit(body: JobIn, request: Request, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Queue a job (``{"kind", "params"}``); follow it with ``GET /api/v1/jobs/{id}``. The
    caller must be allowed to run the same work directly (another enterprise's model is 404;
    auditors run no jobs, 403)."""
    return jobs.submit(session, actor, _queue(request), body.kind,
                       body.params.model_dump(exclude_none=True)).as_dict()


@router.post(f"{API}/inputs", status_code=201, response_model=JobInputOut)
async def put_input(file: UploadFile, request: Request, actor: ApiActor) -> dict[str, Any]:
    """Keep a file for a job to read (composites, a spec): its digest is what the job's
    parameters name it by. Files are kept by content: the same file sent twice is kept once."""
    name, data = await received(file, "input")
    home = request.app.state.platform.settings.home
    return {"digest": jobs.put_input(actor, home, data), "name": name, "bytes": len(data)}


@router.get(API, response_model=list[JobOut])
def recent(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The caller's latest jobs, newest first."""
    return [j.as_dict() for j in jobs.recent(session, actor)]


@router.get(API + "/{job_id}", response_model=JobOut)
def status(job_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A job's state (queued, running, done, failed, cancelled), progress 0–1, message and
    result."""
    return jobs.status(session, actor, job_id).as_dict()


@router.delete(API + "/{job_id}", response_model=JobOut)
def cancel(job_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Cancel a job: at once if it is queued, at its next step if it runs."""
    return jobs.cancel(session, actor, job_id).as_dict()


@router.get("/jobs", response_class=HTMLResponse, include_in_schema=False)
def jobs_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    rows = jobs.page_rows(session, actor)
    return render(request, "jobs.html", actor=actor, rows=rows,
                  figure=charts.job_durations(rows), may_submit=jobs.may_submit(actor),
                  estimate_command="aurum resources estimate")
