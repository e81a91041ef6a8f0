"""Background jobs: long work off the request, with progress and cancellation.

A pit study, an estimation or a prospectivity study can take from seconds to many minutes; a
request that waits for it holds a server worker and shows the user nothing. Such work is
submitted as a *job*: :func:`submit` checks that the caller may touch the data (the same rule
as the synchronous service), records the job and queues it; a worker runs it, writing its
progress as it goes; :func:`status` reads it; :func:`cancel` asks it to stop.

The queue is `Huey <https://huey.readthedocs.io>`_'s: by default its SQLite storage in the
data directory (``jobs.sqlite3``: nothing to install or run), in production Redis
(``AURUM_JOBS_URL=redis://HOST:6379/0``). The server runs ``AURUM_JOBS_WORKERS`` worker
threads itself (default 1; 0 for none, when ``aurum jobs worker`` processes run elsewhere).

What a user sees of a job is a row of ``jobs`` in the platform's database, not Huey's message:
it outlives the queue, is read with the same scope rule as the data the job touches (another
enterprise's job is "not found"), and is written by the worker with plain statements (progress
is bookkeeping: no audit record per step). Cancellation is cooperative: the work's progress
callback raises :class:`Cancelled` at its next step once the user asked; a queued job is
cancelled at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import AurumError, NotFoundError, PermissionDenied, ValidationError
from aurum.core.i18n import lazy_gettext
from aurum.core.jsonsafe import finite
from aurum.services.auth import Actor, Role, actor_for
from aurum.services.platform import Platform
from aurum.store import files
from aurum.store.db import transaction
from aurum.store.models import Job, User

LOG = logging.getLogger("aurum.jobs")

def stored_text(message: Any) -> str:
    """A message made by :func:`aurum.core.i18n.lazy_gettext`, in the platform's language
    (:func:`aurum.core.i18n.default_locale`): a job's message is stored once and read by
    whoever follows the job, in a request or not."""
    with i18n.using(i18n.default_locale()):
        return str(message)


State = Literal["queued", "running", "done", "failed", "cancelled"]
FINISHED: frozenset[str] = frozenset({"done", "failed", "cancelled"})
"""States a job does not leave."""
PROGRESS_EVERY_S = 0.5
"""Progress is written at most this often (s): a kernel may report thousands of steps."""
JOB_ROLES = (Role.ADMIN, Role.ENTERPRISE, Role.REGULATOR)
"""Who may submit jobs: auditors write nothing, not even a job's bookkeeping."""
LIST_LIMIT = 50
"""Jobs listed at most (the newest)."""


class Cancelled(AurumError):
    """The job's user asked it to stop; raised from its progress callback."""


Owner = tuple[int | None, str | None]
"""The scope of the data a job touches: organisation id and province."""


@dataclass(frozen=True)
class JobKind:
    """A kind of job.

    Parameters
    ----------
    name : str
        The ``kind`` the API takes (``pit_study``).
    owner : callable
        ``owner(session, actor, home, params)``: checks that ``actor`` may run the job on the
        data ``params`` name, raising :class:`NotFoundError` or :class:`PermissionDenied` as
        the synchronous service would, and returns the data's :data:`Owner` (``home``, the
        data directory, holds the job's input files).
    run : callable
        ``run(context, params)``: does the work and returns its result, a JSON-ready mapping
        (with ``url``, the page that shows it, where there is one).
    """

    name: str
    owner: Callable[[Session, Actor, Path, Mapping[str, Any]], Owner]
    run: Callable[[JobContext, Mapping[str, Any]], dict[str, Any]]


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Make a kind of job known (each service registers its own at import)."""
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, JobKind]:
    """The kinds of job, by name (importing the services that define them)."""
    from aurum.services import (  # noqa: F401  (their kinds)
        derived,
        drillholes,
        planning,
        prospect,
        reporting,
        resources,
        structure,
        underground,
    )

    return dict(_KINDS)


@dataclass(frozen=True)
class JobView:
    """What a user sees of a job."""

    id: int
    kind: str
    state: str
    progress: float
    message: str
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``GET /api/v1/jobs/{id}``."""
        return {"id": self.id, "kind": self.kind, "state": self.state,
                "progress": self.progress, "message": self.message, "result": self.result,
                "created_at": self.created_at, "started_at": self.started_at,
                "finished_at": self.finished_at}


