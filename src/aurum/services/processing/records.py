"""A plant's records as its page and the plants index show them, computed when the records
change and stored with their version (:mod:`aurum.services.derived`), so that no page view
computes them.

The stored result of a plant (:data:`PLANT_RECORDS`, subject its site code) holds its account
table, the state of its chain of closed months, its circuit versions, its waste ledger in force
with the monthly utilisation, the quarters with records, and a summary for the plants index
(latest month, its recovery, latest closed month, and the ledger's tonnages per year). Its
version is :func:`plant_versions`: the count and newest id of the plant's circuits, accounts,
closings and ledger lines, all append-only, so any write of them is a new version.

The writers (:mod:`.accounting`, :mod:`.waste`, :mod:`.circuit`) call :func:`refresh` with
the plants they wrote; the plants a transaction wrote are computed together when it commits,
from one query per table (an upload of a district's accounts is one computation). A plant
whose result is missing (records written before results were stored) is computed by a
``derive`` job that its first view queues.

Units: t (ore, waste), g/t (grades), g (gold in accounts); rates are fractions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import stats
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError
from aurum.core.i18n import _
from aurum.core.jsonsafe import finite
from aurum.processing import waste as rules
from aurum.processing.accounting import CONFIDENCE
from aurum.services import derived, jobs, registry
from aurum.services.auth import Actor
from aurum.services.processing.common import accounts_frame, broken_links, ledger_frame
from aurum.store.models import (
    DerivedResult,
    MetalAccount,
    MetalAccountClosing,
    PlantCircuit,
    Site,
    WasteEntry,
)

_VERSIONED: tuple[Any, ...] = (PlantCircuit, MetalAccount, MetalAccountClosing, WasteEntry)
"""The append-only tables of a plant's records, whose counts and newest ids version them."""
EMPTY_VERSION = " ".join("0:" for _ in _VERSIONED)
"""The version of a plant without records."""


def plant_versions(session: Session, site_ids: Sequence[int]) -> dict[int, str]:
    """The version of the records of plants: per site id, the count and newest id of its
    circuits, accounts, closings and ledger lines (a site without records is left out).

    One grouped query per table, whatever the number of plants.
    """
    parts: dict[int, list[str]] = {}
    for i, table in enumerate(_VERSIONED):
        rows = session.execute(select(table.site_id, func.count(table.id), func.max(table.id))
                               .where(table.site_id.in_(list(site_ids)))
                               .group_by(table.site_id))
        for site_id, count, newest in rows:
            parts.setdefault(site_id, ["0:"] * len(_VERSIONED))[i] = f"{count}:{newest}"
    return {site_id: " ".join(p) for site_id, p in parts.items()}


def account_table(accounts: pd.DataFrame, confidence: float = CONFIDENCE) -> pd.DataFrame:
    """A plant's metal accounts in force by month, with what the page tables beside them.

    Parameters
    ----------
    accounts : pandas.DataFrame
        :func:`aurum.services.processing.accounting.accounts`.
    confidence : float
        Level of the interval of the unaccounted gold, dimensionless (default 0.95).

    Returns
    -------
    pandas.DataFrame
        ``accounts`` with ``inventory_change_g`` (closing − opening in-circuit inventory, g),
        ``ci_low_g`` and ``ci_high_g`` (interval of the unaccounted gold, g) and ``closed``
        (whether the month's account in force is locked).
    """
    half = stats.norm.ppf(0.5 + confidence / 2) * accounts["unaccounted_sd_g"].astype(float)
    return accounts.assign(
        inventory_change_g=accounts["closing_g"].astype(float)
        - accounts["opening_g"].astype(float),
        ci_low_g=accounts["unaccounted_g"].astype(float) - half,
        ci_high_g=accounts["unaccounted_g"].astype(float) + half,
        closed=accounts["sha256"].notna())


def record_quarters(account_months: pd.DataFrame, ledger_months: pd.DataFrame
                    ) -> pd.DataFrame:
    """The quarters in which plants have records, by plant, newest first.

    Parameters
    ----------
    account_months, ledger_months : pandas.DataFrame
        ``plant`` and ``period`` (``YYYY-MM``) of the metal accounts, of the ledger lines
        (repeats allowed).

    Returns
    -------
    pandas.DataFrame
        ``plant``, ``quarter`` (``YYYY-Qn``), ``account_months`` and ``ledger_months``
        (months of the quarter with a metal account, with a waste ledger line) and
        ``complete`` (all three months have both, so
        :func:`aurum.services.processing.carry_into_report` can carry it).
    """
    def per_quarter(months: pd.DataFrame) -> pd.Series:
        months = months[["plant", "period"]].drop_duplicates()
        quarter = pd.PeriodIndex(months["period"], freq="M").asfreq("Q").strftime("%Y-Q%q")
        return months.assign(quarter=quarter).groupby(["plant", "quarter"]).size()

    table = pd.concat({"account_months": per_quarter(account_months),
                       "ledger_months": per_quarter(ledger_months)}, axis=1)
    table = table.fillna(0).astype(int).rename_axis(["plant", "quarter"]).reset_index()
    table = table.sort_values(["plant", "quarter"], ascending=[True, False], ignore_index=True)
    table["complete"] = (table["account_months"] == 3) & (table["ledger_months"] == 3)
    return table


