"""Work safety over the store, mirroring :mod:`aurum.safety`: the hazard register
(:mod:`.register`), its evidence files (:mod:`.evidence`), the dynamic-clearing statistics
(:mod:`.clearing`), tailings facilities (:mod:`.facilities`), sensors and their readings
(:mod:`.sensors`, :mod:`.readings`, :mod:`.rules`, the MQTT listener :mod:`.mqtt`), the
alerts (:mod:`.alerts`), who may do what (:mod:`.permissions`) and the demo (:mod:`.demo`).

The public names of those modules are importable from here.
"""

from aurum.services.safety.alerts import (
    ALERT_COLUMNS,
    SOURCES,
    acknowledge,
    alarm_label,
    alert_dict,
    list_alerts,
)
from aurum.services.safety.clearing import clearing, clearing_summary, indicator_history
from aurum.services.safety.demo import DEMO_DAYS, DemoActors, seed_demo, seed_demo_hazards
from aurum.services.safety.evidence import (
    MAX_FILE_BYTES,
    files_dir,
    hazard_file,
    put_file,
    upload_file,
)
from aurum.services.safety.facilities import (
    FacilitySimulation,
    FacilitySpec,
    FacilityView,
    ItemSeries,
    design_of,
    facility_dict,
    facility_simulation,
    facility_view,
    get_facility,
    item_series,
    last_reading_time,
    list_facilities,
    monitoring_points,
    register_facility,
)
from aurum.services.safety.permissions import get_hazard, writable_sites
from aurum.services.safety.readings import (
    EARLIEST_READING,
    MAX_AHEAD,
    READING_COLUMNS,
    ReadingWindow,
    validate_readings,
)
from aurum.services.safety.register import (
    HAZARD_COLUMNS,
    HAZARD_LEVELS,
    HAZARD_STATES,
    MONITORING,
    HazardReport,
    act,
    available_actions,
    criteria_table,
    escalate_overdue,
    hazard_dict,
    list_hazards,
    open_monitoring_hazard,
    open_monitoring_severity,
    report_hazard,
    severity,
    timeline,
)
from aurum.services.safety.rules import RULE_KINDS, facility_window, parse_rules, rules_to_data
from aurum.services.safety.sensors import (
    IngestResult,
    SensorSpec,
    get_sensor,
    import_pressure_cells,
    ingest,
    list_sensors,
    raise_alert,
    register_sensor,
    sensor_codes,
    sensor_dict,
    sensor_readings,
    set_rules,
)

__all__ = [
    "ALERT_COLUMNS", "DEMO_DAYS", "EARLIEST_READING", "HAZARD_COLUMNS", "HAZARD_LEVELS",
    "HAZARD_STATES", "MAX_AHEAD", "MAX_FILE_BYTES", "MONITORING", "READING_COLUMNS",
    "RULE_KINDS", "SOURCES", "DemoActors", "FacilitySimulation", "FacilitySpec",
    "FacilityView", "HazardReport", "IngestResult", "ItemSeries", "ReadingWindow",
    "SensorSpec", "acknowledge", "act", "alarm_label", "alert_dict", "available_actions",
    "clearing",
    "clearing_summary", "criteria_table", "design_of", "escalate_overdue", "facility_dict",
    "facility_simulation", "facility_view", "facility_window", "files_dir", "get_facility",
    "get_hazard", "get_sensor", "hazard_dict", "hazard_file", "import_pressure_cells",
    "indicator_history", "ingest", "item_series", "last_reading_time", "list_alerts",
    "list_facilities", "list_hazards", "list_sensors", "monitoring_points",
    "open_monitoring_hazard", "open_monitoring_severity", "parse_rules", "put_file",
    "raise_alert", "register_facility", "register_sensor", "report_hazard", "rules_to_data",
    "seed_demo", "seed_demo_hazards", "sensor_codes", "sensor_dict", "sensor_readings", "set_rules",
    "severity", "timeline", "upload_file", "validate_readings", "writable_sites",
]
