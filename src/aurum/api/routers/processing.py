"""Processing plants: circuits and their reconciliation, monthly metal accounts with locked
month closings, the solid-waste ledger, and the figures they carry into the statistical
report. API under ``/api/v1/processing``, pages under ``/processing``.

Roles and scopes are the service's (:mod:`aurum.services.processing`): enterprises write the
records of their own plants, regulators and auditors read. Account and ledger files are CSV
(UTF-8) or Excel with the columns of :func:`aurum.services.processing.record_accounts` and
:func:`aurum.services.processing.record_waste`; problems name the row (header = row 1) and
the column, and nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError as ModelError
from starlette.datastructures import UploadFile as FormFile

from aurum.api import charts
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.processing import (
    AccountRow,
    AccountsIn,
    AccountsRecordedOut,
    CarriedOut,
    CircuitDocumentOut,
    CircuitIn,
    CircuitOut,
    CloseIn,
    ClosingOut,
    LedgerRow,
    ReportFiguresOut,
    SavedCircuitOut,
    UtilisationRow,
    VerifyOut,
    WasteRecordedOut,
)
from aurum.api.tables import TableFormat, display_records, records, table_responses, tabular
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import DbId
from aurum.core.errors import (
    ConflictError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.services import processing, registry
from aurum.services.auth import Actor
from aurum.services.processing import views

router = APIRouter(tags=["processing"])
API = "/api/v1/processing"
JSON_SOURCE = "request body"
Level = Literal["plant", "enterprise", "nation"]
GroupBy = Literal["year", "period", "waste_type"]


# --- API: circuits ---------------------------------------------------------------------------


# A circuit saved without a survey has no global test: its answer leaves those keys out
# (response_model_exclude_unset) rather than giving them as null.
@router.get(f"{API}/sites/{{code}}/circuits", response_model_exclude_unset=True)
def list_circuits(code: str, session: DB, actor: ApiActor) -> list[CircuitOut]:
    """Every circuit version of a plant, by name then version; a reconciled one with its
    global test (chi2, dof, p-value) and the streams found to carry gross errors."""
    return [CircuitOut.model_validate(views.circuit_record(c))
            for c in processing.circuits(session, actor, code)]


@router.post(f"{API}/sites/{{code}}/circuits", status_code=201,
             response_model_exclude_unset=True)
def save_circuit(code: str, body: CircuitIn, session: DB, actor: ApiActor
                 ) -> SavedCircuitOut:
    """Save a new version of a plant's circuit; one carrying measurements is reconciled on
    saving. A bad circuit (unknown node, sd <= 0, unobservable) is refused with its problems
    (422) and nothing is saved."""
    saved = processing.save_circuit(session, actor, code, body.name, body.definition,
                                    period=body.period, note=body.note, source=JSON_SOURCE)
    summary = (saved.reconciliation or {}).get("summary")
    return SavedCircuitOut.model_validate(views.circuit_record(saved)
                                          | {"reconciliation": finite(summary)})


@router.get(f"{API}/circuits/{{circuit_id}}", response_model_exclude_unset=True)
def get_circuit(circuit_id: DbId, session: DB, actor: ApiActor) -> CircuitDocumentOut:
    """A circuit version: its definition and the reconciliation stored with it (``summary``
    as ``aurum processing reconcile --format json``, ``variables`` with the measurement tests
    and gross-error flags; null when saved without a survey)."""
    circuit = processing.get_circuit(session, actor, circuit_id)
    return CircuitDocumentOut.model_validate(
        views.circuit_record(circuit) | {"definition": circuit.definition,
                                         "reconciliation": circuit.reconciliation})


# --- API: metal accounts ---------------------------------------------------------------------


_ACCOUNTS_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": AccountsIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "CSV or Excel; the columns of the JSON objects, site optional"},
        "reason": {"type": "string"}}}}}}}


async def _read_upload(file: FormFile) -> tuple[Any, str]:
    """An uploaded CSV or Excel file of records (:func:`processing.read_records`) and its
    name."""
    name, data = await received(file, "upload.csv")
    return processing.read_records(data, name), name


@router.get(f"{API}/sites/{{code}}/accounts",
            responses=table_responses(AccountRow, "Metal accounts by month"))
def list_accounts(code: str, session: DB, actor: ApiActor, history: bool = False,
                  format: TableFormat = "json") -> Response:
    """A plant's metal accounts by month (t, g/t, g; recovery as a fraction), the version in
    force of each month or, with ``history``, every version; a closed month carries the
    SHA-256 of its closing."""
    frame = processing.accounts(session, actor, code, history=history)
    return tabular(frame, format, f"metal-accounts-{code}")


@router.post(f"{API}/sites/{{code}}/accounts", status_code=201, openapi_extra=_ACCOUNTS_BODY)
async def record_accounts(code: str, request: Request, session: DB, actor: ApiActor
                          ) -> AccountsRecordedOut:
    """Record metal accounts of the plant, all or nothing: a JSON body ``{reason, accounts}``
    or a multipart upload (``file``: CSV or Excel, ``reason``). A closed month changes only
    with a reason. Problems are listed by row (the first account is row 2) and column."""
    registry.get_writable_site(session, actor, code)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        # Closed on leaving: the form's spooled upload is not left to the garbage collector.
        async with request.form() as form:
            upload, reason = form.get("file"), form.get("reason")
            if not isinstance(upload, FormFile):
                raise ValidationError(Problem(_("expected the file of accounts in the field "
                                                "'file'"), column="file"))
            raw, source = await _read_upload(upload)
            why = reason if isinstance(reason, str) else None
    else:
        try:
            body = AccountsIn.model_validate_json(await request.body())
        except ModelError as exc:
            raise RequestValidationError(exc.errors()) from exc
        if not body.accounts:
            raise ValidationError(Problem(_("no accounts given"), source=JSON_SOURCE))
        raw, source, why = body.accounts, JSON_SOURCE, body.reason
    ids = processing.record_site_accounts(session, actor, code, raw, reason=why,
                                          source=source)
    return AccountsRecordedOut(site=code, ids=ids)


@router.post(f"{API}/sites/{{code}}/accounts/close", status_code=201)
def close_months(code: str, body: CloseIn, session: DB, actor: ApiActor
                 ) -> list[ClosingOut]:
    """Close months of the plant: lock the account in force of each, chained by SHA-256 to
    the closing before it. A month closed already is refused (409)."""
    closings = processing.close_months(session, actor, code, body.periods)
    return [ClosingOut(period=c.period, account_id=c.account_id, sha256=c.sha256,
                       previous_sha256=c.previous_sha256, closed_at=c.closed_at.isoformat())
            for c in closings]


@router.get(f"{API}/sites/{{code}}/accounts/verify")
def verify_closings(code: str, session: DB, actor: ApiActor) -> VerifyOut:
    """Recompute the hash chain of the plant's closed months: ``broken`` names every closing
    whose account or predecessor no longer matches."""
    broken = processing.verify_closings(session, actor, code)
    return VerifyOut(ok=not broken, broken=broken)


# --- API: waste ledger -----------------------------------------------------------------------


@router.get(f"{API}/waste", responses=table_responses(LedgerRow, "The waste ledger in force"))
def waste_ledger(session: DB, actor: ApiActor,
                 site: Annotated[list[str] | None, Query()] = None,
                 format: TableFormat = "json") -> Response:
    """The solid-waste ledger in force (corrections applied) of the visible plants, or of
    the ``site`` codes given: tonnes per month and waste type, by route, with the closing
    stock (t)."""
    return tabular(processing.waste_ledger(session, actor, site), format, "waste-ledger")


@router.post(f"{API}/waste", status_code=201)
async def record_waste(file: UploadFile, session: DB, actor: ApiActor,
                       reason: Annotated[str | None, Form()] = None) -> WasteRecordedOut:
    """Append ledger lines from a CSV or Excel file (``plant`` = site code, ``period``
    YYYY-MM, ``waste_type``, the tonnages in t, ``detox_status``), all or nothing. A line for
    a month and type already in the ledger is a correction and needs a ``reason``; a blank
    opening stock is the closing stock of the month before."""
    raw, source = await _read_upload(file)
    ids = processing.record_waste(session, actor, raw, reason=reason, source=source)
    return WasteRecordedOut(source=source, ids=ids)


@router.get(f"{API}/waste/utilisation",
            responses=table_responses(UtilisationRow, "Tonnes and utilisation rates"))
def waste_utilisation(session: DB, actor: ApiActor, level: Level = "plant",
                      by: Annotated[list[GroupBy] | None, Query()] = None,
                      site: Annotated[list[str] | None, Query()] = None,
                      format: TableFormat = "json") -> Response:
    """Tonnes and both utilisation rates per plant, enterprise or nation, by ``year``
    (default), ``period`` and/or ``waste_type``: ``utilisation_rate`` = utilised / generated
    (the plan's 35 % indicator) and ``comprehensive_utilisation_rate`` = utilised /
    (generated + utilised from stock), fractions; route shares of the utilised tonnes."""
    # A grouping named twice is the same grouping (not a second column of that name).
    groups = tuple(dict.fromkeys(by or ("year",)))
    frame = processing.waste_utilisation(session, actor, level, groups, site)
    return tabular(frame, format, f"waste-utilisation-{level}")


# --- API: into the statistical report --------------------------------------------------------


@router.get(f"{API}/sites/{{code}}/report-figures/{{period}}")
def report_figures(code: str, period: str, session: DB, actor: ApiActor
                   ) -> ReportFiguresOut:
    """What the plant's accounts and ledger give for a reporting period (YYYY, YYYY-Qn or
    YYYY-MM): report fields in their units (t, g/t, kg), the months with no account or no
    ledger line, and each field beside the report in force (``matches`` within the report's
    rounding)."""
    figures = processing.report_figures(session, actor, code, period)
    compared = processing.compare_with_report(session, actor, code, period)
    return ReportFiguresOut.model_validate(finite({
        "site": figures.site, "period": figures.period, "values": figures.values,
        "missing_accounts": list(figures.missing_accounts),
        "missing_ledger": list(figures.missing_ledger),
        "complete": figures.complete, "comparison": records(compared)}))


@router.post(f"{API}/sites/{{code}}/report-figures/{{period}}/carry", status_code=201)
def carry_into_report(code: str, period: str, session: DB, actor: ApiActor) -> CarriedOut:
    """Submit the figures of the plant's records as its report of the period (an amendment
    when a report exists). 422 when a month has no records; 409 when the report already
    carries these figures."""
    registry.get_writable_site(session, actor, code)
    version_id = processing.carry_into_report(session, actor, code, period)
    return CarriedOut(site=code, period=period, report_version_id=version_id)


# --- pages -----------------------------------------------------------------------------------

Page = HTMLResponse


def _percent(frame: Any, *columns: str) -> Any:
    """Fractions as % in ``<column>_pct`` for the tables."""
    return frame.assign(**{f"{c}_pct": frame[c].astype(float) * 100 for c in columns})


@router.get("/processing", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor) -> Page:
    view = views.index_view(session, actor, request.app.state.jobs)
    plants, yearly = view.plants, view.yearly
    figures = {
        "rate": charts.utilisation_rate_chart(
            yearly, "year", view.target_pct,
            _("Solid-waste utilisation of the plants shown, by year")),
        "routes": charts.waste_routes_chart(
            yearly, "year", _("Utilised solid waste by route, against the tonnes generated"))}
    rates = ("utilisation_rate", "comprehensive_utilisation_rate")
    rollup = (None if view.enterprises is None
              else display_records(_percent(view.enterprises, *rates)))
    return render(request, "processing_index.html", actor=actor, target=view.target_pct,
                  plants=display_records(_percent(plants, "recovery", "utilisation_rate")),
                  year=plants["year"].max() if len(plants) else "", figures=figures,
                  rollup=rollup, yearly=display_records(_percent(yearly, *rates)),
                  pending=view.pending)


def _variable_rows(reconciliation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The reconciled variables as the page tables them (values with their sd as text)."""
    return [{"stream": v["stream"], "field": v["field"],
             "measured": _("not measured") if v["measured"] is None
             else charts.pm_text(v["measured"], v["measured_sd"]),
             "adjusted": charts.pm_text(v["estimate"], v["estimate_sd"]),
             "test": v["measurement_test"], "gross_error": bool(v["gross_error"])}
            for v in (reconciliation or {}).get("variables") or []]


