"""Monthly plant records behind the demo district's quarterly statistical reports.

A plant keeps its books by the month; the quarterly report is their sum. From the figures in
force of :class:`~aurum.demo.district.District` this module derives:

* :func:`monthly_waste_ledger` — the solid-waste ledger of every site (mines and plants), in
  the column contract of :func:`aurum.processing.waste.validate_ledger`;
* :func:`monthly_metal_accounts` — the metal accounts of every site that treats ore, in the
  column contract of :func:`aurum.processing.accounting.metal_accounts` (check-in, products,
  tailings, in-circuit inventory, with P754-like standard deviations);
* :func:`monthly_circuit_surveys` — a monthly survey of one CIL plant
  (:func:`showcase_plant`), the circuit of :mod:`aurum.processing.examples` run at the
  month's throughput, grade and recovery, one month carrying a planted gross error
  (:data:`PLANTED_GROSS_ERROR`) for reconciliation to find.

The months add up exactly to the quarters: whole tonnes of ore and waste are split with the
largest-remainder method, gold to within floating-point rounding. Months follow the days
each site operated (none before it was commissioned; such months are absent) with a
Spring Festival dip in February and a few per cent of noise. Quarters missing from the
reports have no months. Every draw comes from ``rng_seed`` on the full grid of sites and
months, so the two frames share their throughput pattern and the same seed gives the same
records.

Units: t (ore, waste), g/t (grades), g (gold), t/d in the circuit surveys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.errors import NotFoundError
from aurum.core.periods import Period
from aurum.demo.district import District
from aurum.demo.records import PERIODS
from aurum.industry.registry import PlantType, SiteKind, SiteStatus
from aurum.industry.reporting import WASTE_ROUTES, WASTE_TYPES, waste_column
from aurum.processing.accounting import sd_from_precision
from aurum.processing.examples import cil_tails_for_recovery, survey, true_values

MONTHS: tuple[str, ...] = tuple(f"{p.year}-{m:02d}" for p in map(Period.parse, PERIODS)
                                for m in p.months)
"""Months of the demo reports, ``YYYY-MM``, three per quarter of :data:`PERIODS`."""

LEDGER_COLUMNS: tuple[str, ...] = (
    "enterprise", "plant", "period", "waste_type", "generated_t", "opening_stock_t",
    *(f"utilised_{r}_t" for r in WASTE_ROUTES), "utilised_from_stock_t", "disposed_t",
    "detox_status")
"""Columns of :func:`monthly_waste_ledger` (tonnages in t)."""

ACCOUNT_COLUMNS: tuple[str, ...] = (
    "site", "period", "ore_treated_t", "head_grade_gpt",
    *(f"{term}{suffix}" for term in ("check_in", "products", "tailings", "opening", "closing")
      for suffix in ("_g", "_sd_g")),
    "share_own_mine", "share_associated", "share_imported")
"""Columns of :func:`monthly_metal_accounts` (t, g/t, g, fractions)."""

PRECISION_PCT: dict[str, float] = {
    "check_in": 2.5, "products": 0.2, "tailings": 5.0, "inventory": 10.0}
"""Relative precision of each account term at 95 % confidence, % (AMIRA P754 practice:
weighed and sampled feed, weighed and assayed bullion, sampled tailings, surveyed and sampled
in-circuit inventory)."""

INVENTORY_DAYS: tuple[float, float] = (1.0, 3.0)
"""Range of a site's gold in circuit (CIL solution and carbon, stockpiles), days of feed."""

UNACCOUNTED_LOSS: tuple[float, float] = (0.001, 0.005)
"""Range of the true monthly unaccounted gold, fraction of check-in (random sign)."""

SHOWCASE_PLANT_TYPE = PlantType.PROCESSING_PLANT
"""Kind of plant of the monthly circuit surveys."""