def _view(job: Job) -> JobView:
    return JobView(job.id, job.kind, job.state, job.progress, job.message, job.result,
                   job.created_at, job.started_at, job.finished_at)


# --- the queue ------------------------------------------------------------------------------


def make_huey(url: str | None, home: Path, name: str = "aurum") -> Huey:
    """The Huey instance of a queue URL.

    Parameters
    ----------
    url : str, optional
        ``redis://HOST:PORT/DB`` for Redis, ``sqlite:///PATH`` for a SQLite file; default
        ``home/jobs.sqlite3``.
    home : Path
        The data directory.
    name : str
        The queue's name (its keys in Redis): tests give each run its own.
    """
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    path = url.removeprefix("sqlite:///") if url else str(home / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


class JobQueue:
    """The queue of a platform: submits jobs and runs them (in a consumer).

    Parameters
    ----------
    platform : Platform
        Where the jobs' rows and their data live.
    url : str, optional
        Queue URL (:func:`make_huey`); default ``platform.settings.jobs_url``.
    name : str
        Queue name.
    """

    def __init__(self, platform: Platform, url: str | None = None, name: str = "aurum"):
        self.platform = platform
        self.url = url or platform.settings.jobs_url
        self.name = name
        self._huey: Huey | None = None
        self._task: Any = None
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        """The queue's Huey, made at first use (a server that never queues a job opens no
        queue)."""
        with self._lock:
            if self._huey is None:
                self._huey = make_huey(self.url, self.platform.settings.home, self.name)
                self._task = self._huey.task(name="aurum.job")(self.execute)
            return self._huey

    def enqueue(self, job_id: int) -> None:
        """Put a recorded job on the queue (after its row is committed)."""
        self.huey  # noqa: B018  (makes the queue and its task)
        self._task(job_id)

    def execute(self, job_id: int) -> None:
        """Run job ``job_id`` (called by a worker): its state, progress and result are
        written to its row; an error fails the job, it never escapes to the worker."""
        with transaction(self.platform.sessions) as session:
            started = session.execute(
                update(Job).where(Job.id == job_id, Job.state == "queued")
                .values(state="running", started_at=datetime.now(UTC),
                        message=stored_text(lazy_gettext("started")))
                .returning(Job.id)).first() is not None
            job = session.get(Job, job_id)
            if not started or job is None:  # cancelled while queued, or run already
                return
            kind, params, user_id = job.kind, dict(job.params), job.user_id
        context = JobContext(self.platform, job_id, user_id)
        try:
            result = _kinds_or_fail(kind).run(context, params)
        except Cancelled:
            context.finish("cancelled", stored_text(lazy_gettext("cancelled by the user")))
        except ValidationError as exc:
            context.finish("failed", str(exc), {"problems": [p.as_dict() for p in exc.problems]})
        except AurumError as exc:
            context.finish("failed", str(exc))
        except Exception:
            LOG.exception("job %s (%s) failed", job_id, kind)
            context.finish("failed", stored_text(lazy_gettext(
                "the job failed on the server (the error is logged)")))
        else:
            try:
                context.finish("done", stored_text(lazy_gettext("done")), _json_ready(result))
            except Exception:  # a result the store refuses must not leave the job running
                LOG.exception("job %s (%s): its result could not be stored", job_id, kind)
                context.finish("failed", stored_text(lazy_gettext(
                    "the job's result could not be stored (logged)")))

    @contextmanager
    def running(self, workers: int = 1) -> Iterator[Consumer]:
        """A consumer of this queue in threads of this process, stopped on exit.

        Parameters
        ----------
        workers : int
            Worker threads (jobs run at once).
        """
        consumer = _ThreadConsumer(self.huey, workers=workers, periodic=False,
                                   initial_delay=0.05, max_delay=0.5, check_worker_health=False)
        consumer.start()
        try:
            yield consumer
        finally:
            consumer.stop(graceful=True)


class _ThreadConsumer(Consumer):
    """Huey's consumer in threads of a process it does not own (the server, a test): the
    process's signals stay its own."""

    def _set_signal_handlers(self) -> None:
        pass


def _json_ready(result: Mapping[str, Any]) -> dict[str, Any]:
    """A result as its JSON column keeps it: dates as ISO text, NaN and infinities null."""
    def text(value: Any) -> str:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)

    ready: dict[str, Any] = json.loads(json.dumps(finite(dict(result)), default=text))
    return ready


