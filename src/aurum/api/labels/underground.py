"""Labels of the stope plans' machine keys (issue 20): how the stopes and the schedule were
found, the mining directions and the fill kinds."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "exact": _("exact (optimum proved)"),
    "fast": _("fast (with its bound)"),
    "mip": _("MIP (HiGHS)"),
    "greedy": _("greedy"),
    "top_down": _("top down"),
    "bottom_up": _("bottom up"),
    "cemented_paste": _("cemented paste fill"),
    "hydraulic": _("hydraulic fill"),
    "cemented_hydraulic": _("cemented hydraulic fill"),
}