PLANTED_GROSS_ERROR: tuple[str, str, float] = ("ore", "mass", 1.25)
"""(stream, field, factor) of the gross error planted in one month of the surveys: the feed
belt weigher reading 25 % high. (A wrong CIL tails assay would not do: in this circuit its
measurement test equals that of the barren carbon assay, so no test can tell which of the two
is wrong.)"""

_SPRING_FESTIVAL = 0.88  # February throughput relative to its days: the plants stop for it
_GOLD_FIELDS = ("gold_own_mine_kg", "gold_associated_kg", "gold_imported_kg")
_SHARE_COLUMNS = ("share_own_mine", "share_associated", "share_imported")
_TYPES = tuple(WASTE_TYPES)
_ROUTES = tuple(WASTE_ROUTES)
_DETOX_ROUTES = ("backfill", "building_materials")
# One random stream per purpose, so that each draw is independent of the others.
(_THROUGHPUT, _UTILISATION, _GRADE, _INVENTORY, _RECOVERY, _LOSS, _SURVEY,
 _ERROR_MONTH) = range(8)


# ---------------------------------------------------------------------------------------------
# Shared grid: sites x months, and the quarters in force


@dataclass(frozen=True)
class _Grid:
    """Every site of the district against every month of :data:`MONTHS`."""

    row: dict[str, int]      # site code -> row
    days: np.ndarray         # (S, M) days operated
    weight: np.ndarray       # (S, M) relative throughput, 0 where the site did not operate


def _grid(district: District, rng_seed: int) -> _Grid:
    """Operating days and throughput weights of every site and month."""
    months = np.arange(MONTHS[0], np.datetime64(MONTHS[-1]) + 1, dtype="datetime64[M]")
    start = months.astype("datetime64[D]")
    end = (months + 1).astype("datetime64[D]") - 1
    # As the district does: a site commissioned before the first quarter runs all of it.
    first = np.array([s.commissioned_on or start[0].astype(object) for s in district.sites],
                     dtype="datetime64[D]")
    days = np.clip((end - np.maximum(start, first[:, None])).astype(int) + 1, 0, None)
    rng = _rng(rng_seed, _THROUGHPUT)
    noise = np.clip(rng.normal(1.0, 0.03, days.shape), 0.9, 1.1)
    season = np.where(months.astype(int) % 12 == 1, _SPRING_FESTIVAL, 1.0)
    return _Grid({s.code: i for i, s in enumerate(district.sites)}, days.astype(float),
                 days * season * noise)


def _rng(rng_seed: int, purpose: int) -> np.random.Generator:
    return np.random.default_rng([rng_seed, purpose])


def _quarters(district: District, grid: _Grid) -> pd.DataFrame:
    """Reports in force, one row per site-quarter, with the grid row and first month."""
    values = district.current_values()
    frame = pd.DataFrame.from_records(list(values.values())).astype(float)
    frame.insert(0, "site", [site for site, _ in values])
    frame.insert(1, "quarter", [period for _, period in values])
    frame["row"] = frame["site"].map(grid.row)
    frame["month0"] = 3 * frame["quarter"].map({p: i for i, p in enumerate(PERIODS)})
    return frame.sort_values(["site", "month0"], kind="stable", ignore_index=True)


def _months(quarters: pd.DataFrame) -> np.ndarray:
    """Grid month indices of each quarter row, shape (N, 3)."""
    return quarters["month0"].to_numpy()[:, None] + np.arange(3)


