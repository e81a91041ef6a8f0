"""Labels of supply–demand matching's machine keys (issue 22): what a product is for a need,
what each property of it is, the parts of the score and the notification kind."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "qualified": _("qualified"),
    "unproven": _("unproven (too few batches)"),
    "inside": _("inside the need's range"),
    "low_capability": _("capability below the threshold"),
    "outside": _("outside the need's range"),
    "unspecified": _("not in the specification"),
    "margin": _("specification margin"),
    "capability": _("capability (Cpk)"),
    "evaluation": _("evaluation record"),
    "distance": _("distance"),
    "match": _("supply–demand match"),
}
