"""Labels shared by every area: roles, states, yes and no."""

from aurum.core.i18n import lazy_gettext as _
from aurum.services.auth import ROLE_NAMES

LABELS = {
    # roles (named by the service that checks them)
    **{role.value: name for role, name in ROLE_NAMES.items()},
    "laboratory": _("laboratory"),
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
