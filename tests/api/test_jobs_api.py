"""Jobs through the API, on a real queue: Huey's SQLite storage (the default) and Redis.

A pit study submitted as a job runs in a consumer thread, reports progress, ends with the
same ultimate pit as the study run directly, and is seen only by its submitter; a queued job
is cancelled at once, a running one at its next progress step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import redis
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import update

from aurum.core import checks
from aurum.services import drillholes, jobs, planning, reporting
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_resources_api import SPEC, _csrf, _samples_csv
from tests.factories import GOOD_ROW, PASSWORD, report_csv
from tests.services.test_prospect import synthetic_inputs

REDIS_URL = os.environ.get("AURUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, app_client: TestClient,
          platform: Platform) -> Iterator[jobs.JobQueue]:
    """The application's queue on one backend (a queue name of its own per test)."""
    if request.param == "redis":
        if not _redis_up():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        url: str | None = REDIS_URL
    else:
        url = None
    made = jobs.JobQueue(platform, url, name=f"aurum-test-{uuid.uuid4().hex[:8]}")
    app_client.app.state.jobs = made  # type: ignore[attr-defined]
    yield made
    made.huey.flush()


def _model(client: TestClient, headers: dict[str, str]) -> int:
    r = client.post("/api/v1/resources/estimate", headers=headers,
                    files={"samples": ("composites.csv", _samples_csv(), "text/csv"),
                           "spec": ("spec.yaml", yaml.safe_dump(SPEC).encode(),
                                    "application/yaml")})
    assert r.status_code == 201, r.text
    return int(r.json()["model_id"])


def _login(client: TestClient, username: str) -> None:
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf": _csrf(client)})