def _site_page(request: Request, session: DB, actor: Actor, code: str,
               circuit: int | None = None, quarter: str | None = None,
               carried: int | None = None, problems: list[Problem] | None = None,
               status_code: int = 200) -> Page:
    view = views.site_view(session, actor, request.app.state.platform.settings.home,
                           request.app.state.jobs, code, circuit, quarter)
    # While the plant's records are being computed the page shows none (and says so).
    kept = view.records or views.NO_RECORDS
    chosen = view.circuit
    table, monthly = kept.accounts, kept.monthly
    figures: dict[str, Any] = {}
    if len(table):
        figures |= {"recovery": charts.recovery_chart(table),
                    "unaccounted": charts.unaccounted_chart(table)}
    if chosen is not None:
        figures["sankey"] = charts.circuit_sankey(
            chosen["definition"], chosen["reconciliation"],
            _("%(circuit)s v%(version)s, survey of %(period)s: reconciled mass of each stream",
              circuit=chosen["name"], version=chosen["version"], period=chosen["period"])
            if chosen["period"] else
            _("%(circuit)s v%(version)s: reconciled mass of each stream",
              circuit=chosen["name"], version=chosen["version"]))
    if len(monthly):
        figures |= {"routes": charts.waste_routes_chart(
                        monthly, "period", _("Utilised solid waste by route against generated")),
                    "rate": charts.utilisation_rate_chart(
                        monthly, "period", view.target_pct, _("Monthly utilisation rate"))}
    report = None
    if view.quarter is not None:
        found = view.quarter.figures
        report = {"quarter": found.period, "complete": found.complete,
                  "missing_accounts": found.missing_accounts,
                  "missing_ledger": found.missing_ledger,
                  "rows": display_records(view.quarter.compared),
                  "differs": view.quarter.differs}
    reconciliation = None if chosen is None else chosen["reconciliation"]
    circuit_row = (None if chosen is None else
                   {k: v for k, v in chosen.items()
                    if k not in ("definition", "reconciliation")})
    return render(request, "processing_site.html", status_code=status_code, actor=actor,
                  site=view.site, can_write=view.can_write,
                  accounts=display_records(_percent(table, "recovery").iloc[::-1]),
                  broken=kept.broken, n_closed=int(table["closed"].sum()),
                  versions=kept.circuits, circuit=circuit_row,
                  summary=(reconciliation or {}).get("summary"),
                  variables=_variable_rows(reconciliation),
                  ledger=display_records(kept.ledger),
                  quarters=records(kept.quarters), report=report, carried=carried,
                  figures=figures, problems=problems or [], pending=view.pending)


