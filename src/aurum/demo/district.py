"""Demo district: a fictional but realistic national gold industry, generated from a seed.

:func:`generate_district` returns the registry (enterprise groups, enterprises, mines, plants,
tailings facilities) and eleven quarters of statistical reports, ``2024-Q1`` to ``2026-Q3``,
for every operating mine and plant. Everything is pure data (dataclasses, floats, dates): a
service stores it, a notebook can use it directly.

The registry skeleton (names, codes, kinds, owners) is fixed, so site codes are stable across
seeds; the seed drives every figure (capacities, depths, coordinates, dates, report values).
Mines are named after the key development mines of Column 1 of the plan where one fits; every
enterprise and every other site is fictional.

The reports are calibrated to the plan's national picture (see :func:`generate_district`):
377 t of mine gold in 2024 growing about 2 % a year, about 13 % of it from processing plants,
heap leaches and smelters; large mines (>= 500 t/d) yielding about 63 % of the gold of mines
in 2024, rising slowly, as :mod:`aurum.industry.kpi` computes the plan's 70 % indicator (mine
sites only: plants and smelters are in neither numerator nor denominator); silver growing
2-3 % a year; solid-waste utilisation of about 28 % in 2024 rising toward 33 %; and gold
resources growing 4.5-6.5 % from the end of 2024 to 2026-Q3. About 130 small mines
(< 500 t/d), most of them high-grade vein mines, carry the other 37 % of the gold of mines.
The reports also carry the imperfections a regulator meets: late reports, missing reports,
rejected uploads and amendments.

This module assembles the district and adds those imperfections; the records and the plan's
figures are in :mod:`aurum.demo.records`, the registry skeleton and the sites drawn from it in
:mod:`aurum.demo.registry`, and the calibrated quarterly figures in :mod:`aurum.demo.reports`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from aurum.demo.records import (
    DATA_AS_OF,
    LARGE_MINE_TPD,
    PERIODS,
    DemoAmendment,
    DemoOrganisation,
    DemoRejected,
    DemoReport,
    DemoSite,
)
from aurum.demo.registry import Registry
from aurum.demo.reports import QUARTERS, report_values
from aurum.industry.registry import SiteKind
from aurum.industry.reporting import (
    Values,
    gold_resources_t,
    mine_gold_kg,
    waste_column,
    waste_generated_t,
    waste_utilised_t,
)

_N_LATE = 18
_GOLD_FIELDS = ("gold_own_mine_kg", "gold_associated_kg", "gold_imported_kg")
_RESOURCE_FIELDS = ("resources_measured_t", "resources_indicated_t", "resources_inferred_t",
                    "reserves_proved_t", "reserves_probable_t")


@dataclass(frozen=True)
class District:
    """The whole demo district.

    Parameters
    ----------
    organisations : list of DemoOrganisation
        Groups first, then enterprises.
    sites : list of DemoSite
        Mines, plants and tailings facilities.
    reports : list of DemoReport
        Stored quarterly reports in first-submitted form, by period then site.
    amendments : list of DemoAmendment
        Corrections of some of the stored reports.
    rejected : list of DemoRejected
        Uploads that failed validation.
    missing : list of (str, str)
        ``(site_code, period)`` of operating sites that never reported that quarter.
    seed : int
        Seed the district was generated from.
    """

    organisations: list[DemoOrganisation]
    sites: list[DemoSite]
    reports: list[DemoReport]
    amendments: list[DemoAmendment]
    rejected: list[DemoRejected]
    missing: list[tuple[str, str]]
    seed: int

    def current_values(self) -> dict[tuple[str, str], Values]:
        """Figures in force per ``(site_code, period)``: the amendment where there is one."""
        out = {(r.site_code, r.period): r.values for r in self.reports}
        out.update({(a.site_code, a.period): a.values for a in self.amendments})
        return out


# ---------------------------------------------------------------------------------------------
# National figures of a district (the indicators the tests and the demo check)


def annual_mine_gold_kg(district: District, year: int) -> float:
    """National mine gold (own mine + associated) of the reports of one year, kg."""
    return sum(mine_gold_kg(v) for (_, p), v in district.current_values().items()
               if p.startswith(f"{year}-"))


def large_mine_share(district: District, year: int) -> float:
    """Share of the gold of mines from mines of at least :data:`LARGE_MINE_TPD`, fraction.

    The KPI engine's definition (:mod:`aurum.industry.kpi`, ``large_mine_output_share_pct``):
    mine gold (own mine + associated) of mine sites with a design capacity of at least
    :data:`LARGE_MINE_TPD` over the mine gold of all mine sites. Plants, heap leaches,
    smelters and refineries are in neither the numerator nor the denominator.
    """
    mines = {s.code: (s.design_capacity_tpd or 0.0) >= LARGE_MINE_TPD
             for s in district.sites if s.kind is SiteKind.MINE}
    gold = [(mines[site], mine_gold_kg(v)) for (site, p), v in district.current_values().items()
            if site in mines and p.startswith(f"{year}-")]
    return sum(g for large, g in gold if large) / sum(g for _, g in gold)


def waste_utilisation_rate(district: District, year: int) -> float:
    """Solid waste utilised / solid waste generated, all types and sites of one year."""
    rows = [v for (_, p), v in district.current_values().items() if p.startswith(f"{year}-")]
    return sum(waste_utilised_t(v) for v in rows) / sum(waste_generated_t(v) for v in rows)


def national_resources_t(district: District, period: str) -> float:
    """Gold resources (measured + indicated + inferred) of the reports of one quarter, t."""
    return sum(gold_resources_t(v) or 0.0 for (_, p), v in district.current_values().items()
               if p == period)


# ---------------------------------------------------------------------------------------------
# Imperfections: late, amended and rejected submissions


def _submission_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after the quarter end: 5-25, and more than 30 for :data:`_N_LATE` of them."""
    days = rng.integers(5, 26, n)
    days[rng.choice(n, _N_LATE, replace=False)] = rng.integers(31, 121, _N_LATE)
    return days


