"""What the recycling pages and the API's table formats show, built from the service's reads:
routes parse, call one of these, and render (charts from the frames given here).

Sellers appear by keyed hash and masked document number only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.i18n import _, ngettext
from aurum.core.time import in_cst
from aurum.industry.registry import OrgType
from aurum.recycling.identity import IdType
from aurum.recycling.purchases import AssayMethod, ItemType, Origin, PaymentMethod
from aurum.services import cache, registry
from aurum.services.auth import Actor, Role
from aurum.services.recycling.custody import custody_chain
from aurum.services.recycling.intake import Appended
from aurum.services.recycling.ledger import (
    LedgerKeys,
    checked_tree_head,
    entry_proof,
    get_entry,
    ledger_status,
    list_entries,
    list_tree_heads,
)
from aurum.services.recycling.purchases import purchases_in_force
from aurum.services.recycling.reports import (
    INBOX_READERS,
    RECEIVERS,
    SCREENERS,
    SUBMITTERS,
    list_reports,
    regulator_inbox,
)
from aurum.services.recycling.statistics import recycled_totals, statistics_link

PAGE_SIZE = 50
"""Entries per page of the ledger page."""
INTAKE_FIELDS = ("recycler", "shop", "seller_id_type", "seller_id_number", "seller_name",
                 "item_type", "gross_weight_g", "fineness_permille", "assay_method",
                 "price_per_g_cny", "amount_cny", "payment_method", "occurred_at", "origin",
                 "origin_statement")
"""The intake form's fields: the purchase file's columns."""
INTAKE_CHOICES = {"seller_id_type": [t.value for t in IdType],
                  "item_type": [t.value for t in ItemType],
                  "assay_method": [t.value for t in AssayMethod],
                  "payment_method": [t.value for t in PaymentMethod],
                  "origin": [t.value for t in Origin]}
"""The values the intake form offers, the domain's vocabularies."""
INTAKE_KEPT = ("recycler", "shop", "assay_method", "payment_method", "item_type",
               "seller_id_type", "origin")
"""Fields the form keeps after a purchase is stored, for the next one at the same counter."""
APPENDERS = (Role.ADMIN, Role.RECYCLER)
"""Who the intake page offers the form to."""
TOTALS_BY = ("recycler", "province", "month")
"""What recycled-gold totals can be grouped by."""


def permissions(actor: Actor) -> dict[str, bool]:
    """What the recycling pages offer the actor, by the rules of the service functions they
    call: ``can_append``, ``can_screen``, ``can_submit``, ``can_acknowledge`` and
    ``reads_inbox`` (every recycling page renders with them)."""
    return {"can_append": actor.role in APPENDERS, "can_screen": actor.role in SCREENERS,
            "can_submit": actor.role in SUBMITTERS,
            "can_acknowledge": actor.role in RECEIVERS,
            "reads_inbox": actor.role in INBOX_READERS}


def _now_local() -> str:
    """The intake form's clock: Beijing time to the minute."""
    return in_cst().strftime("%Y-%m-%dT%H:%M")


def _recyclers(session: Session, actor: Actor) -> list[str]:
    """Codes offered in the intake form: the actor's recycling organisations (all of them
    for administrators); a recycler is registered under its organisation's code."""
    return [o.code for o in registry.list_organisations(session, actor)
            if o.org_type == OrgType.RECYCLING.value]


def intake_view(session: Session, actor: Actor, form: Mapping[str, str] | None = None,
                appended: dict[str, Any] | None = None) -> dict[str, Any]:
    """The intake page: the form's values (as typed after a refusal, the page puts the
    problems at their fields), the purchase just stored, the ``recent`` purchases (newest
    first) and ``daily`` (the purchases for the daily chart).

    Parameters
    ----------
    form : mapping, optional
        Values to show in the form (default: a new purchase at the actor's first recycler).
    appended : dict, optional
        The purchase just stored (:func:`appended_view`).
    """
    recyclers = _recyclers(session, actor)
    form = dict(form or {"recycler": recyclers[0] if recyclers else "", "shop": "S-1",
                         "occurred_at": _now_local(), "seller_id_type": "resident_id",
                         "item_type": "jewellery", "payment_method": "cash",
                         "assay_method": "xrf", "origin": "undeclared"})
    purchases = purchases_in_force(session, actor)
    return {"form": form, "choices": INTAKE_CHOICES,
            "recyclers": recyclers, "appended": appended, "daily": purchases.tail(5000),
            "recent": purchases.tail(10).iloc[::-1]}


