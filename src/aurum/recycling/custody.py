"""Custody of recycled gold: lots sent to a refiner, the fine-gold mass balance of each lot,
the chain from a refined bar back to every purchase in it, and recycled-gold totals.

Fine gold is conserved along the chain up to measurement: the recyclers' counter readings
(mostly XRF) summed over a lot are its *declared* fine gold, the refiner's melt and fire
assay its *assayed* fine gold; a difference beyond the stated tolerance is an exception to
investigate, recorded as such in the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from aurum.core.time import CHINA_STANDARD_TIME


@dataclass(frozen=True)
class MassBalance:
    """Fine-gold balance of lots (arrays, one value per lot).

    Parameters
    ----------
    declared_g : numpy.ndarray
        Sum of the counter measurements of the lot's purchases, g.
    assayed_g : numpy.ndarray
        Fine gold found by the refiner's assay, g.
    difference_g : numpy.ndarray
        ``assayed_g - declared_g``, g (negative: gold missing).
    tolerance_g : numpy.ndarray
        Largest accepted absolute difference, g.
    within : numpy.ndarray of bool
        ``|difference_g| <= tolerance_g``.
    """

    declared_g: np.ndarray
    assayed_g: np.ndarray
    difference_g: np.ndarray
    tolerance_g: np.ndarray
    within: np.ndarray


def mass_balance(declared_g: Sequence[float] | np.ndarray,
                 assayed_g: Sequence[float] | np.ndarray, relative_tolerance: float,
                 absolute_tolerance_g: float) -> MassBalance:
    """Compare declared and assayed fine gold of lots.

    Parameters
    ----------
    declared_g, assayed_g : array-like
        Fine gold per lot, g.
    relative_tolerance : float
        Accepted difference as a fraction of the declared fine gold (e.g. 0.02).
    absolute_tolerance_g : float
        Accepted difference added to the relative part, g.
    """
    declared = np.asarray(declared_g, float)
    assayed = np.asarray(assayed_g, float)
    difference = np.round(assayed - declared, 3)
    tolerance = np.round(relative_tolerance * declared + absolute_tolerance_g, 3)
    return MassBalance(declared, assayed, difference, tolerance,
                       np.abs(difference) <= tolerance)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def custody_graph(bar: dict[str, Any], inputs: pd.DataFrame, lots: pd.DataFrame,
                  purchases: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The chain of custody of a refined bar as nodes and edges (for a page to draw).

    Parameters
    ----------
    bar : dict
        ``serial``, ``refiner``, ``fine_gold_g`` (g) and any other fields to show.
    inputs : pandas.DataFrame
        ``lot`` (code) and ``fine_gold_g`` (g) taken from each lot into the bar.
    lots : pandas.DataFrame
        ``lot``, ``recycler``, ``declared_g``, ``assayed_g`` (g), ``within`` (mass balance).
    purchases : pandas.DataFrame
        ``seq``, ``lot``, ``recycler``, ``shop``, ``seller_id_masked``, ``item_type``,
        ``fine_gold_g`` (g), ``business_date``.

    Returns
    -------
    dict
        ``nodes`` (``id``, ``kind``: bar, lot, purchase, shop, recycler; and fields) and
        ``edges`` (``source``, ``target``, ``fine_gold_g``): gold flows from the purchases to
        the bar.
    """
    nodes = [{"id": f"bar:{bar['serial']}", "kind": "bar", **bar}]
    edges = []
    for lot in _records(lots):
        nodes.append({"id": f"lot:{lot['lot']}", "kind": "lot", **lot})
    for row in _records(inputs):
        edges.append({"source": f"lot:{row['lot']}", "target": f"bar:{bar['serial']}",
                      "fine_gold_g": row["fine_gold_g"]})
    for recycler in sorted(set(purchases["recycler"])):
        nodes.append({"id": f"recycler:{recycler}", "kind": "recycler", "code": recycler})
    for (recycler, shop), _ in purchases.groupby(["recycler", "shop"]):
        nodes.append({"id": f"shop:{recycler}/{shop}", "kind": "shop", "code": shop})
        edges.append({"source": f"recycler:{recycler}", "target": f"shop:{recycler}/{shop}",
                      "fine_gold_g": None})
    for p in _records(purchases):
        nodes.append({"id": f"purchase:{p['seq']}", "kind": "purchase", **p})
        edges.append({"source": f"shop:{p['recycler']}/{p['shop']}",
                      "target": f"purchase:{p['seq']}", "fine_gold_g": None})
        edges.append({"source": f"purchase:{p['seq']}", "target": f"lot:{p['lot']}",
                      "fine_gold_g": p["fine_gold_g"]})
    return {"nodes": nodes, "edges": edges}


def recycled_gold_totals(purchases: pd.DataFrame,
                         by: Sequence[str] = ("recycler", "province", "month")
                         ) -> pd.DataFrame:
    """Recycled gold for industry statistics.

    Parameters
    ----------
    purchases : pandas.DataFrame
        Purchases in force: ``recycler``, ``province`` (missing when unknown),
        ``occurred_at`` (timezone-aware), ``fine_gold_g`` (g), ``amount_cny`` (CNY).
    by : sequence of str
        Grouping among ``recycler``, ``province``, ``month`` (``YYYY-MM``, Beijing time).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``purchases`` (count), ``fine_gold_g`` (g), ``fine_gold_kg``
        (kg) and ``amount_cny`` (CNY), sorted by the ``by`` columns.
    """
    frame = purchases.assign(
        month=pd.to_datetime(purchases["occurred_at"], utc=True)
        .dt.tz_convert(CHINA_STANDARD_TIME).dt.strftime("%Y-%m"),
        province=purchases["province"].fillna("unknown"))
    keys = list(by)
    totals = (frame.groupby(keys, sort=True)
              .agg(purchases=("fine_gold_g", "size"), fine_gold_g=("fine_gold_g", "sum"),
                   amount_cny=("amount_cny", "sum"))
              .reset_index())
    totals["fine_gold_g"] = totals["fine_gold_g"].round(3)
    totals["fine_gold_kg"] = (totals["fine_gold_g"] / 1000).round(6)
    totals["amount_cny"] = totals["amount_cny"].round(2)
    return totals
