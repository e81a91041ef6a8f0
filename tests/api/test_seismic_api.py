"""The seismic catalogue through the API and the pages: import, export, review, statistics."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from aurum.seismic import stats
from aurum.seismic.catalog import write_quakeml
from tests.api.conftest import bearer
from tests.api.test_resources_api import _csrf
from tests.services.test_seismic import GRID, synthetic_catalogue


@pytest.fixture(scope="module")
def quakeml_bytes(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, pd.DataFrame]:
    cat = synthetic_catalogue(n=300)
    path: Path = tmp_path_factory.mktemp("qml") / "events.xml"
    write_quakeml(cat, path, GRID)
    return path.read_bytes(), cat


def test_import_review_statistics_and_pages(app_client: TestClient,
                                            quakeml_bytes: tuple[bytes, pd.DataFrame]) -> None:
    data, cat = quakeml_bytes
    a = bearer(app_client, "alpha")
    url = "/api/v1/seismic/SD-A-01"
    r = app_client.post(f"{url}/import", headers=a,
                        files={"file": ("events.xml", data, "application/xml")})
    assert r.status_code == 201, r.text
    assert (r.json()["events_added"], r.json()["events_skipped"]) == (300, 0)
    assert any(x["rule"] == "mw-high" and x["source"] == "seismic" for x in r.json()["alerts"])
    again = app_client.post(f"{url}/import", headers=a,
                            files={"file": ("events.xml", data, "application/xml")})
    assert (again.json()["events_added"], again.json()["events_skipped"]) == (0, 300)
    bad = app_client.post(f"{url}/import", headers=a,
                          files={"file": ("events.txt", b"x", "text/plain")})
    assert bad.status_code == 422 and "QuakeML" in bad.json()["detail"]
    events = app_client.get(f"{url}/events", headers=a).json()
    assert len(events) == 300
    csv = pd.read_csv(io.StringIO(app_client.get(f"{url}/events?format=csv", headers=a).text))
    assert list(csv["resource_id"]) == [e["resource_id"] for e in events]
    xlsx = app_client.get(f"{url}/events?format=xlsx", headers=a)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    body = app_client.get(f"{url}/statistics?delta_m=0.1&window_events=100", headers=a).json()
    quakes = cat[cat["event_type"] != "blast"]
    expected = stats.b_value(quakes["mw"], stats.mc_maximum_curvature(quakes["mw"], 0.1), 0.1)
    assert body["b_value"]["b"] == pytest.approx(expected.b, rel=1e-12)
    assert body["b_value"]["b_std"] == pytest.approx(expected.b_std, rel=1e-12)
    first = events[0]["id"]
    review = app_client.post(f"{url}/events/{first}/review", headers=a,
                             json={"action": "reject"})
    assert review.json() == {"id": first, "status": "rejected",
                             "event_type": events[0]["event_type"]}
    qml = app_client.get(f"{url}/quakeml", headers=a)
    assert qml.status_code == 200 and qml.text.count("<event ") == 299
    # Another enterprise sees nothing of it; the regulator reads but cannot review.
    b = bearer(app_client, "beta")
    assert app_client.get(f"{url}/events", headers=b).status_code == 404
    assert app_client.get(f"{url}/statistics", headers=b).status_code == 404
    assert app_client.post(f"{url}/events/{first}/review", headers=b,
                           json={"action": "accept"}).status_code == 404
    assert app_client.get("/api/v1/seismic/sites", headers=b).json() == []
    reg = bearer(app_client, "miit")
    assert app_client.post(f"{url}/events/{first}/review", headers=reg,
                           json={"action": "accept"}).status_code == 403
    app_client.post("/login", data={"username": "miit", "password": "test-password-123",
                                    "csrf": _csrf(app_client)})
    index = app_client.get("/seismic")
    assert index.status_code == 200 and 'id="chart-catalogues"' in index.text
    page = app_client.get("/seismic/SD-A-01?window_events=100")
    assert page.status_code == 200, page.text
    for chart_id in ("events3d", "magtime", "btime", "energymoment", "fmd", "alerts"):
        assert f'id="chart-{chart_id}"' in page.text
    assert "mw-high" in page.text
