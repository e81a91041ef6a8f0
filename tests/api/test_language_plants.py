"""Every string a person reads on the plants, reports and jobs pages goes through the
catalogue (issue 17): with a catalogue that turns every message into 中, the pages requested
in Chinese, charts included, show almost no English word; what is left is data (codes, names
of the test's registry, stream and node names of the example circuit)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from aurum.processing.examples import gold_plant
from aurum.services import jobs
from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.api.test_jobs_api import _finished, _login, _model, queue  # noqa: F401
from tests.api.test_processing_api import ERROR, SITE, _records
from tests.api.test_resources_api import _csrf
from tests.services.test_processing import PLANT

_CIRCUIT = gold_plant(seed=3)
DATA = frozenset({
    # stream and node names of the example circuit, and its component
    *(n if isinstance(n, str) else n["name"] for n in _CIRCUIT["nodes"]),
    *(s["name"] for s in _CIRCUIT["streams"]), "Au",
    # data of the test's registry (names, codes, users)
    "Alpha", "alpha", "Mine", "Plant", "Gold", "Co", "Shandong", "Beta", "beta",
    "English",  # the language switch names each language in itself
})
"""Latin-letter tokens that are data or codes on these pages, not words to translate."""

pytestmark = pytest.mark.usefixtures("everything_chinese")


def _words(html: str) -> list[str]:
    return english_words(html, DATA)


@pytest.fixture
def plant_pages(app_client: TestClient) -> list[str]:
    """Three months of accounts and waste of Alpha's plant, two circuit versions (one with a
    gross error), 2025-08 closed; the pages that show them."""
    a = bearer(app_client, "alpha")
    _records(app_client, a)
    for seed, errors in ((3, None), (4, ERROR)):
        r = app_client.post(f"{SITE}/circuits", headers=a, json={
            "name": "CIL", "period": "2025-08",
            "definition": gold_plant(seed=seed, errors=errors)})
        assert r.status_code == 201, r.text
    r = app_client.post(f"{SITE}/accounts/close", headers=a, json={"periods": ["2025-08"]})
    assert r.status_code == 201, r.text
    _login(app_client, "alpha")
    return ["/processing", f"/processing/{PLANT}", f"/processing/{PLANT}?quarter=2025-Q3",
            "/reports"]


def test_plant_pages_say_nothing_outside_the_catalogue(
        app_client: TestClient, plant_pages: list[str]) -> None:
    for url in plant_pages:
        page = app_client.get(url, headers=ZH)
        assert page.status_code == 200, (url, page.text[:500])
        assert '<html lang="zh-CN">' in page.text and "中" in page.text
        words = _words(page.text)
        assert len(words) <= HANDFUL, f"{url} shows {words[:40]}"


def test_a_refused_closing_is_explained_in_the_readers_language(
        app_client: TestClient, plant_pages: list[str]) -> None:
    refused = app_client.post(f"/processing/{PLANT}/close", headers=ZH, data={
        "period": "2025-08", "csrf": _csrf(app_client)})
    assert refused.status_code == 409
    problems = refused.text.split('data-testid="problems"')[1].split("</div>")[0]
    assert "中" in problems and not _words(problems)


@pytest.mark.parametrize("queue", ["sqlite"], indirect=True)
def test_the_jobs_page_and_its_scripts_texts(
        app_client: TestClient, queue: jobs.JobQueue) -> None:  # noqa: F811
    """A job done and one waiting: their kinds, states and stored messages, the table's
    heads, the chart and the texts aurum.js writes are all in the catalogue."""
    a = bearer(app_client, "alpha")
    model = _model(app_client, a)
    job = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": model}}).json()
    with queue.running():
        assert _finished(app_client, a, job["id"])["state"] == "done"
    waiting = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": model}}).json()
    assert waiting["state"] == "queued" and waiting["message"] == "中"
    _login(app_client, "alpha")
    page = app_client.get("/jobs", headers=ZH)
    assert page.status_code == 200 and 'data-jobs-active' in page.text
    words = _words(page.text)
    assert len(words) <= HANDFUL, f"/jobs shows {words[:40]}"
    scripts = page.text.split('id="aurum-messages">')[1].split("</script>")[0]
    assert set(json.loads(scripts).values()) == {"中"}
