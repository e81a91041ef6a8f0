"""Statistical reports: submission, amendment, bulk upload, history and the current figures.

An upload is all or nothing: every row is parsed and checked (cells, cross-field rules, known
site within the uploader's scope, a period that has ended, no duplicate or overlapping period)
before anything is written, then everything is written in one transaction. An amendment is a
new version with a reason; the earlier versions stay readable.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import pandas as pd
from babel.support import LazyProxy
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from aurum.core import checks
from aurum.core.config import report_review
from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _, lazy_gettext
from aurum.core.periods import Period
from aurum.core.tables import read_table, safe_filename
from aurum.industry import reporting, review
from aurum.industry.registry import site_type
from aurum.industry.reporting import (
    WASTE_MEASURES,
    WASTE_TYPES,
    ReportField,
    ReportRow,
    waste_column,
)
from aurum.industry.reporting import due_date as due_date  # the pages' and API's due dates
from aurum.resources.gbt17766 import CATEGORIES, category_label
from aurum.services import jobs
from aurum.services.auth import Actor, Role
from aurum.store import audit, bulk
from aurum.store.frames import frame_of
from aurum.store.models import (
    Base,
    Organisation,
    Report,
    ReportReview,
    ReportVersion,
    ReportWaste,
    Site,
    Upload,
    utcnow,
)


def _category_field(code: str) -> str:
    return _("%(category)s: contained gold at period end", category=category_label(code))


FIELDS: tuple[ReportField, ...] = tuple(
    replace(f, label=LazyProxy(_category_field, code, enable_cache=False))
    if (code := f.name.split("_")[1]) in CATEGORIES and f.group == "resources" else f
    for f in reporting.FIELDS)
"""The report form's fields, in order (:data:`aurum.industry.reporting.FIELDS`), a resource or
reserve field labelled by its GB/T 17766-2020 category with the CRIRSCO name beside
(:func:`aurum.resources.gbt17766.category_label`): the industry domain cannot import the
resource domain's names."""


@dataclass(frozen=True)
class ImportResult:
    """Outcome of an accepted upload."""

    upload_id: int
    created: int
    amended: int


# ---------------------------------------------------------------------------------------------
# Conversions between the flat field dictionary and the stored rows


# ReportWaste's value columns are named after the measures.
_WASTE_CELLS = {wtype: [(m, waste_column(wtype, m)) for m in WASTE_MEASURES]
                for wtype in WASTE_TYPES}


def _waste_rows(values: Mapping[str, float | None]) -> list[dict[str, Any]]:
    rows = []
    for wtype, cells_of in _WASTE_CELLS.items():
        cells = {m: values.get(column) for m, column in cells_of}
        if any(v is not None for v in cells.values()):
            rows.append({"waste_type": wtype, **cells})
    return rows


def version_values(version: ReportVersion) -> dict[str, float | None]:
    """The flat field dictionary of a stored version (inverse of the storage split)."""
    values: dict[str, float | None] = {n: getattr(version, n) for n in reporting.SCALAR_FIELDS}
    for wtype in WASTE_TYPES:
        for m in WASTE_MEASURES:
            values[waste_column(wtype, m)] = None
    for w in version.waste:
        for m in WASTE_MEASURES:
            values[waste_column(w.waste_type, m)] = getattr(w, m)
    return values


# ---------------------------------------------------------------------------------------------
# Checks against the store


def _sites_by_code(session: Session, codes: Iterable[str]) -> dict[str, Site]:
    codes = list(set(codes))
    found: dict[str, Site] = {}
    for i in range(0, len(codes), 900):  # stay under SQLite's bound-parameter limit
        chunk = codes[i:i + 900]
        found.update((s.code, s) for s in session.scalars(select(Site).where(
            Site.code.in_(chunk))))
    return found


