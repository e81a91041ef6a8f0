"""Cut-off grades: break-even, marginal, and Lane's optimum under capacity limits.

Units: grades in g/t, prices and selling costs in CNY per gram of gold (CNY/g), mining and
processing costs in CNY per tonne (CNY/t), capacities in tonnes of material (mining) or ore
(milling) per year and grams of recovered gold per year (market/refinery), fixed costs in CNY
per year.

* Break-even cut-off (mine + process): the grade at which a tonne pays for being mined and
  processed, ``(m + h) / ((p − r) y)``.
* Marginal cut-off (process only): for material that has to be mined anyway (the pit is
  set), the grade at which processing pays, ``h / ((p − r) y)``.
* Lane's optimum (K. F. Lane, *The Economic Definition of Ore*, 1988): with a mine, a mill
  and a market each of limited capacity, and time costs ``f`` (fixed costs per year, plus
  the opportunity cost ``d·V`` of Lane's dynamic version if wanted), each stage alone gives
  a *limiting* cut-off — mine ``g_m = h / ((p − r) y)``, mill
  ``g_h = (h + f/H) / ((p − r) y)``, market ``g_k = h / ((p − r − f/K) y)`` — and each pair of
  stages a *balancing* cut-off from the grade–tonnage distribution, where both run full —
  mine/mill ``x(g) = H/M``, mill/market ``y ḡ(g) = K/H``, mine/market ``y x(g) ḡ(g) = K/M``
  (x the ore fraction of the material, ḡ the mean grade of the ore). The effective cut-off of
  a pair is the middle value of its two limiting cut-offs and its balancing cut-off; the
  optimum is the middle value of the three effective cut-offs. It maximises the profit per
  tonne of material ``(p − r) y x ḡ − h x − m − f · max(1/M, x/H, y x ḡ/K)``
  (:func:`lane_profit`), which the tests check by brute force.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


def _check(name: str, value: float, low: float = 0.0, strict: bool = False,
           infinite: bool = False) -> None:
    ok = isinstance(value, int | float | np.integer | np.floating) and not math.isnan(value)
    ok = ok and (infinite or math.isfinite(value))
    ok = ok and (value > low if strict else value >= low)
    if not ok:
        raise ValidationError(Problem(
            (_("%(name)s = %(value)r: expected a number > %(low)s") if strict else
             _("%(name)s = %(value)r: expected a number >= %(low)s"))
            % {"name": name, "value": value, "low": format(low, "g")}))


def _net(price_cny_per_g: float, selling_cny_per_g: float, recovery: float) -> float:
    _check("price_cny_per_g", price_cny_per_g, strict=True)
    _check("selling_cny_per_g", selling_cny_per_g)
    _check("recovery", recovery, strict=True)
    if recovery > 1:
        raise ValidationError(Problem(_("recovery = %(recovery)r: expected a fraction in "
                                        "(0, 1] (e.g. 0.92 for 92 %%)", recovery=recovery)))
    if selling_cny_per_g >= price_cny_per_g:
        raise ValidationError(Problem(
            _("selling cost %(cost)s CNY/g is not below the price %(price)s CNY/g",
              cost=format(selling_cny_per_g, "g"), price=format(price_cny_per_g, "g"))))
    return (price_cny_per_g - selling_cny_per_g) * recovery


def breakeven_cutoff(price_cny_per_g: float, recovery: float, processing_cny_per_t: float,
                     mining_cny_per_t: float, selling_cny_per_g: float = 0.0) -> float:
    """Break-even cut-off grade: mining and processing a tonne at this grade pays nothing.

    Parameters
    ----------
    price_cny_per_g : float
        Gold price, CNY/g.
    recovery : float
        Process recovery, fraction in (0, 1].
    processing_cny_per_t : float
        Processing cost (with G&A if it counts), CNY/t of ore.
    mining_cny_per_t : float
        Mining cost, CNY/t.
    selling_cny_per_g : float
        Selling cost (refining, transport, royalty), CNY/g recovered.

    Returns
    -------
    float
        ``(mining + processing) / ((price − selling) × recovery)``, g/t.
    """
    _check("processing_cny_per_t", processing_cny_per_t)
    _check("mining_cny_per_t", mining_cny_per_t)
    return (mining_cny_per_t + processing_cny_per_t) / _net(price_cny_per_g,
                                                            selling_cny_per_g, recovery)


def marginal_cutoff(price_cny_per_g: float, recovery: float, processing_cny_per_t: float,
                    selling_cny_per_g: float = 0.0) -> float:
    """Marginal cut-off grade: for material mined anyway, processing at this grade pays
    nothing: ``processing / ((price − selling) × recovery)``, g/t.

    The parameters are those of :func:`breakeven_cutoff` without the mining cost.
    """
    _check("processing_cny_per_t", processing_cny_per_t)
    return processing_cny_per_t / _net(price_cny_per_g, selling_cny_per_g, recovery)


@dataclass(frozen=True)
class GradeTonnage:
    """A grade–tonnage distribution: tonnes per grade class, the grade uniform within each
    class (so that tonnage and metal above a cut-off vary continuously).

    Parameters
    ----------
    edges_gpt : numpy.ndarray
        Class limits, g/t, increasing, shape (k + 1,).
    tonnes : numpy.ndarray
        Tonnes in each class, t, shape (k,).
    """

    edges_gpt: np.ndarray
    tonnes: np.ndarray

    def __post_init__(self) -> None:
        e = np.asarray(self.edges_gpt, dtype=np.float64)
        t = np.asarray(self.tonnes, dtype=np.float64)
        if e.ndim != 1 or t.ndim != 1 or len(e) != len(t) + 1 or len(t) == 0:
            raise ValidationError(Problem(
                _("edges_gpt %(edges)s and tonnes %(tonnes)s: expected k + 1 class limits "
                  "and k tonnages", edges=e.shape, tonnes=t.shape)))
        if not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0) or e[0] < 0:
            raise ValidationError(Problem(_("edges_gpt: expected increasing grades >= 0 g/t")))
        if not np.all(np.isfinite(t)) or np.any(t < 0) or t.sum() <= 0:
            raise ValidationError(Problem(_("tonnes: expected tonnages >= 0 t, not all 0")))
        object.__setattr__(self, "edges_gpt", e)
        object.__setattr__(self, "tonnes", t)

    @classmethod
    def from_blocks(cls, tonnes: np.ndarray, grade_gpt: np.ndarray,
                    bins: int = 200) -> GradeTonnage:
        """Grade classes of equal width from 0 to the highest grade.

        Parameters
        ----------
        tonnes : numpy.ndarray
            Block masses, t.
        grade_gpt : numpy.ndarray
            Block grades, g/t.
        bins : int
            Number of classes.
        """
        g = np.asarray(grade_gpt, dtype=np.float64)
        top = float(g.max()) if g.size else 0.0
        edges = np.linspace(0.0, top if top > 0 else 1.0, bins + 1)
        counts, _edges = np.histogram(g, bins=edges, weights=np.asarray(tonnes, dtype=np.float64))
        return cls(edges, counts)

    @property
    def total_tonnes(self) -> float:
        return float(self.tonnes.sum())

    def above(self, cutoff_gpt: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Tonnes and metal above cut-offs.

        Parameters
        ----------
        cutoff_gpt : numpy.ndarray or float
            Cut-off grades, g/t.

        Returns
        -------
        tonnes : numpy.ndarray
            Tonnes at or above each cut-off, t.
        metal : numpy.ndarray
            Gold contained in them, g.
        """
        c = np.asarray(cutoff_gpt, dtype=np.float64)[..., None]
        a, b = self.edges_gpt[:-1], self.edges_gpt[1:]
        lo = np.clip(c, a, b)
        share = (b - lo) / (b - a)
        tonnes = (self.tonnes * share).sum(axis=-1)
        metal = (self.tonnes * share * (b + lo) / 2.0).sum(axis=-1)
        return tonnes, metal


