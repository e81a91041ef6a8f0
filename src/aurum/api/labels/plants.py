"""Labels of the processing plants and background jobs: solid-waste types, utilisation routes
and detoxification states of the ledger, kinds of unit operation and the fields of a
reconciled circuit, and job kinds."""

from aurum.core.i18n import lazy_gettext as _

LABELS = {
    # solid-waste types (aurum.processing.waste.WASTE_TYPES; "tailings" and "other" are
    # labelled already by the safety and recycling areas, as 尾矿 and 其他)
    "cyanide_residue": _("cyanide residue"),
    "waste_rock": _("waste rock"),
    # utilisation routes (aurum.processing.waste.ROUTES)
    "backfill": _("backfill"),
    "building_materials": _("building materials"),
    "metal_recovery": _("metal recovery"),
    # detoxification of cyanide residue (aurum.processing.waste.DETOX_STATUSES)
    "untreated": _("untreated"),
    "detoxified": _("detoxified"),
    # kinds of unit operation (aurum.processing.circuit.NodeKind)
    "feed": _("feed"),
    "crusher": _("crusher"),
    "mill": _("mill"),
    "cyclone": _("cyclone"),
    "gravity": _("gravity separation"),
    "flotation": _("flotation"),
    "leach": _("leaching"),
    "cil": _("carbon-in-leach"),
    "cip": _("carbon-in-pulp"),
    "elution": _("elution"),
    "electrowinning": _("electrowinning"),
    "smelting": _("smelting"),
    "thickener": _("thickener"),
    "stockpile": _("stockpile"),
    "product": _("product"),
    "junction": _("junction"),
    # the fields of a reconciled variable besides the components' symbols
    "mass": _("mass"),
    # job kinds (aurum.services.jobs.kinds())
    "derive": _("stored results"),
    "pit_study": _("pit study"),
    "estimation": _("estimation"),
    "prospectivity": _("prospectivity study"),
    "prospectivity_demo": _("demonstration prospectivity study"),
    "report_import": _("report import"),
}
