"""The notification centre per role and scope, and the reminders sent once a day to a webhook
on 127.0.0.1 (the delivery tests' server)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.periods import Period
from aurum.services import delivery, notifications, recycling, registry, reporting, review
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.notifications import Notifications
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Alert, Site
from tests.factories import GOOD_ROW, Registry
from tests.recycling.helpers import purchase, seller_id, validated
from tests.services.test_delivery import _Webhook, webhook  # noqa: F401  (the fixture)

TODAY = date(2026, 10, 24)
"""2026-Q3 is due on 30 October (within the 7 days' notice); 2026-Q2 to 2025-Q3 are overdue."""
OPEN_QUARTERS = ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
VALUES = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}

pytestmark = pytest.mark.usefixtures("empty_cache")


def _of(platform: Platform, actor: Actor, today: date = TODAY) -> Notifications:
    with transaction(platform.sessions) as s:
        return notifications.notifications(s, actor, today=today)


def _submit(platform: Platform, actor: Actor, site: str, period: str) -> int:
    with transaction(platform.sessions, actor.user_id) as s:
        return reporting.submit(s, actor, site, period, VALUES).report_id


def _due(found: Notifications) -> list[tuple[str, str]]:
    """``(kind, link)`` of the reports due and overdue."""
    return [(n.kind, n.link) for n in found.items if n.kind in ("due", "overdue")]


def test_an_enterprise_sees_the_reports_of_its_own_sites_due_and_overdue(
        platform: Platform, reg: Registry) -> None:
    before = _of(platform, reg.ent_a)
    assert _of(platform, reg.ent_a) is before  # kept until the data changes
    _submit(platform, reg.ent_a, "SD-A-01", "2026-Q2")
    found = _of(platform, reg.ent_a)
    assert found.count == before.count - 1
    links = {link for _kind, link in _due(found)}
    expected = {f"/reports/new?site={site}&period={p}" for site in ("SD-A-01", "SD-A-02")
                for p in OPEN_QUARTERS} - {"/reports/new?site=SD-A-01&period=2026-Q2"}
    assert links == expected
    assert not any("GS-B-01" in n.link or "GS-B-01" in n.title for n in found.items)
    due_soon = [n for n in found.items if n.kind == "due"]
    assert {n.link for n in due_soon} == {"/reports/new?site=SD-A-01&period=2026-Q3",
                                          "/reports/new?site=SD-A-02&period=2026-Q3"}
    assert all(n.date == date(2026, 10, 30) and n.severity == "warning" for n in due_soon)
    overdue = [n for n in found.items if n.kind == "overdue"]
    assert all(n.severity == "danger" and n.date < TODAY for n in overdue)
    assert found.counts["overdue"] == 7 and found.counts["due"] == 2
    assert found.count == 9
    # The most pressing first: the oldest overdue report.
    assert found.items[0].kind == "overdue" and found.items[0].date == date(2025, 10, 30)
    # ENT-B sees its own mine only.
    other = _of(platform, reg.ent_b)
    assert {link.split("&")[0] for _kind, link in _due(other)} == {
        "/reports/new?site=GS-B-01"}


def test_a_site_that_reports_monthly_is_expected_monthly(platform: Platform,
                                                         reg: Registry) -> None:
    _submit(platform, reg.ent_b, "GS-B-01", "2026-09")
    # September's report is in; August (due 29 September) and the months before are overdue.
    found = _of(platform, reg.ent_b)
    periods = [link.rsplit("=", 1)[1] for _kind, link in _due(found)]
    assert "2026-09" not in periods
    assert periods[-1] == "2026-08"
    assert all(len(p) == 7 and p[4] == "-" and "Q" not in p for p in periods)


def test_regulators_and_auditors_get_no_reports_due(platform: Platform, reg: Registry) -> None:
    for actor in (reg.regulator, reg.regulator_sd, reg.auditor):
        assert _due(_of(platform, actor)) == []


