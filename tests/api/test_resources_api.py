"""Estimate a mine's model through the API, publish its statement, see it on the pages."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.services.test_resources import synthetic_orebody

SPEC = {"site": "SD-A-01", "year": 2025, "method": "ordinary", "density": 2.7,
        "cutoff": 0.5, "discretisation": [2, 2, 2],
        "grid": {"origin": [5, 5, -95], "size": [10, 10, 10], "count": [20, 20, 10]},
        "variogram": {"nugget": 0.1, "structures": [
            {"type": "spherical", "sill": 0.9, "ranges": [120, 120, 60]}]},
        "search": {"radii": [150, 150, 75], "min_samples": 4, "max_samples": 24,
                   "max_per_hole": 6},
        "classification": {"measured": {"min_samples": 20, "min_slope": 0.97},
                           "indicated": {"min_slope": 0.94}}}


def _samples_csv() -> bytes:
    xyz, grade, holes = synthetic_orebody(1, 36)
    frame = pd.DataFrame({"x": xyz[:, 0], "y": xyz[:, 1], "z": xyz[:, 2], "value": grade,
                          "hole": holes})
    return frame.to_csv(index=False).encode()


def test_estimate_publish_and_view(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/resources/estimate", headers=a,
                        files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                               "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                        "application/yaml")})
    assert r.status_code == 201, r.text
    statement = r.json()
    total = sum(statement[f"{c}_gold_t"] for c in ("measured", "indicated", "inferred"))
    blocks = pd.read_csv(io.StringIO(app_client.get(
        f"/api/v1/resources/models/{statement['model_id']}/blocks", headers=a).text))
    above = blocks[blocks["estimate"] >= 0.5]
    assert total == pytest.approx((above["tonnes"] * above["estimate"]).sum() / 1e6, rel=1e-6)
    omf_file = app_client.get(f"/api/v1/resources/models/{statement['model_id']}/blocks"
                              "?format=omf", headers=a)
    assert omf_file.status_code == 200 and len(omf_file.content) > 1000
    # The year-end report now carries the statement's contained gold.
    reports = app_client.get("/api/v1/reports", headers=a).json()
    assert reports[0]["resources_measured_t"] == pytest.approx(statement["measured_gold_t"],
                                                              rel=1e-6)
    # The statement as a workbook: its Measured row equals the published figures.
    book = app_client.get(f"/api/v1/resources/statements/{statement['id']}/workbook",
                          headers=a)
    sheets = pd.read_excel(io.BytesIO(book.content), sheet_name=None, header=None)
    assert set(sheets) == {"Resource statement", "Grade-tonnage"}
    sheet = sheets["Resource statement"]
    header = sheet.index[sheet[1] == "Category"][0]
    table = sheet.iloc[header + 1:].set_axis(sheet.iloc[header], axis=1).set_index("Category")
    # Rows named by GB/T 17766-2020 category, the Chinese term beside (an English reader).
    for category, zh in (("Measured", "探明"), ("Indicated", "控制"), ("Inferred", "推断")):
        assert float(table.loc[f"{category} resources ({zh})", "Contained Au (t)"]
                     ) == pytest.approx(statement[f"{category.lower()}_gold_t"], rel=1e-9)
    # Another enterprise cannot read the model, and cannot estimate for a foreign site.
    b = bearer(app_client, "beta")
    assert app_client.get(f"/api/v1/resources/models/{statement['model_id']}/blocks",
                          headers=b).status_code == 404
    foreign = app_client.post("/api/v1/resources/estimate", headers=b,
                              files={"samples": ("c.csv", _samples_csv(), "text/csv"),
                                     "spec": ("s.yaml", yaml.safe_dump(SPEC).encode(),
                                              "application/yaml")})
    assert foreign.status_code == 404
    app_client.post("/login", data={"username": "miit", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    page = app_client.get("/resources/SD-A-01")
    assert page.status_code == 200 and "Grade–tonnage" in page.text
    assert app_client.get("/resources").status_code == 200


def _csrf(client: TestClient) -> str:
    html = client.get("/login").text
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_bad_spec_is_refused(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    bad = {**SPEC, "method": "idw"}
    bad.pop("classification")
    r = app_client.post("/api/v1/resources/estimate", headers=a,
                        files={"samples": ("c.csv", _samples_csv(), "text/csv"),
                               "spec": ("spec.yaml", yaml.safe_dump(bad).encode(),
                                        "application/yaml")})
    assert r.status_code == 422
    assert {p["column"] for p in r.json()["problems"]} == {"classification", "method"}
