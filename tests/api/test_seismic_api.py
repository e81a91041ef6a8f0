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


def test_ground_stress_page(app_client: TestClient) -> None:
    a = bearer(app_client, "alpha")
    r = app_client.post("/api/v1/sensors", headers=a, json={
        "site": "SD-A-01", "code": "BPC.1", "kind": "pressure_cell", "unit": "MPa",
        "depth_m": 15.24, "rules": [{"kind": "threshold",
                                     "levels": {"yellow": 12.0, "orange": 15.0, "red": 20.0}}]})
    assert r.status_code == 201, r.text
    values = [10.0, 11.0, 13.0, 12.5, 16.0, 14.0]
    # Whole and fractional seconds mixed, as the alerts of seismic events and of readings are.
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=a, json={"readings": [
        {"sensor": "BPC.1", "time": f"2009-11-11T{h:02d}:00:00{'.25' if h == 4 else ''}Z",
         "value": v}
        for h, v in enumerate(values)]})
    assert r.status_code == 200, r.text
    # One alert per rise above the standing level: 13 MPa crosses yellow (12), 16 orange (15).
    raised = sorted((x["level"], x["value"]) for x in r.json()["alerts"])
    assert raised == [("orange", pytest.approx(16.0)), ("yellow", pytest.approx(13.0))]
    page = app_client.get("/seismic/SD-A-01/stress", headers=a)
    assert page.status_code == 200, page.text
    assert 'id="chart-stress1"' in page.text and 'id="chart-stress2"' not in page.text
    assert "BPC.1 (MPa)" in page.text and "yellow 12" in page.text and "orange 15" in page.text
    alerts_table = page.text.split('data-testid="stress-alerts"')[1].split("</table>")[0]
    assert alerts_table.count("<tr>") == 3 and "BPC.1" in alerts_table  # header, two alerts
    assert app_client.get("/seismic/SD-A-01/stress",
                          headers=bearer(app_client, "beta")).status_code == 404
