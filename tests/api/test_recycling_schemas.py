"""The recycling tables' JSON rows are what their declared models say, and the models name
the columns of the CSV form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from aurum.api.schemas.recycling import (
    InboxItemOut,
    LedgerEntryOut,
    MassBalanceRow,
    RecycledGoldRow,
    RecycledGoldStatisticsRow,
    RecyclingReportOut,
    TreeHeadRow,
)
from aurum.services import recycling, registry, reporting
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.factories import Registry
from tests.recycling.helpers import purchase, seller_id

API = "/api/v1/recycling"


@pytest.fixture
def miit(app_client: TestClient, platform: Platform, reg: Registry) -> dict[str, str]:
    """A ledger with an entry of every kind, read by the national regulator: two cash
    purchases of one seller on one day (a large-cash report, submitted), a purchase amended,
    lot L-1 assayed and cast into bar AU-1, lot L-2 awaiting its assay, and recycled gold
    in a statistical report."""
    admin, keys = reg.admin, recycling.LedgerKeys.load(platform.settings)
    at = datetime(2025, 9, 1, 8, tzinfo=UTC)
    lot_purchase = {"gross_weight_g": "100", "fineness_permille": "916", "amount_cny": "70000",
                    "payment_method": "bank_transfer"}
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "RC-1", "Golden Phoenix Recycling",
                                     "recycling", "Shandong")
        recycling.register_participant(s, admin, "RC-1", "Golden Phoenix Recycling",
                                       org_code="RC-1")
        recycling.register_participant(s, admin, "RF-1", "Shandong Refinery", role="refiner",
                                       province="Shandong")
        reporting.submit(s, admin, "SD-A-02", "2025-Q3", {"gold_recycled_kg": 0.05})
        recycling.record_purchases(s, admin, keys, [
            purchase(shop="S-1", amount_cny="60000"), purchase(shop="S-2", amount_cny="60000"),
            *(purchase(**lot_purchase, seller_id_number=seller_id(i)) for i in (2, 3, 4)),
            purchase(amount_cny="500", seller_id_number=seller_id(5))])
        recycling.record_correction(s, admin, keys, 5, "weighed again", [
            purchase(amount_cny="450", seller_id_number=seller_id(5))])
        recycling.dispatch_lot(s, admin, keys, "L-1", "RC-1", "RF-1", [2, 3], at)
        recycling.dispatch_lot(s, admin, keys, "L-2", "RC-1", "RF-1", [4], at)
        recycling.record_assay(s, admin, keys, "L-1", 182.7, 1000, "fire_assay", at)
        recycling.record_bar(s, admin, keys, "AU-1", "RF-1", 100, 999.9, {"L-1": 99.99}, at)
        for report in recycling.screen_reports(s, admin):
            recycling.submit_report(s, admin, report.id)
    return bearer(app_client, "miit")


def _both(client: TestClient, headers: dict[str, str], path: str
          ) -> tuple[list[dict[str, Any]], list[str]]:
    """A table's JSON rows and its CSV header."""
    rows = client.get(path, headers=headers)
    table = client.get(path + ("&" if "?" in path else "?") + "format=csv", headers=headers)
    assert rows.status_code == table.status_code == 200, (rows.text, table.text)
    assert rows.json(), f"{path}: nothing to check"
    return rows.json(), next(csv.reader(io.StringIO(table.text)))


def _fields(model: type[BaseModel], *leave_out: str) -> list[str]:
    return [f for f in model.model_fields if f not in leave_out]


@pytest.mark.parametrize(("path", "row", "columns"), [
    ("/tree-heads", TreeHeadRow, _fields(TreeHeadRow)),
    ("/mass-balances", MassBalanceRow, _fields(MassBalanceRow)),
    ("/totals", RecycledGoldRow, _fields(RecycledGoldRow)),
    ("/totals?by=month", RecycledGoldRow, _fields(RecycledGoldRow, "recycler", "province")),
    ("/statistics", RecycledGoldStatisticsRow, _fields(RecycledGoldStatisticsRow)),
    ("/reports?status=all", RecyclingReportOut, _fields(RecyclingReportOut))])
def test_table_rows_are_their_model_with_the_csv_columns(
        app_client: TestClient, miit: dict[str, str], path: str, row: type[BaseModel],
        columns: list[str]) -> None:
    rows, header = _both(app_client, miit, API + path)
    TypeAdapter(list[row]).validate_python(rows)  # type: ignore[valid-type]
    assert header == columns


def test_entries_of_every_kind_and_their_flattened_columns(
        app_client: TestClient, miit: dict[str, str]) -> None:
    rows, header = _both(app_client, miit, f"{API}/entries")
    entries = TypeAdapter(list[LedgerEntryOut]).validate_python(rows)
    kinds = {e.kind: type(e.entry) for e in entries}
    assert set(kinds) == {"purchase", "correction", "lot", "assay", "bar"}
    assert set(header) == set(_fields(LedgerEntryOut, "entry")) | {
        f"entry.{f}" for body in kinds.values() for f in body.model_fields}


def test_the_inbox_and_its_flattened_report(app_client: TestClient,
                                            miit: dict[str, str]) -> None:
    rows, header = _both(app_client, miit, f"{API}/inbox")
    TypeAdapter(list[InboxItemOut]).validate_python(rows)
    assert set(header) == set(_fields(InboxItemOut, "report")) | {
        f"report_{f}" for f in RecyclingReportOut.model_fields}


def test_a_report_alone_is_its_row_of_the_list(app_client: TestClient,
                                               miit: dict[str, str]) -> None:
    listed = app_client.get(f"{API}/reports?status=all", headers=miit).json()
    alone = app_client.get(f"{API}/reports/{listed[0]['id']}", headers=miit)
    assert alone.status_code == 200 and alone.json() == listed[0]


def test_every_json_operation_declares_its_answer(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    untyped = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answer = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            if path.startswith(API) and schema is not None and not (
                    "$ref" in schema or "$ref" in schema.get("items", {})):
                untyped.append(f"{method.upper()} {path}")
    assert untyped == []
