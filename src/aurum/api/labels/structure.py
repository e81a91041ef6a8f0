"""Labels of the consolidation pages' machine keys (issue 23): the scenarios."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "status_quo": _("status quo"),
    "close_backward": _("close backward capacity"),
    "central_mill": _("a new central mill"),
    "price": _("gold price +10 per cent"),
}
