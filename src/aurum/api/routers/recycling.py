"""The gold recycling ledger: API under ``/api/v1/recycling``, pages under ``/recycling``.

Roles and scopes are the service's (:mod:`aurum.services.recycling`): recyclers append and
read for their own organisation, regulators read (a provincial one its province) and receive
reports, auditors read and write nothing. Sellers appear by keyed hash and masked document
number only; purchase files follow the command line's columns
(:data:`aurum.recycling.purchases.CSV_COLUMNS`).
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Body, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from aurum.api import charts
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.tables import TableFormat, display_records, records, tabular
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.checks import Count, DbId, Offset, PageSize
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.industry.registry import OrgType
from aurum.recycling import merkle
from aurum.recycling.checkpoint import MAX_NOTE_CHARS
from aurum.recycling.identity import IdType
from aurum.recycling.purchases import (
    CHINA_STANDARD_TIME,
    CSV_COLUMNS,
    OPTIONAL_COLUMNS,
    AssayMethod,
    ItemType,
    Origin,
    PaymentMethod,
    read_purchases_csv,
    validate_purchases,
)
from aurum.recycling.sealing import verify_tree_head
from aurum.services import recycling, registry
from aurum.services.auth import Actor, Role

router = APIRouter(tags=["recycling"])
API = "/api/v1/recycling"
FORM_SOURCE = "intake form"
JSON_SOURCE = "request body"
ReportStatus = Literal["due", "submitted", "all"]
TotalsBy = Literal["recycler", "province", "month"]
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_READERS_OF_THE_INBOX = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)


def _keys(request: Request) -> recycling.LedgerKeys:
    return recycling.LedgerKeys.load(request.app.state.platform.settings)


# --- appending --------------------------------------------------------------------------------


def _append(session: Session, actor: Actor, keys: recycling.LedgerKeys, raw: pd.DataFrame,
            source: str) -> dict[str, Any]:
    """Validate purchases (text cells), append them whole or not at all, sign the new head.

    Unregistered recyclers are created on first use for administrators only, as the command
    line does; anyone else must name a registered recycler of their own organisation.
    """
    purchases = validate_purchases(raw, source)
    purchases.attrs["source"] = source
    result = recycling.append_purchases(session, actor, keys, purchases, create_missing=True)
    head = recycling.sign_tree_head(session, keys)
    return {"source": source, "appended": result.appended, "duplicates": result.duplicates,
            "size": result.size, "root": result.root, "seqs": result.seqs,
            "first_seq": min(result.seqs), "last_seq": max(result.seqs),
            "signed_tree_head": head}


def _cells(items: list[dict[str, Any]]) -> pd.DataFrame:
    """Purchases given as JSON objects as the text cells of a purchase file; unknown fields
    are refused (rows numbered as in a file: the first purchase is row 2)."""
    allowed = set(CSV_COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = [Problem(f"unknown field; expected {', '.join(CSV_COLUMNS)} (optional: "
                        f"{', '.join(OPTIONAL_COLUMNS)})", row=i + 2, column=str(k),
                        source=JSON_SOURCE)
                for i, item in enumerate(items) for k in item if k not in allowed]
    if problems:
        raise ValidationError(problems)
    frame = pd.DataFrame(items, columns=[*CSV_COLUMNS, *OPTIONAL_COLUMNS], dtype=object)
    return frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                     else str(v))


@router.post(f"{API}/purchases", status_code=201)
def append_purchases(request: Request, session: DB, actor: ApiActor,
                     purchases: Annotated[list[dict[str, Any]], Body(
                         description="Purchases as objects with the purchase file's columns "
                         "(weights g, fineness ‰, price CNY/g, amount CNY, occurred_at ISO "
                         "8601 with its UTC offset)")]) -> dict[str, Any]:
    """Append purchases (recyclers for their own organisation, administrators), whole or not
    at all: a refusal lists every problem by row (the first purchase is row 2) and column.
    A purchase already in the ledger is not stored twice. The new head is signed."""
    if not purchases:
        raise ValidationError(Problem("no purchases given", source=JSON_SOURCE))
    return _append(session, actor, _keys(request), _cells(purchases), JSON_SOURCE)


@router.post(f"{API}/purchases/upload", status_code=201)
async def upload_purchases(request: Request, file: UploadFile, session: DB,
                           actor: ApiActor) -> dict[str, Any]:
    """Append a purchase file (CSV, UTF-8; the columns of ``aurum ledger append``), whole or
    not at all; problems by row (the header is row 1) and column."""
    name, data = await received(file, "purchases.csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        raw = read_purchases_csv(path)
    return _append(session, actor, _keys(request), raw, name)


# --- the log ----------------------------------------------------------------------------------


def _flat(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """Entries as a table: the entry's fields as columns, lists as JSON text."""
    frame = pd.json_normalize([{k: v for k, v in e.items() if k != "entry"}
                               | {f"entry.{k}": v for k, v in e["entry"].items()}
                               for e in entries])
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, list | dict)).any():
            frame[column] = frame[column].map(
                lambda v: json.dumps(v) if isinstance(v, list | dict) else v)
    return frame


