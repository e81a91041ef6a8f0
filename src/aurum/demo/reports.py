"""The quarterly report figures of the demo district's reporting sites.

From the hidden :class:`~aurum.demo.registry.SiteModel` of every reporting site,
:func:`report_values` draws throughput, grade, gold, silver, resources and solid waste per
quarter of :data:`~aurum.demo.records.PERIODS`, calibrates them to the plan's national
picture (see :func:`aurum.demo.district.generate_district`) and rounds them as a person would
report them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from aurum.core.periods import Period
from aurum.demo.records import MINE_GOLD_2024_KG, PERIODS, DemoSite
from aurum.demo.registry import SiteModel
from aurum.industry.registry import PlantType, SiteKind
from aurum.industry.reporting import FIELDS, WASTE_ROUTES, WASTE_TYPES, Values, waste_column

_SEASON = np.array([0.90, 1.02, 1.03, 1.04])  # Q1..Q4 throughput factor (Chinese New Year in Q1)
_N_MISSING = 8
_WASTE_TYPES = tuple(WASTE_TYPES)
_ROUTES = tuple(WASTE_ROUTES)
_WASTE_ROCK = _WASTE_TYPES.index("waste_rock")
_CS, _RF = PlantType.CONCENTRATE_SMELTER, PlantType.REFINERY

QUARTERS = tuple(Period.parse(p) for p in PERIODS)
_YEAR = np.array([q.year for q in QUARTERS])
_EPOCH = dt.date(2024, 1, 1)
_T = np.array([((q.start - _EPOCH).days + (q.end - q.start).days / 2) / 365.25
               for q in QUARTERS])  # years from 2024-01-01 to mid-quarter


def _active_days(site: DemoSite) -> np.ndarray:
    """Days of each quarter the site operated (0 before commissioning)."""
    first = site.commissioned_on or _EPOCH
    return np.array([max(0, (q.end - max(q.start, first)).days + 1) for q in QUARTERS],
                    dtype=float)


@dataclass
class Figures:
    """Site x quarter figures before rounding (S reporting sites, Q quarters)."""

    days: np.ndarray         # (S, Q) days operated
    ore: np.ndarray          # (S, Q) ore / concentrate treated, t
    mined: np.ndarray        # (S, Q) ore mined, t (0 for plants)
    grade: np.ndarray        # (S, Q) head grade, g/t
    gold: np.ndarray         # (S, Q) gold recovered from feed, kg (refinery: recycled)
    stored: np.ndarray       # (S, Q) bool: a report exists
    silver: np.ndarray       # (S, Q) silver recovered, kg (set by _calibrate_silver)


def _production(models: list[SiteModel], rng: np.random.Generator) -> Figures:
    """Throughput, grade and gold of every reporting site and quarter."""
    n, nq = len(models), len(QUARTERS)
    days = np.array([_active_days(m.site) for m in models])
    season = _SEASON[[q.index - 1 for q in QUARTERS]]
    util_base = np.array([[m.util_base] for m in models])
    util_trend = np.array([[m.util_trend] for m in models])
    util = np.clip(util_base * season * (1 + util_trend * _T) * rng.normal(1, 0.03, (n, nq)),
                   0.70, 1.0)
    # New sites ramp up over their first two quarters.
    started = np.cumsum(days > 0, axis=1)
    util *= np.where(days[:, :1] > 0, 1.0, np.minimum(1.0, 0.4 + 0.2 * started))
    capacity = np.array([[m.site.design_capacity_tpd or 0.0] for m in models])
    ore = capacity * days * util
    is_mine = np.array([[m.site.kind is SiteKind.MINE] for m in models])
    mined = np.where(is_mine, ore * np.clip(rng.normal(1.0, 0.02, (n, nq)), 0.95, 1.06), 0.0)
    grade = (np.array([[m.grade_gpt] for m in models]) * (1 - 0.01 * _T)
             * np.clip(rng.normal(1, 0.04, (n, nq)), 0.85, 1.15))
    rec0 = np.array([[m.recovery] for m in models])
    recovery = np.clip(rec0 + rng.normal(0, 0.006, (n, nq)), rec0 - 0.02,
                       np.minimum(rec0 + 0.02, np.maximum(rec0, 0.95)))
    gold = ore * grade * recovery / 1000.0
    is_refinery = np.array([[m.site.plant_type is _RF] for m in models])
    recycled = ore * 1000.0 * np.array([[m.recycled_share] for m in models])
    gold = np.where(is_refinery, recycled, gold)
    ore = np.where(is_refinery, 0.0, ore)
    missing = np.zeros((n, nq), dtype=bool)
    candidates = [(s, q) for s, m in enumerate(models) for q in range(nq)
                  if m.site.kind is SiteKind.MINE and not m.large and days[s, q] >= 90]
    for i in rng.choice(len(candidates), _N_MISSING, replace=False):
        missing[candidates[i]] = True
    return Figures(days, ore, mined, grade, gold, (days > 0) & ~missing, np.zeros((n, nq)))


def _calibrate_gold(models: list[SiteModel], a: Figures, rng: np.random.Generator) -> None:
    """Scale head grades and gold per year and producer class to the national targets.

    Three classes: large mines (>= :data:`LARGE_MINE_TPD`), the other mines, and the plants
    and smelters (their mine gold only: a smelter's domestic concentrate, no recycled gold).
    Targets: 2024 mine gold :data:`MINE_GOLD_2024_KG`; 2025 +1.8-2.3 %; 2026-Q1..Q3 +1.5-2.5 %
    on 2025-Q1..Q3; plants and smelters 12.5-14.5 % of it in 2024, drifting by at most
    0.3 points a year; large mines 62.8-64.2 % of the gold of mines in 2024, +0.6-1.2 points
    a year (the KPI engine's share, over mine sites only).
    """
    kind = np.array([0 if m.large else 1 if m.site.kind is SiteKind.MINE else 2
                     for m in models])
    refinery = np.array([[m.site.plant_type is _RF] for m in models])
    # Share of each site's gold that is mine gold: smelters' domestic part, none of recycling.
    to_mine = np.array([[m.by_product if m.site.plant_type is _CS else 0.0 if r else 1.0]
                        for m, r in zip(models, refinery[:, 0], strict=True)])
    share = rng.uniform(0.628, 0.642)
    plants = rng.uniform(0.125, 0.145)
    total = MINE_GOLD_2024_KG
    for year in (2024, 2025, 2026):
        cols = year == _YEAR
        if year == 2025:
            total *= 1 + rng.uniform(0.018, 0.023)
        elif year == 2026:
            total = float((a.gold * to_mine * a.stored)[:, _YEAR == 2025][:, :3].sum())
            total *= 1 + rng.uniform(0.015, 0.025)
        if year > 2024:
            share += rng.uniform(0.006, 0.012)
            plants += rng.uniform(-0.003, 0.003)
        mg = (a.gold * to_mine * a.stored)[:, cols].sum(axis=1)
        wanted = np.array([share * (1 - plants), (1 - share) * (1 - plants), plants]) * total
        factor = np.where(refinery[:, 0], 1.0, (wanted / np.bincount(kind, mg, 3))[kind])
        a.grade[:, cols] *= factor[:, None]
        a.gold[:, cols] *= factor[:, None]


def _calibrate_silver(models: list[SiteModel], a: Figures, rng: np.random.Generator) -> None:
    """Silver of every site-quarter: gold x the site's silver ratio, scaled per year.

    The ratio drifts with the year (the silver-rich Xiaoqinling ores and the copper smelters'
    silver circuits) so that national silver grows 2-3 % in 2025 and 2-3 % from 2025-Q1..Q3
    to 2026-Q1..Q3, like gold.
    """
    a.silver = a.gold * np.array([[m.silver_ratio] for m in models])
    stored = a.silver * a.stored
    first3 = np.array([q.index <= 3 for q in QUARTERS])
    y2024, y2025, y2026 = (np.equal(_YEAR, y) for y in (2024, 2025, 2026))
    k2025 = (1 + rng.uniform(0.02, 0.03)) * stored[:, y2024].sum() / stored[:, y2025].sum()
    k2026 = ((1 + rng.uniform(0.02, 0.03)) * k2025 * stored[:, y2025 & first3].sum()
             / stored[:, y2026 & first3].sum())
    a.silver[:, y2025] *= k2025
    a.silver[:, y2026] *= k2026


def _resources(models: list[SiteModel], a: Figures, rng: np.random.Generator) -> np.ndarray:
    """Gold resources (t) at each quarter end, calibrated to grow 4.5-6.5 % 2024-Q4..2026-Q3.

    Mining depletes the contained gold of the ore mined; exploration adds a steady flow
    (faster at large mines and in the western key exploration provinces) and occasional
    discoveries. One factor on all additions sets the national growth.
    """
    mine = np.array([m.site.kind is SiteKind.MINE for m in models])
    depletion = a.mined * a.grade / 1e6
    active = a.days > 0
    quarters_active = np.maximum(active.sum(axis=1), 1)
    annual = depletion.sum(axis=1) / quarters_active * 4
    start = annual * np.array([m.lom_years for m in models])
    rate = np.array([m.explore_rate for m in models])
    adds = (start * rate / 4)[:, None] * rng.gamma(4.0, 0.25, depletion.shape)
    discovery = rng.random(depletion.shape) < 0.03
    adds += np.where(discovery, start[:, None] * rng.uniform(0.05, 0.15, depletion.shape), 0.0)
    adds *= active
    base = start[:, None] - np.cumsum(depletion, axis=1)
    grown = np.cumsum(adds, axis=1)
    keep = a.stored & mine[:, None]
    q1, q2 = PERIODS.index("2024-Q4"), PERIODS.index("2026-Q3")
    a1, a2 = (base * keep)[:, q1].sum(), (base * keep)[:, q2].sum()
    b1, b2 = (grown * keep)[:, q1].sum(), (grown * keep)[:, q2].sum()
    growth = 1 + rng.uniform(0.045, 0.065)
    k = (growth * a1 - a2) / (b2 - growth * b1)
    return np.where(mine[:, None], base + k * grown, 0.0)


def _waste(models: list[SiteModel], a: Figures,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Waste generated, opening stock and utilisation by route, whole tonnes.

    Returns arrays (S, Q, 4) generated, (S, Q, 4) opening stock and (S, Q, 4, 4) used by
    route; NaN where a waste type does not apply. Utilisation is calibrated per year:
    27.5-29 % of generation in 2024, +2.5-3.1 points in 2025 and +1.8-2.6 in 2026.
    """
    factor = np.array([m.waste_factor for m in models])                   # (S, 4)
    basis = np.stack([a.ore, a.ore, a.mined, a.ore], axis=-1)              # (S, Q, 4)
    refinery = np.array([m.site.plant_type is _RF for m in models])
    basis[refinery] = a.gold[refinery][:, :, None]                         # t per kg of gold
    generated = basis * factor[:, None, :]
    trend = 1 + np.array([m.route_trend for m in models])[:, None] * _T    # (S, Q)
    routes = np.array([m.routes for m in models])                          # (S, 4, 4)
    used = np.nan_to_num(generated)[..., None] * routes[:, None] * trend[..., None, None]
    target = rng.uniform(0.275, 0.29)
    for year in (2024, 2025, 2026):
        cols = year == _YEAR
        if year > 2024:
            target += rng.uniform(0.025, 0.031) if year == 2025 else rng.uniform(0.018, 0.026)
        keep = a.stored[:, cols]
        gen_sum = np.nansum(generated[:, cols] * keep[..., None])
        used_sum = (used[:, cols] * keep[..., None, None]).sum()
        used[:, cols] *= target * gen_sum / used_sum
    applies = ~np.isnan(factor)                                            # (S, 4)
    active = a.days > 0
    per_quarter = (np.nan_to_num(generated) * active[..., None]).sum(axis=1) / active.sum(
        axis=1, keepdims=True)
    old = np.array([m.site.commissioned_on is None or m.site.commissioned_on < _EPOCH
                    for m in models])
    stock = np.round(np.where(applies & old[:, None],
                              per_quarter * np.array([m.stock_quarters for m in models]), 0.0))
    gen_out = np.full(generated.shape, np.nan)
    stock_out = np.full(generated.shape, np.nan)
    used_out = np.full(used.shape, np.nan)
    for q in range(len(QUARTERS)):
        g = np.round(np.nan_to_num(generated[:, q]))
        wanted = used[:, q]
        available = g + stock
        scale = np.minimum(1.0, available / np.maximum(wanted.sum(-1), 1e-9))
        u = np.floor(wanted * scale[..., None])
        on = applies & active[:, q, None]
        gen_out[:, q] = np.where(on, g, np.nan)
        stock_out[:, q] = np.where(on, stock, np.nan)
        used_out[:, q] = np.where(on[..., None], u, np.nan)
        stock = np.where(on, stock + g - u.sum(-1), stock)
    return gen_out, stock_out, used_out


def _values(models: list[SiteModel], a: Figures, resources: np.ndarray,
            waste: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[tuple[int, int], Values]:
    """Report values of every stored site-quarter, rounded as a person would report them."""
    generated, stock, used = waste
    out: dict[tuple[int, int], Values] = {}
    for s, m in enumerate(models):
        kind, ptype = m.site.kind, m.site.plant_type
        for q in np.flatnonzero(a.stored[s]):
            v: Values = dict.fromkeys((f.name for f in FIELDS), None)
            gold = float(a.gold[s, q])
            if ptype is _RF:
                v["gold_recycled_kg"] = round(gold, 1)
                v["energy_tce"] = round(gold * m.energy_kgcept, 1)
            else:
                ore = float(a.ore[s, q])
                v["ore_treated_t"] = float(round(ore))
                v["head_grade_gpt"] = round(float(a.grade[s, q]), 2)
                if ptype is _CS:
                    v["gold_associated_kg"] = round(gold * m.by_product, 1)
                    v["gold_imported_kg"] = round(gold * (1 - m.by_product), 1)
                else:
                    v["gold_own_mine_kg"] = round(gold * (1 - m.by_product), 1)
                    if m.by_product > 0:
                        v["gold_associated_kg"] = round(gold * m.by_product, 1)
                if m.cyanide_kgpt > 0:
                    v["cyanide_consumed_t"] = round(ore * m.cyanide_kgpt / 1000, 2)
                rock = float(np.nan_to_num(generated[s, q, _WASTE_ROCK]))
                v["energy_tce"] = round((ore * m.energy_kgcept + 0.4 * rock) / 1000, 1)
            v["silver_kg"] = round(float(a.silver[s, q]), 1)
            if kind is SiteKind.MINE:
                v["ore_mined_t"] = float(round(a.mined[s, q]))
                total = float(resources[s, q])
                measured, indicated = total * m.res_split[0], total * m.res_split[1]
                v["resources_measured_t"] = round(measured, 3)
                v["resources_indicated_t"] = round(indicated, 3)
                v["resources_inferred_t"] = round(total - measured - indicated, 3)
                v["reserves_proved_t"] = round(measured * m.res_split[2], 3)
                v["reserves_probable_t"] = round(indicated * m.res_split[3], 3)
            for w, wtype in enumerate(_WASTE_TYPES):
                if np.isnan(generated[s, q, w]):
                    continue
                v[waste_column(wtype, "generated_t")] = float(generated[s, q, w])
                v[waste_column(wtype, "stock_t")] = float(stock[s, q, w])
                for r, route in enumerate(_ROUTES):
                    v[waste_column(wtype, f"used_{route}_t")] = float(used[s, q, w, r])
            out[(s, int(q))] = v
    return out


def report_values(models: list[SiteModel], rng: np.random.Generator
                  ) -> tuple[Figures, dict[tuple[int, int], Values]]:
    """Calibrated figures and rounded report values of every reporting site and quarter.

    Parameters
    ----------
    models : list of SiteModel
        The reporting sites, in the order of :attr:`Registry.models
        <aurum.demo.registry.Registry.models>`.
    rng : numpy.random.Generator
        The district's generator, drawn from in a fixed order (the same state gives the same
        figures).

    Returns
    -------
    Figures
        Site x quarter figures before rounding (``days`` operated and ``stored`` tell the
        missing reports).
    dict
        Report values per ``(site index, quarter index)`` of every stored report.
    """
    figures = _production(models, rng)
    _calibrate_gold(models, figures, rng)
    _calibrate_silver(models, figures, rng)
    resources = _resources(models, figures, rng)
    return figures, _values(models, figures, resources, _waste(models, figures, rng))
