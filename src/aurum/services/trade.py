"""Supply security (issue 23): customs import statistics, the import-source analysis and the
supply-risk indicator, long-term supply agreements, overseas projects and their
social-responsibility records (:mod:`aurum.trade`).

Who may do what, checked here on every read and write:

- customs statistics and agreements are national figures: the administrator and national
  regulators import and record them; administrators, regulators (national and provincial)
  and auditors read them; an enterprise or a recycler is refused;
- an overseas project and its records belong to an enterprise: its own users (and the
  administrator) record them; readers see those of their scope (a provincial regulator, the
  enterprises of its province), an enterprise its own.

Every write recomputes the analysis (concentration per month and year, dependence, trends,
agreements' coverage, equity output flowing back, the risk indicator) and stores it with the
newest batch, agreement and project entry it covers (:class:`~aurum.store.models.TradeAnalysis`);
pages and the dashboard read the stored analysis, nothing is computed on a read.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aurum import __version__
from aurum.core import i18n
from aurum.core.errors import (
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.jsonsafe import finite
from aurum.core.time import today_cst
from aurum.services.auth import SYSTEM, Actor, Role
from aurum.store import audit
from aurum.store.bulk import insert_columns
from aurum.store.models import (
    CsrRecord,
    CustomsBatch,
    CustomsImport,
    Organisation,
    OverseasProject,
    SupplyAgreement,
    TradeAnalysis,
)
from aurum.trade import agreements as agreements_domain
from aurum.trade import imports, overseas
from aurum.trade.agreements import Agreement
from aurum.trade.overseas import Project

READERS = frozenset({Role.ADMIN, Role.REGULATOR, Role.AUDITOR})
"""Roles that read the national import statistics and agreements."""
MAX_REASON = 500
"""Longest reason of a correction, characters."""
_Entry = TypeVar("_Entry", OverseasProject, CsrRecord)
"""A versioned entry of an overseas project: its year's entry or social-responsibility record."""
IMPORT_COLUMNS = list(imports.ROW_COLUMNS)
PROJECT_COLUMNS = ["org", "org_name", "code", "year", "version", "name", "country", "kind",
                   "stage", "ownership_pct", "annual_output_kg", "belt_and_road", "lon", "lat",
                   "reason", "created_at"]
CSR_COLUMNS = ["org", "code", "year", "version", "community_investment_cny",
               "local_employees", "total_employees", "environmental_incidents",
               "grievances_raised", "grievances_resolved", "resolution_rate_pct", "reason",
               "created_at"]
AGREEMENT_COLUMNS = ["id", "org", "partner", "counterparty", "commodity", "tonnes_per_year",
                     "start_year", "end_year", "price_basis", "premium_usd_per_oz",
                     "supersedes_id", "created_at"]


def _reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise PermissionDenied(i18n._("import statistics are read by administrators, "
                                      "regulators and auditors"))


def require_national_writer(actor: Actor) -> None:
    """Refuse a caller who may not import statistics or record agreements."""
    if not can_record_national(actor):
        raise PermissionDenied(i18n._("customs statistics and supply agreements are recorded "
                                      "by the administrator or a national regulator"))


def can_record_national(actor: Actor) -> bool:
    """Whether ``actor`` may import customs statistics and record agreements."""
    return actor.role is Role.ADMIN or (actor.role is Role.REGULATOR and actor.reads_all)


# --- customs statistics ----------------------------------------------------------------------


def customs_frame(session: Session) -> pd.DataFrame:
    """Every stored customs row (:data:`aurum.trade.imports.ROW_COLUMNS`), by month."""
    cols = [getattr(CustomsImport, c) for c in IMPORT_COLUMNS]
    rows = session.execute(select(*cols).order_by(CustomsImport.month, CustomsImport.id)).all()
    frame = pd.DataFrame(rows, columns=IMPORT_COLUMNS)
    return frame.astype({"quantity_kg": float, "gold_kg": float, "value": float})


