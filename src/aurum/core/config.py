"""Runtime configuration from the environment.

``AURUM_HOME`` is the data directory (default ``./.aurum``): the SQLite database, array files
and the locally generated secret key live there. ``AURUM_DATABASE_URL`` points at another
database (e.g. ``postgresql+psycopg://user@host/db``). ``AURUM_SECRET_KEY`` overrides the key
that signs session cookies; when unset a random key is generated once into the data directory,
so no secret ever sits in the repository. ``AURUM_COOKIE_SECURE=1`` marks the session cookie
HTTPS-only (set it behind TLS). Other 32-byte keys (:meth:`Settings.key_bytes`: the recycling
ledger's personal-data and signing keys) follow the same rule: an environment variable holding
64 hex digits, else ``home/<name>.key`` generated once.

Monitoring: ``AURUM_MQTT`` is the sensors' broker (``HOST:PORT``, default 127.0.0.1:1883);
``AURUM_DEMO_SOURCE=off`` keeps ``aurum serve`` from playing the demo facility's readings
through it. Alerts are sent, when set, as a JSON POST to ``AURUM_ALERT_WEBHOOK`` (a URL)
and as e-mail through the relay ``AURUM_ALERT_SMTP`` (``HOST:PORT``) from
``AURUM_ALERT_EMAIL_FROM`` to ``AURUM_ALERT_EMAIL_TO`` (addresses separated by commas).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Resolved settings.

    Parameters
    ----------
    home : Path
        Data directory.
    database_url : str
        SQLAlchemy URL of the database.
    cookie_secure : bool
        Send the session cookie over HTTPS only.
    mqtt_broker : str
        ``HOST:PORT`` of the sensors' MQTT broker.
    demo_source : bool
        Whether ``aurum serve`` plays the demo facility's readings through the broker.
    alert_webhook : str, optional
        URL that receives each alert as a JSON POST.
    alert_smtp : str, optional
        ``HOST:PORT`` of the mail relay that sends each alert.
    alert_email_to : tuple of str
        Recipients of the alert e-mails.
    alert_email_from : str, optional
        Sender of the alert e-mails.
    """

    home: Path
    database_url: str
    cookie_secure: bool = False
    mqtt_broker: str = "127.0.0.1:1883"
    demo_source: bool = True
    alert_webhook: str | None = None
    alert_smtp: str | None = None
    alert_email_to: tuple[str, ...] = ()
    alert_email_from: str | None = None

    def secret_key(self) -> str:
        """The session-signing key: ``AURUM_SECRET_KEY`` or a key kept in ``home/secret.key``."""
        env = os.environ.get("AURUM_SECRET_KEY")
        if env:
            return env
        return self._generated_once("secret.key", lambda: secrets.token_urlsafe(48))

    def key_bytes(self, name: str, env_var: str) -> bytes:
        """A 32-byte key: ``env_var`` (64 hex digits) or a key kept in ``home/<name>.key``.

        Parameters
        ----------
        name : str
            File stem of the key under the data directory, e.g. ``ledger-signing``.
        env_var : str
            Environment variable that overrides the file (a key from a vault).

        Raises
        ------
        ValueError
            When the variable or the file does not hold 64 hex digits.
        """
        text = os.environ.get(env_var) or self._generated_once(
            f"{name}.key", lambda: secrets.token_hex(32))
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ValueError(f"{env_var} or {name}.key must hold 64 hex digits (32 bytes)")
        return key

    def _generated_once(self, filename: str, make: Callable[[], str]) -> str:
        path = self.home / filename
        if not path.exists():
            # Written aside, then linked into place: link fails if another worker won the
            # race, and nobody ever reads a half-written key.
            self.home.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.home, prefix=".secret-")
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return path.read_text().strip()


def get_settings() -> Settings:
    """Read the settings from the environment (not cached: tests change the environment)."""
    home = Path(os.environ.get("AURUM_HOME", ".aurum")).resolve()
    url = os.environ.get("AURUM_DATABASE_URL") or f"sqlite:///{home / 'aurum.db'}"
    secure = os.environ.get("AURUM_COOKIE_SECURE", "").lower() in {"1", "true", "yes"}
    demo = os.environ.get("AURUM_DEMO_SOURCE", "on").strip().lower() not in {
        "off", "0", "false", "no"}
    recipients = tuple(a.strip() for a in os.environ.get("AURUM_ALERT_EMAIL_TO", "").split(",")
                       if a.strip())
    return Settings(home=home, database_url=url, cookie_secure=secure,
                    mqtt_broker=os.environ.get("AURUM_MQTT", "").strip() or "127.0.0.1:1883",
                    demo_source=demo,
                    alert_webhook=os.environ.get("AURUM_ALERT_WEBHOOK", "").strip() or None,
                    alert_smtp=os.environ.get("AURUM_ALERT_SMTP", "").strip() or None,
                    alert_email_to=recipients,
                    alert_email_from=os.environ.get("AURUM_ALERT_EMAIL_FROM", "").strip()
                    or None)