@router.get("/processing/{code}", response_class=HTMLResponse, include_in_schema=False)
def site_page(code: str, request: Request, session: DB, actor: PageActor,
              circuit: DbId | None = None, quarter: str | None = None,
              carried: DbId | None = None) -> Page:
    return _site_page(request, session, actor, code, circuit, quarter or None, carried)


def _refused(request: Request, session: DB, actor: Actor, code: str,
             exc: Exception, quarter: str | None = None) -> Page:
    """The plant page again, with why a form was refused (nothing was written)."""
    problems = exc.problems if isinstance(exc, ValidationError) else [Problem(str(exc))]
    status = (422 if isinstance(exc, ValidationError) else
              403 if isinstance(exc, PermissionDenied) else 409)
    return _site_page(request, session, actor, code, quarter=quarter, problems=problems,
                      status_code=status)


@router.post("/processing/{code}/close", include_in_schema=False, dependencies=[CSRF])
def close_page(code: str, request: Request, session: DB, actor: PageActor,
               period: Annotated[str, Form()]) -> Response:
    try:
        processing.close_months(session, actor, code, [period])
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        return _refused(request, session, actor, code, exc)
    return RedirectResponse(f"/processing/{quote(code)}#accounts", status_code=303)


@router.post("/processing/{code}/carry", include_in_schema=False, dependencies=[CSRF])
def carry_page(code: str, request: Request, session: DB, actor: PageActor,
               quarter: Annotated[str, Form()]) -> Response:
    try:
        registry.get_writable_site(session, actor, code)
        version_id = processing.carry_into_report(session, actor, code, quarter)
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        return _refused(request, session, actor, code, exc, quarter)
    return RedirectResponse(f"/processing/{quote(code)}?quarter={quote(quarter)}"
                            f"&carried={version_id}#report", status_code=303)
