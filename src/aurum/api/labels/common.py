"""Labels shared by every area: roles, states, yes and no."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    # roles (aurum.services.auth.Role)
    "admin": _("administrator"),
    "regulator": _("regulator"),
    "enterprise": _("enterprise"),
    "recycler": _("recycler"),
    "laboratory": _("laboratory"),
    "auditor": _("auditor"),
    # job states (aurum.services.jobs)
    "queued": _("queued"),
    "running": _("running"),
    "done": _("done"),
    "failed": _("failed"),
    "cancelled": _("cancelled"),
    # booleans as pages show them
    "True": _("yes"),
    "False": _("no"),
}
