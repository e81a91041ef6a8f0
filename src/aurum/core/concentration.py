"""Concentration of a market or of supply sources: percentage shares and the
Herfindahl-Hirschman index, stated once for every domain that measures one (the industry's
producers in :func:`aurum.industry.kpi.concentration`, import partners in
:mod:`aurum.trade.imports`).

Scale: shares in per cent (0-100), so the HHI — the sum of the squared shares — runs from
near 0 (many tiny suppliers) to 10,000 (a single supplier), the scale of the US Department of
Justice and Federal Trade Commission's *Horizontal Merger Guidelines* (2010, section 5.3).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

HHI_MAX = 10_000.0
"""HHI of a single supplier (one share of 100 %)."""


def shares_pct(quantities: npt.ArrayLike) -> np.ndarray:
    """Each supplier's share of the total, in %.

    Parameters
    ----------
    quantities : array_like
        Non-negative quantities per supplier (any one unit: kg, USD...), total above 0.

    Returns
    -------
    numpy.ndarray
        Shares in per cent, summing to 100.
    """
    values = np.asarray(quantities, dtype=float)
    return 100.0 * values / values.sum()


def hhi(shares: npt.ArrayLike) -> float:
    """Herfindahl-Hirschman index of percentage shares: Σ sᵢ², 0-10,000.

    Parameters
    ----------
    shares : array_like
        Shares in per cent (:func:`shares_pct`); n equal shares give 10,000 / n.
    """
    values = np.asarray(shares, dtype=float)
    return float(np.dot(values, values))


def top_share(shares: npt.ArrayLike, k: int) -> float:
    """Sum of the ``k`` largest percentage shares (the top-``k`` concentration ratio), %."""
    values = np.sort(np.asarray(shares, dtype=float))[::-1]
    return float(values[:k].sum())
