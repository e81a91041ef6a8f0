"""Derived results: what a page shows that costs more than a request may spend (a model's
variograms and cross-validation, a plant's accounts), computed once when its data changes and
kept with the version of the data it was computed from. A GET reads; it never computes.

A :class:`Derivation` names how one kind of result is computed from a *subject* (a model, a
plant: a string key) and what the subject's data version is now (a model file's SHA-256).
:func:`refresh` computes and stores it — at write time, in the writing service's transaction,
or in a ``derive`` job; :func:`read` gives the stored result of the subject's *current* version
(one indexed select, then kept decoded in :mod:`aurum.services.cache`), or None; a page that
finds None calls :func:`pending`, which queues the computation once (not once per request)
and tells how far it has got.

Rows are written with plain statements, like a job's progress: a derived result is not a
user's write (no audit record, which would also make every page's kept view out of date) and
can always be computed again from the data it names. Payloads are JSON — never a pickle, the
database must not be able to run code; :func:`encode_frame` and :func:`encode_array` give
frames and arrays an explicit JSON form for the derivations' own encoders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core.errors import ValidationError
from aurum.core.jsonsafe import finite
from aurum.services import cache, jobs
from aurum.services.auth import Actor, Role
from aurum.store.db import transaction
from aurum.store.models import DerivedResult, Job

T = TypeVar("T")

Progress = Callable[[float, str], None]
"""``report(fraction, message)``: share of a computation done (0–1) and what it is doing."""


@dataclass(frozen=True)
class Derivation(Generic[T]):
    """A kind of derived result.

    Parameters
    ----------
    kind : str
        Its name (at most 40 characters), e.g. ``resource-model-checks``.
    version : callable
        ``version(session, subject)``: the version of the subject's data now (at most 200
        characters), e.g. a file's SHA-256; a result of another version is out of date.
        Cheap: it runs on every read.
    compute : callable
        ``compute(session, home, subject, report)``: the result of the subject's current data
        as ``(version, payload)``, the payload JSON-ready (dicts, lists, str, numbers, None);
        ``report`` takes its progress (:data:`Progress`). ``home`` is the data directory.
    decode : callable
        ``decode(payload)``: the view object pages use, from a stored payload.
    owner : callable
        ``owner(session, actor, subject)``: the scope of the subject's data
        (:data:`aurum.services.jobs.Owner`), after checking that ``actor`` may read it
        (raising :class:`~aurum.core.errors.NotFoundError` as the subject's own service does).
    """

    kind: str
    version: Callable[[Session, str], str]
    compute: Callable[[Session, Path, str, Progress], tuple[str, Any]]
    decode: Callable[[Any], T]
    owner: Callable[[Session, Actor, str], jobs.Owner]


_DERIVATIONS: dict[str, Derivation[Any]] = {}


def register(derivation: Derivation[T]) -> Derivation[T]:
    """Make a derivation known (each service registers its own at import)."""
    _DERIVATIONS[derivation.kind] = derivation
    return derivation


def _known(kind: str) -> Derivation[Any]:
    """The derivation named ``kind`` (importing the services that define them: a worker
    process may not have imported them yet)."""
    from aurum.services import resources, vod  # noqa: F401  (their derivations)
    from aurum.services.processing import records  # noqa: F401
    from aurum.services.safety import facilities  # noqa: F401

    derivation = _DERIVATIONS.get(kind)
    if derivation is None:
        raise ValidationError(f"unknown kind of derived result {kind!r}; known: "
                              f"{', '.join(sorted(_DERIVATIONS))}")
    return derivation


class _Missing(Exception):
    """No stored result of the current version (nothing is kept in the cache for it)."""


def read(session: Session, home: Path, kind: Derivation[T], subject: str) -> T | None:
    """The stored result of ``subject``'s current data version, decoded; None when it is not
    stored (yet): then :func:`pending` tells the page what is being done about it.

    Parameters
    ----------
    session : Session
        A reading session (the caller has checked that its actor may read ``subject``).
    home : Path
        The data directory (part of the kept value's key, with the database).
    kind : Derivation
        What is read.
    subject : str
        Of what.
    """
    version = kind.version(session, subject)

    def stored() -> T:
        payload = session.scalar(select(DerivedResult.payload).where(
            DerivedResult.kind == kind.kind, DerivedResult.subject == subject,
            DerivedResult.version == version))
        if payload is None:
            raise _Missing
        return kind.decode(payload)

    try:
        # The version is in the key: a newer one is a new entry, the old one ages out.
        return cache.cached(("derived", cache.database_of(session), str(home), kind.kind,
                             subject, version), stored)
    except _Missing:
        return None


def _quiet(_fraction: float, _message: str) -> None:
    """The progress of a computation nobody follows."""


def refresh(session: Session, home: Path, kind: Derivation[T], subject: str,
            report: Progress = _quiet) -> T:
    """Compute ``subject``'s result from its current data and store it, superseding (and
    deleting) the subject's results of other versions.

    Called at write time in the writing service's transaction (stored, or not, with the data
    it derives from) and by the ``derive`` job. A result of the same version stored
    concurrently by another transaction is kept (it is the same result).

    Parameters
    ----------
    session, home, kind, subject
        As in :func:`read`.
    report : callable, optional
        Takes the progress (:data:`Progress`).

    Returns
    -------
    The result, decoded from the stored payload (what :func:`read` will give).
    """
    version, payload = kind.compute(session, home, subject, report)
    return kind.decode(store(session, kind, subject, version, payload))


def store(session: Session, kind: Derivation[Any], subject: str, version: str,
          payload: Any) -> Any:
    """Store a result computed by the caller (:func:`refresh`, or a writer that computes the
    results of many subjects at once), superseding the subject's results of other versions.

    Returns
    -------
    The payload as stored (NaN as null).
    """
    payload = finite(payload)  # JSON has no NaN: a missing figure is null
    session.execute(delete(DerivedResult).where(DerivedResult.kind == kind.kind,
                                                DerivedResult.subject == subject))
    try:
        with session.begin_nested():
            session.execute(insert(DerivedResult).values(
                kind=kind.kind, subject=subject, version=version, payload=payload,
                code_version=__version__, computed_at=datetime.now(UTC)))
    except IntegrityError:
        pass  # stored meanwhile by a concurrent refresh of the same version
    return payload


# --- computing a missing result as a job ----------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A derived result that is not stored yet, and the job computing it.

    Attributes
    ----------
    job_id : int
        The ``derive`` job (``GET /api/v1/jobs/{id}`` for its submitter).
    state : str
        ``queued``, ``running`` or ``failed`` (the page says why with ``message``).
    progress : float
        Share of the work done, 0–1.
    message : str
        What the job is doing, or why it failed.
    """

    job_id: int
    state: str
    progress: float
    message: str