def _amend(values: Values, kind: str, previous: Values | None) -> tuple[Values, str] | None:
    """The erroneous first submission behind an amendment, and the amendment's reason."""
    first = dict(values)
    if kind == "assay" and (values["head_grade_gpt"] or 0) > 0:
        for name in ("head_grade_gpt", *_GOLD_FIELDS):
            value = first[name]
            if value is not None:
                first[name] = round(value * 0.96, 2 if name == "head_grade_gpt" else 1)
        return first, ("head grade and gold restated after the final assays of the quarter's "
                       "bullion and tailings samples")
    backfill = waste_column("tailings", "used_backfill_t")
    if kind == "backfill" and (values[backfill] or 0) > 0:
        first[backfill] = 0.0
        return first, "tailings sent to underground backfill were left out of the first return"
    if kind == "resources" and previous is not None and values["resources_measured_t"]:
        for name in _RESOURCE_FIELDS:
            first[name] = previous[name]
        return first, ("resources and reserves updated to the quarter-end statement; the first "
                       "return repeated the previous quarter")
    if kind == "ore" and values["ore_mined_t"] and values["ore_mined_t"] < 4e6:
        first["ore_mined_t"] = values["ore_mined_t"] * 10
        return first, "ore mined keyed with an extra digit"
    return None


def _reject(values: Values, kind: str) -> tuple[Values, str] | None:
    """A refused upload of a site-quarter (fails ``check_values``), with what went wrong."""
    bad = dict(values)
    if kind == "grade" and values["head_grade_gpt"] and values["gold_own_mine_kg"]:
        bad["head_grade_gpt"] = round(values["head_grade_gpt"] / 10, 3)
        return bad, (f"head grade keyed as {bad['head_grade_gpt']} g/t instead of "
                     f"{values['head_grade_gpt']} g/t: gold exceeds the gold in the ore")
    backfill = waste_column("tailings", "used_backfill_t")
    generated = values.get(waste_column("tailings", "generated_t"))
    if kind == "waste" and generated:
        bad[waste_column("tailings", "stock_t")] = None
        bad[backfill] = float(round(generated * 1.25))
        return bad, ("backfill drew on tailings from storage but the opening stock was left "
                     "blank: utilised exceeds generated")
    if kind == "reserves" and values["reserves_probable_t"]:
        bad["resources_indicated_t"] = None
        bad["reserves_proved_t"] = values["resources_measured_t"]
        return bad, "indicated resources left blank while probable reserves were reported"
    return None


