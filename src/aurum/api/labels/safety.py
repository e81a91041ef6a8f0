"""Labels of work safety and microseismic monitoring: hazard levels, states and workflow
steps, alarm levels, alert sources and levels, monitoring point and sensor kinds, criteria
facility kinds, seismic review states, event types and rule kinds."""

from aurum.core.i18n import lazy_gettext as _
from aurum.safety.register import NAMES
from aurum.safety.sensors import LEVEL_NAMES, RULE_NAMES

LABELS = {
    # hazard states, levels and workflow steps, named by the register itself
    **NAMES,
    "unclassified": _("unclassified"),  # a hazard with no level yet (a filter)
    "open": _("open"),  # any state but closed (a filter)
    # alarm levels, the four-colour scale, named by the sensors' rules
    **LEVEL_NAMES,
    # alert sources (aurum.services.safety.alerts.SOURCES)
    "sensor": _("sensor"),
    "tailings": _("tailings"),
    "seismic": _("seismic"),
    # seismic alert severities (aurum.services.seismic.ALERT_LEVELS)
    "info": _("info"),
    "warning": _("warning"),
    "alarm": _("alarm"),
    # dam types and monitoring items of a tailings facility (aurum.safety.tailings.DamType,
    # the items of its tables), and its monitoring points (PointKind)
    "upstream": _("upstream"),
    "centerline": _("centerline"),
    "downstream": _("downstream"),
    "phreatic_depth": _("phreatic depth"),
    "beach_length": _("dry beach length"),
    "phreatic_line": _("phreatic line"),
    "pond_level": _("pond level"),
    "freeboard": _("freeboard"),
    "dry_beach": _("dry beach length"),
    "surface_displacement": _("surface displacement"),
    "internal_displacement": _("internal displacement"),
    "rainfall": _("rainfall"),
    # sensor kinds (aurum.services.seismic.STRESS_KINDS and the other sensors)
    "pressure_cell": _("pressure cell"),
    "stress": _("stress"),
    "displacement": _("displacement"),
    # facilities the criteria of major hazards cover (aurum.safety.criteria.Facility)
    "underground": _("underground"),
    "open_pit": _("open pit"),
    # sensor rule kinds (aurum.services.safety.rules.RULE_KINDS), named by the rules (but
    # "value", the threshold rule's name, which the columns' labels name already)
    "threshold": _("threshold"),
    **{k: v for k, v in RULE_NAMES.items() if k != "value"},
    # seismic review states and event types (aurum.services.seismic.STATUSES,
    # aurum.seismic.catalog.EVENT_TYPES)
    "automatic": _("automatic"),
    "reviewed": _("reviewed"),
    "rejected": _("rejected"),
    "event": _("event"),
    "blast": _("blast"),
    "unknown": _("unknown"),
    # seismic rule kinds (aurum.seismic.hazard.RULE_KINDS)
    "b_value_below": _("b-value below"),
    "magnitude_above": _("magnitude above"),
    "energy_index_rise": _("energy index rise"),
}