def refused_form(values: Mapping[str, str]) -> dict[str, str]:
    """The form shown again after a refusal: as typed, but not the seller's document number
    (a refused form does not echo it)."""
    return {**values, "seller_id_number": ""}


def next_form(values: Mapping[str, str]) -> dict[str, str]:
    """The form after a purchase is stored: the counter's fields kept, the clock now."""
    return {**{k: values[k] for k in INTAKE_KEPT if k in values},
            "occurred_at": _now_local()}


def appended_view(session: Session, actor: Actor, keys: LedgerKeys, appended: Appended
                  ) -> dict[str, Any]:
    """A purchase just stored, as the intake page shows it: the append's JSON with its
    ``seq``, its ``entry``, its inclusion ``proof`` and the checked signed ``head``."""
    done = appended.as_dict()
    seq = done["seqs"][0]
    return done | {"seq": seq, "entry": get_entry(session, actor, seq),
                   "proof": entry_proof(session, actor, seq),
                   "head": checked_tree_head(appended.signed_tree_head, keys)}


_WHAT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "purchase": lambda b: _("%(recycler)s/%(shop)s %(grams)s g × %(fineness)s ‰",
                            recycler=b["recycler"], shop=b["shop"], grams=b["gross_weight_g"],
                            fineness=b["fineness_permille"]),
    "correction": lambda b: (_("reverse entry %(target)s: %(reason)s", target=b["target"],
                                reason=b["reason"]) if b["action"] == "reverse" else
                              _("amend entry %(target)s: %(reason)s", target=b["target"],
                                reason=b["reason"])),
    "lot": lambda b: ngettext("lot %(lot)s %(recycler)s → %(refiner)s (%(num)s purchase)",
                              "lot %(lot)s %(recycler)s → %(refiner)s (%(num)s purchases)",
                              len(b["purchases"]), lot=b["lot"], recycler=b["recycler"],
                              refiner=b["refiner"]),
    "assay": lambda b: _("assay of lot %(lot)s", lot=b["lot"]),
    "bar": lambda b: _("bar %(serial)s by %(refiner)s", serial=b["serial"],
                       refiner=b["refiner"])}
"""One line on an entry of each kind, from its body, in the reader's language."""
_TERMS = {"purchase": ("item_type", "payment_method"), "assay": ("method",)}
"""Machine keys of an entry's body the ledger page shows after its line, by their labels."""


def entry_rows(entries: list[dict[str, Any]], purchases: pd.DataFrame
               ) -> list[dict[str, Any]]:
    """What the ledger page shows of each entry: sellers by masked document number; the
    ``terms`` of the body that are machine keys (an item type...) for the page to label."""
    masked = dict(zip(purchases["seq"], purchases["seller_id_masked"], strict=True)) \
        if not purchases.empty else {}
    rows = []
    for e in entries:
        body = e["entry"]
        what = _WHAT.get(e["kind"], lambda b: "")(body)
        rows.append({"seq": e["seq"], "kind": e["kind"], "recorded_at": e["recorded_at"][:19],
                     "what": what, "terms": [body[k] for k in _TERMS.get(e["kind"], ())],
                     "seller": masked.get(e["seq"], ""),
                     "fine_gold_g": float(body["fine_gold_g"]) if "fine_gold_g" in body
                     else None,
                     "amount_cny": float(body["amount_cny"]) if "amount_cny" in body else None,
                     "leaf_hash": e["leaf_hash"], "serial": body.get("serial")})
    return rows


def ledger_view(session: Session, actor: Actor, keys: LedgerKeys, offset: int = 0,
                proof: int | None = None) -> dict[str, Any]:
    """The ledger page: the log's status and checked signed head, a page of the entries the
    actor may read, the inclusion proof of entry ``proof`` if asked, totals of the purchases
    in force and ``daily`` (the purchases, for the daily chart)."""
    status = ledger_status(session)
    head = status["signed_tree_head"]
    purchases = purchases_in_force(session, actor)
    entries = list_entries(session, actor, offset, PAGE_SIZE)
    return {"status": status, "head": None if head is None else checked_tree_head(head, keys),
            "rows": entry_rows(entries, purchases), "offset": offset,
            "page_size": PAGE_SIZE, "daily": purchases,
            "proof": None if proof is None or head is None
            else entry_proof(session, actor, proof),
            "purchases": len(purchases),
            "fine_gold_g": float(purchases["fine_gold_g"].sum()) if len(purchases) else 0.0,
            "amount_cny": float(purchases["amount_cny"].sum()) if len(purchases) else 0.0}


