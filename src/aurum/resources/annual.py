"""The mine's annual reserve report (矿山储量年报): the year's movements by GB/T 17766-2020
category, as the Ministry of Natural Resources' table lays them out.

For each category (探明 measured, 控制 indicated, 推断 inferred; then 证实 proved and 可信
probable reserves when the data has them) the report gives ore (t), contained gold (kg) and
grade (g/t) of::

    closing = opening - mined - lost + exploration + re_estimation

* **opening / closing**: last year's and this year's year-end statements;
* **mined (采出)**: the ore mined during the year and its gold, allocated to the categories
  in proportion to the opening measured + indicated gold: a mine plans and mines the defined
  ore (GB/T 17766-2020 converts only 探明 and 控制 resources to reserves), so the inferred
  category is not drawn down by mining. When the opening has no measured or indicated gold the
  closing's is used, and failing both the whole of it is taken from the measured category;
* **lost (损失)**: ore left in the ground by mining, from a mining loss rate ``r`` (the fraction
  of the ore depleted in situ that is not recovered): ``lost = mined × r / (1 − r)`` at the
  mined grade, allocated like the mined ore; 0 when no rate is known;
* **exploration (勘查增减)**: ore in the blocks this year's model estimates and last year's did
  not, at last year's cut-off, by the class the new model gives them
  (:func:`exploration_from_blocks`, the ledger's rule :mod:`aurum.resources.ledger`); or, when
  the two models cannot be compared block by block, the ledger's exploration gold apportioned
  by :func:`apportion_exploration`;
* **re-estimation (重算增减)**: the balancing item (new data inside the old volume, new
  parameters, the cut-off change the ledger calls *economic*), so every row closes exactly.

Reserves are never added to resources (GB/T 17766-2020 keeps them apart): they have their own
rows and their own total. Reserve figures carry contained gold only (the statistical reports
hold no reserve ore), so their ore and grade are left empty.

A grade is metal ÷ ore where both have the same sign and the ore is not zero, else empty: a
balancing item that adds ore and removes gold has no grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.core.units import G_PER_KG
from aurum.resources.classify import ResourceClass
from aurum.resources.gbt17766 import RESERVE_CODES, RESOURCE_CODES, RULES, check_not_added

RESOURCES_TOTAL = "resources_total"
RESERVES_TOTAL = "reserves_total"
ITEMS = ("opening", "mined", "lost", "exploration", "re_estimation", "closing")
"""The table's movements, in order; mined and lost are positive amounts taken out."""
QUANTITIES = ("ore_t", "metal_kg", "grade_gpt")
"""Each movement's figures: ore (t), contained gold (kg), grade (g/t)."""
ITEM_TERMS = {"opening": "期初保有", "mined": "采出", "lost": "损失", "exploration": "勘查增减",
              "re_estimation": "重算增减", "closing": "期末保有"}
"""The ministry's table's own Chinese heading of each movement (terms of the form, not
translations: an English table prints them beside its headings)."""
QUANTITY_TERMS = {"ore_t": "矿石量", "metal_kg": "金属量", "grade_gpt": "品位"}
"""The table's Chinese heading of each figure."""
COLUMNS = tuple(f"{item}_{q}" for item in ITEMS for q in QUANTITIES)
"""Columns of :func:`annual_reserve_report`'s table."""

_CLASS_CODES = {ResourceClass.MEASURED: "measured", ResourceClass.INDICATED: "indicated",
                ResourceClass.INFERRED: "inferred"}


@dataclass(frozen=True)
class Amount:
    """An amount of ore and its contained gold.

    Parameters
    ----------
    ore_t : float
        Ore, t (NaN when unknown, as for reserves).
    metal_kg : float
        Contained gold, kg.
    """

    ore_t: float
    metal_kg: float

    @property
    def grade_gpt(self) -> float:
        """Grade, g/t: metal ÷ ore when both have the same sign and the ore is not zero."""
        return _grade(self.ore_t, self.metal_kg)

    def scaled(self, share: float) -> Amount:
        """This amount times ``share`` (a fraction)."""
        return Amount(self.ore_t * share, self.metal_kg * share)


