"""Labels of the gold-recycling ledger: entry kinds, report kinds, rules and states, lot
balances, participant roles and the counter's vocabularies (aurum.recycling.purchases,
aurum.recycling.identity)."""

from aurum.core.i18n import lazy_gettext as _
from aurum.recycling.identity import ID_TYPE_NAMES

LABELS = {
    # ledger entry kinds (aurum.services.recycling.ledger)
    "purchase": _("purchase"),
    "correction": _("correction"),
    "lot": _("lot"),
    "assay": _("assay"),
    # report kinds and the rules that make them (aurum/recycling/data/reporting_rules.yaml)
    "large_cash": _("large-value cash transaction report"),
    "suspicious": _("suspicious transaction report"),
    "structuring": _("cash split below the reporting line"),
    "split_across_recyclers": _("cash split across recyclers"),
    "many_recyclers": _("sold to many recyclers"),
    "origin_volume": _("volume or items unexplained by the stated origin"),
    "watch_list": _("seller on the watch list"),
    # report states (aurum.services.recycling.reports)
    "due": _("due"),
    "overdue": _("overdue"),
    "submitted": _("submitted"),
    "superseded": _("superseded"),
    # mass balance of a lot (aurum.services.recycling.custody)
    "awaiting assay": _("awaiting assay"),
    "balanced": _("balanced"),
    "exception": _("exception"),
    # participant roles ("recycler" is a user role too: aurum.api.labels.common)
    "refiner": _("refiner"),
    # identity documents: the domain names them (its report documents do too)
    **{str(kind): name for kind, name in ID_TYPE_NAMES.items()},
    # items bought (ItemType)
    "jewellery": _("jewellery"),
    "bar": _("bar"),
    "coin": _("coin"),
    "scrap": _("scrap"),
    "electronic_waste": _("electronic waste"),
    "photovoltaic": _("photovoltaic material"),
    "spent_catalyst": _("spent catalyst"),
    "dental": _("dental gold"),
    "other": _("other"),
    # payment (PaymentMethod)
    "cash": _("cash"),
    "bank_transfer": _("bank transfer"),
    # fineness measured by (AssayMethod)
    "xrf": _("X-ray fluorescence"),
    "fire_assay": _("fire assay"),
    "icp": _("ICP spectrometry"),
    "density": _("density"),
    "touchstone": _("touchstone"),
    "hallmark": _("hallmark"),
    "unspecified": _("unspecified"),
    # origin declared by the seller (Origin)
    "undeclared": _("undeclared"),
    "personal_jewellery": _("personal jewellery"),
    "inherited": _("inherited"),
    "investment": _("investment gold"),
    "business_scrap": _("business scrap"),
    "industrial_waste": _("industrial waste"),
}