def _kinds_or_fail(name: str) -> JobKind:
    kind = kinds().get(name)
    if kind is None:
        raise ValidationError(i18n.gettext("unknown kind of job %(kind)r; known: %(known)s",
                                           kind=name, known=", ".join(sorted(kinds()))))
    return kind


# --- the worker's side ----------------------------------------------------------------------


class JobContext:
    """What a job's work gets: its user, a session, and a progress callback that also carries
    the user's cancellation.

    Parameters
    ----------
    platform : Platform
        The platform.
    job_id : int
        The job.
    user_id : int
        Who submitted it (the work runs in that user's scope).
    """

    def __init__(self, platform: Platform, job_id: int, user_id: int):
        self.platform = platform
        self.job_id = job_id
        self.user_id = user_id
        self._last = 0.0
        self._lock = threading.Lock()

    @property
    def home(self) -> Path:
        """The data directory."""
        return self.platform.settings.home

    @contextmanager
    def session(self) -> Iterator[tuple[Session, Actor]]:
        """A transaction in the submitting user's scope, as it is now (a user deactivated
        since the job was queued may no longer run it)."""
        with transaction(self.platform.sessions, user_id=self.user_id) as session:
            user = session.get(User, self.user_id)
            if user is None or not user.is_active:
                raise PermissionDenied(i18n.gettext(
                    "the user who submitted the job can no longer sign in"))
            yield session, actor_for(session, user)

    def report(self, fraction: float, message: str, now: bool = False) -> None:
        """Record progress (``fraction`` of the work done, 0–1) and stop if asked.

        Parameters
        ----------
        now : bool
            Record it and read the user's cancel even if the last report was less than
            :data:`PROGRESS_EVERY_S` ago (before a step that cannot be stopped).

        Raises
        ------
        Cancelled
            The user cancelled the job.
        """
        moment = time.monotonic()
        with self._lock:
            if moment - self._last < PROGRESS_EVERY_S and fraction < 1.0 and not now:
                return
            self._last = moment
        with transaction(self.platform.sessions) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(
                progress=min(max(fraction, 0.0), 1.0), message=message[:500]))
            asked = session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
        if asked:
            raise Cancelled("cancelled by the user")

    def steps(self, message: str, start: float = 0.0, end: float = 1.0
              ) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback, as the domain functions take, reporting
        between ``start`` and ``end`` of the whole job."""
        def progress(done: int, total: int) -> None:
            share = done / total if total else 0.0
            self.report(start + (end - start) * share, f"{message} ({done}/{total})")
        return progress

    def finish(self, state: State, message: str, result: dict[str, Any] | None = None) -> None:
        """Record the job's end."""
        with transaction(self.platform.sessions) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(
                state=state, message=message[:500], result=result,
                progress=1.0 if state == "done" else Job.progress,
                finished_at=datetime.now(UTC)))


# --- the user's side ------------------------------------------------------------------------


INPUTS = "job-inputs"
"""Folder of the data directory keeping the files jobs read (content-addressed)."""
INPUTS_KEPT_S = 7 * 86400
"""How long a job's input file is kept after it was last sent, s: the folder stays bounded
by what users sent in a week."""


def put_input(actor: Actor, home: Path, data: bytes) -> str:
    """Keep a file a job will read (composites, a raster) and give its SHA-256 digest, the
    name a job's parameters use for it. The caller bounds its size.

    Raises
    ------
    PermissionDenied
        A role that runs no jobs.
    """
    actor.require_role(*JOB_ROLES)
    folder = home / INPUTS
    path = files.put_bytes(folder, data)
    path.touch()  # sent again: kept a week from now
    cutoff = time.time() - INPUTS_KEPT_S
    for old in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):  # removed by a concurrent sender
            if old.stat().st_mtime < cutoff:
                old.unlink()
    return path.name


def read_input(home: Path, digest: str) -> bytes:
    """The content of a job's input file.

    Raises
    ------
    ValidationError
        Not a digest, or no file kept under it (uploaded to another server, or removed).
    """
    try:
        return files.read_bytes(home / INPUTS, digest)
    except NotFoundError as exc:
        raise ValidationError(i18n.gettext("no input file %(digest)s… is kept: upload it again",
                                           digest=digest[:16])) from exc


def may_submit(actor: Actor) -> bool:
    """Whether ``actor``'s role runs jobs (pages offer a job's form only then)."""
    return actor.role in JOB_ROLES


