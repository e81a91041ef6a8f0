"""Labels of a statistical report's review (:mod:`aurum.industry.review`): its states and
the steps people take ("submitted" is labelled already by the recycling area, as 已提交)."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    # states
    "draft": _("draft"),
    "accepted": _("accepted"),
    "returned": _("returned"),
    "amended": _("amended"),
    # steps
    "accept": _("accept"),
    "return": _("return"),
    "amend": _("amend"),
}
