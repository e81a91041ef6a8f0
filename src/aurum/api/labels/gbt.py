"""Labels of the geological-block estimates' machine keys (issue 19): the single-hole
delineation's orebody categories (DZ/T 0205-2020) and the extrapolation rule."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "industrial": _("industrial orebody (工业矿体)"),
    "low_grade": _("low-grade orebody (低品位矿)"),
    "half_spacing": _("half the drill spacing"),
}
