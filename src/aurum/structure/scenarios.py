"""Scenarios of a region and the regional mines they make.

The regional-mine rule (the lever the plan names)
-------------------------------------------------
The plan's indicator counts the gold of mines treating ≥ 500 t/d (the threshold is the plan
targets' ``large_mine_capacity_t_per_day``, passed in). Task 5 asks to build "regional mines"
out of "numerous, small and scattered" orebodies with "decentralised mining and beneficiation,
centralised smelting". Here, after a consolidation: **the mines below the threshold that a
plan sends to the same plant, and that lie within ``radius_km`` road distance of it, form one
regional mine; when their summed ore reaches the threshold, each of them counts in the
indicator as part of a mine of that summed capacity** (its gold moves into the ≥ 500 t/d
class). A small mine farther than the radius, or a group whose sum stays below the
threshold, counts at its own capacity. Mines at or above the threshold always count as
themselves. Before consolidation (the status quo) every mine counts at its own capacity.

Each scenario is one plan solved by :func:`aurum.structure.consolidation.consolidate`:
closing backward capacity (existing plants below the floor shut), a new central mill (a
candidate added), a price change (the margin maximised at another gold price). The share
itself is computed by the caller with the plan indicators' own definition, from the
capacities :func:`counted_capacity_tpd` gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from aurum.structure.consolidation import Consolidation, Mine, Plant, consolidate

SCENARIO_KEYS: tuple[str, ...] = ("status_quo", "close_backward", "central_mill", "price")
"""The standard scenarios, in the order they are compared."""


@dataclass(frozen=True)
class Scenario:
    """One way to run the region.

    Parameters
    ----------
    key : str
        Short machine name (:data:`SCENARIO_KEYS` for the standard ones).
    closed : tuple of str
        Plants shut.
    added : tuple of Plant
        Candidate plants offered in addition (a new central mill).
    gold_price_cny_per_g : float
        Gold price of the scenario, CNY/g.
    maximise_margin : bool
        Maximise gold value − cost (else minimise cost).
    regional : bool
        Whether small mines may form regional mines (False for the status quo).
    candidates : bool
        Whether the candidate plants of the region are offered (False for the status quo).
    """

    key: str
    closed: tuple[str, ...] = ()
    added: tuple[Plant, ...] = ()
    gold_price_cny_per_g: float = 0.0
    maximise_margin: bool = False
    regional: bool = True
    candidates: bool = True


@dataclass(frozen=True)
class RegionalMine:
    """Small mines feeding one plant, counted together (rule in the module docstring).

    Parameters
    ----------
    plant : str
        The central plant.
    mines : tuple of str
        Its member mines.
    ore_tpd : float
        Their summed ore, t/d.
    gold_g_per_day : float
        Their gold recovered, g/d (the gold that moves into the ≥ threshold class).
    """

    plant: str
    mines: tuple[str, ...]
    ore_tpd: float
    gold_g_per_day: float


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's plan and what it does to the indicator's inputs.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    plan : Consolidation
        Its optimal (or best within the limit) plan.
    regional_mines : tuple of RegionalMine
        Groups reaching the threshold (empty for the status quo).
    counted_capacity_tpd : dict of str to float
        The capacity each mine counts at in the indicator, t/d.
    gold_g_per_day : dict of str to float
        Gold recovered from each mine's ore, g/d.
    """

    scenario: Scenario
    plan: Consolidation
    regional_mines: tuple[RegionalMine, ...]
    counted_capacity_tpd: dict[str, float]
    gold_g_per_day: dict[str, float]


def standard_scenarios(plants: Sequence[Plant], gold_price_cny_per_g: float,
                       floors_tpd: Mapping[str, float], central_mill: Plant | None = None,
                       price_change: float = 0.1) -> tuple[Scenario, ...]:
    """The four standard scenarios of a region.

    Parameters
    ----------
    plants : sequence of Plant
        The region's plants, existing and candidate.
    gold_price_cny_per_g : float
        Today's gold price, CNY/g.
    floors_tpd : mapping of str to float
        The plan's floors per plant kind, t/d: an existing plant below its floor is backward
        capacity.
    central_mill : Plant, optional
        A new central mill for the scenario of that name (skipped when None).
    price_change : float
        Relative change of the gold price in the price scenario (0.1 = +10 %).

    Returns
    -------
    tuple of Scenario
        status quo (existing plants only, no regional mines), close backward capacity, a new
        central mill (with backward capacity closed), a price change (margin maximised).
    """
    backward = tuple(p.id for p in plants
                     if p.existing and p.capacity_tpd < floors_tpd.get(p.kind, 0.0))
    scenarios = [Scenario("status_quo", gold_price_cny_per_g=gold_price_cny_per_g,
                          regional=False, candidates=False),
                 Scenario("close_backward", closed=backward,
                          gold_price_cny_per_g=gold_price_cny_per_g)]
    if central_mill is not None:
        scenarios.append(Scenario("central_mill", closed=backward, added=(central_mill,),
                                  gold_price_cny_per_g=gold_price_cny_per_g))
    scenarios.append(Scenario("price", closed=backward,
                              added=() if central_mill is None else (central_mill,),
                              gold_price_cny_per_g=gold_price_cny_per_g * (1 + price_change),
                              maximise_margin=True))
    return tuple(scenarios)