@router.get(f"{API}/entries")
def list_entries(session: DB, actor: ApiActor, offset: Offset = 0, limit: PageSize = 100,
                 format: TableFormat = "json") -> Response:
    """Entries visible to the caller, newest first; sellers by keyed hash only. JSON keeps
    each entry's body as an object; CSV and Excel flatten it to ``entry.*`` columns."""
    entries = recycling.list_entries(session, actor, offset, limit)
    if format == "json":
        return Response(json.dumps(entries, ensure_ascii=False), media_type="application/json")
    return tabular(_flat(entries), format, "ledger-entries")


@router.get(f"{API}/status")
def status(session: DB, actor: ApiActor) -> dict[str, Any]:
    """Size and root of the log and its latest signed tree head."""
    return recycling.ledger_status(session)


@router.get(f"{API}/tree-heads")
def tree_heads(session: DB, actor: ApiActor,
               limit: Annotated[int, Query(ge=1, le=1000, description="heads to list")] = 50,
               format: TableFormat = "json") -> Response:
    """Signed tree heads, newest first (Ed25519 over size, root and time)."""
    return tabular(pd.DataFrame(recycling.list_tree_heads(session, limit)),
                   format, "tree-heads")


@router.get(f"{API}/tree-heads/latest")
def latest_tree_head(session: DB, actor: ApiActor, request: Request) -> dict[str, Any]:
    """The latest signed tree head, the signer's public key and whether the signature holds."""
    heads = recycling.list_tree_heads(session, 1)
    if not heads:
        raise NotFoundError("no signed tree head yet")
    return _checked_head(heads[0], _keys(request))


def _checked_head(head: dict[str, Any], keys: recycling.LedgerKeys) -> dict[str, Any]:
    public = keys.signer.public_key
    return head | {"public_key": public.hex(), "verifier_key": str(keys.verifier),
                   "signature_valid": verify_tree_head(
        public, head["tree_size"], bytes.fromhex(head["root"]), head["timestamp_ms"],
        bytes.fromhex(head["signature"]))}


def _require_visible(session: Session, actor: Actor, seq: int) -> None:
    """Proofs name an entry: only those who may read the entry get one."""
    if actor.reads_all:
        return
    # The service's scope decides; a scoped reader's entries are few enough to list.
    if not any(e["seq"] == seq for e in recycling.list_entries(session, actor, 0, 10**9)):
        raise NotFoundError(f"no entry {seq}")


def _checked_proof(session: Session, actor: Actor, seq: int, tree_size: int | None
                   ) -> dict[str, Any]:
    _require_visible(session, actor, seq)
    proof = recycling.inclusion_proof(session, seq, tree_size)
    try:
        merkle.verify_inclusion(seq, proof["tree_size"], bytes.fromhex(proof["leaf_hash"]),
                                [bytes.fromhex(h) for h in proof["proof"]],
                                bytes.fromhex(proof["root"]))
        proof["verified"] = True
    except merkle.ProofError:
        proof["verified"] = False
    return proof