def circuit_record(circuit: PlantCircuit) -> dict[str, Any]:
    """A circuit version as plain data: ids, name, version, survey month, note, creation
    time and, when reconciled, its global test (``chi2, dof, p_value``) and the streams
    flagged with gross errors."""
    out: dict[str, Any] = {"id": circuit.id, "site": circuit.site.code, "name": circuit.name,
                           "version": circuit.version, "period": circuit.period,
                           "note": circuit.note, "created_at": circuit.created_at.isoformat()}
    summary = (circuit.reconciliation or {}).get("summary")
    if summary:
        out |= {k: summary[k] for k in ("chi2", "dof", "p_value", "gross_errors")}
    return finite(out)


@dataclass(frozen=True)
class PlantRecords:
    """A plant's records as its page shows them (the stored :data:`PLANT_RECORDS`).

    Attributes
    ----------
    accounts : pandas.DataFrame
        :func:`account_table`, oldest month first.
    broken : list of str
        Broken links of the chain of closed months (:func:`~aurum.services.processing.
        accounting.verify_closings`).
    circuits : list of dict
        Every circuit version (:func:`circuit_record`), by name then version.
    ledger : pandas.DataFrame
        The waste ledger in force, newest month first.
    monthly : pandas.DataFrame
        Utilisation per month (t; rates as fractions).
    quarters : pandas.DataFrame
        :func:`record_quarters`, newest first.
    """

    accounts: pd.DataFrame
    broken: list[str]
    circuits: list[dict[str, Any]]
    ledger: pd.DataFrame
    monthly: pd.DataFrame
    quarters: pd.DataFrame


# --- computed from the store, many plants at once ---------------------------------------------


def _with_years(ledger: pd.DataFrame) -> pd.DataFrame:
    return ledger.assign(year=ledger["period"].astype(str).str[:4])


def plant_payloads(session: Session, sites: Sequence[Site]) -> dict[str, tuple[str, Any]]:
    """The stored form of the records of plants (:data:`PLANT_RECORDS`): per site code, its
    version (:func:`plant_versions`) and payload. One query per table and one computation of
    each table for all the plants together, then cut per plant."""
    codes = {s.id: s.code for s in sites}
    versions = plant_versions(session, list(codes))
    accounts = accounts_frame(session, list(codes))
    accounts.insert(0, "plant", accounts["site_id"].map(codes))
    accounts = accounts.sort_values(["plant", "period"], ignore_index=True)
    ledger = ledger_frame(session, list(codes))
    ledger = ledger.assign(year=ledger["period"].astype(str).str[:4])
    broken = broken_links(session, list(codes))
    circuits: dict[int, list[dict[str, Any]]] = {}
    for c in session.scalars(select(PlantCircuit).where(PlantCircuit.site_id.in_(list(codes)))
                             .order_by(PlantCircuit.name, PlantCircuit.version)):
        circuits.setdefault(c.site_id, []).append(circuit_record(c))
    table = account_table(accounts)
    latest = accounts.drop_duplicates("plant", keep="last").set_index("plant")
    closed = table[table["closed"]].groupby("plant")["period"].max()
    yearly = rules.utilisation(ledger, "plant", ("year",))
    frames = {
        "accounts": _encoded_per_plant(table.drop(columns="site_id")),
        "ledger": _encoded_per_plant(ledger.drop(columns="year").sort_values(
            ["plant", "period", "waste_type"], ascending=[True, False, True])),
        "monthly": _encoded_per_plant(rules.utilisation(ledger, "plant", ("period",))),
        "quarters": _encoded_per_plant(record_quarters(accounts, ledger))}
    per_year: dict[str, list[Any]] = {}
    for row in yearly.to_dict(orient="records"):
        per_year.setdefault(row["plant"], []).append(row)
    out = {}
    for site_id, code in codes.items():
        summary = {"last_month": str(latest["period"].get(code, "")),
                   "recovery": float(latest["recovery"].get(code, float("nan"))),
                   "last_closed": str(closed.get(code, "")),
                   "yearly": per_year.get(code, [])}
        out[code] = (versions.get(site_id, EMPTY_VERSION), {
            "summary": summary, "broken": broken.get(site_id, []),
            "circuits": circuits.get(site_id, []),
            **{name: per_plant(code) for name, per_plant in frames.items()}})
    return out


