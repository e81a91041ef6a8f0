"""Industry structure: regional consolidation of small mines onto plants (Task 5 of the plan),
a single-source capacitated facility-location MIP solved with HiGHS, its scenarios and the
regional mines that count towards the ≥ 500 t/d indicator. Pure: dataclasses and arrays in,
dataclasses out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "consolidation": ("Consolidation", "Instance", "Mine", "PLANT_KINDS", "Plant", "Solution",
                      "check_region", "consolidate", "plan_cost", "plan_loads",
                      "road_distance_km", "solve"),
    "orlib": ("read_optima", "read_orlib"),
    "scenarios": ("RegionalMine", "SCENARIO_KEYS", "Scenario", "ScenarioResult",
                  "central_mill_site", "counted_capacity_tpd", "proposals", "regional_mines",
                  "run_scenario", "standard_scenarios"),
    "tables": ("MINE_COLUMNS", "PLANT_COLUMNS", "read_mines", "read_plants"),
})