def test_returned_reports_and_reports_to_review_stay_in_scope(platform: Platform,
                                                             reg: Registry) -> None:
    alpha = _submit(platform, reg.ent_a, "SD-A-01", "2026-Q2")
    beta = _submit(platform, reg.ent_b, "GS-B-01", "2026-Q2")
    to_review = {r: {n.link for n in _of(platform, r).items if n.kind == "review"}
                 for r in (reg.regulator, reg.regulator_sd, reg.ent_a)}
    assert to_review[reg.regulator] == {f"/reports/{alpha}", f"/reports/{beta}"}
    assert to_review[reg.regulator_sd] == {f"/reports/{alpha}"}  # Shandong only
    assert to_review[reg.ent_a] == set()
    with transaction(platform.sessions, reg.regulator_sd.user_id) as s:
        review.return_report(s, reg.regulator_sd, alpha, "ore treated does not match the mill")
    returned = [n for n in _of(platform, reg.ent_a).items if n.kind == "returned"]
    assert [(n.link, n.severity) for n in returned] == [(f"/reports/{alpha}", "danger")]
    assert "ore treated does not match the mill" in returned[0].title
    assert not [n for n in _of(platform, reg.ent_b).items if n.kind == "returned"]
    assert f"/reports/{alpha}" not in {
        n.link for n in _of(platform, reg.regulator_sd).items if n.kind == "review"}


def _alert(s: Session, site_id: int, at: datetime, level: int = 3,
           acknowledged: bool = False) -> None:
    s.add(Alert(site_id=site_id, source="sensor", rule="displacement", level=level, time=at,
                value=1.0, message=f"level {level} at {at:%H:%M}",
                acknowledged_at=at if acknowledged else None))


def test_new_standing_alerts_in_scope(platform: Platform, reg: Registry) -> None:
    now = datetime(2026, 10, 24, 4, 0, tzinfo=UTC)
    with transaction(platform.sessions) as s:
        sites = dict(s.execute(select(Site.code, Site.id)).all())
        _alert(s, sites["SD-A-01"], now - timedelta(hours=2), level=4)
        _alert(s, sites["SD-A-01"], now - timedelta(days=1), level=2)
        _alert(s, sites["SD-A-01"], now - timedelta(days=10))  # not new
        _alert(s, sites["SD-A-01"], now - timedelta(hours=1), acknowledged=True)
        _alert(s, sites["GS-B-01"], now - timedelta(hours=3))
    alerts = [n for n in _of(platform, reg.ent_a).items if n.kind == "alert"]
    assert [(n.severity, n.date) for n in alerts] == [("danger", date(2026, 10, 24)),
                                                      ("warning", date(2026, 10, 23))]
    assert all(n.link == "/safety/alerts?site=SD-A-01&standing=yes" for n in alerts)
    assert _of(platform, reg.ent_b).counts["alert"] == 1
    assert _of(platform, reg.regulator_sd).counts["alert"] == 2
    assert _of(platform, reg.regulator).counts["alert"] == 3


# ---------------------------------------------------------------------------------------------
# Reminders


REMINDER_DAY = date(2026, 10, 23)
"""Seven days before 2026-Q3's due date."""


def test_reminders_fall_on_the_calendars_days(platform: Platform, reg: Registry) -> None:
    _submit(platform, reg.ent_b, "GS-B-01", "2026-Q3")
    with transaction(platform.sessions) as s:
        on_day = notifications.reminders_on(s, REMINDER_DAY)
        day_after = notifications.reminders_on(s, REMINDER_DAY + timedelta(days=1))
        overdue = notifications.reminders_on(s, date(2026, 10, 31))
    assert [(r["site"], r["period"], r["days"], r["due_on"]) for r in on_day] == [
        ("SD-A-01", "2026-Q3", -7, "2026-10-30"), ("SD-A-02", "2026-Q3", -7, "2026-10-30")]
    assert day_after == []
    assert [(r["site"], r["days"]) for r in overdue] == [("SD-A-01", 1), ("SD-A-02", 1)]
    assert on_day[0]["id"] == "2026-10-23|statistics|SD-A-01|2026-Q3"
    assert Period.parse(on_day[0]["period"]).label == "2026-Q3"


