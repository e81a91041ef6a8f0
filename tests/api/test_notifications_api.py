"""The notification centre through HTTP: ``GET /api/v1/notifications`` (typed, in scope) and
the page header's bell and ``/notifications`` page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from aurum.api.schemas.notifications import NotificationsOut
from aurum.services import reporting
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD, Registry

URL = "/api/v1/notifications"
VALUES = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf})


def test_an_enterprise_gets_its_own_sites_only(app_client: TestClient, reg: Registry) -> None:
    body = app_client.get(URL, headers=bearer(app_client, "alpha"))
    assert body.status_code == 200, body.text
    found = NotificationsOut.model_validate(body.json())
    # Whatever the day, the test registry's sites have reports overdue (they never reported).
    assert found.counts["overdue"] > 0
    assert found.count == sum(found.counts.values())
    sites = {re.search(r"site=([A-Z0-9-]+)", n.link).group(1)  # type: ignore[union-attr]
             for n in found.items if n.kind in ("due", "overdue")}
    assert sites == {"SD-A-01", "SD-A-02"}
    assert all(n.link.startswith("/reports/new?site=SD-A-0") for n in found.items
               if n.kind == "overdue")
    beta = NotificationsOut.model_validate(
        app_client.get(URL, headers=bearer(app_client, "beta")).json())
    assert all("GS-B-01" in n.link for n in beta.items if n.kind in ("due", "overdue"))
    assert not any("SD-A" in n.link or "SD-A" in n.title for n in beta.items)


def test_regulators_get_the_reports_to_review_of_their_province(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    with transaction(platform.sessions, reg.ent_b.user_id) as s:
        beta = reporting.submit(s, reg.ent_b, "GS-B-01", "2026-Q2", VALUES).report_id
    national = app_client.get(URL, headers=bearer(app_client, "miit")).json()
    shandong = app_client.get(URL, headers=bearer(app_client, "sd-miit")).json()
    assert [i["link"] for i in national["items"] if i["kind"] == "review"] == [
        f"/reports/{beta}"]
    assert national["counts"]["review"] == 1
    assert shandong["counts"]["review"] == 0 and shandong["items"] == []
    assert national["counts"]["overdue"] == 0  # regulators file no reports


def test_the_limit_lists_fewer_and_counts_all(app_client: TestClient, reg: Registry) -> None:
    headers = bearer(app_client, "alpha")
    everything = app_client.get(URL, headers=headers).json()
    one = app_client.get(URL, params={"limit": 1}, headers=headers).json()
    assert len(one["items"]) == 1 and one["count"] == everything["count"]
    assert one["items"][0] == everything["items"][0]
    assert app_client.get(URL, params={"limit": 0}, headers=headers).status_code == 422
    assert app_client.get(URL, params={"limit": 10_000}, headers=headers).status_code == 422
    assert app_client.get(URL).status_code == 401


def test_the_bell_and_the_page(app_client: TestClient, reg: Registry) -> None:
    _login(app_client, "alpha")
    count = app_client.get(URL).json()["count"]
    page = app_client.get("/jobs").text
    bell = page.split('data-testid="notifications"')[1].split("</details>")[0]
    assert f'data-testid="notification-count">{count}<' in bell
    assert len(re.findall(r"<li class=", bell)) == min(count, 8)
    assert 'href="/notifications"' in bell and "/reports/new?site=SD-A-0" in bell
    full = app_client.get("/notifications")
    assert full.status_code == 200
    assert 'data-testid="notifications-overdue"' in full.text
    assert "GS-B-01" not in full.text


def test_a_regulator_with_nothing_waiting(app_client: TestClient, reg: Registry) -> None:
    _login(app_client, "sd-miit")
    page = app_client.get("/notifications").text
    assert 'data-testid="notification-count">0<' in page
    assert 'data-testid="notifications-none"' in page


def test_no_bell_without_a_login(app_client: TestClient, reg: Registry) -> None:
    assert 'data-testid="notifications"' not in app_client.get("/login").text
    assert app_client.get("/notifications", follow_redirects=False).status_code == 303
