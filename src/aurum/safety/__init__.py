"""Safety oversight: the hazard register, its clearing statistics, sensor alarm rules and the
online monitoring of tailings facilities.

Pure domain code (numpy, pandas and dataclasses in and out): ``register`` is the hazard state
machine, ``criteria`` the major-hazard criteria as data, ``stats`` the clearing statistics,
``sensors`` generic alarm rules and the borehole pressure-cell import, ``tailings`` the design
tables, derived quantities and alarm levels of tailings facilities.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "criteria": ("Facility", "load_criteria"),
    "register": ("Action", "Hazard", "HazardLevel", "HazardState", "Transition"),
    "sensors": ("AccumulationRule", "AlarmLevel", "BoreholeWorkbook", "Direction", "INCH_TO_MM",
                "LevelThresholds", "PSI_TO_MPA", "RateRule", "Rule", "ThresholdRule", "TrendRule",
                "evaluate_rules", "rate_of_change", "read_pressure_cells", "rolling_sum",
                "sensor_alarms", "trend_slope"),
    "stats": ("AGE_CLASSES", "INDICATOR_TARGET", "clearing_summary", "clearing_table",
              "hazards_frame", "read_hazards_csv", "validate_hazard_frame"),
    "tailings": ("DamType", "FacilityAlarm", "HazardProposal", "MonitoringPoint", "PointKind",
                 "SimulatedStream", "TABLES_FILE", "TailingsDesign", "alarm_history",
                 "beach_length_m", "demo_design", "facility_alarm", "facility_grade", "freeboard_m",
                 "item_rules", "load_tables", "parse_tables", "phreatic_depth_m", "roll_up",
                 "simulate_stream"),
})
