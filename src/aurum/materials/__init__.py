"""High-end gold and silver materials (issue 22): the shelf-product catalogue (material
kinds, specification properties with units and test methods, conformity), batch consistency
(control charts, Cp/Cpk) and supply–demand matching. Pure: numbers and mappings in,
dataclasses out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "catalogue": ("KINDS", "PROPERTIES", "Conformity", "Kind", "Limit", "MaterialKind",
                  "Property", "check_kind", "check_property", "conformity", "make_limit",
                  "nines", "parse_specification", "read_batches"),
    "spc": ("Capability", "Constants", "ControlChart", "Limits", "c4", "capability_indices",
            "constants", "control_chart", "d2", "d3", "individuals_limits",
            "process_capability", "xbar_r_limits", "xbar_s_limits"),
    "matching": ("CPK_THRESHOLD", "EvaluationRecord", "Match", "Matching", "Need",
                 "NeedRange", "Offer", "ProductProperty", "PropertyFact", "check_need",
                 "great_circle_km", "match_need"),
})
