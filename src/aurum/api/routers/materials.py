"""Shelf products of high-end gold and silver materials (issue 22): the catalogue, a
product's specification, batches, control charts and capability, documents and application
evaluations; JSON under ``/api/v1/materials`` and the pages under ``/materials``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from aurum.api import forms
from aurum.api.charts.materials import catalogue_chart, control_chart
from aurum.api.deps import CSRF, DB, ApiActor, PageActor
from aurum.api.schemas.materials import (
    BatchIn,
    BatchOut,
    EvaluationIn,
    EvaluationOut,
    KindOut,
    ProductIn,
    ProductOut,
    ProductRowOut,
)
from aurum.api.templating import render
from aurum.api.uploads import received
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.services import materials as service
from aurum.services import materials_views as views
from aurum.services.auth import Actor

router = APIRouter(tags=["materials"])
API = "/api/v1/materials"
PRODUCT = API + "/products/{code}"
Filter = Annotated[str | None, Query(max_length=32)]
PRODUCT_FIELDS = ("code", "kind", "grade", "name_en", "name_zh", "maker", "specification")
BATCH_FIELDS = ("batch_no", "produced_on", "quantity_kg", "reason")
EVALUATION_FIELDS = ("evaluator", "sector", "evaluated_on", "verdict", "properties_checked",
                     "conditions", "result", "raw_data", "corrects_id")


def _home(request: Request) -> Path:
    return Path(request.app.state.platform.settings.home)


def _batch_record(row: Any, session: DB) -> dict[str, Any]:
    cap = service.latest_capability(session, row.product_id)
    return {"id": row.id, "batch_no": row.batch_no, "produced_on": row.produced_on,
            "quantity_kg": row.quantity_kg, "values": row.values,
            "corrects_id": row.corrects_id, "data_version": 0 if cap is None else cap.data_version}


@router.get(API + "/kinds", response_model=list[KindOut])
def list_kinds(actor: ApiActor) -> list[dict[str, Any]]:
    """The material kinds of Column 3 and the properties their specifications usually give."""
    service.require_reader(actor)
    return [{k: v for k, v in kind.items() if k != "name"} for kind in views.kinds()]


@router.get(API + "/products", response_model=list[ProductRowOut])
def list_products(session: DB, actor: ApiActor, kind: Filter = None, maker: Filter = None,
                  status: Filter = "active") -> list[dict[str, Any]]:
    """The catalogue: products with their batches, least Cpk and evaluation record."""
    return views.catalogue_view(session, actor, kind, maker, status or None).rows


@router.post(API + "/products", status_code=201, response_model=ProductOut)
def post_product(body: ProductIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Put a product on the shelf with its specification (a maker; admin naming the maker)."""
    spec = {k: v.model_dump(exclude_none=True) for k, v in body.specification.items()}
    service.create_product(session, actor, body.code, body.kind, body.grade, body.name_en,
                           body.name_zh, spec, body.maker)
    return views.product_record(views.product_view(session, actor, body.code))


@router.get(PRODUCT, response_model=ProductOut)
def get_product(code: str, session: DB, actor: ApiActor) -> dict[str, Any]:
    """A product: its specification with the capability stored with its data version, its
    documents and evaluations (raw data only for the parties)."""
    return views.product_record(views.product_view(session, actor, code))


def _maker(code: str, session: DB, actor: ApiActor) -> None:
    """Refuse a caller who may not add to the product before its body is validated."""
    service.writable_product(session, actor, code)


@router.post(PRODUCT + "/batches", status_code=201, response_model=BatchOut,
             dependencies=[Depends(_maker)])
def post_batch(code: str, body: BatchIn, session: DB, actor: ApiActor) -> dict[str, Any]:
    """Record a batch (a recorded batch number with a reason corrects it); the product's
    control charts and capability are computed now and stored with the new data version."""
    row = service.add_batch(session, actor, code, body.batch_no, body.produced_on, body.values,
                            body.quantity_kg, body.reason)
    return _batch_record(row, session)


@router.get(PRODUCT + "/batches", response_model=list[BatchOut])
def list_batches(code: str, session: DB, actor: ApiActor) -> list[dict[str, Any]]:
    """The product's batches as they stand, in production order."""
    product = service.get_product(session, actor, code)
    return [_batch_record(b, session) for b in service.current_batches(session, product.id)]