def test_reminders_are_sent_once_a_day(platform: Platform, reg: Registry,
                                       webhook: _Webhook,  # noqa: F811  (the fixture)
                                       tmp_path: Path) -> None:
    targets = delivery.Targets(webhook=webhook.url)
    home = tmp_path / "home"
    webhook.statuses = [500, 500]  # the first reminder fails both tries
    with transaction(platform.sessions) as s:
        first = notifications.send_reminders(s, REMINDER_DAY, home, targets, pause_s=0.01)
    assert len(first.reminders) == 3
    assert len(first.sent) == 2 and len(first.failed) == 1
    with transaction(platform.sessions) as s:
        second = notifications.send_reminders(s, REMINDER_DAY, home, targets, pause_s=0.01)
    # Only the one that failed goes again; the others are not sent twice.
    assert second.sent == (f"{first.failed[0].alert_id}|webhook",)
    assert len(second.already) == 2 and second.failed == ()
    with transaction(platform.sessions) as s:
        third = notifications.send_reminders(s, REMINDER_DAY, home, targets, pause_s=0.01)
    assert third.sent == () and len(third.already) == 3
    bodies = [json.loads(body) for _path, _type, body in webhook.requests]
    assert len(bodies) == 2 + 2 + 1  # two tries of the failing one, then each once
    delivered = {b["id"] for b in bodies[2:]}
    assert delivered == {r["id"] for r in first.reminders}
    assert all(b["type"] == "reminder" and b["days"] == -7 for b in bodies)
    kept = json.loads((home / notifications.SENT_FILE).read_text("utf-8"))
    assert len(kept["2026-10-23"]) == 3
    # The next day is a new day: nothing falls on it here, nothing is sent.
    with transaction(platform.sessions) as s:
        assert notifications.send_reminders(s, REMINDER_DAY + timedelta(days=1), home,
                                            targets).reminders == ()


def test_reminder_email_says_what_is_due() -> None:
    reminder = {"id": "x", "type": "reminder", "site": "SD-A-01", "days": -7,
                "message": "Reminder: the statistics report is due"}
    message = notifications.reminder_email(reminder, "aurum@mine.example", ["a@b.example"])
    assert "Reminder: the statistics report is due" in message["Subject"]
    assert "site: SD-A-01" in message.get_content()


def test_a_recycler_sees_its_own_reports_due(platform: Platform, admin: Actor) -> None:
    keys = recycling.LedgerKeys.load(platform.settings)
    with transaction(platform.sessions, admin.user_id) as s:
        recyclers = {}
        for code, province in (("RC-1", "Shandong"), ("RC-2", "Henan")):
            registry.create_organisation(s, admin, code, f"{code} Recycling", "recycling",
                                         province)
            recycling.register_participant(s, admin, code, code, org_code=code)
            recyclers[code] = actor_for(s, create_user(s, code.lower(), "a-long-password",
                                                       Role.RECYCLER, org_code=code))
        # Two cash purchases of one seller on one day, 120,000 CNY: a large-cash report each,
        # due five working days later (Monday 11 August 2025).
        recycling.append_purchases(s, admin, keys, validated([
            purchase(recycler=code, seller_id_number=seller_id(n), amount_cny="60000",
                     occurred_at=f"2025-08-04T{hour:02d}:00:00+08:00")
            for n, code in enumerate(recyclers) for hour in (9, 17)]))
        recycling.screen_reports(s, admin)
    # Five days before the due day it is not yet within the three days' notice; three days
    # before it is, and it is overdue the day after.
    assert _of(platform, recyclers["RC-1"], today=date(2025, 8, 6)).count == 0
    due = [n for n in _of(platform, recyclers["RC-1"], today=date(2025, 8, 8)).items
           if n.kind == "due"]
    assert [(n.link, n.date, n.severity) for n in due] == [
        ("/recycling/reports", date(2025, 8, 11), "warning")]
    assert _of(platform, recyclers["RC-2"], today=date(2025, 8, 12)).counts == {
        "overdue": 1, "returned": 0, "review": 0, "due": 0, "alert": 0, "match": 0}
    with transaction(platform.sessions) as s:
        reminders = notifications.reminders_on(s, date(2025, 8, 8))
    assert [(r["report"], r["recycler"], r["days"]) for r in reminders] == [
        ("recycling", "RC-1", -3), ("recycling", "RC-2", -3)]
