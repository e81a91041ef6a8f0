"""Prospectivity studies through the API and the pages: the demo, an upload, the scope."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from fastapi.testclient import TestClient

from aurum.services import prospect
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_resources_api import _csrf
from tests.factories import PASSWORD
from tests.services.test_prospect import synthetic_inputs


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf": _csrf(client)})
    assert r.status_code in (200, 303), r.text


def test_demo_summary_rasters_and_pages(app_client: TestClient, platform: Platform,
                                        prospect_demo: prospect.Study, shared_data: Path,
                                        tmp_path: Path) -> None:
    shutil.copytree(prospect_demo.folder, platform.settings.home / "prospect" / prospect_demo.key)
    a = bearer(app_client, "alpha")
    studies = app_client.get("/api/v1/prospect/studies", headers=a).json()
    assert [s["study"] for s in studies] == [prospect_demo.key]
    summary = app_client.get(f"/api/v1/prospect/studies/{prospect_demo.key}", headers=a).json()
    assert summary["auc"] == pytest.approx(0.7145, abs=0.001)
    breccia = next(t for t in summary["layers"] if t["layer"] == "Dist2Breccia")
    assert round(next(r for r in breccia["rows"] if r["class"] == 2)["w_plus"], 4) == 0.4361
    assert {"spatial_auc", "random_auc"} <= set(summary["ml"])
    tif = app_client.get(f"/api/v1/prospect/studies/{prospect_demo.key}/posterior.tif", headers=a)
    assert tif.status_code == 200 and tif.headers["content-type"] == "image/tiff"
    published = shared_data / "prospect" / "mpm_wofe" / "CalculateResponse"
    with rasterio.MemoryFile(tif.content) as memory, memory.open() as ours, \
            rasterio.open(published / "PosteriorProbability.tif") as theirs:
        assert ours.count == 3
        np.testing.assert_allclose(ours.read(1), theirs.read(1), rtol=2e-7)
    gpkg = app_client.get(f"/api/v1/prospect/studies/{prospect_demo.key}/targets.gpkg", headers=a)
    (tmp_path / "t.gpkg").write_bytes(gpkg.content)
    assert len(gpd.read_file(tmp_path / "t.gpkg")) == summary["targets"]["count"]
    _login(app_client, "miit")
    index = app_client.get("/prospect")
    assert index.status_code == 200 and "chart-studies" in index.text
    page = app_client.get(f"/prospect/{prospect_demo.key}")
    assert page.status_code == 200
    for chart in ("chart-posterior", "chart-roc", "chart-success", "chart-layer-1"):
        assert chart in page.text
    assert "prospect-targets" in page.text and "new project" in page.text
    assert "weights-Dist2Breccia" in page.text


def test_upload_scope_and_handover(app_client: TestClient, tmp_path: Path) -> None:
    evidence, deposits, _, _ = synthetic_inputs(tmp_path)
    params = ('{"thresholds": {"dist": 500}, "block_size_m": 2000, "negative_buffer_m": 0, '
              '"min_target_cells": 2, "target_area_fraction": 0.2, "unit_area_km2": 0.01, '
              '"estimator": "logistic_regression"}')
    files = [("evidence", (n, c, "image/tiff")) for n, c in evidence]
    files.append(("deposits", (deposits[0], deposits[1], "application/zip")))
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/prospect/studies", headers=a, files=files,
                        data={"name": "fault", "params": params})
    assert r.status_code == 201, r.text
    key = r.json()["study"]
    assert r.json()["auc"] > 0.7
    # another enterprise cannot read it, in any form
    b = bearer(app_client, "beta")
    for path in ("", "/posterior.tif", "/targets.gpkg"):
        assert app_client.get(f"/api/v1/prospect/studies/{key}{path}",
                              headers=b).status_code == 404
    assert app_client.get("/api/v1/prospect/studies", headers=b).json() == []
    regulator = bearer(app_client, "miit")
    assert app_client.get(f"/api/v1/prospect/studies/{key}", headers=regulator).status_code \
        == 200
    # the best target lies by site SD-A-01: the page hands it over to its resources
    _login(app_client, "alpha")
    page = app_client.get(f"/prospect/{key}")
    assert page.status_code == 200 and 'href="/resources/SD-A-01"' in page.text
    # bad input: the domain's message, as 422
    bad = app_client.post("/api/v1/prospect/studies", headers=a, files=files,
                          data={"params": '{"thresholds": {"gravity": 1}}'})
    assert bad.status_code == 422
    assert "not an evidence layer" in bad.json()["problems"][0]["message"]
    auditor = bearer(app_client, "audit")
    assert app_client.get("/api/v1/prospect/studies", headers=auditor).status_code == 403