ZERO = Amount(0.0, 0.0)
"""No ore and no gold: an empty opening, no exploration, nothing lost."""


def _grade(ore_t: float, metal_kg: float) -> float:
    if ore_t == 0 or not np.isfinite(ore_t) or ore_t * metal_kg < 0:
        return float("nan")
    return metal_kg * G_PER_KG / ore_t


def _shares(weights: Mapping[str, float], codes: tuple[str, ...]) -> dict[str, float] | None:
    total = sum(max(weights.get(c, 0.0), 0.0) for c in codes)
    if total <= 0:
        return None
    return {c: max(weights.get(c, 0.0), 0.0) / total for c in codes}


def mining_shares(opening: Mapping[str, Amount], closing: Mapping[str, Amount]
                  ) -> dict[str, float]:
    """Fractions of the year's mined and lost ore taken from each resource category.

    In proportion to the opening measured + indicated contained gold (kg); the closing's when
    the opening has none; everything from measured when neither has any (see the module).

    Parameters
    ----------
    opening, closing : mapping
        Resource category code → :class:`Amount` (t, kg).
    """
    defined = ("measured", "indicated")
    for statement in (opening, closing):
        shares = _shares({c: statement[c].metal_kg for c in defined}, defined)
        if shares is not None:
            return {**shares, "inferred": 0.0}
    return {"measured": 1.0, "indicated": 0.0, "inferred": 0.0}


def lost_ore(mined: Amount, loss_rate: float | None) -> Amount:
    """Ore and gold left in the ground when ``mined`` was mined.

    Parameters
    ----------
    mined : Amount
        Ore mined, t, and its gold, kg.
    loss_rate : float or None
        Mining loss rate, a fraction in [0, 1) of the ore depleted in situ; None when the
        data has none (nothing is counted as lost then).
    """
    if loss_rate is None:
        return ZERO
    if not 0.0 <= loss_rate < 1.0:
        raise ValueError(f"a mining loss rate is a fraction in [0, 1), got {loss_rate}")
    return mined.scaled(loss_rate / (1.0 - loss_rate))


def exploration_from_blocks(previous_grade: np.ndarray, tonnes: np.ndarray,
                            grade: np.ndarray, resource_class: np.ndarray,
                            previous_cutoff_gpt: float) -> dict[str, Amount]:
    """Ore and gold added by exploration, by resource category, from two models on one grid.

    A block is new when this year's model estimates it and last year's did not; it counts at
    last year's cut-off (the ledger's rule, :func:`aurum.resources.ledger.reserve_waterfall`)
    in the category this year's model gives it. Unclassified blocks are not resources and
    count nowhere.

    Parameters
    ----------
    previous_grade : numpy.ndarray
        Last year's grade per block, g/t; NaN where not estimated.
    tonnes : numpy.ndarray
        This year's ore per block, t.
    grade : numpy.ndarray
        This year's grade per block, g/t; NaN where not estimated.
    resource_class : numpy.ndarray
        This year's :class:`aurum.resources.classify.ResourceClass` code per block.
    previous_cutoff_gpt : float
        Last year's cut-off grade, g/t.
    """
    g = np.nan_to_num(grade, nan=-np.inf)
    new = np.isnan(previous_grade) & (g >= previous_cutoff_gpt)
    out = {}
    for code, name in _CLASS_CODES.items():
        keep = new & (resource_class == code)
        ore = float(tonnes[keep].sum())
        out[name] = Amount(ore, float((tonnes[keep] * grade[keep]).sum()) / G_PER_KG)
    return out


