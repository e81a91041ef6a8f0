"""Microseismic monitoring: API under ``/api/v1/seismic`` and the pages ``/seismic``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from aurum.api import charts
from aurum.api.deps import DB, ApiActor, PageActor
from aurum.api.schemas.seismic import (
    CatalogueImportOut,
    CatalogueSiteOut,
    CatalogueStatisticsOut,
    EventRelocationOut,
    EventReviewOut,
    EventRow,
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
from aurum.core.checks import DbId, Moment
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.services import cache, seismic

router = APIRouter(tags=["seismic"])


@router.get("/api/v1/seismic/sites", response_model=list[CatalogueSiteOut])
def catalogue_sites(session: DB, actor: ApiActor) -> list[dict[str, object]]:
    """Sites with a seismic catalogue: events, first and last origin time, largest Mw."""
    return records(seismic.catalogue_sites(session, actor))


@router.get("/api/v1/seismic/{site}/events",
            responses=table_responses(EventRow, "The site's events, in time order"))
def events(site: str, session: DB, actor: ApiActor, start: Moment | None = None,
           end: Moment | None = None, status: str | None = None,
           format: TableFormat = "json") -> Response:
    """Events of a site's catalogue (positions m, moment N·m, energy J, apparent stress Pa,
    apparent volume m³, corner frequency Hz) as JSON, CSV or Excel."""
    frame = seismic.events_frame(session, actor, site, start=start, end=end, status=status)
    return tabular(frame, format, f"seismic-events-{site}")


@router.get("/api/v1/seismic/{site}/quakeml", response_class=Response,
            responses={200: {"description": "QuakeML 1.2", "content": {"application/xml": {}}}})
def quakeml(site: str, session: DB, actor: ApiActor) -> Response:
    """The catalogue (rejected events left out) and its picks as QuakeML."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{site}.xml"
        seismic.export_quakeml(session, actor, site, path)
        body = path.read_bytes()
    return Response(body, media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="seismic-{site}.xml"'})


@router.post("/api/v1/seismic/{site}/import", status_code=201, response_model=CatalogueImportOut)
async def import_file(site: str, file: UploadFile, session: DB, actor: ApiActor
                      ) -> dict[str, Any]:
    """Import a QuakeML file (``.xml``, ``.qml``) or an IMS catalogue month (``.parquet``);
    events already stored are skipped. Hazard rules run afterwards: the alerts raised are
    returned."""
    name, data = await received(file, "upload")
    result = seismic.import_upload(session, actor, site, name, data)
    return finite(result.as_dict())


@router.post("/api/v1/seismic/{site}/events/{event_id}/review", response_model=EventReviewOut)
def review(site: str, event_id: DbId, session: DB, actor: ApiActor,
           action: str = Body(embed=True), event_type: str | None = Body(None, embed=True)
           ) -> dict[str, Any]:
    """Review an event: ``accept``, ``reject`` or ``type`` (with ``event_type``)."""
    ev = seismic.review(session, actor, site, event_id, action, event_type)
    return {"id": ev.id, "status": ev.status, "event_type": ev.event_type}


@router.post("/api/v1/seismic/{site}/events/{event_id}/relocate",
             response_model=EventRelocationOut)
def relocate(site: str, event_id: DbId, session: DB, actor: ApiActor,
             picks: list[dict[str, Any]] = Body(embed=True)) -> dict[str, Any]:
    """Relocate an event from edited picks (``station, phase, time`` in POSIX s, ``weight``)."""
    ev = seismic.relocate(session, actor, site, event_id, picks)
    return {"id": ev.id, "x": ev.x, "y": ev.y, "z": ev.z, "time": ev.time.isoformat(),
            "status": ev.status}


@router.get("/api/v1/seismic/{site}/statistics", response_model=CatalogueStatisticsOut)
def statistics(site: str, session: DB, actor: ApiActor, start: Moment | None = None,
               end: Moment | None = None, magnitude: str = "mw", delta_m: float = 0.1,
               mc: float | None = None, window_events: int = 200) -> dict[str, Any]:
    """Mc, b-value (Shi & Bolt error) and a-value; moving-window b and rate (events/day);
    cumulative apparent volume (m³); energy-index trend."""
    result = seismic.statistics(session, actor, site, start=start, end=end,
                                magnitude=magnitude, delta_m=delta_m, mc=mc,
                                window_events=window_events)
    return finite(result.as_dict())


@router.get("/seismic", response_class=HTMLResponse, include_in_schema=False)
def seismic_index(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    sites = seismic.catalogue_sites(session, actor)
    figure = charts.bars(sites["site"].tolist(), sites["events"].astype(float).tolist(),
                         _("Events per catalogue"), _("events"))
    return render(request, "seismic.html", actor=actor, rows=display_records(sites),
                  figure=figure)


EVENTS = Spec("seismic-events", (
    Col("id"), Col("resource_id"), Col("time"), Col("mw", digits=1), Col("ml", digits=1),
    Col("energy", digits=0), Col("x", digits=0), Col("y", digits=0), Col("z", digits=0),
    Col("status", "label", choices=True), Col("event_type", "label", choices=True)))
"""A catalogue page's events, newest first."""


@router.get("/seismic/{site}", response_class=HTMLResponse, include_in_schema=False)
def seismic_site(site: str, request: Request, session: DB, actor: PageActor,
                 magnitude: str = "mw", window_events: int = 200) -> Response:
    view = seismic.site_view(session, actor, site, magnitude=magnitude,
                             window_events=window_events)
    catalogue, result = view.catalogue, view.catalogue.statistics
    events = table_page(request, catalogue.events.iloc[::-1], EVENTS)
    if events.query.format:
        return events.download()
    # Thousands of events per chart: built once per data version, like the view.
    figures = cache.cached(cache.scope_key(
        session, actor, "seismic-site-figures", site, magnitude, window_events), lambda: {
        "events3d": charts.seismic_events_3d(catalogue.shown, view.stations, magnitude),
        "magtime": charts.magnitude_time_chart(catalogue.shown, magnitude),
        "btime": charts.b_value_time_chart(result.moving),
        "energymoment": charts.energy_moment_chart(catalogue.shown),
        "fmd": charts.frequency_magnitude_chart(result.magnitudes, result.delta_m, result.b,
                                                magnitude.upper()),
        "alerts": charts.alerts_chart(view.alerts) if len(view.alerts) else {}})
    return render(request, "seismic_site.html", actor=actor, site=view.site, stats=result,
                  figures=figures, n_total=len(catalogue.events),
                  n_rejected=catalogue.n_rejected, alerts=display_records(view.alerts),
                  events=events, n_stress=view.n_stress)


@router.get("/seismic/{site}/stress", response_class=HTMLResponse, include_in_schema=False)
def seismic_stress(site: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    """Ground stress of a site: each stress sensor's readings with its threshold levels
    (charts ``stress1``..``stress12``), and the site's sensor alerts."""
    view = seismic.stress_view(session, actor, site)
    figures = cache.cached(cache.scope_key(session, actor, "stress-figures", site), lambda: [
        charts.sensor_levels_chart(s.readings, s.levels, f"{s.code} ({s.unit})", s.unit)
        for s in view.series])
    return render(request, "seismic_stress.html", actor=actor, site=view.site,
                  figures=figures, sensors=display_records(view.sensors),
                  n_sensors=len(view.sensors), alerts=display_records(view.alerts))