def _encoded_per_plant(frame: pd.DataFrame) -> Any:
    """A frame sorted by ``plant``, as :func:`aurum.services.derived.encode_frame` gives it,
    cut per plant: a function of a plant's code that gives its rows (none for a plant not in
    the frame). Encoded once: cutting lists is what costs least per plant."""
    frame = frame.reset_index(drop=True)
    encoded = derived.encode_frame(frame)
    rows = {code: (int(idx[0]), int(idx[-1]) + 1)
            for code, idx in frame.groupby("plant", sort=False).indices.items()}

    def per_plant(code: str) -> dict[str, Any]:
        start, end = rows.get(code, (0, 0))
        return encoded | {"data": [column[start:end] for column in encoded["data"]]}

    return per_plant


_WRITTEN = "aurum.processing.plants-written"
"""Key of ``Session.info``: ids of the sites whose records the transaction wrote."""


def refresh(session: Session, site_ids: Sequence[int]) -> None:
    """Have the records of plants (:data:`PLANT_RECORDS`) computed and stored when the
    caller's transaction commits: the writers call it with the plants they wrote.

    The plants a transaction wrote are computed together, just before it commits (in it: the
    results are stored with the data they derive from, or not at all), so that a district's
    upload, or a plant's months closed one call at a time, costs one computation.
    """
    written = session.info.get(_WRITTEN)
    if written is None:
        written = session.info[_WRITTEN] = set()
        event.listen(session, "before_commit", _store_written)
    written.update(site_ids)


def _store_written(session: Session) -> None:
    written = session.info.get(_WRITTEN)
    if not written:
        return
    sites = list(session.scalars(select(Site).where(Site.id.in_(sorted(written)))))
    written.clear()
    for code, (version, payload) in plant_payloads(session, sites).items():
        derived.store(session, PLANT_RECORDS, code, version, payload)


def _site(session: Session, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFoundError(_("no site %(site)s", site=repr(code)))
    return site


def _version(session: Session, code: str) -> str:
    site_id = session.scalar(select(Site.id).where(Site.code == code))
    return plant_versions(session, [] if site_id is None else [site_id]).get(
        site_id or 0, EMPTY_VERSION)


def _compute(session: Session, _home: Path, code: str, report: derived.Progress
             ) -> tuple[str, Any]:
    report(0.0, _("records of %(site)s", site=code))
    return plant_payloads(session, [_site(session, code)])[code]


def _decode(payload: Mapping[str, Any]) -> PlantRecords:
    frames = {k: derived.decode_frame(payload[k])
              for k in ("accounts", "ledger", "monthly", "quarters")}
    return PlantRecords(frames["accounts"], list(payload["broken"]), list(payload["circuits"]),
                        frames["ledger"], frames["monthly"], frames["quarters"])


def _owner(session: Session, actor: Actor, code: str) -> jobs.Owner:
    site = registry.get_site(session, actor, code)
    return site.org_id, site.province


PLANT_RECORDS = derived.register(derived.Derivation(
    "plant-records", _version, _compute, _decode, _owner))
"""A plant's records as its page shows them (:class:`PlantRecords`): subject the site's code,
version :func:`plant_versions`; the payload's ``summary`` is what the plants index reads."""


def stored(session: Session, site_ids: Mapping[int, str]) -> tuple[dict[str, str], list[str]]:
    """The versions of the records of plants, and which of them are not stored (one grouped
    query per table, one query of the stored versions; no payload is read).

    Parameters
    ----------
    site_ids : mapping
        Site id → code of the plants wanted (sites without records are left out).

    Returns
    -------
    (dict, list)
        Per site code with records, its current version (:func:`plant_versions`); the codes
        whose result of that version is not stored.
    """
    current = {site_ids[i]: v for i, v in plant_versions(session, list(site_ids)).items()}
    kept = {subject: version for subject, version in session.execute(
        select(DerivedResult.subject, DerivedResult.version)
        .where(DerivedResult.kind == PLANT_RECORDS.kind,
               DerivedResult.subject.in_(list(current))))}
    return current, sorted(code for code, v in current.items() if kept.get(code) != v)


def summaries(session: Session, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The index summaries of plants as stored (:func:`stored` says which are current): per
    site code, ``last_month``, ``recovery``, ``last_closed`` and ``yearly``
    (:func:`aurum.processing.waste.utilisation` per year, as records)."""
    return {subject: summary for subject, summary in session.execute(
        select(DerivedResult.subject, DerivedResult.payload["summary"])
        .where(DerivedResult.kind == PLANT_RECORDS.kind,
               DerivedResult.subject.in_(list(codes))))}