@router.get(f"{API}/proofs/inclusion/{{seq}}")
def inclusion_proof(seq: Count, session: DB, actor: ApiActor,
                    tree_size: Count | None = None) -> dict[str, Any]:
    """Audit path (RFC 6962) of entry ``seq`` in the tree of ``tree_size`` entries (default:
    the latest signed tree head), and whether it reaches that root."""
    return _checked_proof(session, actor, seq, tree_size)


@router.get(f"{API}/proofs/consistency")
def consistency_proof(size1: Count, session: DB, actor: ApiActor,
                      size2: Count | None = None) -> dict[str, Any]:
    """Proof (RFC 6962) that the tree of ``size1`` entries is a prefix of the tree of
    ``size2`` (default: the latest signed tree head): the log was only appended to."""
    return recycling.consistency_proof(session, size1, size2)


@router.get(f"{API}/verify")
def verify(request: Request, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Recompute the whole log and check every stored row, node, head and signed tree head
    (administrators, regulators, auditors): ``ok``, ``size``, ``root``, ``problems``,
    ``tree_heads``, ``covered`` (entries under the largest signed head)."""
    actor.require_role(Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
    return recycling.verify_ledger(session, _keys(request)).as_dict()


@router.get(f"{API}/checkpoint", response_class=PlainTextResponse)
def checkpoint(session: DB, actor: ApiActor) -> PlainTextResponse:
    """The latest checkpoint of the ledger: a C2SP signed note (origin, tree size, base64
    root hash, Ed25519 signature line) to keep outside and check with ``aurum ledger verify
    --against``."""
    return PlainTextResponse(recycling.latest_checkpoint(session))


@router.get(f"{API}/checkpoint/witness")
def checkpoint_for_witness(request: Request, session: DB, actor: ApiActor,
                           witnessed_size: int = 0) -> dict[str, Any]:
    """What a witness needs to take the latest checkpoint: the note, the verifier key and the
    consistency proof from ``witnessed_size`` (the size it holds)."""
    return recycling.checkpoint_for_witness(session, _keys(request), witnessed_size)


class WitnessIn(BaseModel):
    """A checkpoint a recycler publishes of its own ledger."""

    recycler: str = Field(max_length=64, description="Code of the recycler whose log it is")
    checkpoint: str = Field(max_length=MAX_NOTE_CHARS, description="The signed note")
    verifier_key: str = Field(max_length=400,
                              description="<name>+<key hash>+<base64 key> of the log's key")
    proof: list[Annotated[str, Field(pattern="^[0-9a-f]{64}$")]] = Field(
        default=[], max_length=128,
        description="Consistency proof (hex) from the largest size witnessed before")


@router.post(f"{API}/witness", status_code=201)
def witness(body: WitnessIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Keep a recycler's checkpoint as witness (the recycler's users, administrators): the
    first of a log pins its key; each later one must be consistent with the largest kept,
    else 409."""
    return recycling.witness_checkpoint(session, actor, body.recycler, body.checkpoint,
                                        body.verifier_key, body.proof)


@router.get(f"{API}/witness")
def witnessed(session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The largest witnessed checkpoint of each recycler's log the caller may read."""
    return recycling.witnessed_checkpoints(session, actor)


# --- reports ----------------------------------------------------------------------------------


@router.post(f"{API}/reports/screen")
def screen(session: DB, actor: ApiActor) -> dict[str, Any]:
    """Run the reporting rules (PBoC 银发〔2025〕124号) over the purchases in force; returns
    the ids of the reports (or revisions) created."""
    made = recycling.screen_reports(session, actor)
    return {"created": [r.id for r in made]}


def _report_frame(reports: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([r | {"entries": " ".join(map(str, r["entries"]))} for r in reports])


@router.get(f"{API}/reports")
def list_reports(session: DB, actor: ApiActor, status: ReportStatus = "due",
                 format: TableFormat = "json") -> Response:
    """Reports visible to the caller: ``due`` (due or overdue), ``submitted`` or ``all``,
    with their due dates (working days, Beijing time)."""
    reports = recycling.list_reports(session, actor, status)
    if format == "json":
        return Response(json.dumps(reports, ensure_ascii=False), media_type="application/json")
    return tabular(_report_frame(reports), format, f"recycling-reports-{status}")


def _report(session: Session, actor: Actor, report_id: int) -> dict[str, Any]:
    found = next((r for r in recycling.list_reports(session, actor, "all")
                  if r["id"] == report_id), None)
    if found is None:
        raise NotFoundError(f"no report {report_id}")
    return found


@router.get(f"{API}/reports/{{report_id}}")
def get_report(report_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A report as JSON."""
    return _report(session, actor, report_id)


@router.get(f"{API}/reports/{{report_id}}/document", response_class=PlainTextResponse)
def report_document(report_id: DbId, session: DB, actor: ApiActor) -> PlainTextResponse:
    """The report as the document to file (UTF-8 text), anchored to a signed tree head."""
    return PlainTextResponse(recycling.report_document(session, actor, report_id))


@router.post(f"{API}/reports/{{report_id}}/submit", status_code=201)
def submit_report(report_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Submit a due report to the regulator's inbox (its recycler, regulators, admins)."""
    return recycling.submit_report(session, actor, report_id)


def _inbox_frame(inbox: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{k: v for k, v in i.items() if k != "report"}
                         | {f"report_{k}": v for k, v in i["report"].items()
                            if k not in ("entries",)}
                         | {"report_entries": " ".join(map(str, i["report"]["entries"]))}
                         for i in inbox])


@router.get(f"{API}/inbox")
def inbox(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Submitted reports for regulators (and admins, auditors), newest first."""
    received = recycling.regulator_inbox(session, actor)
    if format == "json":
        return Response(json.dumps(received, ensure_ascii=False),
                        media_type="application/json")
    return tabular(_inbox_frame(received), format, "recycling-inbox")


@router.post(f"{API}/inbox/{{submission_id}}/acknowledge")
def acknowledge(submission_id: DbId, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record that the regulator received a submitted report."""
    recycling.acknowledge_submission(session, actor, submission_id)
    return next(i for i in recycling.regulator_inbox(session, actor)
                if i["submission_id"] == submission_id)


# --- custody and statistics -------------------------------------------------------------------


@router.get(f"{API}/custody/{{serial}}")
def custody(serial: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """The chain of custody of a refined bar: ``nodes`` (bar, lots with their mass balance,
    recyclers, shops, purchases with masked sellers) and ``edges`` with fine gold (g)."""
    return recycling.custody_chain(session, actor, serial)


@router.get(f"{API}/mass-balances")
def mass_balances(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Fine-gold balance of every visible lot: declared, assayed, difference, tolerance (g)."""
    return tabular(pd.DataFrame(recycling.mass_balances(session, actor)), format,
                   "mass-balances")


def _by(by: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in by.split(",") if k.strip())
    allowed = ("recycler", "province", "month")
    if not keys or any(k not in allowed for k in keys) or len(set(keys)) != len(keys):
        raise ValidationError(Problem(f"expected a comma-separated list of {', '.join(allowed)}",
                                      column="by"))
    return keys


@router.get(f"{API}/totals")
def totals(session: DB, actor: ApiActor, by: str = "recycler,province,month",
           format: TableFormat = "json") -> Response:
    """Recycled gold for statistics per recycler, province and/or month (Beijing time):
    ``purchases``, ``fine_gold_g`` (g), ``fine_gold_kg`` (kg), ``amount_cny`` (CNY)."""
    keys = _by(by)
    rows = recycling.recycled_totals(session, actor, keys)
    frame = pd.DataFrame(rows, columns=[*keys, "purchases", "fine_gold_g", "amount_cny",
                                        "fine_gold_kg"]) if not rows else pd.DataFrame(rows)
    return tabular(frame, format, "recycled-gold-" + "-".join(keys))


@router.get(f"{API}/statistics")
def statistics(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Recycled gold per province and quarter: the fine gold the ledger's purchases hold
    (``ledger_fine_gold_kg``, kg; ``ledger_amount_cny``, CNY) beside the gold produced from
    recycled material in the statistical reports (``reported_gold_recycled_kg``, kg), and
    the first as a share of the second (%). Scoped as both sources are."""
    return tabular(recycling.statistics_link(session, actor), format, "recycled-gold-statistics")


# --- pages ------------------------------------------------------------------------------------

Page = HTMLResponse
INTAKE_FIELDS = ("recycler", "shop", "seller_id_type", "seller_id_number", "seller_name",
                 "item_type", "gross_weight_g", "fineness_permille", "assay_method",
                 "price_per_g_cny", "amount_cny", "payment_method", "occurred_at", "origin",
                 "origin_statement")
CHOICES = {"seller_id_type": [t.value for t in IdType], "item_type": [t.value for t in ItemType],
           "assay_method": [t.value for t in AssayMethod],
           "payment_method": [t.value for t in PaymentMethod],
           "origin": [t.value for t in Origin]}


def _can_append(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.RECYCLER)


def _recyclers(session: Session, actor: Actor) -> list[str]:
    """Codes offered in the intake form: the actor's recycling organisations (all of them
    for administrators); a recycler is registered under its organisation's code."""
    return [o.code for o in registry.list_organisations(session, actor)
            if o.org_type == OrgType.RECYCLING.value]


def _now_local() -> str:
    return datetime.now(CHINA_STANDARD_TIME).strftime("%Y-%m-%dT%H:%M")


def _intake_page(request: Request, session: Session, actor: Actor,
                 form: dict[str, str] | None = None, problems: list[Problem] | None = None,
                 appended: dict[str, Any] | None = None, status_code: int = 200) -> Page:
    recyclers = _recyclers(session, actor)
    form = form or {"recycler": recyclers[0] if recyclers else "", "shop": "S-1",
                    "occurred_at": _now_local(), "seller_id_type": "resident_id",
                    "item_type": "jewellery", "payment_method": "cash",
                    "assay_method": "xrf", "origin": "undeclared"}
    problems = problems or []
    fields = {p.column: p.message for p in problems if p.column in INTAKE_FIELDS}
    general = [p.message if p.column in INTAKE_FIELDS else str(p) for p in problems
               if p.column not in INTAKE_FIELDS]
    purchases = recycling.purchases_in_force(session, actor)
    return render(request, "recycling_intake.html", status_code=status_code, actor=actor,
                  form=form, fields=fields, general=general, choices=CHOICES,
                  recyclers=recyclers, can_append=_can_append(actor), appended=appended,
                  figure=charts.recycling_daily(purchases.tail(5000)),
                  recent=display_records(purchases.tail(10).iloc[::-1]))


@router.get("/recycling", response_class=HTMLResponse, include_in_schema=False)
def intake_page(request: Request, session: DB, actor: PageActor) -> Page:
    return _intake_page(request, session, actor)


def _entry(session: Session, actor: Actor, seq: int) -> dict[str, Any] | None:
    return next((e for e in recycling.list_entries(session, actor, 0, 200) if e["seq"] == seq),
                None)


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
    values = dict(zip(INTAKE_FIELDS, (
        recycler, shop, seller_id_type, seller_id_number, seller_name, item_type,
        gross_weight_g, fineness_permille, assay_method, price_per_g_cny, amount_cny,
        payment_method, occurred_at, origin, origin_statement), strict=True))
    cells = dict(values)
    # The form's clock is Beijing time: the file contract wants the offset written out.
    if _LOCAL_TIME.fullmatch(cells["occurred_at"].strip()):
        cells["occurred_at"] = cells["occurred_at"].strip() + "+08:00"
    form = values | {"seller_id_number": ""}  # a refused form is not echoed with the ID
    try:
        keys = _keys(request)
        result = _append(session, actor, keys, pd.DataFrame([cells], dtype=object),
                         FORM_SOURCE)
    except ValidationError as exc:
        return _intake_page(request, session, actor, form, exc.problems, status_code=422)
    except PermissionDenied as exc:
        return _intake_page(request, session, actor, form, [Problem(str(exc))],
                            status_code=403)
    seq = result["seqs"][0]
    appended = result | {"seq": seq, "entry": _entry(session, actor, seq),
                         "proof": _checked_proof(session, actor, seq, None),
                         "head": _checked_head(result["signed_tree_head"], keys)}
    kept = {k: values[k] for k in ("recycler", "shop", "assay_method", "payment_method",
                                   "item_type", "seller_id_type", "origin")}
    return _intake_page(request, session, actor, kept | {"occurred_at": _now_local()},
                        appended=appended)


def _entry_rows(entries: list[dict[str, Any]], purchases: pd.DataFrame
                ) -> list[dict[str, Any]]:
    """What the ledger page shows of each entry: sellers by masked document number."""
    masked = dict(zip(purchases["seq"], purchases["seller_id_masked"], strict=True)) \
        if not purchases.empty else {}
    rows = []
    for e in entries:
        body = e["entry"]
        what = {"purchase": lambda b: f"{b['recycler']}/{b['shop']} {b['item_type']} "
                                      f"{b['gross_weight_g']} g × {b['fineness_permille']} ‰ "
                                      f"{b['payment_method']}",
                "correction": lambda b: f"{b['action']} entry {b['target']}: {b['reason']}",
                "lot": lambda b: f"lot {b['lot']} {b['recycler']} → {b['refiner']} "
                                 f"({len(b['purchases'])} purchases)",
                "assay": lambda b: f"assay of lot {b['lot']} ({b['method']})",
                "bar": lambda b: f"bar {b['serial']} by {b['refiner']}"}.get(
            e["kind"], lambda b: "")(body)
        rows.append({"seq": e["seq"], "kind": e["kind"], "recorded_at": e["recorded_at"][:19],
                     "what": what, "seller": masked.get(e["seq"], ""),
                     "fine_gold_g": float(body["fine_gold_g"]) if "fine_gold_g" in body
                     else None,
                     "amount_cny": float(body["amount_cny"]) if "amount_cny" in body else None,
                     "leaf_hash": e["leaf_hash"], "serial": body.get("serial")})
    return rows


@router.get("/recycling/ledger", response_class=HTMLResponse, include_in_schema=False)
def ledger_page(request: Request, session: DB, actor: PageActor, offset: Offset = 0,
                proof: Count | None = None) -> Page:
    keys = _keys(request)
    status_ = recycling.ledger_status(session)
    head = status_["signed_tree_head"]
    purchases = recycling.purchases_in_force(session, actor)
    entries = recycling.list_entries(session, actor, offset, 50)
    shown = None
    if proof is not None and head is not None:
        shown = _checked_proof(session, actor, proof, None)
    return render(request, "recycling_ledger.html", actor=actor, status=status_,
                  head=None if head is None else _checked_head(head, keys),
                  rows=_entry_rows(entries, purchases), offset=offset, page_size=50,
                  figure=charts.recycling_daily(purchases), proof=shown,
                  purchases=len(purchases),
                  fine_gold_g=float(purchases["fine_gold_g"].sum()) if len(purchases) else 0.0,
                  amount_cny=float(purchases["amount_cny"].sum()) if len(purchases) else 0.0)


def _reports_page(request: Request, session: Session, actor: Actor,
                  message: str | None = None, problems: list[str] | None = None,
                  status_code: int = 200) -> Page:
    reports = recycling.list_reports(session, actor, "all")
    due = [r for r in reports if r["status"] in ("due", "overdue")]
    sent = [r for r in reports if r["status"] == "submitted"]
    frame = pd.DataFrame(reports)
    figure = charts.stacked_totals(
        frame.assign(month=frame["due_on"].str[:7]) if len(frame) else frame, "month",
        "status", "Reports by month due and state", "reports")
    return render(request, "recycling_reports.html", status_code=status_code, actor=actor,
                  due=due, sent=sent, figure=figure, message=message, problems=problems or [],
                  can_screen=actor.role is not Role.AUDITOR,
                  can_submit=actor.role in (Role.ADMIN, Role.RECYCLER, Role.ENTERPRISE,
                                            Role.REGULATOR))


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
                         message=f"Screened the purchases: {len(made)} new report(s) or "
                                 "revision(s).")


@router.post("/recycling/reports/{report_id}/submit", include_in_schema=False,
             dependencies=[CSRF])
def submit_page(report_id: DbId, request: Request, session: DB, actor: PageActor) -> Response:
    try:
        done = recycling.submit_report(session, actor, report_id)
    except PermissionDenied as exc:
        return _reports_page(request, session, actor, problems=[str(exc)], status_code=403)
    except ConflictError as exc:
        return _reports_page(request, session, actor, problems=[str(exc)], status_code=409)
    return _reports_page(request, session, actor, message=(
        f"Report {report_id} submitted (submission {done['submission_id']}, document SHA-256 "
        f"{done['document_sha256']})."))


@router.get("/recycling/reports/{report_id}/document", include_in_schema=False)
def document_page(report_id: DbId, session: DB, actor: PageActor) -> PlainTextResponse:
    return PlainTextResponse(recycling.report_document(session, actor, report_id))


@router.get("/recycling/custody", response_class=HTMLResponse, include_in_schema=False)
def custody_index(request: Request, session: DB, actor: PageActor, bar: str = "") -> Response:
    if bar.strip():
        return RedirectResponse(f"/recycling/custody/{bar.strip()}", status_code=303)
    balances = recycling.mass_balances(session, actor)
    return render(request, "recycling_custody_index.html", actor=actor, balances=balances,
                  figure=charts.mass_balance_chart(balances))


@router.get("/recycling/custody/{serial}", response_class=HTMLResponse, include_in_schema=False)
def custody_page(serial: str, request: Request, session: DB, actor: PageActor) -> Page:
    graph = recycling.custody_chain(session, actor, serial)
    bar = next(n for n in graph["nodes"] if n["kind"] == "bar")
    lots = [n for n in graph["nodes"] if n["kind"] == "lot"]
    into_bar = {e["source"].removeprefix("lot:"): e["fine_gold_g"] for e in graph["edges"]
                if e["target"] == bar["id"]}
    purchases = [n for n in graph["nodes"] if n["kind"] == "purchase"]
    return render(request, "recycling_custody.html", actor=actor, bar=bar,
                  lots=[lot | {"into_bar_g": into_bar.get(lot["lot"])} for lot in lots],
                  purchases=purchases, figure=charts.custody_sankey(graph),
                  balance_figure=charts.mass_balance_chart(lots))


@router.get("/recycling/regulator", response_class=HTMLResponse, include_in_schema=False)
def regulator_page(request: Request, session: DB, actor: PageActor) -> Page:
    actor.require_role(*_READERS_OF_THE_INBOX)
    received = recycling.regulator_inbox(session, actor)
    inbox = pd.DataFrame([{"month": i["submitted_at"][:7], "kind": i["report"]["kind"]}
                          for i in received], columns=["month", "kind"])
    volumes = pd.DataFrame(recycling.recycled_totals(session, actor, ("province", "month")))
    link = recycling.statistics_link(session, actor)
    national = link.groupby("period", as_index=False)[
        ["ledger_fine_gold_kg", "reported_gold_recycled_kg"]].sum(min_count=1)
    return render(request, "recycling_regulator.html", actor=actor, inbox=received,
                  volumes=records(volumes), statistics=records(link),
                  figures={"reports": charts.stacked_totals(
                               inbox, "month", "kind", "Reports received by month and kind",
                               "reports"),
                           "volumes": charts.stacked_totals(
                               volumes, "month", "province",
                               "Recycled fine gold by province and month (Beijing time)",
                               "kg", "fine_gold_kg"),
                           "statistics": charts.time_series(
                               national, "period",
                               {"ledger_fine_gold_kg": "ledger: fine gold bought",
                                "reported_gold_recycled_kg":
                                    "reports: gold from recycled material"},
                               "Recycled gold: the ledger beside the statistical reports",
                               "kg")},
                  can_acknowledge=actor.role in (Role.ADMIN, Role.REGULATOR))


@router.post("/recycling/inbox/{submission_id}/acknowledge", include_in_schema=False,
             dependencies=[CSRF])
def acknowledge_page(submission_id: DbId, session: DB, actor: PageActor) -> Response:
    recycling.acknowledge_submission(session, actor, submission_id)
    return RedirectResponse("/recycling/regulator", status_code=303)