@dataclass(frozen=True)
class LaneEconomics:
    """Prices, costs and capacities of Lane's three-stage model.

    Parameters
    ----------
    price_cny_per_g : float
        Gold price p, CNY/g.
    recovery : float
        Process recovery y, fraction in (0, 1].
    mining_cny_per_t : float
        Mining cost m, CNY/t of material.
    processing_cny_per_t : float
        Processing cost h, CNY/t of ore.
    fixed_cny_per_year : float
        Time costs f, CNY/year (fixed costs; add Lane's opportunity cost d·V for the
        dynamic version).
    mine_t_per_year : float
        Mining capacity M, t of material/year (``inf`` when not limiting).
    mill_t_per_year : float
        Milling capacity H, t of ore/year (``inf`` when not limiting).
    market_g_per_year : float
        Market or refinery capacity K, g recovered/year (``inf`` when not limiting).
    selling_cny_per_g : float
        Selling cost r, CNY/g recovered.
    """

    price_cny_per_g: float
    recovery: float
    mining_cny_per_t: float
    processing_cny_per_t: float
    fixed_cny_per_year: float
    mine_t_per_year: float
    mill_t_per_year: float
    market_g_per_year: float
    selling_cny_per_g: float = 0.0

    def __post_init__(self) -> None:
        _net(self.price_cny_per_g, self.selling_cny_per_g, self.recovery)
        _check("mining_cny_per_t", self.mining_cny_per_t)
        _check("processing_cny_per_t", self.processing_cny_per_t)
        _check("fixed_cny_per_year", self.fixed_cny_per_year)
        for name in ("mine_t_per_year", "mill_t_per_year", "market_g_per_year"):
            _check(name, getattr(self, name), strict=True, infinite=True)

    @property
    def net_cny_per_g(self) -> float:
        """(p − r), CNY/g recovered."""
        return self.price_cny_per_g - self.selling_cny_per_g


