"""Every string a person reads on the geoscience pages (resources, drillholes, pit studies and
their scenarios, prospectivity) goes through the message catalogue (issue 17): with a
catalogue that turns every message into 中, the pages requested in Chinese, charts included,
show almost no English word; what is left is data (codes, layer names of the uploaded files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.api.test_prospect_api import _login
from tests.api.test_resources_api import SPEC, _csrf, _samples_csv
from tests.services.test_prospect import synthetic_inputs

DATA = frozenset({
    "English",  # the language switch names each language in itself
    "dist", "rock",  # the evidence layers, named by their uploaded files
})
"""Latin-letter tokens that are data on these pages, not words to translate."""


def _drillholes() -> dict[str, tuple[str, bytes, str]]:
    """Collars, surveys and assays of twelve vertical holes with a gold grade every 2 m, and
    a few faults of the kind a geologist's files have: a dip out of range (the hole loses its
    intervals), a text grade, a FROM below its TO and a gap."""
    rng = np.random.default_rng(17)
    holes = [f"DH{i:02d}" for i in range(12)]
    collar = pd.DataFrame({"BHID": holes, "XCOLLAR": [20.0 * (i % 4) for i in range(12)],
                           "YCOLLAR": [20.0 * (i // 4) for i in range(12)], "ZCOLLAR": 100.0})
    survey = pd.DataFrame({"BHID": holes, "AT": 0.0, "AZ": 0.0, "DIP": 90.0})
    survey.loc[11, "DIP"] = 120.0
    assay = pd.DataFrame([{"BHID": h, "FROM": d, "TO": d + 2.0,
                           "AU": f"{rng.lognormal(0.0, 1.0):.3f}"}
                          for h in holes for d in np.arange(0.0, 40.0, 2.0)])
    assay.loc[3, "AU"] = "abc"
    assay.loc[25, ["FROM", "TO"]] = [32.0, 31.0]
    assay = assay.drop(index=45)
    return {name: (f"{name.upper()}.CSV", frame.to_csv(index=False).encode(), "text/csv")
            for name, frame in (("collar", collar), ("survey", survey), ("assay", assay))}


def _geoscience_pages(client: TestClient, tmp_path: Path) -> list[str]:
    """A published resource model with two saved pit scenarios, an uploaded prospectivity
    study, and the pages that show them."""
    alpha = bearer(client, "alpha")
    r = client.post("/api/v1/resources/estimate", headers=alpha,
                    files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                           "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                    "application/yaml")})
    assert r.status_code == 201, r.text
    model_id = r.json()["model_id"]
    saved = f"/api/v1/pit/{model_id}/scenarios"
    keys = []
    for name, price in (("高金价", 900), ("低金价", 500)):
        r = client.post(saved, headers=alpha, json={"name": name, "price_cny_per_g": price})
        assert r.status_code == 201, r.text
        keys.append(r.json()["key"])
    evidence, deposits, _rows, _cols = synthetic_inputs(tmp_path)
    files = [("evidence", (n, c, "image/tiff")) for n, c in evidence]
    files.append(("deposits", (deposits[0], deposits[1], "application/zip")))
    r = client.post("/api/v1/prospect/studies", headers=alpha, files=files, data={
        "name": "断层带", "params": '{"thresholds": {"dist": 500}, "block_size_m": 2000, '
        '"negative_buffer_m": 0, "min_target_cells": 2, "target_area_fraction": 0.2, '
        '"unit_area_km2": 0.01, "estimator": "logistic_regression"}'})
    assert r.status_code == 201, r.text
    study = r.json()["study"]
    _login(client, "alpha")
    return ["/resources", "/resources/SD-A-01", "/resources/drillholes", "/pit",
            f"/pit/{model_id}", f"/pit/{model_id}/scenarios/{keys[0]}",
            f"/pit/{model_id}/compare?a={keys[0]}&b={keys[1]}", "/prospect",
            f"/prospect/{study}"]


@pytest.mark.usefixtures("everything_chinese")
def test_geoscience_pages_say_nothing_outside_the_catalogue(app_client: TestClient,
                                                            tmp_path: Path) -> None:
    for url in _geoscience_pages(app_client, tmp_path):
        page = app_client.get(url, headers=ZH)
        assert page.status_code == 200, (url, page.text[:500])
        assert '<html lang="zh-CN">' in page.text and "中" in page.text
        words = english_words(page.text, DATA)
        assert len(words) <= HANDFUL, f"{url} shows {words[:40]}"


@pytest.mark.usefixtures("everything_chinese")
def test_checked_drillholes_and_their_problems_are_in_the_readers_language(
        app_client: TestClient) -> None:
    _login(app_client, "alpha")
    page = app_client.post("/resources/drillholes", headers=ZH, files=_drillholes(), data={
        "csrf": _csrf(app_client), "grade": "AU", "composite": "2"})
    assert page.status_code == 200, page.text[:500]
    assert 'data-testid="drillhole-problems"' in page.text and "chart-logprob" in page.text
    words = english_words(page.text, DATA)
    assert len(words) <= HANDFUL, words[:40]
    problems = page.text.split('data-testid="drillhole-problems"')[1].split("</table>")[0]
    assert problems.count("<tr>") >= 5 and not english_words(problems)