@router.post(PRODUCT + "/evaluations", status_code=201, response_model=EvaluationOut)
def post_evaluation(code: str, body: EvaluationIn, session: DB, actor: ApiActor
                    ) -> dict[str, Any]:
    """Record an application evaluation (a downstream user; admin naming the evaluator)."""
    row = service.add_evaluation(session, actor, code, body.sector, body.evaluated_on,
                                 body.conditions, body.properties_checked, body.result,
                                 body.verdict, body.raw_data, body.evaluator, body.corrects_id)
    return service.evaluation_record(actor, service.get_product(session, actor, code), row)


@router.post(PRODUCT + "/documents", status_code=201, response_model=ProductOut,
             dependencies=[Depends(_maker)])
async def post_document(code: str, request: Request, file: UploadFile, session: DB,
                        actor: ApiActor, kind: Annotated[str, Query(max_length=16)] = "datasheet",
                        title: Annotated[str, Query(min_length=1, max_length=200)] = "document"
                        ) -> dict[str, Any]:
    """Keep a document of the product (PDF, image, CSV, text, Excel; at most 20 MiB)."""
    name, data = await received(file, "document")
    service.add_document(session, actor, _home(request), code, kind, title, name, data)
    return views.product_record(views.product_view(session, actor, code))


@router.get(PRODUCT + "/documents/{digest}", response_class=FileResponse)
def get_document(code: str, digest: str, request: Request, session: DB, actor: ApiActor
                 ) -> FileResponse:
    """A document's file, always as a download (never shown as a page)."""
    row, path = service.document_file(session, actor, _home(request), code, digest)
    return FileResponse(path, media_type="application/octet-stream", filename=row.filename)


# --- the pages ------------------------------------------------------------------------------


def _catalogue(request: Request, session: DB, actor: Actor, kind: str | None,
               maker: str | None, form: forms.FormState | None = None,
               status_code: int = 200) -> HTMLResponse:
    view = views.catalogue_view(session, actor, kind or None, maker or None)
    kinds = views.kinds()
    figure = catalogue_chart(view.by_kind, {k["key"]: k["name"] for k in kinds},
                             _("Shelf products by material kind and capability"))
    return render(request, "materials_index.html", status_code=status_code, actor=actor,
                  view=view, kinds=kinds, figure=figure, kind=kind or "", maker=maker or "",
                  kind_names={k["key"]: k["name"] for k in kinds},
                  kind_choices=[(k["key"], k["name"]) for k in kinds],
                  form=form or forms.FormState({"specification": SPEC_EXAMPLE}))


SPEC_EXAMPLE = ("purity: {min: 99.99, unit: '%'}\n"
                "breaking_load: {min: 4.0, max: 9.0, target: 6.5, method: GB/T 228.1-2021}\n")
"""What the product form offers to start from."""


@router.get("/materials", response_class=HTMLResponse, include_in_schema=False)
def index_page(request: Request, session: DB, actor: PageActor, kind: Filter = None,
               maker: Filter = None) -> HTMLResponse:
    return _catalogue(request, session, actor, kind, maker)


@router.post("/materials/products", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[CSRF])
async def product_form(request: Request, session: DB, actor: PageActor) -> Any:
    """A product from the catalogue page's form (its specification typed as YAML)."""
    service.require_maker(session, actor)  # who may add, before what was typed
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:views.MAX_YAML + 1] for k in PRODUCT_FIELDS}
    try:
        spec = views.parse_yaml(typed["specification"], "specification")
        service.create_product(session, actor, typed["code"].strip(), typed["kind"],
                               typed["grade"], typed["name_en"], typed["name_zh"], spec,
                               typed["maker"] or None)
    except ValidationError as exc:
        return _catalogue(request, session, actor, None, None,
                          forms.refused(typed, exc.problems), 422)
    return RedirectResponse(f"/materials/products/{typed['code'].strip()}", status_code=303)


