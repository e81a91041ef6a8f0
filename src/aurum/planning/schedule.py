"""Pit-by-pit reporting and the best- and worst-case discounted value of each pit.

For a chosen final pit, two simple schedules bracket the value a real schedule can reach
(Whittle's convention): the **best case** mines the nested pits one after another, each
increment top-down, so high-value inner pits come first; the **worst case** mines the final
pit bench by bench over its whole width. Both mine ``rate_t_per_year`` tonnes a year; a year's
cash flow is the value of the blocks mined in it, discounted at the end of the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aurum.planning.maxclosure import NestedPits


def _npv(order: np.ndarray, tonnes: np.ndarray, value: np.ndarray, rate_t_per_year: float,
         discount_rate: float) -> tuple[float, float]:
    """(NPV, life in years) of mining ``order`` at a constant tonnage rate.

    Only the years in which a block is mined get a cash flow: memory grows with the blocks,
    never with the life, which a low rate can make billions of years long."""
    if order.size == 0:
        return 0.0, 0.0
    cum = np.cumsum(tonnes[order])
    year = np.floor((cum - tonnes[order]) / rate_t_per_year)
    mined, of_block = np.unique(year, return_inverse=True)
    flows = np.bincount(of_block, weights=value[order])
    factors = (1.0 + discount_rate) ** -(mined + 1.0)
    return float((flows * factors).sum()), float(cum[-1] / rate_t_per_year)


def pit_by_pit(nested: NestedPits, tonnes: np.ndarray, grade: np.ndarray, ore: np.ndarray,
               value: np.ndarray, bench: np.ndarray, rate_t_per_year: float,
               discount_rate: float) -> pd.DataFrame:
    """The table of nested pits with their best- and worst-case discounted values.

    Parameters
    ----------
    nested : NestedPits
        Pits by revenue factor.
    tonnes : numpy.ndarray
        Tonnes per block, t.
    grade : numpy.ndarray
        Gold grade per block, g/t.
    ore : numpy.ndarray
        Boolean per block: sent to a processing destination.
    value : numpy.ndarray
        Value of each block at revenue factor 1 (e.g. CNY).
    bench : numpy.ndarray
        Bench index of each block, 0 at the top.
    rate_t_per_year : float
        Total material mined a year, t/a.
    discount_rate : float
        Annual discount rate (0.08 for 8 %).

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor``, ``tonnes_t``, ``ore_t``, ``waste_t``,
        ``strip_ratio``, ``grade_gpt`` (of the ore), ``gold_kg``, ``value`` (undiscounted, at
        factor 1), ``best_npv``, ``worst_npv``, ``life_years``.
    """
    rows = []
    for k, factor in enumerate(nested.factors):
        pit = nested.pit(k)
        t = tonnes[pit]
        is_ore = ore[pit]
        ore_t = float(t[is_ore].sum())
        gold_kg = float((t[is_ore] * grade[pit][is_ore]).sum() / 1000.0)
        ids = np.flatnonzero(pit)
        # Best: increment by increment, each top-down; worst: the whole pit top-down.
        best_order = ids[np.lexsort((bench[ids], nested.first_pit[ids]))]
        worst_order = ids[np.argsort(bench[ids], kind="stable")]
        best, life = _npv(best_order, tonnes, value, rate_t_per_year, discount_rate)
        worst, _ = _npv(worst_order, tonnes, value, rate_t_per_year, discount_rate)
        total = float(t.sum())
        rows.append({"factor": float(factor), "tonnes_t": total, "ore_t": ore_t,
                     "waste_t": total - ore_t,
                     "strip_ratio": (total - ore_t) / ore_t if ore_t else np.nan,
                     "grade_gpt": gold_kg * 1000.0 / ore_t if ore_t else np.nan,
                     "gold_kg": gold_kg, "value": float(value[pit].sum()),
                     "best_npv": best, "worst_npv": worst, "life_years": life})
    return pd.DataFrame(rows)
