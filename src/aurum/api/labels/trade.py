"""Labels of the import-source and overseas-project pages (issue 23), and countries' names
in the reader's language (ISO 3166-1 alpha-2 codes, :mod:`aurum.trade.countries`).

The machine keys of this area (``ore``, ``gold``, ``closed``...) also name other things
elsewhere (a hazard is ``closed`` too), so their labels are kept under a prefix —
``commodity_``, ``basis_``, ``risk_``, ``stage_``, ``price_`` — that :func:`named` adds.
"""

from aurum.api.labels import label
from aurum.core import i18n
from aurum.core.i18n import lazy_gettext as _
from aurum.trade.countries import country_name

LABELS = {
    "commodity_ore": _("gold ore and concentrate (HS 2616.90)"),
    "commodity_gold": _("gold incl. doré (HS 7108)"),
    "commodity_all": _("all gold imports"),
    "basis_gold_kg": _("contained gold"),
    "basis_value": _("customs value"),
    "risk_low": _("low (HHI below 1,500)"),
    "risk_moderate": _("moderate (HHI 1,500–2,500)"),
    "risk_high": _("high (HHI above 2,500)"),
    "stage_exploration": _("exploration"),
    "stage_construction": _("construction"),
    "stage_production": _("production"),
    "stage_closed": _("closed"),
    "price_lbma_pm": _("LBMA Gold Price PM"),
    "price_lbma_am": _("LBMA Gold Price AM"),
    "price_sge_au9999": _("SGE Au99.99"),
    "price_fixed": _("fixed price"),
}


def named(prefix: str, key: object) -> str:
    """The label of ``key`` of this area (``named("stage", "closed")``)."""
    return label(f"{prefix}_{key}")


def country(code: object) -> str:
    """A country's name in the reader's language (the code itself when it is none)."""
    return country_name(str(code), i18n.current())
