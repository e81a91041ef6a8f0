"""The pages of one statistical report: the form (draft, submission, amendment), the upload,
a report with its versions and review, and the regulators' review queue.

Each page parses, calls one service (:mod:`aurum.services.reporting`,
:mod:`aurum.services.review`) and renders; who may take which step is the service's answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api.deps import CSRF, DB, PageActor
from aurum.api.tables import display_records as records
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core import checks
from aurum.core.checks import DbId
from aurum.core.errors import ConflictError, ValidationError
from aurum.core.i18n import _
from aurum.services import jobs, reporting, review

router = APIRouter(include_in_schema=False)
Page = HTMLResponse


def _report_form(request: Request, session: DB, actor: PageActor, **context: Any) -> Page:
    context.setdefault("values", {})
    context.setdefault("problems", [])
    context.setdefault("amend", None)
    context.setdefault("saved", False)
    return render(request, "report_form.html", actor=actor, groups=reporting.field_groups(),
                  sites=records(reporting.writable_sites(session, actor)),
                  drafts=records(review.drafts(session, actor)),
                  max_reason=checks.MAX_REVIEW_REASON_CHARS,
                  status_code=context.pop("status", 200), **context)


def _shown(values: dict[str, Any]) -> dict[str, str]:
    """Stored values as the form shows them: numbers as typed, nothing for not reported."""
    return {k: ("" if v is None else f"{v:g}" if isinstance(v, float) else str(v))
            for k, v in values.items() if v is not None}


@router.get("/reports/new", response_class=HTMLResponse)
def new_report(request: Request, session: DB, actor: PageActor, site: str | None = None,
               period: str | None = None, draft: DbId | None = None,
               report: DbId | None = None, saved: bool = False) -> Page:
    """The form: empty, a saved draft (``draft``), or the amendment of a stored report
    (``report``, filled with its version now)."""
    if report is not None:
        view = reporting.report_view(session, actor, report)
        return _report_form(request, session, actor, site=view.report.site.code,
                            period=view.report.period, amend=view.report,
                            values=_shown(view.history[-1]["values"]))
    if draft is not None:
        kept = review.get_draft(session, actor, draft)
        return _report_form(request, session, actor, site=kept.site.code, period=kept.period,
                            values=dict(kept.values), draft_id=kept.id, saved=saved)
    return _report_form(request, session, actor, site=site, period=period)


@router.post("/reports/new", response_class=HTMLResponse, dependencies=[CSRF])
async def post_report(request: Request, session: DB, actor: PageActor) -> Any:
    """Save the form as a draft (``action=draft``) or submit it (with a reason: amend)."""
    form = await request.form()
    site_code = str(form.get("site", ""))
    period = str(form.get("period", ""))
    reason = str(form.get("reason", "")).strip() or None
    action = str(form.get("action", "submit"))
    values = {f.name: str(form.get(f.name, "")).strip() for f in reporting.FIELDS}
    filled = {k: v for k, v in values.items() if v}
    amended = reporting.get_report(session, actor, int(str(form["report"]))) if str(
        form.get("report", "")).isdigit() else None
    try:
        with session.begin_nested():
            if action == "draft":
                kept = review.save_draft(session, actor, site_code, period, filled)
            elif amended is not None:
                version = review.amend(session, actor, amended.id, filled, reason or "")
            else:
                version = review.submit(session, actor, site_code, period, filled, reason)
    except (ValidationError, ConflictError) as exc:
        # The form again with what the user typed; a step out of scope is the error page.
        problems = exc.problems if isinstance(exc, ValidationError) else [str(exc)]
        return _report_form(request, session, actor, site=site_code, period=period,
                            values=values, reason=reason, problems=problems, amend=amended,
                            status=422 if isinstance(exc, ValidationError) else 409)
    if action == "draft":
        return RedirectResponse(f"/reports/new?draft={kept.id}&saved=1", status_code=303)
    return RedirectResponse(f"/reports/{version.report_id}", status_code=303)


@router.post("/reports/upload", response_class=HTMLResponse, dependencies=[CSRF])
async def upload(request: Request, session: DB, actor: PageActor,
                 file: Annotated[UploadFile, Form()]) -> Page:
    name, data = await received(file, "upload.csv")
    try:
        with session.begin_nested():
            outcome = reporting.import_or_queue(session, actor, request.app.state.jobs, data,
                                                name)
    except ValidationError as exc:
        return render(request, "upload_result.html", actor=actor, filename=name, result=None,
                      job=None, problems=exc.problems, omitted=exc.omitted, status_code=422)
    if isinstance(outcome, jobs.JobView):  # a large file: its job's progress, and a cancel
        return render(request, "upload_result.html", actor=actor, filename=name, result=None,
                      job=outcome, problems=[], omitted=0, status_code=202)
    return render(request, "upload_result.html", actor=actor, filename=name, result=outcome,
                  job=None, problems=[], omitted=0)


@router.get("/reports/review", response_class=HTMLResponse)
def review_queue(request: Request, session: DB, actor: PageActor) -> Page:
    """The reports of the reader's province (the nation's, for a national regulator) that
    wait for review, oldest first."""
    return render(request, "review_queue.html", actor=actor,
                  rows=records(review.review_queue(session, actor)))


def _report_page(request: Request, session: DB, actor: PageActor, report_id: int,
                 problems: list[Any] | None = None, status: int = 200) -> Page:
    view = reporting.report_view(session, actor, report_id)
    figure = {"data": [{"type": "bar", "name": f"v{h['version']}", "x": view.shown,
                        "y": [h["values"].get(n) for n in view.shown]} for h in view.history],
              "layout": {"title": {"text": _("Values by version (fields that changed)")
                                   if view.changed else _("Values by version")}, "barmode": "group",
                  "height": 300, "margin": {"t": 40, "b": 80}}}
    return render(request, "report.html", actor=actor, report=view.report,
                  history=view.history, fields=reporting.FIELDS, changed=set(view.changed),
                  figure=figure, due=view.due, review=review.review_view(session, actor,
                                                                         report_id),
                  problems=problems or [], max_reason=checks.MAX_REVIEW_REASON_CHARS,
                  status_code=status)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report(report_id: DbId, request: Request, session: DB, actor: PageActor) -> Page:
    return _report_page(request, session, actor, report_id)


@router.post("/reports/{report_id}/review", response_class=HTMLResponse, dependencies=[CSRF])
def review_step(report_id: DbId, request: Request, session: DB, actor: PageActor,
                action: Annotated[Literal["accept", "return"], Form()],
                reason: Annotated[str, Form(max_length=checks.MAX_REVIEW_REASON_CHARS
                                            + 100)] = "") -> Any:
    """Accept (``action=accept``) or return with a reason (``action=return``); a refused
    step shows the report again with what was wrong."""
    try:
        with session.begin_nested():
            if action == "accept":
                review.accept(session, actor, report_id)
            else:
                review.return_report(session, actor, report_id, reason)
    except (ValidationError, ConflictError) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [str(exc)]
        return _report_page(request, session, actor, report_id, problems,
                            422 if isinstance(exc, ValidationError) else 409)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)
