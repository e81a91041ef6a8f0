"""Work safety and monitoring: the hazard register, its clearing statistics, tailings
facilities, sensors and alerts; API under ``/api/v1/safety`` and ``/api/v1/sensors``, pages
under ``/safety``. Roles and scopes are the services' (:mod:`aurum.services.safety`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from aurum.api import charts, forms
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.safety import (
    AckIn,
    AlertOut,
    AlertRow,
    ClearingRow,
    ClearingSummaryOut,
    CriterionRow,
    EscalationOut,
    FacilityDetailOut,
    FacilityIn,
    FacilityOut,
    FacilityRow,
    HazardDetailOut,
    HazardOut,
    HazardRow,
    IngestOut,
    ReadingRow,
    ReadingsIn,
    SensorOut,
    SensorRow,
    StepIn,
    TimelineRow,
    UploadOut,
)
from aurum.api.tables import (
    Col,
    Spec,
    TableFormat,
    display_records,
    records,
    table_page,
    table_responses,
    tabular,
)
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core import i18n
from aurum.core.checks import Day, DbId, Moment
from aurum.core.errors import PermissionDenied, Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.time import today_cst
from aurum.services import cache, monitor, safety
from aurum.services.auth import Actor

router = APIRouter(tags=["safety"])


Action = Literal["classify", "assign", "rectify", "verify", "reject", "close", "reopen"]


def _home(request: Request) -> Any:
    return request.app.state.platform.settings.home


# --- API: hazards ---------------------------------------------------------------------------------


@router.get("/api/v1/safety/criteria",
            responses=table_responses(CriterionRow, "The major-hazard criteria"))
def criteria(actor: ApiActor, format: TableFormat = "json") -> Response:
    """The criteria of major accident hazards (矿安〔2022〕88号) a major hazard names."""
    return tabular(safety.criteria_table(), format, "major-hazard-criteria")


@router.get("/api/v1/safety/hazards", responses=table_responses(HazardRow, "The hazards"))
def list_hazards(session: DB, actor: ApiActor, site: str | None = None,
                 level: str | None = None, state: str | None = None,
                 overdue: bool | None = None, as_of: Day | None = None,
                 format: TableFormat = "json") -> Response:
    """The register, filtered by site, level (general, major, unclassified), state (or
    ``open``) and being past the deadline on ``as_of`` (default today)."""
    frame = safety.list_hazards(session, actor, site=site, level=level, state=state,
                                overdue=overdue, as_of=as_of)
    return tabular(frame, format, "hazards")


@router.post("/api/v1/safety/hazards", status_code=201, response_model=HazardOut)
def report_hazard(body: safety.HazardReport, request: Request, session: DB,
                  actor: ApiActor) -> dict[str, Any]:
    """Report a hazard (enterprise users on their own sites, regulators, admins); with a
    ``level`` it is classified at once."""
    row = safety.report_hazard(session, actor, _home(request), body)
    return safety.hazard_dict(row)


@router.get("/api/v1/safety/hazards/{hazard_id}", response_model=HazardDetailOut)
def get_hazard(hazard_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A hazard, its timeline and the steps the caller may take on it now."""
    row = safety.get_hazard(session, actor, hazard_id)
    return safety.hazard_dict(row) | {
        "timeline": records(safety.timeline(session, actor, hazard_id)),
        "actions": safety.available_actions(actor, row)}


@router.get("/api/v1/safety/hazards/{hazard_id}/timeline",
            responses=table_responses(TimelineRow, "The hazard's timeline"))
def hazard_timeline(hazard_id: DbId, session: DB, actor: ApiActor,
                    format: TableFormat = "json") -> Response:
    """A hazard's timeline: every step, who took it and when."""
    return tabular(safety.timeline(session, actor, hazard_id), format,
                   f"hazard-{hazard_id}-timeline")


@router.post("/api/v1/safety/hazards/{hazard_id}/files", status_code=201,
             response_model=UploadOut)
async def upload_file(hazard_id: DbId, file: UploadFile, request: Request, session: DB,
                      actor: ApiActor, photo: bool = False) -> dict[str, Any]:
    """Store a photo of the hazard (``photo=true``) or evidence of its rectification; the
    SHA-256 returned names it in the ``rectify`` step."""
    name, data = await received(file, "upload")
    digest = safety.upload_file(session, actor, _home(request), hazard_id, data, photo)
    return {"sha256": digest, "filename": name, "photo": photo}


