"""Open-pit planning: block economics, slope precedence, the ultimate pit by maximum closure,
nested pits and cut-off grades. Pure: arrays in, arrays and dataclasses out."""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "cutoff": ("GradeTonnage", "LaneEconomics", "breakeven_cutoff", "lane_cutoffs", "lane_profit",
               "marginal_cutoff"),
    "economics": ("Market", "MiningCost", "Process", "block_values", "price_cny_per_g"),
    "maxclosure": ("NestedPits", "maximum_closure", "nested_pits"),
    "minelib": ("PitInstance", "check_acyclic", "is_closed", "read_instance", "read_prec",
                "read_solution"),
    "precedence": ("SlopeTable", "minimum_search_pattern", "precedence_accuracy",
                   "slope_precedence"),
    "schedule": ("pit_by_pit",),
    "study": ("PitEconomics", "PitStudy", "Progress", "STAGES", "economics_from_dict",
              "narrow_blocks", "pit_study", "read_economics", "study_blocks", "study_footprint",
              "taylor_rate"),
})