DERIVE = "derive"
"""The kind of job that computes a missing derived result."""
LOST_AFTER = timedelta(hours=1)
"""A ``derive`` job queued or running for longer is taken as lost (its worker stopped with
it) and queued again: a page must not say "being computed" forever."""


def pending(session: Session, actor: Actor, queue: jobs.JobQueue, kind: Derivation[Any],
            subject: str) -> Pending:
    """The job computing ``subject``'s missing result: the one already queued, running or
    failed for its current version, else a new ``derive`` job queued now (once: the next
    request finds this one).

    Any reader of the subject may cause the job (an auditor too): it is the platform's
    bookkeeping, not the reader's write. A failed job is not queued again for the same
    version (it would fail again on every view); a new version of the data is a new try, and
    so is a job queued over :data:`LOST_AFTER` ago that has not finished.

    Raises
    ------
    NotFoundError
        ``actor`` may not read ``subject``.
    """
    params = {"kind": kind.kind, "subject": subject,
              "version": kind.version(session, subject)}
    lost = datetime.now(UTC) - LOST_AFTER
    job = session.scalar(
        select(Job).where(Job.kind == DERIVE,
                          (Job.state == "failed") | (Job.state.in_(("queued", "running"))
                                                     & (Job.created_at > lost)),
                          *(Job.params[k].as_string() == v for k, v in params.items()))
        .order_by(Job.id.desc()).limit(1))
    if job is not None:
        return Pending(job.id, job.state, job.progress, job.message)
    view = jobs.submit(session, actor, queue, DERIVE, params, roles=tuple(Role))
    return Pending(view.id, view.state, view.progress, view.message)


def _derive_owner(session: Session, actor: Actor, _home: Path, params: Mapping[str, Any]
                  ) -> jobs.Owner:
    return _known(str(params["kind"])).owner(session, actor, str(params["subject"]))


def _derive_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    kind = _known(str(params["kind"]))
    # The subject's current data, whatever version the job was queued for: the result of an
    # older one would be out of date as soon as it is stored.
    with transaction(context.platform.sessions) as session:
        refresh(session, context.home, kind, str(params["subject"]), context.report)
    return {"kind": kind.kind, "subject": params["subject"]}


DERIVE_JOB = jobs.register(jobs.JobKind(DERIVE, _derive_owner, _derive_job))
"""A missing derived result computed and stored: ``kind`` (a registered
:class:`Derivation`), ``subject`` and ``version`` (the data version it was missed for)."""


# --- explicit JSON forms of frames and arrays -----------------------------------------------


def encode_array(values: np.ndarray) -> list[Any]:
    """A numeric array as nested lists (NaN becomes null in the stored JSON)."""
    encoded: list[Any] = np.asarray(values).tolist()
    return encoded


def decode_array(encoded: list[Any], dtype: str = "float64") -> np.ndarray:
    """The array of :func:`encode_array` (null back to NaN for a float ``dtype``)."""
    if np.dtype(dtype).kind == "f":
        return np.array(encoded, dtype=object).astype(dtype)  # None -> nan
    return np.asarray(encoded, dtype=dtype)


def encode_frame(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame of numeric, boolean, time and text columns as JSON: its columns' names, dtypes
    and values (times as ISO 8601 text), and its index's values (a default range index is
    not stored)."""
    encoded: dict[str, Any] = {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "data": [[None if pd.isna(t) else t.isoformat() for t in frame[c]]
                 if pd.api.types.is_datetime64_any_dtype(frame[c]) else frame[c].tolist()
                 for c in frame.columns]}
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or \
            frame.index.step != 1:
        encoded["index"] = frame.index.tolist()
    return encoded


def decode_frame(encoded: Mapping[str, Any]) -> pd.DataFrame:
    """The frame of :func:`encode_frame`, with its columns' dtypes."""
    columns = {name: _column(values, dtype) for name, dtype, values in zip(
        encoded["columns"], encoded["dtypes"], encoded["data"], strict=True)}
    frame = pd.DataFrame(columns, columns=encoded["columns"])
    if "index" in encoded:
        frame.index = pd.Index(encoded["index"])
    return frame


def _column(values: list[Any], dtype: str) -> Any:
    """A stored column: numbers and booleans as arrays of their dtype, times as times of
    their zone, text as it was stored (pandas infers its dtype)."""
    if dtype.startswith("datetime64"):
        times = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
        zone = getattr(pd.api.types.pandas_dtype(dtype), "tz", None)
        return times.dt.tz_localize(None) if zone is None else times.dt.tz_convert(zone)
    try:
        numeric = np.dtype(dtype).kind in "fiub"
    except TypeError:  # a pandas dtype (str, category)
        numeric = False
    return decode_array(values, dtype) if numeric else values
