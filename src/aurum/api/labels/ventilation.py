"""Labels of the ventilation pages' machine keys (issue 21): the solvers and the rules that
govern a working place's required air."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "newton": _("Newton's method"),
    "hardy_cross": _("Hardy Cross"),
    "people": _("people (air per person)"),
    "diesel": _("diesel (air per kW)"),
    "velocity": _("least airway velocity"),
    "co": _("CO dilution"),
    "no2": _("NO2 dilution"),
}
