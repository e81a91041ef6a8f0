"""Alert delivery: each new alert sent out as a JSON POST to a webhook and as an e-mail.

The targets come from the environment (:mod:`aurum.core.config`: ``AURUM_ALERT_WEBHOOK``,
``AURUM_ALERT_SMTP``, ``AURUM_ALERT_EMAIL_TO``, ``AURUM_ALERT_EMAIL_FROM``). An alert is sent
only once the transaction that stored it has committed (:func:`deliver_on_commit`), so a
rolled-back alert is never announced; sending happens in a thread of its own, so a slow or
dead target never holds up the request or the listener that raised the alert, and a
failure never reaches them: every attempt is logged (``aurum.delivery``; the ``alerts``
table has no column for it), a failure as a warning with its error.

Each target gets one retry after a short pause (a webhook that restarts, a relay that
greylists), with a 5 s timeout per try. The e-mail goes to a relay without TLS or login
(the site's own mail relay), as plain text.

The same sending serves the reporting reminders (:mod:`aurum.services.notifications`): the
functions take ``what`` (the word the log names an item by) and ``compose`` (the e-mail of an
item), an alert's by default.
"""

from __future__ import annotations

import json
import logging
import smtplib
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.config import Settings, get_settings
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.sensors import LEVEL_NAMES

log = logging.getLogger("aurum.delivery")

TIMEOUT_S = 5.0
"""Timeout of one try, s."""
RETRY_PAUSE_S = 1.0
"""Pause before the retry, s."""
TRIES = 2
"""Tries per target: the first and one retry."""

_PENDING = "aurum.delivery.pending"
_LISTENING = "aurum.delivery.listening"
_THREADS: set[threading.Thread] = set()
_THREADS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Targets:
    """Where alerts go.

    Parameters
    ----------
    webhook : str, optional
        HTTP(S) URL receiving a JSON POST per alert.
    smtp_host : str, optional
        Host of the mail relay.
    smtp_port : int
        Its port (TCP port number).
    email_to : tuple of str
        Recipients.
    email_from : str
        Sender.
    """

    webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    email_to: tuple[str, ...] = ()
    email_from: str = "aurum@localhost"

    @property
    def configured(self) -> bool:
        """Whether there is anywhere to send alerts."""
        return self.webhook is not None or self.smtp_host is not None


@dataclass(frozen=True)
class Attempt:
    """What sending one alert to one target did.

    Parameters
    ----------
    alert_id : int, str or None
        The alert (or the key of another item sent, such as a reminder).
    channel : str
        ``webhook`` or ``email``.
    target : str
        The URL or the relay's ``HOST:PORT``.
    ok : bool
        Whether the target took the alert.
    tries : int
        Tries made (1 or :data:`TRIES`), count.
    error : str or None
        The last try's error when it failed.
    """

    alert_id: int | str | None
    channel: str
    target: str
    ok: bool
    tries: int
    error: str | None = None


def targets(settings: Settings | None = None) -> Targets:
    """The delivery targets of the settings (the environment's when None), checked.

    Raises
    ------
    ValidationError
        A webhook that is no http(s) URL, a relay that is no ``HOST:PORT``, a relay without
        recipients, an address without ``@``; one problem per setting, named by its
        environment variable.
    """
    settings = settings or get_settings()
    problems: list[Problem] = []
    webhook = settings.alert_webhook
    if webhook is not None:
        parts = urllib.parse.urlsplit(webhook)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(Problem(_("expected an http:// or https:// URL, got %(url)r",
                                      url=webhook), column="AURUM_ALERT_WEBHOOK"))
    host, port = None, 25
    if settings.alert_smtp is not None:
        host, sep, text = settings.alert_smtp.rpartition(":")
        port = int(text) if text.isdigit() else -1
        if not sep or not host or not 0 < port < 65536:
            problems.append(Problem(_("expected the mail relay as HOST:PORT, got %(relay)r",
                                      relay=settings.alert_smtp), column="AURUM_ALERT_SMTP"))
        if not settings.alert_email_to:
            problems.append(Problem(_("expected the recipients of the alert e-mails "
                                      "(addresses separated by commas)"),
                                    column="AURUM_ALERT_EMAIL_TO"))
    sender = settings.alert_email_from or "aurum@localhost"
    for column, addresses in (("AURUM_ALERT_EMAIL_TO", settings.alert_email_to),
                              ("AURUM_ALERT_EMAIL_FROM", (sender,))):
        bad = [a for a in addresses if "@" not in a or any(c.isspace() for c in a)]
        if bad:
            problems.append(Problem(_("expected e-mail addresses, got %(addresses)s",
                                      addresses=", ".join(bad)), column=column))
    if problems:
        raise ValidationError(problems)
    return Targets(webhook, host, port, settings.alert_email_to, sender)


