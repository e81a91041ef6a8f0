"""Runtime configuration from the environment.

``AURUM_HOME`` is the data directory (default ``./.aurum``): the SQLite database and array
files live there. ``AURUM_DATABASE_URL`` points at another database (e.g.
``postgresql+psycopg://user@host/db``). ``AURUM_COOKIE_SECURE=1`` marks the session cookie
HTTPS-only (set it behind TLS).

Keys live apart from the data, so that a copy, a backup or a leak of the data directory (or
of the database) carries no key that could re-sign the ledger or open personal data.
``AURUM_KEYS`` is the keys directory; by default ``$XDG_CONFIG_HOME/aurum/keys`` (that is
``~/.config/aurum/keys``): the per-user configuration place, never inside a data directory,
which the service account owns and backs up apart from the data. A key missing there is
generated once, in a file of mode 0600 in a directory of mode 0700. The environment still wins:
``AURUM_SECRET_KEY`` is the key that signs session cookies, and each 32-byte key
(:meth:`Settings.key_bytes`: the recycling ledger's personal-data and signing keys) has a
variable holding 64 hex digits (a key from a vault). Installs made before the keys directory
kept their keys in the data directory: such a key is still used, with a warning that says
where to move it, so that their ledgers keep verifying. ``AURUM_LEDGER_ORIGIN`` names the
recycling ledger in its checkpoints (default: derived from the signing key).

Monitoring: ``AURUM_MQTT`` is the sensors' broker (``HOST:PORT``, default 127.0.0.1:1883);
``AURUM_DEMO_SOURCE=off`` keeps ``aurum serve`` from playing the demo facility's readings
through it. Alerts are sent, when set, as a JSON POST to ``AURUM_ALERT_WEBHOOK`` (a URL)
and as e-mail through the relay ``AURUM_ALERT_SMTP`` (``HOST:PORT``) from
``AURUM_ALERT_EMAIL_FROM`` to ``AURUM_ALERT_EMAIL_TO`` (addresses separated by commas).

Reporting: ``AURUM_REPORT_REVIEW=off`` counts a report in the indicators as soon as it is
submitted; by default (on) only its latest version a regulator accepted counts.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger(__name__)
KEY_FILE_MODE = 0o600
KEYS_DIR_MODE = 0o700


def default_keys_dir() -> Path:
    """``$XDG_CONFIG_HOME/aurum/keys``, ``~/.config/aurum/keys`` when that is unset."""
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".config") / "aurum" / "keys"


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
    keys : Path, optional
        Keys directory (default :func:`default_keys_dir`).
    ledger_origin : str, optional
        Origin line of the recycling ledger's checkpoints (default: from its signing key).
    jobs_url : str, optional
        The job queue (``AURUM_JOBS_URL``): ``redis://HOST:PORT/DB``, or ``sqlite:///PATH``;
        default a SQLite file in the data directory.
    jobs_workers : int
        Job worker threads the server runs itself (``AURUM_JOBS_WORKERS``, default 1; 0 when
        ``aurum jobs worker`` processes run the queue).
    report_review : bool
        Whether a report counts in the indicators only once a regulator accepted it
        (``AURUM_REPORT_REVIEW``, default on; ``off`` counts every submitted version, as
        before the provincial review existed).
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
    keys: Path | None = None
    ledger_origin: str | None = None
    jobs_url: str | None = None
    jobs_workers: int = 1
    report_review: bool = True

    @property
    def keys_dir(self) -> Path:
        """Where keys are kept (``AURUM_KEYS``, else :func:`default_keys_dir`)."""
        return self.keys or default_keys_dir()

    def secret_key(self) -> str:
        """The session-signing key: ``AURUM_SECRET_KEY`` or a key kept in the keys directory
        as ``secret.key``."""
        env = os.environ.get("AURUM_SECRET_KEY")
        if env:
            return env
        return self._generated_once("secret.key", lambda: secrets.token_urlsafe(48))

    def key_bytes(self, name: str, env_var: str) -> bytes:
        """A 32-byte key: ``env_var`` (64 hex digits) or a key kept in the keys directory as
        ``<name>.key``.

        Parameters
        ----------
        name : str
            File stem of the key in the keys directory, e.g. ``ledger-signing``.
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
        """The key kept in ``keys_dir/filename``; else the one an older install kept in the
        data directory (with a warning); else a new one, generated once."""
        path = self.keys_dir / filename
        legacy = self.home / filename
        if not path.exists() and legacy.exists():
            LOG.warning("using the key %s from the data directory; move it to %s (mode 0600) "
                        "or set AURUM_KEYS: keys kept beside the data leave with every copy "
                        "of it", legacy, path)
            return legacy.read_text().strip()
        if not path.exists():
            # Written aside, then linked into place: link fails if another worker won the
            # race, and nobody ever reads a half-written key.
            self.keys_dir.mkdir(mode=KEYS_DIR_MODE, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.keys_dir, prefix=".secret-")
            os.fchmod(fd, KEY_FILE_MODE)
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
                    or None,
                    keys=Path(keys).resolve() if (keys := os.environ.get("AURUM_KEYS", "")
                                                  .strip()) else None,
                    ledger_origin=os.environ.get("AURUM_LEDGER_ORIGIN", "").strip() or None,
                    jobs_url=os.environ.get("AURUM_JOBS_URL", "").strip() or None,
                    jobs_workers=_count(os.environ.get("AURUM_JOBS_WORKERS", ""), 1,
                                        "AURUM_JOBS_WORKERS"),
                    report_review=report_review())


def report_review() -> bool:
    """Whether the indicators count only accepted reports (``AURUM_REPORT_REVIEW``, on unless
    ``off``, ``0``, ``false`` or ``no``): read alone, as the services that choose a report's
    counted version need nothing else of the settings."""
    return os.environ.get("AURUM_REPORT_REVIEW", "on").strip().lower() not in {
        "off", "0", "false", "no"}


def _count(text: str, default: int, name: str) -> int:
    """A small non-negative count from the environment (``default`` when unset)."""
    if not text.strip():
        return default
    if not text.strip().isdigit() or int(text) > 64:
        raise ValueError(f"{name} must be a whole number from 0 to 64, not {text!r}")
    return int(text)
