"""A reference CIL gold plant: its circuit, true stream values and measurement precisions.

The plant crushes and grinds ore in a ball mill closed by cyclones; a gravity circuit on the
cyclone underflow sends its concentrate straight to the smelter; the cyclone overflow is
leached in carbon-in-leach tanks; the loaded carbon is eluted, the eluate electrowon, and
the sludge smelted with the gravity concentrate to doré bullion. Stream masses are per day
(t/d of ore, solids, carbon or solution) and assays in g/t (a solution's g/t = mg/L at
1 t/m³).

:func:`true_values` gives every stream with all balances exact, for any daily ore and head
grade (the small streams scale with the ore); :func:`survey` draws one set of measurements
from the truth with the precisions of :data:`PRECISION` and returns the YAML form that
:func:`aurum.processing.circuit.circuit_from_mapping` reads. :func:`gold_plant` is the plant
at its reference point (2,000 t/d at 3 g/t).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

# Reference point, per day: t of ore, solids, carbon, solution; Au in g/t.
ORE_T, ORE_AU = 2000.0, 3.0
CIRCULATING_LOAD = 2.5              # cyclone underflow / new feed
GRAVITY_CONC_T, GRAVITY_RECOVERY = 0.8, 0.30
CIL_TAILS_AU = 0.15
CARBON_T, BARREN_CARBON_AU = 4.0, 40.0
ELUATE_T, BARREN_ELUATE_AU = 20.0, 2.0   # eluant in = eluate out (t of solution)
ELUANT_AU = 1.5
SLUDGE_T = 0.01
BULLION_AU = 900_000.0              # 90 % fine
SLAG_T, SLAG_AU = 0.8, 50.0
GRAVITY_TAILS_ENRICHMENT = 1.2      # Au of gravity tails / Au of new feed (mill-cyclone loop)

NODES: list[Any] = [
    "feed", {"name": "mill", "kind": "mill"}, {"name": "cyclone", "kind": "cyclone"},
    {"name": "gravity", "kind": "gravity"}, {"name": "cil", "kind": "cil"},
    {"name": "elution", "kind": "elution"},
    {"name": "electrowinning", "kind": "electrowinning"},
    {"name": "smelting", "kind": "smelting"}, "tails", "carbon_in", "carbon_out",
    "eluant_in", "barren_solution", "bullion", "slag"]
STREAMS: list[tuple[str, str, str]] = [
    ("ore", "feed", "mill"), ("mill_discharge", "mill", "cyclone"),
    ("cyclone_underflow", "cyclone", "gravity"), ("gravity_tails", "gravity", "mill"),
    ("gravity_conc", "gravity", "smelting"), ("cyclone_overflow", "cyclone", "cil"),
    ("cil_tails", "cil", "tails"), ("carbon_feed", "carbon_in", "cil"),
    ("loaded_carbon", "cil", "elution"), ("eluant", "eluant_in", "elution"),
    ("stripped_carbon", "elution", "carbon_out"),
    ("eluate", "elution", "electrowinning"),
    ("barren_eluate", "electrowinning", "barren_solution"),
    ("sludge", "electrowinning", "smelting"), ("bullion", "smelting", "bullion"),
    ("slag", "smelting", "slag"),
]
"""Streams as (name, from node, to node)."""

PRECISION: dict[str, tuple[float | None, float | None]] = {
    "ore": (0.015, 0.05), "mill_discharge": (0.05, 0.05), "cyclone_underflow": (None, 0.05),
    "gravity_tails": (None, 0.05), "gravity_conc": (0.01, 0.03),
    "cyclone_overflow": (0.03, 0.05), "cil_tails": (None, 0.07), "carbon_feed": (0.03, 0.05),
    "loaded_carbon": (0.03, 0.03), "eluant": (0.02, 0.05), "stripped_carbon": (0.03, 0.05),
    "eluate": (0.02, 0.03),
    "barren_eluate": (None, 0.05), "sludge": (0.05, None), "bullion": (0.001, 0.001),
    "slag": (0.02, 0.10),
}
"""Relative standard deviation of each stream's (mass, Au) measurement; None = not measured."""


def _fixed_losses(ore_t: float) -> float:
    """Gold leaving or entering other than in the CIL tails and the bullion, g/d.

    Slag and barren eluate out, the eluant's gold in; the small streams scale with the ore.
    """
    k = ore_t / ORE_T
    return (SLAG_T * SLAG_AU + (ELUATE_T - SLUDGE_T) * BARREN_ELUATE_AU
            - ELUATE_T * ELUANT_AU) * k


def cil_tails_for_recovery(ore_t: float, ore_au: float, recovery: float) -> float:
    """CIL tails assay that gives the plant a chosen overall recovery.

    Parameters
    ----------
    ore_t : float
        Ore fed, t/d.
    ore_au : float
        Head grade, g/t.
    recovery : float
        Gold in bullion / gold in ore, fraction.

    Returns
    -------
    float
        Au of the CIL tails, g/t (the other losses as in :func:`true_values`).

    Raises
    ------
    ValueError
        When the recovery leaves no gold for the tails (the assay would be negative).
    """
    tails_gold = ore_t * ore_au * (1.0 - recovery) - _fixed_losses(ore_t)
    if tails_gold <= 0:
        raise ValueError(f"recovery {recovery:.4f} at {ore_au:g} g/t leaves no gold for the "
                         "CIL tails")
    return tails_gold / (ore_t - GRAVITY_CONC_T * ore_t / ORE_T)