def import_customs(session: Session, actor: Actor, data: bytes, filename: str,
                   today: date | None = None, refresh: bool = True) -> CustomsBatch:
    """Store a customs statistics file (CSV or xlsx) and recompute the analysis.

    Parameters
    ----------
    session : Session
        Open session; the caller commits (nothing is written when this raises).
    actor : Actor
        The administrator or a national regulator.
    data : bytes
        The file (:func:`aurum.trade.imports.read_customs` says what it holds).
    filename : str
        Its name, for the format and the messages.
    today : date, optional
        The day of the check (months that have not ended are refused); Beijing's today by
        default.
    refresh : bool
        Recompute the analysis (a writer of several files calls :func:`refresh_analysis`
        once after the last instead).

    Raises
    ------
    PermissionDenied
        Another caller.
    ValidationError
        Every problem of the file, a row already stored (by code, partner, district and
        month), or a file whose currency differs from the months' stored rows.
    """
    require_national_writer(actor)
    table = imports.read_customs(data, filename, today or today_cst())
    rows = table.rows
    months = sorted(rows["month"].unique())
    stored = pd.DataFrame(session.execute(
        select(CustomsImport.hs_code, CustomsImport.partner, CustomsImport.customs_district,
               CustomsImport.month, CustomsImport.currency)
        .where(CustomsImport.month.in_(months))).all(),
        columns=[*imports.KEY, "currency"])
    problems = []
    if not stored.empty:
        other = stored[stored["currency"] != table.currency]
        if not other.empty:
            problems.append(Problem(i18n._(
                "%(month)s is stored in %(stored)s; a file in %(currency)s for the same months "
                "would mix currencies in one period's shares", month=other["month"].iloc[0],
                stored=other["currency"].iloc[0], currency=table.currency), row=1,
                source=filename))
        keys = set(map(tuple, stored[imports.KEY].to_numpy().tolist()))
        for i, key in enumerate(map(tuple, rows[imports.KEY].to_numpy().tolist())):
            if key in keys:
                problems.append(Problem(i18n._(
                    "%(code)s from %(partner)s through %(district)s in %(month)s is already "
                    "stored; customs revisions are not imported over earlier figures",
                    code=key[0], partner=key[1], district=key[2], month=key[3]),
                    row=i + 2, column="month", source=filename))
    if problems:
        raise ValidationError(problems)
    batch = CustomsBatch(filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                         rows=len(rows), currency=table.currency,
                         created_by=actor.user_id or None)
    session.add(batch)
    session.flush()
    insert_columns(session, CustomsImport.__table__,  # type: ignore[arg-type]
                   {"batch_id": batch.id, **{c: rows[c] for c in IMPORT_COLUMNS}}, len(rows))
    audit.record(session, "import", CustomsImport.__tablename__, str(batch.id),
                 after={"filename": batch.filename, "rows": len(rows), "months": months})
    if refresh:
        refresh_analysis(session)
    return batch


# --- the analysis ----------------------------------------------------------------------------


def _agreements(session: Session) -> list[SupplyAgreement]:
    """Agreements in force on record: those no later entry supersedes."""
    superseded = select(SupplyAgreement.supersedes_id).where(
        SupplyAgreement.supersedes_id.is_not(None))
    return list(session.scalars(select(SupplyAgreement)
                                .where(SupplyAgreement.id.not_in(superseded))
                                .order_by(SupplyAgreement.id)))


def _as_agreement(row: SupplyAgreement) -> Agreement:
    return Agreement(row.partner, row.counterparty, row.commodity, row.tonnes_per_year,
                     row.start_year, row.end_year, row.price_basis, row.premium_usd_per_oz)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return finite(frame.to_dict(orient="records"))


def refresh_analysis(session: Session) -> TradeAnalysis:
    """Compute the import-source analysis of the stored data and store it (module
    docstring); called by every write of this module."""
    rows = customs_frame(session)
    monthly = imports.concentration(rows, "month")
    annual = imports.concentration(rows, "year")
    risk = imports.supply_risk(annual[annual["period"].isin(_complete_years(rows))]
                               if not rows.empty else annual)
    projects = _current_projects(session)
    analysis = TradeAnalysis(
        batch_id=session.scalar(select(func.max(CustomsBatch.id))),
        agreement_id=session.scalar(select(func.max(SupplyAgreement.id))),
        project_id=session.scalar(select(func.max(OverseasProject.id))),
        concentration=_records(pd.concat([monthly, annual], ignore_index=True)),
        dependence=_records(imports.dependence(rows)),
        trends=_records(imports.trends(rows, monthly)),
        coverage=_records(agreements_domain.coverage(
            [_as_agreement(a) for a in _agreements(session)], rows)),
        flow_back=_records(overseas.flow_back(projects, rows)),
        risk=None if risk is None else finite(risk.as_dict()), code_version=__version__)
    session.add(analysis)
    session.flush()
    return analysis