def apportion_exploration(metal_kg: float, closing: Mapping[str, Amount]
                          ) -> dict[str, Amount]:
    """The ledger's exploration gold split over the resource categories.

    In proportion to each category's closing contained gold, as ore at that category's
    closing grade: the closing statement is the only one that holds the new ore, and without
    the blocks nothing tells which category it fell in. Nothing when the closing has no gold.

    Parameters
    ----------
    metal_kg : float
        Gold the year's exploration added (the ledger's ``exploration``), kg.
    closing : mapping
        Resource category code → closing :class:`Amount` (t, kg).
    """
    shares = _shares({c: closing[c].metal_kg for c in RESOURCE_CODES}, RESOURCE_CODES)
    if shares is None:
        return dict.fromkeys(RESOURCE_CODES, ZERO)
    out = {}
    for c in RESOURCE_CODES:
        gold = metal_kg * shares[c]
        grade = closing[c].grade_gpt
        out[c] = Amount(gold * G_PER_KG / grade if np.isfinite(grade) and grade > 0 else 0.0,
                        gold)
    return out


def _row(opening: Amount, mined: Amount, lost: Amount, exploration: Amount,
         closing: Amount) -> dict[str, float]:
    """One row's figures with its balancing re-estimation."""
    re_estimation = Amount(
        closing.ore_t - opening.ore_t + mined.ore_t + lost.ore_t - exploration.ore_t,
        closing.metal_kg - opening.metal_kg + mined.metal_kg + lost.metal_kg
        - exploration.metal_kg)
    amounts = (opening, mined, lost, exploration, re_estimation, closing)
    row: dict[str, float] = {}
    for item, amount in zip(ITEMS, amounts, strict=True):
        row |= {f"{item}_ore_t": amount.ore_t, f"{item}_metal_kg": amount.metal_kg,
                f"{item}_grade_gpt": amount.grade_gpt}
    return row


def _total(codes: tuple[str, ...], rows: Mapping[str, dict[str, float]]
           ) -> dict[str, float]:
    """The sum of the rows of ``codes`` (one kind only: GB/T 17766-2020, 5.2), grades
    recomputed from the summed ore and gold."""
    check_not_added(codes)
    total: dict[str, float] = {}
    for item in ITEMS:
        ore = float(sum(rows[c][f"{item}_ore_t"] for c in codes))
        metal = float(sum(rows[c][f"{item}_metal_kg"] for c in codes))
        total |= {f"{item}_ore_t": ore, f"{item}_metal_kg": metal,
                  f"{item}_grade_gpt": _grade(ore, metal)}
    return total


def annual_reserve_report(opening: Mapping[str, Amount], closing: Mapping[str, Amount],
                          mined: Amount, exploration: Mapping[str, Amount] | None = None,
                          loss_rate: float | None = None,
                          reserves_opening_kg: Mapping[str, float] | None = None,
                          reserves_closing_kg: Mapping[str, float] | None = None
                          ) -> pd.DataFrame:
    """The annual reserve report's table (see the module for the rules).

    Parameters
    ----------
    opening, closing : mapping
        Resource category code (``measured``, ``indicated``, ``inferred``) →
        :class:`Amount`: last year's and this year's year-end statement (t, kg).
    mined : Amount
        Ore mined during the year, t, and its gold, kg.
    exploration : mapping, optional
        Resource category code → :class:`Amount` added by exploration (t, kg)
        (:func:`exploration_from_blocks` or :func:`apportion_exploration`); none when None.
    loss_rate : float, optional
        Mining loss rate, a fraction in [0, 1) (:func:`lost_ore`); no loss counted when None.
    reserves_opening_kg, reserves_closing_kg : mapping, optional
        Reserve category code (``proved``, ``probable``) → contained gold at the start and
        end of the year, kg; reserve rows only when either is given.

    Returns
    -------
    pandas.DataFrame
        Indexed by category (the resource codes, ``resources_total``, then, with reserves,
        the reserve codes and ``reserves_total``), with :data:`COLUMNS`: for each of
        :data:`ITEMS` ore (t), contained gold (kg) and grade (g/t).
    """
    lost = lost_ore(mined, loss_rate)
    shares = mining_shares(opening, closing)
    found = exploration or {}
    rows = {c: _row(opening[c], mined.scaled(shares[c]), lost.scaled(shares[c]),
                    found.get(c, ZERO), closing[c]) for c in RESOURCE_CODES}
    rows[RESOURCES_TOTAL] = _total(RESOURCE_CODES, rows)
    if reserves_opening_kg is not None or reserves_closing_kg is not None:
        start = dict(reserves_opening_kg or {})
        end = dict(reserves_closing_kg or {})
        # Mining takes reserves too: in proportion to the opening proved and probable gold.
        taken = _shares(start, RESERVE_CODES) or _shares(end, RESERVE_CODES) or {
            "proved": 1.0, "probable": 0.0}
        nan = float("nan")
        for c in RESERVE_CODES:
            rows[c] = _row(Amount(nan, start.get(c, 0.0)),
                           Amount(nan, mined.metal_kg * taken[c]),
                           Amount(nan, lost.metal_kg * taken[c]),
                           # Reserves grow only by conversion from resources: re-estimation.
                           Amount(nan, 0.0), Amount(nan, end.get(c, 0.0)))
        rows[RESERVES_TOTAL] = _total(RESERVE_CODES, rows)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
    frame.index.name = "category"
    return frame


