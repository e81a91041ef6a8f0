"""Labels of the regulator's pages: kinds and states of sites and organisations, the plan's
indicators and where they stand, plants against the plan's scale, units; and provinces in the
reader's language.

``closed`` and ``tailings`` are labelled by :mod:`aurum.api.labels.safety` with the same words.
"""

from aurum.core import i18n
from aurum.core.i18n import lazy_gettext as _
from aurum.industry.registry import PROVINCE_NAMES_ZH

LABELS = {
    # site kinds, plant types and mining methods (aurum.industry.registry)
    "mine": _("mine"),
    "plant": _("plant"),
    "processing_plant": _("processing plant"),
    "heap_leach": _("heap leach"),
    "concentrate_smelter": _("concentrate smelter"),
    "refinery": _("refinery"),
    "open_pit": _("open pit"),
    "underground": _("underground"),
    "combined": _("combined open pit and underground"),
    # site statuses
    "planned": _("planned"),
    "construction": _("under construction"),
    "operating": _("operating"),
    "suspended": _("suspended"),
    # organisation types
    "mining": _("mining"),
    "processing": _("processing"),
    "smelting_refining": _("smelting and refining"),
    "recycling": _("recycling"),
    "new_materials": _("new materials"),
    "group": _("enterprise group"),
    "downstream_user": _("downstream user"),
    # where an indicator stands (aurum.industry.kpi.Status)
    "on_track": _("on track"),
    "at_risk": _("at risk"),
    "off_track": _("off track"),
    "no_data": _("no data"),
    # new plants against the plan's minimum scale (aurum.industry.kpi)
    "compliant": _("compliant"),
    "below_floor": _("below floor"),
    "capacity_not_reported": _("capacity not reported"),
    # the plan's indicators (ids of plan_targets_2027.yaml; the English is the file's label)
    "gold_resources_growth_pct": _("Gold resources growth"),
    "gold_output_growth_pct": _("Gold output growth"),
    "silver_output_growth_pct": _("Silver output growth"),
    "large_mine_output_share_pct": _("Output share of mines >= 500 t/d"),
    "solid_waste_utilisation_pct": _("Gold solid waste utilisation rate"),
    # sections of the statistical report (aurum.industry.reporting.ReportField.group)
    "production": _("Production"),
    "gold": _("Gold and silver"),
    "resources": _("Resources and reserves"),
    "waste": _("Solid waste"),
    "inputs": _("Inputs"),
    # units of the indicators' quantities and of the reports' fields
    "t": _("t"),
    "kg": _("kg"),
    "g/t": _("g/t"),
    "t/d": _("t/d"),
    "tce": _("t of standard coal"),
    "t of gold": _("t of gold"),
    "t of silver": _("t of silver"),
    "t of waste": _("t of waste"),
}


def province(name: object) -> str:
    """A province (its English name, the stored key) in the reader's language; any other
    value (a site code, say) as it is."""
    text = "" if name is None else str(name)
    return PROVINCE_NAMES_ZH.get(text, text) if i18n.is_chinese() else text