def _finished(client: TestClient, headers: dict[str, str], job_id: int,
              timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        seen.append(job["progress"])
        if job["state"] in jobs.FINISHED:
            assert seen == sorted(seen)  # progress never goes back
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_pit_study_job(app_client: TestClient, queue: jobs.JobQueue) -> None:
    a = bearer(app_client, "alpha")
    model_id = _model(app_client, a)
    params = {"model_id": model_id, "price_cny_per_g": 900.0, "slope_deg": 50.0}
    r = app_client.post("/api/v1/jobs", headers=a, json={"kind": "pit_study", "params": params})
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["state"] == "queued" and queued["progress"] == 0.0
    with queue.running():
        done = _finished(app_client, a, queued["id"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["started_at"] and done["finished_at"]
    result = done["result"]
    # Kept as a saved scenario, named by what differs from the defaults, its page the result.
    (scenario,) = app_client.get(f"/api/v1/pit/{model_id}/scenarios", headers=a).json()
    assert result["url"] == scenario["url"] == f"/pit/{model_id}/scenarios/{result['scenario']}"
    assert scenario["name"] == result["name"] == "900 CNY/g, slope 50°"
    assert scenario["job_id"] == done["id"] and scenario["params"]["slope_deg"] == 50.0
    # The same study as run directly, with the page's economics.
    direct = app_client.post(f"/api/v1/pit/models/{model_id}/study", headers=a,
                             json=planning.pit_form(params)[1]).json()
    final = next(p for p in direct["pit_by_pit"] if p["factor"] == pytest.approx(1.0))
    assert result["ultimate_pit"] == pytest.approx(final)
    assert result["ultimate_pit"]["tonnes_t"] > 0
    assert [j["id"] for j in app_client.get("/api/v1/jobs", headers=a).json()] == [done["id"]]
    # Scoped like the model: another enterprise sees no job and cannot start one on it.
    b = bearer(app_client, "beta")
    assert app_client.get(f"/api/v1/jobs/{done['id']}", headers=b).status_code == 404
    assert app_client.delete(f"/api/v1/jobs/{done['id']}", headers=b).status_code == 404
    assert app_client.get("/api/v1/jobs", headers=b).json() == []
    assert app_client.post("/api/v1/jobs", headers=b, json={
        "kind": "pit_study", "params": {"model_id": model_id}}).status_code == 404
    # Auditors write nothing, not even a job.
    assert app_client.post("/api/v1/jobs", headers=bearer(app_client, "audit"), json={
        "kind": "pit_study", "params": {"model_id": model_id}}).status_code == 403


def test_bad_requests_are_refused(app_client: TestClient, queue: jobs.JobQueue) -> None:
    a = bearer(app_client, "alpha")
    for body in ({"kind": "nothing", "params": {}},
                 {"kind": "pit_study", "params": {"model_id": 1, "slope_deg": 89.0}},
                 {"kind": "pit_study", "params": {"model_id": 1, "extra": 1}},
                 {"kind": "pit_study"}):
        assert app_client.post("/api/v1/jobs", headers=a, json=body).status_code == 422, body
    assert app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": 999}}).status_code == 404
    assert app_client.get("/api/v1/jobs/999", headers=a).status_code == 404


@pytest.fixture
def sleeper() -> Iterator[str]:
    """A kind of job that counts slowly to 1,000, reporting each step (as a kernel would)."""
    def run(context: jobs.JobContext, params: dict[str, Any]) -> dict[str, Any]:
        step = context.steps("counting")
        for i in range(1000):
            time.sleep(0.01)
            step(i + 1, 1000)
        return {"counted": 1000}

    # Over the submitter's own organisation's data.
    kind = jobs.register(jobs.JobKind("test_sleeper", lambda s, a, h, p: (min(a.org_ids), None),
                                      run))
    yield kind.name
    jobs._KINDS.pop(kind.name)


def test_cancel(app_client: TestClient, queue: jobs.JobQueue, platform: Platform,
                sleeper: str) -> None:
    a = bearer(app_client, "alpha")
    from aurum.services.auth import actor_for
    from aurum.store.db import transaction
    from aurum.store.models import User

    def submit() -> int:
        with transaction(platform.sessions) as s:
            user = s.query(User).filter_by(username="alpha").one()
            return jobs.submit(s, actor_for(s, user), queue, sleeper, {}).id

    # Queued: cancelled at once, and the worker never starts it.
    first = submit()
    gone = app_client.delete(f"/api/v1/jobs/{first}", headers=a)
    assert gone.status_code == 200, gone.text
    assert gone.json()["state"] == "cancelled"
    second = submit()
    with queue.running():
        deadline = time.monotonic() + 60
        while app_client.get(f"/api/v1/jobs/{second}", headers=a).json()["progress"] < 0.05:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        asked = app_client.delete(f"/api/v1/jobs/{second}", headers=a).json()
        assert asked["state"] == "running"
        ended = _finished(app_client, a, second)
    assert ended["state"] == "cancelled" and ended["progress"] < 1.0
    assert app_client.get(f"/api/v1/jobs/{first}", headers=a).json()["started_at"] is None


def test_worker_process(app_client: TestClient, database_url: str) -> None:
    """``aurum jobs worker`` runs what a server without its own workers queued (the default
    queue of the data directory), and stops cleanly on SIGTERM."""
    if not database_url.startswith("sqlite"):
        pytest.skip("one backend is enough for the process's life cycle")
    a = bearer(app_client, "alpha")
    job = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": _model(app_client, a)}}).json()
    worker = subprocess.Popen(
        [sys.executable, "-c", "from aurum.cli import main; main()", "jobs", "worker",
         "--workers", "1"], stderr=subprocess.PIPE, text=True)
    try:
        done = _finished(app_client, a, job["id"], timeout_s=180)
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert done["state"] == "done", done
    assert worker.returncode == 0, err
    assert "1 worker(s) on" in err and err.rstrip().endswith("stopped")


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_pit_page_runs_a_large_study_as_a_job(app_client: TestClient, queue: jobs.JobQueue,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A page never runs a large study itself: it offers the job (started at once), and
    shows the study when the job has kept it."""
    monkeypatch.setattr(planning, "INLINE_STUDY_BLOCKS", 0)
    a = bearer(app_client, "alpha")
    model_id = _model(app_client, a)
    _login(app_client, "alpha")
    pending = app_client.get(f"/pit/{model_id}?slope_deg=50")
    assert pending.status_code == 200
    assert 'data-testid="pit-pending"' in pending.text and "data-job-autostart" in pending.text
    assert 'data-job-kind="pit_study"' in pending.text and "chart-shell" not in pending.text
    job = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": model_id, "slope_deg": 50.0}}).json()
    with queue.running():
        done = _finished(app_client, a, job["id"])
    shown = app_client.get(done["result"]["url"])
    assert "chart-shell" in shown.text and "pit-pending" not in shown.text


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_estimation_job(app_client: TestClient, queue: jobs.JobQueue) -> None:
    """An estimation from files sent first gives the statement the direct route gives."""
    a = bearer(app_client, "alpha")
    spec, samples = yaml.safe_dump(SPEC).encode(), _samples_csv()
    digests: dict[str, dict[str, str]] = {}
    for key, name, content in (("spec", "spec.yaml", spec), ("samples", "c.csv", samples)):
        kept = app_client.post("/api/v1/jobs/inputs", headers=a,
                               files={"file": (name, content, "text/plain")})
        assert kept.status_code == 201, kept.text
        assert kept.json()["bytes"] == len(content) and kept.json()["name"] == name
        digests[key] = {"digest": kept.json()["digest"], "name": name}
    b = bearer(app_client, "beta")  # SD-A-01 is alpha's: beta sees no such site
    assert app_client.post("/api/v1/jobs", headers=b, json={
        "kind": "estimation", "params": digests}).status_code == 404
    r = app_client.post("/api/v1/jobs", headers=a, json={"kind": "estimation",
                                                         "params": digests})
    assert r.status_code == 202, r.text
    with queue.running():
        done = _finished(app_client, a, r.json()["id"])
    assert done["state"] == "done", done
    direct = app_client.post("/api/v1/resources/estimate", headers=a,
                             files={"samples": ("c.csv", samples, "text/csv"),
                                    "spec": ("spec.yaml", spec, "application/yaml")}).json()
    result = done["result"]
    assert result["url"] == "/resources/SD-A-01" and result["version"] == 1
    assert direct["version"] == 2
    for key in ("measured_tonnes", "indicated_tonnes", "inferred_tonnes",
                "measured_gold_t", "indicated_grade_gpt"):
        assert result[key] == pytest.approx(direct[key], rel=1e-12), key
    # A spec that names no site, or a digest of nothing kept, is refused at once.
    nothing = {"digest": "0" * 64, "name": "x.csv"}
    assert app_client.post("/api/v1/jobs", headers=a, json={"kind": "estimation", "params": {
        "spec": nothing, "samples": nothing}}).status_code == 422


def _kept(client: TestClient, headers: dict[str, str], name: str, content: bytes
          ) -> dict[str, str]:
    r = client.post("/api/v1/jobs/inputs", headers=headers,
                    files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return {"digest": r.json()["digest"], "name": name}


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_prospectivity_job(app_client: TestClient, queue: jobs.JobQueue,
                           tmp_path: Path) -> None:
    """A prospectivity study from files sent first: the study the upload route makes, kept in
    the runner's scope, its page named in the result."""
    evidence, deposits, _, _ = synthetic_inputs(tmp_path)
    options = {"thresholds": {"dist": 500}, "block_size_m": 2000, "negative_buffer_m": 0,
               "min_target_cells": 2, "target_area_fraction": 0.2, "unit_area_km2": 0.01,
               "estimator": "logistic_regression"}
    a = bearer(app_client, "alpha")
    params = {"name": "fault", "evidence": [_kept(app_client, a, n, c) for n, c in evidence],
              "deposits": _kept(app_client, a, *deposits), "params": options}
    bad = app_client.post("/api/v1/jobs", headers=a, json={"kind": "prospectivity", "params": {
        **params, "params": {"confidence": "high"}}})
    assert bad.status_code == 422, bad.text
    r = app_client.post("/api/v1/jobs", headers=a, json={"kind": "prospectivity",
                                                         "params": params})
    assert r.status_code == 202, r.text
    with queue.running():
        done = _finished(app_client, a, r.json()["id"])
    assert done["state"] == "done", done
    key = done["result"]["study"]
    assert done["result"]["url"] == f"/prospect/{key}" and done["result"]["auc"] > 0.7
    study = app_client.get(f"/api/v1/prospect/studies/{key}", headers=a).json()
    assert study["name"] == "fault" and study["auc"] == done["result"]["auc"]
    b = bearer(app_client, "beta")
    assert app_client.get(f"/api/v1/prospect/studies/{key}", headers=b).status_code == 404
    assert app_client.get(f"/api/v1/jobs/{done['id']}", headers=b).status_code == 404


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_prospectivity_demo_runs_as_a_job_from_its_page(
        app_client: TestClient, queue: jobs.JobQueue, shared_data: Path) -> None:
    """The demo link runs no study on a GET: it sends to the index, which starts the job."""
    if not str(app_client.app.state.platform.engine.url).startswith("sqlite"):  # type: ignore[attr-defined]
        pytest.skip("the demo study touches no table: one backend is enough")
    a = bearer(app_client, "alpha")
    _login(app_client, "alpha")
    first = app_client.get("/prospect/demo", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/prospect?run_demo=true"
    index = app_client.get(first.headers["location"]).text
    assert 'data-job-kind="prospectivity_demo"' in index and "data-job-autostart" in index
    r = app_client.post("/api/v1/jobs", headers=a, json={"kind": "prospectivity_demo"})
    assert r.status_code == 202, r.text
    with queue.running():
        done = _finished(app_client, a, r.json()["id"], timeout_s=300)
    assert done["state"] == "done", done
    again = app_client.get("/prospect/demo", follow_redirects=False)
    assert again.headers["location"] == done["result"]["url"]
    assert app_client.get(done["result"]["url"]).status_code == 200


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_jobs_page(app_client: TestClient, queue: jobs.JobQueue) -> None:
    """The jobs page lists the caller's jobs with their progress and result, charts their run
    times, and offers the forms to the roles that run jobs."""
    a = bearer(app_client, "alpha")
    job = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": _model(app_client, a)}}).json()
    with queue.running():
        done = _finished(app_client, a, job["id"])
    _login(app_client, "alpha")
    page = app_client.get("/jobs")
    assert page.status_code == 200
    assert f'data-job-id="{done["id"]}"' in page.text
    assert f'href="{done["result"]["url"]}"' in page.text and "chart-jobs" in page.text
    assert 'data-job-kind="estimation"' in page.text and "data-jobs-active" not in page.text
    _login(app_client, "audit")
    audit = app_client.get("/jobs").text
    assert 'data-job-kind="estimation"' not in audit and "No job yet." in audit


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_a_named_pit_study_job_and_a_model_holding_the_most_scenarios(
        app_client: TestClient, queue: jobs.JobQueue, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job names its scenario; when the model holds the most, the study is still run (and
    cached) and its result says why it was not saved."""
    a = bearer(app_client, "alpha")
    model_id = _model(app_client, a)
    monkeypatch.setattr(checks, "MAX_SCENARIOS_KEPT", 1)
    first = app_client.post("/api/v1/jobs", headers=a, json={"kind": "pit_study", "params": {
        "model_id": model_id, "scenario_name": "base case"}}).json()
    second = app_client.post("/api/v1/jobs", headers=a, json={"kind": "pit_study", "params": {
        "model_id": model_id, "slope_deg": 50.0}}).json()
    with queue.running():
        named = _finished(app_client, a, first["id"])
        full = _finished(app_client, a, second["id"])
    assert named["state"] == "done" and named["result"]["name"] == "base case"
    assert full["state"] == "done" and full["result"]["scenario"] is None
    assert "MAX_SCENARIOS_KEPT" in full["result"]["note"]
    assert full["result"]["url"] == f"/pit/{model_id}?slope_deg=50.0"
    assert full["result"]["ultimate_pit"]["tonnes_t"] > 0
    names = [s["name"] for s in app_client.get(f"/api/v1/pit/{model_id}/scenarios",
                                                 headers=a).json()]
    assert names == ["base case"]


def _report_count(client: TestClient, headers: dict[str, str]) -> int:
    return len(client.get("/api/v1/reports?format=json", headers=headers).json())


def _monthly_rows(n: int, **changes: object) -> bytes:
    return report_csv([{**GOOD_ROW, "period": f"{2000 + i // 12}-{i % 12 + 1:02d}", **changes}
                       for i in range(n)])


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_a_large_report_file_is_imported_by_a_job(
        app_client: TestClient, queue: jobs.JobQueue, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reports page imports a file over the threshold as a job: the same reports as an
    upload, scoped like its uploader; a refused file stores nothing and names its problems."""
    monkeypatch.setattr(checks, "INLINE_REPORT_IMPORT_BYTES", 1000)
    a = bearer(app_client, "alpha")
    _login(app_client, "alpha")
    csrf = _csrf(app_client)
    small = app_client.post("/reports/upload", data={"csrf": csrf}, files={
        "file": ("small.csv", report_csv([GOOD_ROW]), "text/csv")})
    assert small.status_code == 200 and 'data-testid="upload-ok"' in small.text
    data = _monthly_rows(40)
    assert len(data) > 1000
    page = app_client.post("/reports/upload", data={"csrf": csrf},
                           files={"file": ("large.csv", data, "text/csv")})
    assert page.status_code == 202, page.text
    job_id = int(page.text.split('data-job-follow="')[1].split('"')[0])
    assert _report_count(app_client, a) == 1  # nothing yet: the job is queued
    with queue.running():
        done = _finished(app_client, a, job_id)
    assert done["state"] == "done", done
    result = done["result"]
    assert (result["created"], result["amended"], result["filename"]) == (40, 0, "large.csv")
    assert result["url"] == "/reports" and "40 new report(s)" in result["summary"]
    assert _report_count(app_client, a) == 41
    assert app_client.get(f"/api/v1/jobs/{job_id}",
                          headers=bearer(app_client, "beta")).status_code == 404
    # Through the API: the file sent first; a refused file stores nothing.
    kept = _kept(app_client, a, "bad.csv", _monthly_rows(3, silver_kg="lots"))
    bad = app_client.post("/api/v1/jobs", headers=a, json={"kind": "report_import",
                                                           "params": {"file": kept}})
    assert bad.status_code == 202, bad.text
    with queue.running():
        failed = _finished(app_client, a, bad.json()["id"])
    assert failed["state"] == "failed"
    assert [p["column"] for p in failed["result"]["problems"]] == ["silver_kg"] * 3
    assert _report_count(app_client, a) == 41
    # Who files no reports starts no import, nor keeps a file by the page.
    for user in ("audit", "miit"):
        assert app_client.post("/api/v1/jobs", headers=bearer(app_client, user), json={
            "kind": "report_import", "params": {"file": kept}}).status_code == 403, user


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)  # Redis: the tests above
def test_a_report_import_cancelled_before_its_writes_stores_nothing(
        app_client: TestClient, queue: jobs.JobQueue, platform: Platform,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's cancel, read at the last stage before the writes, rolls the whole import
    back, however soon after the previous stage it comes."""
    from aurum.store.db import transaction
    from aurum.store.models import Job

    checked = reporting._check_rows

    def cancelled_while_checking(*args: Any, **kwargs: Any) -> Any:
        found = checked(*args, **kwargs)
        with transaction(platform.sessions) as s:  # the user presses Cancel now
            s.execute(update(Job).values(cancel_requested=True))
        return found

    monkeypatch.setattr(reporting, "_check_rows", cancelled_while_checking)
    a = bearer(app_client, "alpha")
    kept = _kept(app_client, a, "r.csv", _monthly_rows(5))
    job = app_client.post("/api/v1/jobs", headers=a, json={"kind": "report_import",
                                                           "params": {"file": kept}}).json()
    with queue.running():
        ended = _finished(app_client, a, job["id"])
    assert ended["state"] == "cancelled", ended
    assert ended["message"] == "cancelled by the user"
    assert _report_count(app_client, a) == 0


BABBITT_FILES = {"collar": "collar_BABBITT.csv", "survey": "survey_BABBITT.csv",
         "assay": "assay_BABBITT.csv"}
"""The Babbitt (Minnesota) files in ``../shared/data/drillholes/babbitt``."""


def _babbitt_params(client: TestClient, headers: dict[str, str], shared_data: Path
                    ) -> dict[str, Any]:
    folder = shared_data / "drillholes" / "babbitt"
    return {key: _kept(client, headers, name, (folder / name).read_bytes())
            for key, name in BABBITT_FILES.items()} | {"grade": "CU", "composite": "20"}


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_a_drillhole_check_job_shows_its_check_to_its_submitter(
        app_client: TestClient, queue: jobs.JobQueue, shared_data: Path,
        platform: Platform) -> None:
    a = bearer(app_client, "alpha")
    params = _babbitt_params(app_client, a, shared_data)
    r = app_client.post("/api/v1/jobs", headers=a, json={"kind": "drillhole_check",
                                                         "params": params})
    assert r.status_code == 202, r.text
    with queue.running():
        done = _finished(app_client, a, r.json()["id"])
    assert done["state"] == "done", done
    summary = done["result"]["summary"]
    folder = shared_data / "drillholes" / "babbitt"
    direct = drillholes.check_drillholes(
        *((name, (folder / name).read_bytes()) for name in BABBITT_FILES.values()), "CU", 20.0)
    assert summary["holes"] == 399 and summary == direct.summary
    assert done["result"]["url"] == f"/resources/drillholes?job={done['id']}"
    page = app_client.get(done["result"]["url"], headers=a)
    assert page.status_code == 200, page.text
    shown = page.text.split('data-testid="drillhole-summary">')[1].split("</p>")[0]
    assert (f"399 holes, {summary['intervals']} intervals, {summary['composites']} "
            "composites of CU.") in shown and "Beyond the hole&#39;s length 70" in shown
    assert 'data-testid="drillhole-problems"' in page.text and "chart-logprob" in page.text
    stored = platform.settings.home / drillholes.DRILLHOLE_CHECKS / f"{done['id']}.json"
    assert stored.is_file()
    # Another enterprise sees no such job, nor its check.
    b = bearer(app_client, "beta")
    assert app_client.get(done["result"]["url"], headers=b).status_code == 404
    assert app_client.get("/resources/drillholes?job=999999", headers=a).status_code == 404
    # Refused at the boundary: an empty grade, a composite of 0 m, a file not kept.
    for bad in ({"grade": ""}, {"grade": "X" * (checks.MAX_GRADE_COLUMN_CHARS + 1)},
                {"composite": 0}, {"composite": checks.MAX_COMPOSITE_M * 2},
                {"collar": {"digest": "0" * 64, "name": "c.csv"}}):
        assert app_client.post("/api/v1/jobs", headers=a, json={
            "kind": "drillhole_check", "params": params | bad}).status_code == 422, bad
    # Auditors run no jobs; their page posts the form itself.
    assert app_client.post("/api/v1/jobs", headers=bearer(app_client, "audit"), json={
        "kind": "drillhole_check", "params": params}).status_code == 403
    assert 'data-job-kind="drillhole_check"' in app_client.get("/resources/drillholes",
                                                               headers=a).text


def test_only_the_newest_checks_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setattr(drillholes, "MAX_DRILLHOLE_CHECKS_KEPT", 2)
    check = drillholes.DrillholeCheck(*(pd.DataFrame({"x": [1.0]}),) * 3,
                                   {"holes": 1}, [])
    for job_id in (9, 10, 11):
        drillholes._keep_check(tmp_path, job_id, check)
    assert sorted(p.name for p in (tmp_path / drillholes.DRILLHOLE_CHECKS).iterdir()) == [
        "10.json", "11.json"]


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_a_cancelled_drillhole_check_stores_nothing(
        app_client: TestClient, queue: jobs.JobQueue, shared_data: Path, platform: Platform,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from aurum.store.db import transaction
    from aurum.store.models import Job

    composited = drillholes.composite_samples

    def cancelled_while_compositing(*args: Any, **kwargs: Any) -> Any:
        with transaction(platform.sessions) as s:  # the user presses Cancel now
            s.execute(update(Job).values(cancel_requested=True))
        return composited(*args, **kwargs)

    monkeypatch.setattr(drillholes, "composite_samples", cancelled_while_compositing)
    a = bearer(app_client, "alpha")
    job = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "drillhole_check", "params": _babbitt_params(app_client, a, shared_data)}).json()
    with queue.running():
        ended = _finished(app_client, a, job["id"])
    assert ended["state"] == "cancelled", ended
    assert ended["progress"] < 1.0 and ended["result"] is None
    assert not (platform.settings.home / drillholes.DRILLHOLE_CHECKS / f"{job['id']}.json").exists()
    assert app_client.get(f"/resources/drillholes?job={job['id']}", headers=a).status_code == 404
