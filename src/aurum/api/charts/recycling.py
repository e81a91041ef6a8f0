"""Charts of the gold-recycling ledger: purchases, mass balance and chain of custody."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aurum.api.charts.common import (
    GOLD,
    GREY,
    Figure,
    axis,
    base_layout,
    colour_of,
    right_axis,
    stacked_totals,
)
from aurum.api.labels import label
from aurum.core.i18n import _, format_number

CUSTODY_COLOURS = {"purchase": "#4c78a8", "shop": "#72b7b2", "lot": GOLD, "assay": "#9d755d",
                   "bar": "#e45756", "loss": GREY, "stock": "#bab0ac"}


def recycling_daily(purchases: pd.DataFrame) -> Figure:
    """Fine gold bought per business day (bars, g) and what was paid (line, CNY)."""
    if purchases.empty:
        return {"data": [], "layout": base_layout(_(
            "Fine gold bought and amounts paid per business day (Beijing time): no purchases "
            "yet"))}
    title = _("Fine gold bought and amounts paid per business day (Beijing time)")
    days = (purchases.assign(day=purchases["business_date"].astype(str))
            .groupby("day").agg(fine_gold_g=("fine_gold_g", "sum"),
                                amount_cny=("amount_cny", "sum")).reset_index())
    return {"data": [
        {"type": "bar", "name": _("fine gold (g)"), "x": days["day"].tolist(),
         "y": days["fine_gold_g"].round(3).tolist(), "marker": {"color": GOLD}},
        {"type": "scatter", "mode": "lines+markers", "name": _("amount (CNY)"),
         "x": days["day"].tolist(), "y": days["amount_cny"].round(2).tolist(), "yaxis": "y2",
         "line": {"color": "#4c78a8"}}],
        "layout": base_layout(title, xaxis=axis(_("business day"), type="date"),
                              yaxis=axis(_("fine gold (g)"), rangemode="tozero"),
                              yaxis2=right_axis(_("amount paid (CNY)"), rangemode="tozero"))}


def mass_balance_chart(balances: list[dict[str, Any]]) -> Figure:
    """Declared against assayed fine gold of each lot (g), lots beyond tolerance in red."""
    lots = [b["lot"] for b in balances]
    colours = [colour_of(b["status"]) if b["status"] in ("exception", "balanced") else GREY
               for b in balances]
    return {"data": [
        {"type": "bar", "name": _("declared at the counters (g)"), "x": lots,
         "y": [b["declared_g"] for b in balances], "marker": {"color": GOLD}},
        {"type": "bar", "name": _("assayed by the refiner (g)"), "x": lots,
         "y": [b["assayed_g"] for b in balances], "marker": {"color": colours}}],
        "layout": base_layout(_("Fine-gold mass balance of the lots"), barmode="group",
                              xaxis=axis(_("lot"), type="category"),
                              yaxis=axis(_("fine gold (g)")))}


def custody_sankey(graph: dict[str, list[dict[str, Any]]], max_purchases: int = 40) -> Figure:
    """The chain of custody of a bar as a Sankey diagram of fine gold (g): purchases (or their
    shops, when more than ``max_purchases``) → lots as declared → melt and assay → the bar,
    with what the melt lost and what the lots kept for other bars."""
    nodes = {n["id"]: n for n in graph["nodes"]}
    bar = next(n for n in graph["nodes"] if n["kind"] == "bar")
    purchases = [n for n in graph["nodes"] if n["kind"] == "purchase"]
    labels: list[str] = []
    colours: list[str] = []
    index: dict[str, int] = {}
    links: dict[tuple[int, int], float] = {}

    def node(key: str, label: str, kind: str) -> int:
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            colours.append(CUSTODY_COLOURS[kind])
        return index[key]

    def flow(source: int, target: int, grams: float) -> None:
        if grams > 0.0005:
            links[(source, target)] = links.get((source, target), 0.0) + grams

    by_shop = len(purchases) > max_purchases
    for p in purchases:
        source = (node(f"shop:{p['recycler']}/{p['shop']}",
                       _("shop %(recycler)s/%(shop)s", recycler=p["recycler"], shop=p["shop"]),
                       "shop") if by_shop else
                  node(p["id"], f"#{p['seq']} {label(p['item_type'])} {p['seller_id_masked']}",
                       "purchase"))
        lot = nodes[f"lot:{p['lot']}"]
        flow(source, node(lot["id"], _lot_label(lot["lot"], float(lot["declared_g"])), "lot"),
             float(p["fine_gold_g"]))
    target = node(bar["id"], _("bar %(serial)s %(grams)s g", serial=bar["serial"],
                                grams=_grams(float(bar["fine_gold_g"]))), "bar")
    for edge in graph["edges"]:
        if edge["target"] != bar["id"]:
            continue
        lot = nodes[edge["source"]]
        declared, assayed = float(lot["declared_g"]), float(lot["assayed_g"] or 0.0)
        lot_node = node(lot["id"], _lot_label(lot["lot"], declared), "lot")
        assay = node(f"assay:{lot['lot']}", _(
            "melt and assay %(lot)s: %(grams)s g (%(status)s)", lot=lot["lot"],
            grams=_grams(assayed), status=label(lot["status"])), "assay")
        flow(lot_node, assay, min(declared, assayed))
        flow(lot_node, node("loss", _("lost in the melt"), "loss"), declared - assayed)
        flow(assay, target, float(edge["fine_gold_g"]))
        flow(assay, node("stock", _("kept for other bars"), "stock"),
             assayed - float(edge["fine_gold_g"]))
    return {"data": [{
        "type": "sankey", "arrangement": "snap", "valueformat": ",.3f",
        "valuesuffix": " " + _("g"),
        "node": {"label": labels, "color": colours, "pad": 12, "thickness": 14},
        "link": {"source": [s for s, _ in links], "target": [t for _, t in links],
                 "value": [round(v, 3) for v in links.values()]}}],
        "layout": base_layout(_("Fine gold from the counters into bar %(serial)s",
                                serial=bar["serial"]),
                              height=max(360, min(1200, 14 * len(labels))))}


def _grams(value: float) -> str:
    """Grams to the milligram in the reader's language."""
    return format_number(value, 3)


def _lot_label(lot: str, declared_g: float) -> str:
    return _("lot %(lot)s declared %(grams)s g", lot=lot, grams=_grams(declared_g))


def labelled_totals(frame: pd.DataFrame, x: str, colour: str, title: str, unit: str,
                    value: str | None = None) -> Figure:
    """:func:`~aurum.api.charts.common.stacked_totals` with the ``colour`` column's machine
    keys (report kinds, states) shown by their labels in the legend."""
    return stacked_totals(frame, x, colour, title, unit, value, names=label)