def run_scenario(scenario: Scenario, mines: Sequence[Mine], plants: Sequence[Plant],
                 transport_cny_per_tkm: float, *, threshold_tpd: float, radius_km: float,
                 road_factor: float = 1.0, floors_tpd: Mapping[str, float] | None = None,
                 time_limit_s: float = 60.0) -> ScenarioResult:
    """Solve one scenario and count its regional mines.

    Parameters
    ----------
    scenario : Scenario
        What to solve.
    mines, plants : sequence of Mine, Plant
        The region.
    transport_cny_per_tkm : float
        Haulage cost, CNY/(t·km).
    threshold_tpd : float
        The indicator's large-mine threshold, t/d (500 in the plan).
    radius_km : float
        Largest road distance of a small mine to its central plant in a regional mine, km.
    road_factor, floors_tpd, time_limit_s
        As in :func:`~aurum.structure.consolidation.consolidate`.

    Returns
    -------
    ScenarioResult
        The plan, its regional mines and the capacities the indicator counts.
    """
    offered = [p for p in plants if scenario.candidates or p.existing] + list(scenario.added)
    plan = consolidate(mines, offered, transport_cny_per_tkm, road_factor=road_factor,
                       floors_tpd=floors_tpd,
                       closed=[c for c in scenario.closed if any(p.id == c for p in offered)],
                       gold_price_cny_per_g=scenario.gold_price_cny_per_g,
                       maximise_margin=scenario.maximise_margin, time_limit_s=time_limit_s)
    recovery = {p.id: p.recovery for p in offered}
    gold = {m.id: m.ore_tpd * m.grade_g_per_t * recovery[plan.assignment[m.id]] for m in mines}
    groups = (regional_mines(mines, plan, gold, threshold_tpd, radius_km)
              if scenario.regional else ())
    return ScenarioResult(scenario, plan, groups,
                          counted_capacity_tpd(mines, groups), gold)


def regional_mines(mines: Sequence[Mine], plan: Consolidation, gold_g_per_day: Mapping[str, float],
                   threshold_tpd: float, radius_km: float) -> tuple[RegionalMine, ...]:
    """The regional mines of a plan (rule in the module docstring), largest first.

    Parameters
    ----------
    mines : sequence of Mine
        The region's mines.
    plan : Consolidation
        Where each mine's ore goes, and how far.
    gold_g_per_day : mapping of str to float
        Gold recovered per mine, g/d.
    threshold_tpd : float
        Large-mine threshold, t/d.
    radius_km : float
        Largest road distance of a member to the plant, km.

    Returns
    -------
    tuple of RegionalMine
        Groups whose summed ore reaches the threshold.
    """
    members: dict[str, list[Mine]] = {}
    for m in mines:
        if m.ore_tpd < threshold_tpd and plan.road_km[m.id] <= radius_km:
            members.setdefault(plan.assignment[m.id], []).append(m)
    groups = [RegionalMine(plant, tuple(m.id for m in group), float(sum(m.ore_tpd for m in group)),
                           float(sum(gold_g_per_day[m.id] for m in group)))
              for plant, group in members.items()
              if len(group) > 1 and sum(m.ore_tpd for m in group) >= threshold_tpd]
    return tuple(sorted(groups, key=lambda g: -g.ore_tpd))


def counted_capacity_tpd(mines: Sequence[Mine], groups: Sequence[RegionalMine]
                         ) -> dict[str, float]:
    """The capacity each mine counts at in the large-mine indicator, t/d: its regional mine's
    summed ore when it belongs to one, else its own ore."""
    counted = {m.id: m.ore_tpd for m in mines}
    for group in groups:
        for name in group.mines:
            counted[name] = group.ore_tpd
    return counted


def proposals(result: ScenarioResult) -> tuple[dict[str, object], ...]:
    """The regional mines of a scenario as proposals: members, summed ore and the gold that
    moves into the ≥ threshold class (the gain), g/d, largest gain first."""
    return tuple({"plant": g.plant, "mines": list(g.mines), "ore_tpd": g.ore_tpd,
                  "gain_gold_g_per_day": g.gold_g_per_day}
                 for g in sorted(result.regional_mines, key=lambda g: -g.gold_g_per_day))


def central_mill_site(mines: Sequence[Mine], threshold_tpd: float) -> tuple[float, float]:
    """Where a central mill for the small mines would sit: the ore-weighted centroid of the
    mines below the threshold (of all mines when none is), km."""
    small = [m for m in mines if m.ore_tpd < threshold_tpd] or list(mines)
    weights = np.array([m.ore_tpd for m in small])
    xy = np.array([[m.x_km, m.y_km] for m in small])
    x, y = (weights[:, None] * xy).sum(axis=0) / weights.sum()
    return float(x), float(y)