@dataclass(frozen=True)
class Excess:
    """Reserves holding more gold than the resources they are converted from, which GB/T
    17766-2020 rules out (a reserve is the economically mineable part of the measured and
    indicated resources: :data:`aurum.resources.gbt17766.RULES` ``within_resources``).

    Attributes
    ----------
    item : str
        ``opening`` or ``closing``: the year-end the figures belong to.
    reserves : tuple of str
        The reserve codes compared (``proved``, ``probable`` or both).
    resources : tuple of str
        The resource codes they are converted from.
    reserves_kg, resources_kg : float
        Their contained gold, kg (for ``probable`` alone: indicated plus the measured gold not
        converted to proved reserves).
    clause : str
        The clause of the standard.
    """

    item: str
    reserves: tuple[str, ...]
    resources: tuple[str, ...]
    reserves_kg: float
    resources_kg: float
    clause: str


def reserve_excesses(table: pd.DataFrame, rtol: float = 1e-9) -> list[Excess]:
    """The year-end reserves of :func:`annual_reserve_report`'s table that exceed the resources
    they are converted from (GB/T 17766-2020 converts measured resources to proved reserves
    and indicated ones, or measured ones at lower confidence, to probable reserves; the last
    rule is :func:`~aurum.resources.gbt17766.check_reserves_within`'s)::

        proved ≤ measured
        probable ≤ indicated + (measured − proved)⁺
        proved + probable ≤ measured + indicated

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`annual_reserve_report`'s table (contained gold in kg); without reserve rows
        nothing is found.
    rtol : float
        Relative tolerance for rounded figures, dimensionless.

    Returns
    -------
    list of Excess
        At the opening then the closing, each rule broken, in the order above.
    """
    if "proved" not in table.index:
        return []
    clause = RULES["within_resources"].clause
    found = []
    for item in ("opening", "closing"):
        gold = table[f"{item}_metal_kg"].fillna(0.0)
        measured, indicated = float(gold["measured"]), float(gold["indicated"])
        proved, probable = float(gold["proved"]), float(gold["probable"])
        rules = ((("proved",), ("measured",), proved, measured),
                 (("probable",), ("indicated", "measured"), probable,
                  indicated + max(measured - proved, 0.0)),
                 (RESERVE_CODES, ("measured", "indicated"), proved + probable,
                  measured + indicated))
        found += [Excess(item, reserves, resources, held, source, clause)
                  for reserves, resources, held, source in rules
                  if held > source * (1.0 + rtol) and held > 0]
    return found