@router.get("/api/v1/safety/hazards/{hazard_id}/files/{digest}", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "The file, as stored"}})
def download_file(hazard_id: DbId, digest: str, request: Request, session: DB,
                  actor: ApiActor) -> FileResponse:
    """A photo or evidence file of the hazard."""
    path = safety.hazard_file(session, actor, _home(request), hazard_id, digest)
    return FileResponse(path, media_type="application/octet-stream", filename=digest)


@router.post("/api/v1/safety/hazards/{hazard_id}/{action}", response_model=HazardOut)
def hazard_step(hazard_id: DbId, action: Action, request: Request, session: DB,
                actor: ApiActor, body: StepIn | None = None) -> dict[str, Any]:
    """Take a step: ``classify`` (level, criterion), ``assign`` (owner, deadline),
    ``rectify`` (evidence), ``verify``, ``reject`` (note), ``close``, ``reopen`` (note,
    deadline, owner). Refusals: 403 (role, or verifying one's own work), 422 (the state
    does not allow it, a missing or bad field); nothing changes then."""
    step = body or StepIn()
    row = safety.act(session, actor, _home(request), hazard_id, action, note=step.note,
                     level=step.level, criterion=step.criterion, owner=step.owner,
                     deadline=step.deadline, evidence=step.evidence)
    return safety.hazard_dict(row)


@router.post("/api/v1/safety/escalate", response_model=list[EscalationOut])
def escalate(session: DB, actor: ApiActor, as_of: Day | None = None
             ) -> list[dict[str, Any]]:
    """Escalate the open hazards past their deadline (regulators, admins): one step per
    tier reached (1, 8, 31 days late)."""
    return safety.escalate_overdue(session, actor, as_of)


@router.get("/api/v1/safety/clearing",
            responses=table_responses(ClearingRow, "Clearing statistics"))
def clearing(session: DB, actor: ApiActor, by: str | None = None, as_of: Day | None = None,
             format: TableFormat = "json") -> Response:
    """Dynamic-clearing statistics per ``site``, ``enterprise`` or ``province`` (none: the
    nation) on ``as_of`` (default today)."""
    return tabular(safety.clearing(session, actor, as_of, by), format,
                   f"clearing-{by or 'nation'}")


@router.get("/api/v1/safety/clearing/summary", response_model=ClearingSummaryOut)
def clearing_summary(session: DB, actor: ApiActor, as_of: Day | None = None
                     ) -> dict[str, Any]:
    """The clearing figures, per province, and the indicator: open major hazards past their
    deadline (target 0)."""
    return safety.clearing_summary(session, actor, as_of)


# --- API: tailings facilities --------------------------------------------------------------------


@router.get("/api/v1/safety/tailings",
            responses=table_responses(FacilityRow, "The tailings facilities"))
