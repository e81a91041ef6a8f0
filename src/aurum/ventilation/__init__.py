"""Deep-mine ventilation and heat: the airway network (Atkinson resistances, fans, natural
ventilation, regulators) solved by Hardy Cross and by Newton's method, and the climate at depth;
generated level mines for tests, benchmarks and the demo (:mod:`.examples`).
Pure: numbers and mappings in, arrays and dataclasses out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "airflow": ("AirflowComparison", "Limits", "RequiredAirflow", "compare_airflow",
                "load_limits", "required_airflow"),
    "climate": ("AirState", "ClimateCheck", "RockWall", "Segment", "air_state", "along_airway",
                "autocompression", "check_climate", "cooling_load_kw", "diesel_heat_kw",
                "dimensionless_heat_flux", "dry_autocompression_k", "people_heat_kw",
                "pressure_at_depth", "rock_heat_kw", "virgin_rock_temperature"),
    "demand": ("Alarm", "DemandResult", "Machine", "Place", "PlaceReading", "PlaceRequirement",
               "alarms", "dilution_flow", "fan_speeds_for", "required_flows", "scaled_fan",
               "scaled_network"),
    "examples": ("ladder_mine", "ladder_name", "level_mine"),
    "network": ("Branch", "Fan", "Network", "Solution", "atkinson_resistance",
                "shock_resistance", "solve"),
})
