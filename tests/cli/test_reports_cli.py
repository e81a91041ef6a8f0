"""``aurum reports remind``: the day's reminders to the webhook of the environment, once."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aurum.cli import cli
from aurum.services.platform import Platform
from tests.factories import Registry
from tests.services.test_delivery import _Webhook, webhook  # noqa: F401  (the fixture)


def test_remind_sends_the_days_reminders_once(platform: Platform, reg: Registry,
                                              webhook: _Webhook,  # noqa: F811  (the fixture)
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", webhook.url)
    args = ["reports", "remind", "--date", "2026-10-23", "--format", "json"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    # 2026-Q3 is due on 30 October: a week before, each of the three sites is reminded.
    assert [r["site"] for r in result["reminders"]] == ["GS-B-01", "SD-A-01", "SD-A-02"]
    assert len(result["sent"]) == 3 and result["failed"] == []
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["sent"] == []
    assert len(webhook.requests) == 3
    text = CliRunner().invoke(cli, ["reports", "remind", "--date", "2026-10-23"])
    assert "sent now 0, sent before 3, failed 0" in text.output


def test_remind_refuses_a_bad_day_and_a_bad_target(platform: Platform,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    bad_day = CliRunner().invoke(cli, ["reports", "remind", "--date", "2026-13-01"])
    assert bad_day.exit_code == 2 and "--date" in bad_day.output
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", "not a url")
    bad_target = CliRunner().invoke(cli, ["reports", "remind"])
    assert bad_target.exit_code == 2
    assert "AURUM_ALERT_WEBHOOK" in bad_target.output