def _complete_years(rows: pd.DataFrame) -> list[str]:
    """Years with all twelve months of statistics (the risk indicator's; the latest year with
    any statistics when none is complete)."""
    months = rows.groupby("year")["month"].nunique()
    complete = [str(y) for y, n in months.items() if n == 12]
    return complete or [str(months.index.max())]


def latest_analysis(session: Session, actor: Actor) -> TradeAnalysis | None:
    """The stored analysis of the current data (None before any write)."""
    _reader(actor)
    return session.scalar(select(TradeAnalysis).order_by(TradeAnalysis.id.desc()).limit(1))


def supply_risk_card(session: Session, actor: Actor) -> dict[str, Any] | None:
    """What the national dashboard shows beside the plan's indicators: the stored risk
    indicator with the agreements' coverage of its year (all commodities' tonnage covered,
    %), or None when there are no statistics or the caller does not read them."""
    if actor.role not in READERS:
        return None
    analysis = latest_analysis(session, actor)
    if analysis is None or analysis.risk is None:
        return None
    year = analysis.risk["year"]
    cover = [c for c in analysis.coverage if c["year"] == year]
    imported = sum(c["imports_t"] for c in cover)
    covered = sum(c["covered_t"] for c in cover)
    return {**analysis.risk,
            "coverage_pct": 100.0 * covered / imported if imported > 0 else None}


@dataclass(frozen=True)
class TradeView:
    """What ``/trade`` shows: the stored ``analysis`` (None before any import), the
    agreements in force and the customs files imported (newest first)."""

    analysis: TradeAnalysis | None
    agreements: pd.DataFrame
    batches: pd.DataFrame


def trade_view(session: Session, actor: Actor) -> TradeView:
    """The import-source dashboard's data (reads only)."""
    analysis = latest_analysis(session, actor)
    batches = pd.DataFrame(session.execute(
        select(CustomsBatch.id, CustomsBatch.filename, CustomsBatch.rows,
               CustomsBatch.currency, CustomsBatch.created_at)
        .order_by(CustomsBatch.id.desc()).limit(50)).all(),
        columns=["id", "filename", "rows", "currency", "created_at"])
    return TradeView(analysis, agreements_frame(session, actor), batches)


def concentration_table(session: Session, actor: Actor, kind: str = "year",
                        year: int | None = None) -> pd.DataFrame:
    """The stored concentration (:data:`aurum.trade.imports.CONCENTRATION_COLUMNS`) of
    periods of ``kind`` (``month`` or ``year``), of one year or all."""
    analysis = latest_analysis(session, actor)
    frame = pd.DataFrame(analysis.concentration if analysis else [],
                         columns=imports.CONCENTRATION_COLUMNS)
    frame = frame[frame["kind"] == kind]
    if year is not None:
        frame = frame[frame["period"].str.startswith(str(year))]
    return frame.reset_index(drop=True)


# --- agreements ------------------------------------------------------------------------------