def reports_view(session: Session, actor: Actor) -> dict[str, Any]:
    """The reports page: ``due`` (due or overdue) and ``sent`` reports, and ``by_month``
    (every report with the ``month`` it is due in, for the chart)."""
    reports = list_reports(session, actor, "all")
    frame = pd.DataFrame(reports)
    return {"due": [r for r in reports if r["status"] in ("due", "overdue")],
            "sent": [r for r in reports if r["status"] == "submitted"],
            "by_month": frame.assign(month=frame["due_on"].str[:7]) if len(frame) else frame}


def custody_view(session: Session, actor: Actor, serial: str) -> dict[str, Any]:
    """A bar's custody page: the ``bar``, its ``lots`` (with the fine gold each gave to the
    bar, ``into_bar_g``), the ``purchases`` in them and the ``graph`` for the Sankey chart."""
    graph = custody_chain(session, actor, serial)
    bar = next(n for n in graph["nodes"] if n["kind"] == "bar")
    into_bar = {e["source"].removeprefix("lot:"): e["fine_gold_g"] for e in graph["edges"]
                if e["target"] == bar["id"]}
    return {"bar": bar, "graph": graph,
            "lots": [lot | {"into_bar_g": into_bar.get(lot["lot"])}
                     for lot in graph["nodes"] if lot["kind"] == "lot"],
            "purchases": [n for n in graph["nodes"] if n["kind"] == "purchase"]}


def regulator_view(session: Session, actor: Actor) -> dict[str, Any]:
    """The regulator's page: the ``inbox``, recycled gold by province and month
    (``volumes``), the ledger beside the statistical reports (``statistics``, and
    ``national`` per quarter), and the frames of its charts (``inbox_by_month``); kept per
    data version and role (:func:`aurum.services.cache.scope_key`)."""
    def compute() -> dict[str, Any]:
        received = regulator_inbox(session, actor)
        volumes = pd.DataFrame(recycled_totals(session, actor, ("province", "month")))
        link = statistics_link(session, actor)
        return {"inbox": received, "volumes": volumes, "statistics": link,
                "inbox_by_month": pd.DataFrame(
                    [{"month": i["submitted_at"][:7], "kind": i["report"]["kind"]}
                     for i in received], columns=["month", "kind"]),
                "national": link.groupby("period", as_index=False)[
                    ["ledger_fine_gold_kg", "reported_gold_recycled_kg"]].sum(min_count=1)}

    return cache.cached(cache.scope_key(session, actor, "recycling-regulator", actor.role),
                        compute)


# --- tables of the API's csv and xlsx formats ---------------------------------------------------


def entries_table(entries: list[dict[str, Any]]) -> pd.DataFrame:
    """Entries as a table: the entry's fields as ``entry.*`` columns, lists as JSON text."""
    frame = pd.json_normalize([{k: v for k, v in e.items() if k != "entry"}
                               | {f"entry.{k}": v for k, v in e["entry"].items()}
                               for e in entries])
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, list | dict)).any():
            frame[column] = frame[column].map(
                lambda v: json.dumps(v) if isinstance(v, list | dict) else v)
    return frame


def tree_heads_table(session: Session, limit: int) -> pd.DataFrame:
    """The latest signed tree heads as a table, newest first."""
    return pd.DataFrame(list_tree_heads(session, limit))


def reports_table(reports: list[dict[str, Any]]) -> pd.DataFrame:
    """Reports as a table: entries as one space-separated cell."""
    return pd.DataFrame([r | {"entries": " ".join(map(str, r["entries"]))} for r in reports])


def inbox_table(inbox: list[dict[str, Any]]) -> pd.DataFrame:
    """The inbox as a table: the report's fields as ``report_*`` columns."""
    return pd.DataFrame([{k: v for k, v in i.items() if k != "report"}
                         | {f"report_{k}": v for k, v in i["report"].items()
                            if k not in ("entries",)}
                         | {"report_entries": " ".join(map(str, i["report"]["entries"]))}
                         for i in inbox])


def records_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows a service lists (mass balances...) as a table."""
    return pd.DataFrame(rows)


def totals_table(session: Session, actor: Actor, by: Sequence[str]) -> pd.DataFrame:
    """Recycled gold per ``by`` (:func:`recycled_totals`) as a table, with its columns even
    when empty."""
    rows = recycled_totals(session, actor, by)
    if rows:
        return pd.DataFrame(rows)
    return pd.DataFrame(columns=[*by, "purchases", "fine_gold_g", "amount_cny",
                                 "fine_gold_kg"])
