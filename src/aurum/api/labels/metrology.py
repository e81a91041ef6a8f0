"""Labels of the metrology pages' machine keys (issue 22): performance flags, assay methods,
σ_pt rules, round states and where an assigned value came from."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "satisfactory": _("satisfactory"),
    "questionable": _("questionable"),
    "unsatisfactory": _("unsatisfactory"),
    "fire_assay": _("fire assay"),
    "icp_oes": _("ICP-OES"),
    "icp_ms": _("ICP-MS"),
    "aas": _("atomic absorption (AAS)"),
    "robust_sd": _("robust standard deviation s*"),
    "fixed": _("fixed value"),
    "percent": _("percentage of the assigned value"),
    "consensus": _("consensus of the participants (Algorithm A)"),
    "reference": _("reference material"),
    "closed": _("closed"),
}