def list_facilities(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """The tailings facilities the caller may read: design data (m, m/m, m³, mm), alarm
    level (0-4) and monitoring points."""
    return tabular(safety.facilities_table(session, actor), format, "tailings-facilities")


@router.post("/api/v1/safety/tailings", status_code=201, response_model=FacilityOut)
def register_facility(body: FacilityIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Register a tailings facility of a site (its enterprise, admins)."""
    return safety.facility_dict(safety.register_facility(session, actor, body))


@router.get("/api/v1/safety/tailings/{code}", response_model=FacilityDetailOut)
def facility_state(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A facility, and its alarm state at its latest readings (levels per item and point,
    the hazard it calls for) as :func:`aurum.safety.tailings.facility_alarm` judges it."""
    view = safety.facility_view(session, actor, code, days=7)
    return safety.facility_dict(view.facility) | {
        "state": None if view.state is None else view.state.as_dict()}


# --- API: sensors and alerts ---------------------------------------------------------------------


@router.get("/api/v1/sensors", responses=table_responses(SensorRow, "The sensors"))
def list_sensors(session: DB, actor: ApiActor, site: str | None = None,
                 format: TableFormat = "json") -> Response:
    """The sensors the caller may read."""
    return tabular(safety.list_sensors(session, actor, site), format, "sensors")


@router.post("/api/v1/sensors", status_code=201, response_model=SensorOut)
def register_sensor(body: safety.SensorSpec, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Register a sensor (its site's enterprise, admins)."""
    return safety.sensor_dict(safety.register_sensor(session, actor, body))


@router.get("/api/v1/sensors/alerts", responses=table_responses(AlertRow, "The alerts"))
def list_alerts(session: DB, actor: ApiActor, site: str | None = None,
                facility: str | None = None, acknowledged: bool | None = None,
                min_level: str | None = None, format: TableFormat = "json") -> Response:
    """Alerts, newest first: of a site or facility, standing or acknowledged, from a level."""
    frame = safety.list_alerts(session, actor, site=site, facility=facility,
                                acknowledged=acknowledged, min_level=min_level)
    return tabular(frame, format, "alerts")


@router.post("/api/v1/sensors/alerts/{alert_id}/acknowledge", response_model=AlertOut)
def acknowledge(alert_id: DbId, session: DB, actor: ApiActor,
                body: AckIn | None = None) -> dict[str, Any]:
    """Acknowledge an alert (its site's enterprise, admins)."""
    alert = safety.acknowledge(session, actor, alert_id, (body or AckIn()).note)
    return safety.alert_dict(alert, alert.site.code, alert.sensor.code if alert.sensor
                              else None, alert.facility.code if alert.facility else None,
                              actor.username)


@router.post("/api/v1/sensors/{site}/readings", response_model=IngestOut)
def ingest(site: str, body: ReadingsIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Store readings of a site's sensors in one transaction (readings already stored are
    skipped), judge them and raise alerts; a tailings alarm may open a hazard."""
    return safety.ingest_records(session, actor, site, body.readings).as_dict()


@router.get("/api/v1/sensors/{site}/{code}", response_model=SensorOut)
def get_sensor(site: str, code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A sensor: kind, unit, position, rules and its current level."""
    return safety.sensor_dict(safety.get_sensor(session, actor, site, code))


@router.put("/api/v1/sensors/{site}/{code}/rules", response_model=SensorOut)
def set_rules(site: str, code: str, session: DB, actor: ApiActor,
              rules: list[dict[str, Any]] = Body(...)) -> dict[str, Any]:
    """Replace a sensor's alarm rules (a list of ``kind``, ``levels``, ``direction``,
    ``window_h``, ``per_h``...; see :func:`aurum.services.safety.parse_rules`)."""
    return safety.sensor_dict(safety.set_rules(session, actor, site, code, rules))


@router.get("/api/v1/sensors/{site}/{code}/readings",
            responses=table_responses(ReadingRow, "The sensor's readings"))
def sensor_readings(site: str, code: str, session: DB, actor: ApiActor,
                    start: Moment | None = None, end: Moment | None = None,
                    format: TableFormat = "json") -> Response:
    """A sensor's readings between ``start`` and ``end`` (ISO 8601), in its unit."""
    frame = safety.sensor_readings(session, actor, site, code, start, end)
    return tabular(frame, format, f"readings-{site}-{code}")


# --- pages ---------------------------------------------------------------------------------------

Page = HTMLResponse


def _site_choices(session: DB, actor: Actor) -> list[tuple[str, str]]:
    """The sites a hazard can be reported at, as the form's options (code, code · name)."""
    frame = monitor.scope_data(session, actor).sites
    if frame.empty:
        return []
    frame = frame.sort_values("site")
    return [(str(code), f"{code} · {name}")
            for code, name in zip(frame["site"], frame["site_name"], strict=True)]


def _criterion_choices(criteria: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The criteria of a major hazard as a form's options (none first), each with its clause
    and its text, in Chinese or English, cut to 90 characters."""
    chinese = i18n.is_chinese()
    return [("", "")] + [(c["id"], f"{c['id']} {c['clause']} · "
                                   f"{(c['zh'] if chinese else c['en'])[:90]}")
                         for c in criteria]


HAZARDS = Spec("hazards", (
    Col("id", "link:/safety/hazards/"), Col("site"), Col("title"), Col("level", "label"),
    Col("criterion"), Col("state", "label"), Col("owner"), Col("deadline"), Col("days_overdue"),
    Col("escalation"), Col("reported_on"), Col("enterprise"), Col("province", "province")))
"""The hazard register's table (its level, state and site filters are the register's own)."""

ALERTS = Spec("alerts", (
    Col("id"), Col("time"), Col("site"), Col("source", "label", choices=True),
    Col("level", "label", choices=True), Col("message"), Col("hazard_id"),
    Col("acknowledged")))
"""The alerts page's table."""


@router.get("/safety", response_class=HTMLResponse, include_in_schema=False)
def register_page(request: Request, session: DB, actor: PageActor, site: str = "",
                  level: str = "", state: str = "", overdue: str = "") -> Response:
    return _register_page(request, session, actor, site, level, state, overdue)


def _register_page(request: Request, session: DB, actor: Actor, site: str = "",
                   level: str = "", state: str = "", overdue: str = "",
                   problems: list[Problem] | None = None, form: dict[str, Any] | None = None,
                   status_code: int = 200) -> Response:
    view = safety.register_view(session, actor, site, level, state, overdue)
    table = table_page(request, view.hazards, HAZARDS)
    if table.query.format:
        return table.download()
    # The map of every hazard is the same whatever the filters: built once per day (days
    # overdue) and data version.
    figure = cache.cached(cache.scope_key(session, actor, "hazard-map", today_cst()),
                          lambda: charts.hazard_map(view.everything))
    return render(request, "safety_register.html", status_code=status_code, actor=actor,
                  table=table, figure=figure,
                  filters={"site": site, "level": level, "state": state,
                           "overdue": overdue},
                  states=view.states, levels=view.levels, sites=_site_choices(session, actor),
                  criteria=_criterion_choices(view.criteria),
                  form=forms.refused(form or {}, problems or []),
                  can_report=view.can_report, query=str(request.url.query))


def _float(text: str, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(Problem(_("expected a number, got %(value)r", value=text),
                                      column=column)) from None


@router.post("/safety/hazards", include_in_schema=False, dependencies=[CSRF])
async def report_page(request: Request, session: DB, actor: PageActor,
                      site: Annotated[str, Form()], title: Annotated[str, Form()] = "",
                      description: Annotated[str, Form()] = "",
                      area: Annotated[str, Form()] = "", level: Annotated[str, Form()] = "",
                      criterion: Annotated[str, Form()] = "",
                      lon: Annotated[str, Form()] = "", lat: Annotated[str, Form()] = "",
                      photo: UploadFile | None = None) -> Response:
    form = {"site": site, "title": title, "description": description, "area": area,
            "level": level, "criterion": criterion, "lon": lon, "lat": lat}
    home = _home(request)
    try:
        photos = []
        data = (await received(photo, "photo"))[1] if photo is not None and photo.filename \
            else b""
        if data:
            photos.append(safety.put_file(home, data))
        # Every check comes before the first write: a refusal leaves nothing behind.
        row = safety.report_hazard(session, actor, home, safety.HazardReport(
            site, title, description, area=area or None, lon=_float(lon, "lon"),
            lat=_float(lat, "lat"), photos=photos, level=level or None,
            criterion=criterion or None))
    except (ValidationError, PermissionDenied) as exc:
        problems = exc.problems if isinstance(exc, ValidationError) else [Problem(str(exc))]
        return _register_page(request, session, actor, problems=problems, form=form,
                              status_code=422 if isinstance(exc, ValidationError) else 403)
    return RedirectResponse(f"/safety/hazards/{row.id}", status_code=303)


def _hazard_page(request: Request, session: DB, actor: Actor, hazard_id: int,
                 problems: list[Problem] | None = None, status_code: int = 200,
                 action: str = "", typed: dict[str, str] | None = None) -> Page:
    """A hazard's page; after a refused step, that step's form as typed with its problems
    (``action``, ``typed``), the other steps' forms new."""
    view = safety.hazard_view(session, actor, hazard_id)
    new = {"owner": view.hazard.get("owner") or ""}
    steps = {a: forms.refused(typed or {}, problems or []) if a == action
             else forms.FormState(new) for a in view.actions}
    return render(request, "safety_hazard.html", status_code=status_code, actor=actor,
                  hazard=view.hazard, facility=view.facility,
                  events=display_records(view.events),
                  figure=charts.hazard_timeline(view.events, view.deadline),
                  actions=view.actions, criteria=_criterion_choices(view.criteria),
                  steps=steps,
                  problems=[] if action in steps else problems or [])


@router.get("/safety/hazards/{hazard_id}", response_class=HTMLResponse,
            include_in_schema=False)
def hazard_page(hazard_id: DbId, request: Request, session: DB, actor: PageActor) -> Page:
    return _hazard_page(request, session, actor, hazard_id)


@router.get("/safety/hazards/{hazard_id}/files/{digest}", include_in_schema=False)
def hazard_file_page(hazard_id: DbId, digest: str, request: Request, session: DB,
                     actor: PageActor) -> FileResponse:
    path = safety.hazard_file(session, actor, _home(request), hazard_id, digest)
    return FileResponse(path, media_type="application/octet-stream", filename=digest)


@router.post("/safety/hazards/{hazard_id}/{action}", include_in_schema=False,
             dependencies=[CSRF])
async def step_page(hazard_id: DbId, action: Action, request: Request, session: DB,
                    actor: PageActor, note: Annotated[str, Form()] = "",
                    level: Annotated[str, Form()] = "",
                    criterion: Annotated[str, Form()] = "",
                    owner: Annotated[str, Form()] = "",
                    deadline: Annotated[str, Form()] = "",
                    evidence: list[UploadFile] | None = None) -> Response:
    home = _home(request)
    typed = {"note": note, "level": level, "criterion": criterion, "owner": owner,
             "deadline": deadline}
    try:
        day = date.fromisoformat(deadline) if deadline.strip() else None
    except ValueError:
        return _hazard_page(request, session, actor, hazard_id, [Problem(
            _("expected a deadline as YYYY-MM-DD, got %(value)r", value=deadline),
            column="deadline")], 422, action, typed)
    try:
        refs = [safety.put_file(home, data) for data in
                [(await received(f, "evidence"))[1] for f in evidence or [] if f.filename]
                if data]
        safety.act(session, actor, home, hazard_id, action, note=note, level=level or None,
                   criterion=criterion or None, owner=owner or None, deadline=day,
                   evidence=refs)
    except ValidationError as exc:
        return _hazard_page(request, session, actor, hazard_id, exc.problems, 422, action,
                            typed)
    except PermissionDenied as exc:
        return _hazard_page(request, session, actor, hazard_id, [Problem(str(exc))], 403,
                            action, typed)
    return RedirectResponse(f"/safety/hazards/{hazard_id}", status_code=303)


@router.get("/safety/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request, session: DB, actor: PageActor,
                   as_of: Day | None = None) -> Page:
    view = safety.dashboard_view(session, actor, as_of)
    figures = {"indicator": charts.indicator_history(view.history, view.target),
               "ages": charts.age_distribution(view.ages)}
    if not view.provinces.empty:
        figures["provinces"] = charts.clearing_by_province(view.provinces)
    return render(request, "safety_dashboard.html", actor=actor, summary=view.summary,
                  figures=figures, provinces=display_records(view.provinces),
                  enterprises=display_records(view.enterprises))


@router.get("/safety/tailings", response_class=HTMLResponse, include_in_schema=False)
def tailings_page(request: Request, session: DB, actor: PageActor) -> Page:
    rows = safety.facility_rows(session, actor)
    figure = charts.alarm_levels_chart([r["code"] for r in rows], [r["alarm"] for r in rows],
                                       _("Alarm level of the monitored facilities"))
    return render(request, "safety_tailings.html", actor=actor, rows=rows, figure=figure)


@router.get("/safety/tailings/{code}", response_class=HTMLResponse, include_in_schema=False)
def facility_page(code: str, request: Request, session: DB, actor: PageActor,
                  days: float = 30.0) -> Page:
    page = safety.facility_page(session, actor, request.app.state.platform.settings.home,
                                request.app.state.jobs, code, days)
    # Built again once the series being computed are stored (which writes no audited data).
    figures = cache.cached(cache.scope_key(session, actor, "facility-figures", code, days,
                                           page.pending is None),
                           lambda: {s.item: charts.sensor_levels_chart(
                               s.series, s.thresholds, s.title, s.unit) for s in page.items})
    return render(request, "safety_facility.html", actor=actor, facility=page.facility,
                  items=page.items, figures=figures, state=page.state,
                  alerts=display_records(page.alerts), hazards=display_records(page.hazards),
                  colours=charts.ALARM_COLOURS, writable=page.writable, pending=page.pending)


@router.get("/safety/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, session: DB, actor: PageActor, site: str = "",
                standing: str = "") -> Response:
    frame = safety.list_alerts(session, actor, site=site or None,
                               acknowledged=False if standing == "yes" else None)
    table = table_page(request, frame, ALERTS)
    if table.query.format:
        return table.download()
    # The chart as before: the latest 500 alerts (the table pages through all of them).
    return render(request, "safety_alerts.html", actor=actor, table=table,
                  figure=charts.alerts_chart(frame.head(500)),
                  writable=safety.writable_sites(session, actor), colours=charts.ALARM_COLOURS,
                  filters={"site": site, "standing": standing})


@router.post("/safety/alerts/{alert_id}/acknowledge", include_in_schema=False,
             dependencies=[CSRF])
def acknowledge_page(alert_id: DbId, request: Request, session: DB, actor: PageActor,
                     note: Annotated[str, Form()] = "",
                     back: Annotated[str, Form()] = "/safety/alerts") -> Response:
    safety.acknowledge(session, actor, alert_id, note)
    target = back if back.startswith("/safety") else "/safety/alerts"
    return RedirectResponse(target, status_code=303)
