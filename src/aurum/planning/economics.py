"""Block economics: the value of mining a block and sending it to each destination.

Units: masses in tonnes (t), grades in grams of gold per tonne (g/t), money in yuan (CNY),
prices in CNY per gram (CNY/g) — a price quoted in US dollars per troy ounce (USD/oz) is
converted with an exchange rate in CNY per USD — unit costs in CNY per tonne (CNY/t) or CNY
per gram (CNY/g), elevations in metres (m).

Every block that is mined pays the mining cost; then it goes to the destination that gives
it the highest value:

* waste dump: ``−t × (mining + waste haulage/dumping)``;
* a process (mill, heap leach, ...): ``t × (g × R × (P − s) − c) − t × mining`` with grade g
  (g/t), recovery R (fraction), price P (CNY/g), selling cost s (refining, transport,
  royalty per gram sold, CNY/g) and processing cost c (CNY/t of ore, including the ore's
  share of general and administrative costs if they are to count).

The mining cost grows with depth: ``base + increment × max(0, reference − z) / interval``
(CNY/t), with z the elevation of the block's centre (m), so that with the interval equal to
the bench height and the reference at a bench's centre it adds ``increment`` per bench below
the reference. On ties a block goes to the first destination listed (waste before the
processes): a process has to pay strictly more than dumping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.units import GRAMS_PER_TROY_OUNCE

WASTE = "waste"


def price_cny_per_g(usd_per_oz: float, cny_per_usd: float) -> float:
    """Convert a gold price quoted in USD per troy ounce to CNY per gram.

    Parameters
    ----------
    usd_per_oz : float
        Price, USD per troy ounce (31.1034768 g).
    cny_per_usd : float
        Exchange rate, CNY per USD.

    Returns
    -------
    float
        Price, CNY/g.
    """
    _positive("usd_per_oz", usd_per_oz)
    _positive("cny_per_usd", cny_per_usd)
    return usd_per_oz * cny_per_usd / GRAMS_PER_TROY_OUNCE


def _finite(name: str, value: float) -> None:
    if not isinstance(value, int | float | np.integer | np.floating) \
            or not math.isfinite(float(value)):
        raise ValidationError(Problem(_("%(name)s = %(value)r: expected a finite number",
                                        name=name, value=value)))


def _positive(name: str, value: float) -> None:
    _finite(name, value)
    if value <= 0:
        raise ValidationError(Problem(_("%(name)s = %(value)r: expected a number > 0",
                                        name=name, value=value)))


def _non_negative(name: str, value: float) -> None:
    _finite(name, value)
    if value < 0:
        raise ValidationError(Problem(_("%(name)s = %(value)r: expected a number >= 0",
                                        name=name, value=value)))


@dataclass(frozen=True)
class Market:
    """What a gram of recovered gold sells for.

    Parameters
    ----------
    price_cny_per_g : float
        Gold price, CNY/g.
    selling_cny_per_g : float
        Selling cost per gram recovered (refining, transport, insurance, royalty), CNY/g;
        below the price.
    """

    price_cny_per_g: float
    selling_cny_per_g: float = 0.0

    def __post_init__(self) -> None:
        _positive("price_cny_per_g", self.price_cny_per_g)
        _non_negative("selling_cny_per_g", self.selling_cny_per_g)
        if self.selling_cny_per_g >= self.price_cny_per_g:
            raise ValidationError(Problem(
                _("selling cost %(cost)s CNY/g is not below the price %(price)s CNY/g: nothing "
                  "would be worth selling", cost=format(self.selling_cny_per_g, "g"),
                  price=format(self.price_cny_per_g, "g"))))

    @classmethod
    def from_usd_per_oz(cls, usd_per_oz: float, cny_per_usd: float,
                        selling_cny_per_g: float = 0.0) -> Market:
        """A market from a price in USD per troy ounce and an exchange rate in CNY per USD
        (selling cost in CNY/g)."""
        return cls(price_cny_per_g(usd_per_oz, cny_per_usd), selling_cny_per_g)

    @property
    def net_cny_per_g(self) -> float:
        """Price less selling cost, CNY/g."""
        return self.price_cny_per_g - self.selling_cny_per_g


@dataclass(frozen=True)
class Process:
    """A processing destination (mill, heap leach, ...).

    Parameters
    ----------
    name : str
        Destination name (e.g. "mill", "heap_leach").
    recovery : float
        Fraction of the gold fed that is recovered, in (0, 1].
    cost_cny_per_t : float
        Processing cost per tonne of ore fed, CNY/t.
    """

    name: str
    recovery: float
    cost_cny_per_t: float

    def __post_init__(self) -> None:
        _finite(f"{self.name} recovery", self.recovery)
        if not 0 < self.recovery <= 1:
            raise ValidationError(Problem(
                _("%(process)s recovery %(recovery)r: expected a fraction in (0, 1] (e.g. 0.92 "
                  "for 92 %%)", process=self.name, recovery=self.recovery)))
        _non_negative(f"{self.name} cost_cny_per_t", self.cost_cny_per_t)
        if self.name == WASTE:
            raise ValidationError(Problem(_("'%(waste)s' is the name of the waste dump; give "
                                            "the process another name", waste=WASTE)))


@dataclass(frozen=True)
class MiningCost:
    """Mining cost per tonne, growing with depth below a reference elevation.

    ``cost(z) = base + increment × max(0, reference − z) / interval`` (CNY/t), z the block
    centre's elevation (m).

    Parameters
    ----------
    base_cny_per_t : float
        Cost at and above the reference elevation, CNY/t.
    increment_cny_per_t : float
        Added cost per ``interval_m`` of depth below the reference, CNY/t.
    interval_m : float
        Depth interval the increment applies to, m (a bench height, or 10 m).
    reference_elevation_m : float
        Elevation below which the cost grows, m.
    """

    base_cny_per_t: float
    increment_cny_per_t: float = 0.0
    interval_m: float = 10.0
    reference_elevation_m: float = 0.0

    def __post_init__(self) -> None:
        _non_negative("base_cny_per_t", self.base_cny_per_t)
        _non_negative("increment_cny_per_t", self.increment_cny_per_t)
        _positive("interval_m", self.interval_m)
        _finite("reference_elevation_m", self.reference_elevation_m)

    def per_tonne(self, elevation_m: np.ndarray | float) -> np.ndarray:
        """Mining cost at the given elevations.

        Parameters
        ----------
        elevation_m : numpy.ndarray or float
            Elevations of block centres, m.

        Returns
        -------
        numpy.ndarray
            Mining cost, CNY/t.
        """
        depth = np.maximum(0.0, self.reference_elevation_m - np.asarray(elevation_m,
                                                                      dtype=np.float64))
        return self.base_cny_per_t + self.increment_cny_per_t * depth / self.interval_m


@dataclass(frozen=True)
class BlockValues:
    """Block values per destination and the best destination of each block.

    Attributes
    ----------
    destinations : tuple of str
        ``("waste", <process names>...)``; columns of ``values``.
    values : numpy.ndarray
        Value of mining the block and sending it to each destination, CNY, shape (n, k).
    best : numpy.ndarray
        Index of the best destination per block (into ``destinations``), shape (n,).
    value : numpy.ndarray
        The best value per block, CNY, shape (n,): the block value for the ultimate pit.
    mining_cost : numpy.ndarray
        Mining cost per block, CNY (t × CNY/t), shape (n,).
    """

    destinations: tuple[str, ...]
    values: np.ndarray
    best: np.ndarray
    value: np.ndarray
    mining_cost: np.ndarray

    def best_names(self) -> np.ndarray:
        """The best destination's name per block."""
        return np.asarray(self.destinations, dtype=object)[self.best]

    def sent_to(self, name: str) -> np.ndarray:
        """Boolean per block: the block's best destination is ``name``."""
        if name not in self.destinations:
            raise ValidationError(Problem(
                _("no destination %(name)r; destinations are %(destinations)s", name=name,
                  destinations=", ".join(self.destinations))))
        return self.best == self.destinations.index(name)


