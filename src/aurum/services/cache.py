"""One bounded in-process cache for the view models pages show.

A page view that costs more than a few milliseconds (variograms and cross-validation of a
resource model, the statistics of a seismic catalogue, the accounts of a plant) is computed
once per *data version* — a key naming what was computed and the version of the stored data
it was computed from (a model's file hash, a catalogue's event count and last change) — and
served from here until that data changes. A changed version is a new key; the old entry ages
out of the least-recently-used order.

The cache is bounded twice: :data:`MAX_ENTRIES` entries and :data:`MAX_BYTES` bytes of
arrays and frames (estimated, :func:`nbytes`), so neither many sites nor one large model grows
a server's memory without limit. Concurrent callers of one key wait for the first one instead
of all computing at once.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.store.models import AuditRecord

if TYPE_CHECKING:
    from aurum.services.auth import Actor

T = TypeVar("T")

MAX_ENTRIES = 128
"""View models kept per server process, at most (count)."""
MAX_BYTES = 512 * 2**20
"""Estimated size of the view models kept per server process, at most (bytes, 512 MiB)."""

_ENTRIES: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
_LOCK = threading.Lock()
_IN_FLIGHT: dict[Hashable, threading.Lock] = {}
_held_bytes = 0


def database_of(session: Session) -> str:
    """The database a session reads (password hidden): part of every key, since one process
    may serve (or test) several databases."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


CREDENTIAL_ENTITIES = ("user_sessions", "api_tokens", "login_failures", "user_preferences")
"""Audited tables that no view shows: a login, a logout or a new token leaves every page's
data as it was."""


def view_version(session: Session) -> int:
    """A number that grows with every write a page can show: the newest audit record of a
    table other than the credentials' (:data:`CREDENTIAL_ENTITIES`).

    Like :func:`aurum.store.frames.data_version`, but a user logging in does not make every
    kept view out of date. Read from the newest record backwards (the primary key's order),
    so it costs one index step unless logins came after the last write.
    """
    newest = session.scalar(select(AuditRecord.id)
                            .where(AuditRecord.entity.not_in(CREDENTIAL_ENTITIES))
                            .order_by(AuditRecord.id.desc()).limit(1))
    return int(newest or 0)


def scope_key(session: Session, actor: Actor, *what: Hashable) -> tuple[Hashable, ...]:
    """The key of a view of what ``actor`` may read, valid until the next write of data.

    Parameters
    ----------
    session : Session
        Session of a request that reads (a write in progress would give a version that a
        rolled-back transaction could hand to another write).
    actor : Actor
        Caller; its scope (organisations and province) is part of the key.
    *what : hashable
        What is computed and its arguments.

    Returns
    -------
    tuple
        ``(*what, database, organisations, province, data version)``, the data version of
        :func:`view_version`.
    """
    return (*what, database_of(session), actor.org_ids, actor.province, view_version(session))


def nbytes(value: Any) -> int:
    """Estimated memory of a view model, bytes: arrays and frames by their buffers, dataclasses,
    mappings and sequences by their items, anything else by :func:`sys.getsizeof`."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, pd.DataFrame | pd.Series):
        return int(np.sum(value.memory_usage(index=True, deep=False)))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return sum(nbytes(k) + nbytes(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(nbytes(v) for v in value)
    return sys.getsizeof(value)


def cached(key: Hashable, compute: Callable[[], T], *, language_free: bool = False) -> T:
    """The value kept under ``key``, computed by ``compute()`` when it is not kept.

    Parameters
    ----------
    key : hashable
        What is computed and the data version it is computed from, e.g.
        ``("resource-site", database, site_id, statement_id, file_sha256)``.
    compute : callable
        Computes the value; an exception it raises is passed on and nothing is kept.
    language_free : bool
        The value holds no text a person reads (numbers and frames only), so one entry
        serves every language. Otherwise the language in force (:mod:`aurum.core.i18n`) is
        part of the key: a chart titled in Chinese is not served to an English reader.

    Returns
    -------
    The kept or newly computed value. Callers must treat it as read-only: every later
    caller of the same key receives the same object.
    """
    global _held_bytes
    if not language_free:
        key = (key, i18n.current())
    with _LOCK:
        if key in _ENTRIES:
            _ENTRIES.move_to_end(key)
            return _ENTRIES[key][0]
        flight = _IN_FLIGHT.setdefault(key, threading.Lock())
    # One computation per key: concurrent callers of the same key wait for the first one.
    with flight:
        with _LOCK:
            if key in _ENTRIES:
                return _ENTRIES[key][0]
        try:
            value = compute()
        except BaseException:
            # A refused computation must not leave its lock behind, or they would pile up.
            with _LOCK:
                _IN_FLIGHT.pop(key, None)
            raise
        size = nbytes(value)
        with _LOCK:
            _IN_FLIGHT.pop(key, None)
            if size <= MAX_BYTES:
                _ENTRIES[key] = (value, size)
                _held_bytes += size
                while len(_ENTRIES) > MAX_ENTRIES or _held_bytes > MAX_BYTES:
                    _, (_, dropped) = _ENTRIES.popitem(last=False)
                    _held_bytes -= dropped
    return value


def clear() -> None:
    """Forget every kept view model (tests, or after restoring a database)."""
    global _held_bytes
    with _LOCK:
        _ENTRIES.clear()
        _held_bytes = 0