def agreements_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The agreements in force on record (:data:`AGREEMENT_COLUMNS`)."""
    _reader(actor)
    orgs = dict(session.execute(select(Organisation.id, Organisation.code)).all())
    return pd.DataFrame([{"id": a.id, "org": orgs.get(a.org_id, "") if a.org_id else "",
                          "partner": a.partner, "counterparty": a.counterparty,
                          "commodity": a.commodity, "tonnes_per_year": a.tonnes_per_year,
                          "start_year": a.start_year, "end_year": a.end_year,
                          "price_basis": a.price_basis,
                          "premium_usd_per_oz": a.premium_usd_per_oz,
                          "supersedes_id": a.supersedes_id, "created_at": a.created_at}
                         for a in _agreements(session)], columns=AGREEMENT_COLUMNS)


def add_agreement(session: Session, actor: Actor, agreement: Agreement,
                  org_code: str | None = None, supersedes: int | None = None,
                  refresh: bool = True) -> SupplyAgreement:
    """Record a long-term supply agreement (or a correction of one in force: ``supersedes``
    its id) and recompute the analysis (unless ``refresh`` is False: a writer of several
    calls :func:`refresh_analysis` once after the last).

    Raises
    ------
    PermissionDenied
        Not the administrator or a national regulator.
    NotFoundError
        An unknown organisation, or no agreement in force with id ``supersedes``.
    ValidationError
        Every problem of the agreement, by field.
    """
    require_national_writer(actor)
    problems = agreements_domain.check_agreement(agreement)
    if problems:
        raise ValidationError(problems)
    org_id = None
    if org_code:
        org_id = session.scalar(select(Organisation.id).where(Organisation.code == org_code))
        if org_id is None:
            raise NotFoundError(i18n._("no organisation %(code)s", code=repr(org_code)))
    if supersedes is not None and supersedes not in {a.id for a in _agreements(session)}:
        raise NotFoundError(i18n._("no agreement in force with id %(id)s", id=supersedes))
    row = SupplyAgreement(org_id=org_id, supersedes_id=supersedes,
                          created_by=actor.user_id or None, **asdict(agreement))
    session.add(row)
    session.flush()
    if refresh:
        refresh_analysis(session)
    return row


# --- overseas projects and their records -----------------------------------------------------


def _writable_org(session: Session, actor: Actor, org_code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == org_code))
    if org is None or not actor.can_read_owner(org.id, org.province):
        raise NotFoundError(i18n._("no organisation %(code)s", code=repr(org_code)))
    if not actor.can_write_owner(org.id):
        raise PermissionDenied(i18n._("only the enterprise's own users record its overseas "
                                      "projects"))
    return org


def _reason(reason: str, version: int) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON or (version > 1 and not reason):
        raise ValidationError(Problem(i18n._(
            "a correction needs a reason of 1 to %(n)s characters", n=MAX_REASON),
            column="reason"))
    return reason


def _add_version(session: Session, actor: Actor, model: type[_Entry], org_id: int,
                 entry: Project | overseas.CsrRecord, reason: str) -> _Entry:
    """Store ``entry`` as the next version of its code's year for the organisation (a
    version after the first is a correction and needs a ``reason``)."""
    version = (session.scalar(select(func.max(model.version)).where(
        model.org_id == org_id, model.code == entry.code, model.year == entry.year)) or 0) + 1
    row = model(org_id=org_id, version=version, reason=_reason(reason, version),
                created_by=actor.user_id or None, **asdict(entry))
    session.add(row)
    session.flush()
    return row


def record_project(session: Session, actor: Actor, org_code: str, project: Project,
                   reason: str = "", refresh: bool = True) -> OverseasProject:
    """Record a project's entry for a year; an entry for a year already recorded is its
    correction (the next version, with a reason). Recomputes the analysis unless
    ``refresh`` is False (as :func:`add_agreement`).

    Raises
    ------
    NotFoundError, PermissionDenied
        An organisation the actor may not read, or may not write for.
    ValidationError
        Every problem of the entry, by field.
    """
    org = _writable_org(session, actor, org_code)
    problems = overseas.check_project(project)
    if problems:
        raise ValidationError(problems)
    row = _add_version(session, actor, OverseasProject, org.id, project, reason)
    if refresh:
        refresh_analysis(session)
    return row


def record_csr(session: Session, actor: Actor, org_code: str, record: overseas.CsrRecord,
               reason: str = "") -> CsrRecord:
    """Record a project's social-responsibility record of a year (a second one for the same
    year is its correction, with a reason).

    Raises
    ------
    NotFoundError, PermissionDenied
        As :func:`record_project`; also a project the organisation has not recorded.
    ValidationError
        Every problem of the record, by field.
    """
    org = _writable_org(session, actor, org_code)
    problems = overseas.check_csr(record)
    if problems:
        raise ValidationError(problems)
    known = session.scalar(select(OverseasProject.id).where(
        OverseasProject.org_id == org.id, OverseasProject.code == record.code).limit(1))
    if known is None:
        raise NotFoundError(i18n._("%(org)s has no overseas project %(code)s", org=org_code,
                                   code=repr(record.code)))
    return _add_version(session, actor, CsrRecord, org.id, record, reason)


def _scoped(actor: Actor, stmt: Any) -> Any:
    """``stmt`` (joined to the owning organisation) kept to the actor's scope."""
    if actor.role is Role.RECYCLER:
        raise PermissionDenied(i18n._("overseas projects are not a recycler's"))
    condition = actor.owner_condition(Organisation.id, Organisation.province)
    return stmt if condition is None else stmt.where(condition)


