"""The declared rows of the processing tables (metal accounts, waste ledger, utilisation)
are the tables served, and a circuit's answer leaves out what the service leaves out (the
global test of a circuit saved without a survey, a measurement not taken) rather than giving
it as null."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aurum.api.schemas.processing import AccountRow, LedgerRow, UtilisationRow
from aurum.processing.circuit import circuit_from_mapping, circuit_to_mapping
from aurum.processing.examples import gold_plant
from tests.api.conftest import bearer
from tests.api.test_processing_api import API, SITE, _records
from tests.api.test_reporting_schemas import check_table, declared_row


def test_processing_tables_serve_their_declared_rows(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    _records(app_client, alpha)
    r = app_client.post(f"{SITE}/accounts/close", headers=alpha, json={"periods": ["2025-07"]})
    assert r.status_code == 201, r.text
    for path, row in ((f"{API}/sites/{{code}}/accounts", AccountRow),
                      (f"{API}/waste", LedgerRow),
                      (f"{API}/waste/utilisation", UtilisationRow)):
        assert declared_row(app_client, path) == row.__name__, path
    check_table(app_client, f"{SITE}/accounts?history=true", alpha, AccountRow)
    check_table(app_client, f"{API}/waste", alpha, LedgerRow)
    # Every grouping column appears once grouped by all of them; fewer at the nation.
    every = "level=plant&by=year&by=period&by=waste_type"
    check_table(app_client, f"{API}/waste/utilisation?{every}", alpha, UtilisationRow)
    nation = app_client.get(f"{API}/waste/utilisation?level=nation", headers=alpha).json()
    groups = {"enterprise", "plant", "year", "period", "waste_type"}
    assert set(nation[0]) == set(UtilisationRow.model_fields) - groups | {"year"}


def test_a_circuit_answer_leaves_out_what_was_not_computed_or_measured(
        app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    bare = {k: v for k, v in gold_plant(seed=3).items() if k != "measurements"}
    r = app_client.post(f"{SITE}/circuits", headers=alpha, json={"name": "CIL",
                                                                 "definition": bare})
    assert r.status_code == 201, r.text
    test_keys = {"chi2", "dof", "p_value", "gross_errors"}
    assert not test_keys & set(r.json()) and r.json()["reconciliation"] is None
    listed = app_client.get(f"{SITE}/circuits", headers=alpha).json()
    assert not test_keys & set(listed[0])
    doc = app_client.get(f"{API}/circuits/{r.json()['id']}", headers=alpha).json()
    assert not test_keys & set(doc) and doc["definition"]["measurements"] == {}
    assert doc["reconciliation"] is None
    # A survey: a stream measured for its assays only has no mass key.
    surveyed = gold_plant(seed=3)
    r = app_client.post(f"{SITE}/circuits", headers=alpha, json={"name": "CIL",
                                                                 "definition": surveyed})
    assert r.status_code == 201 and test_keys <= set(r.json())
    doc = app_client.get(f"{API}/circuits/{r.json()['id']}", headers=alpha).json()
    stored = circuit_to_mapping(circuit_from_mapping(surveyed))["measurements"]
    assert any("mass" not in m for m in stored.values())
    assert doc["definition"]["measurements"] == stored