def describe(found: Targets) -> str:
    """One line saying where alerts go (for the server's start-up)."""
    where = []
    if found.webhook:
        where.append(_("POST to %(url)s", url=found.webhook))
    if found.smtp_host:
        relay = f"{found.smtp_host}:{found.smtp_port}"
        where.append(_("e-mail to %(recipients)s via %(relay)s",
                       recipients=", ".join(found.email_to), relay=relay))
    return (_("Alerts: %(targets)s", targets=_("; ").join(where)) if where
            else _("Alerts: not sent out (no target set)"))


Compose = Callable[[Mapping[str, Any], str, Sequence[str]], EmailMessage]
"""Makes the e-mail of an item from the item, the sender and the recipients."""


def _try(alert: Mapping[str, Any], channel: str, target: str,
         send: Callable[[], None], pause_s: float, what: str) -> Attempt:
    """Send, retrying once after ``pause_s`` s; log the outcome (the item named ``what``)."""
    error = ""
    for n in range(1, TRIES + 1):
        try:
            send()
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            # URLError, HTTPError, timeouts and refused connections are all OSErrors.
            error = f"{type(exc).__name__}: {exc}"
            if n < TRIES:
                time.sleep(pause_s)
            continue
        log.info("%s %s sent by %s to %s (try %d)", what, alert.get("id"), channel, target, n)
        return Attempt(alert.get("id"), channel, target, True, n)
    log.warning("%s %s not sent by %s to %s after %d tries: %s", what, alert.get("id"),
                channel, target, TRIES, error)
    return Attempt(alert.get("id"), channel, target, False, TRIES, error)


def post_webhook(url: str, alert: Mapping[str, Any], *, timeout_s: float = TIMEOUT_S,
                 pause_s: float = RETRY_PAUSE_S, what: str = "alert") -> Attempt:
    """POST an alert as JSON (``application/json``, UTF-8) to a URL.

    Parameters
    ----------
    url : str
        The webhook.
    alert : mapping
        The alert (:func:`aurum.services.safety.alert_dict`).
    timeout_s : float
        Timeout of each try, s.
    pause_s : float
        Pause before the retry, s.
    what : str
        What the item is, for the log (``alert``, ``reminder``).

    Returns
    -------
    Attempt
        Success on any 2xx answer; an answer of another status is a failure.
    """
    body = json.dumps(dict(alert), ensure_ascii=False).encode("utf-8")

    def send() -> None:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "aurum-alerts"})
        # urlopen raises HTTPError on 4xx/5xx, so reaching the end means 2xx or 3xx.
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()

    return _try(alert, "webhook", url, send, pause_s, what)


def alert_email(alert: Mapping[str, Any], sender: str, recipients: Sequence[str]
                ) -> EmailMessage:
    """The e-mail of an alert: the level, site and rule in the subject; the message and the
    alert's fields in the body.

    Written in the platform's language (:func:`aurum.core.i18n.default_locale`): it goes to
    every recipient alike, from a thread outside any request. The fields keep their machine
    keys, as the webhook's JSON does.
    """
    message = EmailMessage()
    source = alert.get("facility") or alert.get("sensor")
    where = f"{alert.get('site')} {source}" if source else str(alert.get("site"))
    level = str(alert.get("level", ""))
    with i18n.using(i18n.default_locale()):
        message["Subject"] = _("[Aurum] %(level)s alert at %(where)s: %(rule)s",
                               level=str(LEVEL_NAMES.get(level, level)).upper(), where=where,
                               rule=alert.get("rule"))
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    fields = "\n".join(f"{k}: {v}" for k, v in alert.items()
                       if v is not None and k != "message")
    message.set_content(f"{alert.get('message', '')}\n\n{fields}\n")
    return message


