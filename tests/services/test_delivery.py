"""Alert delivery against a real HTTP server and a real (minimal) SMTP relay on 127.0.0.1:
the webhook gets the alert as JSON, the relay gets the e-mail, a failing target is retried
once and logged, nothing is sent before the commit or after a rollback, and a failure never
loses the alert. The relay is a few lines of SMTP here: ``smtpd`` left the standard library
in Python 3.12 and ``aiosmtpd`` is not a dependency."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from aurum.core.errors import ValidationError
from aurum.services import delivery, safety
from aurum.services.auth import SYSTEM, Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Alert
from tests.factories import small_registry

ALERT = {"id": 7, "time": "2025-07-01T10:00:00+00:00", "site": "SD-A-01",
         "source": "seismic", "sensor": None, "facility": None, "rule": "event_rate",
         "level": "orange", "level_value": 3, "value": 31.0,
         "message": "31 events/h against orange >= 30 (矿震)", "acknowledged": False}
WAIT_S = 15.0


class _Webhook(ThreadingHTTPServer):
    """Records each POST; answers the queued statuses, then 200."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookHandler)
        self.requests: list[tuple[str, str, bytes]] = []
        self.statuses: list[int] = []
        self.received = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: _Webhook

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        with self.server.received:
            self.server.requests.append((self.path, self.headers["Content-Type"], body))
            self.server.received.notify_all()
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _SmtpSink(socketserver.ThreadingTCPServer):
    """The least of SMTP (RFC 5321) a client needs to hand over a message."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.received = threading.Condition()


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: _SmtpSink
    timeout = 10

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 sink ESMTP")
        sender, recipients = "", []
        while line := self.rfile.readline():
            verb, _, rest = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb == "MAIL":
                sender = rest.partition("<")[2].partition(">")[0]
            elif verb == "RCPT":
                recipients.append(rest.partition("<")[2].partition(">")[0])
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                with self.server.received:
                    self.server.messages.append((sender, recipients, message))
                    self.server.received.notify_all()
                sender, recipients = "", []
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            self._reply("250 sink" if verb in ("EHLO", "HELO") else "250 ok")


@pytest.fixture
def webhook() -> Iterator[_Webhook]:
    server = _Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def relay() -> Iterator[_SmtpSink]:
    server = _SmtpSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: threading.Condition, ready: Any) -> bool:
    with condition:
        return bool(condition.wait_for(ready, timeout=WAIT_S))


def test_webhook_gets_the_alert_as_json(webhook: _Webhook) -> None:
    attempt = delivery.post_webhook(webhook.url, ALERT)
    assert attempt == delivery.Attempt(7, "webhook", webhook.url, True, 1)
    path, content_type, body = webhook.requests[0]
    assert (path, content_type) == ("/hook", "application/json; charset=utf-8")
    assert json.loads(body.decode("utf-8")) == ALERT


def test_webhook_is_retried_once(webhook: _Webhook, caplog: pytest.LogCaptureFixture) -> None:
    webhook.statuses = [503]
    assert delivery.post_webhook(webhook.url, ALERT, pause_s=0.01).tries == 2
    assert len(webhook.requests) == 2
    webhook.statuses = [500, 500, 500]
    with caplog.at_level(logging.WARNING, logger="aurum.delivery"):
        failed = delivery.post_webhook(webhook.url, ALERT, pause_s=0.01)
    assert (failed.ok, failed.tries, len(webhook.requests)) == (False, 2, 4)
    assert failed.error == "HTTPError: HTTP Error 500: Internal Server Error"
    assert f"alert 7 not sent by webhook to {webhook.url} after 2 tries" in caplog.text
    dead = f"http://127.0.0.1:{_closed_port()}/hook"
    refused = delivery.post_webhook(dead, ALERT, pause_s=0.01)
    assert (refused.ok, refused.tries) == (False, 2)
    assert refused.error is not None and "Connection refused" in refused.error


def test_email_reaches_the_relay(relay: _SmtpSink) -> None:
    port = relay.server_address[1]
    attempt = delivery.send_email("127.0.0.1", port, "aurum@mine.example",
                                  ["duty@mine.example", "hse@mine.example"], ALERT)
    assert attempt == delivery.Attempt(7, "email", f"127.0.0.1:{port}", True, 1)
    sender, recipients, message = relay.messages[0]
    assert (sender, recipients) == ("aurum@mine.example",
                                    ["duty@mine.example", "hse@mine.example"])
    assert message["Subject"] == "[Aurum] ORANGE alert at SD-A-01: event_rate"
    body = message.get_content().replace("\r\n", "\n")  # as sent over the wire
    assert body.startswith("31 events/h against orange >= 30 (矿震)\n\nid: 7\n")
    assert "level_value: 3\n" in body and "sensor:" not in body
    assert body.count("矿震") == 1
    dead = delivery.send_email("127.0.0.1", _closed_port(), "a@b.c", ["d@e.f"], ALERT,
                               pause_s=0.01)
    assert (dead.ok, dead.tries) == (False, 2)


def test_targets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AURUM_ALERT_WEBHOOK", "AURUM_ALERT_SMTP", "AURUM_ALERT_EMAIL_TO",
                 "AURUM_ALERT_EMAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    assert not delivery.targets().configured
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", "https://hooks.example/aurum")
    monkeypatch.setenv("AURUM_ALERT_SMTP", "relay.example:2525")
    monkeypatch.setenv("AURUM_ALERT_EMAIL_TO", "a@x.example, b@x.example")
    assert delivery.targets() == delivery.Targets(
        "https://hooks.example/aurum", "relay.example", 2525, ("a@x.example", "b@x.example"),
        "aurum@localhost")
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", "ftp://hooks.example/aurum")
    monkeypatch.setenv("AURUM_ALERT_SMTP", "relay.example:smtp")
    monkeypatch.delenv("AURUM_ALERT_EMAIL_TO")
    monkeypatch.setenv("AURUM_ALERT_EMAIL_FROM", "aurum at mine")
    with pytest.raises(ValidationError) as err:
        delivery.targets()
    assert [p.column for p in err.value.problems] == [
        "AURUM_ALERT_WEBHOOK", "AURUM_ALERT_SMTP", "AURUM_ALERT_EMAIL_TO",
        "AURUM_ALERT_EMAIL_FROM"]
    assert "expected the mail relay as HOST:PORT, got 'relay.example:smtp'" in str(err.value)


def _raise(platform: Platform, level: int, fail: bool = False) -> dict[str, Any] | None:
    with transaction(platform.sessions) as s:
        alert = safety.raise_alert(s, SYSTEM, "SD-A-01", source="seismic",
                                    rule="event_rate", level=level,
                                    time=datetime(2025, 7, 1, 10, tzinfo=UTC),
                                    message=f"level {level}")
        if fail:
            raise RuntimeError("the rest of the transaction failed")
        return alert


def test_alerts_are_sent_after_commit_only(platform: Platform, admin: Actor,
                                           webhook: _Webhook, relay: _SmtpSink,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    small_registry(platform, admin)
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", webhook.url)
    monkeypatch.setenv("AURUM_ALERT_SMTP", f"127.0.0.1:{relay.server_address[1]}")
    monkeypatch.setenv("AURUM_ALERT_EMAIL_TO", "duty@mine.example")
    with pytest.raises(RuntimeError):
        _raise(platform, 2, fail=True)
    assert delivery.wait_for_deliveries(WAIT_S)
    alert = _raise(platform, 2)
    assert alert is not None
    assert _wait(webhook.received, lambda: webhook.requests)
    assert _wait(relay.received, lambda: relay.messages)
    assert delivery.wait_for_deliveries(WAIT_S)
    # Only the committed alert went out, once to each target.
    assert [json.loads(body) for _, _, body in webhook.requests] == [alert]
    assert [m["Subject"] for _, _, m in relay.messages] == [
        "[Aurum] YELLOW alert at SD-A-01: event_rate"]


def test_a_failed_delivery_never_loses_the_alert(platform: Platform, admin: Actor,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    small_registry(platform, admin)
    monkeypatch.setattr(delivery, "RETRY_PAUSE_S", 0.01)
    monkeypatch.setenv("AURUM_ALERT_WEBHOOK", f"http://127.0.0.1:{_closed_port()}/hook")
    with caplog.at_level(logging.INFO, logger="aurum.delivery"):
        alert = _raise(platform, 3)
        assert delivery.wait_for_deliveries(WAIT_S)
        # A target set wrongly is logged, and the alert stored all the same.
        monkeypatch.setenv("AURUM_ALERT_WEBHOOK", "not a url")
        assert _raise(platform, 4) is not None
    assert alert is not None
    assert f"alert {alert['id']} not sent by webhook" in caplog.text
    assert "Connection refused" in caplog.text
    assert "expected an http:// or https:// URL, got 'not a url'" in caplog.text
    with platform.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 2
