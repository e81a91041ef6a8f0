"""The gold recycling ledger: API under ``/api/v1/recycling``, pages under ``/recycling``.

Roles and scopes are the service's (:mod:`aurum.services.recycling`): recyclers append and
read for their own organisation, regulators read (a provincial one its province) and receive
reports, auditors read and write nothing. Sellers appear by keyed hash and masked document
number only; purchase files follow the command line's columns
(:data:`aurum.recycling.purchases.CSV_COLUMNS`). Each route parses, calls one function of the
service (its views for pages and table formats) and renders.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from sqlalchemy.orm import Session

from aurum.api import charts, forms
from aurum.api.charts.recycling import labelled_totals
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.labels import label
from aurum.api.schemas.recycling import (
    AppendedOut,
    CheckedTreeHeadOut,
    ConsistencyProofOut,
    CorrectedOut,
    CorrectionIn,
    CustodyChainOut,
    InboxItemOut,
    InclusionProofOut,
    LedgerEntryOut,
    LedgerStatusOut,
    LedgerVerificationOut,
    MassBalanceRow,
    RecycledGoldRow,
    RecycledGoldStatisticsRow,
    RecyclingReportOut,
    ReportSubmittedOut,
    ScreenedOut,
    TreeHeadRow,
    WitnessedOut,
    WitnessIn,
    WitnessRequestOut,
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
from aurum.core.checks import LEDGER_TABLE_ENTRIES, Count, DbId, Offset, PageSize
from aurum.core.errors import (
    ConflictError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _, ngettext
from aurum.services import cache, recycling
from aurum.services.auth import Actor
from aurum.services.recycling import views

router = APIRouter(tags=["recycling"])
API = "/api/v1/recycling"
ReportStatus = Literal["due", "submitted", "all"]


def _keys(request: Request) -> recycling.LedgerKeys:
    return recycling.LedgerKeys.load(request.app.state.platform.settings)


# --- appending --------------------------------------------------------------------------------


@router.post(f"{API}/purchases", status_code=201, response_model=AppendedOut)
def append_purchases(request: Request, session: DB, actor: ApiActor,
                     purchases: Annotated[list[dict[str, Any]], Body(
                         description="Purchases as objects with the purchase file's columns "
                         "(weights g, fineness ‰, price CNY/g, amount CNY, occurred_at ISO "
                         "8601 with its UTC offset)")]) -> dict[str, Any]:
    """Append purchases (recyclers for their own organisation, administrators), whole or not
    at all: a refusal lists every problem by row (the first purchase is row 2) and column.
    A purchase already in the ledger is not stored twice. The new head is signed."""
    return recycling.record_purchases(session, actor, _keys(request), purchases).as_dict()


@router.post(f"{API}/purchases/upload", status_code=201, response_model=AppendedOut)
async def upload_purchases(request: Request, file: UploadFile, session: DB,
                           actor: ApiActor) -> dict[str, Any]:
    """Append a purchase file (CSV, UTF-8; the columns of ``aurum ledger append``), whole or
    not at all; problems by row (the header is row 1) and column."""
    name, data = await received(file, "purchases.csv")
    return recycling.record_purchases(session, actor, _keys(request),
                                      recycling.PurchaseFile(name, data)).as_dict()


@router.post(f"{API}/entries/{{seq}}/corrections", status_code=201,
             response_model=CorrectedOut)
def correct_purchase(seq: Count, body: CorrectionIn, request: Request, session: DB,
                     actor: ApiActor) -> dict[str, Any]:
    """Correct purchase ``seq`` (its recycler's users, administrators): a correction entry
    that reverses it, followed by the replacement purchase when one is given. Nothing stored
    changes; the new head is signed. A purchase corrected already (409: correct the entry
    that replaced it) or sent to a refiner in a lot (409) cannot be."""
    replacement = None if body.replacement is None else [body.replacement]
    return recycling.record_correction(session, actor, _keys(request), seq, body.reason,
                                       replacement).as_dict()


# --- the log ----------------------------------------------------------------------------------


@router.get(f"{API}/entries",
            responses=table_responses(LedgerEntryOut, "Ledger entries, newest first"))
def list_entries(session: DB, actor: ApiActor, offset: Offset = 0, limit: PageSize = 100,
                 format: TableFormat = "json") -> Response:
    """Entries visible to the caller, newest first; sellers by keyed hash only. JSON keeps
    each entry's body as an object; CSV and Excel flatten it to ``entry.*`` columns."""
    entries = recycling.list_entries(session, actor, offset, limit)
    if format == "json":
        return Response(json.dumps(entries, ensure_ascii=False), media_type="application/json")
    return tabular(views.entries_table(entries), format, "ledger-entries")


@router.get(f"{API}/status", response_model=LedgerStatusOut)
def status(session: DB, actor: ApiActor) -> dict[str, Any]:
    """Size and root of the log and its latest signed tree head."""
    return recycling.ledger_status(session)


@router.get(f"{API}/tree-heads",
            responses=table_responses(TreeHeadRow, "Signed tree heads, newest first"))
def tree_heads(session: DB, actor: ApiActor,
               limit: Annotated[int, Query(ge=1, le=1000, description="heads to list")] = 50,
               format: TableFormat = "json") -> Response:
    """Signed tree heads, newest first (Ed25519 over size, root and time)."""
    return tabular(views.tree_heads_table(session, limit), format, "tree-heads")


@router.get(f"{API}/tree-heads/latest", response_model=CheckedTreeHeadOut)
def latest_tree_head(session: DB, actor: ApiActor, request: Request) -> dict[str, Any]:
    """The latest signed tree head, the signer's public key and whether the signature holds."""
    return recycling.latest_checked_tree_head(session, _keys(request))


@router.get(f"{API}/proofs/inclusion/{{seq}}", response_model=InclusionProofOut)
def inclusion_proof(seq: Count, session: DB, actor: ApiActor,
                    tree_size: Count | None = None) -> dict[str, Any]:
    """Audit path (RFC 6962) of entry ``seq`` in the tree of ``tree_size`` entries (default:
    the latest signed tree head), and whether it reaches that root."""
    return recycling.entry_proof(session, actor, seq, tree_size)


@router.get(f"{API}/proofs/consistency", response_model=ConsistencyProofOut)
def consistency_proof(size1: Count, session: DB, actor: ApiActor,
                      size2: Count | None = None) -> dict[str, Any]:
    """Proof (RFC 6962) that the tree of ``size1`` entries is a prefix of the tree of
    ``size2`` (default: the latest signed tree head): the log was only appended to."""
    return recycling.consistency_proof(session, size1, size2)


@router.get(f"{API}/verify", response_model=LedgerVerificationOut)
def verify(request: Request, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Recompute the whole log and check every stored row, node, head and signed tree head
    (administrators, regulators, auditors): ``ok``, ``size``, ``root``, ``problems``,
    ``tree_heads``, ``covered`` (entries under the largest signed head)."""
    return recycling.verify_for(session, actor, _keys(request)).as_dict()


@router.get(f"{API}/checkpoint", response_class=PlainTextResponse)
def checkpoint(session: DB, actor: ApiActor) -> PlainTextResponse:
    """The latest checkpoint of the ledger: a C2SP signed note (origin, tree size, base64
    root hash, Ed25519 signature line) to keep outside and check with ``aurum ledger verify
    --against``."""
    return PlainTextResponse(recycling.latest_checkpoint(session))


@router.get(f"{API}/checkpoint/witness", response_model=WitnessRequestOut)
def checkpoint_for_witness(request: Request, session: DB, actor: ApiActor,
                           witnessed_size: int = 0) -> dict[str, Any]:
    """What a witness needs to take the latest checkpoint: the note, the verifier key and the
    consistency proof from ``witnessed_size`` (the size it holds)."""
    return recycling.checkpoint_for_witness(session, _keys(request), witnessed_size)


@router.post(f"{API}/witness", status_code=201, response_model=WitnessedOut)
def witness(body: WitnessIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Keep a recycler's checkpoint as witness (the recycler's users, administrators): the
    first of a log pins its key; each later one must be consistent with the largest kept,
    else 409."""
    return recycling.witness_checkpoint(session, actor, body.recycler, body.checkpoint,
                                        body.verifier_key, body.proof)


@router.get(f"{API}/witness", response_model=list[WitnessedOut])
def witnessed(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The largest witnessed checkpoint of each recycler's log the caller may read."""
    return recycling.witnessed_checkpoints(session, actor)


# --- reports ----------------------------------------------------------------------------------


@router.post(f"{API}/reports/screen", response_model=ScreenedOut)
def screen(session: DB, actor: ApiActor) -> dict[str, Any]:
    """Run the reporting rules (PBoC 银发〔2025〕124号) over the purchases in force; returns
    the ids of the reports (or revisions) created."""
    made = recycling.screen_reports(session, actor)
    return {"created": [r.id for r in made]}


@router.get(f"{API}/reports", responses=table_responses(RecyclingReportOut, "Reports"))
def list_reports(session: DB, actor: ApiActor, status: ReportStatus = "due",
                 format: TableFormat = "json") -> Response:
    """Reports visible to the caller: ``due`` (due or overdue), ``submitted`` or ``all``,
    with their due dates (working days, Beijing time)."""
    reports = recycling.list_reports(session, actor, status)
    if format == "json":
        return Response(json.dumps(reports, ensure_ascii=False), media_type="application/json")
    return tabular(views.reports_table(reports), format, f"recycling-reports-{status}")


@router.get(f"{API}/reports/{{report_id}}", response_model=RecyclingReportOut)
def get_report(report_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A report as JSON."""
    return recycling.get_report(session, actor, report_id)


@router.get(f"{API}/reports/{{report_id}}/document", response_class=PlainTextResponse)
def report_document(report_id: DbId, session: DB, actor: ApiActor) -> PlainTextResponse:
    """The report as the document to file (UTF-8 text), anchored to a signed tree head."""
    return PlainTextResponse(recycling.report_document(session, actor, report_id))


@router.post(f"{API}/reports/{{report_id}}/submit", status_code=201,
             response_model=ReportSubmittedOut)
def submit_report(report_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Submit a due report to the regulator's inbox (its recycler, regulators, admins)."""
    return recycling.submit_report(session, actor, report_id)


@router.get(f"{API}/inbox",
            responses=table_responses(InboxItemOut, "Submitted reports, newest first"))
def inbox(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Submitted reports for regulators (and admins, auditors), newest first."""
    received = recycling.regulator_inbox(session, actor)
    if format == "json":
        return Response(json.dumps(received, ensure_ascii=False),
                        media_type="application/json")
    return tabular(views.inbox_table(received), format, "recycling-inbox")


@router.post(f"{API}/inbox/{{submission_id}}/acknowledge", response_model=InboxItemOut)
def acknowledge(submission_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record that the regulator received a submitted report."""
    return recycling.acknowledge_submission(session, actor, submission_id)


# --- custody and statistics -------------------------------------------------------------------


@router.get(f"{API}/custody/{{serial}}", response_model=CustodyChainOut)
def custody(serial: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """The chain of custody of a refined bar: ``nodes`` (bar, lots with their mass balance,
    recyclers, shops, purchases with masked sellers) and ``edges`` with fine gold (g)."""
    return recycling.custody_chain(session, actor, serial)


@router.get(f"{API}/mass-balances",
            responses=table_responses(MassBalanceRow, "Mass balances of the lots"))
def mass_balances(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Fine-gold balance of every visible lot: declared, assayed, difference, tolerance (g)."""
    return tabular(views.records_table(recycling.mass_balances(session, actor)), format,
                   "mass-balances")


def _by(by: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in by.split(",") if k.strip())
    allowed = views.TOTALS_BY
    if not keys or any(k not in allowed for k in keys) or len(set(keys)) != len(keys):
        raise ValidationError(Problem(_("expected a comma-separated list of %(allowed)s",
                                        allowed=", ".join(allowed)), column="by"))
    return keys


@router.get(f"{API}/totals", responses=table_responses(RecycledGoldRow, "Recycled gold"))
def totals(session: DB, actor: ApiActor, by: str = "recycler,province,month",
           format: TableFormat = "json") -> Response:
    """Recycled gold for statistics per recycler, province and/or month (Beijing time):
    ``purchases``, ``fine_gold_g`` (g), ``fine_gold_kg`` (kg), ``amount_cny`` (CNY)."""
    keys = _by(by)
    return tabular(views.totals_table(session, actor, keys), format,
                   "recycled-gold-" + "-".join(keys))


@router.get(f"{API}/statistics",
            responses=table_responses(RecycledGoldStatisticsRow,
                                      "Recycled gold per province and quarter"))
def statistics(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Recycled gold per province and quarter: the fine gold the ledger's purchases hold
    (``ledger_fine_gold_kg``, kg; ``ledger_amount_cny``, CNY) beside the gold produced from
    recycled material in the statistical reports (``reported_gold_recycled_kg``, kg), and
    the first as a share of the second (%). Scoped as both sources are."""
    return tabular(recycling.statistics_link(session, actor), format, "recycled-gold-statistics")


# --- pages ------------------------------------------------------------------------------------

Page = HTMLResponse


def _page(request: Request, template: str, actor: Actor, status_code: int = 200,
          **context: Any) -> Page:
    """A recycling page, with what it offers the actor (:func:`views.permissions`)."""
    return render(request, template, status_code=status_code, actor=actor,
                  **views.permissions(actor) | context)


def _labelled(rows: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """Rows for a page's table with the machine keys in ``keys`` shown by their labels."""
    return [row | {k: label(row[k]) for k in keys if k in row} for row in rows]


def _intake_page(request: Request, session: Session, actor: Actor,
                 form: dict[str, str] | None = None, problems: list[Problem] | None = None,
                 appended: dict[str, Any] | None = None, status_code: int = 200) -> Page:
    view = views.intake_view(session, actor, form, appended)
    return _page(request, "recycling_intake.html", actor, status_code,
                 **view | {"form": forms.refused(view["form"], problems or []),
                           "figure": charts.recycling_daily(view["daily"]),
                           "recent": _labelled(display_records(view["recent"]), "item_type",
                                               "payment_method")})


@router.get("/recycling", response_class=HTMLResponse, include_in_schema=False)
def intake_page(request: Request, session: DB, actor: PageActor) -> Page:
    return _intake_page(request, session, actor)


@router.post("/recycling/purchases", include_in_schema=False, dependencies=[CSRF])
def intake_post(request: Request, session: DB, actor: PageActor,
                recycler: Annotated[str, Form()] = "", shop: Annotated[str, Form()] = "",
                seller_id_type: Annotated[str, Form()] = "",
                seller_id_number: Annotated[str, Form()] = "",
                seller_name: Annotated[str, Form()] = "",
                item_type: Annotated[str, Form()] = "",
                gross_weight_g: Annotated[str, Form()] = "",
                fineness_permille: Annotated[str, Form()] = "",
                assay_method: Annotated[str, Form()] = "",
                price_per_g_cny: Annotated[str, Form()] = "",
                amount_cny: Annotated[str, Form()] = "",
                payment_method: Annotated[str, Form()] = "",
                occurred_at: Annotated[str, Form()] = "",
                origin: Annotated[str, Form()] = "",
                origin_statement: Annotated[str, Form()] = "") -> Response:
    values = dict(zip(views.INTAKE_FIELDS, (
        recycler, shop, seller_id_type, seller_id_number, seller_name, item_type,
        gross_weight_g, fineness_permille, assay_method, price_per_g_cny, amount_cny,
        payment_method, occurred_at, origin, origin_statement), strict=True))
    keys = _keys(request)
    try:
        done = recycling.record_intake_form(session, actor, keys, values)
    except ValidationError as exc:
        return _intake_page(request, session, actor, views.refused_form(values), exc.problems,
                            status_code=422)
    except PermissionDenied as exc:
        return _intake_page(request, session, actor, views.refused_form(values),
                            [Problem(str(exc))], status_code=403)
    return _intake_page(request, session, actor, views.next_form(values),
                        appended=views.appended_view(session, actor, keys, done))


LEDGER = Spec("entries", (
    Col("seq"), Col("kind", "label", choices=True), Col("recorded_at"), Col("what"),
    Col("seller"), Col("fine_gold_g", digits=3), Col("amount_cny"), Col("leaf_hash")),
    transient=("proof", "offset"))
"""The ledger page's entries, newest first (an entry's proof is not kept by the table's links)."""


@router.get("/recycling/ledger", response_class=HTMLResponse, include_in_schema=False)
def ledger_page(request: Request, session: DB, actor: PageActor, offset: Offset = 0,
                proof: Count | None = None) -> Response:
    view = views.ledger_view(session, actor, _keys(request), offset, proof)
    # The newest entries the reader may see, kept until the next write, for the paged table.
    entries = cache.cached(cache.scope_key(session, actor, "ledger-entries"), lambda: (
        views.entry_rows(recycling.list_entries(session, actor, 0, LEDGER_TABLE_ENTRIES),
                         view["daily"])))
    table = table_page(request, entries, LEDGER)
    if table.query.format:
        return table.download()
    return _page(request, "recycling_ledger.html", actor,
                 **view | {"figure": charts.recycling_daily(view["daily"]), "table": table})


def _reports_page(request: Request, session: Session, actor: Actor,
                  message: str | None = None, problems: list[str] | None = None,
                  status_code: int = 200) -> Page:
    view = views.reports_view(session, actor)
    figure = labelled_totals(view["by_month"], "month", "status",
                             _("Reports by month due and state"), _("transaction reports"))
    return _page(request, "recycling_reports.html", actor, status_code, figure=figure,
                 message=message, problems=problems or [], **view)


@router.get("/recycling/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, session: DB, actor: PageActor) -> Page:
    return _reports_page(request, session, actor)


@router.post("/recycling/reports/screen", include_in_schema=False, dependencies=[CSRF])
def screen_page(request: Request, session: DB, actor: PageActor) -> Response:
    try:
        made = recycling.screen_reports(session, actor)
    except PermissionDenied as exc:
        return _reports_page(request, session, actor, problems=[str(exc)], status_code=403)
    return _reports_page(request, session, actor,
                         message=ngettext(
                             "Screened the purchases: %(num)s new report or revision.",
                             "Screened the purchases: %(num)s new reports or revisions.",
                             len(made)))


@router.post("/recycling/reports/{report_id}/submit", include_in_schema=False,
             dependencies=[CSRF])
def submit_page(report_id: DbId, request: Request, session: DB, actor: PageActor) -> Response:
    try:
        done = recycling.submit_report(session, actor, report_id)
    except PermissionDenied as exc:
        return _reports_page(request, session, actor, problems=[str(exc)], status_code=403)
    except ConflictError as exc:
        return _reports_page(request, session, actor, problems=[str(exc)], status_code=409)
    return _reports_page(request, session, actor, message=_(
        "Report %(report)s submitted (submission %(submission)s, document SHA-256 "
        "%(digest)s).", report=report_id, submission=done["submission_id"],
        digest=done["document_sha256"]))


@router.get("/recycling/reports/{report_id}/document", include_in_schema=False)
def document_page(report_id: DbId, session: DB, actor: PageActor) -> PlainTextResponse:
    return PlainTextResponse(recycling.report_document(session, actor, report_id))


@router.get("/recycling/custody", response_class=HTMLResponse, include_in_schema=False)
def custody_index(request: Request, session: DB, actor: PageActor, bar: str = "") -> Response:
    if bar.strip():
        return RedirectResponse(f"/recycling/custody/{bar.strip()}", status_code=303)
    balances = recycling.mass_balances(session, actor)
    return _page(request, "recycling_custody_index.html", actor,
                 balances=_labelled(balances, "status"),
                 figure=charts.mass_balance_chart(balances))


@router.get("/recycling/custody/{serial}", response_class=HTMLResponse, include_in_schema=False)
def custody_page(serial: str, request: Request, session: DB, actor: PageActor) -> Page:
    view = views.custody_view(session, actor, serial)
    return _page(request, "recycling_custody.html", actor, bar=view["bar"],
                 lots=_labelled(view["lots"], "status"),
                 purchases=_labelled(view["purchases"], "item_type"),
                 figure=charts.custody_sankey(view["graph"]),
                 balance_figure=charts.mass_balance_chart(view["lots"]))


@router.get("/recycling/regulator", response_class=HTMLResponse, include_in_schema=False)
def regulator_page(request: Request, session: DB, actor: PageActor) -> Page:
    view = views.regulator_view(session, actor)
    return _page(request, "recycling_regulator.html", actor, inbox=view["inbox"],
                 volumes=records(view["volumes"]), statistics=records(view["statistics"]),
                 figures={"reports": labelled_totals(
                              view["inbox_by_month"], "month", "kind",
                              _("Reports received by month and kind"), _("transaction reports")),
                          "volumes": charts.stacked_totals(
                              view["volumes"], "month", "province",
                              _("Recycled fine gold by province and month (Beijing time)"),
                              _("kg"), "fine_gold_kg"),
                          "statistics": charts.time_series(
                              view["national"], "period",
                              {"ledger_fine_gold_kg": _("ledger: fine gold bought"),
                               "reported_gold_recycled_kg":
                                   _("reports: gold from recycled material")},
                              _("Recycled gold: the ledger beside the statistical reports"),
                              _("kg"))})


@router.post("/recycling/inbox/{submission_id}/acknowledge", include_in_schema=False,
             dependencies=[CSRF])
def acknowledge_page(submission_id: DbId, session: DB, actor: PageActor) -> Response:
    recycling.acknowledge_submission(session, actor, submission_id)
    return RedirectResponse("/recycling/regulator", status_code=303)