def submit(session: Session, actor: Actor, queue: JobQueue, kind: str,
           params: Mapping[str, Any], roles: tuple[Role, ...] = JOB_ROLES) -> JobView:
    """Record a job and queue it once the caller's transaction commits.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`.
    params : mapping
        The kind's parameters (already validated by the boundary's types).
    roles : tuple of Role
        Who may cause it: a user's job by default; any reader for the platform's own work
        that a page view finds missing (:func:`aurum.services.derived.pending`).

    Raises
    ------
    PermissionDenied
        An auditor (who writes nothing), or data the caller may not write.
    NotFoundError
        Data the caller may not read (as for another enterprise's model).
    ValidationError
        An unknown kind.
    """
    actor.require_role(*roles)
    spec = _kinds_or_fail(kind)
    org_id, province = spec.owner(session, actor, queue.platform.settings.home, params)
    job = Job(kind=kind, params=dict(params), state="queued", progress=0.0,
              message=stored_text(lazy_gettext("waiting for a worker")),
              user_id=actor.user_id, org_id=org_id,
              province=province, cancel_requested=False)
    session.add(job)
    session.flush()
    job_id = job.id

    # Queued only when the row is committed: a worker never looks for a job that is not
    # there yet, and a request that fails afterwards queues nothing.
    @event.listens_for(session, "after_commit", once=True)
    def _queue(_session: Session) -> None:
        try:
            queue.enqueue(job_id)
        except Exception:
            LOG.exception("job %s could not be queued", job_id)
            with transaction(queue.platform.sessions) as s:
                s.execute(update(Job).where(Job.id == job_id).values(
                    state="failed", message=stored_text(lazy_gettext(
                        "the job queue is unavailable; try again later")),
                    finished_at=datetime.now(UTC)))

    return _view(job)


def _visible(session: Session, actor: Actor, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or not (
            (job.user_id == actor.user_id or actor.role is Role.ADMIN)
            and actor.can_read_owner(job.org_id, job.province)):
        raise NotFoundError(i18n.gettext("no job %(id)s", id=job_id))
    return job


def status(session: Session, actor: Actor, job_id: int) -> JobView:
    """A job as its submitter (or an administrator) sees it.

    Raises
    ------
    NotFoundError
        No such job, or another user's (the same answer, so as not to reveal it).
    """
    return _view(_visible(session, actor, job_id))


def cancel(session: Session, actor: Actor, job_id: int) -> JobView:
    """Ask a job to stop: a queued job is cancelled at once, a running one at its next
    progress step; a finished job stays as it is.

    Raises
    ------
    NotFoundError
        As :func:`status`.
    """
    job = _visible(session, actor, job_id)
    if job.state in FINISHED:
        return _view(job)
    session.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
        state="cancelled", message=stored_text(lazy_gettext("cancelled before it started")),
        finished_at=datetime.now(UTC)))
    session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    session.refresh(job)
    return _view(job)


def recent(session: Session, actor: Actor, limit: int = LIST_LIMIT) -> list[JobView]:
    """The caller's jobs (an administrator's: everybody's), newest first."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if actor.role is not Role.ADMIN:
        query = query.where(Job.user_id == actor.user_id)
    return [_view(j) for j in session.scalars(query)
            if actor.can_read_owner(j.org_id, j.province)]


def page_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The jobs page's table: the caller's latest jobs (:func:`recent`) with their run time
    (s; so far, for a running job) and the page of their result."""
    now = datetime.now(UTC)
    rows = []
    for job in recent(session, actor):
        started = _aware(job.started_at)
        ended = _aware(job.finished_at) or now
        rows.append(job.as_dict() | {
            "seconds": None if started is None else round((ended - started).total_seconds(), 1),
            "url": (job.result or {}).get("url") if job.state == "done" else None,
            "active": job.state not in FINISHED})
    return rows


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives back naive times: they were written in UTC.
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def wait(session_factory: Callable[[], Session], job_id: int, timeout_s: float = 60.0,
         poll_s: float = 0.1) -> JobView:
    """Wait until a job has finished (for the command line and tests).

    Raises
    ------
    TimeoutError
        The job did not finish within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        with session_factory() as session:
            job = session.get(Job, job_id)
            if job is not None and job.state in FINISHED:
                return _view(job)
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} did not finish within {timeout_s} s")
        time.sleep(poll_s)
