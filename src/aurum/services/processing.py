"""Processing plants in the store: circuits by version, monthly metal accounts with a locked
month closing, the solid-waste ledger, and their figures carried into the statistical reports.

* A circuit is saved per site and name; a change is a new version. A circuit saved with a
  survey (measurements) is reconciled on saving and the result kept with it, so the page shows
  what was reconciled then, whatever the code does later.
* A metal account is one month of one plant (AMIRA P754 check-in / check-out). Every save is a
  new version; closing a month locks its current version: a closed month changes only by an
  amendment with a reason, closed again in its turn. Each closing carries a SHA-256 over the
  account's figures and the previous closing of the site, so the closed months form a hash
  chain (:func:`verify_closings`).
* The waste ledger is append-only: a correction is a new entry that supersedes the old one
  and says why. The opening stock of a month must be the closing stock of the month before.
* :func:`report_figures` sums the months of a reporting period into the fields of the
  statistical report (ore, head grade and gold from the accounts; waste by type and route from
  the ledger) and :func:`carry_into_report` submits them, so the plan's output and 35 %
  waste indicators come from the plant's own records rather than from retyped figures.

Units: t (ore, waste), g/t (grades), g (gold in accounts), kg (gold in reports).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
    shown_cell,
)
from aurum.core.jsonsafe import finite
from aurum.core.periods import Period, PeriodKind
from aurum.core.tables import read_table
from aurum.industry.reporting import WASTE_ROUTES, waste_column
from aurum.processing import accounting, waste
from aurum.processing.circuit import circuit_from_mapping, circuit_to_mapping
from aurum.processing.reconcile import ALPHA, Reconciliation, reconcile
from aurum.services import registry, reporting
from aurum.services.auth import Actor
from aurum.store import audit
from aurum.store.frames import frame_of
from aurum.store.models import (
    MetalAccount,
    MetalAccountClosing,
    Organisation,
    PlantCircuit,
    Site,
    WasteEntry,
)

ACCOUNT_GOLD_TERMS = ("check_in", "products", "tailings", "opening", "closing")
ACCOUNT_COLUMNS = ("ore_treated_t", "head_grade_gpt",
                   *(f"{t}{s}" for t in ACCOUNT_GOLD_TERMS for s in ("_g", "_sd_g")),
                   "share_own_mine", "share_associated", "share_imported")
"""Input columns of a metal account besides ``site`` and ``period``."""
SHARE_FIELDS = {"share_own_mine": "gold_own_mine_kg", "share_associated": "gold_associated_kg",
                "share_imported": "gold_imported_kg"}
"""Report field that receives each share of the gold in products."""
_RESULT_COLUMNS = ("unaccounted_g", "unaccounted_sd_g", "recovery", "recovery_sd")
_LEDGER_COLUMNS = (*waste.TONNE_COLUMNS, "detox_status")
_STOCK_TOLERANCE_T = 0.5


def _month(text: Any, problems: list[Problem], row: int | None, source: str | None) -> str:
    try:
        period = Period.parse(str(text))
    except ValueError as exc:
        problems.append(Problem(str(exc), row=row, column="period", source=source))
        return ""
    if period.kind is not PeriodKind.MONTH:
        problems.append(Problem(f"'{text}': expected a month, YYYY-MM", row=row,
                                column="period", source=source))
        return ""
    return period.label


def _writable_sites(session: Session, actor: Actor, codes: Iterable[str],
                    source: str | None, rows: Mapping[str, int] | None = None
                    ) -> tuple[dict[str, Site], list[Problem]]:
    """Sites by code; problems name the first row of an unknown site (or one outside the
    caller's scope, which reads the same).

    Raises
    ------
    PermissionDenied
        When a visible site may not be written by the caller (a matter of role, not of the
        file's rows).
    """
    wanted = sorted(set(codes))
    sites = {s.code: s for s in session.scalars(select(Site).where(Site.code.in_(wanted)))}
    problems = []
    for code in wanted:
        site = sites.get(code)
        if site is None or not actor.can_read_site(site):
            problems.append(Problem(f"unknown site {code!r}",
                                    row=rows.get(code) if rows else None, column="site",
                                    source=source))
        elif not actor.can_write_site(site):
            raise PermissionDenied(f"{actor.role.value} users cannot write the records of "
                                   f"{code}")
    return sites, problems


def writable_site(session: Session, actor: Actor, site_code: str) -> Site:
    """The plant ``site_code``, which the caller must be allowed to write.

    Raises
    ------
    NotFoundError
        A site the caller may not read.
    PermissionDenied
        A site it reads but may not write.
    """
    site = registry.get_site(session, actor, site_code)
    actor.require_write_site(site)
    return site


def read_records(data: bytes, name: str) -> pd.DataFrame:
    """An uploaded CSV or Excel file of accounts or ledger lines as text cells, blank cells
    missing (as :func:`record_accounts` and :func:`record_waste` take them)."""
    return read_table(data, name).replace(r"^\s*$", np.nan, regex=True)


# ---------------------------------------------------------------------------------------------
# Circuits


def save_circuit(session: Session, actor: Actor, site_code: str, name: str,
                 mapping: Mapping[str, Any], period: str | None = None,
                 note: str | None = None, source: str | None = None,
                 alpha: float = ALPHA) -> PlantCircuit:
    """Save a new version of a plant's circuit; reconcile it when it carries a survey.

    Parameters
    ----------
    site_code : str
        The plant.
    name : str
        Name of the circuit (``"CIL"``, ``"flotation"``); versions count per name.
    mapping : mapping
        Nodes, streams and measurements as in ``aurum processing reconcile`` (masses in t or
        t/d, assays in g/t).
    period : str, optional
        Month of the survey, ``YYYY-MM``.
    note : str, optional
        What changed.
    source : str, optional
        File name for the messages.
    alpha : float
        Significance level of the gross-error tests.

    Raises
    ------
    ValidationError
        On a bad circuit (unknown node, sd <= 0, unobservable system, ...); nothing is saved.
    """
    site = registry.get_site(session, actor, site_code)
    actor.require_write_site(site)
    name = name.strip()
    if not name:
        raise ValidationError(Problem("a circuit needs a name", column="name", source=source))
    problems: list[Problem] = []
    label = _month(period, problems, None, source) if period else None
    if problems:
        raise ValidationError(problems)
    circuit = circuit_from_mapping(mapping, source)
    result = None
    if circuit.measurements:
        result = reconciliation_document(reconcile(circuit, alpha=alpha))
    version = (session.scalar(select(func.max(PlantCircuit.version)).where(
        PlantCircuit.site_id == site.id, PlantCircuit.name == name)) or 0) + 1
    saved = PlantCircuit(site_id=site.id, name=name, version=version, period=label,
                         definition=finite(circuit_to_mapping(circuit)),
                         reconciliation=result, note=note, created_by=actor.user_id or None)
    session.add(saved)
    session.flush()
    return saved


def reconciliation_document(result: Reconciliation) -> dict[str, Any]:
    """A reconciliation as stored with its circuit: the contract JSON (``summary``) and every
    measured or estimated variable (``variables``: stream, field, measured, estimate, sds in t
    or g/t, measurement test and gross-error flag)."""
    frame = result.measurements_frame()
    return finite({"summary": result.as_dict(),
                   "variables": frame.astype(object).where(frame.notna(), None)
                   .to_dict(orient="records")})


def circuits(session: Session, actor: Actor, site_code: str) -> list[PlantCircuit]:
    """Every circuit version of a site, by name then version."""
    site = registry.get_site(session, actor, site_code)
    return list(session.scalars(select(PlantCircuit).where(PlantCircuit.site_id == site.id)
                                .order_by(PlantCircuit.name, PlantCircuit.version)))


def get_circuit(session: Session, actor: Actor, circuit_id: int) -> PlantCircuit:
    """One circuit version the actor may read."""
    circuit = session.get(PlantCircuit, circuit_id)
    if circuit is None or not actor.can_read_site(circuit.site):
        raise NotFoundError(f"no circuit {circuit_id}")
    return circuit


# ---------------------------------------------------------------------------------------------
# Metal accounts


def record_accounts(session: Session, actor: Actor, frame: pd.DataFrame,
                    reason: str | None = None, source: str | None = None,
                    circuit_id: int | None = None) -> list[int]:
    """Record metal accounts of one or more plants and months, all or nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per account: ``site``, ``period`` (``YYYY-MM``), ``ore_treated_t`` (t),
        ``head_grade_gpt`` (g/t, optional), the gold terms ``check_in_g``, ``products_g``,
        ``tailings_g``, ``opening_g``, ``closing_g`` (g; inventories optional) with their
        standard deviations ``<term>_sd_g`` (g, optional), and the shares of the gold in
        products reported as own-mine, associated and imported gold (``share_own_mine``,
        ``share_associated``, ``share_imported``, fractions summing to 1; default all
        own-mine).
    reason : str, optional
        Why; required when a row replaces the account of a closed month.
    source : str, optional
        File name for the messages (rows counted as in a spreadsheet, header = 1).
    circuit_id : int, optional
        The reconciled circuit the figures come from (provenance).

    Returns
    -------
    list of int
        Ids of the new account versions.

    Raises
    ------
    ValidationError
        Listing every problem; nothing is written.
    """
    problems: list[Problem] = []
    for col in ("site", "period", "ore_treated_t", "check_in_g", "products_g", "tailings_g"):
        if col not in frame.columns:
            problems.append(Problem(f"missing column {col!r}", column=col, source=source))
    if problems:
        raise ValidationError(problems)
    data = frame.reset_index(drop=True).copy()
    # Optional figures: a missing column or a blank cell is 0 (no inventory, no precision
    # given, no gold of that source); own-mine gold is what the other sources leave.
    for col in ("opening_g", "closing_g", *(f"{t}_sd_g" for t in ACCOUNT_GOLD_TERMS),
                "share_associated", "share_imported", "share_own_mine"):
        if col not in data.columns:
            data[col] = np.nan
        blank = data[col].isna() | data[col].astype(str).str.strip().eq("")
        if col == "share_own_mine":
            others = data[["share_associated", "share_imported"]].apply(pd.to_numeric,
                                                                       errors="coerce")
            data[col] = data[col].where(~blank, 1.0 - others.sum(axis=1, min_count=2))
        else:
            data[col] = data[col].where(~blank, 0.0)
    if "head_grade_gpt" not in data.columns:
        data["head_grade_gpt"] = np.nan
    data["period"] = [_month(p, problems, i + 2, source) for i, p in enumerate(data["period"])]
    data["site"] = data["site"].astype(str)
    for col in ("ore_treated_t", *SHARE_FIELDS):
        values = pd.to_numeric(data[col], errors="coerce")
        for i in np.flatnonzero(~(np.isfinite(values) & (values >= 0)).to_numpy()):
            problems.append(Problem(f"{shown_cell(data[col].iloc[i])}: expected a number >= 0",
                                    row=int(i) + 2, column=col, source=source))
        data[col] = values
    grade = pd.to_numeric(data["head_grade_gpt"], errors="coerce")
    for i in np.flatnonzero((grade < 0).to_numpy()):
        problems.append(Problem(f"{grade.iloc[i]}: expected a grade >= 0 g/t", row=int(i) + 2,
                                column="head_grade_gpt", source=source))
    data["head_grade_gpt"] = grade
    shares = data[list(SHARE_FIELDS)].sum(axis=1)
    for i in np.flatnonzero((np.abs(shares - 1.0) > 1e-6).to_numpy()):
        problems.append(Problem(f"the gold shares sum to {shares.iloc[i]:.6g}: expected 1",
                                row=int(i) + 2, column="share_own_mine", source=source))
    try:
        results = accounting.metal_accounts(data)
    except ValidationError as exc:
        problems += [Problem(p.message, row=p.row, column=p.column, source=source)
                     for p in exc.problems]
        results = None
    duplicated = data.duplicated(["site", "period"], keep="first")
    for i in np.flatnonzero(duplicated.to_numpy()):
        problems.append(Problem("a second account for the same site and month",
                                row=int(i) + 2, column="period", source=source))
    first_row = {code: int(i) + 2 for i, code in reversed(list(enumerate(data["site"])))}
    sites, site_problems = _writable_sites(session, actor, data["site"], source, first_row)
    problems += site_problems
    if problems or results is None:
        raise ValidationError(problems)
    site_ids = data["site"].map({c: s.id for c, s in sites.items()})
    current = _current_accounts(session, site_ids.unique().tolist())
    key = list(zip(site_ids, data["period"], strict=True))
    versions = [current.get(k, (0, False))[0] + 1 for k in key]
    why = (reason or "").strip() or None
    for n, k in enumerate(key):
        if current.get(k, (0, False))[1] and why is None:
            problems.append(Problem(f"{data['period'].iloc[n]} of {data['site'].iloc[n]} is "
                                    "closed: an amendment needs a reason", row=n + 2,
                                    column="period", source=source))
    if problems:
        raise ValidationError(problems)
    figures = results[[*ACCOUNT_COLUMNS, *_RESULT_COLUMNS]].astype(float)
    rows = _records(figures.assign(
        site_id=site_ids.astype(int), period=data["period"], version=versions,
        circuit_id=circuit_id, reason=why, created_by=actor.user_id or None))
    ids = list(session.scalars(insert(MetalAccount).returning(MetalAccount.id), rows))
    audit.record(session, "record", "metal_accounts", source, None,
                 {"rows": len(rows), "sites": sorted(sites), "reason": why})
    return ids


def record_site_accounts(session: Session, actor: Actor, site_code: str,
                         rows: pd.DataFrame | Sequence[Mapping[str, Any]],
                         reason: str | None = None, source: str | None = None) -> list[int]:
    """:func:`record_accounts` of one plant: a blank or missing ``site`` is that plant, and a
    row of another site is refused (rows numbered as in a spreadsheet, header = row 1)."""
    frame = pd.DataFrame(rows).copy()
    given = (frame["site"].fillna("").astype(str).str.strip() if "site" in frame.columns
             else pd.Series("", index=frame.index))
    other = ((given != "") & (given != site_code)).to_numpy()
    if other.any():
        raise ValidationError([Problem(f"{given.iloc[i]!r}: this upload is for {site_code}",
                                       row=int(i) + 2, column="site", source=source)
                               for i in other.nonzero()[0]])
    frame["site"] = site_code
    return record_accounts(session, actor, frame, reason=reason, source=source)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for an insert: numpy scalars as Python ones, missing values as None."""
    return [{str(k): (None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                 else v.item() if isinstance(v, np.generic) else v)
             for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _current_accounts(session: Session, site_ids: Sequence[int]
                      ) -> dict[tuple[int, str], tuple[int, bool]]:
    """(site id, month) → (current version, whether that version is closed)."""
    latest = (select(MetalAccount.site_id, MetalAccount.period,
                     func.max(MetalAccount.version).label("v"))
              .where(MetalAccount.site_id.in_(site_ids))
              .group_by(MetalAccount.site_id, MetalAccount.period).subquery())
    rows = session.execute(
        select(latest.c.site_id, latest.c.period, latest.c.v, MetalAccountClosing.id)
        .join(MetalAccount, (MetalAccount.site_id == latest.c.site_id)
              & (MetalAccount.period == latest.c.period) & (MetalAccount.version == latest.c.v))
        .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id))
    return {(sid, p): (v, closing is not None) for sid, p, v, closing in rows}


def _closing_digest(account: Mapping[str, Any], previous: str | None) -> str:
    body = {"site_id": account["site_id"], "period": account["period"],
            "version": account["version"], "previous": previous,
            **{c: account[c] for c in (*ACCOUNT_COLUMNS, *_RESULT_COLUMNS)}}
    text = json.dumps(finite(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_ACCOUNT_FIELDS = ("id", "site_id", "period", "version", *ACCOUNT_COLUMNS, *_RESULT_COLUMNS)


def close_months(session: Session, actor: Actor, site_code: str,
                 periods: Sequence[str]) -> list[MetalAccountClosing]:
    """Close months of a plant: lock the current version of each month's account.

    Parameters
    ----------
    site_code : str
        The plant.
    periods : sequence of str
        Months ``YYYY-MM``, closed in calendar order.

    Raises
    ------
    NotFoundError
        When a month has no account.
    ConflictError
        When a month's current version is closed already.
    """
    site = registry.get_site(session, actor, site_code)
    actor.require_write_site(site)
    problems: list[Problem] = []
    months = sorted({_month(p, problems, None, None) for p in periods})
    if not periods:
        problems.append(Problem("name at least one month to close (YYYY-MM)",
                                column="periods"))
    if problems:
        raise ValidationError(problems)
    current = _current_accounts(session, [site.id])
    for m in months:
        if (site.id, m) not in current:
            raise NotFoundError(f"{site.code} has no metal account for {m}")
        if current[(site.id, m)][1]:
            raise ConflictError(f"{m} of {site.code} is closed already; amend it with a "
                                "reason to change it")
    accounts = {a.period: a for a in session.scalars(select(MetalAccount).where(
        MetalAccount.site_id == site.id, MetalAccount.period.in_(months)))
        if a.version == current[(site.id, a.period)][0]}
    previous = session.scalar(select(MetalAccountClosing.sha256).where(
        MetalAccountClosing.site_id == site.id).order_by(MetalAccountClosing.id.desc())
        .limit(1))
    rows = []
    for m in months:
        account = accounts[m]
        digest = _closing_digest({f: getattr(account, f) for f in _ACCOUNT_FIELDS}, previous)
        rows.append({"account_id": account.id, "site_id": site.id, "period": m,
                     "sha256": digest, "previous_sha256": previous,
                     "closed_by": actor.user_id or None})
        previous = digest
    session.execute(insert(MetalAccountClosing), rows)
    audit.record(session, "close", "metal_accounts", site.code, None,
                 {"months": months, "sha256": previous})
    return list(session.scalars(select(MetalAccountClosing).where(
        MetalAccountClosing.site_id == site.id, MetalAccountClosing.period.in_(months))
        .order_by(MetalAccountClosing.id)))


def verify_closings(session: Session, actor: Actor, site_code: str) -> list[str]:
    """Recompute the hash chain of a plant's closed months.

    Returns
    -------
    list of str
        One line per broken link (empty when every closing matches its account and the one
        before it).
    """
    site = registry.get_site(session, actor, site_code)
    broken = []
    previous = None
    for closing in session.scalars(select(MetalAccountClosing).where(
            MetalAccountClosing.site_id == site.id).order_by(MetalAccountClosing.id)):
        account = {f: getattr(closing.account, f) for f in _ACCOUNT_FIELDS}
        if closing.previous_sha256 != previous:
            broken.append(f"closing of {closing.period}: previous hash does not match")
        if _closing_digest(account, closing.previous_sha256) != closing.sha256:
            broken.append(f"closing of {closing.period}: the account differs from what was "
                          "closed")
        previous = closing.sha256
    return broken


def accounts(session: Session, actor: Actor, site_code: str,
             history: bool = False) -> pd.DataFrame:
    """A plant's metal accounts, by month.

    Parameters
    ----------
    history : bool
        Every version rather than the current one of each month.

    Returns
    -------
    pandas.DataFrame
        ``id, period, version`` and the account columns (t, g/t, g, fractions), ``reason``,
        ``created_at``, ``closed_at``, ``sha256`` (of the closing; empty for an open month).
    """
    site = registry.get_site(session, actor, site_code)
    stmt = (select(MetalAccount.id, MetalAccount.period, MetalAccount.version,
                   *(getattr(MetalAccount, c) for c in (*ACCOUNT_COLUMNS, *_RESULT_COLUMNS)),
                   MetalAccount.circuit_id, MetalAccount.reason, MetalAccount.created_at,
                   MetalAccountClosing.closed_at, MetalAccountClosing.sha256)
            .outerjoin(MetalAccountClosing, MetalAccountClosing.account_id == MetalAccount.id)
            .where(MetalAccount.site_id == site.id)
            .order_by(MetalAccount.period, MetalAccount.version))
    frame = frame_of(session, stmt)
    if not history and not frame.empty:
        frame = frame.drop_duplicates("period", keep="last").reset_index(drop=True)
    return frame


# ---------------------------------------------------------------------------------------------
# Solid-waste ledger


def record_waste(session: Session, actor: Actor, frame: pd.DataFrame,
                 reason: str | None = None, source: str | None = None) -> list[int]:
    """Append lines to the waste ledger, all or nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per site (``plant``: site code), month (``period``, ``YYYY-MM``) and waste
        type: the columns of :func:`aurum.processing.waste.validate_ledger` (t); the
        ``enterprise`` column may be left out (the site's organisation). A blank
        ``opening_stock_t`` is taken from the closing stock of the month before.
    reason : str, optional
        Why; required when a line corrects one already in the ledger (the new line
        supersedes it).
    source : str, optional
        File name for the messages (rows counted as in a spreadsheet, header = 1).

    Returns
    -------
    list of int
        Ids of the new entries.

    Raises
    ------
    ValidationError
        Listing every problem; nothing is written.
    """
    if "plant" not in frame.columns:
        raise ValidationError(Problem("missing column 'plant' (site code)", column="plant",
                                      source=source))
    problems: list[Problem] = []
    data = frame.reset_index(drop=True).copy()
    data["plant"] = data["plant"].astype(str)
    data["period"] = [_month(p, problems, i + 2, source)
                      for i, p in enumerate(data.get("period", pd.Series([""] * len(data))))]
    first_row = {code: int(i) + 2 for i, code in reversed(list(enumerate(data["plant"])))}
    sites, site_problems = _writable_sites(session, actor, data["plant"], source, first_row)
    problems += [Problem(p.message, row=p.row, column="plant", source=source)
                 for p in site_problems]
    if problems:
        raise ValidationError(problems)
    orgs = {oid: code for oid, code in session.execute(select(
        Organisation.id, Organisation.code).where(
        Organisation.id.in_({s.org_id for s in sites.values()})))}
    data["enterprise"] = data["plant"].map({c: orgs[s.org_id] for c, s in sites.items()})
    stored = _ledger_frame(session, [s.id for s in sites.values()])
    checked = waste.validate_ledger(_fill_opening_stock(data, stored), source)
    _check_opening_stock(checked, stored, source)
    keys = [*waste.KEY_COLUMNS]
    existing = stored.set_index(keys)["id"] if not stored.empty else pd.Series(dtype="Int64")
    supersedes = pd.array(existing.reindex(pd.MultiIndex.from_frame(checked[keys])).to_numpy(),
                          dtype="Int64")
    why = (reason or "").strip() or None
    if why is None:
        for i in np.flatnonzero(~pd.isna(supersedes)):
            r = checked.iloc[i]
            problems.append(Problem(f"{r['plant']} {r['period']} {r['waste_type']} is in the "
                                    "ledger already: a correction needs a reason",
                                    row=int(i) + 2, column="waste_type", source=source))
    if problems:
        raise ValidationError(problems)
    rows = _records(checked[["period", "waste_type", *_LEDGER_COLUMNS]].assign(
        site_id=checked["plant"].map({c: s.id for c, s in sites.items()}),
        supersedes_id=supersedes,
        reason=why, source=source, created_by=actor.user_id or None))
    ids = list(session.scalars(insert(WasteEntry).returning(WasteEntry.id), rows))
    audit.record(session, "record", "waste_entries", source, None,
                 {"rows": len(rows), "sites": sorted(sites), "reason": why})
    return ids


def _previous_month(period: pd.Series) -> pd.Series:
    stamp = pd.PeriodIndex(period, freq="M") - 1
    return pd.Series(stamp.strftime("%Y-%m"), index=period.index)


def _closing_lookup(ledger: pd.DataFrame) -> pd.Series:
    keys = [*waste.KEY_COLUMNS]
    return ledger.drop_duplicates(keys, keep="last").set_index(keys)["closing_stock_t"]


def _stock_before(rows: pd.DataFrame, lookup: pd.Series) -> np.ndarray:
    """Closing stock of the month before each row (NaN where that month is not known), t."""
    before = pd.MultiIndex.from_arrays([rows["plant"], _previous_month(rows["period"]),
                                        rows["waste_type"]])
    return lookup.reindex(before).to_numpy(dtype=float)


def _fill_opening_stock(data: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Blank opening stocks from the closing stock of the month before (in the ledger or
    earlier in ``data``); 0 where there is no month before."""
    out = data.copy()
    raw = out["opening_stock_t"] if "opening_stock_t" in out.columns else pd.Series(
        np.nan, index=out.index)
    blank = raw.isna() | raw.astype(str).str.strip().isin(("", "nan", "None"))
    if not blank.any():
        return out
    out["opening_stock_t"] = raw.where(~blank, np.nan).astype(object)
    number = {c: pd.to_numeric(out[c], errors="coerce").fillna(0.0) if c in out.columns
              else pd.Series(0.0, index=out.index)
              for c in (*waste.ROUTE_COLUMNS, "generated_t", "disposed_t")}
    flow = (number["generated_t"] - sum(number[c] for c in waste.ROUTE_COLUMNS)
            - number["disposed_t"])
    lookup = _closing_lookup(stored) if not stored.empty else pd.Series(dtype=float)
    # Month by month, so that a blank month takes the stock of a month filled just before.
    for period in sorted(out["period"].unique()):
        rows = out["period"] == period
        opening = pd.to_numeric(out.loc[rows, "opening_stock_t"], errors="coerce")
        previous = pd.Series(_stock_before(out.loc[rows], lookup), index=opening.index)
        fill = blank[rows] & opening.isna()
        opening = opening.where(~fill, previous.fillna(0.0))
        out.loc[rows[rows].index[fill.to_numpy()], "opening_stock_t"] = opening[fill]
        closing = (opening.fillna(0.0) + flow[rows]).clip(lower=0.0)
        keys = pd.MultiIndex.from_frame(out.loc[rows, list(waste.KEY_COLUMNS)])
        lookup = pd.concat([lookup, pd.Series(closing.to_numpy(), index=keys)])
    return out


def _check_opening_stock(ledger: pd.DataFrame, stored: pd.DataFrame,
                         source: str | None) -> None:
    """An opening stock must be the closing stock of the month before, where it is known."""
    known = pd.concat([stored[[*waste.KEY_COLUMNS, "closing_stock_t"]],
                       ledger[[*waste.KEY_COLUMNS, "closing_stock_t"]]])
    previous = _stock_before(ledger, _closing_lookup(known))
    gap = np.abs(ledger["opening_stock_t"].to_numpy() - previous)
    problems = [Problem(f"opening stock {ledger['opening_stock_t'].iloc[i]:,.1f} t differs "
                        f"from the closing stock {previous[i]:,.1f} t of the month before",
                        row=int(i) + 2, column="opening_stock_t", source=source)
                for i in np.flatnonzero(gap > _STOCK_TOLERANCE_T)]
    if problems:
        raise ValidationError(problems)


def _ledger_frame(session: Session, site_ids: Sequence[int] | None) -> pd.DataFrame:
    superseded = select(WasteEntry.supersedes_id).where(WasteEntry.supersedes_id.is_not(None))
    stmt = (select(WasteEntry.id, Organisation.code.label("enterprise"),
                   Site.code.label("plant"), WasteEntry.period, WasteEntry.waste_type,
                   *(getattr(WasteEntry, c) for c in _LEDGER_COLUMNS), WasteEntry.reason,
                   WasteEntry.created_at)
            .join(Site, Site.id == WasteEntry.site_id)
            .join(Organisation, Organisation.id == Site.org_id)
            .where(WasteEntry.id.not_in(superseded))
            .order_by(Site.code, WasteEntry.period, WasteEntry.waste_type))
    if site_ids is not None:
        stmt = stmt.where(WasteEntry.site_id.in_(site_ids))
    frame = frame_of(session, stmt)
    if frame.empty:
        return frame.assign(utilised_t=pd.Series(dtype=float),
                            closing_stock_t=pd.Series(dtype=float))
    ledger = waste.validate_ledger(frame)
    return ledger


def waste_ledger(session: Session, actor: Actor,
                 site_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """The entries in force of the visible waste ledgers (corrections applied).

    Returns
    -------
    pandas.DataFrame
        ``id, enterprise, plant, period, waste_type``, the tonnage columns,
        ``detox_status``, ``reason``, ``created_at``, ``utilised_t`` and
        ``closing_stock_t`` (t).
    """
    stmt = actor.where_visible(select(Site.id))
    if site_codes is not None:
        stmt = stmt.where(Site.code.in_(list(site_codes)))
    return _ledger_frame(session, list(session.scalars(stmt)))


def waste_utilisation(session: Session, actor: Actor, level: str = "plant",
                      by: Sequence[str] = ("year",),
                      site_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Utilisation of the visible waste ledgers per plant, enterprise or nation.

    Parameters
    ----------
    level : {"plant", "enterprise", "nation"}
        Aggregation level.
    by : sequence of str
        ``"year"``, ``"period"`` (month), ``"waste_type"`` or nothing.

    Returns
    -------
    pandas.DataFrame
        See :func:`aurum.processing.waste.utilisation` (t; rates as fractions).
    """
    ledger = waste_ledger(session, actor, site_codes)
    ledger["year"] = ledger["period"].str[:4]
    return waste.utilisation(ledger, level, by)


# ---------------------------------------------------------------------------------------------
# Into the statistical report


@dataclass(frozen=True)
class ReportFigures:
    """What a plant's records give for one reporting period.

    Parameters
    ----------
    site : str
        Site code.
    period : str
        Reporting period (``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``).
    values : dict
        Report field → value in its unit (t, g/t, kg).
    missing_accounts, missing_ledger : tuple of str
        Months of the period with no metal account, or no ledger line.
    """

    site: str
    period: str
    values: dict[str, float]
    missing_accounts: tuple[str, ...]
    missing_ledger: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """Whether every month of the period has its records."""
        return not self.missing_accounts and not self.missing_ledger


def report_figures(session: Session, actor: Actor, site_code: str,
                   period: str) -> ReportFigures:
    """Sum a plant's monthly accounts and waste ledger into report fields.

    Ore treated (t) and gold by source (kg) are sums over the months; the head grade (g/t) is
    gold checked in over ore; waste per type: generated and utilised by route (t) are sums,
    the stock (t) is the opening stock of the first month.
    """
    site = registry.get_site(session, actor, site_code)
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        raise ValidationError(Problem(str(exc), column="period")) from exc
    months = [f"{parsed.year}-{m:02d}" for m in parsed.months]
    values: dict[str, float] = {}
    acc = accounts(session, actor, site.code)
    acc = acc[acc["period"].isin(months)] if not acc.empty else acc
    if not acc.empty:
        ore = float(acc["ore_treated_t"].sum())
        values["ore_treated_t"] = ore
        if ore > 0:
            values["head_grade_gpt"] = float(acc["check_in_g"].sum()) / ore
        for share, field in SHARE_FIELDS.items():
            kg = float((acc["products_g"] * acc[share]).sum()) / 1000.0
            if kg > 0:
                values[field] = kg
    ledger = waste_ledger(session, actor, [site.code])
    ledger = ledger[ledger["period"].isin(months)]
    for wtype, rows in ledger.sort_values("period").groupby("waste_type", sort=True):
        values[waste_column(str(wtype), "generated_t")] = float(rows["generated_t"].sum())
        values[waste_column(str(wtype), "stock_t")] = float(rows["opening_stock_t"].iloc[0])
        for route in WASTE_ROUTES:
            values[waste_column(str(wtype), f"used_{route}_t")] = float(
                rows[f"utilised_{route}_t"].sum())
    have_acc = set(acc["period"]) if not acc.empty else set()
    return ReportFigures(site.code, parsed.label,
                         {k: round(v, 6) for k, v in values.items()},
                         tuple(m for m in months if m not in have_acc),
                         tuple(m for m in months if m not in set(ledger["period"])))


def compare_with_report(session: Session, actor: Actor, site_code: str,
                        period: str) -> pd.DataFrame:
    """The figures of a plant's records beside those of its report in force.

    Returns
    -------
    pandas.DataFrame
        ``field, unit, records, report, matches`` (values in the field's unit; ``report`` NaN
        when the report does not carry the field or there is no report).
    """
    figures = report_figures(session, actor, site_code, period)
    current = reporting.current_reports(session, actor, [figures.site])
    row = current[current["period"] == figures.period]
    fields = reporting.reporting.FIELD_BY_NAME
    out = pd.DataFrame({"field": list(figures.values),
                        "unit": [fields[f].unit for f in figures.values],
                        "records": list(figures.values.values())})
    out["report"] = [float(row.iloc[0][f]) if not row.empty else np.nan for f in out["field"]]
    scale = np.maximum(np.abs(out["records"]), 1.0)
    # Reports carry 0.1 kg and 0.01 g/t: a difference within the report's rounding matches.
    tolerance = np.where(out["unit"] == "g/t", 0.005, 0.05 + 1e-9 * scale)
    out["matches"] = (out["records"] - out["report"]).abs() <= tolerance
    return out


def carry_into_report(session: Session, actor: Actor, site_code: str,
                      period: str) -> int:
    """Submit the figures of a plant's records as its report of the period.

    The report in force keeps its other fields; the account and ledger fields replace
    theirs. With no report yet, one is created with these fields.

    Returns
    -------
    int
        Id of the new report version.

    Raises
    ------
    ValidationError
        When a month of the period has no account or no ledger line.
    ConflictError
        When the report already carries these figures.
    """
    figures = report_figures(session, actor, site_code, period)
    if not figures.complete:
        gaps = [f"no metal account for {', '.join(figures.missing_accounts)}"
                if figures.missing_accounts else "",
                f"no waste ledger for {', '.join(figures.missing_ledger)}"
                if figures.missing_ledger else ""]
        raise ValidationError(f"{figures.site} {figures.period} is not complete: "
                              + "; ".join(g for g in gaps if g))
    compared = compare_with_report(session, actor, site_code, period)
    if compared["matches"].all():
        raise ConflictError(f"the report of {figures.site} for {figures.period} already "
                            "carries the figures of its records")
    current = reporting.current_reports(session, actor, [figures.site])
    row = current[current["period"] == figures.period]
    values: dict[str, object] = {}
    if not row.empty:
        values = {k: v for k, v in row.iloc[0].items()
                  if k in reporting.reporting.FIELD_BY_NAME and pd.notna(v)}
    values.update(figures.values)
    why = (f"gold, ore and solid waste from the metal accounts and the waste ledger of "
           f"{figures.period}")
    version = reporting.submit(session, actor, figures.site, figures.period, values,
                               reason=why if not row.empty else None)
    return version.id
