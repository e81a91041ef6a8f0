"""Labels of the standards registry's machine keys (issue 22): statuses, priority areas,
levels (keyed ``level_<level>``: a level's key, such as ``enterprise``, names other
things elsewhere), degrees of correspondence, recognition and directions of an indicator."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    "planned": _("planned"),
    "drafting": _("drafting"),
    "published": _("published"),
    "under_revision": _("under revision"),
    "withdrawn": _("withdrawn"),
    "deep_mining": _("deep mining"),
    "green_low_carbon": _("green and low-carbon"),
    "digital_intelligent": _("digital and intelligent"),
    "new_materials": _("new materials"),
    "safety": _("safety"),
    "testing_methods": _("testing methods"),
    "products": _("products"),
    "untagged": _("no priority area"),
    "level_national": _("national standard"),
    "level_industry": _("industry standard"),
    "level_local": _("local standard"),
    "level_group": _("group standard"),
    "level_enterprise": _("enterprise standard"),
    "identical": _("identical (IDT)"),
    "modified": _("modified (MOD)"),
    "non_equivalent": _("non-equivalent (NEQ)"),
    "not_recognised": _("not recognised"),
    "in_negotiation": _("in negotiation"),
    "recognised": _("recognised"),
    "higher": _("higher is better"),
    "lower": _("lower is better"),
}