_AMENDMENT_KINDS = ("assay", "backfill", "resources", "ore", "assay", "backfill")
_REJECTION_KINDS = ("grade", "waste", "reserves", "grade", "waste", "reserves")


# ---------------------------------------------------------------------------------------------
# Entry point


def generate_district(seed: int = 2025) -> District:
    """Generate the demo district.

    Parameters
    ----------
    seed : int, default 2025
        Seed of :func:`numpy.random.default_rng`; the same seed gives an identical district.

    Returns
    -------
    District
        74 organisations (8 groups, 66 enterprises), 210 mines and plants (183 mines, 128 of
        them small, and 27 plants; a few under construction or suspended), 15 tailings
        facilities, and about 2,150 quarterly reports ``2024-Q1`` .. ``2026-Q3``.

    Notes
    -----
    Figures are first drawn per site from its design capacity (t/d), utilisation (70-100 %,
    lower in Q1), head grade (g/t, slowly declining) and recovery, then calibrated:

    * mine gold: per year, head grades and gold of large mines (>= 500 t/d), of small mines
      and of plants and smelters are scaled by three factors so that 2024 national mine gold
      is :data:`MINE_GOLD_2024_KG` kg, 2025 grows 1.8-2.3 %, 2026-Q1..Q3 grows 1.5-2.5 % on
      the same quarters of 2025, plants and smelters yield 12.5-14.5 % of it, and large mines
      yield 62.8-64.2 % of the gold of mine sites in 2024 (:func:`large_mine_share`, the KPI
      engine's definition), rising 0.6-1.2 points a year (gold stays below ore x grade: both
      scale together). The skeleton is drawn so that the factors stay near 1 (about 1.05 for
      large mines, 1.1 for small ones): head grades end at about 0.6-2.5 g/t in the large
      gold open pits (less in the copper-gold ones), 2.5-9 g/t in large underground mines and
      4.5-12 g/t in the small underground mines;
    * silver: per year, one factor on every site's silver-to-gold ratio makes national silver
      grow 2-3 % in 2025 and in 2026-Q1..Q3 on the same quarters of 2025;
    * resources: one factor on the exploration additions makes the national resources of the
      reports grow 4.5-6.5 % from 2024-Q4 to 2026-Q3, net of the depletion by mining;
    * solid waste: per year, one factor on utilisation sets the national rate to 27.5-29 % in
      2024, then +2.5-3.1 and +1.8-2.6 points.

    Targets are taken over the figures in force (amendments applied, missing reports absent).
    """
    rng = np.random.default_rng(seed)
    registry = Registry(rng)
    registry.build()
    models = registry.models
    arrays, values = report_values(models, rng)

    keys = sorted(values, key=lambda k: (k[1], models[k[0]].site.code))
    delays = _submission_days(rng, len(keys))
    submitted = {k: min(QUARTERS[k[1]].end + dt.timedelta(days=int(d)), DATA_AS_OF)
                 for k, d in zip(keys, delays, strict=True)}
    first = dict(values)
    amendments: list[DemoAmendment] = []
    rejected: list[DemoRejected] = []
    order = [keys[i] for i in rng.permutation(len(keys))]
    for kind in _AMENDMENT_KINDS:
        for key in order:
            previous = values.get((key[0], key[1] - 1))
            made = _amend(values[key], kind, previous)
            if made is not None:
                first[key], reason = made
                amendments.append(DemoAmendment(
                    models[key[0]].site.code, PERIODS[key[1]], values[key], reason,
                    min(submitted[key] + dt.timedelta(days=int(rng.integers(10, 61))),
                        DATA_AS_OF)))
                order.remove(key)
                break
    for kind in _REJECTION_KINDS:
        for key in order:
            refused = _reject(values[key], kind)
            if refused is not None:
                rejected.append(DemoRejected(models[key[0]].site.code, PERIODS[key[1]],
                                             *refused))
                order.remove(key)
                break

    reports = [DemoReport(models[k[0]].site.code, PERIODS[k[1]], first[k], submitted[k])
               for k in keys]
    missing = sorted(((m.site.code, PERIODS[q]) for s, m in enumerate(models)
                      for q in np.flatnonzero((arrays.days[s] > 0) & ~arrays.stored[s])),
                     key=lambda k: (PERIODS.index(k[1]), k[0]))
    return District(registry.orgs, registry.sites, reports, amendments, rejected, missing, seed)
