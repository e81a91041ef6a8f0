"""Labels of supply–demand matching's machine keys (issue 22): a qualified product (the
unproven label is the catalogue's), what each property of it is for a need, the parts of the
score and the notification kind."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "qualified": _("qualified"),
    "inside": _("inside the need's range"),
    "low_capability": _("capability below the threshold"),
    "outside": _("outside the need's range"),
    "margin": _("specification margin"),
    "capability": _("capability (Cpk)"),
    "evaluation": _("evaluation record"),
    "distance": _("distance"),
    "match": _("supply–demand match"),
}
