"""Circuits shared by the processing tests: a realistic CIL gold plant with its true values."""

from __future__ import annotations

from typing import Any

import numpy as np

# Per day: t of ore, solids, carbon, solution; Au in g/t (a solution's g/t = mg/L at 1 t/m³).
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

NODES = ["feed", {"name": "mill", "kind": "mill"}, {"name": "cyclone", "kind": "cyclone"},
         {"name": "gravity", "kind": "gravity"}, {"name": "cil", "kind": "cil"},
         {"name": "elution", "kind": "elution"},
         {"name": "electrowinning", "kind": "electrowinning"},
         {"name": "smelting", "kind": "smelting"}, "tails", "carbon_in", "carbon_out",
         "eluant_in", "barren_solution", "bullion", "slag"]
STREAMS = [
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
# Relative standard deviations of the measurements (mass, Au); None = not measured.
PRECISION: dict[str, tuple[float | None, float | None]] = {
    "ore": (0.015, 0.05), "mill_discharge": (0.05, 0.05), "cyclone_underflow": (None, 0.05),
    "gravity_tails": (None, 0.05), "gravity_conc": (0.01, 0.03),
    "cyclone_overflow": (0.03, 0.05), "cil_tails": (None, 0.07), "carbon_feed": (0.03, 0.05),
    "loaded_carbon": (0.03, 0.03), "eluant": (0.02, 0.05), "stripped_carbon": (0.03, 0.05),
    "eluate": (0.02, 0.03),
    "barren_eluate": (None, 0.05), "sludge": (0.05, None), "bullion": (0.001, 0.001),
    "slag": (0.02, 0.10),
}


def true_values() -> dict[str, tuple[float, float]]:
    """Mass (t/d) and Au (g/t) of every stream, every balance exact."""
    gold = ORE_T * ORE_AU
    uf = CIRCULATING_LOAD * ORE_T
    grav_gold = GRAVITY_RECOVERY * gold
    # Gravity tails carry 20 % more gold per tonne than the new feed (mill-cyclone loop).
    gt_gold = 1.2 * ORE_AU * (uf - GRAVITY_CONC_T)
    uf_gold = gt_gold + grav_gold
    md_gold = gold + gt_gold
    of_t = ORE_T - GRAVITY_CONC_T
    of_gold = md_gold - uf_gold
    tails_gold = CIL_TAILS_AU * of_t
    lc_gold = of_gold + CARBON_T * BARREN_CARBON_AU - tails_gold
    eluate_gold = lc_gold + ELUATE_T * ELUANT_AU - CARBON_T * BARREN_CARBON_AU
    barren_t = ELUATE_T - SLUDGE_T
    sludge_gold = eluate_gold - barren_t * BARREN_ELUATE_AU
    bullion_gold = grav_gold + sludge_gold - SLAG_T * SLAG_AU
    bullion_t = bullion_gold / BULLION_AU
    slag_t = GRAVITY_CONC_T + SLUDGE_T - bullion_t
    slag_au = SLAG_T * SLAG_AU / slag_t
    return {
        "ore": (ORE_T, ORE_AU), "mill_discharge": (ORE_T + uf - GRAVITY_CONC_T,
                                                   md_gold / (ORE_T + uf - GRAVITY_CONC_T)),
        "cyclone_underflow": (uf, uf_gold / uf),
        "gravity_tails": (uf - GRAVITY_CONC_T, gt_gold / (uf - GRAVITY_CONC_T)),
        "gravity_conc": (GRAVITY_CONC_T, grav_gold / GRAVITY_CONC_T),
        "cyclone_overflow": (of_t, of_gold / of_t), "cil_tails": (of_t, CIL_TAILS_AU),
        "carbon_feed": (CARBON_T, BARREN_CARBON_AU), "loaded_carbon": (CARBON_T,
                                                                       lc_gold / CARBON_T),
        "eluant": (ELUATE_T, ELUANT_AU), "stripped_carbon": (CARBON_T, BARREN_CARBON_AU),
        "eluate": (ELUATE_T, eluate_gold / ELUATE_T),
        "barren_eluate": (barren_t, BARREN_ELUATE_AU),
        "sludge": (SLUDGE_T, sludge_gold / SLUDGE_T), "bullion": (bullion_t, BULLION_AU),
        "slag": (slag_t, slag_au),
    }


def gold_plant(seed: int = 7, errors: dict[tuple[str, str], float] | None = None,
               ) -> dict[str, Any]:
    """The plant as a circuit mapping (the YAML form), measurements = truth + N(0, sd).

    Parameters
    ----------
    seed : int
        Random seed of the measurement errors.
    errors : dict, optional
        ``(stream, "mass" or "Au")`` to a factor applied to that measurement (a gross error).
    """
    rng = np.random.default_rng(seed)
    truth = true_values()
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