def block_values(tonnes: np.ndarray, grade_gpt: np.ndarray, elevation_m: np.ndarray | float,
                 market: Market, mining: MiningCost, processes: Sequence[Process],
                 waste_cny_per_t: float = 0.0) -> BlockValues:
    """Value of each block at each destination, and its best destination.

    Parameters
    ----------
    tonnes : numpy.ndarray
        Mass of each block, t, shape (n,).
    grade_gpt : numpy.ndarray
        Gold grade of each block, g/t, shape (n,).
    elevation_m : numpy.ndarray or float
        Elevation of each block's centre, m (e.g. ``grid.centres()[:, 2]``).
    market : Market
        Price and selling cost, CNY/g.
    mining : MiningCost
        Mining cost by elevation, CNY/t.
    processes : sequence of Process
        Processing destinations (recovery, CNY/t); names must differ.
    waste_cny_per_t : float
        Extra cost of sending a tonne to the waste dump (haulage, dumping), CNY/t.

    Returns
    -------
    BlockValues
        Values in CNY; the waste column is ``−t × (mining + waste)``, a process column
        ``t × (g × R × (P − s) − c − mining)``.
    """
    t = np.asarray(tonnes, dtype=np.float64)
    g = np.asarray(grade_gpt, dtype=np.float64)
    problems = []
    if t.ndim != 1 or g.shape != t.shape:
        problems.append(Problem(_("tonnes %(tonnes)s and grade_gpt %(grade)s: expected two "
                                  "1-D arrays of the same length, one entry per block",
                                  tonnes=t.shape, grade=g.shape)))
    else:
        for name, arr, unit in (("tonnes", t, "t"), ("grade_gpt", g, "g/t")):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
            if bad.size:
                problems.append(Problem(
                    _("%(name)s: %(n)s blocks with a negative or missing value, first block "
                      "%(block)s (%(value)r); expected %(unit)s >= 0", name=name, n=bad.size,
                      block=int(bad[0]), value=arr[bad[0]], unit=unit), column=name))
    names = [p.name for p in processes]
    if len(set(names)) != len(names):
        problems.append(Problem(_("process names repeat: %(names)s", names=", ".join(names))))
    if problems:
        raise ValidationError(problems)
    _non_negative("waste_cny_per_t", waste_cny_per_t)
    z = np.broadcast_to(np.asarray(elevation_m, dtype=np.float64), t.shape)
    mine_cost = t * mining.per_tonne(z)
    values = np.empty((len(t), 1 + len(processes)))
    values[:, 0] = -mine_cost - t * waste_cny_per_t
    for k, p in enumerate(processes, start=1):
        values[:, k] = t * (g * p.recovery * market.net_cny_per_g - p.cost_cny_per_t) \
            - mine_cost
    best = np.argmax(values, axis=1)
    value = values[np.arange(len(t)), best]
    return BlockValues((WASTE, *names), values, best, value, mine_cost)
