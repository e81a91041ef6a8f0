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


def _count_studies(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The economics of every pit study the service runs from now on, in order."""
    runs: list[Any] = []

    def counted(grid: Any, attributes: Any, economics: Any, progress: Any = None) -> Any:
        runs.append(economics)
        return pit_study(grid, attributes, economics, progress)

    monkeypatch.setattr(planning, "pit_study", counted)
    return runs


def test_pit_studies_kept_are_bounded_least_recently_used_first(
        app_client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "MAX_STUDIES_KEPT", 2)
    runs = _count_studies(monkeypatch)
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


def _model_id(client: TestClient, headers: dict[str, str]) -> int:
    return int(_published_model(client, headers).split("/")[-2])


def test_saved_scenarios_are_listed_compared_and_deleted_by_scope(
        app_client: TestClient, platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    model_id = _model_id(app_client, a)
    saved = f"/api/v1/pit/{model_id}/scenarios"
    assert app_client.get(saved, headers=a).json() == []
    high = app_client.post(saved, headers=a, json={"name": "high price",
                                                   "price_cny_per_g": 900.0})
    assert high.status_code == 201, high.text
    low = app_client.post(saved, headers=a, json={"name": "steep", "slope_deg": 55.0}).json()
    listed = app_client.get(saved, headers=a).json()
    assert [s["name"] for s in listed] == ["steep", "high price"]  # newest first
    # Its figures are the study's with the same economics.
    direct = app_client.post(f"/api/v1/pit/models/{model_id}/study", headers=a,
                             json=planning.pit_form({"price_cny_per_g": 900.0})[1]).json()
    final = next(p for p in direct["pit_by_pit"] if p["factor"] == pytest.approx(1.0))
    first = listed[1]
    assert first["value"] == pytest.approx(direct["value"], rel=1e-12)
    assert first["ore_t"] == pytest.approx(final["ore_t"], rel=1e-12)
    assert first["params"]["price_cny_per_g"] == 900.0 and first["params"]["slope_deg"] == 45.0
    assert first["created_by"] == "alpha" and first["job_id"] is None
    assert first["url"] == f"/pit/{model_id}/scenarios/{first['key']}"
    # The same economics saved again are the same scenario, renamed.
    again = app_client.post(saved, headers=a, json={"name": "CNY 900", "price_cny_per_g": 900})
    assert again.json()["key"] == first["key"] and again.json()["name"] == "CNY 900"
    assert len(app_client.get(saved, headers=a).json()) == 2
    # Scoped like the model: another enterprise neither sees nor deletes them; an auditor
    # reads them and changes nothing; a national regulator may save but not delete alpha's.
    b = bearer(app_client, "beta")
    one = f"{saved}/{first['key']}"
    assert app_client.get(saved, headers=b).status_code == 404
    assert app_client.delete(one, headers=b).status_code == 404
    audit = bearer(app_client, "audit")
    assert len(app_client.get(saved, headers=audit).json()) == 2
    assert app_client.delete(one, headers=audit).status_code == 403
    assert app_client.post(saved, headers=audit, json={"name": "x"}).status_code == 403
    miit = bearer(app_client, "miit")
    assert app_client.delete(one, headers=miit).status_code == 403
    for key in ("0" * 32, "../../etc", "x"):  # never a path outside the store
        assert app_client.delete(f"{saved}/{key}", headers=a).status_code == 404
    # The pages: the list, a scenario's page, two side by side, a save and a delete.
    _login(app_client, "alpha")
    page = app_client.get(f"/pit/{model_id}").text
    assert 'data-testid="pit-scenarios"' in page and "CNY 900" in page and "steep" in page
    assert 'data-testid="pit-compare"' in page and 'data-testid="pit-save"' in page
    assert page.count(">Delete</button>") == 2
    _login(app_client, "audit")  # reads the scenarios, saves and deletes none
    page = app_client.get(f"/pit/{model_id}").text
    assert "CNY 900" in page and "pit-save" not in page and ">Delete</button>" not in page
    _login(app_client, "alpha")
    shown = app_client.get(first["url"]).text
    assert 'data-testid="pit-scenario"' in shown and "chart-shell" in shown
    assert 'value="900.0"' in shown  # the form holds the scenario's economics
    compared = app_client.get(f"/pit/{model_id}/compare?a={first['key']}&b={low['key']}")
    assert compared.status_code == 200
    assert "chart-compare" in compared.text and "CNY 900" in compared.text
    assert app_client.get(f"/pit/{model_id}/compare?a={first['key']}&b=nothing"
                          ).status_code == 404
    csrf = _csrf(app_client)
    made = app_client.post(f"/pit/{model_id}/scenarios", follow_redirects=False, data={
        "csrf": csrf, "name": "wide", "min_mining_width_m": "60"})
    assert made.status_code == 303, made.text
    wide = next(s for s in app_client.get(saved, headers=a).json() if s["name"] == "wide")
    assert made.headers["location"] == wide["url"]
    gone = app_client.post(f"/pit/{model_id}/scenarios/{wide['key']}/delete",
                           follow_redirects=False, data={"csrf": csrf})
    assert gone.status_code == 303
    assert app_client.delete(one, headers=a).status_code == 204
    assert [s["name"] for s in app_client.get(saved, headers=a).json()] == ["steep"]
    assert app_client.get(first["url"]).status_code == 404


def _login(client: TestClient, username: str) -> None:
    client.post("/login", data={"username": username, "password": "test-password-123",
                                "csrf": _csrf(client)})


def test_saved_scenarios_outlive_the_kept_studies_and_are_bounded(
        app_client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound on kept studies never reaches a scenario, which answers its study again;
    a model holding the most scenarios saves no other until one is deleted."""
    monkeypatch.setattr(checks, "MAX_STUDIES_KEPT", 1)
    monkeypatch.setattr(checks, "MAX_SCENARIOS_KEPT", 2)
    runs = _count_studies(monkeypatch)
    a = bearer(app_client, "alpha")
    model_id = _model_id(app_client, a)
    saved = f"/api/v1/pit/{model_id}/scenarios"
    kept = app_client.post(saved, headers=a, json={"name": "kept", "slope_deg": 50.0}).json()
    study = f"/api/v1/pit/models/{model_id}/study"
    answer = app_client.post(study, headers=a, json={"slopes": 50.0}).json()
    for slope in (40.0, 45.0):  # the cache forgets the 50° study
        app_client.post(study, headers=a, json={"slopes": slope})
    assert len(runs) == 3
    assert app_client.post(study, headers=a, json={"slopes": 50.0}).json() == answer
    assert len(runs) == 3  # answered by the scenario
    bearer_page = app_client.get(f"/api/v1/pit/{model_id}/scenarios", headers=a).json()
    assert [s["key"] for s in bearer_page] == [kept["key"]]
    assert app_client.post(saved, headers=a, json={"name": "two", "slope_deg": 40.0}
                           ).status_code == 201
    full = app_client.post(saved, headers=a, json={"name": "three", "slope_deg": 45.0})
    assert full.status_code == 409 and "MAX_SCENARIOS_KEPT" in full.json()["detail"]
    assert app_client.post(saved, headers=a, json={"name": "renamed", "slope_deg": 50.0}
                           ).status_code == 201  # a rename takes no room
    assert app_client.delete(f"{saved}/{kept['key']}", headers=a).status_code == 204
    assert app_client.post(saved, headers=a, json={"name": "three", "slope_deg": 45.0}
                           ).status_code == 201
    folder = platform.settings.home / planning.SCENARIOS
    assert len(list(folder.rglob("*.scenario.json"))) == 2


def test_a_large_model_is_saved_from_its_kept_study_only(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request runs no large study to save it: that is a job's (which saves it itself)."""
    a = bearer(app_client, "alpha")
    model_id = _model_id(app_client, a)
    monkeypatch.setattr(planning, "INLINE_STUDY_BLOCKS", 0)
    saved = f"/api/v1/pit/{model_id}/scenarios"
    refused = app_client.post(saved, headers=a, json={"name": "big", "slope_deg": 52.0})
    assert refused.status_code == 422 and "as a job" in refused.text
    app_client.post(f"/api/v1/pit/models/{model_id}/study", headers=a, json={"slopes": 52.0})
    assert app_client.post(saved, headers=a, json={"name": "big", "slope_deg": 52.0}
                           ).status_code == 201


def test_a_scenario_of_an_empty_pit_has_null_figures(app_client: TestClient) -> None:
    """Nothing pays at 10 CNY/g: the empty pit is saved, its ratios without ore null."""
    a = bearer(app_client, "alpha")
    saved = f"/api/v1/pit/{_model_id(app_client, a)}/scenarios"
    empty = app_client.post(saved, headers=a, json={"name": "slump", "price_cny_per_g": 10.0})
    assert empty.status_code == 201, empty.text
    assert empty.json()["ore_t"] == 0 and empty.json()["grade_gpt"] is None
    assert app_client.get(saved, headers=a).json() == [empty.json()]