@dataclass(frozen=True)
class LaneCutoffs:
    """Lane's cut-offs, g/t.

    Attributes
    ----------
    mine, mill, market : float
        Limiting cut-offs: the optimum when that stage alone limits the operation
        (``inf`` for the market when f/K leaves no margin).
    mine_mill, mill_market, mine_market : float
        Balancing cut-offs: both stages of the pair run at capacity (NaN when no grade of
        the distribution balances them: one stage binds at every grade).
    effective_mine_mill, effective_mill_market, effective_mine_market : float
        Middle value of each pair's two limiting cut-offs and its balancing cut-off (the
        limiting cut-off of the stage that binds at every grade when none balances).
    optimum : float
        Middle value of the three effective cut-offs.
    limited_by : str
        What sets the optimum: "mine", "mill", "market", or a balanced pair
        ("mine-mill", "mill-market", "mine-market").
    """

    mine: float
    mill: float
    market: float
    mine_mill: float
    mill_market: float
    mine_market: float
    effective_mine_mill: float
    effective_mill_market: float
    effective_mine_market: float
    optimum: float
    limited_by: str


def _middle(a: float, b: float, c: float) -> float:
    return sorted((a, b, c))[1]


def _balance(fn: Callable[[float], float], lo: float, hi: float) -> float:
    """Root of a monotone function on [lo, hi]; NaN when it keeps one sign there."""
    flo, fhi = fn(lo), fn(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if (flo > 0) == (fhi > 0):
        return math.nan
    return float(brentq(fn, lo, hi, xtol=1e-12, rtol=1e-12))


def _effective(low_binds: float, high_binds: float, balance: float,
               below_is_low: bool) -> float:
    """Effective cut-off of a pair of stages: the middle value of the two limiting cut-offs
    and the balancing one, or, when no grade balances them, the limiting cut-off of the
    stage that binds at every grade."""
    if math.isnan(balance):
        return low_binds if below_is_low else high_binds
    return _middle(low_binds, high_binds, balance)


def lane_cutoffs(distribution: GradeTonnage, economics: LaneEconomics) -> LaneCutoffs:
    """Lane's limiting, balancing and optimum cut-off grades.

    Parameters
    ----------
    distribution : GradeTonnage
        Grades and tonnages of the material to be mined (t, g/t).
    economics : LaneEconomics
        Price (CNY/g), recovery, costs (CNY/t, CNY/year) and capacities (t/year, g/year).

    Returns
    -------
    LaneCutoffs
        All cut-offs in g/t.
    """
    e = economics
    y, pr = e.recovery, e.net_cny_per_g
    M, H, K = e.mine_t_per_year, e.mill_t_per_year, e.market_g_per_year
    g_m = e.processing_cny_per_t / (pr * y)
    g_h = (e.processing_cny_per_t + e.fixed_cny_per_year / H) / (pr * y)
    margin = pr - e.fixed_cny_per_year / K
    g_k = e.processing_cny_per_t / (margin * y) if margin > 0 else math.inf
    total = distribution.total_tonnes
    lo, hi = float(distribution.edges_gpt[0]), float(distribution.edges_gpt[-1])

    def mill_over_mine(g: float) -> float:
        """> 0 where the mill binds rather than the mine (ore fraction above H/M)."""
        return float(distribution.above(g)[0]) / total - H / M

    def mill_over_market(g: float) -> float:
        """> 0 where the mill binds rather than the market (ore grade × y below K/H)."""
        t, metal = distribution.above(g)
        return K / H - (y * float(metal) / float(t) if t > 0 else y * hi)

    def market_over_mine(g: float) -> float:
        """> 0 where the market binds rather than the mine (recovered g/t material above
        K/M)."""
        return y * float(distribution.above(g)[1]) / total - K / M

    g_mh = _balance(mill_over_mine, lo, hi)
    g_hk = _balance(mill_over_market, lo, hi)
    g_mk = _balance(market_over_mine, lo, hi)
    e_mh = _effective(g_h, g_m, g_mh, mill_over_mine(lo) > 0)
    e_hk = _effective(g_h, g_k, g_hk, mill_over_market(lo) > 0)
    e_mk = _effective(g_k, g_m, g_mk, market_over_mine(lo) > 0)
    optimum = _middle(e_mh, e_hk, e_mk)
    named = {"mine": g_m, "mill": g_h, "market": g_k, "mine-mill": g_mh,
             "mill-market": g_hk, "mine-market": g_mk}
    limited_by = min((k for k in named if not math.isnan(named[k])),
                     key=lambda k: abs(named[k] - optimum))
    return LaneCutoffs(g_m, g_h, g_k, g_mh, g_hk, g_mk, e_mh, e_hk, e_mk, optimum, limited_by)


def lane_profit(distribution: GradeTonnage, economics: LaneEconomics,
                cutoff_gpt: np.ndarray | float) -> np.ndarray:
    """Profit per tonne of material mined at given cut-offs, Lane's objective.

    ``(p − r) y x ḡ − h x − m − f × max(1/M, x/H, y x ḡ/K)`` with x the ore fraction and
    x ḡ the grams per tonne of material above the cut-off: the time one tonne of material
    takes through the slowest stage, charged at the time costs.

    Parameters
    ----------
    distribution : GradeTonnage
        Grades and tonnages (t, g/t).
    economics : LaneEconomics
        Prices, costs and capacities.
    cutoff_gpt : numpy.ndarray or float
        Cut-off grades, g/t.

    Returns
    -------
    numpy.ndarray
        Profit, CNY per tonne of material.
    """
    e = economics
    tonnes, metal = distribution.above(cutoff_gpt)
    x = tonnes / distribution.total_tonnes
    q = e.recovery * metal / distribution.total_tonnes
    years = np.maximum(np.maximum(1.0 / e.mine_t_per_year, x / e.mill_t_per_year),
                       q / e.market_g_per_year)
    return (e.net_cny_per_g * q - e.processing_cny_per_t * x - e.mining_cny_per_t
            - e.fixed_cny_per_year * years)
