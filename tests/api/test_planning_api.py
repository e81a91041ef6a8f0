"""A published resource model taken straight to a pit study, through the API and the page."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

from aurum.core import checks
from aurum.planning.maxclosure import maximum_closure
from aurum.planning.precedence import slope_precedence
from aurum.planning.study import pit_study
from aurum.resources.blockmodel import BlockModel
from aurum.services import planning
from aurum.services.planning import DEFAULT_ECONOMICS
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_resources_api import SPEC, _csrf, _samples_csv


def test_pit_study_of_a_published_model(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/resources/estimate", headers=a,
                        files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                               "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                        "application/yaml")})
    assert r.status_code == 201, r.text
    model_id = r.json()["model_id"]
    assert [m["model_id"] for m in app_client.get("/api/v1/pit/models", headers=a).json()] \
        == [model_id]
    changes = {"market": {"price_cny_per_g": 900.0}, "slopes": 50.0}
    study = app_client.post(f"/api/v1/pit/models/{model_id}/study", headers=a, json=changes)
    assert study.status_code == 200, study.text
    result = study.json()
    # The ultimate pit equals an independent maximum closure of the same block values.
    blocks = pd.read_parquet(io.BytesIO(app_client.get(
        f"/api/v1/resources/models/{model_id}/blocks?format=parquet", headers=a).content))
    model = BlockModel.from_frame(blocks)
    tonnes = model["tonnes"]
    grade = np.maximum(np.nan_to_num(model["estimate"]), 0.0)
    mill = DEFAULT_ECONOMICS["processes"][0]
    depth = np.maximum(0.0, -model.grid.centres()[:, 2]) / 10.0
    mining = tonnes * (25.0 + 1.0 * depth)
    value = np.maximum(-mining, tonnes * (grade * mill["recovery"] * (900.0 - 5.0)
                                          - mill["cost_cny_per_t"]) - mining)
    prec = slope_precedence(model.grid, 50.0, 8)
    expected = maximum_closure(value, prec.ptr, prec.idx, decimals=2)
    assert result["value"] == pytest.approx(expected.value, rel=1e-9)
    assert result["n_blocks"] == expected.n_blocks > 0
    assert sum(p["tonnes_t"] for p in result["pushbacks"]) == pytest.approx(
        float(tonnes[expected.in_pit].sum()))
    assert result["cutoffs"][0]["breakeven_gpt"] == pytest.approx(
        (25.0 + 120.0) / (0.9 * 895.0))
    # Another enterprise cannot study the model.
    b = bearer(app_client, "beta")
    assert app_client.get(f"/api/v1/pit/models/{model_id}/study", headers=b).status_code == 404
    assert app_client.get("/api/v1/pit/models", headers=b).json() == []
    app_client.post("/login", data={"username": "miit", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    page = app_client.get(f"/pit/{model_id}?price_cny_per_g=900&slope_deg=50")
    assert page.status_code == 200
    assert "chart-shell" in page.text and "chart-pitbypit" in page.text
    assert "Pushbacks" in page.text and app_client.get("/pit").status_code == 200


def test_pit_what_ifs_beyond_the_bounds_are_refused_with_422(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/resources/estimate", headers=a,
                        files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                               "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                        "application/yaml")})
    assert r.status_code == 201, r.text
    study = f"/api/v1/pit/models/{r.json()['model_id']}/study"
    flat = app_client.post(study, headers=a, json={"slopes": 5.0})
    assert flat.status_code == 422
    assert flat.json()["problems"][0]["column"] == "slopes"
    assert "from 15.0 to 80.0 °" in flat.json()["problems"][0]["message"]
    # A 15° cone searched 60 benches up on 10 m cubes: a window of 12 million cells, more
    # memory than one study may take, refused before the blocks are read.
    wide = app_client.post(study, headers=a, json={"slopes": 15.0, "n_benches": 60})
    assert wide.status_code == 422
    assert "MAX_PIT_STUDY_BYTES" in wide.json()["problems"][0]["message"]
    factors = app_client.post(study, headers=a, json={
        "revenue_factors": {"start": 0.1, "stop": 1.0e9, "step": 1.0e-9}})
    assert factors.status_code == 422
    assert factors.json()["problems"][0]["column"] == "revenue_factors"
    app_client.post("/login", data={"username": "alpha", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    page = f"/pit/{r.json()['model_id']}"
    for query in ("slope_deg=nan", "slope_deg=89", "min_mining_width_m=1e9",
                  "price_cny_per_g=inf", "recovery=0"):
        assert app_client.get(f"{page}?{query}").status_code == 422, query
    # Nothing pays at 10 CNY/g: the page shows the empty pit.
    empty = app_client.get(f"{page}?price_cny_per_g=10")
    assert empty.status_code == 200 and "<dd>0 blocks, 0.00 Mt" in empty.text


def _published_model(client: TestClient, headers: dict[str, str]) -> str:
    r = client.post("/api/v1/resources/estimate", headers=headers,
                    files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                           "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                    "application/yaml")})
    assert r.status_code == 201, r.text
    return f"/api/v1/pit/models/{r.json()['model_id']}/study"


def test_pit_studies_kept_are_bounded_least_recently_used_first(
        app_client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "MAX_STUDIES_KEPT", 2)
    runs: list[Any] = []

    def counted(grid: Any, attributes: Any, economics: Any, progress: Any = None) -> Any:
        runs.append(economics)
        return pit_study(grid, attributes, economics, progress)

    monkeypatch.setattr(planning, "pit_study", counted)
    a = bearer(app_client, "alpha")
    study = _published_model(app_client, a)
    answers = {}
    for slope in (40.0, 45.0, 50.0, 45.0, 55.0):  # 45° asked again before 55° is run
        r = app_client.post(study, headers=a, json={"slopes": slope})
        assert r.status_code == 200, r.text
        answers[slope] = r.json()
    assert len(runs) == 4  # the second 45° was the kept study
    folders = list((platform.settings.home / "pits").iterdir())
    assert len(folders) == 1
    assert len(list(folders[0].glob("*.json"))) == len(list(folders[0].glob("*.parquet"))) == 2
    # 45° and 55° are kept; 40° and 50° (least recently used) were forgotten and 40° asked
    # again is computed anew, to the same answer.
    for slope in (45.0, 55.0):
        assert app_client.post(study, headers=a, json={"slopes": slope}).json() == answers[slope]
    assert len(runs) == 4
    assert app_client.post(study, headers=a, json={"slopes": 40.0}).json() == answers[40.0]
    assert len(runs) == 5


def test_a_second_concurrent_pit_study_waits_then_gets_503(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    a = bearer(app_client, "alpha")
    study = _published_model(app_client, a)
    monkeypatch.setattr(planning, "STUDY_WAIT_S", 0.05)
    assert planning._STUDY_SLOTS.acquire(timeout=1)  # a study running in another request
    try:
        busy = app_client.post(study, headers=a, json={"slopes": 47.0})
    finally:
        planning._STUDY_SLOTS.release()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["detail"].startswith("another pit study is running")
    assert app_client.post(study, headers=a, json={"slopes": 47.0}).status_code == 200