def send_email(host: str, port: int, sender: str, recipients: Sequence[str],
               alert: Mapping[str, Any], *, timeout_s: float = TIMEOUT_S,
               pause_s: float = RETRY_PAUSE_S, what: str = "alert",
               compose: Compose = alert_email) -> Attempt:
    """Send an alert by e-mail through a relay (plain SMTP, no TLS, no login); the
    :class:`Attempt` is as :func:`post_webhook` returns it, success once the relay takes it.

    ``alert``, ``timeout_s``, ``pause_s`` and ``what`` are as in :func:`post_webhook`;
    ``compose`` makes the e-mail (:func:`alert_email` by default).

    Parameters
    ----------
    host, port : str, int
        The relay (TCP port number).
    sender : str
        From address.
    recipients : sequence of str
        To addresses.
    """
    message = compose(alert, sender, recipients)

    def send() -> None:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            smtp.send_message(message)

    return _try(alert, "email", f"{host}:{port}", send, pause_s, what)


def deliver(alerts: Sequence[Mapping[str, Any]], found: Targets, *,
            pause_s: float = RETRY_PAUSE_S, what: str = "alert",
            compose: Compose = alert_email) -> list[Attempt]:
    """Send alerts to every target, one after the other; never raises for a target.

    Parameters
    ----------
    alerts : sequence of mapping
        The alerts (:func:`aurum.services.safety.alert_dict`).
    found : Targets
        Where they go.
    pause_s : float
        Pause before a retry, s.
    what, compose
        What the items are and how their e-mail is made (:func:`send_email`).

    Returns
    -------
    list of Attempt
        Per alert, the webhook's attempt then the e-mail's (those configured).
    """
    attempts = []
    for alert in alerts:
        if found.webhook is not None:
            attempts.append(post_webhook(found.webhook, alert, pause_s=pause_s, what=what))
        if found.smtp_host is not None:
            attempts.append(send_email(found.smtp_host, found.smtp_port, found.email_from,
                                       found.email_to, alert, pause_s=pause_s, what=what,
                                       compose=compose))
    return attempts


def deliver_on_commit(session: Session, alert: Mapping[str, Any]) -> None:
    """Send an alert once the session's transaction commits (in a background thread);
    forget it if the transaction rolls back. Does nothing when no target is set; a target
    set wrongly is logged, never raised."""
    try:
        found = targets()
    except ValidationError as exc:
        log.error("alert %s not sent: %s", alert.get("id"), exc)
        return
    if not found.configured:
        return
    session.info.setdefault(_PENDING, []).append((dict(alert), found))
    if not session.info.get(_LISTENING):
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_rollback", _on_rollback)
        session.info[_LISTENING] = True


def _on_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    by_targets: dict[Targets, list[dict[str, Any]]] = {}
    for alert, found in pending:
        by_targets.setdefault(found, []).append(alert)
    for found, alerts in by_targets.items():
        # Not a daemon: a command that raised an alert and exits still sends it first
        # (bounded by the timeouts).
        thread = threading.Thread(target=_deliver_in_thread, args=(alerts, found),
                                  name="aurum-alert-delivery")
        with _THREADS_LOCK:
            _THREADS.add(thread)
        thread.start()


def _on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _deliver_in_thread(alerts: list[dict[str, Any]], found: Targets) -> None:
    try:
        deliver(alerts, found, pause_s=RETRY_PAUSE_S)  # read now, not at import
    except Exception:  # an unforeseen failure is logged: the alert itself is stored
        log.exception("delivery of %d alert(s) failed", len(alerts))
    finally:
        with _THREADS_LOCK:
            _THREADS.discard(threading.current_thread())


def wait_for_deliveries(timeout_s: float = 2 * TIMEOUT_S * TRIES) -> bool:
    """Wait for the deliveries under way (at most ``timeout_s`` s in all); True when none
    is left."""
    deadline = time.monotonic() + timeout_s
    with _THREADS_LOCK:
        running = list(_THREADS)
    for thread in running:
        thread.join(max(deadline - time.monotonic(), 0.0))
    return not any(t.is_alive() for t in running)