def _existing_periods(session: Session, site_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """site id -> {period label: report id} for the given sites."""
    ids = list(set(site_ids))
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    for i in range(0, len(ids), 900):
        for rid, sid, label in session.execute(select(Report.id, Report.site_id, Report.period)
                                               .where(Report.site_id.in_(ids[i:i + 900]))):
            out[sid][label] = rid
    return out


_period = lru_cache(maxsize=4096)(Period.parse)


def _overlap(period: Period, same_year: Iterable[Period]) -> str | None:
    """A period of the same site and year that overlaps ``period`` with another length."""
    months = set(period.months)
    for other in same_year:
        if other.kind != period.kind and months.intersection(other.months):
            return other.label
    return None


class _Refused(ValidationError):
    """Rows refused by :func:`_check_rows`, with what kind of refusal each problem is
    (``unknown`` site, ``forbidden`` site, ``duplicate`` period, else ``""``): a single
    submission maps these to HTTP codes whatever the language of the messages."""

    def __init__(self, problems: list[Problem], kinds: list[str]):
        super().__init__(problems)
        self.kinds = kinds[:len(self.problems)]


def _check_rows(session: Session, actor: Actor, rows: Sequence[ReportRow],
                source: str | None, days: Sequence[date]
                ) -> tuple[dict[str, Site], dict[int, dict[str, int]]]:
    """Check rows against the store and the calendar; ``days`` is each row's submission day."""
    sites = _sites_by_code(session, (r.site for r in rows))
    existing = _existing_periods(session, (s.id for s in sites.values()))
    # Periods per site and year, stored and earlier in the file: the overlap check looks at
    # one site-year (at most 12 periods), not at the site's whole history.
    by_year: dict[tuple[int, int], list[Period]] = {}
    for sid, labels in existing.items():
        for label in labels:
            p = _period(label)
            by_year.setdefault((sid, p.year), []).append(p)
    problems: list[Problem] = []
    kinds: list[str] = []

    def add(problem: Problem, kind: str = "") -> None:
        problems.append(problem)
        kinds.append(kind)

    for r, day in zip(rows, days, strict=True):
        for problem in reporting.check_period_ended(r.period, day, r.row, source):
            add(problem)
        site = sites.get(r.site)
        if site is None or not actor.can_read_site(site):
            add(Problem(_("unknown site %(site)s: not in the registry", site=repr(r.site)),
                        r.row, "site", source), "unknown")
            continue
        if not actor.can_write_site(site):
            add(Problem(_("you may not report for site %(site)s (role %(role)s)",
                          site=repr(r.site), role=actor.role.value), r.row, "site", source),
                "forbidden")
            continue
        stored = existing[site.id]
        label = r.period.label
        if label in stored and not r.amendment_reason:
            add(Problem(_("duplicate period: %(site)s %(period)s is already reported; to change "
                          "it, give an amendment_reason", site=r.site, period=label),
                        r.row, "period", source), "duplicate")
        elif label not in stored and r.amendment_reason:
            add(Problem(_("nothing to amend: %(site)s %(period)s has no stored report",
                          site=r.site, period=label), r.row, "amendment_reason", source))
        same_year = by_year.setdefault((site.id, r.period.year), [])
        clash = _overlap(r.period, same_year)
        if clash:
            add(Problem(_("period %(period)s overlaps %(other)s of the same site; report a year "
                          "in one period length only", period=label, other=clash),
                        r.row, "period", source))
        if label not in stored:
            same_year.append(r.period)
    if problems:
        raise _Refused(problems, kinds)
    return sites, existing


# ---------------------------------------------------------------------------------------------
# Writes


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _write_versions(session: Session, actor: Actor, rows: Sequence[ReportRow],
                    sites: Mapping[str, Site], existing: Mapping[int, Mapping[str, int]],
                    upload_id: int | None, submitted_at: Sequence[datetime] | None = None,
                    resource_statement_id: int | None = None) -> list[int]:
    """Insert reports (where new), versions and waste rows; return the version ids."""
    # Bulk inserts on the session's connection (COPY on PostgreSQL, one executemany on
    # SQLite) with ids drawn beforehand: these rows need none of the ORM's bookkeeping, and
    # knowing the ids up front spares the RETURNING that long multi-row statements pay for.
    keys = [(sites[r.site].id, r.period.label) for r in rows]
    new_keys = [(sid, r.period) for (sid, label), r in zip(keys, rows, strict=True)
                if label not in existing[sid]]
    report_ids: dict[tuple[int, str], int] = {
        (sid, label): rid for sid, periods in existing.items() for label, rid in periods.items()}
    if new_keys:
        ids = bulk.new_ids(session, _table(Report), len(new_keys))
        bulk.insert_columns(session, _table(Report), {
            "id": ids, "site_id": [sid for sid, _ in new_keys],
            "period": [p.label for _, p in new_keys],
            "period_kind": [p.kind.value for _, p in new_keys],
            "year": [p.year for _, p in new_keys], "period_index": [p.index for _, p in new_keys],
            "created_at": utcnow()}, len(new_keys))
        report_ids.update(((sid, p.label), rid) for (sid, p), rid in zip(new_keys, ids,
                                                                        strict=True))
    rids = [report_ids[key] for key in keys]
    amended_ids = [rid for rid, r in zip(rids, rows, strict=True) if r.amendment_reason]
    last_version: dict[int, int] = {}
    if amended_ids:
        # Result objects have keys(), so dict() would read them as a mapping.
        last_version = {rid: v for rid, v in session.execute(
            select(ReportVersion.report_id, func.max(ReportVersion.version))
            .where(ReportVersion.report_id.in_(amended_ids))
            .group_by(ReportVersion.report_id))}
    version_ids = bulk.new_ids(session, _table(ReportVersion), len(rows))
    numbers = [last_version.get(rid, 0) + 1 for rid in rids]
    at = list(submitted_at) if submitted_at else utcnow()
    bulk.insert_columns(session, _table(ReportVersion), {
        "id": version_ids, "report_id": rids, "version": numbers, "submitted_at": at,
        "submitted_by": actor.user_id or None, "reason": [r.amendment_reason for r in rows],
        "upload_id": upload_id, "resource_statement_id": resource_statement_id,
        **{name: [r.values.get(name) for r in rows] for name in reporting.SCALAR_FIELDS}},
        len(rows))
    waste = [(vid, w) for vid, r in zip(version_ids, rows, strict=True)
             for w in _waste_rows(r.values)]
    bulk.insert_columns(session, _table(ReportWaste), {
        "version_id": [vid for vid, _ in waste],
        **{name: [w[name] for _, w in waste] for name in ("waste_type", *WASTE_MEASURES)}},
        len(waste))
    # Each version enters the review (aurum.industry.review): a first one submitted, a later
    # one an amendment, from any stored state (the declared transitions allow it).
    bulk.insert_columns(session, _table(ReportReview), {
        "report_id": rids, "version": numbers,
        "state": [review.version_state(n).value for n in numbers],
        "actor_id": actor.user_id or None, "at": at}, len(rows))
    return version_ids


IMPORT_STAGES = (lazy_gettext("reading the file"), lazy_gettext("checking the cells"),
                 lazy_gettext("checking against the register"), lazy_gettext("writing"))
"""The stages of an import, reported as ``progress(stage, len(IMPORT_STAGES))`` when each
begins: nothing is written before the last, so stopping at any of them stores nothing."""


def import_rows(session: Session, actor: Actor, rows: Sequence[ReportRow], filename: str,
                submitted_at: Sequence[datetime] | None = None,
                today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Check parsed rows against the store and write them in the caller's transaction.

    Parameters
    ----------
    session : Session
        Open session inside a transaction (rolled back by the caller on error).
    actor : Actor
        Uploader; every site must be writable by it.
    rows : sequence of ReportRow
        Parsed, cell-valid rows (:func:`aurum.industry.reporting.parse_table`).
    filename : str
        Name recorded with the upload and used in messages.
    submitted_at : sequence of datetime, optional
        Submission time per row, time-zone aware (the demo back-dates its history); default
        now. Each row's period must have ended before the day it is submitted.
    today : date, optional
        Day of the submission in the reporting calendar when ``submitted_at`` is not given;
        :func:`aurum.industry.reporting.reporting_day` by default.
    progress : callable, optional
        Called as ``progress(stage, len(IMPORT_STAGES))`` as the checks against the store and
        then the writes begin; it may raise to stop the import (a cancelled job), which the
        caller's rollback then leaves unwritten.

    Raises
    ------
    ValidationError
        Unknown or foreign site, period not ended, duplicate or overlapping period, nothing to
        amend.
    """
    report = progress or (lambda _stage, _stages: None)
    days = ([reporting.reporting_day(t) for t in submitted_at] if submitted_at
            else [today or reporting.reporting_day()] * len(rows))
    report(2, len(IMPORT_STAGES))
    sites, existing = _check_rows(session, actor, rows, filename, days)
    report(3, len(IMPORT_STAGES))
    orgs = {s.org_id for s in sites.values()}
    upload = Upload(user_id=actor.user_id or None, org_id=orgs.pop() if len(orgs) == 1 else None,
                    filename=filename, status="accepted", n_rows=len(rows), problems=[])
    session.add(upload)
    session.flush()
    _write_versions(session, actor, rows, sites, existing, upload.id, submitted_at)
    amended = sum(1 for r in rows if r.amendment_reason)
    created = len(rows) - amended
    audit.record(session, "import", "report_versions", str(upload.id), None,
                 {"filename": filename, "rows": len(rows), "created": created,
                  "amended": amended, "sites": sorted(sites)})
    return ImportResult(upload.id, created, amended)


def import_file(session: Session, actor: Actor, data: bytes, filename: str,
                today: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Validate and store an uploaded CSV or Excel file, all or nothing.

    Parameters
    ----------
    session : Session
        Open session inside a transaction.
    actor : Actor
        Uploader.
    data : bytes
        File content.
    filename : str
        ``.csv`` or ``.xlsx`` name.
    today : date, optional
        Day of the upload in the reporting calendar; today by default.
    progress : callable, optional
        Called as ``progress(stage, len(IMPORT_STAGES))`` as each of :data:`IMPORT_STAGES`
        begins; it may raise to stop the import before anything is written.
    """
    report = progress or (lambda _stage, _stages: None)
    report(0, len(IMPORT_STAGES))
    frame = read_table(data, filename)
    report(1, len(IMPORT_STAGES))
    rows = reporting.parse_table(frame, filename)
    return import_rows(session, actor, rows, filename, today=today, progress=progress)


# --- a large file imported as a job -----------------------------------------------------------


def _import_job_owner(_session: Session, actor: Actor, home: Path, params: Mapping[str, Any]
                      ) -> jobs.Owner:
    """Who files reports imports them, in its own scope (each row's site is checked as the
    import runs, as for an upload)."""
    if not files_reports(actor):
        raise PermissionDenied(_("%(user)s files no statistical reports (role %(role)s)",
                                 user=actor.username, role=actor.role.value))
    jobs.read_input(home, params["file"]["digest"])  # the file is there before the job queues
    return (None if actor.org_ids is None else min(actor.org_ids)), actor.province


def _import_job(context: jobs.JobContext, params: Mapping[str, Any]) -> dict[str, Any]:
    name = safe_filename(params["file"]["name"], "upload.csv")
    data = jobs.read_input(context.home, params["file"]["digest"])

    def stage(done: int, total: int) -> None:
        # Each stage is reported however soon it follows the last: the one before the writes
        # is the last chance to stop, and must read the user's cancel.
        context.report(done / total, str(IMPORT_STAGES[done]), now=True)

    # One transaction: a cancel or a refused row before the writes leaves nothing stored.
    with context.session() as (session, actor):
        result = import_file(session, actor, data, name, progress=stage)
    return {"upload_id": result.upload_id, "created": result.created,
            "amended": result.amended, "filename": name, "url": "/reports",
            "summary": _("Stored: %(created)s new report(s), %(amended)s amendment(s) (upload "
                         "%(upload)s).", created=result.created, amended=result.amended,
                         upload=result.upload_id)}


REPORT_IMPORT_JOB = jobs.register(jobs.JobKind("report_import", _import_job_owner, _import_job))
"""A file of statistical reports imported as :func:`import_file` does, all or nothing, with its
progress per stage (:data:`IMPORT_STAGES`) and cancellable until its writes begin: ``file``,
kept by :func:`aurum.services.jobs.put_input`, as ``{"digest", "name"}``. The reports page
sends a file larger than :data:`~aurum.core.checks.INLINE_REPORT_IMPORT_BYTES` this way."""


def import_or_queue(session: Session, actor: Actor, queue: jobs.JobQueue, data: bytes,
                    filename: str) -> ImportResult | jobs.JobView:
    """An upload imported within the request (:func:`import_file`), or, when larger than
    :data:`~aurum.core.checks.INLINE_REPORT_IMPORT_BYTES`, kept and imported by a job
    (:data:`REPORT_IMPORT_JOB`) queued when the caller's transaction commits.

    Raises
    ------
    PermissionDenied
        A role that files no reports.
    ValidationError
        As :func:`import_file`, for a file imported at once.
    """
    if len(data) <= checks.INLINE_REPORT_IMPORT_BYTES:
        return import_file(session, actor, data, filename)
    if not files_reports(actor):  # before the file is kept
        raise PermissionDenied(_("%(user)s files no statistical reports", user=actor.username))
    digest = jobs.put_input(actor, queue.platform.settings.home, data)
    return jobs.submit(session, actor, queue, REPORT_IMPORT_JOB.name,
                       {"file": {"digest": digest, "name": filename}})


def submit(session: Session, actor: Actor, site_code: str, period: str,
           values: Mapping[str, object], reason: str | None = None,
           resource_statement_id: int | None = None,
           today: date | None = None) -> ReportVersion:
    """Submit one report (web form or API); with ``reason``, amend the stored one.

    Parameters
    ----------
    values : mapping
        Field name to number (or numeric text) in the field's unit; missing = not reported.
    resource_statement_id : int, optional
        The resource statement the figures come from (provenance).
    today : date, optional
        Day of the submission in the reporting calendar; today by default. The period must
        have ended before it.

    Raises
    ------
    ValidationError
        Bad field or cell, a period that has not ended, a period overlapping a stored one.
    NotFoundError
        Unknown site, or one the actor may not read.
    PermissionDenied
        A site the actor may read but not report for.
    ConflictError
        The period is already reported and no ``reason`` is given.
    """
    problems: list[Problem] = []
    unknown = [k for k in values if k not in reporting.FIELD_BY_NAME]
    problems += [Problem(_("unknown field"), column=k) for k in unknown]
    try:
        parsed_period = Period.parse(period)
    except ValueError as exc:
        problems.append(Problem(str(exc), column="period"))
    parsed, cell_problems = reporting.parse_values(
        {k: v for k, v in values.items() if v is not None and v != ""})
    problems += cell_problems
    if problems:
        raise ValidationError(problems)
    row = ReportRow(1, site_code, parsed_period, parsed, (reason or "").strip() or None)
    try:
        sites, existing = _check_rows(session, actor, [row], None,
                                      [today or reporting.reporting_day()])
    except _Refused as exc:
        # A single submission maps these to the HTTP codes a client expects; the scope comes
        # before the content (an auditor's amendment is a 403, not a problem of its cells).
        refusals = list(zip(exc.kinds, exc.problems, strict=True))
        scope = next(((k, p) for k, p in refusals if k in ("unknown", "forbidden")), None)
        if scope is not None:
            raise (NotFoundError if scope[0] == "unknown" else PermissionDenied)(
                scope[1].message) from exc
        if refusals[0][0] == "duplicate":
            raise ConflictError(refusals[0][1].message) from exc
        raise
    (version_id,) = _write_versions(session, actor, [row], sites, existing, None,
                                    resource_statement_id=resource_statement_id)
    audit.record(session, "amend" if row.amendment_reason else "create", "report_versions",
                 str(version_id), None, {"site": site_code, "period": parsed_period.label,
                                         "reason": row.amendment_reason, **parsed})
    version = session.get(ReportVersion, version_id)
    assert version is not None
    return version


# ---------------------------------------------------------------------------------------------
# Reads


def get_report(session: Session, actor: Actor, report_id: int) -> Report:
    """A report with its versions, if the actor may read its site."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(_("no report %(id)s", id=report_id))
    actor.require_read_site(report.site)
    return report


def history(session: Session, actor: Actor, report_id: int) -> list[dict[str, Any]]:
    """Every version of a report, oldest first, with who, when, why and the values."""
    report = get_report(session, actor, report_id)
    return [{"version": v.version, "submitted_at": v.submitted_at, "submitted_by":
             v.submitted_by, "reason": v.reason, "upload_id": v.upload_id,
             "values": version_values(v)} for v in report.versions]



def _current_versions(counted: bool) -> Any:
    if counted and report_review():
        return (select(ReportReview.report_id, func.max(ReportReview.version).label("v"))
                .where(ReportReview.state == review.State.ACCEPTED)
                .group_by(ReportReview.report_id).subquery())
    return (select(ReportVersion.report_id, func.max(ReportVersion.version).label("v"))
            .group_by(ReportVersion.report_id).subquery())


def current_reports(session: Session, actor: Actor | None = None,
                    site_codes: Sequence[str] | None = None,
                    counted: bool = False) -> pd.DataFrame:
    """The current version of every visible report as a flat frame.

    Parameters
    ----------
    counted : bool
        The version that counts in the indicators rather than the latest one: when the review
        is on (:func:`aurum.core.config.report_review`), the latest version a reviewer
        accepted, and no row for a report never accepted; when it is off, the latest.

    Returns
    -------
    pandas.DataFrame
        ``report_id, site, period, version, submitted_at, reason`` and every report field
        (:data:`aurum.industry.reporting.FIELDS`) in its unit; NaN where not reported.
    """
    cur = _current_versions(counted)
    stmt = (select(Report.id.label("report_id"), Site.code.label("site"), Report.period,
                   ReportVersion.id.label("version_id"), ReportVersion.version,
                   ReportVersion.submitted_at, ReportVersion.reason,
                   *(getattr(ReportVersion, n) for n in reporting.SCALAR_FIELDS))
            .join(cur, cur.c.report_id == Report.id)
            .join(ReportVersion, (ReportVersion.report_id == Report.id)
                  & (ReportVersion.version == cur.c.v))
            .join(Site, Site.id == Report.site_id))
    if actor is not None:
        stmt = actor.where_visible(stmt)
    if site_codes is not None:
        stmt = stmt.where(Site.code.in_(list(site_codes)))
    frame = frame_of(session, stmt)
    if frame.empty:
        return frame.reindex(columns=[*frame.columns, *_waste_field_names()])
    visible = stmt.with_only_columns(ReportVersion.id).scalar_subquery()
    waste = frame_of(session, select(ReportWaste.version_id, ReportWaste.waste_type,
                                     *(getattr(ReportWaste, m) for m in WASTE_MEASURES))
                     .where(ReportWaste.version_id.in_(visible)))
    if not waste.empty:
        wide = waste.pivot(index="version_id", columns="waste_type",
                           values=list(WASTE_MEASURES))
        pairs = cast(list[tuple[str, str]], wide.columns.tolist())
        wide.columns = pd.Index([waste_column(wtype, m) for m, wtype in pairs])
        frame = frame.merge(wide, left_on="version_id", right_index=True, how="left")
    for name in _waste_field_names():
        if name not in frame.columns:
            frame[name] = float("nan")
    numeric = list(reporting.SCALAR_FIELDS) + _waste_field_names()
    frame[numeric] = frame[numeric].astype(float)
    return frame


def _waste_field_names() -> list[str]:
    return [f.name for f in reporting.FIELDS if f.group == "waste"]


def registry_frame(session: Session, actor: Actor | None = None) -> pd.DataFrame:
    """Sites with their enterprise, group and KPI ``site_type`` (scoped when ``actor``)."""
    parent = select(Organisation.id, Organisation.name).subquery()
    stmt = (select(Site.code.label("site"), Site.name.label("site_name"), Site.kind,
                   Site.plant_type, Site.province, Site.design_capacity_tpd, Site.status,
                   Site.commissioned_on, Site.lon, Site.lat, Site.mine_method, Site.depth_m,
                   Organisation.code.label("enterprise_code"),
                   Organisation.name.label("enterprise"), parent.c.name.label("group"))
            .join(Organisation, Organisation.id == Site.org_id)
            .outerjoin(parent, parent.c.id == Organisation.parent_id))
    if actor is not None:
        stmt = actor.where_visible(stmt)
    frame = frame_of(session, stmt)
    if frame.empty:
        return frame
    frame["group"] = frame["group"].fillna(frame["enterprise"])
    frame["site_type"] = [site_type(k, p) for k, p in zip(frame["kind"], frame["plant_type"],
                                                           strict=True)]
    frame["daily_capacity_t"] = frame["design_capacity_tpd"].astype(float)
    return frame



# Views for the pages and the API


RECEIVED_COLUMNS = ["report_id", "site", "period", "version", "submitted_at", "ore_treated_t",
                    "head_grade_gpt", "gold_own_mine_kg", "silver_kg"]
"""Columns of the reports page's table."""

RECEIVED_ROWS = 500
"""The reports page lists at most this many reports (the latest periods first)."""

UNCHANGED_SHOWN = ["gold_own_mine_kg", "ore_treated_t", "silver_kg"]
"""Fields a report's page compares across versions when no field changed."""


@dataclass(frozen=True)
class ReceivedReports:
    """The reports page: reports received per period, the latest reports, and whether the
    caller files reports (the upload and the form are offered)."""

    per_period: pd.Series
    latest: pd.DataFrame
    can_submit: bool


def received_reports(session: Session, actor: Actor, site: str | None = None
                     ) -> ReceivedReports:
    """Current reports the actor may read (of one site with ``site``): how many per period
    (in period order), and the latest :data:`RECEIVED_ROWS` by period (newest first) then
    site, in :data:`RECEIVED_COLUMNS`."""
    frame = current_reports(session, actor, [site] if site else None)
    latest = frame.sort_values(["period", "site"], ascending=[False, True]).head(RECEIVED_ROWS)
    return ReceivedReports(frame["period"].value_counts().sort_index(),
                           latest[RECEIVED_COLUMNS], files_reports(actor))


def files_reports(actor: Actor) -> bool:
    """Whether the actor files statistical reports: an enterprise for its own sites, an
    administrator for any (regulators, auditors and recyclers read them)."""
    return actor.role in (Role.ENTERPRISE, Role.ADMIN)


def reports_table(session: Session, actor: Actor, site: str | None = None,
                  year: int | None = None) -> pd.DataFrame:
    """The current reports the actor may read, of one site and of periods in one year when
    given: the columns of :func:`current_reports` without the internal ``version_id``."""
    frame = current_reports(session, actor, [site] if site else None)
    if year is not None:
        frame = frame[frame["period"].str.startswith(str(year))]
    return frame.drop(columns=["version_id"])


def writable_sites(session: Session, actor: Actor) -> pd.DataFrame:
    """``site, site_name`` of the visible sites that file statistical reports (mines and
    plants; tailings facilities do not)."""
    frame = registry_frame(session, actor)
    if frame.empty:
        return pd.DataFrame(columns=["site", "site_name"])
    return frame.loc[frame["kind"] != "tailings", ["site", "site_name"]]


def field_groups() -> dict[str, list[ReportField]]:
    """The report form's fields by group, in form order."""
    groups: dict[str, list[ReportField]] = {}
    for f in FIELDS:
        groups.setdefault(f.group, []).append(f)
    return groups


@dataclass(frozen=True)
class ReportView:
    """A report's page: the report, its versions, the fields that changed between them and
    the fields its chart compares."""

    report: Report
    history: list[dict[str, Any]]
    changed: list[str]
    shown: list[str]
    due: date


def report_view(session: Session, actor: Actor, report_id: int) -> ReportView:
    """A report the actor may read with its history (:func:`history`), the fields whose
    value differs between versions (in form order), the fields to compare (those, or
    :data:`UNCHANGED_SHOWN`) and its due date."""
    report = get_report(session, actor, report_id)
    hist = history(session, actor, report_id)
    changed = [f.name for f in FIELDS if len({h["values"].get(f.name) for h in hist}) > 1]
    return ReportView(report, hist, changed, changed or UNCHANGED_SHOWN,
                      due_date(Period.parse(report.period)))


def history_table(session: Session, actor: Actor, report_id: int) -> pd.DataFrame:
    """Every version of a report as a table: ``field``, then one column ``v1, v2, ...`` per
    version with the field's value in its unit."""
    versions = history(session, actor, report_id)
    table = pd.DataFrame({f"v{v['version']}": v["values"] for v in versions})
    table.index.name = "field"
    return table.reset_index()


def upload_template(fmt: str) -> bytes:
    """The upload template as a file: ``"csv"`` (the header row) or ``"xlsx"`` (a sheet
    ``reports`` with the header row and a sheet ``fields`` of units)."""
    if fmt == "csv":
        return reporting.template_frame().to_csv(index=False).encode()
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as writer:
        reporting.template_frame().to_excel(writer, index=False, sheet_name="reports")
        reporting.field_guide(FIELDS).to_excel(writer, index=False, sheet_name="fields")
    return buf.getvalue()