def true_values(ore_t: float = ORE_T, ore_au: float = ORE_AU,
                cil_tails_au: float = CIL_TAILS_AU) -> dict[str, tuple[float, float]]:
    """Mass and Au of every stream, every balance exact.

    Parameters
    ----------
    ore_t : float
        Ore fed, t/d; gravity concentrate, carbon, eluant, sludge and slag scale with it.
    ore_au : float
        Head grade, g/t.
    cil_tails_au : float
        Au of the CIL tails, g/t (sets the recovery; see :func:`cil_tails_for_recovery`).

    Returns
    -------
    dict
        Stream name to (mass in t/d, Au in g/t).
    """
    k = ore_t / ORE_T
    conc_t, carbon_t, eluate_t = GRAVITY_CONC_T * k, CARBON_T * k, ELUATE_T * k
    sludge_t, slag_out_t = SLUDGE_T * k, SLAG_T * k
    gold = ore_t * ore_au
    uf = CIRCULATING_LOAD * ore_t
    grav_gold = GRAVITY_RECOVERY * gold
    gt_gold = GRAVITY_TAILS_ENRICHMENT * ore_au * (uf - conc_t)
    uf_gold = gt_gold + grav_gold
    md_gold = gold + gt_gold
    of_t = ore_t - conc_t
    of_gold = md_gold - uf_gold
    tails_gold = cil_tails_au * of_t
    lc_gold = of_gold + carbon_t * BARREN_CARBON_AU - tails_gold
    eluate_gold = lc_gold + eluate_t * ELUANT_AU - carbon_t * BARREN_CARBON_AU
    barren_t = eluate_t - sludge_t
    sludge_gold = eluate_gold - barren_t * BARREN_ELUATE_AU
    bullion_gold = grav_gold + sludge_gold - slag_out_t * SLAG_AU
    bullion_t = bullion_gold / BULLION_AU
    slag_t = conc_t + sludge_t - bullion_t
    slag_au = slag_out_t * SLAG_AU / slag_t
    md_t = ore_t + uf - conc_t
    return {
        "ore": (ore_t, ore_au), "mill_discharge": (md_t, md_gold / md_t),
        "cyclone_underflow": (uf, uf_gold / uf),
        "gravity_tails": (uf - conc_t, gt_gold / (uf - conc_t)),
        "gravity_conc": (conc_t, grav_gold / conc_t),
        "cyclone_overflow": (of_t, of_gold / of_t), "cil_tails": (of_t, cil_tails_au),
        "carbon_feed": (carbon_t, BARREN_CARBON_AU),
        "loaded_carbon": (carbon_t, lc_gold / carbon_t),
        "eluant": (eluate_t, ELUANT_AU), "stripped_carbon": (carbon_t, BARREN_CARBON_AU),
        "eluate": (eluate_t, eluate_gold / eluate_t),
        "barren_eluate": (barren_t, BARREN_ELUATE_AU),
        "sludge": (sludge_t, sludge_gold / sludge_t), "bullion": (bullion_t, BULLION_AU),
        "slag": (slag_t, slag_au),
    }


def survey(truth: Mapping[str, tuple[float, float]], rng: np.random.Generator,
           errors: Mapping[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """One survey of the plant as a circuit mapping (the YAML form).

    Parameters
    ----------
    truth : mapping
        Stream name to (mass in t/d, Au in g/t), as :func:`true_values` returns it.
    rng : numpy.random.Generator
        Source of the measurement errors: one standard normal per measurement, stream by
        stream in the order of :data:`STREAMS`, mass before Au.
    errors : mapping, optional
        ``(stream, "mass" or "Au")`` to a factor applied to that measurement (a gross error).

    Returns
    -------
    dict
        ``nodes``, ``streams`` and ``measurements`` (each measured value = truth +
        N(0, sd), sd = relative precision of :data:`PRECISION` × truth; masses in t/d, Au
        in g/t).
    """
    measurements: dict[str, Any] = {}
    for name, _, _ in STREAMS:
        entry: dict[str, Any] = {}
        for k, (field, rel) in enumerate(zip(("mass", "Au"), PRECISION[name], strict=True)):
            if rel is None:
                continue
            sd = rel * truth[name][k]
            value = (truth[name][k] + sd * rng.standard_normal()) \
                * (errors or {}).get((name, field), 1.0)
            if field == "mass":
                entry["mass"] = [float(value), float(sd)]
            else:
                entry["assays"] = {"Au": [float(value), float(sd)]}
        measurements[name] = entry
    return {"nodes": NODES,
            "streams": [{"name": n, "from": a, "to": b} for n, a, b in STREAMS],
            "measurements": measurements}


def gold_plant(seed: int = 7, errors: Mapping[tuple[str, str], float] | None = None,
               ) -> dict[str, Any]:
    """The plant at its reference point as a circuit mapping, measurements = truth + N(0, sd).

    Parameters
    ----------
    seed : int
        Seed of the measurement errors.
    errors : mapping, optional
        ``(stream, "mass" or "Au")`` to a factor applied to that measurement (a gross error).

    Returns
    -------
    dict
        The YAML form (see :func:`survey`), masses in t/d, Au in g/t.
    """
    return survey(true_values(), np.random.default_rng(seed), errors)