def _product_page(request: Request, session: DB, actor: Actor, code: str,
                  forms_state: dict[str, forms.FormState] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    view = views.product_view(session, actor, code)
    charts = {s["property"]: control_chart(s["name"], s["unit"], s) for s in view.specs}
    state = {"batch": forms.FormState({}), "evaluation": forms.FormState({}),
             "document": forms.FormState({}), **(forms_state or {})}
    return render(request, "materials_product.html", status_code=status_code, actor=actor,
                  view=view, charts=charts, forms=state, sectors=service.SECTORS,
                  verdicts=service.VERDICTS, document_kinds=service.DOCUMENT_KINDS)


@router.get("/materials/products/{code}", response_class=HTMLResponse,
            include_in_schema=False)
def product_page(code: str, request: Request, session: DB, actor: PageActor) -> HTMLResponse:
    return _product_page(request, session, actor, code)


def _date(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(Problem(_("expected a date (YYYY-MM-DD)"), column=column)) from None


@router.post("/materials/products/{code}/batches", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def batch_form(code: str, request: Request, session: DB, actor: PageActor) -> Any:
    """A batch from the product page's form: one field per property of the specification."""
    product = service.writable_product(session, actor, code)
    sent = await request.form()
    names = [f"values.{s.property}" for s in product.specs]
    typed = {k: str(sent.get(k, ""))[:2000] for k in (*BATCH_FIELDS, *names)}
    try:
        values = {n.split(".", 1)[1]: v for n in names
                  if (v := views.parse_numbers(typed[n], n)) is not None}
        quantity = views.parse_numbers(typed["quantity_kg"], "quantity_kg")
        service.add_batch(session, actor, code, typed["batch_no"].strip(),
                          _date(typed["produced_on"], "produced_on"), values,
                          quantity[0] if quantity else None, typed["reason"])
    except ValidationError as exc:
        return _product_page(request, session, actor, code,
                             {"batch": forms.refused(typed, exc.problems)}, 422)
    return RedirectResponse(f"/materials/products/{code}#charts", status_code=303)


@router.post("/materials/products/{code}/evaluations", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def evaluation_form(code: str, request: Request, session: DB, actor: PageActor) -> Any:
    """An application evaluation from the product page's form."""
    service.get_product(session, actor, code)
    service.require_evaluator(session, actor)  # who may evaluate, before what was typed
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:views.MAX_YAML + 1] for k in EVALUATION_FIELDS}
    checked = [str(v) for v in sent.getlist("properties_checked")][:20]
    try:
        raw = views.parse_yaml(typed["raw_data"], "raw_data") or {}
        corrects = views.parse_numbers(typed["corrects_id"], "corrects_id")
        service.add_evaluation(session, actor, code, typed["sector"],
                               _date(typed["evaluated_on"], "evaluated_on"),
                               typed["conditions"], checked, typed["result"], typed["verdict"],
                               raw, typed["evaluator"] or None,
                               int(corrects[0]) if corrects else None)
    except ValidationError as exc:
        return _product_page(request, session, actor, code,
                             {"evaluation": forms.refused(typed, exc.problems)}, 422)
    return RedirectResponse(f"/materials/products/{code}#evaluations", status_code=303)


@router.post("/materials/products/{code}/documents", response_class=HTMLResponse,
             include_in_schema=False, dependencies=[CSRF])
async def document_form(code: str, request: Request, session: DB, actor: PageActor,
                        file: UploadFile | None = None) -> Any:
    """A document from the product page's form."""
    service.writable_product(session, actor, code)
    sent = await request.form()
    typed = {k: str(sent.get(k, ""))[:300] for k in ("kind", "title")}
    name, data = await received(file, "document") if file is not None else ("", b"")
    try:
        service.add_document(session, actor, _home(request), code, typed["kind"],
                             typed["title"], name, data)
    except ValidationError as exc:
        return _product_page(request, session, actor, code,
                             {"document": forms.refused({**typed, "file": ""}, exc.problems)},
                             422)
    return RedirectResponse(f"/materials/products/{code}#documents", status_code=303)


@router.get("/materials/products/{code}/documents/{digest}", include_in_schema=False)
def document_page(code: str, digest: str, request: Request, session: DB, actor: PageActor
                  ) -> FileResponse:
    row, path = service.document_file(session, actor, _home(request), code, digest)
    return FileResponse(path, media_type="application/octet-stream", filename=row.filename)
