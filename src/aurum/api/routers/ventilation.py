"""A mine's ventilation network (issue 21): versions, their stored solutions; API and pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.ventilation import climate_chart, fan_curves, network_3d, network_schematic
from aurum.api.charts.vod import fan_speeds_chart, vod_flows_chart
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.ventilation import VentNetworkDetailOut, VentNetworkIn, VentNetworkOut
from aurum.api.tables import display_records
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId
from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.services import ventilation as service
from aurum.services import vod
from aurum.services.auth import Actor

router = APIRouter(tags=["ventilation"])
API = "/api/v1/sites/{code}/vent-networks"
FORM_FIELDS = ("document", "reason")


@router.get(API, response_model=list[VentNetworkOut])
def list_networks(code: str, session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """A mine's ventilation network versions, newest first."""
    return [service.network_record(n) for n in service.versions(session, actor, code)]


def _writer(code: str, session: DB, actor: ApiActor) -> None:
    """Refuse a caller who may not write the mine before its body is validated."""
    service.writable_site(session, actor, code)


@router.post(API, status_code=201, response_model=VentNetworkOut,
             dependencies=[Depends(_writer)])
def post_network(code: str, body: VentNetworkIn, session: DB,
                 actor: ApiActor) -> dict[str, Any]:
    """Store a network as the mine's next version: it is solved now (flows, fans,
    regulators, the climate along its main routes, the airflow of its working places) and
    the solution stored with it."""
    return service.network_record(service.save_network(session, actor, code, body.document,
                                                       body.reason))


@router.get(API + "/{network_id}", response_model=VentNetworkDetailOut)
def get_network(code: str, network_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A version with its document and its stored solution."""
    return service.network_detail(session, actor, code, network_id)


# --- the pages ------------------------------------------------------------------------------


@router.get("/ventilation", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return render(request, "ventilation_index.html", actor=actor,
                  mines=display_records(service.sites_frame(session, actor)))


def _page(request: Request, session: DB, actor: Actor, code: str,
          form: forms.FormState | None = None, status_code: int = 200) -> HTMLResponse:
    view = service.site_view(session, actor, code)
    figures: dict[str, Any] = {}
    if view.latest is not None and view.solution is not None:
        version = view.latest.version
        figures = {
            "schematic": network_schematic(view.nodes, view.branches, _(
                "Network version %(version)s: flows and directions", version=version), view.names),
            "network3d": network_3d(view.nodes, view.branches, _(
                "Network version %(version)s in 3D", version=version), view.names),
            "fans": fan_curves(view.solution.fans, _("Fan curves and operating points"),
                               view.names),
            "climate": climate_chart(view.solution.climate, _(
                "Dry and wet bulb along the main routes"), view.names)}
    # The ventilation-on-demand decision is read from the store (a derive job makes a missing
    # one), never computed here.
    platform = request.app.state.platform
    demand = vod.view(session, actor, platform.settings.home, request.app.state.jobs, code)
    decision = demand.decision
    vod_figures = None if decision is None else {
        "flows": vod_flows_chart(decision.places, view.names),
        "fans": fan_speeds_chart(decision.speeds, decision.power_kw, decision.fixed_power_kw,
                                 view.names)}
    return render(request, "ventilation_site.html", status_code=status_code, actor=actor,
                  view=view, figures=figures, form=form or forms.FormState({}), vod=decision,
                  vod_pending=demand.pending, vod_figures=vod_figures)


@router.get("/ventilation/{code}", response_class=HTMLResponse, include_in_schema=False)
def site_page(code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _page(request, session, actor, code)


@router.post("/ventilation/{code}/networks", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def network_page(code: str, request: Request, session: DB, actor: PageActor,
                       network: UploadFile | None = None) -> Any:
    """A new version from the page's form: an uploaded NETWORK.yaml, or the text typed."""
    service.writable_site(session, actor, code)  # who may write, before what was typed
    sent = await request.form()
    typed = {k: str(sent.get(k, "")) for k in FORM_FIELDS}
    upload = await received(network, "NETWORK.yaml") if network is not None else None
    text = upload[1] if upload and upload[1] else typed["document"]
    try:
        service.save_network_text(session, actor, code, text, typed["reason"],
                                  upload[0] if upload and upload[1] else "NETWORK.yaml")
    except ValidationError as exc:
        return _page(request, session, actor, code, forms.refused(typed, exc.problems), 422)
    return RedirectResponse(f"/ventilation/{code}#latest", status_code=303)