def _split(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split whole totals over columns by weight, largest-remainder rounding.

    Parameters
    ----------
    total : numpy.ndarray
        Whole numbers >= 0, shape (N,), any unit (t).
    weights : numpy.ndarray
        Weights >= 0, shape (N, K); a row of zeros takes a total of 0.

    Returns
    -------
    numpy.ndarray
        Whole numbers, shape (N, K), each row summing exactly to its total; an element
        differs from its proportional share by less than 1, so a zero weight gets 0.
    """
    wsum = weights.sum(axis=1, keepdims=True)
    share = np.divide(weights, wsum, out=np.zeros_like(weights, dtype=float), where=wsum > 0)
    exact = total[:, None] * share
    base = np.floor(exact)
    missing = np.rint(total - base.sum(axis=1)).astype(int)
    order = np.argsort(-(exact - base), axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    return base + (rank < missing[:, None])


# ---------------------------------------------------------------------------------------------
# Solid waste


def monthly_waste_ledger(district: District, rng_seed: int = 2025) -> pd.DataFrame:
    """Monthly solid-waste ledger of every site, adding up to its quarterly reports.

    Parameters
    ----------
    district : District
        The demo district; its figures in force (:meth:`District.current_values`) are split.
    rng_seed : int
        Seed of the monthly pattern (non-negative).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEDGER_COLUMNS`: ``enterprise`` (owner's code), ``plant`` (site
        code), ``period`` (``YYYY-MM``), ``waste_type``, then in whole t ``generated_t``,
        ``opening_stock_t``, ``utilised_<route>_t`` for the routes backfill,
        building_materials, metal_recovery and other, ``utilised_from_stock_t`` (= max(0,
        utilised − generated) of the month) and ``disposed_t`` (0: the district keeps what
        it does not use in storage), and ``detox_status`` (cyanide residue: ``detoxified``
        where the quarter sends it to backfill or building materials, else ``untreated``;
        blank for the other types). One row per site, operating month and waste type of the
        report in force; sorted by plant, period and type. Per site, quarter and type the
        months sum exactly to the report's generated and used tonnes; the first month opens
        with the report's stock and each month opens with the previous month's closing
        stock (opening + generated − utilised).
        :func:`~aurum.processing.waste.validate_ledger` accepts it.
    """
    grid = _grid(district, rng_seed)
    quarters = _quarters(district, grid)
    noise = np.exp(_rng(rng_seed, _UTILISATION).normal(
        0.0, 0.15, (*grid.weight.shape, len(_TYPES))))
    org = {s.code: s.org_code for s in district.sites}
    blocks = []
    for t, wtype in enumerate(_TYPES):
        q = quarters[quarters[waste_column(wtype, "generated_t")].notna()]
        if q.empty:
            continue
        rows, months = q["row"].to_numpy()[:, None], _months(q)
        used = q[[waste_column(wtype, f"used_{r}_t") for r in _ROUTES]].fillna(0.0).to_numpy()
        ledger = _waste_months(q[waste_column(wtype, "generated_t")].to_numpy(),
                               q[waste_column(wtype, "stock_t")].fillna(0.0).to_numpy(), used,
                               grid.weight[rows, months],
                               grid.weight[rows, months] * noise[rows, months, t])
        if wtype == "cyanide_residue":
            detox = used[:, [_ROUTES.index(r) for r in _DETOX_ROUTES]].sum(axis=1) > 0
            status = np.where(detox, "detoxified", "untreated")
        else:
            status = np.full(len(q), "")
        ledger["detox_status"] = np.repeat(status, 3)
        ledger["plant"] = np.repeat(q["site"].to_numpy(), 3)
        ledger["enterprise"] = ledger["plant"].map(org)
        ledger["period"] = np.asarray(MONTHS)[months.ravel()]
        ledger["waste_type"] = wtype
        ledger["order"] = t
        blocks.append(ledger[(grid.days[rows, months] > 0).ravel()])
    out = pd.concat(blocks, ignore_index=True)
    out = out.sort_values(["plant", "period", "order"], kind="stable", ignore_index=True)
    return out[list(LEDGER_COLUMNS)]


def _waste_months(generated: np.ndarray, stock: np.ndarray, used: np.ndarray,
                  weight: np.ndarray, use_weight: np.ndarray) -> pd.DataFrame:
    """Monthly tonnages of N site-quarters of one waste type, three months each.

    Generation follows ``weight``; utilisation follows ``use_weight`` as far as the stock
    allows (what a month cannot draw moves to the next one: the quarter's totals satisfy
    used <= generated + stock, so the last month can always take the rest); within a
    month the routes share the quarter's route tonnes still to be placed.

    Returns the tonnage columns of the ledger, months of a quarter in consecutive rows.
    """
    gen = _split(generated, weight)
    wanted = _split(used.sum(axis=1), use_weight)
    opening = np.zeros_like(gen)
    total = np.zeros_like(gen)
    routes = np.zeros((*gen.shape, used.shape[1]))
    left = used.copy()
    stock_k, carry = stock.copy(), np.zeros(len(stock))
    for k in range(3):
        opening[:, k] = stock_k
        want = wanted[:, k] + carry
        total[:, k] = want if k == 2 else np.minimum(want, stock_k + gen[:, k])
        carry = want - total[:, k]
        routes[:, k] = left if k == 2 else _split(total[:, k], left)
        left = left - routes[:, k]
        stock_k = stock_k + gen[:, k] - total[:, k]
    frame = pd.DataFrame({"generated_t": gen.ravel(), "opening_stock_t": opening.ravel()})
    for r, route in enumerate(_ROUTES):
        frame[f"utilised_{route}_t"] = routes[:, :, r].ravel()
    frame["utilised_from_stock_t"] = np.maximum(total - gen, 0.0).ravel()
    frame["disposed_t"] = 0.0
    return frame


# ---------------------------------------------------------------------------------------------
# Metal accounts


def monthly_metal_accounts(district: District, rng_seed: int = 2025) -> pd.DataFrame:
    """Monthly metal accounts of every site that treats ore, adding up to its reports.

    Parameters
    ----------
    district : District
        The demo district; every site-quarter in force with ore treated (t) > 0 and gold
        (own mine + associated + imported, kg) > 0 is split (refineries treat no ore).
    rng_seed : int
        Seed of the monthly pattern (non-negative).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ACCOUNT_COLUMNS`, one row per site and operating month, sorted by
        site and period (``YYYY-MM``):

        * ``ore_treated_t`` (whole t; the months sum to the quarter's) and
          ``head_grade_gpt`` (g/t; the ore-weighted mean of the months is the quarter's);
        * ``check_in_g`` = ore × head grade, g; ``products_g`` (g), summing to 1000 × the
          quarter's gold (kg); ``opening_g`` and ``closing_g``, the gold in circuit and
          stockpiles (about 1-3 days of feed, each month opening with the previous month's
          closing, a month's change at most half the gold the quarter lost); the actual
          recovery (products + closing − opening) / check-in varies around the quarter's in
          proportion to its losses; ``tailings_g`` = check-in − products − (closing −
          opening) − a true unaccounted gold of 0.1-0.5 % of check-in of either sign, > 0;
        * ``<term>_sd_g``: standard deviations (g) from the precisions of
          :data:`PRECISION_PCT` at 95 %;
        * ``share_own_mine``, ``share_associated``, ``share_imported``: fractions of the
          quarter's gold reported under each field (summing to 1).

        The frame is the input of :func:`aurum.processing.accounting.metal_accounts`.
    """
    return _accounts(district, rng_seed).drop(columns="days")


def _accounts(district: District, rng_seed: int) -> pd.DataFrame:
    """The monthly accounts with the days operated of each month (``days``)."""
    grid = _grid(district, rng_seed)
    quarters = _quarters(district, grid)
    gold_kg = quarters[list(_GOLD_FIELDS)].fillna(0.0)
    q = quarters[(quarters["ore_treated_t"] > 0) & (gold_kg.sum(axis=1) > 0)]
    rows, months = q["row"].to_numpy()[:, None], _months(q)
    ore_q, grade_q = q["ore_treated_t"].to_numpy(), q["head_grade_gpt"].to_numpy()
    ore = _split(ore_q, grid.weight[rows, months])
    factor = np.clip(_rng(rng_seed, _GRADE).normal(1.0, 0.03, grid.weight.shape), 0.9, 1.1)
    weighted = ore * factor[rows, months]
    grade = factor[rows, months] * (grade_q * ore_q / weighted.sum(axis=1))[:, None]
    gold = gold_kg.loc[q.index].to_numpy()
    shares = gold / gold.sum(axis=1, keepdims=True)

    keep = (grid.days[rows, months] > 0).ravel()
    site_rows = np.repeat(rows[:, 0], 3)[keep]
    month = months.ravel()[keep]
    frame = pd.DataFrame({
        "site": np.repeat(q["site"].to_numpy(), 3)[keep],
        "period": np.asarray(MONTHS)[month],
        "ore_treated_t": ore.ravel()[keep], "head_grade_gpt": grade.ravel()[keep]})
    frame["check_in_g"] = frame["ore_treated_t"] * frame["head_grade_gpt"]
    days = grid.days[site_rows, month]
    quarter = np.repeat(np.arange(len(q)), 3)[keep]

    check_in = frame["check_in_g"].to_numpy()
    products_q = 1000.0 * gold.sum(axis=1)
    check_in_q = np.bincount(quarter, check_in, len(q))
    reported = (products_q / check_in_q)[quarter]  # the quarter's recovery, fraction

    # In-circuit gold: a site's days of feed, varying a little month to month. A month's
    # change is held within half the gold the quarter lost, so that (products + change)
    # stays below the check-in: a short first month cannot swing the recovery.
    rng = _rng(rng_seed, _INVENTORY)
    held = rng.uniform(*INVENTORY_DAYS, len(grid.row))[site_rows]
    drift = np.clip(rng.normal(1.0, 0.1, (2, *grid.weight.shape)), 0.75, 1.25)
    daily = check_in / days
    target = held * drift[0, site_rows, month] * daily
    fresh = held * drift[1, site_rows, month] * daily
    follows = np.r_[False, (site_rows[1:] == site_rows[:-1]) & (month[1:] == month[:-1] + 1)]
    swing = (1.0 - reported) / 2 * check_in
    opening, closing = fresh.copy(), target.copy()
    for m in np.unique(month):  # a month opens with the (bounded) closing of the one before
        now = month == m
        chained = now & follows
        opening[chained] = closing[np.flatnonzero(chained) - 1]
        closing[now] = np.clip(target[now], opening[now] - swing[now],
                               opening[now] + swing[now])
    change = closing - opening

    # Actual recovery (products + change) / check-in: the quarter's mean, set by its gold,
    # plus a monthly variation in proportion to the losses, centred on the quarter.
    mean = ((products_q + np.bincount(quarter, change, len(q))) / check_in_q)[quarter]
    wobble = np.clip(_rng(rng_seed, _RECOVERY).normal(0.0, 0.04, grid.weight.shape),
                     -0.25, 0.25)[site_rows, month]
    wobble -= (np.bincount(quarter, wobble * check_in, len(q)) / check_in_q)[quarter]
    recovery = mean + (1.0 - mean) * wobble
    rng = _rng(rng_seed, _LOSS)
    loss = rng.uniform(*UNACCOUNTED_LOSS, len(frame)) * rng.choice([-1.0, 1.0], len(frame))
    loss = np.minimum(loss, (1.0 - recovery) / 2)  # tailings stay positive

    frame["products_g"] = recovery * check_in - change
    frame["tailings_g"] = (1.0 - recovery - loss) * check_in
    frame["opening_g"], frame["closing_g"] = opening, closing
    for term, precision in (("check_in", "check_in"), ("products", "products"),
                            ("tailings", "tailings"), ("opening", "inventory"),
                            ("closing", "inventory")):
        frame[f"{term}_sd_g"] = sd_from_precision(frame[f"{term}_g"].to_numpy(),
                                                  PRECISION_PCT[precision])
    for k, col in enumerate(_SHARE_COLUMNS):
        frame[col] = shares[quarter, k]
    frame["days"] = days
    return frame[[*ACCOUNT_COLUMNS, "days"]]


# ---------------------------------------------------------------------------------------------
# Circuit surveys of the showcase plant


def showcase_plant(district: District) -> str:
    """Code of the plant whose circuit is surveyed monthly.

    The operating plant of :data:`SHOWCASE_PLANT_TYPE` with the largest design capacity
    (t/d; ties broken by code) among those reporting cyanide consumed (t) > 0 and working
    through the whole demo period (commissioned before its first quarter), so that its
    surveys cover every month.

    Raises
    ------
    NotFoundError
        When the district has no such plant.
    """
    values = district.current_values()
    first_day = Period.parse(PERIODS[0]).start
    cyanide = {site for (site, _), v in values.items() if (v.get("cyanide_consumed_t") or 0) > 0}
    candidates = [s for s in district.sites
                  if s.kind is SiteKind.PLANT and s.plant_type is SHOWCASE_PLANT_TYPE
                  and s.status is SiteStatus.OPERATING and s.code in cyanide
                  and s.commissioned_on is not None and s.commissioned_on < first_day]
    if not candidates:
        raise NotFoundError(f"the district has no operating {SHOWCASE_PLANT_TYPE.value} "
                            "using cyanide")
    return min(candidates, key=lambda s: (-(s.design_capacity_tpd or 0.0), s.code)).code


def planted_error_month(months: Sequence[str], rng_seed: int = 2025) -> str:
    """The month of a survey series that carries :data:`PLANTED_GROSS_ERROR`.

    Parameters
    ----------
    months : sequence of str
        Surveyed months, ``YYYY-MM``, in order.
    rng_seed : int
        The seed given to :func:`monthly_circuit_surveys`.
    """
    return months[int(_rng(rng_seed, _ERROR_MONTH).integers(len(months)))]


def monthly_circuit_surveys(district: District, site_code: str,
                            rng_seed: int = 2025) -> dict[str, dict[str, Any]]:
    """A monthly survey of a CIL plant's circuit, consistent with its metal accounts.

    Parameters
    ----------
    district : District
        The demo district.
    site_code : str
        The plant surveyed, usually :func:`showcase_plant`.
    rng_seed : int
        Seed of the accounts (as :func:`monthly_metal_accounts`) and of the measurement
        errors (non-negative).

    Returns
    -------
    dict
        Month (``YYYY-MM``) to the circuit mapping of :mod:`aurum.processing.examples` (the
        YAML form read by :func:`~aurum.processing.circuit.circuit_from_mapping`), one per
        month of the site's accounts. True values: daily ore = the month's ore / days
        operated (t/d), the month's head grade (g/t), and the CIL tails assay that gives
        the month's actual recovery (products + change of inventory) / check-in;
        measurements drawn with :data:`aurum.processing.examples.PRECISION`. The month of
        :func:`planted_error_month` carries :data:`PLANTED_GROSS_ERROR`.

    Raises
    ------
    NotFoundError
        When the site has no monthly metal accounts.
    """
    accounts = _accounts(district, rng_seed)
    site = accounts[accounts["site"] == site_code]
    if site.empty:
        raise NotFoundError(f"site {site_code!r} has no monthly metal accounts (it treats no "
                            "ore, or is not in the district)")
    months = site["period"].tolist()
    bad = planted_error_month(months, rng_seed)
    stream, field, factor = PLANTED_GROSS_ERROR
    rng = _rng(rng_seed, _SURVEY)
    ore_t = (site["ore_treated_t"] / site["days"]).to_numpy()
    grade = site["head_grade_gpt"].to_numpy()
    recovery = ((site["products_g"] + site["closing_g"] - site["opening_g"])
                / site["check_in_g"]).to_numpy()
    out: dict[str, dict[str, Any]] = {}
    for k, month in enumerate(months):
        tails = cil_tails_for_recovery(ore_t[k], grade[k], recovery[k])
        out[month] = survey(true_values(ore_t[k], grade[k], tails), rng,
                            {(stream, field): factor} if month == bad else None)
    return out
