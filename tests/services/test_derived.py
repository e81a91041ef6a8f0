"""Derived results (:mod:`aurum.services.derived`): computed once when their data changes and
stored with its version; a page reads them and computes nothing.

A resource model's checks are stored when the model is saved, and equal the direct
computation after their JSON round trip; the resource page computes none of them; checks
missing (a model saved before they were stored with it) are queued once as a ``derive`` job,
the page says they are being computed, and shows them once the job has stored them. A newer
version of a subject's data supersedes its stored result.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from aurum.api.app import create_app
from aurum.services import derived, jobs, resources
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import DerivedResult, Job
from tests.api.test_jobs_api import _login
from tests.factories import Registry
from tests.services.test_page_views import _publish_model, counted

HEAVY = ("experimental_variogram", "cross_validation", "cell_declustering", "grade_tonnage",
         "swath")
"""What the checks of a model compute (names in :mod:`aurum.services.resources`)."""


pytestmark = pytest.mark.usefixtures("empty_cache")


def _count_heavy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    return {name: counted(monkeypatch, resources, name) for name in HEAVY}


def _calls(counts: dict[str, list[int]]) -> dict[str, int]:
    return {name: len(calls) for name, calls in counts.items()}


def _rows(session: Session) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in session.execute(select(
        DerivedResult.kind, DerivedResult.subject, DerivedResult.version)
        .order_by(DerivedResult.id))]


def _direct(platform: Platform, actor: Actor, model_id: int) -> resources.ModelChecks:
    """The checks of a stored model computed directly (no store)."""
    home = platform.settings.home
    with platform.sessions() as s:
        model = s.get(resources.ResourceModel, model_id)
        assert model is not None
        return resources.model_checks(resources.load_blocks(s, actor, home, model_id),
                                      resources.load_samples(s, actor, home, model_id),
                                      model.parameters, lambda _f, _m: None)


def _assert_same_checks(got: resources.ModelChecks, expected: resources.ModelChecks) -> None:
    pd.testing.assert_frame_equal(got.grade_tonnage, expected.grade_tonnage, rtol=1e-12)
    for mine, theirs in ((got.experimental, expected.experimental),
                         (got.model_curves, expected.model_curves)):
        assert [c[0] for c in mine] == [c[0] for c in theirs] == ["major", "minor", "vertical"]
        for (_, h, g), (_, h0, g0) in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(h, h0, rtol=1e-12)
            np.testing.assert_allclose(g, g0, rtol=1e-12)
    assert set(got.swaths) == set(expected.swaths) == {"x", "y", "z"}
    for axis, frame in expected.swaths.items():
        pd.testing.assert_frame_equal(got.swaths[axis], frame, rtol=1e-12)
    assert got.stats.keys() == expected.stats.keys()
    for key, value in expected.stats.items():
        assert got.stats[key] == pytest.approx(value, rel=1e-12, nan_ok=True), key


def _latest_model_id(platform: Platform) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.max(resources.ResourceModel.id))) or 0)


def test_checks_are_stored_once_when_the_model_is_saved(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _count_heavy(monkeypatch)
    _publish_model(platform, reg.ent_a, 2024)
    assert _calls(counts) == {"experimental_variogram": 3, "cross_validation": 1,
                              "cell_declustering": 1, "grade_tonnage": 1, "swath": 3}
    model_id = _latest_model_id(platform)
    with platform.sessions() as s:
        model = s.get(resources.ResourceModel, model_id)
        assert model is not None
        assert _rows(s) == [("resource-model-checks", str(model_id), model.file_sha256)]
        stored = s.scalar(select(DerivedResult.payload))
    assert stored is not None and set(stored) == {
        "grade_tonnage", "experimental", "model_curves", "swaths", "stats"}
    # The page reads them, twice, for two readers: nothing is computed, the first read is
    # decoded and kept.
    home = platform.settings.home
    with platform.sessions() as s:
        first = resources.site_view(s, reg.ent_a, home, queue, "SD-A-01")
        again = resources.site_view(s, reg.regulator, home, queue, "SD-A-01")
    assert _calls(counts) == {"experimental_variogram": 3, "cross_validation": 1,
                              "cell_declustering": 1, "grade_tonnage": 1, "swath": 3}
    assert first.model is not None and first.model.checks is not None
    assert again.model is not None and again.model.checks is first.model.checks
    assert first.model.pending is None
    # The stored checks, read back from JSON, are the direct computation's.
    _assert_same_checks(first.model.checks, _direct(platform, reg.ent_a, model_id))
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


def test_a_new_model_is_a_new_row(platform: Platform, reg: Registry) -> None:
    _publish_model(platform, reg.ent_a, 2024)
    _publish_model(platform, reg.ent_a, 2025)
    with platform.sessions() as s:
        models = list(s.scalars(select(resources.ResourceModel)
                                .order_by(resources.ResourceModel.id)))
        assert _rows(s) == [("resource-model-checks", str(m.id), m.file_sha256)
                            for m in models]
        assert len(models) == 2 and models[0].file_sha256 != models[1].file_sha256


def test_missing_checks_are_queued_once_and_the_page_says_so(
        platform: Platform, reg: Registry, queue: jobs.JobQueue,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _publish_model(platform, reg.ent_a, 2024)
    model_id = _latest_model_id(platform)
    expected = _direct(platform, reg.ent_a, model_id)
    # A model saved before its checks were stored with it.
    with transaction(platform.sessions) as s:
        s.execute(delete(DerivedResult))
    counts = _count_heavy(monkeypatch)
    app = create_app(platform)
    app.state.jobs = queue
    client = TestClient(app)
    _login(client, "audit")  # any reader causes the job: the platform's own bookkeeping
    pages = [client.get("/resources/SD-A-01") for _ in range(2)]
    for page in pages:
        assert page.status_code == 200, page.text
        assert 'data-testid="model-checks-pending"' in page.text
        assert "being computed" in page.text and 'http-equiv="refresh"' in page.text
        assert 'data-testid="model-checks"' not in page.text
        assert 'id="chart-plan"' in page.text  # the blocks are shown meanwhile
    home = platform.settings.home
    with platform.sessions() as s:
        view = resources.site_view(s, reg.ent_a, home, queue, "SD-A-01")
        queued = list(s.scalars(select(Job)))
    assert view.model is not None and view.model.checks is None
    assert view.model.pending is not None and view.model.pending.state == "queued"
    # Queued once, not once per request: two pages and a view, one job.
    assert [(j.kind, j.state, j.params["subject"]) for j in queued] == [
        ("derive", "queued", str(model_id))]
    assert view.model.pending.job_id == queued[0].id
    assert sum(_calls(counts).values()) == 0  # no GET computed anything
    with queue.running():
        done = jobs.wait(platform.sessions, queued[0].id, timeout_s=120)
    assert done.state == "done", done.message
    assert _calls(counts)["cross_validation"] == 1  # in the job
    page = client.get("/resources/SD-A-01")
    assert page.status_code == 200
    assert 'data-testid="model-checks"' in page.text and "being computed" not in page.text
    assert 'id="chart-variogram"' in page.text and 'id="chart-gt"' in page.text
    with platform.sessions() as s:
        view = resources.site_view(s, reg.ent_a, home, queue, "SD-A-01")
        assert s.scalar(select(func.count()).select_from(Job)) == 1
    assert view.model is not None and view.model.checks is not None
    _assert_same_checks(view.model.checks, expected)
    assert _calls(counts)["cross_validation"] == 1


def test_a_failed_job_is_not_queued_again(platform: Platform, reg: Registry,
                                           queue: jobs.JobQueue) -> None:
    _publish_model(platform, reg.ent_a, 2024)
    model_id = _latest_model_id(platform)
    with transaction(platform.sessions) as s:
        s.execute(delete(DerivedResult))
    # The model's block file was damaged: its checks cannot be computed.
    with platform.sessions() as s:
        model = s.get(resources.ResourceModel, model_id)
        assert model is not None
        (platform.settings.home / model.file_path).write_bytes(b"not parquet")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        pending = derived.pending(s, reg.ent_a, queue, resources.MODEL_CHECKS, str(model_id))
    with queue.running():
        failed = jobs.wait(platform.sessions, pending.job_id, timeout_s=60)
    assert failed.state == "failed" and "was changed" in failed.message
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        again = derived.pending(s, reg.ent_a, queue, resources.MODEL_CHECKS, str(model_id))
        assert s.scalar(select(func.count()).select_from(Job)) == 1
    assert (again.job_id, again.state) == (pending.job_id, "failed")


def test_a_lost_job_is_queued_again(platform: Platform, reg: Registry,
                                    queue: jobs.JobQueue) -> None:
    _publish_model(platform, reg.ent_a, 2024)
    subject = str(_latest_model_id(platform))
    with transaction(platform.sessions) as s:
        s.execute(delete(DerivedResult))
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        first = derived.pending(s, reg.ent_a, queue, resources.MODEL_CHECKS, subject)
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        assert derived.pending(s, reg.ent_a, queue, resources.MODEL_CHECKS,
                               subject).job_id == first.job_id
        # Its worker stopped with it: still "running" long after it was queued.
        s.execute(update(Job).values(state="running", created_at=datetime.now(UTC)
                                     - derived.LOST_AFTER - timedelta(minutes=1)))
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        again = derived.pending(s, reg.ent_a, queue, resources.MODEL_CHECKS, subject)
    assert again.job_id != first.job_id and again.state == "queued"


# --- the service on a derivation of its own -----------------------------------------------

VERSIONS: dict[str, str] = {}
COMPUTED: list[str] = []


def _toy_compute(_session: Session, _home: Path, subject: str, report: derived.Progress
                 ) -> tuple[str, Any]:
    COMPUTED.append(subject)
    report(0.5, "halfway")
    frame = pd.DataFrame({"cutoff": [0.0, 0.5], "grade": [1.5, float("nan")],
                          "name": ["all", None], "n": np.array([3, 2], dtype=np.int8)})
    return VERSIONS[subject], {"frame": derived.encode_frame(frame),
                               "array": derived.encode_array(np.array([[1.0, np.nan]])),
                               "version": VERSIONS[subject]}


TOY = derived.register(derived.Derivation(
    "test-toy", lambda _s, subject: VERSIONS[subject], _toy_compute, lambda p: p,
    lambda _s, _a, _subject: (None, None)))


def test_a_newer_version_supersedes_the_stored_one(platform: Platform) -> None:
    home = platform.settings.home
    VERSIONS["a"] = "v1"
    COMPUTED.clear()  # of the other backend's run
    with transaction(platform.sessions) as s:
        assert derived.read(s, home, TOY, "a") is None
        derived.refresh(s, home, TOY, "a")
    with platform.sessions() as s:
        first = derived.read(s, home, TOY, "a")
        assert first is not None and first["version"] == "v1"
        assert derived.read(s, home, TOY, "a") is first  # kept decoded
    VERSIONS["a"] = "v2"  # the subject's data changed: what is stored is out of date
    with transaction(platform.sessions) as s:
        assert derived.read(s, home, TOY, "a") is None
        derived.refresh(s, home, TOY, "a")
        assert _rows(s) == [("test-toy", "a", "v2")]  # the older row is gone
    with platform.sessions() as s:
        second = derived.read(s, home, TOY, "a")
    assert second is not None and second["version"] == "v2"
    # Frames and arrays come back with their values, dtypes, NaN and missing text.
    frame = derived.decode_frame(second["frame"])
    assert frame.dtypes.astype(str).tolist()[:2] == ["float64", "float64"]
    assert frame["n"].dtype == np.int8 and frame["n"].tolist() == [3, 2]
    assert frame["cutoff"].tolist() == [0.0, 0.5] and np.isnan(frame["grade"].iloc[1])
    assert frame["name"].iloc[0] == "all" and pd.isna(frame["name"].iloc[1])
    array = derived.decode_array(second["array"])
    assert array.shape == (1, 2) and array[0, 0] == 1.0 and np.isnan(array[0, 1])
    assert COMPUTED == ["a", "a"]