def _current(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest version of each organisation's code and year."""
    if frame.empty:
        return frame
    latest = frame.groupby(["org", "code", "year"])["version"].transform("max")
    return frame[frame["version"] == latest].reset_index(drop=True)


def projects_frame(session: Session, actor: Actor, history: bool = False) -> pd.DataFrame:
    """Overseas project entries the actor may read (:data:`PROJECT_COLUMNS`): the current
    version of each project and year, or every version with ``history``."""
    stmt = _scoped(actor, select(
        Organisation.code, Organisation.name, OverseasProject.code, OverseasProject.year,
        OverseasProject.version, OverseasProject.name, OverseasProject.country,
        OverseasProject.kind, OverseasProject.stage, OverseasProject.ownership_pct,
        OverseasProject.annual_output_kg, OverseasProject.belt_and_road, OverseasProject.lon,
        OverseasProject.lat, OverseasProject.reason, OverseasProject.created_at)
        .join(Organisation, Organisation.id == OverseasProject.org_id)
        .order_by(Organisation.code, OverseasProject.code, OverseasProject.year,
                  OverseasProject.version))
    frame = pd.DataFrame(session.execute(stmt).all(), columns=PROJECT_COLUMNS)
    return frame if history else _current(frame)


def _current_projects(session: Session) -> pd.DataFrame:
    """Every current project entry (the analysis's flow back: national)."""
    return projects_frame(session, SYSTEM)


def csr_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The current social-responsibility records the actor may read (:data:`CSR_COLUMNS`)."""
    stmt = _scoped(actor, select(
        Organisation.code, CsrRecord.code, CsrRecord.year, CsrRecord.version,
        CsrRecord.community_investment_cny, CsrRecord.local_employees,
        CsrRecord.total_employees, CsrRecord.environmental_incidents,
        CsrRecord.grievances_raised, CsrRecord.grievances_resolved, CsrRecord.reason,
        CsrRecord.created_at)
        .join(Organisation, Organisation.id == CsrRecord.org_id)
        .order_by(Organisation.code, CsrRecord.code, CsrRecord.year, CsrRecord.version))
    columns = [c for c in CSR_COLUMNS if c != "resolution_rate_pct"]
    frame = _current(pd.DataFrame(session.execute(stmt).all(), columns=columns))
    rates = [overseas.resolution_rate_pct(r, s) for r, s in
             zip(frame["grievances_raised"], frame["grievances_resolved"], strict=True)]
    return frame.assign(resolution_rate_pct=rates)[CSR_COLUMNS]


def writable_orgs(session: Session, actor: Actor) -> list[str]:
    """Codes of the organisations whose overseas projects the actor may record."""
    if actor.role is Role.ADMIN:
        return list(session.scalars(select(Organisation.code).order_by(Organisation.code)))
    if actor.role is not Role.ENTERPRISE or actor.org_ids is None:
        return []
    return list(session.scalars(select(Organisation.code)
                                .where(Organisation.id.in_(actor.org_ids))
                                .order_by(Organisation.code)))


def batch_months(session: Session, batch_id: int) -> tuple[str, str]:
    """The first and last month of a stored customs file's rows."""
    first, last = session.execute(select(func.min(CustomsImport.month),
                                         func.max(CustomsImport.month))
                                  .where(CustomsImport.batch_id == batch_id)).one()
    return str(first), str(last)


def add_agreement_in(session: Session, actor: Actor, fields: dict[str, Any]
                     ) -> SupplyAgreement:
    """:func:`add_agreement` from a request's fields (those of
    :class:`~aurum.trade.agreements.Agreement`, with ``org`` and ``supersedes``)."""
    fields = dict(fields)
    org, supersedes = fields.pop("org", None), fields.pop("supersedes", None)
    fields["partner"] = str(fields["partner"]).strip().upper()
    return add_agreement(session, actor, Agreement(**fields), org or None, supersedes)


def record_project_in(session: Session, actor: Actor, fields: dict[str, Any]
                      ) -> OverseasProject:
    """:func:`record_project` from a request's fields (those of
    :class:`~aurum.trade.overseas.Project`, with ``org`` and ``reason``)."""
    fields = dict(fields)
    org, reason = fields.pop("org"), fields.pop("reason", "")
    fields["country"] = str(fields["country"]).strip().upper()
    return record_project(session, actor, org, Project(**fields), reason)


def record_csr_in(session: Session, actor: Actor, fields: dict[str, Any]) -> CsrRecord:
    """:func:`record_csr` from a request's fields (those of
    :class:`~aurum.trade.overseas.CsrRecord`, with ``org`` and ``reason``)."""
    fields = dict(fields)
    org, reason = fields.pop("org"), fields.pop("reason", "")
    return record_csr(session, actor, org, overseas.CsrRecord(**fields), reason)
